/**
 * The library as a folder (Node: CLI and Node library use). Import it from `src/core/library/node.ts`, never from
 * browser code: it uses node:fs.
 *
 * Layout under the root (`$OMNIHUB_HOME`, else `~/.omnihub`, or the constructor's root):
 *
 *   <framework>/<name>/<path>                   the files, where a user looks for them; an entry is always a
 *                                               folder, even with one file (keras/vgg19_…_notop.h5/vgg19_…_notop.h5),
 *                                               so that adding a second file never turns a file into a folder
 *   .omnihub/entries/<framework>/<name>.json    { format, entry, pending }: an entry exists once this file does
 *   .omnihub/partials/<hash of key>.part        bytes of an unfinished download (or import)
 *   .omnihub/partials/<hash of key>.state.json  { format, key, state, committing? }
 *   .omnihub/journal/<random>.json              a rename or delete in progress, replayed if the process died
 *
 * Crash safety: metadata and state files are replaced by temp + rename; a partial's bytes are appended and synced
 * before its state is rewritten, and a .part longer than its state (died between the two) is cut back on resume.
 * A commit first records `committing` in the state file, then renames the .part into place, then writes the entry;
 * renames and deletes write a journal first. Every step can run twice, so the first use of a FolderLibrary
 * instance finishes whatever a dead process left half done. One process should write to a root at a time.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { OmnihubError } from '../errors.js';
import {
  byId,
  checkAppend,
  checkBeginState,
  checkCommitFile,
  entryAfterCommit,
  entryExport,
  entryMatches,
  idTakenIgnoringCase,
  notFound,
  randomId,
  renamedEntry,
  type CommitFile,
  type EntryRecord,
} from './entry-records.js';
import { bytesUnder, exists, fs, isMissing, listDir, readJson, toJson, writeFileAtomic } from './folder-files.js';
import { importThroughPartial, type ImportInput } from './import-file.js';
import { assertEntryName, assertEntryPath, parseEntryId } from './names.js';
import {
  entryId,
  FRAMEWORKS,
  type EntryExport,
  type Framework,
  type LibraryEntry,
  type LibraryStore,
  type NewEntry,
  type PartialState,
  type StorageUsage,
  type StoredFile,
} from './types.js';

const FORMAT = 1;
/** Imports are appended in batches of this size (one write + fsync + state rewrite per batch). */
const DEFAULT_IMPORT_BATCH_BYTES = 16 * 1024 * 1024;

export interface FolderLibraryOptions {
  /** Library folder; default `env.OMNIHUB_HOME`, else `~/.omnihub`. */
  root?: string;
  env?: Record<string, string | undefined>;
  importBatchBytes?: number;
  now?: () => Date;
}

interface EntryFileRecord extends EntryRecord {
  format: number;
}

interface PartialFileRecord {
  format: number;
  key: string;
  state: PartialState;
  /** Set just before the .part is moved into the entry: the commit to finish if the process dies. */
  committing?: CommitFile;
}

type JournalRecord =
  | { format: number; op: 'rename'; framework: Framework; from: string; to: string }
  | { format: number; op: 'delete'; framework: Framework; name: string };

export function defaultLibraryRoot(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.OMNIHUB_HOME?.trim();
  return resolve(fromEnv ? fromEnv : join(homedir(), '.omnihub'));
}

export class FolderLibrary implements LibraryStore {
  readonly root: string;
  private readonly importBatchBytes: number;
  private readonly now: () => Date;
  private recovery?: Promise<void>;
  /** Entry metadata is read-modify-written: commits of two files of one entry must not interleave. */
  private entryLock: Promise<unknown> = Promise.resolve();

  constructor(options: string | FolderLibraryOptions = {}) {
    const opts = typeof options === 'string' ? { root: options } : options;
    this.root = opts.root !== undefined ? resolve(opts.root) : defaultLibraryRoot(opts.env);
    this.importBatchBytes = opts.importBatchBytes ?? DEFAULT_IMPORT_BATCH_BYTES;
    this.now = opts.now ?? (() => new Date());
  }

