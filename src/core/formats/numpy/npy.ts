/**
 * NumPy `.npy` arrays (format spec: numpy/lib/format.py, versions 1.0–3.0). The header is a Python dict literal; it
 * is parsed with patterns for the three keys the format defines, never evaluated.
 */
import { OmnihubError } from '../../errors.js';

export interface NpyArray {
  /** numpy-style dtype name: float32, int64, bool … */
  dtype: NpyDtype;
  shape: number[];
  /** Elements in C order (Fortran-ordered files are reordered on read). */
  data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
}

export type NpyDtype = 'float16' | 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

type Ctor = { new (buffer: ArrayBufferLike, offset: number, length: number): NpyArray['data']; new (length: number): NpyArray['data']; BYTES_PER_ELEMENT: number };

// descr without byte order → [dtype, storage]; float16 is kept as raw bits in a Uint16Array.
const DESCR: Record<string, [NpyDtype, Ctor]> = {
  f2: ['float16', Uint16Array], f4: ['float32', Float32Array], f8: ['float64', Float64Array],
  i1: ['int8', Int8Array], u1: ['uint8', Uint8Array], b1: ['bool', Uint8Array],
  i2: ['int16', Int16Array], u2: ['uint16', Uint16Array], i4: ['int32', Int32Array], u4: ['uint32', Uint32Array],
  i8: ['int64', BigInt64Array], u8: ['uint64', BigUint64Array],
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function fail(message: string): never {
  throw new OmnihubError('malformed', `Not a valid .npy array: ${message}`);
}

export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length === 0) throw new OmnihubError('empty-file', 'The file is empty (0 bytes): not a .npy array.');
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new OmnihubError('wrong-format', 'Not a .npy array: the file does not start with the NumPy magic bytes.');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) { headerLength = view.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('header length is cut off');
    headerLength = view.getUint32(8, true); headerStart = 12;
  } else throw new OmnihubError('unsupported', `.npy format version ${major} is not supported (1, 2 and 3 are).`);
  if (headerStart + headerLength > bytes.length) fail(`header of ${headerLength} bytes runs past the end of the file`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));

  const descr = /['"]descr['"]\s*:\s*['"]([<>|=]?)([a-zA-Z]\d+)['"]/.exec(header);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeMatch) fail(`header ${JSON.stringify(header.trim())} lacks descr, fortran_order or shape`);
  const [, order, code] = descr;
  const known = DESCR[code];
  if (!known) throw new OmnihubError('unsupported', `.npy dtype '${order}${code}' is not supported (numeric and bool arrays are).`);
  const [dtype, ctor] = known;
  if (order === '>' && ctor.BYTES_PER_ELEMENT > 1) throw new OmnihubError('unsupported', `.npy array is big-endian ('${order}${code}'); only little-endian data is supported.`);
  const shape = shapeMatch[1].split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    if (!/^\d+L?$/.test(s)) fail(`shape entry '${s}' is not a whole number`);
    return parseInt(s, 10);
  });
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const byteLength = count * ctor.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(byteLength) || dataStart + byteLength > bytes.length) {
    throw new OmnihubError('truncated', `.npy array of shape [${shape.join(', ')}] needs ${byteLength} bytes of data, the file has ${bytes.length - dataStart}.`);
  }
  let raw = bytes.subarray(dataStart, dataStart + byteLength);
  if (raw.byteOffset % ctor.BYTES_PER_ELEMENT !== 0) raw = new Uint8Array(raw); // a copy (Buffer#slice would be a view)
  let data = new ctor(raw.buffer, raw.byteOffset, count);
  if (fortran[1] === 'True' && shape.length > 1) data = fortranToC(data, shape, ctor);
  return { dtype, shape, data };
}

/** Reorders column-major elements into row-major order. */
function fortranToC(data: NpyArray['data'], shape: number[], ctor: Ctor): NpyArray['data'] {
  const out = new ctor(data.length);
  const rank = shape.length;
  const fStrides = shape.map((_, i) => shape.slice(0, i).reduce((a, b) => a * b, 1));
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += index[d] * fStrides[d];
    (out as unknown as number[])[c] = (data as unknown as number[])[f];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
