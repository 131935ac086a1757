// torchvision architectures rebuilt in TypeScript from a state dict, run in the real onnxruntime (onnxruntime-web's
// Node build): the two torchvision-made fixtures reproduce torchvision's own eval-mode output; every other builder's
// key list gives torchvision's own num_params (the catalog's) and, with seeded random weights, a model that loads and
// outputs [N, classes]; mobilenet_v2 and squeezenet1_1 rebuilt from the weights of independent torch.onnx exports
// agree with those exports; wrong weights and unknown architectures fail with the right error.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TORCHVISION_ARCHITECTURES,
  buildTorchvisionModel,
  guessTorchvisionArchitecture,
  torchvisionExpectedTensors,
  torchvisionInputSpec,
  torchvisionParameterCount,
} from '../../src/core/convert/torchvision/index.js';
import { readTorchFile } from '../../src/core/formats/pytorch/index.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { decodeModel, encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { tensorValues, tensorDims } from '../../src/core/onnx/tensor.js';
import { relL2, maxAbs } from '../../src/core/validate/metrics.js';
import { float32ToFloat16Bits, mulberry32 } from '../../src/core/validate/inputs.js';
import { runRecipe } from '../../src/core/rewrites/recipe.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { TORCHVISION_CATALOG } from '../../src/core/sources/torchvision/catalog.js';
import { OmnihubError } from '../../src/core/errors.js';
import type { StateDict, WeightTensor } from '../../src/core/weights/types.js';
import { ort } from '../support/ort.js';
import { fixture } from '../support/paths.js';

const rows: string[] = [];
afterAll(() => {
  if (rows.length) console.log(['', 'torchvision conversions (measured):', ...rows].join('\n'));
});

/** Runs a model on one float32 input; `optimize` lets onnxruntime fuse (faster, for the random-weight runs). */
async function run(model: ModelProto | Uint8Array, input: Float32Array, dims: number[], optimize = false): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: optimize ? 'all' : 'disabled' });
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
    const t = out[session.outputNames[0]];
    return { data: t.data as Float32Array, dims: t.dims };
  } finally {
    await session.release();
  }
}

function f32(name: string, shape: number[], values: Float32Array): WeightTensor {
  return { name, dtype: 'float32', shape, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/**
 * A state dict with torchvision's key names and shapes (from the builder's expectations) and seeded random values:
 * Kaiming-uniform convolutions, BatchNorm weight 0.8–1.2, bias and running_mean ±0.1, running_var 0.5–1.5,
 * num_batches_tracked as torch saves it (int64 scalar).
 */
function randomStateDict(arch: string, seed = 1, numClasses = 1000): StateDict {
  const rand = mulberry32(seed);
  const uniform = (n: number, lo: number, hi: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
    return a;
  };
  const sd: StateDict = new Map();
  for (const t of torchvisionExpectedTensors(arch, numClasses)) {
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (t.dtype === 'int64') {
      sd.set(t.name, { name: t.name, dtype: 'int64', shape: [], bytes: new Uint8Array(8) });
      continue;
    }
    let values: Float32Array;
    if (t.name.endsWith('running_var')) values = uniform(n, 0.5, 1.5);
    else if (t.name.endsWith('running_mean') || t.name.endsWith('.bias')) values = uniform(n, -0.1, 0.1);
    else if (t.shape.length === 1) values = uniform(n, 0.8, 1.2);
    else {
      const fanIn = n / t.shape[0];
      const a = Math.sqrt((t.shape.length === 4 ? 6 : 3) / fanIn);
      values = uniform(n, -a, a);
    }
    sd.set(t.name, f32(t.name, t.shape, values));
  }
  return sd;
}

function randomInput(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 4 - 2;
  return a;
}

function catalogNumParams(arch: string): number[] {
  return [...new Set(TORCHVISION_CATALOG.filter((e) => e.builder === arch).map((e) => e.numParams))];
}

const isFinite32 = (a: Float32Array) => a.every((v) => Number.isFinite(v));

async function rejection(f: () => unknown): Promise<OmnihubError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(OmnihubError);
    return e as OmnihubError;
  }
  throw new Error('expected an error');
}

