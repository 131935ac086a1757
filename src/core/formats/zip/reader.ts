/**
 * A small ZIP reader for archives that are already in memory (PyTorch `torch.save` files, TorchScript archives).
 *
 * Why not fflate's unzipSync: it copies every entry, and a PyTorch file is mostly STORED (uncompressed) tensor
 * storages that should stay views on the file's bytes: a 500 MB state dict then reads without touching its data.
 * This reader parses the central directory only (cheap), hands out stored entries as `subarray` views, and inflates
 * the rare deflated entry on demand under a byte budget (see inflate.ts). ZIP64 is supported because torch writes
 * it for files over 4 GiB.
 */
import { OmnihubError } from '../../errors.js';
import { inflateExactly } from './inflate.js';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated (others are refused when read). */
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipOptions {
  /** Most bytes that deflated entries may inflate to, all reads together (default 4 GiB). Stored entries are views and do not count. */
  maxInflatedBytes?: number;
}

export const DEFAULT_MAX_INFLATED_BYTES = 4 * 1024 ** 3;

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIR = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIR = 0x06064b50;

function truncated(what: string): OmnihubError {
  return new OmnihubError('truncated', `The ZIP archive is cut short: ${what} runs past the end of the file.`);
}

function malformed(what: string): OmnihubError {
  return new OmnihubError('malformed', `The ZIP archive is damaged: ${what}.`);
}

