// The library: one behaviour, two backends (IndexedDB through fake-indexeddb, and a folder), one suite run against both.
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createSHA256 } from 'hash-wasm';
import { createStore, keys, values } from 'idb-keyval';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isOmnihubError, type ErrorCode } from '../../src/core/errors.js';
import { IndexedDbLibrary, safeEntryName, type LibraryStore, type NewEntry, type PartialState } from '../../src/core/library/index.js';
import { defaultLibraryRoot, FolderLibrary } from '../../src/core/library/node.js';
import { fixture, REPO } from '../support/paths.js';

const MB = 1024 * 1024;
const MNIST = fixture('onnx', 'burn_mnist.onnx');
const MNIST_SIZE = 1509899;

interface Backend {
  /** A new instance on the same storage (same database, same folder): what a page reload or a new CLI run sees. */
  open(): LibraryStore;
  /** IndexedDB only: how many chunk records are stored. */
  chunkCount?(): Promise<number>;
  /** Folder only: the library root, and the scratch folder around it (nothing may appear there but the root). */
  root?: string;
  scratch?: string;
}

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

let dbCounter = 0;
function indexedDbBackend(): Backend {
  const dbName = `omnihub-library-test-${++dbCounter}`;
  const raw = createStore(dbName, 'library');
  return {
    open: () => new IndexedDbLibrary({ dbName, maxChunkBytes: MB }),
    chunkCount: async () => (await keys(raw)).filter((k) => Array.isArray(k) && k[0] === 'chunk').length,
  };
}

function folderBackend(): Backend {
  const scratch = mkdtempSync(join(tmpdir(), 'omnihub-library-'));
  scratchDirs.push(scratch);
  const root = join(scratch, 'home');
  return { open: () => new FolderLibrary({ root, importBatchBytes: MB }), root, scratch };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes (so a mixed-up chunk order cannot go unnoticed). */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return concat(...parts);
}

async function errorCode(promise: Promise<unknown>): Promise<ErrorCode | 'no error' | string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return isOmnihubError(error) ? error.code : `not an OmnihubError: ${String(error)}`;
  }
}

function newEntry(name: string, extra: Partial<NewEntry> = {}): NewEntry {
  return { framework: 'onnx', name, source: { kind: 'local' }, ...extra };
}

/** Appends `parts` the way the downloader does: state.received grows, hashState carries the incremental sha256. */
async function appendParts(store: LibraryStore, key: string, start: PartialState, parts: Uint8Array[]): Promise<PartialState> {
  const hasher = await createSHA256();
  if (start.hashState) hasher.load(start.hashState);
  else hasher.init();
  let state = start;
  for (const part of parts) {
    hasher.update(part);
    state = { ...state, received: state.received + part.length, hashState: hasher.save() };
    await store.append(key, part, state);
  }
  return state;
}

async function digestOf(state: PartialState): Promise<string> {
  const hasher = await createSHA256();
  hasher.load(state.hashState!);
  return hasher.digest('hex');
}

