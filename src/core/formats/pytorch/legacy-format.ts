/**
 * The legacy (pre-1.6, `_use_new_zipfile_serialization=False`) torch.save format: pickles back to back, then raw
 * storage data (torch/serialization.py, _legacy_save / _legacy_load):
 *
 *   pickle(MAGIC_NUMBER) pickle(PROTOCOL_VERSION = 1001) pickle(sys_info)
 *   pickle(object)        — persistent ids ('storage', storage_type, root_key, location, numel, view_metadata)
 *   pickle([root keys])   — the order in which storages follow
 *   for each key: int64 element count (little-endian), then count × element size bytes
 *
 * Storages are handed out as views on the input, exactly like stored zip records.
 */
import { OmnihubError } from '../../errors.js';
import type { StateDict } from '../../weights/types.js';
import { resolveGlobal, storageFromPersistentId } from './allowed-globals.js';
import { addTensors, declaredBytes, deviceNote } from './assemble.js';
import { unpickle } from './pickle.js';
import { checkpointNotes, flattenTensors, locateStateDict } from './state-dict.js';
import type { TorchStorage } from './tensor-refs.js';
import type { ReadTorchOptions, TorchFile } from './torch-file.js';
import { DEFAULT_MAX_INFLATED_BYTES } from '../zip/reader.js';

export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL = 1001;

/** The magic number as protocol 2+ pickles it (LONG1 with 10 bytes) and as protocols 0–1 do (text). */
const MAGIC_LONG1 = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const MAGIC_TEXT = 'L119547037146038801333356L';

/** Whether the bytes begin with the pickled legacy magic number (cheap; no parsing). */
export function startsWithLegacyMagic(bytes: Uint8Array): boolean {
  const at = (offset: number, seq: number[]): boolean => seq.every((b, i) => bytes[offset + i] === b);
  if (bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
    // Protocol 4+ wraps the first opcodes in a FRAME (9 bytes).
    return at(2, MAGIC_LONG1) || (bytes[2] === 0x95 && at(11, MAGIC_LONG1));
  }
  return at(0, [...MAGIC_TEXT].map((c) => c.charCodeAt(0)));
}

export function readLegacyTorchFile(bytes: Uint8Array, options: ReadTorchOptions = {}): TorchFile {
  // Small headers: plain data, so the allow-list (without persistent ids) applies to them too.
  const plain = { resolveGlobal: (module: string, name: string) => resolveGlobal(module, name, { torchScript: false }) };
  let magic;
  try {
    magic = unpickle(bytes, plain, 0);
  } catch (e) {
    // Only a file that starts with the pickled magic number is known to be a (damaged) PyTorch file.
    if (startsWithLegacyMagic(bytes) || (e instanceof OmnihubError && e.code === 'unsafe-code')) throw e;
    throw new OmnihubError('wrong-format', 'Not a PyTorch file: it starts like a Python pickle, but not with torch.save\'s magic number.', { cause: e });
  }
  if (magic.value !== LEGACY_MAGIC) {
    throw new OmnihubError('wrong-format', 'Not a PyTorch file: a Python pickle without torch.save\'s magic number.');
  }
  const protocol = unpickle(bytes, plain, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) {
    throw new OmnihubError('unsupported', `Legacy PyTorch file with protocol version ${String(protocol.value)} (only ${LEGACY_PROTOCOL} is known).`);
  }
  const sysInfo = unpickle(bytes, plain, protocol.end);
  const littleEndian = !(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== false;

  const storages = new Map<string, TorchStorage>();
  const main = unpickle(bytes, {
    ...plain,
    persistentLoad: (pid) => storageFromPersistentId(pid, 'legacy', storages),
  }, sysInfo.end);
  const keyList = unpickle(bytes, plain, main.end);
  if (!Array.isArray(keyList.value)) throw new OmnihubError('malformed', 'Legacy PyTorch file: the storage key list is not a list.');

  // The storage data follows the key list, in its order.
  const data = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keyList.end;
  for (const rawKey of keyList.value) {
    const key = String(rawKey);
    const storage = storages.get(key);
    if (!storage) throw new OmnihubError('malformed', `Legacy PyTorch file: storage '${key}' is listed but no tensor uses it.`);
    if (pos + 8 > bytes.length) throw new OmnihubError('truncated', `Legacy PyTorch file: the data of storage '${key}' is missing (the file is cut short).`);
    const count = view.getBigInt64(pos, littleEndian);
    pos += 8;
    if (count !== BigInt(storage.numel)) {
      throw new OmnihubError('malformed', `Legacy PyTorch file: storage '${key}' holds ${count} elements but its tensors declare ${storage.numel}.`);
    }
    const nbytes = storage.numel * storage.dtype.itemSize;
    if (pos + nbytes > bytes.length) throw new OmnihubError('truncated', `Legacy PyTorch file: the data of storage '${key}' runs past the end of the file.`);
    data.set(key, bytes.subarray(pos, pos + nbytes));
    pos += nbytes;
  }

  const storageBytes = (storage: TorchStorage): Uint8Array => {
    const root = data.get(storage.key);
    if (!root) throw new OmnihubError('malformed', `Legacy PyTorch file: storage '${storage.key}' has no data.`);
    if (!storage.view) return declaredBytes(storage, root, `its data`);
    const size = storage.dtype.itemSize;
    const start = storage.view.offset * size;
    const end = start + storage.view.size * size;
    if (end > root.length) throw new OmnihubError('malformed', `Legacy PyTorch file: a view of storage '${storage.key}' reaches past its end.`);
    return root.subarray(start, end);
  };

  const located = locateStateDict(main.value);
  const tensors: StateDict = new Map();
  const notes = checkpointNotes(main.value, located.path);
  addTensors(flattenTensors(located.value), storageBytes, !littleEndian, tensors, notes, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  const device = deviceNote(storages.values());
  if (device) notes.push(device);
  notes.push('legacy torch.save format (before PyTorch 1.6)');
  return { format: 'legacy', tensors, stateDictPath: located.path, notes };
}
