/**
 * Hugging Face Hub through the official `@huggingface/hub` client: model search, a repository's files with sizes
 * and LFS hashes at a revision, and the download URL of any file. The Hub URL, fetch and token are passed in, so the
 * browser, the CLI and the tests (a loopback server speaking the same API) use the same code.
 */
import { listFiles, listModels, modelInfo } from '@huggingface/hub';
import { OmnihubError } from '../../errors.js';
import type { EntrySource } from '../../library/types.js';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

export interface HubOptions {
  /** `https://huggingface.co` unless a mirror or a test server is used (the CLI reads HF_ENDPOINT, as huggingface_hub does). */
  hubUrl?: string;
  /** Access token for gated or private repositories: sent to `hubUrl` only, never to another host. */
  accessToken?: string;
  fetch?: typeof fetch;
}

export interface HubModel {
  id: string;
  task?: string;
  likes: number;
  downloads: number;
  updatedAt: string;
  gated: false | 'auto' | 'manual';
  private: boolean;
}

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content, for files stored with Git LFS (the Hub's `lfs.oid`); undefined for small git files. */
  sha256?: string;
}

function hubUrlOf(options: HubOptions): string {
  return (options.hubUrl ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
}

function clientParams(options: HubOptions) {
  return {
    hubUrl: hubUrlOf(options),
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.accessToken && { accessToken: options.accessToken }),
  };
}

/** `owner/name`, each part as the Hub allows (letters, digits, `-`, `_`, `.`). */
export function assertRepoId(repo: string): string {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo) || repo.split('/').some((p) => p === '.' || p === '..')) {
    throw new OmnihubError('usage', `'${repo}' is not a Hub repository id (owner/name).`);
  }
  return repo;
}

/** Failures of the client (HubApiError carries the HTTP status) as the downloader's error codes. */
function hubError(e: unknown, what: string): OmnihubError {
  if (e instanceof OmnihubError) return e;
  const status = (e as { statusCode?: number }).statusCode;
  const detail = e instanceof Error ? e.message : String(e);
  if (status === 401 || status === 403) return new OmnihubError('auth', `${what}: access denied (${status}); a gated or private repository needs an access token.`, { cause: e });
  if (status === 404) return new OmnihubError('not-found', `${what}: not found on the Hub.`, { cause: e });
  if (status) return new OmnihubError('http', `${what}: the Hub answered ${status} (${detail}).`, { cause: e });
  return new OmnihubError('network', `${what}: could not reach the Hub (${detail}).`, { cause: e });
}

export async function searchModels(query: string, options: HubOptions & { limit?: number; library?: string } = {}): Promise<HubModel[]> {
  const found: HubModel[] = [];
  try {
    for await (const m of listModels({
      ...clientParams(options),
      search: { query, ...(options.library && { tags: [options.library] }) },
      limit: options.limit ?? 20,
    })) {
      // The client's ModelEntry has the repository id (`owner/name`) in `name`; its `id` is the Hub's internal `_id`.
      found.push({ id: m.name, task: m.task, likes: m.likes, downloads: m.downloads, updatedAt: new Date(m.updatedAt).toISOString(), gated: m.gated, private: m.private });
    }
  } catch (e) {
    throw hubError(e, `searching the Hub for '${query}'`);
  }
  return found;
}

/** The commit a revision (branch, tag or sha) points to now, so a download stays pinned to one version. */
export async function resolveRevision(repo: string, revision: string, options: HubOptions = {}): Promise<string> {
  try {
    const info = await modelInfo({ ...clientParams(options), name: assertRepoId(repo), revision, additionalFields: ['sha'] });
    const sha = (info as { sha?: string }).sha;
    if (!sha) throw new OmnihubError('http', `The Hub did not say which commit ${repo}@${revision} is.`);
    return sha;
  } catch (e) {
    throw hubError(e, `${repo}@${revision}`);
  }
}

export async function listRepoFiles(repo: string, revision: string, options: HubOptions = {}): Promise<HubFile[]> {
  const files: HubFile[] = [];
  try {
    for await (const f of listFiles({ ...clientParams(options), repo: { type: 'model', name: assertRepoId(repo) }, revision, recursive: true })) {
      if (f.type !== 'file') continue;
      files.push({ path: f.path, size: f.lfs?.size ?? f.size, ...(f.lfs && { sha256: f.lfs.oid }) });
    }
  } catch (e) {
    throw hubError(e, `${repo}@${revision}`);
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The URL the Hub serves a file's content at (it may redirect to its CDN). */
export function fileUrl(repo: string, revision: string, path: string, options: HubOptions = {}): string {
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  return `${hubUrlOf(options)}/${assertRepoId(repo)}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}

export function hubSource(repo: string, revision: string, path: string | undefined, options: HubOptions = {}): EntrySource {
  return { kind: 'hf', repo, revision, ...(path && { path, url: fileUrl(repo, revision, path, options) }) };
}

/** Request headers for Hub downloads: the token, for the Hub's own origin only. */
export function hubHeaders(options: HubOptions): { headers?: Record<string, string>; headersOrigin?: string } {
  if (!options.accessToken) return {};
  return { headers: { Authorization: `Bearer ${options.accessToken}` }, headersOrigin: new URL(hubUrlOf(options)).origin };
}
