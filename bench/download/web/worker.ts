/** The bench page's dedicated worker: runs ops.ts functions on request, as the app's library worker will. */
import { ops, type OpName } from './ops.js';

interface Request {
  id: number;
  op: OpName;
  args: unknown[];
}

self.onmessage = async (e: MessageEvent<Request>) => {
  const { id, op, args } = e.data;
  try {
    const result = await (ops[op] as (...a: unknown[]) => Promise<unknown>)(...args);
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
};
self.postMessage({ ready: true });
