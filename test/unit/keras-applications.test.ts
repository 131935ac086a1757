// Keras Applications architectures written in TypeScript as Keras 2 model configs: parameter counts equal Keras's
// documented ones, layer counts and InceptionV3's full layer order equal what Keras prints, every config is
// well-formed with its weight-bearing layers in save_weights order, every weights file of the Keras catalog maps to
// an architecture (or to none, for the ones not built), and weights-only HDF5 files laid out like the real *_notop.h5
// files (MobileNetV2, ResNet50, InceptionV3, VGG16, EfficientNetB0) convert with these architectures through the
// Keras → ONNX converter and run in onnxruntime; a file with one wrong shape fails naming that layer.
import { describe, expect, it } from 'vitest';
import {
  KERAS_APPLICATIONS,
  kerasApplicationBuilder,
  kerasApplicationConfig,
  kerasApplicationForWeightsFile,
  kerasApplicationOutputShape,
  kerasApplicationParameterCount,
  kerasApplicationPreprocessing,
  kerasApplicationWeights,
  type KerasApplicationOptions,
} from '../../src/core/convert/keras-applications/index.js';
import { KERAS_CATALOG } from '../../src/core/sources/keras/catalog.js';
import { OmnihubError } from '../../src/core/errors.js';
import type { KerasLayerConfig } from '../../src/core/formats/keras/types.js';
import { convertKerasModel } from '../../src/core/convert/keras/index.js';
import { readKerasFile } from '../../src/core/formats/keras/index.js';
import { writeHdf5 } from '../../src/core/formats/hdf5/h5.js';
import { encodeModel } from '../../src/core/onnx/codec.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { ort } from '../support/ort.js';

type LayerCfg = { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown[] };
const layersOf = (c: KerasLayerConfig): LayerCfg[] => (c.config as { layers: LayerCfg[] }).layers;
const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------------------------
// Documented parameter counts.
//
// With top: the "Parameters" column of the Keras Applications table, keras-team/keras-io
// templates/api/applications/index.md @ 01b6d6c4c4ef2c7975be4c42ac148db57352d978 (the keras.io/api/applications page
// before it switched to rounded "138.4M" figures).
//
// Without top: Keras's own model.summary() "Total params" as printed in public notebooks found with the code search
// (VGG16 14,714,688; ResNet50 23,587,712; MobileNet(224) 3,228,864; MobileNetV2(224) 2,257,984; InceptionV3
// 21,802,784; DenseNet121 7,037,504; EfficientNetB0 4,049,571 — e.g. TF's transfer-learning tutorial prints
// 2,257,984 for MobileNetV2). For the others the no-top figure is the documented total minus the classifier that the
// Keras source adds (Dense in·classes + classes; MobileNet: 1×1 conv_preds), i.e. derived, not separately documented.
const DOCUMENTED: Record<string, { top: number; notop?: number; head: number }> = {
  vgg16: { top: 138_357_544, notop: 14_714_688, head: 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000 },
  vgg19: { top: 143_667_240, head: 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000 },
  resnet50: { top: 25_636_712, notop: 23_587_712, head: 2048 * 1000 + 1000 },
  resnet101: { top: 44_707_176, head: 2048 * 1000 + 1000 },
  resnet152: { top: 60_419_944, head: 2048 * 1000 + 1000 },
  resnet50_v2: { top: 25_613_800, head: 2048 * 1000 + 1000 },
  resnet101_v2: { top: 44_675_560, head: 2048 * 1000 + 1000 },
  resnet152_v2: { top: 60_380_648, head: 2048 * 1000 + 1000 },
  inception_v3: { top: 23_851_784, notop: 21_802_784, head: 2048 * 1000 + 1000 },
  mobilenet: { top: 4_253_864, notop: 3_228_864, head: 1024 * 1000 + 1000 },
  mobilenet_v2: { top: 3_538_984, notop: 2_257_984, head: 1280 * 1000 + 1000 },
  densenet121: { top: 8_062_504, notop: 7_037_504, head: 1024 * 1000 + 1000 },
  densenet169: { top: 14_307_880, head: 1664 * 1000 + 1000 },
  densenet201: { top: 20_242_984, head: 1920 * 1000 + 1000 },
  efficientnet_b0: { top: 5_330_571, notop: 4_049_571, head: 1280 * 1000 + 1000 },
  efficientnet_b1: { top: 7_856_239, head: 1280 * 1000 + 1000 },
  efficientnet_b2: { top: 9_177_569, head: 1408 * 1000 + 1000 },
  efficientnet_b3: { top: 12_320_535, head: 1536 * 1000 + 1000 },
  efficientnet_b4: { top: 19_466_823, head: 1792 * 1000 + 1000 },
  efficientnet_b5: { top: 30_562_527, head: 2048 * 1000 + 1000 },
  efficientnet_b6: { top: 43_265_143, head: 2304 * 1000 + 1000 },
  efficientnet_b7: { top: 66_658_687, head: 2560 * 1000 + 1000 },
  xception: { top: 22_910_480, head: 2048 * 1000 + 1000 },
};

