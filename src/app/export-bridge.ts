/**
 * The one place the UI reaches the export worker (workers/export.worker.ts), which makes the transformers.js files
 * of a library entry and zips them. Started on the first call; `stop()` ends it (a quantization in progress does not
 * look at messages), and the next call starts a fresh one.
 */
import * as Comlink from 'comlink';
import { WorkerCallError, WorkerHandle } from './worker-handle.js';
import type { ExportWorkerApi, ExportedFile, TransformersJsExport, TransformersJsProgress, TransformersJsVariant } from '../../workers/export.worker.js';

export type { ExportedFile, TransformersJsExport, TransformersJsProgress, TransformersJsVariant };

class ExportWorkerBridge {
  readonly #handle = new WorkerHandle<ExportWorkerApi>(
    () => new Worker(new URL('../../workers/export.worker.ts', import.meta.url), { type: 'module', name: 'omnihub-export' }),
    'the export worker',
  );
  #stopping = false;

  async build(entryId: string, variants: TransformersJsVariant[], onProgress: (p: TransformersJsProgress) => void): Promise<TransformersJsExport> {
    this.#stopping = false;
    try {
      return await this.#handle.call((api) => api.build(entryId, variants, Comlink.proxy(onProgress)));
    } catch (e) {
      if (this.#stopping) throw new WorkerCallError('aborted', 'Stopped before the files were made; nothing was saved.');
      throw e;
    }
  }

  zip(files: ExportedFile[]): Promise<Blob> {
    return this.#handle.call((api) => api.zip(files.map((f) => ({ path: f.path, blob: f.blob }))));
  }

  /** Ends the worker, and with it the export in progress. */
  stop(): void {
    this.#stopping = true;
    this.#handle.terminate('The export was stopped.');
  }
}

export const exportWorker = new ExportWorkerBridge();
