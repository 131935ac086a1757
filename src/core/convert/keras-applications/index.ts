/**
 * Keras Applications architectures, written in TypeScript as the exact Keras 2.x `model.get_config()` of
 * `keras.applications.<Name>(include_top=…, weights=None | 'imagenet', pooling=…, classes=…, input_shape=…)`: a
 * Functional config (layers with class_name / config / name / inbound_nodes in Keras 2's nested-array form,
 * input_layers, output_layers) that the Keras → ONNX converter takes as `architecture` for a weights-only file such
 * as `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`.
 *
 * Each family module follows its Keras source layer by layer (names, strides, paddings, epsilons, activations,
 * biases, heads) and says which file and commit; graph.ts reproduces Keras's auto-naming, its `model.layers` order
 * (which is also the order `save_weights` writes) and each layer's weights.
 *
 * Differences from Keras's own defaults, on purpose:
 *  - `inputShape` defaults to the documented size also without the top (Keras builds (None, None, 3) there; a static
 *    size is what an ONNX export wants, and MobileNetV2/EfficientNet's `correct_pad` needs it);
 *  - `weights` defaults to 'imagenet' — the graph the published weights need. It only changes EfficientNet (its
 *    extra Rescaling 'rescaling_1'); `weights: null` gives the `weights=None` graph.
 */
import type { KerasLayerConfig } from '../../formats/keras/types.js';
import { OmnihubError } from '../../errors.js';
import { checkSize, type ApplicationSpec, type ResolvedOptions } from './common.js';
import { VGG_APPS } from './vgg.js';
import { RESNET_APPS } from './resnet.js';
import { MOBILENET_APPS } from './mobilenet.js';
import { INCEPTION_APPS } from './inception.js';
import { DENSENET_APPS } from './densenet.js';
import { EFFICIENTNET_APPS } from './efficientnet.js';
import { XCEPTION_APPS } from './xception.js';

const SPECS: readonly ApplicationSpec[] = [
  ...VGG_APPS,
  ...RESNET_APPS,
  ...MOBILENET_APPS,
  ...INCEPTION_APPS,
  ...DENSENET_APPS,
  ...EFFICIENTNET_APPS,
  ...XCEPTION_APPS,
];

/** Lower-case keys: 'vgg16', 'resnet50_v2', 'mobilenet_v2', 'inception_v3', 'densenet121', 'efficientnet_b0', … */
export const KERAS_APPLICATIONS: readonly string[] = SPECS.map((s) => s.key);

export interface KerasApplicationOptions {
  /** Default true. */
  includeTop?: boolean;
  /** Only without the top: 'avg' / 'max' global pooling at the end; default null (the 4-D feature map). */
  pooling?: 'avg' | 'max' | null;
  /** Default 1000. */
  classes?: number;
  /** [rows, cols, 3], channels last; default the builder's documented size (224, 299 for Inception/Xception, …). */
  inputShape?: [number, number, number];
  /** MobileNet / MobileNetV2 width multiplier; default 1.0. */
  alpha?: number;
  /** The builder's `weights` argument: 'imagenet' (default) or null; only EfficientNet's graph depends on it. */
  weights?: 'imagenet' | null;
  /**
   * 'keras' (default): layer names as tf.keras / Keras ≥ 2.3 gives them. 'file': as the published weights file names
   * them, where that differs — InceptionV3's auto names counted from 1 (`conv2d_1` for `conv2d`, as Keras 2.0–2.2
   * named them), the ResNet files' classifier 'probs' — so that a converter matching weights by layer name finds them.
   * Elsewhere both are the same.
   */
  layerNames?: 'keras' | 'file';
}

