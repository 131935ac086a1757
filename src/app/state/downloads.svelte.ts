/**
 * Every download the page knows of: started here, resumed, or found unfinished after a reload. It lives outside
 * the page components, so progress keeps updating (and stays visible) while the user moves between pages.
 *
 * Files are grouped by the library entry they go to (a Hub repository is one entry of several files); the panel
 * shows one progress bar per file and Abort / Resume / Discard per group. The bytes never come here: the library
 * worker downloads, hashes and stores them, and sends progress events (a few per second per file).
 */
import { libraryWorker, type DownloadEvent, type DownloadInfo } from '../library-bridge.js';
import { WorkerCallError } from '../worker-handle.js';
import { library } from './library.svelte.js';

export type DownloadStatus = 'queued' | 'starting' | 'downloading' | 'retrying' | 'verifying' | 'done' | 'error' | 'aborted' | 'interrupted';

export interface DownloadItem {
  key: string;
  entryId: string;
  /** Path of the file in its entry. */
  file: string;
  spec: string;
  url: string;
  verification: DownloadInfo['verification'];
  note?: string;
  status: DownloadStatus;
  loaded: number;
  total?: number;
  /** Bytes per second, and seconds left, while downloading. */
  rate?: number;
  eta?: number;
  message?: string;
  code?: string;
  /** Once done: the sha256 of what was stored, and how many bytes an earlier try had already stored. */
  sha256?: string;
  resumedFrom?: number;
  localImport?: boolean;
}

export interface DownloadGroup {
  entryId: string;
  items: DownloadItem[];
  active: boolean;
  /** Unfinished and not running: can be resumed (or retried) and discarded. */
  stopped: boolean;
  failed: boolean;
  done: boolean;
  loaded: number;
  total?: number;
}

const ACTIVE: ReadonlySet<DownloadStatus> = new Set(['queued', 'starting', 'downloading', 'retrying', 'verifying']);
const STOPPED: ReadonlySet<DownloadStatus> = new Set(['error', 'aborted', 'interrupted']);

export function isActive(item: DownloadItem): boolean {
  return ACTIVE.has(item.status);
}

function fromInfo(info: DownloadInfo): DownloadItem {
  const status: DownloadStatus = info.state === 'running' ? 'downloading' : info.state;
  return {
    key: info.key,
    entryId: info.entryId,
    file: info.file,
    spec: info.spec,
    url: info.url,
    verification: info.verification,
    ...(info.note && { note: info.note }),
    status,
    loaded: info.received,
    ...(info.total !== undefined && { total: info.total }),
    ...(info.error && { message: info.error.message, code: info.error.code }),
    ...(info.localImport && { localImport: true }),
  };
}

class DownloadsState {
  items = $state<DownloadItem[]>([]);
  /** Whether the browser granted persistent storage when the first download started (null: not asked yet). */
  persisted = $state<boolean | null>(null);
  /** Errors of the panel's own actions (resume or discard refused). */
  error = $state<string | null>(null);

  readonly groups: DownloadGroup[] = $derived.by(() => {
    const byEntry = new Map<string, DownloadItem[]>();
    for (const item of this.items) {
      const list = byEntry.get(item.entryId);
      if (list) list.push(item);
      else byEntry.set(item.entryId, [item]);
    }
    return [...byEntry].map(([entryId, items]) => {
      const active = items.some(isActive);
      const totals = items.map((i) => i.total);
      return {
        entryId,
        items,
        active,
        stopped: !active && items.some((i) => STOPPED.has(i.status)),
        failed: items.some((i) => i.status === 'error'),
        done: items.every((i) => i.status === 'done'),
        loaded: items.reduce((n, i) => n + i.loaded, 0),
        ...(totals.every((t) => t !== undefined) && { total: totals.reduce((n: number, t) => n + t!, 0) }),
      };
    });
  });

  readonly activeCount: number = $derived(this.items.filter(isActive).length);

  /** Keys discarded here: late events of their last run must not bring them back. */
  #discarded = new Set<string>();
  #persistAsked = false;
  #loaded = false;

