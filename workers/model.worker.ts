/**
 * The model worker: every decode, summary and encode happens here, so the page's main thread never touches model
 * bytes. It only exposes core functions through Comlink; the UI reaches it through src/app/bridge.ts.
 *
 * Models stay in this worker's memory under an id between calls (a decoded model holds views on the file's bytes,
 * so it is never cloned across the boundary); saved files go back as Blobs, never as structured-cloned arrays.
 */
import * as Comlink from 'comlink';
import { baseName, openModel, saveModel } from '../src/core/onnx/model-file.js';
import { summarizeModel, type ModelSummary } from '../src/core/onnx/summary.js';
import type { ModelProto } from '../src/core/onnx/codec.js';
import { OmnihubError } from '../src/core/errors.js';
import { IndexedDbLibrary } from '../src/core/library/index.js';
import { guarded, type WorkerFailure } from './failure.js';

export type { WorkerFailure };

export interface ReadProgress {
  phase: 'read' | 'external';
  /** The file being read. */
  file: string;
  loaded: number;
  total: number;
}

export interface OpenedModelInfo {
  id: number;
  fileName: string;
  fileBytes: number;
  /** Side files the model's external data was read from, with their sizes. */
  sideFiles: Array<{ name: string; bytes: number }>;
  externalTensors: number;
  summary: ModelSummary;
}

export interface SaveRequest {
  /** Move tensors of at least this many bytes to a side file named `<fileName>.data`. */
  externalDataThreshold?: number;
}

/** Saved files as Blobs, made in the worker: a Blob crosses to the page by reference, no bytes copied there. */
export interface SavedBlobs {
  fileName: string;
  model: Blob;
  externalData?: { location: string; blob: Blob; tensors: number };
}

const models = new Map<number, { model: ModelProto; fileName: string }>();
let nextId = 1;

/**
 * What a model or side file is read through: a dropped File, or a file of the library (a Blob of its stored
 * chunks, named by its path relative to the model's folder, which a File could not carry: File names have no `/`).
 */
interface ModelInput {
  readonly name: string;
  readonly size: number;
  slice(start?: number, end?: number): Blob;
  stream(): ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function namedBlob(name: string, blob: Blob): ModelInput {
  return {
    name,
    size: blob.size,
    slice: (start, end) => blob.slice(start, end),
    stream: () => blob.stream() as ReadableStream<Uint8Array>,
    arrayBuffer: () => blob.arrayBuffer(),
  };
}

/** The library, opened lazily: this worker reads it directly, so model bytes never pass through the page. */
let library: IndexedDbLibrary | null = null;

/** Progress messages are throttled: each one is a postMessage and a UI update. */
const PROGRESS_INTERVAL_MS = 50;



/**
 * The model file among those given: the one named `.onnx`; a single file of any name is tried as well (the decoder
 * recognises content, so a mislabelled HDF5 file gets a clear message rather than "not an .onnx name").
 */
function pickModelFile(files: File[]): File {
  if (files.length === 0) throw new OmnihubError('usage', 'No file was given.');
  const onnxFiles = files.filter((f) => /\.onnx$/i.test(f.name));
  if (onnxFiles.length === 1) return onnxFiles[0];
  if (onnxFiles.length > 1) {
    throw new OmnihubError('usage', `Open one model at a time: got ${onnxFiles.length} .onnx files (${onnxFiles.map((f) => f.name).join(', ')}).`);
  }
  if (files.length === 1) return files[0];
  throw new OmnihubError('usage', `None of the ${files.length} files is an .onnx model (${files.map((f) => f.name).join(', ')}).`);
}

/** Reads a whole file into one buffer, reporting progress as it streams in. */
async function readWhole(file: ModelInput, onProgress?: (p: ReadProgress) => void): Promise<Uint8Array> {
  if (!onProgress) return new Uint8Array(await file.arrayBuffer());
  // Streaming into one preallocated buffer costs the same copy as arrayBuffer(), and gives progress.
  const bytes = new Uint8Array(file.size);
  const reader = file.stream().getReader();
  let loaded = 0;
  let last = 0;
  onProgress({ phase: 'read', file: file.name, loaded: 0, total: file.size });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > bytes.length) {
      throw new OmnihubError('usage', `'${file.name}' changed while it was being read; open it again.`);
    }
    bytes.set(value, loaded);
    loaded += value.length;
    const now = performance.now();
    if (now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      onProgress({ phase: 'read', file: file.name, loaded, total: file.size });
    }
  }
  if (loaded !== bytes.length) throw new OmnihubError('usage', `'${file.name}' changed while it was being read; open it again.`);
  onProgress({ phase: 'read', file: file.name, loaded, total: file.size });
  return bytes;
}

function getModel(id: number) {
  const entry = models.get(id);
  if (!entry) throw new OmnihubError('usage', `No open model with id ${id}; open the file again.`);
  return entry;
}

/** Through Comlink the callback is a proxy whose calls return promises; progress is best effort, never awaited. */
function progressSender(remote?: (p: ReadProgress) => void): ((p: ReadProgress) => void) | undefined {
  return remote && ((p: ReadProgress) => void Promise.resolve(remote(p)).catch(() => {}));
}

