// quantize-int8-dynamic against onnxruntime 1.30's own quantize_dynamic (the stored reference quantizations and
// numbers in ../shared/fixtures/reference/), run in the real onnxruntime (onnxruntime-web 1.30, the same kernels):
// error vs fp32 on the reference's inputs, file size, the quantized tensors themselves, MNIST accuracy, and the
// models the reference fails on.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { DataType, tensorDims, tensorValues } from '../../src/core/onnx/tensor.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { inputsFromNpz, mulberry32 } from '../../src/core/validate/inputs.js';
import { compareModels, type CompareResult } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { OmnihubError } from '../../src/core/errors.js';
import { countOps } from '../../src/core/rewrites/graph.js';
import { valueInfoOf } from '../../src/core/rewrites/simplify/scope.js';
import { runRecipe } from '../../src/core/rewrites/recipe.js';
import { unfreeze } from '../../src/core/rewrites/unfreeze/index.js';
import { quantizeDynamic, type QuantizeDynamicOptions } from '../../src/core/rewrites/quantize-dynamic/index.js';
import { fixture } from '../support/paths.js';
import { mnistAccuracy } from '../support/mnist.js';

const runtime = ortRuntime();
const bytesOf = (...parts: string[]) => new Uint8Array(readFileSync(fixture(...parts)));
const REF = (name: string) => fixture('reference', 'ort-py', name);
const report = JSON.parse(readFileSync(fixture('reference', 'ort-py-report.json'), 'utf8')) as {
  models: Record<string, Record<string, { size: number; ops: Record<string, number>; vs_fp32: { rel_l2: number }[] }>>;
};

const MODELS: Record<string, string[]> = {
  burn_mnist: ['onnx', 'burn_mnist.onnx'],
  'bert-tiny': ['hf', 'bert-tiny', 'model.onnx'],
  'gpt2-tiny': ['hf', 'gpt2-tiny', 'model.onnx'],
  mtcnn_rnet: ['onnx', 'mtcnn_rnet.onnx'],
};
/**
 * The reference's variants: quantize_dynamic(weight_type=QInt8); per_channel=True with reduce_range=True (the report's
 * q8dyn_pc numbers are those of per_channel + reduce_range: checked with onnxruntime 1.30's Python package, whose
 * per_channel alone gives burn_mnist 0.02723, as this step does); weight_type=QUInt8.
 */
const VARIANTS: Record<string, QuantizeDynamicOptions> = { q8dyn: {}, q8dyn_pc: { perChannel: true, reduceRange: true }, qu8dyn: { weightType: 'uint8' } };

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Quantizes, checking on the way that the input model's bytes are unchanged. */
function quantize(input: Uint8Array, options: QuantizeDynamicOptions = {}) {
  const model = decodeModel(input);
  const before = encodeModel(model);
  const result = quantizeDynamic(model, options);
  expect(sameBytes(encodeModel(model), before)).toBe(true);
  return { ...result, bytes: encodeModel(result.model) };
}

function npzInputs(name: string, model: Uint8Array): Record<string, RuntimeTensor> {
  return inputsFromNpz(summarizeModel(decodeModel(model)), readNpz(new Uint8Array(readFileSync(REF(`${name}.inputs.npz`)))));
}

const compare = (a: Uint8Array, b: Uint8Array, inputs: Record<string, RuntimeTensor>): Promise<CompareResult> => compareModels(a, b, { runtime, inputs, warmup: 1, runs: 1 });

const rows: string[] = [];
afterAll(() => {
  if (!rows.length) return;
  const head = ['model', 'variant', 'output', 'relL2 ours', 'relL2 ref', 'bytes ours', 'bytes ref', 'Δ size'];
  console.log(['', head.join(' | '), head.map(() => '---').join(' | '), ...rows].join('\n'));
});