function normaliseKey(name: string): string {
  return name.trim().replace(/^keras:/i, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_KEY = new Map<string, ApplicationSpec>();
for (const s of SPECS) {
  BY_KEY.set(normaliseKey(s.key), s);
  BY_KEY.set(normaliseKey(s.builder), s);
}

function specOf(name: string): ApplicationSpec {
  const spec = BY_KEY.get(normaliseKey(name));
  if (!spec) throw new OmnihubError('unsupported', `Keras application '${name}' is not built here; available: ${KERAS_APPLICATIONS.join(', ')}.`);
  return spec;
}

function resolve(spec: ApplicationSpec, o: KerasApplicationOptions = {}): ResolvedOptions {
  const includeTop = o.includeTop ?? true;
  const classes = o.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1) throw new OmnihubError('usage', `${spec.builder}: classes must be a positive integer (got ${classes}).`);
  const pooling = o.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') throw new OmnihubError('usage', `${spec.builder}: pooling must be 'avg', 'max' or null.`);
  const inputShape: [number, number, number] = o.inputShape ? [...o.inputShape] : [spec.defaultSize, spec.defaultSize, 3];
  if (!inputShape.every((d) => Number.isInteger(d) && d > 0)) throw new OmnihubError('usage', `${spec.builder}: inputShape must hold three positive integers.`);
  checkSize(spec, inputShape);
  const alpha = o.alpha ?? 1.0;
  if (!(alpha > 0)) throw new OmnihubError('usage', `${spec.builder}: alpha must be positive.`);
  if (o.alpha !== undefined && spec.key !== 'mobilenet' && spec.key !== 'mobilenet_v2') {
    throw new OmnihubError('usage', `${spec.builder} has no alpha (width multiplier); only MobileNet and MobileNetV2 do.`);
  }
  return { includeTop, pooling: includeTop ? null : pooling, classes, inputShape, alpha, weights: o.weights === null ? null : 'imagenet' };
}

const identity = (n: string): string => n;

/** The renaming `layerNames` asks for. */
function renamer(spec: ApplicationSpec, o: KerasApplicationOptions = {}): (name: string) => string {
  return o.layerNames === 'file' && spec.fileNaming?.layer ? spec.fileNaming.layer : identity;
}

/** The Keras 2.x `model.get_config()` of the application, as `{class_name: 'Functional', config}`. */
export function kerasApplicationConfig(name: string, options?: KerasApplicationOptions): KerasLayerConfig {
  const spec = specOf(name);
  const { graph, output } = spec.build(resolve(spec, options));
  return graph.toConfig(output, renamer(spec, options));
}

/** The model's output shape without the batch dimension (e.g. [7, 7, 2048] for ResNet50 without top at 224). */
export function kerasApplicationOutputShape(name: string, options?: KerasApplicationOptions): number[] {
  const spec = specOf(name);
  const { graph, output } = spec.build(resolve(spec, options));
  return graph.outputShape(output);
}

/** The Keras builder name for a key ('resnet50_v2' → 'ResNet50V2'). */
export function kerasApplicationBuilder(name: string): string {
  return specOf(name).builder;
}

/** What the model expects as input and how Keras's `preprocess_input` for it prepares images. */
export function kerasApplicationPreprocessing(name: string): { inputSize: [number, number, number]; mode: 'caffe' | 'tf' | 'torch' | 'none'; description: string } {
  const spec = specOf(name);
  return { inputSize: [spec.defaultSize, spec.defaultSize, 3], mode: spec.preprocessing.mode, description: spec.preprocessing.description };
}

export interface KerasApplicationWeight {
  /** As the weights file names it: `block1_conv1/kernel:0` (Keras 2) or `block1_conv1_W_1:0` (the VGG files). */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int64';
}

export interface KerasApplicationLayerWeights {
  /** The layer's name in the published weights file (its HDF5 group). */
  layer: string;
  /**
   * The layer's name in `kerasApplicationConfig` with the same options (differs from `layer` for InceptionV3's auto
   * names and ResNet's 'probs' unless `layerNames: 'file'`).
   */
  modelLayer: string;
  className: string;
  weights: KerasApplicationWeight[];
}

/**
 * The layers with weights, in the order the weights file stores them (= Keras's `model.layers` order, which
 * `save_weights` and Keras's positional `load_weights` use), each with its weights in `layer.weights` order
 * (trainable, then non-trainable: Conv kernel, bias; BatchNormalization gamma, beta, moving_mean, moving_variance;
 * Normalization mean, variance, count).
 *
 * Names, by default `naming: 'file'`, are those of the published Keras Applications files: Keras 2's
 * `<layer>/<variable>:0` (e.g. `conv1_conv/kernel:0`) except where a module documents otherwise — VGG16/VGG19 store
 * `<layer>_W_1:0` / `<layer>_b_1:0`; InceptionV3's file counts auto names from 1 (`conv2d_1` for the model's
 * `conv2d`); the ResNet files call the classifier 'probs'. `naming: 'keras2'` gives what a Keras 2 `save_weights` of
 * this very graph writes (layer names as in the config, `<layer>/<variable>:0`).
 *
 * Where the names come from: VGG — public readers of vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 index
 * `f['block1_conv1']['block1_conv1_W_1:0']`; InceptionV3 — `f['conv2d_1']['conv2d_1']['kernel:0']`; ResNet — a loader
 * of the …/keras-applications/resnet/ files reading `weights['conv1_conv']['conv1_conv']['kernel:0']` and
 * `weights['probs']['probs']['kernel:0']` (keras_applications' resnet_common named the classifier 'probs'). The other
 * families are assumed to carry the names their Keras source gives (Keras 2 `<layer>/<variable>:0`); not checked
 * against the files themselves (no file was downloaded).
 */
export function kerasApplicationWeights(
  name: string,
  options?: KerasApplicationOptions,
  naming: 'file' | 'keras2' = 'file',
): KerasApplicationLayerWeights[] {
  const spec = specOf(name);
  const { graph, output } = spec.build(resolve(spec, options));
  const fileNaming = naming === 'file' ? spec.fileNaming : undefined;
  const rename = renamer(spec, options);
  return graph.weights(output).map((l) => {
    const fileLayer = fileNaming?.layer ? fileNaming.layer(l.layer) : rename(l.layer);
    return {
      layer: fileLayer,
      modelLayer: rename(l.layer),
      className: l.className,
      weights: l.weights.map((w) => ({
        name: fileNaming?.weight === 'legacy-W_1' ? legacyName(fileLayer, w.name) : `${fileLayer}/${w.name}:0`,
        shape: w.shape,
        dtype: w.dtype,
      })),
    };
  });
}

function legacyName(layer: string, variable: string): string {
  const short = variable === 'kernel' ? 'W' : variable === 'bias' ? 'b' : variable;
  return `${layer}_${short}_1:0`;
}

/** Total parameter count (every weight, trainable or not), as `model.count_params()` / `summary()` reports it. */
export function kerasApplicationParameterCount(name: string, options?: KerasApplicationOptions): number {
  return kerasApplicationWeights(name, options, 'keras2').reduce(
    (n, l) => n + l.weights.reduce((m, w) => m + w.shape.reduce((a, b) => a * b, 1), 0),
    0,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Weights file names (the Keras Applications catalog, src/core/sources/keras/catalog.ts) → architecture + options.

const SIMPLE_FILES: ReadonlyArray<[RegExp, string]> = [
  [/^(vgg16|vgg19)_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5$/, '$1'],
  [/^(resnet50|resnet101|resnet152)_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5$/, '$1'],
  [/^(resnet50|resnet101|resnet152)v2_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5$/, '$1_v2'],
  [/^(inception_v3)_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5$/, '$1'],
  [/^(xception)_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5$/, '$1'],
  [/^(densenet121|densenet169|densenet201)_weights_tf_dim_ordering_tf_kernels(_notop)?\.h5$/, '$1'],
];

/**
 * The architecture and options a Keras Applications weights file was made for, from its file name (with or without
 * the catalog's folder, e.g. `mobilenet_v2/…`): `…_notop.h5` / `…_no_top.h5` → includeTop false;
 * `mobilenet_1_0_224_tf_no_top.h5` → alpha 1.0, input 224; `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5`
 * → alpha 0.35, input 96; `efficientnetb3_notop.h5` → EfficientNetB3 at 300; always `layerNames: 'file'` (the config
 * then names its layers as the file does). Undefined for a file whose architecture
 * is not built here (InceptionResNetV2, NASNet, MobileNetV3, EfficientNetV2, ConvNeXt) or an unknown name.
 */
export function kerasApplicationForWeightsFile(fileName: string): { name: string; options: KerasApplicationOptions } | undefined {
  const base = fileName.trim().replace(/^keras:/i, '').split('/').pop()!;
  for (const [re, key] of SIMPLE_FILES) {
    const m = re.exec(base);
    if (m) {
      const name = key.replace('$1', m[1]!);
      const spec = BY_KEY.get(normaliseKey(name))!;
      const s = spec.defaultSize;
      return { name: spec.key, options: { includeTop: m[2] === undefined, inputShape: [s, s, 3], layerNames: 'file' } };
    }
  }
  let m = /^mobilenet_(1_0|7_5|5_0|2_5)_(\d+)_tf(_no_top)?\.h5$/.exec(base);
  if (m) {
    const alpha = { '1_0': 1.0, '7_5': 0.75, '5_0': 0.5, '2_5': 0.25 }[m[1] as '1_0' | '7_5' | '5_0' | '2_5'];
    const rows = Number(m[2]);
    return { name: 'mobilenet', options: { includeTop: m[3] === undefined, alpha, inputShape: [rows, rows, 3], layerNames: 'file' } };
  }
  m = /^mobilenet_v2_weights_tf_dim_ordering_tf_kernels_(\d+(?:\.\d+)?)_(\d+)(_no_top)?\.h5$/.exec(base);
  if (m) {
    const rows = Number(m[2]);
    return { name: 'mobilenet_v2', options: { includeTop: m[3] === undefined, alpha: Number(m[1]), inputShape: [rows, rows, 3], layerNames: 'file' } };
  }
  m = /^efficientnetb([0-7])(_notop)?\.h5$/.exec(base);
  if (m) {
    const spec = BY_KEY.get(`efficientnetb${m[1]}`)!;
    const s = spec.defaultSize;
    return { name: spec.key, options: { includeTop: m[2] === undefined, inputShape: [s, s, 3], layerNames: 'file' } };
  }
  return undefined;
}
