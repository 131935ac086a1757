/**
 * The CLI's library commands: `download`, `ls`, `rm`, `export`, on the folder library (`$OMNIHUB_HOME`, else
 * ~/.omnihub). Hub settings come from the environment as huggingface_hub reads them: HF_ENDPOINT, HF_TOKEN.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { download } from '../download/downloader.js';
import type { DownloadProgress, LibraryEntry } from '../library/types.js';
import { FolderLibrary } from '../library/node.js';
import { planDownload } from '../sources/resolve.js';
import { OmnihubError } from '../errors.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CliEnv {
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  /** Whether stderr is a terminal: progress then redraws one line instead of printing one per step. */
  interactive?: boolean;
}

function library(cli: CliEnv): FolderLibrary {
  return new FolderLibrary({ env: cli.env });
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  for (; n >= 1000 && i < units.length - 1; i++) n /= 1000;
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** Progress on stderr: a redrawn line on a terminal, otherwise a line per status change and per quarter. */
function progressPrinter(io: CliIo, interactive: boolean) {
  let lastStatus = '';
  let lastQuarter = -1;
  return (p: DownloadProgress) => {
    const pct = p.total ? Math.floor((p.loaded / p.total) * 100) : undefined;
    const rate = p.rate ? `, ${formatBytes(p.rate)}/s` : '';
    const line = `${p.file}: ${p.status} ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)} (${pct}%)` : ''}${rate}${p.message ? ` — ${p.message}` : ''}`;
    if (interactive) {
      io.err(`\r\x1b[K${line}`);
      return;
    }
    const quarter = pct === undefined ? -1 : Math.floor(pct / 25);
    if (p.status !== lastStatus || quarter !== lastQuarter) io.err(line);
    lastStatus = p.status;
    lastQuarter = quarter;
  };
}

export async function downloadCommand(spec: string, options: { revision?: string }, io: CliIo, cli: CliEnv): Promise<void> {
  const hub = { hubUrl: cli.env.HF_ENDPOINT || undefined, accessToken: cli.env.HF_TOKEN || undefined, fetch: cli.fetch };
  const plan = await planDownload(spec, { revision: options.revision, hub });
  const store = library(cli);
  const onProgress = progressPrinter(io, cli.interactive ?? false);
  for (const { request, verification, note } of plan.downloads) {
    const result = await download(request, { fetch: cli.fetch, target: store, onProgress });
    const resumed = result.resumedFrom ? `, resumed at ${formatBytes(result.resumedFrom)}` : '';
    const checked = verification === 'none' || verification === 'size' ? `not verified by hash${note ? ` (${note})` : ''}` : `${verification} verified`;
    const line = `${request.file}: ${formatBytes(result.size)}, sha256 ${result.sha256}, ${checked}${resumed}`;
    io.err(cli.interactive ? `\r\x1b[K${line}\n` : line);
  }
  io.out(`${plan.entry.id} (${plan.downloads.length} file${plan.downloads.length === 1 ? '' : 's'}) in ${store.root}`);
}

function entrySize(e: LibraryEntry): number {
  return e.files.reduce((n, f) => n + f.size, 0);
}

export async function listCommand(options: { json: boolean }, io: CliIo, cli: CliEnv): Promise<void> {
  const entries = await library(cli).list();
  if (options.json) {
    io.out(JSON.stringify(entries, null, 2));
    return;
  }
  if (entries.length === 0) io.out('The library is empty.');
  for (const e of entries) {
    const from = e.source.repo ?? e.source.catalogName ?? e.source.url ?? e.source.kind;
    io.out(`${e.id}  ${formatBytes(entrySize(e))}  ${e.files.length} file${e.files.length === 1 ? '' : 's'}  from ${from}`);
  }
}

export async function removeCommand(id: string, io: CliIo, cli: CliEnv): Promise<void> {
  await library(cli).delete(id);
  io.out(`removed ${id}`);
}

/** Copies an entry's files to `<dir>/<name>/<path>`; refuses to overwrite what is there. */
export async function exportCommand(id: string, dir: string, io: CliIo, cli: CliEnv): Promise<void> {
  const { files } = await library(cli).exportEntry(id);
  const targets = files.map((f) => ({ from: f.localPath!, to: join(resolve(dir), f.exportPath) }));
  for (const t of targets) {
    if (await stat(t.to).then(() => true, () => false)) throw new OmnihubError('exists', `${t.to} exists already; export to another folder.`);
  }
  for (const t of targets) {
    await mkdir(join(t.to, '..'), { recursive: true });
    await copyFile(t.from, t.to);
    io.out(t.to);
  }
}
