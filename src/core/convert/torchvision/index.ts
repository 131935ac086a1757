/**
 * torchvision classification architectures rebuilt from a state dict as ONNX graphs (opset 17), in eval mode:
 * BatchNormalization with the running statistics and torchvision's epsilon, Dropout and stochastic depth left out.
 *
 * Input `input` float32 [batch, 3, S, S] (NCHW, RGB, normalised as the weights' transforms do; S = the crop size of
 * the builder's default weights, 224 for all but EfficientNet); output `logits` [batch, num_classes]. The spatial
 * size is fixed (VGG/AlexNet need it for their adaptive pools to be the identity; fixed sizes keep shape inference,
 * simplify and quantize simple); the batch is dynamic unless a number is given.
 *
 * Every architecture is written from torchvision's own source (torchvision/models/*.py; each module says which
 * layers, keys, strides, paddings and epsilons it follows). Loading is strict, like `load_state_dict(strict=True)`:
 * a missing key, a key of another shape, or a key the architecture does not have is a 'mismatch' error naming it.
 */
import type { ModelProto } from '../../onnx/codec.js';
import { OmnihubError } from '../../errors.js';
import { DataType } from '../../onnx/tensor.js';
import type { StateDict } from '../../weights/types.js';
import { Net, type ArchSpec, type ExpectedTensor } from './layers.js';
import { RESNET_ARCHS } from './resnet.js';
import { MOBILENET_ARCHS } from './mobilenet.js';
import { SQUEEZENET_ARCHS } from './squeezenet.js';
import { SHUFFLENET_ARCHS } from './shufflenet.js';
import { MNASNET_ARCHS } from './mnasnet.js';
import { EFFICIENTNET_ARCHS } from './efficientnet.js';
import { ALEXNET_ARCHS, VGG_ARCHS } from './vgg.js';
import { DENSENET_ARCHS } from './densenet.js';
import { REGNET_ARCHS } from './regnet.js';
import { GOOGLENET_ARCHS } from './googlenet.js';
import { CONVNEXT_ARCHS } from './convnext.js';
import { INCEPTION_ARCHS } from './inception.js';

export type { ExpectedTensor } from './layers.js';

const SPECS: ReadonlyMap<string, ArchSpec> = new Map(
  [...RESNET_ARCHS, ...MOBILENET_ARCHS, ...SQUEEZENET_ARCHS, ...SHUFFLENET_ARCHS, ...MNASNET_ARCHS, ...EFFICIENTNET_ARCHS, ...VGG_ARCHS, ...ALEXNET_ARCHS, ...DENSENET_ARCHS, ...REGNET_ARCHS, ...GOOGLENET_ARCHS, ...INCEPTION_ARCHS, ...CONVNEXT_ARCHS].map((s) => [s.name, s]),
);

/** Builder names as in the torchvision catalog (`builder`). */
export const TORCHVISION_ARCHITECTURES: readonly string[] = [...SPECS.keys()];

export interface TorchvisionBuildOptions {
  /** Default: the classifier weight's first dimension. */
  numClasses?: number;
  /** Default 'batch' (dynamic). */
  batch?: number | string;
  /**
   * GoogLeNet and Inception v3 only: torchvision's `transform_input` (default true, as its pretrained builders set it
   * for the weights ported from TensorFlow; false for a model trained with the class's default).
   */
  transformInput?: boolean;
  /**
   * Keys the architecture does not use: an error by default (as torch's strict loading); with `allowUnused` they are
   * listed in the report instead.
   */
  allowUnused?: boolean;
}

export interface TorchvisionBuildReport {
  arch: string;
  /** Learnable parameters (torchvision's `num_params`: weights and biases, not BatchNorm running statistics). */
  parameters: number;
  unusedWeights: string[];
  notes: string[];
}

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

function specOf(arch: string): ArchSpec {
  const name = arch.trim().replace(/^torchvision:/i, '').toLowerCase();
  const spec = SPECS.get(name);
  if (!spec) {
    throw new OmnihubError('unsupported', `torchvision architecture '${arch}' is not supported; supported: ${TORCHVISION_ARCHITECTURES.join(', ')}.`);
  }
  return spec;
}

