/**
 * The backend-independent rules of the library: what a commit does to an entry, what `meta.entry` must hold, how
 * search matches, what an export lists. Both backends call these so they cannot drift apart.
 */
import { OmnihubError } from '../errors.js';
import { assertEntryName, assertEntryPath, assertFramework, parseEntryId, pathsCollide } from './names.js';
import {
  entryId,
  type EntryExport,
  type EntryFile,
  type LibraryEntry,
  type NewEntry,
  type PartialEntryMeta,
  type PartialState,
} from './types.js';

/** An entry as both backends persist it: `pending` lists the paths still to commit before it is listed. */
export interface EntryRecord {
  entry: LibraryEntry;
  pending: string[];
}

export type CommitFile = { entryId: string; path: string; size: number; sha256: string };

/** Checks and copies the caller's entry description, keeping only the fields an entry has. */
export function checkNewEntry(input: NewEntry): NewEntry {
  if (!input || typeof input !== 'object') throw new OmnihubError('usage', 'Entry description is missing.');
  const framework = assertFramework(input.framework);
  const name = assertEntryName(input.name);
  const id = entryId(framework, name);
  if (input.id !== undefined && input.id !== id) {
    throw new OmnihubError('usage', `Entry id ${JSON.stringify(input.id)} does not match framework and name (${id}).`);
  }
  if (!input.source || typeof input.source !== 'object' || typeof input.source.kind !== 'string') {
    throw new OmnihubError('usage', `Entry ${id} has no source (where it came from).`);
  }
  const checked: NewEntry = { id, framework, name, source: { ...input.source } };
  if (input.licence !== undefined) checked.licence = input.licence;
  if (input.lineage !== undefined) checked.lineage = input.lineage;
  return checked;
}

/** Reads and checks `state.meta.entry` (absent is allowed: the entry may already exist at commit time). */
export function partialEntryMeta(state: PartialState): PartialEntryMeta | undefined {
  const raw = state.meta?.entry as PartialEntryMeta | undefined;
  if (raw === undefined) return undefined;
  const checked: PartialEntryMeta = checkNewEntry(raw);
  if (raw.files !== undefined) {
    if (!Array.isArray(raw.files)) throw new OmnihubError('usage', 'meta.entry.files must be a list of paths.');
    checked.files = [...new Set(raw.files.map((p) => assertEntryPath(p)))];
  }
  return checked;
}

/** Checks a state handed to `begin`: a fresh download has stored nothing yet. */
export function checkBeginState(state: PartialState): void {
  if (!state || typeof state !== 'object' || typeof state.url !== 'string') {
    throw new OmnihubError('usage', 'A partial download state needs a url.');
  }
  if (state.received !== 0) {
    throw new OmnihubError('usage', `begin() starts a download afresh, so state.received must be 0 (got ${state.received}).`);
  }
  if (!state.meta || typeof state.meta !== 'object') throw new OmnihubError('usage', 'A partial download state needs meta (may be {}).');
  partialEntryMeta(state);
}

/** Checks that `bytes` continue the partial exactly where the stored state ends. */
export function checkAppend(key: string, storedReceived: number, bytes: Uint8Array, state: PartialState): void {
  if (!(bytes instanceof Uint8Array)) throw new OmnihubError('usage', 'append() takes a Uint8Array.');
  if (state.received - bytes.length !== storedReceived) {
    throw new OmnihubError(
      'usage',
      `Out-of-order append to ${key}: ${storedReceived} bytes are stored, but the new state says ${state.received} after ` +
        `${bytes.length} more bytes.`,
    );
  }
}

export function checkCommitFile(key: string, received: number, file: CommitFile): void {
  assertEntryPath(file.path);
  if (!/^[0-9a-f]{64}$/.test(file.sha256)) {
    throw new OmnihubError('usage', `commit(${key}): sha256 must be 64 lowercase hex digits.`);
  }
  if (file.size !== received) {
    throw new OmnihubError('usage', `commit(${key}): the file is said to be ${file.size} bytes but ${received} are stored.`);
  }
}

