/**
 * Quantization arithmetic exactly as onnxruntime's Python tools do it (quant_utils.py; see
 * ../shared/guide/reference-algorithms.md §1.1): r = s·(q − z), numpy's round-half-to-even, scales computed in
 * float64 then stored as float32. JavaScript's Math.round rounds halves up, which is wrong here.
 */

export type QuantType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int4' | 'uint4';

/** numpy.round / np.rint: to the nearest integer, halves to the even neighbour. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round takes halves up (2.5 → 3, −2.5 → −2): step back to the even neighbour. r − x is exact here, and this
  // test avoids a float `%` per element (the hot loop of every weight quantization).
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** C's roundf: halves away from zero (MLAS's 4-bit block quantizer uses it). */
export function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** The full range of a type: what quantized values are clipped to. */
export function fullRange(type: QuantType): [number, number] {
  switch (type) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'uint16': return [0, 65535];
    case 'int4': return [-8, 7];
    case 'uint4': return [0, 15];
  }
}

/** get_qmin_qmax_for_qType: the range scales are computed for (reduce_range wins over symmetric). */
export function qRange(type: QuantType, reduceRange = false, symmetric = false): [number, number] {
  if (reduceRange) {
    const reduced: Record<QuantType, [number, number]> = { uint8: [0, 127], int8: [-64, 64], uint16: [0, 32767], int16: [-16384, 16384], uint4: [0, 7], int4: [-4, 3] };
    return reduced[type];
  }
  if (symmetric) {
    const sym: Partial<Record<QuantType, [number, number]>> = { uint8: [0, 254], int8: [-127, 127], uint16: [0, 65534], int16: [-32767, 32767] };
    return sym[type] ?? fullRange(type);
  }
  return fullRange(type);
}

const FLOAT32_TINY = 2 ** -126;

export interface ScaleZeroPoint {
  /** Rounded to float32, as stored. */
  scale: number;
  zeroPoint: number;
}

/** compute_scale_zp: zero always representable; symmetric ranges centred; tiny ranges get scale 1, zero point 0. */
export function computeScaleZp(rmin: number, rmax: number, qmin: number, qmax: number, symmetric: boolean, minRealRange?: number): ScaleZeroPoint {
  rmin = Math.min(rmin, 0);
  rmax = Math.max(rmax, 0);
  if (minRealRange !== undefined) rmax = Math.max(rmax, rmin + minRealRange);
  if (symmetric) {
    const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -absmax;
    rmax = absmax;
  }
  // numpy subtracts the float32 scalars in float32 and only widens the difference for the division; in float64 the
  // scale of an asymmetric range can differ in its last bit (symmetric ranges, 2·absmax, are exact either way).
  const scale = Math.fround(rmax - rmin) / (qmax - qmin);
  if (scale < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - rmin / scale);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Minimum and maximum of the values (0, 0 for none), ignoring nothing: NaN propagates as numpy's min/max do. */
export function minMax(values: ArrayLike<number>, start = 0, end = values.length, stride = 1): [number, number] {
  if (end <= start) return [0, 0];
  // The weights' case (a whole Float32Array) gets its own monomorphic loop: ~4× faster than the ArrayLike one.
  if (stride === 1 && values instanceof Float32Array) return minMaxFloat32(values, start, end);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i += stride) {
    const v = values[i];
    if (v !== v) return [NaN, NaN];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** minMax of values[start, end) of a Float32Array (end > start): the same loop, one element type. */
function minMaxFloat32(values: Float32Array, start: number, end: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v !== v) return [NaN, NaN];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Running min/max over chunks of a tensor (see quantize-dynamic/weights.ts): the same result as minMax of the whole. */
export class MinMax {
  lo = Infinity;
  hi = -Infinity;
  nan = false;
  count = 0;
  add(values: Float32Array): void {
    if (values.length === 0 || this.nan) return;
    const [lo, hi] = minMaxFloat32(values, 0, values.length);
    if (lo !== lo) this.nan = true;
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
    this.count += values.length;
  }
  get range(): [number, number] {
    if (this.nan) return [NaN, NaN];
    return this.count === 0 ? [0, 0] : [this.lo, this.hi];
  }
}

/** 1.5·2⁵²: (y + M) − M is y rounded to an integer, halves to even, for |y| < 2⁵¹ (float64's own rounding). */
const RINT_MAGIC = 6755399441055744;

/**
 * quantize_nparray: q = clip(round(float32(x) / scale) + zp, full range of the type). The division is numpy's
 * float32 array divided by a float32 scalar: done in float64 then rounded to float32, as numpy computes it.
 */
export function quantizeValues<T extends Int32Array | Int16Array | Uint16Array | Int8Array | Uint8Array = Int32Array>(values: ArrayLike<number>, scale: number, zeroPoint: number, type: QuantType, out?: T): T {
  const [lo, hi] = fullRange(type);
  // Written straight into the caller's storage type when given (no 4-byte temporary per element).
  const q = out ?? (new Int32Array(values.length) as T);
  if (values instanceof Float32Array && (q instanceof Int8Array || q instanceof Uint8Array) && hi - lo <= 255) {
    quantizeFloat32ToBytes(values, scale, zeroPoint, lo, hi, new Uint8Array(q.buffer, q.byteOffset, q.length));
    return q;
  }
  for (let i = 0; i < values.length; i++) {
    const v = roundHalfEven(Math.fround(Math.fround(values[i]) / scale)) + zeroPoint;
    q[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return q;
}

/**
 * The 8-bit case of quantizeValues in one monomorphic loop, byte for byte the same:
 *
 * - fround(x / scale) = fround(x · (1 / scale)) with 1 / scale in float64, for float32 x and scale: the float64
 *   product is within 2⁻⁵² (relative) of the exact quotient, and the exact quotient of two float32 numbers is never
 *   closer than 2⁻⁴⁹ (relative) to a point halfway between two float32 numbers (it would need a 25-bit odd
 *   significand c with c·b = a·2^j for 24-bit a, b), so both round to the same float32. A multiply is several times
 *   cheaper than a divide.
 * - clip(rint(y) + zp, lo, hi) = clip(rint(y), lo − zp, hi − zp) + zp; rint by RINT_MAGIC (|y| < 2⁵¹ before the clip
 *   matters: a larger y is clipped either way, and y + M − M of a huge y is still beyond the bounds).
 * - An int8 is stored as its two's-complement byte (a Uint8Array store is modulo 256); NaN stays NaN and is stored
 *   as 0, as the typed-array store did before.
 */
function quantizeFloat32ToBytes(values: Float32Array, scale: number, zeroPoint: number, lo: number, hi: number, out: Uint8Array): void {
  const a = lo - zeroPoint;
  const b = hi - zeroPoint;
  const r = 1 / scale;
  const n = Math.min(values.length, out.length);
  for (let i = 0; i < n; i++) {
    let t = Math.fround(values[i] * r) + RINT_MAGIC - RINT_MAGIC;
    t = t < a ? a : t > b ? b : t;
    out[i] = t + zeroPoint;
  }
}
