// simplify: node counts on the real fixtures, outputs before and after in the real onnxruntime, and small
// hand-built graphs that prove each pass numerically (run in onnxruntime before and after, outputs equal).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, onnx, type ModelProto } from '../../src/core/onnx/codec.js';
import { DataType } from '../../src/core/onnx/tensor.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { npyToRuntime, type RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { mulberry32, randomInput } from '../../src/core/validate/inputs.js';
import { compareModels, type CompareRuntime } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { OmnihubError } from '../../src/core/errors.js';
import { floatTensor, int64Tensor, makeNode, makeTensor, type Node, type Tensor } from '../../src/core/rewrites/graph.js';
import { parseRecipe, runRecipe } from '../../src/core/rewrites/recipe.js';
import { simplify, SIMPLIFY_PASSES, type SimplifyOptions } from '../../src/core/rewrites/simplify/index.js';
import { findFiles, fixture } from '../support/paths.js';

const runtime = ortRuntime({ graphOptimizationLevel: 'disabled' });
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

// ---- fixtures ----

/** At most this many nodes after simplify (the onnxscript optimizer's counts in ../shared/fixtures/reference). */
const TARGETS: Record<string, [before: number, atMost: number]> = {
  'tv_mobilenet_v2.onnx': [209, 100],
  'tv_squeezenet1_1.onnx': [83, 65],
  'ppocr_mobile_v2_cls.onnx': [471, 220],
  'burn_mnist.onnx': [13, 12],
  'mtcnn_rnet.onnx': [22, 19],
};

/** Fixtures onnxruntime cannot run or whose outputs its JS API cannot return: simplify must still handle them. */
const NOT_COMPARABLE: Record<string, string> = {
  'fml__three_layer_bn_pytorch.onnx': 'opset 6: no onnxruntime kernels',
  'fml__tiny_unet_ch_last.onnx': 'custom qonnx-domain ops',
  'kotlindl__lgbmSequenceOutput.onnx': 'a sequence-of-map output the JS API cannot return',
};

/**
 * Inputs from the arrays that come with a fixture (its .io.npz, the Hub reference.npz, the ORT-Python inputs) where
 * there are some; otherwise seeded random, with sizes the models accept.
 */
function fixtureInputs(file: string, model: ModelProto): Record<string, RuntimeTensor> {
  const name = basename(file, '.onnx');
  const candidates = [join(dirname(file), `${name}.io.npz`), join(dirname(file), 'reference.npz'), fixture('reference/ort-py', `${name.split('.')[0]}.inputs.npz`)];
  const arrays = new Map(candidates.filter(existsSync).flatMap((f) => [...readNpz(readFileSync(f))]));
  const next = mulberry32(0);
  const feeds: Record<string, RuntimeTensor> = {};
  for (const input of summarizeModel(model).inputs) {
    const a = arrays.get(input.name);
    if (a) feeds[input.name] = npyToRuntime(a);
    // Silero VAD: 16 kHz audio in chunks of 512 samples (its If picks the 16 kHz branch).
    else if (input.name === 'sr') feeds.sr = { type: 'int64', data: BigInt64Array.of(16000n), dims: [] };
    else if (input.name === 'input' && name.startsWith('silero')) feeds.input = randomInput({ ...input, shape: [1, 512] }, next);
    else feeds[input.name] = randomInput(input, next, { batch: 1, sequence: 512 });
  }
  return feeds;
}

function expectClose(result: Awaited<ReturnType<typeof compareModels>>): void {
  expect(result.unmatched).toEqual({ a: [], b: [] });
  expect(result.outputs.length).toBeGreaterThan(0);
  for (const o of result.outputs) expect(o.relL2 <= 1e-5 || o.maxAbs <= 1e-5, `${o.name}: relL2 ${o.relL2}, max |Δ| ${o.maxAbs}`).toBe(true);
}

describe('simplify on the ONNX fixtures', () => {
  const files = readdirSync(fixture('onnx')).filter((f) => f.endsWith('.onnx')).sort();
  // Besides onnx/: the Hub exports and what onnxruntime's Python tools made (quantized, float16) of some of them.
  const others = [...findFiles(fixture('hf'), '.onnx'), ...findFiles(fixture('reference'), '.onnx')].map((f) => relative(fixture('onnx'), f));
  it('finds them', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
    expect(others.length).toBeGreaterThanOrEqual(9);
  });

  it.each([...files, ...others])('%s', async (file) => {
    const path = fixture('onnx', file);
    const original = new Uint8Array(readFileSync(path));
    const model = decodeModel(original);
    const { model: simplified, report } = await simplify(model, {}, { runtime });
    console.log(`${file}: ${report.nodesBefore} → ${report.nodesAfter} nodes; ${report.notes.join('; ')}`);
    // The input model is untouched (its encoding is still the file's bytes).
    expect(sameBytes(encodeModel(model), original)).toBe(true);
    expect(report.nodesAfter).toBeLessThanOrEqual(report.nodesBefore);
    const target = TARGETS[file];
    if (target) {
      expect(report.nodesBefore).toBe(target[0]);
      expect(report.nodesAfter).toBeLessThanOrEqual(target[1]);
    }
    const result = encodeModel(simplified);
    expect(decodeModel(result).graph?.output?.map((o) => o.name)).toEqual(model.graph?.output?.map((o) => o.name));
    if (file in NOT_COMPARABLE) return;
    expectClose(await compareModels(original, result, { runtime, inputs: fixtureInputs(path, model), warmup: 1, runs: 1 }));
  }, 60_000);

  it('reports what changed on mobilenet_v2', async () => {
    const { report } = await simplify(decodeModel(readFileSync(fixture('onnx/tv_mobilenet_v2.onnx'))), {}, { runtime });
    expect(report.notes).toContain('Identity ×39 removed');
    expect(report.notes).toContain('70 Constant nodes → initializers');
    expect(report.removedByOp).toMatchObject({ Identity: 39, Constant: 70 });
  });

  it('ppocr: Constants become initializers, then its 35 BatchNormalizations fuse into their Convs', async () => {
    const { report } = await simplify(decodeModel(readFileSync(fixture('onnx/ppocr_mobile_v2_cls.onnx'))), {}, { runtime });
    expect(report.notes).toContain('250 Constant nodes → initializers');
    expect(report.notes).toContain('35 BatchNormalization fused into Conv');
    expect(report.removedByOp.BatchNormalization).toBe(35);
  });
});

