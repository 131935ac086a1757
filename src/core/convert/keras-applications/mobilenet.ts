/**
 * MobileNet (v1) and MobileNetV2 as keras/applications/mobilenet.py and mobilenet_v2.py build them (Keras 2.x:
 * keras-team/keras @ 9c78a9ef / d07e535c; the v1 top as Keras ≥ 2.6 and Keras 3 write it, keras/src/applications/
 * mobilenet.py @ 0e96cb80: GlobalAveragePooling2D(keepdims=True) → Dropout 'dropout' → Conv2D 1×1 'conv_preds' →
 * Reshape 'reshape_2' → Activation 'predictions'; older Keras had an extra Reshape 'reshape_1' there, which carries
 * no weights).
 *
 * v1: Conv2D int(32α) 3×3/2 'same' no bias 'conv1', BN 'conv1_bn', ReLU(6) 'conv1_relu'; 13 depthwise blocks
 * (ZeroPadding2D ((0,1),(0,1)) 'conv_pad_i' before the stride-2 ones, DepthwiseConv2D 3×3 'conv_dw_i' ('same' at
 * stride 1, 'valid' at 2), BN, ReLU6, Conv2D 1×1 int(f·α) 'conv_pw_i', BN, ReLU6); BN ε 1e-3, momentum 0.99.
 * v2: Conv2D _make_divisible(32α, 8) 3×3/2 'same' 'Conv1', BN 'bn_Conv1' (ε 1e-3, momentum 0.999), ReLU6
 * 'Conv1_relu'; 17 inverted residual blocks ('expanded_conv_*' for block 0, 'block_i_*' after: expand 1×1 +
 * 'expand_BN' + 'expand_relu', ZeroPadding2D correct_pad 'pad' before stride 2, DepthwiseConv2D 'depthwise' +
 * 'depthwise_BN' + 'depthwise_relu', 1×1 'project' + 'project_BN', Add 'add' when shapes allow); Conv2D 1280 (or
 * _make_divisible(1280α, 8) for α > 1) 'Conv_1', BN 'Conv_1_bn', ReLU6 'out_relu'; top GlobalAveragePooling2D
 * (auto-named) + Dense 'predictions'.
 */