async function checkVariant(name: string, variant: string) {
  const fp32 = bytesOf(...MODELS[name]);
  const ref = report.models[name][variant];
  const { bytes } = quantize(fp32, VARIANTS[variant]);
  const result = await compare(fp32, bytes, npzInputs(name, fp32));
  expect(result.outputs.length).toBe(ref.vs_fp32.length);
  const sizeDelta = bytes.length / ref.size - 1;
  result.outputs.forEach((o, i) => {
    const refL2 = ref.vs_fp32[i].rel_l2;
    rows.push([name, variant, o.name, o.relL2.toPrecision(4), refL2.toPrecision(4), bytes.length, ref.size, `${(sizeDelta * 100).toFixed(2)} %`].join(' | '));
    expect(o.relL2, `${name} ${variant} ${o.name}`).toBeLessThanOrEqual(1.1 * refL2 + 1e-9);
  });
  expect(Math.abs(sizeDelta)).toBeLessThan(0.02);
  return { bytes, ops: countOps(decodeModel(bytes)), refOps: ref.ops };
}

describe('quantize-int8-dynamic matches onnxruntime quantize_dynamic', () => {
  for (const name of Object.keys(MODELS)) {
    it(`${name}: rel L2 vs fp32 ≤ 1.1× the reference's, size within 2 %, same operators (q8dyn, per channel + reduce range, uint8)`, async () => {
      for (const variant of Object.keys(VARIANTS)) {
        const { ops, refOps } = await checkVariant(name, variant);
        expect(ops, `${name} ${variant} op counts`).toEqual(refOps);
      }
    });
  }

  for (const name of ['burn_mnist', 'bert-tiny']) {
    it(`${name}: every tensor and node equals the stored reference quantization (names, dtype, dims, values, scales, zero points)`, () => {
      const ours = quantize(bytesOf(...MODELS[name])).model.graph!;
      const ref = decodeModel(new Uint8Array(readFileSync(REF(`${name}.q8dyn.onnx`)))).graph!;
      const tensors = (g: typeof ref) => new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
      const a = tensors(ours);
      const b = tensors(ref);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [tname, t] of b) {
        const mine = a.get(tname)!;
        expect(mine.data_type, tname).toBe(t.data_type);
        expect(tensorDims(mine), tname).toEqual(tensorDims(t));
        // Stored differently (typed fields vs raw_data) is fine; the values must be the same, bit for bit.
        expect(Array.from(tensorValues(mine) as ArrayLike<number | bigint>), tname).toEqual(Array.from(tensorValues(t) as ArrayLike<number | bigint>));
      }
      const quantizedWeights = [...b.keys()].filter((n) => n.endsWith('_quantized'));
      expect(quantizedWeights.length).toBeGreaterThan(0);
      expect(quantizedWeights.every((n) => b.get(n)!.data_type === DataType.INT8 || b.get(n)!.data_type === DataType.UINT8)).toBe(true);
      // Node for node: op, name, inputs and outputs (the order within the graph may differ: onnxruntime re-sorts it).
      const key = (n: NonNullable<typeof ref.node>[number]) => JSON.stringify([n.op_type, n.name ?? '', n.input, n.output]);
      expect((ours.node ?? []).map(key).sort()).toEqual((ref.node ?? []).map(key).sort());
    });
  }

  it('burn_mnist: MNIST accuracy on all 10,000 digits ≥ 0.994 (fp32 0.9946; reference q8dyn 0.9946)', async () => {
    const { bytes } = quantize(bytesOf('onnx', 'burn_mnist.onnx'));
    const accuracy = await mnistAccuracy(bytes, runtime);
    rows.push(['burn_mnist', 'q8dyn', 'MNIST accuracy', accuracy.toFixed(4), '0.9946', '', '', ''].join(' | '));
    expect(accuracy).toBeGreaterThanOrEqual(0.994);
  });
});

