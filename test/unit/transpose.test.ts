/** The shared blocked transpose against numpy's definition, element by element, for every permutation up to rank 5. */
import { describe, expect, it } from 'vitest';
import { transposeArray, transposeBytes } from '../../src/core/convert/transpose.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';

/** out[i0, i1 …] = data[index of (i_{perm⁻¹…})]: the definition, one element at a time. */
function reference(data: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const r = shape.length;
  const outShape = perm.map((a) => shape[a]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const idx = new Array(r).fill(0);
  for (let i = 0; i < data.length; i++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += idx[d] * strides[perm[d]];
    out.push(data[src]);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const permutations = (n: number): number[][] =>
  n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));

describe('transposeArray / transposeBytes', () => {
  it('equal the definition for every permutation of random shapes (rank 1–5, sizes across the 32-element tiles)', () => {
    const next = mulberry32(11);
    let checked = 0;
    for (let rank = 1; rank <= 5; rank++) {
      for (let trial = 0; trial < 6; trial++) {
        const shape = Array.from({ length: rank }, () => 1 + Math.floor(next() * (rank <= 2 ? 70 : 60 / rank)));
        const n = shape.reduce((a, b) => a * b, 1);
        const data = Float32Array.from({ length: n }, (_, i) => i);
        for (const perm of permutations(rank)) {
          expect([...transposeArray(data, shape, perm)]).toEqual(reference(data, shape, perm));
          checked++;
        }
      }
    }
    expect(checked).toBe(6 * (1 + 2 + 6 + 24 + 120));
  });

  it('keeps bit patterns of 2- and 8-byte elements (NaN payloads included) and reads unaligned bytes', () => {
    const shape = [3, 5, 7];
    const perm = [2, 0, 1];
    const n = 105;
    const words = BigUint64Array.from({ length: n }, (_, i) => 0x7ff4_0000_0000_0000n + BigInt(i)); // signalling-NaN patterns
    const padded = new Uint8Array(n * 8 + 3);
    padded.set(new Uint8Array(words.buffer), 3);
    const out = new BigUint64Array(transposeBytes(padded.subarray(3), shape, 8, perm).buffer);
    expect([...out].map((w) => Number(w - 0x7ff4_0000_0000_0000n))).toEqual(reference(Array.from({ length: n }, (_, i) => i), shape, perm));
    const halves = Uint16Array.from({ length: n }, (_, i) => 0xfc00 + i);
    const outHalves = new Uint16Array(transposeBytes(new Uint8Array(halves.buffer), shape, 2, perm).buffer);
    expect([...outHalves]).toEqual(reference(halves, shape, perm));
  });

  it('equals the definition on conv kernels HWIO → OIHW across the 32 × 8 tiles (the reversed-axes path), size-1 axes included', () => {
    for (const shape of [[3, 3, 13, 70], [5, 1, 9, 33], [1, 1, 40, 65], [3, 3, 1, 17], [7, 7, 3, 64]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      for (const data of [Float32Array.from({ length: n }, (_, i) => i), Int32Array.from({ length: n }, (_, i) => -i)]) {
        expect([...transposeArray(data, shape, [3, 2, 0, 1])]).toEqual(reference(data, shape, [3, 2, 0, 1]));
      }
      const bytes = new Uint8Array(Float32Array.from({ length: n }, (_, i) => i).buffer);
      expect([...new Float32Array(transposeBytes(bytes, shape, 4, [3, 2, 0, 1]).buffer)]).toEqual(reference(new Float32Array(bytes.buffer), shape, [3, 2, 0, 1]));
    }
    expect([...transposeArray(Float32Array.of(5), [1, 1, 1], [2, 0, 1])]).toEqual([5]);
  });
});
