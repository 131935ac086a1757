// freeze, unfreeze and customize on real fixtures and on small hand-built models, checked with the real onnxruntime:
// outputs before and after, graph inputs and outputs, seeded weights, the loss value against one computed here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, has, onnx, toNumber, type ModelProto } from '../../src/core/onnx/codec.js';
import { DataType, tensorToFloat32 } from '../../src/core/onnx/tensor.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { maxAbs, relL2 } from '../../src/core/validate/metrics.js';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { OmnihubError } from '../../src/core/errors.js';
import { floatTensor, makeNode, makeTensor } from '../../src/core/rewrites/graph.js';
import { runRecipe } from '../../src/core/rewrites/recipe.js';
import { freeze } from '../../src/core/rewrites/freeze/index.js';
import { unfreeze } from '../../src/core/rewrites/unfreeze/index.js';
import { customize, glorotUniform } from '../../src/core/rewrites/customize/index.js';
import { fixture } from '../support/paths.js';
import { runModel } from '../support/ort.js';

const load = (name: string) => new Uint8Array(readFileSync(fixture('onnx', name)));

function randomFloats(dims: number[], seed: number): RuntimeTensor {
  const next = mulberry32(seed);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
  return { type: 'float32', data, dims };
}

const inputNames = (m: ModelProto) => (m.graph?.input ?? []).map((v) => v.name ?? '');
const outputNames = (m: ModelProto) => (m.graph?.output ?? []).map((v) => v.name ?? '');
const initializerNames = (m: ModelProto) => new Set((m.graph?.initializer ?? []).map((t) => t.name ?? ''));
const declaredDims = (v: onnx.IValueInfoProto) => (v.type?.tensor_type?.shape?.dim ?? []).map((d) => (has(d, 'dim_value') ? toNumber(d.dim_value) : d.dim_param ?? null));
const floats = (t: { data: unknown }) => t.data as Float32Array;
/** encodeModel returns a Buffer in Node, files read here are Uint8Arrays: compare the bytes, not the classes. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Runs `fn` and returns the OmnihubError it throws. */
function errorOf(fn: () => unknown): OmnihubError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OmnihubError) return e;
    throw e;
  }
  throw new Error('expected an OmnihubError');
}

async function rejectionOf(p: Promise<unknown>): Promise<OmnihubError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OmnihubError) return e;
    throw e;
  }
  throw new Error('expected an OmnihubError');
}

/** Runs both models on the same feeds and returns, per output of `a`, how far b's value is from a's. */
async function outputDiffs(a: Uint8Array, b: Uint8Array, feeds: Record<string, RuntimeTensor>) {
  const ra = await runModel(a, feeds);
  const rb = await runModel(b, feeds);
  return Object.keys(ra).map((name) => {
    expect(rb[name], `output ${name}`).toBeDefined();
    expect([...rb[name].dims]).toEqual([...ra[name].dims]);
    const x = rb[name].data as Float32Array;
    const y = ra[name].data as Float32Array;
    return { name, maxAbs: maxAbs(x, y), relL2: relL2(x, y) };
  });
}

// ---- a small hand-built model with training-mode Dropout and BatchNormalization, one Dropout in an If branch ----

const valueInfo = (name: string, elemType: number, dims?: (number | string)[]) =>
  new onnx.ValueInfoProto({
    name,
    type: new onnx.TypeProto({
      tensor_type: new onnx.TypeProto.Tensor({
        elem_type: elemType,
        ...(dims ? { shape: new onnx.TensorShapeProto({ dim: dims.map((d) => new onnx.TensorShapeProto.Dimension(typeof d === 'number' ? { dim_value: d } : { dim_param: d })) }) } : {}),
      }),
    }),
  });

const BN = { scale: [1.5, -0.5, 2], bias: [0.1, 0.2, -0.3], mean: [0.05, -0.1, 0.2], var: [0.9, 1.1, 0.5], eps: 1e-5 };

