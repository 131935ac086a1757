/**
 * A real HTTP server (node:http on 127.0.0.1, a free port) that serves files the way the Hugging Face Hub does,
 * with faults injected on demand, so download and Hub-client code is tested over real sockets and real fetch.
 *
 * Routes, with the response shapes `@huggingface/hub` parses (listModels, modelInfo, listFiles, fileDownloadInfo,
 * downloadFile — checked against its 2.17.5 source):
 *   GET  /api/models?search=&author=&filter=&pipeline_tag=&sort=&direction=&limit=
 *   GET  /api/models/{owner}/{repo}/revision/{rev}[?blobs=true]
 *   GET  /api/models/{owner}/{repo}/tree/{rev}[/{path}]?recursive=true|false
 *   GET|HEAD /{owner}/{repo}/resolve/{rev}/{path}    Range, If-Range, ETag, X-Repo-Commit, X-Linked-Etag/-Size
 *   GET|HEAD /files/{name}                            plain files (catalog URLs)
 *   OPTIONS *                                         CORS preflight
 * Revisions: `main`, `HEAD` or the repository's current commit sha.
 *
 * Faults are queued per file (`file.faults.push(...)`), each applying to the next `times` requests of that file;
 * lasting behaviour is set on the file (`bytesPerSecond`, `corrupt`, `token`). Every request is recorded with its
 * headers and the body bytes sent.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Requests this fault applies to (default 1). */
  times?: number;
  /** Answer this status with a Hub-style JSON error body instead of the file. */
  status?: number;
  /** Retry-After seconds sent with `status`. */
  retryAfter?: number;
  /** Destroy the socket once the body reaches this byte offset of the file (headers and earlier bytes are sent). */
  cutAt?: number;
  /** Answer `302 Location: redirectTo`. */
  redirectTo?: string;
  /** After this request, the file's content becomes these bytes (new sha256, new ETag). */
  replaceAfter?: Uint8Array;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as requested. */
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
  /** Body bytes written to the socket for this request. */
  bodyBytes: number;
}

const LFS_EXTENSIONS = /\.(onnx|bin|safetensors|h5|keras|pt|pth|ckpt|tflite|pb|msgpack|npz|zip|gz|ort)$/;
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers':
    'Content-Range, Content-Length, ETag, Accept-Ranges, X-Repo-Commit, X-Linked-Etag, X-Linked-Size, X-Error-Code, Link',
};

const sha1 = (...parts: Array<string | Uint8Array>) => parts.reduce((h, p) => h.update(p), createHash('sha1')).digest('hex');

/** One file the server serves, with its faults. Content and validators change together through `replace`. */
export class ServedFile {
  bytes!: Uint8Array;
  sha256!: string;
  /** Git blob id as the Hub reports it (of the LFS pointer for LFS files). */
  gitOid!: string;
  pointerSize?: number;
  readonly faults: Fault[] = [];
  /** Throttle for every response of this file (slow links, abort tests). */
  bytesPerSecond?: number;
  /** Flip one byte in what is sent while the ETag and tree keep the true sha256. */
  corrupt = false;
  /** Bearer token required: 401 without one, 403 with another. */
  token?: string;

  constructor(
    readonly path: string,
    bytes: Uint8Array,
    readonly lfs: boolean,
  ) {
    this.replace(bytes);
  }

