// Freezing SavedModels (TF1 graph-mode and TF2 function-based) into standalone GraphDefs, then GraphDef → ONNX, run
// in onnxruntime and checked against:
// - the input/output pairs the upstream projects state (expected_io/UPSTREAM_expected_io.json);
// - plain computations with the checkpoint's values (Dense layers from the variables, the TF.NET reference .npy files);
// - what must be refused: stateful signatures (the TF-Serving counter), tf.Example string inputs, GraphDefs whose
//   variables have no values.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSavedModel } from '../../src/core/formats/tensorflow/saved-model.js';
import { readTfHubArchive } from '../../src/core/formats/tensorflow/tfhub.js';
import { readGraphDef } from '../../src/core/formats/tensorflow/graphdef.js';
import type { tensorflow } from '../../src/core/formats/tensorflow/codec.js';
import type { SavedModel } from '../../src/core/formats/tensorflow/types.js';
import { convertGraphDef, freezeGraphDef, freezeSavedModel, writeGraphDef, type FreezeResult } from '../../src/core/convert/tensorflow/index.js';
import { freezeGraph } from '../../src/core/convert/tensorflow/freeze.js';
import { readNpy } from '../../src/core/formats/numpy/npy.js';
import { encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { relL2 } from '../../src/core/validate/metrics.js';
import { toFloat32, type WeightTensor } from '../../src/core/weights/types.js';
import { OmnihubError } from '../../src/core/errors.js';
import { ort } from '../support/ort.js';
import { fixture } from '../support/paths.js';

const rows: string[] = [];
afterAll(() => {
  if (rows.length) console.log(['', 'TensorFlow freeze → ONNX (measured):', ...rows].join('\n'));
});
const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(4));

const SM = (...p: string[]) => fixture('tensorflow', 'savedmodel', ...p);

const cache = new Map<string, Promise<SavedModel>>();
function savedModel(name: string): Promise<SavedModel> {
  if (!cache.has(name)) {
    const dir = SM(name);
    const files = new Map<string, Uint8Array>();
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else files.set(relative(dir, p).replace(/\\/g, '/'), new Uint8Array(readFileSync(p)));
      }
    };
    walk(dir);
    cache.set(name, readSavedModel(files));
  }
  return cache.get(name)!;
}

const VARIABLE_OPS = /^(VariableV2|Variable|VarHandleOp|ReadVariableOp|VarIsInitializedOp|ResourceGather|Assign\w*|AssignVariableOp)$/;
const variableOps = (g: tensorflow.IGraphDef) => (g.node ?? []).filter((n) => VARIABLE_OPS.test(n.op ?? '')).length;

type Arr = Float32Array | Int32Array;
interface Feed { data: Arr; dims: number[] }

async function run(model: ModelProto, feeds: Record<string, Feed>): Promise<Record<string, { data: Arr; dims: number[] }>> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, f] of Object.entries(feeds)) inputs[k] = new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.dims);
    const out = await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Arr, dims: [...v.dims] }]));
  } finally {
    await session.release();
  }
}

/** Freeze → write → read back → convert: the ONNX model of a frozen signature, and the frozen graph. */
function freezeAndConvert(sm: SavedModel, signature?: string, inputShapes?: Record<string, number[]>): { frozen: FreezeResult; model: ModelProto; reread: tensorflow.GraphDef } {
  const frozen = freezeSavedModel(sm, { signature });
  const bytes = writeGraphDef(frozen.graphDef);
  const reread = readGraphDef(bytes).graphDef;
  const { model } = convertGraphDef(reread, { inputs: frozen.inputs.map((i) => i.tensor), outputs: frozen.outputs.map((o) => o.tensor), inputShapes });
  return { frozen, model, reread };
}

/** Nested JSON arrays → flat values and shape. */
function flat(v: unknown): { values: number[]; shape: number[] } {
  if (!Array.isArray(v)) return { values: [v as number], shape: [] };
  const parts = v.map(flat);
  return { values: parts.flatMap((p) => p.values), shape: [v.length, ...(parts[0]?.shape ?? [])] };
}