// ---- torchvision's own outputs --------------------------------------------------------------------------------

describe('torchvision fixtures: the rebuilt model reproduces torchvision eval-mode output', () => {
  for (const arch of ['squeezenet1_1', 'mobilenet_v3_small']) {
    it(arch, async () => {
      const file = readTorchFile(new Uint8Array(readFileSync(fixture('pytorch', 'torchvision', `${arch}-random.pth`))));
      expect(guessTorchvisionArchitecture(file.tensors)).toBe(arch);
      const { model, report } = buildTorchvisionModel(arch, file.tensors);
      expect(report.arch).toBe(arch);
      expect(report.unusedWeights).toEqual([]);
      expect(catalogNumParams(arch)).toContain(report.parameters);

      const ref = readNpz(new Uint8Array(readFileSync(fixture('pytorch', 'torchvision', `${arch}-random.reference.npz`))));
      const input = ref.get('input')!;
      const expected = ref.get('output')!;
      expect(input.shape).toEqual([2, 3, 224, 224]);
      const bytes = encodeModel(model);

      const out = await run(bytes, input.data as Float32Array, input.shape);
      expect(out.dims).toEqual([2, 1000]);
      const r2 = relL2(out.data, expected.data as Float32Array);
      const ma = maxAbs(out.data, expected.data as Float32Array);
      rows.push(`${arch}: batch 2 vs torchvision: relL2 ${r2.toExponential(3)}, maxAbs ${ma.toExponential(3)}`);
      expect(r2).toBeLessThanOrEqual(1e-5);

      const one = await run(bytes, (input.data as Float32Array).subarray(0, 3 * 224 * 224), [1, 3, 224, 224]);
      expect(one.dims).toEqual([1, 1000]);
      const r1 = relL2(one.data, (expected.data as Float32Array).subarray(0, 1000));
      rows.push(`${arch}: batch 1 (first row) vs torchvision: relL2 ${r1.toExponential(3)}`);
      expect(r1).toBeLessThanOrEqual(1e-5);
    });
  }
});

// ---- independent torch.onnx exports of the same architectures ---------------------------------------------------

/**
 * The state dict behind a torch.onnx export: initializers per Conv node in graph order (Identity aliases resolved).
 * torch folds BatchNorm into the preceding conv in eval-mode exports, so a conv+BN pair of the architecture gets the
 * folded weight and bias, and the BN the identity (weight 1, bias = folded bias, mean 0, var 1 − eps).
 */
function stateDictFromExport(exportBytes: Uint8Array, arch: string, eps: number): StateDict {
  const g = decodeModel(exportBytes).graph!;
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  const alias = new Map(g.node!.filter((n) => n.op_type === 'Identity').map((n) => [n.output![0], n.input![0]]));
  const init = (name: string) => {
    let n = name;
    while (!inits.has(n) && alias.has(n)) n = alias.get(n)!;
    const t = inits.get(n);
    if (!t) throw new Error(`no initializer ${name}`);
    return { values: Float32Array.from(tensorValues(t) as Float32Array), dims: tensorDims(t) };
  };
  const convs = g.node!.filter((n) => n.op_type === 'Conv');
  const gemm = g.node!.find((n) => n.op_type === 'Gemm');
  const expected = torchvisionExpectedTensors(arch).filter((t) => !t.optional);
  const sd: StateDict = new Map();
  let c = 0;
  for (let i = 0; i < expected.length; i++) {
    const t = expected[i];
    if (t.shape.length === 4) {
      const node = convs[c++];
      const w = init(node.input![1]);
      expect(w.dims).toEqual(t.shape);
      sd.set(t.name, f32(t.name, t.shape, w.values));
      const bias = node.input![2] ? init(node.input![2]).values : new Float32Array(t.shape[0]);
      const next = expected[i + 1];
      if (next?.name === t.name.replace(/weight$/, 'bias')) {
        sd.set(next.name, f32(next.name, next.shape, bias));
        i += 1;
      } else if (expected[i + 3]?.name.endsWith('running_mean')) {
        // conv (no bias) + BatchNorm: weight, bias, running_mean, running_var
        const [bw, bb, bm, bv] = expected.slice(i + 1, i + 5);
        const n = t.shape[0];
        sd.set(bw.name, f32(bw.name, [n], new Float32Array(n).fill(1)));
        sd.set(bb.name, f32(bb.name, [n], bias));
        sd.set(bm.name, f32(bm.name, [n], new Float32Array(n)));
        sd.set(bv.name, f32(bv.name, [n], new Float32Array(n).fill(1 - eps)));
        i += 4;
      }
    } else if (t.shape.length === 2) {
      sd.set(t.name, f32(t.name, t.shape, init(gemm!.input![1]).values));
      const b = expected[++i];
      sd.set(b.name, f32(b.name, b.shape, init(gemm!.input![2]).values));
    } else {
      throw new Error(`unexpected ${t.name}`);
    }
  }
  expect(c).toBe(convs.length);
  return sd;
}

