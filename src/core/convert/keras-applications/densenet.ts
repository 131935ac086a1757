/**
 * DenseNet121/169/201 as keras/applications/densenet.py builds them (Keras 2.x, keras-team/keras @ c75789f2):
 * ZeroPadding2D 3 (auto-named), Conv2D 64 7×7/2 no bias 'conv1/conv', BN ε 1.001e-5 'conv1/bn', ReLU 'conv1/relu',
 * ZeroPadding2D 1 (auto), MaxPooling2D 3/2 'pool1'; dense blocks of conv blocks `convN_blockM`: BN `_0_bn`, ReLU
 * `_0_relu`, Conv2D 128 1×1 `_1_conv`, BN `_1_bn`, ReLU `_1_relu`, Conv2D 32 3×3 'same' `_2_conv`, Concatenate
 * `_concat` [x, x1]; transitions `poolN`: BN `_bn`, ReLU `_relu`, Conv2D ⌊C·0.5⌋ 1×1 `_conv`, AveragePooling2D 2/2
 * `_pool`; final BN 'bn', ReLU 'relu'. All convs without bias. Top: GlobalAveragePooling2D 'avg_pool' + Dense
 * 'predictions'; pooling 'avg_pool' / 'max_pool'.
 */
import { KerasGraph, type KTensor } from './graph.js';
import { TORCH, poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

const EPS = 1.001e-5;

function convBlock(g: KerasGraph, x: KTensor, growth: number, name: string): KTensor {
  let x1 = g.batchNorm(x, { epsilon: EPS, name: `${name}_0_bn` });
  x1 = g.activation(x1, 'relu', `${name}_0_relu`);
  x1 = g.conv2d(x1, 4 * growth, 1, { useBias: false, name: `${name}_1_conv` });
  x1 = g.batchNorm(x1, { epsilon: EPS, name: `${name}_1_bn` });
  x1 = g.activation(x1, 'relu', `${name}_1_relu`);
  x1 = g.conv2d(x1, growth, 3, { padding: 'same', useBias: false, name: `${name}_2_conv` });
  return g.concatenate([x, x1], `${name}_concat`);
}

function transition(g: KerasGraph, x: KTensor, reduction: number, name: string): KTensor {
  x = g.batchNorm(x, { epsilon: EPS, name: `${name}_bn` });
  x = g.activation(x, 'relu', `${name}_relu`);
  x = g.conv2d(x, Math.trunc(x.shape[2]! * reduction), 1, { useBias: false, name: `${name}_conv` });
  return g.avgPool(x, 2, { strides: 2, name: `${name}_pool` });
}

function densenet(depth: 121 | 169 | 201, blocks: [number, number, number, number]): ApplicationSpec {
  return {
    key: `densenet${depth}`,
    builder: `DenseNet${depth}`,
    defaultSize: 224,
    minSize: 32,
    preprocessing: TORCH,
    source: 'keras/applications/densenet.py',
    build(o: ResolvedOptions) {
      const g = new KerasGraph(`densenet${depth}`);
      let x = g.input(o.inputShape);
      x = g.zeroPadding(x, [[3, 3], [3, 3]]);
      x = g.conv2d(x, 64, 7, { strides: 2, useBias: false, name: 'conv1/conv' });
      x = g.batchNorm(x, { epsilon: EPS, name: 'conv1/bn' });
      x = g.activation(x, 'relu', 'conv1/relu');
      x = g.zeroPadding(x, [[1, 1], [1, 1]]);
      x = g.maxPool(x, 3, { strides: 2, name: 'pool1' });
      blocks.forEach((n, i) => {
        for (let b = 0; b < n; b++) x = convBlock(g, x, 32, `conv${i + 2}_block${b + 1}`);
        if (i < 3) x = transition(g, x, 0.5, `pool${i + 2}`);
      });
      x = g.batchNorm(x, { epsilon: EPS, name: 'bn' });
      x = g.activation(x, 'relu', 'relu');
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

export const DENSENET_APPS: ApplicationSpec[] = [
  densenet(121, [6, 12, 24, 16]),
  densenet(169, [6, 12, 32, 32]),
  densenet(201, [6, 12, 48, 32]),
];