// ---- hand-built graphs ----

const vi = (name: string, dims?: number[], elemType: number = DataType.FLOAT) =>
  new onnx.ValueInfoProto({ name, type: { tensor_type: { elem_type: elemType, shape: dims ? { dim: dims.map((d) => ({ dim_value: d })) } : undefined } } });

interface Spec {
  nodes: Node[];
  inputs: Array<[string, number[]] | onnx.ValueInfoProto>;
  outputs: string[];
  initializers?: Tensor[];
  opset?: number;
  ir?: number;
}

function build({ nodes, inputs, outputs, initializers = [], opset = 13, ir = 8 }: Spec): ModelProto {
  return new onnx.ModelProto({
    ir_version: ir,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'simplify.test',
    graph: new onnx.GraphProto({
      name: 'g',
      node: nodes,
      input: inputs.map((i) => (Array.isArray(i) ? vi(i[0], i[1]) : i)),
      output: outputs.map((o) => vi(o)),
      initializer: initializers,
    }),
  });
}

function randomTensor(name: string, dims: number[], seed: number, offset = -0.5): onnx.TensorProto {
  const next = mulberry32(seed);
  return floatTensor(name, dims, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => next() + offset));
}

const ops = (m: ModelProto) => (m.graph?.node ?? []).map((n) => n.op_type);

/** Simplifies, checks the input model is unchanged and the outputs equal in onnxruntime, returns the result. */
async function simplifyAndCompare(model: ModelProto, options: SimplifyOptions = {}, inputs?: Record<string, RuntimeTensor>, rt: CompareRuntime = runtime) {
  const before = encodeModel(model);
  const result = await simplify(model, options, { runtime: rt });
  expect(sameBytes(encodeModel(model), before)).toBe(true);
  expectClose(await compareModels(before, encodeModel(result.model), { runtime, inputs, warmup: 1, runs: 1 }));
  return result;
}

