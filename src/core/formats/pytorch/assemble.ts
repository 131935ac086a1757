/**
 * The part both readers share once the pickle is parsed: find the state dict, cut every tensor out of its storage
 * (materialize.ts), and write the notes (checkpoint scalars, devices, skipped tensors).
 */
import { OmnihubError } from '../../errors.js';
import type { StateDict } from '../../weights/types.js';
import { materialize } from './materialize.js';
import { MetaTensor, type TorchStorage, type TorchTensor } from './tensor-refs.js';
import { type FoundTensor } from './state-dict.js';

/** Returns the bytes of a storage (exactly numel × itemSize, a legacy view already sliced). */
export type StorageBytes = (storage: TorchStorage) => Uint8Array;

export function addTensors(
  found: FoundTensor[],
  storageBytes: StorageBytes,
  bigEndian: boolean,
  tensors: StateDict,
  notes: string[],
  maxCopyBytes: number,
): void {
  const duplicates: string[] = [];
  const meta: string[] = [];
  for (const { name, tensor } of found) {
    if (tensor instanceof MetaTensor) {
      meta.push(name);
      continue;
    }
    if (tensors.has(name)) {
      duplicates.push(name);
      continue;
    }
    tensors.set(name, materialize(name, tensor as TorchTensor, storageBytes(tensor.storage), bigEndian, maxCopyBytes));
  }
  if (meta.length) notes.push(`${meta.length} tensor${meta.length === 1 ? '' : 's'} saved without data (device 'meta'), skipped: ${list(meta)}`);
  if (duplicates.length) notes.push(`${duplicates.length} repeated tensor name${duplicates.length === 1 ? '' : 's'}, first kept: ${list(duplicates)}`);
}

/** One note naming the devices storages were saved on, when any is not the CPU. */
export function deviceNote(storages: Iterable<TorchStorage>): string | undefined {
  const devices = new Set<string>();
  for (const s of storages) if (s.location !== 'cpu') devices.add(s.location);
  if (!devices.size) return undefined;
  return `storages saved on ${[...devices].join(', ')}; read as CPU data`;
}

function list(names: string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} …` : names.join(', ');
}

/** The storage's declared bytes out of a record that must hold at least that many. */
export function declaredBytes(storage: TorchStorage, record: Uint8Array, where: string): Uint8Array {
  const nbytes = storage.numel * storage.dtype.itemSize;
  if (!Number.isSafeInteger(nbytes) || record.length < nbytes) {
    throw new OmnihubError(
      'malformed',
      `Storage '${storage.key}' declares ${storage.numel} ${storage.dtype.name} elements (${nbytes} bytes), but ${where} holds only ${record.length} bytes.`,
    );
  }
  return record.subarray(0, nbytes);
}
