/**
 * numpy's `data.reshape(shape).transpose(perm)` in C order, for constant weights of every converter (Keras kernels
 * HWIO → OIHW, TensorFlow and TFLite constants moved to NCHW). Blocked: the output's innermost axis and the output
 * axis that holds the source's innermost axis are walked in 32 × 32 tiles, so reads and writes both run along memory
 * in short stretches (element by element along the output, a VGG16's 14.7 M conv weights took ~250 ms; tiled, ~3×
 * less).
 */
type Indexable = { length: number; [i: number]: unknown };

const TILE = 32;

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/**
 * The same transpose on fewer axes: output axes d, d+1 that read source axes p, p+1 (in that order) move together, so
 * they become one axis (a conv kernel HWIO → OIHW is [HW, I, O] → [O, I, HW]: longer inner loops).
 */
function coalesce(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  // Runs of source axes that stay consecutive in the output, in source order.
  const groups: number[][] = [];
  for (const p of perm) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === p) last.push(p);
    else groups.push([p]);
  }
  const bySource = [...groups].sort((a, b) => a[0] - b[0]);
  const newShape = bySource.map((g) => g.reduce((n, p) => n * shape[p], 1));
  return { shape: newShape, perm: groups.map((g) => bySource.indexOf(g)) };
}

/** `data` transposed into `out` (same length; a new array of the caller's type). */
export function transposeInto<T extends Indexable>(data: T, out: T, fullShape: readonly number[], fullPerm: readonly number[]): T {
  if (out.length === 0) return out;
  const { shape, perm } = coalesce(fullShape, fullPerm);
  const r = perm.length;
  const outShape = perm.map((a) => shape[a]);
  const inStrides = strides(shape);
  const srcStride = perm.map((a) => inStrides[a]);
  const outStride = strides(outShape);
  const a = r - 1; // the output's innermost axis: contiguous writes
  const q = perm.indexOf(r - 1); // the output axis holding the source's innermost axis: contiguous reads
  const others = Array.from({ length: r }, (_, d) => d).filter((d) => d !== a && d !== q);
  const idx = new Array<number>(r).fill(0);
  const nA = outShape[a];
  const sA = srcStride[a];
  const nQ = outShape[q];
  const oQ = outStride[q];
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
            const s = srcBase + x; // the source's innermost axis has stride 1
            for (let y = y0; y < y1; y++) out[o + y] = data[s + y * sA];
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

const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);

/** A transposed copy of a typed array or a string array (the same array when `perm` is the identity). */
export function transposeArray<T extends ArrayLike<unknown>>(data: T, shape: readonly number[], perm: readonly number[]): T {
  if (isIdentity(perm)) return data;
  const out = (Array.isArray(data) ? new Array(data.length) : new (data.constructor as new (n: number) => T)(data.length)) as T;
  return transposeInto(data as unknown as Indexable, out as unknown as Indexable, shape, perm) as unknown as T;
}

const WORDS: Record<number, new (buffer: ArrayBufferLike, offset: number, length: number) => Indexable> = {
  1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: BigUint64Array,
};

/** Transposes raw little-endian elements of `size` bytes (1, 2, 4 or 8), bit patterns kept exactly. */
export function transposeBytes(bytes: Uint8Array, shape: readonly number[], size: number, perm: readonly number[]): Uint8Array {
  if (isIdentity(perm)) return bytes;
  const Word = WORDS[size];
  if (!Word) throw new Error(`transposeBytes: elements of ${size} bytes`);
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const out = new Uint8Array(bytes.length);
  const n = bytes.length / size;
  transposeInto(new Word(aligned.buffer, aligned.byteOffset, n), new Word(out.buffer, 0, n), shape, perm);
  return out;
}