const expectedIo = JSON.parse(readFileSync(fixture('tensorflow', 'expected_io', 'UPSTREAM_expected_io.json'), 'utf8')) as Record<string, Record<string, unknown>>;

interface IoCase { model: string; signature: string; inputs: Record<string, { values: number[]; shape: number[]; int: boolean }>; outputs: Record<string, number[]> }

function ioCases(): IoCase[] {
  const cases: IoCase[] = [];
  for (const [key, entry] of Object.entries(expectedIo)) {
    if (!key.startsWith('savedmodel/')) continue;
    const model = key.slice('savedmodel/'.length);
    let exists = true;
    try { statSync(SM(model)); } catch { exists = false; }
    if (!exists || entry.weights_reference) continue;
    const sigs = (entry.signatures as Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }> | undefined)
      ?? { [entry.signature as string]: { inputs: entry.inputs as Record<string, unknown>, outputs: entry.outputs as Record<string, unknown> } };
    for (const [signature, io] of Object.entries(sigs)) {
      const inputs: IoCase['inputs'] = {};
      for (const [k, v] of Object.entries(io.inputs)) {
        const spec = (v && typeof v === 'object' && !Array.isArray(v) ? v : { values: v }) as { values: unknown; shape?: number[]; dtype?: string };
        const f = flat(spec.values);
        inputs[k] = { values: f.values, shape: spec.shape ?? f.shape, int: (spec.dtype ?? '').startsWith('int') };
      }
      const outputs = Object.fromEntries(Object.entries(io.outputs).map(([k, v]) => [k, flat(v).values]));
      cases.push({ model, signature, inputs, outputs });
    }
  }
  return cases;
}

describe('SavedModel → frozen GraphDef → ONNX reproduces the upstream input/output pairs', () => {
  const cases = ioCases();
  it('covers the fixtures that have stated pairs', () => {
    expect(cases.map((c) => `${c.model}@${c.signature}`).sort()).toEqual([
      'tfjs_node_module_with_multiple_signatures@serving_default',
      'tfjs_node_module_with_multiple_signatures@timestwo',
      'tfjs_node_times_three_float@serving_default',
      'tfjs_node_times_two_int@serving_default',
      'tfserving_matrix_half_plus_two@serving_default',
      'tfserving_saved_model_half_plus_two_cpu@serving_default',
      'tfserving_saved_model_half_plus_two_tf2_cpu@serving_default',
    ]);
  });
  for (const c of cases) {
    it(`${c.model} @ ${c.signature}`, async () => {
      const sm = await savedModel(c.model);
      // The tfjs tests feed a [3] vector to signatures declared as scalars (TF's eager call does not check): the
      // ONNX input takes the shape the test feeds.
      const shapes = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.shape]));
      const { frozen, model, reread } = freezeAndConvert(sm, c.signature, shapes);
      expect(frozen.report.signature).toBe(c.signature);
      expect(variableOps(frozen.graphDef)).toBe(0);
      expect(variableOps(reread)).toBe(0);
      const feeds: Record<string, Feed> = {};
      for (const [k, v] of Object.entries(c.inputs)) feeds[k] = { data: v.int ? Int32Array.from(v.values) : Float32Array.from(v.values), dims: v.shape };
      const out = await run(model, feeds);
      for (const [k, want] of Object.entries(c.outputs)) {
        const name = frozen.outputs.find((o) => o.name === k)!.tensor.replace(/:0$/, '');
        expect(Array.from(out[name].data)).toEqual(want);
      }
      rows.push(`  ${c.model} @ ${c.signature}: ${frozen.report.variablesFrozen} variable(s) frozen, ${frozen.report.inlinedFunctions} call(s) inlined, ${frozen.report.nodes} nodes; ` +
        `${Object.entries(c.inputs).map(([k, v]) => `${k}=${JSON.stringify(v.values)}`).join(' ')} → ${Object.keys(c.outputs).map((k) => `${k}=${JSON.stringify(Array.from(out[frozen.outputs.find((o) => o.name === k)!.tensor.replace(/:0$/, '')].data))}`).join(' ')} (as stated upstream)`);
    });
  }
});

