/**
 * The model library: every model the user has, staged as `<framework>/<name>`, with where it came from and a
 * checksum. One interface, two backends: IndexedDB in the browser, a folder (~/.omnihub) in Node.
 *
 * An entry exists only once all its files are complete and verified. Downloads in progress live beside the entries
 * as *partials* (see DownloadTarget), which are never listed as entries.
 */

export type Framework = 'onnx' | 'keras' | 'tensorflow' | 'pytorch' | 'huggingface' | 'tflite';

export const FRAMEWORKS: readonly Framework[] = ['onnx', 'keras', 'tensorflow', 'pytorch', 'huggingface', 'tflite'];

/** Where an entry came from, enough to fetch it again. */
export interface EntrySource {
  kind: 'hf' | 'onnx-zoo' | 'keras' | 'torchvision' | 'url' | 'local';
  /** The URL the bytes were fetched from (absent for local imports). */
  url?: string;
  /** Hub repository (`owner/name`), revision (commit sha when resolved) and path inside it. */
  repo?: string;
  revision?: string;
  path?: string;
  /** Catalog name for zoo sources (`vgg19/…_notop.h5`, `resnet18`, …). */
  catalogName?: string;
}

export interface EntryFile {
  /** Path inside the entry (`model.onnx`, `onnx/model_fp16.onnx`, `config.json`). */
  path: string;
  size: number;
  /** Lowercase hex sha256 of the content, always computed on the way in. */
  sha256: string;
}

/** How an entry was derived from another one (filled by later rewrite steps; absent for downloads and imports). */
export interface Lineage {
  from: string;
  steps: unknown[];
}

export interface LibraryEntry {
  /** `<framework>/<name>`: unique in the library. */
  id: string;
  framework: Framework;
  name: string;
  files: EntryFile[];
  source: EntrySource;
  /** Licence as the source states it (SPDX id or the source's words), when it states one. */
  licence?: string;
  /** ISO 8601 time the entry was completed. */
  createdAt: string;
  lineage?: Lineage;
}

export function entryId(framework: Framework, name: string): string {
  return `${framework}/${name}`;
}

/** Bytes the library uses and, in the browser, the quota the origin has (navigator.storage.estimate()). */
export interface StorageUsage {
  usedBytes: number;
  quotaBytes?: number;
}

/**
 * State of a download that has not finished. Persisted with every stored chunk, so a dropped connection or a page
 * reload resumes from `received` bytes, checking with `etag` that the remote file is still the same.
 */
export interface PartialState {
  url: string;
  /** Bytes stored so far (the next Range request starts here). */
  received: number;
  /** Total size when the server said it. */
  total?: number;
  /** Validator of the remote file, sent as If-Range so a changed file restarts rather than mixing versions. */
  etag?: string;
  /** Serialized incremental sha256 state after `received` bytes (so resuming does not re-read what is stored). */
  hashState?: Uint8Array;
  /** Anything the downloader wants back on resume (expected sha256, target entry id and file path, …). */
  meta: Record<string, unknown>;
}

/**
 * Where a download writes, implemented by the library backends (and by an in-memory store in tests). Writes of
 * one key happen one at a time, in order; `append` stores the chunk and the new state together, so after a crash
 * the state never claims bytes that were not stored.
 */
export interface DownloadTarget {
  /** The saved state of an unfinished download with this key, or null if there is none. */
  resumeState(key: string): Promise<PartialState | null>;
  /** Starts a download afresh under `key`, dropping any earlier partial with that key. */
  begin(key: string, state: PartialState): Promise<void>;
  /** Stores `bytes` at offset `state.received - bytes.length` and saves `state`. */
  append(key: string, bytes: Uint8Array, state: PartialState): Promise<void>;
  /** Turns the complete partial into file `path` of entry `entryId` (creating or updating the entry's file list is the library's job). */
  commit(key: string, file: { entryId: string; path: string; size: number; sha256: string }): Promise<void>;
  /** Forgets the partial and its bytes. */
  discard(key: string): Promise<void>;
  /** Unfinished downloads, for the UI's resume buttons. */
  partials(): Promise<Array<{ key: string; state: PartialState }>>;
}

/** The one progress event shape of every download (as transformers.js does: status, file, loaded, total). */
export interface DownloadProgress {
  status: 'starting' | 'downloading' | 'retrying' | 'verifying' | 'done' | 'error' | 'aborted';
  key: string;
  file: string;
  loaded: number;
  total?: number;
  /** Bytes per second over the last few seconds. */
  rate?: number;
  /** Seconds left at that rate. */
  etaSeconds?: number;
  /** Retry number when status is 'retrying'. */
  attempt?: number;
  message?: string;
}

