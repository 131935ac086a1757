/**
 * Snappy raw-block decompression (google/snappy format_description.txt): the block compression some TensorFlow builds
 * use for the SSTable blocks of `variables.index` (block type byte 1).
 *
 * Format: the uncompressed length as a little-endian base-128 varint (at most 5 bytes, < 2^32), then elements whose
 * tag byte's low two bits say what follows:
 *   00 literal: upper six bits = len-1 when len <= 60; 60..63 = len-1 is stored in the next 1..4 bytes (LE).
 *   01 copy, 1-byte offset: len = 4 + bits[2..4]; offset = bits[5..7] << 8 | next byte (11 bits).
 *   10 copy, 2-byte offset: len = 1 + bits[2..7]; offset = next 2 bytes LE.
 *   11 copy, 4-byte offset: len = 1 + bits[2..7]; offset = next 4 bytes LE.
 * A copy may overlap its own output (len > offset: run-length encoding); offset 0, or further back than what has been
 * written, is illegal.
 *
 * Bounded: the output buffer is allocated once at the declared length (refused above `maxOutput`), no element may
 * write past it, and the stream must fill it exactly. Anything else is OmnihubError('malformed').
 */
import { OmnihubError } from '../../errors.js';

export interface SnappyOptions {
  /** Largest declared uncompressed length accepted (default 256 MiB). */
  maxOutput?: number;
}

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

function fail(message: string): never {
  throw new OmnihubError('malformed', `Corrupt Snappy data: ${message}.`);
}

/** The declared uncompressed length and where the elements start. */
export function snappyUncompressedLength(input: Uint8Array): { length: number; headerBytes: number } {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= input.length) fail('the length preamble is cut short');
    const b = input[i];
    // The fifth byte may only carry the top 4 bits of a 32-bit length.
    if (i === 4 && b > 0x0f) fail('the declared length is 2^32 or more');
    length += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { length, headerBytes: i + 1 };
  }
  return fail('the length preamble is longer than 5 bytes');
}

export function snappyDecompress(input: Uint8Array, options: SnappyOptions = {}): Uint8Array {
  const { length, headerBytes } = snappyUncompressedLength(input);
  const max = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
  if (length > max) fail(`it declares ${length} bytes, more than the ${max} allowed`);
  const out = new Uint8Array(length);
  let ip = headerBytes;
  let op = 0;
  const n = input.length;
  while (ip < n) {
    const tag = input[ip++];
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (ip + extra > n) fail(`a literal's length runs past the end of the input (byte ${ip})`);
        len = 0;
        for (let k = 0; k < extra; k++) len += input[ip + k] * 2 ** (8 * k);
        ip += extra;
      }
      len += 1;
      if (len > n - ip) fail(`a literal of ${len} bytes runs past the end of the input (byte ${ip})`);
      if (len > length - op) fail(`a literal of ${len} bytes would write past the declared length ${length}`);
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (ip + 1 > n) fail(`a copy's offset runs past the end of the input (byte ${ip})`);
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[ip];
      ip += 1;
    } else if (type === 2) {
      if (ip + 2 > n) fail(`a copy's offset runs past the end of the input (byte ${ip})`);
      len = 1 + (tag >>> 2);
      offset = input[ip] | (input[ip + 1] << 8);
      ip += 2;
    } else {
      if (ip + 4 > n) fail(`a copy's offset runs past the end of the input (byte ${ip})`);
      len = 1 + (tag >>> 2);
      offset = (input[ip] | (input[ip + 1] << 8) | (input[ip + 2] << 16)) + input[ip + 3] * 0x1000000;
      ip += 4;
    }
    if (offset === 0) fail(`a copy with offset 0 at byte ${ip}`);
    if (offset > op) fail(`a copy reaches ${offset} bytes back but only ${op} have been written`);
    if (len > length - op) fail(`a copy of ${len} bytes would write past the declared length ${length}`);
    let from = op - offset;
    if (offset >= len) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else {
      // Overlapping: each byte may be one this copy just wrote.
      for (const end = op + len; op < end;) out[op++] = out[from++];
    }
  }
  if (op !== length) fail(`the data ends after ${op} of the ${length} declared bytes`);
  return out;
}
