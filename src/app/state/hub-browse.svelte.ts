/**
 * The Hugging Face Browse page's state: the last search and its results, and the repository being looked at. Kept
 * outside the page so that going to the Library and back shows the same results. The requests run in the library
 * worker (which holds the Hub URL and token).
 */
import { libraryWorker, type HubModel, type HubRepoDetails } from '../library-bridge.js';
import { WorkerCallError } from '../worker-handle.js';

class HubBrowseState {
  query = $state('');
  /** Null before the first search. */
  results = $state.raw<HubModel[] | null>(null);
  searchedFor = $state('');
  searching = $state(false);
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);

  repo = $state<string | null>(null);
  details = $state.raw<HubRepoDetails | null>(null);
  loadingDetails = $state(false);
  detailsError = $state<string | null>(null);

  #searchGeneration = 0;
  #detailsGeneration = 0;

  async search(query: string): Promise<void> {
    const generation = ++this.#searchGeneration;
    this.query = query;
    this.searching = true;
    this.error = null;
    this.errorCode = null;
    try {
      const results = await libraryWorker.hubSearch(query.trim());
      if (generation !== this.#searchGeneration) return;
      this.results = results;
      this.searchedFor = query.trim();
    } catch (e) {
      if (generation !== this.#searchGeneration) return;
      this.error = e instanceof Error ? e.message : String(e);
      this.errorCode = e instanceof WorkerCallError ? e.code : 'internal';
    } finally {
      if (generation === this.#searchGeneration) this.searching = false;
    }
  }

  /** Lists a repository's files (once per repository; `force` lists again). */
  async open(repo: string, force = false): Promise<void> {
    if (!force && this.repo === repo && (this.details || this.loadingDetails)) return;
    const generation = ++this.#detailsGeneration;
    this.repo = repo;
    this.details = null;
    this.detailsError = null;
    this.loadingDetails = true;
    try {
      const details = await libraryWorker.hubRepo(repo);
      if (generation === this.#detailsGeneration) this.details = details;
    } catch (e) {
      if (generation === this.#detailsGeneration) this.detailsError = e instanceof Error ? e.message : String(e);
    } finally {
      if (generation === this.#detailsGeneration) this.loadingDetails = false;
    }
  }

  /** Forgets results and details (the Hub URL changed). */
  reset(): void {
    this.#searchGeneration++;
    this.#detailsGeneration++;
    this.results = null;
    this.repo = null;
    this.details = null;
    this.error = this.detailsError = null;
    this.searching = this.loadingDetails = false;
  }
}

export const hubBrowse = new HubBrowseState();