describe('quantize-int8-dynamic where the reference fails', () => {
  it('ppocr_mobile_v2_cls (opset 9, weights in Constant nodes): quantizes, converts to opset 10, runs in onnxruntime', async () => {
    const fp32 = bytesOf('onnx', 'ppocr_mobile_v2_cls.onnx');
    const { bytes, report: r, model } = quantize(fp32);
    expect(r.notes.join('\n')).toMatch(/Constant-node weights? → initializers/);
    expect(r.notes.join('\n')).toMatch(/opset 9 → 10/);
    const ops = countOps(model);
    expect(ops.ConvInteger).toBe(53);
    expect(ops.MatMulInteger).toBe(1);
    expect(ops.QuantizeLinear).toBe(54); // opset 10: ReduceMin/ReduceMax + QuantizeLinear, no DynamicQuantizeLinear
    const result = await compare(fp32, bytes, npzInputs('ppocr_mobile_v2_cls', fp32));
    const o = result.outputs[0];
    rows.push(['ppocr_mobile_v2_cls', 'q8dyn', o.name, o.relL2.toPrecision(4), 'failed', bytes.length, '—', ''].join(' | '));
    expect(o.relL2).toBeLessThan(0.1);
    expect(o.top1Agree).toBe(1);

    // The same weights as initializers listed as graph inputs (unfreeze): frozen first, the same result.
    const unfrozen = encodeModel(unfreeze(decodeModel(fp32), { asInputs: true }).model);
    const again = quantize(unfrozen);
    expect(again.report.notes.join('\n')).toMatch(/frozen first/);
    expect(countOps(again.model).ConvInteger).toBe(53);
    const r2 = await compare(fp32, again.bytes, npzInputs('ppocr_mobile_v2_cls', fp32));
    expect(r2.outputs[0].relL2).toBeCloseTo(o.relL2, 6);
  });

  it('silero_vad_op18_ifless (weights used inside If branches): quantizes the branches, runs in onnxruntime', async () => {
    const fp32 = bytesOf('onnx', 'silero_vad_op18_ifless.onnx');
    const { bytes, model } = quantize(fp32);
    const ops = countOps(model);
    expect(ops.ConvInteger).toBe(12);
    expect(ops.MatMulInteger).toBe(4);
    const next = mulberry32(7);
    const audio = new Float32Array(512);
    for (let i = 0; i < audio.length; i++) audio[i] = 0.3 * Math.sin(i / 9) + 0.05 * (next() - 0.5);
    const inputs: Record<string, RuntimeTensor> = {
      input: { type: 'float32', data: audio, dims: [1, 512] },
      sr: { type: 'int64', data: BigInt64Array.of(16000n), dims: [] },
      state: { type: 'float32', data: new Float32Array(256), dims: [2, 1, 128] },
    };
    const result = await compare(fp32, bytes, inputs);
    expect(result.outputs.map((o) => o.name)).toEqual(['output', 'stateN']);
    for (const o of result.outputs) {
      rows.push(['silero_vad_op18_ifless', 'q8dyn', o.name, o.relL2.toPrecision(4), 'failed', bytes.length, '—', ''].join(' | '));
      expect(Number.isFinite(o.relL2)).toBe(true);
    }
    // The speech probability stays where it was. The recurrent state does not: the LSTM cell's pre-activations reach
    // ±1e4 here, so the 8-bit error of the last encoder Conv and of the input Gemm (a few 100 in absolute terms) flips
    // saturated gates. That is this model's sensitivity to int8, not a fault of the rewrite: quantized alone, that
    // Conv's output is 6 % (rel L2) off its float value and the Gemm's 1 %, in line with the other models.
    expect(result.outputs[0].maxAbs).toBeLessThan(0.01);
  });

  it('opset 10 (no DynamicQuantizeLinear): the ReduceMin/ReduceMax fallback is as accurate as DynamicQuantizeLinear', async () => {
    const model = decodeModel(bytesOf('onnx', 'burn_mnist.onnx'));
    model.opset_import![0].version = 10; // every operator of this model is the same in opset 10
    const fp32 = encodeModel(model);
    const { bytes, model: q } = quantize(fp32);
    expect(countOps(q).DynamicQuantizeLinear).toBeUndefined();
    expect(countOps(q).QuantizeLinear).toBe(5);
    const result = await compare(fp32, bytes, npzInputs('burn_mnist', fp32));
    expect(result.outputs[0].relL2).toBeLessThan(2 * report.models.burn_mnist.q8dyn.vs_fp32[0].rel_l2);
  });
});