describe('weights of independent torch.onnx exports (torchvision 0.14) give the same outputs', () => {
  for (const [arch, file] of [['mobilenet_v2', 'tv_mobilenet_v2.onnx'], ['squeezenet1_1', 'tv_squeezenet1_1.onnx']] as const) {
    it(arch, async () => {
      const exportBytes = new Uint8Array(readFileSync(fixture('onnx', file)));
      const sd = stateDictFromExport(exportBytes, arch, 1e-5);
      expect(guessTorchvisionArchitecture(sd)).toBe(arch);
      const { model } = buildTorchvisionModel(arch, sd);
      const input = randomInput(2 * 3 * 224 * 224, 11);
      const ours = await run(model, input, [2, 3, 224, 224]);
      const theirs = await run(exportBytes, input, [2, 3, 224, 224]);
      const r = relL2(ours.data, theirs.data);
      rows.push(`${arch}: vs ${file} (batch 2): relL2 ${r.toExponential(3)}`);
      expect(r).toBeLessThanOrEqual(1e-5);
      // not vacuous: the two rows differ, and a 1 % change of one early tensor shows far above the tolerance
      expect(relL2(ours.data.subarray(0, 1000), ours.data.subarray(1000))).toBeGreaterThan(1e-3);
      const key = [...sd.keys()].find((k) => k.endsWith('running_var')) ?? 'features.0.weight';
      const t = sd.get(key)!;
      const changed = new Map(sd);
      changed.set(key, f32(key, t.shape, new Float32Array(t.bytes.slice().buffer).map((v) => v * 1.01)));
      const off = await run(buildTorchvisionModel(arch, changed).model, input, [2, 3, 224, 224]);
      const rOff = relL2(off.data, theirs.data);
      rows.push(`${arch}: negative control (${key} × 1.01): relL2 ${rOff.toExponential(3)}`);
      expect(rOff).toBeGreaterThan(1e-4);
    });
  }
});

// ---- every architecture -------------------------------------------------------------------------------------------