function weight(sm: SavedModel, key: string): WeightTensor {
  const w = sm.variables.get(key);
  if (!w) throw new Error(`no variable ${key}`);
  return w;
}

/** x[N,K] · W[K,M] + b, then an activation (float64). */
function dense(x: ArrayLike<number>, n: number, w: WeightTensor | { shape: number[]; data: Float32Array }, b: ArrayLike<number>, act: (v: number) => number = (v) => v): Float64Array {
  const W = 'bytes' in w ? toFloat32(w) : w.data;
  const [K, M] = w.shape;
  const y = new Float64Array(n * M);
  for (let i = 0; i < n; i++) for (let j = 0; j < M; j++) {
    let s = b[j];
    for (let k = 0; k < K; k++) s += x[i * K + k] * W[k * M + j];
    y[i * M + j] = act(s);
  }
  return y;
}
const relu = (v: number) => Math.max(v, 0);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const seeded = (n: number, seed: number) => { const r = mulberry32(seed); return Float32Array.from({ length: n }, () => r() * 2 - 1); };
const L = (i: number, what: 'kernel' | 'bias') => `layer_with_weights-${i}/${what}/.ATTRIBUTES/VARIABLE_VALUE`;

describe('Keras SavedModels against plain computations with their variables', () => {
  it('TF.NET simple_model_from_auto_compile (Flatten → Dense 100 ReLU → Dense 10 → Softmax) with bias0.npy / kernel1.npy', async () => {
    const sm = await savedModel('tfnet_simple_model_from_auto_compile');
    const { frozen, model } = freezeAndConvert(sm);
    expect(frozen.inputs).toEqual([{ name: 'input_1', tensor: 'input_1:0', dtype: 'float32', shape: [-1, 28, 28, 1] }]);
    expect(frozen.outputs).toEqual([{ name: 'softmax', tensor: 'softmax:0', dtype: 'float32' }]);
    expect(frozen.report.variablesFrozen).toBe(4);
    expect(frozen.report.ops).toMatchObject({ MatMul: 2, BiasAdd: 2, Relu: 1, Softmax: 1, Reshape: 1 });
    const bias0 = readNpy(new Uint8Array(readFileSync(SM('tfnet_simple_model_from_auto_compile', 'bias0.npy'))));
    const kernel1 = readNpy(new Uint8Array(readFileSync(SM('tfnet_simple_model_from_auto_compile', 'kernel1.npy'))));
    expect(bias0.shape).toEqual([100]);
    expect(kernel1.shape).toEqual([100, 10]);
    const N = 3;
    const x = Float32Array.from({ length: N * 784 }, (_, i) => ((i * 7919) % 256) / 255);
    const h = dense(x, N, weight(sm, L(0, 'kernel')), bias0.data as Float32Array, relu);
    const logits = dense(h, N, { shape: [100, 10], data: kernel1.data as Float32Array }, toFloat32(weight(sm, L(1, 'bias'))));
    const ref = new Float64Array(N * 10);
    for (let i = 0; i < N; i++) {
      const row = logits.subarray(i * 10, i * 10 + 10);
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => { ref[i * 10 + j] = v / s; });
    }
    const out = await run(model, { input_1: { data: x, dims: [N, 28, 28, 1] } });
    expect(out.softmax.dims).toEqual([N, 10]);
    const e = relL2(out.softmax.data, ref);
    // The frozen graph holds the reference values: bias0.npy is byte-for-byte one of its Consts.
    const npyBytes = new Uint8Array((bias0.data as Float32Array).buffer, (bias0.data as Float32Array).byteOffset, 400);
    const holder = frozen.graphDef.node!.filter((n) => n.op === 'Const').find((n) => {
      const c = n.attr?.value?.tensor?.tensor_content;
      return c && c.length === 400 && c.every((b, i) => b === npyBytes[i]);
    });
    expect(holder?.name).toMatch(/dense\/BiasAdd\/ReadVariableOp$/);
    rows.push(`  tfnet simple_model [${N},28,28,1]: ${frozen.report.inlinedFunctions} calls inlined, ${frozen.report.variablesFrozen} variables frozen (of ${sm.variables.size} in the checkpoint: metrics left out); relL2 vs numpy-weights reference ${fmt(e)}`);
    expect(e).toBeLessThan(1e-5);
  });

  it('cppflow Dense(5, relu) → Dense(1, sigmoid); two-input/two-output model; 2-shard LossScaleOptimizer model; TF1 regression', async () => {
    {
      const sm = await savedModel('cppflow_load_model');
      const { model } = freezeAndConvert(sm);
      const x = seeded(4 * 5, 1);
      const ref = dense(dense(x, 4, weight(sm, L(0, 'kernel')), toFloat32(weight(sm, L(0, 'bias'))), relu), 4, weight(sm, L(1, 'kernel')), toFloat32(weight(sm, L(1, 'bias'))), sigmoid);
      const out = await run(model, { input_1: { data: x, dims: [4, 5] } });
      const e = relL2(out.dense_1.data, ref);
      rows.push(`  cppflow_load_model [4,5]: relL2 ${fmt(e)}`);
      expect(e).toBeLessThan(1e-5);
    }
    {
      const sm = await savedModel('cppflow_multi_input_output');
      const { frozen, model } = freezeAndConvert(sm);
      expect(frozen.inputs.map((i) => i.name)).toEqual(['my_input_1', 'my_input_2']);
      expect(frozen.outputs.map((o) => o.name)).toEqual(['my_outputs_1', 'my_outputs_2']);
      const x1 = seeded(3 * 5, 2), x2 = seeded(3 * 5, 3);
      const out = await run(model, { my_input_1: { data: x1, dims: [3, 5] }, my_input_2: { data: x2, dims: [3, 5] } });
      // my_input_1 → dense (layer 0) → my_outputs_1 (layer 2); my_input_2 → dense_1 (layer 1) → my_outputs_2 (layer 3).
      const chain = (x: Float32Array, a: number, b: number) => dense(dense(x, 3, weight(sm, L(a, 'kernel')), toFloat32(weight(sm, L(a, 'bias'))), relu), 3, weight(sm, L(b, 'kernel')), toFloat32(weight(sm, L(b, 'bias'))), sigmoid);
      const e1 = relL2(out.my_outputs_1.data, chain(x1, 0, 2)), e2 = relL2(out.my_outputs_2.data, chain(x2, 1, 3));
      // Outputs 0 and 1 of the signature call are not swapped (the function's output-argument mapping).
      expect(relL2(out.my_outputs_1.data, chain(x2, 1, 3))).toBeGreaterThan(1e-3);
      rows.push(`  cppflow_multi_input_output: relL2 ${fmt(e1)}, ${fmt(e2)}`);
      expect(e1).toBeLessThan(1e-5);
      expect(e2).toBeLessThan(1e-5);
    }
    {
      const sm = await savedModel('tfkeras_lso_savedmodel_2shards');
      const { frozen, model } = freezeAndConvert(sm);
      expect(frozen.report.variablesFrozen).toBe(2);
      const x = seeded(3 * 2, 4);
      const ref = dense(x, 3, weight(sm, L(0, 'kernel')), toFloat32(weight(sm, L(0, 'bias'))));
      const out = await run(model, { input_1: { data: x, dims: [3, 2] } });
      const e = relL2(out.output_1.data, ref);
      rows.push(`  tfkeras LSO 2 shards: relL2 ${fmt(e)}`);
      expect(e).toBeLessThan(1e-5);
    }
    {
      const sm = await savedModel('tf2onnx_regression');
      const { frozen, model } = freezeAndConvert(sm, undefined, { X: [4] });
      expect(frozen.report.ops.ApplyGradientDescent).toBeUndefined();
      const W = toFloat32(weight(sm, 'W'))[0], b = toFloat32(weight(sm, 'b'))[0];
      const x = Float32Array.of(0, 1, 2, -3);
      const out = await run(model, { X: { data: x, dims: [4] } });
      expect(Array.from(out.pred.data)).toEqual(Array.from(x, (v) => Math.fround(Math.fround(v * W) + b)));
      rows.push(`  tf2onnx regression: pred = ${W.toFixed(5)}·X + ${b.toFixed(5)} exactly`);
    }
  });
});

