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
import { DEFAULT_MAX_MESSAGES, decodeBounded } from '../formats/protobuf-decode.js';
import { FORMAT_DESCRIPTIONS, sniffFormat } from '../formats/sniff.js';

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

export { DEFAULT_MAX_MESSAGES };

/** Decodes an ONNX model. Throws OmnihubError for anything that is not a well-formed ModelProto with a graph. */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): ModelProto {
  const model = decodeBounded(bytes, 'an ONNX model', 'ONNX', (r) => onnx.ModelProto.decode(r), options);
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
  const tensor = decodeBounded(bytes, 'a serialized ONNX tensor', 'ONNX', (r) => onnx.TensorProto.decode(r), options);
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
