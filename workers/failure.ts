/**
 * How a worker's failure crosses to the page. Comlink rebuilds a thrown Error from name and message only, which
 * would lose `code`; a plain object is structured-cloned whole and thrown as it is on the other side, where
 * src/app/worker-handle.ts turns it back into an error with its code.
 */
import { isOmnihubError, type ErrorCode } from '../src/core/errors.js';

export interface WorkerFailure {
  name: 'OmnihubError';
  /** `internal` for failures that are bugs or environment limits rather than bad input. */
  code: ErrorCode | 'internal';
  message: string;
}

export function isFailure(e: unknown): e is WorkerFailure {
  return typeof e === 'object' && e !== null && (e as WorkerFailure).name === 'OmnihubError' && typeof (e as WorkerFailure).code === 'string';
}

export function toFailure(e: unknown): WorkerFailure {
  if (isOmnihubError(e)) return { name: 'OmnihubError', code: e.code, message: e.message };
  if (isFailure(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if ((e as { name?: string } | null)?.name === 'QuotaExceededError') return { name: 'OmnihubError', code: 'quota', message: `Not enough storage: ${message}` };
  if (e instanceof RangeError && /allocation|memory|array buffer/i.test(message)) {
    return { name: 'OmnihubError', code: 'internal', message: `Out of memory while handling the model (${message}).` };
  }
  return { name: 'OmnihubError', code: 'internal', message: `Unexpected failure: ${message}` };
}

/** Runs `fn`, turning whatever it throws into a WorkerFailure. */
export async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toFailure(e);
  }
}
