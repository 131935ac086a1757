/**
 * Channels-last tracking. Every Keras tensor keeps its Keras (logical) shape; its ONNX value may hold it in another
 * axis order, a "layout" `perm`: physical axis i holds logical axis perm[i] (so the physical value is
 * `Transpose(logical, perm)`). Conv and pooling want channels first ([0, r−1, 1 … r−2] for a channels-last tensor),
 * Dense/Flatten/Reshape want the Keras order, and every element-wise layer (activations, BatchNormalization, Add …)
 * takes whatever it gets and keeps it. A tensor remembers each layout it has been transposed to, so a value needed
 * in both orders is transposed once, and a chain Conv → BN → ReLU → Conv → Pool stays channels first throughout.
 */
export type Perm = readonly number[];

export const range = (a: number, b: number): number[] => Array.from({ length: Math.max(b - a, 0) }, (_, i) => a + i);

export const identityPerm = (rank: number): number[] => range(0, rank);

/** [0, r−1, 1 … r−2]: a channels-last tensor held channels first (NHWC → NCHW). Rank ≤ 2: the identity. */
export const channelsFirstPerm = (rank: number): number[] => (rank <= 2 ? identityPerm(rank) : [0, rank - 1, ...range(1, rank - 1)]);

/** [0, 2 … r−1, 1]: a channels-first tensor held channels last (Keras's Flatten order for channels_first data). */
export const channelsLastPerm = (rank: number): number[] => (rank <= 2 ? identityPerm(rank) : [0, ...range(2, rank), 1]);

export const permKey = (p: Perm): string => p.join(',');

export const isIdentity = (p: Perm): boolean => p.every((a, i) => a === i);

export function invertPerm(p: Perm): number[] {
  const q: number[] = new Array(p.length);
  p.forEach((a, i) => { q[a] = i; });
  return q;
}

/** The Transpose perm that takes a value held in layout `from` to layout `to`. */
export const transposeBetween = (from: Perm, to: Perm): number[] => to.map((a) => from.indexOf(a));

/** The physical axis that holds logical axis `axis` (negative axes count from the end). */
export function physicalAxis(perm: Perm, axis: number): number {
  const a = axis < 0 ? axis + perm.length : axis;
  return perm.indexOf(a);
}

/** A logical shape in layout `perm`. */
export const physicalShape = <T>(shape: readonly T[], perm: Perm): T[] => perm.map((a) => shape[a]);

/** numpy's `data.reshape(shape).transpose(perm)` in C order (for constant weights). */
export { transposeArray as transposeData } from '../transpose.js';
