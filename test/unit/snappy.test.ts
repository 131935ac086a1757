// Snappy raw-block decompression (google/snappy format_description.txt): every element form, overlapping copies,
// and malformed input refused with OmnihubError('malformed') without writing past the declared length.
import { describe, expect, it } from 'vitest';
import { snappyDecompress, snappyUncompressedLength } from '../../src/core/formats/tensorflow/snappy.js';
import { OmnihubError } from '../../src/core/errors.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (...parts: Array<number | number[] | Uint8Array>) => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else out.push(...p);
  }
  return new Uint8Array(out);
};
const varint = (n: number) => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
};

function expectMalformed(input: Uint8Array, pattern: RegExp, maxOutput?: number) {
  let error: unknown;
  try {
    snappyDecompress(input, maxOutput === undefined ? {} : { maxOutput });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OmnihubError);
  expect((error as OmnihubError).code).toBe('malformed');
  expect((error as OmnihubError).message).toMatch(pattern);
}

/** A small reference compressor (greedy 4-byte hash matches, 2-byte-offset copies) to round-trip random data. */
function compress(input: Uint8Array): Uint8Array {
  const out: number[] = [...varint(input.length)];
  const table = new Map<number, number>();
  let literalStart = 0;
  const flushLiteral = (end: number) => {
    let pos = literalStart;
    while (pos < end) {
      const len = Math.min(end - pos, 300);
      if (len <= 60) out.push((len - 1) << 2);
      else out.push(61 << 2, (len - 1) & 0xff, (len - 1) >> 8);
      for (let i = pos; i < pos + len; i++) out.push(input[i]);
      pos += len;
    }
  };
  let i = 0;
  while (i + 4 <= input.length) {
    const h = input[i] | (input[i + 1] << 8) | (input[i + 2] << 16) | (input[i + 3] << 24);
    const cand = table.get(h);
    table.set(h, i);
    if (cand !== undefined && i - cand <= 0xffff) {
      let len = 0;
      while (i + len < input.length && input[cand + len] === input[i + len] && len < 64) len++;
      if (len >= 4) {
        flushLiteral(i);
        const offset = i - cand;
        out.push(((len - 1) << 2) | 2, offset & 0xff, offset >> 8);
        i += len;
        literalStart = i;
        continue;
      }
    }
    i++;
  }
  flushLiteral(input.length);
  return new Uint8Array(out);
}

