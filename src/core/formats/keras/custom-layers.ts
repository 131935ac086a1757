/**
 * Finds the classes in a Keras model config that are not part of Keras itself (QKeras layers, a custom model
 * subclass, keras_hub layers, a custom activation function …): a converter that knows only Keras's own layers
 * must refuse those by name and place rather than fail somewhere inside.
 *
 * A class counts as custom when its `class_name` is not a built-in Keras 2 / tf.keras / Keras 3 layer or model, or
 * when its `module` (Keras 3) lies outside `keras.*`, or its `registered_name` names another package
 * (`qkeras>QDense`).
 */
import { isKerasContainer, kerasLayerName, kerasModelLayers } from './architecture-json.js';
import type { KerasLayerConfig } from './types.js';

export interface CustomClass {
  /** The class name as the config states it ('QDense', 'NestedDenseModel', an activation's name). */
  className: string;
  /** Where it is: 'model' for the model itself, 'model > dense_1', 'model > encoder > attention' … */
  path: string;
  kind: 'model' | 'layer' | 'activation';
  module?: string;
  registeredName?: string;
}

/** Keras 2 / tf.keras / Keras 3 layer and model classes (`keras.layers.*`, `keras.Model`, Keras 1 aliases). */
export const KERAS_BUILTIN_LAYERS: ReadonlySet<string> = new Set([
  // models
  'Sequential', 'Functional', 'Model',
  // core
  'InputLayer', 'Input', 'Dense', 'EinsumDense', 'Activation', 'Embedding', 'Masking', 'Lambda', 'Identity', 'Layer',
  'TFOpLambda', 'SlicingOpLambda', 'ClassMethod', 'InstanceMethod', 'InstanceProperty', 'Wrapper', 'DenseFeatures',
  'TorchModuleWrapper', 'JaxLayer', 'FlaxLayer', 'TFSMLayer', 'ReversibleEmbedding', 'TensorFlowOpLayer',
  // convolution
  'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose', 'Conv3DTranspose',
  'Convolution1D', 'Convolution2D', 'Convolution3D', 'Convolution1DTranspose', 'Convolution2DTranspose', 'Convolution3DTranspose',
  'Deconvolution2D', 'Deconvolution3D', 'AtrousConvolution1D', 'AtrousConvolution2D',
  'SeparableConv1D', 'SeparableConv2D', 'SeparableConvolution1D', 'SeparableConvolution2D',
  'DepthwiseConv1D', 'DepthwiseConv2D', 'LocallyConnected1D', 'LocallyConnected2D',
  'Cropping1D', 'Cropping2D', 'Cropping3D', 'UpSampling1D', 'UpSampling2D', 'UpSampling3D',
  'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D',
  // pooling
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'MaxPool1D', 'MaxPool2D', 'MaxPool3D', 'AvgPool1D', 'AvgPool2D', 'AvgPool3D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D',
  'GlobalMaxPool1D', 'GlobalMaxPool2D', 'GlobalMaxPool3D', 'GlobalAvgPool1D', 'GlobalAvgPool2D', 'GlobalAvgPool3D',
  'AdaptiveAveragePooling1D', 'AdaptiveAveragePooling2D', 'AdaptiveAveragePooling3D',
  'AdaptiveMaxPooling1D', 'AdaptiveMaxPooling2D', 'AdaptiveMaxPooling3D',
  // normalization
  'BatchNormalization', 'SyncBatchNormalization', 'LayerNormalization', 'GroupNormalization', 'UnitNormalization',
  'SpectralNormalization', 'RMSNormalization',
  // regularization
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianDropout', 'GaussianNoise',
  'AlphaDropout', 'ActivityRegularization',
  // reshaping
  'Reshape', 'Flatten', 'Permute', 'RepeatVector',
  // merging
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'Merge',
  // recurrent
  'RNN', 'SimpleRNN', 'LSTM', 'GRU', 'SimpleRNNCell', 'LSTMCell', 'GRUCell', 'StackedRNNCells', 'PeepholeLSTMCell',
  'AbstractRNNCell', 'Bidirectional', 'TimeDistributed', 'CuDNNLSTM', 'CuDNNGRU', 'ConvLSTM1D', 'ConvLSTM2D',
  'ConvLSTM3D', 'ConvLSTM1DCell', 'ConvLSTM2DCell', 'ConvLSTM3DCell', 'ConvRNN1D', 'ConvRNN2D', 'ConvRNN3D',
  // activation layers
  'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax',
  // attention
  'Attention', 'AdditiveAttention', 'MultiHeadAttention', 'GroupedQueryAttention',
  // preprocessing
  'Rescaling', 'Resizing', 'CenterCrop', 'Normalization', 'Discretization', 'CategoryEncoding', 'Hashing',
  'HashedCrossing', 'StringLookup', 'IntegerLookup', 'TextVectorization', 'RandomFlip', 'RandomRotation',
  'RandomZoom', 'RandomContrast', 'RandomTranslation', 'RandomCrop', 'RandomBrightness', 'RandomHeight',
  'RandomWidth', 'AutoContrast', 'RandomGrayscale', 'RandomHue', 'RandomSaturation', 'RandomSharpness',
  'RandomShear', 'RandomPosterization', 'RandomColorJitter', 'RandomColorDegeneration', 'RandomErasing',
  'RandomGaussianBlur', 'RandomInvert', 'RandomPerspective', 'RandomElasticTransform', 'Solarization',
  'Equalization', 'MixUp', 'CutMix', 'AugMix', 'RandAugment', 'MelSpectrogram', 'STFTSpectrogram', 'Pipeline',
  // Keras 1
  'Highway', 'MaxoutDense',
]);