describe('every architecture: torchvision key names and shapes, num_params = the catalog', () => {
  it('covers the asked-for builders and only catalog classification builders', () => {
    const asked = ['resnet18', 'resnet34', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'mobilenet_v3_large', 'squeezenet1_0', 'squeezenet1_1',
      'shufflenet_v2_x0_5', 'shufflenet_v2_x1_0', 'mnasnet0_5', 'mnasnet1_0', 'efficientnet_b0', 'vgg11', 'vgg16', 'densenet121'];
    for (const a of asked) expect(TORCHVISION_ARCHITECTURES).toContain(a);
    for (const a of TORCHVISION_ARCHITECTURES) expect(catalogNumParams(a).length, a).toBeGreaterThan(0);
  });

  it.each([...TORCHVISION_ARCHITECTURES])('%s', (arch) => {
    const expected = torchvisionExpectedTensors(arch);
    expect(new Set(expected.map((t) => t.name)).size).toBe(expected.length);
    // inception_v3's num_params counts AuxLogits, a training-only head that is not built (tensors listed below)
    const trainingOnly = arch === 'inception_v3' ? countOf(INCEPTION_AUX) : 0;
    expect(catalogNumParams(arch)).toContain(torchvisionParameterCount(arch) + trainingOnly);
    // the expected keys identify the architecture (shapes only: no bytes needed)
    const shapesOnly: StateDict = new Map(expected.map((t) => [t.name, { name: t.name, dtype: t.dtype ?? 'float32', shape: t.shape, bytes: new Uint8Array(0) }]));
    expect(guessTorchvisionArchitecture(shapesOnly)).toBe(arch);
  });

  it('spot checks of key names against torchvision modules', () => {
    const names = (a: string) => torchvisionExpectedTensors(a).map((t) => `${t.name}[${t.shape}]`);
    expect(names('resnet50')).toContain('layer1.0.downsample.0.weight[256,64,1,1]');
    expect(names('resnet50')).toContain('layer4.2.conv2.weight[512,512,3,3]');
    expect(names('resnext50_32x4d')).toContain('layer1.0.conv2.weight[128,4,3,3]');
    expect(names('mobilenet_v2')).toContain('features.1.conv.0.0.weight[32,1,3,3]');
    expect(names('mobilenet_v2')).toContain('features.18.1.running_var[1280]');
    expect(names('mobilenet_v3_large')).toContain('features.4.block.2.fc1.weight[24,72,1,1]');
    expect(names('shufflenet_v2_x1_0')).toContain('stage2.0.branch1.0.weight[24,1,3,3]');
    expect(names('mnasnet1_0')).toContain('layers.8.0.layers.3.weight[48,1,3,3]');
    expect(names('efficientnet_b0')).toContain('features.1.0.block.1.fc1.weight[8,32,1,1]');
    expect(names('efficientnet_v2_s')).toContain('features.2.0.block.0.0.weight[96,24,3,3]');
    expect(names('densenet121')).toContain('features.denseblock1.denselayer2.norm1.weight[96]');
    expect(names('vgg16_bn')).toContain('features.1.running_mean[64]');
    expect(names('vgg16')).toContain('classifier.0.weight[4096,25088]');
    expect(names('squeezenet1_0')).toContain('features.12.expand3x3.weight[256,64,3,3]');
  });
});

/** Training-only heads as torchvision's files hold them (googlenet.py InceptionAux, inception.py InceptionAux). */
const bnKeys = (p: string, c: number): [string, number[]][] => [[`${p}.weight`, [c]], [`${p}.bias`, [c]], [`${p}.running_mean`, [c]], [`${p}.running_var`, [c]]];
const INCEPTION_AUX: [string, number[]][] = [
  ['AuxLogits.conv0.conv.weight', [128, 768, 1, 1]], ...bnKeys('AuxLogits.conv0.bn', 128),
  ['AuxLogits.conv1.conv.weight', [768, 128, 5, 5]], ...bnKeys('AuxLogits.conv1.bn', 768),
  ['AuxLogits.fc.weight', [1000, 768]], ['AuxLogits.fc.bias', [1000]],
];
const GOOGLENET_AUX: [string, number[]][] = ([['aux1', 512], ['aux2', 528]] as const).flatMap(([p, c]): [string, number[]][] => [
  [`${p}.conv.conv.weight`, [128, c, 1, 1]], ...bnKeys(`${p}.conv.bn`, 128),
  [`${p}.fc1.weight`, [1024, 2048]], [`${p}.fc1.bias`, [1024]], [`${p}.fc2.weight`, [1000, 1024]], [`${p}.fc2.bias`, [1000]],
]);
const countOf = (list: [string, number[]][]) => list.filter(([k]) => !/running_/.test(k)).reduce((n, [, s]) => n + s.reduce((a, d) => a * d, 1), 0);