describe('snappy: valid streams', () => {
  it('reads the length preamble (1 to 5 bytes)', () => {
    expect(snappyUncompressedLength(bytes(0x40))).toEqual({ length: 64, headerBytes: 1 });
    expect(snappyUncompressedLength(bytes(0xfe, 0xff, 0x7f))).toEqual({ length: 2097150, headerBytes: 3 });
    expect(snappyUncompressedLength(bytes(0xff, 0xff, 0xff, 0xff, 0x0f))).toEqual({ length: 2 ** 32 - 1, headerBytes: 5 });
  });

  it('decodes an empty block', () => {
    expect(snappyDecompress(bytes(0)).length).toBe(0);
  });

  it('decodes a short literal (length in the tag)', () => {
    expect(text(snappyDecompress(bytes(3, (3 - 1) << 2, ascii('xab'))))).toBe('xab');
  });

  it('decodes literals whose length-1 follows in 1, 2, 3 and 4 bytes (tags 60..63)', () => {
    const data = Uint8Array.from({ length: 70000 }, (_, i) => (i * 7) & 0xff);
    // 1 byte: 100 bytes
    expect(snappyDecompress(bytes(varint(100), 60 << 2, 99, data.subarray(0, 100)))).toEqual(data.subarray(0, 100));
    // 2 bytes: 300 bytes
    expect(snappyDecompress(bytes(varint(300), 61 << 2, 299 & 0xff, 299 >> 8, data.subarray(0, 300)))).toEqual(data.subarray(0, 300));
    // 3 bytes: 70000 bytes
    const n = 70000 - 1;
    expect(snappyDecompress(bytes(varint(70000), 62 << 2, n & 0xff, (n >> 8) & 0xff, n >> 16, data))).toEqual(data);
    // 4 bytes: a legal (if wasteful) encoding of a 5-byte literal
    expect(text(snappyDecompress(bytes(5, 63 << 2, 4, 0, 0, 0, ascii('hello'))))).toBe('hello');
  });

  it('decodes a 1-byte-offset copy that overlaps its output (the format doc\'s "xababab")', () => {
    // <literal "xab"> <copy offset=2 length=4>: tag = 01 | (4-4)<<2 | (2>>8)<<5, then offset & 0xff
    expect(text(snappyDecompress(bytes(7, 2 << 2, ascii('xab'), 0x01, 0x02)))).toBe('xababab');
  });

  it('decodes a 1-byte-offset copy using the offset\'s upper three bits (offset 1000, length 11)', () => {
    const lit = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const tag = 0x01 | ((11 - 4) << 2) | ((1000 >> 8) << 5);
    const out = snappyDecompress(bytes(varint(1011), 61 << 2, 999 & 0xff, 999 >> 8, lit, tag, 1000 & 0xff));
    expect(out.length).toBe(1011);
    expect(out.subarray(1000)).toEqual(lit.subarray(0, 11));
  });

  it('decodes a 2-byte-offset copy, and offset 1 as run-length encoding', () => {
    expect(text(snappyDecompress(bytes(12, 3 << 2, ascii('abcd'), 0x02 | ((8 - 1) << 2), 4, 0)))).toBe('abcdabcdabcd');
    const rle = snappyDecompress(bytes(65, 0, ascii('z'), 0x02 | ((64 - 1) << 2), 1, 0));
    expect(text(rle)).toBe('z'.repeat(65));
  });

  it('decodes a 4-byte-offset copy', () => {
    const lit = Uint8Array.from({ length: 70000 }, (_, i) => (i * 13) & 0xff);
    const n = 70000 - 1;
    const offset = 70000;
    const out = snappyDecompress(bytes(varint(70010), 62 << 2, n & 0xff, (n >> 8) & 0xff, n >> 16, lit,
      0x03 | ((10 - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, 0));
    expect(out.subarray(70000)).toEqual(lit.subarray(0, 10));
  });

  it('round-trips 200 random buffers through a reference compressor', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let t = 0; t < 200; t++) {
      const len = rand() * 40 + rand();
      // Few distinct symbols, so matches (and overlapping copies) are common.
      const alphabet = 1 + (rand() % 6);
      const input = Uint8Array.from({ length: len }, () => rand() % alphabet);
      expect(Buffer.from(snappyDecompress(compress(input))).equals(Buffer.from(input))).toBe(true);
    }
  });
});

describe('snappy: malformed streams', () => {
  it('refuses copies with offset 0 or reaching before the start', () => {
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x01, 0x00), /offset 0/);
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x01, 0x05), /reaches 5 bytes back but only 4/);
    expectMalformed(bytes(4, 0x01 | (0 << 2), 0x01), /reaches 1 bytes back but only 0/); // a stream starting with a copy
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x02 | (3 << 2), 0x00, 0x01), /reaches 256 bytes back/);
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x03 | (3 << 2), 0, 0, 0, 0x80), /reaches 2147483648 bytes back/);
  });

  it('never writes past the declared length', () => {
    expectMalformed(bytes(2, 2 << 2, ascii('xab')), /literal of 3 bytes would write past the declared length 2/);
    expectMalformed(bytes(5, 2 << 2, ascii('xab'), 0x01, 0x02), /copy of 4 bytes would write past the declared length 5/);
  });

  it('refuses output shorter than declared', () => {
    expectMalformed(bytes(10, 2 << 2, ascii('xab')), /ends after 3 of the 10 declared bytes/);
  });

  it('refuses truncated elements', () => {
    expectMalformed(bytes(10, 9 << 2, ascii('abc')), /literal of 10 bytes runs past the end of the input/);
    expectMalformed(bytes(100, 60 << 2), /literal's length runs past the end/);
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x01), /copy's offset runs past the end/);
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x02, 0x01), /copy's offset runs past the end/);
    expectMalformed(bytes(8, 3 << 2, ascii('abcd'), 0x03, 0x01, 0, 0), /copy's offset runs past the end/);
  });

  it('refuses bad length preambles and lengths over the limit', () => {
    expectMalformed(bytes(), /preamble is cut short/);
    expectMalformed(bytes(0x80, 0x80), /preamble is cut short/);
    expectMalformed(bytes(0xff, 0xff, 0xff, 0xff, 0x1f), /2\^32 or more/);
    expectMalformed(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), /2\^32 or more|longer than 5 bytes/);
    expectMalformed(bytes(varint(1 << 20), 0), /declares 1048576 bytes, more than the 1000 allowed/, 1000);
  });
});