describe('function library semantics', () => {
  // top: y = StatefulPartitionedCall(outer)(x, v) with a captured resource v; outer calls inner through a
  // PartitionedCall and returns inner's outputs swapped; inner reads the variable, splits, reorders through IdentityN.
  // Body inputs use the FunctionDef naming 'node:output_arg:index' (function.cc): 'sp:output:1' is Split's second
  // tensor, 'idn:output:1' IdentityN's second, 'c:output:0' the call's first.
  const F32 = 1, I32 = 3, RES = 20;
  const arg = (name: string, type: number) => ({ name, type });
  const inner: tensorflow.IFunctionDef = {
    signature: { name: 'inner', input_arg: [arg('x', F32), arg('res', RES)], output_arg: [arg('out0', F32), arg('out1', F32)] },
    node_def: [
      { name: 'r', op: 'ReadVariableOp', input: ['res'], attr: { dtype: { type: F32 } } },
      { name: 'm', op: 'Mul', input: ['x', 'r:value:0'], attr: { T: { type: F32 } } },
      { name: 'ax', op: 'Const', attr: { dtype: { type: I32 }, value: { tensor: { dtype: I32, tensor_shape: {}, int_val: [1] } } } },
      { name: 'sp', op: 'Split', input: ['ax:output:0', 'm:z:0'], attr: { T: { type: F32 }, num_split: { i: 2 } } },
      { name: 'idn', op: 'IdentityN', input: ['sp:output:1', 'sp:output:0'], attr: { T: { list: { type: [F32, F32] } } } },
      { name: 'sub', op: 'Sub', input: ['idn:output:0', 'idn:output:1', '^r'], attr: { T: { type: F32 } } },
    ],
    ret: { out0: 'sub:z:0', out1: 'idn:output:1' },
  };
  const outer: tensorflow.IFunctionDef = {
    signature: { name: 'outer', input_arg: [arg('x', F32), arg('res', RES)], output_arg: [arg('y', F32), arg('z', F32)] },
    node_def: [
      { name: 'c', op: 'PartitionedCall', input: ['x', 'res'], attr: { f: { func: { name: 'inner' } }, Tin: { list: { type: [F32, RES] } }, Tout: { list: { type: [F32, F32] } } } },
      { name: 'Identity', op: 'Identity', input: ['c:output:1'], attr: { T: { type: F32 } } },
    ],
    ret: { y: 'Identity:output:0', z: 'c:output:0' },
  };
  const graphDef: tensorflow.IGraphDef = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: F32 }, shape: { shape: { dim: [{ size: -1 }, { size: 4 }] } } } },
      { name: 'v', op: 'VarHandleOp', attr: { dtype: { type: F32 }, shape: { shape: {} }, shared_name: { s: new TextEncoder().encode('v') } } },
      { name: 'call', op: 'StatefulPartitionedCall', input: ['x', 'v'], attr: { f: { func: { name: 'outer' } } } },
    ],
    library: { function: [inner, outer] },
  };

  it('nested calls, captured resources and list outputs map to the right tensors', async () => {
    const three: WeightTensor = { name: 'v', dtype: 'float32', shape: [], bytes: new Uint8Array(Float32Array.of(3).buffer) };
    const r = freezeGraph(readGraphDef(writeGraphDef(graphDef)).graphDef, {
      inputs: [{ name: 'x', tensor: 'x:0' }],
      outputs: [{ name: 'first', tensor: 'call:0' }, { name: 'second', tensor: 'call:1' }],
      valueOf: (n) => (n === 'v' ? three : undefined),
      what: 'test graph',
    });
    expect(r.inlinedFunctions).toBe(2);
    expect(r.variablesFrozen).toBe(1);
    const byName = new Map(r.graphDef.node!.map((n) => [n.name, n]));
    expect(byName.get('call/c/idn')!.input).toEqual(['call/c/sp:1', 'call/c/sp']);
    expect(byName.get('call/c/sub')!.input).toEqual(['call/c/idn', 'call/c/idn:1']);
    expect(byName.get('call/c/r')!.op).toBe('Const');
    const { model } = convertGraphDef(r.graphDef);
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const out = await run(model, { x: { data: x, dims: [2, 4] } });
    // call:0 = outer.y = inner.out1 = sp0 = 3·x[:, :2]; call:1 = outer.z = inner.out0 = sp1 − sp0.
    expect(Array.from(out.first.data)).toEqual([3, 6, 15, 18]);
    expect(Array.from(out.second.data)).toEqual([6, 6, 6, 6]);
  });
});

