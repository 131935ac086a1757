/**
 * TensorFlow TensorProto ↔ the core's WeightTensor and the converter's constant values.
 *
 * A TensorProto holds its elements either as `tensor_content` (the raw little-endian bytes) or in the typed field of
 * its dtype (`float_val`, `int_val`, `int64_val`, `half_val` …). A typed field may be shorter than the shape: TF then
 * repeats the last value to fill it (a splat `tf.fill`-style constant stores one value), and an empty field means
 * zeros (tensor.cc, `FromProtoField`).
 */
import { OmnihubError } from '../../errors.js';
import { float16ToFloat32, bfloat16ToFloat32 } from '../../onnx/tensor.js';
import { float32ToFloat16Bits } from '../../validate/inputs.js';
import { bytesPerElement, elementCount, type WeightDtype, type WeightTensor } from '../../weights/types.js';
import { baseType, decodeUtf8, int64, shapeDims, TfType, tfTypeName, type TensorProto } from './proto.js';

/** Numbers of a constant (int64/uint64 as whole float64 numbers; float16/bfloat16 decoded). */
export type NumArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array;

/** A constant known at conversion time, in TF's (logical) axis order. */
export interface ConstValue {
  /** TF DataType (base type). */
  dtype: number;
  shape: number[];
  data: NumArray | string[];
  /** The same elements as little-endian bytes from the file (tensor_content), when they were stored that way. */
  raw?: WeightTensor;
}

const WEIGHT_DTYPES: Record<number, WeightDtype> = {
  [TfType.FLOAT]: 'float32', [TfType.DOUBLE]: 'float64', [TfType.INT32]: 'int32', [TfType.UINT8]: 'uint8',
  [TfType.INT16]: 'int16', [TfType.INT8]: 'int8', [TfType.INT64]: 'int64', [TfType.BOOL]: 'bool',
  [TfType.QINT8]: 'int8', [TfType.QUINT8]: 'uint8', [TfType.QINT32]: 'int32', [TfType.BFLOAT16]: 'bfloat16',
  [TfType.QINT16]: 'int16', [TfType.QUINT16]: 'uint16', [TfType.UINT16]: 'uint16', [TfType.HALF]: 'float16',
  [TfType.UINT32]: 'uint32', [TfType.UINT64]: 'uint64', [TfType.COMPLEX64]: 'complex64', [TfType.COMPLEX128]: 'complex128',
};

const TF_OF_WEIGHT: Partial<Record<WeightDtype, number>> = {
  float32: TfType.FLOAT, float64: TfType.DOUBLE, int32: TfType.INT32, uint8: TfType.UINT8, int16: TfType.INT16,
  int8: TfType.INT8, int64: TfType.INT64, bool: TfType.BOOL, bfloat16: TfType.BFLOAT16, uint16: TfType.UINT16,
  float16: TfType.HALF, uint32: TfType.UINT32, uint64: TfType.UINT64, complex64: TfType.COMPLEX64, complex128: TfType.COMPLEX128,
};

export function weightDtypeOfTf(tfType: number): WeightDtype | undefined {
  return WEIGHT_DTYPES[baseType(tfType)];
}

export function tfTypeOfWeight(dtype: WeightDtype): number {
  const t = TF_OF_WEIGHT[dtype];
  if (t === undefined) throw new OmnihubError('unsupported', `A ${dtype} tensor has no TensorFlow dtype here.`);
  return t;
}

/** The typed field that holds a dtype's values when tensor_content is empty. */
function typedValues(t: TensorProto, dtype: number): number[] {
  switch (dtype) {
    case TfType.FLOAT: return t.float_val ?? [];
    case TfType.DOUBLE: return t.double_val ?? [];
    case TfType.INT32: case TfType.INT16: case TfType.INT8: case TfType.UINT8: case TfType.UINT16:
    case TfType.QINT8: case TfType.QUINT8: case TfType.QINT16: case TfType.QUINT16: case TfType.QINT32:
      return t.int_val ?? [];
    case TfType.INT64: return (t.int64_val ?? []).map(int64);
    case TfType.UINT32: return t.uint32_val ?? [];
    case TfType.UINT64: return (t.uint64_val ?? []).map(int64);
    case TfType.BOOL: return (t.bool_val ?? []).map((b) => (b ? 1 : 0));
    case TfType.HALF: return (t.half_val ?? []).map(float16ToFloat32);
    case TfType.BFLOAT16: return (t.half_val ?? []).map(bfloat16ToFloat32);
    default:
      throw new OmnihubError('unsupported', `TensorFlow ${tfTypeName(dtype)} constants are not supported.`);
  }
}

function arrayFor(dtype: number, n: number): NumArray {
  switch (dtype) {
    case TfType.FLOAT: case TfType.HALF: case TfType.BFLOAT16: return new Float32Array(n);
    case TfType.INT32: case TfType.QINT32: return new Int32Array(n);
    case TfType.INT16: case TfType.QINT16: return new Int16Array(n);
    case TfType.INT8: case TfType.QINT8: return new Int8Array(n);
    case TfType.UINT8: case TfType.QUINT8: case TfType.BOOL: return new Uint8Array(n);
    case TfType.UINT16: case TfType.QUINT16: return new Uint16Array(n);
    case TfType.UINT32: return new Uint32Array(n);
    default: return new Float64Array(n); // double, int64, uint64
  }
}