/** The tensors with a DataParallel `module.` prefix removed when every key has it. */
function stripModulePrefix(tensors: StateDict): { tensors: StateDict; stripped: boolean } {
  const keys = [...tensors.keys()];
  if (!keys.length || !keys.every((k) => k.startsWith('module.'))) return { tensors, stripped: false };
  return { tensors: new Map(keys.map((k) => [k.slice('module.'.length), tensors.get(k)!])), stripped: true };
}

function preprocessing(spec: ArchSpec): Record<string, string> {
  const mean = spec.mean ?? IMAGENET_MEAN;
  const std = spec.std ?? IMAGENET_STD;
  const size = spec.imageSize;
  return {
    preprocessing:
      `RGB, resize ${spec.resize} → center crop ${size} (${spec.interpolation}; resize size per weights: see the catalog's weights ` +
      `transforms, these are the builder's default weights'), scale to [0,1], normalize mean [${mean.join(',')}] std [${std.join(',')}]; NCHW float32`,
    'preprocessing.resize': String(spec.resize),
    'preprocessing.crop': String(size),
    'preprocessing.interpolation': spec.interpolation,
    'preprocessing.mean': mean.join(','),
    'preprocessing.std': std.join(','),
    'preprocessing.layout': 'NCHW RGB float32 in [0,1] before normalization',
  };
}

/**
 * Builds `arch` from `tensors` (a torchvision state dict, as torch.save(model.state_dict()) writes it).
 * Throws OmnihubError 'unsupported' for an architecture not built here, 'mismatch' for weights that do not fit.
 */
export function buildTorchvisionModel(arch: string, tensors: StateDict, options: TorchvisionBuildOptions = {}): { model: ModelProto; report: TorchvisionBuildReport } {
  const spec = specOf(arch);
  const notes: string[] = [];
  const { tensors: sd, stripped } = stripModulePrefix(tensors);
  if (stripped) notes.push("removed the 'module.' prefix (a DataParallel state dict) from every key");

  const net = new Net(spec.name, sd);
  net.transformInput = options.transformInput ?? true;
  const legacy = spec.legacyKeys?.(sd);
  if (legacy) {
    net.keyOf = legacy;
    notes.push("the file uses torchvision's old DenseNet layer names (norm.1, conv.1 …), renamed as torchvision's loader does");
  }
  const classifier = sd.get(net.keyOf(spec.classifierKey));
  const numClasses = options.numClasses ?? classifier?.shape[0] ?? 1000;
  if (!Number.isSafeInteger(numClasses) || numClasses < 1) throw new OmnihubError('usage', `numClasses must be a positive integer, got ${numClasses}.`);
  const batch = options.batch ?? 'batch';

  const input = net.input(batch, spec.imageSize);
  const logits = spec.build(net, input, numClasses);
  net.b.output(logits.name, 'logits', DataType.FLOAT, [batch, numClasses]);

  const trainingOnly = [...sd.keys()].filter((k) => !net.used.has(k) && spec.trainingOnlyKeys?.test(k));
  if (trainingOnly.length) notes.push(`${trainingOnly.length} tensor(s) of training-only modules (${[...new Set(trainingOnly.map((k) => k.split('.')[0]))].join(', ')}) left out, as torchvision does in eval mode`);
  const unusedWeights = [...sd.keys()].filter((k) => !net.used.has(k) && !spec.trainingOnlyKeys?.test(k));
  if (unusedWeights.length && !options.allowUnused) {
    const t = sd.get(unusedWeights[0])!;
    throw new OmnihubError(
      'mismatch',
      `The weights do not fit ${spec.name}: key '${unusedWeights[0]}' (shape [${t.shape.join(', ')}]) is not part of ${spec.name}` +
        (unusedWeights.length > 1 ? ` (${unusedWeights.length} such keys)` : '') + '.',
    );
  }
  if (unusedWeights.length) notes.push(`${unusedWeights.length} tensor(s) in the file are not used by ${spec.name}, e.g. '${unusedWeights[0]}'`);
  for (const dtype of net.convertedDtypes) notes.push(`${dtype} weights were converted to float32`);
  if (spec.eps !== undefined) notes.push(`BatchNormalization in eval mode with the running statistics, epsilon ${spec.eps}`);
  notes.push('Dropout (and stochastic depth) left out: eval mode');
  if (spec.hasTransformInput) {
    notes.push(net.transformInput
      ? "transform_input on, as torchvision's pretrained builder sets it: the normalised input is mapped to (x − 0.5) / 0.5 per channel inside the model"
      : 'transform_input off: the model takes the normalised input as it is');
  }
  notes.push(...(spec.notes ?? []));
  if (spec.name.startsWith('vgg') || spec.name === 'alexnet') {
    notes.push(`AdaptiveAvgPool2d(${spec.name === 'alexnet' ? '(6, 6)' : '(7, 7)'}) is the identity for the fixed ${spec.imageSize}×${spec.imageSize} input and is left out`);
  }
  if (net.parameters * 4 >= 2 ** 31) notes.push(`${net.parameters} float32 parameters exceed protobuf's 2 GiB limit for a single .onnx file: save it with external data`);
  notes.push(`input fixed to ${spec.imageSize}×${spec.imageSize} (the default weights' crop); batch ${typeof batch === 'number' ? `fixed to ${batch}` : 'dynamic'}`);

  const metadata: Record<string, string> = {
    'torchvision.architecture': spec.name,
    'torchvision.source': spec.source,
    'torchvision.num_classes': String(numClasses),
    'torchvision.parameters': String(net.parameters),
    ...(spec.hasTransformInput ? { 'torchvision.transform_input': String(net.transformInput) } : {}),
    ...preprocessing(spec),
  };
  const model = net.b.build(metadata, `torchvision ${spec.name} rebuilt from a state dict by omnihub (eval mode)`);
  return { model, report: { arch: spec.name, parameters: net.parameters, unusedWeights, notes } };
}