// InceptionV3(include_top=False) model.layers as Keras 2.0 prints them (`for i, layer in enumerate(base_model.layers):
// print(i, layer.name)`, the keras.io fine-tuning example), quoted in a public Kaggle script found with the code
// search (311 layers, 0 input_1 … 310 mixed10). Keras 2.0 counted auto names from 1 ('conv2d_1'); tf.keras counts
// from 0 ('conv2d'), so the builder's names are these with every auto-name number lowered by one.
const INCEPTION_V3_KERAS20_LAYERS = `input_1 conv2d_1 batch_normalization_1 activation_1 conv2d_2 batch_normalization_2 activation_2 conv2d_3
batch_normalization_3 activation_3 max_pooling2d_1 conv2d_4 batch_normalization_4 activation_4 conv2d_5 batch_normalization_5
activation_5 max_pooling2d_2 conv2d_9 batch_normalization_9 activation_9 conv2d_7 conv2d_10 batch_normalization_7
batch_normalization_10 activation_7 activation_10 average_pooling2d_1 conv2d_6 conv2d_8 conv2d_11 conv2d_12 batch_normalization_6
batch_normalization_8 batch_normalization_11 batch_normalization_12 activation_6 activation_8 activation_11 activation_12 mixed0
conv2d_16 batch_normalization_16 activation_16 conv2d_14 conv2d_17 batch_normalization_14 batch_normalization_17 activation_14
activation_17 average_pooling2d_2 conv2d_13 conv2d_15 conv2d_18 conv2d_19 batch_normalization_13 batch_normalization_15
batch_normalization_18 batch_normalization_19 activation_13 activation_15 activation_18 activation_19 mixed1 conv2d_23
batch_normalization_23 activation_23 conv2d_21 conv2d_24 batch_normalization_21 batch_normalization_24 activation_21 activation_24
average_pooling2d_3 conv2d_20 conv2d_22 conv2d_25 conv2d_26 batch_normalization_20 batch_normalization_22 batch_normalization_25
batch_normalization_26 activation_20 activation_22 activation_25 activation_26 mixed2 conv2d_28 batch_normalization_28
activation_28 conv2d_29 batch_normalization_29 activation_29 conv2d_27 conv2d_30 batch_normalization_27 batch_normalization_30
activation_27 activation_30 max_pooling2d_3 mixed3 conv2d_35 batch_normalization_35 activation_35 conv2d_36 batch_normalization_36
activation_36 conv2d_32 conv2d_37 batch_normalization_32 batch_normalization_37 activation_32 activation_37 conv2d_33 conv2d_38
batch_normalization_33 batch_normalization_38 activation_33 activation_38 average_pooling2d_4 conv2d_31 conv2d_34 conv2d_39
conv2d_40 batch_normalization_31 batch_normalization_34 batch_normalization_39 batch_normalization_40 activation_31 activation_34
activation_39 activation_40 mixed4 conv2d_45 batch_normalization_45 activation_45 conv2d_46 batch_normalization_46 activation_46
conv2d_42 conv2d_47 batch_normalization_42 batch_normalization_47 activation_42 activation_47 conv2d_43 conv2d_48
batch_normalization_43 batch_normalization_48 activation_43 activation_48 average_pooling2d_5 conv2d_41 conv2d_44 conv2d_49
conv2d_50 batch_normalization_41 batch_normalization_44 batch_normalization_49 batch_normalization_50 activation_41 activation_44
activation_49 activation_50 mixed5 conv2d_55 batch_normalization_55 activation_55 conv2d_56 batch_normalization_56 activation_56
conv2d_52 conv2d_57 batch_normalization_52 batch_normalization_57 activation_52 activation_57 conv2d_53 conv2d_58
batch_normalization_53 batch_normalization_58 activation_53 activation_58 average_pooling2d_6 conv2d_51 conv2d_54 conv2d_59
conv2d_60 batch_normalization_51 batch_normalization_54 batch_normalization_59 batch_normalization_60 activation_51 activation_54
activation_59 activation_60 mixed6 conv2d_65 batch_normalization_65 activation_65 conv2d_66 batch_normalization_66 activation_66
conv2d_62 conv2d_67 batch_normalization_62 batch_normalization_67 activation_62 activation_67 conv2d_63 conv2d_68
batch_normalization_63 batch_normalization_68 activation_63 activation_68 average_pooling2d_7 conv2d_61 conv2d_64 conv2d_69
conv2d_70 batch_normalization_61 batch_normalization_64 batch_normalization_69 batch_normalization_70 activation_61 activation_64
activation_69 activation_70 mixed7 conv2d_73 batch_normalization_73 activation_73 conv2d_74 batch_normalization_74 activation_74
conv2d_71 conv2d_75 batch_normalization_71 batch_normalization_75 activation_71 activation_75 conv2d_72 conv2d_76
batch_normalization_72 batch_normalization_76 activation_72 activation_76 max_pooling2d_4 mixed8 conv2d_81 batch_normalization_81
activation_81 conv2d_78 conv2d_82 batch_normalization_78 batch_normalization_82 activation_78 activation_82 conv2d_79 conv2d_80
conv2d_83 conv2d_84 average_pooling2d_8 conv2d_77 batch_normalization_79 batch_normalization_80 batch_normalization_83
batch_normalization_84 conv2d_85 batch_normalization_77 activation_79 activation_80 activation_83 activation_84
batch_normalization_85 activation_77 mixed9_0 concatenate_1 activation_85 mixed9 conv2d_90 batch_normalization_90 activation_90
conv2d_87 conv2d_91 batch_normalization_87 batch_normalization_91 activation_87 activation_91 conv2d_88 conv2d_89 conv2d_92
conv2d_93 average_pooling2d_9 conv2d_86 batch_normalization_88 batch_normalization_89 batch_normalization_92
batch_normalization_93 conv2d_94 batch_normalization_86 activation_88 activation_89 activation_92 activation_93
batch_normalization_94 activation_86 mixed9_1 concatenate_2 activation_94 mixed10`.split(/\s+/);

