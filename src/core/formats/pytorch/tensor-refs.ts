/**
 * What the pickle says about tensors, before any data is touched: a storage reference (key, element type, declared
 * size, device) and a tensor reference (storage, offset, shape, strides, dtype). The bytes are attached later by
 * the format readers (zip record / legacy trailer) and cut out by materialize.ts, so the pickle interpreter never
 * has to know where data lives.
 */
import type { TorchDtype } from './dtypes.js';

export class TorchStorage {
  constructor(
    /** The record name in a zip ('0', '12'), or the legacy root key. */
    readonly key: string,
    /** The storage's element type (uint8 for an UntypedStorage). */
    readonly dtype: TorchDtype,
    /** Device it was saved from: 'cpu', 'cuda:0', 'mps' … (all read as CPU data). */
    readonly location: string,
    /** Elements the persistent id declares. */
    readonly numel: number,
    /** Legacy format only: this storage is a slice [offset, offset + size) (in elements) of the root storage. */
    readonly view?: { offset: number; size: number },
  ) {}
}

export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    /** In elements of `dtype`. */
    readonly storageOffset: number,
    readonly shape: readonly number[],
    /** In elements of `dtype`. */
    readonly stride: readonly number[],
    readonly dtype: TorchDtype,
  ) {}
}

/** A tensor pickled without data (device 'meta'): it has a shape and a dtype, but no values to read. */
export class MetaTensor {
  constructor(readonly dtype: TorchDtype, readonly shape: readonly number[]) {}
}