  // ---- paths: every one goes through inRoot, so a name that slipped past validation still cannot escape ----------

  private inRoot(...parts: string[]): string {
    const path = resolve(this.root, ...parts);
    if (!path.startsWith(this.root + sep)) {
      throw new OmnihubError('unsafe-path', `Refusing to touch ${path}: it is outside the library folder ${this.root}.`);
    }
    return path;
  }
  private entryDir(framework: Framework, name: string): string {
    return this.inRoot(framework, assertEntryName(name));
  }
  private filePath(framework: Framework, name: string, path: string): string {
    return this.inRoot(framework, assertEntryName(name), ...assertEntryPath(path).split('/'));
  }
  private metaDir(framework: Framework): string {
    return this.inRoot('.omnihub', 'entries', framework);
  }
  private metaPath(framework: Framework, name: string): string {
    return this.inRoot('.omnihub', 'entries', framework, `${assertEntryName(name)}.json`);
  }
  private get partialsDir(): string {
    return this.inRoot('.omnihub', 'partials');
  }
  private get journalDir(): string {
    return this.inRoot('.omnihub', 'journal');
  }
  /** Keys are arbitrary strings (URLs, …): hashed into file names that are always valid. */
  private partialBase(key: string): string {
    return join(this.partialsDir, createHash('sha256').update(key).digest('hex').slice(0, 40));
  }
  private partPath(key: string): string {
    return `${this.partialBase(key)}.part`;
  }
  private statePath(key: string): string {
    return `${this.partialBase(key)}.state.json`;
  }

  // ---- entries -------------------------------------------------------------------------------------------------

  async list(): Promise<LibraryEntry[]> {
    await this.recovered();
    const entries: LibraryEntry[] = [];
    for (const framework of FRAMEWORKS) {
      for (const record of await this.entryRecords(framework)) if (record.pending.length === 0) entries.push(record.entry);
    }
    return entries.sort(byId);
  }

  async get(id: string): Promise<LibraryEntry | null> {
    const { framework, name } = parseEntryId(id);
    await this.recovered();
    const record = await this.readEntry(framework, name);
    return record && record.pending.length === 0 ? record.entry : null;
  }

  async search(text: string): Promise<LibraryEntry[]> {
    return (await this.list()).filter((e) => entryMatches(e, text));
  }

  async addFile(entry: NewEntry, path: string, bytes: ImportInput): Promise<LibraryEntry> {
    await importThroughPartial(this, entry, path, bytes, this.importBatchBytes);
    const record = await this.readEntry(entry.framework, entry.name);
    if (!record) throw notFound(`entry ${entryId(entry.framework, entry.name)}`);
    return record.entry;
  }

  async openFile(id: string, path: string): Promise<StoredFile> {
    const { framework, name } = parseEntryId(id);
    assertEntryPath(path);
    await this.recovered();
    const record = await this.readEntry(framework, name);
    if (!record || record.pending.length > 0) throw notFound(`entry ${id}`);
    const file = record.entry.files.find((f) => f.path === path);
    if (!file) throw notFound(`file ${path} in entry ${id}`);
    const location = this.filePath(framework, name, path);
    const size = await fs.stat(location).then(
      (s) => s.size,
      (error: unknown) => {
        throw isMissing(error) ? notFound(`file ${location} (listed in entry ${id}, but missing on disk)`) : error;
      },
    );
    if (size !== file.size) {
      throw new OmnihubError('integrity', `${location} is ${size} bytes but entry ${id} says ${file.size}: it was changed outside Omnihub.`);
    }
    return {
      ...file,
      stream: () => Readable.toWeb(createReadStream(location)) as unknown as ReadableStream<Uint8Array>,
      bytes: async () => new Uint8Array(await fs.readFile(location)),
      blob: () => openAsBlob(location) as Promise<Blob>,
    };
  }