/** The callback is a proxy holding a MessageChannel open; free it once the call is done. */
function releaseRemote(remote?: unknown): void {
  (remote as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
}

/**
 * Decodes `file` and summarizes it, reading external data from `sideFiles` (matched by name against each
 * tensor's `location`, then by base name).
 */
async function openSelected(file: ModelInput, sideFiles: ModelInput[], onProgress?: (p: ReadProgress) => void): Promise<OpenedModelInfo> {
  const bytes = await readWhole(file, onProgress);
  const used = new Map<string, ModelInput>();
  const sideTotal = sideFiles.reduce((n, f) => n + f.size, 0);
  let sideLoaded = 0;
  let last = 0;
  const readExternal = async (location: string, offset: number, length: number | undefined) => {
    const side = sideFiles.find((f) => f.name === location) ?? sideFiles.find((f) => f.name === baseName(location));
    if (!side) throw new OmnihubError('external-data', `The model keeps weights in '${location}'; open that file together with the model.`);
    if (offset > side.size) {
      throw new OmnihubError('external-data', `'${side.name}' has ${side.size} bytes, but the model reads from offset ${offset}; is it the right side file?`);
    }
    used.set(side.name, side);
    const end = length === undefined ? side.size : offset + length;
    const chunk = new Uint8Array(await side.slice(offset, end).arrayBuffer());
    sideLoaded += chunk.length;
    const now = performance.now();
    if (onProgress && now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      onProgress({ phase: 'external', file: side.name, loaded: sideLoaded, total: sideTotal });
    }
    return chunk;
  };
  const { model, externalTensors } = await openModel(bytes, readExternal);
  const summary = summarizeModel(model);
  const id = nextId++;
  models.set(id, { model, fileName: file.name });
  return {
    id,
    fileName: file.name,
    fileBytes: file.size,
    sideFiles: [...used.values()].map((f) => ({ name: f.name, bytes: f.size })),
    externalTensors,
    summary,
  };
}

const api = {
  /**
   * Opens a model from dropped or chosen files: the `.onnx` file, plus any side files its external data refers to
   * (matched by file name against each tensor's `location`).
   */
  async open(files: File[], onProgressRemote?: (p: ReadProgress) => void): Promise<OpenedModelInfo> {
    try {
      return await guarded(() => {
        const file = pickModelFile(files);
        return openSelected(file, files.filter((f) => f !== file), progressSender(onProgressRemote));
      });
    } finally {
      releaseRemote(onProgressRemote);
    }
  },

  /**
   * Opens file `path` of library entry `entryId`, read from IndexedDB in this worker. The entry's other files are
   * the external-data candidates, matched by their path relative to the model's folder (as ONNX `location`s are).
   */
  async openFromLibrary(entryId: string, path: string, onProgressRemote?: (p: ReadProgress) => void): Promise<OpenedModelInfo> {
    try {
      return await guarded(async () => {
        library ??= new IndexedDbLibrary();
        const entry = await library.get(entryId);
        if (!entry) throw new OmnihubError('not-found', `The library has no entry ${entryId}.`);
        if (!entry.files.some((f) => f.path === path)) throw new OmnihubError('not-found', `Entry ${entryId} has no file ${path}.`);
        const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
        const inputs = await Promise.all(
          entry.files.map(async (f) => {
            const blob = await (await library!.openFile(entryId, f.path)).blob();
            const name = f.path === path ? baseName(path) : folder && f.path.startsWith(folder) ? f.path.slice(folder.length) : f.path;
            return { path: f.path, input: namedBlob(name, blob) };
          }),
        );
        const model = inputs.find((i) => i.path === path)!.input;
        return openSelected(model, inputs.filter((i) => i.path !== path).map((i) => i.input), progressSender(onProgressRemote));
      });
    } finally {
      releaseRemote(onProgressRemote);
    }
  },

  /**
   * Re-encodes an open model into Blobs, ready to download. Making the Blobs here rather than on the page keeps
   * the copy of a large model off the main thread (a 100 MB Blob built there is a >100 ms task); a Blob crosses
   * to the page by reference.
   */
  save(id: number, request: SaveRequest = {}): Promise<SavedBlobs> {
    return guarded(() => {
      const { model, fileName } = getModel(id);
      const saved = saveModel(model, { externalDataThreshold: request.externalDataThreshold, modelFileName: fileName });
      const type = 'application/octet-stream';
      const side = saved.externalData;
      return {
        fileName,
        model: new Blob(saved.modelChunks as Uint8Array<ArrayBuffer>[], { type }),
        externalData: side && {
          location: side.location,
          blob: new Blob(side.chunks as Uint8Array<ArrayBuffer>[], { type }),
          tensors: side.tensors,
        },
      };
    });
  },

  /** Forgets an open model, freeing its memory. */
  close(id: number): void {
    models.delete(id);
  },
};

export type ModelWorkerApi = typeof api;

Comlink.expose(api);
