/**
 * What every Keras Applications builder shares: the resolved arguments and the `include_top` / `pooling` tail.
 */
import { OmnihubError } from '../../errors.js';
import type { KerasGraph, KTensor } from './graph.js';

export interface ResolvedOptions {
  includeTop: boolean;
  pooling: 'avg' | 'max' | null;
  classes: number;
  /** [rows, cols, 3], channels last. */
  inputShape: [number, number, number];
  alpha: number;
  /** 'imagenet' or null, as the builder's `weights` argument (only EfficientNet's graph depends on it). */
  weights: 'imagenet' | null;
}

export interface ApplicationSpec {
  /** Catalog key (lower case): 'vgg16', 'resnet50_v2', 'efficientnet_b0', … */
  key: string;
  /** The keras.applications builder: 'VGG16', 'ResNet50V2', … */
  builder: string;
  /** Default input size (imagenet_utils.obtain_input_shape's default_size). */
  defaultSize: number;
  /** obtain_input_shape's min_size. */
  minSize: number;
  preprocessing: { mode: 'caffe' | 'tf' | 'torch' | 'none'; description: string };
  /** Keras source the builder follows. */
  source: string;
  build(opts: ResolvedOptions): { graph: KerasGraph; output: KTensor };
  /**
   * The layer names the published weights file uses where they differ from the ones the builder gives (a function of
   * the model's layer name), and the form of its weight names.
   */
  fileNaming?: { layer?: (name: string) => string; weight?: 'keras2' | 'legacy-W_1'; note: string };
}

/** `include_top` head or `pooling` tail as most builders write it. */
export function poolingTail(g: KerasGraph, x: KTensor, o: ResolvedOptions, names: { avg?: string; max?: string } = {}): KTensor {
  if (o.pooling === 'avg') return g.globalAvgPool(x, names.avg);
  if (o.pooling === 'max') return g.globalMaxPool(x, names.max);
  return x;
}

export function checkSize(spec: { builder: string; minSize: number }, shape: [number, number, number]): void {
  if (shape[2] !== 3) throw new OmnihubError('usage', `${spec.builder}: the input must have 3 channels (got ${shape[2]}).`);
  if (shape[0] < spec.minSize || shape[1] < spec.minSize) {
    throw new OmnihubError('usage', `${spec.builder}: input width and height must be at least ${spec.minSize} (got ${shape[0]}×${shape[1]}).`);
  }
}

export const CAFFE = {
  mode: 'caffe' as const,
  description:
    "imagenet_utils.preprocess_input mode 'caffe': RGB → BGR, then subtract the ImageNet channel means [103.939, 116.779, 123.68] (B, G, R) from pixels in 0…255; no scaling.",
};
export const TF = {
  mode: 'tf' as const,
  description: "imagenet_utils.preprocess_input mode 'tf': pixels 0…255 scaled to −1…1 (x / 127.5 − 1), RGB.",
};
export const TORCH = {
  mode: 'torch' as const,
  description:
    "imagenet_utils.preprocess_input mode 'torch': pixels / 255, then (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] per RGB channel.",
};
