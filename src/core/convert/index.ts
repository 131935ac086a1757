/**
 * Conversions to ONNX: which converter a set of files needs, and running it. A Hugging Face folder (config.json with
 * a model_type + model.safetensors, a sharded index, or pytorch_model.bin) goes to the transformers builders; a
 * Keras file (HDF5 or .keras zip, told by content; a weights-only file with an architecture JSON beside it, or a
 * Keras Applications architecture named or recognised from the file name) to the Keras converter; a .tflite
 * flatbuffer to the TFLite converter; TensorFlow (a SavedModel folder, a TF Hub .tar.gz, a frozen .pb, a tfjs graph
 * model) frozen and converted; a single state dict (.pt/.pth/.bin or .safetensors) to a torchvision
 * architecture, named by the caller or recognised from its keys. Files are read lazily, so a caller hands over
 * library entries or files on disk the same way.
 */
import type { ModelProto } from '../onnx/codec.js';
import { OmnihubError } from '../errors.js';
import type { StateDict } from '../weights/types.js';
import { isTorchFile, readTorchFile } from '../formats/pytorch/index.js';
import { isSafetensors, readSafetensors } from '../formats/safetensors/read.js';
import { readShardedSafetensors } from '../formats/safetensors/sharded.js';
import { TORCHVISION_ARCHITECTURES, buildTorchvisionModel, guessTorchvisionArchitecture } from './torchvision/index.js';
import { SUPPORTED_MODEL_TYPES, buildTransformersModel, type TransformersBuildOptions } from './transformers/index.js';
import { readKerasFile } from '../formats/keras/read.js';
import { initHdf5 } from '../formats/hdf5/h5.js';
import { readKerasArchitecture } from '../formats/keras/architecture-json.js';
import type { KerasLayerConfig } from '../formats/keras/types.js';
import { convertKerasModel } from './keras/index.js';
import { KERAS_APPLICATIONS, kerasApplicationConfig, kerasApplicationForWeightsFile, kerasApplicationPreprocessing, type KerasApplicationOptions } from './keras-applications/index.js';
import { convertTflite } from './tflite/index.js';
import { isTflite } from '../formats/tflite/read.js';
import { sniffFormat } from '../formats/sniff.js';
import { summarizeModel } from '../onnx/summary.js';
import { convertTensorFlow } from './tensorflow-source.js';

/** A file of a conversion's source: a dropped file, a library entry's file, a file on disk. */
export interface SourceFile {
  /** Path inside the source (`config.json`, `model.safetensors`, `resnet18-f37072fd.pth`). */
  path: string;
  size: number;
  read(): Promise<Uint8Array>;
}

export type WeightsFormat = 'pytorch' | 'safetensors';
export type SourceFormat = WeightsFormat | 'keras-h5' | 'keras-zip' | 'tflite' | 'tensorflow';

export interface LoadedWeights {
  format: WeightsFormat;
  tensors: StateDict;
  notes: string[];
}

/** Reads a state dict from a PyTorch file or a safetensors file, told apart by content (not by extension). */
export function readWeights(bytes: Uint8Array, fileName: string): LoadedWeights {
  if (isSafetensors(bytes)) {
    const { tensors, metadata } = readSafetensors(bytes);
    const notes = Object.keys(metadata).length ? [`safetensors metadata: ${Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join(', ')}`] : [];
    return { format: 'safetensors', tensors, notes };
  }
  if (isTorchFile(bytes)) {
    const file = readTorchFile(bytes);
    const notes = [...file.notes];
    if (file.stateDictPath.length) notes.unshift(`the state dict is ${file.stateDictPath.map((k) => `['${k}']`).join('')} of the checkpoint`);
    return { format: 'pytorch', tensors: file.tensors, notes };
  }
  throw new OmnihubError('wrong-format', `${fileName} is neither a PyTorch file (torch.save zip or legacy pickle) nor a safetensors file.`);
}

export interface ConvertOptions {
  /**
   * The architecture of weights that carry none: `torchvision:NAME` (or `NAME`) for a state dict, `keras:NAME` (or
   * `NAME`) of the Keras Applications for a weights-only Keras file; ignored where the files say (a Hugging Face
   * config, a full Keras model, an architecture JSON given with the weights, a .tflite).
   */
  arch?: string;
  /** Keras Applications: with the classifier (default: as the weights file's name says, else true). */
  includeTop?: boolean;
  /** Keras and TFLite image models: an NCHW interface instead of the file's NHWC. */
  nchw?: boolean;
  /** TFLite int8 models: a float graph with dequantized weights instead of QDQ. */
  dequantize?: boolean;
  /** TensorFlow SavedModels: the signature to freeze (default serving_default, or the only one). */
  signature?: string;
  /** TensorFlow graphs: start at / end at these tensors ('Mfcc:0') instead of the signature's or the graph's. */
  tensorInputs?: string[];
  tensorOutputs?: string[];
  /** Transformers head, e.g. 'sequence-classification'. */
  task?: TransformersBuildOptions['task'];
  /** torchvision: number of classes (default: from the classifier's weight). */
  numClasses?: number;
  onProgress?: (phase: 'reading' | 'building') => void;
}

