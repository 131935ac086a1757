/**
 * The twins: MLPerf Tiny's ResNet-8 as Keras saved it (keras/mlperftiny__pretrainedResnet.h5) and as TensorFlow's own
 * converter wrote it (tflite/mlperftiny__pretrainedResnet.tflite, the same trained weights). Converted through two
 * independent paths (the Keras layer converter, the TFLite operator converter), both ONNX models must compute the
 * same function; the int8 twin (…_quant.tflite) must track the float one.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readKerasFile } from '../../src/core/formats/keras/index.js';
import { convertKerasModel } from '../../src/core/convert/keras/index.js';
import { convertTflite } from '../../src/core/convert/tflite/index.js';
import { readTflite } from '../../src/core/formats/tflite/read.js';
import { encodeModel } from '../../src/core/onnx/codec.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { relL2, top1Agreement } from '../../src/core/validate/metrics.js';
import { runModel } from '../support/ort.js';
import { fixture } from '../support/paths.js';

const N = 100;
const bytes = (p: string) => new Uint8Array(readFileSync(fixture(p)));

/** 100 seeded images [N, 32, 32, 3], values uniform in [low, high). */
function images(seed: number, low: number, high: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: N * 32 * 32 * 3 }, () => low + (high - low) * next());
}

async function run(model: Uint8Array, data: Float32Array | Int8Array, type: 'float32' | 'int8', input = 'input_1') {
  const out = await runModel(model, { [input]: { type, data, dims: [N, 32, 32, 3] } });
  const first = Object.values(out)[0];
  expect([...first.dims]).toEqual([N, 10]);
  return first.data as Float32Array | Int8Array;
}

describe('ResNet-8 twins: Keras .h5 and TFLite, converted independently', () => {
  it('agree within relL2 1e-4 on 100 seeded inputs (and top-1 everywhere)', async () => {
    const keras = encodeModel(convertKerasModel(await readKerasFile(bytes('keras/mlperftiny__pretrainedResnet.h5'))).model);
    const tflite = encodeModel(convertTflite(bytes('tflite/mlperftiny__pretrainedResnet.tflite')).model);
    for (const [seed, low, high] of [[1, 0, 1], [2, 0, 255]] as const) {
      const x = images(seed, low, high);
      const a = await run(keras, x, 'float32');
      const b = await run(tflite, x, 'float32');
      const error = relL2(a, b);
      const agree = top1Agreement(a, b, [N, 10]);
      console.log(`inputs in [${low}, ${high}): Keras vs TFLite relL2 ${error.toExponential(2)}, top-1 agreement ${agree}`);
      expect(error).toBeLessThanOrEqual(1e-4);
      expect(agree).toBe(1);
    }
  });

  it('the int8 twin tracks the float twin on inputs drawn from its input quantization range (top-1 ≥ 0.9)', async () => {
    const quantBytes = bytes('tflite/mlperftiny__pretrainedResnet_quant.tflite');
    const graph = readTflite(quantBytes).subgraphs[0];
    const input = graph.tensors[graph.inputs[0]];
    const output = graph.tensors[graph.outputs[0]];
    const [scale] = input.quantization!.scales;
    const [zeroPoint] = input.quantization!.zeroPoints.map(Number);
    const [outScale] = output.quantization!.scales;
    const [outZero] = output.quantization!.zeroPoints.map(Number);
    // Every int8 code is a valid input; the float twin gets the same values dequantized.
    const next = mulberry32(7);
    const q = Int8Array.from({ length: N * 32 * 32 * 3 }, () => Math.floor(next() * 256) - 128);
    const x = Float32Array.from(q, (v) => (v - zeroPoint) * scale);
    const float = await run(encodeModel(convertTflite(bytes('tflite/mlperftiny__pretrainedResnet.tflite')).model), x, 'float32');
    const int8 = await run(encodeModel(convertTflite(quantBytes).model), q, 'int8', input.name);
    const dequantized = Float32Array.from(int8, (v) => (v - outZero) * outScale);
    const agree = top1Agreement(dequantized, float, [N, 10]);
    const error = relL2(dequantized, float);
    console.log(`int8 twin vs float twin: top-1 agreement ${agree}, relL2 ${error.toFixed(3)} (input scale ${scale}, zero point ${zeroPoint})`);
    expect(agree).toBeGreaterThanOrEqual(0.9);
  });
});
