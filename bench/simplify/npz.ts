/** A minimal .npz writer for the benchmark's inputs (NumPy format 1.0, little-endian, C order, stored zip). */
import { zipSync } from 'fflate';

type Array = { dtype: 'int64'; shape: number[]; data: BigInt64Array } | { dtype: 'float32'; shape: number[]; data: Float32Array };

function npy(a: Array): Uint8Array {
  const descr = a.dtype === 'int64' ? '<i8' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''}), }`;
  // magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + a.data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), total);
  return out;
}

export function writeNpz(arrays: Record<string, Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([name, a]) => [`${name}.npy`, [npy(a), { level: 0 }]])));
}
