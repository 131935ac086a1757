/**
 * The one download path: streams a URL into a DownloadTarget in chunks, resumes what an earlier call (or a page
 * that was closed) left, retries dropped connections, checks the sha256 and size, and only then commits the file.
 *
 * Resume follows RFC 9110: `Range: bytes=<received>-` with `If-Range: <etag>`. A 206 continues; a 200 means the
 * server ignored the range or the file changed (so its ETag no longer matched), and the download starts again
 * from byte 0 rather than mixing two versions; a 416 with everything stored means the file is complete. The
 * sha256 state is saved with each chunk, so resuming never re-reads stored bytes.
 */
import { OmnihubError } from '../errors.js';
import type { PartialState } from '../library/types.js';
import { ChunkBuffer } from './chunk-buffer.js';
import {
  RetryableFailure,
  abortedError,
  httpStatusError,
  integrityError,
  isAbortError,
  isQuotaExceeded,
  isRetryableStatus,
  quotaError,
  retriesExhaustedError,
} from './download-errors.js';
import { isStrongEtag, parseContentLength, parseContentRange, parseRetryAfterSeconds, parseUnsatisfiedRange } from './http-range.js';
import { ProgressReporter } from './progress-reporter.js';
import { ResumableHashes } from './resumable-hashes.js';
import {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_RETRY,
  MAX_CHUNK_BYTES,
  type DownloadEnv,
  type DownloadRequest,
  type DownloadResult,
  type RetryPolicy,
} from './types.js';

export type { DownloadEnv, DownloadRequest, DownloadResult, RetryPolicy, StorageEstimate } from './types.js';

/**
 * Downloads `request.url` into `env.target` under `request.key` and commits it as `request.commitTo` once its
 * sha256 and size are checked. Calling it again with the same key after a failure or an abort resumes.
 *
 * Throws OmnihubError: 'not-found' (404), 'auth' (401/403), 'http' (other statuses, or 5xx/429 past the
 * retries), 'network' (unreachable or dropping past the retries; in a browser possibly a CORS refusal),
 * 'integrity' (sha256 or size differ: the partial is discarded), 'quota' (no space: nothing written, or the
 * partial kept), 'aborted' (the partial kept), 'usage' (bad request).
 */
export async function download(request: DownloadRequest, env: DownloadEnv): Promise<DownloadResult> {
  const hasher = await ResumableHashes.create({ md5: request.expectedMd5 !== undefined });
  return new Download(request, env, hasher).run();
}

/** One call of `download`: the state of the transfer between requests. */
class Download {
  private readonly retry: RetryPolicy;
  private readonly chunkBytes: number;
  private readonly reporter: ProgressReporter;
  /** The stored partial of the content being downloaded; null until `target.begin` (or a usable resume state). */
  private state: PartialState | null = null;
  /** Bytes stored and confirmed by the target (what a resume starts from). */
  private received = 0;
  /**
   * The one append still being written, if any, and the state it will store. Appends are pipelined: the next chunk
   * is read from the network and hashed while the previous one is written (IndexedDB writes otherwise stall the
   * download; +35 % on a fast link, see BENCHMARKS.md). Its failure is taken up by the next `flush()`.
   */
  private inFlight: { done: Promise<unknown>; state: PartialState; error?: unknown } | null = null;
  private resumedFrom = 0;
  private requests = 0;
  private restarts = 0;
  /** Whether any request got an HTTP response (if none did, a browser's CORS refusal is one explanation). */
  private everResponded = false;
  private quotaChecked = false;

