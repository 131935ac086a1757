/**
 * `node --import tsx bench/download/run.ts`: download throughput and memory of the core downloader into the
 * IndexedDB library, against plain `fetch` into memory in the same browser, on a 500 MB file from a loopback server.
 *
 * Targets (from the issue): library throughput ≥ 0.8 × fetch's; peak memory during the download ≤ 2 × the chunk
 * size above the baseline.
 *
 * - The file comes from bench/download/file-server.ts (generated, deterministic, its sha256 cached in bench/.data/).
 * - The page (bench/download/web/) imports the core from source; it is built with Vite in production mode, as the
 *   app ships, into a temporary folder and served by `vite preview` with the app's COOP/COEP headers, so the page
 *   is cross-origin isolated like the app and the file is fetched cross-origin (CORS), like the Hub's.
 * - Every run is a fresh Chromium with a fresh temporary profile: no run sees another's IndexedDB, HTTP cache,
 *   compiled code or memory it freed but the allocator kept. Profiles are on disk (a persistent context): Playwright's
 *   ordinary contexts are off-the-record, where Chromium keeps IndexedDB in memory, which would measure the wrong thing.
 * - Methods (ALL_METHODS below): the reference (fetch into memory), the core's download into the library, diagnostics
 *   that take it apart (reading the body alone, reading + hashing), the prototypes of bench/download/web/prototype.ts,
 *   and the main comparison again with the server throttled to a 1 Gbit/s link. They alternate within each
 *   repetition, in a rotating order; one discarded warm-up of fetch and of the library path goes first. Medians of
 *   REPS. About 6 minutes on a 2-core machine.
 * - Memory: sum of VmRSS of the browser's processes every 50 ms from Node (memory.ts), minus the sum just before
 *   the download starts (the page loaded, its worker started). That is the target's number. Separate, untimed runs
 *   also poll performance.measureUserAgentSpecificMemory() (JS heaps of the page and its worker), which forces a
 *   garbage collection at each call, so it is kept out of the timed runs.
 *
 * `--quick`: 50 MB, one repetition, no warm-up or component runs; `--only=<id>,…`: those methods only. Either leaves
 * BENCHMARKS.md untouched (they are for working on the script).
 * Prints the tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { startFileServer, type FileServer } from './file-server.js';
import { MemorySampler, sampleMemory, type MemorySample, type ProcessKind } from './memory.js';
import type { RunResult } from './web/ops.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const DATA = join(ROOT, 'bench', '.data');
const QUICK = process.argv.includes('--quick');
const MB = 1e6;
const MiB = 1024 * 1024;
const SIZE = QUICK ? 50 * MB : 500 * MB;
const REPS = QUICK ? 1 : 3;
const RATIO_TARGET = 0.8;
const SAMPLE_MS = 50;

// As playwright.config.ts: Debian's chromium, headless, nothing in the background that could use the network or CPU.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// measureUserAgentSpecificMemory() otherwise waits for the next natural GC (up to 20 s) before answering.
const EAGER_MEMORY_ARGS = ['--enable-blink-features=ForceEagerMeasureMemory'];

type Where = 'worker' | 'main';
interface Method {
  id: string;
  label: string;
  where: Where;
  op: 'fetchIntoMemory' | 'fetchStreamOnly' | 'fetchStreamByob' | 'fetchAndHash' | 'downloadIntoLibrary' | 'prototypeIntoLibrary';
  chunkBytes?: number;
  /** Bytes per second the server sends at; loopback speed when absent. */
  rate?: number;
  /** Prototype: where chunks go (bench/download/web/prototype.ts). */
  store?: 'blob' | 'bytes' | 'opfs';
  /** Diagnostic methods get no target verdict. */
  diagnostic?: boolean;
}
// A 1 Gbit/s link's 125 MB/s: a fast real connection, to see the comparison where the network is the bottleneck.
const LINK_RATE = 125 * MB;
const LIB8 = '`download()` → library, 8 MiB appends (default; what workers/library.worker.ts uses for big files)';
const PROTO = 'prototype: pipelined + BYOB reads, 8 MiB, library records as Blobs (as now)';
const PROTO_BYTES = 'prototype: pipelined + BYOB reads, 8 MiB, library records as Uint8Arrays';
const PROTO_OPFS = 'prototype: pipelined + BYOB reads, 8 MiB, bytes to an OPFS file (sync access handle), state to IndexedDB';
const ALL_METHODS: Method[] = [
  { id: 'fetch-w', label: 'fetch → memory (`arrayBuffer()`)', where: 'worker', op: 'fetchIntoMemory' },
  { id: 'lib8-w', label: LIB8, where: 'worker', op: 'downloadIntoLibrary', chunkBytes: 8 * MiB },
  { id: 'lib64-w', label: '`download()` → library, 64 MB appends (the maximum)', where: 'worker', op: 'downloadIntoLibrary', chunkBytes: 64 * MB },
  { id: 'proto8-w', label: PROTO, where: 'worker', op: 'prototypeIntoLibrary', chunkBytes: 8 * MiB, store: 'blob' },
  { id: 'proto8b-w', label: PROTO_BYTES, where: 'worker', op: 'prototypeIntoLibrary', chunkBytes: 8 * MiB, store: 'bytes' },
  { id: 'proto8o-w', label: PROTO_OPFS, where: 'worker', op: 'prototypeIntoLibrary', chunkBytes: 8 * MiB, store: 'opfs' },
  { id: 'stream-w', label: 'fetch, body read in JS, bytes dropped', where: 'worker', op: 'fetchStreamOnly', diagnostic: true },
  { id: 'byob-w', label: 'fetch, body read in JS into one reused 8 MiB buffer (BYOB), bytes dropped', where: 'worker', op: 'fetchStreamByob', diagnostic: true },
  { id: 'hash-w', label: 'fetch, BYOB read + sha256 per 8 MiB, bytes dropped (the ceiling of a verified download on one thread)', where: 'worker', op: 'fetchAndHash', diagnostic: true },
  { id: 'fetch-m', label: 'fetch → memory (`arrayBuffer()`)', where: 'main', op: 'fetchIntoMemory' },
  { id: 'lib8-m', label: LIB8, where: 'main', op: 'downloadIntoLibrary', chunkBytes: 8 * MiB },
  { id: 'fetch-w-link', label: 'fetch → memory (`arrayBuffer()`)', where: 'worker', op: 'fetchIntoMemory', rate: LINK_RATE },
  { id: 'lib8-w-link', label: LIB8, where: 'worker', op: 'downloadIntoLibrary', chunkBytes: 8 * MiB, rate: LINK_RATE },
  { id: 'proto8-w-link', label: PROTO, where: 'worker', op: 'prototypeIntoLibrary', chunkBytes: 8 * MiB, store: 'blob', rate: LINK_RATE },
  { id: 'proto8o-w-link', label: PROTO_OPFS, where: 'worker', op: 'prototypeIntoLibrary', chunkBytes: 8 * MiB, store: 'opfs', rate: LINK_RATE },
];
// `--only=fetch-w,lib8-w`: a subset, to work on the script.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const METHODS = only ? ALL_METHODS.filter((m) => only.includes(m.id)) : ALL_METHODS;
const isLibrary = (m: Method) => m.op === 'downloadIntoLibrary' || m.op === 'prototypeIntoLibrary';
const reference = (m: Method) => METHODS.find((r) => r.op === 'fetchIntoMemory' && r.where === m.where && r.rate === m.rate);

