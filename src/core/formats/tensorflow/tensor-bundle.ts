/**
 * TensorBundle checkpoints (TF 1.x "V2" checkpoints and every SavedModel's `variables/`): `PREFIX.index` is an SSTable
 * (./sstable.ts) whose entry with the empty key is a BundleHeaderProto and every other entry a BundleEntryProto keyed
 * by checkpoint key; the bytes of entry `e` are `PREFIX.data-<shard>-of-<num_shards>` (5-digit, zero-padded)
 * `[e.offset, e.offset + e.size)`, little-endian C order for numeric dtypes.
 *
 * DT_STRING tensors are stored as `varint64 length[n]`, a uint32 masked CRC-32C of the lengths, then the strings
 * back to back; they are returned as byte strings, not WeightTensors.
 */
import { OmnihubError } from '../../errors.js';
import { bytesPerElement, checkWeightTensor, elementCount, type WeightTensor } from '../../weights/types.js';
import { decodeTf, tensorflow, toNumber, type TfDecodeOptions } from './codec.js';
import { crc32c, crc32cMany, maskCrc } from './crc32c.js';
import { DT_STRING, tfDtypeName, weightDtypeOfTf } from './dtypes.js';
import { readSSTable, type SSTableOptions } from './sstable.js';
import type { BundleEntry, TensorBundle } from './types.js';

