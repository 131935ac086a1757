/**
 * Weight injection (src/core/convert/inject-weights.ts) on real models: burn's MNIST graph with the weights of
 * another training run (safetensors) and with its own weights (.pt), MNIST accuracy on all 10,000 digits, the
 * matching rules on real exporters' names (dynamo's wrapper prefix on GPT-2, TorchScript's `onnx::PRelu_*` on MTCNN),
 * the casts (into onnxruntime's float16 model, bit for bit as its converter), and the refusals.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { injectWeights } from '../../src/core/convert/inject-weights.js';
import { decodeModel, encodeModel, onnx, type ModelProto } from '../../src/core/onnx/codec.js';
import { DataType, tensorDims } from '../../src/core/onnx/tensor.js';
import { readSafetensors } from '../../src/core/formats/safetensors/read.js';
import { readTorchFile } from '../../src/core/formats/pytorch/index.js';
import { OmnihubError } from '../../src/core/errors.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { toFloat32, weightDtypeOfOnnx, type StateDict, type WeightTensor } from '../../src/core/weights/types.js';
import { mnistAccuracy } from '../support/mnist.js';
import { fixture } from '../support/paths.js';

const load = (...p: string[]) => new Uint8Array(readFileSync(fixture(...p)));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const runtime = ortRuntime();

const MNIST_ONNX = load('onnx/burn_mnist.onnx');
const mnistModel = () => decodeModel(MNIST_ONNX);
const otherRun = () => readSafetensors(load('safetensors/burn__mnist.safetensors')).tensors;

function initializers(model: ModelProto): Map<string, onnx.ITensorProto> {
  return new Map((model.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
}

/** The model's own float32 initializers as a state dict (raw_data views). */
function stateDictOf(model: ModelProto, rename: (name: string) => string = (n) => n): StateDict {
  const sd: StateDict = new Map();
  for (const t of model.graph!.initializer ?? []) {
    const name = rename(t.name ?? '');
    sd.set(name, { name, dtype: weightDtypeOfOnnx(t.data_type!)!, shape: tensorDims(t), bytes: t.raw_data! });
  }
  return sd;
}

function mapTensors(sd: StateDict, f: (t: WeightTensor) => WeightTensor): StateDict {
  return new Map([...sd.values()].map(f).map((t) => [t.name, t]));
}

function castTo(t: WeightTensor, dtype: 'float16' | 'bfloat16' | 'float64'): WeightTensor {
  if (t.dtype !== 'float32') return t;
  const v = toFloat32(t);
  if (dtype === 'float64') return { ...t, dtype, bytes: new Uint8Array(Float64Array.from(v).buffer) };
  const bits = new Uint16Array(v.length);
  const u = new Uint32Array(Float32Array.from(v).buffer);
  // Truncation is enough here: these are test inputs, the injector's own conversion is what is measured.
  for (let i = 0; i < v.length; i++) bits[i] = dtype === 'bfloat16' ? u[i] >>> 16 : float16Bits(v[i]);
  return { ...t, dtype, bytes: new Uint8Array(bits.buffer) };
}