/** An empty array of the dtype's kind filled with `values` (converted). */
export function numArray(dtype: number, values: ArrayLike<number>): NumArray {
  const out = arrayFor(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** The shape a TensorProto declares (an unknown rank is an error: constants always have one). */
export function protoShape(t: TensorProto, what: string): number[] {
  const dims = shapeDims(t.tensor_shape);
  if (!dims || dims.some((d) => d < 0)) throw new OmnihubError('malformed', `${what}: a constant tensor has no complete shape.`);
  return dims;
}

/**
 * A constant held as little-endian bytes. The numbers are decoded only when something asks for them (a fold): a
 * weight that goes to ONNX as it is (a MatMul kernel) or only moves (a conv kernel's transpose) keeps its bytes
 * (constToWeight), never a decoded copy.
 */
export function constFromRaw(raw: WeightTensor, dtype: number): ConstValue {
  let data: NumArray | undefined;
  return {
    dtype, shape: [...raw.shape], raw,
    get data() { return (data ??= weightToConst(raw, dtype).data as NumArray); },
  };
}

/**
 * The most elements a constant stored as a few values repeated to fill its shape (TensorProto's typed fields: what
 * tf.zeros or tf.fill freeze to) may expand to: 64 Mi, 256 MB of float32. Without a bound a 100-byte graph could ask
 * for gigabytes.
 */
const MAX_REPEATED_ELEMENTS = 2 ** 26;

/** A TensorProto as a constant value (numbers, or strings for DT_STRING). */
export function tensorProtoToConst(t: TensorProto, what = 'TensorFlow tensor'): ConstValue {
  const dtype = baseType(t.dtype ?? 0);
  const shape = protoShape(t, what);
  const n = elementCount(shape);
  if (!(t.tensor_content && t.tensor_content.byteLength > 0) && n > MAX_REPEATED_ELEMENTS) {
    throw new OmnihubError('too-large', `${what}: a constant of shape [${shape.join(', ')}] stored as values to repeat would expand to ${n} elements; more than ${MAX_REPEATED_ELEMENTS} are refused.`);
  }
  if (dtype === TfType.STRING) {
    const vals = (t.string_val ?? []).map(decodeUtf8);
    const data = Array.from({ length: n }, (_, i) => vals[Math.min(i, vals.length - 1)] ?? '');
    return { dtype, shape, data };
  }
  const content = t.tensor_content;
  if (content && content.byteLength > 0) {
    const w = weightDtypeOfTf(dtype);
    if (!w || w === 'complex64' || w === 'complex128') throw new OmnihubError('unsupported', `${what}: TensorFlow ${tfTypeName(dtype)} constants are not supported.`);
    const raw: WeightTensor = { name: what, dtype: w, shape, bytes: content };
    checkByteLength(raw);
    return constFromRaw(raw, dtype);
  }
  const vals = typedValues(t, dtype);
  const out = arrayFor(dtype, n);
  if (vals.length > 0) {
    const m = Math.min(vals.length, n);
    for (let i = 0; i < m; i++) out[i] = vals[i];
    const last = vals[vals.length - 1];
    for (let i = m; i < n; i++) out[i] = last;
  }
  return { dtype, shape, data: out };
}

/** A TensorProto as a WeightTensor (its bytes when it has tensor_content, else made from the typed values). */
export function tensorProtoToWeight(t: TensorProto, name: string): WeightTensor {
  const dtype = baseType(t.dtype ?? 0);
  const w = weightDtypeOfTf(dtype);
  if (!w) throw new OmnihubError('unsupported', `Tensor '${name}': TensorFlow ${tfTypeName(dtype)} tensors have no weight form.`);
  const shape = protoShape(t, `Tensor '${name}'`);
  const content = t.tensor_content;
  if (content && content.byteLength > 0) {
    const expected = elementCount(shape) * bytesPerElement(w);
    if (content.byteLength !== expected) {
      throw new OmnihubError('malformed', `Tensor '${name}' (${w} [${shape.join(', ')}]) needs ${expected} bytes but tensor_content has ${content.byteLength}.`);
    }
    return { name, dtype: w, shape, bytes: content };
  }
  return constToWeight(tensorProtoToConst(t, `Tensor '${name}'`), name);
}

function checkByteLength(w: WeightTensor): void {
  const expected = elementCount(w.shape) * bytesPerElement(w.dtype);
  if (w.bytes.byteLength !== expected) {
    throw new OmnihubError('malformed', `Tensor '${w.name}' (${w.dtype} [${w.shape.join(', ')}]) needs ${expected} bytes but has ${w.bytes.byteLength}.`);
  }
}

/** A WeightTensor's numbers (TF dtype given, or derived from the weight's dtype). */
export function weightToConst(w: WeightTensor, tfDtype?: number): ConstValue {
  const dtype = tfDtype ?? tfTypeOfWeight(w.dtype);
  const n = elementCount(w.shape);
  checkByteLength(w);
  const view = new DataView(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength);
  const out = arrayFor(dtype, n);
  switch (w.dtype) {
    case 'float32': for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true); break;
    case 'float64': for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true); break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true)); break;
    case 'bfloat16': for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat32(view.getUint16(i * 2, true)); break;
    case 'int64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true)); break;
    case 'uint64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(i * 8, true)); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true); break;
    case 'uint32': for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true); break;
    case 'int16': for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true); break;
    case 'uint16': for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true); break;
    case 'int8': for (let i = 0; i < n; i++) out[i] = view.getInt8(i); break;
    case 'uint8': case 'bool': for (let i = 0; i < n; i++) out[i] = view.getUint8(i); break;
    default: throw new OmnihubError('unsupported', `Tensor '${w.name}' has dtype ${w.dtype}, which the TensorFlow converter does not handle.`);
  }
  return { dtype, shape: [...w.shape], data: out };
}

