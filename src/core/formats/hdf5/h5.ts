/**
 * The one module that touches h5wasm (HDF5 compiled to WebAssembly): Keras `.h5` models and weights, the
 * `model.weights.h5` inside a Keras 3 `.keras` zip, and later TensorFlow/TFLite side files all read through it.
 *
 * - h5wasm is imported lazily (its ESM build is a 4 MB file with the wasm inlined) and initialised once.
 * - HDF5 errors are switched to throwing (h5wasm's `activate_throwing_error_handler`): nothing is printed to the
 *   console, and every failure becomes an OmnihubError that names the file ('truncated' / 'malformed' /
 *   'unsupported').
 * - A file is opened from bytes by placing them in Emscripten's in-memory FS without a copy (`canOwn`), and the
 *   FS entry is always removed when the file is closed (`withHdf5` does both in `finally`).
 * - A dataset whose elements HDF5 reads from the file in one piece, unconverted (stored contiguous and
 *   little-endian, the way Keras and h5py write weights), is handed out as a view on the file's own bytes: no copy,
 *   and the wasm heap is not even touched (see `DirectReads`). Any other dataset (chunked or compressed, big-endian,
 *   small ones HDF5 reads through its sieve buffer) is read into the wasm heap and copied out once (exactly what
 *   h5wasm's `.value` does before wrapping the copy in a typed array). Either way it comes as bytes, whatever its
 *   element type: float16 and Keras 3's bfloat16 included, which `.value` cannot decode. h5wasm reads numbers in the
 *   machine's (little-endian) order, so big-endian datasets come out little-endian too.
 *
 * Pure TS, no DOM: works in Node/vitest and in a module Worker.
 */
import { OmnihubError, type ErrorCode } from '../../errors.js';
import { bytesPerElement, type WeightDtype } from '../../weights/types.js';

type H5wasmModule = typeof import('h5wasm');
type H5wasmApi = H5wasmModule['default'];
type H5Emscripten = Awaited<H5wasmApi['ready']>;

interface Runtime {
  h5wasm: H5wasmApi;
  Module: H5Emscripten;
  FS: NonNullable<H5wasmModule['FS']>;
}

/** Where opened files live in the in-memory FS (one entry per open file, removed on close). */
export const HDF5_SCRATCH_DIR = '/omnihub-h5';

let runtime: Promise<Runtime> | undefined;
let counter = 0;

/**
 * How far h5wasm's heap may grow during the current call. HDF5 allocates what a file's metadata declares before it
 * checks that against the file (a 37 KB Keras file with one damaged length asked for 1.5 GB), and the heap never
 * shrinks, so one such file would leave the worker holding that memory and unable to read a real model later.
 * Growth past the limit fails as an out-of-memory malloc does, which HDF5 reports as an error.
 */
let heapLimit = Infinity;
/** How much larger than its file a chunked (compressed) dataset may be: gzip's best is ~1000:1, weights' ~1.1:1. */
const MAX_COMPRESSION = 100;
/** Room for a file's metadata, caches and attribute values: generous, but bounded by the file's size. */
const metadataAllowance = (fileBytes: number) => 64 * 2 ** 20 + 2 * fileBytes;

/** Makes growing h5wasm's memory (and only its) fail past `heapLimit`. */
function limitHeapGrowth(Module: H5Emscripten): void {
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, delta: number): number {
    if (this.buffer === Module.HEAPU8.buffer && this.buffer.byteLength + delta * 65536 > heapLimit) {
      throw new RangeError(`the HDF5 heap may not grow past ${heapLimit} bytes here`);
    }
    return grow.call(this, delta);
  };
}

/** Runs `fn` with the heap allowed to grow by `allowance` bytes from its size now (nested calls keep the larger). */
function withHeapAllowance<T>(Module: H5Emscripten, allowance: number, fn: () => T): T {
  const outer = heapLimit;
  heapLimit = Math.max(outer === Infinity ? 0 : outer, Module.HEAPU8.length + allowance);
  try {
    return fn();
  } finally {
    heapLimit = outer;
  }
}

function loadRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    const mod = await import('h5wasm');
    const h5wasm = mod.default;
    const Module = await h5wasm.ready;
    // Errors as JS exceptions carrying HDF5's own error stack, instead of a print to stderr and a -1 return.
    Module.activate_throwing_error_handler();
    limitHeapGrowth(Module);
    const FS = Module.FS as unknown as Runtime['FS'];
    try {
      FS.mkdir(HDF5_SCRATCH_DIR);
    } catch {
      // exists already
    }
    return { h5wasm, Module, FS };
  })().catch((e: unknown) => {
    runtime = undefined;
    throw new OmnihubError('unsupported', `The HDF5 library (h5wasm) could not be loaded: ${messageOf(e)}`, { cause: e });
  });
  return runtime;
}

/** Starts loading h5wasm now (it takes ~100 ms); the readers call it anyway. */
export async function initHdf5(): Promise<void> {
  await loadRuntime();
}

// ---------------------------------------------------------------------------------------------------------------
// Superblock: recognise and check the declared end of file before handing the bytes to HDF5.

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where the HDF5 signature is: 0, 512, 1024, 2048 … (a user block may precede it); -1 when absent. */
export function hdf5SignatureOffset(bytes: Uint8Array): number {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_MAGIC.every((b, i) => bytes[at + i] === b)) return at;
    if (at >= 1 << 24) break;
  }
  return -1;
}

export function isHdf5(bytes: Uint8Array): boolean {
  return hdf5SignatureOffset(bytes) === 0;
}

/**
 * The end-of-file address the superblock declares (relative to the base address, which is where the signature
 * is), or undefined when the superblock itself cannot be read. Superblock versions 0–3.
 */
