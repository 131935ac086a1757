/**
 * The library worker: owns the one IndexedDbLibrary of the page and runs every download, so hashing, chunking and
 * IndexedDB writes never happen on the main thread. It only wires core functions (planDownload, download, the
 * Hub client, the library) to the browser environment and exposes them through Comlink; the UI reaches it through
 * src/app/library-bridge.ts.
 *
 * Downloads are per file (one DownloadRequest, one library partial, keyed `<entryId>/<path>`). A source spec may
 * plan several files (a whole Hub repository): they run one after the other, and a spec started while another runs
 * runs beside it. Each planned file is also written to a small record store (`omnihub-downloads`) until it is
 * committed or discarded, so that after a reload the page can list, and resume, files that were queued but never
 * started, and show the last error of one that failed. Files that did start are resumable from their library
 * partial alone: its `meta` (written by the downloader) holds the entry, path, file name, expected sha256 and size,
 * and `state.url` the URL, which is all a DownloadRequest needs; the request headers (the Hub token) are never
 * stored with it, but rebuilt from the current settings for URLs on the Hub's origin.
 */
import * as Comlink from 'comlink';
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import { download } from '../src/core/download/downloader.js';
import type { DownloadRequest } from '../src/core/download/types.js';
import { OmnihubError, isOmnihubError } from '../src/core/errors.js';
import { guarded, toFailure, type WorkerFailure } from './failure.js';

export type { WorkerFailure };
import {
  IndexedDbLibrary,
  assertEntryName,
  safeEntryName,
  type DownloadProgress,
  type LibraryEntry,
  type NewEntry,
  type PartialEntryMeta,
  type PartialState,
  type StorageUsage,
} from '../src/core/library/index.js';
import { idTakenIgnoringCase } from '../src/core/library/entry-records.js';
import { DEFAULT_HUB_URL, hubHeaders, listRepoFiles, resolveRevision, searchModels, type HubFile, type HubModel, type HubOptions } from '../src/core/sources/hf/hub.js';
import { frameworkForFileName, planDownload, type PlannedDownload } from '../src/core/sources/resolve.js';

// ---- types shared with the page ---------------------------------------------------------------------------------

/** Where the Hub is and how to sign in to it. Kept on this device by the page (see src/app/state/settings.svelte.ts). */
export interface HubSettings {
  /** `https://huggingface.co`, or a mirror. */
  hubUrl: string;
  /** Sent as `Authorization: Bearer …` to the hub URL's origin only. */
  accessToken?: string;
}


export type Verification = PlannedDownload['verification'];

/** One file to download, as the page lists it (planned, unfinished after a reload, or failed). */
export interface DownloadInfo {
  key: string;
  entryId: string;
  /** Path of the file in the entry (`onnx/model.onnx`). */
  file: string;
  url: string;
  /** The source spec it was planned from (`hf:owner/repo`); empty for partials found without a record. */
  spec: string;
  verification: Verification;
  note?: string;
  expectedSha256?: string;
  expectedSize?: number;
  /** Bytes stored so far. */
  received: number;
  total?: number;
  /**
   * `running`: being downloaded by this worker now; `queued`: planned, waiting for an earlier file of its spec;
   * `interrupted`: unfinished from an earlier visit (or stopped before it started); `error` / `aborted`: how the
   * last try ended.
   */
  state: 'running' | 'queued' | 'interrupted' | 'error' | 'aborted';
  error?: { code: WorkerFailure['code']; message: string };
  /** A local import that was cut off (page closed): it cannot be resumed, only discarded. */
  localImport?: boolean;
}

/** Progress of one file: the core's DownloadProgress, plus the outcome on the final event. */
export interface DownloadEvent extends Omit<DownloadProgress, 'status'> {
  status: DownloadProgress['status'] | 'queued';
  entryId: string;
  /** On 'error' and 'aborted': the core's error code. */
  code?: WorkerFailure['code'];
  /** On 'done'. */
  result?: { size: number; sha256: string; resumedFrom: number; requests: number; restarts: number };
}

export interface StartedDownload {
  entryId: string;
  downloads: DownloadInfo[];
}

