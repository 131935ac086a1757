// TensorFlow readers on the real fixtures of /work/shared/fixtures/tensorflow (MANIFEST.md): SavedModels (TF 1.2 to
// 2.14, a two-shard bundle, two Snappy-compressed indexes, one without variables), a TF Hub archive, frozen GraphDefs
// and TF.js models; values checked against what the upstream tests and MANIFEST state; hostile inputs refused with
// OmnihubErrors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { OmnihubError } from '../../src/core/errors.js';
import { readNpy } from '../../src/core/formats/numpy/npy.js';
import {
  detectTensorFlow, readBundleIndex, readBundleTensors, readGraphDef, readSavedModel, readTfHubArchive, readTfjsModel,
  pickMetaGraph, readSSTable, gunzipBounded, readTar, tensorflow, encodeGraphDef, decodeGraphDefProto, readCheckpoint,
  type SavedModel,
} from '../../src/core/formats/tensorflow/index.js';
import { crc32c, maskCrc } from '../../src/core/formats/tensorflow/crc32c.js';
import { toFloat32, type WeightTensor } from '../../src/core/weights/types.js';
import { fixture, REPO } from '../support/paths.js';

const TF = fixture('tensorflow');
const SM = join(TF, 'savedmodel');
const hasFixtures = existsSync(join(TF, 'MANIFEST.md'));

function readDir(dir: string, base = dir, out = new Map<string, Uint8Array>()): Map<string, Uint8Array> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) readDir(p, base, out);
    else out.set(relative(base, p).replace(/\\/g, '/'), new Uint8Array(readFileSync(p)));
  }
  return out;
}

const models = new Map<string, SavedModel>();
async function savedModel(name: string): Promise<SavedModel> {
  let m = models.get(name);
  if (!m) {
    m = await readSavedModel(readDir(join(SM, name)));
    models.set(name, m);
  }
  return m;
}

const values = (t: WeightTensor | undefined) => {
  expect(t).toBeDefined();
  return Array.from(toFloat32(t!));
};

async function expectOmnihubError(p: Promise<unknown> | (() => unknown), code: string | RegExp, message?: RegExp) {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  expect(error, 'expected an OmnihubError').toBeInstanceOf(OmnihubError);
  const e = error as OmnihubError;
  if (typeof code === 'string') expect(e.code).toBe(code);
  else expect(e.code).toMatch(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

const sig = (m: SavedModel, name: string) => {
  const s = pickMetaGraph(m).signatures[name];
  expect(s, `signature ${name}`).toBeDefined();
  const fmt = (r: typeof s.inputs) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, `${v.name} ${v.dtypeName} ${JSON.stringify(v.shape)}`]));
  return { method: s.methodName, inputs: fmt(s.inputs), outputs: fmt(s.outputs) };
};

it('src/core/formats/tensorflow/generated is up to date with the vendored .proto files', () => {
  const out = mkdtempSync(join(tmpdir(), 'omnihub-gen-tf-'));
  execFileSync(process.execPath, [join(REPO, 'scripts/gen-tensorflow-proto.mjs'), '--out', out], { stdio: 'pipe' });
  for (const file of ['tensorflow.js', 'tensorflow.d.ts']) {
    const committed = readFileSync(join(REPO, 'src/core/formats/tensorflow/generated', file), 'utf8');
    expect(readFileSync(join(out, file), 'utf8') === committed, `${file} differs: run npm run gen:tensorflow`).toBe(true);
  }
}, 60_000);