/**
 * The entry after committing `file`: an existing entry gains or replaces the file and keeps its metadata; a new
 * one is made from the partial's `meta.entry`, or from the entry id and the URL when the downloader gave none.
 * Throws before anything is written when the commit cannot happen.
 */
export function entryAfterCommit(
  existing: EntryRecord | undefined,
  file: CommitFile,
  state: PartialState,
  now: Date,
): EntryRecord {
  const added: EntryFile = { path: file.path, size: file.size, sha256: file.sha256 };
  if (existing) {
    const clash = existing.entry.files.find((f) => pathsCollide(f.path, file.path));
    if (clash) {
      throw new OmnihubError('exists', `Entry ${file.entryId} has a file ${clash.path}, which clashes with ${file.path}.`);
    }
    const files = existing.entry.files.some((f) => f.path === file.path)
      ? existing.entry.files.map((f) => (f.path === file.path ? added : f))
      : [...existing.entry.files, added];
    const pending = existing.pending.filter((p) => p !== file.path);
    // createdAt is when the entry became complete, so a pending entry gets it on its last file.
    const createdAt = existing.pending.length > 0 && pending.length === 0 ? now.toISOString() : existing.entry.createdAt;
    return { entry: { ...existing.entry, files, createdAt }, pending };
  }
  // Without meta.entry, all that is known is the id and the URL: enough for an entry, not for its licence or repo.
  const meta: PartialEntryMeta = partialEntryMeta(state) ?? { ...parseEntryId(file.entryId), source: { kind: 'url', url: state.url } };
  const id = entryId(meta.framework, meta.name);
  if (id !== file.entryId) {
    throw new OmnihubError('usage', `commit() names entry ${file.entryId} but the partial's meta.entry describes ${id}.`);
  }
  const entry: LibraryEntry = { id, framework: meta.framework, name: meta.name, files: [added], source: meta.source, createdAt: now.toISOString() };
  if (meta.licence !== undefined) entry.licence = meta.licence;
  if (meta.lineage !== undefined) entry.lineage = meta.lineage;
  const pending = (meta.files ?? []).filter((p) => p !== file.path);
  const clash = pending.find((p) => pathsCollide(p, file.path));
  if (clash) throw new OmnihubError('exists', `meta.entry.files lists ${clash}, which clashes with ${file.path}.`);
  return { entry, pending };
}

/** The id among `ids` that equals `id` ignoring case (but is not `id` itself, or is, when `includeSelf`). */
export function idTakenIgnoringCase(ids: Iterable<string>, id: string, except?: string): string | undefined {
  const wanted = id.toLowerCase();
  for (const other of ids) if (other !== except && other.toLowerCase() === wanted) return other;
  return undefined;
}

/** Every word of `text` occurs (ignoring case) in the entry's id, name, framework, source repo, catalog name or URL. */
export function entryMatches(entry: LibraryEntry, text: string): boolean {
  const haystack = [entry.id, entry.name, entry.framework, entry.source.repo, entry.source.catalogName, entry.source.url]
    .filter((s): s is string => typeof s === 'string')
    .join('\n')
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

export function byId(a: LibraryEntry, b: LibraryEntry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function entryExport(entry: LibraryEntry, localPath?: (file: EntryFile) => string): EntryExport {
  const single = entry.files.length === 1;
  return {
    entry,
    files: entry.files.map((f) => ({
      ...f,
      exportPath: `${entry.name}/${f.path}`,
      downloadName: single ? f.path.slice(f.path.lastIndexOf('/') + 1) : `${entry.name}_${f.path.replaceAll('/', '_')}`,
      ...(localPath ? { localPath: localPath(f) } : {}),
    })),
  };
}

/** The entry renamed: same framework and files, new name and id. */
export function renamedEntry(entry: LibraryEntry, newName: string): LibraryEntry {
  return { ...entry, name: newName, id: entryId(entry.framework, newName) };
}

/** A random id for blob chunks and import keys (randomUUID needs a secure context in browsers, hence the fallback). */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function notFound(what: string): OmnihubError {
  return new OmnihubError('not-found', `The library has no ${what}.`);
}
