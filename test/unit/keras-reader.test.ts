/**
 * Keras readers: every Keras fixture (legacy HDF5 full models and weights-only files, a .keras that is HDF5, Keras 3
 * .keras zips, architecture JSON), checked against values read independently with h5py 3.7 / numpy (Debian's
 * python3-h5py); Keras 3's weight-path naming rule on a synthetic zip; custom-class detection; hostile inputs; the
 * HDF5 layer's cleanup (no in-memory file left behind, a bounded wasm heap); writeHdf5 round trips.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  findCustomClasses, flattenKerasLayers, kerasLayerName, readKerasArchitecture, readKerasArchitectureJson, readKerasFile,
  toSnakeCase, type KerasLayerConfig, type KerasModelFile,
} from '../../src/core/formats/keras/index.js';
import {
  hdf5HeapBytes, hdf5ScratchFiles, openHdf5, withHdf5, writeHdf5, type Hdf5GroupSpec,
} from '../../src/core/formats/hdf5/h5.js';
import { OmnihubError } from '../../src/core/errors.js';
import { elementCount, toFloat32, type WeightTensor } from '../../src/core/weights/types.js';
import { fixture } from '../support/paths.js';

const load = (...p: string[]) => new Uint8Array(readFileSync(fixture(...p)));
const keras = (name: string) => load('keras', name);
const keras3 = (name: string) => load('tensorflow', 'keras3', name);

async function codeOf(f: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await f();
  } catch (e) {
    return e instanceof OmnihubError ? { code: e.code, message: e.message } : { code: `not an OmnihubError: ${e}`, message: '' };
  }
  return { code: 'no error', message: '' };
}

function totalParams(m: KerasModelFile): number {
  return m.layers.reduce((n, l) => n + l.weights.reduce((k, w) => k + elementCount(w.shape), 0), 0);
}

function sum(m: KerasModelFile): number {
  let s = 0;
  for (const l of m.layers) for (const w of l.weights) for (const v of toFloat32(w)) s += v;
  return s;
}

function weight(m: KerasModelFile, layer: string, name: string): WeightTensor {
  const l = m.layers.find((x) => x.layer === layer);
  const w = l?.weights.find((x) => x.name === name);
  if (!w) throw new Error(`no weight ${layer}:${name} (layers: ${m.layers.map((x) => x.layer).join(', ')})`);
  return w;
}

const first = (w: WeightTensor, n = 3) => Array.from(toFloat32(w).subarray(0, n));
const last = (w: WeightTensor) => toFloat32(w)[elementCount(w.shape) - 1];
const shapes = (m: KerasModelFile) => Object.fromEntries(m.layers.map((l) => [l.layer, l.weights.map((w) => `${w.name} [${w.shape.join(',')}]`)]));

// Numbers below: h5py 3.7 + numpy, reading the same datasets in layer_names / weight_names order
// (values are the float32 elements printed as doubles; sums are numpy float64 sums).
describe('Keras 2 / tf.keras HDF5 fixtures', () => {
  it('fml__keras_3layer.h5: full model, Keras 2.3.1, 4 Dense layers, 4389 parameters', async () => {
    const m = await readKerasFile(keras('fml__keras_3layer.h5'), 'fml__keras_3layer.h5');
    expect(m.format).toBe('h5-full');
    expect(m.kerasVersion).toBe('2.3.1');
    expect(m.backend).toBe('tensorflow');
    expect(m.config?.class_name).toBe('Model');
    expect((m.config?.config.layers as KerasLayerConfig[]).map(kerasLayerName)).toEqual(['input_1', 'fc1_relu', 'fc2_relu', 'fc3_relu', 'output_softmax']);
    expect(m.layers.map((l) => l.layer)).toEqual(['fc1_relu', 'fc2_relu', 'fc3_relu', 'output_softmax']);
    expect(shapes(m).fc1_relu).toEqual(['fc1_relu/kernel:0 [16,64]', 'fc1_relu/bias:0 [64]']);
    expect(shapes(m).output_softmax).toEqual(['output_softmax/kernel:0 [32,5]', 'output_softmax/bias:0 [5]']);
    expect(totalParams(m)).toBe(4389);
    expect(first(weight(m, 'fc1_relu', 'fc1_relu/kernel:0'))).toEqual([0.2731347382068634, -0.12113316357135773, 0.4952146112918854]);
    expect(last(weight(m, 'output_softmax', 'output_softmax/bias:0'))).toBe(0.019465582445263863);
    expect(sum(m)).toBeCloseTo(-27.76176963657963, 8);
    expect(m.notes).toEqual([]);
    expect(findCustomClasses(m.config!)).toEqual([]);
  });

  it('fml__keras_3layer_batch_norm.h5: BatchNormalization weights in Keras order γ, β, mean, variance', async () => {
    const m = await readKerasFile(keras('fml__keras_3layer_batch_norm.h5'));
    expect(m.format).toBe('h5-full');
    expect(m.layers.map((l) => l.layer)).toEqual(['fc1_relu', 'bn1', 'fc2_relu', 'bn2', 'fc3_relu', 'bn3', 'output_softmax', 'bn4']);
    expect(m.layers.find((l) => l.layer === 'bn1')!.weights.map((w) => w.name)).toEqual(['bn1/gamma:0', 'bn1/beta:0', 'bn1/moving_mean:0', 'bn1/moving_variance:0']);
    expect(shapes(m).bn4).toEqual(['bn4/gamma:0 [5]', 'bn4/beta:0 [5]', 'bn4/moving_mean:0 [5]', 'bn4/moving_variance:0 [5]']);
    expect(totalParams(m)).toBe(4921);
    expect(first(weight(m, 'fc1_relu', 'fc1_relu/kernel:0'))).toEqual([0.1489565372467041, 0.049298543483018875, 0.2957639992237091]);
    expect(last(weight(m, 'bn4', 'bn4/moving_variance:0'))).toBe(0.19236764311790466);
    expect(sum(m)).toBeCloseTo(167.9541106855811, 8);
  });

  it('fml__keras_conv1d_small.h5: Conv1D kernels [k, in, out], 171 parameters', async () => {
    const m = await readKerasFile(keras('fml__keras_conv1d_small.h5'));
    expect(m.layers.map((l) => l.layer)).toEqual(['conv1_relu', 'conv2_relu', 'conv3_relu', 'fc1_relu', 'output_softmax']);
    expect(shapes(m).conv1_relu).toEqual(['conv1_relu/kernel:0 [4,4,3]', 'conv1_relu/bias:0 [3]']);
    expect(shapes(m).conv3_relu).toEqual(['conv3_relu/kernel:0 [4,2,1]', 'conv3_relu/bias:0 [1]']);
    expect(totalParams(m)).toBe(171);
    expect(first(weight(m, 'conv1_relu', 'conv1_relu/kernel:0'))).toEqual([-0.018937546759843826, -0.03739263489842415, 0.028013721108436584]);
    expect(last(weight(m, 'output_softmax', 'output_softmax/bias:0'))).toBe(0.14726248383522034);
    expect(sum(m)).toBeCloseTo(2.360269979282748, 8);
  });

  it('fml__keras_conv2d_model.h5: Sequential (Keras 2.3.1 config with "layers"), Conv2D kernel HWIO', async () => {
    const m = await readKerasFile(keras('fml__keras_conv2d_model.h5'));
    expect(m.config?.class_name).toBe('Sequential');
    expect((m.config?.config.layers as KerasLayerConfig[]).map((l) => l.class_name)).toEqual(['Conv2D', 'Dropout', 'Flatten', 'Dense']);
    expect(shapes(m)).toEqual({
      conv2d_1: ['conv2d_1/kernel:0 [3,3,1,2]', 'conv2d_1/bias:0 [2]'],
      dense_1: ['dense_1/kernel:0 [128,10]', 'dense_1/bias:0 [10]'],
    });
    expect(totalParams(m)).toBe(1310);
    expect(first(weight(m, 'conv2d_1', 'conv2d_1/kernel:0'))).toEqual([0.111861452460289, 0.48134955763816833, -0.23855623602867126]);
    expect(last(weight(m, 'dense_1', 'dense_1/bias:0'))).toBe(-0.019586173817515373);
    expect(sum(m)).toBeCloseTo(-14.004555171632092, 8);
  });

  it('mlperftiny__pretrainedResnet.h5: Functional ResNet-8, Keras 2.4.0, 17 layers with weights, 78666 parameters; training config and optimizer noted', async () => {
    const m = await readKerasFile(keras('mlperftiny__pretrainedResnet.h5'), 'pretrainedResnet.h5');
    expect(m.format).toBe('h5-full');
    expect(m.kerasVersion).toBe('2.4.0');
    expect(m.config?.class_name).toBe('Functional');
    expect((m.config?.config.layers as unknown[]).length).toBe(30);
    expect(m.layers.length).toBe(17);
    expect(m.layers.filter((l) => l.layer.startsWith('conv2d')).length).toBe(9);
    expect(m.layers.filter((l) => l.layer.startsWith('batch_normalization')).length).toBe(7);
    expect(shapes(m).conv2d).toEqual(['conv2d/kernel:0 [3,3,3,16]', 'conv2d/bias:0 [16]']);
    expect(shapes(m).conv2d_8).toEqual(['conv2d_8/kernel:0 [1,1,32,64]', 'conv2d_8/bias:0 [64]']);
    expect(shapes(m).dense).toEqual(['dense/kernel:0 [64,10]', 'dense/bias:0 [10]']);
    expect(totalParams(m)).toBe(78666);
    expect(first(weight(m, 'conv2d', 'conv2d/kernel:0'))).toEqual([0.1258375644683838, -0.03629519045352936, -0.30233070254325867]);
    expect(last(weight(m, 'dense', 'dense/bias:0'))).toBe(0.17929795384407043);
    expect(sum(m)).toBeCloseTo(42286.801465312004, 6);
    expect(m.notes).toContain('Training config present (optimizer Adam): not used.');
    expect(m.notes).toContain('Optimizer weights present: not read.');
    // optimizer slots (Adam/…/m:0) are not read as layers
    expect(m.layers.some((l) => l.weights.some((w) => w.name.includes('Adam')))).toBe(false);
    for (const l of m.layers) for (const w of l.weights) expect(w.dtype).toBe('float32');
  });

  it('hls4ml__mlp_streaming.keras: named .keras but HDF5 inside → read as h5-full (Keras 2.11, vlen string attributes)', async () => {
    const m = await readKerasFile(keras('hls4ml__mlp_streaming.keras'), 'keras_model.keras');
    expect(m.format).toBe('h5-full');
    expect(m.kerasVersion).toBe('2.11.0');
    expect(m.config?.class_name).toBe('Sequential');
    expect(shapes(m)).toEqual({ fc1: ['fc1/kernel:0 [8,4]', 'fc1/bias:0 [4]'], fc2: ['fc2/kernel:0 [4,2]', 'fc2/bias:0 [2]'] });
    expect(totalParams(m)).toBe(46);
    expect(first(weight(m, 'fc1', 'fc1/kernel:0'))).toEqual([0.6402071118354797, 0.5359378457069397, 0.5412859320640564]);
    expect(sum(m)).toBeCloseTo(0.7475496232509613, 8);
    expect(m.notes).toContain('Training config present (optimizer RMSprop): not used.');
    expect(m.notes).toContain('Optimizer weights present: not read.');
  });

  it('textgenrnn__textgenrnn_weights.hdf5: weights only (Keras 2.1.5), custom AttentionWeightedAverage weights kept by layer name', async () => {
    const m = await readKerasFile(keras('textgenrnn__textgenrnn_weights.hdf5'));
    expect(m.format).toBe('h5-weights');
    expect(m.config).toBeUndefined();
    expect(m.kerasVersion).toBe('2.1.5');
    expect(m.layers.map((l) => l.layer)).toEqual(['embedding', 'rnn_1', 'rnn_2', 'attention', 'output']);
    expect(shapes(m)).toEqual({
      embedding: ['embedding/embeddings:0 [465,100]'],
      rnn_1: ['rnn_1/kernel:0 [100,512]', 'rnn_1/recurrent_kernel:0 [128,512]', 'rnn_1/bias:0 [1024]'],
      rnn_2: ['rnn_2/kernel:0 [128,512]', 'rnn_2/recurrent_kernel:0 [128,512]', 'rnn_2/bias:0 [1024]'],
      attention: ['attention/attention_W:0 [356,1]'],
      output: ['output/kernel:0 [356,465]', 'output/bias:0 [465]'],
    });
    expect(totalParams(m)).toBe(462717);
    expect(first(weight(m, 'embedding', 'embedding/embeddings:0'))).toEqual([0.257595956325531, 0.014956620521843433, -0.3453368544578552]);
    expect(last(weight(m, 'output', 'output/bias:0'))).toBe(-0.3499918580055237);
    expect(sum(m)).toBeCloseTo(-11070.310553417774, 6);
    expect(m.notes.some((n) => n.startsWith('Weights only'))).toBe(true);
  });

  it('kotlindl toy ResNet: weights-only .h5 (2.2.4-tf) + its architecture JSON', async () => {
    const m = await readKerasFile(keras('kotlindl__toyresnet_weights.h5'));
    expect(m.format).toBe('h5-weights');
    expect(m.kerasVersion).toBe('2.2.4-tf');
    expect(m.layers.map((l) => l.layer)).toEqual(['conv2d_34', 'conv2d_35', 'conv2d_36', 'conv2d_37', 'conv2d_38', 'conv2d_39', 'conv2d_40', 'dense_6', 'dense_7']);
    expect(shapes(m).conv2d_34).toEqual(['conv2d_34/kernel:0 [3,3,1,32]', 'conv2d_34/bias:0 [32]']);
    expect(shapes(m).dense_7).toEqual(['dense_7/kernel:0 [256,10]', 'dense_7/bias:0 [10]']);
    expect(totalParams(m)).toBe(222666);
    expect(first(weight(m, 'conv2d_34', 'conv2d_34/kernel:0'))).toEqual([-0.01937899738550186, -0.4171660840511322, 0.14671136438846588]);
    expect(last(weight(m, 'dense_7', 'dense_7/bias:0'))).toBe(-0.032730162143707275);
    expect(sum(m)).toBeCloseTo(-1134.1026605956376, 6);

    const arch = readKerasArchitecture(readFileSync(fixture('keras', 'kotlindl__toyresnet_modelConfig.json'), 'utf8'));
    expect(arch.kerasVersion).toBe('2.2.4-tf');
    expect(arch.backend).toBe('tensorflow');
    expect(arch.config.class_name).toBe('Model');
    expect(arch.config.config.name).toBe('toy_resnet');
    const names = flattenKerasLayers(arch.config).map((x) => kerasLayerName(x.layer));
    expect(names.length).toBe(14);
    expect(names.slice(0, 4)).toEqual(['img', 'conv2d_34', 'conv2d_35', 'max_pooling2d_5']);
    // every weighted layer of the weights file exists in the architecture, in the same relative order
    expect(names.filter((n) => m.layers.some((l) => l.layer === n))).toEqual(m.layers.map((l) => l.layer));
    expect(findCustomClasses(arch.config)).toEqual([]);
  });

  it('fml KERAS_3layer: weights-only .h5 (Keras 2.0.0, fixed-length string attributes) + model.to_json() file', async () => {
    const m = await readKerasFile(keras('fml__KERAS_3layer_weights.h5'));
    expect(m.format).toBe('h5-weights');
    expect(m.kerasVersion).toBe('2.0.0');
    expect(m.layers.map((l) => l.layer)).toEqual(['fc1_relu', 'fc2_relu', 'fc3_relu', 'output_softmax']);
    expect(totalParams(m)).toBe(4389);
    // the same trained weights as fml__keras_3layer.h5
    expect(first(weight(m, 'fc1_relu', 'fc1_relu/kernel:0'))).toEqual([0.2731347382068634, -0.12113316357135773, 0.4952146112918854]);
    expect(sum(m)).toBeCloseTo(-27.76176963657963, 8);

    const config = readKerasArchitectureJson(readFileSync(fixture('keras', 'fml__KERAS_3layer.json'), 'utf8'));
    expect(config.class_name).toBe('Model');
    expect((config.config.layers as KerasLayerConfig[]).map((l) => [l.class_name, kerasLayerName(l)])).toEqual([
      ['InputLayer', 'input_1'], ['Dense', 'fc1_relu'], ['Dense', 'fc2_relu'], ['Dense', 'fc3_relu'], ['Dense', 'output_softmax'],
    ]);
    expect(readKerasArchitecture(readFileSync(fixture('keras', 'fml__KERAS_3layer.json'))).kerasVersion).toBe('2.0.0');
  });
});

describe('Keras 3 .keras zips', () => {
  it('fml__qkeras-v3_3layer.keras: reads (Keras 3.14.1); weights mapped from layers/q_dense_N/vars to fc1…output; QKeras classes listed', async () => {
    const m = await readKerasFile(keras('fml__qkeras-v3_3layer.keras'), 'qkeras-v3_3layer.keras');
    expect(m.format).toBe('keras-zip');
    expect(m.kerasVersion).toBe('3.14.1');
    expect(m.config?.class_name).toBe('Sequential');
    expect(shapes(m)).toEqual({
      fc1: ['vars/0 [16,64]', 'vars/1 [64]'],
      fc2: ['vars/0 [64,32]', 'vars/1 [32]'],
      fc3: ['vars/0 [32,32]', 'vars/1 [32]'],
      output: ['vars/0 [32,5]', 'vars/1 [5]'],
    });
    expect(totalParams(m)).toBe(4389);
    // h5py: layers/q_dense/vars/0 and layers/q_dense_3/vars/1
    expect(first(weight(m, 'fc1', 'vars/0'))).toEqual([-0.11841583251953125, -0.2000938504934311, 0.07096395641565323]);
    expect(first(weight(m, 'fc1', 'vars/1'))).toEqual([0.08651405572891235, -0.06096607446670532, 0.2307172566652298]);
    expect(last(weight(m, 'output', 'vars/1'))).toBe(0.06154660880565643);
    expect(sum(m)).toBeCloseTo(34.0946662529156, 8);
    expect(m.notes).toEqual([]);

    const custom = findCustomClasses(m.config!);
    expect(custom.map((c) => [c.className, c.path])).toEqual([
      ['QDense', 'model > fc1'], ['QActivation', 'model > relu1'],
      ['QDense', 'model > fc2'], ['QActivation', 'model > relu2'],
      ['QDense', 'model > fc3'], ['QActivation', 'model > relu3'],
      ['QDense', 'model > output'],
    ]);
    expect(custom[0]).toMatchObject({ kind: 'layer', module: 'qkeras.qlayers', registeredName: 'qkeras>QDense' });
  });

  it('keras_team_mlx_sequential_masking_lstm.keras: LSTM weights live in its cell (cell/vars/0..2)', async () => {
    const m = await readKerasFile(keras3('keras_team_mlx_sequential_masking_lstm.keras'));
    expect(m.format).toBe('keras-zip');
    expect(m.kerasVersion).toBe('3.8.0');
    expect(shapes(m)).toEqual({ lstm: ['cell/vars/0 [2,4]', 'cell/vars/1 [1,4]', 'cell/vars/2 [4]'] });
    expect(totalParams(m)).toBe(16);
    expect(first(weight(m, 'lstm', 'cell/vars/0'))).toEqual([-0.7764944434165955, -0.5701276063919067, 0.07034611701965332]);
    expect(first(weight(m, 'lstm', 'cell/vars/1'))).toEqual([0.6128348112106323, 0.6959054470062256, 0.3282237648963928]);
    expect(sum(m)).toBeCloseTo(0.6589958220720291, 8);
    expect(findCustomClasses(m.config!)).toEqual([]);
  });

  it('keras_team_pre_pr22362_nested_container_CUSTOM.keras: custom model class → read from the weights tree; findCustomClasses names it', async () => {
    const m = await readKerasFile(keras3('keras_team_pre_pr22362_nested_container_CUSTOM.keras'));
    expect(m.format).toBe('keras-zip');
    expect(m.kerasVersion).toBe('3.15.0');
    expect(m.config?.class_name).toBe('NestedDenseModel');
    // names from the vars groups' name attributes (d_0, d_1, d_2, dense)
    expect(shapes(m)).toEqual({ d_0: ['vars/0 [4,4]'], d_1: ['vars/0 [4,4]'], d_2: ['vars/0 [4,4]'], dense: ['vars/0 [4,2]', 'vars/1 [2]'] });
    expect(totalParams(m)).toBe(58);
    expect(first(weight(m, 'd_0', 'vars/0'))).toEqual([0.10000000149011612, 0.10000000149011612, 0.10000000149011612]);
    expect(first(weight(m, 'd_1', 'vars/0'), 1)).toEqual([0.20000000298023224]);
    expect(sum(m)).toBeCloseTo(13.600000262260437, 8);
    expect(m.notes.some((n) => n.includes("'NestedDenseModel' does not list its layers"))).toBe(true);
    expect(findCustomClasses(m.config!)).toEqual([
      { className: 'NestedDenseModel', path: 'model', kind: 'model', registeredName: 'legacy_nested_container>NestedDenseModel' },
    ]);
  });

  it('to_snake_case as Keras writes group names', () => {
    expect(['Dense', 'Conv2D', 'BatchNormalization', 'QDense', 'QActivation', 'LSTM', 'GRU', 'Conv2DTranspose', 'MultiHeadAttention', 'InputLayer', 'ReLU', 'PReLU', 'Functional', 'DepthwiseConv2D', 'Conv1DTranspose', 'GlobalAveragePooling2D', 'ZeroPadding2D', 'EinsumDense', 'UpSampling2D', 'LayerNormalization', 'TFOpLambda'].map(toSnakeCase)).toEqual(
      ['dense', 'conv2d', 'batch_normalization', 'q_dense', 'q_activation', 'lstm', 'gru', 'conv2d_transpose', 'multi_head_attention', 'input_layer', 're_lu', 'p_re_lu', 'functional', 'depthwise_conv2d', 'conv1d_transpose', 'global_average_pooling2d', 'zero_padding2d', 'einsum_dense', 'up_sampling2d', 'layer_normalization', 'tf_op_lambda'],
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Synthetic files (writeHdf5 + fflate), for layouts no fixture has.

const f32 = (n: number, fill: number) => new Float32Array(n).fill(fill);
const ds = (shape: number[], fill: number) => ({ data: f32(elementCount(shape), fill), shape });
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const layer = (class_name: string, name: string, extra: Record<string, unknown> = {}): KerasLayerConfig =>
  ({ module: 'keras.layers', class_name, config: { name, ...extra }, registered_name: null });

describe('Keras 3 naming rule on a synthetic .keras', () => {
  // Functional[Input, Dense a, Dense b, BatchNorm bn, Functional inner[Input, Dense inner_dense], Bidirectional(LSTM) bidi,
  // Dense head, Dense lonely]
  const config: KerasLayerConfig = {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'outer',
      layers: [
        layer('InputLayer', 'in'), layer('Dense', 'a'), layer('Dense', 'b'), layer('BatchNormalization', 'bn'),
        { module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional', config: { name: 'inner', layers: [layer('InputLayer', 'inner_in'), layer('Dense', 'inner_dense')] } },
        layer('Bidirectional', 'bidi', { layer: layer('LSTM', 'lstm_x') }),
        layer('Dense', 'head'),
        layer('Dense', 'lonely'), // no weights in the file
      ],
    },
  };
  const weightsSpec: Hdf5GroupSpec = {
    children: {
      vars: { attrs: { name: 'outer' } },
      'layers/dense/vars': { attrs: { name: 'a' }, children: { 0: ds([3, 4], 1), 1: ds([4], 2) } },
      'layers/dense_1/vars': { attrs: { name: 'b' }, children: { 0: ds([4, 4], 3), 1: ds([4], 4) } },
      'layers/batch_normalization/vars': { attrs: { name: 'bn' }, children: { 0: ds([4], 5), 1: ds([4], 6), 2: ds([4], 7), 3: ds([4], 8) } },
      'layers/functional/vars': { attrs: { name: 'inner' } },
      'layers/functional/layers/dense/vars': { attrs: { name: 'inner_dense' }, children: { 0: ds([4, 2], 9), 1: ds([2], 10) } },
      'layers/bidirectional/vars': { attrs: { name: 'bidi' } },
      'layers/bidirectional/forward_layer/cell/vars': { children: { 0: ds([2, 8], 11), 1: ds([2, 8], 12), 2: ds([8], 13) } },
      'layers/bidirectional/backward_layer/cell/vars': { children: { 0: ds([2, 8], 14), 1: ds([2, 8], 15), 2: ds([8], 16) } },
      // stored name differs from config.json: mapped by path anyway, with a note
      'layers/dense_2/vars': { attrs: { name: 'not_head' }, children: { 0: ds([4, 1], 17), 1: ds([1], 18) } },
      'layers/stray/vars': { children: { 0: ds([1], 99) } },
      'optimizer/vars': { children: { 0: ds([1], 0) } },
    },
  };

  it('maps layers/<snake>[_N] back to layer names, recursing into nested models and sub-layers', async () => {
    const h5 = await writeHdf5(weightsSpec);
    const zip = zipSync({ 'metadata.json': enc({ keras_version: '3.4.1', date_saved: '2024-07-01@10:00:00' }), 'config.json': enc(config), 'model.weights.h5': h5 }, { level: 0 });
    const m = await readKerasFile(zip, 'synthetic.keras');
    expect(m.format).toBe('keras-zip');
    expect(m.kerasVersion).toBe('3.4.1');
    expect(m.layers.map((l) => l.layer)).toEqual(['a', 'b', 'bn', 'inner_dense', 'bidi', 'head']);
    expect(shapes(m).bn).toEqual(['vars/0 [4]', 'vars/1 [4]', 'vars/2 [4]', 'vars/3 [4]']);
    // sub-saveables in sorted(dir()) order: backward_layer before forward_layer
    expect(m.layers.find((l) => l.layer === 'bidi')!.weights.map((w) => w.name)).toEqual([
      'backward_layer/cell/vars/0', 'backward_layer/cell/vars/1', 'backward_layer/cell/vars/2',
      'forward_layer/cell/vars/0', 'forward_layer/cell/vars/1', 'forward_layer/cell/vars/2',
    ]);
    // each tensor's fill value tells which dataset it came from
    const fills = Object.fromEntries(m.layers.map((l) => [l.layer, l.weights.map((w) => toFloat32(w)[0])]));
    expect(fills).toEqual({ a: [1, 2], b: [3, 4], bn: [5, 6, 7, 8], inner_dense: [9, 10], bidi: [14, 15, 16, 11, 12, 13], head: [17, 18] });
    expect(m.notes).toContain('Optimizer weights present: not read.');
    expect(m.notes.some((n) => n.includes('1 weight(s) in the file belong to no layer') && n.includes('layers/stray/vars/0'))).toBe(true);
    expect(m.notes.some((n) => n.includes("holds 'not_head', config says 'head'"))).toBe(true);
    expect(m.notes).toContain('Layers with no weights in the file: lonely (Dense, expected at layers/dense_3).');
  });

  it('a Keras 3 .weights.h5 (no config) reads as h5-weights with names from the file', async () => {
    const h5 = await writeHdf5(weightsSpec);
    const m = await readKerasFile(h5, 'model.weights.h5');
    expect(m.format).toBe('h5-weights');
    expect(m.config).toBeUndefined();
    expect(m.layers.map((l) => l.layer)).toEqual(['bn', 'bidi', 'a', 'b', 'not_head', 'inner_dense', 'stray']);
    expect(m.notes).toContain('Optimizer weights present: not read.');
  });

  it('a deflated .keras zip and a zip without model.weights.h5', async () => {
    const h5 = await writeHdf5(weightsSpec);
    const deflated = zipSync({ 'metadata.json': enc({ keras_version: '3.4.1' }), 'config.json': enc(config), 'model.weights.h5': h5 }, { level: 6 });
    expect(totalParams(await readKerasFile(deflated, 'deflated.keras'))).toBe(16 + 20 + 16 + 10 + 80 + 5);
    const noWeights = zipSync({ 'config.json': enc(config) });
    expect((await codeOf(() => readKerasFile(noWeights, 'x.keras'))).code).toBe('malformed');
    const npz = zipSync({ 'config.json': enc(config), 'model.weights.npz': new Uint8Array(4) });
    expect((await codeOf(() => readKerasFile(npz, 'x.keras'))).code).toBe('unsupported');
  });
});

describe('legacy HDF5 layouts built with writeHdf5', () => {
  it('a *_notop.h5-like weights file round-trips through writeHdf5 → readKerasFile', async () => {
    const kernel = new Float32Array(3 * 3 * 3 * 8).map((_, i) => i * 0.5 - 10);
    const bytes = await writeHdf5({
      attrs: { layer_names: ['input_1', 'block1_conv1', 'block1_bn', 'block1_pool'], backend: 'tensorflow', keras_version: '2.2.4' },
      children: {
        input_1: { attrs: { weight_names: [] } },
        block1_conv1: {
          attrs: { weight_names: ['block1_conv1/kernel:0', 'block1_conv1/bias:0'] },
          children: { 'block1_conv1/kernel:0': { data: kernel, shape: [3, 3, 3, 8] }, 'block1_conv1/bias:0': ds([8], 0.25) },
        },
        block1_bn: {
          attrs: { weight_names: ['block1_bn/gamma:0', 'block1_bn/beta:0', 'block1_bn/moving_mean:0', 'block1_bn/moving_variance:0'] },
          children: {
            'block1_bn/gamma:0': ds([8], 1), 'block1_bn/beta:0': ds([8], 0), 'block1_bn/moving_mean:0': ds([8], 0.5), 'block1_bn/moving_variance:0': ds([8], 2),
          },
        },
        block1_pool: { attrs: { weight_names: [] } },
      },
    });
    const m = await readKerasFile(bytes, 'vgg_like_notop.h5');
    expect(m.format).toBe('h5-weights');
    expect(m.kerasVersion).toBe('2.2.4');
    expect(m.backend).toBe('tensorflow');
    expect(shapes(m)).toEqual({
      block1_conv1: ['block1_conv1/kernel:0 [3,3,3,8]', 'block1_conv1/bias:0 [8]'],
      block1_bn: ['block1_bn/gamma:0 [8]', 'block1_bn/beta:0 [8]', 'block1_bn/moving_mean:0 [8]', 'block1_bn/moving_variance:0 [8]'],
    });
    expect(Array.from(toFloat32(weight(m, 'block1_conv1', 'block1_conv1/kernel:0')))).toEqual(Array.from(kernel));
    expect(first(weight(m, 'block1_bn', 'block1_bn/moving_variance:0'), 2)).toEqual([2, 2]);
  });

  it('chunked layer_names0/1 and weight_names0/1 attributes are concatenated', async () => {
    const bytes = await writeHdf5({
      attrs: { layer_names0: ['l0', 'l1'], layer_names1: ['l2'], keras_version: '2.15.0', backend: 'tensorflow' },
      children: {
        l0: { attrs: { weight_names0: ['l0/w0:0'], weight_names1: ['l0/w1:0', 'l0/w2:0'] }, children: { 'l0/w0:0': ds([1], 0), 'l0/w1:0': ds([2], 1), 'l0/w2:0': ds([3], 2) } },
        l1: { attrs: { weight_names: [] } },
        l2: { attrs: { weight_names: ['l2/k:0'] }, children: { 'l2/k:0': ds([2, 2], 3) } },
      },
    });
    const m = await readKerasFile(bytes);
    expect(shapes(m)).toEqual({ l0: ['l0/w0:0 [1]', 'l0/w1:0 [2]', 'l0/w2:0 [3]'], l2: ['l2/k:0 [2,2]'] });
  });

  it('Keras 3 legacy h5 (names without :0) under model_weights, and a nested model split into its layers', async () => {
    const inner: KerasLayerConfig = { class_name: 'Functional', config: { name: 'encoder', layers: [layer('InputLayer', 'enc_in'), layer('Dense', 'enc_dense'), layer('BatchNormalization', 'enc_bn')] } };
    const config: KerasLayerConfig = { class_name: 'Functional', config: { name: 'model', layers: [layer('InputLayer', 'input'), inner, layer('Dense', 'head')] } };
    const bytes = await writeHdf5({
      attrs: { keras_version: '3.3.3', backend: 'tensorflow', model_config: JSON.stringify(config) },
      children: {
        model_weights: {
          attrs: { layer_names: ['input', 'encoder', 'head'], keras_version: '3.3.3', backend: 'tensorflow' },
          children: {
            input: { attrs: { weight_names: [] } },
            encoder: {
              // Keras 2 order for a nested model: all trainable weights, then all non-trainable ones
              attrs: { weight_names: ['enc_dense/kernel', 'enc_dense/bias', 'enc_bn/gamma', 'enc_bn/beta', 'enc_bn/moving_mean', 'enc_bn/moving_variance'] },
              children: {
                'enc_dense/kernel': ds([4, 3], 1), 'enc_dense/bias': ds([3], 2), 'enc_bn/gamma': ds([3], 3), 'enc_bn/beta': ds([3], 4),
                'enc_bn/moving_mean': ds([3], 5), 'enc_bn/moving_variance': ds([3], 6),
              },
            },
            head: { attrs: { weight_names: ['head/kernel', 'head/bias'] }, children: { 'head/kernel': ds([3, 1], 7), 'head/bias': ds([1], 8) } },
          },
        },
      },
    });
    const m = await readKerasFile(bytes, 'k3_legacy.h5');
    expect(m.format).toBe('h5-full');
    expect(m.kerasVersion).toBe('3.3.3');
    expect(shapes(m)).toEqual({
      enc_dense: ['enc_dense/kernel [4,3]', 'enc_dense/bias [3]'],
      enc_bn: ['enc_bn/gamma [3]', 'enc_bn/beta [3]', 'enc_bn/moving_mean [3]', 'enc_bn/moving_variance [3]'],
      head: ['head/kernel [3,1]', 'head/bias [1]'],
    });
    expect(m.layers.map((l) => l.weights.map((w) => toFloat32(w)[0]))).toEqual([[1, 2], [3, 4, 5, 6], [7, 8]]);
  });

  it('old Sequential configs (a bare list of layers) and Python NaN/Infinity in model_config', async () => {
    const text = '{"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "d", "units": 2, "max_value": Infinity, "x": NaN, "s": "NaN Infinity"}}]}';
    const bytes = await writeHdf5({
      attrs: { keras_version: '2.1.2', backend: 'tensorflow', model_config: text },
      children: { model_weights: { attrs: { layer_names: ['d'] }, children: { d: { attrs: { weight_names: ['d/kernel:0'] }, children: { 'd/kernel:0': ds([2, 2], 1) } } } } },
    });
    const m = await readKerasFile(bytes);
    expect(m.config?.config.name).toBe('sequential');
    const d = (m.config?.config.layers as KerasLayerConfig[])[0];
    expect(d.config.max_value).toBe(Infinity);
    expect(d.config.x).toBeNull();
    expect(d.config.s).toBe('NaN Infinity');
    expect(m.notes.some((n) => n.includes('bare list of layers'))).toBe(true);
    expect(m.notes.some((n) => n.includes('NaN/Infinity'))).toBe(true);
  });
});

describe('dtypes', () => {
  // Made with h5py 3.7 (python3-h5py): a weights-only file whose layer 'mixed' has a float16 [2,2], a Keras 3 style
  // bfloat16 (2-byte opaque elements tagged attrs dtype='bfloat16') [1, -3.5, 0.15625], a BIG-endian float32
  // [1, -2.5, 3.25], float64 [0.1, 1e300], int64 [-2^40, 7], bool [T, F, T], a gzip-compressed uint8 [[0,1],[2,3]] and
  // complex64 [1+2j, -3.5-0.5j] (h5py's compound {r, i}); zlib-compressed, base64.
  const DTYPES_H5 = [
    'eNrtWc9PE0EUfrOFsikFSsACEqX8MOEitoiIxNASKWJChIgm9SJt6QINUEhboMREOZl6M57UeCCePHvSk8STZ/8Eo3cvJt5wdufN/ijttqiERu',
    'br4WVm3s7uvPnmm5nXp1MTkw2usy5QIctQAx4w4wBxP2At8/YoWoI2j/atxOudWls71nuwf5+DlZex/u6dcFj1PigAf88PL7MyCJxGTIXHZ1Ub',
    '0XnE8Fmy+q0lc0rCxMepv3wv52u+BXmN9W7smUAjtFJWrijpWGZ+S0lnkuspWt9B2Dd69G+RLevEqfbpMNbOzRsz08Q0MLOfisGBwJUBPwAfrg',
    'ttVkll1tOLq+vbrIxd6uskTpti2cAwH89ek+CSgICAgICAgICAgICAgMBJoZnnGbDM82duCGE+QNbyDPHYwoqSSpTNL7hM+QXJ0o+berbDamxH',
    'Sc+nYmtKRqtvoQ/Wqu2EWPrh1sirOIrm80awYh/ry+Xz3nda8xQCpwul8nkvvFa/f53Pm7s9M0G01cTgb7XyPILlnFfMUSV6VRgvN+xhPBs0nd',
    'lWkkvLWUNoVJ1pMOkMnwfZPN+XFgPDo35eiLMStlwejCujfiwMDxluSXNhcTW2pD+zOaI2YGGBuRHtZ+gYH4+vg5VDnZXpmOc8syOCEkLHTPoU',
    '7bT6IaMByQzIY0AKA7IXkLiAnAWkq65PnhI69qvdqmOFPBYoDkJPPcQUOAL9zEpEPzvZWQdVENWz2deEdR5w1YKL/81SS2dIbZck1qGMiuMgka',
    '7iJ6DcicaD8UrWeRbtsvcPob3mt/fTR3nO3o/r8ZbP3o83P++29+Of9aXX3q8f7bseez+u89/7ygRyjB6Fhw4e8v+/DX6xEfL9z6HziFvGlzPI',
    'sdL82cAQOC2vNc75Tu2+kMjubCig/h9JbO8Lsum+wMzssfBrNxjd940dXnXlooKrrLsLanD+22Roe1x2lT3p5nGxIl9VKhTcpTcnOp+h2WKKZI',
    '1NaQUK4pyGYKiecs9RLjZveqx7SnXG5tVLFR+Crzchf/3b1UdHj49Hc/XIoMfHPi6feovH5Vn1bmP0RFpXckcrt7b62UlYAj1OXCEmx6fnwtop',
    '+F6Yy0XpuH3ts/ZcHTsaPSUdFuGjbvJIoQLx1EPBciJQT2WJaKEGPWmjHtISCj3WZRWULlPIJMfPC8arJOMLI8caEvVSQ4pcatxlnrtYsMkXxo',
    'mI86SAgICAgICAwH+F3IOFaCLuBGiEuqNfw3Y1V6/ETs/pCt/Z7Dt85U9iW80fPFv6+nIrUPza56s4tcHultF9aj/+BkHZ/Ks=',
  ].join('');

  it('reads every element type to little-endian bytes', async () => {
    const bytes = new Uint8Array(inflateSync(Buffer.from(DTYPES_H5, 'base64')));
    const m = await readKerasFile(bytes, 'dtypes.h5');
    const ws = m.layers[0].weights;
    expect(ws.map((w) => [w.name, w.dtype, w.shape])).toEqual([
      ['mixed/f16:0', 'float16', [2, 2]], ['mixed/bf16:0', 'bfloat16', [3]], ['mixed/f32be:0', 'float32', [3]],
      ['mixed/f64:0', 'float64', [2]], ['mixed/i64:0', 'int64', [2]], ['mixed/flag:0', 'bool', [3]], ['mixed/u8:0', 'uint8', [2, 2]],
      ['mixed/c64:0', 'complex64', [2]],
    ]);
    expect(Array.from(toFloat32(ws[0]))).toEqual([1.5, -2, 0.25, 65504]);
    expect(Array.from(toFloat32(ws[1]))).toEqual([1, -3.5, 0.15625]);
    expect(Array.from(toFloat32(ws[2]))).toEqual([1, -2.5, 3.25]);
    expect(new Float64Array(ws[3].bytes.slice().buffer)[1]).toBe(1e300);
    expect(Array.from(new BigInt64Array(ws[4].bytes.slice().buffer))).toEqual([-(2n ** 40n), 7n]);
    expect(Array.from(ws[5].bytes)).toEqual([1, 0, 1]);
    expect(Array.from(ws[6].bytes)).toEqual([0, 1, 2, 3]);
    expect(Array.from(new Float32Array(ws[7].bytes.slice().buffer))).toEqual([1, 2, -3.5, -0.5]);
  });
});

describe('architecture JSON', () => {
  it('a TensorFlow.js layers model.json gives its Keras topology; a graph model is refused', () => {
    const arch = readKerasArchitecture(readFileSync(fixture('tensorflow', 'tfjs', 'tfjs_e2e_layers_model_embedding_gru', 'model.json'), 'utf8'));
    expect(arch.config.class_name).toBe('Sequential');
    expect((arch.config.config.layers as KerasLayerConfig[]).map((l) => l.class_name)).toEqual(['Embedding', 'GRU']);
    expect(() => readKerasArchitecture(readFileSync(fixture('tensorflow', 'tfjs', 'tfjs_rn_graph_model', 'model.json'), 'utf8'))).toThrowError(/graph model/);
  });

  it('refuses text that is not a Keras model', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as OmnihubError).code;
      }
      return 'no error';
    };
    expect(code(() => readKerasArchitectureJson('{"class_name": "Dense", "config": '))).toBe('malformed');
    expect(code(() => readKerasArchitectureJson('{"hello": 1}'))).toBe('wrong-format');
    expect(code(() => readKerasArchitectureJson(''))).toBe('empty-file');
    expect(code(() => readKerasArchitectureJson('{"class_name": "Model", "config": {"layers": [{"config": {}}]}}'))).toBe('malformed');
  });
});

describe('findCustomClasses', () => {
  it('finds custom layers at any depth (nested models, wrapped layers, RNN cells) and custom activations', () => {
    const config: KerasLayerConfig = {
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: [
          layer('InputLayer', 'in'),
          layer('Dense', 'd1', { activation: 'relu' }),
          layer('Dense', 'd2', { activation: 'my_swish' }),
          { class_name: 'Functional', config: { name: 'enc', layers: [{ class_name: 'AttentionWeightedAverage', config: { name: 'att' } }] } },
          layer('Bidirectional', 'bi', { layer: layer('RNN', 'rnn', { cell: { module: 'my_pkg.cells', class_name: 'MinimalRNNCell', config: { name: 'cell' }, registered_name: 'my_pkg>MinimalRNNCell' } }) }),
          { module: 'keras_hub.src.layers', class_name: 'Dense', config: { name: 'hub_dense' }, registered_name: null },
          layer('Dense', 'd3', { activation: { module: 'keras.activations', class_name: 'function', config: 'gelu', registered_name: 'function' } }),
        ],
      },
    };
    expect(findCustomClasses(config).map((c) => [c.className, c.path, c.kind])).toEqual([
      ['my_swish', 'model > d2 (activation)', 'activation'],
      ['AttentionWeightedAverage', 'model > enc > att', 'layer'],
      ['MinimalRNNCell', 'model > bi > rnn > cell', 'layer'],
      ['Dense', 'model > hub_dense', 'layer'],
    ]);
  });

  it('finds nothing in the built-in fixtures', async () => {
    for (const name of ['fml__keras_3layer.h5', 'fml__keras_3layer_batch_norm.h5', 'fml__keras_conv1d_small.h5', 'fml__keras_conv2d_model.h5', 'mlperftiny__pretrainedResnet.h5', 'hls4ml__mlp_streaming.keras']) {
      const m = await readKerasFile(keras(name), name);
      expect(findCustomClasses(m.config!), name).toEqual([]);
    }
  });
});

describe('hostile input', () => {
  it('empty, random, other formats', async () => {
    expect((await codeOf(() => readKerasFile(new Uint8Array(0), 'empty.h5'))).code).toBe('empty-file');
    const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    expect((await codeOf(() => readKerasFile(random, 'random.h5'))).code).toBe('wrong-format');
    const tflite = await codeOf(() => readKerasFile(load('tflite', 'mlperftiny__pretrainedResnet.tflite'), 'x.h5'));
    expect(tflite.code).toBe('wrong-format');
    expect(tflite.message).toMatch(/TensorFlow Lite/);
    const torch = await codeOf(() => readKerasFile(load('pytorch', 'burn__mnist.pt'), 'mnist.keras'));
    expect(torch.code).toBe('wrong-format');
    expect(torch.message).toMatch(/PyTorch checkpoint/);
    const json = await codeOf(() => readKerasFile(keras('fml__KERAS_3layer.json'), 'KERAS_3layer.json'));
    expect(json.code).toBe('wrong-format');
    expect(json.message).toMatch(/architecture \(JSON\) without weights/);
    const notKeras = await codeOf(async () => readKerasFile(await writeHdf5({ children: { x: ds([2], 1) } }), 'plain.h5'));
    expect(notKeras.code).toBe('wrong-format');
    expect(notKeras.message).toMatch(/HDF5 file, but not a Keras/);
  });

  it('a truncated HDF5 is refused as truncated, a damaged one as malformed, naming the file', async () => {
    const full = keras('mlperftiny__pretrainedResnet.h5');
    for (const cut of [100, 4096, full.length >> 1, full.length - 1]) {
      const r = await codeOf(() => readKerasFile(full.subarray(0, cut), 'resnet.h5'));
      expect(r.code, `cut at ${cut}`).toBe('truncated');
      expect(r.message).toContain('resnet.h5');
    }
    const headerOnly = await codeOf(() => readKerasFile(full.subarray(0, 10), 'tiny.h5'));
    expect(headerOnly.code).toBe('truncated');
    // metadata (object headers, B-trees, heaps near the start) overwritten, length kept
    const damaged = full.slice();
    damaged.fill(0xa5, 96, 4096);
    const r = await codeOf(() => readKerasFile(damaged, 'damaged.h5'));
    expect(['malformed', 'truncated']).toContain(r.code);
    expect(r.message).toContain('damaged.h5');
    // random bytes after a valid superblock
    const garbage = full.slice(0, 20000);
    const view = new DataView(garbage.buffer);
    view.setUint32(40, 20000, true); // end-of-file address (superblock v0, 8-byte offsets at 24+16)
    view.setUint32(44, 0, true);
    garbage.fill(0x3c, 96);
    expect(['malformed', 'truncated']).toContain((await codeOf(() => readKerasFile(garbage, 'garbage.h5'))).code);
    expect(await hdf5ScratchFiles()).toEqual([]);
  });

  it('a damaged length in a 37 KB file cannot make HDF5 take 1.5 GB of heap (found by test/unit/fuzz-converters)', async () => {
    // Three bytes of fml__keras_3layer.h5 overwritten (a fuzzer's mutant): HDF5 then declares a 1.48 GB metadata
    // block and allocates it before checking it against the file. The heap never shrinks, so without the limit the
    // worker kept 1.5 GB (of wasm32's 2 GB) and could no longer read a real model.
    const damaged = keras('fml__keras_3layer.h5').slice();
    damaged[131] = 88;
    damaged[277] = 174;
    damaged[490] = 198;
    const heap = await hdf5HeapBytes();
    const r = await codeOf(() => readKerasFile(damaged, 'damaged.h5'));
    expect(['malformed', 'truncated']).toContain(r.code);
    expect(await hdf5HeapBytes()).toBeLessThanOrEqual(heap + 64 * 2 ** 20 + 2 * damaged.length);
    // and the runtime still reads real files
    expect((await readKerasFile(keras('fml__keras_3layer.h5'), 'fml__keras_3layer.h5')).layers.length).toBeGreaterThan(0);
  });

  it('a gzip-compressed dataset is read; one that declares far more than its file could hold compressed is refused', async () => {
    const values = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i));
    const ok = await writeHdf5({ children: { w: { data: values, shape: [64, 64], gzip: { chunks: [16, 64], level: 6 } } } });
    const read = await withHdf5(ok, 'gzip.h5', (f) => f.readDataset('w'));
    expect([...new Float32Array(read.bytes.buffer, read.bytes.byteOffset, 4096)]).toEqual([...values]);
    // 32 MiB of zeros in ~40 KB: past 16 MiB + 100× the file, HDF5 would inflate it all into its heap.
    const bomb = await writeHdf5({ children: { w: { data: new Float32Array(8 * 2 ** 20), shape: [2048, 4096], gzip: { chunks: [256, 4096], level: 9 } } } });
    expect(bomb.length).toBeLessThan(200_000);
    const heap = await hdf5HeapBytes();
    const r = await codeOf(() => withHdf5(bomb, 'bomb.h5', (f) => f.readDataset('w')));
    expect(r.code).toBe('too-large');
    expect(r.message).toMatch(/decompression bomb/);
    expect(await hdf5HeapBytes()).toBe(heap);
  });

  it('model_config that is not JSON, a listed layer without its group, a listed weight without its dataset', async () => {
    const badJson = await writeHdf5({ attrs: { model_config: '{"class_name": "Model", "config": {', keras_version: '2.4.0' }, children: { model_weights: { attrs: { layer_names: [] } } } });
    const r1 = await codeOf(() => readKerasFile(badJson, 'bad_config.h5'));
    expect(r1.code).toBe('malformed');
    expect(r1.message).toMatch(/bad_config\.h5: model_config is not valid JSON/);

    const noGroup = await writeHdf5({ attrs: { layer_names: ['dense', 'ghost'] }, children: { dense: { attrs: { weight_names: [] } } } });
    const r2 = await codeOf(() => readKerasFile(noGroup, 'ghost.h5'));
    expect(r2.code).toBe('malformed');
    expect(r2.message).toMatch(/layer 'ghost' is listed in layer_names, but the file has no group/);

    const noDataset = await writeHdf5({ attrs: { layer_names: ['dense'] }, children: { dense: { attrs: { weight_names: ['dense/kernel:0'] } } } });
    const r3 = await codeOf(() => readKerasFile(noDataset, 'nodata.h5'));
    expect(r3.code).toBe('malformed');
    expect(r3.message).toMatch(/weight 'dense\/kernel:0' of layer 'dense'/);
    expect(await hdf5ScratchFiles()).toEqual([]);
  });

  it('opening 20 files in a row leaves no in-memory file and does not grow the wasm heap', async () => {
    const bytes = keras('mlperftiny__pretrainedResnet.h5');
    await readKerasFile(bytes);
    await readKerasFile(keras('fml__qkeras-v3_3layer.keras'));
    const heap = await hdf5HeapBytes();
    for (let i = 0; i < 20; i++) {
      await readKerasFile(i % 2 ? bytes : keras('fml__qkeras-v3_3layer.keras'));
      await codeOf(() => readKerasFile(bytes.subarray(0, 5000)));
    }
    expect(await hdf5ScratchFiles()).toEqual([]);
    expect(await hdf5HeapBytes()).toBe(heap);
  });

  it('openHdf5 handles close twice and refuses use after close', async () => {
    const f = await openHdf5(keras('fml__keras_3layer.h5'), 'a.h5');
    expect(f.kind('/model_weights')).toBe('group');
    expect(f.kind('/model_weights/fc1_relu/fc1_relu/kernel:0')).toBe('dataset');
    expect(f.kind('/model_weights/fc1_relu/fc1_relu/kernel:0/below')).toBe('missing');
    expect(f.kind('/nope/deeper')).toBe('missing');
    expect(await hdf5ScratchFiles()).toHaveLength(1);
    f.close();
    f.close();
    expect(await hdf5ScratchFiles()).toEqual([]);
    expect(() => f.children('/')).toThrowError(/already closed/);
  });
});

describe('views into bigger buffers', () => {
  it('reads an HDF5 file and a .keras zip from a Uint8Array with byteOffset ≠ 0', async () => {
    for (const [name, bytes] of [['mlperftiny__pretrainedResnet.h5', keras('mlperftiny__pretrainedResnet.h5')], ['fml__qkeras-v3_3layer.keras', keras('fml__qkeras-v3_3layer.keras')]] as const) {
      const big = new Uint8Array(bytes.length + 1000).fill(0xee);
      big.set(bytes, 13);
      const view = big.subarray(13, 13 + bytes.length);
      expect(view.byteOffset).toBe(13);
      const a = await readKerasFile(view, name);
      const b = await readKerasFile(bytes, name);
      expect(a.format).toBe(b.format);
      expect(shapes(a)).toEqual(shapes(b));
      expect(sum(a)).toBe(sum(b));
      // the caller's bytes are untouched
      expect(big[12]).toBe(0xee);
      expect(big[13 + bytes.length]).toBe(0xee);
      expect(Buffer.compare(view, bytes)).toBe(0);
    }
  });
});
