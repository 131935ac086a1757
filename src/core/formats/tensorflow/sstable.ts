/**
 * A reader for the LevelDB table format ("SSTable") that TensorFlow uses for `variables.index` (its own copy of
 * LevelDB's table code, tensorflow/tsl/lib/io/table*):
 *
 *   [data block 1] … [data block N] [metaindex block] [index block] [footer: 48 bytes]
 *
 * Footer: metaindex BlockHandle, index BlockHandle (each two varint64: offset, size), zero padding to 40 bytes, then
 * the 8-byte magic 0xdb4775248b80fb57 (little-endian). Each block is followed by a 5-byte trailer: a type byte
 * (0 = stored, 1 = Snappy) and the masked CRC-32C of the block bytes plus the type byte. A block holds entries
 * `varint32 shared, varint32 non_shared, varint32 value_length, key[shared..] delta, value`, keys prefix-compressed
 * against the previous key, then `uint32 restart[num_restarts]` and `uint32 num_restarts`. The index block maps a
 * separator key to each data block's handle.
 *
 * Bounded: every handle must lie inside the file, every length inside its block, blocks are refused above
 * `maxBlockBytes` (compressed and uncompressed), entries above `maxEntries`. Malformed input → OmnihubError.
 */
import { OmnihubError } from '../../errors.js';
import { crc32cExtend, unmaskCrc } from './crc32c.js';
import { snappyDecompress } from './snappy.js';

export interface SSTableOptions {
  /** Check each block's CRC-32C (default true). */
  verifyChecksums?: boolean;
  /** Largest block accepted, compressed or not (default 64 MiB). */
  maxBlockBytes?: number;
  /** Most entries read from the table (default 10 million). */
  maxEntries?: number;
  /** Names the file in error messages (default 'the table'). */
  what?: string;
}

export interface SSTableEntry {
  key: Uint8Array;
  /** A view on the (decompressed) block. */
  value: Uint8Array;
}

const FOOTER_BYTES = 48;
const TRAILER_BYTES = 5;
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

interface BlockHandle { offset: number; size: number }

class Cursor {
  pos: number;
  constructor(readonly bytes: Uint8Array, start: number, readonly end: number, readonly what: string) {
    this.pos = start;
  }
  varint(maxBytes: number): number {
    let result = 0;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) throw new OmnihubError('truncated', `${this.what}: a varint runs past the end of its block (byte ${this.pos}).`);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new OmnihubError('malformed', `${this.what}: a varint is too large (byte ${this.pos}).`);
        return result;
      }
    }
    throw new OmnihubError('malformed', `${this.what}: a varint is longer than ${maxBytes} bytes (byte ${this.pos}).`);
  }
}

function readHandle(c: Cursor): BlockHandle {
  return { offset: c.varint(10), size: c.varint(10) };
}

/** The raw bytes of one block after its trailer is checked and its compression undone. */
function readBlock(file: Uint8Array, handle: BlockHandle, limit: number, options: Required<Omit<SSTableOptions, 'what'>> & { what: string }): Uint8Array {
  const { what } = options;
  if (handle.size > options.maxBlockBytes) {
    throw new OmnihubError('too-large', `${what}: a block of ${handle.size} bytes is larger than the ${options.maxBlockBytes} allowed.`);
  }
  if (handle.offset + handle.size + TRAILER_BYTES > limit) {
    throw new OmnihubError('truncated', `${what}: a block (offset ${handle.offset}, ${handle.size} bytes) runs past the end of the data (${limit} bytes); the file is truncated or corrupt.`);
  }
  const contents = file.subarray(handle.offset, handle.offset + handle.size);
  const type = file[handle.offset + handle.size];
  if (options.verifyChecksums) {
    const t = handle.offset + handle.size + 1;
    const stored = (file[t] | (file[t + 1] << 8) | (file[t + 2] << 16) | (file[t + 3] << 24)) >>> 0;
    const actual = crc32cExtend(crc32cExtend(0, contents), file.subarray(t - 1, t));
    if (unmaskCrc(stored) !== actual) {
      throw new OmnihubError('malformed', `${what}: the block at offset ${handle.offset} fails its CRC-32C check; the file is corrupt.`);
    }
  }
  if (type === 0) return contents;
  if (type === 1) return snappyDecompress(contents, { maxOutput: options.maxBlockBytes });
  throw new OmnihubError('unsupported', `${what}: the block at offset ${handle.offset} has compression type ${type}; only 0 (none) and 1 (Snappy) exist.`);
}