describe('frozen graphs are standalone', () => {
  it('hold no variable ops, reload through readGraphDef, and convert the same', async () => {
    const names = ['tfjs_node_times_three_float', 'tfserving_saved_model_half_plus_two_cpu', 'tfserving_saved_model_half_plus_two_tf2_cpu', 'tfnet_simple_model_from_auto_compile', 'cppflow_multi_input_output'];
    for (const name of names) {
      const sm = await savedModel(name);
      const before = variableOps(sm.metaGraphs[0].graphDef) + sm.metaGraphs[0].functions.reduce((a, f) => a + (f.node_def ?? []).filter((n) => VARIABLE_OPS.test(n.op ?? '')).length, 0);
      const frozen = freezeSavedModel(sm);
      const bytes = writeGraphDef(frozen.graphDef);
      const back = readGraphDef(bytes);
      expect(variableOps(frozen.graphDef)).toBe(0);
      expect(back.variableNodes).toEqual([]);
      expect(back.graphDef.node.length).toBe(frozen.graphDef.node!.length);
      expect(back.graphDef.library?.function?.length ?? 0).toBe(0);
      expect(back.graphDef.node.every((n) => !(n.input ?? []).some((i) => i.startsWith('^')))).toBe(true);
      rows.push(`  ${name}: variable ops ${before} → 0; ${frozen.graphDef.node!.length} nodes, ${bytes.length} bytes`);
    }
  });
});

