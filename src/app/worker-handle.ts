/**
 * Owns one Comlink worker's lifetime (as Squoosh's worker bridge does): started on the first call, one instance, and
 * replaced by a fresh one after it dies (a failed load, or out of memory on a huge model). Every call races the
 * worker's death, so a dead worker never leaves a call waiting for an answer that will not come.
 */
import * as Comlink from 'comlink';

/** What the workers throw across the boundary: Comlink would drop `code` from an Error, so they throw this shape. */
export interface WorkerFailureShape {
  name: 'OmnihubError';
  code: string;
  message: string;
}

/** The UI's error for anything a worker call throws: the core's error code (or `internal`) and its sentence. */
export function toAppError<E extends Error>(e: unknown, make: (code: string, message: string) => E, isOwn: (e: unknown) => e is E): E {
  if (isOwn(e)) return e;
  const f = e as Partial<WorkerFailureShape> | null;
  if (f && typeof f === 'object' && f.name === 'OmnihubError' && typeof f.message === 'string') return make(f.code ?? 'internal', f.message);
  return make('internal', e instanceof Error ? e.message : String(e));
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
    private readonly toError: (e: unknown) => Error,
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
      throw this.toError(e);
    }
  }

  /** Stops the worker now: calls in flight fail with `reason`, and whatever it held is freed. */
  terminate(reason = `${capitalize(this.label)} was stopped.`): void {
    this.#stop?.(this.toError({ name: 'OmnihubError', code: 'internal', message: reason } satisfies WorkerFailureShape));
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
