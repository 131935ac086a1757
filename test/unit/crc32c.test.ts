/** CRC-32C (slicing-by-8) against the standard check value and a plain bit-by-bit definition. */
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cExtend, maskCrc, unmaskCrc } from '../../src/core/formats/tensorflow/crc32c.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';

function bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('gives the check value of "123456789" (0xE3069283) and equals the bitwise definition at every length and offset', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    const next = mulberry32(3);
    const data = Uint8Array.from({ length: 300 }, () => Math.floor(next() * 256));
    for (let start = 0; start < 9; start++) {
      for (let length = 0; length < 40; length++) {
        const view = data.subarray(start, start + length);
        expect(crc32c(view)).toBe(bitwise(view));
      }
    }
    // Extending in pieces equals one pass.
    expect(crc32cExtend(crc32c(data.subarray(0, 101)), data.subarray(101))).toBe(crc32c(data));
    expect(unmaskCrc(maskCrc(0xe3069283))).toBe(0xe3069283);
  });
});
