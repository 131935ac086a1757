/**
 * The library in IndexedDB (browser, workers; Node tests through fake-indexeddb), on one idb-keyval store so that
 * metadata and bytes can change together in one transaction. Records, keyed by arrays so that each kind is one
 * key range:
 *
 *   ['entry', id]               → EntryRecord + contents: for each file, the blob id and sizes of its chunks
 *   ['partial', key]            → the PartialState of a download + its blob id and chunk sizes
 *   ['chunk', blobId, index]    → at most `maxChunkBytes` of content, as a Blob
 *
 * Bytes are written once: a commit moves the partial's blob id into the entry, and a rename only rewrites the
 * entry record. Blobs are stored (not ArrayBuffers) because browsers keep them as files outside the database
 * instead of structured-cloning them into it.
 */
import { createStore, type UseStore } from 'idb-keyval';
import { OmnihubError } from '../errors.js';
import {
  byId,
  checkAppend,
  checkBeginState,
  checkCommitFile,
  entryAfterCommit,
  entryExport,
  entryMatches,
  idTakenIgnoringCase,
  notFound,
  randomId,
  renamedEntry,
  type EntryRecord,
} from './entry-records.js';
import { inTransaction, prefixRange, request } from './idb-transaction.js';
import { importThroughPartial, type ImportInput } from './import-file.js';
import { assertEntryName, assertEntryPath, parseEntryId } from './names.js';
import {
  entryId,
  type EntryExport,
  type LibraryEntry,
  type LibraryStore,
  type NewEntry,
  type PartialState,
  type StorageUsage,
  type StoredFile,
} from './types.js';

export const DEFAULT_DB_NAME = 'omnihub-library';
export const DEFAULT_STORE_NAME = 'library';
/** Largest chunk record: big enough to keep record counts low, small enough that no single write is huge. */
export const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024 * 1024;

export interface IndexedDbLibraryOptions {
  dbName?: string;
  storeName?: string;
  maxChunkBytes?: number;
  /** Where the quota comes from; defaults to navigator.storage.estimate() when the environment has it. */
  estimate?: () => Promise<{ quota?: number }>;
  now?: () => Date;
}

/** Where one file's bytes are: chunks `['chunk', blobId, 0…n-1]` with these sizes. */
interface ContentRef {
  path: string;
  blobId: string;
  chunkSizes: number[];
}

interface StoredEntry extends EntryRecord {
  contents: ContentRef[];
}

interface StoredPartial {
  key: string;
  state: PartialState;
  blobId: string;
  chunkSizes: number[];
}

const entryKey = (id: string): IDBValidKey => ['entry', id];
const partialKey = (key: string): IDBValidKey => ['partial', key];
const chunkKey = (blobId: string, index: number): IDBValidKey => ['chunk', blobId, index];
const sum = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);

export class IndexedDbLibrary implements LibraryStore {
  readonly dbName: string;
  readonly storeName: string;
  readonly maxChunkBytes: number;
  private readonly db: UseStore;
  private readonly estimate?: () => Promise<{ quota?: number }>;
  private readonly now: () => Date;

  constructor(options: IndexedDbLibraryOptions = {}) {
    this.dbName = options.dbName ?? DEFAULT_DB_NAME;
    this.storeName = options.storeName ?? DEFAULT_STORE_NAME;
    this.maxChunkBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    if (!(this.maxChunkBytes >= 1)) throw new RangeError('maxChunkBytes must be at least 1');
    this.db = createStore(this.dbName, this.storeName);
    const storage = (globalThis as { navigator?: { storage?: { estimate?: () => Promise<{ quota?: number }> } } }).navigator
      ?.storage;
    this.estimate = options.estimate ?? (storage?.estimate ? () => storage.estimate!() : undefined);
    this.now = options.now ?? (() => new Date());
  }

  // ---- entries -------------------------------------------------------------------------------------------------

  async list(): Promise<LibraryEntry[]> {
    const records = await this.allEntryRecords();
    return records.filter((r) => r.pending.length === 0).map((r) => r.entry).sort(byId);
  }

  async get(id: string): Promise<LibraryEntry | null> {
    parseEntryId(id);
    const record = await inTransaction(this.db, 'readonly', (s) => request<StoredEntry | undefined>(s.get(entryKey(id))));
    return record && record.pending.length === 0 ? record.entry : null;
  }

