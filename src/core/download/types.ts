/**
 * What a download is asked to do and what it is given to do it with. Everything environmental (fetch, storage,
 * clock, sleep, storage estimate) is passed in, so the same code runs in a page, a worker, Node and tests.
 */
import type { DownloadProgress, DownloadTarget, PartialEntryMeta } from '../library/types.js';

export interface DownloadRequest {
  /** Key of the partial in the target; the same key resumes the same download later (after a reload too). */
  key: string;
  url: string;
  /** Name shown in progress events (`onnx/model.onnx`). */
  file: string;
  /**
   * Hex sha256 the bytes must have (the Hub's `lfs.oid`), or its first 8+ digits where that is all the source
   * publishes (torch.hub's `-<hash prefix>.pth` file names); checked before anything is committed.
   */
  expectedSha256?: string;
  /** Hex md5 the bytes must have, for sources that publish only an md5 (most Keras Applications weights). */
  expectedMd5?: string;
  /** Size in bytes the file must have; also used for the storage check before the first byte is written. */
  expectedSize?: number;
  /**
   * Extra request headers, e.g. `Authorization: Bearer …` for gated Hub repositories. They are sent only to the
   * origin named by `headersOrigin` (default: the origin of `url`), never to any other host.
   *
   * Redirects are followed by `fetch` itself: browsers (Fetch standard, "HTTP-redirect fetch") and Node's undici
   * drop `Authorization` when a redirect crosses origins, which is what the Hub's redirect to its CDN relies on.
   * Other custom headers are NOT dropped on redirects, so put credentials only in `Authorization`.
   */
  headers?: Record<string, string>;
  /** Origin the `headers` were given for (`https://huggingface.co`); defaults to the origin of `url`. */
  headersOrigin?: string;
  /**
   * Where the verified file goes: file `path` of library entry `entryId`. `entry` describes the entry for the
   * library to create it at commit (framework, name, source, licence, and `files` when the entry is several
   * downloads); it travels in `PartialState.meta.entry`, the library's convention (see PartialEntryMeta).
   */
  commitTo: { entryId: string; path: string; entry?: PartialEntryMeta };
}

export interface RetryPolicy {
  /** Retries after the first try (so `attempts: 4` means up to 5 requests in a row without progress). */
  attempts: number;
  /** Delay before the first retry; each further retry doubles it. */
  baseDelayMs: number;
}

export interface StorageEstimate {
  usage: number;
  quota: number;
}

export interface DownloadEnv {
  fetch: typeof fetch;
  target: DownloadTarget;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries (tests inject one that records the delays and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  /** Clock in milliseconds for rates and progress throttling (default `Date.now`). */
  now?: () => number;
  /** Bytes buffered before each `target.append` (default 8 MiB; the library stores chunks of at most 64 MB). */
  chunkBytes?: number;
  /** `navigator.storage.estimate()` in browsers; when given, a download that cannot fit fails before writing. */
  estimateStorage?: () => Promise<StorageEstimate>;
}

export interface DownloadResult {
  key: string;
  url: string;
  size: number;
  /** Lowercase hex sha256 of the committed bytes. */
  sha256: string;
  /** Bytes that were already stored when this call started (0 for a fresh download). */
  resumedFrom: number;
  /** HTTP requests made by this call, including the failed ones. */
  requests: number;
  /** Times the download started again from byte 0 because the remote file changed or a range was refused. */
  restarts: number;
}

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
export const MAX_CHUNK_BYTES = 64 * 1000 * 1000;
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500 };