describe('quantize-int8-dynamic options and bad input', () => {
  it('an already quantized model is refused; a model with nothing to quantize comes back unchanged, with a note', () => {
    const quantized = decodeModel(new Uint8Array(readFileSync(REF('burn_mnist.q8dyn.onnx'))));
    let error: unknown;
    try {
      quantizeDynamic(quantized);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OmnihubError);
    expect((error as OmnihubError).code).toBe('bad-recipe');
    expect((error as OmnihubError).message).toMatch(/already quantized/);

    const add = bytesOf('onnx', 'kotlindl__addnet.onnx');
    const { bytes, report: r } = quantize(add);
    expect(r.notes.join('\n')).toMatch(/nothing to quantize/);
    expect(sameBytes(bytes, add)).toBe(true);
  });

  it('IR 3 (every initializer listed as a graph input): the inputs follow the initializers', async () => {
    const model = decodeModel(bytesOf('onnx', 'burn_mnist.onnx'));
    model.ir_version = 3;
    model.graph!.input = [...model.graph!.input!, ...model.graph!.initializer!.map((t) => valueInfoOf(t))];
    const fp32 = encodeModel(model);
    const { model: q, bytes, report: r } = quantize(fp32);
    expect(r.notes.join('\n')).not.toMatch(/frozen/);
    const inputs = (q.graph!.input ?? []).map((v) => v.name);
    const initializers = (q.graph!.initializer ?? []).map((t) => t.name);
    expect(new Set(inputs)).toEqual(new Set(['input', ...initializers]));
    expect(inputs).not.toContain('fc1.weight');
    const result = await compare(bytesOf('onnx', 'burn_mnist.onnx'), bytes, npzInputs('burn_mnist', fp32));
    expect(result.outputs[0].relL2).toBeCloseTo(report.models.burn_mnist.q8dyn.vs_fp32[0].rel_l2, 6);
  });

  it('reduceRange gives 7-bit weights; nodesToExclude keeps a node in float; the recipe checks options', async () => {
    const mnist = bytesOf('onnx', 'burn_mnist.onnx');
    const reduced = quantize(mnist, { reduceRange: true }).model;
    for (const t of reduced.graph!.initializer ?? []) {
      if (!t.name?.endsWith('_quantized')) continue;
      let largest = 0;
      for (const v of tensorValues(t) as Int8Array) largest = Math.max(largest, Math.abs(v));
      expect(largest, t.name).toBe(64); // symmetric int8 in [−64, 64]: the largest weight of each tensor maps to 64
    }
    const partial = quantize(mnist, { nodesToExclude: ['/fc1/Gemm', '/conv1/Conv'] }).model;
    expect(countOps(partial)).toMatchObject({ Gemm: 1, MatMulInteger: 1, Conv: 1, ConvInteger: 2 });

    // Quantizing the partly quantized result again quantizes what was left (conv1, fc1), beside the quantized operators.
    const rest = quantize(encodeModel(partial));
    expect(rest.report.notes.join('\n')).toMatch(/already partly quantized/);
    expect(countOps(rest.model)).toMatchObject({ MatMulInteger: 2, ConvInteger: 3, DynamicQuantizeLinear: 5 });
    expect(countOps(rest.model).Conv).toBeUndefined();
    expect(countOps(rest.model).Gemm).toBeUndefined();
    const r = await compare(mnist, rest.bytes, npzInputs('burn_mnist', mnist));
    expect(r.outputs[0].relL2).toBeLessThan(0.05);

    const { model, reports } = await runRecipe(decodeModel(mnist), { steps: [{ step: 'quantize-int8-dynamic', options: { perChannel: true } }] });
    expect(countOps(model).MatMulInteger).toBe(2);
    expect(reports[0].notes.join('\n')).toMatch(/quantized: Conv → ConvInteger ×3, Gemm → MatMulInteger ×2/);
    for (const options of [{ weightType: 'int4' }, { opTypes: ['LSTM'] }, { nodesToInclude: ['no such node'] }]) {
      await expect(runRecipe(decodeModel(mnist), { steps: [{ step: 'quantize-int8-dynamic', options }] })).rejects.toMatchObject({ code: 'bad-recipe' });
    }
  });
});

