// Keras → ONNX, whole models: Sequential and Functional models built here as KerasModelFile objects (branches, Add,
// Concatenate on the channel axis, nested models in Keras 2 and Keras 3 form, a shared layer called twice, two
// inputs and two outputs, initial states, TimeDistributed) and every full-model Keras fixture read with
// readKerasFile, each run in onnxruntime and compared with the reference forward pass composed from the TypeScript
// layer references (relL2 ≤ 1e-5), with the Transposes counted; weights-only files matched by name, by position, or
// refused with both shapes; custom layers refused by name.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { convertKerasModel } from '../../src/core/convert/keras/index.js';
import { modelInputs } from '../../src/core/convert/keras/model-graph.js';
import { OmnihubError } from '../../src/core/errors.js';
import { readKerasArchitectureJson, readKerasFile } from '../../src/core/formats/keras/index.js';
import type { KerasLayerConfig, KerasModelFile } from '../../src/core/formats/keras/types.js';
import { toFloat32 } from '../../src/core/weights/types.js';
import * as R from '../support/keras-reference.js';
import { A, check, countOps, kfile, layer, rows, seq, w, type W } from '../support/keras-test-utils.js';
import { fixture } from '../support/paths.js';

afterAll(() => {
  if (rows.length) console.log(['', 'Keras models vs the TypeScript reference (onnxruntime, float32):', ...rows].join('\n'));
});

/** Keras 2 functional layer: `inbound` = one call's inputs as [layer, node, tensor]. */
const k2 = (cls: string, config: Record<string, unknown>, ...calls: [string, number, number][][]): KerasLayerConfig => ({
  class_name: cls, name: String(config.name), config, inbound_nodes: calls.map((c) => c.map(([l, n, t]) => [l, n, t, {}])),
});
const input2 = (name: string, shape: (number | null)[], dtype = 'float32'): KerasLayerConfig => ({ class_name: 'InputLayer', name, config: { name, batch_input_shape: [null, ...shape], dtype }, inbound_nodes: [] });
const model2 = (name: string, layers: KerasLayerConfig[], inputs: string[], outputs: [string, number, number][]): KerasLayerConfig => ({
  class_name: 'Functional', config: { name, layers, input_layers: inputs.map((i) => [i, 0, 0]), output_layers: outputs },
});

/** Keras 3 functional layer: one call per entry, args = tensors (a list for merge layers), kwargs may hold tensors. */
const kt = (l: string, n = 0, t = 0) => ({ class_name: '__keras_tensor__', config: { shape: [], dtype: 'float32', keras_history: [l, n, t] } });
const k3 = (cls: string, config: Record<string, unknown>, ...calls: { args: unknown[]; kwargs?: Record<string, unknown> }[]): KerasLayerConfig => ({
  module: 'keras.layers', class_name: cls, config, registered_name: null, inbound_nodes: calls.map((c) => ({ args: c.args, kwargs: c.kwargs ?? {} })),
});

const weightsOf = (file: KerasModelFile): Record<string, R.Arr[]> =>
  Object.fromEntries(file.layers.map((l) => [l.layer, l.weights.map((t) => R.toArr(t.shape, toFloat32(t)))]));
const refW = (ws: Record<string, W[]>): Record<string, R.Arr[]> => Object.fromEntries(Object.entries(ws).map(([k, v]) => [k, v.map(A)]));

const convW = (seed: number, k: number, cin: number, cout: number): W[] => [w(seed, [k, k, cin, cout], -0.4, 0.4), w(seed + 1, [cout], -0.1, 0.1)];
const bnW = (seed: number, c: number): W[] => [w(seed, [c], 0.5, 1.5), w(seed + 1, [c], -0.3, 0.3), w(seed + 2, [c], -0.3, 0.3), w(seed + 3, [c], 0.2, 1)];

