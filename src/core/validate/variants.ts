/**
 * Choosing among quantization variants of one model: each variant (int8 dynamic, int8 static, int4, float16, …) was
 * compared with the original by compareModels (same inputs, same runtime), and perhaps measured for top-1 accuracy.
 * `rankVariants` is pure: it reads those numbers, flags each variant and marks the best trade-off by one stated rule
 * (RULE below), so the app and any other caller give the same verdict for the same numbers.
 *
 * Why latency is part of the rule: onnxruntime's CPU kernels for dynamic int8 (ConvInteger, and MatMulInteger after
 * DynamicQuantizeLinear) are much slower than its fp32 Conv — measured 4–12× slower on convolutional models — while
 * static QDQ models are fused back into QLinear kernels and keep fp32 speed. A smaller file that runs several times
 * slower is rarely the one to ship, and the user should see that before choosing.
 */
import type { CompareResult } from './compare.js';

/** One variant as measured. */
export interface VariantMeasurement {
  /** What the user calls it: "int8 dynamic". */
  name: string;
  /** The variant's file size in bytes. */
  bytes: number;
  /** compareModels(original, variant); null when they could not be compared (or the variant failed). */
  comparison: CompareResult | null;
  /** Top-1 accuracy of the original (before) and the variant (after) on the same set, when measured. */
  accuracy?: { before: number; after: number } | null;
  /** Operator types the variant has (or that its step added): ConvInteger and MatMulInteger explain a slowdown. */
  ops?: readonly string[];
  /** Why the variant could not be made (its step failed); such a variant is never the best. */
  failed?: string | null;
}

export interface RankOptions {
  /** Largest worst-output rel L2 a variant may have to count as accurate (default 0.05). */
  tolerance?: number;
  /** Largest top-1 accuracy drop, as a fraction (0.01 = 1 point), when accuracy is known (default 0.01). */
  maxAccuracyDrop?: number;
  /** A variant slower than this many times the original is flagged 'slower' and not preferred (default 1.5). */
  maxSlowdown?: number;
}

export type VariantFlag = 'failed' | 'not-compared' | 'inaccurate' | 'slower';

export interface RankedVariant {
  name: string;
  bytes: number;
  /** bytes / the original's bytes. */
  sizeRatio: number;
  /** The largest rel L2 over the outputs both models have; null when not compared. */
  worstRelL2: number | null;
  /** The smallest SQNR (dB) over those outputs; null when not compared. */
  worstSqnrDb: number | null;
  /** The variant's median latency, and its ratio to the original's measured in the same comparison. */
  latencyMs: number | null;
  latencyRatio: number | null;
  accuracy: number | null;
  /** before − after, as a fraction; null when accuracy is not known. */
  accuracyDrop: number | null;
  flags: VariantFlag[];
  /** One sentence per flag, for people. */
  notes: string[];
  /** Within tolerance (and accuracy drop) — a candidate for best. */
  accurate: boolean;
  best: boolean;
}

export interface VariantRanking {
  variants: RankedVariant[];
  /** Index of the best trade-off in `variants`, or null when no variant is accurate enough. */
  best: number | null;
  /** Why that one (or why none), in a sentence. */
  reason: string;
  /** The rule applied, with its numbers, in a sentence. */
  rule: string;
  /** The original's median latency (the median over the comparisons), or null when none was compared. */
  originalLatencyMs: number | null;
}

export const DEFAULT_TOLERANCE = 0.05;
export const DEFAULT_MAX_ACCURACY_DROP = 0.01;
export const DEFAULT_MAX_SLOWDOWN = 1.5;

/** Operators whose onnxruntime CPU kernels make dynamic int8 models slow. */
export const SLOW_INTEGER_OPS: readonly string[] = ['ConvInteger', 'MatMulInteger'];

