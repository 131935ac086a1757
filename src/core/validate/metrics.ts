/**
 * Agreement between two runs of a model on the same inputs: `a` is the candidate, `b` the reference. Pure functions
 * over numeric arrays (typed arrays of any numeric kind, BigInt ones included); computed in float64.
 */
import { OmnihubError } from '../errors.js';

export type NumericArray = ArrayLike<number> | ArrayLike<bigint>;

function check(a: NumericArray, b: NumericArray): void {
  if (a.length !== b.length) throw new OmnihubError('usage', `cannot compare ${a.length} values with ${b.length}`);
}

/** Largest |a−b| (NaN when either side has a NaN where the other does not). */
export function maxAbs(a: NumericArray, b: NumericArray): number {
  check(a, b);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const d = Math.abs(x - y);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

/** ‖a−b‖² and ‖b‖² in float64. */
function squaredNorms(a: NumericArray, b: NumericArray): { diff: number; ref: number } {
  check(a, b);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    ref += y * y;
    if (x !== y) diff += (x - y) * (x - y);
  }
  return { diff, ref };
}

/** ‖a−b‖₂ / ‖b‖₂; 0 when equal, Infinity when b is all zeros and a is not. */
export function relL2(a: NumericArray, b: NumericArray): number {
  const { diff, ref } = squaredNorms(a, b);
  if (diff === 0) return 0;
  return Math.sqrt(diff) / Math.sqrt(ref);
}

/** Signal-to-quantization-noise ratio 10·log10(‖b‖² / ‖a−b‖²) in dB; Infinity when equal. */
export function sqnrDb(a: NumericArray, b: NumericArray): number {
  const { diff, ref } = squaredNorms(a, b);
  if (diff === 0) return Infinity;
  return 10 * Math.log10(ref / diff);
}

function argmax(x: NumericArray, start: number, n: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = Number(x[start + j]);
    if (v > bestValue) { bestValue = v; best = j; }
  }
  return best;
}

/**
 * Fraction of rows whose argmax over the last axis agrees (ties go to the first index, as numpy.argmax).
 * `dims` is the shape of both arrays; a 1-D array is one row.
 */
export function top1Agreement(a: NumericArray, b: NumericArray, dims: readonly number[]): number {
  check(a, b);
  const classes = dims.length ? dims[dims.length - 1] : 1;
  const expected = dims.reduce((p, d) => p * d, 1);
  if (expected !== a.length) throw new OmnihubError('usage', `shape [${dims.join(', ')}] does not hold ${a.length} values`);
  if (classes === 0) return NaN;
  const rows = a.length / classes;
  if (rows === 0) return NaN;
  let agree = 0;
  for (let r = 0; r < rows; r++) if (argmax(a, r * classes, classes) === argmax(b, r * classes, classes)) agree++;
  return agree / rows;
}