describe('Keras models: layouts and transposes', () => {
  it('Sequential Conv→BN→ReLU→Conv→MaxPool→Flatten→Dense: one Transpose after the NHWC input and one before Flatten; with nchw only the Flatten one', async () => {
    const layers = [
      layer('Conv2D', { name: 'c1', filters: 6, kernel_size: [3, 3], padding: 'same', activation: 'linear' }),
      layer('BatchNormalization', { name: 'bn', axis: -1, epsilon: 1e-3 }),
      layer('Activation', { name: 'relu', activation: 'relu' }),
      layer('Conv2D', { name: 'c2', filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }),
      layer('MaxPooling2D', { name: 'pool', pool_size: [2, 2], padding: 'valid' }),
      layer('Flatten', { name: 'flat' }),
      layer('Dense', { name: 'fc', units: 3, activation: 'softmax' }),
    ];
    const ws = { c1: convW(1, 3, 3, 6), bn: bnW(3, 6), c2: convW(7, 3, 6, 4), fc: [w(9, [2 * 2 * 4, 3]), w(10, [3])] };
    const config = seq(layers, [8, 8, 3], 'float32', 'cnn');
    const file = kfile(config, ws);
    const x = R.randomF32(11, 2 * 8 * 8 * 3);
    const ref = R.runKerasReference(config, refW(ws), [R.toArr([2, 8, 8, 3], x)])[0].a;
    const nhwc = await check('CNN chain, NHWC interface', file, { x: { data: x, dims: [2, 8, 8, 3] } }, [ref]);
    expect(countOps(nhwc.model, 'Transpose')).toBe(2);
    expect(nhwc.model.graph!.node!.some((n) => n.op_type === 'BatchNormalization')).toBe(true);
    const xn = R.transpose(R.toArr([2, 8, 8, 3], x), [0, 3, 1, 2]);
    const nchw = await check('CNN chain, NCHW interface (nchw: true)', file, { x: { data: Float32Array.from(xn.data), dims: [2, 3, 8, 8] } }, [ref], { nchw: true });
    expect(countOps(nchw.model, 'Transpose')).toBe(1);
    expect(nchw.model.graph!.input![0].type!.tensor_type!.shape!.dim!.map((d) => d.dim_param || Number(d.dim_value))).toEqual(['batch', 3, 8, 8]);
    expect(nhwc.report).toMatchObject({ layers: 7, parameters: 3 * 3 * 3 * 6 + 6 + 4 * 6 + 3 * 3 * 6 * 4 + 4 + 16 * 3 + 3, converted: { Conv2D: 2, BatchNormalization: 1, Activation: 1, MaxPooling2D: 1, Flatten: 1, Dense: 1 } });
  });

  it('Functional branches: residual Add and Concatenate on the channel axis in NHWC stay channels first (one Transpose)', async () => {
    const layers = [
      input2('img', [7, 7, 3]),
      k2('Conv2D', { name: 'a1', filters: 4, kernel_size: [3, 3], padding: 'same' }, [['img', 0, 0]]),
      k2('BatchNormalization', { name: 'a_bn', axis: [3], epsilon: 1e-3 }, [['a1', 0, 0]]),
      k2('Activation', { name: 'a_relu', activation: 'relu' }, [['a_bn', 0, 0]]),
      k2('Conv2D', { name: 'b1', filters: 4, kernel_size: [1, 1], padding: 'valid' }, [['img', 0, 0]]),
      k2('Add', { name: 'add' }, [['a_relu', 0, 0], ['b1', 0, 0]]),
      k2('Conv2D', { name: 'c1', filters: 2, kernel_size: [3, 3], padding: 'same', activation: 'tanh' }, [['img', 0, 0]]),
      k2('Concatenate', { name: 'cat', axis: -1 }, [['add', 0, 0], ['c1', 0, 0]]),
      k2('Conv2D', { name: 'd1', filters: 5, kernel_size: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu' }, [['cat', 0, 0]]),
      k2('GlobalAveragePooling2D', { name: 'gap' }, [['d1', 0, 0]]),
      k2('Dense', { name: 'out', units: 3 }, [['gap', 0, 0]]),
    ];
    const config = model2('branches', layers, ['img'], [['out', 0, 0]]);
    const ws = { a1: convW(20, 3, 3, 4), a_bn: bnW(22, 4), b1: convW(26, 1, 3, 4), c1: convW(28, 3, 3, 2), d1: convW(30, 3, 6, 5), out: [w(32, [5, 3]), w(33, [3])] };
    const x = R.randomF32(34, 2 * 7 * 7 * 3);
    const ref = R.runKerasReference(config, refW(ws), [R.toArr([2, 7, 7, 3], x)])[0].a;
    const r = await check('Functional: residual Add + Concatenate(axis=-1) + GAP', kfile(config, ws), { img: { data: x, dims: [2, 7, 7, 3] } }, [ref]);
    expect(countOps(r.model, 'Transpose')).toBe(1);
    expect(r.model.graph!.node!.find((n) => n.op_type === 'Concat')!.attribute![0].i).toBe(1); // channel axis, held NCHW
  });

  it("data_format 'channels_first': Conv2D on NCHW, Flatten in Keras's channels-last order; nchw is ignored", async () => {
    const layers = [
      layer('Conv2D', { name: 'c', filters: 3, kernel_size: [3, 3], padding: 'same', data_format: 'channels_first' }),
      layer('MaxPooling2D', { name: 'p', pool_size: [2, 2], data_format: 'channels_first' }),
      layer('Flatten', { name: 'f', data_format: 'channels_first' }),
    ];
    const ws = { c: convW(45, 3, 2, 3) };
    const x = R.randomF32(46, 2 * 2 * 6 * 6);
    const nhwc = R.transpose(R.toArr([2, 2, 6, 6], x), [0, 2, 3, 1]);
    const ref = R.flatten(R.pool(R.conv(nhwc, A(ws.c[0]), A(ws.c[1]), { padding: 'same' }), 'max', [2, 2]));
    const r = await check("channels_first Conv2D → MaxPool → Flatten", kfile(seq(layers, [2, 6, 6]), ws), { x: { data: x, dims: [2, 2, 6, 6] } }, [ref], { nchw: true });
    expect(countOps(r.model, 'Transpose')).toBe(1);
    expect(r.report.notes.join(' ')).toMatch(/channels_first already/);
  });

  it('ResNet-style fixture twins: a 1×1 pooled map flattens without a Transpose', async () => {
    const layers = [
      layer('Conv2D', { name: 'c', filters: 4, kernel_size: [3, 3], padding: 'same' }),
      layer('AveragePooling2D', { name: 'p', pool_size: [4, 4], strides: [4, 4] }),
      layer('Flatten', { name: 'f' }),
      layer('Dense', { name: 'd', units: 2 }),
    ];
    const ws = { c: convW(40, 3, 2, 4), d: [w(42, [4, 2]), w(43, [2])] };
    const config = seq(layers, [4, 4, 2]);
    const x = R.randomF32(44, 2 * 4 * 4 * 2);
    const ref = R.runKerasReference(config, refW(ws), [R.toArr([2, 4, 4, 2], x)])[0].a;
    const r = await check('Conv→AvgPool to 1×1→Flatten→Dense', kfile(config, ws), { x: { data: x, dims: [2, 4, 4, 2] } }, [ref]);
    expect(countOps(r.model, 'Transpose')).toBe(1);
  });
});

describe('Keras models: graph forms', () => {
  it('nested models: a Sequential and a Functional inside a Keras 3 Functional; weights stored per inner layer or under the nested model (Keras 2)', async () => {
    const block: KerasLayerConfig = {
      module: 'keras', class_name: 'Sequential', registered_name: null,
      config: { name: 'block', layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'block_in', batch_shape: [null, 6, 6, 2] }, registered_name: null },
        { module: 'keras.layers', class_name: 'Conv2D', config: { name: 'conv', filters: 3, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, registered_name: null },
        { module: 'keras.layers', class_name: 'GlobalMaxPooling2D', config: { name: 'gmp' }, registered_name: null },
      ] },
      inbound_nodes: [{ args: [kt('in')], kwargs: {} }],
    };
    const head: KerasLayerConfig = {
      module: 'keras', class_name: 'Functional', registered_name: null,
      config: {
        name: 'head',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'head_in', batch_shape: [null, 3] }, registered_name: null, inbound_nodes: [] },
          k3('Dense', { name: 'h1', units: 5, activation: 'gelu' }, { args: [kt('head_in')] }),
          k3('Dense', { name: 'h2', units: 2 }, { args: [kt('h1')] }),
        ],
        input_layers: ['head_in', 0, 0],
        output_layers: ['h2', 0, 0],
      },
      inbound_nodes: [{ args: [kt('block')], kwargs: {} }],
    };
    const outer: KerasLayerConfig = {
      module: 'keras', class_name: 'Functional', registered_name: null,
      config: {
        name: 'outer',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 6, 6, 2] }, registered_name: null, inbound_nodes: [] },
          block,
          head,
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['head', 0, 0]],
      },
    };
    const ws = { conv: convW(50, 3, 2, 3), h1: [w(52, [3, 5]), w(53, [5])], h2: [w(54, [5, 2]), w(55, [2])] };
    const x = R.randomF32(56, 2 * 6 * 6 * 2);
    const ref = R.runKerasReference(outer, refW(ws), [R.toArr([2, 6, 6, 2], x)], true)[0].a;
    const flat = kfile(outer, ws, '3.3.3');
    const r = await check('nested Sequential + Functional (Keras 3 nodes)', flat, { in: { data: x, dims: [2, 6, 6, 2] } }, [ref]);
    expect(r.report.layers).toBe(4);
    // Keras 2 saves a nested model as one layer whose weight names start with the inner layer's name.
    const grouped: KerasModelFile = { ...flat, layers: [
      { layer: 'block', weights: ws.conv.map((t, i) => ({ name: `conv/${['kernel', 'bias'][i]}:0`, dtype: 'float32' as const, shape: t.shape, bytes: new Uint8Array(t.f.buffer) })) },
      { layer: 'head', weights: [...ws.h1, ...ws.h2].map((t, i) => ({ name: `${i < 2 ? 'h1' : 'h2'}/${['kernel', 'bias'][i % 2]}:0`, dtype: 'float32' as const, shape: t.shape, bytes: new Uint8Array(t.f.buffer) })) },
    ] };
    await check('nested models, weights grouped under the nested model', grouped, { in: { data: x, dims: [2, 6, 6, 2] } }, [ref]);
  });

  it('a shared layer called twice (node indices 0 and 1): its weights are written and counted once', async () => {
    const layers = [
      input2('a', [6]),
      input2('b', [6]),
      k2('Dense', { name: 'shared', units: 4, activation: 'tanh' }, [['a', 0, 0]], [['b', 0, 0]]),
      k2('Subtract', { name: 'diff' }, [['shared', 0, 0], ['shared', 1, 0]]),
      k2('Multiply', { name: 'prod' }, [['shared', 0, 0], ['shared', 1, 0]]),
      k2('Concatenate', { name: 'cat', axis: 1 }, [['diff', 0, 0], ['prod', 0, 0]]),
      k2('Dense', { name: 'out', units: 1, activation: 'sigmoid' }, [['cat', 0, 0]]),
    ];
    const config = model2('siamese', layers, ['a', 'b'], [['out', 0, 0]]);
    const ws = { shared: [w(60, [6, 4]), w(61, [4])], out: [w(62, [8, 1]), w(63, [1])] };
    const xa = R.randomF32(64, 3 * 6);
    const xb = R.randomF32(65, 3 * 6);
    const ref = R.runKerasReference(config, refW(ws), [R.toArr([3, 6], xa), R.toArr([3, 6], xb)])[0].a;
    const r = await check('shared Dense on two inputs (siamese)', kfile(config, ws), { a: { data: xa, dims: [3, 6] }, b: { data: xb, dims: [3, 6] } }, [ref]);
    expect(r.model.graph!.initializer!.filter((t) => t.name!.startsWith('shared_kernel')).length).toBe(1);
    expect(countOps(r.model, 'MatMul')).toBe(3);
    expect(r.report.parameters).toBe(6 * 4 + 4 + 8 + 1);
    expect(r.report.converted.Dense).toBe(2);
  });

  it('two inputs and two outputs (an image output NCHW with nchw: true), named after the Keras layers', async () => {
    const layers = [
      input2('img', [6, 6, 3]),
      input2('meta', [5]),
      k2('Conv2D', { name: 'features', filters: 4, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, [['img', 0, 0]]),
      k2('GlobalAveragePooling2D', { name: 'gap' }, [['features', 0, 0]]),
      k2('Dense', { name: 'meta_fc', units: 3, activation: 'relu' }, [['meta', 0, 0]]),
      k2('Concatenate', { name: 'cat' }, [['gap', 0, 0], ['meta_fc', 0, 0]]),
      k2('Dense', { name: 'probs', units: 2, activation: 'softmax' }, [['cat', 0, 0]]),
    ];
    const config = model2('two_io', layers, ['img', 'meta'], [['probs', 0, 0], ['features', 0, 0]]);
    const ws = { features: convW(70, 3, 3, 4), meta_fc: [w(72, [5, 3]), w(73, [3])], probs: [w(74, [7, 2]), w(75, [2])] };
    const xi = R.randomF32(76, 2 * 6 * 6 * 3);
    const xm = R.randomF32(77, 2 * 5);
    const [probs, feats] = R.runKerasReference(config, refW(ws), [R.toArr([2, 6, 6, 3], xi), R.toArr([2, 5], xm)]).map((t) => t.a);
    const r = await check('two inputs / two outputs (NHWC)', kfile(config, ws), { img: { data: xi, dims: [2, 6, 6, 3] }, meta: { data: xm, dims: [2, 5] } }, [probs, feats]);
    expect(r.model.graph!.input!.map((i) => i.name)).toEqual(['img', 'meta']);
    expect(r.names).toEqual(['probs', 'features']);
    const xin = Float32Array.from(R.transpose(R.toArr([2, 6, 6, 3], xi), [0, 3, 1, 2]).data);
    const n = await check('two inputs / two outputs (nchw: true)', kfile(config, ws), { img: { data: xin, dims: [2, 3, 6, 6] }, meta: { data: xm, dims: [2, 5] } }, [probs, R.transpose(feats, [0, 3, 1, 2])], { nchw: true });
    expect(countOps(n.model, 'Transpose')).toBe(0);
  });

  it('Keras 3 nodes with kwargs: an encoder LSTM whose states start the decoder (initial_state=[h, c])', async () => {
    const H = 3;
    const layers: KerasLayerConfig[] = [
      { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'enc_in', batch_shape: [null, 4, 2] }, registered_name: null, inbound_nodes: [] },
      { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'dec_in', batch_shape: [null, 5, 2] }, registered_name: null, inbound_nodes: [] },
      k3('LSTM', { name: 'encoder', units: H, return_state: true, recurrent_activation: 'sigmoid' }, { args: [kt('enc_in')] }),
      k3('LSTM', { name: 'decoder', units: H, return_sequences: true, recurrent_activation: 'sigmoid' }, { args: [kt('dec_in')], kwargs: { initial_state: [kt('encoder', 0, 1), kt('encoder', 0, 2)] } }),
      k3('Dense', { name: 'proj', units: 2 }, { args: [kt('decoder')] }),
    ];
    const config: KerasLayerConfig = { module: 'keras', class_name: 'Functional', config: { name: 'seq2seq', layers, input_layers: [['enc_in', 0, 0], ['dec_in', 0, 0]], output_layers: [['proj', 0, 0]] }, registered_name: null };
    const lw = (s: number) => [w(s, [2, 4 * H], -0.6, 0.6), w(s + 1, [H, 4 * H], -0.6, 0.6), w(s + 2, [4 * H], -0.3, 0.3)];
    const ws = { encoder: lw(80), decoder: lw(83), proj: [w(86, [H, 2]), w(87, [2])] };
    const xe = R.randomF32(88, 2 * 4 * 2);
    const xd = R.randomF32(89, 2 * 5 * 2);
    const ref = R.runKerasReference(config, refW(ws), [R.toArr([2, 4, 2], xe), R.toArr([2, 5, 2], xd)], true)[0].a;
    await check('encoder-decoder LSTM, initial_state kwargs (Keras 3)', kfile(config, ws, '3.3.3'), { enc_in: { data: xe, dims: [2, 4, 2] }, dec_in: { data: xd, dims: [2, 5, 2] } }, [ref]);
  });

  it('a Keras 2.0–2.2 Sequential config (a bare layer list, input shape on the first layer) and a fixed batch', async () => {
    const config: KerasLayerConfig = { class_name: 'Sequential', config: [
      { class_name: 'Dense', config: { name: 'dense_1', units: 3, activation: 'elu', batch_input_shape: [null, 4] } },
      { class_name: 'Dense', config: { name: 'dense_2', units: 2, activation: 'hard_sigmoid' } },
    ] as unknown as Record<string, unknown> };
    const ws = { dense_1: [w(96, [4, 3]), w(97, [3])], dense_2: [w(98, [3, 2]), w(99, [2])] };
    const x = R.randomF32(99, 3 * 4);
    const ref = R.runKerasReference(config, refW(ws), [R.toArr([3, 4], x)])[0].a;
    const r = await check('bare-list Sequential (Keras 2.0), batch: 3', kfile(config, ws, '2.1.6'), { dense_1_input: { data: x, dims: [3, 4] } }, [ref], { batch: 3 });
    expect(r.model.graph!.input![0].type!.tensor_type!.shape!.dim!.map((d) => Number(d.dim_value))).toEqual([3, 4]);
    expect(r.names).toEqual(['dense_2']);
  });

  it('Embedding(mask_zero) → GlobalAveragePooling1D averages the kept steps only', async () => {
    const table = w(110, [9, 4]);
    const ids = new Int32Array([3, 5, 0, 0, 1, 0, 2, 8]);
    const config = seq([layer('Embedding', { name: 'emb', input_dim: 9, output_dim: 4, mask_zero: true }), layer('GlobalAveragePooling1D', { name: 'gap' })], [4], 'int32');
    const e = R.embedding(R.arr([2, 4], ids), A(table));
    const ref = R.arr([2, 4]);
    for (let b = 0; b < 2; b++) {
      let n = 0;
      for (let t = 0; t < 4; t++) if (ids[b * 4 + t] !== 0) { n++; for (let f = 0; f < 4; f++) ref.data[b * 4 + f] += e.data[(b * 4 + t) * 4 + f]; }
      for (let f = 0; f < 4; f++) ref.data[b * 4 + f] /= n;
    }
    await check('Embedding(mask_zero) → GlobalAveragePooling1D (masked mean)', kfile(config, { emb: [table] }), { x: { data: ids, dims: [2, 4] } }, [ref]);
  });

  it('TimeDistributed(Dense) and TimeDistributed(Conv2D)', async () => {
    const td = (inner: KerasLayerConfig) => layer('TimeDistributed', { name: 'td', layer: inner });
    const dw = [w(90, [4, 3]), w(91, [3])];
    const x = R.randomF32(92, 2 * 5 * 4);
    await check('TimeDistributed(Dense)', kfile(seq([td(layer('Dense', { name: 'dense', units: 3 }))], [5, 4]), { td: dw }), { x: { data: x, dims: [2, 5, 4] } },
      [R.dense(R.toArr([2, 5, 4], x), A(dw[0]), A(dw[1]))]);
    const cw = convW(93, 3, 2, 3);
    const xc = R.randomF32(95, 2 * 3 * 5 * 5 * 2);
    const frames = R.toArr([6, 5, 5, 2], xc);
    const y = R.conv(frames, A(cw[0]), A(cw[1]), { padding: 'same' });
    await check('TimeDistributed(Conv2D)', kfile(seq([td(layer('Conv2D', { name: 'conv', filters: 3, kernel_size: [3, 3], padding: 'same' }))], [3, 5, 5, 2]), { td: cw }),
      { x: { data: xc, dims: [2, 3, 5, 5, 2] } }, [{ shape: [2, 3, 5, 5, 3], data: y.data }]);
  });
});

