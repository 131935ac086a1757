/**
 * Named weight tensors as every weights reader returns them (PyTorch state dicts, safetensors, Keras HDF5 …) and every
 * converter consumes them. The bytes stay a view on the file's bytes wherever they are already little-endian and
 * C-contiguous; a reader copies only to make them so.
 */
import { DataType } from '../onnx/tensor.js';
import { float16ToFloat32, bfloat16ToFloat32 } from '../onnx/tensor.js';
import { OmnihubError } from '../errors.js';

export type WeightDtype =
  | 'float64' | 'float32' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8'
  | 'uint64' | 'uint32' | 'uint16' | 'uint8'
  | 'bool' | 'complex64' | 'complex128'
  | 'float8e4m3fn' | 'float8e5m2';

export interface WeightTensor {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  /** Elements in C order, little-endian, exactly `elementCount(shape) × bytesPerElement(dtype)` bytes. */
  bytes: Uint8Array;
}

/** Tensors by name, in the order the file lists them. */
export type StateDict = Map<string, WeightTensor>;

const BYTES: Record<WeightDtype, number> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2,
  int64: 8, int32: 4, int16: 2, int8: 1,
  uint64: 8, uint32: 4, uint16: 2, uint8: 1,
  bool: 1, complex64: 8, complex128: 16,
  float8e4m3fn: 1, float8e5m2: 1,
};

const ONNX_TYPES: Record<WeightDtype, number> = {
  float64: DataType.DOUBLE, float32: DataType.FLOAT, float16: DataType.FLOAT16, bfloat16: DataType.BFLOAT16,
  int64: DataType.INT64, int32: DataType.INT32, int16: DataType.INT16, int8: DataType.INT8,
  uint64: DataType.UINT64, uint32: DataType.UINT32, uint16: DataType.UINT16, uint8: DataType.UINT8,
  bool: DataType.BOOL, complex64: DataType.COMPLEX64, complex128: DataType.COMPLEX128,
  float8e4m3fn: DataType.FLOAT8E4M3FN, float8e5m2: DataType.FLOAT8E5M2,
};

export function bytesPerElement(dtype: WeightDtype): number {
  return BYTES[dtype];
}

export function onnxDataType(dtype: WeightDtype): number {
  return ONNX_TYPES[dtype];
}

/** The weight dtype of an ONNX element type, or undefined when weights never use it (strings, 4-bit …). */
export function weightDtypeOfOnnx(dataType: number): WeightDtype | undefined {
  return (Object.keys(ONNX_TYPES) as WeightDtype[]).find((d) => ONNX_TYPES[d] === dataType);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Checks that a tensor's byte length fits its dtype and shape (readers call it on every tensor they return). */
export function checkWeightTensor(t: WeightTensor): WeightTensor {
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new OmnihubError('malformed', `Tensor '${t.name}' has an invalid shape [${t.shape.join(', ')}].`);
  }
  const expected = elementCount(t.shape) * BYTES[t.dtype];
  if (t.bytes.byteLength !== expected) {
    throw new OmnihubError('malformed', `Tensor '${t.name}' (${t.dtype} [${t.shape.join(', ')}]) needs ${expected} bytes but has ${t.bytes.byteLength}.`);
  }
  return t;
}

/**
 * The values as float32 (float64/float16/bfloat16/integers converted). A float32 tensor whose bytes are 4-aligned is
 * returned as a view, not a copy.
 */
export function toFloat32(t: WeightTensor): Float32Array {
  const n = elementCount(t.shape);
  const { bytes } = t;
  if (t.dtype === 'float32') {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    // new Uint8Array(view) copies (a Node Buffer's slice() would not).
    return new Float32Array(new Uint8Array(bytes).buffer, 0, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (t.dtype) {
    case 'float64': for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true); break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true)); break;
    case 'bfloat16': for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat32(view.getUint16(i * 2, true)); break;
    case 'int64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true)); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true); break;
    case 'int16': for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true); break;
    case 'int8': for (let i = 0; i < n; i++) out[i] = view.getInt8(i); break;
    case 'uint64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(i * 8, true)); break;
    case 'uint32': for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true); break;
    case 'uint16': for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true); break;
    case 'uint8': case 'bool': for (let i = 0; i < n; i++) out[i] = bytes[i]; break;
    default: throw new OmnihubError('unsupported', `Tensor '${t.name}' has dtype ${t.dtype}, which has no float32 form.`);
  }
  return out;
}