/** Keras 2.0 one-based auto name → tf.keras zero-based ('conv2d_1' → 'conv2d', 'conv2d_7' → 'conv2d_6'). */
function zeroBased(name: string): string {
  const m = /^(conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|concatenate)_(\d+)$/.exec(name);
  if (!m) return name;
  const n = Number(m[2]) - 1;
  return n === 0 ? m[1]! : `${m[1]}_${n}`;
}

describe('Keras Applications: parameter and layer counts', () => {
  it('builds at least the required architectures', () => {
    for (const k of ['vgg16', 'vgg19', 'resnet50', 'mobilenet', 'mobilenet_v2', 'inception_v3', 'densenet121', 'efficientnet_b0']) {
      expect(KERAS_APPLICATIONS).toContain(k);
    }
    expect(Object.keys(DOCUMENTED).sort()).toEqual([...KERAS_APPLICATIONS].sort());
  });

  for (const [key, doc] of Object.entries(DOCUMENTED)) {
    it(`${key}: ${doc.top.toLocaleString('en-US')} parameters with top, the documented figure without`, () => {
      expect(kerasApplicationParameterCount(key)).toBe(doc.top);
      const notop = kerasApplicationParameterCount(key, { includeTop: false });
      if (doc.notop !== undefined) expect(notop).toBe(doc.notop);
      expect(notop).toBe(doc.top - doc.head);
      // pooling adds no weights
      expect(kerasApplicationParameterCount(key, { includeTop: false, pooling: 'avg' })).toBe(notop);
    });
  }

  it('InceptionV3 without top: 311 layers in exactly the order Keras lists them', () => {
    const names = layersOf(kerasApplicationConfig('inception_v3', { includeTop: false })).map((l) => l.name);
    expect(INCEPTION_V3_KERAS20_LAYERS).toHaveLength(311);
    expect(names).toEqual(INCEPTION_V3_KERAS20_LAYERS.map(zeroBased));
    // and the file naming maps the model's auto names back to the file's one-based ones
    const w = kerasApplicationWeights('inception_v3', { includeTop: false });
    expect(w.map((l) => l.layer)).toEqual(INCEPTION_V3_KERAS20_LAYERS.filter((n) => /^(conv2d|batch_normalization)_/.test(n)));
    expect(w).toHaveLength(188);
    expect(w[0]).toEqual({
      layer: 'conv2d_1',
      modelLayer: 'conv2d',
      className: 'Conv2D',
      weights: [{ name: 'conv2d_1/kernel:0', shape: [3, 3, 3, 32], dtype: 'float32' }],
    });
    expect(w[1]!.weights.map((x) => x.name)).toEqual([
      'batch_normalization_1/beta:0',
      'batch_normalization_1/moving_mean:0',
      'batch_normalization_1/moving_variance:0',
    ]);
  });

  it('MobileNetV2 without top: 154 layers (TF transfer-learning tutorial: "Number of layers in the base model: 154")', () => {
    expect(layersOf(kerasApplicationConfig('mobilenet_v2', { includeTop: false }))).toHaveLength(154);
  });

  it('output shapes at the default sizes', () => {
    expect(kerasApplicationOutputShape('vgg16', { includeTop: false })).toEqual([7, 7, 512]);
    expect(kerasApplicationOutputShape('resnet50', { includeTop: false })).toEqual([7, 7, 2048]);
    expect(kerasApplicationOutputShape('mobilenet_v2', { includeTop: false })).toEqual([7, 7, 1280]);
    expect(kerasApplicationOutputShape('inception_v3', { includeTop: false })).toEqual([8, 8, 2048]);
    expect(kerasApplicationOutputShape('densenet121', { includeTop: false })).toEqual([7, 7, 1024]);
    expect(kerasApplicationOutputShape('efficientnet_b0', { includeTop: false })).toEqual([7, 7, 1280]);
    expect(kerasApplicationOutputShape('efficientnet_b7', { includeTop: false })).toEqual([19, 19, 2560]);
    expect(kerasApplicationOutputShape('xception', { includeTop: false })).toEqual([10, 10, 2048]);
    expect(kerasApplicationOutputShape('resnet50', { includeTop: false, pooling: 'max' })).toEqual([2048]);
    expect(kerasApplicationOutputShape('resnet50')).toEqual([1000]);
    expect(kerasApplicationOutputShape('mobilenet', { classes: 10 })).toEqual([10]);
    expect(kerasApplicationOutputShape('mobilenet_v2', { includeTop: false, inputShape: [96, 96, 3], alpha: 0.35 })).toEqual([3, 3, 1280]);
  });
});

