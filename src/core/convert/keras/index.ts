/**
 * Keras → ONNX (opset 17), layer by layer, from a KerasModelFile (any Keras reader's result): Sequential and
 * Functional models, nested models, shared layers, several inputs and outputs, in Keras 2 or Keras 3 form.
 *
 * Interface: inputs are named after the Keras input layers, outputs after the output layers (`output_<i>` where a
 * name would repeat); the batch is dynamic ('batch') unless a number is given. Channels-last image models keep
 * Keras's NHWC interface by default, NCHW (for rank-4/5 inputs and outputs) with `nchw: true`. Inside, values are
 * held channels first for Conv/Pool and the layout is tracked (layout.ts), so a Conv → BN → ReLU → Conv → Pool →
 * Flatten → Dense chain has one Transpose after the input and one before Flatten (Keras's element order).
 *
 * Keras 2 vs 3 semantics follow `file.kerasVersion` (hard_sigmoid; bilinear up-sampling before 2.4). A layer that
 * is not one of Keras's built-in layers listed in SUPPORTED_KERAS_LAYERS is an 'unsupported' error naming it, its
 * class and its model, before anything is built.
 */
import type { ModelProto } from '../../onnx/codec.js';
import { OmnihubError } from '../../errors.js';
import type { KerasLayerConfig, KerasModelFile } from '../../formats/keras/types.js';
import { KERAS_BUILTIN_LAYERS } from '../../formats/keras/custom-layers.js';
import { GraphBuilder } from '../onnx-builder.js';
import { Ctx, type LayerConverter } from './context.js';
import { CORE_LAYERS } from './core-layers.js';
import { CONV_LAYERS } from './conv.js';
import { POOLING_LAYERS } from './pooling.js';
import { NORMALIZATION_LAYERS } from './normalization.js';
import { MERGE_LAYERS } from './merge.js';
import { RESHAPING_LAYERS } from './reshaping.js';
import { RECURRENT_CLASSES, RECURRENT_LAYERS } from './recurrent.js';
import { callModel, graphInputs, graphOutputs, modelInputs, outputNames, reserveNames, type WalkEnv } from './model-graph.js';
import { isModel, layerName, MODEL_CLASSES, modelLayers, planWeights } from './weights.js';

export { KERAS_ACTIVATIONS } from './activations.js';

export interface KerasConvertOptions {
  /** NCHW model interface for channels-last image models (rank-4/5 inputs and outputs); default false (NHWC, as Keras). */
  nchw?: boolean;
  /** The architecture (a model config) for a weights-only file, or to use instead of the file's. */
  architecture?: KerasLayerConfig;
  /** Default 'batch' (dynamic). */
  batch?: number | string;
}

export interface KerasConvertReport {
  /** Layers converted (a shared layer once; nested models' layers counted, the models themselves not). */
  layers: number;
  /** Weight values used (moving statistics included, as Keras's count_params). */
  parameters: number;
  /** Layers converted, by class. */
  converted: Record<string, number>;
  notes: string[];
}

const REGISTRY: Record<string, LayerConverter> = {
  ...CORE_LAYERS,
  ...CONV_LAYERS,
  ...POOLING_LAYERS,
  ...NORMALIZATION_LAYERS,
  ...MERGE_LAYERS,
  ...RESHAPING_LAYERS,
  ...RECURRENT_LAYERS,
};

const WRAPPERS = new Set(['TimeDistributed', 'Bidirectional']);

/** Every Keras layer class the converter takes (aliases included), plus InputLayer, model classes and wrappers. */
export const SUPPORTED_KERAS_LAYERS: readonly string[] = [...new Set(['InputLayer', ...MODEL_CLASSES, ...WRAPPERS, ...Object.keys(REGISTRY)])].sort();

interface Unknown { name: string; cls: string; model: string; module?: string | null; registered?: string | null }

const KERAS_MODULE = /^(keras|tf_keras|tensorflow)(\.|$)/;

/** A class Keras itself defines (else a custom class: QKeras, keras_hub, the user's own). */
const isKerasBuiltin = (u: Unknown): boolean =>
  KERAS_BUILTIN_LAYERS.has(u.cls)
  && !(typeof u.module === 'string' && !KERAS_MODULE.test(u.module))
  && !(typeof u.registered === 'string' && u.registered !== u.cls && !/^keras[>.]/.test(u.registered));

/** Every layer of the config (nested models and wrapped layers included) that the converter does not take. */
function unsupportedLayers(model: KerasLayerConfig, modelName: string): Unknown[] {
  const out: Unknown[] = [];
  const check = (l: KerasLayerConfig, owner: string, wrapperName?: string): void => {
    if (isModel(l)) {
      for (const inner of modelLayers(l) ?? []) check(inner, layerName(l) || owner);
      return;
    }
    const name = wrapperName ?? layerName(l);
    if (WRAPPERS.has(l.class_name)) {
      const inner = (l.config ?? {}).layer as KerasLayerConfig | undefined;
      if (!inner?.class_name) out.push({ name, cls: l.class_name, model: owner });
      else if (l.class_name === 'Bidirectional' && !RECURRENT_CLASSES.includes(inner.class_name)) {
        out.push({ name: `${name}/${layerName(inner)}`, cls: inner.class_name, model: owner, module: inner.module, registered: inner.registered_name });
      } else check(inner, owner, `${name}/${layerName(inner)}`);
      return;
    }
    if (l.class_name === 'InputLayer' || REGISTRY[l.class_name]) return;
    out.push({ name, cls: l.class_name, model: owner, module: l.module, registered: l.registered_name });
  };
  for (const l of modelLayers(model) ?? []) check(l, modelName);
  return out;
}

