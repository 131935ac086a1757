/**
 * PyTorch's element types as they appear in pickles: storage classes (`torch.FloatStorage` …, how torch has always
 * pickled a tensor's storage, even in torch 2.x) and dtype objects (`torch.float32`, pickled as a global name). Both
 * map to a TorchDtype carrying the WeightDtype the rest of omnihub uses; types without one (quantized, sub-byte …)
 * are still recognised so that the error says "unsupported dtype" rather than "unsafe code".
 */
import type { WeightDtype } from '../../weights/types.js';

export class TorchDtype {
  constructor(
    /** torch's name: 'float32', 'bfloat16', 'qint8' … */
    readonly name: string,
    /** Bytes per element in a storage. */
    readonly itemSize: number,
    /** The omnihub weight dtype, or undefined when omnihub has no equivalent. */
    readonly weight: WeightDtype | undefined,
  ) {}
}

const DTYPES: Record<string, TorchDtype> = {};
function dtype(name: string, itemSize: number, weight: WeightDtype | undefined, ...aliases: string[]): TorchDtype {
  const d = new TorchDtype(name, itemSize, weight);
  for (const n of [name, ...aliases]) DTYPES[n] = d;
  return d;
}

const F32 = dtype('float32', 4, 'float32', 'float');
const F64 = dtype('float64', 8, 'float64', 'double');
const F16 = dtype('float16', 2, 'float16', 'half');
const BF16 = dtype('bfloat16', 2, 'bfloat16');
const I64 = dtype('int64', 8, 'int64', 'long');
const I32 = dtype('int32', 4, 'int32', 'int');
const I16 = dtype('int16', 2, 'int16', 'short');
const I8 = dtype('int8', 1, 'int8');
const U8 = dtype('uint8', 1, 'uint8');
const BOOL = dtype('bool', 1, 'bool');
const C64 = dtype('complex64', 8, 'complex64', 'cfloat');
const C128 = dtype('complex128', 16, 'complex128', 'cdouble');
dtype('uint16', 2, 'uint16');
dtype('uint32', 4, 'uint32');
dtype('uint64', 8, 'uint64');
dtype('float8_e4m3fn', 1, 'float8e4m3fn');
dtype('float8_e5m2', 1, 'float8e5m2');
const C32 = dtype('complex32', 4, undefined, 'chalf');
const QI8 = dtype('qint8', 1, undefined);
const QU8 = dtype('quint8', 1, undefined);
const QI32 = dtype('qint32', 4, undefined);
const QU4 = dtype('quint4x2', 1, undefined);
const QU2 = dtype('quint2x4', 1, undefined);
dtype('float8_e4m3fnuz', 1, undefined);
dtype('float8_e5m2fnuz', 1, undefined);
dtype('float8_e8m0fnu', 1, undefined);
dtype('float4_e2m1fn_x2', 1, undefined);
dtype('bits8', 1, undefined);
dtype('bits16', 2, undefined);
dtype('bits1x8', 1, undefined);
dtype('bits2x4', 1, undefined);
dtype('bits4x2', 1, undefined);
for (let bits = 1; bits <= 7; bits++) {
  dtype(`uint${bits}`, 1, undefined);
  dtype(`int${bits}`, 1, undefined);
}

/** `torch.<name>` dtype globals. */
export function torchDtype(name: string): TorchDtype | undefined {
  return Object.hasOwn(DTYPES, name) ? DTYPES[name] : undefined;
}

/** A storage class named in a pickle (`torch.HalfStorage`, `torch.cuda.FloatStorage`, `torch.UntypedStorage` …). */
export class StorageType {
  constructor(readonly name: string, readonly dtype: TorchDtype) {}
}

const STORAGES: Record<string, TorchDtype> = {
  FloatStorage: F32, DoubleStorage: F64, HalfStorage: F16, BFloat16Storage: BF16,
  LongStorage: I64, IntStorage: I32, ShortStorage: I16, CharStorage: I8, ByteStorage: U8, BoolStorage: BOOL,
  ComplexFloatStorage: C64, ComplexDoubleStorage: C128, ComplexHalfStorage: C32,
  QInt8Storage: QI8, QUInt8Storage: QU8, QInt32Storage: QI32, QUInt4x2Storage: QU4, QUInt2x4Storage: QU2,
  // An untyped storage is bytes; the tensor's dtype then comes from _rebuild_tensor_v3's dtype argument.
  UntypedStorage: U8,
};

export function storageType(name: string): StorageType | undefined {
  return Object.hasOwn(STORAGES, name) ? new StorageType(name, STORAGES[name]) : undefined;
}