export interface LibraryUsage extends StorageUsage {
  /** Everything this origin stores (the app's offline cache included), from navigator.storage.estimate(). */
  originUsageBytes?: number;
  /** Whether the browser promised not to evict this origin's storage (navigator.storage.persisted()). */
  persisted?: boolean;
}

export interface HubRepoDetails {
  repo: string;
  /** The commit the files were listed at; downloads are pinned to it. */
  revision: string;
  files: HubFile[];
}

// ---- state ------------------------------------------------------------------------------------------------------

/** What is kept per planned file until it is committed or discarded: the request minus its headers. */
interface DownloadRecord {
  key: string;
  spec: string;
  entryId: string;
  verification: Verification;
  note?: string;
  request: Omit<DownloadRequest, 'headers' | 'headersOrigin'>;
  addedAt: string;
  /** How the last try ended, when it did not succeed. */
  ended?: { state: 'error' | 'aborted'; error: DownloadInfo['error'] };
}

const library = new IndexedDbLibrary();
/** Its own database: idb-keyval opens one object store per database. */
const records: UseStore = createStore('omnihub-downloads', 'downloads');

let settings: HubSettings = { hubUrl: DEFAULT_HUB_URL };

/** Files being downloaded now, with their abort switch and the promise of their end. */
const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
/** Files waiting in a run queue, and those among them asked to stop before they start. */
const queued = new Set<string>();
const stopBeforeStart = new Set<string>();

const MIN_CHUNK = 256 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;

// ---- helpers ----------------------------------------------------------------------------------------------------




/** `fetch` must be called on the global (a detached `fetch` throws "Illegal invocation" in Chromium). */
const apiFetch: typeof fetch = (input, init) => fetch(input, init);
/**
 * Downloads bypass the HTTP cache: the bytes go to IndexedDB anyway, and a cached (or half-cached) copy of a
 * ranged response must never stand in for what the server sends now.
 */
const downloadFetch: typeof fetch = (input, init) => fetch(input, { ...init, cache: 'no-store' });

function hubOptions(): HubOptions {
  return { hubUrl: settings.hubUrl, ...(settings.accessToken && { accessToken: settings.accessToken }), fetch: apiFetch };
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The request with the Hub token added when (and only when) the URL is on the configured Hub's origin. */
function withHeaders(request: DownloadRecord['request']): DownloadRequest {
  const hub = hubOptions();
  const auth = hubHeaders(hub);
  if (auth.headers && originOf(request.url) === auth.headersOrigin) return { ...request, ...auth };
  return { ...request };
}

/**
 * Bytes buffered per IndexedDB write: small files in small chunks so an interrupted download (a reload) keeps
 * most of what arrived; big files in big chunks so they are not thousands of transactions.
 */
function chunkBytesFor(size: number | undefined): number {
  if (size === undefined) return 1024 * 1024;
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(size / 64)));
}

async function estimateStorage(): Promise<{ usage: number; quota: number }> {
  const e = await navigator.storage.estimate();
  return { usage: e.usage ?? 0, quota: e.quota ?? Number.MAX_SAFE_INTEGER };
}

/** The ONNX Model Zoo lives on the Hub (`onnxmodelzoo/legacy_models`): a configured mirror serves it too. */
function onMirror(planned: PlannedDownload): PlannedDownload {
  const base = settings.hubUrl.replace(/\/+$/, '');
  if (base === DEFAULT_HUB_URL || !planned.request.url.startsWith(`${DEFAULT_HUB_URL}/`)) return planned;
  return { ...planned, request: { ...planned.request, url: base + planned.request.url.slice(DEFAULT_HUB_URL.length) } };
}

function infoOf(record: DownloadRecord, partial: PartialState | null): DownloadInfo {
  const { request } = record;
  const state: DownloadInfo['state'] = running.has(record.key)
    ? 'running'
    : queued.has(record.key)
      ? 'queued'
      : (record.ended?.state ?? 'interrupted');
  return {
    key: record.key,
    entryId: record.entryId,
    file: request.commitTo.path,
    url: request.url,
    spec: record.spec,
    verification: record.verification,
    ...(record.note && { note: record.note }),
    ...(request.expectedSha256 && { expectedSha256: request.expectedSha256 }),
    ...(request.expectedSize !== undefined && { expectedSize: request.expectedSize }),
    received: partial?.url === request.url ? partial.received : 0,
    ...((partial?.total ?? request.expectedSize) !== undefined && { total: partial?.total ?? request.expectedSize }),
    state,
    ...(record.ended?.error && state !== 'running' && state !== 'queued' && { error: record.ended.error }),
  };
}