describe('Keras weights-only files and refusals', () => {
  const arch = seq([
    layer('Dense', { name: 'fc1', units: 5, activation: 'relu' }),
    layer('Dropout', { name: 'drop', rate: 0.5 }),
    layer('Dense', { name: 'fc2', units: 3, activation: 'softmax' }),
  ], [4], 'float32', 'mlp');
  const ws = { fc1: [w(100, [4, 5]), w(101, [5])], fc2: [w(102, [5, 3]), w(103, [3])] };
  const x = R.randomF32(104, 2 * 4);
  const ref = () => R.runKerasReference(arch, refW(ws), [R.toArr([2, 4], x)])[0].a;

  it('matches an architecture to a weights-only file by name, else by position (Keras’s default load_weights)', async () => {
    const byName = await check('weights-only, by name', kfile(undefined, ws), { x: { data: x, dims: [2, 4] } }, [ref()], { architecture: arch });
    expect(byName.report.notes).toContain('Weights matched to the architecture by layer name.');
    const renamed = kfile(undefined, { dense_7: ws.fc1, dense_8: ws.fc2 });
    const byPos = await check('weights-only, by position (names differ)', renamed, { x: { data: x, dims: [2, 4] } }, [ref()], { architecture: arch });
    expect(byPos.report.notes).toContain('Weights matched to the architecture by position (no layer name matched).');
  });

  it('names the first layer whose weight shapes differ, with both shapes; asks for an architecture', () => {
    const wrong = kfile(undefined, { dense_7: ws.fc1, dense_8: [w(1, [6, 3]), w(2, [3])] });
    let err: unknown;
    try { convertKerasModel(wrong, { architecture: arch }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OmnihubError);
    expect((err as OmnihubError).code).toBe('mismatch');
    expect((err as OmnihubError).message).toMatch(/layer 'fc2' \(Dense\) in model 'mlp': weight 0 \('dense_8\/w0'\) has shape \[6, 3\] but the layer needs \[5, 3\]/);
    const few = kfile(undefined, { a: ws.fc1 });
    expect(() => convertKerasModel(few, { architecture: arch })).toThrow(/matching by position fails: the file has 1 layers with weights \(a\), the architecture 2 \(fc1, fc2\)/);
    expect(() => convertKerasModel(kfile(undefined, ws))).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it("refuses custom layers by name, class and model (textgenrnn's AttentionWeightedAverage; Lambda; a custom model class)", async () => {
    // textgenrnn's architecture (minimaxir/textgenrnn model.py) with its real weights-only file.
    const T = 40;
    const tg = model2('textgenrnn', [
      input2('input', [T], 'int32'),
      k2('Embedding', { name: 'embedding', input_dim: 465, output_dim: 100 }, [['input', 0, 0]]),
      k2('CuDNNLSTM', { name: 'rnn_1', units: 128, return_sequences: true }, [['embedding', 0, 0]]),
      k2('CuDNNLSTM', { name: 'rnn_2', units: 128, return_sequences: true }, [['rnn_1', 0, 0]]),
      k2('Concatenate', { name: 'rnn_concat', axis: -1 }, [['embedding', 0, 0], ['rnn_1', 0, 0], ['rnn_2', 0, 0]]),
      k2('AttentionWeightedAverage', { name: 'attention' }, [['rnn_concat', 0, 0]]),
      k2('Dense', { name: 'output', units: 465, activation: 'softmax' }, [['attention', 0, 0]]),
    ], ['input'], [['output', 0, 0]]);
    const file = await readKerasFile(new Uint8Array(readFileSync(fixture('keras', 'textgenrnn__textgenrnn_weights.hdf5'))), 'textgenrnn_weights.hdf5');
    let err: unknown;
    try { convertKerasModel(file, { architecture: tg }); } catch (e) { err = e; }
    expect((err as OmnihubError).code).toBe('unsupported');
    expect((err as OmnihubError).message).toMatch(/^layer 'attention' \(AttentionWeightedAverage\) in model 'textgenrnn' is a custom layer; Omnihub converts Keras's built-in layers: .*Dense/);
    const lambda = kfile(seq([layer('Lambda', { name: 'l', function: ['4wEAAAAAAAAA', null, null] })], [3]), {});
    expect(() => convertKerasModel(lambda)).toThrow(/layer 'l' \(Lambda\) in model 'seq' is a Keras layer Omnihub does not convert \(Lambda layers hold Python code\)/);
  });

  it("textgenrnn's real CuDNNLSTM weights up to its custom layer match the reference LSTM (input and recurrent biases summed)", async () => {
    const T = 8;
    const tg = model2('textgenrnn_body', [
      input2('input', [T], 'int32'),
      k2('Embedding', { name: 'embedding', input_dim: 465, output_dim: 100 }, [['input', 0, 0]]),
      k2('CuDNNLSTM', { name: 'rnn_1', units: 128, return_sequences: true }, [['embedding', 0, 0]]),
      k2('CuDNNLSTM', { name: 'rnn_2', units: 128, return_sequences: true }, [['rnn_1', 0, 0]]),
      k2('Concatenate', { name: 'rnn_concat', axis: -1 }, [['embedding', 0, 0], ['rnn_1', 0, 0], ['rnn_2', 0, 0]]),
    ], ['input'], [['rnn_concat', 0, 0]]);
    const file = await readKerasFile(new Uint8Array(readFileSync(fixture('keras', 'textgenrnn__textgenrnn_weights.hdf5'))), 'textgenrnn_weights.hdf5');
    const W = weightsOf(file);
    const ids = Int32Array.from({ length: 2 * T }, (_, i) => (i * 37 + 11) % 465);
    const emb = R.embedding(R.arr([2, T], ids), W.embedding[0]);
    const lstm = (x: R.Arr, ww: R.Arr[]) => {
      const b = ww[2].data;
      const bias = R.arr([512], b.subarray(0, 512).map((v, i) => v + b[512 + i]));
      return R.rnn(x, [ww[0], ww[1], bias], { kind: 'LSTM', units: 128, returnSequences: true })[0];
    };
    const r1 = lstm(emb, W.rnn_1);
    const r2 = lstm(r1, W.rnn_2);
    const r = await check('textgenrnn body (real weights): Embedding → CuDNNLSTM ×2 → Concatenate', file, { input: { data: ids, dims: [2, T] } }, [R.concat([emb, r1, r2], -1)], { architecture: tg });
    expect(r.report.notes).toContain('Weights in the file that no layer used: attention, output.');
  });
});

describe('Keras fixtures (readKerasFile → convert → onnxruntime vs the reference)', () => {
  const read = async (...path: string[]) => readKerasFile(new Uint8Array(readFileSync(fixture(...path))), path[path.length - 1]);

  const cases: { file: string[]; arch?: string; input: number[]; transposes: number; nchwTransposes?: number; lo?: number; hi?: number }[] = [
    { file: ['keras', 'fml__keras_3layer.h5'], input: [4, 16], transposes: 0 },
    { file: ['keras', 'fml__keras_3layer_batch_norm.h5'], input: [4, 16], transposes: 0 },
    { file: ['keras', 'fml__keras_conv1d_small.h5'], input: [3, 10, 4], transposes: 1 },
    { file: ['keras', 'fml__keras_conv2d_model.h5'], input: [3, 8, 8, 1], transposes: 2, nchwTransposes: 1 },
    { file: ['keras', 'mlperftiny__pretrainedResnet.h5'], input: [2, 32, 32, 3], transposes: 1, nchwTransposes: 0, lo: 0, hi: 1 },
    { file: ['keras', 'hls4ml__mlp_streaming.keras'], input: [4, 8], transposes: 0 },
    { file: ['keras', 'kotlindl__toyresnet_weights.h5'], arch: 'kotlindl__toyresnet_modelConfig.json', input: [2, 28, 28, 1], transposes: 1, nchwTransposes: 0, lo: 0, hi: 1 },
    { file: ['keras', 'fml__KERAS_3layer_weights.h5'], arch: 'fml__KERAS_3layer.json', input: [4, 16], transposes: 0 },
  ];
  for (const c of cases) {
    it(`${c.file[c.file.length - 1]}${c.arch ? ` + ${c.arch}` : ''}`, async () => {
      const file = await read(...c.file);
      const architecture = c.arch ? readKerasArchitectureJson(readFileSync(fixture('keras', c.arch))) : undefined;
      const config = architecture ?? file.config!;
      const x = R.randomF32(200, R.size(c.input), c.lo ?? -1, c.hi ?? 1);
      const keras3 = (file.kerasVersion ?? '').startsWith('3');
      const ref = R.runKerasReference(config, weightsOf(file), [R.toArr(c.input, x)], keras3)[0].a;
      const inputName = modelInputs(config)[0].name;
      const label = `fixture ${c.file[c.file.length - 1]}`;
      const r = await check(label, file, { [inputName]: { data: x, dims: c.input } }, [ref], { architecture });
      expect(countOps(r.model, 'Transpose')).toBe(c.transposes);
      const total = file.layers.reduce((s, l) => s + l.weights.reduce((t, wt) => t + wt.shape.reduce((a, d) => a * d, 1), 0), 0);
      expect(r.report.parameters).toBe(total);
      if (c.nchwTransposes !== undefined) {
        const xn = Float32Array.from(R.transpose(R.toArr(c.input, x), [0, 3, 1, 2]).data);
        const [b, h, ww, ch] = c.input;
        const n = await check(`${label} (nchw: true)`, file, { [inputName]: { data: xn, dims: [b, ch, h, ww] } }, [ref], { architecture, nchw: true });
        expect(countOps(n.model, 'Transpose')).toBe(c.nchwTransposes);
      }
    });
  }

  it('keras_team_mlx_sequential_masking_lstm.keras (Keras 3: Masking → LSTM) on sequences padded at the end, the start and in between', async () => {
    const file = await read('tensorflow', 'keras3', 'keras_team_mlx_sequential_masking_lstm.keras');
    const x = new Float32Array([
      0.5, -1, 2, 0.25, 0, 0, //  trailing padding
      0, 0, 1.5, -0.5, 0.3, 0.7, // leading padding
    ]);
    const ref = R.runKerasReference(file.config!, weightsOf(file), [R.toArr([2, 3, 2], x)], true)[0].a;
    const r = await check('fixture keras_team_mlx_sequential_masking_lstm.keras', file, { input_layer: { data: x, dims: [2, 3, 2] } }, [ref]);
    expect(r.report.converted).toEqual({ Masking: 1, LSTM: 1 });
    const x2 = new Float32Array([1, 2, 0, 0, 3, -1, 0, 0, 0, 0, 0, 0]); // a gap, and an all-masked row
    const ref2 = R.runKerasReference(file.config!, weightsOf(file), [R.toArr([2, 3, 2], x2)], true)[0].a;
    await check('fixture masking_lstm: inner gap and all-masked row', file, { input_layer: { data: x2, dims: [2, 3, 2] } }, [ref2]);
  });

  it('fml__qkeras-v3_3layer.keras and a custom model class are refused, naming the classes', async () => {
    const q = await read('keras', 'fml__qkeras-v3_3layer.keras');
    expect(() => convertKerasModel(q)).toThrow(expect.objectContaining({ code: 'unsupported' }));
    expect(() => convertKerasModel(q)).toThrow(/^layers 'fc1' \(QDense\), 'relu1' \(QActivation\), .* in model 'sequential' are custom layers \(from qkeras\.qlayers\)/);
    const custom = await read('tensorflow', 'keras3', 'keras_team_pre_pr22362_nested_container_CUSTOM.keras');
    expect(() => convertKerasModel(custom)).toThrow(/model 'nested_dense_model' is a custom model class \(NestedDenseModel, registered as 'legacy_nested_container>NestedDenseModel'\)/);
  });
});