function medianOf(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toString()}%`;
const times = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;

/** The rule, in words, with the thresholds used. */
export function describeRule(options: RankOptions = {}): string {
  const tol = options.tolerance ?? DEFAULT_TOLERANCE;
  const drop = options.maxAccuracyDrop ?? DEFAULT_MAX_ACCURACY_DROP;
  const slow = options.maxSlowdown ?? DEFAULT_MAX_SLOWDOWN;
  return (
    `Among the variants whose worst output rel L2 is ≤ ${tol} (and, when accuracy is measured, whose top-1 accuracy drops by ≤ ${pct(drop)}), ` +
    `the smallest file that runs no slower than ${slow}× the original; if none is that fast, the fastest of them.`
  );
}

/**
 * Flags each variant and marks the best trade-off:
 *   1. accurate = compared, worst rel L2 ≤ tolerance, and (accuracy known) drop ≤ maxAccuracyDrop;
 *   2. among the accurate ones whose latency ratio ≤ maxSlowdown, the smallest file (ties: the faster);
 *   3. else, among the accurate ones, the fastest (ties: the smaller);
 *   4. else none.
 * Flags: 'failed' (no model), 'not-compared' (no comparison), 'inaccurate' (over tolerance or accuracy drop),
 * 'slower' (latency ratio > maxSlowdown; the note names ConvInteger/MatMulInteger when the variant has them).
 */
export function rankVariants(original: { bytes: number }, variants: readonly VariantMeasurement[], options: RankOptions = {}): VariantRanking {
  const tol = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxDrop = options.maxAccuracyDrop ?? DEFAULT_MAX_ACCURACY_DROP;
  const maxSlow = options.maxSlowdown ?? DEFAULT_MAX_SLOWDOWN;

  const ranked: RankedVariant[] = variants.map((v) => {
    const c = v.failed ? null : v.comparison;
    const outs = c?.outputs ?? [];
    // NaN (a broken output) counts as infinitely far: never "within tolerance".
    const worstRelL2 = outs.length ? Math.max(...outs.map((o) => (Number.isNaN(o.relL2) ? Infinity : o.relL2))) : null;
    const worstSqnrDb = outs.length ? Math.min(...outs.map((o) => (Number.isNaN(o.sqnrDb) ? -Infinity : o.sqnrDb))) : null;
    const latencyMs = c ? c.latencyMs.b : null;
    const latencyRatio = c && c.latencyMs.a > 0 ? c.latencyMs.b / c.latencyMs.a : null;
    const acc = v.failed ? null : (v.accuracy ?? null);
    const accuracyDrop = acc ? acc.before - acc.after : null;
    const flags: VariantFlag[] = [];
    const notes: string[] = [];
    if (v.failed) {
      flags.push('failed');
      notes.push(`Could not be made: ${v.failed}`);
    } else if (!c) {
      flags.push('not-compared');
      notes.push('Could not be compared with the original, so its error and speed are unknown.');
    } else if (worstRelL2 === null) {
      flags.push('not-compared');
      notes.push('No output is in both models, so its error is unknown.');
    }
    const overTol = worstRelL2 !== null && !(worstRelL2 <= tol);
    const overDrop = accuracyDrop !== null && !(accuracyDrop <= maxDrop);
    if (overTol || overDrop) {
      flags.push('inaccurate');
      const why: string[] = [];
      if (overTol) why.push(`its worst output rel L2 ${worstRelL2!.toPrecision(2)} is over the tolerance ${tol}`);
      if (overDrop) why.push(`its top-1 accuracy drops by ${pct(accuracyDrop!)} (more than ${pct(maxDrop)})`);
      notes.push(`Inaccurate: ${why.join(', and ')}.`);
    }
    if (latencyRatio !== null && latencyRatio > maxSlow) {
      flags.push('slower');
      const slowOps = SLOW_INTEGER_OPS.filter((op) => v.ops?.includes(op));
      notes.push(
        `Slower: ${times(latencyRatio)} the original's latency` +
          (slowOps.length
            ? ` — dynamic int8 ${slowOps.join('/')} is slow on CPU in onnxruntime (activations are quantized at run time and these kernels are not as optimized as fp32 ones); static int8 (QDQ) usually keeps fp32 speed.`
            : '.'),
      );
    }
    const accurate = !!c && worstRelL2 !== null && !overTol && !overDrop;
    return { name: v.name, bytes: v.bytes, sizeRatio: original.bytes > 0 ? v.bytes / original.bytes : NaN, worstRelL2, worstSqnrDb, latencyMs, latencyRatio, accuracy: acc ? acc.after : null, accuracyDrop, flags, notes, accurate, best: false };
  });

  const originalLatencyMs = medianOf(variants.flatMap((v) => (v.comparison && !v.failed ? [v.comparison.latencyMs.a] : [])));
  const accurate = ranked.map((r, i) => ({ r, i })).filter(({ r }) => r.accurate);
  // An unknown latency ratio (a zero-time original) is not known to be slow.
  const fast = accurate.filter(({ r }) => r.latencyRatio === null || r.latencyRatio <= maxSlow);
  const latency = (r: RankedVariant) => r.latencyRatio ?? Infinity;
  let best: number | null = null;
  let reason: string;
  if (fast.length) {
    const pick = [...fast].sort((x, y) => x.r.bytes - y.r.bytes || latency(x.r) - latency(y.r) || x.i - y.i)[0];
    best = pick.i;
    const r = pick.r;
    reason =
      `${r.name}: the smallest file (${times(r.sizeRatio)} the original) among the variants within tolerance` +
      `${r.latencyRatio !== null ? ` that run no slower than ${maxSlow}× the original (it runs at ${times(r.latencyRatio)})` : ''}.`;
  } else if (accurate.length) {
    const pick = [...accurate].sort((x, y) => latency(x.r) - latency(y.r) || x.r.bytes - y.r.bytes || x.i - y.i)[0];
    best = pick.i;
    const r = pick.r;
    reason = `${r.name}: no variant within tolerance runs within ${maxSlow}× the original's latency, and this is the fastest of them (${times(r.latencyRatio ?? NaN)}).`;
  } else {
    reason = variants.length ? 'None: no variant is within tolerance; keep the original, or try other options.' : 'None: no variant was measured.';
  }
  if (best !== null) ranked[best].best = true;
  return { variants: ranked, best, reason, rule: describeRule(options), originalLatencyMs };
}
