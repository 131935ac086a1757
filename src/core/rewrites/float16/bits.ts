/**
 * float32 → float16 / bfloat16 bit conversion for the float16 rewrite.
 *
 * float16: the value is first clamped as onnxruntime's transformers converter does (`convert_np_to_float16`,
 * onnxruntime/python/tools/transformers/float16.py @86dc9ff; ../shared/guide/reference-algorithms.md §1.6), with
 * strict inequalities: 0 < x < 5.96e-08 → 5.96e-08, −5.96e-08 < x < 0 → −5.96e-08, 65504 < x < ∞ → 65504,
 * −∞ < x < −65504 → −65504; 0, ±∞ and NaN are unchanged. Then `np.float16`, i.e. IEEE round to nearest, ties to
 * even, subnormals included. So no finite weight becomes ±∞ and no tiny non-zero weight becomes 0.
 *
 * bfloat16: the top 16 bits of the float32, rounded to nearest even on the 16 bits dropped; NaN stays NaN (quieted,
 * sign kept). bfloat16 has float32's exponent range, so no clamp is needed except at the very top: a finite value that
 * would round up to ±∞ (|x| ≥ 3.3961e38, e.g. the float32 minimum that attention masks use) saturates to the largest
 * finite bfloat16, in the spirit of the float16 clamp above (finite stays finite).
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The reference's clamp bounds as float32 (numpy compares a float32 array with these Python floats in float32). */
export const FP16_MIN_POSITIVE = Math.fround(5.96e-8);
export const FP16_MAX = 65504;

/** IEEE binary16 bits of the float32 bit pattern `bits`, rounded to nearest, ties to even (no clamp). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0xff) return frac ? sign | 0x7e00 | (frac >>> 13) : sign | 0x7c00; // NaN (kept quiet) or ±∞
  // float32 subnormals (< 2^-126) are far below half of float16's smallest subnormal (2^-24): they round to ±0.
  if (exp === 0) return sign;
  const e = exp - 127; // unbiased exponent
  if (e > 15) return sign | 0x7c00;
  const mant = 0x800000 | frac; // 24 significant bits
  // Normal float16 keeps 11 significant bits (shift 13); below 2^-14 the result is subnormal, in units of 2^-24, so
  // one more bit is dropped per step down. Past a shift of 24 the value is under 2^-25: it rounds to zero.
  const shift = e >= -14 ? 13 : 13 + (-14 - e);
  if (shift > 24) return sign;
  let q = Math.floor(mant / 2 ** shift);
  const rest = mant - q * 2 ** shift;
  const halfway = 2 ** (shift - 1);
  if (rest > halfway || (rest === halfway && q & 1)) q++;
  // Normal: q holds the implicit bit (0x400..0x800), so (e + 14) << 10 plus q adds it into the exponent field; a
  // round-up to 0x800 carries into the next exponent (65520 and above become ∞, as IEEE says). Subnormal: q is the
  // mantissa itself, and q = 0x400 is exactly the smallest normal.
  return e >= -14 ? sign | (((e + 14) << 10) + q) : sign | q;
}

/** IEEE half bits of a number (taken as float32 first), rounded to nearest even, no clamp (≥ 65520 → ∞). */
export function toFloat16Bits(x: number): number {
  F32[0] = x;
  return float32BitsToFloat16Bits(U32[0]);
}

/** The reference's clamp (strict inequalities, see the file comment); x is a float32 value. */
export function clampForFloat16(x: number): number {
  if (x > 0 && x < FP16_MIN_POSITIVE) return FP16_MIN_POSITIVE;
  if (x < 0 && x > -FP16_MIN_POSITIVE) return -FP16_MIN_POSITIVE;
  if (x > FP16_MAX && x < Infinity) return FP16_MAX;
  if (x < -FP16_MAX && x > -Infinity) return -FP16_MAX;
  return x;
}

/** bfloat16 bits of the float32 bit pattern `bits`: round to nearest even on the dropped half; NaN kept; finite stays finite. */
export function float32BitsToBfloat16Bits(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000) {
    // ±∞ stays; NaN keeps its sign and top payload bits and is made quiet (a NaN whose payload sits only in the low
    // 16 bits would otherwise truncate to ∞).
    return bits & 0x7fffff ? ((bits >>> 16) | 0x0040) & 0xffff : (bits >>> 16) & 0xffff;
  }
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  // Rounding up out of the largest binade gives ±∞: saturate to ±(largest finite), 0x7f7f.
  if ((rounded & 0x7f80) === 0x7f80) return (rounded & 0x8000) | 0x7f7f;
  return rounded & 0xffff;
}

export function toBfloat16Bits(x: number): number {
  F32[0] = x;
  return float32BitsToBfloat16Bits(U32[0]);
}

export interface NarrowResult {
  bits: Uint16Array;
  /** Elements the clamp changed (float16) or saturated (bfloat16): the conversion changed them beyond rounding. */
  clamped: number;
}

/** float32 values → float16 bits with the reference's clamp, or → bfloat16 bits. */
export function narrowFloats(values: Float32Array, target: 'float16' | 'bfloat16'): NarrowResult {
  const bits = new Uint16Array(values.length);
  let clamped = 0;
  if (target === 'float16') {
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      const c = clampForFloat16(x);
      if (c !== x && x === x) clamped++; // (NaN is unchanged, though NaN !== NaN)
      bits[i] = toFloat16Bits(c);
    }
  } else {
    const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < values.length; i++) {
      const b = u[i];
      // Saturated: a finite value whose rounding would have given ±∞.
      if ((b & 0x7f800000) !== 0x7f800000 && (((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0x7f80) === 0x7f80) clamped++;
      bits[i] = float32BitsToBfloat16Bits(b);
    }
  }
  return { bits, clamped };
}
