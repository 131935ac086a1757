/**
 * A prototype, not the app's code: the download loop with the changes the findings suggest, to measure what they
 * would give before anyone changes src/core/download/downloader.ts or the library.
 *
 * 1. Pipelining: chunk N is stored while chunk N+1 is read and hashed, with at most one store in flight. The core
 *    awaits every append before reading on, so reading, hashing and IndexedDB take turns.
 * 2. A BYOB reader filling two reused chunk buffers in turn: no per-read ArrayBuffers for the garbage collector
 *    (the core's default reader gets a fresh buffer per read, and ChunkBuffer allocates a fresh chunk per chunk).
 *    At most two chunks exist, the one being filled and the one being stored: the "2 × chunk size" of the target.
 * 3. Where the chunks go (`sink`):
 *    - 'blob': `IndexedDbLibrary.append` as it is (a Blob per chunk).
 *    - 'bytes': the same records with the chunk as a Uint8Array instead of a Blob.
 *    - 'opfs': the bytes written to an Origin Private File System file through a sync access handle (dedicated
 *      workers only), and only the partial's state (received, hash state) to IndexedDB. Storage only: the library
 *      has no entries backed by OPFS files, so this one does not commit an entry.
 *
 * Same sha256 check; no retries or resume (the core's logic for those would not change).
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { ResumableHashes } from '../../../src/core/download/resumable-hashes.js';
import type { IndexedDbLibrary } from '../../../src/core/library/indexeddb-store.js';
import type { PartialState } from '../../../src/core/library/types.js';

export type Sink = 'blob' | 'bytes' | 'opfs';

export interface PrototypeResult {
  ms: number;
  bytes: number;
  appends: number;
  /** Time spent waiting for the store in flight and starting the next (what storing adds to the total). */
  appendWaitMs: number;
  hashMs: number;
  sha256: string;
}

interface StoredPartial {
  key: string;
  state: PartialState;
  blobId: string;
  chunkSizes: number[];
}

export async function pipelinedDownload(library: IndexedDbLibrary, url: string, sha256: string, chunkBytes: number, sink: Sink): Promise<PrototypeResult> {
  const key = 'bench';
  const t0 = performance.now();
  const hashes = await ResumableHashes.create();
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length'));
  const entry = { framework: 'onnx' as const, name: 'bench', source: { kind: 'url' as const, url } };
  let state: PartialState = { url, received: 0, total, meta: { entry, file: 'file.bin', entryId: 'onnx/bench', path: 'file.bin', expectedSha256: sha256 } };
  await library.begin(key, state);
  const store = await openSink(sink, library, key);

  const reader = res.body.getReader({ mode: 'byob' });
  const buffers = [new ArrayBuffer(chunkBytes), new ArrayBuffer(chunkBytes)];
  let which = 0;
  let storing: Promise<void> = Promise.resolve();
  let appends = 0;
  let appendWaitMs = 0;
  let hashMs = 0;
  for (let done = false; !done; ) {
    // Fill buffers[which]: each read transfers the buffer and hands it back, filled further.
    let buf = buffers[which];
    let filled = 0;
    while (filled < chunkBytes) {
      const r = await reader.read(new Uint8Array(buf, filled, chunkBytes - filled));
      if (r.value) buf = r.value.buffer as ArrayBuffer;
      if (r.done) {
        done = true;
        break;
      }
      filled += r.value.byteLength;
    }
    buffers[which] = buf;
    if (filled === 0) break;
    const chunk = new Uint8Array(buf, 0, filled);
    let t = performance.now();
    hashes.update(chunk);
    state = { ...state, received: state.received + filled, hashState: hashes.save() };
    hashMs += performance.now() - t;
    // The other buffer is free to fill again once its store has resolved. (An OPFS store writes synchronously, in
    // the call, so the call is timed too.)
    t = performance.now();
    await storing;
    storing = store.append(chunk, state);
    appendWaitMs += performance.now() - t;
    appends++;
    which ^= 1;
  }
  const t = performance.now();
  await storing;
  appendWaitMs += performance.now() - t;
  const digest = hashes.digests().sha256;
  if (digest !== sha256) throw new Error(`sha256 ${digest}, expected ${sha256}`);
  await store.finish({ entryId: 'onnx/bench', path: 'file.bin', size: state.received, sha256: digest });
  return { ms: performance.now() - t0, bytes: state.received, appends, appendWaitMs, hashMs, sha256: digest };
}

interface OpenSink {
  append(chunk: Uint8Array, state: PartialState): Promise<void>;
  finish(file: { entryId: string; path: string; size: number; sha256: string }): Promise<void>;
}

async function openSink(sink: Sink, library: IndexedDbLibrary, key: string): Promise<OpenSink> {
  if (sink === 'blob') return { append: (chunk, state) => library.append(key, chunk, state), finish: (file) => library.commit(key, file) };
  // A second connection to the library's store, to write its records (src/core/library/indexeddb-store.ts) directly.
  const db = createStore(library.dbName, library.storeName);
  if (sink === 'bytes') {
    return { append: (chunk, state) => putPartial(db, key, state, chunk), finish: (file) => library.commit(key, file) };
  }
  const root = await navigator.storage.getDirectory();
  const handle = await (await root.getFileHandle('bench-download.bin', { create: true })).createSyncAccessHandle();
  handle.truncate(0);
  return {
    append: (chunk, state) => {
      handle.write(chunk, { at: state.received - chunk.length }); // synchronous: the buffer is free once it returns
      return putPartial(db, key, state); // the state only: a few hundred bytes
    },
    finish: async () => {
      handle.flush();
      handle.close();
    },
  };
}

/** Saves the partial's new state and, when given, the chunk as a Uint8Array record `['chunk', blobId, index]`. */
async function putPartial(db: UseStore, key: string, state: PartialState, chunk?: Uint8Array): Promise<void> {
  // put() serializes the whole ArrayBuffer behind a view: a view on part of one (the last chunk) is copied out.
  const value = chunk && (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice());
  await db('readwrite', async (s) => {
    const partial = await promisifyRequest<StoredPartial>(s.get(['partial', key]));
    if (value) s.put(value, ['chunk', partial.blobId, partial.chunkSizes.length]);
    const chunkSizes = value ? [...partial.chunkSizes, value.length] : partial.chunkSizes;
    s.put({ ...partial, state, chunkSizes } satisfies StoredPartial, ['partial', key]);
    await promisifyRequest(s.transaction);
  });
}
