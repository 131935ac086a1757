/**
 * 4-bit block quantization of a [K, N] weight along K, bit for bit as onnxruntime's MLAS does it
 * (onnxruntime/core/mlas/lib/q4_dq.cpp; ../shared/guide/reference-algorithms.md §1.5):
 *
 * - `quantizeForMatMulNBits`: `BlockwiseQuantizer<T, bs, 4, Columnwise=true>::quantizeAndTranspose`, the layout
 *   com.microsoft::MatMulNBits reads (what `MatMulNBitsQuantizer` writes through `quantize_matmul_4bits`).
 * - `quantizeForQdq`: `BlockwiseQDQQuantizer<T, 4, signed>::QuantizeColumnWise`, the row-major INT4/UINT4 [K, N]
 *   tensor that `DequantizeLinear(axis=0, block_size)` reads (what the QDQ format writes through
 *   `quantize_qdq_matmul_4bits`).
 *
 * MLAS computes in float32: every product, quotient and sum is rounded to float32 here with Math.fround, and
 * `roundf` rounds halves away from zero (roundHalfAway), which is not numpy's rounding. Scales are stored in the
 * weight's type (float32, or float16 rounded to nearest even) and read back from storage before use, as MLAS does.
 */
import { roundHalfAway } from '../quant/math.js';
import { float32ToFloat16Bits } from '../../validate/inputs.js';
import { float16ToFloat32 } from '../../onnx/tensor.js';

export interface Int4Weight {
  /** Row-major [K, N] values as float32 numbers (float16 weights already decoded). */
  values: Float32Array;
  K: number;
  N: number;
  /** Scales are stored as float16 (the weight is float16) rather than float32. */
  half?: boolean;
}

export interface MatMulNBitsWeights {
  /** uint8 [N, kBlocks, blockSize / 2]. */
  packed: Uint8Array;
  /** [N, kBlocks]: float32 values, or float16 bits when the weight is float16. */
  scales: Float32Array | Uint16Array;
  /** uint8 [N, ceil(kBlocks / 2)], two blocks per byte (low nibble = even block); only when asymmetric. */
  zeroPoints?: Uint8Array;
  kBlocks: number;
}

export interface QdqWeights {
  /** INT4 (symmetric) or UINT4 [K, N], row-major, two elements per byte (low nibble first). */
  packed: Uint8Array;
  /** [kBlocks, N]. */
  scales: Float32Array | Uint16Array;
  /** UINT4 [kBlocks, N], packed like `packed`; only when asymmetric. */
  zeroPoints?: Uint8Array;
  kBlocks: number;
}

const f = Math.fround;
const FLT_MAX = 3.4028234663852886e38;

/** A scale as stored (ScaleT(scale_f)) and as MLAS reads it back (static_cast<float>). */
function storeScale(scale: number, half: boolean | undefined): { stored: number; value: number } {
  if (!half) return { stored: f(scale), value: f(scale) };
  const bits = float32ToFloat16Bits(scale);
  return { stored: bits, value: float16ToFloat32(bits) };
}

/**
 * range2scale (symmetric): the value of largest magnitude m, signed, gives scale = −m/8, so the larger half of the
 * range maps onto [−8, 0] (the comment in q4_dq.cpp: |−8| > |7|). The scale may be negative.
 */
function symmetricScale(min: number, max: number): number {
  const m = Math.abs(max) > Math.abs(min) ? max : min;
  return f(-m / 8);
}

/**
 * range2scalezp (asymmetric, unsigned): the range widened to include 0, scale = (max−min)/15, zero point
 * 0 − min/scale clamped to [0, 15] before roundf; a zero scale keeps zp = roundf(min) (min ≤ 0 is then 0).
 */
function asymmetricScaleZp(min: number, max: number): { scale: number; zp: number } {
  min = Math.min(min, 0);
  max = Math.max(max, 0);
  const scale = f(f(max - min) / 15);
  const zpF = scale !== 0 ? f(0 - f(min / scale)) : min;
  const zp = zpF < 0 ? 0 : zpF > 15 ? 15 : roundHalfAway(zpF);
  return { scale, zp };
}