export interface ConvertReport {
  converter: 'torchvision' | 'transformers' | 'keras' | 'tflite' | 'tensorflow';
  architecture: string;
  /** Files read, and the format of the weights. */
  files: string[];
  weightsFormat: SourceFormat;
  parameters: number;
  /** Weights in the file that the architecture does not use. */
  unusedWeights: string[];
  notes: string[];
}

export interface ConvertResult {
  model: ModelProto;
  report: ConvertReport;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function findFile(files: SourceFile[], name: string): SourceFile | undefined {
  return files.find((f) => baseName(f.path) === name);
}

async function readJson(file: SourceFile): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await file.read()));
  } catch (e) {
    if (e instanceof OmnihubError) throw e;
    throw new OmnihubError('malformed', `${file.path} is not valid JSON.`);
  }
}

/** The weights of a Hugging Face folder: model.safetensors, a sharded index, or pytorch_model.bin. */
async function transformersWeights(files: SourceFile[]): Promise<{ weights: LoadedWeights; read: string[] }> {
  const single = findFile(files, 'model.safetensors');
  if (single) return { weights: readWeights(await single.read(), single.path), read: [single.path] };
  const index = findFile(files, 'model.safetensors.index.json');
  if (index) {
    const read = [index.path];
    const folder = index.path.slice(0, index.path.length - baseName(index.path).length);
    const { tensors, metadata } = await readShardedSafetensors(await readJson(index), async (shard) => {
      const file = files.find((f) => f.path === folder + shard);
      if (!file) throw new OmnihubError('not-found', `The sharded checkpoint needs ${shard}, which is not among the files.`);
      read.push(file.path);
      return file.read();
    });
    return { weights: { format: 'safetensors', tensors, notes: Object.keys(metadata).length ? [`index metadata: ${JSON.stringify(metadata)}`] : [] }, read };
  }
  const bin = findFile(files, 'pytorch_model.bin');
  if (bin) return { weights: readWeights(await bin.read(), bin.path), read: [bin.path] };
  throw new OmnihubError('not-found', 'The folder has a config.json but no model.safetensors, model.safetensors.index.json or pytorch_model.bin.');
}

const WEIGHT_FILE = /\.(pt|pth|bin|ckpt|tar|safetensors|h5|hdf5|keras|tflite)$/i;

const KERAS_FILE_NAME = /\.(h5|hdf5|keras)$/i;

/** A Keras file: HDF5, or a zip that is not a PyTorch archive (told apart by content). */
function isKerasFile(bytes: Uint8Array): boolean {
  const format = sniffFormat(bytes);
  return format === 'hdf5' || (format === 'zip' && !isTorchFile(bytes));
}

/** A Keras model config given as a separate JSON file (`model.to_json()`), if one of the files is that. */
async function architectureJson(files: SourceFile[], weights: SourceFile): Promise<{ file: SourceFile; config: KerasLayerConfig } | undefined> {
  for (const f of files) {
    if (f === weights || !/\.json$/i.test(f.path)) continue;
    const text = new TextDecoder().decode(await f.read());
    if (!/"class_name"/.test(text)) continue;
    return { file: f, config: readKerasArchitecture(text, f.path).config };
  }
  return undefined;
}

async function convertKeras(files: SourceFile[], file: SourceFile, bytes: Uint8Array, options: ConvertOptions): Promise<ConvertResult> {
  const keras = await readKerasFile(bytes, file.path);
  const read = [file.path];
  // A weights-only file gets its architecture below or the conversion stops with that advice, so the reader's note
  // asking for one is not repeated.
  const notes = keras.config ? [...keras.notes] : keras.notes.filter((n) => !n.startsWith('Weights only:'));
  let architecture: KerasLayerConfig | undefined;
  const own = keras.config;
  let name = own ? `${own.class_name} '${String(own.config.name ?? 'model')}'` : 'weights only';
  let application: string | undefined;
  const json = await architectureJson(files, file);
  if (json) {
    architecture = json.config;
    read.push(json.file.path);
    name = `the architecture in ${json.file.path}`;
  } else if (options.arch || !keras.config) {
    const requested = options.arch?.replace(/^keras:/i, '');
    const fromName = kerasApplicationForWeightsFile(file.path);
    const picked = requested ? { name: requested, options: { layerNames: 'file' } as KerasApplicationOptions } : fromName;
    if (!picked) {
      const layers = keras.layers.map((l) => l.layer);
      throw new OmnihubError('usage', `${file.path} holds weights only (layers with weights: ${layers.slice(0, 12).join(', ')}${layers.length > 12 ? ', …' : ''}): give its architecture JSON (model.to_json()) with it, or name its architecture if it is one of the Keras Applications: ${KERAS_APPLICATIONS.join(', ')}.`);
    }
    const appOptions: KerasApplicationOptions = { ...(fromName?.name === picked.name ? fromName.options : {}), ...picked.options };
    if (options.includeTop !== undefined) appOptions.includeTop = options.includeTop;
    architecture = kerasApplicationConfig(picked.name, appOptions);
    application = picked.name;
    name = `Keras Applications ${picked.name}${appOptions.includeTop === false ? ' without its top' : ''}`;
    if (!requested) notes.unshift(`architecture ${picked.name} recognised from the file name`);
  }
  options.onProgress?.('building');
  const { model, report } = convertKerasModel(keras, { nchw: options.nchw, architecture });
  if (application) {
    const pre = kerasApplicationPreprocessing(application);
    notes.push(`preprocessing (${pre.mode}): ${pre.description}`);
    model.metadata_props = [...(model.metadata_props ?? []), ...[['keras_application', application], ['preprocessing', pre.description]].map(([key, value]) => ({ key, value }))];
  }
  return {
    model,
    report: {
      converter: 'keras', architecture: name, files: read, weightsFormat: keras.format === 'keras-zip' ? 'keras-zip' : 'keras-h5',
      parameters: report.parameters, unusedWeights: [], notes: [...notes, ...report.notes],
    },
  };
}

