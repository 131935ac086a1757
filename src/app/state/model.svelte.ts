/**
 * The open model as the UI sees it: a summary and a handle, never the model itself (that stays in the worker).
 * The summary is `$state.raw`: it is replaced whole, never mutated, so Svelte need not proxy every entry.
 */
import { modelWorker, type OpenedModelInfo, type ReadProgress } from '../bridge.js';
import { WorkerCallError } from '../worker-handle.js';

export type Phase = 'idle' | 'reading' | 'ready' | 'saving';

export class ModelState {
  phase = $state<Phase>('idle');
  /** The open model's file and summary; null when none is open. */
  opened = $state.raw<OpenedModelInfo | null>(null);
  progress = $state.raw<ReadProgress | null>(null);
  /** A sentence for the user about the last thing that failed, or null. */
  error = $state<string | null>(null);
  /** The failure's kind (the core's error code, or `internal`), for tests and styling. */
  errorCode = $state<WorkerCallError['code'] | null>(null);
  /** What is being opened, for the busy line. */
  pending = $state<string | null>(null);

  /** Bumped on each open so a slow earlier open that finishes late is dropped rather than shown. */
  #generation = 0;

  get busy(): boolean {
    return this.phase === 'reading' || this.phase === 'saving';
  }

  async open(files: File[]): Promise<void> {
    if (files.length === 0) return;
    await this.#load(files.length === 1 ? files[0].name : `${files.length} files`, (onProgress) => modelWorker.open(files, onProgress));
  }

  /** Opens file `path` of library entry `entryId` (read from IndexedDB by the model worker). */
  async openFromLibrary(entryId: string, path: string): Promise<void> {
    await this.#load(path.split('/').pop() ?? path, (onProgress) => modelWorker.openFromLibrary(entryId, path, onProgress));
  }

  async #load(pending: string, opening: (onProgress: (p: ReadProgress) => void) => Promise<OpenedModelInfo>): Promise<void> {
    const generation = ++this.#generation;
    this.#clearError();
    this.progress = null;
    this.pending = pending;
    this.phase = 'reading';
    // The previous model is dropped as soon as another is asked for, so two big models never sit in memory.
    this.#closeCurrent();
    try {
      const opened = await opening((p) => {
        if (generation === this.#generation) this.progress = p;
      });
      if (generation !== this.#generation) {
        void modelWorker.close(opened.id);
        return;
      }
      this.opened = opened;
      this.phase = 'ready';
    } catch (e) {
      if (generation !== this.#generation) return;
      this.#fail(e);
      this.phase = 'idle';
    } finally {
      if (generation === this.#generation) {
        this.progress = null;
        this.pending = null;
      }
    }
  }

  /** Re-encodes the open model in the worker and hands back a Blob to download, with its file name. */
  async save(): Promise<{ blob: Blob; fileName: string } | null> {
    const opened = this.opened;
    if (!opened || this.busy) return null;
    this.#clearError();
    this.phase = 'saving';
    try {
      const saved = await modelWorker.save(opened.id);
      return { blob: saved.model, fileName: saved.fileName };
    } catch (e) {
      this.#fail(e);
      return null;
    } finally {
      if (this.opened === opened) this.phase = 'ready';
    }
  }

  #fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    this.errorCode = e instanceof WorkerCallError ? e.code : 'internal';
  }

  #clearError(): void {
    this.error = null;
    this.errorCode = null;
  }

  #closeCurrent(): void {
    if (this.opened) void modelWorker.close(this.opened.id);
    this.opened = null;
  }
}

/** The app's one open model: kept outside the pages, so it is still shown after visiting another page. */
export const model = new ModelState();
