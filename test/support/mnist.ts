/** Top-1 accuracy of a model on the 10,000 real MNIST digits (src/core/datasets/mnist.ts). */
import type { CompareRuntime } from '../../src/core/validate/compare.js';
import { loadMnist } from '../../src/core/datasets/mnist.js';

export { loadMnist };

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
