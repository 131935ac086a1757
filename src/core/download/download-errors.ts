/**
 * The sentences a failed download ends with. Each failure is an OmnihubError whose code says what to do about it
 * ('auth': give a token, 'network': try again later or use the CLI, 'quota': free space, …).
 */
import { OmnihubError } from '../errors.js';

/** A failure worth another request after a pause (the connection dropped, the server is busy or broken). */
export class RetryableFailure extends Error {
  constructor(
    /** unreachable: fetch itself failed (also what a CORS refusal looks like); dropped: the body broke off; status: 5xx/429. */
    readonly kind: 'unreachable' | 'dropped' | 'status',
    message: string,
    /** The server's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableFailure';
  }
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * A final error for an HTTP status that retrying will not fix. 401/403 say what the Hub means by them (a gated or
 * private repository); the token itself is never part of a message.
 */
export function httpStatusError(status: number, url: string, file: string, hadToken: boolean): OmnihubError {
  if (status === 404 || status === 410) {
    return new OmnihubError('not-found', `${file} not found at ${url} (HTTP ${status})`);
  }
  if (status === 401) {
    return new OmnihubError(
      'auth',
      `${url} needs an access token (HTTP 401)` +
        (hadToken ? ': the token was not accepted' : ': the file is in a gated or private repository; give a token with read access'),
    );
  }
  if (status === 403) {
    return new OmnihubError(
      'auth',
      `access denied to ${url} (HTTP 403)` +
        (hadToken
          ? ': the token does not grant access; accept the model’s conditions on its page, or use a token with read access'
          : ': the file is in a gated or private repository; give a token with read access'),
    );
  }
  return new OmnihubError('http', `${host(url)} answered HTTP ${status} for ${file} (${url})`);
}

/** Statuses that can succeed later: rate limiting and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * Retries are exhausted. When no response ever came back, a browser cannot tell a network failure from a CORS
 * refusal (both are a bare TypeError from fetch), so the message names both and points to the CLI, which has no
 * cross-origin limit.
 */
export function retriesExhaustedError(
  last: RetryableFailure,
  url: string,
  file: string,
  retries: number,
  stored: { received: number; total?: number; everResponded: boolean },
): OmnihubError {
  const tries = `after ${retries} ${retries === 1 ? 'retry' : 'retries'}`;
  if (last.kind === 'unreachable' && !stored.everResponded) {
    return new OmnihubError(
      'network',
      `could not reach ${host(url)} for ${file} (network error or the host does not allow cross-origin downloads) ` +
        `${tries}: ${last.message}. ` +
        'A web page can only download from hosts that allow cross-origin requests; ' +
        'the command line (npx omnihub download …) has no such limit.',
      { cause: last },
    );
  }
  const of = stored.total !== undefined ? ` of ${stored.total}` : '';
  return new OmnihubError(
    last.kind === 'status' ? 'http' : 'network',
    `${file} from ${host(url)} failed ${tries}: ${last.message}; ` +
      `${stored.received}${of} bytes are stored, download again to resume`,
    { cause: last },
  );
}

/** Storage refused a write for lack of space: a browser quota (DOMException) or a full disk (Node's ENOSPC). */
export function isQuotaExceeded(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || code === 'ENOSPC';
}

export function quotaError(file: string, detail: string, cause?: unknown): OmnihubError {
  return new OmnihubError('quota', `not enough storage for ${file}: ${detail}; free space (delete models from the library) and download again`, {
    cause,
  });
}

export function abortedError(file: string, received: number): OmnihubError {
  return new OmnihubError('aborted', `download of ${file} stopped; ${received} bytes are kept and the download resumes from there`);
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

export function integrityError(file: string, what: 'sha256' | 'md5' | 'size', expected: string | number, actual: string | number): OmnihubError {
  return new OmnihubError(
    'integrity',
    `${file}: ${what} mismatch, expected ${expected} but the downloaded bytes have ${actual}; the download was discarded`,
  );
}
