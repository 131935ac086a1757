/**
 * What one benchmark run does inside the browser, the same code on the page's main thread and in a dedicated
 * worker (the app's library worker will run downloads in a worker). Each function times itself with
 * performance.now() from its first call to its last byte stored, so the numbers leave out Playwright and
 * postMessage round trips.
 */
import { download } from '../../../src/core/download/downloader.js';
import { ResumableHashes } from '../../../src/core/download/resumable-hashes.js';
import { IndexedDbLibrary } from '../../../src/core/library/indexeddb-store.js';
import type { DownloadTarget } from '../../../src/core/library/types.js';
import { pipelinedDownload, type Sink } from './prototype.js';

// Every run gets a fresh browser profile from bench/download/run.ts, so each database here starts empty; distinct
// names keep the diagnostics in one page apart. (idb-keyval keeps its connection open, so deleting a database the
// page has used would block.)
let dbCount = 0;
const freshDbName = (): string => `omnihub-bench-download-${dbCount++}`;

export interface RunResult {
  ms: number;
  bytes: number;
  /** Library runs: the downloader's append size, the library's largest chunk record, time spent awaiting appends. */
  chunkBytes?: number;
  libraryChunkBytes?: number;
  appends?: number;
  appendMs?: number;
  /** Prototype runs: time spent hashing, measured in the run. */
  hashMs?: number;
  progressEvents?: number;
  sha256?: string;
}

/** Keeps the fetched bytes alive until the browser is closed, as a caller would hold them. */
let held: ArrayBuffer | null = null;

/** The reference: plain fetch, the whole body into one ArrayBuffer by the browser itself. */
export async function fetchIntoMemory(url: string): Promise<RunResult> {
  const t0 = performance.now();
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  held = await res.arrayBuffer();
  return { ms: performance.now() - t0, bytes: held.byteLength };
}

/** A diagnostic: what reading the body stream from JavaScript costs alone (the downloader's loop without work). */
export async function fetchStreamOnly(url: string): Promise<RunResult> {
  const t0 = performance.now();
  const res = await fetch(url);
  const reader = res.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  return { ms: performance.now() - t0, bytes };
}

/** A diagnostic: the body read with a BYOB reader into one reused 8 MiB buffer, bytes dropped (no garbage per read). */
export async function fetchStreamByob(url: string): Promise<RunResult> {
  const t0 = performance.now();
  const res = await fetch(url);
  const reader = res.body!.getReader({ mode: 'byob' });
  let buf = new ArrayBuffer(8 * 1024 * 1024);
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buf));
    if (value) buf = value.buffer as ArrayBuffer;
    if (done) break;
    bytes += value.length;
  }
  return { ms: performance.now() - t0, bytes };
}

/**
 * A diagnostic: the least a verified download has to do on its thread, reading the body (BYOB, into one reused
 * 8 MiB buffer) and hashing it in 8 MiB chunks as the downloader does (hash-wasm, state saved per chunk), storing
 * nothing.
 */
export async function fetchAndHash(url: string, sha256: string): Promise<RunResult> {
  const t0 = performance.now();
  const hashes = await ResumableHashes.create();
  const res = await fetch(url);
  const reader = res.body!.getReader({ mode: 'byob' });
  const size = 8 * 1024 * 1024;
  let buf = new ArrayBuffer(size);
  let bytes = 0;
  let hashMs = 0;
  for (let done = false; !done; ) {
    let filled = 0;
    while (filled < size) {
      const r = await reader.read(new Uint8Array(buf, filled, size - filled));
      if (r.value) buf = r.value.buffer as ArrayBuffer;
      if (r.done) {
        done = true;
        break;
      }
      filled += r.value.length;
    }
    const t = performance.now();
    hashes.update(new Uint8Array(buf, 0, filled));
    hashes.save();
    hashMs += performance.now() - t;
    bytes += filled;
  }
  if (hashes.digests().sha256 !== sha256) throw new Error('sha256 differs');
  return { ms: performance.now() - t0, bytes, hashMs };
}

