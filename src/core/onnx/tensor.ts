/**
 * ONNX element types and typed access to tensor data. Data stays a view on the decoded bytes where alignment
 * allows (raw_data usually sits at an arbitrary offset inside the file, so wide types often need one copy).
 */
import { onnx } from './generated/onnx.js';
import { has, toNumber } from './codec.js';
import { OmnihubError } from '../errors.js';

export const DataType = onnx.TensorProto.DataType;

type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
type TypedArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

export interface DataTypeInfo {
  name: string; // numpy-style name used in summaries and the CLI: float32, int64, float8e4m3fn …
  bits: number; // bits per element (complex64 = 64); 0 for strings
  /** Typed array holding the stored representation (raw bits for float16/bfloat16/float8, packed bytes for 4/2-bit). */
  storage: TypedArrayCtor | null;
}

const I = (name: string, bits: number, storage: TypedArrayCtor | null): DataTypeInfo => ({ name, bits, storage });

export const DATA_TYPES: Record<number, DataTypeInfo> = {
  [DataType.FLOAT]: I('float32', 32, Float32Array),
  [DataType.UINT8]: I('uint8', 8, Uint8Array),
  [DataType.INT8]: I('int8', 8, Int8Array),
  [DataType.UINT16]: I('uint16', 16, Uint16Array),
  [DataType.INT16]: I('int16', 16, Int16Array),
  [DataType.INT32]: I('int32', 32, Int32Array),
  [DataType.INT64]: I('int64', 64, BigInt64Array),
  [DataType.STRING]: I('string', 0, null),
  [DataType.BOOL]: I('bool', 8, Uint8Array),
  [DataType.FLOAT16]: I('float16', 16, Uint16Array),
  [DataType.DOUBLE]: I('float64', 64, Float64Array),
  [DataType.UINT32]: I('uint32', 32, Uint32Array),
  [DataType.UINT64]: I('uint64', 64, BigUint64Array),
  [DataType.COMPLEX64]: I('complex64', 64, Float32Array),
  [DataType.COMPLEX128]: I('complex128', 128, Float64Array),
  [DataType.BFLOAT16]: I('bfloat16', 16, Uint16Array),
  [DataType.FLOAT8E4M3FN]: I('float8e4m3fn', 8, Uint8Array),
  [DataType.FLOAT8E4M3FNUZ]: I('float8e4m3fnuz', 8, Uint8Array),
  [DataType.FLOAT8E5M2]: I('float8e5m2', 8, Uint8Array),
  [DataType.FLOAT8E5M2FNUZ]: I('float8e5m2fnuz', 8, Uint8Array),
  [DataType.UINT4]: I('uint4', 4, Uint8Array),
  [DataType.INT4]: I('int4', 4, Uint8Array),
  [DataType.FLOAT4E2M1]: I('float4e2m1', 4, Uint8Array),
  [DataType.FLOAT8E8M0]: I('float8e8m0', 8, Uint8Array),
  [DataType.UINT2]: I('uint2', 2, Uint8Array),
  [DataType.INT2]: I('int2', 2, Uint8Array),
};

export function dataTypeName(type: number | null | undefined): string {
  return DATA_TYPES[type ?? 0]?.name ?? (type ? `type${type}` : 'undefined');
}

export function tensorDims(t: onnx.ITensorProto): number[] {
  return (t.dims ?? []).map(toNumber);
}

export function elementCount(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Bytes the elements take when stored raw (sub-byte types packed, rounded up to whole bytes). */
export function rawByteLength(dataType: number, count: number): number {
  const info = DATA_TYPES[dataType];
  if (!info || info.bits === 0) return 0;
  return Math.ceil((count * info.bits) / 8);
}

/** A typed view of `bytes`, copying only when the offset is not a multiple of the element size. */
export function viewAs<T extends TypedArray>(ctor: TypedArrayCtor, bytes: Uint8Array): T {
  const size = ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) {
    throw new OmnihubError('malformed', `tensor data of ${bytes.byteLength} bytes is not a whole number of ${size}-byte elements`);
  }
  // new Uint8Array(view) copies; Buffer#slice would not (it returns a view in Node).
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  return new ctor(aligned.buffer, aligned.byteOffset, aligned.byteLength / size) as T;
}

export type TensorValues = TypedArray | string[];

/**
 * The stored values of a tensor in their storage representation (see DataTypeInfo.storage): numbers for numeric
 * types, raw bits for float16/bfloat16/float8, packed bytes for 4- and 2-bit types, UTF-8 decoded strings.
 * External data must have been loaded first.
 */