/** Built with seeded random weights and run in onnxruntime (batch N). Big nets: batch 1. */
const RUN: [string, number][] = [
  ['resnet18', 2], ['resnet34', 1], ['resnet50', 1], ['resnext50_32x4d', 1],
  ['mobilenet_v2', 2], ['mobilenet_v3_large', 2], ['mobilenet_v3_small', 2],
  ['squeezenet1_0', 2], ['squeezenet1_1', 2],
  ['shufflenet_v2_x0_5', 2], ['shufflenet_v2_x1_0', 2], ['shufflenet_v2_x2_0', 1],
  ['mnasnet0_5', 2], ['mnasnet1_0', 2], ['mnasnet0_75', 1],
  ['efficientnet_b0', 2], ['efficientnet_v2_s', 1],
  ['vgg11', 1], ['vgg16', 1], ['vgg11_bn', 1], ['alexnet', 1],
  ['densenet121', 1],
  ['regnet_y_400mf', 1], ['regnet_x_400mf', 1], ['googlenet', 1], ['inception_v3', 1], ['convnext_tiny', 1],
];

describe('seeded random weights: builds, loads in onnxruntime, outputs [N, 1000], num_params = the catalog', () => {
  it.each(RUN)('%s (batch %i)', async (arch, n) => {
    const started = performance.now();
    const sd = randomStateDict(arch, 7);
    const { model, report } = buildTorchvisionModel(arch, sd);
    expect(report.unusedWeights).toEqual([]);
    expect(catalogNumParams(arch)).toContain(report.parameters + (arch === 'inception_v3' ? countOf(INCEPTION_AUX) : 0));
    const size = torchvisionInputSpec(arch).imageSize;
    const input = model.graph!.input![0];
    expect(input.name).toBe('input');
    expect(input.type!.tensor_type!.shape!.dim!.map((d) => d.dim_param || Number(d.dim_value))).toEqual(['batch', 3, size, size]);
    const meta = Object.fromEntries(model.metadata_props!.map((p) => [p.key, p.value]));
    expect(meta['torchvision.architecture']).toBe(arch);
    expect(meta.preprocessing).toMatch(/normalize mean/);
    const out = await run(model, randomInput(n * 3 * size * size, 3), [n, 3, size, size], true);
    expect(out.dims).toEqual([n, 1000]);
    expect(isFinite32(out.data)).toBe(true);
    rows.push(`${arch}: ${report.parameters} parameters (catalog ${catalogNumParams(arch).join('/')}), ran batch ${n} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it('numClasses and a fixed batch', async () => {
    const sd = randomStateDict('squeezenet1_1', 5, 10);
    const { model, report } = buildTorchvisionModel('squeezenet1_1', sd, { batch: 3 });
    expect(report.parameters).toBe(1235496 - 512 * 990 - 990);
    expect(model.graph!.output![0].type!.tensor_type!.shape!.dim!.map((d) => Number(d.dim_value))).toEqual([3, 10]);
    const out = await run(model, randomInput(3 * 3 * 224 * 224, 1), [3, 3, 224, 224]);
    expect(out.dims).toEqual([3, 10]);
    // an explicit numClasses that contradicts the weights is a mismatch on the classifier
    const e = await rejection(() => buildTorchvisionModel('squeezenet1_1', sd, { numClasses: 1000 }));
    expect(e.code).toBe('mismatch');
    expect(e.message).toContain("'classifier.1.weight' has shape [10, 512, 1, 1], but squeezenet1_1 expects [1000, 512, 1, 1]");
  });

  it('float16 weights are converted to float32; a module. prefix is removed', async () => {
    const sd = randomStateDict('squeezenet1_1', 5);
    const { model: ref } = buildTorchvisionModel('squeezenet1_1', sd);
    const half: StateDict = new Map();
    for (const [k, t] of sd) {
      if (t.dtype !== 'float32') continue;
      const src = new Float32Array(t.bytes.slice().buffer);
      const h = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) h[i] = float32ToFloat16Bits(src[i]);
      half.set(`module.${k}`, { name: k, dtype: 'float16', shape: t.shape, bytes: new Uint8Array(h.buffer) });
    }
    expect(guessTorchvisionArchitecture(half)).toBe('squeezenet1_1');
    const { model, report } = buildTorchvisionModel('squeezenet1_1', half);
    expect(report.notes.join('\n')).toMatch(/float16 weights were converted to float32/);
    expect(report.notes.join('\n')).toMatch(/module\./);
    const input = randomInput(3 * 224 * 224, 2);
    const r = relL2((await run(model, input, [1, 3, 224, 224])).data, (await run(ref, input, [1, 3, 224, 224])).data);
    expect(r).toBeLessThan(5e-3);
  });

  it('training-only heads in the file (GoogLeNet aux1/aux2, Inception AuxLogits) are read and left out', () => {
    for (const [arch, aux, catalog] of [['googlenet', GOOGLENET_AUX, 6624904], ['inception_v3', INCEPTION_AUX, 27161264]] as const) {
      const sd = randomStateDict(arch, 4);
      for (const [k, shape] of aux) sd.set(k, f32(k, shape, new Float32Array(shape.reduce((a, d) => a * d, 1))));
      expect(guessTorchvisionArchitecture(sd)).toBe(arch);
      const { report } = buildTorchvisionModel(arch, sd);
      expect(report.unusedWeights).toEqual([]);
      expect(report.notes.join('\n')).toMatch(/training-only modules/);
      // googlenet's num_params leaves the aux heads out; inception_v3's counts them
      expect(report.parameters + (arch === 'inception_v3' ? countOf(aux) : 0)).toBe(catalog);
    }
  });

  it('transform_input (GoogLeNet): built in by default, and exactly the per-channel affine map torchvision applies', async () => {
    const sd = randomStateDict('googlenet', 6);
    const on = buildTorchvisionModel('googlenet', sd).model;
    const off = buildTorchvisionModel('googlenet', sd, { transformInput: false }).model;
    const hw = 224 * 224;
    const x = randomInput(3 * hw, 8);
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const xt = new Float32Array(x.length);
    for (let c = 0; c < 3; c++) for (let i = 0; i < hw; i++) xt[c * hw + i] = x[c * hw + i] * (std[c] / 0.5) + (mean[c] - 0.5) / 0.5;
    const a = await run(on, x, [1, 3, 224, 224]);
    const b = await run(off, xt, [1, 3, 224, 224]);
    const c = await run(off, x, [1, 3, 224, 224]);
    expect(relL2(a.data, b.data)).toBeLessThan(1e-5);
    expect(relL2(c.data, b.data)).toBeGreaterThan(1e-3);
  });

  it("DenseNet's legacy key names (norm.1, conv.2 …) as in torchvision's published files", () => {
    const sd = randomStateDict('densenet121', 3);
    const legacy: StateDict = new Map([...sd].map(([k, t]) => [k.replace(/(denselayer\d+\.(?:norm|conv))([12])\.(weight|bias|running_mean|running_var)$/, '$1.$2.$3'), t]));
    expect(legacy.has('features.denseblock1.denselayer1.norm.1.weight')).toBe(true);
    expect(guessTorchvisionArchitecture(legacy)).toBe('densenet121');
    const { report } = buildTorchvisionModel('densenet121', legacy);
    expect(report.unusedWeights).toEqual([]);
    expect(report.parameters).toBe(7978856);
  });
});

// ---- errors ---------------------------------------------------------------------------------------------------------

describe('weights that do not fit, architectures not built', () => {
  const sd = () => randomStateDict('squeezenet1_1', 9);

  it('a missing key is a mismatch naming it', async () => {
    const s = sd();
    s.delete('features.6.squeeze.weight');
    const e = await rejection(() => buildTorchvisionModel('squeezenet1_1', s));
    expect(e.code).toBe('mismatch');
    expect(e.message).toContain("'features.6.squeeze.weight'");
    expect(e.message).toContain('missing');
  });

  it('a wrong shape is a mismatch naming the key and both shapes', async () => {
    const s = sd();
    s.set('features.3.expand3x3.weight', f32('features.3.expand3x3.weight', [64, 16, 1, 1], new Float32Array(64 * 16)));
    const e = await rejection(() => buildTorchvisionModel('squeezenet1_1', s));
    expect(e.code).toBe('mismatch');
    expect(e.message).toContain("'features.3.expand3x3.weight' has shape [64, 16, 1, 1], but squeezenet1_1 expects [64, 16, 3, 3]");
  });

  it('an unexpected key is a mismatch naming it (strict, as load_state_dict), or listed with allowUnused', async () => {
    const s = sd();
    s.set('features.99.weight', f32('features.99.weight', [4], new Float32Array(4)));
    const e = await rejection(() => buildTorchvisionModel('squeezenet1_1', s));
    expect(e.code).toBe('mismatch');
    expect(e.message).toContain("'features.99.weight'");
    const { report } = buildTorchvisionModel('squeezenet1_1', s, { allowUnused: true });
    expect(report.unusedWeights).toEqual(['features.99.weight']);
    expect(guessTorchvisionArchitecture(s)).toBeUndefined();
  });

  it('the weights of another architecture: resnet34 weights as resnet18', async () => {
    const shapesOnly = (a: string): StateDict => new Map(torchvisionExpectedTensors(a).map((t) => [t.name, { name: t.name, dtype: t.dtype ?? 'float32', shape: t.shape, bytes: new Uint8Array(0) }]));
    // resnet18 wants a subset of resnet34's keys, all of the same shapes: only the unexpected keys tell
    const e = await rejection(() => buildTorchvisionModel('resnet18', shapesOnly('resnet34'), { numClasses: 1000 }));
    expect(e.code).toBe('mismatch');
    expect(e.message).toMatch(/'layer1\.2\.conv1\.weight' .* is not part of resnet18/);
  });

  it('an unknown architecture is unsupported, listing the supported ones', async () => {
    const e = await rejection(() => buildTorchvisionModel('vit_b_16', sd()));
    expect(e.code).toBe('unsupported');
    for (const a of ['resnet18', 'mobilenet_v3_small', 'densenet121', 'efficientnet_b0']) expect(e.message).toContain(a);
    expect(buildTorchvisionModel('torchvision:squeezenet1_1', sd()).report.arch).toBe('squeezenet1_1');
  });
});

// ---- recipe -----------------------------------------------------------------------------------------------------------

describe('the converted squeezenet through freeze → simplify → quantize-int8-dynamic', () => {
  it('still runs; output close to the float model', async () => {
    const file = readTorchFile(new Uint8Array(readFileSync(fixture('pytorch', 'torchvision', 'squeezenet1_1-random.pth'))));
    const { model } = buildTorchvisionModel('squeezenet1_1', file.tensors);
    const { model: q, reports } = await runRecipe(model, { steps: [{ step: 'freeze' }, { step: 'simplify' }, { step: 'quantize-int8-dynamic' }] }, { runtime: ortRuntime() });
    expect(reports).toHaveLength(3);
    const ref = readNpz(new Uint8Array(readFileSync(fixture('pytorch', 'torchvision', 'squeezenet1_1-random.reference.npz'))));
    const input = ref.get('input')!.data as Float32Array;
    const fp = await run(model, input, [2, 3, 224, 224]);
    const qo = await run(q, input, [2, 3, 224, 224]);
    expect(qo.dims).toEqual([2, 1000]);
    const r = relL2(qo.data, fp.data);
    const bytes = [encodeModel(model).length, encodeModel(q).length];
    const ops = new Set(q.graph!.node!.map((n) => n.op_type));
    rows.push(`squeezenet1_1 freeze→simplify→quantize-int8-dynamic: relL2 vs float ${r.toExponential(3)}, ${bytes[0]} → ${bytes[1]} bytes, ops ${[...ops].join(',')}`);
    expect(r).toBeLessThan(0.1);
  });
});
