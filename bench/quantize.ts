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
 *
 * The helpers it shares with the other benchmark scripts are in bench/common/.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModel } from '../src/core/onnx/codec.js';
import { DataType } from '../src/core/onnx/tensor.js';
import { countOps } from '../src/core/rewrites/graph.js';
import { bundleChild, generate, idleMaxRss, runJson, sync } from './common/child-process.js';
import { bundlePage, CHROMIUM_ARGS, inFreshChromium, peakOf, servePage } from './common/chromium-page.js';
import { loadAverages, machine, startLoad } from './common/machine.js';
import { f0, f1, f2, MB, ok, s, table, publishSection } from './common/markdown.js';
import { med } from './common/stats.js';
import { alternating } from './common/repetitions.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const MODEL = join(DATA, 'bert-base.onnx');
const QUICK = process.argv.includes('--quick');
const BROWSER = !process.argv.includes('--no-browser');
const NODE_REPS = QUICK ? 1 : 3;
const BROWSER_REPS = QUICK ? 1 : 3;
const REF = { seconds: 3.2, mb: 436, label: 'onnxruntime 1.30 Python `quantize_dynamic`, 16 cores (stated)' };
const TARGET_MBS = 135;
const TARGET_RSS = 2.5;
// playwright.config.ts's flags, plus exact performance.memory values.
const ARGS = [...CHROMIUM_ARGS, '--enable-precise-memory-info'];

type Mode = 'int8' | 'int4';
const MODES: Mode[] = ['int8', 'int4'];
const LABEL: Record<Mode, string> = { int8: 'int8 dynamic (defaults)', int4: 'int4 (block 32, symmetric, MatMulNBits)' };
const QUANT_OP: Record<Mode, string> = { int8: 'MatMulInteger', int4: 'com.microsoft:MatMulNBits' };

// ---- set-up: the model (generated once, as bench:simplify does), the child bundle, the page bundle ----
if (!existsSync(MODEL)) generate(ROOT, join(BENCH, 'simplify', 'gen-bert.ts'), MODEL);
const modelSize = statSync(MODEL).size;

const child = join(DATA, 'quantize-child.cjs');
bundleChild(join(BENCH, 'quantize', 'child.ts'), child);
const pageJs = join(DATA, 'quantize-page.js');
if (BROWSER) bundlePage(join(BENCH, 'quantize', 'web', 'main.ts'), pageJs);

const loadAtStart = startLoad();

const idle = idleMaxRss(process.execPath, [child, 'idle']);

// ---- Node ----
interface NodeSample { readMs: number; decodeMs: number; quantizeMs: number; encodeMs: number; writeMs: number; totalMs: number; maxRss: number; maxRssDecoded: number; wallMs: number }
const nodeSamples: Record<Mode, NodeSample[]> = { int8: [], int4: [] };
const nodeNotes: Record<Mode, string[]> = { int8: [], int4: [] };
const out = (mode: Mode) => join(DATA, `quantize-${mode}.onnx`);
console.log(`Node: ${NODE_REPS} repetitions per mode${QUICK ? '' : ' after a warm-up'} ...`);
for (const { side: mode, counted } of alternating(MODES, NODE_REPS, !QUICK)) {
  rmSync(out(mode), { force: true });
  sync();
  const { result, wallMs } = runJson(process.execPath, [child, mode, MODEL, out(mode)]);
  nodeNotes[mode] = result.notes as string[];
  if (counted) nodeSamples[mode].push({ ...(result as unknown as NodeSample), wallMs });
  console.log(`  ${mode}: quantize ${((result.quantizeMs as number) / 1000).toFixed(2)} s, total ${((result.totalMs as number) / 1000).toFixed(2)} s, max RSS ${((result.maxRss as number) / MB).toFixed(0)} MB`);
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

if (BROWSER) {
  const server = await servePage('quantize bench', { '/main.js': pageJs }, { '/model.onnx': MODEL });
  const { base } = server;
  console.log(`Chromium: ${BROWSER_REPS} repetitions per mode, a fresh browser each ...`);
  try {
    for (const { side: mode } of alternating(MODES, BROWSER_REPS)) {
      type Result = Omit<BrowserSample, 'baseline' | 'peak' | 'phases' | 'sha'>;
      const run = await inFreshChromium(base, 'quantizeBench', ARGS,
        (page) => page.evaluate(({ mode, url }) => window.quantizeBench.run(mode, url), { mode, url: `${base}/model.onnx` }) as Promise<Result>,
        async ({ result, page, pagePid, pageSeries, all: p, before: b }) => {
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
const loadAtEnd = loadavg();

// ---- report ----
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

const errors = MODES.flatMap((m) => browserErrors[m].map((e) => `${m}: ${e}`));

const section = `<!-- bench:quantize:begin (rewritten by \`npm run bench:quantize\`; edit bench/quantize.ts, not this) -->
## quantize: int8 dynamic and int4 on a BERT-base-size model, Node and Chromium

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()};
  ${loadAverages(loadAtStart, loadAtEnd)}
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

publishSection(join(ROOT, 'BENCHMARKS.md'), 'quantize', section, !QUICK && BROWSER);
for (const mode of MODES) rmSync(out(mode), { force: true });