export function tensorValues(t: onnx.ITensorProto): TensorValues {
  const type = t.data_type ?? 0;
  const info = DATA_TYPES[type];
  if (!info) throw new OmnihubError('unsupported', `tensor '${t.name ?? ''}' has unknown data type ${type}`);
  if (t.data_location === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new OmnihubError('external-data', `tensor '${t.name ?? ''}' is stored in an external file that has not been loaded`);
  }
  if (type === DataType.STRING) {
    const decoder = new TextDecoder();
    return (t.string_data ?? []).map((b) => decoder.decode(b));
  }
  const ctor = info.storage!;
  if (t.raw_data && has(t, 'raw_data')) return viewAs(ctor, t.raw_data);
  switch (type) {
    case DataType.FLOAT:
    case DataType.COMPLEX64:
      return Float32Array.from(t.float_data ?? []);
    case DataType.DOUBLE:
    case DataType.COMPLEX128:
      return Float64Array.from(t.double_data ?? []);
    case DataType.INT64:
      return BigInt64Array.from((t.int64_data ?? []).map((v) => BigInt(v.toString())));
    case DataType.UINT32:
    case DataType.UINT64: {
      const values = (t.uint64_data ?? []).map((v) => v.toString());
      return type === DataType.UINT32 ? Uint32Array.from(values.map(Number)) : BigUint64Array.from(values.map(BigInt));
    }
    default: {
      // int32_data holds one element per entry for 8/16/32-bit types, and whole packed bytes for 4/2-bit types.
      const ints = t.int32_data ?? [];
      if (info.bits < 8) {
        const count = elementCount(tensorDims(t));
        const perEntry = 8 / info.bits;
        const packed = new Uint8Array(Math.ceil(count / perEntry));
        ints.forEach((v, i) => { if (i < packed.length) packed[i] = v & 0xff; });
        return packed;
      }
      return (ctor as unknown as { from(a: number[]): TypedArray }).from(ints);
    }
  }
}

// ---- conversions of narrow float and packed integer types to float32 (for comparison and display) ----

export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function bfloat16ToFloat32(bits: number): number {
  const f = new Float32Array(1);
  new Uint32Array(f.buffer)[0] = bits << 16;
  return f[0];
}

/**
 * Generic minifloat decode for the float8/float4 formats (ONNX docs/Float8.md, docs/Float4.md):
 * `fnuz` formats have no negative zero and use 0x80 as their only NaN; `fn` formats have no infinities.
 */
function minifloat(bits: number, expBits: number, manBits: number, bias: number, kind: 'ieee' | 'fn' | 'fnuz' | 'finite'): number {
  const total = 1 + expBits + manBits;
  const signBit = 1 << (total - 1);
  const exp = (bits >> manBits) & ((1 << expBits) - 1);
  const man = bits & ((1 << manBits) - 1);
  const sign = bits & signBit ? -1 : 1;
  const maxExp = (1 << expBits) - 1;
  if (kind === 'fnuz' && bits === signBit) return NaN;
  if (kind === 'ieee' && exp === maxExp) return man ? NaN : sign * Infinity;
  if (kind === 'fn' && exp === maxExp && man === (1 << manBits) - 1) return NaN;
  if (exp === 0) return sign * man * 2 ** (1 - bias - manBits);
  return sign * (1 + man / (1 << manBits)) * 2 ** (exp - bias);
}

export const float8e4m3fnToFloat32 = (b: number) => minifloat(b, 4, 3, 7, 'fn');
export const float8e4m3fnuzToFloat32 = (b: number) => minifloat(b, 4, 3, 8, 'fnuz');
export const float8e5m2ToFloat32 = (b: number) => minifloat(b, 5, 2, 15, 'ieee');
export const float8e5m2fnuzToFloat32 = (b: number) => minifloat(b, 5, 2, 16, 'fnuz');
export const float4e2m1ToFloat32 = (b: number) => minifloat(b & 0xf, 2, 1, 1, 'finite');
/** E8M0 is a pure power of two (scale format of MX types); 0xff is NaN. */
export const float8e8m0ToFloat32 = (b: number) => (b === 0xff ? NaN : 2 ** (b - 127));

function unpack(packed: Uint8Array, count: number, bits: 4 | 2, signed: boolean, map?: (v: number) => number): Float32Array {
  const out = new Float32Array(count);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) {
    let v = (packed[Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
    if (map) out[i] = map(v);
    else {
      if (signed && v & (1 << (bits - 1))) v -= 1 << bits;
      out[i] = v;
    }
  }
  return out;
}

/**
 * Tensor values as float32 numbers, for comparisons and statistics: narrow floats are decoded, packed 4/2-bit
 * integers unpacked, complex values given as interleaved (re, im) pairs. Strings are refused.
 */
export function tensorToFloat32(t: onnx.ITensorProto): Float32Array {
  const type = t.data_type ?? 0;
  const values = tensorValues(t);
  if (Array.isArray(values)) throw new OmnihubError('unsupported', `tensor '${t.name ?? ''}' holds strings, not numbers`);
  const count = elementCount(tensorDims(t));
  const mapBits = (f: (b: number) => number) => Float32Array.from(values as Uint8Array | Uint16Array, f);
  switch (type) {
    case DataType.FLOAT16: return mapBits(float16ToFloat32);
    case DataType.BFLOAT16: return mapBits(bfloat16ToFloat32);
    case DataType.FLOAT8E4M3FN: return mapBits(float8e4m3fnToFloat32);
    case DataType.FLOAT8E4M3FNUZ: return mapBits(float8e4m3fnuzToFloat32);
    case DataType.FLOAT8E5M2: return mapBits(float8e5m2ToFloat32);
    case DataType.FLOAT8E5M2FNUZ: return mapBits(float8e5m2fnuzToFloat32);
    case DataType.FLOAT8E8M0: return mapBits(float8e8m0ToFloat32);
    case DataType.UINT4: return unpack(values as Uint8Array, count, 4, false);
    case DataType.INT4: return unpack(values as Uint8Array, count, 4, true);
    case DataType.FLOAT4E2M1: return unpack(values as Uint8Array, count, 4, false, float4e2m1ToFloat32);
    case DataType.UINT2: return unpack(values as Uint8Array, count, 2, false);
    case DataType.INT2: return unpack(values as Uint8Array, count, 2, true);
    default:
      return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number | bigint>, Number);
  }
}