describe('what cannot be frozen is refused with the reason', () => {
  const refusal = async (f: () => unknown | Promise<unknown>): Promise<OmnihubError> => {
    try { await f(); } catch (e) { expect(e).toBeInstanceOf(OmnihubError); return e as OmnihubError; }
    throw new Error('expected a refusal');
  };

  it('the TF-Serving counter: no serving_default (the signatures are listed); the incr/reset signatures write the variable', async () => {
    const sm = await savedModel('tfserving_saved_model_counter');
    const e0 = await refusal(() => freezeSavedModel(sm));
    expect(e0.code).toBe('usage');
    for (const s of ['get_counter', 'incr_counter', 'incr_counter_by', 'reset_counter']) expect(e0.message).toContain(`'${s}'`);
    rows.push(`  counter (default): ${e0.message}`);
    for (const [sig, op] of [['incr_counter', 'AssignAdd ×1'], ['incr_counter_by', 'AssignAdd ×1'], ['reset_counter', 'Assign ×1']]) {
      const e = await refusal(() => freezeSavedModel(sm, { signature: sig }));
      expect(e.code).toBe('unsupported');
      expect(e.message).toContain('changes variables');
      expect(e.message).toContain(op);
      if (sig === 'incr_counter') rows.push(`  counter @ ${sig}: ${e.message}`);
    }
    // The read-only signature freezes to the saved value.
    const ok = freezeSavedModel(sm, { signature: 'get_counter' });
    expect(ok.graphDef.node!.map((n) => n.op)).toEqual(['Const', 'Identity']);
  });

  it('signatures that take serialized tf.Example strings (ParseExample / ParseExampleV2)', async () => {
    for (const [name, sig] of [['tfserving_saved_model_half_plus_two_cpu', 'classify_x_to_y'], ['tfserving_saved_model_half_plus_two_tf2_cpu', 'regress_x_to_y']]) {
      const e = await refusal(async () => freezeSavedModel(await savedModel(name), { signature: sig }));
      expect(e.code).toBe('unsupported');
      expect(e.message).toContain('serialized tf.Example strings');
      expect(e.message).toContain('serving_default');
      rows.push(`  ${name} @ ${sig}: ${e.message.slice(0, 140)}…`);
    }
  });

  it('non-frozen GraphDefs (VariableV2 / Variable without values): refused, and frozen once values are given', async () => {
    for (const f of ['examples_regression_model.pb', 'examples_regression_checkpoint_model.pb']) {
      const g = readGraphDef(new Uint8Array(readFileSync(fixture('tensorflow', 'graphdef', 'tfrust_nonfrozen_NEGATIVE', f)))).graphDef;
      const e = await refusal(() => freezeGraphDef(g, { inputs: ['x:0'], outputs: ['add:0'] }));
      expect(e.code).toBe('unsupported');
      expect(e.message).toMatch(/not frozen/);
      expect(e.message).toMatch(/checkpoint/);
      const e2 = await refusal(() => convertGraphDef(g, { outputs: ['add:0'] }));
      expect(e2.message).toMatch(/not frozen/);
      if (f.includes('checkpoint')) rows.push(`  ${f}: ${e.message}`);
      // With values (as a checkpoint would give them) it freezes and converts: y = 2x + 1.
      const scalar = (name: string, v: number): WeightTensor => ({ name, dtype: 'float32', shape: [1], bytes: new Uint8Array(Float32Array.of(v).buffer) });
      const frozen = freezeGraphDef(g, { inputs: ['x:0'], outputs: ['add:0'], variables: new Map([['w', scalar('w', 2)], ['b', scalar('b', 1)]]) });
      expect(frozen.report.variablesFrozen).toBe(2);
      const { model } = convertGraphDef(frozen.graphDef, { inputShapes: { x: [3] } });
      const out = await run(model, { x: { data: Float32Array.of(1, 2, 3), dims: [3] } });
      expect(Array.from(out.add.data)).toEqual([3, 5, 7]);
    }
  });
});