describe.skipIf(!hasFixtures)('SavedModel fixtures', () => {
  const all = hasFixtures ? readdirSync(SM).filter((d) => existsSync(join(SM, d, 'saved_model.pb'))) : [];

  it('reads all 12 SavedModel directories', async () => {
    expect(all.length).toBe(12);
    for (const d of all) {
      const m = await savedModel(d);
      expect(m.metaGraphs.length, d).toBe(1);
      expect(m.metaGraphs[0].tags, d).toEqual(['serve']);
      expect(m.schemaVersion, d).toBe(1);
      // Every bundle entry (all complete per MANIFEST) came out: numeric or string.
      if (m.bundle) expect(m.variables.size + m.stringVariables.size, d).toBe(m.bundle.entries.size);
    }
  });

  it('TF 1.14 half_plus_two (Snappy-compressed index): a=0.5 b=2 c=3 via the VariableV2/RestoreV2 path', async () => {
    const m = await savedModel('tfserving_saved_model_half_plus_two_cpu');
    const mg = pickMetaGraph(m);
    expect(mg.tensorflowVersion).toBe('1.14.0');
    expect([...m.variables.keys()]).toEqual(['a', 'a2', 'b', 'c', 'c2']);
    expect(values(mg.variableForNode('a'))).toEqual([0.5]);
    expect(values(mg.variableForNode('b:0'))).toEqual([2]);
    expect(values(mg.variableForNode('^c'))).toEqual([3]);
    expect(values(m.variables.get('a2'))).toEqual([0.5]);
    expect(values(m.variables.get('c2'))).toEqual([3]);
    for (const v of ['a', 'a2', 'b', 'c', 'c2']) expect(mg.variableKeySources.get(v)).toBe('restore');
    expect(Object.keys(mg.signatures)).toEqual(['serving_default', 'classify_x_to_y', 'regress_x_to_y2', 'regress_x_to_y', 'regress_x2_to_y3']);
    expect(sig(m, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { x: 'x:0 float [-1,1]' }, outputs: { y: 'y:0 float [-1,1]' } });
    expect(sig(m, 'classify_x_to_y')).toEqual({ method: 'tensorflow/serving/classify', inputs: { inputs: 'tf_example:0 string null' }, outputs: { scores: 'y:0 float [-1,1]' } });
    expect(m.extraFiles).toEqual(['assets/foo.txt']);
    // Ops as MANIFEST lists them; no functions (graph mode).
    const ops = new Set(mg.graphDef.node.map((n) => n.op));
    for (const op of ['Mul', 'Add', 'ParseExample', 'PlaceholderWithDefault', 'VariableV2', 'RestoreV2']) expect(ops.has(op), op).toBe(true);
    expect(mg.functions).toEqual([]);
  });

  it('TF 2.14 half_plus_two (Snappy-compressed index): a=0.5 b=2 c=3 through the traced restore function and the object graph', async () => {
    const m = await savedModel('tfserving_saved_model_half_plus_two_tf2_cpu');
    const mg = pickMetaGraph(m);
    expect(values(m.variables.get('a/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual([0.5]);
    expect(values(m.variables.get('b/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual([2]);
    expect(values(m.variables.get('c/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual([3]);
    expect(Object.fromEntries(mg.variableKeys)).toMatchObject({
      a: 'a/.ATTRIBUTES/VARIABLE_VALUE', b: 'b/.ATTRIBUTES/VARIABLE_VALUE', c: 'c/.ATTRIBUTES/VARIABLE_VALUE',
    });
    expect(values(mg.variableForNode('a'))).toEqual([0.5]);
    expect(m.checkpointObjectGraph?.nodes.length).toBeGreaterThan(3);
    expect(Object.keys(mg.signatures).sort()).toEqual(['__saved_model_init_op', 'classify_x2_to_y3', 'classify_x_to_y', 'regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2', 'serving_default']);
    expect(sig(m, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { x: 'serving_default_x:0 float [1]' }, outputs: { y: 'StatefulPartitionedCall_5:0 float [1]' } });
    // Inside functions: predict reads a (Mul) and b (Add) as captured resource arguments 1 and 2.
    const predict = mg.functions.find((f) => f.signature?.name?.startsWith('__inference_predict_'));
    expect(predict).toBeDefined();
    expect(mg.capturedVariables(predict!.signature!.name!).map((c) => [c.argIndex, c.key])).toEqual([
      [1, 'a/.ATTRIBUTES/VARIABLE_VALUE'], [2, 'b/.ATTRIBUTES/VARIABLE_VALUE'],
    ]);
    const fnOps = new Set(mg.functions.flatMap((f) => (f.node_def ?? []).map((n) => n.op)));
    for (const op of ['Mul', 'AddV2', 'ReadVariableOp', 'ParseExampleV2']) expect(fnOps.has(op), op).toBe(true);
    expect(m.extraFiles.sort()).toEqual(['assets/foo.txt', 'fingerprint.pb']);
  });

  it('tf2onnx regression (TF 1.11): W=0.21396 b=1.04953', async () => {
    const m = await savedModel('tf2onnx_regression');
    const mg = pickMetaGraph(m);
    expect(values(mg.variableForNode('W'))[0]).toBeCloseTo(0.21396, 5);
    expect(values(mg.variableForNode('b'))[0]).toBeCloseTo(1.04953, 5);
    expect(sig(m, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { X: 'X:0 float null' }, outputs: { pred: 'pred:0 float null' } });
    expect(mg.graphDef.node.some((n) => n.op === 'ApplyGradientDescent')).toBe(true);
  });

  it('TF.NET Dense model (TF 2.11): kernels and biases equal bias0.npy / kernel1.npy bit for bit', async () => {
    const dir = join(SM, 'tfnet_simple_model_from_auto_compile');
    const m = await savedModel('tfnet_simple_model_from_auto_compile');
    const bias0 = readNpy(new Uint8Array(readFileSync(join(dir, 'bias0.npy'))));
    const kernel1 = readNpy(new Uint8Array(readFileSync(join(dir, 'kernel1.npy'))));
    const asBytes = (d: ArrayBufferView) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    const b0 = m.variables.get('layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE')!;
    const k1 = m.variables.get('layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE')!;
    expect(bias0.shape).toEqual([100]);
    expect(kernel1.shape).toEqual([100, 10]);
    expect(b0.shape).toEqual([100]);
    expect(k1.shape).toEqual([100, 10]);
    expect(Buffer.from(b0.bytes).equals(Buffer.from(asBytes(bias0.data)))).toBe(true);
    expect(Buffer.from(k1.bytes).equals(Buffer.from(asBytes(kernel1.data)))).toBe(true);
    const mg = pickMetaGraph(m);
    expect(mg.variableForNode('dense/bias')).toBe(b0);
    expect(mg.variableForNode('dense_1/kernel')).toBe(k1);
    expect(mg.variableForNode('dense/kernel')?.shape).toEqual([784, 100]);
    expect(sig(m, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { input_1: 'serving_default_input_1:0 float [-1,28,28,1]' }, outputs: { softmax: 'StatefulPartitionedCall:0 float [-1,10]' } });
    const fnOps = new Set(mg.functions.flatMap((f) => (f.node_def ?? []).map((n) => n.op)));
    for (const op of ['MatMul', 'BiasAdd', 'Relu', 'Softmax', 'Reshape', 'ReadVariableOp']) expect(fnOps.has(op), op).toBe(true);
    expect(m.extraFiles.sort()).toEqual(['bias0.npy', 'fingerprint.pb', 'keras_metadata.pb', 'kernel1.npy']);
  });

  it('two-shard bundle (tf.keras 2.2, LossScaleOptimizer): tensors come from both data files', async () => {
    const m = await savedModel('tfkeras_lso_savedmodel_2shards');
    expect(m.bundle!.header.num_shards).toBe(2);
    const shards = new Set([...m.bundle!.entries.values()].map((e) => e.shardId));
    expect([...shards].sort()).toEqual([0, 1]);
    expect(m.variables.size).toBe(12);
    const kernel = m.variables.get('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE')!;
    expect(kernel.shape).toEqual([2, 2]);
    expect(values(m.variables.get('optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual([32768]);
    expect(m.variables.get('optimizer/base_optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE')?.dtype).toBe('int64');
    expect(sig(m, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { input_1: 'serving_default_input_1:0 float [-1,2]' }, outputs: { output_1: 'StatefulPartitionedCall:0 float [-1,2]' } });
    expect(pickMetaGraph(m).variableForNode('sequential/dense/kernel')).toBe(kernel);
    // The same bundle read as a bare checkpoint.
    const dir = join(SM, 'tfkeras_lso_savedmodel_2shards/variables');
    const ckpt = await readCheckpoint(async (p) => (existsSync(join(dir, p)) ? new Uint8Array(readFileSync(join(dir, p))) : undefined), 'variables');
    expect(ckpt.tensors.size).toBe(12);
    expect(values(ckpt.tensors.get('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual(values(kernel));
    expect(pickMetaGraph(m).variableKeys.size).toBe(12);
  });

  it('cppflow Keras models (TF 2.2 / 2.3): shapes, signatures, restore mapping', async () => {
    const one = await savedModel('cppflow_load_model');
    expect([...one.variables.values()].map((t) => t.shape)).toEqual([[5], [5, 5], [1], [5, 1]]);
    expect(sig(one, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { input_1: 'serving_default_input_1:0 float [-1,5]' }, outputs: { dense_1: 'StatefulPartitionedCall:0 float [-1,1]' } });
    expect(Object.fromEntries(pickMetaGraph(one).variableKeys)).toEqual({
      'dense/kernel': 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'dense/bias': 'layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE',
      'dense_1/kernel': 'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'dense_1/bias': 'layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE',
    });
    const two = await savedModel('cppflow_multi_input_output');
    expect(sig(two, 'serving_default')).toEqual({
      method: 'tensorflow/serving/predict',
      inputs: { my_input_1: 'serving_default_my_input_1:0 float [-1,5]', my_input_2: 'serving_default_my_input_2:0 float [-1,5]' },
      outputs: { my_outputs_1: 'StatefulPartitionedCall:0 float [-1,1]', my_outputs_2: 'StatefulPartitionedCall:1 float [-1,1]' },
    });
    expect(two.variables.size).toBe(8);
    expect(pickMetaGraph(two).variableKeys.size).toBe(8);
  });

  it('tfjs-node test SavedModels (TF 2.0b): times three = 3, times two = int32 2, multi-signature v=3 two=2', async () => {
    const three = await savedModel('tfjs_node_times_three_float');
    expect(values(pickMetaGraph(three).variableForNode('Variable'))).toEqual([3]);
    expect(sig(three, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { x: 'serving_default_x:0 float []' }, outputs: { output_0: 'StatefulPartitionedCall:0 float []' } });
    const two = await savedModel('tfjs_node_times_two_int');
    const v = two.variables.get('v/.ATTRIBUTES/VARIABLE_VALUE')!;
    expect(v.dtype).toBe('int32');
    expect(new DataView(v.bytes.buffer, v.bytes.byteOffset).getInt32(0, true)).toBe(2);
    expect(sig(two, 'serving_default').inputs).toEqual({ x: 'serving_default_x:0 int32 []' });
    const multi = await savedModel('tfjs_node_module_with_multiple_signatures');
    expect(Object.keys(pickMetaGraph(multi).signatures).sort()).toEqual(['__saved_model_init_op', 'serving_default', 'timestwo']);
    expect(values(multi.variables.get('v/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual([3]);
    expect(values(multi.variables.get('two/.ATTRIBUTES/VARIABLE_VALUE'))).toEqual([2]);
    expect(sig(multi, 'timestwo').outputs).toEqual({ output_0: 'StatefulPartitionedCall_1:0 float []' });
  });

  it('matrix_half_plus_two (TF 1.2): no variables folder, constants only', async () => {
    const m = await savedModel('tfserving_matrix_half_plus_two');
    expect(m.variables.size).toBe(0);
    expect(m.bundle).toBeUndefined();
    expect(m.notes.join(' ')).toMatch(/no variables/);
    expect(sig(m, 'serving_default')).toEqual({ method: 'tensorflow/serving/predict', inputs: { x: 'x:0 float [-1,3,3]' }, outputs: { y: 'y:0 float [-1,3,3]' } });
    expect(pickMetaGraph(m).graphDef.node.map((n) => n.op).sort()).toEqual(['Add', 'Const', 'Const', 'Mul', 'NoOp', 'Placeholder']);
    // The same folder one level down (a dropped directory keeps its name in the paths).
    const nested = new Map([...readDir(join(SM, 'tfserving_matrix_half_plus_two'))].map(([k, v]) => [`export/1/${k}`, v]));
    expect(Object.keys(pickMetaGraph(await readSavedModel(nested)).signatures)).toEqual(['serving_default']);
  });

  it('counter (TF 1.5): four signatures, float_ref outputs, no serving_default', async () => {
    const m = await savedModel('tfserving_saved_model_counter');
    const mg = pickMetaGraph(m);
    expect(Object.keys(mg.signatures).sort()).toEqual(['get_counter', 'incr_counter', 'incr_counter_by', 'reset_counter']);
    expect(mg.signatures.serving_default).toBeUndefined();
    expect(mg.signatures.get_counter.outputs.output).toEqual({ name: 'counter:0', dtype: 101, dtypeName: 'float_ref', shape: [], encoding: 'dense' });
    expect(values(mg.variableForNode('counter'))).toEqual([0]);
  });
});

describe.skipIf(!hasFixtures)('TF Hub archive', () => {
  it('unpacks half_plus_two_v1.tar.gz: TF1 module, empty tag set, signature default, a=0.5 b=2', async () => {
    const m = await readTfHubArchive(new Uint8Array(readFileSync(join(SM, 'tfhub_half_plus_two_v1_archive/half_plus_two_v1.tar.gz'))));
    expect([...m.files.keys()].sort()).toEqual(['saved_model.pb', 'tfhub_module.pb', 'variables/variables.data-00000-of-00001', 'variables/variables.index']);
    expect(m.isHubModuleV1).toBe(true);
    expect(m.metaGraphs.length).toBe(1);
    const mg = pickMetaGraph(m);
    expect(mg.tags).toEqual([]);
    expect(mg.tensorflowVersion).toBe('1.12.0');
    expect(Object.keys(mg.signatures)).toEqual(['default']);
    expect(mg.signatures.default.inputs.default).toMatchObject({ name: 'Placeholder:0', dtypeName: 'float' });
    expect(mg.signatures.default.outputs.default).toMatchObject({ name: 'add:0', dtypeName: 'float' });
    expect(values(mg.variableForNode('a'))).toEqual([0.5]);
    expect(values(mg.variableForNode('b'))).toEqual([2]);
    expect(mg.graphDef.node.filter((n) => n.op === 'VarHandleOp').map((n) => n.name)).toEqual(['a', 'b']);
  });
});

describe.skipIf(!hasFixtures)('frozen GraphDefs', () => {
  const G = join(TF, 'graphdef');
  const read = (p: string) => readGraphDef(new Uint8Array(readFileSync(join(G, p))));
  const hist = (p: string) => Object.fromEntries(read(p).opHistogram);

  it('tf2onnx fc-layers: 24 nodes, 3 MatMul + 3 BiasAdd, 2 Relu, 6 Const', () => {
    const g = read('tf2onnx_fc-layers/frozen.pb');
    expect(g.graphDef.node.length).toBe(24);
    expect(hist('tf2onnx_fc-layers/frozen.pb')).toEqual({ Placeholder: 1, Const: 6, Identity: 9, MatMul: 3, BiasAdd: 3, Relu: 2 });
    expect(g.variableNodes).toEqual([]);
    const x = g.graphDef.node.find((n) => n.name === 'X')!;
    expect(x.op).toBe('Placeholder');
    // Weights inline: the six Consts hold about 1 MB of tensor_content.
    const bytes = g.graphDef.node.filter((n) => n.op === 'Const').reduce((s, n) => s + (n.attr?.value?.tensor?.tensor_content?.length ?? 0), 0);
    expect(bytes).toBeGreaterThan(1_000_000);
  });

  it('tf2onnx ae0: 4 × MatMul + BiasAdd + Sigmoid', () => {
    expect(hist('tf2onnx_ae0/frozen.pb')).toEqual({ Placeholder: 1, Const: 8, Identity: 9, MatMul: 4, BiasAdd: 4, Sigmoid: 4 });
  });

  it('cppflow frozen Keras graph: 16 nodes, producer 716', () => {
    const g = read('cppflow_load_frozen_graph/model.pb');
    expect(g.graphDef.node.length).toBe(16);
    expect(g.producer).toBe(716);
    expect(hist('cppflow_load_frozen_graph/model.pb')).toEqual({ Placeholder: 1, Const: 4, Identity: 5, MatMul: 2, BiasAdd: 2, Relu: 1, Sigmoid: 1 });
  });

  it('ARM KWS DS-CNN and CNN: audio front end, depthwise convs, fused batch norms', () => {
    expect(hist('arm_kws/DS_CNN_S.pb')).toMatchObject({ DecodeWav: 1, AudioSpectrogram: 1, Mfcc: 1, Conv2D: 5, DepthwiseConv2dNative: 4, FusedBatchNorm: 9, AvgPool: 1, MatMul: 1, Softmax: 1 });
    expect(read('arm_kws/DS_CNN_S.pb').graphDef.node.length).toBe(152);
    expect(hist('arm_kws/CNN_S.pb')).toMatchObject({ Conv2D: 2, FusedBatchNorm: 2, MatMul: 3, Rsqrt: 1, Softmax: 1 });
  });

  it('non-frozen training graphs are read but flagged', () => {
    const a = read('tfrust_nonfrozen_NEGATIVE/examples_regression_model.pb');
    expect(a.variableNodes).toEqual(['w', 'b']);
    expect(a.notes.join(' ')).toMatch(/not frozen/);
    const b = read('tfrust_nonfrozen_NEGATIVE/examples_regression_checkpoint_model.pb');
    expect(b.variableNodes).toEqual(['w', 'b']);
    expect(b.opHistogram.get('VariableV2')).toBe(2);
    expect(b.opHistogram.get('RestoreV2')).toBe(1);
  });

  it('re-encodes a decoded GraphDef byte for byte (unknown fields kept)', () => {
    const bytes = new Uint8Array(readFileSync(join(G, 'cppflow_load_frozen_graph/model.pb')));
    expect(Buffer.from(encodeGraphDef(decodeGraphDefProto(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe.skipIf(!hasFixtures)('TF.js models', () => {
  const J = join(TF, 'tfjs');
  const dir = (d: string) => readDir(join(J, d));

  it('matmul graph model: w [2,2] from weights.bin, filled into its Const', async () => {
    const m = await readTfjsModel(dir('tfjs_inference_matmul_graph_model'));
    expect(m.kind).toBe('graph-model');
    if (m.kind !== 'graph-model') return;
    const raw = new Float32Array(new Uint8Array(readFileSync(join(J, 'tfjs_inference_matmul_graph_model/weights.bin'))).buffer);
    expect(values(m.weights.get('w'))).toEqual(Array.from(raw));
    expect(m.graphDef.node.map((n) => n.op)).toEqual(['Const', 'Placeholder', 'MatMul']);
    const w = m.graphDef.node[0].attr!.value!.tensor!;
    expect(w.dtype).toBe(tensorflow.DataType.DT_FLOAT);
    expect(Array.from(new Float32Array(w.tensor_content!.slice().buffer))).toEqual(Array.from(raw));
    expect(m.graphDef.node[1].attr!.shape!.shape!.dim!.map((d) => Number(d.size))).toEqual([2, 2]);
    expect(m.graphDef.versions?.producer).toBe(175);
  });

  it('react-native graph model: Dense [10,1] + [1] weights', async () => {
    const m = await readTfjsModel(dir('tfjs_rn_graph_model'));
    if (m.kind !== 'graph-model') throw new Error('expected a graph model');
    expect(m.manifest.map((w) => [w.name.split('/').slice(-2).join('/'), w.shape])).toEqual([['BiasAdd/ReadVariableOp', [1]], ['MatMul/ReadVariableOp', [10, 1]]]);
    const shard = new Float32Array(new Uint8Array(readFileSync(join(J, 'tfjs_rn_graph_model/group1-shard1of1.bin'))).buffer);
    expect(values(m.weights.get(m.manifest[0].name))).toEqual([shard[0]]);
    expect(values(m.weights.get(m.manifest[1].name))).toEqual(Array.from(shard.subarray(1)));
    expect(m.graphDef.node.map((n) => n.op)).toEqual(['Placeholder', 'Const', 'Const', 'MatMul', 'BiasAdd', 'Identity']);
    expect(m.notes).toEqual([]);
  });

  it('e2e dense graph model: _FusedMatMul, signature with shapes', async () => {
    const m = await readTfjsModel(dir('tfjs_e2e_dense_model'));
    if (m.kind !== 'graph-model') throw new Error('expected a graph model');
    expect(m.graphDef.node.some((n) => n.op === '_FusedMatMul')).toBe(true);
    expect(m.signature?.inputs['dense_dense1_input:0']).toMatchObject({ dtypeName: 'float', shape: [-1, 1] });
    expect(m.signature?.outputs['Identity:0']).toMatchObject({ dtypeName: 'float', shape: [-1, 1] });
    expect(m.weights.size).toBe(2);
  });

  it('layers model (Embedding + GRU): Keras config and per-layer weights, 9200 bytes', async () => {
    const m = await readTfjsModel(dir('tfjs_e2e_layers_model_embedding_gru'));
    if (m.kind !== 'layers-model') throw new Error('expected a layers model');
    expect(m.config.class_name).toBe('Sequential');
    expect((m.config.config.layers as Array<{ class_name: string }>).map((l) => l.class_name)).toEqual(['Embedding', 'GRU']);
    expect(m.layers.map((l) => [l.layer, l.weights.map((w) => w.shape)])).toEqual([
      ['embedding_Embedding2', [[100, 20]]],
      ['gru_GRU1', [[20, 12], [4, 12], [12]]],
    ]);
    const raw = new Float32Array(new Uint8Array(readFileSync(join(J, 'tfjs_e2e_layers_model_embedding_gru/weights.bin'))).buffer);
    expect(raw.length * 4).toBe(9200);
    expect(values(m.layers[1].weights[0]).slice(0, 3)).toEqual(Array.from(raw.subarray(2000, 2003)));
    expect(m.kerasVersion).toBe('tfjs-layers 0.0.0');
  });

  it('dequantizes uint8 and float16 weights and splits strings', async () => {
    const q8 = new Uint8Array([0, 1, 255]);
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer); // 1, -2
    const str = new Uint8Array([2, 0, 0, 0, 104, 105, 0, 0, 0, 0]); // 'hi', ''
    const shard = new Uint8Array([...q8, ...f16, ...str]);
    const json = {
      format: 'graph-model',
      modelTopology: { node: [{ name: 'q', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT' } } } }, { name: 's', op: 'Const', attr: { value: { tensor: { dtype: 'DT_STRING' } } } }] },
      weightsManifest: [{ paths: ['./w.bin'], weights: [
        { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 's', shape: [2], dtype: 'string' },
      ] }],
    };
    const m = await readTfjsModel(new Map([['m/model.json', new TextEncoder().encode(JSON.stringify(json))], ['m/w.bin', shard]]));
    expect(values(m.weights.get('q'))).toEqual([-1, -0.5, 126.5]);
    expect(values(m.weights.get('h'))).toEqual([1, -2]);
    expect(m.stringWeights.get('s')!.map((b) => new TextDecoder().decode(b))).toEqual(['hi', '']);
    if (m.kind !== 'graph-model') throw new Error('expected a graph model');
    expect(m.graphDef.node[1].attr!.value!.tensor!.string_val!.length).toBe(2);
    expect(m.notes.join(' ')).toMatch(/1 manifest weight\(s\) match no Const node: h/);
  });
});

describe.skipIf(!hasFixtures)('detect', () => {
  it('tells the kinds apart', () => {
    expect(detectTensorFlow(['m/saved_model.pb', 'm/variables/variables.index']).kind).toBe('saved-model');
    expect(detectTensorFlow(['x.tar.gz']).kind).toBe('tfhub-archive');
    expect(detectTensorFlow(['model.pb']).kind).toBe('frozen-graph');
    expect(detectTensorFlow(['ckpt.index', 'ckpt.data-00000-of-00001']).kind).toBe('checkpoint');
    expect(detectTensorFlow(readDir(join(TF, 'tfjs/tfjs_rn_graph_model'))).kind).toBe('tfjs-graph-model');
    expect(detectTensorFlow(readDir(join(TF, 'tfjs/tfjs_e2e_layers_model_embedding_gru'))).kind).toBe('tfjs-layers-model');
    expect(detectTensorFlow(['readme.txt']).kind).toBe('unknown');
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Hostile input.

/** The footer's index handle, and the block trailer position of the first data block (offset 0). */
function varintAt(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (let i = 0; ; i++) {
    const x = b[pos++];
    v += (x & 0x7f) * 2 ** (7 * i);
    if (!(x & 0x80)) return [v, pos];
  }
}
function firstDataBlock(index: Uint8Array): { size: number } {
  const footer = index.length - 48;
  let [, p] = varintAt(index, footer); // metaindex offset
  [, p] = varintAt(index, p); // metaindex size
  const [indexOffset, p2] = varintAt(index, p);
  void p2;
  // The index block's first entry: shared=0, non_shared, value_len, key, then the handle of data block 0.
  let q = indexOffset;
  let nonShared: number;
  [, q] = varintAt(index, q);
  [nonShared, q] = varintAt(index, q);
  [, q] = varintAt(index, q);
  q += nonShared;
  const [offset, q3] = varintAt(index, q);
  const [size] = varintAt(index, q3);
  expect(offset).toBe(0);
  return { size };
}
function resealTrailer(index: Uint8Array, size: number) {
  const crc = maskCrc(crc32c(index.subarray(0, size + 1)));
  new DataView(index.buffer, index.byteOffset).setUint32(size + 1, crc, true);
}

describe.skipIf(!hasFixtures)('hostile input', () => {
  const plainIndex = () => new Uint8Array(readFileSync(join(SM, 'tf2onnx_regression/variables/variables.index')));
  const snappyIndex = () => new Uint8Array(readFileSync(join(SM, 'tfserving_saved_model_half_plus_two_tf2_cpu/variables/variables.index')));

  it('a Snappy index really has Snappy blocks, a plain one stored blocks', () => {
    expect(snappyIndex()[firstDataBlock(snappyIndex()).size]).toBe(1);
    expect(plainIndex()[firstDataBlock(plainIndex()).size]).toBe(0);
    expect(readSSTable(snappyIndex()).map((e) => new TextDecoder().decode(e.key))).toEqual(['', '_CHECKPOINTABLE_OBJECT_GRAPH', 'a/.ATTRIBUTES/VARIABLE_VALUE', 'b/.ATTRIBUTES/VARIABLE_VALUE', 'c/.ATTRIBUTES/VARIABLE_VALUE']);
  });

  it('truncated index files', async () => {
    const index = plainIndex();
    await expectOmnihubError(() => readBundleIndex(index.subarray(0, index.length - 7)), 'wrong-format', /magic/);
    await expectOmnihubError(() => readBundleIndex(index.subarray(0, 20)), 'truncated', /shorter than a table footer/);
    // Cut off the front: the footer's handles now point past the data.
    await expectOmnihubError(() => readBundleIndex(index.subarray(40)), /truncated|malformed/);
    await expectOmnihubError(() => readBundleIndex(new Uint8Array(0)), 'empty-file');
  });

  it('bad block type', async () => {
    const index = plainIndex();
    const { size } = firstDataBlock(index);
    index[size] = 7;
    resealTrailer(index, size);
    await expectOmnihubError(() => readBundleIndex(index), 'unsupported', /compression type 7/);
  });

  it('CRC mismatch', async () => {
    const index = plainIndex();
    index[3] ^= 0x40;
    await expectOmnihubError(() => readBundleIndex(index), 'malformed', /CRC-32C/);
  });

  it('corrupt Snappy block', async () => {
    const index = snappyIndex();
    const { size } = firstDataBlock(index);
    index[0] = 0x7f; // declared length 127: more than the block's real content
    resealTrailer(index, size);
    await expectOmnihubError(() => readBundleIndex(index), 'malformed', /Snappy/);
    const index2 = snappyIndex();
    index2.fill(0x01, 2, Math.min(size, 12)); // copies with offset 1 before anything was written, or truncated elements
    resealTrailer(index2, size);
    await expectOmnihubError(() => readBundleIndex(index2), 'malformed', /Snappy/);
  });

  it('truncated or missing data shards', async () => {
    const files = readDir(join(SM, 'tf2onnx_regression'));
    const data = files.get('variables/variables.data-00000-of-00001')!;
    files.set('variables/variables.data-00000-of-00001', data.subarray(0, data.length - 1));
    await expectOmnihubError(readSavedModel(files), 'truncated', /lies outside data shard 0/);
    files.delete('variables/variables.data-00000-of-00001');
    const m = await readSavedModel(files);
    expect(m.variables.size).toBe(0);
    expect(m.notes.join(' ')).toMatch(/variables\.data-00000-of-00001 is missing/);
    // A flipped data byte fails the entry's CRC-32C.
    const bundle = readBundleIndex(files.get('variables/variables.index')!);
    const bad = new Uint8Array(data);
    bad[0] ^= 1;
    await expectOmnihubError(() => readBundleTensors(bundle, [bad]), 'malformed', /CRC-32C/);
    expect(readBundleTensors(bundle, [bad], { verifyChecksums: false }).tensors.size).toBe(2);
  });

  function tarEntry(name: string, content: Uint8Array, type = '0'): Uint8Array {
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(new TextEncoder().encode(s), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(content.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    put(type, 156);
    put('ustar\0', 257);
    put('00', 263);
    put('        ', 148);
    const sum = h.reduce((s, b) => s + b, 0);
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    const body = new Uint8Array(Math.ceil(content.length / 512) * 512);
    body.set(content);
    const out = new Uint8Array(512 + body.length);
    out.set(h);
    out.set(body, 512);
    return out;
  }
  const tarOf = (...entries: Uint8Array[]) => {
    const total = entries.reduce((n, e) => n + e.length, 0) + 1024;
    const out = new Uint8Array(total);
    let pos = 0;
    for (const e of entries) {
      out.set(e, pos);
      pos += e.length;
    }
    return out;
  };

  it('tar paths that climb out or are absolute are refused', async () => {
    const good = tarOf(tarEntry('./a/b.txt', new Uint8Array([1, 2, 3])));
    expect([...readTar(good)]).toEqual([['a/b.txt', new Uint8Array([1, 2, 3])]]);
    await expectOmnihubError(readTfHubArchive(gzipSync(tarOf(tarEntry('saved_model.pb', new Uint8Array(4)), tarEntry('../evil.pb', new Uint8Array(4))))), 'unsafe-path', /climbs out/);
    await expectOmnihubError(() => readTar(tarOf(tarEntry('x/../../etc/passwd', new Uint8Array(1)))), 'unsafe-path');
    await expectOmnihubError(() => readTar(tarOf(tarEntry('/etc/passwd', new Uint8Array(1)))), 'unsafe-path', /absolute/);
    const badSum = tarOf(tarEntry('a.txt', new Uint8Array(1)));
    badSum[0] = 0x62;
    await expectOmnihubError(() => readTar(badSum), 'malformed', /checksum/);
    const short = tarOf(tarEntry('a.txt', new Uint8Array(2000))).subarray(0, 1024);
    await expectOmnihubError(() => readTar(short), 'truncated');
  });

  it('a gzip bomb stops at the ceiling', async () => {
    const bomb = gzipSync(new Uint8Array(32 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    await expectOmnihubError(() => gunzipBounded(bomb, 1024 * 1024), 'too-large', /gzip bomb/);
    await expectOmnihubError(readTfHubArchive(bomb, { maxBytes: 1024 * 1024 }), 'too-large');
    await expectOmnihubError(() => gunzipBounded(bomb.subarray(0, bomb.length - 20)), /truncated|malformed/);
  });

  it('random bytes', async () => {
    let seed = 7;
    const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    await expectOmnihubError(() => readGraphDef(random), /truncated|malformed|too-deep/);
    await expectOmnihubError(readSavedModel(new Map([['saved_model.pb', random]])), /truncated|malformed|too-deep/);
    await expectOmnihubError(() => readBundleIndex(random), 'wrong-format');
    await expectOmnihubError(readTfHubArchive(random), 'wrong-format', /gzip/);
    await expectOmnihubError(readTfjsModel(new Map([['model.json', random]])), 'malformed', /JSON/);
    await expectOmnihubError(readSavedModel(new Map([['x.bin', random]])), 'not-found', /saved_model\.pb/);
    await expectOmnihubError(() => readGraphDef(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])), 'wrong-format', /ZIP/);
  });

  it('decode budgets: message count and nesting depth', async () => {
    const fc = new Uint8Array(readFileSync(join(TF, 'graphdef/tf2onnx_fc-layers/frozen.pb')));
    await expectOmnihubError(() => readGraphDef(fc, { maxMessages: 10 }), 'too-large');
    // A NodeDef whose experimental_type nests FullTypeDef.args 300 deep.
    let inner: number[] = [];
    for (let i = 0; i < 300; i++) inner = [0x12, ...lenVarint(inner.length), ...inner];
    const node = [0x12, 1, 0x41, 0x3a, ...lenVarint(inner.length), ...inner]; // op: 'A', experimental_type
    const graph = new Uint8Array([0x0a, ...lenVarint(node.length), ...node]);
    await expectOmnihubError(() => readGraphDef(graph), 'too-deep');
  });
});

function lenVarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
