/**
 * Bounded decoding of protobuf messages, shared by the ONNX and TensorFlow codecs: a message budget per decode (each
 * message costs ~100 bytes of heap however few bytes it took in the file, so without a cap a hostile 100 MB file of
 * empty messages would need gigabytes; the generated decoders count against `reader.messageBudget`), protobufjs's
 * nesting limit, and every failure mapped to a typed OmnihubError that says what the bytes look like.
 */
import protobuf from 'protobufjs/minimal.js';
import { OmnihubError } from '../errors.js';
import { FORMAT_DESCRIPTIONS, sniffFormat, type SniffedFormat } from './sniff.js';

/** Real models stay far below this (a 50k-node transformer graph has well under a million messages). */
export const DEFAULT_MAX_MESSAGES = 20_000_000;

// Formats whose magic bytes can never begin a protobuf message we read (their first byte is not a field tag).
const NEVER_PROTOBUF: ReadonlySet<SniffedFormat> = new Set(['hdf5', 'zip', 'npy', 'gzip', 'gguf', 'pickle']);

export interface BoundedDecodeOptions {
  /** Most protobuf messages one decode may create (default DEFAULT_MAX_MESSAGES). */
  maxMessages?: number;
}

/**
 * Decodes one message. `what` names the thing for messages ("an ONNX model"); `format` the format a truncated file
 * is not ("ONNX"). Throws OmnihubError: empty-file, wrong-format, truncated, too-deep, too-large, malformed.
 */
export function decodeBounded<T>(bytes: Uint8Array, what: string, format: string, decode: (reader: protobuf.Reader) => T, options: BoundedDecodeOptions = {}): T {
  if (bytes.length === 0) throw new OmnihubError('empty-file', `The file is empty (0 bytes): not ${what}.`);
  const sniffed = sniffFormat(bytes);
  if (NEVER_PROTOBUF.has(sniffed)) {
    throw new OmnihubError('wrong-format', `This is ${FORMAT_DESCRIPTIONS[sniffed as keyof typeof FORMAT_DESCRIPTIONS]}, not ${what}.`);
  }
  const reader = protobuf.Reader.create(bytes) as protobuf.Reader & { messageBudget?: number };
  reader.messageBudget = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  try {
    return decode(reader);
  } catch (e) {
    if (e instanceof OmnihubError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const hint = sniffed !== 'unknown' ? ` It looks like ${FORMAT_DESCRIPTIONS[sniffed]}.` : '';
    const where = `at byte ${reader.pos} of ${bytes.length}`;
    if (/index out of range/.test(message)) {
      throw new OmnihubError('truncated', `Not a complete ${what}: a field runs past the end of the data (${where}); the file is truncated or not ${format}.${hint}`, { cause: e });
    }
    if (/nesting depth|max depth|call stack/i.test(message)) {
      throw new OmnihubError('too-deep', `Not a usable ${what}: messages are nested deeper than ${protobuf.util.recursionLimit} levels (${where}).`, { cause: e });
    }
    if (/message budget/.test(message)) {
      throw new OmnihubError('too-large', `Refusing to decode: the file holds more protobuf messages than the limit allows (${where}); it is hostile or far larger than any real model.`, { cause: e });
    }
    throw new OmnihubError('malformed', `Not a valid ${what}: ${message} (${where}).${hint}`, { cause: e });
  }
}
