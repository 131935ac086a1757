/**
 * safetensors (huggingface/safetensors, docs "Format"): an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { … } }`, then the data. Tensors come back as
 * views on the file's bytes (no copy). The header is checked as the reference implementation does: size limit,
 * offsets in order, inside the data and matching each tensor's dtype and shape.
 */
import { OmnihubError } from '../../errors.js';
import { checkWeightTensor, elementCount, bytesPerElement, type StateDict, type WeightDtype } from '../../weights/types.js';

/** The reference implementation refuses headers over 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

export const SAFETENSORS_DTYPES: Record<string, WeightDtype> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8',
  U64: 'uint64', U32: 'uint32', U16: 'uint16', U8: 'uint8',
  BOOL: 'bool', C64: 'complex64', F8_E4M3: 'float8e4m3fn', F8_E5M2: 'float8e5m2',
};

export interface SafetensorsFile {
  tensors: StateDict;
  /** The header's `__metadata__` (string to string), {} when absent. */
  metadata: Record<string, string>;
  /** Bytes taken by the length prefix and the JSON header: the data starts here. */
  dataStart: number;
}

function fail(message: string): never {
  throw new OmnihubError('malformed', `Not a valid safetensors file: ${message}.`);
}

/** Reads the header and returns every tensor as a view on `bytes`. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.byteLength === 0) throw new OmnihubError('empty-file', 'The file is empty (0 bytes): not a safetensors file.');
  if (bytes.byteLength < 8) throw new OmnihubError('truncated', 'The safetensors file ends inside its 8-byte header length.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`its header claims ${headerLength} bytes (the limit is ${MAX_HEADER_BYTES})`);
  const dataStart = 8 + Number(headerLength);
  if (dataStart > bytes.byteLength) {
    throw new OmnihubError('truncated', `The safetensors header claims ${headerLength} bytes but the file has only ${bytes.byteLength - 8} after the length.`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch {
    throw new OmnihubError('wrong-format', 'Not a safetensors file: the header is not UTF-8 JSON.');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');

  const data = bytes.subarray(dataStart);
  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; dtype: WeightDtype; shape: number[]; begin: number; end: number }> = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null) continue; // some writers (mlx) put null there
      if (typeof info !== 'object') fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string') fail(`tensor '${name}' has no dtype`);
    const weightDtype = SAFETENSORS_DTYPES[dtype];
    if (!weightDtype) throw new OmnihubError('unsupported', `safetensors dtype '${dtype}' of tensor '${name}' is not supported (${Object.keys(SAFETENSORS_DTYPES).join(', ')} are).`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor '${name}' has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) fail(`tensor '${name}' has invalid data_offsets`);
    const [begin, end] = offsets as number[];
    if (end < begin) fail(`tensor '${name}' ends before it begins`);
    if (end > data.byteLength) throw new OmnihubError('truncated', `safetensors tensor '${name}' runs past the end of the file (byte ${end} of ${data.byteLength}).`);
    const needed = elementCount(shape) * bytesPerElement(weightDtype);
    if (end - begin !== needed) fail(`tensor '${name}' (${dtype} [${shape.join(', ')}]) needs ${needed} bytes but its offsets span ${end - begin}`);
    entries.push({ name, dtype: weightDtype, shape, begin, end });
  }
  // As the reference implementation: the tensors tile the data buffer, in order, with no gaps or overlaps.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of byOffset) {
    if (e.begin !== cursor) fail(`tensor '${e.name}' starts at byte ${e.begin}, not where the previous one ended (${cursor})`);
    cursor = e.end;
  }
  if (cursor !== data.byteLength) fail(`the tensors cover ${cursor} bytes of the ${data.byteLength}-byte data buffer`);

  const tensors: StateDict = new Map();
  for (const e of byOffset) {
    tensors.set(e.name, checkWeightTensor({ name: e.name, dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) }));
  }
  return { tensors, metadata, dataStart };
}

/** A cheap check of the first bytes: a plausible header length followed by '{'. */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 10) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getBigUint64(0, true);
  return length > 1n && length <= BigInt(MAX_HEADER_BYTES) && bytes[8] === 0x7b /* { */;
}