const expectedCache = new Map<string, ExpectedTensor[]>();

/**
 * Every tensor `arch` reads from a state dict, in build order, with its shape (num_batches_tracked as optional
 * int64 scalars, as torch saves them). Built by running the architecture without weights.
 */
export function torchvisionExpectedTensors(arch: string, numClasses = 1000): ExpectedTensor[] {
  const spec = specOf(arch);
  const cacheKey = `${spec.name}/${numClasses}`;
  let list = expectedCache.get(cacheKey);
  if (!list) {
    const net = new Net(spec.name, undefined);
    spec.build(net, net.input('batch', spec.imageSize), numClasses);
    list = net.expected;
    expectedCache.set(cacheKey, list);
  }
  return list.map((t) => ({ ...t, shape: [...t.shape] }));
}

/** Learnable parameters of `arch` (torchvision's `num_params`) for `numClasses` classes. */
export function torchvisionParameterCount(arch: string, numClasses = 1000): number {
  return torchvisionExpectedTensors(arch, numClasses).reduce((n, t) => (t.kind === 'param' ? n + t.shape.reduce((a, d) => a * d, 1) : n), 0);
}

/** Preprocessing facts of `arch`'s default weights (input size, resize, mean/std). */
export function torchvisionInputSpec(arch: string): { imageSize: number; resize: number; interpolation: string; mean: number[]; std: number[] } {
  const spec = specOf(arch);
  return { imageSize: spec.imageSize, resize: spec.resize, interpolation: spec.interpolation, mean: spec.mean ?? IMAGENET_MEAN, std: spec.std ?? IMAGENET_STD };
}

/**
 * The architecture whose keys and shapes the state dict matches exactly (the classifier's class count may differ),
 * for preselecting one in the UI; undefined when none does.
 */
export function guessTorchvisionArchitecture(tensors: StateDict): string | undefined {
  const { tensors: sd } = stripModulePrefix(tensors);
  const keys = [...sd.keys()].filter((k) => !k.endsWith('num_batches_tracked'));
  for (const spec of SPECS.values()) {
    const required = spec.trainingOnlyKeys ? keys.filter((k) => !spec.trainingOnlyKeys!.test(k)) : keys;
    const keyOf = spec.legacyKeys?.(sd) ?? ((k: string) => k);
    const classifier = sd.get(keyOf(spec.classifierKey));
    if (!classifier) continue;
    const expected = torchvisionExpectedTensors(spec.name, classifier.shape[0]).filter((t) => !t.optional);
    if (expected.length !== required.length) continue;
    const fits = expected.every((e) => {
      const t = sd.get(keyOf(e.name));
      return t !== undefined && t.shape.length === e.shape.length && t.shape.every((d, i) => d === e.shape[i]);
    });
    if (fits) return spec.name;
  }
  return undefined;
}