/** Every entry of one block, in order. */
function* blockEntries(block: Uint8Array, what: string): Generator<SSTableEntry> {
  if (block.length < 4) throw new OmnihubError('malformed', `${what}: a block of ${block.length} bytes is too short to hold its restart count.`);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const numRestarts = view.getUint32(block.length - 4, true);
  if (numRestarts * 4 > block.length - 4) {
    throw new OmnihubError('malformed', `${what}: a block claims ${numRestarts} restart points, more than its ${block.length} bytes can hold.`);
  }
  const dataEnd = block.length - 4 - numRestarts * 4;
  const c = new Cursor(block, 0, dataEnd, what);
  let key = new Uint8Array(0);
  while (c.pos < dataEnd) {
    const shared = c.varint(5);
    const nonShared = c.varint(5);
    const valueLength = c.varint(5);
    if (shared > key.length) throw new OmnihubError('malformed', `${what}: an entry shares ${shared} bytes with a previous key of ${key.length}.`);
    if (nonShared + valueLength > dataEnd - c.pos) {
      throw new OmnihubError('malformed', `${what}: an entry (key ${nonShared} + value ${valueLength} bytes) runs past the end of its block.`);
    }
    const next = new Uint8Array(shared + nonShared);
    next.set(key.subarray(0, shared));
    next.set(block.subarray(c.pos, c.pos + nonShared), shared);
    c.pos += nonShared;
    key = next;
    yield { key, value: block.subarray(c.pos, c.pos + valueLength) };
    c.pos += valueLength;
  }
}

/** Reads every key/value of the table in key order (index block → data blocks). */
export function readSSTable(file: Uint8Array, options: SSTableOptions = {}): SSTableEntry[] {
  const opts = {
    verifyChecksums: options.verifyChecksums ?? true,
    maxBlockBytes: options.maxBlockBytes ?? 64 * 1024 * 1024,
    maxEntries: options.maxEntries ?? 10_000_000,
    what: options.what ?? 'the table',
  };
  const { what } = opts;
  if (file.length < FOOTER_BYTES) {
    throw new OmnihubError('truncated', `${what}: ${file.length} bytes is shorter than a table footer (${FOOTER_BYTES}); the file is truncated or not a TensorFlow index.`);
  }
  const footerStart = file.length - FOOTER_BYTES;
  const fv = new DataView(file.buffer, file.byteOffset + footerStart, FOOTER_BYTES);
  if (fv.getUint32(40, true) !== MAGIC_LO || fv.getUint32(44, true) !== MAGIC_HI) {
    throw new OmnihubError('wrong-format', `${what}: no table magic number at the end; not a TensorFlow variables.index (LevelDB table), or truncated.`);
  }
  const fc = new Cursor(file, footerStart, footerStart + 40, what);
  readHandle(fc); // metaindex: TensorFlow writes no filter blocks, nothing to read there.
  const indexHandle = readHandle(fc);
  const index = readBlock(file, indexHandle, footerStart, opts);
  const entries: SSTableEntry[] = [];
  for (const { value } of blockEntries(index, what)) {
    const handle = readHandle(new Cursor(value, 0, value.length, what));
    for (const entry of blockEntries(readBlock(file, handle, footerStart, opts), what)) {
      if (entries.length >= opts.maxEntries) throw new OmnihubError('too-large', `${what}: more than ${opts.maxEntries} entries.`);
      entries.push(entry);
    }
  }
  return entries;
}
