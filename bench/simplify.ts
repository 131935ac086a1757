/**
 * `npm run bench:simplify`: our `simplify` against onnxruntime's own graph optimizer (basic level) as a reference,
 * in the same run, on tv_mobilenet_v2.onnx and on a generated BERT-base-size model (bench/simplify/gen-bert.ts,
 * ~440 MB, written to bench/.data/, which git ignores): time, peak RSS and node counts.
 *
 * - Ours: `omnihub simplify IN -o OUT --no-validate` through the CLI's main() (read, simplify with onnxruntime-web
 *   for constant folding, encode, write).
 * - Reference: onnxruntime-node InferenceSession.create(IN, { graphOptimizationLevel: 'basic', optimizedModelFilePath })
 *   (load, basic optimizations — constant folding, common subexpressions, Identity/no-op elimination, transpose
 *   optimizer —, write the optimized model, session set-up), one thread, weight pre-packing off. Its nodes are
 *   counted by decoding the file it wrote with our codec.
 * - Every repetition is a fresh child process (bench/simplify/child.ts, bundled with esbuild, plain `node`), so each
 *   peak RSS (getrusage maxRSS) is that one run's; `sync` before each; sides alternate; one discarded warm-up each;
 *   medians. The time is measured inside the child (from before reading to after writing, or around create());
 *   the process's whole wall time, start-up included, is shown beside it.
 * - Untimed checks: both results against the input with `omnihub compare` (onnxruntime-web, the same inputs: seeded
 *   random for mobilenet, a fixed token batch for BERT), and Python onnx's checker on our result where Debian's
 *   python3-onnx is installed.
 *
 * Prints the tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 * `--quick`: one repetition, no warm-up, BENCHMARKS.md untouched.
 *
 * The helpers it shares with the other benchmark scripts are in bench/common/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModel } from '../src/core/onnx/codec.js';
import { countOps } from '../src/core/rewrites/graph.js';
import { bundleChild, generate, idleMaxRss, runJson, sync } from './common/child-process.js';
import { machine, startLoad } from './common/machine.js';
import { f0, f1, f2, MB, table, publishSection } from './common/markdown.js';
import { median } from './common/stats.js';
import { alternating } from './common/repetitions.js';
import { writeNpz } from './simplify/npz.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-onnx; a pyenv `python3` on PATH may not
const QUICK = process.argv.includes('--quick');

interface BenchModel { name: string; path: string; reps: number; npz?: string }
const MODELS: BenchModel[] = [
  { name: 'tv_mobilenet_v2.onnx', path: join(ROOT, '..', 'shared', 'fixtures', 'onnx', 'tv_mobilenet_v2.onnx'), reps: 5 },
  { name: 'BERT-base (generated)', path: join(DATA, 'bert-base.onnx'), reps: 3, npz: join(DATA, 'bert-base.inputs.npz') },
];
if (QUICK) for (const m of MODELS) m.reps = 1;

// ---- set-up: the BERT model and its inputs, the child bundle ----
const bert = MODELS[1];
if (!existsSync(bert.path)) generate(ROOT, join(BENCH, 'simplify', 'gen-bert.ts'), bert.path);
if (!existsSync(bert.npz!)) {
  // One sequence of 16 tokens: random ids, the last 4 masked out, two segments.
  const ids = BigInt64Array.from({ length: 16 }, (_, i) => BigInt((i * 7919 + 101) % 30522));
  const mask = BigInt64Array.from({ length: 16 }, (_, i) => (i < 12 ? 1n : 0n));
  const types = BigInt64Array.from({ length: 16 }, (_, i) => (i < 8 ? 0n : 1n));
  writeFileSync(bert.npz!, writeNpz({
    input_ids: { dtype: 'int64', shape: [1, 16], data: ids },
    attention_mask: { dtype: 'int64', shape: [1, 16], data: mask },
    token_type_ids: { dtype: 'int64', shape: [1, 16], data: types },
  }));
}

const child = join(DATA, 'simplify-child.cjs');
bundleChild(join(BENCH, 'simplify', 'child.ts'), child);

const loadAtStart = startLoad()[0];
const idle = idleMaxRss(process.execPath, [child, 'idle']);

// ---- timed runs ----
interface Sample { ms: number; wallMs: number; maxRss: number }
interface Result {
  model: BenchModel;
  size: number;
  before: Record<string, number>;
  ours: Sample[];
  ort: Sample[];
  oursOps: Record<string, number>;
  ortOps: Record<string, number>;
  oursBytes: number;
  ortBytes: number;
  notes: string[];
  relL2: { ours: number | string; ort: number | string };
  checker: string;
}
const results: Result[] = [];
const ops = (path: string) => countOps(decodeModel(readFileSync(path)));
const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

for (const model of MODELS) {
  if (!existsSync(model.path)) {
    console.log(`skipping ${model.name}: ${model.path} not found`);
    continue;
  }
  console.log(`${model.name}: ${model.reps} repetitions${QUICK ? '' : ' after a warm-up'} ...`);
  const out = { ours: join(DATA, 'simplify-ours.onnx'), ort: join(DATA, 'simplify-ort.onnx') };
  const samples: Record<'ours' | 'ort', Sample[]> = { ours: [], ort: [] };
  let notes: string[] = [];
  for (const { side, counted } of alternating(['ours', 'ort'] as const, model.reps, !QUICK)) {
    rmSync(out[side], { force: true });
    sync();
    const { result, wallMs } = runJson(process.execPath, [child, side, model.path, out[side]]);
    if (side === 'ours') notes = result.notes as string[];
    if (counted) samples[side].push({ ms: result.ms as number, wallMs, maxRss: result.maxRss as number });
  }

  // Untimed: do both results compute what the input computes?
  const relL2 = { ours: '—' as number | string, ort: '—' as number | string };
  for (const side of ['ours', 'ort'] as const) {
    const args = [join(ROOT, 'bin', 'omnihub.mjs'), 'compare', model.path, out[side], '--json', ...(model.npz ? ['--inputs', model.npz] : [])];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.status === 0) {
      const c = JSON.parse(r.stdout);
      relL2[side] = Math.max(...Object.values(c.outputs as Record<string, { relL2: number | string }>).map((o) => Number(o.relL2)));
    } else relL2[side] = `failed: ${r.stderr.trim().split('\n').pop()}`;
  }
  let checker = 'python3-onnx not installed';
  if (existsSync(PYTHON)) {
    const r = spawnSync(PYTHON, ['-c', 'import sys, onnx; onnx.checker.check_model(sys.argv[1]); print(onnx.__version__)', out.ours], { encoding: 'utf8' });
    checker = r.status === 0 ? `passes (onnx ${r.stdout.trim()})` : r.stderr.includes('No module named') ? 'python3-onnx not installed' : `fails: ${r.stderr.trim().split('\n').pop()}`;
  }
  results.push({
    model, size: statSync(model.path).size, before: ops(model.path), ours: samples.ours, ort: samples.ort,
    oursOps: ops(out.ours), ortOps: ops(out.ort), oursBytes: statSync(out.ours).size, ortBytes: statSync(out.ort).size,
    notes, relL2, checker,
  });
  rmSync(out.ours, { force: true });
  rmSync(out.ort, { force: true });
}

// ---- report ----
/** Seconds, 3 decimals under 1 s (mobilenet's times). */
const s = (ms: number) => (ms / 1000).toFixed(ms < 1000 ? 3 : 2);
const e = (x: number | string) => (typeof x === 'number' ? (x === 0 ? '0' : x.toExponential(1)) : x);
const med = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));

