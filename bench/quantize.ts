/**
 * `npm run bench:quantize`: quantization throughput and peak memory on a generated BERT-base-size model
 * (bench/simplify/gen-bert.ts, ~440 MB, cached in bench/.data/), int8 dynamic (`quantizeDynamic`, default options)
 * and int4 (`quantizeInt4`, block 32, symmetric, MatMulNBits), in Node and in Chromium.
 *
 * Reference (stated in the issue, not measured here): onnxruntime 1.30 Python `quantize_dynamic` on a 16-core
 * machine, 3.2 s for a 436 MB BERT-base (136 MB/s). Targets: ≥ 135 MB/s of fp32 weights on this machine, peak
 * memory ≤ 2.5× the model size.
 *
 * - Node: every repetition is a fresh child process (bench/quantize/child.ts, bundled with esbuild, plain `node`, as
 *   bench/simplify/child.ts): readWholeFile → decodeModel → quantize → encodeModelChunks + writeFileAtomic. Time of
 *   the quantize step alone and of the whole (inside the process), peak RSS = getrusage max RSS; modes alternate;
 *   one discarded warm-up each; `sync` before each; medians.
 * - Chromium: Debian's /usr/bin/chromium, headless, through playwright-core; a fresh browser per run. The page
 *   (bench/quantize/web/main.ts, bundled with esbuild) is served with the model from 127.0.0.1 by this process, and
 *   does in its main thread: fetch → Uint8Array → decodeModel → quantize → encodeModelChunks → Blob. Memory: VmRSS of
 *   the renderer process (and of all the browser's processes) from /proc, sampled every 50 ms from here
 *   (bench/download/memory.ts), plus the page's own `performance.memory.usedJSHeapSize` peak (JS heap only: the
 *   model and weights are ArrayBuffers, outside it), with --enable-precise-memory-info.
 * - MB/s = bytes of the model's fp32 initializers ÷ time of the quantize step (the reference's 136 MB/s is the file's
 *   436 MB ÷ 3.2 s; here the fp32 weights are 99.97% of the file). MB = 10⁶ bytes.
 * - Checks (untimed): each Node output decoded again and its MatMulInteger / MatMulNBits counts compared with the
 *   input's MatMul/Gemm nodes that have a constant weight; the Chromium result's op counts, size and sha256 compared
 *   with Node's.
 *
 * Prints the tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 * `--quick`: one repetition, no warm-up, BENCHMARKS.md untouched; `--no-browser`: Node only (BENCHMARKS.md untouched).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { chromium } from 'playwright-core';
import { decodeModel } from '../src/core/onnx/codec.js';
import { DataType } from '../src/core/onnx/tensor.js';
import { countOps } from '../src/core/rewrites/graph.js';
import { MemorySampler, sampleMemory } from './download/memory.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const MODEL = join(DATA, 'bert-base.onnx');
const MB = 1e6;
const QUICK = process.argv.includes('--quick');
const BROWSER = !process.argv.includes('--no-browser');
const NODE_REPS = QUICK ? 1 : 3;
const BROWSER_REPS = QUICK ? 1 : 3;
const REF = { seconds: 3.2, mb: 436, label: 'onnxruntime 1.30 Python `quantize_dynamic`, 16 cores (stated)' };
const TARGET_MBS = 135;
const TARGET_RSS = 2.5;
const CHROMIUM = '/usr/bin/chromium';
// As bench/download/run.ts (playwright.config.ts's flags), plus exact performance.memory values.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'];

type Mode = 'int8' | 'int4';
const MODES: Mode[] = ['int8', 'int4'];
const LABEL: Record<Mode, string> = { int8: 'int8 dynamic (defaults)', int4: 'int4 (block 32, symmetric, MatMulNBits)' };
const QUANT_OP: Record<Mode, string> = { int8: 'MatMulInteger', int4: 'com.microsoft:MatMulNBits' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sync = () => spawnSync('sync');

// ---- set-up: the model (generated once, as bench:simplify does), the child bundle, the page bundle ----
if (!existsSync(MODEL)) {
  console.log(`generating ${relative(ROOT, MODEL)} ...`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH, 'simplify', 'gen-bert.ts'), MODEL], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bench/simplify/gen-bert.ts failed');
}
const modelSize = statSync(MODEL).size;

const child = join(DATA, 'quantize-child.cjs');
buildSync({ entryPoints: [join(BENCH, 'quantize', 'child.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  outfile: child, external: ['onnxruntime-web', 'onnxruntime-node'], logLevel: 'warning' });
const pageJs = join(DATA, 'quantize-page.js');
if (BROWSER) {
  buildSync({ entryPoints: [join(BENCH, 'quantize', 'web', 'main.ts')], bundle: true, platform: 'browser', format: 'esm', target: 'es2022',
    outfile: pageJs, logLevel: 'warning' });
}

const loadAtStart = loadavg();
if (loadAtStart[0] > 1) console.warn(`warning: load average ${loadAtStart[0].toFixed(2)}; results will be noisy`);

function runChild(args: string[]): { result: Record<string, unknown>; wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [child, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${child} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { result: JSON.parse(r.stdout.trim().split('\n').pop()!), wallMs };
}
const idle = median([0, 1, 2].map(() => runChild(['idle']).result.maxRss as number));

// ---- Node ----
interface NodeSample { readMs: number; decodeMs: number; quantizeMs: number; encodeMs: number; writeMs: number; totalMs: number; maxRss: number; maxRssDecoded: number; wallMs: number }
const nodeSamples: Record<Mode, NodeSample[]> = { int8: [], int4: [] };
const nodeNotes: Record<Mode, string[]> = { int8: [], int4: [] };
const out = (mode: Mode) => join(DATA, `quantize-${mode}.onnx`);
console.log(`Node: ${NODE_REPS} repetitions per mode${QUICK ? '' : ' after a warm-up'} ...`);
for (let rep = QUICK ? 0 : -1; rep < NODE_REPS; rep++) {
  for (const mode of rep & 1 ? [...MODES].reverse() : MODES) {
    rmSync(out(mode), { force: true });
    sync();
    const { result, wallMs } = runChild([mode, MODEL, out(mode)]);
    nodeNotes[mode] = result.notes as string[];
    if (rep >= 0) nodeSamples[mode].push({ ...(result as unknown as NodeSample), wallMs });
    console.log(`  ${mode}: quantize ${((result.quantizeMs as number) / 1000).toFixed(2)} s, total ${((result.totalMs as number) / 1000).toFixed(2)} s, max RSS ${((result.maxRss as number) / MB).toFixed(0)} MB`);
  }
}
// Only now does this process read the model: a child's max RSS starts from its parent's RSS at fork (Linux keeps
// the high-water mark across fork and exec), so the parent stays small while children are measured.
const input = decodeModel(readFileSync(MODEL));
const inits = new Map((input.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
const fp32Bytes = [...inits.values()].filter((t) => t.data_type === DataType.FLOAT).reduce((n, t) => n + (t.raw_data?.length ?? 0), 0);
// MatMul / Gemm nodes whose weight (input 1) is a constant: what both modes turn into their quantized op.
const constWeightProducts = (input.graph!.node ?? []).filter((n) => (n.op_type === 'MatMul' || n.op_type === 'Gemm') && inits.has(n.input?.[1] ?? '')).length;

// Checks: the written files decode, with the expected quantized op counts.
const nodeOut: Record<Mode, { bytes: number; sha: string; ops: Record<string, number> }> = {} as never;
for (const mode of MODES) {
  const bytes = readFileSync(out(mode));
  nodeOut[mode] = { bytes: bytes.length, sha: createHash('sha256').update(bytes).digest('hex'), ops: countOps(decodeModel(bytes)) };
}

// ---- Chromium ----
interface BrowserSample {
  readMs: number; decodeMs: number; quantizeMs: number; encodeMs: number; writeMs: number; totalMs: number;
  outputBytes: number; heapPeak: number; heapLimit: number; ops: Record<string, number>;
  marks: number[]; baseline: { renderer: number; total: number }; peak: { renderer: number; total: number; browser: number };
  phases: { read: number; decode: number; quantize: number; encode: number }; sha: string;
}
const browserSamples: Record<Mode, BrowserSample[]> = { int8: [], int4: [] };
const browserErrors: Record<Mode, string[]> = { int8: [], int4: [] };
let chromiumVersion = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (BROWSER) {
  const html = '<!doctype html><meta charset="utf-8"><title>quantize bench</title><script type="module" src="/main.js"></script>';
  const server: Server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (req.url === '/main.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(pageJs));
    else if (req.url === '/model.onnx') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': modelSize, 'cache-control': 'no-store' });
      createReadStream(MODEL, { highWaterMark: 4 << 20 }).pipe(res);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`Chromium: ${BROWSER_REPS} repetitions per mode, a fresh browser each ...`);
  try {
    for (let rep = 0; rep < BROWSER_REPS; rep++) {
      for (const mode of rep & 1 ? [...MODES].reverse() : MODES) {
        const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
        chromiumVersion = browser.version();
        try {
          const page = await browser.newPage();
          page.on('pageerror', (e) => console.error('page error:', e));
          let crashed = false;
          page.on('crash', () => { crashed = true; });
          await page.goto(`${base}/`);
          await page.waitForFunction(() => 'quantizeBench' in window);
          await sleep(500);
          // The renderer processes (Chromium keeps spare ones): each sampled on its own; the page's is the one that grows.
          const cdp = await browser.newBrowserCDPSession();
          const { processInfo } = await cdp.send('SystemInfo.getProcessInfo') as { processInfo: Array<{ type: string; id: number }> };
          const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
          const rssOf = (pid: number) => sampleMemory(new Map([[pid, 'renderer']])).total;
          const series = new Map(renderers.map((pid) => [pid, [] as Array<[number, number]>]));
          const sampleRenderers = () => { const now = Date.now(); for (const [pid, xs] of series) xs.push([now, rssOf(pid)]); };
          const b = sampleMemory();
          sampleRenderers();
          const sampler = new MemorySampler();
          sampler.start(50);
          const rendererTimer = setInterval(sampleRenderers, 50);
          let result: Omit<BrowserSample, 'baseline' | 'peak' | 'phases' | 'sha'>;
          try {
            result = await page.evaluate(({ mode, url }) => window.quantizeBench.run(mode, url), { mode, url: `${base}/model.onnx` }) as typeof result;
          } catch (e) {
            clearInterval(rendererTimer);
            const p = sampler.stop();
            const msg = `${crashed ? 'renderer crashed' : 'failed'}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]} (renderer peak RSS ${(p.byKind.renderer ?? 0) / MB | 0} MB)`;
            browserErrors[mode].push(msg);
            console.log(`  ${mode}: ${msg}`);
            continue;
          }
          clearInterval(rendererTimer);
          sampleRenderers();
          const p = sampler.stop();
          const peakOf = (xs: Array<[number, number]>, from = -Infinity, to = Infinity) => Math.max(0, ...xs.filter(([t]) => t >= from && t <= to).map(([, r]) => r));
          const [pagePid, pageSeries] = [...series].sort((x, y) => peakOf(y[1]) - peakOf(x[1]))[0];
          const m = result.marks;
          const phases = { read: peakOf(pageSeries, m[0], m[1]), decode: peakOf(pageSeries, m[1], m[2]), quantize: peakOf(pageSeries, m[2], m[3]), encode: peakOf(pageSeries, m[3], m[5] + 50) };
          // Untimed, after sampling: the result's sha256, to compare with Node's file.
          const sha = await page.evaluate(async () => {
            const w = window as unknown as { benchLast?: Blob };
            return w.benchLast ? [...new Uint8Array(await crypto.subtle.digest('SHA-256', await w.benchLast.arrayBuffer()))].map((x) => x.toString(16).padStart(2, '0')).join('') : '';
          });
          const baseline = { renderer: pageSeries[0][1], total: b.total };
          const peak = { renderer: peakOf(pageSeries), total: p.total, browser: p.byKind.browser ?? 0 };
          browserSamples[mode].push({ ...result, baseline, peak, phases, sha });
          console.log(`  ${mode}: quantize ${(result.quantizeMs / 1000).toFixed(2)} s, total ${(result.totalMs / 1000).toFixed(2)} s, page renderer (pid ${pagePid}) peak RSS ${(peak.renderer / MB).toFixed(0)} MB (read ${(phases.read / MB).toFixed(0)}, decode ${(phases.decode / MB).toFixed(0)}, quantize ${(phases.quantize / MB).toFixed(0)}, encode ${(phases.encode / MB).toFixed(0)}), all processes ${(p.total / MB).toFixed(0)} MB`);
        } finally {
          await browser.close();
        }
      }
    }
  } finally {
    server.close();
  }
}
const loadAtEnd = loadavg();

// ---- report ----
const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const s = (ms: number) => (ms / 1000).toFixed(2);
const ok = (pass: boolean) => (pass ? '✅' : '❌');
const table = (head: string[], rows: string[][]) => [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const med = <T,>(xs: T[], k: (x: T) => number) => median(xs.map(k));
const mbs = (ms: number) => fp32Bytes / MB / (ms / 1000);
const refMbs = REF.mb / REF.seconds;

const rows: string[][] = [
  [REF.label, 'int8 dynamic', f2(REF.seconds), '—', f0(refMbs), '—', '—', '—', '1.00 (reference)', '—', '—'],
];
for (const mode of MODES) {
  const xs = nodeSamples[mode];
  if (!xs.length) continue;
  const q = med(xs, (x) => x.quantizeMs);
  const rss = med(xs, (x) => x.maxRss);
  rows.push([`Node ${process.version} (fresh process, medians of ${xs.length})`, LABEL[mode], s(q), `${s(med(xs, (x) => x.totalMs))} (wall ${s(med(xs, (x) => x.wallMs))})`,
    f0(mbs(q)), `${f0(rss / MB)} MB`, `${f2(rss / modelSize)}×`, `${f1(nodeOut[mode].bytes / MB)} MB`, f2(mbs(q) / refMbs),
    ok(mbs(q) >= TARGET_MBS), ok(rss / modelSize <= TARGET_RSS)]);
}
for (const mode of MODES) {
  const xs = browserSamples[mode];
  if (!xs.length) {
    if (browserErrors[mode].length) rows.push([`Chromium ${chromiumVersion}`, LABEL[mode], browserErrors[mode][0], '', '', '', '', '', '', '❌', '❌']);
    continue;
  }
  const q = med(xs, (x) => x.quantizeMs);
  const rss = med(xs, (x) => x.peak.renderer);
  rows.push([`Chromium ${chromiumVersion} (main thread, fresh browser, medians of ${xs.length})`, LABEL[mode], s(q), s(med(xs, (x) => x.totalMs)),
    f0(mbs(q)), `${f0(rss / MB)} MB page renderer (all processes ${f0(med(xs, (x) => x.peak.total) / MB)} MB)`, `${f2(rss / modelSize)}×`,
    `${f1(xs[0].outputBytes / MB)} MB`, f2(mbs(q) / refMbs), ok(mbs(q) >= TARGET_MBS), ok(rss / modelSize <= TARGET_RSS)]);
}
const main = table(['runtime', 'mode', 'quantize s', 'end to end s', `MB/s of fp32 weights (target ≥ ${TARGET_MBS})`, 'peak RSS',
  `peak RSS ÷ model (target ≤ ${TARGET_RSS})`, 'output', 'MB/s ÷ reference\'s', 'speed', 'memory'], rows);

const steps = table(['runtime', 'mode', 'read', 'decode', 'quantize', 'encode', 'write', 'total', 'peak RSS after decode', 'JS heap peak (`performance.memory`)', 'page renderer RSS: before → peak while reading, decoding, quantizing, encoding'], [
  ...MODES.filter((m) => nodeSamples[m].length).map((mode) => {
    const xs = nodeSamples[mode];
    return ['Node', mode, ...(['readMs', 'decodeMs', 'quantizeMs', 'encodeMs', 'writeMs', 'totalMs'] as const).map((k) => f0(med(xs, (x) => x[k]))), `${f0(med(xs, (x) => x.maxRssDecoded) / MB)} MB`, '', ''];
  }),
  ...MODES.filter((m) => browserSamples[m].length).map((mode) => {
    const xs = browserSamples[mode];
    return ['Chromium', mode, ...(['readMs', 'decodeMs', 'quantizeMs', 'encodeMs', 'writeMs', 'totalMs'] as const).map((k) => f0(med(xs, (x) => x[k]))), '',
      `${f0(med(xs, (x) => x.heapPeak) / MB)} MB (limit ${f0(xs[0].heapLimit / MB)} MB)`, `${f0(med(xs, (x) => x.baseline.renderer) / MB)} → ${(['read', 'decode', 'quantize', 'encode'] as const).map((k) => { const v = med(xs, (x) => x.phases[k]); return v ? f0(v / MB) : '— (no sample: too short)'; }).join(', ')} MB`];
  }),
]);

const checks = table(['mode', `${'quantized op'} count, Node (expected ${constWeightProducts})`, 'Node output decodes', 'Chromium: same op counts', 'Chromium: same bytes (sha256)', 'report notes (Node)'],
  MODES.map((mode) => {
    const ops = nodeOut[mode].ops;
    const xs = browserSamples[mode];
    const sameOps = xs.length ? xs.every((x) => JSON.stringify(Object.entries(x.ops).sort()) === JSON.stringify(Object.entries(ops).sort())) : undefined;
    const sameBytes = xs.length ? xs.every((x) => x.sha === nodeOut[mode].sha && x.outputBytes === nodeOut[mode].bytes) : undefined;
    const quantOps = Object.entries(ops).filter(([op]) => /MatMulInteger|MatMulNBits|DynamicQuantizeLinear|DequantizeLinear/.test(op)).map(([op, n]) => `${op.replace('com.microsoft:', '')} ${n}`).join(', ');
    return [LABEL[mode], `${ops[QUANT_OP[mode]] ?? 0} ${ok((ops[QUANT_OP[mode]] ?? 0) === constWeightProducts)} (${quantOps}; MatMul left ${ops.MatMul ?? 0})`,
      `yes (${nodeOut[mode].bytes.toLocaleString('en-US')} bytes)`, sameOps === undefined ? '—' : ok(sameOps), sameBytes === undefined ? '—' : ok(sameBytes),
      nodeNotes[mode].filter((n) => /weight|quantized:|removed/.test(n)).map((n) => `“${n}”`).join('; ')];
  }));

const osName = /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
const memTotal = Number(/MemTotal:\s*(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? totalmem() / 1024) * 1024;
const errors = MODES.flatMap((m) => browserErrors[m].map((e) => `${m}: ${e}`));

const section = `<!-- bench:quantize:begin (rewritten by \`npm run bench:quantize\`; edit bench/quantize.ts, not this) -->
## quantize: int8 dynamic and int4 on a BERT-base-size model, Node and Chromium

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${cpu}, ${cpus().length} cores, ${f0(memTotal / 2 ** 30)} GiB RAM; ${osName}, kernel ${release()};
  load average (1, 5, 15 min) at start ${loadAtStart.map(f2).join(', ')}, at end ${loadAtEnd.map(f2).join(', ')} (other work shares this machine)
- Node ${process.version}${chromiumVersion ? `; Chromium ${chromiumVersion} (Debian, headless, \`--disable-gpu\`)` : ''}
- Model: BERT-base (generated by bench/simplify/gen-bert.ts, random weights), ${f1(modelSize / MB)} MB, of which
  ${f1(fp32Bytes / MB)} MB fp32 initializers; ${constWeightProducts} MatMul/Gemm with a constant weight.
- Reference: ${REF.label}: ${REF.seconds} s for ${REF.mb} MB = ${f0(refMbs)} MB/s. Targets: ≥ ${TARGET_MBS} MB/s of fp32 weights
  (fp32 initializer bytes ÷ the quantize step's time) on this machine; peak RSS ≤ ${TARGET_RSS}× the model file.
- Node: each run a fresh process (bench/quantize/child.ts, bundled with esbuild, plain \`node\`; idle max RSS ${f0(idle / MB)} MB):
  readWholeFile → decodeModel → \`quantizeDynamic(model)\` / \`quantizeInt4(model, { blockSize: 32, symmetric: true })\` →
  encodeModelChunks → writeFileAtomic; peak RSS = the process's max RSS (getrusage); modes alternate${QUICK ? '' : ', one discarded warm-up each'}; \`sync\` before each.
- Chromium: a fresh browser per run; the page (bench/quantize/web/main.ts, esbuild bundle of the core) fetches the model
  from a server on 127.0.0.1 and runs fetch → Uint8Array → decode → quantize → encode → Blob in its main thread.
  Peak RSS = the **page's renderer process's VmRSS from /proc**, sampled every 50 ms (renderer pids from CDP
  \`SystemInfo.getProcessInfo\`, each sampled; the page's is the one that grows; its peak within each step is matched
  to the page's step times); "all processes" is the sum over the browser's whole process tree (browser, renderers
  including Chromium's spare ones, GPU, network, storage, zygotes). \`performance.memory.usedJSHeapSize\`
  (JS heap only, not ArrayBuffers; \`--enable-precise-memory-info\`) is polled in the page as well.
- MB = 10⁶ bytes.

${main}

Where the time goes (ms, medians) and memory detail:

${steps}

Checks (untimed): the Node outputs decoded again; Chromium's results compared with them.

${checks}
${errors.length ? `\nChromium failures: ${errors.join('; ')}\n` : ''}<!-- bench:quantize:end -->`;

console.log(`\n${section}\n`);
if (QUICK || !BROWSER) {
  console.log('--quick / --no-browser: BENCHMARKS.md left as it is');
} else {
  const mdPath = join(ROOT, 'BENCHMARKS.md');
  const md = readFileSync(mdPath, 'utf8');
  const re = /<!-- bench:quantize:begin[^]*?<!-- bench:quantize:end -->/;
  writeFileSync(mdPath, re.test(md) ? md.replace(re, section) : `${md.trimEnd()}\n\n${section}\n`);
  console.log(`wrote ${relative(process.cwd(), mdPath) || mdPath}`);
}
for (const mode of MODES) rmSync(out(mode), { force: true });