/** A numeric constant as a WeightTensor of its TF dtype (little-endian bytes; the file's own bytes when it has them). */
export function constToWeight(c: ConstValue, name: string): WeightTensor {
  // The file's bytes first: asking for c.data would decode a constant read from tensor_content (tensorProtoToConst).
  if (c.raw && c.raw.dtype === weightDtypeOfTf(c.dtype) && c.raw.bytes.byteLength === elementCount(c.shape) * bytesPerElement(c.raw.dtype)) {
    return { name, dtype: c.raw.dtype, shape: [...c.shape], bytes: c.raw.bytes };
  }
  if (Array.isArray(c.data)) throw new OmnihubError('unsupported', `Tensor '${name}' holds strings, which have no weight form.`);
  const w = weightDtypeOfTf(c.dtype);
  if (!w) throw new OmnihubError('unsupported', `Tensor '${name}': TensorFlow ${tfTypeName(c.dtype)} tensors have no weight form.`);
  const data = c.data;
  const n = data.length;
  const bytes = new Uint8Array(n * bytesPerElement(w));
  const view = new DataView(bytes.buffer);
  switch (w) {
    case 'float32': for (let i = 0; i < n; i++) view.setFloat32(i * 4, data[i], true); break;
    case 'float64': for (let i = 0; i < n; i++) view.setFloat64(i * 8, data[i], true); break;
    case 'float16': for (let i = 0; i < n; i++) view.setUint16(i * 2, float32ToFloat16Bits(data[i]), true); break;
    case 'bfloat16': {
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      for (let i = 0; i < n; i++) {
        f[0] = data[i];
        view.setUint16(i * 2, (u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16, true);
      }
      break;
    }
    case 'int64': for (let i = 0; i < n; i++) view.setBigInt64(i * 8, BigInt(Math.trunc(data[i])), true); break;
    case 'uint64': for (let i = 0; i < n; i++) view.setBigUint64(i * 8, BigInt(Math.trunc(data[i])), true); break;
    case 'int32': for (let i = 0; i < n; i++) view.setInt32(i * 4, data[i], true); break;
    case 'uint32': for (let i = 0; i < n; i++) view.setUint32(i * 4, data[i], true); break;
    case 'int16': for (let i = 0; i < n; i++) view.setInt16(i * 2, data[i], true); break;
    case 'uint16': for (let i = 0; i < n; i++) view.setUint16(i * 2, data[i], true); break;
    case 'int8': for (let i = 0; i < n; i++) view.setInt8(i, data[i]); break;
    case 'uint8': case 'bool': for (let i = 0; i < n; i++) view.setUint8(i, data[i]); break;
    default: throw new OmnihubError('unsupported', `Tensor '${name}' has dtype ${w}, which the TensorFlow converter does not handle.`);
  }
  return { name, dtype: w, shape: [...c.shape], bytes };
}

/** A WeightTensor as a TensorProto with tensor_content (bytes shared, not copied). */
export function weightToTensorProto(w: WeightTensor, tfDtype?: number): TensorProto {
  return {
    dtype: tfDtype ?? tfTypeOfWeight(w.dtype),
    tensor_shape: { dim: w.shape.map((size) => ({ size })) },
    tensor_content: w.bytes,
  };
}

/** A constant as a TensorProto (numbers as tensor_content, strings as string_val). */
export function constToTensorProto(c: ConstValue, name = 'const'): TensorProto {
  if (Array.isArray(c.data)) {
    const enc = new TextEncoder();
    return { dtype: TfType.STRING, tensor_shape: { dim: c.shape.map((size) => ({ size })) }, string_val: c.data.map((s) => enc.encode(s)) };
  }
  return weightToTensorProto(constToWeight(c, name), c.dtype);
}

/** A TensorProto's numbers as plain numbers (for shapes, axes, paddings …). */
export function constNumbers(c: ConstValue, what: string): number[] {
  if (Array.isArray(c.data)) throw new OmnihubError('malformed', `${what}: expected numbers, got strings.`);
  return Array.from(c.data);
}
