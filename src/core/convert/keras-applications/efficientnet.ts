/**
 * EfficientNetB0 … B7 as keras/applications/efficientnet.py builds them (Keras 2.x, keras-team/keras @ b00b4b46).
 *
 * The preprocessing is inside the model: Rescaling(1/255) 'rescaling', Normalization(axis 3) 'normalization' (weights
 * mean [3], variance [3], count [] int64 — the published files hold mean = ImageNet RGB means and variance = the
 * standard deviations, not their squares), and with `weights='imagenet'` a third Rescaling(1/√[0.229, 0.224, 0.225])
 * 'rescaling_1' that undoes that (tensorflow/tensorflow#49930). With `weights=None` Keras leaves that layer out, so
 * the default here is `weights: 'imagenet'` — the graph the published weights need.
 *
 * Stem: ZeroPadding2D correct_pad 'stem_conv_pad', Conv2D round_filters(32) 3×3/2 'valid' no bias 'stem_conv', BN
 * 'stem_bn' (ε 1e-3), Activation swish 'stem_activation'. Blocks `block{stage}{a,b,…}_`: 1×1 'expand_conv' + 'expand_bn'
 * + 'expand_activation' (expand ratio ≠ 1), 'dwconv_pad' (stride 2), DepthwiseConv2D 'dwconv' + 'bn' + 'activation',
 * squeeze-excite ('se_squeeze' GAP, 'se_reshape', Conv2D 'se_reduce' swish with bias, Conv2D 'se_expand' sigmoid with
 * bias, Multiply 'se_excite'), 1×1 'project_conv' + 'project_bn', and for identity blocks Dropout 'drop' (rate
 * 0.2·b/blocks, noise_shape (None,1,1,1)) + Add 'add'. Top: 1×1 'top_conv' round_filters(1280), 'top_bn',
 * 'top_activation'; include_top: GAP 'avg_pool', Dropout 'top_dropout', Dense 'predictions'.
 */
import { KerasGraph, correctPad, varianceScaling, type KTensor } from './graph.js';
import { poolingTail, type ApplicationSpec, type ResolvedOptions } from './common.js';

const CONV_INIT = varianceScaling(2.0, 'fan_out', 'truncated_normal');
const DENSE_INIT = varianceScaling(1.0 / 3.0, 'fan_out', 'uniform');

interface BlockArgs {
  kernel: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  strides: number;
  seRatio: number;
}

const DEFAULT_BLOCKS_ARGS: BlockArgs[] = [
  { kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, strides: 1, seRatio: 0.25 },
  { kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, strides: 1, seRatio: 0.25 },
  { kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, strides: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, strides: 1, seRatio: 0.25 },
];

/** IMAGENET_STDDEV_RGB and `1.0 / tf.math.sqrt(...)` in float32, as the tensor Keras stores as the Rescaling scale. */
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225];
export const EFFICIENTNET_STD_RESCALE = IMAGENET_STDDEV_RGB.map((s) => Math.fround(1 / Math.fround(Math.sqrt(Math.fround(s)))));

function block(
  g: KerasGraph,
  inputs: KTensor,
  dropRate: number,
  name: string,
  a: { filtersIn: number; filtersOut: number; kernel: number; strides: number; expandRatio: number; seRatio: number },
): KTensor {
  const filters = a.filtersIn * a.expandRatio;
  let x = inputs;
  if (a.expandRatio !== 1) {
    x = g.conv2d(inputs, filters, 1, { padding: 'same', useBias: false, kernelInitializer: CONV_INIT, name: `${name}expand_conv` });
    x = g.batchNorm(x, { name: `${name}expand_bn` });
    x = g.activation(x, 'swish', `${name}expand_activation`);
  }
  let pad: 'same' | 'valid' = 'same';
  if (a.strides === 2) {
    x = g.zeroPadding(x, correctPad(x.shape, a.kernel), `${name}dwconv_pad`);
    pad = 'valid';
  }
  x = g.depthwiseConv2d(x, a.kernel, { strides: a.strides, padding: pad, useBias: false, kernelInitializer: CONV_INIT, name: `${name}dwconv` });
  x = g.batchNorm(x, { name: `${name}bn` });
  x = g.activation(x, 'swish', `${name}activation`);
  if (a.seRatio > 0 && a.seRatio <= 1) {
    const filtersSe = Math.max(1, Math.trunc(a.filtersIn * a.seRatio));
    let se = g.globalAvgPool(x, `${name}se_squeeze`);
    se = g.reshape(se, [1, 1, filters], `${name}se_reshape`);
    se = g.conv2d(se, filtersSe, 1, { padding: 'same', activation: 'swish', kernelInitializer: CONV_INIT, name: `${name}se_reduce` });
    se = g.conv2d(se, filters, 1, { padding: 'same', activation: 'sigmoid', kernelInitializer: CONV_INIT, name: `${name}se_expand` });
    x = g.multiply([x, se], `${name}se_excite`);
  }
  x = g.conv2d(x, a.filtersOut, 1, { padding: 'same', useBias: false, kernelInitializer: CONV_INIT, name: `${name}project_conv` });
  x = g.batchNorm(x, { name: `${name}project_bn` });
  if (a.strides === 1 && a.filtersIn === a.filtersOut) {
    if (dropRate > 0) x = g.dropout(x, dropRate, { noiseShape: [null, 1, 1, 1], name: `${name}drop` });
    x = g.addLayer([x, inputs], `${name}add`);
  }
  return x;
}

