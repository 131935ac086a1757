/**
 * Opening and saving a model as files, independent of where the files live: the CLI passes a reader over a folder,
 * the web worker one over dropped File objects.
 */
import { decodeModel, encodeModelChunks, type DecodeOptions, type ModelProto } from './codec.js';
import { externalDataLocations, externalizeTensors, loadExternalData, type ExternalDataReader } from './external-data.js';
import { OmnihubError } from '../errors.js';

export interface OpenedModel {
  model: ModelProto;
  /** How many tensors were read from side files. */
  externalTensors: number;
  /** The side files they came from (the model itself now holds their data inline). */
  externalDataFiles: string[];
}

/** Decodes a model and loads whatever external data it refers to through `readExternal`. */
export async function openModel(bytes: Uint8Array, readExternal?: ExternalDataReader, options?: DecodeOptions): Promise<OpenedModel> {
  const model = decodeModel(bytes, options);
  const missingReader: ExternalDataReader = async (location) => {
    throw new OmnihubError('external-data', `The model keeps weights in '${location}'; open that file together with the model.`);
  };
  const externalDataFiles = externalDataLocations(model);
  const externalTensors = await loadExternalData(model, readExternal ?? missingReader);
  return { model, externalTensors, externalDataFiles };
}

export interface SavedModel {
  /** The .onnx file, in chunks to write one after another (large weights are views, not copies). */
  modelChunks: Uint8Array[];
  modelByteLength: number;
  /** The side file, when tensors were moved out: its name (relative to the model) and content in chunks. */
  externalData?: { location: string; chunks: Uint8Array[]; byteLength: number; tensors: number };
}

export interface SaveOptions {
  /** Move tensors of at least this many bytes to a side file; undefined keeps everything in one file. */
  externalDataThreshold?: number;
  /** Side file name; defaults to `<model file name>.data`. */
  externalDataLocation?: string;
  modelFileName?: string;
}

/**
 * Encodes a model, optionally with large tensors moved to a side file. The model passed in is left as it was
 * (tensors are moved out for the encode and put back after it).
 */
export function saveModel(model: ModelProto, options: SaveOptions = {}): SavedModel {
  if (options.externalDataThreshold === undefined) return encodeFile(model);
  if (!Number.isInteger(options.externalDataThreshold) || options.externalDataThreshold < 0) {
    throw new OmnihubError('usage', `external data threshold must be a whole number of bytes, got ${options.externalDataThreshold}`);
  }
  const location = options.externalDataLocation ?? `${baseName(options.modelFileName ?? 'model.onnx')}.data`;
  // Externalizing edits tensors in place; undo it once encoded so the caller's model stays as it was.
  const side = externalizeTensors(model, { location, threshold: options.externalDataThreshold });
  try {
    return {
      ...encodeFile(model),
      externalData: side.tensors ? { location, chunks: side.chunks, byteLength: side.byteLength, tensors: side.tensors } : undefined,
    };
  } finally {
    side.undo();
  }
}

function encodeFile(model: ModelProto): Pick<SavedModel, 'modelChunks' | 'modelByteLength'> {
  const modelChunks = encodeModelChunks(model);
  return { modelChunks, modelByteLength: modelChunks.reduce((n, c) => n + c.length, 0) };
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
