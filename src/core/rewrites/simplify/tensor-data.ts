/**
 * Reading constant tensors as numbers and making new ones, for the passes that compute in JS (fusions, no-op
 * checks). Tensors are shared with the input model: these helpers only read them, and new values always go into
 * new TensorProtos.
 */
import { onnx, has } from '../../onnx/codec.js';
import { DataType, float16ToFloat32, tensorDims, tensorValues } from '../../onnx/tensor.js';
import type { Tensor } from '../graph.js';

/** The float types the fusions compute in (onnxoptimizer's fuse_bn_into_conv takes float and double too). */
export const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE]);

export const isExternal = (t: Tensor) => t.data_location === onnx.TensorProto.DataLocation.EXTERNAL;

/**
 * A numeric tensor's values as float64 (float16 decoded; int64 through Number), or null for strings, external
 * data and types that have no plain numeric form here (bfloat16, float8, packed 4/2-bit, complex).
 */
export function numbersOf(t: Tensor): Float64Array | null {
  if (isExternal(t)) return null;
  const type = t.data_type ?? 0;
  try {
    switch (type) {
      case DataType.FLOAT16:
        return Float64Array.from(tensorValues(t) as Uint16Array, float16ToFloat32);
      case DataType.FLOAT: case DataType.DOUBLE: case DataType.INT8: case DataType.UINT8: case DataType.INT16:
      case DataType.UINT16: case DataType.INT32: case DataType.UINT32: case DataType.INT64: case DataType.UINT64: case DataType.BOOL:
        return Float64Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
      default:
        return null;
    }
  } catch {
    return null;
  }
}

/** Integer values (axes, perms, shapes, pads) of an int32/int64 tensor, or null. */
export function intsOf(t: Tensor): number[] | null {
  if (t.data_type !== DataType.INT64 && t.data_type !== DataType.INT32) return null;
  const v = numbersOf(t);
  return v ? Array.from(v) : null;
}

export function elementCountOf(t: Tensor): number {
  return tensorDims(t).reduce((a, b) => a * b, 1);
}

/** A new tensor of `dataType` (FLOAT or DOUBLE) from float64 values: float32 rounds each value once, at the end. */
export function floatTensor(name: string, dataType: number, dims: number[], values: Float64Array): onnx.TensorProto {
  const stored = dataType === DataType.DOUBLE ? values : Float32Array.from(values);
  const t = new onnx.TensorProto({ name, data_type: dataType, dims });
  t.raw_data = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  return t;
}

/** The same tensor under another name: a shallow copy sharing the data (tensors are never edited in place). */
export function renamedTensor(t: Tensor, name: string): Tensor {
  const copy: Tensor = Object.assign(Object.create(Object.getPrototypeOf(t)), t);
  copy.name = name;
  return copy;
}

/**
 * The bytes that identify a tensor's data for duplicate detection: raw_data as it is, or the typed fields encoded
 * without the name (two tensors are duplicates when type, dims and these bytes are equal). Null for external data.
 */
export function dataIdentity(t: Tensor): Uint8Array | null {
  if (isExternal(t)) return null;
  if (t.raw_data && has(t as onnx.TensorProto, 'raw_data')) return t.raw_data;
  const { name: _name, doc_string: _doc, metadata_props: _meta, ...data } = t;
  return onnx.TensorProto.encode(data).finish();
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** FNV-1a over at most 4 KiB spread across the data: cheap bucketing before the exact comparison. */
export function sampleHash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.byteLength / 4096));
  for (let i = 0; i < bytes.byteLength; i += step) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Bytes per element of a data type, for size limits (strings and sub-byte types count as 1). */
export function bytesPerElement(dataType: number): number {
  switch (dataType) {
    case DataType.DOUBLE: case DataType.INT64: case DataType.UINT64: case DataType.COMPLEX64: return 8;
    case DataType.COMPLEX128: return 16;
    case DataType.FLOAT: case DataType.INT32: case DataType.UINT32: return 4;
    case DataType.FLOAT16: case DataType.BFLOAT16: case DataType.INT16: case DataType.UINT16: return 2;
    default: return 1;
  }
}
