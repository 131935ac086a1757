/**
 * Imports of local files, built on the download path (begin → append… → commit) so that an import gets the same
 * guarantees as a download: bytes land in a partial first, and the entry only appears once the file is complete.
 * The sha256 is computed incrementally while the bytes stream in (hash-wasm), so large files are read once.
 */
import { createSHA256 } from 'hash-wasm';
import { ChunkBuffer } from '../download/chunk-buffer.js';
import { checkNewEntry, randomId } from './entry-records.js';
import { assertEntryPath } from './names.js';
import { entryId, type DownloadTarget, type NewEntry, type PartialState } from './types.js';

export type ImportInput = Uint8Array | Blob | ReadableStream<Uint8Array>;

/** Marks partials that are imports (`meta.localImport`): they cannot be resumed, only discarded. */
export const LOCAL_IMPORT_PREFIX = 'local-import:';

/** Yields `input` as chunks of at most `batchBytes`, gathering the small pieces streams deliver (as downloads do). */
export async function* batchedChunks(input: ImportInput, batchBytes: number): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    for (let offset = 0; offset < input.length; offset += batchBytes) yield input.subarray(offset, offset + batchBytes);
    return;
  }
  const stream = input instanceof Blob ? (input.stream() as ReadableStream<Uint8Array>) : input;
  const reader = stream.getReader();
  const buffer = new ChunkBuffer(batchBytes, input instanceof Blob ? input.size : undefined);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* buffer.push(value);
    }
    const rest = buffer.take();
    if (rest) yield rest;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Stores `input` as file `path` of the entry through `target`'s partial machinery. On failure the partial is
 * discarded; after a crash it stays listed in partials() with `meta.localImport`, for the UI to discard.
 */
export async function importThroughPartial(
  target: DownloadTarget,
  entry: NewEntry,
  path: string,
  input: ImportInput,
  batchBytes: number,
): Promise<void> {
  const checked = checkNewEntry(entry);
  assertEntryPath(path);
  const id = entryId(checked.framework, checked.name);
  const key = `${LOCAL_IMPORT_PREFIX}${id}/${path}#${randomId()}`;
  const meta = { entry: checked, localImport: true };
  const url = `local:${path}`;
  const hasher = await createSHA256();
  hasher.init();
  await target.begin(key, { url, received: 0, meta });
  try {
    let received = 0;
    for await (const chunk of batchedChunks(input, batchBytes)) {
      hasher.update(chunk);
      received += chunk.length;
      const state: PartialState = { url, received, meta };
      await target.append(key, chunk, state);
    }
    await target.commit(key, { entryId: id, path, size: received, sha256: hasher.digest('hex') });
  } catch (error) {
    await target.discard(key).catch(() => undefined);
    throw error;
  }
}
