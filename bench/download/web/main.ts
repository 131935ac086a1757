/**
 * The bench page: starts the worker and exposes `window.bench` for bench/download/run.ts (driven by Playwright).
 * `where` picks the thread a run happens on: 'worker' (the app's case) or 'main'.
 */
import { ops, type OpName, type RunResult } from './ops.js';

type Where = 'worker' | 'main';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const workerReady = new Promise<void>((resolve) => {
  worker.addEventListener('message', (e) => e.data?.ready && resolve(), { once: true });
});
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 0;
worker.addEventListener('message', (e: MessageEvent<{ id?: number; result?: unknown; error?: string }>) => {
  const w = e.data.id === undefined ? undefined : waiting.get(e.data.id);
  if (!w) return;
  waiting.delete(e.data.id!);
  if (e.data.error !== undefined) w.reject(new Error(e.data.error));
  else w.resolve(e.data.result);
});

function run<T>(where: Where, op: OpName, ...args: unknown[]): Promise<T> {
  if (where === 'main') return (ops[op] as (...a: unknown[]) => Promise<T>)(...args);
  return new Promise<T>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ id, op, args });
  });
}

/** performance.measureUserAgentSpecificMemory() (cross-origin-isolated pages only): JS + DOM of the page and its workers. */
interface UaMemory {
  bytes: number;
  breakdown: Array<{ bytes: number; types: string[]; attribution: Array<{ scope: string }> }>;
}
async function uaMemory(): Promise<{ bytes: number; byScope: Record<string, number> } | null> {
  const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<UaMemory> }).measureUserAgentSpecificMemory;
  if (!crossOriginIsolated || !measure) return null;
  const m = await measure.call(performance);
  const byScope: Record<string, number> = {};
  for (const b of m.breakdown) {
    const scope = b.attribution[0]?.scope ?? (b.types.join('+') || 'other');
    byScope[scope] = (byScope[scope] ?? 0) + b.bytes;
  }
  return { bytes: m.bytes, byScope };
}

const bench = {
  ready: () => workerReady.then(() => ({ crossOriginIsolated })),
  run,
  fetchIntoMemory: (url: string, where: Where = 'worker') => run<RunResult>(where, 'fetchIntoMemory', url),
  downloadIntoLibrary: (url: string, sha256: string, chunkBytes: number, where: Where = 'worker') =>
    run<RunResult>(where, 'downloadIntoLibrary', url, sha256, chunkBytes),
  uaMemory,
};

declare global {
  interface Window {
    bench: typeof bench;
  }
}
window.bench = bench;
