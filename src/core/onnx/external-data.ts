/**
 * External data (ONNX IR "external_data"): tensors whose bytes live in a side file, found by
 * `location` / `offset` / `length` entries. Reading takes a range reader so Node (file handles) and the browser
 * (File.slice) each read only what they need; writing moves large raw tensors into one side file.
 */
import { onnx } from './generated/onnx.js';
import { has } from './codec.js';
import { walkTensors } from './walk.js';
import { DATA_TYPES, elementCount, rawByteLength, tensorDims } from './tensor.js';
import { OmnihubError } from '../errors.js';

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Reads `length` bytes at `offset` of the side file `location` (length undefined: to the end of the file). */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Promise<Uint8Array>;

export interface ExternalDataRef {
  location: string;
  offset: number;
  length: number | undefined;
}

export function isExternal(t: onnx.ITensorProto): boolean {
  return t.data_location === EXTERNAL;
}

function parseOffset(value: string | null | undefined, key: string, tensor: string): number {
  if (!/^\d+$/.test(value ?? '')) throw new OmnihubError('external-data', `tensor '${tensor}': external_data ${key} '${value}' is not a non-negative integer`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new OmnihubError('external-data', `tensor '${tensor}': external_data ${key} ${value} is too large`);
  return n;
}

/**
 * The location must be a relative path inside the model's folder: a model file is untrusted, and must not make
 * the reader open `/etc/passwd` or `../../secrets`.
 */
export function checkLocation(location: string, tensor = ''): string {
  const parts = location.split(/[\\/]/);
  if (!location || location.startsWith('/') || /^[a-zA-Z]:/.test(location) || parts.includes('..') || location.includes('\0')) {
    throw new OmnihubError('external-data', `tensor '${tensor}': external data location '${location}' is not a relative path inside the model's folder`);
  }
  return location;
}

export function externalDataRef(t: onnx.ITensorProto): ExternalDataRef {
  const name = t.name ?? '';
  const entries = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (location === undefined) throw new OmnihubError('external-data', `tensor '${name}' is marked external but has no location`);
  return {
    location: checkLocation(location, name),
    offset: entries.has('offset') ? parseOffset(entries.get('offset'), 'offset', name) : 0,
    length: entries.has('length') ? parseOffset(entries.get('length'), 'length', name) : undefined,
  };
}

/** Side files the model refers to, each once. */
export function externalDataLocations(model: onnx.IModelProto): string[] {
  const set = new Set<string>();
  for (const t of walkTensors(model)) if (isExternal(t)) set.add(externalDataRef(t).location);
  return [...set];
}

/**
 * Loads every external tensor into `raw_data` (in place) and marks it as stored inline, so the model can be run
 * or re-encoded on its own. The byte count is checked against the tensor's shape and type.
 */
export async function loadExternalData(model: onnx.IModelProto, read: ExternalDataReader): Promise<number> {
  let loaded = 0;
  for (const t of walkTensors(model)) {
    if (!isExternal(t)) continue;
    const ref = externalDataRef(t);
    const expected = DATA_TYPES[t.data_type ?? 0]?.bits ? rawByteLength(t.data_type!, elementCount(tensorDims(t))) : undefined;
    if (ref.length !== undefined && expected !== undefined && ref.length !== expected) {
      throw new OmnihubError('external-data', `tensor '${t.name}': external length ${ref.length} bytes, but its shape and type need ${expected}`);
    }
    const bytes = await read(ref.location, ref.offset, ref.length ?? expected);
    if (expected !== undefined && bytes.length !== expected) {
      throw new OmnihubError('external-data', `tensor '${t.name}': '${ref.location}' gave ${bytes.length} bytes at offset ${ref.offset}, expected ${expected} (side file too short?)`);
    }
    t.raw_data = bytes;
    t.external_data = [];
    delete (t as { data_location?: unknown }).data_location;
    loaded++;
  }
  return loaded;
}

export interface ExternalizeOptions {
  /** Side file name, relative to the model file. */
  location: string;
  /** Tensors whose raw_data has at least this many bytes move out (onnx's convert_model_to_external_data default: 1024). */
  threshold?: number;
  /** Tensors of at least `alignThreshold` bytes start at a multiple of `alignment`, so runtimes can mmap them. */
  alignment?: number;
  alignThreshold?: number;
}

export interface ExternalizeResult {
  tensors: number;
  /** The side file's content in order; gaps are zero-filled padding chunks. */
  chunks: Uint8Array[];
  byteLength: number;
  /** Puts the moved tensors back inline, leaving the model as it was before. */
  undo(): void;
}

/**
 * Moves large raw tensors of `model` (in place) into a side file. Offsets follow onnx's own writer: tensors of
 * 1 MiB or more are aligned to 64 KiB (its allocation granularity), smaller ones are packed one after another.
 */
export function externalizeTensors(model: onnx.IModelProto, options: ExternalizeOptions): ExternalizeResult {
  const location = checkLocation(options.location);
  const threshold = options.threshold ?? 1024;
  const alignment = options.alignment ?? 65536;
  const alignThreshold = options.alignThreshold ?? 1024 * 1024;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  // Own fields of each moved tensor before the move, to restore them exactly (presence included).
  const moved: onnx.ITensorProto[] = [];
  const movedTensors: onnx.ITensorProto[] = [];
  for (const t of walkTensors(model)) {
    if (isExternal(t) || !has(t, 'raw_data') || !t.raw_data || t.raw_data.length < threshold) continue;
    const data = t.raw_data;
    if (data.length >= alignThreshold && offset % alignment !== 0) {
      const pad = alignment - (offset % alignment);
      chunks.push(new Uint8Array(pad));
      offset += pad;
    }
    chunks.push(data);
    moved.push({ ...t });
    t.external_data = [
      new onnx.StringStringEntryProto({ key: 'location', value: location }),
      new onnx.StringStringEntryProto({ key: 'offset', value: String(offset) }),
      new onnx.StringStringEntryProto({ key: 'length', value: String(data.length) }),
    ];
    t.data_location = EXTERNAL;
    delete (t as { raw_data?: unknown }).raw_data;
    offset += data.length;
    movedTensors.push(t);
  }
  const undo = () => movedTensors.forEach((t, i) => {
    const fields = t as { data_location?: unknown; external_data?: unknown };
    delete fields.data_location;
    delete fields.external_data;
    Object.assign(t, moved[i]);
  });
  return { tensors: moved.length, chunks, byteLength: offset, undo };
}
