/**
 * `npm run bench:tensorflow`: "TensorFlow SavedModel → ONNX" (freeze + convert) on a generated SavedModel with ~295 MB
 * of float32 variables (6 Conv2D, four of them 3×3×256×256, and 5 Dense, four of them 4096×4096), in Node and in
 * Chromium, against the time to simply read its files in the same runtime. Targets (from the issue): time < 3× the
 * read's, peak memory ≤ 2× the variables' size.
 *
 * - The SavedModel: bench/tensorflow/savedmodel.ts (no TensorFlow on this machine; cached in bench/.data/), written
 *   as TF's SavedModelBuilder writes a TF1-style graph (VariableV2 + `/read` Identity, the saver's RestoreV2 with its
 *   `tensor_names`, a serving_default signature images → logits, probabilities), from the repository's protobuf
 *   codecs; `variables.index` a LevelDB table as TF's BundleWriter writes it (uncompressed blocks, CRC-32C trailers),
 *   `variables.data-00000-of-00001` the tensors' bytes. Seeded He-normal kernels, small seeded biases. Beside it the
 *   same structure at toy size, for the exact check.
 * - Baseline ("read the files"): Node — readWholeFile of each of the three files, one after the other, in a fresh
 *   process (src/core/cli/node-files.ts: what the CLI reads a file with); Chromium — Blob.arrayBuffer() of each
 *   fetched Blob in a module Worker (the app's read of a dropped folder's Files or a library entry's Blobs; the fetch
 *   into the Blobs is not counted).
 * - Node ("convert"): every repetition a fresh child (bench/tensorflow/child.ts, bundled with esbuild, plain `node`):
 *   convertToOnnx([the files, with their folder paths], {}) as the app calls it — src/core/convert/tensorflow-source.ts:
 *   readSavedModel (reads the files; decodes saved_model.pb; reads the index; checks every tensor's CRC-32C; maps
 *   the variables) → freezeSavedModel → convertGraphDef — then saveModel (encodeModelChunks) → writeFileAtomic (no
 *   fsync). Peak RSS = getrusage max RSS. Read and convert alternate; one discarded warm-up each; `sync` (and the
 *   previous output removed) before each; medians.
 * - Chromium: Debian's /usr/bin/chromium, headless, through playwright-core, a fresh browser per run; the page
 *   (bench/common/web/page.ts) is served with the SavedModel's files from 127.0.0.1 by this process and starts a
 *   module Worker (bench/tensorflow/web/worker.ts) that fetches the files into Blobs (not counted) and then either
 *   only reads them (Blob.arrayBuffer()) or converts them as the app's convert worker does: convertToOnnx with
 *   SourceFiles whose read() is that Blob.arrayBuffer() → encodeModelChunks → blobFromChunks. Memory: the page's
 *   renderer VmRSS from /proc, sampled every 50 ms (bench/download/memory.ts), until 1 s after the page is done.
 * - Checks (untimed, once): the toy SavedModel converted by the same child, and the ONNX written by Node for the
 *   big one, run in onnxruntime-web (Node build, wasm, 1 thread) at batch 2 on a seeded input and are compared with
 *   referenceForward (bench/tensorflow/savedmodel.ts: a plain TypeScript float64 forward pass from the same seeded
 *   values, not from our reader): relL2 (tolerance 1e-5) of logits and probabilities, top-1; Chromium's Blob has the
 *   same sha256 as Node's file.
 *
 * Prints the tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 * `--quick`: one repetition, no warm-up, BENCHMARKS.md untouched; `--no-browser`: Node only (BENCHMARKS.md untouched).
 *
 * Structure as bench/keras.ts; the helpers they share are in bench/common/.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { layersOf, NET_BIG, NET_TINY, SAVED_MODEL_FILES, writeSavedModel, type NetSpec, type WrittenSavedModel } from './tensorflow/savedmodel.js';
import { idleMaxRss, runJson, sha256File, sync } from './common/child-process.js';
import { bundleBench, CHROMIUM_ARGS, inFreshChromium, peakOf, servePage, sleep } from './common/chromium-page.js';
import { loadAverages, machine, startLoad } from './common/machine.js';
import { f0, f1, f2, MB, mb, ok, s, table, publishSection } from './common/markdown.js';
import { med, median } from './common/stats.js';
import { alternating } from './common/repetitions.js';
import { nodeReadConvertRuns, readRatioTable } from './common/read-ratio.js';
import type { Request } from './tensorflow/web/worker.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const BIG = join(DATA, 'tensorflow-savedmodel');
const TINY = join(DATA, 'tensorflow-savedmodel-tiny');
const OUT_NODE = join(DATA, 'tensorflow-savedmodel.node.onnx');
const OUT_TINY = join(DATA, 'tensorflow-savedmodel-tiny.node.onnx');
const QUICK = process.argv.includes('--quick');
const BROWSER = !process.argv.includes('--no-browser');
const REPS = QUICK ? 1 : 3;
const TARGET_TIME = 3;
const TARGET_RSS = 2;
const TOLERANCE = 1e-5;
const CHECK_BATCH = 2;
// Bump when bench/tensorflow/savedmodel.ts writes different files for the same spec.
const GENERATOR_VERSION = 1;
type Mode = 'read' | 'convert';
const MODES: Mode[] = ['read', 'convert'];

// ---- set-up: the SavedModels (generated once), the child bundle, the page bundle ----
mkdirSync(DATA, { recursive: true });
/** The SavedModel of `spec` in `dir`, written unless the stamp beside it says it is there for this spec. */
function ensureSavedModel(dir: string, spec: NetSpec): WrittenSavedModel {
  const stamp = `${dir}.json`;
  const want = JSON.stringify({ version: GENERATOR_VERSION, spec });
  if (existsSync(stamp) && SAVED_MODEL_FILES.every((f) => existsSync(join(dir, f)))) {
    const s = JSON.parse(readFileSync(stamp, 'utf8')) as { key: string; written: WrittenSavedModel };
    if (s.key === want) return s.written;
  }
  console.log(`generating ${relative(ROOT, dir)}/ (seeded values) ...`);
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const written = writeSavedModel(dir, spec);
  console.log(`  ${written.variables} variables, ${written.parameters.toLocaleString('en-US')} parameters, ${(written.variableBytes / MB).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(stamp, JSON.stringify({ key: want, written }));
  return written;
}
const big = ensureSavedModel(BIG, NET_BIG);
const tiny = ensureSavedModel(TINY, NET_TINY);
const fileSizes = SAVED_MODEL_FILES.map((f) => statSync(join(BIG, f)).size);
const inputSize = fileSizes.reduce((a, b) => a + b, 0);
const variableBytes = big.variableBytes;

const { child, pageJs, workerJs } = bundleBench(BENCH, 'tensorflow', BROWSER);

const loadAtStart = startLoad();

const nodeIdle = idleMaxRss(process.execPath, [child, 'idle']);

// ---- Node: read and convert, alternating ----
interface NodeSample {
  readMs: number; freezeMs: number; buildMs: number; encodeMs: number; writeMs: number; totalMs: number;
  again: { readSavedModelMs: number; readSavedModelNoCrcMs: number; freezeMs: number; convertMs: number; encodeMs: number };
  rssFrozen: number; rssBuilt: number; rssEncoded: number; maxRss: number; heapUsed: number; arrayBuffers: number;
  inputBytes: number; outputBytes: number; chunks: number; parameters: number; nodes: number; initializers: number; ops: string;
  inputs: string[]; outputs: string[]; architecture: string; notes: string[]; wallMs: number;
}
const { read: readSamples, convert: nodeSamples, last: lastNode } = nodeReadConvertRuns<NodeSample>({
  child, readArgs: [BIG], convertArgs: [BIG, OUT_NODE], reps: REPS, warmUp: !QUICK,
  beforeEach: () => {
    rmSync(OUT_NODE, { force: true });
    sync();
  },
  describe: (r) => `read ${r.readMs.toFixed(0)} ms, parse + freeze ${r.freezeMs.toFixed(0)}, build ${r.buildMs.toFixed(0)}, encode ${r.encodeMs.toFixed(0)}, write ${r.writeMs.toFixed(0)} (max RSS after freeze ${(r.rssFrozen / MB).toFixed(0)}, build ${(r.rssBuilt / MB).toFixed(0)}, encode ${(r.rssEncoded / MB).toFixed(0)} MB; again, each alone: readSavedModel ${r.again.readSavedModelMs.toFixed(0)} (without CRC checks ${r.again.readSavedModelNoCrcMs.toFixed(0)}), freeze ${r.again.freezeMs.toFixed(0)}, convertGraphDef ${r.again.convertMs.toFixed(0)})`,
});

// The last Node output stays for the checks; hashed as a stream so this process stays small.
const nodeSha = await sha256File(OUT_NODE);
const nodeOutBytes = statSync(OUT_NODE).size;

// ---- Chromium ----
interface BrowserResult {
  fetchMs: number; readMs: number; freezeMs: number; buildMs: number; encodeMs: number; writeMs: number; fromReadMs: number;
  marks: number[]; inputBytes: number; outputBytes: number; parameters: number; nodes: number;
}
interface BrowserSample extends BrowserResult {
  baseline: number; peak: { renderer: number; total: number; browser: number };
  phases: { fetch: number; freeze: number; build: number; encode: number; after: number }; sha: string;
}
const browserSamples: Record<Mode, BrowserSample[]> = { read: [], convert: [] };
const browserErrors: Record<Mode, string[]> = { read: [], convert: [] };
let chromiumVersion = '';

if (BROWSER) {
  const served = Object.fromEntries(SAVED_MODEL_FILES.map((f) => [`/model/${f}`, join(BIG, f)]));
  const server = await servePage('tensorflow bench', { '/main.js': pageJs, '/worker.js': workerJs }, served);
  const { base } = server;
  console.log(`Chromium: read and convert, ${REPS} repetition${REPS === 1 ? '' : 's'} each, a fresh browser each ...`);
  try {
    for (const { side: mode } of alternating(MODES, REPS)) {
      sync();
      const request: Request = { type: 'run', base: `${base}/model`, files: SAVED_MODEL_FILES, mode };
      const run = await inFreshChromium(base, 'benchWorker', CHROMIUM_ARGS, async (page) => {
        const result = await page.evaluate((r) => window.benchWorker<BrowserResult>(r), request);
        await sleep(1000); // the result Blob's bytes leave the renderer asynchronously
        return result;
      }, async ({ result, page, pagePid, pageSeries, all: p }) => {
        const m = result.marks; // start, first read, frozen (read + parse + freeze done), built, encoded, done
        const phases = {
          fetch: peakOf(pageSeries, m[0], m[1]), freeze: peakOf(pageSeries, m[1], m[2]), build: peakOf(pageSeries, m[2], m[3]),
          encode: peakOf(pageSeries, m[3], m[5] + 50), after: peakOf(pageSeries, m[5] + 50),
        };
        // Untimed, after sampling: the result's sha256, to compare with Node's file.
        const sha = mode === 'convert' ? await page.evaluate(() => window.benchWorker<string>({ type: 'sha256' })) : '';
        const peak = { renderer: peakOf(pageSeries), total: p.total, browser: p.byKind.browser ?? 0 };
        browserSamples[mode].push({ ...result, baseline: pageSeries[0][1], peak, phases, sha });
        const f = (x: number) => (x ? (x / MB).toFixed(0) : '—');
        console.log(`  ${mode}: fetch → Blobs ${result.fetchMs.toFixed(0)} ms (not counted), read ${result.readMs.toFixed(0)}${mode === 'convert' ? `, parse + freeze ${result.freezeMs.toFixed(0)}, build ${result.buildMs.toFixed(0)}, encode ${result.encodeMs.toFixed(0)}, Blob ${result.writeMs.toFixed(0)}` : ''} = ${(result.fromReadMs / 1000).toFixed(2)} s; page renderer (pid ${pagePid}) ${f(pageSeries[0][1])} → peak ${f(peak.renderer)} MB (fetch ${f(phases.fetch)}, ${mode === 'convert' ? `read + parse + freeze ${f(phases.freeze)}, build ${f(phases.build)}, encode+Blob ${f(phases.encode)}` : `read ${f(phases.freeze)}`}, after ${f(phases.after)}), browser process ${f(peak.browser)} MB, all processes ${f(p.total)} MB`);
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

// ---- checks: the toy SavedModel and the big one's ONNX in onnxruntime-web against the TypeScript reference ----
interface OutputCheck { dims: number[]; finite: boolean; relL2: number; maxAbs: number; top1: number; expectedTop1: number }
interface Check { logits: OutputCheck; probabilities: OutputCheck; batch: number; classes: number; refMs: number; ms: number }
console.log('checking: the toy SavedModel converted, and both ONNX files in onnxruntime-web against the TypeScript reference ...');
const tinyConvert = runJson(process.execPath, [child, 'convert', TINY, OUT_TINY]).result as unknown as NodeSample;
const tinyCheck = runJson(process.execPath, [child, 'check', OUT_TINY, 'tiny', String(CHECK_BATCH)]).result as unknown as Check;
console.log(`  toy: ${JSON.stringify(tinyCheck)}`);
const bigCheck = runJson(process.execPath, [child, 'check', OUT_NODE, 'big', String(CHECK_BATCH)]).result as unknown as Check;
console.log(`  big: ${JSON.stringify(bigCheck)}`);
rmSync(OUT_NODE, { force: true });
rmSync(OUT_TINY, { force: true });
const loadAtEnd = loadavg();

// ---- report ----
const main = readRatioTable({
  targets: { time: TARGET_TIME, rss: TARGET_RSS }, size: { name: 'variables', bytes: variableBytes }, nodeIdle,
  node: {
    read: readSamples, convert: nodeSamples, readLabel: '**read** (baseline): readWholeFile of each file',
    convertLabel: '**freeze + convert**: read → readSavedModel → freezeSavedModel → convertGraphDef → encode → write .onnx',
  },
  chromium: {
    version: chromiumVersion, read: browserSamples.read, convert: browserSamples.convert, errors: browserErrors, fetched: 'Blobs',
    readLabel: '**read** (baseline): Blob.arrayBuffer() of each fetched Blob',
    convertLabel: '**freeze + convert**: Blob.arrayBuffer() → readSavedModel → freezeSavedModel → convertGraphDef → encodeModelChunks → blobFromChunks (as the app\'s convert worker)',
  },
});

const again = (k: keyof NodeSample['again']) => f0(med(nodeSamples, (x) => x.again[k]));
const steps = table(['runtime', 'read (the files, summed)', 'parse + freeze (readSavedModel less its reads, freezeSavedModel)', 'build (convertGraphDef)', 'encode', 'write', 'total', 'memory'], [
  ['Node', f0(med(nodeSamples, (x) => x.readMs)),
    `${f0(med(nodeSamples, (x) => x.freezeMs))} (again, each alone on the bytes read: readSavedModel ${again('readSavedModelMs')}, of which ${f0(med(nodeSamples, (x) => x.again.readSavedModelMs - x.again.readSavedModelNoCrcMs))} the CRC-32C checks of the tensors; freezeSavedModel ${again('freezeMs')})`,
    `${f0(med(nodeSamples, (x) => x.buildMs))} (again: ${again('convertMs')})`,
    ...(['encodeMs', 'writeMs', 'totalMs'] as const).map((k) => f0(med(nodeSamples, (x) => x[k]))),
    `max RSS after freeze, build, encode: ${(['rssFrozen', 'rssBuilt', 'rssEncoded'] as const).map((k) => f0(med(nodeSamples, (x) => x[k]) / MB)).join(', ')} MB; V8 heap ${mb(med(nodeSamples, (x) => x.heapUsed))}, ArrayBuffers ${mb(med(nodeSamples, (x) => x.arrayBuffers))} after build`],
  ...(browserSamples.convert.length ? [(() => {
    const xs = browserSamples.convert;
    // Median over the runs that had a sample in that step (a step shorter than the 50 ms period may have none).
    const ph = (k: keyof BrowserSample['phases']) => { const vs = xs.map((x) => x.phases[k]).filter((v) => v > 0); return vs.length ? f0(median(vs) / MB) : '—'; };
    return ['Chromium', `${f0(med(xs, (x) => x.readMs))} (fetch → Blobs before it: ${f0(med(xs, (x) => x.fetchMs))})`,
      f0(med(xs, (x) => x.freezeMs)), ...(['buildMs', 'encodeMs', 'writeMs'] as const).map((k) => f0(med(xs, (x) => x[k]))), f0(med(xs, (x) => x.fromReadMs)),
      `page renderer: before ${mb(med(xs, (x) => x.baseline))}; peak while fetching to Blobs ${ph('fetch')}, reading + parsing + freezing ${ph('freeze')}, building ${ph('build')}, encoding + blobFromChunks ${ph('encode')}, in the 1 s after ${ph('after')} MB`];
  })()] : []),
]);

const converts = browserSamples.convert;
const outCheck = (c: OutputCheck, what: string) =>
  `${what} [${c.dims.join(', ')}], finite ${ok(c.finite)}: relL2 ${c.relL2.toExponential(2)} ${ok(c.relL2 <= TOLERANCE)}, max \\|Δ\\| ${c.maxAbs.toPrecision(3)}; top-1 (first row) ${c.top1} vs ${c.expectedTop1} ${ok(c.top1 === c.expectedTop1)}`;
const dimsOk = (c: Check, classes: number) => c.logits.dims.join() === `${CHECK_BATCH},${classes}` && c.probabilities.dims.join() === `${CHECK_BATCH},${classes}`;
const checks = table(['check', 'result'], [
  [`Toy SavedModel (same structure: ${NET_TINY.convs.length} Conv2D, ${NET_TINY.dense.length + 1} Dense; ${tiny.parameters.toLocaleString('en-US')} parameters) converted by the same child, in onnxruntime-web 1.30 (Node, wasm, 1 thread), batch ${CHECK_BATCH}, seeded input, against the TypeScript float64 reference (tolerance ${TOLERANCE})`,
    `${outCheck(tinyCheck.logits, 'logits')}; ${outCheck(tinyCheck.probabilities, 'probabilities')}; dims ${ok(dimsOk(tinyCheck, NET_TINY.classes))}; ${tinyConvert.nodes} ONNX nodes (${tinyConvert.ops})`],
  [`The big SavedModel's ONNX (Node's file, ${nodeOutBytes.toLocaleString('en-US')} bytes, ${lastNode?.nodes} nodes: ${lastNode?.ops}; ${lastNode?.parameters.toLocaleString('en-US')} parameters), same runtime and reference (the whole network)`,
    `${outCheck(bigCheck.logits, 'logits')}; ${outCheck(bigCheck.probabilities, 'probabilities')}; dims ${ok(dimsOk(bigCheck, NET_BIG.classes))}`],
  ['Chromium\'s result Blob = Node\'s file (sha256)', converts.length ? ok(converts.every((x) => x.sha === nodeSha && x.outputBytes === nodeOutBytes)) : '—'],
]);

const errors = MODES.flatMap((m) => browserErrors[m].map((e) => `${m}: ${e}`));
const { layers } = layersOf(NET_BIG);
// Kernel shapes in order, repeats counted: '3×3×3×64, 3×3×64×256, 4 × 3×3×256×256, …'.
const runs: Array<[string, number]> = [];
for (const k of layers.map((l) => l.kernel.shape.join('×'))) {
  if (runs.length && runs[runs.length - 1][0] === k) runs[runs.length - 1][1]++;
  else runs.push([k, 1]);
}
const shapes = runs.map(([k, n]) => (n > 1 ? `${n} × ${k}` : k)).join(', ');

const section = `<!-- bench:tensorflow:begin (rewritten by \`npm run bench:tensorflow\`; edit bench/tensorflow.ts, not this) -->
## TensorFlow SavedModel → ONNX, freeze + convert, ~295 MB of variables (bench/tensorflow.ts)

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()};
  ${loadAverages(loadAtStart, loadAtEnd)}
- Node ${process.version}${chromiumVersion ? `; Chromium ${chromiumVersion} (Debian, headless, \`--disable-gpu\`)` : ''}
- Input: a SavedModel generated by bench/tensorflow/savedmodel.ts (no TensorFlow here) in the layout TF's
  SavedModelBuilder writes for a TF1-style graph: \`saved_model.pb\` (${f1(fileSizes[0] / 1e3)} kB; VariableV2 variables
  read through \`/read\` Identities, restored by the saver's RestoreV2 from its \`tensor_names\`; a serving_default
  signature images [-1, ${NET_BIG.image}, ${NET_BIG.image}, 3] → logits, probabilities), \`variables/variables.index\` (${f0(fileSizes[1])} bytes: a
  LevelDB table, uncompressed, CRC-32C block trailers, as TF's BundleWriter writes it) and
  \`variables/variables.data-00000-of-00001\`: ${big.variables} float32 variables, ${big.parameters.toLocaleString('en-US')} parameters,
  **${f1(variableBytes / MB)} MB** (${NET_BIG.convs.length} Conv2D+BiasAdd+Relu, a Reshape, ${NET_BIG.dense.length} Dense+Relu, the logits Dense, Softmax;
  kernels ${shapes}), seeded values; ${f1(inputSize / MB)} MB in all; cached in bench/.data/.
- Baseline ("the time to read the files"): Node — readWholeFile of each file, one after the other, in a fresh
  process; Chromium — Blob.arrayBuffer() of each fetched Blob in a module Worker (the app's read of a dropped
  folder's Files or a library entry's Blobs).
- Node freeze + convert: a fresh process per repetition (bench/tensorflow/child.ts, esbuild bundle, plain \`node\`):
  convertToOnnx([the three files with their folder paths], {}) as the app calls it — readSavedModel (the files read
  with readWholeFile; saved_model.pb decoded; the index read; every tensor's CRC-32C checked; variables mapped
  through the restore path) → freezeSavedModel → convertGraphDef — then saveModel (encodeModelChunks) →
  writeFileAtomic (no fsync). Peak RSS = getrusage max RSS. Read and convert alternate, ${QUICK ? 'no warm-up' : 'one discarded warm-up each'},
  \`sync\` before each. After the peak is taken, each step runs once more alone on the bytes already read (untimed
  for the total), to show where the time goes.
- Chromium: a fresh browser per run; the page (bench/common/web/page.ts) starts a module Worker
  (bench/tensorflow/web/worker.ts) that fetches the files from a server on 127.0.0.1 into Blobs (not counted), then
  reads them (Blob.arrayBuffer()) or converts them as the app's convert worker does: convertToOnnx with those reads →
  encodeModelChunks → blobFromChunks (weights that are views on the read bytes become slices of the input Blobs).
  Its time starts at the first read and ends when the result Blob exists. Peak RSS = the VmRSS of the renderer
  process of the page and its worker, from /proc, sampled every 50 ms until 1 s after it is done; the browser
  process holds Blobs (here also the fetched input, which dropped Files on disk would not), and "all processes"
  sums the tree.
- Targets (from the issue): time < ${TARGET_TIME}× the same runtime's read; peak RSS ≤ ${TARGET_RSS}× the variables' size (${f1(variableBytes / MB)} MB).
  Times are medians with [fastest–slowest] of the repetitions. MB = 10⁶ bytes.
- Before src/core/convert/tensorflow/tensors.ts decoded a tensor_content constant's numbers only on demand, every
  frozen variable was decoded into a new typed array when its Const was converted (a DataView loop over all
  ${f0(variableBytes / MB)} MB), though a MatMul kernel goes to ONNX as the file's bytes: the same Node child built from the
  previous tensors.ts/context.ts, alternating with the current one on this machine (2026-11-28, 3 runs each, medians):
  build (convertGraphDef) 322 ms against 78, peak RSS 690 MB (2.34×) against 405 MB (1.37×), V8 ArrayBuffers after
  the build 600 MB against 320 MB.

${main}

Where the time goes (ms, medians; Chromium's "write" is blobFromChunks) and memory:

${steps}

Checks (untimed, once):

${checks}
${errors.length ? `\nChromium failures: ${errors.join('; ')}\n` : ''}<!-- bench:tensorflow:end -->`;

publishSection(join(ROOT, 'BENCHMARKS.md'), 'tensorflow', section, !QUICK && BROWSER);