/** The download path the app uses: core `download()` into a fresh IndexedDbLibrary, sha256 checked. */
export async function downloadIntoLibrary(url: string, sha256: string, chunkBytes: number): Promise<RunResult> {
  const library = new IndexedDbLibrary({ dbName: freshDbName() });
  // Times what the downloader waits for storage (Blob creation + one IndexedDB transaction per append).
  let appends = 0;
  let appendMs = 0;
  let progressEvents = 0;
  const target: DownloadTarget = {
    resumeState: (k) => library.resumeState(k),
    begin: (k, s) => library.begin(k, s),
    append: async (k, bytes, s) => {
      const t = performance.now();
      await library.append(k, bytes, s);
      appendMs += performance.now() - t;
      appends++;
    },
    commit: (k, f) => library.commit(k, f),
    discard: (k) => library.discard(k),
    partials: () => library.partials(),
  };
  const t0 = performance.now();
  const result = await download(
    {
      key: 'bench',
      url,
      file: 'file.bin',
      expectedSha256: sha256,
      commitTo: { entryId: 'onnx/bench', path: 'file.bin', entry: { framework: 'onnx', name: 'bench', source: { kind: 'url', url } } },
    },
    {
      // As workers/library.worker.ts: the HTTP cache bypassed, progress listened to, the same storage estimate.
      fetch: (input, init) => fetch(input, { ...init, cache: 'no-store' }),
      onProgress: () => progressEvents++,
      target,
      chunkBytes,
      estimateStorage: async () => {
        const e = await navigator.storage.estimate();
        return { usage: e.usage ?? 0, quota: e.quota ?? Infinity };
      },
    },
  );
  const ms = performance.now() - t0;
  const stored = await library.openFile('onnx/bench', 'file.bin'); // the entry exists, with the full size
  if (stored.size !== result.size) throw new Error(`stored ${stored.size} bytes, downloaded ${result.size}`);
  return { ms, bytes: result.size, chunkBytes, libraryChunkBytes: library.maxChunkBytes, appends, appendMs, progressEvents, sha256: result.sha256 };
}

/** The prototype of bench/download/web/prototype.ts (pipelined stores, BYOB reads) into a fresh IndexedDbLibrary or OPFS. */
export async function prototypeIntoLibrary(url: string, sha256: string, chunkBytes: number, sink: Sink): Promise<RunResult> {
  const library = new IndexedDbLibrary({ dbName: freshDbName() });
  const r = await pipelinedDownload(library, url, sha256, chunkBytes, sink);
  if (sink !== 'opfs') {
    const stored = await library.openFile('onnx/bench', 'file.bin');
    if (stored.size !== r.bytes) throw new Error(`stored ${stored.size} bytes, downloaded ${r.bytes}`);
  }
  return { ms: r.ms, bytes: r.bytes, chunkBytes, libraryChunkBytes: library.maxChunkBytes, appends: r.appends, appendMs: r.appendWaitMs,
    hashMs: r.hashMs, sha256: r.sha256 };
}

/** Diagnostic: sha256 speed of the downloader's hasher (hash-wasm) over `total` bytes in 8 MiB updates, MB/s. */
export async function hashRate(total: number): Promise<number> {
  const chunk = randomBytes(8 * 1024 * 1024);
  const hasher = await ResumableHashes.create(); // sha256 only, as for a Hub file
  const t0 = performance.now();
  for (let n = 0; n < total; n += chunk.length) {
    hasher.update(chunk);
    hasher.save(); // as the downloader does after each chunk
  }
  hasher.digests();
  return total / 1e6 / ((performance.now() - t0) / 1000);
}

/** Diagnostic: the library's append path alone (new Blob + one transaction per append), `total` bytes, MB/s. */
export async function appendRate(chunkBytes: number, total: number): Promise<number> {
  const library = new IndexedDbLibrary({ dbName: freshDbName() });
  const chunk = randomBytes(chunkBytes);
  const state = { url: 'http://bench/', received: 0, meta: {} };
  await library.begin('rate', state);
  const t0 = performance.now();
  for (let n = 0; n < total; n += chunk.length) {
    state.received += chunk.length;
    await library.append('rate', chunk, { ...state });
  }
  return total / 1e6 / ((performance.now() - t0) / 1000);
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536)); // 64 KiB per call at most
  return out;
}

export const ops = { fetchIntoMemory, fetchStreamOnly, fetchStreamByob, fetchAndHash, downloadIntoLibrary, prototypeIntoLibrary, hashRate, appendRate };
export type OpName = keyof typeof ops;