  async rename(id: string, newName: string): Promise<LibraryEntry> {
    const { framework, name } = parseEntryId(id);
    assertEntryName(newName);
    await this.recovered();
    return this.withEntryLock(async () => {
      const record = await this.readEntry(framework, name);
      if (!record || record.pending.length > 0) throw notFound(`entry ${id}`);
      const renamed = renamedEntry(record.entry, newName);
      if (renamed.id === id) return renamed;
      const taken = idTakenIgnoringCase(await this.entryIds(framework), renamed.id, id);
      if (taken) throw new OmnihubError('exists', `Cannot rename ${id} to ${renamed.id}: the library already has ${taken}.`);
      // A folder with that name but no metadata is debris (not an entry): it must not be merged into the renamed one.
      if (name.toLowerCase() !== newName.toLowerCase()) {
        await fs.rm(this.entryDir(framework, newName), { recursive: true, force: true });
      }
      await this.runJournaled({ format: FORMAT, op: 'rename', framework, from: name, to: newName });
      return renamed;
    });
  }

  async delete(id: string): Promise<void> {
    const { framework, name } = parseEntryId(id);
    await this.recovered();
    await this.withEntryLock(async () => {
      if (!(await this.readEntry(framework, name))) throw notFound(`entry ${id}`);
      await this.runJournaled({ format: FORMAT, op: 'delete', framework, name });
    });
  }

  async usage(): Promise<StorageUsage> {
    await this.recovered();
    let usedBytes = 0;
    for (const framework of FRAMEWORKS) usedBytes += await bytesUnder(this.inRoot(framework));
    for (const name of await listDir(this.partialsDir)) {
      if (name.endsWith('.part')) usedBytes += (await fs.stat(join(this.partialsDir, name))).size;
    }
    const usage: StorageUsage = { usedBytes };
    const free = await this.freeBytes();
    if (free !== undefined) usage.quotaBytes = usedBytes + free;
    return usage;
  }

  async exportEntry(id: string): Promise<EntryExport> {
    const entry = await this.get(id);
    if (!entry) throw notFound(`entry ${id}`);
    return entryExport(entry, (f) => this.filePath(entry.framework, entry.name, f.path));
  }

  // ---- partial downloads (DownloadTarget) -----------------------------------------------------------------------

  async resumeState(key: string): Promise<PartialState | null> {
    await this.recovered();
    const record = await readJson<PartialFileRecord>(this.statePath(key));
    if (!record || record.committing) return null;
    const size = await fs.stat(this.partPath(key)).then(
      (s) => s.size,
      (error: unknown) => (isMissing(error) ? -1 : Promise.reject(error)),
    );
    if (size < record.state.received) {
      // The state claims bytes the disk does not have (lost .part, or a power cut before the data reached the disk):
      // nothing stored can be trusted, so the download starts again.
      await this.discard(key);
      return null;
    }
    // The process died after appending bytes but before saving the state that counts them: drop the extra bytes.
    if (size > record.state.received) await fs.truncate(this.partPath(key), record.state.received);
    return record.state;
  }

  async begin(key: string, state: PartialState): Promise<void> {
    checkBeginState(state);
    await this.recovered();
    await fs.mkdir(this.partialsDir, { recursive: true });
    // Emptying the .part first: if the process dies before the new state is written, the old state claims more
    // bytes than the .part has, and resumeState() drops it.
    await fs.writeFile(this.partPath(key), new Uint8Array(0));
    await writeFileAtomic(this.statePath(key), toJson({ format: FORMAT, key, state } satisfies PartialFileRecord));
  }

