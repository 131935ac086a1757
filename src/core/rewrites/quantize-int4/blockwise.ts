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
  /**
   * The weight's float32 values, row-major [K, N] (or [N, K] when `transposed`): a Float32Array (float16 weights
   * already decoded), or the little-endian bytes of one at any byte offset (a tensor's raw_data as decoded), which
   * are read a slice at a time, so a misaligned weight is never copied whole.
   */
  values: Float32Array | Uint8Array;
  K: number;
  N: number;
  /** `values` hold the weight as stored [N, K] (Gemm transB=1, MatMul of a Transpose): columns are contiguous. */
  transposed?: boolean;
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

/**
 * Rows [r0, r1) of a row-major float32 matrix as a Float32Array starting at row r0: a view when the values are
 * 4-byte aligned, else a copy into one reused scratch array of `maxRows` rows.
 */
class Rows {
  private readonly f32?: Float32Array;
  private readonly bytes?: Uint8Array;
  private scratch?: Float32Array;
  constructor(values: Float32Array | Uint8Array, private readonly cols: number, private readonly maxRows: number) {
    if (values instanceof Float32Array) this.f32 = values;
    else if (values.byteOffset % 4 === 0 && values.byteLength % 4 === 0) this.f32 = new Float32Array(values.buffer, values.byteOffset, values.byteLength / 4);
    else this.bytes = values;
  }
  get(r0: number, r1: number): Float32Array {
    const a = r0 * this.cols;
    const b = r1 * this.cols;
    if (this.f32) return this.f32.subarray(a, b);
    this.scratch ??= new Float32Array(this.maxRows * this.cols);
    new Uint8Array(this.scratch.buffer, 0, (b - a) * 4).set(this.bytes!.subarray(a * 4, b * 4));
    return this.scratch;
  }
}

/** Per-block scale and zero point as MLAS computes them from the block's min and max (MLAS's scan, see below). */
function blockScale(min: number, max: number, symmetric: boolean): { scale: number; zp: number } {
  return symmetric ? { scale: symmetricScale(min, max), zp: 8 } : asymmetricScaleZp(min, max);
}

/**
 * quantizeAndTranspose. Element k of column n is nibble k%2 (low first) of byte n·kBlocks·blob + (k/bs)·blob +
 * (k%bs)/2; q = clamp(roundf(v·(1/scale) + zp), 0, 15), zp = 8 when symmetric. Bytes past K stay 0, as the
 * zero-filled numpy buffer the Python tool passes in.
 *
 * Computed as: min/max of a block the way MLAS scans (`if (v < min) min = v` from ±FLT_MAX: NaN never wins);
 * y = f(f(v·r) + zp) with r = f(1/scale) (0 for a zero scale) once per block; then clamp to [0, 15] and round
 * halves up, (y + 0.5) | 0. That is roundf's clamp(roundf(y), 0, 15): rounding is monotonic and keeps 0 and 15, so
 * the clamp can come first, and on [0, 15] roundf (halves away from zero) is floor(y + 0.5), exact in float64 for a
 * float32 y. NaN stays NaN through the clamp and gives 0, as storing NaN in the Uint8Array did.
 *
 * The weight is read in the order it is stored: a column at a time when stored [N, K], a block of rows (all N
 * columns, per-column min/max in arrays) when [K, N]; no transposed copy, no per-element call.
 */