describe.each([
  ['IndexedDB', indexedDbBackend],
  ['folder', folderBackend],
] as const)('library on %s', (_name, makeBackend) => {
  it('imports a real model: size and sha256 computed while storing, bytes read back identical', async () => {
    const backend = makeBackend();
    const library = backend.open();
    const bytes = new Uint8Array(readFileSync(MNIST));
    const entry = await library.addFile(
      newEntry('burn_mnist', { source: { kind: 'local', catalogName: 'burn mnist' }, licence: 'MIT OR Apache-2.0' }),
      'model.onnx',
      bytes,
    );
    expect(entry.id).toBe('onnx/burn_mnist');
    expect(entry.files).toEqual([{ path: 'model.onnx', size: MNIST_SIZE, sha256: sha256(bytes) }]);
    expect(entry.files[0].sha256.startsWith('1dc540ebf93a')).toBe(true); // ../shared/fixtures/MANIFEST.tsv
    expect(entry.licence).toBe('MIT OR Apache-2.0');
    expect(Number.isNaN(Date.parse(entry.createdAt))).toBe(false);

    const reopened = backend.open();
    expect(await reopened.list()).toEqual([entry]);
    expect(await reopened.get('onnx/burn_mnist')).toEqual(entry);
    expect(await reopened.get('onnx/other')).toBeNull();

    const file = await reopened.openFile('onnx/burn_mnist', 'model.onnx');
    expect(file.size).toBe(MNIST_SIZE);
    expect(Buffer.compare(await file.bytes(), bytes)).toBe(0);
    expect(Buffer.compare(await readAll(file.stream()), bytes)).toBe(0);
    const blob = await file.blob();
    expect(blob.size).toBe(MNIST_SIZE);
    expect(sha256(new Uint8Array(await blob.arrayBuffer()))).toBe(entry.files[0].sha256);

    expect((await reopened.usage()).usedBytes).toBe(MNIST_SIZE);
    expect(await reopened.partials()).toEqual([]); // the import's partial is gone
  });

  it('computes the same sha256 from a Blob and from a ReadableStream', async () => {
    const library = makeBackend().open();
    const fromBlob = await library.addFile(newEntry('from_blob'), 'model.onnx', (await openAsBlob(MNIST)) as Blob);
    const stream = Readable.toWeb(createReadStream(MNIST, { highWaterMark: 100_000 })) as unknown as ReadableStream<Uint8Array>;
    const fromStream = await library.addFile(newEntry('from_stream'), 'model.onnx', stream);
    for (const e of [fromBlob, fromStream]) {
      expect(e.files[0].size).toBe(MNIST_SIZE);
      expect(e.files[0].sha256).toBe(sha256(readFileSync(MNIST)));
    }
    const empty = await library.addFile(newEntry('empty'), 'empty.bin', new Uint8Array(0));
    expect(empty.files).toEqual([{ path: 'empty.bin', size: 0, sha256: sha256(new Uint8Array(0)) }]);
    expect((await library.usage()).usedBytes).toBe(2 * MNIST_SIZE);
  });

  it('searches by name, framework, source repo and catalog name, ignoring case', async () => {
    const library = makeBackend().open();
    await library.addFile(newEntry('burn_mnist'), 'model.onnx', bytesOf(10, 1));
    await library.addFile(
      { framework: 'keras', name: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', source: { kind: 'keras', catalogName: 'VGG19/notop' } },
      'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
      bytesOf(20, 2),
    );
    await library.addFile(
      { framework: 'huggingface', name: safeEntryName('Xenova/bert-base-uncased'), source: { kind: 'hf', repo: 'Xenova/bert-base-uncased' } },
      'config.json',
      bytesOf(30, 3),
    );
    const ids = async (text: string) => (await library.search(text)).map((e) => e.id);
    expect(await ids('MNIST')).toEqual(['onnx/burn_mnist']);
    expect(await ids('keras')).toEqual(['keras/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5']);
    expect(await ids('vgg19/NOTOP')).toEqual(['keras/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5']);
    expect(await ids('xenova/BERT')).toEqual(['huggingface/Xenova--bert-base-uncased']);
    expect(await ids('huggingface bert')).toEqual(['huggingface/Xenova--bert-base-uncased']);
    expect(await ids('bert mnist')).toEqual([]);
    expect(await ids('')).toHaveLength(3);
    expect((await library.list()).map((e) => e.id)).toEqual([
      'huggingface/Xenova--bert-base-uncased',
      'keras/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
      'onnx/burn_mnist',
    ]);
  });

  it('adds files to an entry, replaces a file by path, and refuses clashing paths', async () => {
    const backend = makeBackend();
    const library = backend.open();
    const model = bytesOf(5000, 4);
    const config = bytesOf(300, 5);
    await library.addFile(newEntry('bert'), 'onnx/model.onnx', model);
    const both = await library.addFile(newEntry('bert', { source: { kind: 'url', url: 'ignored for an existing entry' } }), 'config.json', config);
    expect(both.files.map((f) => [f.path, f.size])).toEqual([
      ['onnx/model.onnx', 5000],
      ['config.json', 300],
    ]);
    expect(both.source).toEqual({ kind: 'local' }); // an existing entry keeps its metadata
    const newer = bytesOf(7000, 6);
    const replaced = await library.addFile(newEntry('bert'), 'onnx/model.onnx', newer);
    expect(replaced.files.find((f) => f.path === 'onnx/model.onnx')).toEqual({ path: 'onnx/model.onnx', size: 7000, sha256: sha256(newer) });
    expect(Buffer.compare(await (await library.openFile('onnx/bert', 'onnx/model.onnx')).bytes(), newer)).toBe(0);
    expect((await library.usage()).usedBytes).toBe(7000 + 300);

    expect(await errorCode(library.addFile(newEntry('bert'), 'onnx/model.onnx/inner', bytesOf(1, 7)))).toBe('exists');
    expect(await errorCode(library.addFile(newEntry('bert'), 'onnx', bytesOf(1, 7)))).toBe('exists');
    expect(await errorCode(library.addFile(newEntry('bert'), 'CONFIG.json', bytesOf(1, 7)))).toBe('exists');
    expect((await library.usage()).usedBytes).toBe(7000 + 300);
    expect(await library.partials()).toEqual([]);
    if (backend.chunkCount) expect(await backend.chunkCount()).toBe(2);
  });

  it('renames an entry (name and id), keeping its bytes; refuses an existing or missing id', async () => {
    const backend = makeBackend();
    const library = backend.open();
    const bytes = bytesOf(3 * MB + 5, 8);
    await library.addFile(newEntry('old'), 'model.onnx', bytes);
    await library.addFile(newEntry('other'), 'model.onnx', bytesOf(10, 9));
    const chunksBefore = await backend.chunkCount?.();

    const renamed = await library.rename('onnx/old', 'new');
    expect(renamed.id).toBe('onnx/new');
    expect(renamed.name).toBe('new');
    expect(await library.get('onnx/old')).toBeNull();
    expect(await backend.open().get('onnx/new')).toEqual(renamed);
    expect(Buffer.compare(await (await backend.open().openFile('onnx/new', 'model.onnx')).bytes(), bytes)).toBe(0);
    expect(await backend.chunkCount?.()).toBe(chunksBefore); // no bytes copied

    expect(await errorCode(library.rename('onnx/new', 'other'))).toBe('exists');
    expect(await errorCode(library.rename('onnx/new', 'OTHER'))).toBe('exists'); // ids are unique ignoring case
    expect(await errorCode(library.rename('onnx/missing', 'x'))).toBe('not-found');
    expect((await library.list()).map((e) => e.id)).toEqual(['onnx/new', 'onnx/other']);

    const recased = await library.rename('onnx/new', 'NEW');
    expect((await library.list()).map((e) => e.id)).toEqual(['onnx/NEW', 'onnx/other']);
    expect(Buffer.compare(await (await library.openFile(recased.id, 'model.onnx')).bytes(), bytes)).toBe(0);
    expect((await library.usage()).usedBytes).toBe(bytes.length + 10);
  });

  it('deletes metadata and bytes', async () => {
    const backend = makeBackend();
    const library = backend.open();
    await library.addFile(newEntry('keep'), 'model.onnx', bytesOf(1000, 10));
    await library.addFile(newEntry('drop'), 'model.onnx', bytesOf(2 * MB, 11));
    await library.addFile(newEntry('drop'), 'extra/data.bin', bytesOf(500, 12));
    expect((await library.usage()).usedBytes).toBe(1000 + 2 * MB + 500);
    await library.delete('onnx/drop');
    expect((await library.list()).map((e) => e.id)).toEqual(['onnx/keep']);
    expect(await errorCode(library.openFile('onnx/drop', 'model.onnx'))).toBe('not-found');
    expect(await errorCode(library.delete('onnx/drop'))).toBe('not-found');
    expect((await backend.open().usage()).usedBytes).toBe(1000);
    if (backend.chunkCount) expect(await backend.chunkCount()).toBe(1);
    if (backend.root) expect(existsSync(join(backend.root, 'onnx', 'drop'))).toBe(false);
  });

  it('stores a download in chunks, resumes it in a new instance, and commits it without listing it before', async () => {
    const backend = makeBackend();
    const first = backend.open();
    const key = 'https://example.test/resnet18.onnx';
    const entryMeta = { framework: 'onnx', name: 'resnet18', source: { kind: 'url', url: key } };
    const parts = [bytesOf(300_000, 13), bytesOf(Math.round(1.5 * MB), 14), bytesOf(Math.round(2.5 * MB), 15)];
    const more = [bytesOf(MB, 16), bytesOf(12345, 17)];
    const all = concat(...parts, ...more);

    await first.begin(key, { url: key, received: 0, total: all.length, etag: '"v1"', meta: { entry: entryMeta, expectedSha256: sha256(all) } });
    let state = await appendParts(first, key, { url: key, received: 0, total: all.length, etag: '"v1"', meta: { entry: entryMeta } }, parts);
    const storedSoFar = parts.reduce((n, p) => n + p.length, 0);
    // 1 MB chunk limit: 300 kB → 1 chunk, 1.5 MB → 2, 2.5 MB → 3.
    if (backend.chunkCount) expect(await backend.chunkCount()).toBe(6);
    expect(await first.list()).toEqual([]);
    expect(await first.get('onnx/resnet18')).toBeNull();
    expect(await first.search('resnet')).toEqual([]);
    expect((await first.usage()).usedBytes).toBe(storedSoFar);

    const second = backend.open(); // page reload / new CLI run
    const listed = await second.partials();
    expect(listed.map((p) => [p.key, p.state.received, p.state.total, p.state.etag])).toEqual([[key, storedSoFar, all.length, '"v1"']]);
    const resumed = await second.resumeState(key);
    expect(resumed?.received).toBe(storedSoFar);
    expect(resumed?.meta.entry).toEqual(entryMeta);
    expect(Buffer.compare(resumed!.hashState!, state.hashState!)).toBe(0);
    state = await appendParts(second, key, resumed!, more);
    if (backend.chunkCount) expect(await backend.chunkCount()).toBe(8);
    expect(await second.list()).toEqual([]);

    const digest = await digestOf(state); // the hash carried across the reload is the hash of all the bytes
    expect(digest).toBe(sha256(all));
    await second.commit(key, { entryId: 'onnx/resnet18', path: 'resnet18.onnx', size: all.length, sha256: digest });
    if (backend.chunkCount) expect(await backend.chunkCount()).toBe(8); // committing moved no bytes

    const third = backend.open();
    const entries = await third.list();
    expect(entries.map((e) => [e.id, e.files])).toEqual([['onnx/resnet18', [{ path: 'resnet18.onnx', size: all.length, sha256: sha256(all) }]]]);
    expect(entries[0].source).toEqual({ kind: 'url', url: key });
    expect(Buffer.compare(await (await third.openFile('onnx/resnet18', 'resnet18.onnx')).bytes(), all)).toBe(0);
    expect(await third.partials()).toEqual([]);
    expect(await third.resumeState(key)).toBeNull();
    expect((await third.usage()).usedBytes).toBe(all.length);
    if (backend.root) expect(statSync(join(backend.root, 'onnx', 'resnet18', 'resnet18.onnx')).size).toBe(all.length);
  });

  it('discard removes a partial and its bytes; begin restarts a key afresh', async () => {
    const backend = makeBackend();
    const library = backend.open();
    await library.addFile(newEntry('base'), 'model.onnx', bytesOf(777, 18));
    const before = (await library.usage()).usedBytes;
    const chunksBefore = await backend.chunkCount?.();
    const meta = { entry: { framework: 'onnx', name: 'dropped', source: { kind: 'url', url: 'u' } } };
    await library.begin('k', { url: 'u', received: 0, meta });
    await appendParts(library, 'k', { url: 'u', received: 0, meta }, [bytesOf(2 * MB + 3, 19), bytesOf(10, 20)]);
    expect((await library.usage()).usedBytes).toBe(before + 2 * MB + 13);

    await library.begin('k', { url: 'u', received: 0, meta }); // drops the earlier bytes
    expect(await library.resumeState('k')).toMatchObject({ received: 0 });
    expect((await library.usage()).usedBytes).toBe(before);
    await appendParts(library, 'k', { url: 'u', received: 0, meta }, [bytesOf(1000, 21)]);
    expect((await library.usage()).usedBytes).toBe(before + 1000);

    await library.discard('k');
    await library.discard('k'); // discarding twice is harmless
    expect(await library.resumeState('k')).toBeNull();
    expect(await library.partials()).toEqual([]);
    expect((await backend.open().usage()).usedBytes).toBe(before);
    expect(await backend.chunkCount?.()).toBe(chunksBefore);
    expect((await library.list()).map((e) => e.id)).toEqual(['onnx/base']);
  });

  it('refuses out-of-order appends and wrong commits, leaving the partial as it was', async () => {
    const library = makeBackend().open();
    const meta = { entry: { framework: 'onnx', name: 'x', source: { kind: 'url', url: 'u' } } };
    await library.begin('k', { url: 'u', received: 0, meta });
    await library.append('k', bytesOf(100, 22), { url: 'u', received: 100, meta });
    expect(await errorCode(library.append('k', bytesOf(100, 23), { url: 'u', received: 300, meta }))).toBe('usage');
    expect(await errorCode(library.append('missing', bytesOf(1, 1), { url: 'u', received: 1, meta }))).toBe('not-found');
    expect(await errorCode(library.begin('k2', { url: 'u', received: 5, meta }))).toBe('usage');
    const good = sha256(bytesOf(100, 22));
    expect(await errorCode(library.commit('k', { entryId: 'onnx/x', path: 'm.onnx', size: 99, sha256: good }))).toBe('usage');
    expect(await errorCode(library.commit('k', { entryId: 'onnx/y', path: 'm.onnx', size: 100, sha256: good }))).toBe('usage');
    expect(await errorCode(library.commit('k', { entryId: 'onnx/x', path: '../m.onnx', size: 100, sha256: good }))).toBe('unsafe-path');
    expect(await errorCode(library.commit('nope', { entryId: 'onnx/x', path: 'm.onnx', size: 100, sha256: good }))).toBe('not-found');
    expect(await library.resumeState('k')).toMatchObject({ received: 100 });
    expect(await library.list()).toEqual([]);
    expect((await library.usage()).usedBytes).toBe(100);
    await library.commit('k', { entryId: 'onnx/x', path: 'm.onnx', size: 100, sha256: good });
    expect((await library.list()).map((e) => e.files)).toEqual([[{ path: 'm.onnx', size: 100, sha256: good }]]);
  });

  it('creates an entry from its id and URL when the partial carries no meta.entry', async () => {
    const library = makeBackend().open();
    const bytes = bytesOf(2048, 42);
    const url = 'https://example.test/squeezenet.onnx';
    // The meta the downloader writes today: no `entry`, only what its resume button needs.
    const meta = { file: 'squeezenet.onnx', entryId: 'onnx/squeezenet', path: 'model.onnx' };
    await library.begin('s', { url, received: 0, meta });
    await library.append('s', bytes, { url, received: 2048, meta });
    await library.commit('s', { entryId: 'onnx/squeezenet', path: 'model.onnx', size: 2048, sha256: sha256(bytes) });
    const [entry] = await library.list();
    expect([entry.id, entry.framework, entry.name, entry.source, entry.files]).toEqual([
      'onnx/squeezenet',
      'onnx',
      'squeezenet',
      { kind: 'url', url },
      [{ path: 'model.onnx', size: 2048, sha256: sha256(bytes) }],
    ]);
  });

  it('keeps a multi-file download pending until every listed file is committed', async () => {
    const backend = makeBackend();
    const library = backend.open();
    const entry = { framework: 'huggingface', name: 'Xenova--tiny', source: { kind: 'hf', repo: 'Xenova/tiny' }, files: ['config.json', 'onnx/model.onnx'] };
    const config = bytesOf(200, 24);
    const model = bytesOf(3000, 25);
    for (const [key, bytes] of [['c', config], ['m', model]] as const) {
      await library.begin(key, { url: key, received: 0, meta: { entry } });
      await library.append(key, bytes, { url: key, received: bytes.length, meta: { entry } });
    }
    await library.commit('c', { entryId: 'huggingface/Xenova--tiny', path: 'config.json', size: 200, sha256: sha256(config) });
    expect(await library.list()).toEqual([]);
    expect(await library.get('huggingface/Xenova--tiny')).toBeNull();
    expect(await errorCode(library.openFile('huggingface/Xenova--tiny', 'config.json'))).toBe('not-found');
    expect((await library.usage()).usedBytes).toBe(3200);
    await backend.open().commit('m', { entryId: 'huggingface/Xenova--tiny', path: 'onnx/model.onnx', size: 3000, sha256: sha256(model) });
    const listed = await library.list();
    expect(listed.map((e) => [e.id, e.files.map((f) => f.path)])).toEqual([['huggingface/Xenova--tiny', ['config.json', 'onnx/model.onnx']]]);
    expect(Buffer.compare(await (await library.openFile('huggingface/Xenova--tiny', 'onnx/model.onnx')).bytes(), model)).toBe(0);
  });

  it('treats ids as unique ignoring case', async () => {
    const library = makeBackend().open();
    await library.addFile(newEntry('ResNet'), 'model.onnx', bytesOf(10, 26));
    expect(await errorCode(library.addFile(newEntry('resnet'), 'model.onnx', bytesOf(10, 27)))).toBe('exists');
    expect((await library.list()).map((e) => e.id)).toEqual(['onnx/ResNet']);
    expect(await library.partials()).toEqual([]);
    expect((await library.usage()).usedBytes).toBe(10);
  });

  it('rejects unsafe names and paths everywhere, writing nothing', async () => {
    const backend = makeBackend();
    const library = backend.open();
    const badNames = ['..', '.', '', '../evil', 'a/b', '/etc', 'C:\\evil', 'x\u0000y', 'tab\there', 'CON', 'nul.txt', 'trailing.', 'x'.repeat(201), 'a?b'];
    const badPaths = ['../x', '/abs/x', 'a/../../x', 'a//b', 'a\\b', '', './x', 'x/', 'x\u0000', 'C:/x', 'a/..'];
    for (const name of badNames) {
      expect(await errorCode(library.addFile(newEntry(name), 'model.onnx', bytesOf(10, 1))), name).toBe('unsafe-path');
      expect(
        await errorCode(library.begin('k', { url: 'u', received: 0, meta: { entry: newEntry(name) } })),
        name,
      ).toBe('unsafe-path');
    }
    for (const path of badPaths) {
      expect(await errorCode(library.addFile(newEntry('ok'), path, bytesOf(10, 1))), path).toBe('unsafe-path');
    }
    expect(await errorCode(library.get('onnx/../../etc'))).toBe('unsafe-path');
    expect(await errorCode(library.get('nonsense/x'))).toBe('usage');
    expect(await errorCode(library.delete('onnx/..'))).toBe('unsafe-path');
    await library.addFile(newEntry('ok'), 'model.onnx', bytesOf(10, 1));
    for (const name of ['..', '../../escape', 'a/b', '/tmp/x']) {
      expect(await errorCode(library.rename('onnx/ok', name)), name).toBe('unsafe-path');
    }
    expect((await library.list()).map((e) => [e.id, e.files.map((f) => f.path)])).toEqual([['onnx/ok', ['model.onnx']]]);
    expect(await library.partials()).toEqual([]);
    expect((await library.usage()).usedBytes).toBe(10);
    if (backend.scratch) {
      expect(readdirSync(backend.scratch)).toEqual(['home']); // nothing beside the root
      expect(readdirSync(backend.root!).sort()).toEqual(['.omnihub', 'onnx']);
      expect(readdirSync(join(backend.root!, 'onnx'))).toEqual(['ok']);
    }
  });

  it('lists an entry for export', async () => {
    const backend = makeBackend();
    const library = backend.open();
    await library.addFile(newEntry('single'), 'model.onnx', bytesOf(10, 28));
    await library.addFile(newEntry('multi'), 'config.json', bytesOf(20, 29));
    await library.addFile(newEntry('multi'), 'onnx/model.onnx', bytesOf(30, 30));
    const single = await library.exportEntry('onnx/single');
    expect(single.files.map((f) => [f.path, f.size, f.exportPath, f.downloadName])).toEqual([['model.onnx', 10, 'single/model.onnx', 'model.onnx']]);
    const multi = await library.exportEntry('onnx/multi');
    expect(multi.files.map((f) => [f.exportPath, f.downloadName])).toEqual([
      ['multi/config.json', 'multi_config.json'],
      ['multi/onnx/model.onnx', 'multi_onnx_model.onnx'],
    ]);
    if (backend.root) {
      expect(multi.files[1].localPath).toBe(join(backend.root, 'onnx', 'multi', 'onnx', 'model.onnx'));
      expect(readFileSync(multi.files[1].localPath!)).toEqual(Buffer.from(bytesOf(30, 30)));
    } else {
      expect(multi.files[1].localPath).toBeUndefined();
    }
    expect(structuredClone(multi)).toEqual(multi); // plain data: crosses a worker boundary
    expect(await errorCode(library.exportEntry('onnx/none'))).toBe('not-found');
  });
});

describe('folder library specifics', () => {
  it('lays entries out as <root>/<framework>/<name>/<path> with metadata under .omnihub/', async () => {
    const { root, open } = folderBackend();
    const library = open();
    const name = 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5';
    await library.addFile({ framework: 'keras', name, source: { kind: 'keras' } }, name, bytesOf(1234, 31));
    const filePath = join(root!, 'keras', name, name);
    expect(statSync(filePath).size).toBe(1234);
    const meta = JSON.parse(readFileSync(join(root!, '.omnihub', 'entries', 'keras', `${name}.json`), 'utf8'));
    expect(meta.entry.id).toBe(`keras/${name}`);
    expect(meta.pending).toEqual([]);
    expect(readdirSync(join(root!, '.omnihub', 'partials'))).toEqual([]);
    const usage = await library.usage();
    expect(usage.usedBytes).toBe(1234);
    expect(usage.quotaBytes).toBeGreaterThan(1234);
  });

  it('takes its root from the constructor, else OMNIHUB_HOME, else ~/.omnihub', () => {
    expect(new FolderLibrary('/tmp/x/../lib').root).toBe('/tmp/lib');
    expect(new FolderLibrary({ env: { OMNIHUB_HOME: '/srv/models' } }).root).toBe('/srv/models');
    expect(defaultLibraryRoot({ HOME: '/home/u' })).toMatch(/\.omnihub$/);
    expect(new FolderLibrary({ root: '/a', env: { OMNIHUB_HOME: '/b' } }).root).toBe('/a');
  });

  it('cuts a .part back to the saved state when the process died between writing bytes and state', async () => {
    const { root, open } = folderBackend();
    const key = 'https://example.test/m.onnx';
    const meta = { entry: { framework: 'onnx', name: 'm', source: { kind: 'url', url: key } } };
    const library = open();
    await library.begin(key, { url: key, received: 0, meta });
    const good = bytesOf(5000, 32);
    await library.append(key, good, { url: key, received: 5000, meta });
    const partials = join(root!, '.omnihub', 'partials');
    const part = readdirSync(partials).find((n) => n.endsWith('.part'))!;
    appendFileSync(join(partials, part), bytesOf(777, 33)); // bytes written, state never saved

    const resumed = open();
    expect((await resumed.resumeState(key))?.received).toBe(5000);
    expect(statSync(join(partials, part)).size).toBe(5000);
    const rest = bytesOf(100, 34);
    await resumed.append(key, rest, { url: key, received: 5100, meta });
    await resumed.commit(key, { entryId: 'onnx/m', path: 'm.onnx', size: 5100, sha256: sha256(concat(good, rest)) });
    expect(Buffer.compare(readFileSync(join(root!, 'onnx', 'm', 'm.onnx')), concat(good, rest))).toBe(0);
  });

  it('drops a partial whose .part is shorter than its state', async () => {
    const { root, open } = folderBackend();
    const meta = { entry: { framework: 'onnx', name: 'm', source: { kind: 'url', url: 'u' } } };
    const library = open();
    await library.begin('k', { url: 'u', received: 0, meta });
    await library.append('k', bytesOf(100, 35), { url: 'u', received: 100, meta });
    const partials = join(root!, '.omnihub', 'partials');
    writeFileSync(join(partials, readdirSync(partials).find((n) => n.endsWith('.part'))!), bytesOf(50, 35));
    expect(await errorCode(open().append('k', bytesOf(1, 1), { url: 'u', received: 101, meta }))).toBe('integrity');
    expect(await open().resumeState('k')).toBeNull();
    expect(await open().partials()).toEqual([]);
    expect(readdirSync(partials)).toEqual([]);
  });

  describe('finishes operations interrupted by a crash', () => {
    afterEach(() => vi.restoreAllMocks());

    /** Makes the n-th fs.rename whose target matches `pattern` fail, as if the process had died there. */
    function crashOnRename(pattern: RegExp): void {
      const real = fsp.rename.bind(fsp);
      vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
        if (pattern.test(String(to))) throw Object.assign(new Error('simulated crash'), { code: 'ECRASH' });
        return real(from, to);
      });
    }

    it('a commit that moved the bytes but did not write the entry', async () => {
      const { root, open } = folderBackend();
      const meta = { entry: { framework: 'onnx', name: 'm', source: { kind: 'url', url: 'u' } } };
      const library = open();
      const bytes = bytesOf(4096, 36);
      await library.begin('k', { url: 'u', received: 0, meta });
      await library.append('k', bytes, { url: 'u', received: 4096, meta });
      crashOnRename(/entries[/\\]onnx[/\\]m\.json$/);
      expect(await errorCode(library.commit('k', { entryId: 'onnx/m', path: 'm.onnx', size: 4096, sha256: sha256(bytes) }))).toContain('simulated crash');
      vi.restoreAllMocks();
      expect(existsSync(join(root!, 'onnx', 'm', 'm.onnx'))).toBe(true); // bytes in place, entry not yet written
      expect((await library.list()).map((e) => e.id)).toEqual(['onnx/m']); // the same instance finishes it too

      const after = open();
      expect((await after.list()).map((e) => [e.id, e.files])).toEqual([['onnx/m', [{ path: 'm.onnx', size: 4096, sha256: sha256(bytes) }]]]);
      expect(await after.partials()).toEqual([]);
      expect((await after.usage()).usedBytes).toBe(4096);
    });

    it('a rename that moved the folder but not the metadata', async () => {
      const { root, open } = folderBackend();
      const library = open();
      const bytes = bytesOf(999, 37);
      await library.addFile(newEntry('before'), 'model.onnx', bytes);
      crashOnRename(/entries[/\\]onnx[/\\]after\.json$/);
      expect(await errorCode(library.rename('onnx/before', 'after'))).toContain('simulated crash');
      vi.restoreAllMocks();
      expect(existsSync(join(root!, 'onnx', 'after', 'model.onnx'))).toBe(true);

      const after = open();
      expect((await after.list()).map((e) => e.id)).toEqual(['onnx/after']);
      expect(Buffer.compare(await (await after.openFile('onnx/after', 'model.onnx')).bytes(), bytes)).toBe(0);
      expect(readdirSync(join(root!, '.omnihub', 'journal'))).toEqual([]);
    });
  });
});