/** Activation names Keras 2 / 3 resolve by string (`activation="relu"`). */
export const KERAS_BUILTIN_ACTIVATIONS: ReadonlySet<string> = new Set([
  'linear', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'softmax', 'softplus', 'softsign', 'tanh', 'elu', 'selu',
  'exponential', 'swish', 'silu', 'gelu', 'hard_silu', 'hard_swish', 'leaky_relu', 'log_softmax', 'mish',
  'log_sigmoid', 'sparse_plus', 'squareplus', 'celu', 'glu', 'hard_tanh', 'hard_shrink', 'soft_shrink',
  'tanh_shrink', 'threshold', 'sparsemax', 'sparse_sigmoid',
]);

const KERAS_MODULE = /^(keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras|tensorflow\.python\.keras\.engine)(\.|$)/;

/** Config keys that hold a serialized inner layer (wrappers and RNNs). */
const INNER_LAYER_KEYS = ['layer', 'cell', 'forward_layer', 'backward_layer'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSerializedObject(v: unknown): v is KerasLayerConfig {
  return isRecord(v) && typeof v.class_name === 'string' && (v.config === undefined || v.config === null || isRecord(v.config) || Array.isArray(v.config));
}

function customReason(obj: KerasLayerConfig): { module?: string; registeredName?: string } | undefined {
  const module = typeof obj.module === 'string' ? obj.module : undefined;
  const registeredName = typeof obj.registered_name === 'string' ? obj.registered_name : undefined;
  const builtinName = KERAS_BUILTIN_LAYERS.has(obj.class_name);
  const foreignModule = module !== undefined && !KERAS_MODULE.test(module);
  const foreignRegistration = registeredName !== undefined && registeredName !== obj.class_name && !/^keras[>.]/.test(registeredName);
  if (!builtinName || foreignModule || foreignRegistration) return { module, registeredName };
  return undefined;
}

function activationName(v: unknown): { name: string; module?: string; registeredName?: string } | undefined {
  if (typeof v === 'string') return { name: v };
  if (isRecord(v) && typeof v.class_name === 'string') {
    // Keras 3: {"module": "keras.activations", "class_name": "function", "config": "relu", "registered_name": "function"}
    const name = typeof v.config === 'string' ? v.config : v.class_name;
    return {
      name,
      module: typeof v.module === 'string' ? v.module : undefined,
      registeredName: typeof v.registered_name === 'string' ? v.registered_name : undefined,
    };
  }
  return undefined;
}

/** Every class in `config` that is not built into Keras, with where it sits, in config order. */
export function findCustomClasses(config: KerasLayerConfig): CustomClass[] {
  const found: CustomClass[] = [];
  const visitLayer = (layer: KerasLayerConfig, path: string, kind: 'model' | 'layer', depth: number): void => {
    if (depth > 64) return;
    const reason = customReason(layer);
    if (reason) found.push({ className: layer.class_name, path, kind, ...defined(reason) });
    const cfg = isRecord(layer.config) ? layer.config : {};
    // a custom layer's activation strings are its own business (QKeras: 'quantized_relu(6)')
    for (const key of reason ? [] : ['activation', 'recurrent_activation']) {
      const act = activationName(cfg[key]);
      if (!act) continue;
      const foreign = act.module !== undefined && !KERAS_MODULE.test(act.module);
      if (!KERAS_BUILTIN_ACTIVATIONS.has(act.name) || foreign) {
        found.push({ className: act.name, path: `${path} (${key})`, kind: 'activation', ...defined({ module: act.module, registeredName: act.registeredName }) });
      }
    }
    for (const key of INNER_LAYER_KEYS) {
      const inner = cfg[key];
      if (isSerializedObject(inner)) visitLayer(inner, `${path} > ${innerName(inner, key)}`, 'layer', depth + 1);
    }
    if (Array.isArray(cfg.cells)) {
      // StackedRNNCells
      cfg.cells.forEach((c, i) => {
        if (isSerializedObject(c)) visitLayer(c, `${path} > ${innerName(c, `cells[${i}]`)}`, 'layer', depth + 1);
      });
    }
    if (isKerasContainer(layer) || Array.isArray(cfg.layers)) {
      const layers = isKerasContainer(layer) ? kerasModelLayers(layer) : (cfg.layers as unknown[]).filter(isSerializedObject);
      for (const child of layers) {
        const name = kerasLayerName(child) || child.class_name;
        const childKind = Array.isArray(child.config?.layers) ? 'model' : 'layer';
        visitLayer(child, `${path} > ${name}`, childKind, depth + 1);
      }
    }
  };
  visitLayer(config, 'model', 'model', 0);
  return found;
}

function innerName(inner: KerasLayerConfig, key: string): string {
  const n = isRecord(inner.config) && typeof inner.config.name === 'string' ? inner.config.name : undefined;
  return n ?? key;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
