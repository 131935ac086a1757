/**
 * `npm run bench`: ONNX read+write speed and memory of our codec against Python `onnx` (Debian python3-onnx),
 * in the same run, on tv_mobilenet_v2.onnx and on a generated ~220 MB model (bench/gen-big-model.ts).
 *
 * Every repetition is a fresh child process (bench/onnx-io-child.ts, bench/onnx_io_child.py) that reads the model
 * once and writes it back once, so each peak RSS belongs to that one read+write and nothing else. The file is in
 * the page cache (one discarded warm-up run of each side first), and `sync` runs before every child so no side
 * starts while the other's output is still being written back (that made file writes vary 100–600 ms).
 *
 * Prints the result tables and rewrites this benchmark's section of BENCHMARKS.md. Not a test: nothing asserts.
 * The helpers it shares with the other benchmark scripts are in bench/common/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild, generate, idleMaxRss, runJson, sync } from './common/child-process.js';
import { machine, startLoad } from './common/machine.js';
import { f0, f1, f2, MB, ok, table, writeBenchmarksSection } from './common/markdown.js';
import { median } from './common/stats.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const DATA = join(BENCH, '.data');
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-onnx; a pyenv `python3` on PATH may not
const TIME_TARGET = 0.5; // ours ≤ 0.5 × Python's time
const RSS_TARGET = 1.3; // peak RSS while reading ≤ 1.3 × file size

const MODELS = [
  // Resolved from this script, so a clone whose sibling is shared/ works wherever it lives.
  { name: 'tv_mobilenet_v2.onnx', path: join(ROOT, '..', 'shared', 'fixtures', 'onnx', 'tv_mobilenet_v2.onnx'), reps: 9 },
  { name: 'big.onnx (generated)', path: join(DATA, 'big.onnx'), reps: 7 },
];

interface Run { readMs: number; writeMs: number; maxRssRead: number; maxRss: number; [k: string]: number }
interface Side { label: string; cmd: string; args: (mode: string, input: string, output: string) => string[] }
/** A child's JSON line: numbers only. */
const runChild = (cmd: string, args: string[]) => runJson(cmd, args).result as Record<string, number>;

// The child runs bundled, under plain node: see bench/onnx-io-child.ts for why.
const childBundle = join(DATA, 'onnx-io-child.cjs');
bundleChild(join(BENCH, 'onnx-io-child.ts'), childBundle);

const SIDES: Side[] = [
  { label: 'ours', cmd: process.execPath, args: (m, i, o) => [childBundle, m, i, o] },
  { label: 'Python onnx', cmd: PYTHON, args: (m, i, o) => [join(BENCH, 'onnx_io_child.py'), m, i, o] },
];

// Other work on a 2-core machine skews everything; say so in the report rather than silently.
const loadAtStart = startLoad()[0];

const big = MODELS[1].path;
if (!existsSync(big)) generate(ROOT, join(BENCH, 'gen-big-model.ts'), big);

// Idle baselines: what each runtime holds before reading anything (Node with the codec loaded, Python with onnx).
const idle = {
  node: idleMaxRss(process.execPath, [childBundle, 'idle']),
  python: idleMaxRss(PYTHON, [join(BENCH, 'onnx_io_child.py'), 'idle']),
};

interface Result { model: string; size: number; side: string; idle: number; med: Record<string, number>; identical: boolean }
const results: Result[] = [];
// Warm: the same read + write repeated inside one process (the app's long-lived worker, a library caller).
const warm: Array<{ model: string; side: string; med: Record<string, number> }> = [];
for (const model of MODELS) {
  if (!existsSync(model.path)) {
    console.log(`skipping ${model.name}: ${model.path} not found`);
    continue;
  }
  const size = statSync(model.path).size;
  const runs = new Map<string, Run[]>(SIDES.map((s) => [s.label, []]));
  const out = (s: Side) => join(DATA, `out-${SIDES.indexOf(s)}.onnx`);
  for (let rep = -1; rep < model.reps; rep++) { // rep -1: warm-up, discarded
    // Interleaved, in a rotating order, so drift on the machine and after-effects of the previous child (freed
    // memory, page cache) hit every side alike.
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(k + rep + 1) % SIDES.length];
      // Each side writes a new file, the usual case: replacing an existing 220 MB file adds the cost of freeing
      // its cached pages (~70 ms here), and ours replaces by rename while Python truncates.
      if (existsSync(out(side))) rmSync(out(side));
      sync();
      const r = runChild(side.cmd, side.args('roundtrip', model.path, out(side))) as Run;
      if (rep >= 0) runs.get(side.label)!.push(r);
    }
  }
  const input = readFileSync(model.path);
  for (const side of SIDES) {
    const rs = runs.get(side.label)!;
    const med: Record<string, number> = {};
    for (const key of Object.keys(rs[0])) med[key] = median(rs.map((r) => r[key]));
    med.totalMs = median(rs.map((r) => r.readMs + r.writeMs));
    // This VM sometimes takes 350–730 ms instead of ~100–190 ms to write 220 MB, on either side and whatever the
    // chunk size; the minimum shows each side's undisturbed cost next to the median.
    med.minTotalMs = Math.min(...rs.map((r) => r.readMs + r.writeMs));
    results.push({ model: model.name, size, side: side.label, idle: side.cmd === PYTHON ? idle.python : idle.node, med,
      identical: readFileSync(out(side)).equals(input) });
    rmSync(out(side)); // up to 2 × 220 MB otherwise left behind
  }
  for (const side of SIDES) {
    sync();
    warm.push({ model: model.name, side: side.label, med: runChild(side.cmd, side.args('warm', model.path, out(side))) });
    rmSync(out(side), { force: true });
  }
}

