/**
 * `npm run bench:pytorch`: "PyTorch state dict → ONNX" on a ~500 MB state dict (torchvision wide_resnet101_2, random
 * init, 127 M parameters), in Node and in Chromium, against Debian's python3-torch doing `torch.load` + `torch.save`
 * of the same file in the same run. Targets (from the issue): time ≤ 1× torch's, peak memory ≤ 1.5× the file size.
 *
 * - The state dict: bench/pytorch/torch_ref.py `gen` (cached in bench/.data/): `torchvision.models.ARCH()` with a
 *   seeded random init, BatchNorm weight/bias/running statistics set to random non-trivial values, saved with
 *   `torch.save(model.state_dict())` (zip format), plus an .npz with one seeded input and PyTorch's eval-mode output.
 *   ARCH = wide_resnet101_2 when our torchvision builder has it (checked at run time), else vgg16.
 * - Reference: bench/pytorch/torch_ref.py `ref` in a fresh /usr/bin/python3 per repetition: `sd = torch.load(path)`
 *   then `torch.save(sd, out)`, timed inside the process after `import torch` (timed apart); peak RSS = ru_maxrss.
 * - Node: every repetition a fresh child (bench/pytorch/child.ts, bundled with esbuild, plain `node`):
 *   readWholeFile → readTorchFile → buildTorchvisionModel → saveModel (encodeModelChunks) → writeFileAtomic (no
 *   fsync; torch.save does none either). Peak RSS = getrusage max RSS. Python and Node alternate; one discarded
 *   warm-up each; `sync` (and the previous output removed) before each; medians.
 * - Chromium: Debian's /usr/bin/chromium, headless, through playwright-core, a fresh browser per run; the page
 *   (bench/common/web/page.ts) is served with the .pth from 127.0.0.1 by this process and starts a module Worker
 *   (bench/pytorch/web/worker.ts; the app converts in a worker too) that does read → readTorchFile → build →
 *   encodeModelChunks → write. Three variants, alternating:
 *     app    fetch → Response.blob() first (not counted: the file the user has), then Blob.arrayBuffer() (the app's
 *            read of a dropped File or a library Blob), and blobFromChunks (as workers/convert.worker.ts): the
 *            weights become slices of the input Blob;
 *     copy   read as 'app', then `new Blob(chunks)`: every byte copied (the app's way before blobFromChunks);
 *     opfs   read as 'app', then the chunks written one by one to an OPFS file (FileSystemSyncAccessHandle).
 *   The worker's renderer process is the page's.
 *   Memory: the page's renderer VmRSS from /proc, sampled every 50 ms (bench/download/memory.ts), until 1 s after
 *   the page is done (a Blob's bytes move to the browser process asynchronously).
 * - Checks (untimed): the ONNX written by Node runs in onnxruntime-web (Node build, wasm) on the .npz's input and is
 *   compared with PyTorch's output (relL2, tolerance 1e-5); Chromium's Blob has the same sha256 as Node's file.
 *
 * Prints the tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 * `--quick`: one repetition, no warm-up, BENCHMARKS.md untouched; `--no-browser`: Node and Python only (BENCHMARKS.md
 * untouched).
 *
 * The helpers it shares with the other benchmark scripts (statistics, tables, machine facts, child processes, the
 * Chromium run and its memory sampling) are in bench/common/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TORCHVISION_ARCHITECTURES } from '../src/core/convert/torchvision/index.js';
import { idleMaxRss, runJson, runSample, sha256File, sync } from './common/child-process.js';
import { bundleBench, CHROMIUM_ARGS, inFreshChromium, peakOf, servePage, sleep } from './common/chromium-page.js';
import { loadAverages, machine, startLoad } from './common/machine.js';
import { f0, f1, f2, MB, mb, ok, s, table, publishSection } from './common/markdown.js';
import { med, median, spread } from './common/stats.js';
import { alternating } from './common/repetitions.js';
import type { Request } from './pytorch/web/worker.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const PYTHON = '/usr/bin/python3';
const PY_SCRIPT = join(BENCH, 'pytorch', 'torch_ref.py');
const ARCH = TORCHVISION_ARCHITECTURES.includes('wide_resnet101_2') ? 'wide_resnet101_2' : 'vgg16';
const PTH = join(DATA, `pytorch-${ARCH}.pth`);
const NPZ = join(DATA, `pytorch-${ARCH}.npz`);
const OUT_NODE = join(DATA, `pytorch-${ARCH}.node.onnx`);
const OUT_PY = join(DATA, `pytorch-${ARCH}.resaved.pth`);
const QUICK = process.argv.includes('--quick');
const BROWSER = !process.argv.includes('--no-browser');
const REPS = QUICK ? 1 : 3;
const TARGET_TIME = 1;
const TARGET_RSS = 1.5;
const TOLERANCE = 1e-5;
// The page's ways to write (bench/pytorch/web/worker.ts), each after reading as the app does: 'app' writes as the
// app's convert worker does (blobFromChunks); 'copy' copies every byte into a new Blob; 'opfs' writes chunk by chunk
// to a file instead of a Blob.
type Variant = 'app' | 'copy' | 'opfs';
const VARIANTS: Variant[] = ['app', 'copy', 'opfs'];
const VARIANT: Record<Variant, { read: 'blob' | 'fetch'; write: 'slices' | 'blob' | 'opfs'; label: string }> = {
  app: { read: 'blob', write: 'slices', label: 'Blob.arrayBuffer() (as the app reads a File / library Blob; the fetch → Blob before it not counted) → … → blobFromChunks (as the app\'s convert worker: weights as slices of the input Blob)' },
  copy: { read: 'blob', write: 'blob', label: 'Blob.arrayBuffer() (as app) → … → `new Blob(chunks)` (every byte copied)' },
  opfs: { read: 'blob', write: 'opfs', label: 'Blob.arrayBuffer() (as app) → … → chunks written to an OPFS file (`createSyncAccessHandle`), not a Blob' },
};

// ---- set-up: the state dict and reference pair (generated once), the child bundle, the page bundle ----
let generated: Record<string, unknown> | undefined;
if (!existsSync(PTH) || !existsSync(NPZ)) {
  console.log(`generating ${relative(ROOT, PTH)} and ${relative(ROOT, NPZ)} (torchvision ${ARCH}, random init) ...`);
  generated = runJson(PYTHON, [PY_SCRIPT, 'gen', ARCH, PTH, NPZ]).result;
  console.log(`  ${JSON.stringify(generated)}`);
}
const fileSize = statSync(PTH).size;

const { child, pageJs, workerJs } = bundleBench(BENCH, 'pytorch', BROWSER);

const loadAtStart = startLoad();

const nodeIdle = idleMaxRss(process.execPath, [child, 'idle']);
const pyIdleRuns = [0, 1, 2].map(() => runJson(PYTHON, [PY_SCRIPT, 'idle']).result);
const pyIdle = median(pyIdleRuns.map((r) => r.maxRss as number));
const torchVersion = String(pyIdleRuns[0].torch);
const torchvisionVersion = spawnSync(PYTHON, ['-c', 'import torchvision; print(torchvision.__version__)'], { encoding: 'utf8' }).stdout.trim();

// ---- Python and Node, alternating ----
interface PySample { importMs: number; loadMs: number; saveMs: number; totalMs: number; maxRssLoaded: number; maxRss: number; threads: number; wallMs: number }
interface NodeSample {
  readMs: number; parseMs: number; buildMs: number; encodeMs: number; writeMs: number; totalMs: number;
  rssRead: number; rssParsed: number; rssBuilt: number; rssEncoded: number; maxRss: number; heapUsed: number; arrayBuffers: number;
  outputBytes: number; chunks: number; tensors: number; parameters: number; nodes: number; notes: string[]; wallMs: number;
}
const pySamples: PySample[] = [];
const nodeSamples: NodeSample[] = [];
let lastNode: NodeSample | undefined;
console.log(`Python (torch.load + torch.save) and Node (convert), ${REPS} repetition${REPS === 1 ? '' : 's'} each${QUICK ? '' : ' after a warm-up'} ...`);
for (const { side, counted } of alternating(['python', 'node'] as const, REPS, !QUICK)) {
  rmSync(OUT_PY, { force: true });
  rmSync(OUT_NODE, { force: true });
  sync();
  if (side === 'python') {
    const r = runSample<PySample>(PYTHON, [PY_SCRIPT, 'ref', PTH, OUT_PY]);
    if (counted) pySamples.push(r);
    console.log(`  python${counted ? '' : ' (warm-up)'}: load ${(r.loadMs / 1000).toFixed(2)} s + save ${(r.saveMs / 1000).toFixed(2)} s = ${(r.totalMs / 1000).toFixed(2)} s (import torch ${(r.importMs / 1000).toFixed(2)} s, process ${(r.wallMs / 1000).toFixed(2)} s), max RSS ${(r.maxRss / MB).toFixed(0)} MB`);
  } else {
    const r = runSample<NodeSample>(process.execPath, [child, 'convert', PTH, OUT_NODE, ARCH]);
    lastNode = r;
    if (counted) nodeSamples.push(r);
    console.log(`  node${counted ? '' : ' (warm-up)'}: read ${r.readMs.toFixed(0)} ms, parse ${r.parseMs.toFixed(0)}, build ${r.buildMs.toFixed(0)}, encode ${r.encodeMs.toFixed(0)}, write ${r.writeMs.toFixed(0)} = ${(r.totalMs / 1000).toFixed(2)} s (process ${(r.wallMs / 1000).toFixed(2)} s), max RSS ${(r.maxRss / MB).toFixed(0)} MB`);
  }
}
rmSync(OUT_PY, { force: true });

// The last Node output stays for the checks; hashed as a stream so this process stays small.
const nodeSha = await sha256File(OUT_NODE);
const nodeOutBytes = statSync(OUT_NODE).size;

// ---- Chromium ----
interface BrowserResult {
  fetchMs: number; readMs: number; parseMs: number; buildMs: number; encodeMs: number; writeMs: number; totalMs: number; fromReadMs: number;
  marks: number[]; inputBytes: number; outputBytes: number; parameters: number; nodes: number;
}
interface BrowserSample extends BrowserResult {
  baseline: number; peak: { renderer: number; total: number; browser: number };
  phases: { fetch: number; read: number; build: number; encode: number; after: number }; sha: string;
}
const browserSamples: Record<Variant, BrowserSample[]> = { app: [], copy: [], opfs: [] };
const browserErrors: Record<Variant, string[]> = { app: [], copy: [], opfs: [] };
let chromiumVersion = '';

if (BROWSER) {
  const server = await servePage('pytorch bench', { '/main.js': pageJs, '/worker.js': workerJs }, { '/model.pth': PTH });
  const { base } = server;
  console.log(`Chromium: ${REPS} repetition${REPS === 1 ? '' : 's'} per variant, a fresh browser each ...`);
  try {
    for (const { side: mode } of alternating(VARIANTS, REPS)) {
      sync();
      const { read, write } = VARIANT[mode];
      const request: Request = { type: 'run', url: `${base}/model.pth`, arch: ARCH, read, write };
      const run = await inFreshChromium(base, 'benchWorker', CHROMIUM_ARGS, async (page) => {
        const result = await page.evaluate((r) => window.benchWorker<BrowserResult>(r), request);
        await sleep(1000); // the result Blob's bytes leave the renderer asynchronously
        return result;
      }, async ({ result, page, pagePid, pageSeries, all: p }) => {
        const m = result.marks;
        const phases = {
          fetch: peakOf(pageSeries, m[0], m[1]), read: peakOf(pageSeries, m[1], m[2]), build: peakOf(pageSeries, m[2], m[4]),
          encode: peakOf(pageSeries, m[4], m[6] + 50), after: peakOf(pageSeries, m[6] + 50),
        };
        // Untimed, after sampling: the result's sha256, to compare with Node's file.
        const sha = await page.evaluate(() => window.benchWorker<string>({ type: 'sha256' }));
        const peak = { renderer: peakOf(pageSeries), total: p.total, browser: p.byKind.browser ?? 0 };
        browserSamples[mode].push({ ...result, baseline: pageSeries[0][1], peak, phases, sha });
        const f = (x: number) => (x ? (x / MB).toFixed(0) : '—');
        console.log(`  ${mode}: fetch ${result.fetchMs.toFixed(0)} ms, read ${result.readMs.toFixed(0)}, parse ${result.parseMs.toFixed(0)}, build ${result.buildMs.toFixed(0)}, encode ${result.encodeMs.toFixed(0)}, write ${result.writeMs.toFixed(0)} = ${(result.totalMs / 1000).toFixed(2)} s; page renderer (pid ${pagePid}) ${f(pageSeries[0][1])} → peak ${f(peak.renderer)} MB (fetch ${f(phases.fetch)}, read ${f(phases.read)}, parse+build ${f(phases.build)}, encode+write ${f(phases.encode)}, after ${f(phases.after)}), browser process ${f(peak.browser)} MB, all processes ${f(p.total)} MB`);
      });
      chromiumVersion = run.version;
      if (run.error) {
        browserErrors[mode].push(run.error);
        console.log(`  ${mode}: ${run.error}`);
      }
    }
  } finally {
    server.close();
  }
}

// ---- check: the ONNX against PyTorch's output ----
console.log('checking the ONNX in onnxruntime-web against PyTorch\'s output ...');
const check = runJson(process.execPath, [child, 'check', OUT_NODE, NPZ]).result as { outputs: Array<{ name: string; relL2: number; maxAbs: number; dims: number[] }>; passed: boolean; ms: number };
const expectedAbsMean = (() => {
  const r = spawnSync(PYTHON, ['-c', `import numpy as np; print(float(np.abs(np.load(${JSON.stringify(NPZ)})['output']).mean()))`], { encoding: 'utf8' });
  return Number(r.stdout.trim());
})();
rmSync(OUT_NODE, { force: true });
const loadAtEnd = loadavg();

// ---- report ----
const pyTime = med(pySamples, (x) => x.totalMs);
const pyRss = med(pySamples, (x) => x.maxRss);
const rows: string[][] = [[
  `Python ${torchVersion} (fresh process, medians of ${pySamples.length}; ${pySamples[0].threads} torch thread${pySamples[0].threads === 1 ? '' : 's'})`,
  '`torch.load` + `torch.save` (reference)', `${s(pyTime)}${spread(pySamples, (x) => x.totalMs)} (load ${s(med(pySamples, (x) => x.loadMs))} + save ${s(med(pySamples, (x) => x.saveMs))})`,
  '1.00', `${s(med(pySamples, (x) => x.wallMs))} (import torch ${s(med(pySamples, (x) => x.importMs))})`,
  mb(pyRss), `${f2(pyRss / fileSize)}×`, `${mb(pyRss - pyIdle)} (idle ${mb(pyIdle)})`, '—', ok(pyRss / fileSize <= TARGET_RSS),
]];
const nodeTime = med(nodeSamples, (x) => x.totalMs);
const nodeRss = med(nodeSamples, (x) => x.maxRss);
rows.push([
  `Node ${process.version} (fresh process, medians of ${nodeSamples.length})`, 'read → readTorchFile → build → encode → write .onnx',
  `${s(nodeTime)}${spread(nodeSamples, (x) => x.totalMs)}`, f2(nodeTime / pyTime), s(med(nodeSamples, (x) => x.wallMs)), mb(nodeRss), `${f2(nodeRss / fileSize)}×`,
  `${mb(nodeRss - nodeIdle)} (idle ${mb(nodeIdle)})`, ok(nodeTime / pyTime <= TARGET_TIME), ok(nodeRss / fileSize <= TARGET_RSS),
]);
const fromBlob = (mode: Variant) => VARIANT[mode].read === 'blob';
for (const mode of VARIANTS) {
  const xs = browserSamples[mode];
  if (!xs.length) {
    if (browserErrors[mode].length) rows.push([`Chromium ${chromiumVersion} (${mode})`, VARIANT[mode].label, browserErrors[mode][0], '', '', '', '', '', '❌', '❌']);
    continue;
  }
  const t = med(xs, (x) => (fromBlob(mode) ? x.fromReadMs : x.totalMs));
  const rss = med(xs, (x) => x.peak.renderer);
  rows.push([
    `Chromium ${chromiumVersion}, **${mode}** (module Worker, fresh browser, medians of ${xs.length})`,
    VARIANT[mode].label.replace('…', 'readTorchFile → build → encode'),
    `${s(t)}${spread(xs, (x) => (fromBlob(mode) ? x.fromReadMs : x.totalMs))}${fromBlob(mode) ? ` (+ fetch → Blob ${s(med(xs, (x) => x.fetchMs))})` : ''}`, f2(t / pyTime), '—',
    `${mb(rss)} page renderer (browser process ${mb(med(xs, (x) => x.peak.browser))}, all processes ${mb(med(xs, (x) => x.peak.total))})`,
    `${f2(rss / fileSize)}×`, `${mb(rss - med(xs, (x) => x.baseline))} (before ${mb(med(xs, (x) => x.baseline))})`,
    ok(t / pyTime <= TARGET_TIME), ok(rss / fileSize <= TARGET_RSS),
  ]);
}
const main = table(['runtime', 'what', 'time s (in process)', `÷ torch (target ≤ ${TARGET_TIME})`, 'process wall s', 'peak RSS',
  `peak RSS ÷ file (target ≤ ${TARGET_RSS})`, 'peak RSS over idle', 'time', 'memory'], rows);

const steps = table(['runtime', 'read', 'parse (readTorchFile)', 'build', 'encode', 'write', 'total', 'max RSS after read, parse, build, encode'], [
  ['Python', `torch.load ${f0(med(pySamples, (x) => x.loadMs))}`, '', '', '', `torch.save ${f0(med(pySamples, (x) => x.saveMs))}`, f0(pyTime),
    `${mb(med(pySamples, (x) => x.maxRssLoaded))} after torch.load`],
  ['Node', ...(['readMs', 'parseMs', 'buildMs', 'encodeMs', 'writeMs', 'totalMs'] as const).map((k) => f0(med(nodeSamples, (x) => x[k]))),
    (['rssRead', 'rssParsed', 'rssBuilt', 'rssEncoded'] as const).map((k) => f0(med(nodeSamples, (x) => x[k]) / MB)).join(', ') + ' MB'],
  ...VARIANTS.filter((m) => browserSamples[m].length).map((mode) => {
    const xs = browserSamples[mode];
    // Median over the runs that had a sample in that step (a step shorter than the 50 ms period may have none).
    const ph = (k: keyof BrowserSample['phases']) => { const vs = xs.map((x) => x.phases[k]).filter((v) => v > 0); return vs.length ? f0(median(vs) / MB) : '—'; };
    return [`Chromium, ${mode}`, `${f0(med(xs, (x) => x.readMs))}${fromBlob(mode) ? ` (fetch → Blob before it: ${f0(med(xs, (x) => x.fetchMs))})` : ''}`,
      ...(['parseMs', 'buildMs', 'encodeMs', 'writeMs'] as const).map((k) => f0(med(xs, (x) => x[k]))), f0(med(xs, (x) => (fromBlob(mode) ? x.fromReadMs : x.totalMs))),
      `page renderer: before ${mb(med(xs, (x) => x.baseline))}; peak while ${fromBlob(mode) ? 'fetching to a Blob' : 'waiting for headers'} ${ph('fetch')}, reading ${ph('read')}, parsing + building ${ph('build')}, encoding + ${VARIANT[mode].write === 'opfs' ? 'OPFS write' : 'Blob'} ${ph('encode')}, in the 1 s after ${ph('after')} MB`];
  }),
]);

const allBrowser = VARIANTS.flatMap((m) => browserSamples[m]);
const co = check.outputs[0];
const checks = table(['check', 'result'], [
  [`ONNX (Node's file, ${nodeOutBytes.toLocaleString('en-US')} bytes, ${lastNode?.nodes} nodes, ${lastNode?.parameters.toLocaleString('en-US')} parameters) in onnxruntime-web 1.30 (Node, wasm, 1 thread) vs PyTorch eval-mode output, seeded input [1, 3, 224, 224]`,
    co ? `relL2 ${co.relL2.toExponential(2)} (tolerance ${TOLERANCE}) ${ok(co.relL2 <= TOLERANCE)}; largest absolute difference ${co.maxAbs.toPrecision(3)} on logits of mean magnitude ${expectedAbsMean.toPrecision(4)}` : 'no output compared ❌'],
  ['Chromium\'s results (Blob, OPFS file) = Node\'s file (sha256)', allBrowser.length ? ok(allBrowser.every((x) => x.sha === nodeSha && x.outputBytes === nodeOutBytes)) : '—'],
]);

const errors = VARIANTS.flatMap((m) => browserErrors[m].map((e) => `${m}: ${e}`));

const section = `<!-- bench:pytorch:begin (rewritten by \`npm run bench:pytorch\`; edit bench/pytorch.ts, not this) -->
## PyTorch state dict → ONNX (bench/pytorch.ts)

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()};
  ${loadAverages(loadAtStart, loadAtEnd)}
- Node ${process.version}${chromiumVersion ? `; Chromium ${chromiumVersion} (Debian, headless, \`--disable-gpu\`)` : ''}; Debian's python3-torch ${torchVersion}, torchvision ${torchvisionVersion}
- State dict: torchvision \`${ARCH}()\` (random init, seeded; BatchNorm weight, bias and running statistics random),
  \`torch.save(model.state_dict())\` (zip format): ${f1(fileSize / MB)} MB, ${lastNode?.tensors} tensors, ${lastNode?.parameters.toLocaleString('en-US')} parameters
  (bench/pytorch/torch_ref.py \`gen\`, cached in bench/.data/).
- Reference: \`sd = torch.load(path); torch.save(sd, out)\` in a fresh \`/usr/bin/python3\` per repetition, timed inside the
  process after \`import torch\` (shown apart); peak RSS = ru_maxrss.
- Node: a fresh process per repetition (bench/pytorch/child.ts, esbuild bundle, plain \`node\`): readWholeFile →
  readTorchFile → buildTorchvisionModel → saveModel (encodeModelChunks) → writeFileAtomic (no fsync, as torch.save);
  peak RSS = getrusage max RSS. Python and Node alternate, ${QUICK ? 'no warm-up' : 'one discarded warm-up each'}, \`sync\` before each.
- Chromium: a fresh browser per run; the page (bench/common/web/page.ts) starts a module Worker
  (bench/pytorch/web/worker.ts; the app converts in a worker too) that gets the .pth from a server on 127.0.0.1.
  Its time starts at the read and ends when the .onnx is written. **app**: the .pth is
  fetched into a Blob first (not counted), then read with Blob.arrayBuffer() as the app reads a dropped File or a
  library Blob, and the result is made by blobFromChunks as the app's convert worker makes it: the weights are
  slices of the input Blob, only the protobuf framing is new (in memory, not a disk file as torch.save and Node
  write). **copy**: read as app, the result \`new Blob(chunks)\` (every byte copied in the renderer). **opfs**: read as
  app, written chunk by chunk to an origin-private file (\`createSyncAccessHandle\`).
  Peak RSS = the VmRSS of the renderer process of the page and its worker, from /proc, sampled every 50 ms until 1 s
  after it is done; the browser process holds Blobs, and "all processes" sums the whole tree (spare renderers, GPU,
  network, zygotes).
- Targets (from the issue): time ≤ ${TARGET_TIME}× torch.load + torch.save's; peak RSS ≤ ${TARGET_RSS}× the file size. Times are
  medians with [fastest–slowest] of the repetitions; the writes (into the page cache) vary most. MB = 10⁶ bytes.
  In the Chromium rows the browser process also holds the fetched input Blob (staging, not counted in time),
  which a dropped File on disk would not.

${rows.length ? main : ''}

Where the time goes (ms, medians) and memory:

${steps}

Checks (untimed):

${checks}
${errors.length ? `\nChromium failures: ${errors.join('; ')}\n` : ''}<!-- bench:pytorch:end -->`;

publishSection(join(ROOT, 'BENCHMARKS.md'), 'pytorch', section, !QUICK && BROWSER);
