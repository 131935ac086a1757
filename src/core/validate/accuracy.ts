/**
 * Top-1 accuracy of a classifier on a labelled data set (MNIST digits, say), run in onnxruntime in batches: the
 * class is the argmax of the first output shaped [N, classes]. The runtime is passed in, as for compareModels.
 * A model whose batch dimension is fixed runs in batches of that size.
 */
import { decodeModel } from '../onnx/codec.js';
import { summarizeModel } from '../onnx/summary.js';
import { OmnihubError } from '../errors.js';
import { throwIfStopped } from '../rewrites/abort.js';
import type { CompareRuntime } from './compare.js';

export interface LabelledSet {
  /** `count` samples of `sampleDims` each, back to back. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  /** The dimensions of one sample, without the batch: [1, 28, 28] for MNIST. */
  sampleDims: number[];
}

export interface AccuracyResult {
  correct: number;
  count: number;
  /** correct / count. */
  accuracy: number;
}

export async function top1Accuracy(
  model: Uint8Array,
  set: LabelledSet,
  runtime: CompareRuntime,
  options: { batch?: number; signal?: AbortSignal } = {},
): Promise<AccuracyResult> {
  const [input] = summarizeModel(decodeModel(model)).inputs;
  if (!input) throw new OmnihubError('usage', 'the model has no input to feed the data set to');
  const fixed = input.shape?.[0];
  const batch = typeof fixed === 'number' && fixed > 0 ? fixed : Math.max(1, options.batch ?? 100);
  const size = set.sampleDims.reduce((a, b) => a * b, 1);
  const session = await runtime.createSession(model);
  let correct = 0;
  let seen = 0;
  try {
    for (let start = 0; start < set.count; start += batch) {
      throwIfStopped(options.signal);
      const n = Math.min(batch, set.count - start);
      // A fixed batch dimension takes no smaller last batch: those samples are left out (count says how many ran).
      if (n < batch && typeof fixed === 'number') break;
      const data = set.images.slice(start * size, (start + n) * size);
      const outputs = await session.run({ [input.name]: { type: 'float32', data, dims: [n, ...set.sampleDims] } });
      const out = session.outputNames.map((name) => outputs[name]).find((t) => t && t.dims.length === 2 && t.dims[0] === n && t.dims[1] > 1);
      if (!out) throw new OmnihubError('unsupported', `no output of the model is [${n}, classes]: top-1 accuracy needs a classifier's scores`);
      const classes = out.dims[1];
      const values = out.data as ArrayLike<number>;
      for (let r = 0; r < n; r++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (values[r * classes + c] > values[r * classes + best]) best = c;
        if (best === set.labels[start + r]) correct++;
      }
      seen += n;
    }
  } finally {
    await session.release();
  }
  return { correct, count: seen, accuracy: seen ? correct / seen : NaN };
}
