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
 * The same transpose on fewer axes: axes of size 1 are dropped, and output axes d, d+1 that read source axes p, p+1
 * (in that order) move together, so they become one axis (a conv kernel HWIO → OIHW is [HW, I, O] → [O, I, HW]:
 * longer inner loops).
 */
function coalesce(fullShape: readonly number[], fullPerm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = fullShape.map((_, a) => a).filter((a) => fullShape[a] !== 1);
  const shape = kept.map((a) => fullShape[a]);
  const perm = fullPerm.filter((a) => fullShape[a] !== 1).map((a) => kept.indexOf(a));
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

/**
 * [n0, n1, n2] → [n2, n1, n0], every conv kernel's HWIO → OIHW once coalesced, in tiles of 32 × 8 over n2 × n1: the
 * reads run along n2 and the writes along (n1, n0), so both stay within a few pages per tile (the general loop
 * below writes n2 far-apart stretches of n0 elements per step of n1: ~1.5× slower on VGG16's kernels).
 */
function reverse3(data: Uint32Array, out: Uint32Array, n0: number, n1: number, n2: number): void {
  const TILE_2 = 32;
  const TILE_1 = 8;
  const s0 = n1 * n2;
  const d2 = n1 * n0;
  for (let k0 = 0; k0 < n2; k0 += TILE_2) {
    const k1 = Math.min(n2, k0 + TILE_2);
    for (let j0 = 0; j0 < n1; j0 += TILE_1) {
      const j1 = Math.min(n1, j0 + TILE_1);
      for (let i = 0; i < n0; i++) {
        for (let j = j0; j < j1; j++) {
          const src = i * s0 + j * n2;
          const dst = j * n0 + i;
          for (let k = k0; k < k1; k++) out[k * d2 + dst] = data[src + k];
        }
      }
    }
  }
}

/** A 4-byte typed array as raw words, so the hot loop sees one array type whatever the element type. */
function asWords(a: Indexable): Uint32Array | undefined {
  if (a instanceof Uint32Array) return a;
  if (!(a instanceof Float32Array || a instanceof Int32Array)) return undefined;
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** `data` transposed into `out` (same length; a new array of the caller's type). */
export function transposeInto<T extends Indexable>(data: T, out: T, fullShape: readonly number[], fullPerm: readonly number[]): T {
  if (out.length === 0) return out;
  const { shape, perm } = coalesce(fullShape, fullPerm);
  if (perm.length === 0) {
    out[0] = data[0];
    return out;
  }
  if (perm.length === 3 && perm[0] === 2 && perm[1] === 1 && perm[2] === 0) {
    const words = asWords(data);
    const outWords = asWords(out);
    if (words && outWords) {
      reverse3(words, outWords, shape[0], shape[1], shape[2]);
      return out;
    }
  }
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
