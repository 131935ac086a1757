/**
 * CRC-32C (Castagnoli), as LevelDB tables and TensorBundles store it: "masked" (rotated right by 15 bits plus a
 * constant) so that a CRC of data that itself contains CRCs stays well distributed.
 */
/**
 * Slicing-by-8 tables: TABLES[k·256 + n] is the CRC of byte n followed by k zero bytes, so eight bytes are folded in
 * with eight lookups (~3× the byte-at-a-time loop: a 300 MB TensorBundle's tensors are checked in ~0.2 s, not 0.6).
 */
const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = ((prev >>> 8) ^ t[prev & 0xff]) >>> 0;
    }
  }
  return t;
})();

/** Continues a CRC-32C over more bytes (start with crc = 0). */
export function crc32cExtend(crc: number, bytes: Uint8Array): number {
  const t = TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c = t[7 * 256 + (lo & 0xff)] ^ t[6 * 256 + ((lo >>> 8) & 0xff)] ^ t[5 * 256 + ((lo >>> 16) & 0xff)] ^ t[4 * 256 + (lo >>> 24)]
      ^ t[3 * 256 + bytes[i + 4]] ^ t[2 * 256 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Below this size the JavaScript loop is quicker than a call into hash-wasm. */
const WASM_MIN_BYTES = 1 << 20;

/**
 * CRC-32C of many buffers, the large ones by hash-wasm's WebAssembly CRC (~2 GB/s here, twice the loop above): a
 * SavedModel's tensors are all checked before anything uses them, so this is most of reading one.
 */
export async function crc32cMany(buffers: readonly Uint8Array[]): Promise<number[]> {
  const { crc32 } = await import('hash-wasm');
  const out: number[] = [];
  for (const b of buffers) out.push(b.length < WASM_MIN_BYTES ? crc32c(b) : parseInt(await crc32(b, 0x82f63b78), 16) >>> 0);
  return out;
}

export function crc32c(bytes: Uint8Array): number {
  return crc32cExtend(0, bytes);
}

const MASK_DELTA = 0xa282ead8;

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