/**
 * A record rebuilt from a partial's `meta`, for a partial without one (the record store was cleared, or the
 * partial was written by another page of this origin): the downloader stores everything a request needs.
 */
function recordFromPartial(key: string, state: PartialState): DownloadRecord | null {
  const m = state.meta ?? {};
  if (typeof m.entryId !== 'string' || typeof m.path !== 'string') return null;
  const entry = m.entry as PartialEntryMeta | undefined;
  const expectedSha256 = typeof m.expectedSha256 === 'string' ? m.expectedSha256 : undefined;
  const expectedSize = typeof m.expectedSize === 'number' ? m.expectedSize : undefined;
  return {
    key,
    spec: '',
    entryId: m.entryId,
    verification: expectedSha256 ? (expectedSha256.length === 64 ? 'sha256' : 'sha256-prefix') : expectedSize !== undefined ? 'size' : 'none',
    request: {
      key,
      url: state.url,
      file: typeof m.file === 'string' ? m.file : m.path,
      ...(expectedSha256 && { expectedSha256 }),
      ...(expectedSize !== undefined && { expectedSize }),
      commitTo: { entryId: m.entryId, path: m.path, ...(entry && { entry }) },
    },
    addedAt: new Date().toISOString(),
  };
}

async function recordFor(key: string): Promise<DownloadRecord | null> {
  const record = await get<DownloadRecord>(key, records);
  if (record) return record;
  const state = await library.resumeState(key);
  return state ? recordFromPartial(key, state) : null;
}

type Listener = (e: DownloadEvent) => void;

/** Calls a Comlink proxy without waiting for it (each call is a message), ignoring a page that has gone. */
function sender(remote?: Listener): Listener {
  return (e) => {
    if (!remote) return;
    try {
      void Promise.resolve(remote(e)).catch(() => {});
    } catch {
      // The page closed the channel.
    }
  };
}

