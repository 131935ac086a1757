/**
 * `torch.save` zip archives (torch ≥ 1.6) and TorchScript archives (`torch.jit.save`).
 *
 * Layout (torch/serialization.py, _load): `<prefix>/data.pkl` is the pickled object; each storage is the record
 * `<prefix>/data/<key>`, named by the persistent id ('storage', storage_type, key, location, numel); `byteorder`
 * says 'little' or 'big' (absent: little). A TorchScript archive also has `constants.pkl` (its tensors live in
 * `constants/<key>`) and `code/` with the model's TorchScript source, which is never read: only the weights are.
 */
import { OmnihubError } from '../../errors.js';
import type { StateDict } from '../../weights/types.js';
import { DEFAULT_MAX_INFLATED_BYTES, ZipArchive } from '../zip/reader.js';
import { resolveGlobal, storageFromPersistentId } from './allowed-globals.js';
import { addTensors, declaredBytes, deviceNote } from './assemble.js';
import { unpickle } from './pickle.js';
import { checkpointNotes, flattenTensors, locateStateDict } from './state-dict.js';
import type { TorchStorage } from './tensor-refs.js';
import type { ReadTorchOptions, TorchFile } from './torch-file.js';

/** The record prefix ('archive/', 'mnist/' …) of the archive's data.pkl, or undefined when there is none. */
export function findDataPkl(zip: ZipArchive): string | undefined {
  // torch names the archive after the first entry's folder; fall back to any single-folder data.pkl.
  const first = zip.entries[0]?.name ?? '';
  const folder = first.includes('/') ? first.slice(0, first.indexOf('/') + 1) : '';
  if (zip.has(`${folder}data.pkl`)) return folder;
  for (const e of zip.entries) {
    const m = /^([^/]*\/)?data\.pkl$/.exec(e.name);
    if (m) return m[1] ?? '';
  }
  return undefined;
}

export function readZipTorchFile(bytes: Uint8Array, options: ReadTorchOptions): TorchFile {
  const zip = new ZipArchive(bytes, { maxInflatedBytes: options.maxInflatedBytes });
  const prefix = findDataPkl(zip);
  if (prefix === undefined) {
    throw new OmnihubError('wrong-format', 'This ZIP archive is not a PyTorch file: it has no data.pkl (a Keras 3 .keras or NumPy .npz file?).');
  }
  const torchScript = zip.has(`${prefix}constants.pkl`);
  const maxCopyBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let bigEndian = false;
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`));
    if (order !== 'little' && order !== 'big') throw new OmnihubError('malformed', `The archive's byteorder record says '${order.slice(0, 20)}'.`);
    bigEndian = order === 'big';
  }

  const tensors: StateDict = new Map();
  const notes: string[] = [];
  const allStorages: TorchStorage[] = [];
  let stateDictPath: string[] = [];

  for (const archive of torchScript ? ['data', 'constants'] : ['data']) {
    const storages = new Map<string, TorchStorage>();
    const root = unpickle(zip.read(`${prefix}${archive}.pkl`), {
      resolveGlobal: (module, name) => resolveGlobal(module, name, { torchScript }),
      persistentLoad: (pid) => storageFromPersistentId(pid, 'zip', storages),
    }).value;
    const storageBytes = (storage: TorchStorage): Uint8Array => {
      // TorchScript archives written with a shared storage context keep every tensor under `.data/`.
      let name = `${prefix}${archive}/${storage.key}`;
      if (!zip.has(name) && zip.has(`${prefix}.data/${storage.key}`)) name = `${prefix}.data/${storage.key}`;
      if (!zip.has(name)) throw new OmnihubError('malformed', `The archive has no record '${name}' for storage '${storage.key}'.`);
      return declaredBytes(storage, zip.read(name), `record '${name}'`);
    };
    if (archive === 'data') {
      const located = torchScript ? { value: root, path: [] } : locateStateDict(root);
      stateDictPath = located.path;
      addTensors(flattenTensors(located.value), storageBytes, bigEndian, tensors, notes, maxCopyBytes);
      notes.unshift(...checkpointNotes(root, located.path));
    } else {
      const found = flattenTensors(root, ['constants']);
      addTensors(found, storageBytes, bigEndian, tensors, notes, maxCopyBytes);
      if (found.length) notes.push(`constants.pkl: ${found.length} constant tensor${found.length === 1 ? '' : 's'}`);
    }
    allStorages.push(...storages.values());
  }
  const device = deviceNote(allStorages);
  if (device) notes.push(device);
  if (bigEndian) notes.push('big-endian file: tensors byte-swapped to little-endian');
  if (torchScript) notes.push('TorchScript archive: weights only; its code/ is not read or run');
  return { format: torchScript ? 'torchscript' : 'zip', tensors, stateDictPath, notes };
}
