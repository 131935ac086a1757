/**
 * The one place the UI reaches the convert worker (workers/convert.worker.ts): weights → ONNX / safetensors /
 * injected. Started on the first call; `stop()` ends it (a conversion does not look at messages), and the next call
 * starts a fresh one.
 */
import * as Comlink from 'comlink';
import { WorkerCallError, WorkerHandle } from './worker-handle.js';
import type { ConvertOutcome, ConvertProgress, ConvertRequest, ConvertSource, ConvertWorkerApi, SourceInfo } from '../../workers/convert.worker.js';

export type * from '../../workers/convert.worker.js';

class ConvertWorkerBridge {
  readonly #handle = new WorkerHandle<ConvertWorkerApi>(
    () => new Worker(new URL('../../workers/convert.worker.ts', import.meta.url), { type: 'module', name: 'omnihub-convert' }),
    'the convert worker',
  );
  #stopping = false;

  architectures(): Promise<{ torchvision: readonly string[]; transformers: readonly string[]; keras: readonly string[] }> {
    return this.#handle.call((api) => api.architectures());
  }

  inspect(source: ConvertSource): Promise<SourceInfo> {
    return this.#handle.call((api) => api.inspect(source));
  }

  async convert(source: ConvertSource, request: ConvertRequest, onProgress: (p: ConvertProgress) => void): Promise<ConvertOutcome> {
    this.#stopping = false;
    try {
      return await this.#handle.call((api) => api.convert(source, request, Comlink.proxy(onProgress)));
    } catch (e) {
      if (this.#stopping) throw new WorkerCallError('aborted', 'Stopped before the conversion finished; nothing was saved.');
      throw e;
    }
  }

  /** Ends the worker, and with it the conversion in progress. */
  stop(): void {
    this.#stopping = true;
    this.#handle.terminate('The conversion was stopped.');
  }
}

export const convertWorker = new ConvertWorkerBridge();