  async search(text: string): Promise<LibraryEntry[]> {
    return (await this.list()).filter((e) => entryMatches(e, text));
  }

  async addFile(entry: NewEntry, path: string, bytes: ImportInput): Promise<LibraryEntry> {
    await importThroughPartial(this, entry, path, bytes, this.maxChunkBytes);
    const id = entryId(entry.framework, entry.name);
    const record = await inTransaction(this.db, 'readonly', (s) => request<StoredEntry | undefined>(s.get(entryKey(id))));
    if (!record) throw notFound(`entry ${id}`);
    return record.entry;
  }

  async openFile(id: string, path: string): Promise<StoredFile> {
    parseEntryId(id);
    assertEntryPath(path);
    // Entry and chunks are read in one transaction, so a concurrent rename or delete cannot mix states.
    const parts = await inTransaction(this.db, 'readonly', async (s) => {
      const record = await request<StoredEntry | undefined>(s.get(entryKey(id)));
      if (!record || record.pending.length > 0) throw notFound(`entry ${id}`);
      const file = record.entry.files.find((f) => f.path === path);
      const content = record.contents.find((c) => c.path === path);
      if (!file || !content) throw notFound(`file ${path} in entry ${id}`);
      const chunks = await request<unknown[]>(s.getAll(prefixRange('chunk', content.blobId)));
      return { file, chunks };
    });
    const blob = new Blob(parts.chunks.map(asBlobPart));
    return {
      ...parts.file,
      stream: () => blob.stream() as ReadableStream<Uint8Array>,
      bytes: async () => new Uint8Array(await blob.arrayBuffer()),
      blob: async () => blob,
    };
  }

  async rename(id: string, newName: string): Promise<LibraryEntry> {
    parseEntryId(id);
    assertEntryName(newName);
    return inTransaction(this.db, 'readwrite', async (s) => {
      const record = await request<StoredEntry | undefined>(s.get(entryKey(id)));
      if (!record || record.pending.length > 0) throw notFound(`entry ${id}`);
      const entry = renamedEntry(record.entry, newName);
      if (entry.id === id) return entry;
      const ids = (await request(s.getAllKeys(prefixRange('entry')))).map((k) => (k as [string, string])[1]);
      const taken = idTakenIgnoringCase(ids, entry.id, id);
      if (taken) throw new OmnihubError('exists', `Cannot rename ${id} to ${entry.id}: the library already has ${taken}.`);
      s.put({ ...record, entry }, entryKey(entry.id));
      s.delete(entryKey(id));
      return entry;
    });
  }

  async delete(id: string): Promise<void> {
    parseEntryId(id);
    await inTransaction(this.db, 'readwrite', async (s) => {
      const record = await request<StoredEntry | undefined>(s.get(entryKey(id)));
      if (!record) throw notFound(`entry ${id}`);
      for (const content of record.contents) s.delete(prefixRange('chunk', content.blobId));
      s.delete(entryKey(id));
    });
  }

  async usage(): Promise<StorageUsage> {
    const [entries, partials] = await inTransaction(this.db, 'readonly', (s) =>
      Promise.all([
        request<StoredEntry[]>(s.getAll(prefixRange('entry'))),
        request<StoredPartial[]>(s.getAll(prefixRange('partial'))),
      ]),
    );
    const usedBytes =
      entries.reduce((n, r) => n + r.contents.reduce((m, c) => m + sum(c.chunkSizes), 0), 0) +
      partials.reduce((n, p) => n + sum(p.chunkSizes), 0);
    const usage: StorageUsage = { usedBytes };
    if (this.estimate) {
      const quota = (await this.estimate().catch(() => undefined))?.quota;
      if (typeof quota === 'number') usage.quotaBytes = quota;
    }
    return usage;
  }

  async exportEntry(id: string): Promise<EntryExport> {
    const entry = await this.get(id);
    if (!entry) throw notFound(`entry ${id}`);
    return entryExport(entry);
  }

  // ---- partial downloads (DownloadTarget) -----------------------------------------------------------------------

