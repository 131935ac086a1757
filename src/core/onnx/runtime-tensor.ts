/**
 * Tensors in the shape onnxruntime's JS API takes (`new ort.Tensor(type, data, dims)`), without importing
 * onnxruntime here: the core stays runtime-free and the caller owns the ORT instance.
 */
import { onnx } from './generated/onnx.js';
import { DATA_TYPES, DataType, tensorDims, tensorValues, type TensorValues } from './tensor.js';
import type { NpyArray } from '../formats/numpy/npy.js';
import { OmnihubError } from '../errors.js';

export interface RuntimeTensor {
  /** onnxruntime-common's type name: float32, int64, bool, float16, string … */
  type: string;
  data: TensorValues;
  dims: number[];
}

// Types onnxruntime's JS Tensor can hold; others (bfloat16, float8, complex, 2-bit) have no JS representation there.
const RUNTIME_TYPES = new Set(['float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64', 'int4', 'uint4']);

export function runtimeTypeOf(dataType: number): string | undefined {
  const name = DATA_TYPES[dataType]?.name;
  return name && RUNTIME_TYPES.has(name) ? name : undefined;
}

export function tensorProtoToRuntime(t: onnx.ITensorProto): RuntimeTensor {
  const type = runtimeTypeOf(t.data_type ?? 0);
  if (!type) throw new OmnihubError('unsupported', `tensor '${t.name ?? ''}' of type ${DATA_TYPES[t.data_type ?? 0]?.name ?? t.data_type} cannot be passed to onnxruntime's JS API`);
  return { type, data: tensorValues(t), dims: tensorDims(t) };
}

export function npyToRuntime(a: NpyArray): RuntimeTensor {
  return { type: a.dtype, data: a.data, dims: a.shape };
}

/** A TensorProto with raw_data, from values in runtime form (for saving inputs and test data as `.pb`). */
export function runtimeToTensorProto(name: string, t: RuntimeTensor): onnx.TensorProto {
  const entry = Object.entries(DATA_TYPES).find(([, info]) => info.name === t.type);
  if (!entry) throw new OmnihubError('unsupported', `no ONNX data type for '${t.type}'`);
  const dataType = Number(entry[0]);
  const proto = new onnx.TensorProto({ name, dims: t.dims, data_type: dataType });
  if (dataType === DataType.STRING) proto.string_data = (t.data as string[]).map((s) => new TextEncoder().encode(s));
  else {
    const view = t.data as Exclude<TensorValues, string[]>;
    proto.raw_data = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  return proto;
}
