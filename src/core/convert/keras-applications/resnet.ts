/**
 * ResNet50/101/152 and ResNet50V2/101V2/152V2 as keras/applications/resnet.py and resnet_v2.py (Keras 2.x,
 * keras-team/keras @ b00b4b46 / f95181f2) build them.
 *
 * Stem: ZeroPadding2D 3 'conv1_pad', Conv2D 64 7×7/2 'conv1_conv' (bias), [v1: BatchNormalization ε=1.001e-5
 * 'conv1_bn', ReLU 'conv1_relu'], ZeroPadding2D 1 'pool1_pad', MaxPooling2D 3/2 'pool1_pool'.
 * v1 block1: [conv shortcut `_0_conv` 1×1/s + `_0_bn`] `_1_conv` 1×1/s, `_1_bn`, `_1_relu`, `_2_conv` 3×3 'same',
 * `_2_bn`, `_2_relu`, `_3_conv` 1×1 (4·filters), `_3_bn`, Add `_add` [shortcut, x], ReLU `_out`; all convs with bias,
 * all BN ε=1.001e-5. Stacks conv2 (stride 1) … conv5.
 * v2 block2: `_preact_bn`, `_preact_relu`; shortcut `_0_conv` 1×1/s on the pre-activation (first block) or the input
 * itself (MaxPooling2D 1/s, auto-named, when the block strides); `_1_conv` 1×1 no bias, `_1_bn`, `_1_relu`,
 * ZeroPadding2D `_2_pad`, `_2_conv` 3×3/s no bias, `_2_bn`, `_2_relu`, `_3_conv` 1×1 (bias), Add `_out`. The stride
 * sits in the last block of conv2…conv4 (stack2); post: 'post_bn', 'post_relu'.
 * Top: GlobalAveragePooling2D 'avg_pool', Dense 'predictions' (softmax); pooling: 'avg_pool' / 'max_pool'.
 *
 * Published files (…/keras-applications/resnet/*.h5, saved by keras_applications' resnet_common): Keras 2 weight
 * names `<layer>/kernel:0`; their classifier layer is called 'probs' (resnet_common's name) where the tf.keras builder
 * says 'predictions' — Keras loads by position, so both fit.
 */
