/**
 * The Chromium side of bench/tensorflow.ts, part 1: the blank page's script (served from 127.0.0.1 with the
 * SavedModel's files). It starts the module Worker that does the work (worker.ts; the app converts in a worker too:
 * workers/convert.worker.ts) and gives the parent `window.tensorflowBench.run(base, files, mode)` and `.sha256()`.
 */
import type { Mode, Request } from './worker.js';

declare global {
  interface Window { tensorflowBench: { run(base: string, files: string[], mode: Mode): Promise<unknown>; sha256(): Promise<string> } }
}

const worker = new Worker('/worker.js', { type: 'module' });

function ask<T>(request: Request): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; value?: T; error?: string }>) => {
      if (event.data.ok) resolve(event.data.value as T);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => reject(new Error(event.message || 'worker error'));
    worker.postMessage(request);
  });
}

window.tensorflowBench = {
  run: (base, files, mode) => ask({ type: 'run', base, files, mode }),
  sha256: () => ask({ type: 'sha256' }),
};