export function hdf5DeclaredLength(bytes: Uint8Array): number | undefined {
  const base = hdf5SignatureOffset(bytes);
  if (base < 0 || base + 9 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[base + 8];
  let offsetSize: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    if (base + 16 > bytes.length) return undefined;
    offsetSize = bytes[base + 13];
    // signature 8, versions 4, reserved 1, sizes 2, reserved 1, K 4, flags 4, [v1: indexed K 2 + reserved 2]
    const fixed = base + 24 + (version === 1 ? 4 : 0);
    eofAt = fixed + 2 * offsetSize; // base address, free-space address, end-of-file address
  } else if (version === 2 || version === 3) {
    offsetSize = bytes[base + 9];
    eofAt = base + 12 + 2 * offsetSize; // base address, superblock extension address, end-of-file address
  } else {
    return undefined;
  }
  if (offsetSize !== 2 && offsetSize !== 4 && offsetSize !== 8) return undefined;
  if (eofAt + offsetSize > bytes.length) return undefined;
  let eof: number;
  if (offsetSize === 8) {
    const v = view.getBigUint64(eofAt, true);
    if (v === 0xffffffffffffffffn) return undefined; // undefined address
    eof = Number(v);
  } else if (offsetSize === 4) {
    eof = view.getUint32(eofAt, true);
  } else {
    eof = view.getUint16(eofAt, true);
  }
  return base + eof;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** HDF5's error stack is long; its innermost frame ("… in H5F__super_read(): truncated file: …") says why. */
function hdf5Reason(e: unknown): string {
  const text = messageOf(e);
  const frames = [...text.matchAll(/#\d+: .*? in (\S+)\(\): (.*)$/gm)];
  if (frames.length) return frames[frames.length - 1][2].trim();
  return text.split('\n')[0].trim();
}

function codeFor(reason: string): ErrorCode {
  if (/truncated|eof|end of file|addr overflow|address.*out of bounds/i.test(reason)) return 'truncated';
  if (/filter|plugin|can't open directory|compress/i.test(reason)) return 'unsupported';
  return 'malformed';
}

function hdf5Error(fileName: string, what: string, e: unknown): OmnihubError {
  if (e instanceof OmnihubError) return e;
  const reason = hdf5Reason(e);
  return new OmnihubError(codeFor(reason), `${fileName}: HDF5 could not ${what}: ${reason}.`, { cause: e });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export type H5Kind = 'group' | 'dataset' | 'missing' | 'other';

export type H5AttrValue = string | number | bigint | boolean | null | H5AttrValue[] | Uint8Array
  | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array
  | Float32Array | Float64Array;

export interface H5DatasetInfo {
  shape: number[];
  /** The element type as a weight dtype, or undefined for strings, compounds other than complex, references … */
  dtype: WeightDtype | undefined;
  /** The HDF5 element type in words (e.g. 'float of 4 bytes'), for messages. */
  description: string;
}

export interface H5DatasetData {
  shape: number[];
  dtype: WeightDtype;
  /**
   * Little-endian, C order: a view on the bytes the file was opened from where the dataset is stored contiguous and
   * little-endian (do not write to it), else the whole of one fresh copy out of the wasm heap (byteOffset 0).
   */
  bytes: Uint8Array;
}

/**
 * Reads a dataset's elements without copying them, where HDF5 would only have copied the file's bytes.
 *
 * HDF5 reads a contiguous dataset larger than its sieve buffer with one read of the file straight into the caller's
 * buffer, and with no type conversion when the memory type is the file type (h5wasm reads with the file's own type,
 * made little-endian). In the in-memory FS that read is a copy from the file's bytes into the wasm heap, which
 * readDataset would then copy out again. So while readDataset reads a dataset that needs no conversion, it arms
 * `pending` with its destination (`ptr`, `nbytes`), and this file's read hook (installed on its FS node in openHdf5)
 * answers a read of exactly that destination by recording the file position instead of copying: the elements are
 * then `bytes[position, position + nbytes)`. Any other read (metadata, the sieve buffer, chunks, a partial read) is
 * served as before, and readDataset falls back to copying out of the heap when no such read happened.
 */
interface DirectReads {
  pending?: { ptr: number; nbytes: number; position?: number };
}

/** Emscripten's per-node stream operations (only `read` is wrapped). */
interface StreamOps {
  read(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
  [op: string]: unknown;
}

interface Meta {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  vlen: boolean;
  shape: number[] | null;
  total_size: number;
  /** Chunk shape, or null for contiguous or compact storage. */
  chunks: number[] | null;
  enum_type?: { members: Record<string, number>; type: number };
  compound_type?: { members: Array<{ name: string; type: number; size: number; offset: number; littleEndian: boolean }> };
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_OPAQUE = 5;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;

function normalizePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return '/' + parts.join('/');
}

/** An open HDF5 file (read-only). Paths are absolute or relative to the root; '/' separates groups. */
export class Hdf5File {
  private closed = false;

  /** @internal use openHdf5 / withHdf5 */
  constructor(
    private readonly rt: Runtime,
    private readonly file: InstanceType<H5wasmApi['File']>,
    private readonly scratchPath: string,
    /** The file's name for messages. */
    readonly fileName: string,
    /** The bytes the file was opened from (what the in-memory FS entry views), and the read hook's state. */
    private readonly source: Uint8Array,
    private readonly direct: DirectReads,
  ) {}

  private guard<T>(what: string, fn: () => T): T {
    if (this.closed) throw new OmnihubError('usage', `${this.fileName}: the HDF5 file is already closed.`);
    try {
      return withHeapAllowance(this.rt.Module, metadataAllowance(this.source.length), fn);
    } catch (e) {
      throw hdf5Error(this.fileName, what, e);
    }
  }

  kind(path: string): H5Kind {
    const p = normalizePath(path);
    if (p === '/') return 'group';
    return this.guard(`look up '${p}'`, () => {
      let type: number;
      try {
        type = this.rt.Module.get_type(this.file.file_id, p);
      } catch (e) {
        // a path that runs through a dataset ('kernel:0/x') fails the lookup instead of returning -1
        if (/not found|doesn't exist|does not exist/i.test(messageOf(e))) return 'missing';
        throw e;
      }
      if (type < 0) return 'missing';
      if (type === this.rt.Module.H5G_GROUP) return 'group';
      if (type === this.rt.Module.H5G_DATASET) return 'dataset';
      return 'other';
    });
  }

  /** The names of a group's members, in HDF5's listing order (by name unless the file tracks creation order). */
  children(path: string): string[] {
    const p = normalizePath(path);
    return this.guard(`list the group '${p}'`, () => this.rt.Module.get_names(this.file.file_id, p, false));
  }

  attrNames(path: string): string[] {
    const p = normalizePath(path);
    return this.guard(`list the attributes of '${p}'`, () => this.rt.Module.get_attribute_names(this.file.file_id, p));
  }

  hasAttr(path: string, name: string): boolean {
    return this.attrNames(path).includes(name);
  }

  /** An attribute's value as h5wasm decodes it (strings, string arrays, typed arrays, numbers), or undefined. */
  attr(path: string, name: string): H5AttrValue | undefined {
    const p = normalizePath(path);
    if (!this.hasAttr(p, name)) return undefined;
    return this.guard(`read the attribute '${name}' of '${p}'`, () => {
      const obj = this.file.get(p);
      if (!obj || !('get_attribute' in obj)) return undefined;
      return obj.get_attribute(name, false) as H5AttrValue;
    });
  }

  /** A text attribute (a string, a one-element string array, or bytes), or undefined when absent or not text. */
  attrString(path: string, name: string): string | undefined {
    const v = this.attr(path, name);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    if (v instanceof Uint8Array) return new TextDecoder().decode(v);
    return undefined;
  }

  /**
   * A list-of-strings attribute (Keras `layer_names` / `weight_names`): a string array, a single string, or an
   * empty numeric array (how h5py stores an empty list); undefined when absent.
   */
  attrStrings(path: string, name: string): string[] | undefined {
    const v = this.attr(path, name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) {
      if (!v.every((s) => typeof s === 'string')) {
        throw new OmnihubError('malformed', `${this.fileName}: the attribute '${name}' of '${normalizePath(path)}' should list names but holds ${JSON.stringify(v).slice(0, 80)}.`);
      }
      return v as string[];
    }
    if (ArrayBuffer.isView(v) && v.length === 0) return [];
    throw new OmnihubError('malformed', `${this.fileName}: the attribute '${name}' of '${normalizePath(path)}' should list names but is ${describeValue(v)}.`);
  }

  private meta(p: string): Meta {
    return this.rt.Module.get_dataset_metadata(this.file.file_id, p) as unknown as Meta;
  }

  datasetInfo(path: string): H5DatasetInfo {
    const p = normalizePath(path);
    return this.guard(`read the dataset '${p}'`, () => {
      const meta = this.meta(p);
      return { shape: meta.shape ?? [], dtype: this.weightDtype(p, meta), description: describeMeta(meta) };
    });
  }

  private weightDtype(p: string, meta: Meta): WeightDtype | undefined {
    const { type, size, signed } = meta;
    const taggedBfloat16 = size === 2 && (type === H5T_OPAQUE || type === H5T_FLOAT || type === H5T_INTEGER)
      && this.attrString(p, 'dtype') === 'bfloat16';
    if (taggedBfloat16) return 'bfloat16';
    if (meta.vlen) return undefined;
    if (type === H5T_FLOAT) return size === 2 ? 'float16' : size === 4 ? 'float32' : size === 8 ? 'float64' : undefined;
    if (type === H5T_INTEGER) {
      const ints: Record<number, [WeightDtype, WeightDtype]> = { 1: ['int8', 'uint8'], 2: ['int16', 'uint16'], 4: ['int32', 'uint32'], 8: ['int64', 'uint64'] };
      const pair = ints[size];
      return pair ? pair[signed ? 0 : 1] : undefined;
    }
    if (type === H5T_ENUM && meta.enum_type) {
      const m = meta.enum_type.members;
      const names = Object.keys(m);
      // h5py's bool: an int8 enum {FALSE: 0, TRUE: 1}
      if (size === 1 && names.length === 2 && m.FALSE === 0 && m.TRUE === 1) return 'bool';
      return this.weightDtype(p, { ...meta, type: meta.enum_type.type, enum_type: undefined });
    }
    if (type === H5T_COMPOUND && meta.compound_type) {
      // h5py's complex: a compound {r, i} of two floats
      const [re, im] = meta.compound_type.members;
      if (meta.compound_type.members.length === 2 && re.type === H5T_FLOAT && im.type === H5T_FLOAT && re.size === im.size
        && re.offset === 0 && im.offset === re.size) {
        return re.size === 4 ? 'complex64' : re.size === 8 ? 'complex128' : undefined;
      }
    }
    return undefined;
  }

  /**
   * A numeric dataset's elements, little-endian (HDF5 converts big-endian data): a view on the file's bytes where
   * HDF5 reads them unconverted in one piece (see DirectReads), else one copy out of the wasm heap.
   */
  readDataset(path: string): H5DatasetData {
    const p = normalizePath(path);
    return this.guard(`read the dataset '${p}'`, () => {
      const { Module } = this.rt;
      const meta = this.meta(p);
      if (!meta.shape) {
        throw new OmnihubError('unsupported', `${this.fileName}: the dataset '${p}' has no dataspace (an HDF5 null dataset).`);
      }
      const dtype = this.weightDtype(p, meta);
      if (!dtype) {
        throw new OmnihubError('unsupported', `${this.fileName}: the dataset '${p}' has element type ${describeMeta(meta)}, which is not a numeric tensor type.`);
      }
      const shape = meta.shape.map(Number);
      const nbytes = meta.size * meta.total_size;
      if (nbytes !== shape.reduce((n, d) => n * d, 1) * bytesPerElement(dtype)) {
        throw new OmnihubError('malformed', `${this.fileName}: the dataset '${p}' (${describeMeta(meta)} [${shape.join(', ')}]) has an element size that does not fit ${dtype}.`);
      }
      // A contiguous dataset's bytes lie in the file; a chunked one may be compressed, but not without bound: a few KB
      // of compressed zeros can declare gigabytes (a decompression bomb), which HDF5 would inflate into the heap.
      const plausible = meta.chunks ? 16 * 2 ** 20 + MAX_COMPRESSION * this.source.length : this.source.length;
      if (nbytes > plausible) {
        throw new OmnihubError(meta.chunks ? 'too-large' : 'malformed', meta.chunks
          ? `${this.fileName}: the dataset '${p}' declares ${nbytes} bytes, more than ${MAX_COMPRESSION}× its ${this.source.length}-byte file could hold compressed (a decompression bomb?); refused.`
          : `${this.fileName}: the dataset '${p}' declares ${nbytes} bytes, more than its ${this.source.length}-byte file holds.`);
      }
      if (nbytes > Module.MAXIMUM_MEMORY) {
        throw new OmnihubError('too-large', `${this.fileName}: the dataset '${p}' needs ${nbytes} bytes, more than the HDF5 library's memory limit (${Module.MAXIMUM_MEMORY}).`);
      }
      let bytes: Uint8Array;
      if (nbytes === 0) {
        bytes = new Uint8Array(0);
      } else {
        // The destination in the wasm heap (what HDF5 writes to, unless the read hook takes its one big read: then its
        // pages are never touched, so it costs address space, not memory); the heap may grow by that much more.
        bytes = withHeapAllowance(Module, nbytes + metadataAllowance(this.source.length), () => {
          const ptr = Module._malloc(nbytes);
          if (!ptr) throw new OmnihubError('too-large', `${this.fileName}: could not allocate ${nbytes} bytes to read '${p}'.`);
          // Unconverted: an integer or float type already little-endian (h5wasm's memory type is then the file's own).
          const unconverted = (meta.type === H5T_INTEGER || meta.type === H5T_FLOAT) && meta.littleEndian && !meta.vlen;
          const pending: DirectReads['pending'] = unconverted ? { ptr, nbytes } : undefined;
          this.direct.pending = pending;
          try {
            Module.get_dataset_data(this.file.file_id, p, null, null, null, BigInt(ptr));
            return pending?.position !== undefined
              ? this.source.subarray(pending.position, pending.position + nbytes)
              : Module.HEAPU8.slice(ptr, ptr + nbytes);
          } finally {
            this.direct.pending = undefined;
            Module._free(ptr);
          }
        });
      }
      return { shape, dtype, bytes };
    });
  }

  /** Every path below `path` (recursive), as HDF5 lists them. */
  paths(path = '/'): string[] {
    const p = normalizePath(path);
    return this.guard(`list '${p}'`, () => this.rt.Module.get_names(this.file.file_id, p, true));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the HDF5 handle and removes the in-memory FS entry. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.file.close();
    } catch {
      // a damaged file may fail to close cleanly; its FS entry is removed regardless
    } finally {
      try {
        this.rt.FS.unlink(this.scratchPath);
      } catch {
        // already gone
      }
    }
  }
}

function describeMeta(meta: Meta): string {
  const names: Record<number, string> = { 0: 'integer', 1: 'float', 2: 'time', 3: 'string', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'variable-length', 10: 'array' };
  const kind = names[meta.type] ?? `class ${meta.type}`;
  return `${meta.vlen ? 'variable-length ' : ''}${kind} of ${meta.size} byte${meta.size === 1 ? '' : 's'}${meta.littleEndian === false && (meta.type === H5T_INTEGER || meta.type === H5T_FLOAT) ? ' (big-endian)' : ''}`;
}

function describeValue(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as Uint8Array).length} elements`;
  return typeof v;
}

/**
 * Opens HDF5 bytes read-only. The bytes are not copied (the in-memory FS entry is a view on them): keep them
 * unchanged until `close()`, which must be called (prefer `withHdf5`), and after it as long as datasets read from
 * them are in use (readDataset may hand out views on them).
 */
export async function openHdf5(bytes: Uint8Array, fileName = 'the HDF5 file'): Promise<Hdf5File> {
  if (bytes.length === 0) throw new OmnihubError('empty-file', `${fileName} is empty (0 bytes).`);
  const at = hdf5SignatureOffset(bytes);
  if (at < 0) throw new OmnihubError('wrong-format', `${fileName} is not an HDF5 file (no HDF5 signature).`);
  const declared = hdf5DeclaredLength(bytes);
  if (declared === undefined) {
    throw new OmnihubError(bytes.length < at + 64 ? 'truncated' : 'malformed', `${fileName}: the HDF5 superblock is ${bytes.length < at + 64 ? 'cut short' : 'unreadable'}.`);
  }
  if (declared > bytes.length) {
    throw new OmnihubError('truncated', `${fileName} is cut short: the HDF5 superblock declares ${declared} bytes, the file has ${bytes.length}.`);
  }
  const rt = await loadRuntime();
  const scratchPath = `${HDF5_SCRATCH_DIR}/f${++counter}.h5`;
  // canOwn: the FS entry becomes a view on these bytes (no copy); HDF5 opened read-only never writes to it.
  (rt.FS.writeFile as (path: string, data: Uint8Array, opts: { canOwn: boolean }) => void)(scratchPath, bytes, { canOwn: true });
  const direct: DirectReads = {};
  let file: InstanceType<H5wasmApi['File']>;
  try {
    // This file's own stream operations, with reads of a pending dataset's destination answered from `bytes` (see
    // DirectReads); set before HDF5 opens the file, since a stream takes its node's operations when opened.
    const node = (rt.FS as unknown as { lookupPath(path: string): { node: { stream_ops: StreamOps } } }).lookupPath(scratchPath).node;
    const ops = node.stream_ops;
    node.stream_ops = {
      ...ops,
      read(stream, buffer, offset, length, position) {
        const p = direct.pending;
        if (p && p.position === undefined && offset === p.ptr && length === p.nbytes && buffer.buffer === rt.Module.HEAPU8.buffer
          && Number.isSafeInteger(position) && position >= 0 && position + length <= bytes.length) {
          p.position = position;
          return length;
        }
        return ops.read(stream, buffer, offset, length, position);
      },
    };
    file = withHeapAllowance(rt.Module, metadataAllowance(bytes.length), () => new rt.h5wasm.File(scratchPath, 'r'));
    if (file.file_id < 0n) throw new Error('H5Fopen returned an invalid file id');
  } catch (e) {
    try {
      rt.FS.unlink(scratchPath);
    } catch {
      // nothing to remove
    }
    throw hdf5Error(fileName, 'open the file', e);
  }
  return new Hdf5File(rt, file, scratchPath, fileName, bytes, direct);
}

/** Opens the bytes, runs `fn`, and always closes the file and frees its FS entry. */
export async function withHdf5<T>(bytes: Uint8Array, fileName: string | undefined, fn: (file: Hdf5File) => T | Promise<T>): Promise<T> {
  const file = await openHdf5(bytes, fileName);
  try {
    return await fn(file);
  } finally {
    file.close();
  }
}

/** Files left in the in-memory FS by this module (empty unless a file is open): for leak tests. */
export async function hdf5ScratchFiles(): Promise<string[]> {
  const rt = await loadRuntime();
  return rt.FS.readdir(HDF5_SCRATCH_DIR).filter((n: string) => n !== '.' && n !== '..');
}

/** The wasm heap's current size in bytes (it grows, never shrinks): for leak tests. */
export async function hdf5HeapBytes(): Promise<number> {
  const rt = await loadRuntime();
  return rt.Module.HEAPU8.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (small files for tests and fixtures)

export type Hdf5NumericArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array
  | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

/** An attribute: text, a list of texts (written as variable-length UTF-8, as h5py does for `str`), numbers. */
export type Hdf5AttrSpec = string | string[] | number | number[] | Hdf5NumericArray;

export interface Hdf5DatasetSpec {
  data: Hdf5NumericArray;
  shape: number[];
  attrs?: Record<string, Hdf5AttrSpec>;
  /** Chunked storage with gzip at this level (h5py's `compression='gzip'`). */
  gzip?: { chunks: number[]; level: number };
}

export interface Hdf5GroupSpec {
  attrs?: Record<string, Hdf5AttrSpec>;
  /** Members by name; a name with '/' creates the intermediate groups (as Keras's `conv1/kernel:0` does). */
  children?: Record<string, Hdf5GroupSpec | Hdf5DatasetSpec>;
}

function isDatasetSpec(s: Hdf5GroupSpec | Hdf5DatasetSpec): s is Hdf5DatasetSpec {
  return 'data' in s;
}

/** Writes an HDF5 file from a tree of groups, attributes and numeric datasets, and returns its bytes. */
export async function writeHdf5(spec: Hdf5GroupSpec): Promise<Uint8Array> {
  const rt = await loadRuntime();
  const scratchPath = `${HDF5_SCRATCH_DIR}/w${++counter}.h5`;
  let file: InstanceType<H5wasmApi['File']> | undefined;
  try {
    file = new rt.h5wasm.File(scratchPath, 'w');
    const f = file;
    const ensureGroup = (path: string): void => {
      const parts = path.split('/').filter(Boolean);
      let at = '';
      for (const part of parts) {
        const parent = at === '' ? '/' : at;
        at += '/' + part;
        if (!rt.Module.get_names(f.file_id, parent, false).includes(part)) rt.Module.create_group(f.file_id, at, false);
      }
    };
    const setAttrs = (path: string, attrs: Record<string, Hdf5AttrSpec> | undefined): void => {
      if (!attrs) return;
      const obj = f.get(path);
      if (!obj || !('create_attribute' in obj)) throw new Error(`no object at ${path}`);
      for (const [name, value] of Object.entries(attrs)) {
        if (Array.isArray(value) && value.length === 0) {
          // h5py writes an empty list as an empty float64 array (Keras's weight_names of a weightless layer)
          obj.create_attribute(name, new Float64Array(0), [0]);
        } else if (typeof value === 'string') {
          obj.create_attribute(name, value, null);
        } else {
          obj.create_attribute(name, value as never);
        }
      }
    };
    const write = (path: string, group: Hdf5GroupSpec): void => {
      setAttrs(path, group.attrs);
      for (const [name, child] of Object.entries(group.children ?? {})) {
        const childPath = normalizePath(`${path}/${name}`);
        ensureGroup(childPath.slice(0, childPath.lastIndexOf('/')));
        if (isDatasetSpec(child)) {
          const count = child.shape.reduce((n, d) => n * d, 1);
          if (child.data.length !== count) throw new OmnihubError('usage', `writeHdf5: '${childPath}' has ${child.data.length} values for shape [${child.shape.join(', ')}].`);
          const parent = f.get(childPath.slice(0, childPath.lastIndexOf('/')) || '/');
          (parent as InstanceType<H5wasmApi['Group']>).create_dataset({
            name: childPath.slice(childPath.lastIndexOf('/') + 1), data: child.data, shape: child.shape,
            ...(child.gzip ? { chunks: child.gzip.chunks, compression: 'gzip' as const, compression_opts: child.gzip.level } : {}),
          });
          setAttrs(childPath, child.attrs);
        } else {
          ensureGroup(childPath);
          write(childPath, child);
        }
      }
    };
    write('/', spec);
    f.close();
    file = undefined;
    return rt.FS.readFile(scratchPath) as Uint8Array;
  } catch (e) {
    if (e instanceof OmnihubError) throw e;
    throw new OmnihubError('usage', `writeHdf5 failed: ${hdf5Reason(e)}`, { cause: e });
  } finally {
    if (file) {
      try {
        file.close();
      } catch {
        // ignore
      }
    }
    try {
      rt.FS.unlink(scratchPath);
    } catch {
      // ignore
    }
  }
}
