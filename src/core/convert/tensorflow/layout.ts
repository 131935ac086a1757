/**
 * NHWC handling. TensorFlow's image ops (Conv2D, DepthwiseConv2dNative, pools, FusedBatchNorm) take NHWC by default;
 * ONNX's take NCHW. Every converted tensor keeps its TF (logical) shape; a rank-4 value may also, or only, exist in
 * the ONNX graph as NCHW (`Transpose(logical, TO_NCHW)`). Image ops produce NCHW, element-wise ops and activations
 * keep whatever layout their inputs have, reductions/squeezes/concats map their axes, and a Transpose back to the TF
 * order is added only where an op needs it (Reshape, MatMul, a graph output), once per tensor. A chain
 * Conv → BN → Relu → Depthwise → Pool → Squeeze therefore has one Transpose at its start and none at its end.
 */
import { bytesPerElement } from '../../weights/types.js';
import { constFromRaw, type ConstValue } from './tensors.js';
import { transposeArray, transposeBytes } from '../transpose.js';

/** numpy's `data.transpose(perm)` in C order, for numbers or strings. */
export { transposeArray };

/** NHWC → NCHW: nchw = transpose(nhwc, TO_NCHW); physical axis j holds logical axis TO_NCHW[j]. */
export const TO_NCHW: readonly number[] = [0, 3, 1, 2];
/** NCHW → NHWC. */
export const TO_NHWC: readonly number[] = [0, 2, 3, 1];

/** Normalizes a possibly negative axis of a rank-`rank` tensor. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The NCHW (physical) axis holding logical NHWC axis `axis`. */
export const nchwAxis = (axis: number): number => TO_NCHW.indexOf(normAxis(axis, 4));

/**
 * Whether dropping the logical axes `dropped` from an NCHW-held rank-4 tensor leaves the remaining axes in logical
 * order (then the result of a reduction/squeeze/argmax on the NCHW value is already in TF's order).
 */
export function dropKeepsOrder(dropped: ReadonlySet<number>): boolean {
  const rest = TO_NCHW.filter((a) => !dropped.has(a));
  return rest.every((a, i) => i === 0 || rest[i - 1] < a);
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}


/** A constant transposed: its file bytes when it has them (no decoding), else its numbers. */
export function transposeConst(c: ConstValue, perm: readonly number[]): ConstValue {
  const shape = perm.map((p) => c.shape[p]);
  if (c.raw) {
    const bytes = transposeBytes(c.raw.bytes, c.shape, bytesPerElement(c.raw.dtype), perm);
    return constFromRaw({ ...c.raw, shape, bytes }, c.dtype);
  }
  return { dtype: c.dtype, shape, data: transposeArray(c.data, c.shape, perm) };
}

/** A constant broadcast against a rank-4 NHWC tensor, in the NCHW order (leading 1s added, then transposed). */
export function constToNchw(c: ConstValue): ConstValue {
  if (c.shape.length === 0) return c;
  const shape = [...new Array(4 - c.shape.length).fill(1), ...c.shape];
  return transposeConst({ ...c, shape }, TO_NCHW);
}

/** The shape of `Transpose(x, perm)`. */
export const permuteShape = <T>(shape: readonly T[], perm: readonly number[]): T[] => perm.map((p) => shape[p]);