/** True when the bytes start like a ZIP archive (a local file header, or the end record of an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b
    && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

export class ZipArchive {
  /** Entries in central-directory order. */
  readonly entries: ZipEntry[] = [];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly view: DataView;
  private readonly maxInflated: number;
  private inflated = 0;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly bytes: Uint8Array, options: ZipOptions = {}) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
    this.readCentralDirectory();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * An entry's bytes: a view on the archive's bytes when stored, an inflated copy (cached, counted against the
   * budget) when deflated.
   */
  read(name: string): Uint8Array {
    const entry = this.byName.get(name);
    if (!entry) throw new OmnihubError('malformed', `The ZIP archive has no entry '${name}'.`);
    const cached = this.cache.get(name);
    if (cached) return cached;
    if (entry.flags & 1) throw new OmnihubError('unsupported', `ZIP entry '${name}' is encrypted.`);
    const data = this.rawData(entry);
    let out: Uint8Array;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw malformed(`stored entry '${name}' has a compressed size (${entry.compressedSize}) unequal to its size (${entry.size})`);
      out = data;
    } else if (entry.method === 8) {
      if (entry.size > this.maxInflated - this.inflated) {
        throw new OmnihubError('too-large', `ZIP entry '${name}' would inflate to ${entry.size} bytes; the limit is ${this.maxInflated} bytes (${this.inflated} already used).`);
      }
      this.inflated += entry.size;
      out = inflateExactly(data, entry.size, name);
    } else {
      throw new OmnihubError('unsupported', `ZIP entry '${name}' uses compression method ${entry.method}; only stored and deflated entries are read.`);
    }
    this.cache.set(name, out);
    return out;
  }

  /** The entry's data as stored in the archive (compressed or not), located through its local header. */
  private rawData(entry: ZipEntry): Uint8Array {
    const at = entry.localHeaderOffset;
    if (at + 30 > this.bytes.length) throw truncated(`the local header of '${entry.name}'`);
    if (this.view.getUint32(at, true) !== LOCAL_HEADER) throw malformed(`no local header where '${entry.name}' should start`);
    // The local header's own name/extra lengths count, not the central directory's: torch pads the local extra
    // field so that tensor data starts 64-byte aligned.
    const start = at + 30 + this.view.getUint16(at + 26, true) + this.view.getUint16(at + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw truncated(`the data of '${entry.name}'`);
    return this.bytes.subarray(start, end);
  }

  private readCentralDirectory(): void {
    const { bytes, view } = this;
    const eocd = this.findEndRecord();
    let count = view.getUint16(eocd + 10, true);
    let cdSize = view.getUint32(eocd + 12, true);
    let cdOffset = view.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || view.getUint32(locator, true) !== ZIP64_END_LOCATOR) throw malformed('the ZIP64 end locator is missing');
      const z64 = this.u64(locator + 8);
      if (z64 + 56 > bytes.length) throw truncated('the ZIP64 end record');
      if (view.getUint32(z64, true) !== ZIP64_END_OF_CENTRAL_DIR) throw malformed('the ZIP64 end record is missing');
      count = this.u64(z64 + 32);
      cdSize = this.u64(z64 + 40);
      cdOffset = this.u64(z64 + 48);
    }
    if (cdOffset + cdSize > bytes.length) throw truncated('the central directory');
    const decoder = new TextDecoder();
    let at = cdOffset;
    const end = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (at + 46 > end) throw malformed(`the central directory lists ${count} entries but holds ${i}`);
      if (view.getUint32(at, true) !== CENTRAL_HEADER) throw malformed(`central directory entry ${i} has a wrong signature`);
      const flags = view.getUint16(at + 8, true);
      const method = view.getUint16(at + 10, true);
      let compressedSize = view.getUint32(at + 20, true);
      let size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      let localHeaderOffset = view.getUint32(at + 42, true);
      const nameStart = at + 46;
      const extraStart = nameStart + nameLength;
      const next = extraStart + extraLength + commentLength;
      if (next > end) throw malformed(`central directory entry ${i} runs past the directory`);
      const name = decoder.decode(bytes.subarray(nameStart, extraStart));
      // ZIP64 extended information: the 64-bit values appear, in this order, only for the fields set to 0xffffffff.
      if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        let e = extraStart;
        const extraEnd = extraStart + extraLength;
        let found = false;
        while (e + 4 <= extraEnd) {
          const id = view.getUint16(e, true);
          const len = view.getUint16(e + 2, true);
          const body = e + 4;
          if (body + len > extraEnd) break;
          if (id === 0x0001) {
            let p = body;
            const take = (): number => {
              if (p + 8 > body + len) throw malformed(`the ZIP64 field of '${name}' is too short`);
              const v = this.u64(p);
              p += 8;
              return v;
            };
            if (size === 0xffffffff) size = take();
            if (compressedSize === 0xffffffff) compressedSize = take();
            if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
            found = true;
            break;
          }
          e = body + len;
        }
        if (!found) throw malformed(`entry '${name}' needs a ZIP64 field but has none`);
      }
      const entry: ZipEntry = { name, method, flags, compressedSize, size, localHeaderOffset };
      this.entries.push(entry);
      if (!this.byName.has(name)) this.byName.set(name, entry);
      at = next;
    }
  }

  /** Finds the end-of-central-directory record, which sits in the last 22 + 65535 (comment) bytes. */
  private findEndRecord(): number {
    const { bytes, view } = this;
    const last = bytes.length - 22;
    const first = Math.max(0, last - 0xffff);
    for (let at = last; at >= first; at--) {
      if (bytes[at] === 0x50 && bytes[at + 1] === 0x4b && view.getUint32(at, true) === END_OF_CENTRAL_DIR) {
        if (at + 22 + view.getUint16(at + 20, true) <= bytes.length) return at;
      }
    }
    if (looksLikeZip(bytes)) throw truncated('the archive (its end record is missing)');
    throw new OmnihubError('wrong-format', 'Not a ZIP archive (no end-of-central-directory record).');
  }

  private u64(at: number): number {
    if (at + 8 > this.bytes.length) throw truncated('a 64-bit field');
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('a 64-bit size or offset is beyond 2^53');
    return Number(v);
  }
}

export function openZip(bytes: Uint8Array, options: ZipOptions = {}): ZipArchive {
  return new ZipArchive(bytes, options);
}