describe('simplify: fusions', () => {
  const bn = (prefix: string, c: number, seed: number) => [
    randomTensor(`${prefix}_scale`, [c], seed, 0.5),
    randomTensor(`${prefix}_bias`, [c], seed + 1),
    randomTensor(`${prefix}_mean`, [c], seed + 2),
    randomTensor(`${prefix}_var`, [c], seed + 3, 0.1),
  ];
  const bnNode = (x: string, prefix: string, y: string) => makeNode('BatchNormalization', [x, `${prefix}_scale`, `${prefix}_bias`, `${prefix}_mean`, `${prefix}_var`], [y], `${prefix}_bn`, { epsilon: { float: 1e-3 } });

  it('BatchNormalization into Conv (with and without a Conv bias, grouped too)', async () => {
    const model = build({
      nodes: [
        makeNode('Conv', ['x', 'W1', 'B1'], ['c1'], 'conv1', { pads: [1, 1, 1, 1] }),
        bnNode('c1', 'bn1', 'y1'),
        makeNode('Relu', ['y1'], ['r1'], 'relu'),
        makeNode('Conv', ['r1', 'W2'], ['c2'], 'conv2', { group: 4 }),
        bnNode('c2', 'bn2', 'out'),
      ],
      inputs: [['x', [1, 3, 8, 8]]],
      outputs: ['out'],
      initializers: [randomTensor('W1', [4, 3, 3, 3], 1), randomTensor('B1', [4], 2), randomTensor('W2', [4, 1, 3, 3], 3), ...bn('bn1', 4, 10), ...bn('bn2', 4, 20)],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Conv', 'Relu', 'Conv']);
    expect(report.notes).toContain('2 BatchNormalization fused into Conv');
    // The BN parameters and the old weights went; the output keeps its name.
    expect(out.graph?.initializer?.length).toBe(4);
    expect(out.graph?.node?.[2].output).toEqual(['out']);
  });

  it('BatchNormalization into Gemm (transB) and, with MatMul, into a new Gemm', async () => {
    const model = build({
      nodes: [
        makeNode('Gemm', ['x', 'W', 'C'], ['g'], 'gemm', { transB: 1, beta: { float: 0.5 } }),
        bnNode('g', 'bn1', 'y'),
        makeNode('MatMul', ['y', 'M'], ['m'], 'matmul'),
        bnNode('m', 'bn2', 'out'),
      ],
      inputs: [['x', [2, 5]]],
      outputs: ['out'],
      initializers: [randomTensor('W', [3, 5], 1), randomTensor('C', [3], 2), randomTensor('M', [3, 4], 3), ...bn('bn1', 3, 10), ...bn('bn2', 4, 20)],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Gemm', 'Gemm']);
    expect(report.notes).toEqual(expect.arrayContaining(['1 BatchNormalization fused into Gemm', '1 BatchNormalization fused with MatMul into Gemm']));
  });

  it('Add of a per-channel constant into the Conv bias; a [M] constant (last-axis broadcast) is left alone', async () => {
    const model = build({
      nodes: [
        makeNode('Conv', ['x', 'W', 'B'], ['c1'], 'conv1'),
        makeNode('Add', ['c1', 'A'], ['a1'], 'add1'),
        makeNode('Conv', ['a1', 'W2'], ['c2'], 'conv2'),
        makeNode('Add', ['A2', 'c2'], ['a2'], 'add2'),
        makeNode('Conv', ['a2', 'W3'], ['c3'], 'conv3'),
        makeNode('Add', ['c3', 'A3'], ['out'], 'add3'),
      ],
      inputs: [['x', [1, 3, 6, 6]]],
      outputs: ['out'],
      initializers: [
        randomTensor('W', [4, 3, 1, 1], 1), randomTensor('B', [4], 2), randomTensor('A', [1, 4, 1, 1], 3),
        randomTensor('W2', [4, 4, 1, 1], 4), randomTensor('A2', [1], 5),
        randomTensor('W3', [6, 4, 1, 1], 6), randomTensor('A3', [6], 7),
      ],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Conv', 'Conv', 'Conv', 'Add']);
    expect(report.notes).toContain('2 Add fused into Conv bias');
  });

  it('MatMul + Add → Gemm when X is known to be 2-D; a 3-D MatMul stays', async () => {
    const model = build({
      nodes: [
        makeNode('MatMul', ['x', 'W'], ['m'], 'mm'),
        makeNode('Add', ['m', 'b'], ['y'], 'add'),
        makeNode('MatMul', ['z', 'W'], ['m3'], 'mm3'),
        makeNode('Add', ['m3', 'b'], ['y3'], 'add3'),
      ],
      inputs: [['x', [2, 5]], ['z', [2, 2, 5]]],
      outputs: ['y', 'y3'],
      initializers: [randomTensor('W', [5, 3], 1), randomTensor('b', [1, 3], 2)],
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Gemm', 'MatMul', 'Add']);
  });

  it('Add of a constant into Gemm C', async () => {
    const model = build({
      nodes: [makeNode('Gemm', ['x', 'W', 'C'], ['g'], 'gemm', { beta: { float: 2 } }), makeNode('Add', ['g', 'D'], ['out'], 'add')],
      inputs: [['x', [2, 5]]],
      outputs: ['out'],
      initializers: [randomTensor('W', [5, 3], 1), randomTensor('C', [3], 2), randomTensor('D', [2, 3], 3)],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Gemm']);
    expect(report.notes).toContain('1 Add fused into Gemm bias');
  });

  it('consecutive Transposes compose; an identity composition disappears', async () => {
    const model = build({
      nodes: [
        makeNode('Transpose', ['x'], ['t1'], 't1', { perm: [1, 2, 0] }),
        makeNode('Transpose', ['t1'], ['t2'], 't2', { perm: [2, 0, 1] }),
        makeNode('Relu', ['t2'], ['r'], 'relu'),
        makeNode('Transpose', ['r'], ['t3'], 't3', { perm: [1, 0, 2] }),
        makeNode('Transpose', ['t3'], ['out'], 't4', { perm: [0, 2, 1] }),
      ],
      inputs: [['x', [2, 3, 4]]],
      outputs: ['out'],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Relu', 'Transpose']);
    expect(report.notes).toEqual(expect.arrayContaining(['2 consecutive Transposes merged', 'identity Transpose ×1 removed']));
  });

  it('Squeeze/Unsqueeze with the same axes cancel; consecutive Unsqueezes (negative axes) and Reshapes merge', async () => {
    const axes = (name: string, values: number[]) => int64Tensor(name, values);
    const model = build({
      nodes: [
        makeNode('Squeeze', ['x', 'a1'], ['s'], 'sq'),
        makeNode('Unsqueeze', ['s', 'a1'], ['u'], 'unsq'),
        makeNode('Relu', ['u'], ['r'], 'relu'),
        makeNode('Unsqueeze', ['r', 'a0'], ['u1'], 'u1'),
        makeNode('Squeeze', ['u1', 'a0'], ['s1'], 's1'),
        makeNode('Unsqueeze', ['s1', 'a0'], ['u2'], 'u2'),
        makeNode('Unsqueeze', ['u2', 'aneg'], ['u3'], 'u3'),
        makeNode('Reshape', ['u3', 'shape1'], ['rs1'], 'rs1'),
        makeNode('Reshape', ['rs1', 'shape2'], ['out'], 'rs2'),
      ],
      inputs: [['x', [2, 1, 3]]],
      outputs: ['out'],
      initializers: [axes('a1', [1]), axes('a0', [0]), axes('aneg', [-1]), axes('shape1', [6, 1]), axes('shape2', [3, -1])],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Relu', 'Unsqueeze', 'Reshape']);
    expect(report.notes).toEqual(
      expect.arrayContaining(['1 Squeeze/Unsqueeze pair cancelled', '1 Unsqueeze/Squeeze pair cancelled', '1 consecutive Unsqueezes merged', '1 consecutive Reshapes merged']),
    );
  });

  it('consecutive Unsqueezes and Squeezes merge into one with the combined axes (opset 11, axes as attributes)', async () => {
    const model = build({
      nodes: [
        makeNode('Unsqueeze', ['x'], ['u1'], 'u1', { axes: [0] }),
        makeNode('Unsqueeze', ['u1'], ['u2'], 'u2', { axes: [2, -1] }),
        makeNode('Relu', ['u2'], ['r'], 'relu'),
        makeNode('Squeeze', ['r'], ['s1'], 's1', { axes: [2] }),
        makeNode('Squeeze', ['s1'], ['out'], 's2', { axes: [-1, 0] }),
      ],
      inputs: [['x', [2, 3]]],
      outputs: ['out'],
      opset: 11,
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Unsqueeze', 'Relu', 'Squeeze']);
    expect(out.graph?.node?.map((n) => n.attribute?.find((a) => a.name === 'axes')?.ints?.map(Number))).toEqual([[0, 2, 4], undefined, [0, 2, 4]]);
  });

  it('Log(Softmax) → LogSoftmax', async () => {
    const model = build({
      nodes: [makeNode('Softmax', ['x'], ['s'], 'sm', { axis: 1 }), makeNode('Log', ['s'], ['out'], 'log')],
      inputs: [['x', [2, 5]]],
      outputs: ['out'],
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['LogSoftmax']);
  });

  it('below IR 4 every initializer stays listed as a graph input: new ones are added, removed ones go', async () => {
    const weights = [randomTensor('W', [2, 2, 1, 1], 1), randomTensor('s', [2], 2), randomTensor('b', [2], 3), randomTensor('m', [2], 4), randomTensor('v', [2], 5, 0.5)];
    const model = build({
      nodes: [makeNode('Conv', ['x', 'W'], ['c'], 'conv'), makeNode('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['out'], 'bn')],
      inputs: [['x', [1, 2, 4, 4]], ...weights.map((t) => vi(t.name, t.dims as number[]))],
      outputs: ['out'],
      initializers: weights,
      opset: 9,
      ir: 3,
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Conv']);
    const inits = (out.graph?.initializer ?? []).map((t) => t.name).sort();
    expect(inits).toHaveLength(2);
    expect((out.graph?.input ?? []).map((v) => v.name).sort()).toEqual([...inits, 'x'].sort());
  });

  it('fuse: false and skip keep the fusions out', async () => {
    const model = build({
      nodes: [makeNode('Conv', ['x', 'W'], ['c'], 'conv'), makeNode('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['out'], 'bn')],
      inputs: [['x', [1, 2, 4, 4]]],
      outputs: ['out'],
      initializers: [randomTensor('W', [2, 2, 1, 1], 1), randomTensor('s', [2], 2), randomTensor('b', [2], 3), randomTensor('m', [2], 4), randomTensor('v', [2], 5, 0.5)],
    });
    expect(ops((await simplify(model, { fuse: false }, { runtime })).model)).toEqual(['Conv', 'BatchNormalization']);
    expect(ops((await simplify(model, { skip: ['fuse_bn_into_conv'] }, { runtime })).model)).toEqual(['Conv', 'BatchNormalization']);
    expect(ops((await simplify(model, {}, { runtime })).model)).toEqual(['Conv']);
  });
});

describe('simplify: run-time Reshape shapes (fuse_reshape_copy_dims)', () => {
  /** A float input with symbolic (string) and fixed (number) dims. */
  const symbolic = (name: string, dims: Array<number | string>) =>
    new onnx.ValueInfoProto({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } } });
  const scalar = (name: string, v: number) => makeTensor(name, DataType.INT64, [], BigInt64Array.of(BigInt(v)));
  const feed = (dims: number[], seed: number): RuntimeTensor => {
    const next = mulberry32(seed);
    return { type: 'float32', data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => next() - 0.5), dims };
  };
  /** Dimension i of `shape` (Shape → Gather → Unsqueeze), as the exporters write it. */
  const dimOf = (shape: string, index: string, out: string) => [
    makeNode('Gather', [shape, index], [`${out}_g`], `${out}_gather`, { axis: 0 }),
    makeNode('Unsqueeze', [`${out}_g`, 'ax0'], [out], `${out}_unsqueeze`),
  ];
  const shapeOf = (m: ModelProto, reshapeOutput: string) => {
    const node = m.graph?.node?.find((n) => n.op_type === 'Reshape' && n.output?.[0] === reshapeOutput);
    const t = m.graph?.initializer?.find((i) => i.name === node?.input?.[1]);
    return t ? Array.from(new BigInt64Array(t.raw_data!.slice().buffer), Number) : null;
  };

  it('Shape → Gather → Unsqueeze → Concat of the input\'s own dims becomes a constant shape with 0s', async () => {
    const model = build({
      nodes: [
        // [batch, seq, 24] → [batch, seq, 4, 6] with the dims of x itself.
        makeNode('Shape', ['x'], ['sx'], 'shape_x'),
        ...dimOf('sx', 'i0', 'ub'),
        ...dimOf('sx', 'i1', 'us'),
        makeNode('Concat', ['ub', 'us', 'c4', 'c6'], ['shape1'], 'concat1', { axis: 0 }),
        makeNode('Reshape', ['x', 'shape1'], ['r1'], 'reshape1'),
        makeNode('Transpose', ['r1'], ['t1'], 't1', { perm: [0, 2, 1, 3] }),
        makeNode('Relu', ['t1'], ['rt'], 'relu_t'),
        makeNode('Transpose', ['rt'], ['t2'], 't2', { perm: [0, 2, 1, 3] }),
        // Back to [batch, seq, -1] with the dims of y = Relu(x) (another tensor, same symbolic dims; index −2).
        makeNode('Relu', ['x'], ['y'], 'relu_x'),
        makeNode('Shape', ['y'], ['sy'], 'shape_y'),
        ...dimOf('sy', 'i0', 'yb'),
        ...dimOf('sy', 'im2', 'ys'),
        makeNode('Concat', ['yb', 'ys', 'cm1'], ['shape2'], 'concat2', { axis: 0 }),
        makeNode('Reshape', ['t2', 'shape2'], ['out'], 'reshape2'),
        // Shape-15 with end = 2 of x, for t2 (whose first two dims shape inference follows through the Transposes).
        makeNode('Shape', ['x'], ['sx2'], 'shape_x2', { end: 2 }),
        makeNode('Concat', ['sx2', 'c24'], ['shape3'], 'concat3', { axis: 0 }),
        makeNode('Reshape', ['t2', 'shape3'], ['out2'], 'reshape3'),
      ],
      inputs: [symbolic('x', ['batch', 'seq', 24])],
      outputs: ['out', 'out2'],
      initializers: [scalar('i0', 0), scalar('i1', 1), scalar('im2', -2), int64Tensor('ax0', [0]), int64Tensor('c4', [4]), int64Tensor('c6', [6]), int64Tensor('cm1', [-1]), int64Tensor('c24', [24])],
      opset: 15,
    });
    const { model: out, report } = await simplifyAndCompare(model, {}, { x: feed([2, 3, 24], 1) });
    // A second size: the constant shapes follow the input.
    expectClose(await compareModels(encodeModel(model), encodeModel(out), { runtime, inputs: { x: feed([1, 5, 24], 2) }, warmup: 1, runs: 1 }));
    expect(ops(out)).toEqual(['Reshape', 'Transpose', 'Relu', 'Transpose', 'Reshape', 'Reshape']);
    expect(shapeOf(out, 'r1')).toEqual([0, 0, 4, 6]);
    expect(shapeOf(out, 'out')).toEqual([0, 0, -1]);
    expect(shapeOf(out, 'out2')).toEqual([0, 0, 24]);
    expect(report.notes).toContain('3 run-time Reshape shapes → constants (0 = copy the input dim)');
  });

  it('a dim from another position, from a tensor whose dim is not the same, or allowzero = 1: the Reshape stays', async () => {
    const model = build({
      nodes: [
        makeNode('Shape', ['x'], ['sx'], 'shape_x'),
        ...dimOf('sx', 'i0', 'ub'),
        ...dimOf('sx', 'i1', 'us'),
        // [seq, batch, 24]: dims of x, but at the other positions.
        makeNode('Concat', ['us', 'ub', 'c24'], ['swapped'], 'concat_swapped', { axis: 0 }),
        makeNode('Reshape', ['x', 'swapped'], ['out1'], 'reshape_swapped'),
        // [n, -1, 24]: n is dim 0 of z, not provably x's batch.
        makeNode('Shape', ['z'], ['sz'], 'shape_z'),
        ...dimOf('sz', 'i0', 'zn'),
        makeNode('Concat', ['zn', 'cm1', 'c24'], ['other'], 'concat_other', { axis: 0 }),
        makeNode('Reshape', ['x', 'other'], ['out2'], 'reshape_other'),
        // allowzero = 1: a 0 would mean a zero-size dim.
        makeNode('Concat', ['ub', 'us', 'c24'], ['own'], 'concat_own', { axis: 0 }),
        makeNode('Reshape', ['x', 'own'], ['out3'], 'reshape_allowzero', { allowzero: 1 }),
      ],
      inputs: [symbolic('x', ['batch', 'seq', 24]), symbolic('z', ['n', 'm'])],
      outputs: ['out1', 'out2', 'out3'],
      initializers: [scalar('i0', 0), scalar('i1', 1), int64Tensor('ax0', [0]), int64Tensor('cm1', [-1]), int64Tensor('c24', [24])],
      opset: 14,
    });
    const { model: out, report } = await simplifyAndCompare(model, {}, { x: feed([2, 3, 24], 1), z: feed([3, 1], 2) });
    for (const name of ['out1', 'out2', 'out3']) expect(shapeOf(out, name)).toBeNull();
    expect(ops(out).filter((op) => op === 'Shape')).toHaveLength(2);
    expect(report.notes.some((n) => n.includes('run-time Reshape'))).toBe(false);
  });

  it('skip: fuse_reshape_copy_dims keeps the run-time shape', async () => {
    const model = build({
      nodes: [
        makeNode('Shape', ['x'], ['sx'], 'shape_x'),
        ...dimOf('sx', 'i0', 'ub'),
        makeNode('Concat', ['ub', 'cm1'], ['shape'], 'concat', { axis: 0 }),
        makeNode('Reshape', ['x', 'shape'], ['out'], 'reshape'),
      ],
      inputs: [symbolic('x', ['batch', 3, 4])],
      outputs: ['out'],
      initializers: [scalar('i0', 0), int64Tensor('ax0', [0]), int64Tensor('cm1', [-1])],
    });
    expect(ops((await simplifyAndCompare(model, { skip: ['fuse_reshape_copy_dims'] }, { x: feed([2, 3, 4], 1) })).model)).toContain('Shape');
    const { model: out } = await simplifyAndCompare(model, {}, { x: feed([2, 3, 4], 1) });
    expect(ops(out)).toEqual(['Reshape']);
    expect(shapeOf(out, 'out')).toEqual([0, -1]);
  });
});

describe('simplify: eliminations', () => {
  it('CSE merges identical nodes; duplicate initializers merge, which lets CSE merge more', async () => {
    const model = build({
      nodes: [
        makeNode('Relu', ['x'], ['a'], 'r1'),
        makeNode('Relu', ['x'], ['b'], 'r2'),
        makeNode('Add', ['a', 'w1'], ['c'], 'add1'),
        makeNode('Add', ['b', 'w2'], ['d'], 'add2'),
        makeNode('Mul', ['c', 'd'], ['out'], 'mul'),
      ],
      inputs: [['x', [2, 3]]],
      outputs: ['out'],
      initializers: [randomTensor('w1', [3], 1), randomTensor('w2', [3], 1)],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Relu', 'Add', 'Mul']);
    expect(out.graph?.initializer?.map((t) => t.name)).toEqual(['w1']);
    expect(report.notes).toEqual(expect.arrayContaining(['1 duplicate initializer merged', 'duplicate Relu ×1 merged (CSE)', 'duplicate Add ×1 merged (CSE)']));
  });

  it('an Identity feeding a graph output: its producer takes the output name; one of a graph input stays', async () => {
    const model = build({
      nodes: [makeNode('Relu', ['x'], ['r'], 'relu'), makeNode('Identity', ['r'], ['out'], 'id1'), makeNode('Identity', ['x'], ['copy'], 'id2')],
      inputs: [['x', [2, 3]]],
      outputs: ['out', 'copy'],
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Relu', 'Identity']);
    expect(out.graph?.node?.[0].output).toEqual(['out']);
    expect(out.graph?.output?.map((o) => o.name)).toEqual(['out', 'copy']);
  });

  it('no-op Dropout, Cast, Reshape, Pad, Transpose, Expand, Flatten, single Concat/Split, x·1, x+0, x/1, x^1 go', async () => {
    const model = build({
      nodes: [
        makeNode('Dropout', ['x'], ['d'], 'drop'),
        makeNode('Cast', ['d'], ['c'], 'cast', { to: DataType.FLOAT }),
        makeNode('Reshape', ['c', 'shape'], ['r'], 'reshape'),
        makeNode('Pad', ['r', 'pads'], ['p'], 'pad'),
        makeNode('Transpose', ['p'], ['t'], 'transpose', { perm: [0, 1] }),
        makeNode('Expand', ['t', 'ones'], ['e'], 'expand'),
        makeNode('Flatten', ['e'], ['f'], 'flatten', { axis: 1 }),
        makeNode('Concat', ['f'], ['cc'], 'concat', { axis: 0 }),
        makeNode('Split', ['cc'], ['sp'], 'split', { axis: 0 }),
        makeNode('Mul', ['one', 'sp'], ['m'], 'mul'),
        makeNode('Add', ['m', 'zero'], ['a'], 'add'),
        makeNode('Div', ['a', 'one'], ['dv'], 'div'),
        makeNode('Pow', ['dv', 'one'], ['pw'], 'pow'),
        makeNode('Sub', ['zero', 'pw'], ['out'], 'sub'), // 0 − x is not x: stays
      ],
      inputs: [['x', [2, 3]]],
      outputs: ['out'],
      initializers: [int64Tensor('shape', [2, -1]), int64Tensor('pads', [0, 0, 0, 0]), int64Tensor('ones', [1, 3]), floatTensor('one', [1], Float32Array.of(1)), floatTensor('zero', [3], new Float32Array(3))],
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Sub']);
  });

  it('dead nodes and unused initializers go; an initializer that is also a graph input stays', async () => {
    const model = build({
      nodes: [makeNode('Relu', ['x'], ['out'], 'relu'), makeNode('Neg', ['x'], ['unused'], 'neg')],
      inputs: [['x', [2]], ['w', [2]]],
      outputs: ['out'],
      initializers: [floatTensor('w', [2], Float32Array.of(1, 2)), floatTensor('dead', [2], Float32Array.of(1, 2))],
    });
    const { model: out } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Relu']);
    expect(out.graph?.initializer?.map((t) => t.name)).toEqual(['w']);
  });

  it('inside If branches: Constants, Identities and dead nodes go; body outputs keep their names', async () => {
    const branch = (name: string, op: string) =>
      new onnx.GraphProto({
        name,
        node: [
          makeNode('Constant', [], [`${name}_k`], `${name}_const`, { value: floatTensor('', [3], Float32Array.of(1, 2, 3)) }),
          makeNode(op, ['x'], [`${name}_v`], `${name}_op`),
          makeNode('Add', [`${name}_v`, `${name}_k`], [`${name}_s`], `${name}_add`),
          makeNode('Identity', [`${name}_s`], [`${name}_out`], `${name}_id`),
          makeNode('Neg', [`${name}_s`], [`${name}_dead`], `${name}_dead`),
        ],
        output: [vi(`${name}_out`, [3])],
      });
    const ifNode = makeNode('If', ['cond'], ['y'], 'if');
    ifNode.attribute = [
      new onnx.AttributeProto({ name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('then', 'Relu') }),
      new onnx.AttributeProto({ name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('else', 'Neg') }),
    ];
    const model = build({ nodes: [ifNode, makeNode('Identity', ['y'], ['out'], 'id')], inputs: [['x', [3]], vi('cond', [], DataType.BOOL)], outputs: ['out'] });
    const x: RuntimeTensor = { type: 'float32', data: Float32Array.of(-1, 0.5, 2), dims: [3] };
    for (const cond of [1, 0]) await simplifyAndCompare(model, {}, { x, cond: { type: 'bool', data: Uint8Array.of(cond), dims: [] } });
    const { model: out, report } = await simplify(model, {}, { runtime });
    expect(ops(out)).toEqual(['If']);
    expect(out.graph?.node?.[0].output).toEqual(['out']);
    for (const [i, name] of ['then', 'else'].entries()) {
      const body = out.graph!.node![0].attribute![i].g!;
      expect(body.node?.map((n) => n.op_type)).toEqual([name === 'then' ? 'Relu' : 'Neg', 'Add']);
      expect(body.initializer?.map((t) => t.name)).toEqual([`${name}_k`]);
      expect(body.output?.map((o) => o.name)).toEqual([`${name}_out`]);
    }
    expect(report.notes).toEqual(expect.arrayContaining(['Identity ×3 removed', '2 Constant nodes → initializers']));
    // subgraphs: false leaves the bodies as they were.
    const { model: kept } = await simplify(model, { subgraphs: false }, { runtime });
    expect(kept.graph!.node![0].attribute![0].g!.node?.length).toBe(5);
  });

  it('inside If branches: fusions, consecutive ops and common subexpressions too', async () => {
    const weights = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed));
    const thenBranch = new onnx.GraphProto({
      name: 'then',
      node: [
        makeNode('Constant', [], ['w'], 'w', { value: floatTensor('', [3, 4], weights(12, 1)) }),
        makeNode('Constant', [], ['b'], 'b', { value: floatTensor('', [4], weights(4, 2)) }),
        makeNode('MatMul', ['x', 'w'], ['m'], 'matmul'),
        makeNode('Add', ['m', 'b'], ['a'], 'add_bias'),
        makeNode('Transpose', ['a'], ['t1'], 't1', { perm: [1, 0] }),
        makeNode('Transpose', ['t1'], ['t2'], 't2', { perm: [1, 0] }),
        makeNode('Relu', ['t2'], ['r1'], 'relu1'),
        makeNode('Relu', ['t2'], ['r2'], 'relu2'),
        makeNode('Add', ['r1', 'r2'], ['then_out'], 'sum'),
      ],
      output: [vi('then_out', [2, 4])],
    });
    const elseBranch = new onnx.GraphProto({
      name: 'else',
      node: [makeNode('Constant', [], ['w2'], 'w2', { value: floatTensor('', [3, 4], weights(12, 3)) }), makeNode('MatMul', ['x', 'w2'], ['else_out'], 'matmul2')],
      output: [vi('else_out', [2, 4])],
    });
    const ifNode = makeNode('If', ['cond'], ['y'], 'if');
    ifNode.attribute = [
      new onnx.AttributeProto({ name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: thenBranch }),
      new onnx.AttributeProto({ name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: elseBranch }),
    ];
    const model = build({ nodes: [ifNode], inputs: [['x', [2, 3]], vi('cond', [], DataType.BOOL)], outputs: ['y'] });
    const x: RuntimeTensor = { type: 'float32', data: Float32Array.of(-1, 0.5, 2, 3, -0.25, 1), dims: [2, 3] };
    for (const cond of [1, 0]) await simplifyAndCompare(model, {}, { x, cond: { type: 'bool', data: Uint8Array.of(cond), dims: [] } });
    const { model: out } = await simplify(model, {}, { runtime });
    const [thenOut, elseOut] = out.graph!.node![0].attribute!.map((a) => a.g!);
    expect(thenOut.node?.map((n) => n.op_type)).toEqual(['Gemm', 'Relu', 'Add']);
    expect(thenOut.output?.map((o) => o.name)).toEqual(['then_out']);
    expect(elseOut.node?.map((n) => n.op_type)).toEqual(['MatMul']);
  });

  it('inside If branches: constant folding, with constants of the enclosing graph, and a body output that is constant', async () => {
    const thenBranch = new onnx.GraphProto({
      name: 'then',
      node: [
        makeNode('Constant', [], ['c1'], 'c1', { value: floatTensor('', [3], Float32Array.of(1, 2, 3)) }),
        makeNode('Mul', ['c1', 'scale'], ['k'], 'mul_outer'),
        makeNode('Sqrt', ['k'], ['k2'], 'sqrt'),
        makeNode('Add', ['x', 'k2'], ['then_out'], 'add'),
      ],
      output: [vi('then_out', [3])],
    });
    const elseBranch = new onnx.GraphProto({
      name: 'else',
      node: [makeNode('Constant', [], ['c2'], 'c2', { value: floatTensor('', [3], Float32Array.of(4, 5, 6)) }), makeNode('Neg', ['c2'], ['else_out'], 'neg')],
      output: [vi('else_out', [3])],
    });
    const ifNode = makeNode('If', ['cond'], ['y'], 'if');
    ifNode.attribute = [
      new onnx.AttributeProto({ name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: thenBranch }),
      new onnx.AttributeProto({ name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: elseBranch }),
    ];
    const model = build({
      nodes: [ifNode],
      inputs: [['x', [3]], vi('cond', [], DataType.BOOL)],
      outputs: ['y'],
      initializers: [floatTensor('scale', [3], Float32Array.of(4, 8, 12))],
    });
    const x: RuntimeTensor = { type: 'float32', data: Float32Array.of(-1, 0.5, 2), dims: [3] };
    for (const cond of [1, 0]) await simplifyAndCompare(model, {}, { x, cond: { type: 'bool', data: Uint8Array.of(cond), dims: [] } });
    const { model: out } = await simplify(model, {}, { runtime });
    const [thenOut, elseOut] = out.graph!.node![0].attribute!.map((a) => a.g!);
    expect(thenOut.node?.map((n) => n.op_type)).toEqual(['Add']);
    expect([...(thenOut.initializer ?? [])].map((t) => [...new Float32Array(new Uint8Array(t.raw_data!).slice().buffer)])).toEqual([[2, 4, 6]]);
    expect(elseOut.output?.map((o) => o.name)).toEqual(['else_out']);
  });
});

describe('simplify: constant folding', () => {
  it('folds constant subgraphs with onnxruntime in one batch, Shape of static shapes without it', async () => {
    const model = build({
      nodes: [
        makeNode('Shape', ['x'], ['shape'], 'shape'),
        makeNode('Gather', ['shape', 'zero'], ['n'], 'gather', { axis: 0 }),
        makeNode('Unsqueeze', ['n', 'axes'], ['n1'], 'unsqueeze'),
        makeNode('Concat', ['n1', 'minus1'], ['target'], 'concat', { axis: 0 }),
        makeNode('Reshape', ['x', 'target'], ['flat'], 'reshape'),
        makeNode('Cast', ['k'], ['kf'], 'cast', { to: DataType.FLOAT }),
        makeNode('Sqrt', ['kf'], ['ks'], 'sqrt'),
        makeNode('Mul', ['flat', 'ks'], ['out'], 'mul'),
      ],
      inputs: [['x', [2, 3, 4]]],
      outputs: ['out'],
      initializers: [makeTensor('zero', DataType.INT64, [], BigInt64Array.of(0n)), int64Tensor('axes', [0]), int64Tensor('minus1', [-1]), makeTensor('k', DataType.INT32, [12], Int32Array.from({ length: 12 }, (_, i) => i))],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Reshape', 'Mul']);
    expect(report.notes).toEqual(expect.arrayContaining(['Shape ×1 of static shapes → constants']));
    expect(report.notes.some((n) => /node(s)? folded into constants/.test(n))).toBe(true);
  });

  it('a folded value that is a graph output becomes an initializer listed as an output, which onnxruntime runs', async () => {
    const model = build({
      nodes: [makeNode('Relu', ['x'], ['out'], 'relu'), makeNode('Neg', ['c'], ['constant_out'], 'neg')],
      inputs: [['x', [2]]],
      outputs: ['out', 'constant_out'],
      initializers: [floatTensor('c', [2], Float32Array.of(1, -2))],
    });
    const { model: out, report } = await simplifyAndCompare(model);
    expect(ops(out)).toEqual(['Relu']);
    expect(out.graph?.initializer?.map((t) => t.name)).toEqual(['constant_out']);
    expect(report.notes).toContain("graph output 'constant_out' is a constant now (an initializer listed as an output)");
  });

  it('a Tile whose output would exceed maxFoldBytes stays; under the default threshold it folds', async () => {
    const model = build({
      nodes: [makeNode('Tile', ['c', 'repeats'], ['tiled'], 'tile'), makeNode('Add', ['x', 'tiled'], ['out'], 'add')],
      inputs: [['x', [100, 100]]],
      outputs: ['out'],
      initializers: [randomTensor('c', [2, 2], 1), int64Tensor('repeats', [50, 50])],
    });
    const small = await simplifyAndCompare(model, { maxFoldBytes: 1000 });
    expect(ops(small.model)).toEqual(['Tile', 'Add']);
    expect(small.report.notes).toContain('not folded, output over maxFoldBytes or of unknown size: Tile ×1');
    const folded = await simplifyAndCompare(model);
    expect(ops(folded.model)).toEqual(['Add']);
  });

  it('when the batch model fails, each node runs alone and the ones that fail stay', async () => {
    // A runtime that refuses models of more than one node, and any model with a Sin in it.
    const picky: CompareRuntime = {
      async createSession(bytes) {
        const nodes = decodeModel(bytes).graph?.node ?? [];
        if (nodes.length > 1 || nodes.some((n) => n.op_type === 'Sin')) throw new OmnihubError('runtime', 'refused');
        return runtime.createSession(bytes);
      },
    };
    const model = build({
      nodes: [
        makeNode('Neg', ['c'], ['n'], 'neg'),
        makeNode('Sin', ['n'], ['s'], 'sin'),
        makeNode('Exp', ['c'], ['e'], 'exp'),
        makeNode('Add', ['x', 's'], ['a'], 'add'),
        makeNode('Mul', ['a', 'e'], ['out'], 'mul'),
      ],
      inputs: [['x', [2]]],
      outputs: ['out'],
      initializers: [floatTensor('c', [2], Float32Array.of(0.5, -1))],
    });
    const { model: out, report } = await simplifyAndCompare(model, {}, undefined, picky);
    expect(ops(out)).toEqual(['Sin', 'Add', 'Mul']);
    expect(report.notes).toContain('not folded, onnxruntime could not evaluate them: Sin ×1');
  });

  it('without a runtime folding is skipped with a note; a recipe refuses to run simplify without one', async () => {
    const model = build({ nodes: [makeNode('Neg', ['c'], ['n'], 'neg'), makeNode('Add', ['x', 'n'], ['out'], 'add')], inputs: [['x', [2]]], outputs: ['out'], initializers: [floatTensor('c', [2], Float32Array.of(1, 2))] });
    const { model: out, report } = await simplify(model, {});
    expect(ops(out)).toEqual(['Neg', 'Add']);
    expect(report.notes).toContain('constant folding skipped: no onnxruntime given');
    await expect(runRecipe(model, { steps: [{ step: 'simplify' }] })).rejects.toMatchObject({ code: 'usage' });
    const { model: viaRecipe } = await runRecipe(model, { steps: [{ step: 'simplify', options: { fuse: false } }] }, { runtime });
    expect(ops(viaRecipe)).toEqual(['Add']);
  });
});

describe('simplify: options, progress, abort', () => {
  const model = build({ nodes: [makeNode('Identity', ['x'], ['i'], 'id'), makeNode('Relu', ['i'], ['out'], 'relu')], inputs: [['x', [2]]], outputs: ['out'] });

  it('recipes check the options; unknown pass names in skip are refused', async () => {
    expect(() => parseRecipe({ steps: [{ step: 'simplify', options: { fuse: 'no' } }] })).toThrow(/true or false/);
    expect(() => parseRecipe({ steps: [{ step: 'simplify', options: { maxFoldBytes: '1GB' } }] })).toThrow(/a number/);
    expect(parseRecipe({ steps: [{ step: 'simplify', options: { skip: ['eliminate_identity'], maxFoldBytes: 1e6 } }] }).steps).toHaveLength(1);
    await expect(simplify(model, { skip: ['no_such_pass'] }, { runtime })).rejects.toMatchObject({ code: 'bad-recipe' });
    expect(SIMPLIFY_PASSES).toEqual(expect.arrayContaining(['eliminate_identity', 'fuse_bn_into_conv', 'constant_folding']));
    expect(ops((await simplify(model, { skip: ['eliminate_identity'] }, { runtime })).model)).toEqual(['Identity', 'Relu']);
  });

  it('reports progress, rising to 1, and stops when aborted', async () => {
    const fractions: number[] = [];
    await simplify(model, {}, { runtime, onProgress: (p) => fractions.push(p.fraction) });
    expect(fractions.length).toBeGreaterThan(2);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    const controller = new AbortController();
    controller.abort();
    await expect(simplify(model, {}, { runtime, signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
  });
});