/** x [batch,3,4,4] → BN(training) → Dropout(mask unused) → Dropout(mask is an output) → If(then: Dropout, else: Identity) → z */
function trainingModel(options: { readBnStats?: boolean } = {}): ModelProto {
  const bool = (name: string, v: boolean) => makeTensor(name, DataType.BOOL, [], new Uint8Array([v ? 1 : 0]));
  const thenBranch = new onnx.GraphProto({
    name: 'then',
    node: [makeNode('Dropout', ['d2', 'ratio', 'train'], ['t_out'], 'then_dropout')],
    output: [valueInfo('t_out', DataType.FLOAT)],
  });
  const elseBranch = new onnx.GraphProto({ name: 'else', node: [makeNode('Identity', ['d2'], ['e_out'], 'else_identity')], output: [valueInfo('e_out', DataType.FLOAT)] });
  const nodes = [
    makeNode('BatchNormalization', ['x', 'bn_scale', 'bn_bias', 'bn_mean', 'bn_var'], ['bn_y', 'bn_running_mean', 'bn_running_var'], 'bn', { training_mode: 1 }),
    makeNode('Dropout', ['bn_y', 'ratio', 'train'], ['d1', 'mask1'], 'dropout1'),
    makeNode('Dropout', ['d1', 'ratio', 'train'], ['d2', 'mask2'], 'dropout2'),
    makeNode('If', ['cond'], ['z'], 'branch', { then_branch: thenBranch as never, else_branch: elseBranch as never }),
  ];
  // makeAttribute has no GRAPH form: set the branches as graph attributes by hand.
  nodes[3].attribute = [
    new onnx.AttributeProto({ name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: thenBranch }),
    new onnx.AttributeProto({ name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: elseBranch }),
  ];
  const outputs = [valueInfo('z', DataType.FLOAT, ['batch', 3, 4, 4]), valueInfo('mask2', DataType.BOOL, ['batch', 3, 4, 4])];
  if (options.readBnStats) outputs.push(valueInfo('bn_running_mean', DataType.FLOAT, [3]));
  return new onnx.ModelProto({
    ir_version: 8,
    producer_name: 'test',
    opset_import: [new onnx.OperatorSetIdProto({ domain: '', version: 15 })],
    graph: new onnx.GraphProto({
      name: 'training',
      node: nodes,
      initializer: [
        floatTensor('bn_scale', [3], Float32Array.from(BN.scale)),
        floatTensor('bn_bias', [3], Float32Array.from(BN.bias)),
        floatTensor('bn_mean', [3], Float32Array.from(BN.mean)),
        floatTensor('bn_var', [3], Float32Array.from(BN.var)),
        floatTensor('ratio', [], Float32Array.from([0.5])),
        bool('train', true),
        bool('cond', true),
      ],
      input: [valueInfo('x', DataType.FLOAT, ['batch', 3, 4, 4])],
      output: outputs,
      value_info: [valueInfo('bn_running_var', DataType.FLOAT, [3]), valueInfo('d1', DataType.FLOAT, ['batch', 3, 4, 4]), valueInfo('mask1', DataType.BOOL, ['batch', 3, 4, 4])],
    }),
  });
}