  async resumeState(key: string): Promise<PartialState | null> {
    const partial = await inTransaction(this.db, 'readonly', (s) => request<StoredPartial | undefined>(s.get(partialKey(key))));
    return partial?.state ?? null;
  }

  async begin(key: string, state: PartialState): Promise<void> {
    checkBeginState(state);
    await inTransaction(this.db, 'readwrite', async (s) => {
      const old = await request<StoredPartial | undefined>(s.get(partialKey(key)));
      if (old) s.delete(prefixRange('chunk', old.blobId));
      const fresh: StoredPartial = { key, state, blobId: randomId(), chunkSizes: [] };
      s.put(fresh, partialKey(key));
    });
  }

  async append(key: string, bytes: Uint8Array, state: PartialState): Promise<void> {
    await inTransaction(this.db, 'readwrite', async (s) => {
      const partial = await request<StoredPartial | undefined>(s.get(partialKey(key)));
      if (!partial) throw notFound(`partial download ${key}`);
      checkAppend(key, partial.state.received, bytes, state);
      const chunkSizes = [...partial.chunkSizes];
      for (let offset = 0; offset < bytes.length; offset += this.maxChunkBytes) {
        const piece = bytes.subarray(offset, offset + this.maxChunkBytes);
        // new Blob copies the bytes, so the caller may reuse its buffer once append resolves.
        s.put(new Blob([piece as Uint8Array<ArrayBuffer>]), chunkKey(partial.blobId, chunkSizes.length));
        chunkSizes.push(piece.length);
      }
      s.put({ ...partial, state, chunkSizes } satisfies StoredPartial, partialKey(key));
    });
  }

  async commit(key: string, file: { entryId: string; path: string; size: number; sha256: string }): Promise<void> {
    parseEntryId(file.entryId);
    await inTransaction(this.db, 'readwrite', async (s) => {
      const partial = await request<StoredPartial | undefined>(s.get(partialKey(key)));
      if (!partial) throw notFound(`partial download ${key}`);
      checkCommitFile(key, partial.state.received, file);
      const existing = await request<StoredEntry | undefined>(s.get(entryKey(file.entryId)));
      if (!existing) {
        const ids = (await request(s.getAllKeys(prefixRange('entry')))).map((k) => (k as [string, string])[1]);
        const taken = idTakenIgnoringCase(ids, file.entryId);
        if (taken) throw new OmnihubError('exists', `Cannot create ${file.entryId}: the library already has ${taken}.`);
      }
      const next = entryAfterCommit(existing, file, partial.state, this.now());
      const replaced = existing?.contents.find((c) => c.path === file.path);
      if (replaced) s.delete(prefixRange('chunk', replaced.blobId));
      const contents = [
        ...(existing?.contents.filter((c) => c.path !== file.path) ?? []),
        { path: file.path, blobId: partial.blobId, chunkSizes: partial.chunkSizes },
      ];
      s.put({ ...next, contents } satisfies StoredEntry, entryKey(file.entryId));
      s.delete(partialKey(key));
    });
  }

  async discard(key: string): Promise<void> {
    await inTransaction(this.db, 'readwrite', async (s) => {
      const partial = await request<StoredPartial | undefined>(s.get(partialKey(key)));
      if (!partial) return;
      s.delete(prefixRange('chunk', partial.blobId));
      s.delete(partialKey(key));
    });
  }

  async partials(): Promise<Array<{ key: string; state: PartialState }>> {
    const all = await inTransaction(this.db, 'readonly', (s) => request<StoredPartial[]>(s.getAll(prefixRange('partial'))));
    return all.map((p) => ({ key: p.key, state: p.state }));
  }

  private allEntryRecords(): Promise<StoredEntry[]> {
    return inTransaction(this.db, 'readonly', (s) => request<StoredEntry[]>(s.getAll(prefixRange('entry'))));
  }
}

/** A stored chunk as a Blob part: Blobs as written, or bytes when an older/other writer stored ArrayBuffers. */
function asBlobPart(value: unknown): BlobPart {
  if (value instanceof Blob || value instanceof ArrayBuffer) return value;
  if (ArrayBuffer.isView(value)) return value as Uint8Array<ArrayBuffer>;
  throw new OmnihubError('malformed', 'A stored chunk of the library is neither a Blob nor bytes.');
}
