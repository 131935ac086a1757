/**
 * InceptionV3 as keras/applications/inception_v3.py builds it (Keras 2.x, keras-team/keras @ 8131ad93): every
 * `conv2d_bn` is Conv2D (no bias, auto-named `conv2d`, `conv2d_1`, …) → BatchNormalization(axis 3, scale=False,
 * ε 1e-3: beta, moving_mean, moving_variance; auto `batch_normalization…`) → Activation 'relu' (auto `activation…`);
 * pools auto-named; concatenations 'mixed0' … 'mixed10', 'mixed9_0', 'mixed9_1' and two unnamed ('concatenate',
 * 'concatenate_1'). Top: GlobalAveragePooling2D 'avg_pool', Dense 'predictions'; pooling auto-named. Input 299.
 *
 * The published file (inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5, fchollet/deep-learning-models v0.5,
 * saved by Keras 2.0) names the auto-named layers one-based, as Keras 2.0 counted: 'conv2d_1' … 'conv2d_94',
 * 'batch_normalization_1' … (public readers index `f['conv2d_1']['conv2d_1']['kernel:0']`); tf.keras counts from
 * zero ('conv2d', 'conv2d_1', …). Weight names are Keras 2's `<layer>/kernel:0`.
 */
import { KerasGraph, type KTensor } from './graph.js';
import { TF, poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

/** tf.keras auto name → the Keras 2.0 name of the same layer (one-based counters). */
export function oneBasedAutoName(name: string): string {
  const m = /^(conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|concatenate|add|separable_conv2d|global_average_pooling2d|global_max_pooling2d)(?:_(\d+))?$/.exec(name);
  if (!m) return name;
  return `${m[1]}_${(m[2] === undefined ? 0 : Number(m[2])) + 1}`;
}

export const INCEPTION_V3: ApplicationSpec = {
  key: 'inception_v3',
  builder: 'InceptionV3',
  defaultSize: 299,
  minSize: 75,
  preprocessing: TF,
  source: 'keras/applications/inception_v3.py',
  fileNaming: {
    layer: oneBasedAutoName,
    weight: 'keras2',
    note: "Keras 2.0 file: auto-named layers counted from 1 ('conv2d_1' where tf.keras says 'conv2d'); Keras 2 weight names.",
  },
  build(o: ResolvedOptions) {
    const g = new KerasGraph('inception_v3');
    const cbn = (x: KTensor, filters: number, r: number, c: number, padding: 'same' | 'valid' = 'same', strides = 1): KTensor => {
      x = g.conv2d(x, filters, [r, c], { strides, padding, useBias: false });
      x = g.batchNorm(x, { scale: false });
      return g.activation(x, 'relu');
    };
    let x = g.input(o.inputShape);
    x = cbn(x, 32, 3, 3, 'valid', 2);
    x = cbn(x, 32, 3, 3, 'valid');
    x = cbn(x, 64, 3, 3);
    x = g.maxPool(x, 3, { strides: 2 });
    x = cbn(x, 80, 1, 1, 'valid');
    x = cbn(x, 192, 3, 3, 'valid');
    x = g.maxPool(x, 3, { strides: 2 });

    // mixed 0, 1, 2: 35 × 35
    for (const [i, poolFilters] of [[0, 32], [1, 64], [2, 64]] as const) {
      const b1 = cbn(x, 64, 1, 1);
      let b5 = cbn(x, 48, 1, 1);
      b5 = cbn(b5, 64, 5, 5);
      let b3 = cbn(x, 64, 1, 1);
      b3 = cbn(b3, 96, 3, 3);
      b3 = cbn(b3, 96, 3, 3);
      let bp = g.avgPool(x, 3, { strides: 1, padding: 'same' });
      bp = cbn(bp, poolFilters, 1, 1);
      x = g.concatenate([b1, b5, b3, bp], `mixed${i}`);
    }

    // mixed 3: 17 × 17
    {
      const b3 = cbn(x, 384, 3, 3, 'valid', 2);
      let bd = cbn(x, 64, 1, 1);
      bd = cbn(bd, 96, 3, 3);
      bd = cbn(bd, 96, 3, 3, 'valid', 2);
      const bp = g.maxPool(x, 3, { strides: 2 });
      x = g.concatenate([b3, bd, bp], 'mixed3');
    }

    // mixed 4, 5, 6, 7: 17 × 17
    for (const [i, f] of [[4, 128], [5, 160], [6, 160], [7, 192]] as const) {
      const b1 = cbn(x, 192, 1, 1);
      let b7 = cbn(x, f, 1, 1);
      b7 = cbn(b7, f, 1, 7);
      b7 = cbn(b7, 192, 7, 1);
      let bd = cbn(x, f, 1, 1);
      bd = cbn(bd, f, 7, 1);
      bd = cbn(bd, f, 1, 7);
      bd = cbn(bd, f, 7, 1);
      bd = cbn(bd, 192, 1, 7);
      let bp = g.avgPool(x, 3, { strides: 1, padding: 'same' });
      bp = cbn(bp, 192, 1, 1);
      x = g.concatenate([b1, b7, bd, bp], `mixed${i}`);
    }

    // mixed 8: 8 × 8
    {
      let b3 = cbn(x, 192, 1, 1);
      b3 = cbn(b3, 320, 3, 3, 'valid', 2);
      let b7 = cbn(x, 192, 1, 1);
      b7 = cbn(b7, 192, 1, 7);
      b7 = cbn(b7, 192, 7, 1);
      b7 = cbn(b7, 192, 3, 3, 'valid', 2);
      const bp = g.maxPool(x, 3, { strides: 2 });
      x = g.concatenate([b3, b7, bp], 'mixed8');
    }

    // mixed 9, 10: 8 × 8
    for (let i = 0; i < 2; i++) {
      const b1 = cbn(x, 320, 1, 1);
      let b3 = cbn(x, 384, 1, 1);
      const b3a = cbn(b3, 384, 1, 3);
      const b3b = cbn(b3, 384, 3, 1);
      b3 = g.concatenate([b3a, b3b], `mixed9_${i}`);
      let bd = cbn(x, 448, 1, 1);
      bd = cbn(bd, 384, 3, 3);
      const bda = cbn(bd, 384, 1, 3);
      const bdb = cbn(bd, 384, 3, 1);
      bd = g.concatenate([bda, bdb]);
      let bp = g.avgPool(x, 3, { strides: 1, padding: 'same' });
      bp = cbn(bp, 192, 1, 1);
      x = g.concatenate([b1, b3, bd, bp], `mixed${9 + i}`);
    }

    if (o.includeTop) {
      x = g.globalAvgPool(x, 'avg_pool');
      x = g.dense(x, o.classes, { activation: 'softmax', name: 'predictions' });
    } else {
      x = poolingTail(g, x, o);
    }
    return { graph: g, output: x };
  },
};

export const INCEPTION_APPS: ApplicationSpec[] = [INCEPTION_V3];
