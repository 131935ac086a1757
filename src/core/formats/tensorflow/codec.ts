/**
 * Bounded decoding of TensorFlow protobuf messages (SavedModel, GraphDef, MetaGraphDef, TensorBundle entries …) on
 * static code generated from TensorFlow's own .proto files (scripts/gen-tensorflow-proto.mjs, schema/NOTICE.md).
 *
 * Bounds, as for ONNX (src/core/onnx/codec.ts): a message budget per decode (each message costs ~100 bytes of heap
 * however few bytes it took in the file) and protobufjs's nesting limit (`util.recursionLimit`, 100 levels of
 * sub-messages … deeper data is refused as 'too-deep'). Decoding is zero-copy: bytes fields (`tensor_content`) are
 * views on the input, which must stay unmodified while the messages are in use.
 *
 * Field names are those of the .proto files (`tensor_content`, `signature_def` …). int64 fields decode as `Long` when
 * the value does not fit a JS number exactly: use `toNumber` below. Presence: a decoded message has an own property
 * only for the fields that were on the wire (`has`).
 */
import protobuf from 'protobufjs/minimal.js';
import { tensorflow } from './generated/tensorflow.js';
import { DEFAULT_MAX_MESSAGES, decodeBounded } from '../protobuf-decode.js';

export { tensorflow };

export interface TfDecodeOptions {
  /** Most protobuf messages one decode may create (default DEFAULT_MAX_MESSAGES). */
  maxMessages?: number;
}

export { DEFAULT_MAX_MESSAGES };

/**
 * Decodes one message of any generated type with the shared budget and error mapping. `what` names the thing for
 * messages ("a SavedModel (saved_model.pb)"). Throws OmnihubError: empty-file, wrong-format, truncated, too-deep,
 * too-large, malformed.
 */
export function decodeTf<T>(bytes: Uint8Array, what: string, decode: (reader: protobuf.Reader) => T, options: TfDecodeOptions = {}): T {
  return decodeBounded(bytes, what, 'this format', decode, options);
}

/** `saved_model.pb`. */
export function decodeSavedModelProto(bytes: Uint8Array, options?: TfDecodeOptions): tensorflow.SavedModel {
  return decodeTf(bytes, 'a TensorFlow SavedModel (saved_model.pb)', (r) => tensorflow.SavedModel.decode(r), options);
}

/** A serialized MetaGraphDef (a `.meta` file of a TF1 checkpoint). */
export function decodeMetaGraphDef(bytes: Uint8Array, options?: TfDecodeOptions): tensorflow.MetaGraphDef {
  return decodeTf(bytes, 'a TensorFlow MetaGraphDef', (r) => tensorflow.MetaGraphDef.decode(r), options);
}

/** A serialized GraphDef (frozen `.pb`). */
export function decodeGraphDefProto(bytes: Uint8Array, options?: TfDecodeOptions): tensorflow.GraphDef {
  return decodeTf(bytes, 'a TensorFlow GraphDef (.pb)', (r) => tensorflow.GraphDef.decode(r), options);
}

export function encodeGraphDef(graph: tensorflow.IGraphDef): Uint8Array {
  return tensorflow.GraphDef.encode(graph).finish();
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
