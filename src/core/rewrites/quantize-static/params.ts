/**
 * Scales, zero points and quantized values for static QDQ, on top of ../quant/math.ts (onnxruntime's quant_utils.py
 * arithmetic): weights per tensor or per channel (`quantize_data`, `quantize_weight_per_channel_impl`), int32 biases
 * (`quantize_bias_static_impl`) and the weight-scale adjustment that keeps a bias inside int32
 * (`_adjust_weight_scale_for_int32_bias`). See ../shared/guide/reference-algorithms.md §1.1 and §1.4.
 */
import { computeScaleZp, qRange, quantizeValues, roundHalfEven, type QuantType, type ScaleZeroPoint } from '../quant/math.js';

const f32 = Math.fround;

/**
 * compute_scale_zp for a range of float32 values. onnxruntime takes `rmax − rmin` in the values' own dtype
 * (float32) before widening it to float64 (`dr = np.array(rmax - rmin, dtype=np.float64)`); math.ts subtracts in
 * float64. Passing `rmin + fround(rmax − rmin)` as the upper end gives math.ts exactly that difference back (float32
 * values sum and subtract exactly in float64), so the scale is bit-for-bit onnxruntime's.
 */
export function scaleZeroPoint(rmin: number, rmax: number, type: QuantType, symmetric: boolean, reduceRange = false): ScaleZeroPoint {
  const [qmin, qmax] = qRange(type, reduceRange, symmetric);
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absmax;
    hi = absmax;
  }
  return computeScaleZp(lo, lo + f32(hi - lo), qmin, qmax, symmetric);
}

export interface QuantizedWeight {
  /** Quantized values in the layout of the weight. */
  values: Int32Array;
  /** One entry per tensor, or per channel along `axis`. */
  scales: number[];
  zeroPoints: number[];
  axis?: number;
}

/** Min and max of float32 values (0, 0 for none), as numpy's data.min()/max() (NaN propagates). */
function minMaxOf(values: Float32Array, indices?: Int32Array): [number, number] {
  const n = indices ? indices.length : values.length;
  if (!n) return [0, 0];
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = values[indices ? indices[k] : k];
    if (v !== v) return [NaN, NaN];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** quantize_data over the whole tensor: its min/max, compute_scale_zp, then quantize_nparray. */
export function quantizePerTensor(values: Float32Array, type: QuantType, symmetric: boolean, reduceRange: boolean, scaleOverride?: number): QuantizedWeight {
  const [lo, hi] = minMaxOf(values);
  let { scale, zeroPoint } = values.length ? scaleZeroPoint(lo, hi, type, symmetric, reduceRange) : { scale: 1, zeroPoint: 0 };
  if (scaleOverride !== undefined) scale = scaleOverride;
  return { values: quantizeValues(values, scale, zeroPoint, type), scales: [scale], zeroPoints: [zeroPoint] };
}

/** Flat indices of each slice `weights.take(c, axis)`, in the slice's row-major order. */
function channelIndices(dims: number[], axis: number): Int32Array[] {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const out: Int32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const idx = new Int32Array(outer * inner);
    let k = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) idx[k++] = (o * channels + c) * inner + i;
    out.push(idx);
  }
  return out;
}

/**
 * quantize_weight_per_channel_impl: each slice along `axis` gets its own range, scale and zero point (symmetric for
 * int8, as onnxruntime forces), quantized values go back to their places.
 */
export function quantizePerChannel(values: Float32Array, dims: number[], axis: number, type: QuantType, symmetric: boolean, reduceRange: boolean, scaleOverrides?: number[]): QuantizedWeight {
  const out = new Int32Array(values.length);
  const scales: number[] = [];
  const zeroPoints: number[] = [];
  const slice = new Float32Array(values.length / Math.max(1, dims[axis]) || 0);
  const q = new Int32Array(slice.length);
  channelIndices(dims, axis).forEach((idx, c) => {
    for (let k = 0; k < idx.length; k++) slice[k] = values[idx[k]];
    const [lo, hi] = minMaxOf(slice);
    let { scale, zeroPoint } = idx.length ? scaleZeroPoint(lo, hi, type, symmetric, reduceRange) : { scale: 1, zeroPoint: 0 };
    if (scaleOverrides) scale = scaleOverrides[c];
    quantizeValues(slice, scale, zeroPoint, type, q);
    for (let k = 0; k < idx.length; k++) out[idx[k]] = q[k];
    scales.push(scale);
    zeroPoints.push(zeroPoint);
  });
  return { values: out, scales, zeroPoints, axis };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * quantize_bias_static_impl: bias_scale = input_scale · weight_scale · beta (numpy float32 products), then
 * q = clip(round(float64(b) / float64(bias_scale)), int32) with round half to even.
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: number[], beta: number): { values: Int32Array; scales: number[] } {
  const scales = weightScales.map((w) => f32(f32(inputScale * w) * beta));
  const values = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = scales.length > 1 ? scales[i] : scales[0];
    const q = roundHalfEven(bias[i] / s);
    values[i] = q < INT32_MIN ? INT32_MIN : q > INT32_MAX ? INT32_MAX : q;
  }
  return { values, scales };
}

/**
 * _adjust_weight_scale_for_int32_bias: when input_scale · weight_scale is too small for the bias to fit in int32
 * (smallest valid = 1.0001 · 2·|bias|max / (2^31 − 1 − (−2^31 + 1))), the weight's scale is raised by the ratio,
 * per tensor over the whole bias or per channel element by element. Returns the new scales, or null if none changed.
 */
export function adjustWeightScalesForBias(bias: Float32Array, inputScale: number, weightScales: number[], perChannel: boolean): number[] | null {
  const qrange = INT32_MAX - (INT32_MIN + 1);
  const epsilon = 1.0001;
  const scales = [...weightScales];
  let changed = false;
  const adjust = (i: number, absmax: number) => {
    const smallest = (epsilon * (2 * absmax)) / qrange;
    const candidate = inputScale * scales[i];
    if (candidate < smallest && candidate > 0) {
      scales[i] = f32(scales[i] * (smallest / candidate));
      changed = true;
    }
  };
  if (!perChannel) {
    let lo = 0;
    let hi = 0;
    for (const b of bias) {
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    adjust(0, Math.max(Math.abs(lo), Math.abs(hi)));
  } else {
    for (let i = 0; i < scales.length && i < bias.length; i++) adjust(i, Math.abs(bias[i]));
  }
  return changed ? scales : null;
}