/**
 * What an entry is made from before it has files: everything of a LibraryEntry that the library cannot compute.
 * `addFile` takes it directly. A download carries it in `PartialState.meta.entry` (see below), because `commit`
 * only receives `{entryId, path, size, sha256}`.
 */
export interface NewEntry {
  framework: Framework;
  /**
   * One portable file-name segment: no `/` or `\`, not `.` or `..`, no NUL or control characters, none of
   * `<>:"|?*`, no trailing dot or space, at most 200 UTF-8 bytes. Names from remote catalogs are untrusted: turn
   * them into names with `safeEntryName()` (an HF repo `owner/name` becomes `owner--name`).
   */
  name: string;
  source: EntrySource;
  licence?: string;
  lineage?: Lineage;
  /** When given, must equal `entryId(framework, name)`. */
  id?: string;
}

/**
 * The `PartialState.meta.entry` convention between the downloader and the library:
 *
 *   begin(key, { url, received: 0, meta: { entry: { framework, name, source, licence?, files? }, … } })
 *
 * `commit` creates the entry from it when `entryId` does not exist yet (and ignores it when it does: an existing
 * entry keeps its metadata and only gains or replaces the file). Without `meta.entry`, a new entry gets framework
 * and name from `entryId` and `source: { kind: 'url', url: state.url }` only (no licence, repo or catalog name). `files` lists every path the entry will hold when
 * it is downloaded as several files (an HF repo: config.json + onnx/model.onnx): such an entry stays *pending* —
 * stored, counted in `usage()`, but absent from `list()`, `get()` and `search()` — until the last of those paths
 * is committed. Without `files`, the entry is complete after its first commit.
 */
export interface PartialEntryMeta extends NewEntry {
  files?: string[];
}

/** One stored file, readable the same way in the browser and in Node. */
export interface StoredFile {
  path: string;
  size: number;
  sha256: string;
  /** The content as a stream (a fresh stream per call). */
  stream(): ReadableStream<Uint8Array>;
  /** The whole content in memory. */
  bytes(): Promise<Uint8Array>;
  /** The content as a Blob: chunk Blobs joined (browser) or a file-backed Blob (`fs.openAsBlob`, Node). */
  blob(): Promise<Blob>;
}

/** What an export needs, as plain (structured-cloneable) data; read each file with `openFile(entry.id, path)`. */
export interface EntryExport {
  entry: LibraryEntry;
  files: Array<
    EntryFile & {
      /** `<name>/<path>`: where the CLI puts the file under the destination folder. */
      exportPath: string;
      /** A flat file name for a browser download: the file's base name for single-file entries, else `<name>_<path with / as _>`. */
      downloadName: string;
      /** Absolute path of the stored file (folder backend only), for a plain file copy. */
      localPath?: string;
    }
  >;
}

/**
 * The model library. Both backends (IndexedDbLibrary in the browser, FolderLibrary in Node) behave the same and
 * pass the same test suite. Ids are `<framework>/<name>` and unique ignoring case (a folder library may live on a
 * case-insensitive disk). Errors are OmnihubErrors: 'not-found', 'exists', 'unsafe-path', 'quota', 'usage'.
 */
export interface LibraryStore extends DownloadTarget {
  /** Complete entries, sorted by id. */
  list(): Promise<LibraryEntry[]>;
  /** The complete entry with this id, or null. */
  get(id: string): Promise<LibraryEntry | null>;
  /** Entries whose id, name, framework, source repo, catalog name or URL contain every word of `text` (case-insensitive). */
  search(text: string): Promise<LibraryEntry[]>;
  /**
   * Imports a local file as file `path` of the entry (created when missing, else the file is added or replaced),
   * computing size and sha256 while storing. Returns the entry as stored.
   */
  addFile(entry: NewEntry, path: string, bytes: Uint8Array | Blob | ReadableStream<Uint8Array>): Promise<LibraryEntry>;
  /** Opens a stored file for reading ('not-found' when the entry or file does not exist). */
  openFile(id: string, path: string): Promise<StoredFile>;
  /** Renames an entry (its name and id; the framework stays); 'exists' if the new id is taken. Returns the renamed entry. */
  rename(id: string, newName: string): Promise<LibraryEntry>;
  /** Deletes the entry's metadata and bytes ('not-found' when there is no such entry, complete or pending). */
  delete(id: string): Promise<void>;
  /** Content bytes stored (entry files, pending entries and partials) and, where known, the space available. */
  usage(): Promise<StorageUsage>;
  /** The entry and its files, ready to copy out (CLI) or download (UI). */
  exportEntry(id: string): Promise<EntryExport>;
}