import { KerasGraph, correctPad, type KTensor } from './graph.js';
import { TF, poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

function pyFloat2(x: number): string {
  return x.toFixed(2);
}

export const MOBILENET: ApplicationSpec = {
  key: 'mobilenet',
  builder: 'MobileNet',
  defaultSize: 224,
  minSize: 32,
  preprocessing: TF,
  source: 'keras/applications/mobilenet.py',
  build(o: ResolvedOptions) {
    const alpha = o.alpha;
    const g = new KerasGraph(`mobilenet_${pyFloat2(alpha)}_${o.inputShape[0]}`);
    let x = g.input(o.inputShape);
    x = g.conv2d(x, Math.trunc(32 * alpha), 3, { padding: 'same', useBias: false, strides: 2, name: 'conv1' });
    x = g.batchNorm(x, { name: 'conv1_bn' });
    x = g.relu(x, 6.0, 'conv1_relu');
    const blocks: Array<[number, number]> = [
      [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
    ];
    blocks.forEach(([filters, stride], i) => {
      const id = i + 1;
      if (stride !== 1) x = g.zeroPadding(x, [[0, 1], [0, 1]], `conv_pad_${id}`);
      x = g.depthwiseConv2d(x, 3, { padding: stride === 1 ? 'same' : 'valid', depthMultiplier: 1, strides: stride, useBias: false, name: `conv_dw_${id}` });
      x = g.batchNorm(x, { name: `conv_dw_${id}_bn` });
      x = g.relu(x, 6.0, `conv_dw_${id}_relu`);
      x = g.conv2d(x, Math.trunc(filters * alpha), 1, { padding: 'same', useBias: false, strides: 1, name: `conv_pw_${id}` });
      x = g.batchNorm(x, { name: `conv_pw_${id}_bn` });
      x = g.relu(x, 6.0, `conv_pw_${id}_relu`);
    });
    if (o.includeTop) {
      x = g.globalAvgPool(x, undefined, true);
      x = g.dropout(x, 1e-3, { name: 'dropout' });
      x = g.conv2d(x, o.classes, 1, { padding: 'same', name: 'conv_preds' });
      x = g.reshape(x, [o.classes], 'reshape_2');
      x = g.activation(x, 'softmax', 'predictions');
    } else {
      x = poolingTail(g, x, o);
    }
    return { graph: g, output: x };
  },
};

/** mobilenet_v2._make_divisible. */
export function makeDivisible(v: number, divisor: number, minValue?: number): number {
  const min = minValue ?? divisor;
  let newV = Math.max(min, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

function invertedResBlock(g: KerasGraph, inputs: KTensor, expansion: number, stride: number, alpha: number, filters: number, blockId: number): KTensor {
  const inChannels = inputs.shape[2]!;
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
  let x = inputs;
  let prefix = `block_${blockId}_`;
  const bn = { epsilon: 1e-3, momentum: 0.999 };
  if (blockId) {
    x = g.conv2d(x, expansion * inChannels, 1, { padding: 'same', useBias: false, activation: null, name: `${prefix}expand` });
    x = g.batchNorm(x, { ...bn, name: `${prefix}expand_BN` });
    x = g.relu(x, 6.0, `${prefix}expand_relu`);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = g.zeroPadding(x, correctPad(x.shape, 3), `${prefix}pad`);
  x = g.depthwiseConv2d(x, 3, { strides: stride, activation: null, useBias: false, padding: stride === 1 ? 'same' : 'valid', name: `${prefix}depthwise` });
  x = g.batchNorm(x, { ...bn, name: `${prefix}depthwise_BN` });
  x = g.relu(x, 6.0, `${prefix}depthwise_relu`);
  x = g.conv2d(x, pointwiseFilters, 1, { padding: 'same', useBias: false, activation: null, name: `${prefix}project` });
  x = g.batchNorm(x, { ...bn, name: `${prefix}project_BN` });
  if (inChannels === pointwiseFilters && stride === 1) return g.addLayer([inputs, x], `${prefix}add`);
  return x;
}

export const MOBILENET_V2: ApplicationSpec = {
  key: 'mobilenet_v2',
  builder: 'MobileNetV2',
  defaultSize: 224,
  minSize: 32,
  preprocessing: TF,
  source: 'keras/applications/mobilenet_v2.py',
  build(o: ResolvedOptions) {
    const alpha = o.alpha;
    const g = new KerasGraph(`mobilenetv2_${pyFloat2(alpha)}_${o.inputShape[0]}`);
    let x = g.input(o.inputShape);
    x = g.conv2d(x, makeDivisible(32 * alpha, 8), 3, { strides: 2, padding: 'same', useBias: false, name: 'Conv1' });
    x = g.batchNorm(x, { epsilon: 1e-3, momentum: 0.999, name: 'bn_Conv1' });
    x = g.relu(x, 6.0, 'Conv1_relu');
    const blocks: Array<[filters: number, stride: number, expansion: number]> = [
      [16, 1, 1],
      [24, 2, 6], [24, 1, 6],
      [32, 2, 6], [32, 1, 6], [32, 1, 6],
      [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
      [96, 1, 6], [96, 1, 6], [96, 1, 6],
      [160, 2, 6], [160, 1, 6], [160, 1, 6],
      [320, 1, 6],
    ];
    blocks.forEach(([filters, stride, expansion], id) => {
      x = invertedResBlock(g, x, expansion, stride, alpha, filters, id);
    });
    const last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
    x = g.conv2d(x, last, 1, { useBias: false, name: 'Conv_1' });
    x = g.batchNorm(x, { epsilon: 1e-3, momentum: 0.999, name: 'Conv_1_bn' });
    x = g.relu(x, 6.0, 'out_relu');
    if (o.includeTop) {
      x = g.globalAvgPool(x);
      x = g.dense(x, o.classes, { activation: 'softmax', name: 'predictions' });
    } else {
      x = poolingTail(g, x, o);
    }
    return { graph: g, output: x };
  },
};

export const MOBILENET_APPS: ApplicationSpec[] = [MOBILENET, MOBILENET_V2];
