/**
 * `npm run bench:keras`: "Keras weights → ONNX" on a VGG16-size weights file (the layout of the published
 * vgg16_weights_tf_dim_ordering_tf_kernels.h5, 528 MB with the top), in Node and in Chromium, against the time to
 * simply read the file in the same runtime. Targets (from the issue): time < 2× the read's, peak memory ≤ 2.5× the
 * file size.
 *
 * - The file: bench/keras/gen_vgg16.py `gen` (Debian's python3-h5py + numpy; cached in bench/.data/), from the layer
 *   names, weight names and shapes our kerasApplicationConfig / kerasApplicationWeights('vgg16', { includeTop: true,
 *   layerNames: 'file' }) give (`block1_conv1/block1_conv1_W_1:0` …), written as Keras's save_weights writes a
 *   weights-only HDF5 (byte-string `layer_names` / `weight_names` attributes, contiguous float32 datasets); seeded
 *   He-normal values. Beside it an .npz with one seeded input [1, 224, 224, 3] and VGG16's softmax output for it,
 *   computed in plain numpy (float64) from the same arrays.
 * - Baseline ("read"): Node — readWholeFile of the .h5 in a fresh process (src/core/cli/node-files.ts: what the CLI
 *   reads a file with); Chromium — Blob.arrayBuffer() of the fetched Blob in a module Worker (the app's read of a
 *   dropped File or a library Blob; the fetch into the Blob is not counted).
 * - Node ("convert"): every repetition a fresh child (bench/keras/child.ts, bundled with esbuild, plain `node`):
 *   convertToOnnx([the .h5], { arch: 'keras:vgg16', includeTop: true }) as the app calls it — read (readWholeFile) →
 *   parse (readKerasFile: h5wasm) → build (convertKerasModel) — then saveModel (encodeModelChunks) → writeFileAtomic
 *   (no fsync). Peak RSS = getrusage max RSS. Read and convert alternate; one discarded warm-up each; `sync` (and the
 *   previous output removed) before each; medians.
 * - Chromium: Debian's /usr/bin/chromium, headless, through playwright-core, a fresh browser per run; the page
 *   (bench/common/web/page.ts) is served with the .h5 from 127.0.0.1 by this process and starts a module Worker
 *   (bench/keras/web/worker.ts) that fetches the .h5 into a Blob (not counted) and then either only reads it
 *   (Blob.arrayBuffer()) or converts it as the app's convert worker does: convertToOnnx with a SourceFile whose
 *   read() is that Blob.arrayBuffer() → encodeModelChunks → blobFromChunks (weights that are views on the read bytes
 *   become slices of the input Blob), after an untimed initHdf5() (the app's worker has loaded h5wasm when it
 *   inspected the dropped file, before Convert is clicked). Memory: the page's renderer VmRSS from /proc, sampled every 50 ms
 *   (bench/download/memory.ts), until 1 s after the page is done.
 * - Checks (untimed, once): the ONNX written by Node runs in onnxruntime-web (Node build, wasm, 1 thread) at batch 1
 *   on the .npz's input: output [1, 1000], finite, and compared with numpy's output (relL2, tolerance 1e-4; top-1);
 *   Chromium's Blob has the same sha256 as Node's file.
 *
 * Prints the tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 * `--quick`: one repetition, no warm-up, BENCHMARKS.md untouched; `--no-browser`: Node only (BENCHMARKS.md untouched).
 *
 * Structure as bench/pytorch.ts; the helpers they share are in bench/common/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kerasApplicationConfig, kerasApplicationWeights } from '../src/core/convert/keras-applications/index.js';
import { idleMaxRss, runJson, sha256File, sync } from './common/child-process.js';
import { bundleBench, CHROMIUM_ARGS, inFreshChromium, peakOf, servePage, sleep } from './common/chromium-page.js';
import { loadAverages, machine, startLoad } from './common/machine.js';
import { f0, f1, f2, MB, mb, ok, s, table, publishSection } from './common/markdown.js';
import { med, median } from './common/stats.js';
import { alternating } from './common/repetitions.js';
import { nodeReadConvertRuns, readRatioTable } from './common/read-ratio.js';
import type { Request } from './keras/web/worker.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const PYTHON = '/usr/bin/python3';
const GEN = join(BENCH, 'keras', 'gen_vgg16.py');
const H5 = join(DATA, 'keras-vgg16.h5');
const NPZ = join(DATA, 'keras-vgg16.npz');
const SPEC = join(DATA, 'keras-vgg16.spec.json');
const OUT_NODE = join(DATA, 'keras-vgg16.node.onnx');
const QUICK = process.argv.includes('--quick');
const BROWSER = !process.argv.includes('--no-browser');
const REPS = QUICK ? 1 : 3;
const TARGET_TIME = 2;
const TARGET_RSS = 2.5;
const TOLERANCE = 1e-4;
type Mode = 'read' | 'convert';
const MODES: Mode[] = ['read', 'convert'];

// ---- set-up: the weights file and reference pair (generated once), the child bundle, the page bundle ----
mkdirSync(DATA, { recursive: true });
let generated: Record<string, unknown> | undefined;
if (!existsSync(H5) || !existsSync(NPZ)) {
  const config = kerasApplicationConfig('vgg16', { includeTop: true, layerNames: 'file' });
  const layers = (config.config as { layers: Array<{ class_name: string; config: { name: string } }> }).layers;
  const spec = {
    layerNames: layers.map((l) => l.config.name),
    classes: Object.fromEntries(layers.map((l) => [l.config.name, l.class_name])),
    layers: kerasApplicationWeights('vgg16', { includeTop: true, layerNames: 'file' }).map((l) => ({ layer: l.layer, weights: l.weights.map((w) => ({ name: w.name, shape: w.shape })) })),
  };
  writeFileSync(SPEC, JSON.stringify(spec, null, 1));
  console.log(`generating ${relative(ROOT, H5)} and ${relative(ROOT, NPZ)} (VGG16 with top, the published file's layout, seeded values) ...`);
  generated = runJson(PYTHON, [GEN, 'gen', SPEC, H5, NPZ]).result;
  console.log(`  ${JSON.stringify(generated)}`);
}
const fileSize = statSync(H5).size;

const { child, pageJs, workerJs } = bundleBench(BENCH, 'keras', BROWSER);

const loadAtStart = startLoad();

const nodeIdle = idleMaxRss(process.execPath, [child, 'idle']);

// ---- Node: read and convert, alternating ----
interface NodeSample {
  readMs: number; parseMs: number; buildMs: number; encodeMs: number; writeMs: number; totalMs: number; reparseMs: number;
  rssRead: number; rssParsed: number; rssBuilt: number; rssEncoded: number; maxRss: number; heapUsed: number; arrayBuffers: number;
  inputBytes: number; outputBytes: number; chunks: number; parameters: number; nodes: number; initializers: number;
  input: string; output: string; architecture: string; notes: string[]; wallMs: number;
}
const { read: readSamples, convert: nodeSamples, last: lastNode } = nodeReadConvertRuns<NodeSample>({
  child, readArgs: [H5], convertArgs: [H5, OUT_NODE], reps: REPS, warmUp: !QUICK,
  beforeEach: () => {
    rmSync(OUT_NODE, { force: true });
    sync();
  },
  describe: (r) => `read ${r.readMs.toFixed(0)} ms, parse ${r.parseMs.toFixed(0)}, build ${r.buildMs.toFixed(0)}, encode ${r.encodeMs.toFixed(0)}, write ${r.writeMs.toFixed(0)} (max RSS after read ${(r.rssRead / MB).toFixed(0)}, parse ${(r.rssParsed / MB).toFixed(0)}, build ${(r.rssBuilt / MB).toFixed(0)}, encode ${(r.rssEncoded / MB).toFixed(0)} MB)`,
});

// The last Node output stays for the checks; hashed as a stream so this process stays small.
const nodeSha = await sha256File(OUT_NODE);
const nodeOutBytes = statSync(OUT_NODE).size;

// ---- Chromium ----
interface BrowserResult {
  fetchMs: number; readMs: number; parseMs: number; buildMs: number; encodeMs: number; writeMs: number; fromReadMs: number;
  marks: number[]; inputBytes: number; outputBytes: number; parameters: number; nodes: number;
}
interface BrowserSample extends BrowserResult {
  baseline: number; peak: { renderer: number; total: number; browser: number };
  phases: { fetch: number; read: number; parse: number; build: number; encode: number; after: number }; sha: string; reparseMs: number;
}
const browserSamples: Record<Mode, BrowserSample[]> = { read: [], convert: [] };
const browserErrors: Record<Mode, string[]> = { read: [], convert: [] };
let chromiumVersion = '';

if (BROWSER) {
  const server = await servePage('keras bench', { '/main.js': pageJs, '/worker.js': workerJs }, { '/model.h5': H5 });
  const { base } = server;
  console.log(`Chromium: read and convert, ${REPS} repetition${REPS === 1 ? '' : 's'} each, a fresh browser each ...`);
  try {
    for (const { side: mode } of alternating(MODES, REPS)) {
      sync();
      const request: Request = { type: 'run', url: `${base}/model.h5`, mode };
      const run = await inFreshChromium(base, 'benchWorker', CHROMIUM_ARGS, async (page) => {
        const result = await page.evaluate((r) => window.benchWorker<BrowserResult>(r), request);
        await sleep(1000); // the result Blob's bytes leave the renderer asynchronously
        return result;
      }, async ({ result, page, pagePid, pageSeries, all: p }) => {
        const m = result.marks; // start, read start, read end, parsed, built, encoded, done
        const phases = {
          fetch: peakOf(pageSeries, m[0], m[1]), read: peakOf(pageSeries, m[1], m[2]), parse: peakOf(pageSeries, m[2], m[3]),
          build: peakOf(pageSeries, m[3], m[4]), encode: peakOf(pageSeries, m[4], m[6] + 50), after: peakOf(pageSeries, m[6] + 50),
        };
        // Untimed, after sampling: the result's sha256, to compare with Node's file.
        const sha = mode === 'convert' ? await page.evaluate(() => window.benchWorker<string>({ type: 'sha256' })) : '';
        const reparseMs = mode === 'convert' ? await page.evaluate(() => window.benchWorker<number>({ type: 'reparse' })) : 0;
        const peak = { renderer: peakOf(pageSeries), total: p.total, browser: p.byKind.browser ?? 0 };
        browserSamples[mode].push({ ...result, baseline: pageSeries[0][1], peak, phases, sha, reparseMs });
        const f = (x: number) => (x ? (x / MB).toFixed(0) : '—');
        console.log(`  ${mode}: fetch → Blob ${result.fetchMs.toFixed(0)} ms (not counted), read ${result.readMs.toFixed(0)}${mode === 'convert' ? `, parse ${result.parseMs.toFixed(0)}, build ${result.buildMs.toFixed(0)}, encode ${result.encodeMs.toFixed(0)}, Blob ${result.writeMs.toFixed(0)}` : ''} = ${(result.fromReadMs / 1000).toFixed(2)} s; page renderer (pid ${pagePid}) ${f(pageSeries[0][1])} → peak ${f(peak.renderer)} MB (fetch ${f(phases.fetch)}, read ${f(phases.read)}${mode === 'convert' ? `, parse ${f(phases.parse)}, build ${f(phases.build)}, encode+Blob ${f(phases.encode)}` : ''}, after ${f(phases.after)}), browser process ${f(peak.browser)} MB, all processes ${f(p.total)} MB`);
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

// ---- check: the ONNX in onnxruntime-web against numpy's output ----
console.log('checking the ONNX in onnxruntime-web against numpy\'s output ...');
const check = runJson(process.execPath, [child, 'check', OUT_NODE, NPZ, lastNode?.input ?? 'input_1']).result as {
  output: string; dims: number[]; expectedDims: number[]; finite: boolean; sum: number; relL2: number; maxAbs: number; top1: number; expectedTop1: number; maxProb: number; ms: number;
};
console.log(`  ${JSON.stringify(check)}`);
rmSync(OUT_NODE, { force: true });
const loadAtEnd = loadavg();

// ---- report ----
const main = readRatioTable({
  targets: { time: TARGET_TIME, rss: TARGET_RSS }, size: { name: 'file', bytes: fileSize }, nodeIdle,
  node: {
    read: readSamples, convert: nodeSamples, readLabel: '**read** (baseline): readWholeFile',
    convertLabel: '**convert**: read → readKerasFile → convertKerasModel → encode → write .onnx',
  },
  chromium: {
    version: chromiumVersion, read: browserSamples.read, convert: browserSamples.convert, errors: browserErrors, fetched: 'Blob',
    readLabel: '**read** (baseline): Blob.arrayBuffer() of the fetched Blob',
    convertLabel: '**convert**: Blob.arrayBuffer() → readKerasFile → convertKerasModel → encodeModelChunks → blobFromChunks (as the app\'s convert worker, h5wasm loaded)',
  },
});

const steps = table(['runtime', 'read', 'parse (readKerasFile; again with h5wasm loaded, untimed)', 'build (convertKerasModel)', 'encode', 'write', 'total', 'memory'], [
  ['Node', f0(med(nodeSamples, (x) => x.readMs)), `${f0(med(nodeSamples, (x) => x.parseMs))} (again: ${f0(med(nodeSamples, (x) => x.reparseMs))})`,
    ...(['buildMs', 'encodeMs', 'writeMs', 'totalMs'] as const).map((k) => f0(med(nodeSamples, (x) => x[k]))),
    `max RSS after read, parse, build, encode: ${(['rssRead', 'rssParsed', 'rssBuilt', 'rssEncoded'] as const).map((k) => f0(med(nodeSamples, (x) => x[k]) / MB)).join(', ')} MB; V8 heap ${mb(med(nodeSamples, (x) => x.heapUsed))}, ArrayBuffers ${mb(med(nodeSamples, (x) => x.arrayBuffers))} after build`],
  ...(browserSamples.convert.length ? [(() => {
    const xs = browserSamples.convert;
    // Median over the runs that had a sample in that step (a step shorter than the 50 ms period may have none).
    const ph = (k: keyof BrowserSample['phases']) => { const vs = xs.map((x) => x.phases[k]).filter((v) => v > 0); return vs.length ? f0(median(vs) / MB) : '—'; };
    return ['Chromium', `${f0(med(xs, (x) => x.readMs))} (fetch → Blob before it: ${f0(med(xs, (x) => x.fetchMs))})`,
      `${f0(med(xs, (x) => x.parseMs))} (again: ${f0(med(xs, (x) => x.reparseMs))})`,
      ...(['buildMs', 'encodeMs', 'writeMs'] as const).map((k) => f0(med(xs, (x) => x[k]))), f0(med(xs, (x) => x.fromReadMs)),
      `page renderer: before ${mb(med(xs, (x) => x.baseline))}; peak while fetching to a Blob ${ph('fetch')}, reading ${ph('read')}, parsing ${ph('parse')}, building ${ph('build')}, encoding + blobFromChunks ${ph('encode')}, in the 1 s after ${ph('after')} MB`];
  })()] : []),
]);

const converts = browserSamples.convert;
const checks = table(['check', 'result'], [
  [`ONNX (Node's file, ${nodeOutBytes.toLocaleString('en-US')} bytes, ${lastNode?.nodes} nodes, ${lastNode?.parameters.toLocaleString('en-US')} parameters) in onnxruntime-web 1.30 (Node, wasm, 1 thread), batch 1, seeded input [1, 224, 224, 3]`,
    `output '${check.output}' [${check.dims.join(', ')}] ${ok(check.dims.join() === '1,1000')}, all finite ${ok(check.finite)} (sum ${check.sum.toFixed(5)})`],
  ['… against numpy\'s float64 forward pass of the same weights (bench/keras/gen_vgg16.py: the whole network, not only the first block)',
    `relL2 ${check.relL2.toExponential(2)} (tolerance ${TOLERANCE}) ${ok(check.relL2 <= TOLERANCE)}; largest absolute difference ${check.maxAbs.toPrecision(3)}; top-1 ${check.top1} vs ${check.expectedTop1} ${ok(check.top1 === check.expectedTop1)} (p = ${check.maxProb.toPrecision(3)})`],
  ['Chromium\'s result Blob = Node\'s file (sha256)', converts.length ? ok(converts.every((x) => x.sha === nodeSha && x.outputBytes === nodeOutBytes)) : '—'],
]);

const h5pyVersion = spawnSync(PYTHON, ['-c', 'import h5py; print(h5py.__version__, h5py.version.hdf5_version)'], { encoding: 'utf8' }).stdout.trim().split(' ');
const h5wasmVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'h5wasm', 'package.json'), 'utf8')) as { version: string }).version;
const errors = MODES.flatMap((m) => browserErrors[m].map((e) => `${m}: ${e}`));

const section = `<!-- bench:keras:begin (rewritten by \`npm run bench:keras\`; edit bench/keras.ts, not this) -->
## Keras weights → ONNX, VGG16 with top (bench/keras.ts)

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()};
  ${loadAverages(loadAtStart, loadAtEnd)}
- Node ${process.version}${chromiumVersion ? `; Chromium ${chromiumVersion} (Debian, headless, \`--disable-gpu\`)` : ''}; h5wasm ${h5wasmVersion}
- File: the layout of the published \`vgg16_weights_tf_dim_ordering_tf_kernels.h5\` (Keras weights only: \`layer_names\`,
  one group per layer with \`weight_names\`, \`block1_conv1/block1_conv1_W_1:0\` …; names and shapes from our
  kerasApplicationWeights('vgg16', { includeTop: true, layerNames: 'file' })), written by bench/keras/gen_vgg16.py
  with Debian's h5py ${h5pyVersion[0] ?? '?'} (HDF5 ${h5pyVersion[1] ?? '?'}) as Keras's save_weights writes it, seeded
  He-normal values: ${f1(fileSize / MB)} MB (${f1(fileSize / 2 ** 20)} MiB), ${lastNode?.parameters.toLocaleString('en-US')} parameters; cached in bench/.data/.
- Baseline ("the time to simply read the file"): Node — readWholeFile in a fresh process; Chromium —
  Blob.arrayBuffer() of the fetched Blob in a module Worker (the app's read of a dropped File or a library Blob).
- Node convert: a fresh process per repetition (bench/keras/child.ts, esbuild bundle, plain \`node\`):
  convertToOnnx([the .h5], { arch: 'keras:vgg16', includeTop: true }) — read (readWholeFile), parse (readKerasFile,
  h5wasm), build (convertKerasModel) — then saveModel (encodeModelChunks) → writeFileAtomic (no fsync). Peak RSS =
  getrusage max RSS. Read and convert alternate, ${QUICK ? 'no warm-up' : 'one discarded warm-up each'}, \`sync\` before each.
- Chromium: a fresh browser per run; the page (bench/common/web/page.ts) starts a module Worker
  (bench/keras/web/worker.ts) that fetches the .h5 from a server on 127.0.0.1 into a Blob (not counted), then reads it
  (Blob.arrayBuffer()) or converts it as the app's convert worker does: convertToOnnx with that read →
  encodeModelChunks → blobFromChunks (weights that are views on the read bytes become slices of the input Blob).
  In the app that worker has already inspected the dropped file (readKerasFile), so h5wasm is loaded before Convert
  is clicked: here initHdf5() before the timed part (Node's fresh process includes loading it).
  Its time starts at the read and ends when the result Blob exists. Peak RSS = the VmRSS of the renderer process of
  the page and its worker, from /proc, sampled every 50 ms until 1 s after it is done; the browser process holds
  Blobs (here also the fetched input, which a dropped File on disk would not), and "all processes" sums the tree.
- Targets (from the issue): time < ${TARGET_TIME}× the same runtime's read; peak RSS ≤ ${TARGET_RSS}× the file size. Times are
  medians with [fastest–slowest] of the repetitions. MB = 10⁶ bytes.
- Before src/core/formats/hdf5/h5.ts read datasets as views on the file's bytes (each dataset was read into the wasm
  heap and copied out of it), the same benchmark on this machine (2026-11-28, 3 repetitions) gave: Node 1.63 s
  (11.7× its read), peak 1706 MB (3.08×); Chromium 2.71 s (10.2×), page renderer peak 2335 MB (4.22×): the parse
  step then took ~0.7 s and ~1 GB (the 411 MB fc1 kernel once in the wasm heap, every weight once more in JS), and
  \`new Blob\` had to copy every weight (1.4 s) because none was a view on the input Blob's bytes.

${main}

Where the time goes (ms, medians; Chromium's "write" is blobFromChunks) and memory:

${steps}

Checks (untimed, once):

${checks}
${errors.length ? `\nChromium failures: ${errors.join('; ')}\n` : ''}<!-- bench:keras:end -->`;

publishSection(join(ROOT, 'BENCHMARKS.md'), 'keras', section, !QUICK && BROWSER);
