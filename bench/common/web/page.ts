/**
 * The page script of the Chromium benchmarks whose work runs in a module Worker, as the app converts in one
 * (workers/convert.worker.ts): bench/pytorch.ts, keras.ts and tensorflow.ts bundle it as their page, served from
 * 127.0.0.1 beside their worker (/worker.js, built from their web/worker.ts). It starts that worker and gives the
 * parent `window.benchWorker(request)`: the request posted to the worker, its answer back (see ./worker.ts).
 */
import type { Answer } from './worker.js';

declare global {
  interface Window { benchWorker<T = unknown>(request: unknown): Promise<T> }
}

const worker = new Worker('/worker.js', { type: 'module' });

window.benchWorker = <T,>(request: unknown) => new Promise<T>((resolve, reject) => {
  worker.onmessage = (event: MessageEvent<Answer<T>>) => {
    if (event.data.ok) resolve(event.data.value as T);
    else reject(new Error(event.data.error));
  };
  worker.onerror = (event) => reject(new Error(event.message || 'worker error'));
  worker.postMessage(request);
});