function float16Bits(x: number): number {
  const f = new Float32Array([x]);
  const b = new Uint32Array(f.buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const e = ((b >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return sign;
  if (e >= 31) return sign | 0x7c00;
  return sign | (e << 10) | ((b >>> 13) & 0x3ff);
}

describe('burn MNIST: injecting weights into burn_mnist.onnx', () => {
  it('the graph as exported scores 0.9946 on the 10,000 digits', async () => {
    expect(await mnistAccuracy(MNIST_ONNX, runtime)).toBe(0.9946);
  });

  it("with safetensors/burn__mnist.safetensors (another training run) it scores 0.9977 ± 0.0005", async () => {
    const before = sha(MNIST_ONNX);
    const model = mnistModel();
    const { model: injected, report } = injectWeights(model, otherRun());
    expect(report.matched.length).toBe(18);
    expect(report.matched.every((m) => m.rule === 'exact' && m.weight === m.initializer && !m.cast && !m.reshaped)).toBe(true);
    expect(report.unmatched).toEqual([]);
    expect(report.skipped.map((s) => s.name)).toEqual(['norm1.num_batches_tracked', 'norm2.num_batches_tracked']);
    expect(report.untouched).toEqual([]);
    const accuracy = await mnistAccuracy(encodeModel(injected), runtime);
    expect(Math.abs(accuracy - 0.9977)).toBeLessThanOrEqual(0.0005);
    expect(accuracy).toBe(0.9977);
    // The input model and its bytes are unchanged.
    expect(sha(MNIST_ONNX)).toBe(before);
    expect(same(encodeModel(model), MNIST_ONNX)).toBe(true);
  });

  it("with pytorch/burn__mnist.pt (the graph's own weights) every initializer is byte-identical and it scores 0.9946", async () => {
    const torch = readTorchFile(load('pytorch/burn__mnist.pt'));
    const model = mnistModel();
    const { model: injected, report } = injectWeights(model, torch.tensors, { strict: true });
    expect(report.matched.length).toBe(18);
    expect(report.skipped.length).toBe(2);
    const original = initializers(model);
    const written = initializers(injected);
    for (const [name, t] of original) {
      expect(written.get(name) !== t).toBe(true); // a new TensorProto …
      expect(same(written.get(name)!.raw_data!, t.raw_data!), name).toBe(true); // … with the same bytes
      expect(written.get(name)!.raw_data!.buffer).toBe(torch.tensors.get(name)!.bytes.buffer); // shared, not copied
    }
    // Even the whole encoded model is the exporter's file again.
    expect(same(encodeModel(injected), MNIST_ONNX)).toBe(true);
    expect(await mnistAccuracy(encodeModel(injected), runtime)).toBe(0.9946);
  });

  it('a shape mismatch is reported with the tensor and both shapes, and fails in strict mode', () => {
    const sd = otherRun();
    sd.set('fc2.weight', { name: 'fc2.weight', dtype: 'float32', shape: [10, 16], bytes: new Uint8Array(640) });
    const model = mnistModel();
    const { model: injected, report } = injectWeights(model, sd);
    expect(report.unmatched).toEqual([{ name: 'fc2.weight', kind: 'shape', reason: 'shape [10, 16] vs [10, 32]', initializer: 'fc2.weight' }]);
    expect(report.matched.length).toBe(17);
    expect(report.untouched).toEqual(['fc2.weight']);
    expect(initializers(injected).get('fc2.weight')).toBe(initializers(model).get('fc2.weight'));
    let error: unknown;
    try {
      injectWeights(model, sd, { strict: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OmnihubError);
    expect((error as OmnihubError).code).toBe('mismatch');
    expect((error as OmnihubError).message).toBe("1 weight(s) do not fit the model: 'fc2.weight' (shape [10, 16] vs [10, 32], initializer 'fc2.weight').");
    expect(same(encodeModel(model), MNIST_ONNX)).toBe(true);
  });

  it('an unknown weight is unmatched (strict fails), a missing num_batches_tracked initializer is only skipped', () => {
    const sd = otherRun();
    sd.set('head.weight', { name: 'head.weight', dtype: 'float32', shape: [2], bytes: new Uint8Array(8) });
    const { report } = injectWeights(mnistModel(), sd);
    expect(report.unmatched).toEqual([{ name: 'head.weight', kind: 'name', reason: 'no initializer of that name' }]);
    expect(() => injectWeights(mnistModel(), sd, { strict: true })).toThrow(/'head.weight' \(no initializer of that name\)/);
    // Counters alone never fail strict mode.
    expect(() => injectWeights(mnistModel(), otherRun(), { strict: true })).not.toThrow();
  });

  it('float16, bfloat16 and float64 weights are converted into the float32 initializers and reported; allowCast: false refuses them', async () => {
    const sd = otherRun();
    const f64 = injectWeights(mnistModel(), mapTensors(sd, (t) => castTo(t, 'float64')));
    expect(f64.report.matched.every((m) => m.cast?.from === 'float64' && m.cast.to === 'float32')).toBe(true);
    // float32 → float64 → float32 is exact: the same model as injecting the float32 weights.
    expect(same(encodeModel(f64.model), encodeModel(injectWeights(mnistModel(), sd).model))).toBe(true);

    const f16 = injectWeights(mnistModel(), mapTensors(sd, (t) => castTo(t, 'float16')));
    expect(f16.report.matched.length).toBe(18);
    expect(f16.report.matched.every((m) => m.cast?.from === 'float16' && m.cast.to === 'float32')).toBe(true);
    const acc16 = await mnistAccuracy(encodeModel(f16.model), runtime);
    expect(Math.abs(acc16 - 0.9977)).toBeLessThanOrEqual(0.001);

    const bf16 = injectWeights(mnistModel(), mapTensors(sd, (t) => castTo(t, 'bfloat16')));
    expect(bf16.report.matched.every((m) => m.cast?.from === 'bfloat16')).toBe(true);
    const fc1 = initializers(bf16.model).get('fc1.weight')!;
    // Each converted value is exactly the bfloat16 value widened.
    const widened = toFloat32(castTo(sd.get('fc1.weight')!, 'bfloat16'));
    expect(same(fc1.raw_data!, new Uint8Array(widened.buffer))).toBe(true);

    const refused = injectWeights(mnistModel(), mapTensors(sd, (t) => castTo(t, 'float16')), { allowCast: false });
    expect(refused.report.matched).toEqual([]);
    expect(refused.report.unmatched.length).toBe(18);
    expect(refused.report.unmatched[0]).toEqual({ name: 'conv1.bias', kind: 'dtype', reason: 'dtype float16 vs float32 (allowCast is off)', initializer: 'conv1.bias' });
    expect(refused.report.untouched.length).toBe(18);
  });

  it("float32 weights into onnxruntime's float16 model give its converter's bits exactly", async () => {
    const fp16Bytes = load('reference/ort-py/burn_mnist.fp16.onnx');
    const fp16 = decodeModel(fp16Bytes);
    // The fp32 graph's own weights, narrowed by the injector, are what convert_float_to_float16 wrote.
    const { model, report } = injectWeights(fp16, stateDictOf(mnistModel()), { strict: true });
    expect(report.matched.length).toBe(18);
    expect(report.matched.every((m) => m.cast?.from === 'float32' && m.cast.to === 'float16')).toBe(true);
    // Values below float16's smallest subnormal are clamped to it, as the converter does (and reported).
    expect(Object.fromEntries(report.matched.filter((m) => m.cast!.clamped).map((m) => [m.weight, m.cast!.clamped]))).toEqual({
      'norm1.running_mean': 2, 'norm1.running_var': 2, 'fc1.weight': 2,
    });
    const reference = initializers(fp16);
    for (const [name, t] of initializers(model)) expect(same(t.raw_data!, reference.get(name)!.raw_data!), name).toBe(true);
    // And the other run's weights work in the float16 graph as well.
    const other = injectWeights(fp16, otherRun());
    const accuracy = await mnistAccuracy(encodeModel(other.model), runtime);
    expect(Math.abs(accuracy - 0.9977)).toBeLessThanOrEqual(0.001);
  });

  it('clears typed fields and external-data references of the initializers it writes', () => {
    const model = mnistModel();
    const g = model.graph as onnx.GraphProto;
    const i1 = g.initializer.findIndex((t) => t.name === 'fc1.weight');
    const i2 = g.initializer.findIndex((t) => t.name === 'fc2.bias');
    g.initializer[i1] = new onnx.TensorProto({
      name: 'fc1.weight', dims: [32, 11616], data_type: DataType.FLOAT,
      data_location: onnx.TensorProto.DataLocation.EXTERNAL,
      external_data: [new onnx.StringStringEntryProto({ key: 'location', value: 'weights.bin' }), new onnx.StringStringEntryProto({ key: 'length', value: '1486848' })],
    });
    g.initializer[i2] = new onnx.TensorProto({ name: 'fc2.bias', dims: [10], data_type: DataType.FLOAT, float_data: Array.from({ length: 10 }, (_, i) => i) });
    const sd = otherRun();
    const { model: out } = injectWeights(model, sd);
    const w = initializers(out).get('fc1.weight')!;
    expect(w.data_location ?? 0).toBe(0);
    expect(w.external_data ?? []).toEqual([]);
    expect(same(w.raw_data!, sd.get('fc1.weight')!.bytes)).toBe(true);
    const b = decodeModel(encodeModel(out)).graph!.initializer!.find((t) => t.name === 'fc2.bias')!;
    expect(b.float_data).toEqual([]);
    expect(same(b.raw_data!, sd.get('fc2.bias')!.bytes)).toBe(true);
    // The input still has its external reference and typed data.
    expect(g.initializer[i1].external_data!.length).toBe(2);
    expect(g.initializer[i2].float_data!.length).toBe(10);
  });
});

describe('matching rules', () => {
  it("'module.' / 'model.' prefixes are removed or added", () => {
    const sd = mapTensors(otherRun(), (t) => ({ ...t, name: `module.${t.name}` }));
    const { report } = injectWeights(mnistModel(), sd);
    expect(report.matched.length).toBe(18);
    expect(report.matched.every((m) => m.rule === 'prefix' && m.weight === `module.${m.initializer}`)).toBe(true);
    expect(report.skipped.length).toBe(2);
  });

  it('nameMap comes first, and names an initializer that must exist', () => {
    const sd = mapTensors(otherRun(), (t) => (t.name === 'fc1.weight' ? { ...t, name: 'dense.w' } : t));
    const { report } = injectWeights(mnistModel(), sd, { nameMap: { 'dense.w': 'fc1.weight' } });
    expect(report.matched.find((m) => m.weight === 'dense.w')).toEqual({ weight: 'dense.w', initializer: 'fc1.weight', rule: 'name-map' });
    expect(report.unmatched).toEqual([]);
    const bad = injectWeights(mnistModel(), sd, { nameMap: { 'dense.w': 'fc9.weight' } });
    expect(bad.report.unmatched).toEqual([{ name: 'dense.w', kind: 'name', reason: "nameMap names initializer 'fc9.weight', which the model does not have" }]);
  });

  it("GPT-2 exported by dynamo: the wrapper's 'm.' prefix is matched as a dotted suffix, and the result is the exporter's file", () => {
    const bytes = load('hf/gpt2-tiny/model.onnx');
    const { tensors } = readSafetensors(load('hf/gpt2-tiny/model.safetensors'));
    const { model, report } = injectWeights(decodeModel(bytes), tensors);
    expect(report.matched.length).toBe(11);
    expect(report.matched.every((m) => m.rule === 'suffix' && m.initializer === `m.${m.weight}`)).toBe(true);
    // The exporter folded LayerNorm/bias constants (all ones / zeros) into shared values and tied lm_head to wte:
    // those weights have no initializer of their own.
    expect(report.unmatched.length).toBe(17);
    expect(report.unmatched.every((u) => u.reason === 'no initializer of that name')).toBe(true);
    expect(report.unmatched.map((u) => u.name)).toContain('transformer.wte.weight');
    expect(report.untouched).toContain('m.lm_head.weight');
    expect(same(encodeModel(model), bytes)).toBe(true);
  });

  it("MTCNN P-Net exported by TorchScript: prelu weights renamed 'onnx::PRelu_*' and reshaped [C] → [C,1,1] are paired by shape and order", async () => {
    const bytes = load('onnx/mtcnn_pnet.onnx');
    const torch = readTorchFile(load('pytorch/facenet-pytorch__pnet.pt'));
    expect(torch.tensors.size).toBe(13);
    const { model, report } = injectWeights(decodeModel(bytes), torch.tensors, { strict: true });
    const renamed = report.matched.filter((m) => m.rule === 'onnx-rename');
    expect(renamed).toEqual([
      { weight: 'prelu1.weight', initializer: 'onnx::PRelu_30', rule: 'onnx-rename', reshaped: { from: [10], to: [10, 1, 1] } },
      { weight: 'prelu2.weight', initializer: 'onnx::PRelu_31', rule: 'onnx-rename', reshaped: { from: [16], to: [16, 1, 1] } },
      { weight: 'prelu3.weight', initializer: 'onnx::PRelu_32', rule: 'onnx-rename', reshaped: { from: [32], to: [32, 1, 1] } },
    ]);
    expect(report.matched.length).toBe(13);
    expect(report.untouched).toEqual([]);
    // These are the weights the graph was exported from: the file comes back unchanged.
    expect(same(encodeModel(model), bytes)).toBe(true);
  });

  it("'onnx::' pairing is all or nothing: an extra weight or a different order leaves everything unmatched", () => {
    const torch = readTorchFile(load('pytorch/facenet-pytorch__pnet.pt')).tensors;
    const extra = new Map(torch);
    extra.set('prelu4.weight', { ...torch.get('prelu3.weight')!, name: 'prelu4.weight' });
    const a = injectWeights(decodeModel(load('onnx/mtcnn_pnet.onnx')), extra);
    expect(a.report.matched.some((m) => m.rule === 'onnx-rename')).toBe(false);
    expect(a.report.unmatched.map((u) => u.name)).toEqual(['prelu1.weight', 'prelu2.weight', 'prelu3.weight', 'prelu4.weight']);
    expect(a.report.notes[0]).toMatch(/4 weight\(s\) found no initializer by name and 3 'onnx::' initializer\(s\) are free/);

    const names = [...torch.keys()];
    const swapped = new Map(names.map((n) => [n, torch.get(n)!]));
    const p1 = torch.get('prelu1.weight')!;
    const p2 = torch.get('prelu2.weight')!;
    swapped.set('prelu1.weight', { ...p2, name: 'prelu1.weight' });
    swapped.set('prelu2.weight', { ...p1, name: 'prelu2.weight' });
    const b = injectWeights(decodeModel(load('onnx/mtcnn_pnet.onnx')), swapped);
    expect(b.report.matched.some((m) => m.rule === 'onnx-rename')).toBe(false);
    expect(b.report.unmatched.length).toBe(3);

    const off = injectWeights(decodeModel(load('onnx/mtcnn_pnet.onnx')), torch, { matchOnnxRenames: false });
    expect(off.report.unmatched.length).toBe(3);
  });
});