function release(remote?: Listener): void {
  (remote as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
}

/** How long a download waits for another tab of this app that is downloading the same file (or a reloaded page's worker) to let go. */
const LOCK_WAIT_MS = 5000;

/**
 * Runs `fn` holding the Web Lock of `key`, so two tabs of the app (each with its own library worker) never write
 * the same partial at once. A reload's old worker releases its locks when it is terminated; the wait covers that.
 */
async function withDownloadLock<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as { locks?: LockManager }).locks;
  if (!locks) return fn();
  let started = false;
  try {
    return await locks.request(`omnihub-download:${key}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(LOCK_WAIT_MS)]) }, () => {
      started = true;
      return fn();
    });
  } catch (e) {
    if (started) throw e;
    if (signal.aborted) throw new OmnihubError('aborted', `download of ${key} stopped before it started`);
    throw Object.assign(new OmnihubError('usage', `${key} is being downloaded in another tab or window of this app; it continues there.`, { cause: e }), {
      busyElsewhere: true,
    });
  }
}

/** Downloads one file; resolves whatever happens (the outcome goes to `emit` and to the record). */
async function runOne(record: DownloadRecord, emit: Listener): Promise<'done' | 'error' | 'aborted'> {
  const { key, entryId } = record;
  const controller = new AbortController();
  let finish!: () => void;
  running.set(key, { controller, done: new Promise<void>((r) => (finish = r)) });
  const request = withHeaders(record.request);
  try {
    const result = await withDownloadLock(key, controller.signal, () => download(request, {
      fetch: downloadFetch,
      target: library,
      signal: controller.signal,
      estimateStorage,
      chunkBytes: chunkBytesFor(request.expectedSize),
      // The final events ('done', 'error', 'aborted') are sent below, with the result or the error code.
      onProgress: (p) => {
        if (p.status !== 'done' && p.status !== 'error' && p.status !== 'aborted') emit({ ...p, entryId });
      },
    }));
    await del(key, records);
    emit({ key, entryId, file: request.file, status: 'done', loaded: result.size, total: result.size, result: {
      size: result.size, sha256: result.sha256, resumedFrom: result.resumedFrom, requests: result.requests, restarts: result.restarts,
    } });
    return 'done';
  } catch (e) {
    const failure = toFailure(e);
    const aborted = failure.code === 'aborted' || controller.signal.aborted;
    const state = await library.resumeState(key).catch(() => null);
    const ended: DownloadRecord['ended'] = { state: aborted ? 'aborted' : 'error', error: { code: failure.code, message: failure.message } };
    // A record discarded while this ran stays discarded; the record of a file another tab is downloading is theirs.
    const busyElsewhere = (e as { busyElsewhere?: boolean }).busyElsewhere === true;
    if (!busyElsewhere && (await get(key, records))) await set(key, { ...record, ended }, records).catch(() => {});
    emit({
      key, entryId, file: request.file, status: aborted ? 'aborted' : 'error', loaded: state?.received ?? 0,
      ...((state?.total ?? request.expectedSize) !== undefined && { total: state?.total ?? request.expectedSize }),
      code: failure.code, message: failure.message,
    });
    return aborted ? 'aborted' : 'error';
  } finally {
    running.delete(key);
    finish();
  }
}

/** Runs files one after the other; when one does not finish, the ones after it are stopped before they start. */
async function runQueue(list: DownloadRecord[], remote?: Listener): Promise<void> {
  const emit = sender(remote);
  try {
    let stoppedBy: string | null = null;
    for (const record of list) {
      queued.delete(record.key);
      if (stoppedBy !== null || stopBeforeStart.delete(record.key)) {
        const message = stoppedBy ? `not started: ${stoppedBy} did not finish` : 'stopped before it started';
        const ended: DownloadRecord['ended'] = { state: 'aborted', error: { code: 'aborted', message } };
        if (await get(record.key, records)) await set(record.key, { ...record, ended }, records).catch(() => {});
        const state = await library.resumeState(record.key).catch(() => null);
        emit({ key: record.key, entryId: record.entryId, file: record.request.file, status: 'aborted', loaded: state?.received ?? 0,
          ...(record.request.expectedSize !== undefined && { total: record.request.expectedSize }), code: 'aborted', message });
        continue;
      }
      const outcome = await runOne(record, emit);
      if (outcome !== 'done') stoppedBy = record.request.file;
    }
  } finally {
    for (const record of list) queued.delete(record.key);
    release(remote);
  }
}

/** After a file is dropped for good: an entry left pending by a multi-file download that nothing will finish is deleted. */
async function dropOrphanedPendingEntry(entryId: string): Promise<void> {
  if (await library.get(entryId)) return;
  const [partials, all] = await Promise.all([library.partials(), values<DownloadRecord>(records)]);
  const stillWanted = partials.some((p) => p.state.meta?.entryId === entryId) || all.some((r) => r.entryId === entryId);
  if (stillWanted) return;
  await library.delete(entryId).catch((e) => {
    if (!(isOmnihubError(e) && e.code === 'not-found')) throw e;
  });
}

/** Local files dropped together: one entry when there is exactly one model among them (the rest are its side files). */
function importGroups(files: File[]): Array<{ entry: NewEntry; files: File[] }> {
  const models = files.filter((f) => /\.(onnx|h5|keras|hdf5|pt|pth|tflite|safetensors|pb)$/i.test(f.name));
  const one = (main: File, members: File[]) => ({
    entry: { framework: frameworkForFileName(main.name), name: safeEntryName(main.name), source: { kind: 'local' as const } },
    files: members,
  });
  if (files.length > 1 && models.length === 1) return [one(models[0], files)];
  return files.map((f) => one(f, [f]));
}

// ---- the API ----------------------------------------------------------------------------------------------------

const api = {
  /** Sets the Hub URL and token used from now on (the page keeps them; the token is never logged). */
  configure(next: HubSettings): void {
    const url = originOf(next.hubUrl);
    if (!url || !/^https?:\/\//i.test(next.hubUrl)) throw toFailure(new OmnihubError('usage', `'${next.hubUrl}' is not an http(s) URL.`));
    settings = { hubUrl: next.hubUrl.trim().replace(/\/+$/, ''), ...(next.accessToken?.trim() && { accessToken: next.accessToken.trim() }) };
  },

  list(): Promise<LibraryEntry[]> {
    return guarded(() => library.list());
  },

  search(text: string): Promise<LibraryEntry[]> {
    return guarded(() => library.search(text));
  },

  get(id: string): Promise<LibraryEntry | null> {
    return guarded(() => library.get(id));
  },

  delete(id: string): Promise<void> {
    return guarded(() => library.delete(id));
  },

  rename(id: string, newName: string): Promise<LibraryEntry> {
    return guarded(() => library.rename(id, newName));
  },

  usage(): Promise<LibraryUsage> {
    return guarded(async () => {
      const [usage, estimate, persisted] = await Promise.all([
        library.usage(),
        navigator.storage?.estimate?.().catch(() => undefined),
        navigator.storage?.persisted?.().catch(() => undefined),
      ]);
      return {
        ...usage,
        ...(estimate?.usage !== undefined && { originUsageBytes: estimate.usage }),
        ...(persisted !== undefined && { persisted }),
      };
    });
  },

  /** The stored file as a File (a Blob made of the stored chunks: no bytes are read or copied), named for download. */
  exportFile(id: string, path: string): Promise<File> {
    return guarded(async () => {
      const exported = await library.exportEntry(id);
      const file = exported.files.find((f) => f.path === path);
      if (!file) throw new OmnihubError('not-found', `Entry ${id} has no file ${path}.`);
      const blob = await (await library.openFile(id, path)).blob();
      return new File([blob], file.downloadName, { type: 'application/octet-stream' });
    });
  },

  /** Stores local files in the library (framework from the extension); several files with one model become one entry. */
  importFiles(files: File[]): Promise<LibraryEntry[]> {
    return guarded(async () => {
      if (files.length === 0) throw new OmnihubError('usage', 'No file was given.');
      const done: LibraryEntry[] = [];
      for (const group of importGroups(files)) {
        let entry: LibraryEntry | null = null;
        for (const f of group.files) entry = await library.addFile(group.entry, safeEntryName(f.name), f);
        if (entry) done.push(entry);
      }
      return done;
    });
  },

  /**
   * Stores a new entry made in this browser (a recipe's result, with its lineage): 'exists' when the library already
   * has that id (ignoring case), rather than adding the files to the entry there, as `addFile` would.
   */
  createEntry(entry: NewEntry, files: Array<{ path: string; blob: Blob }>): Promise<LibraryEntry> {
    return guarded(async () => {
      if (files.length === 0) throw new OmnihubError('usage', 'An entry needs at least one file.');
      const id = `${entry.framework}/${assertEntryName(entry.name)}`;
      const taken = idTakenIgnoringCase((await library.list()).map((e) => e.id), id);
      if (taken) throw new OmnihubError('exists', `The library already has ${taken}; choose another name.`);
      let stored: LibraryEntry | null = null;
      for (const f of files) stored = await library.addFile(entry, f.path, f.blob);
      return stored!;
    });
  },

  hubSearch(query: string, limit = 30): Promise<HubModel[]> {
    return guarded(() => searchModels(query, { ...hubOptions(), limit }));
  },

  /** A Hub repository's files (sizes, LFS sha256) at a revision, resolved to its commit. */
  hubRepo(repo: string, revision = 'main'): Promise<HubRepoDetails> {
    return guarded(async () => {
      const hub = hubOptions();
      const sha = await resolveRevision(repo, revision, hub);
      return { repo, revision: sha, files: await listRepoFiles(repo, sha, hub) };
    });
  },

  /**
   * Plans `spec` (hf:owner/repo[/path], keras:NAME, torchvision:NAME, onnx-zoo:NAME, https://…) and starts its
   * files in the background; resolves once they are planned. Progress of each file goes to `onProgress` (a
   * Comlink proxy, released when the last file ends). Planning errors (not found, no access, offline) are thrown.
   */
  startDownload(spec: string, options: { revision?: string } = {}, onProgress?: Listener): Promise<StartedDownload> {
    return guarded(async () => {
      let plan;
      try {
        plan = await planDownload(spec.trim(), { ...(options.revision && { revision: options.revision }), hub: hubOptions() });
      } catch (e) {
        release(onProgress);
        throw e;
      }
      const planned = plan.downloads.map(onMirror).filter((d) => !running.has(d.request.key) && !queued.has(d.request.key));
      if (planned.length === 0) {
        release(onProgress);
        throw new OmnihubError('usage', `${plan.entry.id} is being downloaded already.`);
      }
      const now = new Date().toISOString();
      const list: DownloadRecord[] = planned.map(({ request, verification, note }) => {
        const { headers: _h, headersOrigin: _o, ...stored } = request;
        return { key: request.key, spec, entryId: plan.entry.id, verification, ...(note && { note }), request: stored, addedAt: now };
      });
      for (const r of list) {
        await set(r.key, r, records);
        queued.add(r.key);
        stopBeforeStart.delete(r.key);
      }
      const infos = await Promise.all(list.map(async (r) => infoOf(r, await library.resumeState(r.key))));
      void runQueue(list, onProgress);
      return { entryId: plan.entry.id, downloads: infos };
    });
  },

  /** Continues unfinished files (after an abort, an error or a reload) from what is stored, one after the other. */
  resume(keys: string[], onProgress?: Listener): Promise<DownloadInfo[]> {
    return guarded(async () => {
      const list: DownloadRecord[] = [];
      for (const key of keys) {
        if (running.has(key) || queued.has(key)) continue;
        const record = await recordFor(key);
        if (!record) continue;
        const { ended: _e, ...fresh } = record;
        await set(key, fresh, records);
        queued.add(key);
        stopBeforeStart.delete(key);
        list.push(fresh);
      }
      if (list.length === 0) {
        release(onProgress);
        throw new OmnihubError('usage', 'Nothing to resume: the download finished, is running, or was discarded.');
      }
      const infos = await Promise.all(list.map(async (r) => infoOf(r, await library.resumeState(r.key))));
      void runQueue(list, onProgress);
      return infos;
    });
  },

  /** Stops a file: a running one keeps what it stored (resumable); a queued one does not start. */
  abort(key: string): void {
    const run = running.get(key);
    if (run) run.controller.abort();
    else if (queued.has(key)) stopBeforeStart.add(key);
  },

  /** Unfinished files: planned or started and not yet committed, with the bytes stored so far. */
  partials(): Promise<DownloadInfo[]> {
    return guarded(async () => {
      const [all, parts] = await Promise.all([values<DownloadRecord>(records), library.partials()]);
      const byKey = new Map(parts.map((p) => [p.key, p.state]));
      const infos = all.map((r) => infoOf(r, byKey.get(r.key) ?? null));
      const known = new Set(all.map((r) => r.key));
      for (const { key, state } of parts) {
        if (known.has(key)) continue;
        if (state.meta?.localImport) {
          const entry = state.meta.entry as NewEntry | undefined;
          infos.push({
            key, entryId: entry ? `${entry.framework}/${entry.name}` : key, file: state.url.replace(/^local:/, ''), url: state.url, spec: '',
            verification: 'none', received: state.received, state: 'interrupted', localImport: true,
            error: { code: 'aborted', message: 'an import from a local file was cut off; add the file again' },
          });
          continue;
        }
        const record = recordFromPartial(key, state);
        if (record) infos.push(infoOf(record, state));
      }
      return infos.sort((a, b) => a.key.localeCompare(b.key));
    });
  },

  /** Forgets an unfinished file and its stored bytes (stopping it first if it runs). */
  discard(key: string): Promise<void> {
    return guarded(async () => {
      const run = running.get(key);
      if (queued.has(key)) stopBeforeStart.add(key);
      if (run) {
        run.controller.abort();
        await run.done;
      }
      const record = await recordFor(key);
      await del(key, records);
      await library.discard(key);
      if (record) await dropOrphanedPendingEntry(record.entryId);
    });
  },
};

export type LibraryWorkerApi = typeof api;

Comlink.expose(api);
