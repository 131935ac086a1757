/**
 * Gathers the small pieces a response stream yields (typically 16–64 KiB) into chunks of exactly `chunkBytes`,
 * so storage sees few large writes (one IndexedDB record, one file append each) of a bounded size.
 */
export class ChunkBuffer {
  private buf: Uint8Array | null = null;
  private filled = 0;

  /** @param sizeHint bytes still expected, if known: avoids allocating 8 MiB for a 2 KiB config.json. */
  constructor(
    private readonly chunkBytes: number,
    private sizeHint?: number,
  ) {}

  get pendingBytes(): number {
    return this.filled;
  }

  /** Copies `bytes` in and returns the chunks that became full (usually none or one). */
  push(bytes: Uint8Array): Uint8Array[] {
    const full: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (!this.buf) this.buf = new Uint8Array(this.nextCapacity());
      const n = Math.min(bytes.length - offset, this.buf.length - this.filled);
      this.buf.set(bytes.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.buf.length) full.push(this.take()!);
    }
    return full;
  }

  /** The bytes gathered so far as a chunk of their own (a copy trimmed to size), or null when empty. */
  take(): Uint8Array | null {
    if (!this.buf || this.filled === 0) return null;
    const chunk = this.filled === this.buf.length ? this.buf : this.buf.slice(0, this.filled);
    if (this.sizeHint !== undefined) this.sizeHint = Math.max(0, this.sizeHint - this.filled);
    this.buf = null;
    this.filled = 0;
    return chunk;
  }

  private nextCapacity(): number {
    // A hint of 0 means the server sends more than it announced: fall back to full chunks and let the caller's
    // size check report it.
    return this.sizeHint ? Math.min(this.chunkBytes, this.sizeHint) : this.chunkBytes;
  }
}