  replace(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.sha256 = createHash('sha256').update(bytes).digest('hex');
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${this.sha256}\nsize ${bytes.length}\n`;
    const blob = this.lfs ? new TextEncoder().encode(pointer) : bytes;
    this.gitOid = sha1(`blob ${blob.length}\0`, blob);
    this.pointerSize = this.lfs ? blob.length : undefined;
  }

  /** The Hub's ETag: the sha256 for LFS files, the git blob id otherwise (quoted, strong). */
  get etag(): string {
    return `"${this.lfs ? this.sha256 : this.gitOid}"`;
  }

  /** Takes the fault for the next request, if any. */
  nextFault(): Fault | undefined {
    const f = this.faults[0];
    if (f && (f.times ?? 1) <= 1) this.faults.shift();
    else if (f) f.times = (f.times ?? 1) - 1;
    return f;
  }
}

export interface RepoSpec {
  /** `owner/name` */
  id: string;
  files: Record<string, Uint8Array | string>;
  likes?: number;
  downloads?: number;
  tags?: string[];
  library_name?: string;
  pipeline_tag?: string;
  lastModified?: string;
  gated?: false | 'auto' | 'manual';
  /** Bearer token every route of this repository requires. */
  token?: string;
}

export class HubRepo {
  readonly files = new Map<string, ServedFile>();
  constructor(readonly spec: RepoSpec) {
    for (const [path, content] of Object.entries(spec.files)) {
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      const file = new ServedFile(path, bytes, LFS_EXTENSIONS.test(path) || bytes.length >= 10_000_000);
      file.token = spec.token;
      this.files.set(path, file);
    }
  }
  file(path: string): ServedFile {
    const f = this.files.get(path);
    if (!f) throw new Error(`${this.spec.id} has no ${path}`);
    return f;
  }
  /** Commit id derived from the content, so it changes when a file is replaced. */
  get sha(): string {
    return sha1(this.spec.id, ...[...this.files.values()].map((f) => f.path + f.gitOid));
  }
  /** The list/info fields the Hub returns (a superset of what `expand=` asks for). */
  summary(): Record<string, unknown> {
    const s = this.spec;
    return {
      _id: sha1('id', s.id).slice(0, 24), id: s.id, modelId: s.id, author: s.id.split('/')[0], sha: this.sha,
      likes: s.likes ?? 0, downloads: s.downloads ?? 0, tags: s.tags ?? [], library_name: s.library_name,
      pipeline_tag: s.pipeline_tag, private: false, gated: s.gated ?? false, disabled: false,
      lastModified: s.lastModified ?? '2024-01-01T00:00:00.000Z', createdAt: '2023-01-01T00:00:00.000Z',
    };
  }
}

export class HubServer {
  readonly requests: RecordedRequest[] = [];
  readonly repos = new Map<string, HubRepo>();
  readonly plainFiles = new Map<string, ServedFile>();
  url = '';
  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res).catch((e) => {
      console.error('hub-server:', e);
      res.destroy();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addRepo(spec: RepoSpec): HubRepo {
    const repo = new HubRepo(spec);
    this.repos.set(spec.id, repo);
    return repo;
  }

  addFile(name: string, bytes: Uint8Array): ServedFile {
    const file = new ServedFile(name, bytes, LFS_EXTENSIONS.test(name));
    this.plainFiles.set(name, file);
    return file;
  }

  fileUrl(name: string): string {
    return `${this.url}/files/${name}`;
  }

  resolveUrl(repo: string, path: string, revision = 'main'): string {
    return `${this.url}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
  }