function unsupportedMessage(found: Unknown[]): string {
  const custom = found.filter((u) => !isKerasBuiltin(u));
  const builtin = found.filter((u) => isKerasBuiltin(u));
  const describe = (us: Unknown[]) => us.slice(0, 12).map((u) => `'${u.name}' (${u.cls})`).join(', ') + (us.length > 12 ? `, and ${us.length - 12} more` : '');
  const models = [...new Set(found.map((u) => u.model))].map((m) => `'${m}'`).join(', ');
  const modules = [...new Set(custom.map((u) => u.module).filter((m): m is string => !!m && !m.startsWith('keras')))];
  const parts: string[] = [];
  if (custom.length) {
    parts.push(`${custom.length === 1 ? 'layer' : 'layers'} ${describe(custom)} in model ${models} ${custom.length === 1 ? 'is a custom layer' : 'are custom layers'}${modules.length ? ` (from ${modules.join(', ')})` : ''}`);
  }
  if (builtin.length) {
    const why = builtin.some((u) => /Lambda/.test(u.cls)) ? ' (Lambda layers hold Python code)' : '';
    parts.push(`${builtin.length === 1 ? 'layer' : 'layers'} ${describe(builtin)} in model ${models} ${builtin.length === 1 ? 'is a Keras layer' : 'are Keras layers'} Omnihub does not convert${why}`);
  }
  const list = SUPPORTED_KERAS_LAYERS.filter((c) => !/^(Convolution|Deconvolution|MaxPool\d|AvgPool|GlobalMaxPool\d|GlobalAvgPool)/.test(c));
  return `${parts.join('; ')}; Omnihub converts Keras's built-in layers: ${list.join(', ')}.`;
}

function parseVersion(file: KerasModelFile, config: KerasLayerConfig): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(file.kerasVersion ?? '');
  if (m) return [Number(m[1]), Number(m[2])];
  if (file.format === 'keras-zip' || config.module !== undefined) return [3, 0];
  return [2, 0];
}

export function convertKerasModel(file: KerasModelFile, options: KerasConvertOptions = {}): { model: ModelProto; report: KerasConvertReport } {
  const config = options.architecture ?? file.config;
  if (!config) {
    throw new OmnihubError('usage', `This is a weights-only Keras file (layers: ${file.layers.map((l) => l.layer).join(', ')}); its architecture must come from elsewhere (options.architecture: the model's JSON config).`);
  }
  const modelName = layerName(config) || 'model';
  if (!isModel(config)) {
    if (MODEL_CLASSES.has(config.class_name) || config.registered_name || config.module === null) {
      const reg = config.registered_name ? `, registered as '${config.registered_name}'` : '';
      throw new OmnihubError('unsupported', `model '${modelName}' is a custom model class (${config.class_name}${reg}): its layers are made by Python code and not listed in the config; Omnihub converts Sequential and Functional models.`);
    }
    throw new OmnihubError('unsupported', `'${modelName}' (${config.class_name}) is not a Keras model config (no layer list); Omnihub converts Sequential and Functional models.`);
  }
  const unknown = unsupportedLayers(config, modelName);
  if (unknown.length) throw new OmnihubError('unsupported', unsupportedMessage(unknown));

  const version = parseVersion(file, config);
  const plan = planWeights(file, config, options.architecture !== undefined);
  const b = new GraphBuilder({ opset: 17, graphName: modelName, producerName: 'omnihub', producerVersion: 'keras2onnx' });
  const cx = new Ctx(b, version, plan.lookup);
  let nchw = options.nchw ?? false;
  if (nchw && usesChannelsFirst(config)) {
    nchw = false;
    cx.note('The model is channels_first already: its interface is Keras\'s own (nchw ignored).');
  }
  const env: WalkEnv = { cx, registry: REGISTRY, nchw, batch: options.batch ?? 'batch', seen: new Set() };

  const inputs = modelInputs(config);
  const tensors = graphInputs(env, inputs);
  const functional = !Array.isArray(config.config) && (config.config as { output_layers?: unknown }).output_layers !== undefined;
  const outCount = functional ? outputCount(config) : 1;
  const names = outputNames(config, outCount, new Set(inputs.map((i) => i.name)));
  reserveNames(env, names);
  const outputs = callModel(env, config, [], tensors);
  graphOutputs(env, outputs, names);

  if (options.architecture) cx.note(`Weights matched to the architecture ${plan.mode === 'name' ? 'by layer name' : 'by position (no layer name matched)'}.`);
  const unused = file.layers.filter((l) => l.weights.length && !plan.used.has(l.layer)).map((l) => l.layer);
  if (unused.length) cx.note(`Weights in the file that no layer used: ${unused.join(', ')}.`);
  if (cx.transposes) cx.note(`${cx.transposes} layout Transpose(s) between channels-last and channels-first values.`);
  const metadata: Record<string, string> = { source_format: `keras ${file.kerasVersion ?? version.join('.')}`, keras_model: modelName };
  const model = b.build(metadata);
  return { model, report: { layers: cx.layers, parameters: cx.parameters, converted: cx.converted, notes: cx.notes } };
}

function usesChannelsFirst(model: KerasLayerConfig): boolean {
  return (modelLayers(model) ?? []).some((l) => (isModel(l) ? usesChannelsFirst(l) : (l.config ?? {}).data_format === 'channels_first'));
}

function outputCount(config: KerasLayerConfig): number {
  const v = (config.config as { output_layers?: unknown }).output_layers;
  const isRef = (x: unknown) => Array.isArray(x) && typeof x[0] === 'string';
  if (isRef(v)) return 1;
  if (Array.isArray(v)) return v.filter(isRef).length;
  if (v && typeof v === 'object') return Object.values(v).length;
  return 0;
}