const main = table(
  ['model (file size)', 'nodes before', 'ours after', 'ORT basic after', 'our time s', 'ORT time s', 'ours ÷ ORT', 'our peak RSS', 'ORT peak RSS', 'process wall s, ours / ORT'],
  results.map((r) => [
    `${r.model.name} (${f1(r.size / MB)} MB)`, String(total(r.before)), String(total(r.oursOps)), String(total(r.ortOps)),
    s(med(r.ours, 'ms')), s(med(r.ort, 'ms')), f2(med(r.ours, 'ms') / med(r.ort, 'ms')),
    `${f0(med(r.ours, 'maxRss') / MB)} MB (${f2(med(r.ours, 'maxRss') / r.size)}× file)`, `${f0(med(r.ort, 'maxRss') / MB)} MB (${f2(med(r.ort, 'maxRss') / r.size)}× file)`,
    `${s(med(r.ours, 'wallMs'))} / ${s(med(r.ort, 'wallMs'))}`,
  ]));

const checks = table(
  ['model', 'output bytes, ours / ORT', 'max rel L2 vs input, ours', 'max rel L2 vs input, ORT', 'onnx.checker on ours'],
  results.map((r) => [r.model.name, `${r.oursBytes.toLocaleString('en-US')} / ${r.ortBytes.toLocaleString('en-US')}`, e(r.relL2.ours), e(r.relL2.ort), r.checker]));