describe('Keras Applications: configs', () => {
  const variants: Array<[string, KerasApplicationOptions]> = [
    ['top', {}],
    ['notop', { includeTop: false }],
    ['notop avg', { includeTop: false, pooling: 'avg' }],
    ['notop max', { includeTop: false, pooling: 'max' }],
  ];
  for (const key of KERAS_APPLICATIONS) {
    it(`${key}: well-formed Functional configs, weight-bearing layers in save_weights order`, () => {
      for (const [label, opts] of variants) {
        const cfg = kerasApplicationConfig(key, opts);
        expect(cfg.class_name, label).toBe('Functional');
        const c = cfg.config as { name: string; layers: LayerCfg[]; input_layers: unknown[][]; output_layers: unknown[][] };
        const names = c.layers.map((l) => l.name);
        expect(new Set(names).size, `${label}: duplicate layer names`).toBe(names.length);
        const seen = new Set<string>();
        for (const l of c.layers) {
          expect(l.config.name, `${label}: ${l.name}`).toBe(l.name);
          if (l.class_name === 'InputLayer') {
            expect(l.inbound_nodes).toEqual([]);
          } else {
            // Keras 2: one node, a list of [layer, node_index, tensor_index, kwargs] — each produced earlier in the list
            expect(l.inbound_nodes).toHaveLength(1);
            for (const ref of l.inbound_nodes[0] as unknown[][]) {
              expect(ref).toHaveLength(4);
              expect(seen.has(ref[0] as string), `${label}: ${l.name} reads '${String(ref[0])}' before it exists`).toBe(true);
              expect(ref.slice(1)).toEqual([0, 0, {}]);
            }
          }
          seen.add(l.name);
        }
        expect(c.input_layers).toEqual([['input_1', 0, 0]]);
        expect(c.output_layers).toHaveLength(1);
        expect(names).toContain(c.output_layers[0]![0]);
        expect(names[0]).toBe('input_1');
        // every layer reaches the output (Keras's model.layers holds nothing else)
        const used = new Set(c.layers.flatMap((l) => ((l.inbound_nodes[0] as unknown[][] | undefined) ?? []).map((r) => r[0] as string)));
        for (const n of names) if (n !== c.output_layers[0]![0]) expect(used.has(n), `${label}: ${n} feeds nothing`).toBe(true);
        // weights: the layers that have them, in config order
        const w = kerasApplicationWeights(key, opts, 'keras2');
        const weighted = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense', 'BatchNormalization', 'Normalization']);
        expect(w.map((l) => l.modelLayer)).toEqual(c.layers.filter((l) => weighted.has(l.class_name)).map((l) => l.name));
        for (const l of w) for (const x of l.weights) expect(x.name.startsWith(`${l.layer}/`) && x.name.endsWith(':0')).toBe(true);
        if (opts.pooling) expect(c.layers[c.layers.length - 1]!.class_name).toBe(opts.pooling === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D');
      }
    });
  }

  it('VGG16: block names, fc1/fc2/predictions, and the legacy weight names of the published files', () => {
    const names = layersOf(kerasApplicationConfig('vgg16')).map((l) => l.name);
    expect(names).toEqual([
      'input_1', 'block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_conv2', 'block2_pool',
      'block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool', 'block4_conv1', 'block4_conv2', 'block4_conv3', 'block4_pool',
      'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool', 'flatten', 'fc1', 'fc2', 'predictions',
    ]);
    const conv = layersOf(kerasApplicationConfig('vgg16'))[1]!;
    expect(conv).toMatchObject({ class_name: 'Conv2D', config: { filters: 64, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true } });
    const w = kerasApplicationWeights('vgg16', { includeTop: false });
    expect(w).toHaveLength(13);
    expect(w[0]!.weights).toEqual([
      { name: 'block1_conv1_W_1:0', shape: [3, 3, 3, 64], dtype: 'float32' },
      { name: 'block1_conv1_b_1:0', shape: [64], dtype: 'float32' },
    ]);
    expect(kerasApplicationWeights('vgg16').at(-3)!.weights[0]).toEqual({ name: 'fc1_W_1:0', shape: [25088, 4096], dtype: 'float32' });
  });

  it('ResNet50: Keras layer order around a projection block, ε 1.001e-5, bias on every conv; the file calls the classifier probs', () => {
    const layers = layersOf(kerasApplicationConfig('resnet50', { includeTop: false }));
    expect(layers.slice(0, 19).map((l) => l.name)).toEqual([
      'input_1', 'conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool',
      'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_1_relu', 'conv2_block1_2_conv', 'conv2_block1_2_bn', 'conv2_block1_2_relu',
      'conv2_block1_0_conv', 'conv2_block1_3_conv', 'conv2_block1_0_bn', 'conv2_block1_3_bn', 'conv2_block1_add', 'conv2_block1_out',
    ]);
    expect(layers).toHaveLength(175); // the builder's own count (regression; not a documented figure)
    expect(layers.at(-1)!.name).toBe('conv5_block3_out');
    for (const l of layers) {
      if (l.class_name === 'BatchNormalization') expect(l.config).toMatchObject({ epsilon: 1.001e-5, axis: [3], momentum: 0.99, center: true, scale: true });
      if (l.class_name === 'Conv2D') expect(l.config.use_bias).toBe(true);
    }
    expect(layers.find((l) => l.name === 'conv1_pad')!.config.padding).toEqual([[3, 3], [3, 3]]);
    expect(layers.find((l) => l.name === 'conv2_block1_add')!.inbound_nodes).toEqual([[['conv2_block1_0_bn', 0, 0, {}], ['conv2_block1_3_bn', 0, 0, {}]]]);
    const top = kerasApplicationWeights('resnet50');
    expect(top.at(-1)).toMatchObject({ layer: 'probs', modelLayer: 'predictions', weights: [{ name: 'probs/kernel:0', shape: [2048, 1000] }, { name: 'probs/bias:0', shape: [1000] }] });
    expect(kerasApplicationWeights('resnet50', {}, 'keras2').at(-1)!.layer).toBe('predictions');
  });

  it('ResNet50V2: pre-activation, the stride in the last block, auto-named 1×1 max-pool shortcuts', () => {
    const layers = layersOf(kerasApplicationConfig('resnet50_v2', { includeTop: false }));
    expect(layers.filter((l) => l.class_name === 'MaxPooling2D').map((l) => l.name)).toEqual(['pool1_pool', 'max_pooling2d', 'max_pooling2d_1', 'max_pooling2d_2']);
    expect(layers.find((l) => l.name === 'conv2_block3_2_conv')!.config.strides).toEqual([2, 2]);
    expect(layers.at(-1)!.name).toBe('post_relu');
    expect(kerasApplicationPreprocessing('resnet50_v2').mode).toBe('tf');
  });

  it('MobileNetV2: names, ReLU6, ε 1e-3 / momentum 0.999, correct_pad ((0,1),(0,1)) at even sizes and ((1,1),(1,1)) at odd', () => {
    const layers = layersOf(kerasApplicationConfig('mobilenet_v2', { includeTop: false }));
    expect(layers.slice(0, 12).map((l) => l.name)).toEqual([
      'input_1', 'Conv1', 'bn_Conv1', 'Conv1_relu', 'expanded_conv_depthwise', 'expanded_conv_depthwise_BN', 'expanded_conv_depthwise_relu',
      'expanded_conv_project', 'expanded_conv_project_BN', 'block_1_expand', 'block_1_expand_BN', 'block_1_expand_relu',
    ]);
    expect(layers.at(-1)!.name).toBe('out_relu');
    expect(layers.find((l) => l.name === 'Conv1_relu')!).toMatchObject({ class_name: 'ReLU', config: { max_value: 6, negative_slope: 0, threshold: 0 } });
    expect(layers.find((l) => l.name === 'bn_Conv1')!.config).toMatchObject({ epsilon: 1e-3, momentum: 0.999 });
    expect(layers.find((l) => l.name === 'block_1_pad')!.config.padding).toEqual([[0, 1], [0, 1]]);
    expect(layers.find((l) => l.name === 'block_1_depthwise')!.config).toMatchObject({ padding: 'valid', strides: [2, 2], depth_multiplier: 1, use_bias: false });
    const odd = layersOf(kerasApplicationConfig('mobilenet_v2', { includeTop: false, inputShape: [225, 225, 3] }));
    expect(odd.find((l) => l.name === 'block_1_pad')!.config.padding).toEqual([[1, 1], [1, 1]]);
    expect(kerasApplicationConfig('mobilenet_v2', { alpha: 0.35, inputShape: [96, 96, 3] }).config.name).toBe('mobilenetv2_0.35_96');
    expect(layersOf(kerasApplicationConfig('mobilenet_v2', { alpha: 1.4 })).find((l) => l.name === 'Conv_1')!.config.filters).toBe(1792);
  });

  it('MobileNet: ZeroPadding ((0,1),(0,1)) before stride-2 depthwise convs, conv_preds head', () => {
    const layers = layersOf(kerasApplicationConfig('mobilenet'));
    expect(layers.find((l) => l.name === 'conv_pad_2')!.config.padding).toEqual([[0, 1], [0, 1]]);
    expect(layers.slice(-5).map((l) => [l.class_name, l.name])).toEqual([
      ['GlobalAveragePooling2D', 'global_average_pooling2d'], ['Dropout', 'dropout'], ['Conv2D', 'conv_preds'], ['Reshape', 'reshape_2'], ['Activation', 'predictions'],
    ]);
    expect(kerasApplicationConfig('mobilenet', { alpha: 0.25, inputShape: [128, 128, 3] }).config.name).toBe('mobilenet_0.25_128');
  });

  it('InceptionV3: BatchNormalization without scale (3 weights), mixed9_0 and unnamed concatenate', () => {
    const layers = layersOf(kerasApplicationConfig('inception_v3'));
    const bn = layers.find((l) => l.name === 'batch_normalization')!;
    expect(bn.config).toMatchObject({ scale: false, center: true, epsilon: 1e-3 });
    expect(layers.filter((l) => l.class_name === 'Concatenate').map((l) => l.name)).toEqual([
      'mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5', 'mixed6', 'mixed7', 'mixed8', 'mixed9_0', 'concatenate', 'mixed9', 'mixed9_1', 'concatenate_1', 'mixed10',
    ]);
    expect(layers.slice(-2).map((l) => l.name)).toEqual(['avg_pool', 'predictions']);
  });

  it('DenseNet121: slash names, ε 1.001e-5, transitions halve the channels', () => {
    const layers = layersOf(kerasApplicationConfig('densenet121', { includeTop: false }));
    expect(layers.slice(0, 7).map((l) => l.name)).toEqual(['input_1', 'zero_padding2d', 'conv1/conv', 'conv1/bn', 'conv1/relu', 'zero_padding2d_1', 'pool1']);
    expect(layers.find((l) => l.name === 'pool2_conv')!.config.filters).toBe(128);
    expect(layers.find((l) => l.name === 'pool4_conv')!.config.filters).toBe(512);
    expect(layers.find((l) => l.name === 'bn')!.config.epsilon).toBe(1.001e-5);
    expect(layers).toHaveLength(427); // the builder's own count (regression; not a documented figure)
  });

  it('EfficientNetB0: Rescaling + Normalization preprocessing (and the imagenet-only rescaling_1), swish, SE blocks', () => {
    const layers = layersOf(kerasApplicationConfig('efficientnet_b0', { includeTop: false }));
    expect(layers.slice(0, 8).map((l) => l.name)).toEqual(['input_1', 'rescaling', 'normalization', 'rescaling_1', 'stem_conv_pad', 'stem_conv', 'stem_bn', 'stem_activation']);
    expect(layers[1]!.config).toMatchObject({ scale: 1 / 255, offset: 0 });
    expect(layers[2]!.config).toMatchObject({ axis: [3], mean: null, variance: null });
    const s = layers[3]!.config.scale as number[];
    expect(s.map((v) => v.toFixed(6))).toEqual(['2.089692', '2.112886', '2.108185']); // float32(1/√[0.229, 0.224, 0.225])
    expect(layers.find((l) => l.name === 'stem_conv_pad')!.config.padding).toEqual([[0, 1], [0, 1]]);
    expect(layers.find((l) => l.name === 'block2b_drop')!.config).toMatchObject({ rate: 0.2 * 2 / 16, noise_shape: [null, 1, 1, 1] });
    expect(layers.find((l) => l.name === 'block1a_se_excite')!.inbound_nodes).toEqual([[['block1a_activation', 0, 0, {}], ['block1a_se_expand', 0, 0, {}]]]);
    expect(layers.find((l) => l.name === 'stem_conv')!.config.kernel_initializer).toEqual({
      class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_out', distribution: 'truncated_normal', seed: null },
    });
    expect(kerasApplicationWeights('efficientnet_b0', { includeTop: false })[0]).toEqual({
      layer: 'normalization', modelLayer: 'normalization', className: 'Normalization',
      weights: [
        { name: 'normalization/mean:0', shape: [3], dtype: 'float32' },
        { name: 'normalization/variance:0', shape: [3], dtype: 'float32' },
        { name: 'normalization/count:0', shape: [], dtype: 'int64' },
      ],
    });
    // weights=None: Keras leaves the third rescaling out
    const none = layersOf(kerasApplicationConfig('efficientnet_b0', { includeTop: false, weights: null }));
    expect(none.slice(0, 4).map((l) => l.name)).toEqual(['input_1', 'rescaling', 'normalization', 'stem_conv_pad']);
    expect(layers).toHaveLength(238); // the builder's own count with rescaling_1 (regression; not a documented figure)
  });

  it('preprocessing modes and input sizes', () => {
    const m = (k: string) => { const p = kerasApplicationPreprocessing(k); return [p.mode, p.inputSize[0]]; };
    expect(m('vgg16')).toEqual(['caffe', 224]);
    expect(m('resnet50')).toEqual(['caffe', 224]);
    expect(m('mobilenet')).toEqual(['tf', 224]);
    expect(m('mobilenet_v2')).toEqual(['tf', 224]);
    expect(m('inception_v3')).toEqual(['tf', 299]);
    expect(m('xception')).toEqual(['tf', 299]);
    expect(m('densenet121')).toEqual(['torch', 224]);
    expect(m('efficientnet_b0')).toEqual(['none', 224]);
    expect(m('efficientnet_b7')).toEqual(['none', 600]);
    expect(kerasApplicationPreprocessing('VGG16').description).toMatch(/BGR/);
  });

  it('names, aliases and bad options', () => {
    expect(kerasApplicationBuilder('ResNet50V2')).toBe('ResNet50V2');
    expect(kerasApplicationBuilder('resnet50_v2')).toBe('ResNet50V2');
    expect(kerasApplicationBuilder('keras:EfficientNetB3')).toBe('EfficientNetB3');
    const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof OmnihubError ? e.code : String(e); } };
    expect(code(() => kerasApplicationConfig('nasnet_large'))).toBe('unsupported');
    expect(code(() => kerasApplicationConfig('vgg16', { inputShape: [16, 16, 3] }))).toBe('usage');
    expect(code(() => kerasApplicationConfig('inception_v3', { inputShape: [64, 64, 3], includeTop: false }))).toBe('usage');
    expect(code(() => kerasApplicationConfig('vgg16', { alpha: 0.5 }))).toBe('usage');
    expect(code(() => kerasApplicationConfig('vgg16', { inputShape: [224, 224, 1] }))).toBe('usage');
  });
});