describe('TF Hub module archive', () => {
  it('half_plus_two_v1.tar.gz: unpacks, freezes (empty tag set, signature "default"), converts, computes 0.5x + 2', async () => {
    const hub = await readTfHubArchive(new Uint8Array(readFileSync(SM('tfhub_half_plus_two_v1_archive', 'half_plus_two_v1.tar.gz'))));
    expect(hub.isHubModuleV1).toBe(true);
    const frozen = freezeSavedModel(hub);
    expect(frozen.report.tags).toEqual([]);
    expect(frozen.report.signature).toBe('default');
    expect(frozen.report.variablesFrozen).toBe(2);
    expect(variableOps(frozen.graphDef)).toBe(0);
    // RandomUniform initializers are not part of the inference graph.
    expect(frozen.graphDef.node!.some((n) => n.op === 'RandomUniform')).toBe(false);
    const { model } = convertGraphDef(readGraphDef(writeGraphDef(frozen.graphDef)).graphDef, { inputShapes: { default: [3] } });
    const out = await run(model, { default: { data: Float32Array.of(1, 2, 5), dims: [3] } });
    const y = out[frozen.outputs[0].tensor.replace(/:0$/, '')];
    expect(Array.from(y.data)).toEqual([2.5, 3, 4.5]);
    rows.push(`  TF Hub half_plus_two_v1: [1,2,5] → ${JSON.stringify(Array.from(y.data))} (output tensor ${frozen.outputs[0].tensor}: the input took the name 'default')`);
  });
});