const byOp = results.map((r) => {
  const names = [...new Set([...Object.keys(r.before), ...Object.keys(r.oursOps), ...Object.keys(r.ortOps)])]
    .filter((op) => (r.before[op] ?? 0) !== (r.oursOps[op] ?? 0) || (r.before[op] ?? 0) !== (r.ortOps[op] ?? 0))
    .sort((x, y) => (r.before[y] ?? 0) - (r.before[x] ?? 0) || x.localeCompare(y));
  return `${r.model.name}:\n\n${table(['op', 'before', 'ours', 'ORT basic'], names.map((op) => [op, String(r.before[op] ?? 0), String(r.oursOps[op] ?? 0), String(r.ortOps[op] ?? 0)]))}${
    r.notes.length ? `\n\nOur report's notes: ${r.notes.map((n) => `“${n}”`).join('; ')}` : ''}`;
}).join('\n\n');

const ortVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
const ortWebVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8')).version;

const section = `<!-- bench:simplify:begin (rewritten by \`npm run bench:simplify\`; edit bench/simplify.ts, not this) -->
## simplify: ours vs onnxruntime's graph optimizer (basic)

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()};
  1-minute load average at start ${f2(loadAtStart)}
- Node ${process.version}; onnxruntime-node ${ortVersion} (reference), onnxruntime-web ${ortWebVersion} (our folding and the checks)
- Ours: \`omnihub simplify IN -o OUT --no-validate\` through the CLI's \`main()\`: read, simplify (default options),
  encode, write. Reference: onnxruntime-node \`InferenceSession.create\` with \`graphOptimizationLevel: 'basic'\` and
  \`optimizedModelFilePath\` (load, optimize, write the optimized model, set up the session), one thread, weight
  pre-packing off; its nodes are counted in the file it wrote. Each repetition is a fresh process (bundled with
  esbuild, plain \`node\`; idle max RSS ${f0(idle / MB)} MB); medians of ${results.map((r) => `${r.model.reps} (${r.model.name})`).join(' and ')}${QUICK ? '' : ' after one warm-up each'}; \`sync\` before each.
  Time is measured inside the process; "process wall" adds Node's start-up and module loading. MB = 10⁶ bytes.
- BERT-base (generated): bench/simplify/gen-bert.ts — 12 layers, hidden 768, 12 heads, intermediate 3072, vocabulary
  30522, batch and sequence symbolic, written the way \`torch.onnx.export\` writes BertModel at opset 14 (decomposed
  LayerNorm, Erf GELU, run-time Shape → Gather → Unsqueeze → Concat head shapes, a Constant node per scalar, Identity
  nodes for shared constants), random weights.

${main}

Checks (untimed): both results against the input in onnxruntime-web with \`omnihub compare\` (mobilenet: seeded
random input; BERT: one 16-token sequence with 4 masked positions), and Python onnx's checker on ours.

${checks}

Node counts by operator where they differ:

${byOp}
<!-- bench:simplify:end -->`;

publishSection(join(ROOT, 'BENCHMARKS.md'), 'simplify', section, !QUICK);