export interface BundleReadOptions extends TfDecodeOptions {
  /** Check block CRCs of the index and each tensor's CRC-32C against its bytes (default true). */
  verifyChecksums?: boolean;
  sstable?: Omit<SSTableOptions, 'verifyChecksums' | 'what'>;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** `variables.data-00000-of-00002` for prefix `variables`, shard 0 of 2. */
export function bundleShardName(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

/** Parses `PREFIX.index`. */
export function readBundleIndex(indexBytes: Uint8Array, options: BundleReadOptions = {}): TensorBundle {
  const what = 'variables.index';
  if (indexBytes.length === 0) throw new OmnihubError('empty-file', `The ${what} file is empty (0 bytes).`);
  const raw = readSSTable(indexBytes, { ...options.sstable, verifyChecksums: options.verifyChecksums ?? true, what });
  let header: tensorflow.BundleHeaderProto | undefined;
  const entries = new Map<string, BundleEntry>();
  for (const { key, value } of raw) {
    if (key.length === 0) {
      header = decodeTf(value, `a TensorBundle header (${what})`, (r) => tensorflow.BundleHeaderProto.decode(r), options);
      continue;
    }
    const name = utf8.decode(key);
    const proto = value.length === 0
      ? new tensorflow.BundleEntryProto()
      : decodeTf(value, `a TensorBundle entry '${name}' (${what})`, (r) => tensorflow.BundleEntryProto.decode(r), options);
    const shape = (proto.shape?.dim ?? []).map((d) => toNumber(d.size));
    entries.set(name, {
      key: name,
      dtype: proto.dtype,
      dtypeName: tfDtypeName(proto.dtype),
      shape,
      shardId: proto.shard_id,
      offset: toNumber(proto.offset),
      size: toNumber(proto.size),
      crc32c: proto.crc32c >>> 0,
      sliced: proto.slices.length > 0,
    });
  }
  if (!header) throw new OmnihubError('malformed', `The ${what} has no header entry (empty key): not a TensorBundle index.`);
  if (header.num_shards < 1 && entries.size > 0) {
    throw new OmnihubError('malformed', `The ${what} header says ${header.num_shards} data shards but lists ${entries.size} tensors.`);
  }
  return { header, entries };
}

export interface BundleTensors {
  tensors: Map<string, WeightTensor>;
  strings: Map<string, Uint8Array[]>;
  notes: string[];
}

/**
 * The tensors of a bundle, from its data shards (`shards[i]` = the bytes of shard i, or undefined when missing).
 * Numeric tensors are zero-copy views on the shard bytes. A tensor whose shard is missing, whose dtype has no weight
 * form (resource, variant, quantized …) or that is partitioned is skipped with a note; bytes out of the shard's range
 * or a CRC mismatch are errors.
 */
export function readBundleTensors(bundle: TensorBundle, shards: ReadonlyArray<Uint8Array | undefined>, options: BundleReadOptions = {}): BundleTensors {
  const verify = options.verifyChecksums ?? true;
  const tensors = new Map<string, WeightTensor>();
  const strings = new Map<string, Uint8Array[]>();
  const notes: string[] = [];
  if (bundle.header.endianness === tensorflow.BundleHeaderProto.Endianness.BIG && bundle.entries.size > 0) {
    throw new OmnihubError('unsupported', 'This checkpoint was written on a big-endian machine; its tensor bytes are not read.');
  }
  const missingShards = new Set<number>();
  for (const e of bundle.entries.values()) {
    if (e.sliced) {
      notes.push(`'${e.key}' is a partitioned variable (saved as slices); it is not assembled.`);
      continue;
    }
    if (!Number.isInteger(e.shardId) || e.shardId < 0 || e.shardId >= bundle.header.num_shards) {
      throw new OmnihubError('malformed', `Checkpoint entry '${e.key}' names shard ${e.shardId}, but the bundle has ${bundle.header.num_shards}.`);
    }
    const shard = shards[e.shardId];
    if (!shard) {
      missingShards.add(e.shardId);
      continue;
    }
    if (!Number.isSafeInteger(e.offset) || !Number.isSafeInteger(e.size) || e.offset < 0 || e.size < 0 || e.offset + e.size > shard.length) {
      throw new OmnihubError('truncated', `Checkpoint entry '${e.key}' (bytes ${e.offset}..${e.offset + e.size}) lies outside data shard ${e.shardId} (${shard.length} bytes); the shard is truncated or does not belong to this index.`);
    }
    const bytes = shard.subarray(e.offset, e.offset + e.size);
    if (e.dtype === DT_STRING) {
      strings.set(e.key, readStringTensor(e, bytes));
      continue;
    }
    const dtype = weightDtypeOfTf(e.dtype);
    if (!dtype) {
      notes.push(`'${e.key}' has dtype ${e.dtypeName}, which has no weight form; skipped.`);
      continue;
    }
    if (!e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new OmnihubError('malformed', `Checkpoint entry '${e.key}' has an invalid shape [${e.shape.join(', ')}].`);
    }
    const expected = elementCount(e.shape) * bytesPerElement(dtype);
    if (expected !== e.size) {
      throw new OmnihubError('malformed', `Checkpoint entry '${e.key}' (${e.dtypeName} [${e.shape.join(', ')}]) needs ${expected} bytes but the index says ${e.size}.`);
    }
    if (verify && maskCrc(crc32c(bytes)) !== e.crc32c) throw crcError(e);
    tensors.set(e.key, checkWeightTensor({ name: e.key, dtype, shape: e.shape, bytes }));
  }
  for (const s of missingShards) {
    notes.push(`Data shard ${bundleShardName('variables', s, bundle.header.num_shards)} is missing; its tensors are not read.`);
  }
  return { tensors, strings, notes };
}

function crcError(e: BundleEntry): OmnihubError {
  return new OmnihubError('malformed', `Checkpoint entry '${e.key}' fails its CRC-32C check; data shard ${e.shardId} is corrupt.`);
}

/**
 * The CRC-32C check of every numeric tensor read with `verifyChecksums: false`, done asynchronously with the
 * WebAssembly CRC (what readSavedModel does: the same check, twice as fast).
 */
export async function verifyBundleTensors(bundle: TensorBundle, tensors: BundleTensors['tensors']): Promise<void> {
  const entries = [...bundle.entries.values()].filter((e) => tensors.has(e.key));
  const crcs = await crc32cMany(entries.map((e) => tensors.get(e.key)!.bytes));
  entries.forEach((e, i) => {
    if (maskCrc(crcs[i]) !== e.crc32c) throw crcError(e);
  });
}

/** A DT_STRING tensor: n varint64 lengths, a 4-byte checksum of the lengths, then the bytes of each string. */
function readStringTensor(e: BundleEntry, bytes: Uint8Array): Uint8Array[] {
  const n = elementCount(e.shape);
  if (!Number.isSafeInteger(n) || n < 0 || n > bytes.length) {
    throw new OmnihubError('malformed', `Checkpoint string tensor '${e.key}' has shape [${e.shape.join(', ')}], more strings than its ${bytes.length} bytes can hold.`);
  }
  const lengths: number[] = [];
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let len = 0;
    for (let k = 0; ; k++) {
      if (pos >= bytes.length || k >= 10) throw new OmnihubError('malformed', `Checkpoint string tensor '${e.key}': a length runs past its bytes.`);
      const b = bytes[pos++];
      len += (b & 0x7f) * 2 ** (7 * k);
      if ((b & 0x80) === 0) break;
    }
    lengths.push(len);
  }
  pos += 4; // masked CRC-32C of the lengths
  const out: Uint8Array[] = [];
  for (const len of lengths) {
    if (!Number.isSafeInteger(len) || pos + len > bytes.length) {
      throw new OmnihubError('malformed', `Checkpoint string tensor '${e.key}': a string of ${len} bytes runs past its ${bytes.length} bytes.`);
    }
    out.push(bytes.subarray(pos, pos + len));
    pos += len;
  }
  return out;
}

/**
 * A bare TensorBundle checkpoint (`PREFIX.index` + `PREFIX.data-*`, e.g. `model.ckpt-1000`) from a file source: the
 * index, then every shard it names (a missing shard leaves its tensors out, with a note).
 */
export async function readCheckpoint(
  get: (path: string) => Promise<Uint8Array | undefined>,
  prefix: string,
  options: BundleReadOptions = {},
): Promise<BundleTensors & { bundle: TensorBundle }> {
  const index = await get(`${prefix}.index`);
  if (!index) throw new OmnihubError('not-found', `No ${prefix}.index: not a TensorFlow checkpoint.`);
  const bundle = readBundleIndex(index, options);
  const shards: Array<Uint8Array | undefined> = [];
  for (let i = 0; i < bundle.header.num_shards; i++) shards.push(await get(bundleShardName(prefix, i, bundle.header.num_shards)));
  return { bundle, ...readBundleTensors(bundle, shards, options) };
}
