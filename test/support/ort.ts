/** The real onnxruntime (onnxruntime-web's Node build, the same kernels the app runs in the browser). */
import * as ort from 'onnxruntime-web';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';

ort.env.wasm.numThreads = 1;
// Old-opset test models make onnxruntime warn on every session; only errors matter here.
ort.env.logLevel = 'error';

export { ort };

export async function runModel(model: Uint8Array, feeds: Record<string, RuntimeTensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as never, t.dims);
    return await session.run(inputs);
  } finally {
    await session.release();
  }
}

/** Largest |a−b| − rtol·|b| over all elements (≤ atol means within tolerance, as numpy.testing.assert_allclose). */
export function maxExcess(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, rtol: number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const b = Number(expected[i]);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    const excess = Math.abs(a - b) - rtol * Math.abs(b);
    if (!(excess <= worst)) worst = Number.isNaN(excess) ? Infinity : excess;
  }
  return worst;
}