  async append(key: string, bytes: Uint8Array, state: PartialState): Promise<void> {
    await this.recovered();
    const record = await readJson<PartialFileRecord>(this.statePath(key));
    if (!record || record.committing) throw notFound(`partial download ${key}`);
    checkAppend(key, record.state.received, bytes, state);
    const received = record.state.received;
    const handle = await fs.open(this.partPath(key), 'r+').catch((error: unknown) => {
      throw isMissing(error) ? partLost(key) : error;
    });
    try {
      const size = (await handle.stat()).size;
      if (size < received) throw partLost(key);
      if (size > received) await handle.truncate(received);
      try {
        await writeFully(handle, bytes, received);
        await handle.datasync();
      } catch (error) {
        await handle.truncate(received).catch(() => undefined);
        throw diskFullError(error) ?? error;
      }
    } finally {
      await handle.close();
    }
    await writeFileAtomic(this.statePath(key), toJson({ format: FORMAT, key, state } satisfies PartialFileRecord)).catch(
      (error: unknown) => {
        throw diskFullError(error) ?? error;
      },
    );
  }

  async commit(key: string, file: CommitFile): Promise<void> {
    const { framework, name } = parseEntryId(file.entryId);
    await this.recovered();
    await this.withEntryLock(async () => {
      const record = await readJson<PartialFileRecord>(this.statePath(key));
      if (!record || record.committing) throw notFound(`partial download ${key}`);
      checkCommitFile(key, record.state.received, file);
      const size = await fs.stat(this.partPath(key)).then(
        (s) => s.size,
        (error: unknown) => {
          throw isMissing(error) ? partLost(key) : error;
        },
      );
      if (size < file.size) throw partLost(key);
      if (size > file.size) await fs.truncate(this.partPath(key), file.size);
      // Everything that can refuse the commit is checked before the first irreversible step.
      const existing = await this.readEntry(framework, name);
      if (!existing) {
        const taken = idTakenIgnoringCase(await this.entryIds(framework), file.entryId);
        if (taken) throw new OmnihubError('exists', `Cannot create ${file.entryId}: the library already has ${taken}.`);
      }
      entryAfterCommit(existing, file, record.state, this.now());
      await writeFileAtomic(this.statePath(key), toJson({ ...record, committing: file } satisfies PartialFileRecord));
      await this.finishCommit(key, { ...record, committing: file }).catch(this.retryRecoveryNextTime);
    });
  }

  async discard(key: string): Promise<void> {
    await this.recovered();
    // State first: once it is gone the partial no longer exists, whatever happens to the .part.
    await fs.rm(this.statePath(key), { force: true });
    await fs.rm(this.partPath(key), { force: true });
  }

