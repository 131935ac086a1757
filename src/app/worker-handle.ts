/**
 * Owns one Comlink worker's lifetime (as Squoosh's worker bridge does): started on the first call, one instance, and
 * replaced by a fresh one after it dies (a failed load, or out of memory on a huge model). Every call races the
 * worker's death, so a dead worker never leaves a call waiting for an answer that will not come.
 */
import * as Comlink from 'comlink';

import { isFailure, type WorkerFailure } from '../../workers/failure.js';

/** Anything a worker call throws, as the UI sees it: the core's error code (or `internal`) and its sentence. */
export class WorkerCallError extends Error {
  readonly code: WorkerFailure['code'];
  constructor(code: WorkerFailure['code'], message: string) {
    super(message);
    this.name = 'WorkerCallError';
    this.code = code;
  }
}

export function toWorkerCallError(e: unknown): WorkerCallError {
  if (e instanceof WorkerCallError) return e;
  if (isFailure(e)) return new WorkerCallError(e.code, e.message);
  return new WorkerCallError('internal', e instanceof Error ? e.message : String(e));
}

export class WorkerHandle<Api> {
  #worker: Worker | null = null;
  #api: Comlink.Remote<Api> | null = null;
  /** Rejects when the current worker dies. */
  #crashed: Promise<never> | null = null;
  #stop: ((reason: Error) => void) | null = null;

  constructor(
    private readonly create: () => Worker,
    /** `the model worker`, for messages. */
    private readonly label: string,
    /** Runs on every worker this handle starts, before any other call reaches it (settings, for example). */
    private readonly onStart?: (api: Comlink.Remote<Api>) => void,
  ) {}

  get running(): boolean {
    return this.#worker !== null;
  }

  #start(): { api: Comlink.Remote<Api>; crashed: Promise<never> } {
    if (!this.#worker || !this.#api || !this.#crashed) {
      const worker = this.create();
      this.#worker = worker;
      this.#api = Comlink.wrap<Api>(worker);
      this.#crashed = new Promise<never>((_, reject) => {
        this.#stop = reject;
      });
      // Nobody may be waiting when it stops; calls made later start a fresh worker.
      this.#crashed.catch(() => {});
      const fail = (message: string) => {
        if (this.#worker === worker) this.terminate(message);
      };
      worker.addEventListener('error', (e) => fail(`${capitalize(this.label)} stopped: ${e.message || 'it failed to load or ran out of memory'}.`));
      worker.addEventListener('messageerror', () => fail(`${capitalize(this.label)} sent a message that could not be read.`));
      this.onStart?.(this.#api);
    }
    return { api: this.#api, crashed: this.#crashed };
  }

  async call<T>(fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    const { api, crashed } = this.#start();
    try {
      return await Promise.race([fn(api), crashed]);
    } catch (e) {
      throw toWorkerCallError(e);
    }
  }

  /** Stops the worker now: calls in flight fail with `reason`, and whatever it held is freed. */
  terminate(reason = `${capitalize(this.label)} was stopped.`): void {
    this.#stop?.(new WorkerCallError('internal', reason));
    this.#api?.[Comlink.releaseProxy]();
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
    this.#crashed = null;
    this.#stop = null;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