function efficientnet(variant: number, width: number, depth: number, size: number, dropoutRate: number): ApplicationSpec {
  const modelName = `efficientnetb${variant}`;
  return {
    key: `efficientnet_b${variant}`,
    builder: `EfficientNetB${variant}`,
    defaultSize: size,
    minSize: 32,
    preprocessing: {
      mode: 'none',
      description:
        'Inside the model (Rescaling 1/255, Normalization with the ImageNet mean/std, Rescaling 1/√std): feed RGB pixels in 0…255; efficientnet.preprocess_input is a pass-through.',
    },
    source: 'keras/applications/efficientnet.py',
    build(o: ResolvedOptions) {
      const divisor = 8;
      const roundFilters = (filters: number): number => {
        const f = filters * width;
        let n = Math.max(divisor, Math.floor(Math.trunc(f + divisor / 2) / divisor) * divisor);
        if (n < 0.9 * f) n += divisor;
        return Math.trunc(n);
      };
      const roundRepeats = (r: number): number => Math.ceil(depth * r);
      const g = new KerasGraph(modelName);
      let x = g.input(o.inputShape);
      x = g.rescaling(x, 1.0 / 255.0);
      x = g.normalization(x);
      if (o.weights === 'imagenet') x = g.rescaling(x, [...EFFICIENTNET_STD_RESCALE]);
      x = g.zeroPadding(x, correctPad(x.shape, 3), 'stem_conv_pad');
      x = g.conv2d(x, roundFilters(32), 3, { strides: 2, padding: 'valid', useBias: false, kernelInitializer: CONV_INIT, name: 'stem_conv' });
      x = g.batchNorm(x, { name: 'stem_bn' });
      x = g.activation(x, 'swish', 'stem_activation');
      let b = 0;
      const blocks = DEFAULT_BLOCKS_ARGS.reduce((s, a) => s + roundRepeats(a.repeats), 0);
      DEFAULT_BLOCKS_ARGS.forEach((args, i) => {
        const a = { ...args, filtersIn: roundFilters(args.filtersIn), filtersOut: roundFilters(args.filtersOut) };
        const n = roundRepeats(args.repeats);
        for (let j = 0; j < n; j++) {
          if (j > 0) {
            a.strides = 1;
            a.filtersIn = a.filtersOut;
          }
          x = block(g, x, (0.2 * b) / blocks, `block${i + 1}${String.fromCharCode(j + 97)}_`, a);
          b++;
        }
      });
      x = g.conv2d(x, roundFilters(1280), 1, { padding: 'same', useBias: false, kernelInitializer: CONV_INIT, name: 'top_conv' });
      x = g.batchNorm(x, { name: 'top_bn' });
      x = g.activation(x, 'swish', 'top_activation');
      if (o.includeTop) {
        x = g.globalAvgPool(x, 'avg_pool');
        if (dropoutRate > 0) x = g.dropout(x, dropoutRate, { name: 'top_dropout' });
        x = g.dense(x, o.classes, { activation: 'softmax', kernelInitializer: DENSE_INIT, name: 'predictions' });
      } else {
        x = poolingTail(g, x, o, { avg: 'avg_pool', max: 'max_pool' });
      }
      return { graph: g, output: x };
    },
  };
}

export const EFFICIENTNET_APPS: ApplicationSpec[] = [
  efficientnet(0, 1.0, 1.0, 224, 0.2),
  efficientnet(1, 1.0, 1.1, 240, 0.2),
  efficientnet(2, 1.1, 1.2, 260, 0.3),
  efficientnet(3, 1.2, 1.4, 300, 0.3),
  efficientnet(4, 1.4, 1.8, 380, 0.4),
  efficientnet(5, 1.6, 2.2, 456, 0.4),
  efficientnet(6, 1.8, 2.6, 528, 0.5),
  efficientnet(7, 2.0, 3.1, 600, 0.5),
];