  constructor(
    private readonly request: DownloadRequest,
    private readonly env: DownloadEnv,
    private readonly hasher: ResumableHashes,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...env.retry };
    this.chunkBytes = env.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.reporter = new ProgressReporter(request.key, request.file, env.now ?? Date.now, env.onProgress);
  }

  async run(): Promise<DownloadResult> {
    try {
      this.validate();
      this.throwIfAborted();
      await this.loadPartial();
      this.reporter.status('starting', { loaded: this.received });
      await this.checkQuota(this.request.expectedSize);
      await this.transferWithRetries();
      return await this.verifyAndCommit();
    } catch (e) {
      // The error is final: let a still-running append finish first, so the stored state is settled when the
      // caller hears about it (its own failure, if any, is the lesser news).
      await this.flush().catch(() => {});
      if (this.env.signal?.aborted || (e instanceof OmnihubError && e.code === 'aborted')) {
        this.reporter.status('aborted', { loaded: this.received });
        throw e instanceof OmnihubError && e.code === 'aborted' ? e : abortedError(this.request.file, this.received);
      }
      this.reporter.status('error', { loaded: this.received, message: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }

  private validate(): void {
    const { url, key, expectedSha256 } = this.request;
    if (!key) throw new OmnihubError('usage', 'download needs a key');
    if (!parseUrl(url)) throw new OmnihubError('usage', `not a URL: ${url}`);
    if (expectedSha256 !== undefined && !/^[0-9a-fA-F]{8,64}$/.test(expectedSha256)) {
      throw new OmnihubError('usage', `expectedSha256 must be 8 to 64 hex digits, got ${expectedSha256}`);
    }
    if (this.request.expectedMd5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(this.request.expectedMd5)) {
      throw new OmnihubError('usage', `expectedMd5 must be 32 hex digits, got ${this.request.expectedMd5}`);
    }
    if (!(this.chunkBytes >= 1 && this.chunkBytes <= MAX_CHUNK_BYTES)) {
      throw new OmnihubError('usage', `chunkBytes must be between 1 and ${MAX_CHUNK_BYTES}, got ${this.chunkBytes}`);
    }
  }

  /** Picks up the stored partial when it is of this URL and its hash state can be restored; else starts afresh. */
  private async loadPartial(): Promise<void> {
    const saved = await this.env.target.resumeState(this.request.key);
    if (!saved || saved.url !== this.request.url || saved.received <= 0) return;
    const { expectedSha256, expectedSize } = this.request;
    const savedSha = saved.meta?.expectedSha256;
    if (expectedSha256 && typeof savedSha === 'string' && savedSha.toLowerCase() !== expectedSha256.toLowerCase()) return;
    if (expectedSize !== undefined && saved.total !== undefined && saved.total !== expectedSize) return;
    if (!saved.hashState || !this.hasher.restore(saved.hashState)) return;
    this.state = saved;
    this.received = this.resumedFrom = saved.received;
    this.reporter.total = saved.total ?? expectedSize;
  }

  private async transferWithRetries(): Promise<void> {
    let failures = 0;
    for (;;) {
      this.throwIfAborted();
      const before = this.received;
      try {
        if (await this.attempt()) return;
      } catch (e) {
        if (!(e instanceof RetryableFailure)) throw e;
        // A connection that keeps delivering bytes is not failing: only failures in a row count, so a multi-GB
        // file over a flaky link does not run out of retries.
        failures = this.received > before ? 1 : failures + 1;
        if (failures > this.retry.attempts) {
          throw retriesExhaustedError(e, this.request.url, this.request.file, this.retry.attempts, {
            received: this.received,
            total: this.state?.total,
            everResponded: this.everResponded,
          });
        }
        const backoff = this.retry.baseDelayMs * 2 ** (failures - 1);
        this.reporter.status('retrying', { loaded: this.received, attempt: failures, message: e.message });
        // Retry-After is honoured up to a minute; a longer one is the server asking to come back another time.
        await this.sleep(Math.max(backoff, Math.min(e.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
      }
    }
  }

  /**
   * One request. Returns true when every byte is stored, false when the download must start again from byte 0
   * (asked at once, without counting a failure); throws RetryableFailure for what a later request may fix.
   */
  private async attempt(): Promise<boolean> {
    const resuming = this.state !== null && this.received > 0;
    const headers = this.requestHeaders();
    if (resuming) {
      headers.set('Range', `bytes=${this.received}-`);
      if (isStrongEtag(this.state!.etag)) headers.set('If-Range', this.state!.etag);
    }
    this.requests++;
    let res: Response;
    try {
      res = await this.env.fetch(this.request.url, { headers, signal: this.env.signal, redirect: 'follow' });
    } catch (e) {
      if (this.env.signal?.aborted || isAbortError(e)) throw abortedError(this.request.file, this.received);
      throw new RetryableFailure('unreachable', describeFetchError(e), undefined, { cause: e });
    }
    this.everResponded = true;

    if (res.status === 416 && resuming) {
      await discardBody(res);
      const total = parseUnsatisfiedRange(res.headers.get('content-range')) ?? this.state!.total;
      if (total !== undefined && this.received === total) return true;
      // More is stored than the file now has: it changed.
      this.restart(`${this.request.file} changed on the server (its size is now ${total ?? 'unknown'}); starting again`);
      return false;
    }
    if (!res.ok) {
      await discardBody(res);
      if (isRetryableStatus(res.status)) {
        const retryAfter = parseRetryAfterSeconds(res.headers.get('retry-after'));
        throw new RetryableFailure('status', `HTTP ${res.status}`, retryAfter === undefined ? undefined : retryAfter * 1000);
      }
      throw httpStatusError(res.status, this.request.url, this.request.file, headers.has('authorization'));
    }

    const etag = res.headers.get('etag') ?? undefined;
    let total: number | undefined;
    let lengthOnly = false;
    if (res.status === 206 && resuming) {
      const range = this.checkResumedRange(res, etag);
      if (!range) {
        await discardBody(res);
        this.restart(`${this.request.file}: the server sent another part or version of the file; starting again`);
        return false;
      }
      total = range.total;
    } else if (res.status === 200 || (res.status === 206 && parseContentRange(res.headers.get('content-range'))?.start === 0)) {
      if (resuming) {
        this.restarts++;
        this.reporter.status('starting', { loaded: 0, message: `${this.request.file} changed on the server or the server ignored the range; starting again` });
      }
      total = res.status === 206 ? parseContentRange(res.headers.get('content-range'))!.total : parseContentLength(res.headers.get('content-length'));
      lengthOnly = res.status === 200;
      if (this.request.expectedSize === undefined) await this.checkQuota(total);
      await this.beginFresh(total, etag);
    } else {
      await discardBody(res);
      throw new OmnihubError('http', `${this.request.url} answered HTTP ${res.status}, which a download cannot use`);
    }
    await this.readBody(res, total, lengthOnly);
    return true;
  }

  /**
   * The range a 206 answers must start where the stored bytes end and belong to the same file (same total and
   * ETag, for servers that ignore If-Range). When Content-Range cannot be read at all (a cross-origin server that
   * does not expose it), Content-Length, which browsers always expose, stands in.
   */
  private checkResumedRange(res: Response, etag: string | undefined): { total?: number } | null {
    const state = this.state!;
    if (state.etag && etag && etag !== state.etag) return null;
    const header = res.headers.get('content-range');
    if (header === null) {
      const length = parseContentLength(res.headers.get('content-length'));
      const total = length === undefined ? state.total : this.received + length;
      return state.total !== undefined && total !== state.total ? null : { total };
    }
    const range = parseContentRange(header);
    if (!range || range.start !== this.received) return null;
    if (state.total !== undefined && range.total !== undefined && range.total !== state.total) return null;
    return { total: range.total ?? state.total };
  }

  private restart(message: string): void {
    this.state = null;
    this.received = 0;
    this.hasher.reset();
    this.restarts++;
    this.reporter.status('starting', { loaded: 0, message });
  }

  private async beginFresh(total: number | undefined, etag: string | undefined): Promise<void> {
    this.hasher.reset();
    this.received = 0;
    const state: PartialState = {
      url: this.request.url,
      received: 0,
      ...(total !== undefined && { total }),
      ...(etag !== undefined && { etag }),
      // What a resume button needs to call download() again without the caller remembering the request.
      meta: {
        ...(this.request.commitTo.entry && { entry: this.request.commitTo.entry }),
        file: this.request.file,
        entryId: this.request.commitTo.entryId,
        path: this.request.commitTo.path,
        ...(this.request.expectedSha256 && { expectedSha256: this.request.expectedSha256.toLowerCase() }),
        ...(this.request.expectedMd5 && { expectedMd5: this.request.expectedMd5.toLowerCase() }),
        ...(this.request.expectedSize !== undefined && { expectedSize: this.request.expectedSize }),
      },
    };
    await this.storage(() => this.env.target.begin(this.request.key, state));
    this.state = state;
    this.reporter.total = total ?? this.request.expectedSize;
  }

  /**
   * Streams the body into the target. What arrived before a drop or an abort is stored first, so the next request
   * resumes from the last byte received. `lengthOnly`: the total came from a 200's Content-Length, which counts
   * compressed bytes when the server gzipped the response and fetch inflated it; if more bytes arrive, the total
   * is dropped rather than the download failed.
   */
  private async readBody(res: Response, total: number | undefined, lengthOnly: boolean): Promise<void> {
    const remaining = total ?? this.request.expectedSize;
    const buffer = new ChunkBuffer(this.chunkBytes, remaining === undefined ? undefined : Math.max(0, remaining - this.received));
    const reader = res.body?.getReader();
    let finished = false;
    try {
      while (reader) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (e) {
          await this.storeRest(buffer);
          if (this.env.signal?.aborted || isAbortError(e)) throw abortedError(this.request.file, this.received);
          throw new RetryableFailure('dropped', `connection dropped after ${this.received} bytes (${describeFetchError(e)})`, undefined, { cause: e });
        }
        if (next.done) break;
        if (total !== undefined && this.handedToStorage() + buffer.pendingBytes + next.value.length > total) {
          if (!lengthOnly) throw new OmnihubError('http', `${this.request.url} sent more than the ${total} bytes it announced`);
          total = undefined;
          delete this.state!.total;
          this.reporter.total = this.request.expectedSize;
        }
        for (const chunk of buffer.push(next.value)) await this.store(chunk);
        this.reporter.bytes(this.handedToStorage() + buffer.pendingBytes);
        if (this.env.signal?.aborted) {
          await this.storeRest(buffer);
          throw abortedError(this.request.file, this.received);
        }
      }
      finished = true;
      await this.storeRest(buffer);
    } finally {
      if (!finished) reader?.cancel().catch(() => {});
    }
    if (total !== undefined && this.received < total) {
      throw new RetryableFailure('dropped', `connection ended after ${this.received} of ${total} bytes`);
    }
  }

  /** Stores what is buffered and waits until every append is written, so `received` is exact afterwards. */
  private async storeRest(buffer: ChunkBuffer): Promise<void> {
    const rest = buffer.take();
    if (rest) await this.store(rest);
    await this.flush();
  }

  /** Bytes handed to the target so far, written or still being written. */
  private handedToStorage(): number {
    return this.inFlight?.state.received ?? this.received;
  }

  /**
   * Appends one chunk with the state after it (received, hash state), so the two are stored together. The chunk is
   * hashed while the previous append is still being written; this append then runs while the caller reads on.
   */
  private async store(chunk: Uint8Array): Promise<void> {
    const base = this.inFlight?.state ?? this.state!;
    this.hasher.update(chunk);
    const next: PartialState = { ...base, received: base.received + chunk.length, hashState: this.hasher.save() };
    await this.flush();
    const inFlight: NonNullable<Download['inFlight']> = { state: next, done: Promise.resolve() };
    inFlight.done = this.storage(() => this.env.target.append(this.request.key, chunk, next)).then(
      () => {
        this.state = next;
        this.received = next.received;
      },
      (e: unknown) => {
        inFlight.error = e;
      },
    );
    this.inFlight = inFlight;
    // One event per chunk handed over; it holds every byte reported before, so progress never goes back.
    this.reporter.bytes(next.received, true);
  }

  /**
   * Waits for the append in flight. If it failed, nothing after the last stored state counts: the hash goes back to
   * that state (it may already include later chunks) and the error is thrown.
   */
  private async flush(): Promise<void> {
    const inFlight = this.inFlight;
    if (!inFlight) return;
    await inFlight.done;
    this.inFlight = null;
    if (inFlight.error === undefined) return;
    const stored = this.state!;
    if (stored.hashState) this.hasher.restore(stored.hashState);
    else this.hasher.reset();
    throw inFlight.error;
  }

  private async verifyAndCommit(): Promise<DownloadResult> {
    const { key, file, expectedSha256, expectedMd5, expectedSize, commitTo, url } = this.request;
    this.reporter.status('verifying', { loaded: this.received });
    const { sha256, md5 } = this.hasher.digests();
    const size = this.received;
    const wantSize = expectedSize ?? this.state?.total;
    if (wantSize !== undefined && size !== wantSize) {
      await this.env.target.discard(key);
      throw integrityError(file, 'size', wantSize, size);
    }
    if (expectedSha256 && !sha256.startsWith(expectedSha256.toLowerCase())) {
      await this.env.target.discard(key);
      throw integrityError(file, 'sha256', expectedSha256.toLowerCase(), sha256);
    }
    if (expectedMd5 && md5 !== expectedMd5.toLowerCase()) {
      await this.env.target.discard(key);
      throw integrityError(file, 'md5', expectedMd5.toLowerCase(), md5 ?? '');
    }
    await this.storage(() => this.env.target.commit(key, { entryId: commitTo.entryId, path: commitTo.path, size, sha256 }));
    this.reporter.status('done', { loaded: size });
    return { key, url, size, sha256, resumedFrom: this.resumedFrom, requests: this.requests, restarts: this.restarts };
  }

  /** Runs a target operation, turning "no space left" into a 'quota' error; the stored partial stays resumable. */
  private async storage(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (e) {
      if (isQuotaExceeded(e)) {
        throw quotaError(this.request.file, `storage refused a write after ${this.received} bytes (${(e as Error).message})`, e);
      }
      throw e;
    }
  }

  /** Fails before anything is written when the estimate says the rest of the file cannot fit. */
  private async checkQuota(totalBytes: number | undefined): Promise<void> {
    if (!this.env.estimateStorage || totalBytes === undefined || this.quotaChecked) return;
    this.quotaChecked = true;
    const { usage, quota } = await this.env.estimateStorage();
    const needed = totalBytes - this.received;
    const free = Math.max(0, quota - usage);
    if (needed > free) {
      throw quotaError(this.request.file, `${needed} bytes are needed but only ${free} of the ${quota}-byte storage quota are free`);
    }
  }

  /** The request's own headers, only when the URL is on the origin they were given for. */
  private requestHeaders(): Headers {
    const headers = new Headers();
    const { url, headers: given, headersOrigin } = this.request;
    if (given) {
      const urlOrigin = parseUrl(url)!.origin;
      const allowed = headersOrigin === undefined ? urlOrigin : parseUrl(headersOrigin)?.origin;
      if (allowed === urlOrigin) for (const [name, value] of Object.entries(given)) headers.set(name, value);
    }
    return headers;
  }

  private async sleep(ms: number): Promise<void> {
    if (this.env.sleep) await this.env.sleep(ms);
    else await abortableDelay(ms, this.env.signal);
    this.throwIfAborted();
  }

  private throwIfAborted(): void {
    if (this.env.signal?.aborted) throw abortedError(this.request.file, this.received);
  }
}

const MAX_RETRY_AFTER_MS = 60_000;

/** URL.canParse is missing from Safari < 17 and Chrome < 120. */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A timer that ends early when the signal aborts (the caller then sees the abort). */
function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Frees the connection of a response whose body is not wanted. */
async function discardBody(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Already broken or consumed: nothing to free.
  }
}

/** undici says only "fetch failed" and puts the reason (ECONNREFUSED, ECONNRESET, …) in `cause`. */
function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { code?: string; message?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail && !e.message.includes(detail) ? `${e.message}: ${detail}` : e.message;
}