import { KerasGraph, type KTensor } from './graph.js';
import { CAFFE, TF, poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

const EPS = 1.001e-5;

function block1(g: KerasGraph, x: KTensor, filters: number, stride: number, convShortcut: boolean, name: string): KTensor {
  let shortcut = x;
  if (convShortcut) {
    shortcut = g.conv2d(x, 4 * filters, 1, { strides: stride, name: `${name}_0_conv` });
    shortcut = g.batchNorm(shortcut, { epsilon: EPS, name: `${name}_0_bn` });
  }
  let y = g.conv2d(x, filters, 1, { strides: stride, name: `${name}_1_conv` });
  y = g.batchNorm(y, { epsilon: EPS, name: `${name}_1_bn` });
  y = g.activation(y, 'relu', `${name}_1_relu`);
  y = g.conv2d(y, filters, 3, { padding: 'same', name: `${name}_2_conv` });
  y = g.batchNorm(y, { epsilon: EPS, name: `${name}_2_bn` });
  y = g.activation(y, 'relu', `${name}_2_relu`);
  y = g.conv2d(y, 4 * filters, 1, { name: `${name}_3_conv` });
  y = g.batchNorm(y, { epsilon: EPS, name: `${name}_3_bn` });
  y = g.addLayer([shortcut, y], `${name}_add`);
  return g.activation(y, 'relu', `${name}_out`);
}

function stack1(g: KerasGraph, x: KTensor, filters: number, blocks: number, stride1: number, name: string): KTensor {
  x = block1(g, x, filters, stride1, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) x = block1(g, x, filters, 1, false, `${name}_block${i}`);
  return x;
}

function block2(g: KerasGraph, x: KTensor, filters: number, stride: number, convShortcut: boolean, name: string): KTensor {
  let preact = g.batchNorm(x, { epsilon: EPS, name: `${name}_preact_bn` });
  preact = g.activation(preact, 'relu', `${name}_preact_relu`);
  let shortcut: KTensor;
  if (convShortcut) shortcut = g.conv2d(preact, 4 * filters, 1, { strides: stride, name: `${name}_0_conv` });
  else shortcut = stride > 1 ? g.maxPool(x, 1, { strides: stride }) : x;
  let y = g.conv2d(preact, filters, 1, { strides: 1, useBias: false, name: `${name}_1_conv` });
  y = g.batchNorm(y, { epsilon: EPS, name: `${name}_1_bn` });
  y = g.activation(y, 'relu', `${name}_1_relu`);
  y = g.zeroPadding(y, [[1, 1], [1, 1]], `${name}_2_pad`);
  y = g.conv2d(y, filters, 3, { strides: stride, useBias: false, name: `${name}_2_conv` });
  y = g.batchNorm(y, { epsilon: EPS, name: `${name}_2_bn` });
  y = g.activation(y, 'relu', `${name}_2_relu`);
  y = g.conv2d(y, 4 * filters, 1, { name: `${name}_3_conv` });
  return g.addLayer([shortcut, y], `${name}_out`);
}

function stack2(g: KerasGraph, x: KTensor, filters: number, blocks: number, stride1: number, name: string): KTensor {
  x = block2(g, x, filters, 1, true, `${name}_block1`);
  for (let i = 2; i < blocks; i++) x = block2(g, x, filters, 1, false, `${name}_block${i}`);
  return block2(g, x, filters, stride1, false, `${name}_block${blocks}`);
}

function resnet(key: string, builder: string, modelName: string, blocks: [number, number, number, number], preact: boolean): ApplicationSpec {
  return {
    key,
    builder,
    defaultSize: 224,
    minSize: 32,
    preprocessing: preact ? TF : CAFFE,
    source: preact ? 'keras/applications/resnet_v2.py (+ resnet.py)' : 'keras/applications/resnet.py',
    fileNaming: {
      layer: (n) => (n === 'predictions' ? 'probs' : n),
      weight: 'keras2',
      note: "keras_applications resnet_common file: Keras 2 weight names; classifier layer named 'probs'.",
    },
    build(o: ResolvedOptions) {
      const g = new KerasGraph(modelName);
      let x = g.input(o.inputShape);
      x = g.zeroPadding(x, [[3, 3], [3, 3]], 'conv1_pad');
      x = g.conv2d(x, 64, 7, { strides: 2, useBias: true, name: 'conv1_conv' });
      if (!preact) {
        x = g.batchNorm(x, { epsilon: EPS, name: 'conv1_bn' });
        x = g.activation(x, 'relu', 'conv1_relu');
      }
      x = g.zeroPadding(x, [[1, 1], [1, 1]], 'pool1_pad');
      x = g.maxPool(x, 3, { strides: 2, name: 'pool1_pool' });
      if (preact) {
        x = stack2(g, x, 64, blocks[0], 2, 'conv2');
        x = stack2(g, x, 128, blocks[1], 2, 'conv3');
        x = stack2(g, x, 256, blocks[2], 2, 'conv4');
        x = stack2(g, x, 512, blocks[3], 1, 'conv5');
        x = g.batchNorm(x, { epsilon: EPS, name: 'post_bn' });
        x = g.activation(x, 'relu', 'post_relu');
      } else {
        x = stack1(g, x, 64, blocks[0], 1, 'conv2');
        x = stack1(g, x, 128, blocks[1], 2, 'conv3');
        x = stack1(g, x, 256, blocks[2], 2, 'conv4');
        x = stack1(g, x, 512, blocks[3], 2, 'conv5');
      }
      if (o.includeTop) {
        x = g.globalAvgPool(x, 'avg_pool');
        x = g.dense(x, o.classes, { activation: 'softmax', name: 'predictions' });
      } else {
        x = poolingTail(g, x, o, { avg: 'avg_pool', max: 'max_pool' });
      }
      return { graph: g, output: x };
    },
  };
}

export const RESNET_APPS: ApplicationSpec[] = [
  resnet('resnet50', 'ResNet50', 'resnet50', [3, 4, 6, 3], false),
  resnet('resnet101', 'ResNet101', 'resnet101', [3, 4, 23, 3], false),
  resnet('resnet152', 'ResNet152', 'resnet152', [3, 8, 36, 3], false),
  resnet('resnet50_v2', 'ResNet50V2', 'resnet50v2', [3, 4, 6, 3], true),
  resnet('resnet101_v2', 'ResNet101V2', 'resnet101v2', [3, 4, 23, 3], true),
  resnet('resnet152_v2', 'ResNet152V2', 'resnet152v2', [3, 8, 36, 3], true),
];
