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

/** Row-major strides. */
function strides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Tile edge of the blocked transpose: a 32 × 32 float tile (4 KB) stays in L1 while it is read and written. */
const TILE = 32;

/**
 * numpy's `data.reshape(shape).transpose(perm)` in C order (for constant weights). Blocked: the output's innermost
 * axis and the output axis that holds the source's innermost axis are walked in tiles, so both the reads and the
 * writes run along memory in short stretches (a VGG kernel HWIO → OIHW read element by element along the output
 * strides thrashes the cache: 14.7 M values took ~250 ms; tiled, a fraction of that).
 */
export function transposeData(data: Float32Array, shape: readonly number[], perm: Perm): Float32Array {
  if (isIdentity(perm)) return data;
  const r = perm.length;
  const outShape = perm.map((a) => shape[a]);
  const inStrides = strides(shape);
  const srcStride = perm.map((a) => inStrides[a]);
  const outStride = strides(outShape);
  const out = new Float32Array(data.length);
  if (out.length === 0) return out;
  const a = r - 1; // output's innermost axis: contiguous writes
  const q = perm.indexOf(r - 1); // output axis holding the source's innermost axis: contiguous reads
  const others = range(0, r).filter((d) => d !== a && d !== q);
  const idx = new Array(r).fill(0);
  const nA = outShape[a];
  const sA = srcStride[a];
  const nQ = outShape[q];
  const oQ = outStride[q];
  // Visit every combination of the other axes (odometer), then tile axes q × a.
  for (;;) {
    let srcBase = 0;
    let outBase = 0;
    for (const d of others) {
      srcBase += idx[d] * srcStride[d];
      outBase += idx[d] * outStride[d];
    }
    if (q === a) {
      for (let y = 0; y < nA; y++) out[outBase + y] = data[srcBase + y * sA];
    } else {
      for (let x0 = 0; x0 < nQ; x0 += TILE) {
        const x1 = Math.min(x0 + TILE, nQ);
        for (let y0 = 0; y0 < nA; y0 += TILE) {
          const y1 = Math.min(y0 + TILE, nA);
          for (let x = x0; x < x1; x++) {
            const o = outBase + x * oQ;
            const sBase = srcBase + x; // the source's innermost axis has stride 1
            for (let y = y0; y < y1; y++) out[o + y] = data[sBase + y * sA];
          }
        }
      }
    }
    let k = others.length - 1;
    for (; k >= 0; k--) {
      const d = others[k];
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
    if (k < 0) return out;
  }
}