/** Min and max the way MLAS scans (`if (v < min) min = v`), starting from ±FLT_MAX; NaN never wins. */
function blockRange(values: Float32Array, N: number, n: number, k0: number, k1: number): [number, number] {
  let min = FLT_MAX;
  let max = -FLT_MAX;
  for (let k = k0; k < k1; k++) {
    const v = values[k * N + n];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

const reciprocal = (scale: number) => (scale ? f(1 / scale) : 0);
const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/**
 * quantizeAndTranspose. Element k of column n is nibble k%2 (low first) of byte n·kBlocks·blob + (k/bs)·blob +
 * (k%bs)/2; q = clamp(roundf(v·(1/scale) + zp), 0, 15), zp = 8 when symmetric. Bytes past K stay 0, as the
 * zero-filled numpy buffer the Python tool passes in.
 */
export function quantizeForMatMulNBits(w: Int4Weight, blockSize: number, symmetric: boolean): MatMulNBitsWeights {
  const { values, K, N } = w;
  const kBlocks = Math.ceil(K / blockSize);
  const blob = blockSize / 2;
  const packed = new Uint8Array(N * kBlocks * blob);
  const scales = w.half ? new Uint16Array(N * kBlocks) : new Float32Array(N * kBlocks);
  const zpPerColumn = Math.ceil(kBlocks / 2);
  // np.zeros in the Python tool, then every byte written: unused high nibbles hold kMid = 8 (std::fill_n).
  const zeroPoints = symmetric ? undefined : new Uint8Array(N * zpPerColumn);
  const zp = new Uint8Array(kBlocks);
  const scaleValue = new Float64Array(kBlocks);
  const q = new Uint8Array(K);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const [min, max] = blockRange(values, N, n, b * blockSize, Math.min(K, (b + 1) * blockSize));
      let scale: number;
      if (symmetric) {
        scale = symmetricScale(min, max);
        zp[b] = 8;
      } else {
        const sz = asymmetricScaleZp(min, max);
        scale = sz.scale;
        zp[b] = sz.zp;
      }
      const s = storeScale(scale, w.half);
      scales[n * kBlocks + b] = s.stored;
      scaleValue[b] = s.value;
    }
    if (zeroPoints) for (let b = 0; b < kBlocks; b += 2) zeroPoints[n * zpPerColumn + b / 2] = zp[b] | ((b + 1 < kBlocks ? zp[b + 1] : 8) << 4);
    for (let k = 0; k < K; k++) {
      const b = (k / blockSize) | 0;
      q[k] = clamp(roundHalfAway(f(f(values[k * N + n] * reciprocal(scaleValue[b])) + zp[b])), 0, 15);
    }
    const base = n * kBlocks * blob;
    for (let k = 0; k < K; k += 2) {
      // An odd K leaves the last pair half empty: MLAS packs it with `vi[1]` still holding the element two rows
      // up when its thread block (2·bs rows) had an earlier pair, else the 0 it started with.
      const threadStart = k - (k % (2 * blockSize));
      const hi = k + 1 < K ? q[k + 1] : k > threadStart ? q[k - 1] : 0;
      const b = (k / blockSize) | 0;
      packed[base + b * blob + ((k % blockSize) >> 1)] = q[k] | (hi << 4);
    }
  }
  return { packed, scales, zeroPoints, kBlocks };
}

/**
 * QuantizeColumnWise: the same per-block scale and zero point, but q = clamp(roundf(v·(1/scale)) + zp) (the
 * zero point added after rounding), signed [−8, 7] with no zero point when symmetric (the INT4 that
 * DequantizeLinear reads with its default zero point 0), unsigned [0, 15] with zero points otherwise.
 */
export function quantizeForQdq(w: Int4Weight, blockSize: number, symmetric: boolean): QdqWeights {
  const { values, K, N } = w;
  const kBlocks = Math.ceil(K / blockSize);
  const packed = new Uint8Array(Math.ceil((K * N) / 2));
  const scales = w.half ? new Uint16Array(kBlocks * N) : new Float32Array(kBlocks * N);
  const zeroPoints = symmetric ? undefined : new Uint8Array(Math.ceil((kBlocks * N) / 2));
  const [lo, hi] = symmetric ? [-8, 7] : [0, 15];
  for (let b = 0; b < kBlocks; b++) {
    const k0 = b * blockSize;
    const k1 = Math.min(K, k0 + blockSize);
    for (let n = 0; n < N; n++) {
      const [min, max] = blockRange(values, N, n, k0, k1);
      let scale: number;
      let zp = 0;
      if (symmetric) scale = symmetricScale(min, max);
      else ({ scale, zp } = asymmetricScaleZp(min, max));
      const s = storeScale(scale, w.half);
      const idx = b * N + n;
      scales[idx] = s.stored;
      if (zeroPoints) zeroPoints[idx >> 1] |= zp << ((idx & 1) * 4);
      const r = reciprocal(s.value);
      for (let k = k0; k < k1; k++) {
        const e = k * N + n;
        const v = clamp(roundHalfAway(f(values[e] * r)) + zp, lo, hi);
        packed[e >> 1] |= (v & 0xf) << ((e & 1) * 4);
      }
    }
  }
  return { packed, scales, zeroPoints, kBlocks };
}

const scaleAt = (scales: Float32Array | Uint16Array, i: number) => (scales instanceof Uint16Array ? float16ToFloat32(scales[i]) : scales[i]);

/** MLAS `dequantize` of the MatMulNBits layout: row-major [K, N] float32 of (q − zp)·scale (zp 8 without zero points). */
export function dequantizeMatMulNBits(weights: MatMulNBitsWeights, K: number, N: number, blockSize: number): Float32Array {
  const { packed, scales, zeroPoints, kBlocks } = weights;
  const blob = blockSize / 2;
  const zpPerColumn = Math.ceil(kBlocks / 2);
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = (k / blockSize) | 0;
      const byte = packed[n * kBlocks * blob + b * blob + ((k % blockSize) >> 1)];
      const q = (byte >> ((k & 1) * 4)) & 0xf;
      const zp = zeroPoints ? (zeroPoints[n * zpPerColumn + (b >> 1)] >> ((b & 1) * 4)) & 0xf : 8;
      out[k * N + n] = f((q - zp) * scaleAt(scales, n * kBlocks + b));
    }
  }
  return out;
}

/** DequantizeLinear(axis=0, block_size) of the QDQ tensors: row-major [K, N] float32. */
export function dequantizeQdq(weights: QdqWeights, K: number, N: number, blockSize: number, symmetric: boolean): Float32Array {
  const { packed, scales, zeroPoints } = weights;
  const out = new Float32Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const e = k * N + n;
      let q = (packed[e >> 1] >> ((e & 1) * 4)) & 0xf;
      if (symmetric && q & 8) q -= 16;
      const idx = ((k / blockSize) | 0) * N + n;
      const zp = zeroPoints ? (zeroPoints[idx >> 1] >> ((idx & 1) * 4)) & 0xf : 0;
      out[e] = f((q - zp) * scaleAt(scales, idx));
    }
  }
  return out;
}
