/**
 * Incremental hashes whose state can be saved with each stored chunk and restored on resume, so a resumed
 * download never re-reads what is already stored (the library has no cheap way to read a partial back, and
 * re-hashing gigabytes on every resume would cost more than the download). hash-wasm's `save()` is the only
 * maintained JS hashing with a serializable state; WebCrypto's digest() is one-shot.
 *
 * sha256 is always computed (the library records it); md5 only when a source publishes nothing else (Keras checks
 * md5 for most of its application weights).
 */
import { createMD5, createSHA256, type IHasher } from 'hash-wasm';

export class ResumableHashes {
  private constructor(
    private readonly sha256: IHasher,
    private readonly md5: IHasher | null,
  ) {}

  static async create(options: { md5?: boolean } = {}): Promise<ResumableHashes> {
    const hashes = new ResumableHashes(await createSHA256(), options.md5 ? await createMD5() : null);
    hashes.reset();
    return hashes;
  }

  reset(): void {
    this.sha256.init();
    this.md5?.init();
  }

  /**
   * Restores a state from `save()`; false when it cannot be used (another hash-wasm build, corrupted, or saved
   * with another set of hashes), in which case the hashes are reset.
   */
  restore(state: Uint8Array): boolean {
    try {
      const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
      const shaLength = view.getUint32(0, true);
      const md5State = state.subarray(4 + shaLength);
      if ((md5State.length > 0) !== (this.md5 !== null)) throw new Error('saved with another set of hashes');
      this.sha256.load(state.subarray(4, 4 + shaLength));
      if (this.md5) this.md5.load(md5State);
      return true;
    } catch {
      this.reset();
      return false;
    }
  }

  update(bytes: Uint8Array): void {
    this.sha256.update(bytes);
    this.md5?.update(bytes);
  }

  /** The state after everything passed to `update` so far: sha256's state length (u32 LE), its state, md5's state. */
  save(): Uint8Array {
    const sha = this.sha256.save();
    const md5 = this.md5?.save() ?? new Uint8Array(0);
    const out = new Uint8Array(4 + sha.length + md5.length);
    new DataView(out.buffer).setUint32(0, sha.length, true);
    out.set(sha, 4);
    out.set(md5, 4 + sha.length);
    return out;
  }

  /** Lowercase hex digests (md5 null when not computed). Reset or restore before further use. */
  digests(): { sha256: string; md5: string | null } {
    return { sha256: this.sha256.digest('hex'), md5: this.md5?.digest('hex') ?? null };
  }
}
