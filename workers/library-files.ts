/**
 * Reading the library from a worker (read only: the library worker does the writes): an entry's ONNX model with its
 * side files, and an entry's files opened lazily.
 */
import { encodeModel } from '../src/core/onnx/codec.js';
import { baseName, openModel } from '../src/core/onnx/model-file.js';
import { OmnihubError } from '../src/core/errors.js';
import { IndexedDbLibrary } from '../src/core/library/index.js';

let library: IndexedDbLibrary | null = null;

/** The library, opened lazily, once per worker. */
export function readOnlyLibrary(): IndexedDbLibrary {
  library ??= new IndexedDbLibrary();
  return library;
}

/**
 * The bytes of file `path` of entry `entryId` as onnxruntime takes them: a model that keeps weights in side files
 * of the same entry (matched by their path relative to the model's folder, as ONNX `location`s are) is read with
 * them and re-encoded with its data inline.
 */
export async function readLibraryModel(entryId: string, path: string): Promise<Uint8Array> {
  const store = readOnlyLibrary();
  const entry = await store.get(entryId);
  if (!entry) throw new OmnihubError('not-found', `The library has no entry ${entryId}.`);
  if (!entry.files.some((f) => f.path === path)) throw new OmnihubError('not-found', `Entry ${entryId} has no file ${path}.`);
  if (!/\.onnx$/i.test(path)) throw new OmnihubError('usage', `${path} of ${entryId} is not an .onnx file; recipes rewrite ONNX models.`);
  const bytes = await (await store.openFile(entryId, path)).bytes();
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const { model, externalTensors } = await openModel(bytes, async (location, offset, length) => {
    const side = entry.files.find((f) => f.path === folder + location) ?? entry.files.find((f) => baseName(f.path) === baseName(location));
    if (!side) throw new OmnihubError('external-data', `The model keeps weights in '${location}', which entry ${entryId} does not have.`);
    if (offset > side.size) {
      throw new OmnihubError('external-data', `'${side.path}' has ${side.size} bytes, but the model reads from offset ${offset}; is it the right side file?`);
    }
    const blob = await (await store.openFile(entryId, side.path)).blob();
    return new Uint8Array(await blob.slice(offset, length === undefined ? side.size : offset + length).arrayBuffer());
  });
  return externalTensors > 0 ? encodeModel(model) : bytes;
}

/** The files of an entry, each opened (as a Blob) only when asked for. */
export async function libraryFileBlobs(entryId: string): Promise<Array<{ path: string; size: number; blob: () => Promise<Blob> }>> {
  const store = readOnlyLibrary();
  const entry = await store.get(entryId);
  if (!entry) throw new OmnihubError('not-found', `The library has no entry ${entryId}.`);
  return entry.files.map((f) => ({ path: f.path, size: f.size, blob: async () => (await store.openFile(entryId, f.path)).blob() }));
}