export function quantizeForMatMulNBits(w: Int4Weight, blockSize: number, symmetric: boolean): MatMulNBitsWeights {
  const { K, N } = w;
  const kBlocks = Math.ceil(K / blockSize);
  const blob = blockSize / 2;
  const colBytes = kBlocks * blob;
  const packed = new Uint8Array(N * colBytes);
  const scales = w.half ? new Uint16Array(N * kBlocks) : new Float32Array(N * kBlocks);
  const zpPerColumn = Math.ceil(kBlocks / 2);
  // np.zeros in the Python tool, then every byte written: unused high nibbles hold kMid = 8 (std::fill_n).
  const zeroPoints = symmetric ? undefined : new Uint8Array(N * zpPerColumn);
  const half = w.half;
  /** Scale and zero point of block b of column n stored; returns the reciprocal used for its elements. */
  const setBlock = (n: number, b: number, min: number, max: number, zpOut: Float64Array, i: number): number => {
    const { scale, zp } = blockScale(min, max, symmetric);
    const s = storeScale(scale, half);
    scales[n * kBlocks + b] = s.stored;
    if (zeroPoints) {
      const at = n * zpPerColumn + (b >> 1);
      zeroPoints[at] = b & 1 ? (zeroPoints[at] & 0x0f) | (zp << 4) : zp | (8 << 4);
    }
    zpOut[i] = zp;
    return s.value ? f(1 / s.value) : 0;
  };
  /**
   * An odd K leaves the last pair half empty: MLAS packs it with `vi[1]` still holding the element two rows up
   * (k − 1, the high nibble of the byte before) when its thread block (2·bs rows) had an earlier pair, else the 0
   * it started with.
   */
  const lastHigh = (byteIndex: number, k: number) => (k > k - (k % (2 * blockSize)) ? packed[byteIndex - 1] >> 4 : 0);

  if (w.transposed) {
    const rows = new Rows(w.values, K, 1);
    const zpOf = new Float64Array(1);
    for (let n = 0; n < N; n++) {
      const col = rows.get(n, n + 1);
      const base = n * colBytes;
      for (let b = 0; b < kBlocks; b++) {
        const k0 = b * blockSize;
        const k1 = Math.min(K, k0 + blockSize);
        let min = FLT_MAX;
        let max = -FLT_MAX;
        for (let k = k0; k < k1; k++) {
          const v = col[k];
          if (v < min) min = v;
          if (v > max) max = v;
        }
        const r = setBlock(n, b, min, max, zpOf, 0);
        const z = zpOf[0];
        let at = base + b * blob;
        for (let k = k0; k < k1; k += 2, at++) {
          let y = f(f(col[k] * r) + z);
          y = y < 0 ? 0 : y > 15 ? 15 : y;
          const lo = (y + 0.5) | 0;
          let hi: number;
          if (k + 1 < K) {
            y = f(f(col[k + 1] * r) + z);
            y = y < 0 ? 0 : y > 15 ? 15 : y;
            hi = (y + 0.5) | 0;
          } else hi = lastHigh(at, k);
          packed[at] = lo | (hi << 4);
        }
      }
    }
    return { packed, scales, zeroPoints, kBlocks };
  }

  const rows = new Rows(w.values, N, blockSize);
  const mins = new Float64Array(N);
  const maxs = new Float64Array(N);
  const recip = new Float64Array(N);
  const zps = new Float64Array(N);
  for (let b = 0; b < kBlocks; b++) {
    const k0 = b * blockSize;
    const k1 = Math.min(K, k0 + blockSize);
    const block = rows.get(k0, k1);
    mins.fill(FLT_MAX);
    maxs.fill(-FLT_MAX);
    for (let k = 0, off = 0; k < k1 - k0; k++, off += N) {
      for (let n = 0; n < N; n++) {
        const v = block[off + n];
        if (v < mins[n]) mins[n] = v;
        if (v > maxs[n]) maxs[n] = v;
      }
    }
    for (let n = 0; n < N; n++) recip[n] = setBlock(n, b, mins[n], maxs[n], zps, n);
    for (let k = k0; k < k1; k += 2) {
      const off = (k - k0) * N;
      const at0 = b * blob + ((k - k0) >> 1);
      if (k + 1 < K) {
        for (let n = 0; n < N; n++) {
          const r = recip[n];
          const z = zps[n];
          let y = f(f(block[off + n] * r) + z);
          y = y < 0 ? 0 : y > 15 ? 15 : y;
          let y1 = f(f(block[off + N + n] * r) + z);
          y1 = y1 < 0 ? 0 : y1 > 15 ? 15 : y1;
          packed[n * colBytes + at0] = ((y + 0.5) | 0) | (((y1 + 0.5) | 0) << 4);
        }
      } else {
        for (let n = 0; n < N; n++) {
          let y = f(f(block[off + n] * recip[n]) + zps[n]);
          y = y < 0 ? 0 : y > 15 ? 15 : y;
          const at = n * colBytes + at0;
          packed[at] = ((y + 0.5) | 0) | (lastHigh(at, k) << 4);
        }
      }
    }
  }
  return { packed, scales, zeroPoints, kBlocks };
}

/** The weight as a row-major [K, N] Float32Array (a copy only when misaligned bytes or stored [N, K]). */
function rowMajor(w: Int4Weight): Float32Array {
  const { K, N } = w;
  if (!w.transposed) return new Rows(w.values, N, K).get(0, K);
  const rows = new Rows(w.values, K, 1);
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    const col = rows.get(n, n + 1);
    for (let k = 0; k < K; k++) out[k * N + n] = col[k];
  }
  return out;
}

/**
 * QuantizeColumnWise: the same per-block scale and zero point, but q = clamp(roundf(v·(1/scale)) + zp) (the
 * zero point added after rounding), signed [−8, 7] with no zero point when symmetric (the INT4 that
 * DequantizeLinear reads with its default zero point 0), unsigned [0, 15] with zero points otherwise.
 */
export function quantizeForQdq(w: Int4Weight, blockSize: number, symmetric: boolean): QdqWeights {
  const { K, N } = w;
  const values = rowMajor(w);
  const kBlocks = Math.ceil(K / blockSize);
  const packed = new Uint8Array(Math.ceil((K * N) / 2));
  const scales = w.half ? new Uint16Array(kBlocks * N) : new Float32Array(kBlocks * N);
  const zeroPoints = symmetric ? undefined : new Uint8Array(Math.ceil((kBlocks * N) / 2));
  const [lo, hi] = symmetric ? [-8, 7] : [0, 15];
  const mins = new Float64Array(N);
  const maxs = new Float64Array(N);
  const recip = new Float64Array(N);
  const zps = new Float64Array(N);
  for (let b = 0; b < kBlocks; b++) {
    const k0 = b * blockSize;
    const k1 = Math.min(K, k0 + blockSize);
    mins.fill(FLT_MAX);
    maxs.fill(-FLT_MAX);
    for (let k = k0; k < k1; k++) {
      for (let n = 0, e = k * N; n < N; n++, e++) {
        const v = values[e];
        if (v < mins[n]) mins[n] = v;
        if (v > maxs[n]) maxs[n] = v;
      }
    }
    for (let n = 0; n < N; n++) {
      let scale: number;
      let zp = 0;
      if (symmetric) scale = symmetricScale(mins[n], maxs[n]);
      else ({ scale, zp } = asymmetricScaleZp(mins[n], maxs[n]));
      const s = storeScale(scale, w.half);
      const idx = b * N + n;
      scales[idx] = s.stored;
      if (zeroPoints) zeroPoints[idx >> 1] |= zp << ((idx & 1) * 4);
      recip[n] = s.value ? f(1 / s.value) : 0;
      zps[n] = zp;
    }
    for (let k = k0; k < k1; k++) {
      for (let n = 0, e = k * N; n < N; n++, e++) {
        // roundf, then the zero point, then the clamp: NaN stays NaN to the store (0), as in MLAS's cast here.
        const y = f(values[e] * recip[n]);
        let v = (y < 0 ? -Math.round(-y) : Math.round(y)) + zps[n];
        v = v < lo ? lo : v > hi ? hi : v;
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
