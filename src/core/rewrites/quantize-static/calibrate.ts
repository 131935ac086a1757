/**
 * Calibration: run the model in onnxruntime on the samples and record, per tensor, the range quantization will
 * cover. What onnxruntime's calibrators do (calibrate.py @b15ffcd; reference-algorithms.md §1.4):
 *
 * - the tensors are every input and output of the nodes whose op type is to be quantized, when their type is float
 *   and they are not initializers (`select_tensors_to_calibrate`);
 * - they become extra graph outputs of one session created without graph optimizations (the caller's runtime is
 *   made so: `ORT_DISABLE_ALL`);
 * - MinMax keeps the min of the minima and the max of the maxima (what its ReduceMin/ReduceMax → Reshape([1])
 *   outputs compute, taken here in JS from the tensors themselves: the same float32 values);
 * - Entropy (128 bins, 128 quantized bins) and Percentile (2048 bins, 99.999, |x| by default) build histograms
 *   (histogram.ts) and search them.
 *
 * Each sample is one `collect` call, as onnxruntime does when it is given the data batch by batch
 * (`CalibStridedMinMax`); by default it stacks every batch into one array first, which needs all intermediate
 * tensors of all samples in memory at once and makes Entropy with 128 = 128 bins return exactly MinMax's range
 * (its KL search then has a single candidate). Streaming keeps memory to one sample's tensors and lets later samples
 * widen the histogram by whole bins (merge_histogram), which is what the KL search is for. MinMax is the same
 * either way.
 */
import { encodeModel, onnx, type ModelProto } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import type { RuntimeTensor } from '../../onnx/runtime-tensor.js';
import type { CompareRuntime, RuntimeTensorLike } from '../../validate/compare.js';
import { OmnihubError } from '../../errors.js';
import { throwIfStopped } from '../abort.js';
import { cloneModel, type Graph } from '../graph.js';
import { minMax } from '../quant/math.js';
import { collectAbsolute, collectValue, entropyRange, ENTROPY_MAX_BINS, percentileRange, type Histogram } from './histogram.js';

export type CalibrationMethod = 'minmax' | 'entropy' | 'percentile';

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Percentile only (default 99.999). */
  percentile: number;
  /** Percentile's `symmetric` (default true: a histogram of |x|). */
  symmetric?: boolean;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** A calibrated range, float32 values; NaN or ±Infinity when the model produced them. */
export interface TensorRange {
  min: number;
  max: number;
}

/** select_tensors_to_calibrate: float inputs and outputs (not initializers) of the nodes with a listed op type. */
export function tensorsToCalibrate(graph: Graph, opTypes: ReadonlySet<string>, elemType: (name: string) => number): string[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const chosen = new Set<string>();
  for (const node of graph.node ?? []) {
    if (!opTypes.has(node.op_type ?? '')) continue;
    for (const name of [...(node.input ?? []), ...(node.output ?? [])]) {
      if (name && !initializers.has(name) && elemType(name) === DataType.FLOAT) chosen.add(name);
    }
  }
  return [...chosen];
}

/** The model with every calibrated tensor also a graph output (inputs are read from the feeds instead). */
function augmented(model: ModelProto, tensors: string[]): ModelProto {
  const copy = cloneModel(model);
  const graph = copy.graph!;
  const present = new Set([...(graph.output ?? []), ...(graph.input ?? [])].map((v) => v.name ?? ''));
  for (const name of tensors) {
    if (present.has(name)) continue;
    graph.output!.push(new onnx.ValueInfoProto({ name, type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: DataType.FLOAT }) }) }));
  }
  return copy;
}

function asFloat32(t: RuntimeTensorLike | RuntimeTensor, name: string): Float32Array {
  if (t.type !== 'float32') throw new OmnihubError('runtime', `calibration: onnxruntime returned '${name}' as ${t.type}, expected float32`);
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

/** Runs the samples and returns each tensor's range by the chosen method. */
export async function calibrate(
  model: ModelProto,
  tensors: string[],
  samples: Array<Record<string, RuntimeTensor>>,
  runtime: CompareRuntime,
  options: CalibrationOptions,
): Promise<Map<string, TensorRange>> {
  const inputs = new Set((model.graph?.input ?? []).map((v) => v.name ?? ''));
  const minmax = new Map<string, TensorRange>();
  const histograms = new Map<string, Histogram>();
  const symmetric = options.symmetric ?? true;
  let session;
  try {
    session = await runtime.createSession(encodeModel(augmented(model, tensors)));
  } catch (e) {
    throw new OmnihubError('runtime', `calibration: ${(e as Error).message}`, { cause: e });
  }
  try {
    for (const [index, sample] of samples.entries()) {
      throwIfStopped(options.signal);
      let outputs: Record<string, RuntimeTensorLike>;
      try {
        outputs = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, sample[n]])));
      } catch (e) {
        throw new OmnihubError(
          'runtime',
          `calibration sample ${index + 1} of ${samples.length}: ${(e as Error).message} (are the samples the shapes the model expects?)`,
          { cause: e },
        );
      }
      for (const name of tensors) {
        const value = inputs.has(name) ? sample[name] : outputs[name];
        if (!value) throw new OmnihubError('runtime', `calibration: onnxruntime returned no value for '${name}'`);
        const data = asFloat32(value, name);
        if (options.method === 'minmax') {
          // merge_range: the min of the minima and the max of the maxima.
          const [lo, hi] = minMax(data);
          const old = minmax.get(name);
          minmax.set(name, old ? { min: Math.min(old.min, lo), max: Math.max(old.max, hi) } : { min: lo, max: hi });
        } else if (options.method === 'entropy') {
          histograms.set(name, collectValue(histograms.get(name), data, 128, ENTROPY_MAX_BINS));
        } else {
          const old = histograms.get(name);
          histograms.set(name, symmetric ? collectAbsolute(old, data, 2048) : collectValue(old, data, 2048));
        }
      }
      options.onProgress?.((index + 1) / samples.length);
    }
  } finally {
    await session.release();
  }
  if (options.method === 'minmax') return minmax;
  const ranges = new Map<string, TensorRange>();
  for (const [name, h] of histograms) {
    const [min, max] = options.method === 'entropy' ? entropyRange(h, 128) : percentileRange(h, options.percentile, symmetric);
    ranges.set(name, { min, max });
  }
  return ranges;
}