  /** Requests whose path starts with `prefix` (e.g. `/files/a.bin`). */
  requestsTo(prefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.startsWith(prefix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, status: 0, bodyBytes: 0 };
    this.requests.push(record);
    const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, string | number>) => ServerResponse;
    res.writeHead = ((status: number, headers?: Record<string, string | number>) => {
      record.status = status;
      return writeHead(status, { ...CORS, ...headers });
    }) as typeof res.writeHead;

    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Range, If-Range, Accept, Content-Type',
        'Access-Control-Max-Age': '86400',
      });
      return void res.end();
    }
    const url = new URL(record.url, this.url);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let m: RegExpMatchArray | null;
    if (url.pathname === '/api/models') return this.listModels(url, res);
    if ((m = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)(?:\/(.*))?$/))) {
      const repo = this.repoAt(decodeURIComponent(m[1]), decodeURIComponent(m[3]), req, res);
      if (!repo) return;
      if (m[2] === 'revision') return json(res, 200, this.modelInfo(repo, url.searchParams.get('blobs') === 'true'));
      return this.tree(repo, m[4] ? decodeURIComponent(m[4]) : '', url.searchParams.get('recursive') === 'true', res);
    }
    if (parts[0] === 'files' && parts.length > 1) {
      const file = this.plainFiles.get(parts.slice(1).join('/'));
      if (!file) return json(res, 404, { error: `no file ${url.pathname}` }, 'EntryNotFound');
      return this.serveFile(file, req, res, record, {});
    }
    if (parts[2] === 'resolve' && parts.length > 4) {
      const repo = this.repoAt(`${parts[0]}/${parts[1]}`, parts[3], req, res);
      if (!repo) return;
      const file = repo.files.get(parts.slice(4).join('/'));
      if (!file) return json(res, 404, { error: 'Entry not found' }, 'EntryNotFound');
      const linked: Record<string, string | number> = { 'X-Repo-Commit': repo.sha };
      if (file.lfs) Object.assign(linked, { 'X-Linked-Etag': file.etag, 'X-Linked-Size': file.bytes.length });
      return this.serveFile(file, req, res, record, linked);
    }
    json(res, 404, { error: `no route ${url.pathname}` });
  }

  /** The repository at a revision the Hub would accept, or an error response (404, 401/403 for a token). */
  private repoAt(id: string, revision: string, req: IncomingMessage, res: ServerResponse): HubRepo | null {
    const repo = this.repos.get(id);
    if (!repo) {
      json(res, 404, { error: 'Repository not found' }, 'RepoNotFound');
      return null;
    }
    if (!checkToken(repo.spec.token, req, res)) return null;
    if (!['main', 'HEAD', repo.sha].includes(revision)) {
      json(res, 404, { error: 'Invalid rev id' }, 'RevisionNotFound');
      return null;
    }
    return repo;
  }

  private listModels(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const search = q.get('search')?.toLowerCase();
    const filters = q.getAll('filter');
    // Like the Hub, list items carry file names only when asked (`expand=siblings`, or `full=true`).
    const siblings = q.getAll('expand').includes('siblings') || q.get('full') === 'true';
    let models = [...this.repos.values()]
      .map((r): Record<string, unknown> => ({ ...r.summary(), ...(siblings && { siblings: [...r.files.keys()].map((rfilename) => ({ rfilename })) }) }))
      .filter((m) => !search || String(m.id).toLowerCase().includes(search))
      .filter((m) => !q.get('author') || m.author === q.get('author'))
      .filter((m) => !q.get('pipeline_tag') || m.pipeline_tag === q.get('pipeline_tag'))
      .filter((m) => filters.every((f) => (m.tags as string[]).includes(f) || m.library_name === f));
    const sort = q.get('sort');
    if (sort) {
      const dir = q.get('direction') === '1' ? 1 : -1; // the Hub sorts descending unless direction=1
      models.sort((a, b) => (a[sort] === b[sort] ? 0 : (a[sort] as number | string) > (b[sort] as number | string) ? dir : -dir));
    }
    if (q.has('limit')) models = models.slice(0, Number(q.get('limit')));
    json(res, 200, models);
  }

  private modelInfo(repo: HubRepo, blobs: boolean): Record<string, unknown> {
    const siblings = [...repo.files.values()].map((f) =>
      blobs
        ? { rfilename: f.path, blobId: f.gitOid, size: f.bytes.length, ...(f.lfs && { lfs: { sha256: f.sha256, size: f.bytes.length, pointerSize: f.pointerSize } }) }
        : { rfilename: f.path },
    );
    const usedStorage = [...repo.files.values()].reduce((n, f) => n + f.bytes.length, 0);
    return { ...repo.summary(), siblings, spaces: [], usedStorage };
  }

  /** Tree entries under `dir`: direct children, or everything below with `recursive` (directories included). */
  private tree(repo: HubRepo, dir: string, recursive: boolean, res: ServerResponse): void {
    const prefix = dir ? `${dir.replace(/\/$/, '')}/` : '';
    const dirs = new Set<string>();
    const files: Record<string, unknown>[] = [];
    for (const f of repo.files.values()) {
      if (!f.path.startsWith(prefix)) continue;
      const rest = f.path.slice(prefix.length).split('/');
      for (let i = 1; i < rest.length && (recursive || i === 1); i++) dirs.add(prefix + rest.slice(0, i).join('/'));
      if (!recursive && rest.length > 1) continue;
      const lfs = f.lfs ? { lfs: { oid: f.sha256, size: f.bytes.length, pointerSize: f.pointerSize } } : {};
      files.push({ type: 'file', oid: f.gitOid, size: f.bytes.length, path: f.path, ...lfs });
    }
    if (prefix && !files.length && !dirs.size) return json(res, 404, { error: `${dir} not found` }, 'EntryNotFound');
    const dirEntries = [...dirs].sort().map((path) => ({ type: 'directory', oid: sha1('tree', path), size: 0, path }));
    json(res, 200, [...dirEntries, ...files.sort((a, b) => String(a.path).localeCompare(String(b.path)))]);
  }

  /** Serves a file with single-range support (RFC 9110 §14), If-Range, and the file's next fault. */
  private async serveFile(file: ServedFile, req: IncomingMessage, res: ServerResponse, record: RecordedRequest, extra: Record<string, string | number>): Promise<void> {
    if (!checkToken(file.token, req, res)) return;
    const fault = file.nextFault() ?? {};
    try {
      if (fault.redirectTo) return void res.writeHead(302, { Location: fault.redirectTo }).end();
      if (fault.status) {
        const retry: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
        return json(res, fault.status, { error: `injected ${fault.status}` }, undefined, retry);
      }
      const size = file.bytes.length;
      const headers: Record<string, string | number> = { ...extra, ETag: file.etag, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
      let [start, end, status] = [0, size, 200];
      const range = req.headers.range;
      const ifRange = req.headers['if-range'];
      if (range && (!ifRange || ifRange === file.etag)) {
        const m = /^bytes=(\d*)-(\d*)$/.exec(range);
        const [from, to] = m ? [m[1], m[2]] : ['', ''];
        if (m && from !== '') [start, end] = [Number(from), to === '' ? size : Math.min(size, Number(to) + 1)];
        else if (m && to !== '') [start, end] = [Math.max(0, size - Number(to)), size];
        if (!m || start >= size || end <= start) {
          return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
        }
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
      }
      res.writeHead(status, { ...headers, 'Content-Length': end - start });
      if (req.method === 'HEAD') return void res.end();
      await sendBody(file, res, record, start, end, fault.cutAt);
    } finally {
      if (fault.replaceAfter) file.replace(fault.replaceAfter);
    }
  }
}