function convertTfliteFile(file: SourceFile, bytes: Uint8Array, options: ConvertOptions): ConvertResult {
  options.onProgress?.('building');
  const { model, report } = convertTflite(bytes, { nchw: options.nchw, dequantize: options.dequantize });
  const operators = Object.entries(report.operators).map(([op, n]) => `${op} ×${n}`).join(', ');
  return {
    model,
    report: {
      converter: 'tflite', architecture: `TFLite graph (${operators})`, files: [file.path], weightsFormat: 'tflite',
      parameters: summarizeModel(model).parameters, unusedWeights: [], notes: report.notes,
    },
  };
}

/** Converts `files` (one weights file, or a Hugging Face folder) to an ONNX model. */
export async function convertToOnnx(files: SourceFile[], options: ConvertOptions = {}): Promise<ConvertResult> {
  if (files.length === 0) throw new OmnihubError('usage', 'Nothing to convert: no files given.');
  const configFile = findFile(files, 'config.json');
  const config = configFile ? await readJson(configFile) : undefined;
  if (configFile && config && typeof config === 'object' && 'model_type' in config) {
    options.onProgress?.('reading');
    const { weights, read } = await transformersWeights(files);
    options.onProgress?.('building');
    const { model, report } = buildTransformersModel(config, weights.tensors, { task: options.task });
    return {
      model,
      report: {
        converter: 'transformers', architecture: report.architecture, files: [configFile.path, ...read], weightsFormat: weights.format,
        parameters: report.parameters, unusedWeights: report.unusedWeights, notes: [...weights.notes, ...report.notes],
      },
    };
  }

  const tensorFlow = await convertTensorFlow(files, options);
  if (tensorFlow) return tensorFlow;

  const candidates = files.filter((f) => WEIGHT_FILE.test(f.path));
  const file = candidates.length === 1 ? candidates[0] : files.length === 1 ? files[0] : undefined;
  if (!file) {
    throw new OmnihubError('usage', `Give one model or weights file (.pt, .pth, .safetensors, .h5, .keras, .tflite; a Keras weights file may come with its architecture JSON) or a Hugging Face folder with config.json; got ${files.map((f) => f.path).join(', ')}.`);
  }
  options.onProgress?.('reading');
  // h5wasm (a 4 MB module) loads and compiles while a Keras file is read, not after.
  const hdf5Ready = KERAS_FILE_NAME.test(file.path) ? initHdf5().catch(() => {}) : undefined;
  const bytes = await file.read();
  await hdf5Ready;
  if (isTflite(bytes)) return convertTfliteFile(file, bytes, options);
  if (isKerasFile(bytes)) return convertKeras(files, file, bytes, options);
  const weights = readWeights(bytes, file.path);
  const requested = options.arch?.replace(/^torchvision:/, '');
  const arch = requested ?? guessTorchvisionArchitecture(weights.tensors);
  if (!arch) {
    throw new OmnihubError('usage', `Which architecture are these weights for? ${file.path} does not look like a torchvision model; name one of: ${TORCHVISION_ARCHITECTURES.join(', ')}.`);
  }
  options.onProgress?.('building');
  const { model, report } = buildTorchvisionModel(arch, weights.tensors, { numClasses: options.numClasses });
  const notes = [...weights.notes, ...report.notes];
  if (!requested) notes.unshift(`architecture ${arch} recognised from the weights' names and shapes`);
  return {
    model,
    report: { converter: 'torchvision', architecture: report.arch, files: [file.path], weightsFormat: weights.format, parameters: report.parameters, unusedWeights: report.unusedWeights, notes },
  };
}

export { KERAS_APPLICATIONS, SUPPORTED_MODEL_TYPES, TORCHVISION_ARCHITECTURES, guessTorchvisionArchitecture, isKerasFile };
export { freezeTensorFlow, tensorFlowKind, tensorFlowSignatures } from './tensorflow-source.js';
