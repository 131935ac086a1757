/**
 * Xception as keras/applications/xception.py builds it (structure as keras-team/keras @ 9e0676fd and the tf.keras
 * version: same layers, names and call order): 'block1_conv1' 3×3/2 'valid' + BN + ReLU, 'block1_conv2' 3×3 'valid';
 * entry flow blocks 2–4 with an auto-named Conv2D 1×1/2 + BN residual, SeparableConv2D 3×3 'same' (no bias) + BN
 * pairs, MaxPooling2D 3/2 'same' and an auto-named Add; 8 middle-flow blocks (5–12) of three ReLU-SeparableConv-BN
 * with identity residual; exit block 13 and block14 separable convs 1536 and 2048. BN ε 1e-3 everywhere. Top:
 * GlobalAveragePooling2D 'avg_pool' + Dense 'predictions'. Input 299, min 71.
 *
 * The published file's layer and weight names were not checked (its release predates Keras 2's naming);
 * `kerasApplicationWeights` gives the names a Keras 2 `save_weights` of this graph writes.
 */
import { KerasGraph } from './graph.js';
import { TF, poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

export const XCEPTION: ApplicationSpec = {
  key: 'xception',
  builder: 'Xception',
  defaultSize: 299,
  minSize: 71,
  preprocessing: TF,
  source: 'keras/applications/xception.py',
  build(o: ResolvedOptions) {
    const g = new KerasGraph('xception');
    let x = g.input(o.inputShape);
    x = g.conv2d(x, 32, 3, { strides: 2, useBias: false, name: 'block1_conv1' });
    x = g.batchNorm(x, { name: 'block1_conv1_bn' });
    x = g.activation(x, 'relu', 'block1_conv1_act');
    x = g.conv2d(x, 64, 3, { useBias: false, name: 'block1_conv2' });
    x = g.batchNorm(x, { name: 'block1_conv2_bn' });
    x = g.activation(x, 'relu', 'block1_conv2_act');

    const entry = (filters: number, block: number, firstAct: boolean): void => {
      let residual = g.conv2d(x, filters, 1, { strides: 2, padding: 'same', useBias: false });
      residual = g.batchNorm(residual);
      if (firstAct) x = g.activation(x, 'relu', `block${block}_sepconv1_act`);
      x = g.separableConv2d(x, filters, 3, { padding: 'same', useBias: false, name: `block${block}_sepconv1` });
      x = g.batchNorm(x, { name: `block${block}_sepconv1_bn` });
      x = g.activation(x, 'relu', `block${block}_sepconv2_act`);
      x = g.separableConv2d(x, filters, 3, { padding: 'same', useBias: false, name: `block${block}_sepconv2` });
      x = g.batchNorm(x, { name: `block${block}_sepconv2_bn` });
      x = g.maxPool(x, 3, { strides: 2, padding: 'same', name: `block${block}_pool` });
      x = g.addLayer([x, residual]);
    };
    entry(128, 2, false);
    entry(256, 3, true);
    entry(728, 4, true);

    for (let i = 0; i < 8; i++) {
      const residual = x;
      const p = `block${i + 5}`;
      for (let k = 1; k <= 3; k++) {
        x = g.activation(x, 'relu', `${p}_sepconv${k}_act`);
        x = g.separableConv2d(x, 728, 3, { padding: 'same', useBias: false, name: `${p}_sepconv${k}` });
        x = g.batchNorm(x, { name: `${p}_sepconv${k}_bn` });
      }
      x = g.addLayer([x, residual]);
    }

    let residual = g.conv2d(x, 1024, 1, { strides: 2, padding: 'same', useBias: false });
    residual = g.batchNorm(residual);
    x = g.activation(x, 'relu', 'block13_sepconv1_act');
    x = g.separableConv2d(x, 728, 3, { padding: 'same', useBias: false, name: 'block13_sepconv1' });
    x = g.batchNorm(x, { name: 'block13_sepconv1_bn' });
    x = g.activation(x, 'relu', 'block13_sepconv2_act');
    x = g.separableConv2d(x, 1024, 3, { padding: 'same', useBias: false, name: 'block13_sepconv2' });
    x = g.batchNorm(x, { name: 'block13_sepconv2_bn' });
    x = g.maxPool(x, 3, { strides: 2, padding: 'same', name: 'block13_pool' });
    x = g.addLayer([x, residual]);

    x = g.separableConv2d(x, 1536, 3, { padding: 'same', useBias: false, name: 'block14_sepconv1' });
    x = g.batchNorm(x, { name: 'block14_sepconv1_bn' });
    x = g.activation(x, 'relu', 'block14_sepconv1_act');
    x = g.separableConv2d(x, 2048, 3, { padding: 'same', useBias: false, name: 'block14_sepconv2' });
    x = g.batchNorm(x, { name: 'block14_sepconv2_bn' });
    x = g.activation(x, 'relu', 'block14_sepconv2_act');

    if (o.includeTop) {
      x = g.globalAvgPool(x, 'avg_pool');
      x = g.dense(x, o.classes, { activation: 'softmax', name: 'predictions' });
    } else {
      x = poolingTail(g, x, o);
    }
    return { graph: g, output: x };
  },
};

export const XCEPTION_APPS: ApplicationSpec[] = [XCEPTION];