export async function startHubServer(): Promise<HubServer> {
  return new HubServer().start();
}

/** Writes bytes [start, end) in pieces, throttled if asked, cutting the connection at `cutAt` if asked. */
async function sendBody(file: ServedFile, res: ServerResponse, record: RecordedRequest, start: number, end: number, cutAt?: number): Promise<void> {
  const stop = cutAt === undefined ? end : Math.min(end, Math.max(start, cutAt));
  const piece = file.bytesPerSecond ? Math.max(1, Math.floor(file.bytesPerSecond / 20)) : 64 * 1024;
  const corruptAt = file.corrupt ? file.bytes.length >> 1 : -1;
  // Headers go out first even when the cut comes before any body byte: a cut is a broken body, not a refused request.
  if (!(await write(res, new Uint8Array(0)))) return;
  for (let pos = start; pos < stop && !res.destroyed; ) {
    const n = Math.min(piece, stop - pos);
    let bytes = file.bytes.subarray(pos, pos + n);
    if (corruptAt >= pos && corruptAt < pos + n) {
      bytes = new Uint8Array(bytes); // a copy: Buffer#slice would be a view, and the flip would stick to the file
      bytes[corruptAt - pos] ^= 0xff;
    }
    // Waiting for each write to reach the socket makes `bodyBytes` and the cut point exact.
    if (!(await write(res, bytes))) return;
    record.bodyBytes += n;
    pos += n;
    if (file.bytesPerSecond) await new Promise((r) => setTimeout(r, (n / file.bytesPerSecond!) * 1000));
  }
  if (stop < end) res.socket?.destroy();
  else res.end();
}

function write(res: ServerResponse, bytes: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    const onClose = () => resolve(false);
    res.once('close', onClose);
    res.write(bytes, (err) => {
      res.off('close', onClose);
      resolve(!err);
    });
  });
}

/** The Hub answers 401 without a token and 403 with one that does not grant access. */
function checkToken(token: string | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  if (!token) return true;
  const auth = req.headers.authorization;
  if (auth === `Bearer ${token}`) return true;
  if (!auth) json(res, 401, { error: 'Access to this resource is restricted. You must be authenticated to access it.' }, 'GatedRepo');
  else json(res, 403, { error: 'Access to this resource is restricted and you are not in the authorized list.' }, 'GatedRepo');
  return false;
}

function json(res: ServerResponse, status: number, body: unknown, errorCode?: string, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra };
  if (errorCode) headers['X-Error-Code'] = errorCode;
  res.writeHead(status, headers).end(text);
}
