/**
 * Lossless ONNX ModelProto decode/encode on code generated from the official schema (proto2 form, so fields written
 * explicitly with their default value keep their presence, and unknown fields are carried through verbatim).
 *
 * Decoding is zero-copy: `raw_data` and other bytes fields are views on the input, which must therefore stay
 * unmodified while the model is in use.
 */
import protobuf from 'protobufjs/minimal.js';
import { onnx } from './generated/onnx.js';
import { OmnihubError } from '../errors.js';
import { FORMAT_DESCRIPTIONS, sniffFormat, type SniffedFormat } from '../formats/sniff.js';

export { onnx };
export type ModelProto = onnx.ModelProto;
export type GraphProto = onnx.GraphProto;
export type NodeProto = onnx.NodeProto;
export type TensorProto = onnx.TensorProto;
export type ValueInfoProto = onnx.ValueInfoProto;
export type AttributeProto = onnx.AttributeProto;

export interface DecodeOptions {
  /**
   * Most protobuf messages one decode may create. Each costs ~100 bytes of heap however few bytes it took in the
   * file, so without a cap a hostile 100 MB file of empty messages would need gigabytes. Real models stay far below
   * the default (a 50k-node transformer graph has well under a million messages).
   */
  maxMessages?: number;
}

export const DEFAULT_MAX_MESSAGES = 20_000_000;

// Formats whose magic bytes can never begin a valid ONNX file (their first byte is not a ModelProto field tag).
const NEVER_ONNX: ReadonlySet<SniffedFormat> = new Set(['hdf5', 'zip', 'npy', 'gzip', 'gguf', 'pickle']);

type Decoder<T> = (reader: protobuf.Reader) => T;

/** Decodes one message with the budget and error mapping shared by every entry point. */
function decodeWith<T>(bytes: Uint8Array, what: string, decode: Decoder<T>, options: DecodeOptions): T {
  if (bytes.length === 0) throw new OmnihubError('empty-file', `The file is empty (0 bytes): not ${what}.`);
  const format = sniffFormat(bytes);
  if (NEVER_ONNX.has(format)) {
    throw new OmnihubError('wrong-format', `This is ${FORMAT_DESCRIPTIONS[format as keyof typeof FORMAT_DESCRIPTIONS]}, not ${what}.`);
  }
  const reader = protobuf.Reader.create(bytes) as protobuf.Reader & { messageBudget?: number };
  reader.messageBudget = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  try {
    return decode(reader);
  } catch (e) {
    throw describeDecodeFailure(e, bytes, what, format, reader.pos);
  }
}

function describeDecodeFailure(e: unknown, bytes: Uint8Array, what: string, format: SniffedFormat, pos: number): OmnihubError {
  const message = e instanceof Error ? e.message : String(e);
  const hint = format !== 'unknown' ? ` It looks like ${FORMAT_DESCRIPTIONS[format]}.` : '';
  const where = `at byte ${pos} of ${bytes.length}`;
  if (/index out of range/.test(message)) {
    return new OmnihubError('truncated', `Not a complete ${what}: a field runs past the end of the data (${where}); the file is truncated or not ONNX.${hint}`, { cause: e });
  }
  if (/nesting depth|max depth|call stack/i.test(message)) {
    return new OmnihubError('too-deep', `Not a usable ${what}: messages are nested deeper than ${protobuf.util.recursionLimit} levels (${where}).`, { cause: e });
  }
  if (/message budget/.test(message)) {
    return new OmnihubError('too-large', `Refusing to decode: the file holds more protobuf messages than the limit allows (${where}); it is hostile or far larger than any real model.`, { cause: e });
  }
  return new OmnihubError('malformed', `Not a valid ${what}: ${message} (${where}).${hint}`, { cause: e });
}

/** Decodes an ONNX model. Throws OmnihubError for anything that is not a well-formed ModelProto with a graph. */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): ModelProto {
  const model = decodeWith(bytes, 'an ONNX model', (r) => onnx.ModelProto.decode(r), options);
  if (!has(model, 'graph') || !has(model, 'ir_version')) {
    const format = sniffFormat(bytes);
    const hint = format !== 'unknown' ? ` It looks like ${FORMAT_DESCRIPTIONS[format as keyof typeof FORMAT_DESCRIPTIONS]}.` : '';
    const missing = !has(model, 'graph') ? 'graph' : 'ir_version';
    throw new OmnihubError('not-onnx', `Not an ONNX model: the data parses as protobuf but has no ${missing}.${hint}`);
  }
  return model;
}

/** Decodes a serialized TensorProto (the `.pb` files of ONNX test data). */
export function decodeTensorProto(bytes: Uint8Array, options: DecodeOptions = {}): TensorProto {
  const tensor = decodeWith(bytes, 'a serialized ONNX tensor', (r) => onnx.TensorProto.decode(r), options);
  if (!has(tensor, 'data_type')) throw new OmnihubError('not-onnx', 'Not a serialized ONNX tensor: it has no data_type.');
  return tensor;
}

export function encodeModel(model: ModelProto | onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

// protobufjs 7 Writer internals (pinned version): a linked list of pending operations that finish() runs into one
// buffer. Each operation writes `len` bytes of `val` at a position.
interface WriterOp { fn: (val: unknown, buf: Uint8Array, pos: number) => void; len: number; val: unknown; next: WriterOp | null }
type WriterInternals = protobuf.Writer & { head: WriterOp; len: number; constructor: { alloc(size: number): Uint8Array } };

/** Bytes fields at least this large are passed through as views; below it a copy is cheaper than another chunk. */
const MIN_VIEW_BYTES = 64 * 1024;

/**
 * Encodes a model as chunks whose concatenation is exactly `encodeModel(model)`, without copying large bytes fields:
 * each raw_data of 64 KiB or more is its own chunk (the decoded view itself), everything else is packed into one
 * buffer. `finish()` would allocate a second file-sized buffer and copy every weight into it; written chunk by chunk
 * (a file, a Blob) the weights are copied once, by whoever consumes them.
 */
export function encodeModelChunks(model: ModelProto | onnx.IModelProto): Uint8Array[] {
  const writer = onnx.ModelProto.encode(model, protobuf.Writer.create()) as WriterInternals;
  const isView = (op: WriterOp) => op.len >= MIN_VIEW_BYTES && op.val instanceof Uint8Array;
  let viewBytes = 0;
  for (let op = writer.head.next; op; op = op.next) if (isView(op)) viewBytes += op.len;
  // Allocated as finish() does: Node's BufferWriter operations expect a Buffer (strings use buf.utf8Write).
  const packed = writer.constructor.alloc(writer.len - viewBytes);
  const chunks: Uint8Array[] = [];
  let pos = 0;
  let segmentStart = 0;
  for (let op = writer.head.next; op; op = op.next) {
    if (isView(op)) {
      if (pos > segmentStart) chunks.push(packed.subarray(segmentStart, pos));
      chunks.push(op.val as Uint8Array);
      segmentStart = pos;
    } else {
      op.fn(op.val, packed, pos);
      pos += op.len;
    }
  }
  if (pos > segmentStart) chunks.push(packed.subarray(segmentStart, pos));
  return chunks;
}

export function encodeTensorProto(tensor: TensorProto | onnx.ITensorProto): Uint8Array {
  return onnx.TensorProto.encode(tensor).finish();
}

/** Field presence: the decoder sets a field on the message only when it was on the wire. */
export function has<T extends object>(message: T, field: keyof T & string): boolean {
  return Object.prototype.hasOwnProperty.call(message, field);
}

/** int64 fields decode as Long when they do not fit a JS number exactly; most callers want a number. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
