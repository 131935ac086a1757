/**
 * Conversions to ONNX from weights files: which converter a set of files needs, and running it. A Hugging Face
 * folder (config.json with a model_type + model.safetensors, a sharded index, or pytorch_model.bin) goes to the
 * transformers builders; a single state dict (.pt/.pth/.bin or .safetensors) to a torchvision architecture, named by
 * the caller or recognised from its keys. Files are read lazily, so a caller hands over library entries or files
 * on disk the same way.
 */
import type { ModelProto } from '../onnx/codec.js';
import { OmnihubError } from '../errors.js';
import type { StateDict } from '../weights/types.js';
import { isTorchFile, readTorchFile } from '../formats/pytorch/index.js';
import { isSafetensors, readSafetensors } from '../formats/safetensors/read.js';
import { readShardedSafetensors } from '../formats/safetensors/sharded.js';
import { TORCHVISION_ARCHITECTURES, buildTorchvisionModel, guessTorchvisionArchitecture } from './torchvision/index.js';
import { SUPPORTED_MODEL_TYPES, buildTransformersModel, type TransformersBuildOptions } from './transformers/index.js';

/** A file of a conversion's source: a dropped file, a library entry's file, a file on disk. */
export interface SourceFile {
  /** Path inside the source (`config.json`, `model.safetensors`, `resnet18-f37072fd.pth`). */
  path: string;
  size: number;
  read(): Promise<Uint8Array>;
}

export type WeightsFormat = 'pytorch' | 'safetensors';

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
  /** `torchvision:NAME` or `NAME` for a state dict; ignored for a Hugging Face folder (its config says). */
  arch?: string;
  /** Transformers head, e.g. 'sequence-classification'. */
  task?: TransformersBuildOptions['task'];
  /** torchvision: number of classes (default: from the classifier's weight). */
  numClasses?: number;
  onProgress?: (phase: 'reading' | 'building') => void;
}

export interface ConvertReport {
  converter: 'torchvision' | 'transformers';
  architecture: string;
  /** Files read, and the format of the weights. */
  files: string[];
  weightsFormat: WeightsFormat;
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

const WEIGHT_FILE = /\.(pt|pth|bin|ckpt|tar|safetensors)$/i;

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

  const candidates = files.filter((f) => WEIGHT_FILE.test(f.path));
  const file = candidates.length === 1 ? candidates[0] : files.length === 1 ? files[0] : undefined;
  if (!file) {
    throw new OmnihubError('usage', `Give one weights file (.pt, .pth, .bin, .safetensors) or a Hugging Face folder with config.json; got ${files.map((f) => f.path).join(', ')}.`);
  }
  options.onProgress?.('reading');
  const weights = readWeights(await file.read(), file.path);
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

export { SUPPORTED_MODEL_TYPES, TORCHVISION_ARCHITECTURES, guessTorchvisionArchitecture };
