/**
 * The benchmarks whose target is a multiple of "the time to read the input" (bench/keras.ts, bench/tensorflow.ts):
 * their Node runs (read and convert in fresh children, alternating) and their main table — for Node and Chromium,
 * the read baseline and the conversion, their times and ratios to the same runtime's read (with and without writing
 * the result), peak RSS and its ratio to the input's size, ✅/❌.
 */
import { runSample } from './child-process.js';
import { f2, mb, ok, s, table, MB } from './markdown.js';
import { alternating } from './repetitions.js';
import { med, spread } from './stats.js';

export interface NodeReadSample { readMs: number; maxRss: number; wallMs: number }
export interface NodeConvertSample { totalMs: number; writeMs: number; maxRss: number; wallMs: number }
export interface ChromiumSample {
  fromReadMs: number; writeMs: number; fetchMs: number; baseline: number; peak: { renderer: number; browser: number; total: number };
}

/**
 * `child read READ_ARGS…` and `child convert CONVERT_ARGS…`, each in a fresh process, `reps` times alternating (one
 * discarded warm-up round first with `warmUp`); `beforeEach` runs before every child (remove the last output, sync),
 * `describe` words a conversion's line of the log.
 */
export function nodeReadConvertRuns<C extends NodeConvertSample>(o: {
  child: string; readArgs: string[]; convertArgs: string[]; reps: number; warmUp: boolean; beforeEach: () => void; describe: (c: C) => string;
}): { read: NodeReadSample[]; convert: C[]; last: C | undefined } {
  const read: NodeReadSample[] = [];
  const convert: C[] = [];
  let last: C | undefined;
  console.log(`Node: read and convert, ${o.reps} repetition${o.reps === 1 ? '' : 's'} each${o.warmUp ? ' after a warm-up' : ''}, a fresh process each ...`);
  for (const { side, counted } of alternating(['read', 'convert'] as const, o.reps, o.warmUp)) {
    o.beforeEach();
    const tag = counted ? '' : ' (warm-up)';
    if (side === 'read') {
      const r = runSample<NodeReadSample>(process.execPath, [o.child, 'read', ...o.readArgs]);
      if (counted) read.push(r);
      console.log(`  read${tag}: ${r.readMs.toFixed(0)} ms (process ${(r.wallMs / 1000).toFixed(2)} s), max RSS ${(r.maxRss / MB).toFixed(0)} MB`);
    } else {
      const r = runSample<C>(process.execPath, [o.child, 'convert', ...o.convertArgs]);
      last = r;
      if (counted) convert.push(r);
      console.log(`  convert${tag}: ${o.describe(r)} = ${(r.totalMs / 1000).toFixed(2)} s (process ${(r.wallMs / 1000).toFixed(2)} s), max RSS ${(r.maxRss / MB).toFixed(0)} MB`);
    }
  }
  return { read, convert, last };
}

export interface ReadRatioRows {
  targets: { time: number; rss: number };
  /** What peak RSS is divided by: `file` (its size) or `variables` (their size). */
  size: { name: string; bytes: number };
  nodeIdle: number;
  node: { read: NodeReadSample[]; convert: NodeConvertSample[]; readLabel: string; convertLabel: string };
  chromium: {
    version: string; read: ChromiumSample[]; convert: ChromiumSample[]; errors: { read: string[]; convert: string[] };
    readLabel: string; convertLabel: string;
    /** What the fetch before the timed part made: `Blob` or `Blobs`. */
    fetched: string;
  };
}

export function readRatioTable(t: ReadRatioRows): string {
  const { targets, size, nodeIdle, node, chromium } = t;
  const ratio = (rss: number) => `${f2(rss / size.bytes)}×`;
  const nodeRuntime = (n: number) => `Node ${process.version} (fresh process, medians of ${n})`;
  const rows: string[][] = [];
  const nodeRead = med(node.read, (x) => x.readMs);
  const nodeReadRss = med(node.read, (x) => x.maxRss);
  rows.push([
    nodeRuntime(node.read.length), node.readLabel, `${s(nodeRead)}${spread(node.read, (x) => x.readMs)}`, '1.00', '—',
    s(med(node.read, (x) => x.wallMs)), mb(nodeReadRss), ratio(nodeReadRss), `${mb(nodeReadRss - nodeIdle)} (idle ${mb(nodeIdle)})`, '—', '—',
  ]);
  const nodeTime = med(node.convert, (x) => x.totalMs);
  const nodeRss = med(node.convert, (x) => x.maxRss);
  rows.push([
    nodeRuntime(node.convert.length), node.convertLabel, `${s(nodeTime)}${spread(node.convert, (x) => x.totalMs)}`, f2(nodeTime / nodeRead),
    f2(med(node.convert, (x) => x.totalMs - x.writeMs) / nodeRead), s(med(node.convert, (x) => x.wallMs)), mb(nodeRss), ratio(nodeRss),
    `${mb(nodeRss - nodeIdle)} (idle ${mb(nodeIdle)})`, ok(nodeTime / nodeRead < targets.time), ok(nodeRss / size.bytes <= targets.rss),
  ]);
  const chromeRead = chromium.read.length ? med(chromium.read, (x) => x.fromReadMs) : NaN;
  for (const mode of ['read', 'convert'] as const) {
    const xs = chromium[mode];
    const label = mode === 'read' ? chromium.readLabel : chromium.convertLabel;
    if (!xs.length) {
      if (chromium.errors[mode].length) rows.push([`Chromium ${chromium.version} (${mode})`, label, chromium.errors[mode][0], '', '', '', '', '', '', '❌', '❌']);
      continue;
    }
    const time = med(xs, (x) => x.fromReadMs);
    const rss = med(xs, (x) => x.peak.renderer);
    const isRead = mode === 'read';
    rows.push([
      `Chromium ${chromium.version} (module Worker, fresh browser, medians of ${xs.length})`, label,
      `${s(time)}${spread(xs, (x) => x.fromReadMs)} (+ fetch → ${chromium.fetched} ${s(med(xs, (x) => x.fetchMs))}, not counted)`, f2(time / chromeRead),
      isRead ? '—' : f2(med(xs, (x) => x.fromReadMs - x.writeMs) / chromeRead), '—',
      `${mb(rss)} page renderer (browser process ${mb(med(xs, (x) => x.peak.browser))}, all processes ${mb(med(xs, (x) => x.peak.total))})`,
      ratio(rss), `${mb(rss - med(xs, (x) => x.baseline))} (before ${mb(med(xs, (x) => x.baseline))})`,
      isRead ? '—' : ok(time / chromeRead < targets.time), isRead ? '—' : ok(rss / size.bytes <= targets.rss),
    ]);
  }
  return table(['runtime', 'what', 'time s (in process)', `÷ read (target < ${targets.time})`, '÷ read, without writing the result', 'process wall s',
    'peak RSS', `peak RSS ÷ ${size.name} (target ≤ ${targets.rss})`, 'peak RSS over idle', 'time', 'memory'], rows);
}
