/**
 * VGG16 / VGG19 as keras/applications/vgg16.py and vgg19.py (Keras 2.x, keras-team/keras @ b00b4b46) build them:
 * 3×3 'same' ReLU convolutions `blockN_convM`, 2×2/2 max pools `blockN_pool`; top: Flatten 'flatten', Dense 4096
 * 'fc1', 'fc2' (ReLU), Dense classes 'predictions' (softmax); without top, `pooling` adds an auto-named
 * GlobalAveragePooling2D / GlobalMaxPooling2D.
 *
 * The published files (fchollet/deep-learning-models v0.1, converted in Keras 1 days) keep the layer names but store
 * each weight as `<layer>_W_1:0` / `<layer>_b_1:0` (e.g. `block1_conv1/block1_conv1_W_1:0`), as public readers of
 * vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 index it; Keras loads them by position.
 */
import { KerasGraph } from './graph.js';
import { CAFFE, poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

function vgg(key: 'vgg16' | 'vgg19', convsPerBlock: number[]): ApplicationSpec {
  const builder = key === 'vgg16' ? 'VGG16' : 'VGG19';
  return {
    key,
    builder,
    defaultSize: 224,
    minSize: 32,
    preprocessing: CAFFE,
    source: `keras/applications/${key}.py`,
    fileNaming: {
      weight: 'legacy-W_1',
      note: 'Keras 1-era file: weights named <layer>_W_1:0 / <layer>_b_1:0 (kernel, bias), layer names as the model.',
    },
    build(o: ResolvedOptions) {
      const g = new KerasGraph(key);
      let x = g.input(o.inputShape);
      const filters = [64, 128, 256, 512, 512];
      convsPerBlock.forEach((n, b) => {
        for (let i = 1; i <= n; i++) {
          x = g.conv2d(x, filters[b]!, 3, { activation: 'relu', padding: 'same', name: `block${b + 1}_conv${i}` });
        }
        x = g.maxPool(x, 2, { strides: 2, name: `block${b + 1}_pool` });
      });
      if (o.includeTop) {
        x = g.flatten(x, 'flatten');
        x = g.dense(x, 4096, { activation: 'relu', name: 'fc1' });
        x = g.dense(x, 4096, { activation: 'relu', name: 'fc2' });
        x = g.dense(x, o.classes, { activation: 'softmax', name: 'predictions' });
      } else {
        x = poolingTail(g, x, o);
      }
      return { graph: g, output: x };
    },
  };
}

export const VGG_APPS: ApplicationSpec[] = [vgg('vgg16', [2, 2, 3, 3, 3]), vgg('vgg19', [2, 2, 4, 4, 4])];
