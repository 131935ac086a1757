/**
 * checkAgainstReference on real models with the input/output pairs their exporters stored (burn_mnist and MTCNN's
 * `*.io.npz`: PyTorch's outputs), so the numbers it reports come from onnxruntime against another framework.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { checkAgainstReference } from '../../src/core/validate/reference-check.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { fixture } from '../support/paths.js';

const runtime = ortRuntime();
const bytes = (...p: string[]) => new Uint8Array(readFileSync(fixture(...p)));

describe('checkAgainstReference', () => {
  it('matches outputs by name and passes where PyTorch and onnxruntime agree', async () => {
    const check = await checkAgainstReference(bytes('onnx/burn_mnist.onnx'), readNpz(bytes('onnx/burn_mnist.io.npz')), runtime);
    expect(check.inputsFromNpz).toEqual(['input']);
    expect(check.outputs.map((o) => [o.name, o.expected])).toEqual([['log_probs', 'log_probs']]);
    expect(check.outputs[0].relL2).toBeLessThan(1e-5);
    expect(check.passed).toBe(true);

    const mtcnn = await checkAgainstReference(bytes('onnx/mtcnn_rnet.onnx'), readNpz(bytes('onnx/mtcnn_rnet.io.npz')), runtime);
    expect(mtcnn.outputs.map((o) => o.expected).sort()).toEqual(['bbox', 'prob']);
    expect(Math.max(...mtcnn.outputs.map((o) => o.relL2))).toBeLessThan(1e-5);
  });

  it('fails an output outside the tolerance, and says which input the .npz lacks', async () => {
    const arrays = readNpz(bytes('onnx/burn_mnist.io.npz'));
    const expected = arrays.get('log_probs')!;
    const shifted = new Map(arrays);
    shifted.set('log_probs', { ...expected, data: (expected.data as Float32Array).map((v) => v * 1.01) });
    const check = await checkAgainstReference(bytes('onnx/burn_mnist.onnx'), shifted, runtime);
    expect(check.outputs[0].relL2).toBeGreaterThan(0.009);
    expect(check.outputs[0].relL2).toBeLessThan(0.011);
    expect(check.passed).toBe(false);

    const noInput = new Map([['log_probs', expected]]);
    await expect(checkAgainstReference(bytes('onnx/burn_mnist.onnx'), noInput, runtime)).rejects.toThrow(/no array for input 'input' \(it has 'log_probs'\)/);
  });
});
