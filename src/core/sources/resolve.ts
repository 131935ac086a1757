/**
 * Turns a source spec — `hf:owner/repo[/path]`, `keras:NAME`, `torchvision:NAME`, `onnx-zoo:NAME` or an
 * `https://` URL — into a download plan: the library entry to create and one download request per file, each with
 * the hash the source publishes. The CLI and the app both start downloads from here.
 */
import type { DownloadRequest } from '../download/types.js';
import { OmnihubError } from '../errors.js';
import { safeEntryName } from '../library/names.js';
import { entryId, type Framework, type PartialEntryMeta } from '../library/types.js';
import { resolveKerasWeights } from './keras/catalog.js';
import { resolveOnnxZooModel } from './onnx-zoo/catalog.js';
import { resolveTorchvisionWeights } from './torchvision/catalog.js';
import { fileUrl, hubHeaders, hubSource, listRepoFiles, resolveRevision, type HubOptions } from './hf/hub.js';

export interface PlannedDownload {
  request: DownloadRequest;
  /** What the download is checked against: the full sha256, a sha256 prefix (torch.hub), an md5 (Keras), its size, or nothing. */
  verification: 'sha256' | 'sha256-prefix' | 'md5' | 'size' | 'none';
  /** Why a file is not verified by hash, for the user. */
  note?: string;
}

export interface DownloadPlan {
  entry: PartialEntryMeta & { id: string };
  downloads: PlannedDownload[];
}

export interface ResolveOptions {
  /** Branch, tag or commit for Hub sources (default `main`); resolved to a commit so every file comes from one version. */
  revision?: string;
  hub?: HubOptions;
}

function planned(entry: DownloadPlan['entry'], path: string, url: string, check: { sha256?: string; md5?: string; size?: number; note?: string }, extra: Partial<DownloadRequest> = {}): PlannedDownload {
  const request: DownloadRequest = {
    key: `${entry.id}/${path}`,
    url,
    file: path,
    commitTo: { entryId: entry.id, path, entry },
    ...(check.sha256 && { expectedSha256: check.sha256 }),
    ...(check.md5 && { expectedMd5: check.md5 }),
    ...(check.size !== undefined && { expectedSize: check.size }),
    ...extra,
  };
  const verification = check.sha256 ? (check.sha256.length === 64 ? 'sha256' : 'sha256-prefix') : check.md5 ? 'md5' : check.size !== undefined ? 'size' : 'none';
  return { request, verification, ...(check.note && { note: check.note }) };
}

function newEntry(framework: Framework, name: string, rest: Omit<PartialEntryMeta, 'framework' | 'name'>): DownloadPlan['entry'] {
  return { framework, name, id: entryId(framework, name), ...rest };
}

/** Framework of a file fetched from a plain URL, by its extension (the user can still rename or re-import it). */
export function frameworkForFileName(fileName: string): Framework {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (['h5', 'hdf5', 'keras'].includes(ext)) return 'keras';
  if (['pt', 'pth', 'bin', 'ckpt'].includes(ext)) return 'pytorch';
  if (ext === 'tflite') return 'tflite';
  if (['pb', 'savedmodel'].includes(ext)) return 'tensorflow';
  if (ext === 'safetensors') return 'huggingface';
  return 'onnx';
}

async function planHub(spec: string, options: ResolveOptions): Promise<DownloadPlan> {
  const parts = spec.split('/');
  if (parts.length < 2 || !parts[0] || !parts[1]) throw new OmnihubError('usage', `hf:${spec}: expected hf:owner/repo or hf:owner/repo/path/in/repo`);
  const repo = `${parts[0]}/${parts[1]}`;
  const path = parts.slice(2).join('/') || undefined;
  const hub = options.hub ?? {};
  const revision = await resolveRevision(repo, options.revision ?? 'main', hub);
  const files = await listRepoFiles(repo, revision, hub);
  const wanted = path ? files.filter((f) => f.path === path) : files;
  if (wanted.length === 0) throw new OmnihubError('not-found', path ? `${repo}@${revision} has no file '${path}'.` : `${repo}@${revision} has no files.`);
  const entry = newEntry('huggingface', safeEntryName(repo), { source: hubSource(repo, revision, path, hub), files: wanted.map((f) => f.path) });
  const auth = hubHeaders(hub);
  return {
    entry,
    downloads: wanted.map((f) => planned(entry, f.path, fileUrl(repo, revision, f.path, hub),
      { sha256: f.sha256, size: f.size, ...(!f.sha256 && { note: 'small file kept in git: the Hub gives its size, not a sha256' }) }, auth)),
  };
}

export async function planDownload(spec: string, options: ResolveOptions = {}): Promise<DownloadPlan> {
  if (/^https?:\/\//i.test(spec)) {
    let url: URL;
    try { url = new URL(spec); } catch { throw new OmnihubError('usage', `not a valid URL: ${spec}`); }
    const fileName = safeEntryName(decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? url.hostname));
    const entry = newEntry(frameworkForFileName(fileName), fileName, { source: { kind: 'url', url: url.href } });
    return { entry, downloads: [planned(entry, fileName, url.href, { note: 'a plain URL publishes no hash; the sha256 is recorded as downloaded' })] };
  }
  const colon = spec.indexOf(':');
  const [scheme, name] = colon > 0 ? [spec.slice(0, colon), spec.slice(colon + 1)] : ['', spec];
  switch (scheme) {
    case 'hf':
      return planHub(name, options);
    case 'keras': {
      const k = resolveKerasWeights(name);
      const entry = newEntry('keras', k.fileName, { source: k.source });
      // Keras checks an md5 for most of its files and a sha256 for the newer ones; the same is checked here.
      const hash = k.hash && { [k.hash.algorithm]: k.hash.value };
      return { entry, downloads: [planned(entry, k.fileName, k.url, { ...hash, ...(!k.hash && { note: 'Keras publishes no hash for this file' }) })] };
    }
    case 'torchvision': {
      const t = resolveTorchvisionWeights(name);
      const entry = newEntry('pytorch', t.fileName, { source: t.source, ...(t.licence && { licence: t.licence }) });
      return { entry, downloads: [planned(entry, t.fileName, t.url, { sha256: t.hashPrefix ?? undefined, ...(!t.hashPrefix && { note: 'torchvision names no hash for this file' }) })] };
    }
    case 'onnx-zoo': {
      const z = resolveOnnxZooModel(name);
      const entry = newEntry('onnx', z.fileName, { source: z.source, ...(z.licence && { licence: z.licence }) });
      return { entry, downloads: [planned(entry, z.fileName, z.url, { sha256: z.sha256, size: z.size })] };
    }
    default:
      throw new OmnihubError('usage', `unknown source '${spec}': use hf:owner/repo[/path], keras:NAME, torchvision:NAME, onnx-zoo:NAME or an https:// URL`);
  }
}