describe('freeze', () => {
  it('ppocr: only the data input remains, also after its weights were made inputs, and onnxruntime gives the same outputs', async () => {
    const bytes = load('ppocr_mobile_v2_cls.onnx');
    const model = decodeModel(bytes);
    const feeds = { x: randomFloats([2, 3, 48, 192], 1) };

    const frozen = freeze(model, {});
    expect(inputNames(frozen.model)).toEqual(['x']);
    expect(frozen.report.notes[0]).toMatch(/nothing to freeze/);

    // Its weights are Constant nodes: unfreeze with asInputs makes 213 of them overridable inputs, freeze undoes that.
    const unfrozen = unfreeze(model, { asInputs: true }).model;
    expect(inputNames(unfrozen)).toHaveLength(214);
    const refrozen = freeze(unfrozen, {});
    expect(inputNames(refrozen.model)).toEqual(['x']);
    expect(refrozen.report.notes).toContain('213 initializers no longer graph inputs (now constants)');
    const inits = initializerNames(refrozen.model);
    expect((refrozen.model.graph?.input ?? []).filter((v) => inits.has(v.name ?? ''))).toHaveLength(0);

    for (const candidate of [frozen.model, unfrozen, refrozen.model]) {
      const [diff] = await outputDiffs(bytes, encodeModel(candidate), feeds);
      expect(diff.name).toBe('softmax_0.tmp_0');
      expect(diff.maxAbs).toBe(0);
    }
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
  });

  it('keepInputs leaves the named initializers overridable', () => {
    const unfrozen = unfreeze(decodeModel(load('burn_mnist.onnx')), { asInputs: true }).model;
    const { model, report } = freeze(unfrozen, { keepInputs: ['fc2.weight', 'fc2.bias'] });
    expect(inputNames(model)).toEqual(['input', 'fc2.weight', 'fc2.bias']);
    expect(report.notes[0]).toBe('16 initializers no longer graph inputs (now constants); 2 kept as inputs');
    const e = errorOf(() => freeze(unfrozen, { keepInputs: ['fc3.weight'] }));
    expect(e.code).toBe('bad-recipe');
    expect(e.message).toMatch(/'fc3\.weight', which is not an initializer listed as a graph input/);
  });

  it('IR 3 models keep their initializers as inputs (IR < 4 requires it), as onnxsim does, and say why', () => {
    const bytes = load('fml__two_layer_keras.onnx');
    const { model, report } = freeze(decodeModel(bytes), {});
    expect(inputNames(model)).toHaveLength(5);
    expect(report.notes[0]).toMatch(/^IR 3 model: its 4 initializers stay listed as graph inputs/);
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
  });

  it('Dropout becomes Identity, a Dropout whose mask is read and BatchNormalization go to inference mode, in If branches too', async () => {
    const model = trainingModel();
    const before = encodeModel(model);
    const { model: out, report } = freeze(model, { fixDims: { batch: 2 } });
    expect(sameBytes(encodeModel(model), before)).toBe(true);

    const nodes = out.graph!.node!;
    expect(nodes.map((n) => n.op_type)).toEqual(['BatchNormalization', 'Identity', 'Dropout', 'If']);
    const [bn, , kept, branch] = nodes;
    expect(bn.output).toEqual(['bn_y']);
    expect((bn.attribute ?? []).map((a) => a.name)).not.toContain('training_mode');
    expect(kept.input).toEqual(['d1', 'ratio']);
    expect(kept.output).toEqual(['d2', 'mask2']);
    expect(branch.attribute![0].g!.node!.map((n) => n.op_type)).toEqual(['Identity']);
    expect(report.addedByOp).toEqual({ Identity: 2 });
    expect(report.removedByOp).toEqual({ Dropout: 2 });
    expect(report.notes).toEqual([
      'Dropout → Identity ×2',
      'Dropout set to inference mode ×1 (kept: its mask is read)',
      'BatchNormalization: unread training-statistics outputs removed ×1',
      'BatchNormalization set to inference mode ×1',
      '1 Dropout ratio/training_mode initializer no longer read, removed',
      'fixed batch = 2 (4 dimensions in graph inputs, outputs and value infos)',
    ]);
    // Declarations of outputs nothing produces any more go; 'train' is read by nothing now, 'ratio' still is.
    expect(out.graph!.value_info!.map((v) => v.name)).toEqual(['d1']);
    expect([...initializerNames(out)]).toEqual(['bn_scale', 'bn_bias', 'bn_mean', 'bn_var', 'ratio', 'cond']);
    expect(declaredDims(out.graph!.input![0])).toEqual([2, 3, 4, 4]);
    expect(declaredDims(model.graph!.input![0])).toEqual(['batch', 3, 4, 4]);

    // In inference mode the result is exactly BatchNormalization with the running statistics, and the mask is all true.
    const x = randomFloats([2, 3, 4, 4], 7);
    const result = await runModel(encodeModel(out), { x });
    const z = floats(result.z);
    const xs = x.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const c = Math.floor(i / 16) % 3;
      const expected = (BN.scale[c] * (xs[i] - BN.mean[c])) / Math.sqrt(BN.var[c] + BN.eps) + BN.bias[c];
      worst = Math.max(worst, Math.abs(z[i] - expected));
    }
    expect(worst).toBeLessThan(1e-5);
    expect([...(result.mask2.data as Uint8Array)].every((v) => v === 1)).toBe(true);
  });

  it('refuses what it cannot freeze, naming it', () => {
    const e = errorOf(() => freeze(trainingModel({ readBnStats: true }), {}));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/BatchNormalization 'bn' computes training statistics that the model reads \('bn_running_mean'\)/);
    const d = errorOf(() => freeze(trainingModel(), { fixDims: { seq: 8 } }));
    expect(d.code).toBe('bad-recipe');
    expect(d.message).toMatch(/'seq' that the model does not have \(its symbolic dimensions: 'batch'\)/);
  });
});

