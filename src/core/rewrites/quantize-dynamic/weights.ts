/**
 * Weight quantization for quantize-int8-dynamic, as onnxruntime's quantizer computes it (base_quantizer.py
 * `quantize_initializer_impl` / `quantize_weight_per_channel_impl`, quant_utils.py `quantize_data`; see
 * ../shared/guide/reference-algorithms.md §1.1). The arithmetic itself is ../quant/math.ts; what is here is how
 * onnxruntime applies it to a tensor and what tensors it writes.
 */
import { has, onnx } from '../../onnx/codec.js';
import { DataType, elementCount, tensorDims, tensorToFloat32 } from '../../onnx/tensor.js';
import { makeTensor, type Tensor } from '../graph.js';
import { computeScaleZp, MinMax, minMax, qRange, quantizeValues, type QuantType } from '../quant/math.js';

export interface WeightQuantization {
  type: QuantType;
  symmetric: boolean;
  reduceRange: boolean;
  /** Per-channel along this axis (negative counts from the end); per-tensor when undefined. */
  axis?: number;
}

export interface QuantizedWeight {
  /** `<w>_quantized`, `<w>_scale`, `<w>_zero_point` (names as given by the caller). */
  quantized: onnx.TensorProto;
  scale: onnx.TensorProto;
  zeroPoint: onnx.TensorProto;
}

const STORAGE: Partial<Record<QuantType, { dataType: number; make: (n: number) => Int8Array | Uint8Array }>> = {
  int8: { dataType: DataType.INT8, make: (n) => new Int8Array(n) },
  uint8: { dataType: DataType.UINT8, make: (n) => new Uint8Array(n) },
};

/**
 * Scale and zero-point tensors as onnx.helper.make_tensor writes them (onnxruntime uses it for both): typed fields,
 * not raw_data; dims [] per tensor, [channels] per channel.
 */
function scaleTensor(name: string, dims: number[], scales: number[]): onnx.TensorProto {
  return new onnx.TensorProto({ name, data_type: DataType.FLOAT, dims, float_data: scales });
}

function zeroPointTensor(name: string, dataType: number, dims: number[], zeroPoints: number[]): onnx.TensorProto {
  return new onnx.TensorProto({ name, data_type: dataType, dims, int32_data: zeroPoints });
}

/**
 * quantize_data over a whole tensor, or quantize_weight_per_channel_impl along `axis`: each slice
 * `weights.take(i, axis)` gets its own scale and zero point from its own min and max. The quantized tensor keeps
 * the weight's dims (raw_data, as numpy_helper.from_array writes it).
 */
export function quantizeWeight(weight: Tensor, how: WeightQuantization, names: { quantized: string; scale: string; zeroPoint: string }): QuantizedWeight {
  const storage = STORAGE[how.type];
  if (!storage) throw new Error(`quantizeWeight: ${how.type} is not an 8-bit type`);
  const dims = tensorDims(weight);
  const [qmin, qmax] = qRange(how.type, how.reduceRange, how.symmetric);

  if (how.axis === undefined || dims.length === 0) {
    // Per tensor: two passes (min/max, then quantize) over the values, a chunk at a time when the raw bytes are
    // not 4-byte aligned (most of a file's weights), so a misaligned weight is never copied whole.
    const chunks = float32Chunks(weight);
    const out = storage.make(chunks.length);
    const range = new MinMax();
    chunks.forEach((values) => range.add(values));
    const [lo, hi] = range.range;
    const { scale, zeroPoint } = computeScaleZp(lo, hi, qmin, qmax, how.symmetric);
    chunks.forEach((values, offset) => quantizeValues(values, scale, zeroPoint, how.type, out.subarray(offset, offset + values.length)));
    return {
      quantized: makeTensor(names.quantized, storage.dataType, dims, out),
      scale: scaleTensor(names.scale, [], [scale]),
      zeroPoint: zeroPointTensor(names.zeroPoint, storage.dataType, [], [zeroPoint]),
    };
  }

  const values = tensorToFloat32(weight);
  const out = storage.make(values.length);
  const axis = how.axis < 0 ? how.axis + dims.length : how.axis;
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const scales: number[] = [];
  const zeroPoints: number[] = [];
  const slice = new Float32Array(outer * inner);
  const q = storage.make(slice.length);
  for (let c = 0; c < channels; c++) {
    // The elements of channel c, in C order (the order weights.take(c, axis).flatten() gives).
    let k = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) slice[k++] = values[base + i];
    }
    const [lo, hi] = minMax(slice);
    const { scale, zeroPoint } = computeScaleZp(lo, hi, qmin, qmax, how.symmetric);
    quantizeValues(slice, scale, zeroPoint, how.type, q);
    k = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = q[k++];
    }
    scales.push(scale);
    zeroPoints.push(zeroPoint);
  }
  return {
    quantized: makeTensor(names.quantized, storage.dataType, dims, out),
    scale: scaleTensor(names.scale, [channels], scales),
    zeroPoint: zeroPointTensor(names.zeroPoint, storage.dataType, [channels], zeroPoints),
  };
}

/** Elements per chunk when a float32 weight's raw bytes are misaligned (256 KiB of scratch, cache-sized). */
const CHUNK = 1 << 16;

interface Float32Chunks {
  length: number;
  /** Calls `visit` with consecutive runs of the values (valid only during the call) and the index of their first. */
  forEach(visit: (values: Float32Array, offset: number) => void): void;
}

/**
 * The tensor's values as float32 runs: one view of raw_data when it is 4-byte aligned, else copies of 64 Ki-element
 * slices into one reused scratch array (tensorToFloat32 would copy the whole tensor); any other storage through
 * tensorToFloat32.
 */
function float32Chunks(t: Tensor): Float32Chunks {
  const raw = t.raw_data;
  const count = elementCount(tensorDims(t));
  if (t.data_type === DataType.FLOAT && raw && has(t, 'raw_data') && t.data_location !== onnx.TensorProto.DataLocation.EXTERNAL
    && raw.byteOffset % 4 !== 0 && raw.byteLength === count * 4) {
    return {
      length: count,
      forEach(visit) {
        const scratch = new Float32Array(Math.min(CHUNK, count));
        const scratchBytes = new Uint8Array(scratch.buffer);
        for (let offset = 0; offset < count; offset += CHUNK) {
          const n = Math.min(CHUNK, count - offset);
          scratchBytes.set(raw.subarray(offset * 4, (offset + n) * 4));
          visit(n === scratch.length ? scratch : scratch.subarray(0, n), offset);
        }
      },
    };
  }
  const values = tensorToFloat32(t);
  return { length: values.length, forEach: (visit) => visit(values, 0) };
}

/** A 2-D float tensor transposed into a new tensor (replace_gemm_with_matmul: `from_array(B.T)`, raw_data). */
export function transposed2d(t: Tensor, name: string): onnx.TensorProto {
  const [rows, cols] = tensorDims(t);
  const values = tensorToFloat32(t);
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return makeTensor(name, DataType.FLOAT, [cols, rows], out);
}