  #find(key: string): DownloadItem | undefined {
    return this.items.find((i) => i.key === key);
  }

  /** Adds planned files, or refreshes their static fields if events got here first. */
  #upsert(infos: DownloadInfo[]): void {
    for (const info of infos) {
      this.#discarded.delete(info.key);
      const item = this.#find(info.key);
      if (!item) {
        this.items.push(fromInfo(info));
        continue;
      }
      Object.assign(item, { spec: info.spec, url: info.url, verification: info.verification, ...(info.note && { note: info.note }) });
      if (item.total === undefined && info.total !== undefined) item.total = info.total;
    }
  }

  readonly #onEvent = (e: DownloadEvent): void => {
    if (this.#discarded.has(e.key)) return;
    let item = this.#find(e.key);
    if (!item) {
      this.items.push({ key: e.key, entryId: e.entryId, file: e.file, spec: '', url: '', verification: 'none', status: 'queued', loaded: 0 });
      item = this.#find(e.key)!;
    }
    item.status = e.status;
    item.loaded = e.loaded;
    if (e.total !== undefined) item.total = e.total;
    item.rate = e.status === 'downloading' ? e.rate : undefined;
    item.eta = e.status === 'downloading' ? e.etaSeconds : undefined;
    item.message = e.message;
    item.code = e.code;
    if (e.result) {
      item.sha256 = e.result.sha256;
      item.resumedFrom = e.result.resumedFrom;
      item.total = e.result.size;
    }
    if (e.status === 'done' || e.status === 'error') void library.refresh();
  };

  /**
   * Plans and starts a download of `spec` (hf:owner/repo[/path], keras:NAME, …). Throws a WorkerCallError when it
   * cannot be planned (not found, no access, offline): the caller shows it where the user clicked.
   */
  async start(spec: string, revision?: string): Promise<void> {
    this.#askPersistence();
    const started = await libraryWorker.startDownload(spec, revision ? { revision } : {}, this.#onEvent);
    this.#upsert(started.downloads);
  }

  /** Resumes (or retries) the unfinished files of a group, from what is stored. */
  async resume(group: DownloadGroup): Promise<void> {
    const keys = group.items.filter((i) => STOPPED.has(i.status) && !i.localImport).map((i) => i.key);
    if (keys.length === 0) return;
    this.error = null;
    this.#askPersistence();
    for (const key of keys) {
      const item = this.#find(key)!;
      item.status = 'queued';
      item.message = undefined;
      item.code = undefined;
    }
    try {
      this.#upsert(await libraryWorker.resume(keys, this.#onEvent));
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      await this.reload();
    }
  }

  async abort(group: DownloadGroup): Promise<void> {
    await Promise.all(group.items.filter(isActive).map((i) => libraryWorker.abort(i.key).catch(() => {})));
  }

  /** Drops the group's unfinished files and their stored bytes. */
  async discard(group: DownloadGroup): Promise<void> {
    this.error = null;
    const keys = group.items.filter((i) => i.status !== 'done').map((i) => i.key);
    for (const key of keys) this.#discarded.add(key);
    try {
      for (const key of keys) await libraryWorker.discard(key);
    } catch (e) {
      this.error = e instanceof WorkerCallError ? e.message : String(e);
    }
    this.items = this.items.filter((i) => i.entryId !== group.entryId);
    void library.refresh();
  }

  /** Removes a finished group from the panel (the entry stays in the library). */
  dismiss(group: DownloadGroup): void {
    this.items = this.items.filter((i) => i.entryId !== group.entryId || i.status !== 'done');
  }

  /** Lists what an earlier visit left unfinished (once per page load, and after a failed action). */
  async reload(): Promise<void> {
    try {
      const infos = await libraryWorker.partials();
      this.#loaded = true;
      for (const info of infos) {
        if (this.#discarded.has(info.key)) continue;
        const item = this.#find(info.key);
        if (!item) this.items.push(fromInfo(info));
        else if (!isActive(item) && item.status !== 'done') Object.assign(item, fromInfo(info));
      }
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  loadOnce(): void {
    if (!this.#loaded) void this.reload();
  }

  /**
   * Asks once, on the first download, that the browser not evict the library under storage pressure.
   * `navigator.storage.persist()` exists on the page only (not in workers); Chromium grants it without a prompt
   * to sites the user engages with (installed, bookmarked), otherwise it answers false.
   */
  #askPersistence(): void {
    if (this.#persistAsked) return;
    this.#persistAsked = true;
    const storage = navigator.storage;
    if (!storage?.persist) return;
    void storage
      .persisted()
      .then((already) => already || storage.persist())
      .then((granted) => {
        this.persisted = granted;
        void library.refresh();
      })
      .catch(() => {
        this.persisted = false;
      });
  }
}

export const downloads = new DownloadsState();