describe('unfreeze', () => {
  it('burn_mnist and mobilenet: unfreeze then freeze gives the same outputs in onnxruntime; asInputs lists the weights as inputs', async () => {
    for (const [file, input, count] of [['burn_mnist.onnx', [3, 1, 28, 28], 18], ['tv_mobilenet_v2.onnx', [1, 3, 224, 224], 67]] as const) {
      const bytes = load(file);
      const model = decodeModel(bytes);
      const feeds = { input: randomFloats([...input], 3) };

      const plain = unfreeze(model, {});
      expect(inputNames(plain.model)).toEqual(['input']);
      const asInputs = unfreeze(model, { asInputs: true });
      const names = inputNames(asInputs.model);
      expect(names).toHaveLength(1 + count);
      for (const n of names.slice(1)) expect(initializerNames(asInputs.model).has(n)).toBe(true);
      expect(asInputs.report.notes).toContain(`listed as graph inputs ×${count}`);

      const round = await runRecipe(model, { steps: [{ step: 'unfreeze', options: { asInputs: true } }, { step: 'freeze' }] });
      expect(inputNames(round.model)).toEqual(['input']);
      expect(round.reports.map((r) => r.step)).toEqual(['unfreeze', 'freeze']);

      for (const candidate of [plain.model, round.model]) {
        const diffs = await outputDiffs(bytes, encodeModel(candidate), feeds);
        expect(diffs).toHaveLength(1);
        expect(diffs[0].maxAbs).toBe(0);
      }
      // Weights that are inputs are not constants to onnxruntime: it does not pre-pack them, so its Conv kernels
      // round a little differently (burn_mnist: maxAbs 1.4e-6, relL2 1.4e-7); the weights are the same bytes.
      const [overridable] = await outputDiffs(bytes, encodeModel(asInputs.model), feeds);
      expect(overridable.relL2).toBeLessThan(1e-6);
      expect(sameBytes(encodeModel(model), bytes)).toBe(true);
    }
  });

  it('ppocr: Constant weights become initializers of the same name, int64 shapes and scalars stay Constants', async () => {
    const bytes = load('ppocr_mobile_v2_cls.onnx');
    const model = decodeModel(bytes);
    const { model: out, report } = unfreeze(model, {});
    expect(report.removedByOp).toEqual({ Constant: 213 });
    expect(report.initializersAfter).toBe(213);
    expect(report.tensorBytesAfter).toBe(report.tensorBytesBefore);
    expect(report.notes[1]).toBe('Constant → initializer ×213');
    const inits = out.graph!.initializer!;
    expect(inits.every((t) => [DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16].includes(t.data_type!))).toBe(true);
    expect(inits.every((t) => (t.dims ?? []).length >= 1)).toBe(true);
    // Every Constant left is a non-float or a scalar one.
    for (const n of out.graph!.node!.filter((n) => n.op_type === 'Constant')) {
      const t = n.attribute!.find((a) => a.name === 'value')!.t!;
      expect(t.data_type !== DataType.FLOAT || (t.dims ?? []).reduce((a: number, b) => a * toNumber(b), 1) < 2).toBe(true);
    }
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
    const [diff] = await outputDiffs(bytes, encodeModel(out), { x: randomFloats([1, 3, 48, 192], 2) });
    expect(diff.maxAbs).toBe(0);
  });

  it('selects by pattern, by op type and by size; refuses a bad or empty selection', async () => {
    const model = decodeModel(load('burn_mnist.onnx'));
    const selected = (o: Parameters<typeof unfreeze>[1]) => inputNames(unfreeze(model, { ...o, asInputs: true }).model).slice(1);
    expect(selected({ ops: ['Gemm'] })).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(selected({ pattern: '^conv\\d\\.weight$' })).toEqual(['conv1.weight', 'conv2.weight', 'conv3.weight']);
    expect(selected({ pattern: 'norm', ops: ['BatchNormalization'], minElements: 11 })).toEqual(['norm1.weight', 'norm1.bias', 'norm1.running_mean', 'norm1.running_var']);

    const invalid = errorOf(() => unfreeze(model, { pattern: 'conv(' }));
    expect(invalid.code).toBe('bad-recipe');
    expect(invalid.message).toMatch(/option 'pattern' is not a valid regular expression/);
    const none = errorOf(() => unfreeze(model, { pattern: '^lstm' }));
    expect(none.code).toBe('bad-recipe');
    expect(none.message).toMatch(/pattern \/\^lstm\/ matches none of the model's weights .* such as 'conv1\.weight'/);
    const noOps = errorOf(() => unfreeze(model, { ops: ['LSTM'] }));
    expect(noOps.code).toBe('bad-recipe');
    expect(noOps.message).toMatch(/no weight is read by 'LSTM' \(weights are read by 'BatchNormalization', 'Conv', 'Gemm'\)/);
    expect(errorOf(() => unfreeze(model, { minElements: 0 })).code).toBe('bad-recipe');
    const viaRecipe = await rejectionOf(runRecipe(model, { steps: [{ step: 'unfreeze', options: { pattern: '[' } }, { step: 'freeze' }] }));
    expect(viaRecipe.code).toBe('bad-recipe');
  });
});

describe('customize', () => {
  const MNIST_CUT = '/Relu_3_output_0'; // the input of burn_mnist's last Gemm (fc2)

  function softmaxRowsOk(p: Float32Array, rows: number, classes: number): number {
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < classes; c++) s += p[r * classes + c];
      worst = Math.max(worst, Math.abs(s - 1));
    }
    return worst;
  }

  it('burn_mnist: a new 3-class head runs, rows sum to 1, the same seed gives the same bytes', async () => {
    const bytes = load('burn_mnist.onnx');
    const model = decodeModel(bytes);
    const { model: out, report } = customize(model, { cut: MNIST_CUT, classes: 3 });
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);

    expect(outputNames(out)).toEqual(['probabilities']);
    expect(declaredDims(out.graph!.output![0])).toEqual(['batch', 3]);
    expect(out.graph!.output![0].type!.tensor_type!.elem_type).toBe(DataType.FLOAT);
    expect(inputNames(out)).toEqual(['input']);
    // fc2, norm2 and LogSoftmax went (with fc2's and norm2's 6 initializers); a new Gemm and a Softmax came.
    expect(out.graph!.node!.slice(-3).map((n) => n.op_type)).toEqual(['Relu', 'Gemm', 'Softmax']);
    expect(report.removedByOp).toEqual({ BatchNormalization: 1, LogSoftmax: 1 });
    expect(report.addedByOp).toEqual({ Softmax: 1 });
    expect(report.initializersAfter).toBe(18 - 6 + 2);
    const weight = out.graph!.initializer!.find((t) => t.name === 'classifier.weight')!;
    expect(weight.dims!.map(toNumber)).toEqual([3, 32]);
    const w = tensorToFloat32(weight);
    const limit = Math.sqrt(6 / 35);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * limit);
    expect(w).toEqual(glorotUniform(3, 32, 0));
    expect([...tensorToFloat32(out.graph!.initializer!.find((t) => t.name === 'classifier.bias')!)]).toEqual([0, 0, 0]);

    const result = await runModel(encodeModel(out), { input: randomFloats([5, 1, 28, 28], 9) });
    expect([...result.probabilities.dims]).toEqual([5, 3]);
    expect(softmaxRowsOk(floats(result.probabilities), 5, 3)).toBeLessThan(1e-6);

    expect(sameBytes(encodeModel(customize(model, { cut: MNIST_CUT, classes: 3 }).model), encodeModel(out))).toBe(true);
    const other = customize(model, { cut: MNIST_CUT, classes: 3, seed: 1 }).model;
    expect(sameBytes(encodeModel(other), encodeModel(out))).toBe(false);
    expect(tensorToFloat32(other.graph!.initializer!.find((t) => t.name === 'classifier.weight')!)).not.toEqual(w);
  });

  it('burn_mnist with loss: the loss output is mean(−log p[label]) of the probabilities', async () => {
    const model = decodeModel(load('burn_mnist.onnx'));
    const { model: out, report } = customize(model, { cut: MNIST_CUT, classes: 3, loss: true, activation: 'tanh', seed: 42, outputName: 'probs' });
    expect(outputNames(out)).toEqual(['probs', 'loss']);
    expect(declaredDims(out.graph!.output![1])).toEqual([]);
    expect(inputNames(out)).toEqual(['input', 'labels']);
    expect(declaredDims(out.graph!.input![1])).toEqual(['batch']);
    expect(out.graph!.input![1].type!.tensor_type!.elem_type).toBe(DataType.INT64);
    expect(out.graph!.node!.slice(-4).map((n) => n.op_type)).toEqual(['Tanh', 'Gemm', 'Softmax', 'SoftmaxCrossEntropyLoss']);
    expect(report.addedByOp).toEqual({ Softmax: 1, Tanh: 1, SoftmaxCrossEntropyLoss: 1 });

    const labels = new BigInt64Array([0n, 2n, 1n, 2n]);
    const result = await runModel(encodeModel(out), { input: randomFloats([4, 1, 28, 28], 5), labels: { type: 'int64', data: labels, dims: [4] } });
    expect([...result.loss.dims]).toEqual([]);
    const p = floats(result.probs);
    let expected = 0;
    for (let r = 0; r < 4; r++) expected -= Math.log(p[r * 3 + Number(labels[r])]);
    expected /= 4;
    expect(Math.abs(floats(result.loss)[0] - expected)).toBeLessThan(1e-5);
  });

  it('tv_mobilenet_v2: 5 classes at the input of its Flatten (rank 4, flattened) and of its Gemm', async () => {
    const bytes = load('tv_mobilenet_v2.onnx');
    const model = decodeModel(bytes);
    const flatten = model.graph!.node!.find((n) => n.op_type === 'Flatten')!;
    const gemm = model.graph!.node!.find((n) => n.op_type === 'Gemm')!;
    const input = randomFloats([2, 3, 224, 224], 11);
    const results: Float32Array[] = [];
    for (const cut of [flatten.input![0], gemm.input![0]]) {
      const { model: out, report } = customize(model, { cut, classes: 5 });
      expect(outputNames(out)).toEqual(['probabilities']);
      expect(declaredDims(out.graph!.output![0])).toEqual(['batch', 5]);
      expect(out.graph!.initializer!.find((t) => t.name === 'classifier.weight')!.dims!.map(toNumber)).toEqual([5, 1280]);
      // The old head's output was called 'logits': with it gone, the new Gemm's output takes the name.
      expect(out.graph!.node!.find((n) => n.name === 'classifier/Gemm')!.output).toEqual(['logits']);
      // The old Flatten (or Gemm) is replaced by a new one: only the Softmax is new by count.
      const tail = cut === gemm.input![0] ? ['Flatten', 'Gemm', 'Softmax'] : ['GlobalAveragePool', 'Flatten', 'Gemm', 'Softmax'];
      expect(out.graph!.node!.slice(-tail.length).map((n) => n.op_type)).toEqual(tail);
      expect(report.addedByOp).toEqual({ Softmax: 1 });
      const result = await runModel(encodeModel(out), { input });
      expect([...result.probabilities.dims]).toEqual([2, 5]);
      expect(softmaxRowsOk(floats(result.probabilities), 2, 5)).toBeLessThan(1e-6);
      results.push(floats(result.probabilities));
    }
    // Cutting before or after the Flatten computes the same thing.
    expect(maxAbs(results[0], results[1])).toBeLessThan(1e-6);
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
  });

  it('refuses bad options, naming the problem', async () => {
    const model = decodeModel(load('burn_mnist.onnx'));
    const missing = errorOf(() => customize(model, { cut: '/Relu_3_output', classes: 3 }));
    expect(missing.code).toBe('bad-recipe');
    expect(missing.message).toMatch(/no tensor '\/Relu_3_output' in its main graph; did you mean '\/Relu_3_output_0'/);
    const far = errorOf(() => customize(model, { cut: 'features', classes: 3 }));
    expect(far.message).toMatch(/the features its last Gemm\/MatMul\/Flatten nodes read are '\/Relu_3_output_0', '\/Flatten_output_0'/);
    expect(errorOf(() => customize(model, { cut: 'fc2.weight', classes: 3 })).message).toMatch(/'fc2\.weight' is a weight/);
    const zero = errorOf(() => customize(model, { cut: MNIST_CUT, classes: 0 }));
    expect(zero.code).toBe('bad-recipe');
    expect(zero.message).toMatch(/option 'classes' must be a whole number ≥ 1, got 0/);
    expect((await rejectionOf(runRecipe(model, { steps: [{ step: 'customize', options: { cut: MNIST_CUT } }] }))).message).toMatch(/needs option 'classes'/);
    expect(errorOf(() => customize(model, { cut: MNIST_CUT, classes: 3, outputName: '/Flatten_output_0' })).message).toMatch(/already a tensor/);

    // ppocr imports opset 9: SoftmaxCrossEntropyLoss needs 12.
    const old = errorOf(() => customize(decodeModel(load('ppocr_mobile_v2_cls.onnx')), { cut: 'reshape2_0.tmp_0', classes: 3, loss: true }));
    expect(old.code).toBe('bad-recipe');
    expect(old.message).toMatch(/opset 12 and later; the model imports opset 9/);
  });

  it('needs a known feature size, and says so', () => {
    // A custom-domain op: no shape inference knows its output.
    const model = new onnx.ModelProto({
      ir_version: 8,
      opset_import: [new onnx.OperatorSetIdProto({ domain: '', version: 17 }), new onnx.OperatorSetIdProto({ domain: 'test.custom', version: 1 })],
      graph: new onnx.GraphProto({
        name: 'g',
        node: [makeNode('Mystery', ['x'], ['y'], 'mystery', {}, 'test.custom')],
        input: [valueInfo('x', DataType.FLOAT, ['N', 'F'])],
        output: [valueInfo('y', DataType.FLOAT)],
      }),
    });
    expect(errorOf(() => customize(model, { cut: 'y', classes: 2 })).message).toMatch(/the shape of 'y' is unknown .* so the feature size of the new layer is unknown/);
    expect(errorOf(() => customize(model, { cut: 'x', classes: 2 })).message).toMatch(/'x' has shape \[N, F\]: the feature size .* must be known/);
  });

  it('IR 3 model: the new weights are listed as inputs too, as IR < 4 requires', async () => {
    const model = decodeModel(load('fml__two_layer_keras.onnx'));
    const { model: out } = customize(model, { cut: 'fc1_relu_Relu_0', classes: 4 });
    expect(inputNames(out)).toEqual(['input_1_0', 'W', 'B', 'classifier.weight', 'classifier.bias']);
    const result = await runModel(encodeModel(out), { input_1_0: randomFloats([1, 10], 8) });
    expect([...result.probabilities.dims]).toEqual([1, 4]);
    expect(softmaxRowsOk(floats(result.probabilities), 1, 4)).toBeLessThan(1e-6);
  });

  it('runs as a recipe step', async () => {
    const bytes = load('burn_mnist.onnx');
    const model = decodeModel(bytes);
    const run = await runRecipe(model, { steps: [{ step: 'freeze' }, { step: 'customize', options: { cut: MNIST_CUT, classes: 4, seed: 3 } }] });
    expect(outputNames(run.model)).toEqual(['probabilities']);
    expect(run.reports[1].notes[1]).toBe("new head: 32 features → Gemm 4 classes (Glorot-uniform, seed 3) → Softmax → 'probabilities' [batch, 4]");
    expect(sameBytes(encodeModel(model), bytes)).toBe(true);
  });
});
