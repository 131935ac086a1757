/**
 * Incremental sha256 whose state can be saved with each stored chunk and restored on resume, so a resumed
 * download never re-reads what is already stored (the library has no cheap way to read a partial back, and
 * re-hashing gigabytes on every resume would cost more than the download). hash-wasm's `save()` is the only
 * maintained JS sha256 with a serializable state; WebCrypto's digest() is one-shot.
 */
import { createSHA256, type IHasher } from 'hash-wasm';

export class ResumableSha256 {
  private constructor(private readonly hasher: IHasher) {}

  static async create(): Promise<ResumableSha256> {
    const hasher = await createSHA256();
    hasher.init();
    return new ResumableSha256(hasher);
  }

  reset(): void {
    this.hasher.init();
  }

  /** Restores a state from `save()`; false when it cannot be used (another hash-wasm build, corrupted). */
  restore(state: Uint8Array): boolean {
    try {
      this.hasher.load(state);
      return true;
    } catch {
      this.hasher.init();
      return false;
    }
  }

  update(bytes: Uint8Array): void {
    this.hasher.update(bytes);
  }

  /** A copy of the state after everything passed to `update` so far. */
  save(): Uint8Array {
    return this.hasher.save();
  }

  /** Lowercase hex digest. The hasher must be `reset()` or `restore()`d before further use. */
  hex(): string {
    return this.hasher.digest('hex');
  }
}
