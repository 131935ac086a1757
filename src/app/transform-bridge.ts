/**
 * The one place the UI reaches the transform worker (workers/transform.worker.ts), which runs recipes and compares
 * their results in onnxruntime. Its lifetime is a WorkerHandle's: started on the first call (listing the steps),
 * replaced after a crash; and, as Squoosh does, ended after IDLE_MS without a call, which frees onnxruntime's wasm
 * heap (the next call starts a fresh worker).
 *
 * Stopping a run asks the worker first (its AbortSignal ends the run at the next check, between steps or inside a
 * step that checks it); a worker still busy after STOP_GRACE_MS (one long onnxruntime call, a step that never
 * checks) is terminated, which frees onnxruntime's wasm heap too. Either way the run fails with an 'aborted' error.
 */
import * as Comlink from 'comlink';
import { WorkerCallError, WorkerHandle } from './worker-handle.js';
import type {
  AccuracyComparison,
  CalibrationSource,
  CompareResult,
  ComparisonInputs,
  ModelFacts,
  ModelInputs,
  OptionSpec,
  Recipe,
  RecipeCheck,
  RewriteReport,
  StepInfo,
  TransformEvent,
  TransformRequest,
  TransformResult,
  TransformWorkerApi,
  VariantOutcome,
  VariantRanking,
  VariantsEvent,
  VariantsRequest,
  VariantsResult,
} from '../../workers/transform.worker.js';

// The worker's types are the page's vocabulary for runs and results.
export type * from '../../workers/transform.worker.js';

/** How long a run may take to notice that it was asked to stop before its worker is terminated. */
export const STOP_GRACE_MS = 1500;

/** A worker with nothing to do for this long is ended. */
export const IDLE_MS = 60_000;

const STOPPED_MESSAGE = 'Stopped before the recipe finished; nothing was saved.';

/** The bookkeeping of the run in progress: whether it was asked to stop, and the timer that ends its worker. */
interface RunningCall {
  stopping: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

class TransformWorkerBridge {
  readonly #handle = new WorkerHandle<TransformWorkerApi>(
    () => new Worker(new URL('../../workers/transform.worker.ts', import.meta.url), { type: 'module', name: 'omnihub-transform' }),
    'the transform worker',
  );
  /** Calls in flight, and the timer that ends the worker once there are none for IDLE_MS. */
  #inFlight = 0;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;

  async #call<T>(fn: (api: Comlink.Remote<TransformWorkerApi>) => Promise<T>): Promise<T> {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#inFlight++;
    try {
      return await this.#handle.call(fn);
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#handle.running) {
        this.#idleTimer = setTimeout(() => {
          this.#idleTimer = null;
          if (this.#inFlight === 0) this.#handle.terminate();
        }, IDLE_MS);
      }
    }
  }
  /** The run in progress (one at a time), and whether it was asked to stop. */
  #run: RunningCall | null = null;

  steps(): Promise<StepInfo[]> {
    return this.#call((api) => api.steps());
  }

  /** A library model's inputs, whether MNIST digits fit them, and whether (and how) images do. */
  modelInputs(entryId: string, path: string): Promise<ModelInputs> {
    return this.#call((api) => api.modelInputs(entryId, path));
  }

  checkRecipe(recipe: unknown): Promise<RecipeCheck> {
    // Comlink turns a union result into a union of promises; it is one promise of the union.
    return this.#call((api) => api.checkRecipe(recipe) as Promise<RecipeCheck>);
  }

  run(request: TransformRequest, onEvent: (e: TransformEvent) => void): Promise<TransformResult> {
    return this.#stoppable((api) => api.run(request, Comlink.proxy(onEvent)));
  }

  /** Runs a prefix once and each quantization variant on its result, comparing each with the original. */
  runVariants(request: VariantsRequest, onEvent: (e: VariantsEvent) => void): Promise<VariantsResult> {
    return this.#stoppable((api) => api.runVariants(request, Comlink.proxy(onEvent)));
  }

  /** A call that `stop()` can end: one at a time. */
  async #stoppable<T>(fn: (api: Comlink.Remote<TransformWorkerApi>) => Promise<T>): Promise<T> {
    const run: RunningCall = { stopping: false, timer: null };
    this.#run = run;
    try {
      return await this.#call(fn);
    } catch (e) {
      // A run stopped by terminating its worker fails with the termination's 'internal' error; it was asked for.
      if (run.stopping) throw new WorkerCallError('aborted', e instanceof WorkerCallError && e.code === 'aborted' ? e.message : STOPPED_MESSAGE);
      throw e;
    } finally {
      if (run.timer !== null) clearTimeout(run.timer);
      if (this.#run === run) this.#run = null;
    }
  }

  /** Stops the run in progress (see the comment at the top); does nothing when none runs. */
  stop(): void {
    const run = this.#run;
    if (!run || run.stopping) return;
    run.stopping = true;
    void this.#call((api) => api.abort()).catch(() => {});
    run.timer = setTimeout(() => {
      if (this.#run === run) this.#handle.terminate(STOPPED_MESSAGE);
    }, STOP_GRACE_MS);
  }
}

/** The app's single transform worker. */
export const transformWorker = new TransformWorkerBridge();
