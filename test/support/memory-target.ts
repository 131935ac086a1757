/**
 * An in-memory DownloadTarget for tests: it keeps partials and committed files in maps, checks the contract the
 * library backends promise (appends in order, at the offset the state says), copies states as a real store would
 * (so later mutation by the downloader cannot leak into "stored" data), logs every call, and can run out of space
 * like a browser quota does (DOMException 'QuotaExceededError').
 */
import type { DownloadTarget, PartialState } from '../../src/core/library/types.js';

export interface CommittedFile {
  key: string;
  entryId: string;
  path: string;
  size: number;
  sha256: string;
  bytes: Uint8Array;
}

interface StoredPartial {
  state: PartialState;
  chunks: Uint8Array[];
  stored: number;
}

export class MemoryTarget implements DownloadTarget {
  private readonly stored = new Map<string, StoredPartial>();
  /** Committed files by `entryId/path`. */
  readonly committed = new Map<string, CommittedFile>();
  /** Every call in order, e.g. `begin k`, `append k 262144`, `commit k`, `discard k`. */
  readonly calls: string[] = [];
  /** Sizes of every appended chunk, all keys together. */
  readonly appendSizes: number[] = [];

  /** @param quotaBytes total bytes the partials may hold before writes fail with QuotaExceededError (tests may raise it). */
  constructor(public quotaBytes = Infinity) {}

  async resumeState(key: string): Promise<PartialState | null> {
    const p = this.stored.get(key);
    return p ? copyState(p.state) : null;
  }

  async begin(key: string, state: PartialState): Promise<void> {
    this.calls.push(`begin ${key}`);
    if (state.received !== 0) throw new Error(`begin with received ${state.received}`);
    this.stored.set(key, { state: copyState(state), chunks: [], stored: 0 });
  }

  async append(key: string, bytes: Uint8Array, state: PartialState): Promise<void> {
    this.calls.push(`append ${key} ${bytes.length}`);
    const p = this.stored.get(key);
    if (!p) throw new Error(`append to ${key} without begin`);
    if (state.received - bytes.length !== p.stored) {
      throw new Error(`append of ${bytes.length} bytes claims received ${state.received}, but ${p.stored} are stored`);
    }
    if (this.totalStored() + bytes.length > this.quotaBytes) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    p.chunks.push(new Uint8Array(bytes)); // a copy, whatever kind of view the caller passed
    p.stored += bytes.length;
    p.state = copyState(state);
    this.appendSizes.push(bytes.length);
  }

  async commit(key: string, file: { entryId: string; path: string; size: number; sha256: string }): Promise<void> {
    this.calls.push(`commit ${key}`);
    const p = this.stored.get(key);
    if (!p) throw new Error(`commit of ${key} without a partial`);
    if (p.stored !== file.size) throw new Error(`commit of ${file.size} bytes, but ${p.stored} are stored`);
    this.committed.set(`${file.entryId}/${file.path}`, { key, ...file, bytes: concat(p.chunks, p.stored) });
    this.stored.delete(key);
  }

  async discard(key: string): Promise<void> {
    this.calls.push(`discard ${key}`);
    this.stored.delete(key);
  }

  async partials(): Promise<Array<{ key: string; state: PartialState }>> {
    return [...this.stored].map(([key, p]) => ({ key, state: copyState(p.state) }));
  }

  /** The bytes of a partial as stored so far (tests compare them with the source file). */
  partialBytes(key: string): Uint8Array | null {
    const p = this.stored.get(key);
    return p ? concat(p.chunks, p.stored) : null;
  }

  /** Bytes held by partials, all keys together. */
  totalStored(): number {
    let n = 0;
    for (const p of this.stored.values()) n += p.stored;
    return n;
  }
}

function copyState(state: PartialState): PartialState {
  return structuredClone(state);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
