/**
 * The one place the UI reaches the model worker. It owns the worker's lifetime: created on first use, a single
 * instance, and replaced by a fresh one if it crashes (a failed load, or out of memory on a huge model), so a bad
 * file never leaves the page stuck on a call that will not answer.
 *
 * Only File objects and Blobs (passed by reference, no bytes copied) and small results cross to and from the worker.
 */
import * as Comlink from 'comlink';
import type { ModelWorkerApi, OpenedModelInfo, ReadProgress, SavedBlobs, SaveRequest, WorkerFailure } from '../../workers/model.worker.js';

export type { OpenedModelInfo, ReadProgress, SavedBlobs, SaveRequest };

/** A failure reported by the worker, with the core's error code (or `internal`). */
export class ModelError extends Error {
  readonly code: WorkerFailure['code'];
  constructor(code: WorkerFailure['code'], message: string) {
    super(message);
    this.name = 'ModelError';
    this.code = code;
  }
}

function isWorkerFailure(e: unknown): e is WorkerFailure {
  return typeof e === 'object' && e !== null && (e as WorkerFailure).name === 'OmnihubError' && typeof (e as WorkerFailure).message === 'string';
}

function toModelError(e: unknown): ModelError {
  if (e instanceof ModelError) return e;
  if (isWorkerFailure(e)) return new ModelError(e.code, e.message);
  return new ModelError('internal', e instanceof Error ? e.message : String(e));
}

class ModelWorkerBridge {
  #worker: Worker | null = null;
  #api: Comlink.Remote<ModelWorkerApi> | null = null;
  /** Rejects when the current worker dies; every call races against it. */
  #crashed: Promise<never> | null = null;

  #stop: ((reason: ModelError) => void) | null = null;

  #start(): { api: Comlink.Remote<ModelWorkerApi>; crashed: Promise<never> } {
    if (!this.#worker || !this.#api || !this.#crashed) {
      const worker = new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'omnihub-model' });
      this.#worker = worker;
      this.#api = Comlink.wrap<ModelWorkerApi>(worker);
      this.#crashed = new Promise<never>((_, reject) => {
        this.#stop = reject;
      });
      // Nobody may be waiting when it stops; calls made later start a fresh worker.
      this.#crashed.catch(() => {});
      const fail = (message: string) => {
        if (this.#worker === worker) this.terminate(message);
      };
      worker.addEventListener('error', (e) => fail(`The model worker stopped: ${e.message || 'it failed to load or ran out of memory'}.`));
      worker.addEventListener('messageerror', () => fail('The model worker sent a message that could not be read.'));
    }
    return { api: this.#api, crashed: this.#crashed };
  }

  async #call<T>(fn: (api: Comlink.Remote<ModelWorkerApi>) => Promise<T>): Promise<T> {
    const { api, crashed } = this.#start();
    try {
      return await Promise.race([fn(api), crashed]);
    } catch (e) {
      throw toModelError(e);
    }
  }

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
    if (!this.#worker) return;
    await this.#call((api) => api.close(id)).catch(() => {});
  }

  /** Stops the worker now: calls in flight fail with `reason`, and every open model is freed. */
  terminate(reason = 'The model worker was stopped.'): void {
    this.#stop?.(new ModelError('internal', reason));
    this.#api?.[Comlink.releaseProxy]();
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
    this.#crashed = null;
    this.#stop = null;
  }
}

/** The app's single model worker. */
export const modelWorker = new ModelWorkerBridge();