describe('Keras Applications: the weights files of the Keras catalog', () => {
  it('maps every catalog file to an architecture and options, or to none for the architectures not built', () => {
    const unmapped: string[] = [];
    for (const e of KERAS_CATALOG) {
      const r = kerasApplicationForWeightsFile(e.fileName);
      expect(kerasApplicationForWeightsFile(e.name)).toEqual(r); // with the catalog folder too
      if (!r) {
        unmapped.push(e.architecture);
        continue;
      }
      expect(kerasApplicationBuilder(r.name), e.fileName).toBe(e.architecture);
      expect(r.options.includeTop, e.fileName).toBe(e.includeTop);
      if (e.variant) {
        expect(r.options.alpha).toBe(e.variant.alpha);
        expect(r.options.inputShape).toEqual([e.variant.rows, e.variant.rows, 3]);
      } else {
        const size = kerasApplicationPreprocessing(r.name).inputSize[0];
        expect(r.options.inputShape).toEqual([size, size, 3]);
      }
      // the architecture builds for these options
      expect(kerasApplicationWeights(r.name, r.options).length).toBeGreaterThan(0);
    }
    expect([...new Set(unmapped)].sort()).toEqual([
      'ConvNeXtBase', 'ConvNeXtLarge', 'ConvNeXtSmall', 'ConvNeXtTiny', 'ConvNeXtXLarge',
      'EfficientNetV2B0', 'EfficientNetV2B1', 'EfficientNetV2B2', 'EfficientNetV2B3', 'EfficientNetV2L', 'EfficientNetV2M', 'EfficientNetV2S',
      'InceptionResNetV2', 'MobileNetV3Large', 'MobileNetV3Small', 'NASNetLarge', 'NASNetMobile',
    ]);
    expect(unmapped).toHaveLength(2 * 5 + 2 * 7 + 2 + 12 + 4);
    expect(KERAS_CATALOG.length - unmapped.length).toBe(4 + 12 + 4 + 32 + 44 + 6 + 16);
  });

  it('reads the options out of the file names', () => {
    expect(kerasApplicationForWeightsFile('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')).toEqual({ name: 'vgg16', options: { includeTop: false, inputShape: [224, 224, 3], layerNames: 'file' } });
    expect(kerasApplicationForWeightsFile('mobilenet_1_0_224_tf_no_top.h5')).toEqual({ name: 'mobilenet', options: { includeTop: false, alpha: 1.0, inputShape: [224, 224, 3], layerNames: 'file' } });
    expect(kerasApplicationForWeightsFile('mobilenet_2_5_128_tf.h5')).toEqual({ name: 'mobilenet', options: { includeTop: true, alpha: 0.25, inputShape: [128, 128, 3], layerNames: 'file' } });
    expect(kerasApplicationForWeightsFile('mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5')).toEqual({
      name: 'mobilenet_v2', options: { includeTop: false, alpha: 0.35, inputShape: [96, 96, 3], layerNames: 'file' },
    });
    expect(kerasApplicationForWeightsFile('resnet152v2_weights_tf_dim_ordering_tf_kernels.h5')!.name).toBe('resnet152_v2');
    expect(kerasApplicationForWeightsFile('efficientnetb3_notop.h5')).toEqual({ name: 'efficientnet_b3', options: { includeTop: false, inputShape: [300, 300, 3], layerNames: 'file' } });
    expect(kerasApplicationForWeightsFile('inception_v3_weights_tf_dim_ordering_tf_kernels.h5')).toEqual({ name: 'inception_v3', options: { includeTop: true, inputShape: [299, 299, 3], layerNames: 'file' } });
    expect(kerasApplicationForWeightsFile('nasnet_mobile.h5')).toBeUndefined();
    expect(kerasApplicationForWeightsFile('my_model.h5')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Conversion with the Keras → ONNX converter (src/core/convert/keras).

/**
 * A weights-only HDF5 laid out like the published `*_notop.h5` files (Keras 2 `save_weights`): root attrs
 * `layer_names` (every layer of the model, weightless ones too, in model order), `backend`, `keras_version`; one group
 * per layer with attr `weight_names`; each weight at `<layer>/<weight name>`. Values seeded-random: kernels
 * uniform ±√(3/fan_in) (unit variance through a layer), BatchNorm gamma 0.8–1.2, beta and moving_mean ±0.1,
 * moving_variance 0.5–1.5, biases ±0.05. `alter` changes one weight's shape (a file for another architecture).
 */
async function notopWeightsFile(key: string, opts: KerasApplicationOptions, seed: number, alter?: { layer: string; shape: number[] }): Promise<Uint8Array> {
  const rand = mulberry32(seed);
  const uniform = (n: number, lo: number, hi: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
    return a;
  };
  const weights = kerasApplicationWeights(key, opts);
  const layerNames = layersOf(kerasApplicationConfig(key, { ...opts, layerNames: 'file' })).map((l) => l.name);
  const children: Record<string, { attrs: Record<string, string[]>; children: Record<string, { data: Float32Array | BigInt64Array; shape: number[] }> }> = {};
  for (const name of layerNames) children[name] = { attrs: { weight_names: [] }, children: {} };
  for (const l of weights) {
    const g = children[l.layer]!;
    g.attrs.weight_names = l.weights.map((w) => w.name);
    for (const w of l.weights) {
      const shape = alter && alter.layer === l.layer && w === l.weights[0] ? alter.shape : w.shape;
      const n = count(shape);
      const v = w.name.split('/').pop()!.replace(/:0$/, '');
      let data: Float32Array | BigInt64Array;
      if (w.dtype === 'int64') data = BigInt64Array.from({ length: n }, () => 1000n); // Normalization's count
      else if (v === 'gamma') data = uniform(n, 0.8, 1.2);
      else if (v === 'beta' || v === 'moving_mean' || v === 'mean') data = uniform(n, -0.1, 0.1);
      else if (v === 'moving_variance' || v === 'variance') data = uniform(n, 0.5, 1.5);
      else if (v === 'bias') data = uniform(n, -0.05, 0.05);
      else {
        const fanIn = shape.length === 4 ? shape[0]! * shape[1]! * (v === 'depthwise_kernel' ? 1 : shape[2]!) : shape[0]!;
        const r = Math.sqrt(3 / fanIn);
        data = uniform(n, -r, r);
      }
      g.children[w.name] = { data, shape };
    }
  }
  return writeHdf5({ attrs: { layer_names: layerNames, backend: 'tensorflow', keras_version: '2.2.4' }, children });
}

describe('Keras Applications with the Keras → ONNX converter', () => {
  // The file name → architecture and options → config, as the app does it; each file laid out as the published one.
  const cases: Array<[file: string, key: string, out: number[], why: string]> = [
    ['mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5', 'mobilenet_v2', [1, 7, 7, 1280], 'ReLU6 output'],
    ['resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', 'resnet50', [1, 7, 7, 2048], 'projection shortcuts'],
    ['inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5', 'inception_v3', [1, 8, 8, 2048], "the file's one-based auto names"],
    ['vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', 'vgg16', [1, 7, 7, 512], 'weights named <layer>_W_1:0'],
    ['efficientnetb0_notop.h5', 'efficientnet_b0', [1, 7, 7, 1280], 'Rescaling + Normalization (int64 count) inside'],
  ];
  cases.forEach(([fileName, key, outDims, why], i) => {
    it(`${fileName} (${why}): converts with its architecture and runs at batch 1 → [${outDims.join(', ')}]`, async () => {
      const arch = kerasApplicationForWeightsFile(fileName)!;
      expect(arch.name).toBe(key);
      const size = kerasApplicationPreprocessing(key).inputSize[0];
      expect(arch.options).toMatchObject({ includeTop: false, inputShape: [size, size, 3], layerNames: 'file' });
      const bytes = await notopWeightsFile(key, arch.options, 7 + i);
      const file = await readKerasFile(bytes, fileName);
      expect(file.format).toBe('h5-weights');
      // the file reads back as kerasApplicationWeights describes it
      expect(file.layers.map((l) => ({ layer: l.layer, weights: l.weights.map((w) => ({ name: w.name, shape: w.shape })) }))).toEqual(
        kerasApplicationWeights(key, arch.options).map((l) => ({ layer: l.layer, weights: l.weights.map((w) => ({ name: w.name, shape: w.shape })) })),
      );
      const { model, report } = convertKerasModel(file, { architecture: kerasApplicationConfig(key, arch.options) });
      // every weight of the file used: the converter's count equals Keras's count_params for the architecture
      expect(report.parameters).toBe(kerasApplicationParameterCount(key, arch.options));
      const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      try {
        const rand = mulberry32(3);
        const input = new Float32Array(size * size * 3);
        for (let k = 0; k < input.length; k++) input[k] = rand() * 2 - 1;
        const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, size, size, 3]) });
        const y = out[session.outputNames[0]!]!;
        expect(y.dims).toEqual(outDims);
        const data = y.data as Float32Array;
        let lo = Infinity;
        let hi = -Infinity;
        let nonzero = 0;
        let nonFinite = 0;
        for (const v of data) {
          if (!Number.isFinite(v)) nonFinite++;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          if (v !== 0) nonzero++;
        }
        expect(nonFinite).toBe(0);
        expect(nonzero).toBeGreaterThan(data.length / 10);
        // the last layer is a ReLU (ResNet, Inception's concatenated ReLUs, VGG's max pool of ReLUs), ReLU6 (MobileNetV2)
        // or swish (EfficientNet: ≥ −0.2785)
        expect(lo).toBeGreaterThanOrEqual(key === 'efficientnet_b0' ? -0.2785 : 0);
        if (key === 'mobilenet_v2') expect(hi).toBeLessThanOrEqual(6);
      } finally {
        await session.release();
      }
    });
  });

  it('a weights file with one shape changed: an error naming the first mismatching layer', async () => {
    const opts: KerasApplicationOptions = { includeTop: false, inputShape: [224, 224, 3] };
    // block_3_project: 1×1 conv 144 → 32; the file says 144 → 40 (as for another width multiplier)
    const bytes = await notopWeightsFile('mobilenet_v2', opts, 99, { layer: 'block_3_project', shape: [1, 1, 144, 40] });
    const file = await readKerasFile(bytes, 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5');
    let error: unknown;
    try {
      convertKerasModel(file, { architecture: kerasApplicationConfig('mobilenet_v2', opts) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OmnihubError);
    expect((error as OmnihubError).code).toBe('mismatch');
    expect((error as OmnihubError).message).toContain('block_3_project');
    expect((error as OmnihubError).message).not.toMatch(/block_[4-9]|block_1[0-6]|Conv_1/);
  });
});
