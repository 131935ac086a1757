/**
 * One IndexedDB transaction around a piece of async work, on an idb-keyval store. idb-keyval's own helpers run one
 * operation per transaction; the library needs read-check-write sequences (append: read the partial, check the
 * offset, store chunks and the new state) to be atomic, so it uses the store function idb-keyval exposes directly.
 *
 * Rules for `work`: await only IndexedDB requests (through `request`), never other promises such as hashing or
 * fetch — a transaction commits as soon as it has no pending request at the end of a task.
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';
import { OmnihubError } from '../errors.js';

export const request = promisifyRequest;

/** Runs `work` in one transaction and resolves once the transaction has committed (readwrite) or finished reading. */
export async function inTransaction<T>(
  useStore: UseStore,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => Promise<T>,
): Promise<T> {
  try {
    return await useStore(mode, async (store) => {
      let result: T;
      try {
        result = await work(store);
      } catch (error) {
        // Requests already queued would otherwise commit: a failed append must not leave some of its chunks behind.
        abortQuietly(store.transaction);
        throw error;
      }
      if (mode === 'readwrite') await promisifyRequest(store.transaction);
      return result;
    });
  } catch (error) {
    throw quotaError(error) ?? error;
  }
}

function abortQuietly(transaction: IDBTransaction): void {
  try {
    transaction.abort();
  } catch {
    // Already finished or aborted: nothing left to undo.
  }
}

/** A browser's QuotaExceededError (thrown by put, or as the transaction's error) as the library's 'quota' error. */
export function quotaError(error: unknown): OmnihubError | undefined {
  if (error instanceof OmnihubError) return undefined;
  const name = (error as { name?: unknown } | null)?.name;
  if (name !== 'QuotaExceededError') return undefined;
  return new OmnihubError(
    'quota',
    'The browser refused to store more data: this site has used its storage quota. Delete library entries (or ' +
      'allow persistent storage) and resume; the bytes stored so far are kept.',
    { cause: error },
  );
}

/** The range of all keys `[kind, …rest, anything]`: arrays sort after every string and number in IndexedDB. */
export function prefixRange(...prefix: IDBValidKey[]): IDBKeyRange {
  return IDBKeyRange.bound(prefix, [...prefix, []]);
}
