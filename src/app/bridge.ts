/**
 * The one place the UI reaches the model worker (its lifetime is a WorkerHandle's: lazy, single, replaced after a
 * crash, so a bad file never leaves the page stuck on a call that will not answer).
 *
 * Only File objects and Blobs (passed by reference, no bytes copied) and small results cross to and from the worker.
 */
import * as Comlink from 'comlink';
import { WorkerHandle } from './worker-handle.js';
import type { ModelWorkerApi, OpenedModelInfo, ReadProgress, SavedBlobs, SaveRequest } from '../../workers/model.worker.js';

export type { OpenedModelInfo, ReadProgress, SavedBlobs, SaveRequest };

class ModelWorkerBridge {
  readonly #handle = new WorkerHandle<ModelWorkerApi>(
    () => new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'omnihub-model' }),
    'the model worker',
  );
  readonly #call = <T>(fn: (api: Comlink.Remote<ModelWorkerApi>) => Promise<T>) => this.#handle.call(fn);

  open(files: File[], onProgress?: (p: ReadProgress) => void): Promise<OpenedModelInfo> {
    return this.#call((api) => api.open(files, onProgress ? Comlink.proxy(onProgress) : undefined));
  }

  /** Opens file `path` of a library entry; the worker reads it from IndexedDB itself (no bytes pass through the page). */
  openFromLibrary(entryId: string, path: string, onProgress?: (p: ReadProgress) => void): Promise<OpenedModelInfo> {
    return this.#call((api) => api.openFromLibrary(entryId, path, onProgress ? Comlink.proxy(onProgress) : undefined));
  }

  save(id: number, request?: SaveRequest): Promise<SavedBlobs> {
    return this.#call((api) => api.save(id, request));
  }

  async close(id: number): Promise<void> {
    // Nothing to free if the worker is gone (models die with it).
    if (!this.#handle.running) return;
    await this.#call((api) => api.close(id)).catch(() => {});
  }

  /** Stops the worker now: calls in flight fail with `reason`, and every open model is freed. */
  terminate(reason?: string): void {
    this.#handle.terminate(reason);
  }
}

/** The app's single model worker. */
export const modelWorker = new ModelWorkerBridge();
