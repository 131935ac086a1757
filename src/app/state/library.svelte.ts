/**
 * The library as the UI shows it: the entries (metadata only; bytes stay in IndexedDB, read by the workers) and
 * the storage use. Refreshed when the Library page opens and whenever a download or an import completes.
 */
import { FRAMEWORKS, type Framework } from '../../core/library/types.js';
import { LibraryError, libraryWorker, type LibraryEntry, type LibraryUsage } from '../library-bridge.js';

export interface FrameworkGroup {
  framework: Framework;
  entries: LibraryEntry[];
  bytes: number;
}

export function entryBytes(e: LibraryEntry): number {
  return e.files.reduce((n, f) => n + f.size, 0);
}

class LibraryState {
  entries = $state.raw<LibraryEntry[]>([]);
  usage = $state.raw<LibraryUsage | null>(null);
  /** True until the first list has arrived. */
  loading = $state(true);
  importing = $state(false);
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);

  readonly groups: FrameworkGroup[] = $derived(
    FRAMEWORKS.map((framework) => {
      const entries = this.entries.filter((e) => e.framework === framework);
      return { framework, entries, bytes: entries.reduce((n, e) => n + entryBytes(e), 0) };
    }).filter((g) => g.entries.length > 0),
  );

  #refreshing: Promise<void> | null = null;
  #again = false;

  /** Re-reads entries and usage; calls made while one runs are folded into one more run after it. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          const [entries, usage] = await Promise.all([libraryWorker.list(), libraryWorker.usage()]);
          this.entries = entries;
          this.usage = usage;
        } catch (e) {
          this.#fail(e);
        }
      } while (this.#again);
      this.loading = false;
      this.#refreshing = null;
    })();
    return this.#refreshing;
  }

  async remove(id: string): Promise<void> {
    this.#clear();
    try {
      await libraryWorker.delete(id);
    } catch (e) {
      this.#fail(e);
    }
    await this.refresh();
  }

  async importFiles(files: File[]): Promise<LibraryEntry[]> {
    if (files.length === 0) return [];
    this.#clear();
    this.importing = true;
    try {
      return await libraryWorker.importFiles(files);
    } catch (e) {
      this.#fail(e);
      return [];
    } finally {
      this.importing = false;
      await this.refresh();
    }
  }

  /** The stored file as a File to hand to a download link, or null (the error is shown). */
  async exportFile(id: string, path: string): Promise<File | null> {
    this.#clear();
    try {
      return await libraryWorker.exportFile(id, path);
    } catch (e) {
      this.#fail(e);
      return null;
    }
  }

  #fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    this.errorCode = e instanceof LibraryError ? e.code : 'internal';
  }

  #clear(): void {
    this.error = null;
    this.errorCode = null;
  }
}

export const library = new LibraryState();
