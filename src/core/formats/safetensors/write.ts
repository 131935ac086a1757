/**
 * safetensors writer, byte for byte as the reference implementation writes (huggingface/safetensors,
 * `safetensors/src/tensor.rs`, `prepare` + `serialize`):
 *
 * - tensors sorted by dtype, descending, in the order of the reference's `Dtype` enum (which lists dtypes by
 *   increasing alignment: BOOL < F4 < F6_E2M3 < F6_E3M2 < U8 < I8 < F8_E5M2 < F8_E4M3 < F8_E8M0 < I16 < U16 < F16 <
 *   BF16 < I32 < U32 < F32 < C64 < F64 < I64 < U64), then by name (byte order of the UTF-8 names);
 * - the data offsets follow that order with no gaps;
 * - the header is compact JSON (serde_json) with `__metadata__` first (only when metadata is given), then each tensor
 *   as `{"dtype":…,"shape":[…],"data_offsets":[begin,end]}`, padded with spaces to a multiple of 8 bytes;
 * - an 8-byte little-endian header length, the header, then the tensors' bytes.
 *
 * The file comes back as chunks (the header, then each tensor's bytes as they are) so a large checkpoint is never
 * copied into one buffer; write them in order to a file or a Blob.
 *
 * The reference keeps `__metadata__` in a hash map, so with several metadata keys its order is arbitrary; here the
 * keys keep the order of the object given (JavaScript puts integer-like keys first).
 */
import { OmnihubError } from '../../errors.js';
import { checkWeightTensor, type WeightDtype, type WeightTensor } from '../../weights/types.js';
import { SAFETENSORS_DTYPES } from './read.js';

/** The reference refuses headers over 100 MB, reading and writing. */
const MAX_HEADER_BYTES = 100_000_000;

/** Position of each dtype in the reference's `Dtype` enum (its sort key). */
const DTYPE_RANK: Record<string, number> = {
  BOOL: 0, F4: 1, F6_E2M3: 2, F6_E3M2: 3, U8: 4, I8: 5, F8_E5M2: 6, F8_E4M3: 7, F8_E8M0: 8,
  I16: 9, U16: 10, F16: 11, BF16: 12, I32: 13, U32: 14, F32: 15, C64: 16, F64: 17, I64: 18, U64: 19,
};

/** safetensors dtype names by weight dtype (complex128 has none). */
export const SAFETENSORS_DTYPE_OF: Partial<Record<WeightDtype, string>> = Object.fromEntries(
  Object.entries(SAFETENSORS_DTYPES).map(([name, dtype]) => [dtype, name]),
);

export function safetensorsDtype(dtype: WeightDtype, tensor = ''): string {
  const name = SAFETENSORS_DTYPE_OF[dtype];
  if (!name) throw new OmnihubError('unsupported', `Tensor '${tensor}' has dtype ${dtype}, which safetensors cannot store.`);
  return name;
}

export interface SafetensorsWriteOptions {
  /**
   * 'reference' (default): the reference implementation's order (dtype alignment descending, then name).
   * 'given': the order the tensors come in (e.g. to rewrite a file written by an older or another writer).
   */
  order?: 'reference' | 'given';
}

export interface SafetensorsHeader {
  /** The 8-byte length followed by the JSON header and its padding: the first bytes of the file. */
  bytes: Uint8Array;
  /** The tensors in the order their bytes follow the header. */
  tensors: WeightTensor[];
  /** Bytes of tensor data after the header. */
  dataLength: number;
  /** Size of the whole file. */
  fileLength: number;
}

/** Compares strings by Unicode code point, i.e. as the byte order of their UTF-8 forms (Rust's `String` order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only between surrogates and U+E000..U+FFFF: lift surrogates above.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkName(name: string, what: string): void {
  if (LONE_SURROGATE.test(name)) throw new OmnihubError('usage', `${what} '${name}' is not valid Unicode (a lone surrogate): it cannot be written as UTF-8.`);
}

/** The header (and the tensors in file order) for `tensors`, without touching their bytes. */
export function safetensorsHeader(
  tensors: Iterable<WeightTensor>,
  metadata?: Record<string, string>,
  options: SafetensorsWriteOptions = {},
): SafetensorsHeader {
  const list: Array<{ tensor: WeightTensor; dtype: string }> = [];
  const seen = new Set<string>();
  for (const t of tensors) {
    checkWeightTensor(t);
    checkName(t.name, 'Tensor name');
    if (t.name === '__metadata__') throw new OmnihubError('usage', "A tensor cannot be named '__metadata__' in a safetensors file.");
    if (seen.has(t.name)) throw new OmnihubError('usage', `Two tensors are named '${t.name}': safetensors names must be unique.`);
    seen.add(t.name);
    list.push({ tensor: t, dtype: safetensorsDtype(t.dtype, t.name) });
  }
  if ((options.order ?? 'reference') === 'reference') {
    list.sort((l, r) => DTYPE_RANK[r.dtype] - DTYPE_RANK[l.dtype] || compareCodePoints(l.tensor.name, r.tensor.name));
  }

  const parts: string[] = [];
  if (metadata !== undefined) {
    const entries: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new OmnihubError('usage', `safetensors metadata values must be strings ('${k}' is ${typeof v}).`);
      checkName(k, 'Metadata key');
      checkName(v, 'Metadata value');
      entries.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${entries.join(',')}}`);
  }
  let offset = 0;
  for (const { tensor, dtype } of list) {
    const end = offset + tensor.bytes.byteLength;
    parts.push(`${JSON.stringify(tensor.name)}:{"dtype":"${dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded > MAX_HEADER_BYTES) throw new OmnihubError('too-large', `The safetensors header would take ${padded} bytes (readers refuse more than ${MAX_HEADER_BYTES}).`);
  const bytes = new Uint8Array(8 + padded);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.byteLength);
  return { bytes, tensors: list.map((e) => e.tensor), dataLength: offset, fileLength: bytes.byteLength + offset };
}

/**
 * A safetensors file as chunks: the header, then each tensor's bytes (the same views, not copies), in file order.
 * Empty tensors give no chunk.
 */
export function writeSafetensors(
  tensors: Iterable<WeightTensor>,
  metadata?: Record<string, string>,
  options: SafetensorsWriteOptions = {},
): Uint8Array[] {
  const header = safetensorsHeader(tensors, metadata, options);
  const chunks = [header.bytes];
  for (const t of header.tensors) if (t.bytes.byteLength > 0) chunks.push(t.bytes);
  return chunks;
}

