/**
 * The one place the UI reaches the library worker (workers/library.worker.ts), which owns the IndexedDB library
 * and runs every download. One worker for the page's lifetime: downloads run in it, so it is never restarted
 * behind the page's back; if it dies (out of memory), calls fail with a WorkerCallError and the next call starts a
 * fresh one, whose `partials()` lists what the old one left unfinished.
 *
 * Only small results, Files and Blobs (by reference) cross the boundary; progress comes back through a Comlink
 * proxy per started download.
 */
import * as Comlink from 'comlink';
import { WorkerHandle } from './worker-handle.js';
import type {
  DownloadEvent,
  DownloadInfo,
  HubRepoDetails,
  HubSettings,
  LibraryUsage,
  LibraryWorkerApi,
  StartedDownload,
} from '../../workers/library.worker.js';
import type { LibraryEntry, NewEntry } from '../core/library/types.js';
import type { HubModel } from '../core/sources/hf/hub.js';

export type { DownloadEvent, DownloadInfo, HubModel, HubRepoDetails, HubSettings, LibraryEntry, LibraryUsage, NewEntry, StartedDownload };

class LibraryWorkerBridge {
  /** Sent to every worker this bridge starts, before any other call. */
  #settings: HubSettings | null = null;
  readonly #handle = new WorkerHandle<LibraryWorkerApi>(
    () => new Worker(new URL('../../workers/library.worker.ts', import.meta.url), { type: 'module', name: 'omnihub-library' }),
    'the library worker',
    (api) => {
      if (this.#settings) void api.configure(this.#settings).catch(() => {});
    },
  );
  readonly #call = <T>(fn: (api: Comlink.Remote<LibraryWorkerApi>) => Promise<T>) => this.#handle.call(fn);

  configure(settings: HubSettings): Promise<void> {
    this.#settings = { ...settings };
    return this.#call((api) => api.configure(settings));
  }

  list(): Promise<LibraryEntry[]> {
    return this.#call((api) => api.list());
  }

  search(text: string): Promise<LibraryEntry[]> {
    return this.#call((api) => api.search(text));
  }

  delete(id: string): Promise<void> {
    return this.#call((api) => api.delete(id));
  }

  rename(id: string, newName: string): Promise<LibraryEntry> {
    return this.#call((api) => api.rename(id, newName));
  }

  usage(): Promise<LibraryUsage> {
    return this.#call((api) => api.usage());
  }

  exportFile(id: string, path: string): Promise<File> {
    return this.#call((api) => api.exportFile(id, path));
  }

  importFiles(files: File[]): Promise<LibraryEntry[]> {
    return this.#call((api) => api.importFiles(files));
  }

  /** Stores a new entry (a recipe's result); 'exists' when the id is taken. Blobs cross by reference. */
  createEntry(entry: NewEntry, files: Array<{ path: string; blob: Blob }>): Promise<LibraryEntry> {
    return this.#call((api) => api.createEntry(entry, files));
  }

  hubSearch(query: string, limit?: number): Promise<HubModel[]> {
    return this.#call((api) => api.hubSearch(query, limit));
  }

  hubRepo(repo: string, revision?: string): Promise<HubRepoDetails> {
    return this.#call((api) => api.hubRepo(repo, revision));
  }

  startDownload(spec: string, options: { revision?: string }, onProgress: (e: DownloadEvent) => void): Promise<StartedDownload> {
    return this.#call((api) => api.startDownload(spec, options, Comlink.proxy(onProgress)));
  }

  resume(keys: string[], onProgress: (e: DownloadEvent) => void): Promise<DownloadInfo[]> {
    return this.#call((api) => api.resume(keys, Comlink.proxy(onProgress)));
  }

  abort(key: string): Promise<void> {
    return this.#call((api) => api.abort(key));
  }

  partials(): Promise<DownloadInfo[]> {
    return this.#call((api) => api.partials());
  }

  discard(key: string): Promise<void> {
    return this.#call((api) => api.discard(key));
  }
}

/** The app's single library worker. */
export const libraryWorker = new LibraryWorkerBridge();
