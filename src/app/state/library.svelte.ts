/**
 * The library as the UI shows it: the entries (metadata only; bytes stay in IndexedDB, read by the workers) and
 * the storage use. Refreshed when the Library page opens and whenever a download or an import completes.
 *
 * The Library page's search runs in the worker (the core's `search`: every word must occur in the id, name,
 * framework, source repo, catalog name or URL); what it found is kept as a set of ids and applied to `entries`, so
 * the listed entries are always the freshest ones, and it is run again with every refresh.
 */
import { FRAMEWORKS, type Framework } from '../../core/library/types.js';
import { libraryWorker, type LibraryEntry, type LibraryUsage } from '../library-bridge.js';
import { WorkerCallError } from '../worker-handle.js';

export interface FrameworkGroup {
  framework: Framework;
  entries: LibraryEntry[];
  bytes: number;
}

export function entryBytes(e: LibraryEntry): number {
  return e.files.reduce((n, f) => n + f.size, 0);
}

/** The debounce of the search box: the worker is asked once typing pauses this long. */
export const SEARCH_DELAY_MS = 150;

/** The outcome of a rename: the renamed entry, or the core's error (shown next to the entry, not page-wide). */
export type RenameResult = { entry: LibraryEntry; error?: undefined } | { entry?: undefined; error: WorkerCallError };

class LibraryState {
  entries = $state.raw<LibraryEntry[]>([]);
  usage = $state.raw<LibraryUsage | null>(null);
  /** True until the first list has arrived. */
  loading = $state(true);
  importing = $state(false);
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);

  /** The text in the search box (not trimmed); searched for once typing pauses. */
  query = $state('');
  /** The ids of the entries matching `searchedFor`, or null while no search is active (every entry is shown). */
  matches = $state.raw<ReadonlySet<string> | null>(null);
  /** The (trimmed) text that `matches` are for. */
  searchedFor = $state('');

  /** The entries to list: all of them, or those the active search found. */
  readonly shown: LibraryEntry[] = $derived(this.matches ? this.entries.filter((e) => this.matches!.has(e.id)) : this.entries);

  readonly groups: FrameworkGroup[] = $derived(
    FRAMEWORKS.map((framework) => {
      const entries = this.shown.filter((e) => e.framework === framework);
      return { framework, entries, bytes: entries.reduce((n, e) => n + entryBytes(e), 0) };
    }).filter((g) => g.entries.length > 0),
  );

  #refreshing: Promise<void> | null = null;
  #again = false;
  /** Bumped whenever the query changes: a search result is applied only if the query is still the one it ran for. */
  #queryVersion = 0;
  /** Numbers the searches sent, so that an answer never replaces a later one's. */
  #searchesSent = 0;
  #searchApplied = 0;
  #searchTimer: ReturnType<typeof setTimeout> | null = null;

  /** Re-reads entries and usage, and re-runs the search; calls made while one runs are folded into one more run after it. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          const [entries, usage, applySearch] = await Promise.all([libraryWorker.list(), libraryWorker.usage(), this.#search()]);
          // Entries and matches change together, so the list never shows one with the other's stale ids.
          this.entries = entries;
          this.usage = usage;
          applySearch();
        } catch (e) {
          this.#fail(e);
        }
      } while (this.#again);
      this.loading = false;
      this.#refreshing = null;
    })();
    return this.#refreshing;
  }

  /**
   * Sets the search text; the worker is asked after a pause in typing (SEARCH_DELAY_MS). Blank text ends the search
   * at once, showing every entry.
   */
  setQuery(text: string): void {
    if (text === this.query) return;
    this.query = text;
    this.#queryVersion++;
    if (this.#searchTimer !== null) clearTimeout(this.#searchTimer);
    this.#searchTimer = null;
    if (text.trim() === '') {
      this.matches = null;
      this.searchedFor = '';
      return;
    }
    this.#searchTimer = setTimeout(() => {
      this.#searchTimer = null;
      void this.#search().then((apply) => apply());
    }, SEARCH_DELAY_MS);
  }

  /**
   * Runs the current query in the worker; resolves to a function that applies the answer, which does nothing if the
   * query has changed or a later answer was applied meanwhile (or when there is no query, or the search failed).
   */
  async #search(): Promise<() => void> {
    const text = this.query.trim();
    if (text === '') return () => {};
    const version = this.#queryVersion;
    const sent = ++this.#searchesSent;
    let found: LibraryEntry[];
    try {
      found = await libraryWorker.search(text);
    } catch (e) {
      this.#fail(e);
      return () => {};
    }
    return () => {
      if (version !== this.#queryVersion || sent < this.#searchApplied) return;
      this.#searchApplied = sent;
      this.matches = new Set(found.map((e) => e.id));
      this.searchedFor = text;
    };
  }

  /**
   * Renames an entry (its name and id; the framework stays) and refreshes the list. Failures are returned rather
   * than shown page-wide: the page shows them next to the entry.
   */
  async rename(id: string, newName: string): Promise<RenameResult> {
    this.#clear();
    let result: RenameResult;
    try {
      result = { entry: await libraryWorker.rename(id, newName) };
    } catch (e) {
      result = { error: e instanceof WorkerCallError ? e : new WorkerCallError('internal', e instanceof Error ? e.message : String(e)) };
    }
    await this.refresh();
    // The error of an entry that is no longer listed (deleted in another tab) has no entry to be shown under.
    if (result.error && !this.entries.some((e) => e.id === id)) this.#fail(result.error);
    return result;
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
    this.errorCode = e instanceof WorkerCallError ? e.code : 'internal';
  }

  #clear(): void {
    this.error = null;
    this.errorCode = null;
  }
}

export const library = new LibraryState();
