/**
 * The Chromium side of bench/keras.ts, part 1: the blank page's script (served from 127.0.0.1 with the .h5). It
 * starts the module Worker that does the work (worker.ts; the app converts in a worker too:
 * workers/convert.worker.ts) and gives the parent `window.kerasBench.run(url, mode)`, `.sha256()` and `.reparse()`.
 */
import type { Mode, Request } from './worker.js';

declare global {
  interface Window { kerasBench: { run(url: string, mode: Mode): Promise<unknown>; sha256(): Promise<string>; reparse(): Promise<number> } }
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

window.kerasBench = {
  run: (url, mode) => ask({ type: 'run', url, mode }),
  sha256: () => ask({ type: 'sha256' }),
  reparse: () => ask({ type: 'reparse' }),
};
