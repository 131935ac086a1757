/**
 * The Chromium side of bench/pytorch.ts, part 1: the blank page's script (served from 127.0.0.1 with the .pth). It
 * starts the module Worker that does the work (worker.ts, where the app converts too: workers/convert.worker.ts) and
 * gives the parent `window.pytorchBench.run(url, arch, read, write)` and `.sha256()`; see worker.ts for the modes.
 */
import type { ReadMode, Request, WriteMode } from './worker.js';

declare global {
  interface Window { pytorchBench: { run(url: string, arch: string, read: ReadMode, write: WriteMode): Promise<unknown>; sha256(): Promise<string> } }
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

window.pytorchBench = {
  run: (url, arch, read, write) => ask({ type: 'run', url, arch, read, write }),
  sha256: () => ask({ type: 'sha256' }),
};