describe('IndexedDB library specifics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stores chunks as Blobs of at most maxChunkBytes', async () => {
    const dbName = 'omnihub-library-blobs';
    const library = new IndexedDbLibrary({ dbName, maxChunkBytes: MB });
    await library.addFile(newEntry('m'), 'm.bin', bytesOf(2 * MB + 1, 38));
    const stored = (await values(createStore(dbName, 'library'))).filter((v) => v instanceof Blob) as Blob[];
    expect(stored.map((b) => b.size).sort((a, b) => a - b)).toEqual([1, MB, MB]);
  });

  it('reports the quota from navigator.storage.estimate()', async () => {
    const library = new IndexedDbLibrary({ dbName: 'omnihub-library-quota', estimate: async () => ({ quota: 5e9, usage: 123 }) });
    await library.addFile(newEntry('m'), 'm.bin', bytesOf(321, 39));
    expect(await library.usage()).toEqual({ usedBytes: 321, quotaBytes: 5e9 });
  });

  it('turns a QuotaExceededError on a chunk write into a quota error, keeping the last good state resumable', async () => {
    const backend = indexedDbBackend();
    const library = backend.open();
    const key = 'https://example.test/big.onnx';
    const meta = { entry: { framework: 'onnx', name: 'big', source: { kind: 'url', url: key } } };
    const a = bytesOf(Math.round(1.5 * MB), 40);
    const b = bytesOf(Math.round(1.5 * MB), 41);
    await library.begin(key, { url: key, received: 0, meta });
    const afterA = await appendParts(library, key, { url: key, received: 0, meta }, [a]);

    // The browser raises QuotaExceededError when a write would exceed the origin's quota; here the 3rd chunk put does.
    const realPut = IDBObjectStore.prototype.put;
    let chunkPuts = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, k?: IDBValidKey) {
      if (Array.isArray(k) && k[0] === 'chunk' && ++chunkPuts === 2) throw new DOMException('Quota exceeded', 'QuotaExceededError');
      return realPut.call(this, value, k);
    });
    const failure = appendParts(library, key, afterA, [b]).then(
      () => null,
      (e: unknown) => e,
    );
    const error = await failure;
    expect(isOmnihubError(error) && error.code).toBe('quota');
    expect((error as Error).message).toMatch(/quota/i);
    vi.restoreAllMocks();

    const reopened = backend.open();
    const state = await reopened.resumeState(key);
    expect(state?.received).toBe(a.length);
    expect(await backend.chunkCount!()).toBe(2); // neither chunk of the failed append was kept
    expect((await reopened.usage()).usedBytes).toBe(a.length);
    expect(await reopened.list()).toEqual([]);

    const done = await appendParts(reopened, key, state!, [b]);
    await reopened.commit(key, { entryId: 'onnx/big', path: 'big.onnx', size: a.length + b.length, sha256: await digestOf(done) });
    expect(Buffer.compare(await (await reopened.openFile('onnx/big', 'big.onnx')).bytes(), concat(a, b))).toBe(0);
    expect(await backend.chunkCount!()).toBe(4);
  });
});

describe('library entry points', () => {
  it('src/core/library/index.ts bundles for the browser (no Node modules; the folder backend stays in node.ts)', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(REPO, 'src/core/library/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0].text).not.toMatch(/["']node:/);
  });
});