interface Run {
  result: RunResult;
  baseline: MemorySample;
  peak: MemorySample;
  samples: number;
}

// ---- cleanup: whatever happens, close the browser and servers and delete temporary folders -------------------
const cleanups: Array<() => unknown> = [];
async function cleanup(): Promise<void> {
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch((e) => console.warn('cleanup:', e));
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void cleanup().then(() => process.exit(130)));
// Output piped into `head` that exits early: carry on (and clean up at the end) instead of dying on EPIPE.
process.stdout.on('error', () => {});
// Whatever way the process ends, temporary folders go (a browser profile holds up to a 500 MB IndexedDB).
const tempDirs = new Set<string>();
process.once('exit', () => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  });
  return dir;
};

const signedMB = (bytes: number) => `${bytes < 0 ? '−' : '+'}${Math.abs(bytes / MB).toFixed(0)}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A 2-core machine: anything else running skews everything, so say so in the report.
const loadAtStart = loadavg()[0];
if (loadAtStart > 1) console.warn(`warning: load average ${loadAtStart.toFixed(2)}; results will be noisy`);

let files: FileServer;
let web: PreviewServer;
let pageUrl: string;
let chromiumVersion = '?';

/** One fresh browser with a fresh on-disk profile, the bench page loaded and its worker started. */
async function withBrowser<T>(extraArgs: string[], fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'omnihub-bench-profile-'));
  tempDirs.add(profile);
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    tempDirs.delete(profile);
  };
  cleanups.push(close);
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
    chromiumVersion = context.browser()?.version() ?? chromiumVersion;
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(pageUrl);
    const { crossOriginIsolated } = await page.evaluate(() => window.bench.ready());
    if (!crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated (COOP/COEP headers missing?)');
    return await fn(page, context);
  } finally {
    cleanups.splice(cleanups.indexOf(close), 1);
    await close();
    spawnSync('sync'); // the next run starts without this one's IndexedDB files still being written back
  }
}

/** Runs `m` in the page, in the page's thread `m.where`. */
function evaluateMethod(page: Page, m: Method): Promise<RunResult> {
  const url = m.rate ? `${files.url}?rate=${m.rate}` : files.url;
  const args = { url, sha256: files.sha256, where: m.where, op: m.op, chunkBytes: m.chunkBytes, store: m.store };
  return page.evaluate((a) => window.bench.run<RunResult>(a.where, a.op, a.url, a.sha256, a.chunkBytes, a.store), args);
}

/** One timed run: baseline memory, then the download with memory sampled every SAMPLE_MS. */
async function timedRun(m: Method): Promise<Run> {
  return withBrowser([], async (page) => {
    await sleep(1000); // start-up work of a fresh browser (profile creation, first paint) settles
    const baselines: MemorySample[] = [];
    for (let i = 0; i < 5; i++, await sleep(50)) baselines.push(sampleMemory());
    const baseline = baselines.sort((a, b) => a.total - b.total)[2];
    const sentBefore = files.sentBytes();
    const sampler = new MemorySampler();
    sampler.start(SAMPLE_MS);
    let result: RunResult;
    try {
      result = await evaluateMethod(page, m);
    } finally {
      sampler.stop();
    }
    if (result.bytes !== SIZE || files.sentBytes() - sentBefore !== SIZE) {
      throw new Error(`${m.id}: got ${result.bytes} bytes, server sent ${files.sentBytes() - sentBefore}, file has ${SIZE}`);
    }
    return { result, baseline, peak: sampler.peak, samples: sampler.samples };
  });
}

/** An untimed run polling measureUserAgentSpecificMemory(): peak growth of the page's + worker's JS memory. */
async function uaMemoryRun(m: Method): Promise<number | null> {
  return withBrowser(EAGER_MEMORY_ARGS, async (page) => {
    const measure = () => page.evaluate(() => window.bench.uaMemory());
    const before = await measure();
    if (!before) return null;
    let done = false;
    let peak = before.bytes;
    const running = evaluateMethod(page, m).finally(() => (done = true));
    while (!done) {
      peak = Math.max(peak, (await measure())!.bytes);
      await sleep(100);
    }
    await running;
    return peak - before.bytes;
  });
}

async function main(): Promise<void> {
  console.log(`serving a generated ${SIZE / MB} MB file (sha256 cached in ${relative(ROOT, DATA)}/) ...`);
  files = await startFileServer(SIZE, join(DATA, `download-${SIZE / MB}MB.sha256.json`));
  cleanups.push(() => files.close());

  const outDir = tempDir('omnihub-bench-web-');
  const webRoot = join(HERE, 'web');
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }; // as vite.config.ts
  await build({ root: webRoot, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true }, worker: { format: 'es' } });
  web = await preview({ root: webRoot, configFile: false, logLevel: 'warn', build: { outDir },
    preview: { host: '127.0.0.1', port: 4190, strictPort: false, headers } });
  cleanups.push(() => new Promise<void>((resolve) => web.httpServer.close(() => resolve())));
  pageUrl = web.resolvedUrls!.local[0];

  const runs = new Map<string, Run[]>(METHODS.map((m) => [m.id, []]));
  const show = (m: Method, r: Run) => console.log(`  ${m.where.padEnd(6)} ${m.id.padEnd(14)} ${(SIZE / MB / (r.result.ms / 1000)).toFixed(0).padStart(5)} MB/s` +
    `  ${r.result.ms.toFixed(0).padStart(6)} ms  peak RSS ${signedMB(r.peak.total - r.baseline.total)} MB (${r.samples} samples;` +
    ` ${Object.entries(r.peak.byKind).map(([k, b]) => `${k} ${signedMB(b - (r.baseline.byKind[k as ProcessKind] ?? 0))}`).join(', ')})`);
  if (!QUICK) {
    console.log('warm-up (discarded):');
    for (const m of METHODS.filter((x) => x.id === 'fetch-w' || x.id === 'lib8-w')) show(m, await timedRun(m));
  }
  for (let rep = 0; rep < REPS; rep++) {
    console.log(`repetition ${rep + 1} of ${REPS}:`);
    for (let k = 0; k < METHODS.length; k++) {
      const m = METHODS[(k + rep) % METHODS.length];
      const r = await timedRun(m);
      runs.get(m.id)!.push(r);
      show(m, r);
    }
  }

  console.log('measureUserAgentSpecificMemory() runs (untimed):');
  const uaGrowth = new Map<string, number | null>();
  for (const m of METHODS.filter((x) => !x.rate)) { // the throttled runs' memory is told by the RSS columns
    uaGrowth.set(m.id, await uaMemoryRun(m));
    console.log(`  ${m.where.padEnd(6)} ${m.id.padEnd(14)} ${signedMB(uaGrowth.get(m.id) ?? NaN)} MB`);
  }

  console.log('components (worker, fresh browser, medians of 3):');
  const components = QUICK ? { hash: NaN, append8: NaN, append64: NaN } : await withBrowser([], async (page) => {
    const rate = (op: 'hashRate' | 'appendRate', ...args: number[]) =>
      page.evaluate((a) => window.bench.run<number>('worker', a.op, ...a.args), { op, args });
    const three = async (op: 'hashRate' | 'appendRate', ...args: number[]) => median([await rate(op, ...args), await rate(op, ...args), await rate(op, ...args)]);
    return { hash: await three('hashRate', 256 * MiB), append8: await three('appendRate', 8 * MiB, 256 * MiB),
      append64: await three('appendRate', 64 * MB, 256 * MB) };
  });
  console.log(`  sha256 (hash-wasm) ${components.hash.toFixed(0)} MB/s; library append ${components.append8.toFixed(0)} MB/s (8 MiB), ` +
    `${components.append64.toFixed(0)} MB/s (64 MB)`);

  report(runs, uaGrowth, components);
}

// ---- report ----------------------------------------------------------------------------------------------------
function report(runs: Map<string, Run[]>, uaGrowth: Map<string, number | null>, components: { hash: number; append8: number; append64: number }): void {
  const f0 = (x: number) => x.toFixed(0);
  const f2 = (x: number) => x.toFixed(2);
  const ok = (pass: boolean) => (pass ? '✅' : '❌');
  const table = (head: string[], rows: string[][]) => [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const mbps = (r: Run) => SIZE / MB / (r.result.ms / 1000);
  const growth = (r: Run) => r.peak.total - r.baseline.total;
  const medMs = (id: string) => median(runs.get(id)!.map((r) => r.result.ms));
  const med = (id: string, f: (r: Run) => number) => median(runs.get(id)!.map(f));
  const kindGrowth = (rs: Run[], kind: ProcessKind) => median(rs.map((r) => (r.peak.byKind[kind] ?? 0) - (r.baseline.byKind[kind] ?? 0)));
  const link = (m: Method) => (m.rate ? `${f0(m.rate / MB)} MB/s` : 'loopback');
  const chunk = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${f0(bytes / MB)} MB`);

  const rows = METHODS.map((m) => {
    const rs = runs.get(m.id)!;
    const speeds = rs.map(mbps);
    const ref = reference(m);
    const ratio = ref ? medMs(ref.id) / medMs(m.id) : NaN;
    // Best against best too: other work on a shared machine slows single runs, the best run is the least disturbed.
    const bestRatio = ref ? Math.max(...speeds) / Math.max(...runs.get(ref.id)!.map(mbps)) : NaN;
    const g = median(rs.map(growth));
    const limit = m.chunkBytes ? 2 * m.chunkBytes : undefined;
    // Where the growth is: the two process kinds that grew most (each kind's own peak).
    const kinds = (['renderer', 'browser', 'network', 'storage', 'gpu', 'utility'] as ProcessKind[])
      .map((k) => [k, kindGrowth(rs, k)] as const).sort((x, y) => y[1] - x[1]).slice(0, 2)
      .map(([k, bytes]) => `${k} ${signedMB(bytes)}`).join(', ');
    const ua = uaGrowth.get(m.id);
    return [link(m), m.where, m.label, `${f0(median(speeds))} (${f0(Math.min(...speeds))}–${f0(Math.max(...speeds))})`,
      m.op === 'fetchIntoMemory' ? '1 (reference)' : !ref ? '' : `${f2(ratio)} (${f2(bestRatio)})${m.diagnostic ? '' : ` ${ok(ratio >= RATIO_TARGET)}`}`,
      `${f0(g / MB)} (${f0(Math.max(...rs.map(growth)) / MB)})`, kinds,
      limit ? `${f0(limit / MB)} ${ok(g <= limit)}` : '', ua === undefined ? '' : ua === null ? 'n/a' : f0(ua / MB)];
  });
  const mainTable = table(['link', 'thread', 'method', 'MB/s median (min–max)', `throughput ÷ fetch's, medians (bests) (≥ ${RATIO_TARGET})`,
    'peak RSS growth, MB median (max)', 'grew most (MB)', 'target: ≤ 2 × chunk, MB', 'UA-specific memory growth, MB'], rows);

  // Where a library run's time goes. The core pipelines its appends (one in flight while it reads and hashes the
  // next chunk), so its append time, timed in the run, overlaps the rest and is shown as such; sha256 is estimated
  // at the rate measured alone (the core cannot be instrumented from outside) and reading the body is the
  // stream-only run. The prototype times its hashing and its waits for the append in flight; the rest is reading.
  const streamMs = runs.has('stream-w') ? medMs('stream-w') : NaN;
  const hashEstMs = (SIZE / MB / components.hash) * 1000;
  const split = table(['link', 'thread', 'method', 'total ms', 'read body', 'sha256', 'waiting for appends (IndexedDB)', 'rest'],
    METHODS.filter((m) => isLibrary(m) || m.op === 'fetchAndHash').map((m) => {
      const total = medMs(m.id);
      if (m.op === 'fetchAndHash') {
        const hash = med(m.id, (r) => r.result.hashMs!);
        return [link(m), m.where, 'fetch + sha256, nothing stored (BYOB, 8 MiB)', f0(total), `${f0(total - hash)} (the rest)`, `${f0(hash)} (in the run)`, '', ''];
      }
      const append = med(m.id, (r) => r.result.appendMs!);
      const name = m.op === 'prototypeIntoLibrary' ? `prototype, ${chunk(m.chunkBytes!)}, ${{ blob: 'Blobs', bytes: 'Uint8Arrays', opfs: 'OPFS' }[m.store!]}`
        : `core \`download()\`, ${chunk(m.chunkBytes!)}`;
      if (m.op === 'prototypeIntoLibrary') {
        const hash = med(m.id, (r) => r.result.hashMs!);
        return [link(m), m.where, name, f0(total), `${f0(total - hash - append)} (the rest)`, `${f0(hash)} (in the run)`, f0(append), ''];
      }
      const read = m.rate ? '' : `${f0(streamMs)} (stream-only run)`;
      return [link(m), m.where, name, f0(total), read, `${f0(hashEstMs)} (at its own rate)`, `${f0(append)} (overlapped)`, ''];
    }));

  const osName = /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const section = `<!-- bench:download:begin (rewritten by \`node --import tsx bench/download/run.ts\`; edit bench/download/run.ts, not this) -->
## Download into the library vs plain \`fetch\` (${SIZE / MB} MB)

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${cpu}, ${cpus().length} cores, ${f0(totalmem() / 2 ** 30)} GiB RAM; ${osName}, kernel ${release()};
  1-minute load average ${f2(loadAtStart)} at the start, ${f2(loadavg()[0])} at the end (other work on the machine makes runs vary)
- Chromium ${chromiumVersion} (Debian, headless, \`--disable-gpu\`), Playwright ${playwrightVersion()}, Node ${process.version}
- A generated ${SIZE / MB} MB file from a loopback HTTP server (bench/download/file-server.ts: CORS, Range, no-store), at full
  speed and throttled to ${f0(LINK_RATE / MB)} MB/s (a 1 Gbit/s link), fetched cross-origin by a cross-origin-isolated page
  (bench/download/web/, built by Vite in production mode). Library: core \`download()\` with \`expectedSha256\` into a fresh
  \`IndexedDbLibrary\` (records of at most 64 MiB, as Blobs), as workers/library.worker.ts calls it (\`cache: 'no-store'\`,
  progress listened to, storage estimate), in a dedicated worker (the app's case) and on the main thread. Each run is a
  fresh browser with a fresh on-disk profile; methods alternate; medians of ${REPS} after a discarded warm-up. MB = 10⁶ bytes.
- Peak RSS growth (**the target's number**): the sum of VmRSS of all the browser's processes, sampled every ${SAMPLE_MS} ms,
  minus the same sum just before the download (page loaded, worker started). "UA-specific memory": peak growth of
  \`performance.measureUserAgentSpecificMemory()\` (the JS heaps and ArrayBuffers of the page and its worker, not Blob
  data, which lives in the browser process), polled in separate untimed runs since each call forces a garbage collection.

${mainTable}

Where a library run's time goes (ms, medians; the core's appends overlap its reading and hashing, so its columns do not add up):

${split}

Components measured alone in a worker: sha256 (hash-wasm, 8 MiB updates) ${f0(components.hash)} MB/s; the library's \`append\`
alone (a Blob + one IndexedDB transaction each, awaited one by one) ${f0(components.append8)} MB/s with 8 MiB chunks,
${f0(components.append64)} MB/s with 64 MB.

Targets: library throughput ≥ ${RATIO_TARGET} × fetch's on the same link and thread; peak RSS growth ≤ 2 × the chunk size.
<!-- bench:download:end -->`;

  console.log(`\n${section}\n`);
  if (QUICK || only) return;
  const mdPath = join(ROOT, 'BENCHMARKS.md');
  const md = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '# Benchmarks\n\n';
  const re = /<!-- bench:download:begin[^]*?<!-- bench:download:end -->/;
  writeFileSync(mdPath, re.test(md) ? md.replace(re, section) : `${md.trimEnd()}\n\n${section}\n`);
  console.log(`wrote ${relative(process.cwd(), mdPath) || mdPath}`);
}

function playwrightVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'playwright-core', 'package.json'), 'utf8')) as { version: string }).version;
}

try {
  await main();
} finally {
  await cleanup();
}