  async partials(): Promise<Array<{ key: string; state: PartialState }>> {
    await this.recovered();
    const found: Array<{ key: string; state: PartialState }> = [];
    for (const name of await listDir(this.partialsDir)) {
      if (!name.endsWith('.state.json')) continue;
      const record = await readJson<PartialFileRecord>(join(this.partialsDir, name));
      if (record && !record.committing) found.push({ key: record.key, state: record.state });
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  // ---- steps that may be replayed after a crash -------------------------------------------------------------------

  /** Moves the .part into the entry, writes the entry, forgets the partial; each step is skipped when already done. */
  private async finishCommit(key: string, record: PartialFileRecord & { committing: CommitFile }): Promise<void> {
    const file = record.committing;
    const { framework, name } = parseEntryId(file.entryId);
    const target = this.filePath(framework, name, file.path);
    if (await exists(this.partPath(key))) {
      await fs.mkdir(dirname(target), { recursive: true });
      await fs.rename(this.partPath(key), target);
    } else if (!(await exists(target))) {
      await fs.rm(this.statePath(key), { force: true }); // nothing left to commit
      return;
    }
    const next = entryAfterCommit(await this.readEntry(framework, name), file, record.state, this.now());
    await this.writeEntry(framework, name, next);
    await fs.rm(this.statePath(key), { force: true });
  }

  private async runJournaled(op: JournalRecord): Promise<void> {
    const journal = join(this.journalDir, `${randomId()}.json`);
    await writeFileAtomic(journal, toJson(op));
    await this.replay(op).catch(this.retryRecoveryNextTime);
    await fs.rm(journal, { force: true });
  }

  /** After a step failed half way, the next call of this instance finishes it (as a new instance would). */
  private readonly retryRecoveryNextTime = (error: unknown): never => {
    this.recovery = undefined;
    throw error;
  };

  private async replay(op: JournalRecord): Promise<void> {
    if (op.op === 'delete') {
      // Metadata first: from then on the entry does not exist, even if removing its bytes is interrupted.
      await fs.rm(this.metaPath(op.framework, op.name), { force: true });
      await fs.rm(this.entryDir(op.framework, op.name), { recursive: true, force: true });
      return;
    }
    const { framework, from, to } = op;
    const oldMeta = this.metaPath(framework, from);
    const record = await readJson<EntryFileRecord>(oldMeta);
    if (!record) return; // already renamed
    const fromDir = this.entryDir(framework, from);
    if (await exists(fromDir)) await fs.rename(fromDir, this.entryDir(framework, to));
    // The renamed metadata is written over the old file, then that file is renamed: at no moment do two metadata
    // files describe the entry (and a rename that only changes case works on case-insensitive disks too).
    const renamed: EntryFileRecord = { ...record, entry: renamedEntry(record.entry, to) };
    await writeFileAtomic(oldMeta, toJson(renamed));
    await fs.rename(oldMeta, this.metaPath(framework, to));
  }

  /** Finishes, once per instance, what a process that died left half done. */
  private recovered(): Promise<void> {
    this.recovery ??= this.withEntryLock(async () => {
      for (const name of (await listDir(this.journalDir)).filter((n) => n.endsWith('.json'))) {
        const path = join(this.journalDir, name);
        const op = await readJson<JournalRecord>(path);
        if (op) await this.replay(op);
        await fs.rm(path, { force: true });
      }
      for (const name of (await listDir(this.partialsDir)).filter((n) => n.endsWith('.state.json'))) {
        const record = await readJson<PartialFileRecord>(join(this.partialsDir, name));
        if (record?.committing) await this.finishCommit(record.key, record as PartialFileRecord & { committing: CommitFile });
      }
    });
    return this.recovery;
  }

  // ---- metadata ------------------------------------------------------------------------------------------------

  private async readEntry(framework: Framework, name: string): Promise<EntryFileRecord | undefined> {
    return readJson<EntryFileRecord>(this.metaPath(framework, name));
  }

  private async writeEntry(framework: Framework, name: string, record: EntryRecord): Promise<void> {
    await writeFileAtomic(this.metaPath(framework, name), toJson({ format: FORMAT, entry: record.entry, pending: record.pending }));
  }

  private async entryRecords(framework: Framework): Promise<EntryFileRecord[]> {
    const records: EntryFileRecord[] = [];
    for (const file of await listDir(this.metaDir(framework))) {
      if (!file.endsWith('.json')) continue; // temp files end in .tmp
      const record = await readJson<EntryFileRecord>(join(this.metaDir(framework), file));
      if (record) records.push(record);
    }
    return records;
  }

  private async entryIds(framework: Framework): Promise<string[]> {
    return (await listDir(this.metaDir(framework)))
      .filter((f) => f.endsWith('.json'))
      .map((f) => entryId(framework, f.slice(0, -'.json'.length)));
  }

  private withEntryLock<T>(work: () => Promise<T>): Promise<T> {
    const run = this.entryLock.then(work, work);
    this.entryLock = run.catch(() => undefined);
    return run;
  }

  private async freeBytes(): Promise<number | undefined> {
    let dir = this.root;
    while (!(await exists(dir)) && dirname(dir) !== dir) dir = dirname(dir);
    try {
      const stats = await fs.statfs(dir);
      return stats.bavail * stats.bsize;
    } catch {
      return undefined;
    }
  }
}

async function writeFully(handle: import('node:fs/promises').FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

function partLost(key: string): OmnihubError {
  return new OmnihubError(
    'integrity',
    `The partial file of ${key} is shorter than its saved state (changed outside Omnihub or lost in a power cut); discard it and download again.`,
  );
}

function diskFullError(error: unknown): OmnihubError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new OmnihubError('quota', 'The disk holding the library is full: free space and resume; the bytes stored so far are kept.', {
    cause: error,
  });
}