// ---- report ----

const timing = table(
  ['model (file size)', 'runtime', 'read ms', 'write ms', 'total ms (min)', 'peak RSS reading', '÷ file', '(peak − idle) ÷ file', 'peak RSS read+write', 'output = input'],
  results.map((r) => [`${r.model} (${f1(r.size / MB)} MB)`, r.side, f1(r.med.readMs), f1(r.med.writeMs), `${f1(r.med.totalMs)} (${f1(r.med.minTotalMs)})`,
    `${f0(r.med.maxRssRead / MB)} MB`, f2(r.med.maxRssRead / r.size), f2((r.med.maxRssRead - r.idle) / r.size),
    `${f0(r.med.maxRss / MB)} MB`, r.identical ? 'yes' : 'no']));

const split = table(
  ['model', 'runtime', 'file read', 'decode (parse)', 'encode (serialize)', 'file write'],
  results.filter((r) => 'decodeMs' in r.med).map((r) => [r.model, r.side, f1(r.med.fileReadMs), f1(r.med.decodeMs),
    f1(r.med.encodeMs), f1(r.med.fileWriteMs)]));

const verdictRows: string[][] = [];
for (const model of new Set(results.map((r) => r.model))) {
  const py = results.find((r) => r.model === model && r.side === 'Python onnx')!;
  for (const r of results.filter((x) => x.model === model && x !== py)) {
    const total = r.med.totalMs / py.med.totalMs;
    const rss = r.med.maxRssRead / r.size;
    const rssOverIdle = (r.med.maxRssRead - r.idle) / r.size;
    const codec = (r.med.decodeMs + r.med.encodeMs) / (py.med.decodeMs + py.med.encodeMs);
    verdictRows.push([model, r.side, f2(r.med.readMs / py.med.readMs), f2(r.med.writeMs / py.med.writeMs), f2(codec),
      `${f2(total)} ${ok(total <= TIME_TARGET)}`, `${f2(rss)} ${ok(rss <= RSS_TARGET)}`,
      `${f2(rssOverIdle)} ${ok(rssOverIdle <= RSS_TARGET)}`]);
  }
}
const verdict = table(['model', 'runtime', 'read ours/Py', 'write ours/Py', 'codec alone ours/Py', `total ours/Py (≤ ${TIME_TARGET})`,
  `peak RSS reading ÷ file (≤ ${RSS_TARGET})`, `(peak − idle) ÷ file (≤ ${RSS_TARGET})`], verdictRows);

const warmRows: string[][] = [];
for (const model of new Set(warm.map((w) => w.model))) {
  const py = warm.find((w) => w.model === model && w.side === 'Python onnx')!;
  for (const w of warm.filter((x) => x.model === model)) {
    const total = w.med.readMs + w.med.writeMs;
    const ratio = total / (py.med.readMs + py.med.writeMs);
    warmRows.push([model, w.side, f1(w.med.fileReadMs), f1(w.med.decodeMs), f1(w.med.encodeMs), f1(w.med.fileWriteMs),
      f1(total), w === py ? '' : `${f2(ratio)} ${ok(ratio <= TIME_TARGET)}`]);
  }
}
const warmTable = table(['model', 'runtime', 'file read', 'decode', 'encode', 'file write', 'total ms', `ours/Py (≤ ${TIME_TARGET})`], warmRows);

const pyVersions = spawnSync(PYTHON, ['-c', 'import sys, onnx, google.protobuf as pb; ' +
  'from google.protobuf.internal import api_implementation as a; ' +
  'print(sys.version.split()[0], onnx.__version__, pb.__version__, a.Type())'], { encoding: 'utf8' }).stdout.trim().split(' ');

const section = `<!-- bench:onnx-io:begin (rewritten by \`npm run bench\`; edit bench/onnx-io.ts, not this) -->
## ONNX read + write: ours vs Python \`onnx\`

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()};
  1-minute load average at start ${f2(loadAtStart)}
- Node ${process.version}; Python ${pyVersions[0]}, onnx ${pyVersions[1]}, protobuf ${pyVersions[2]} (${pyVersions[3]} implementation)
- Ours: what \`omnihub roundtrip\` does: \`readWholeFile\` (parallel positional reads for files ≥ 32 MiB) +
  \`decodeModel\`, then \`encodeModelChunks\` + \`writeFileAtomic\` (bundled with esbuild, plain \`node\`). Python: the steps of \`onnx.load\` (file read,
  \`load_model_from_string\`) and \`onnx.save\` (\`SerializeToString\`, file write), each timed. Each repetition is a fresh process; medians of
  ${MODELS.map((m) => `${m.reps} (${m.name})`).join(' and ')} repetitions after one warm-up; input in the page cache; \`sync\` before each.
- "read" = file read + decode, "write" = encode + file write; "codec alone" = decode + encode against parse +
  serialize, file I/O left out. MB = 10⁶ bytes. Peak RSS reading is the process's max RSS right after decoding;
  idle is the max RSS of a process that loaded the codec (Node: ${f0(idle.node / MB)} MB) or imported onnx
  (Python: ${f0(idle.python / MB)} MB) and read nothing.

${timing}

Where our time goes (medians, ms):

${split}

Targets: total time ≤ ${TIME_TARGET}× Python's, peak RSS while reading ≤ ${RSS_TARGET}× the file size.

${verdict}

Warm: the same read + write repeated in one process after 3 warm-up runs (medians of 9), as in the app's
long-lived worker or a library caller, where the JavaScript is compiled already (ms):

${warmTable}
<!-- bench:onnx-io:end -->`;

console.log(`\n${section}\n`);
writeBenchmarksSection(join(ROOT, 'BENCHMARKS.md'), 'onnx-io', section);
