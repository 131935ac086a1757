/**
 * File helpers of the folder library (Node only). Every file that is read back as complete is written to a temp
 * name beside it and renamed into place: rename is atomic within one file system, so after a crash a reader sees
 * the old content or the new one, never half of it. `fs` is used as an object (not named imports) so tests can
 * make one call fail to simulate a crash at that point.
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomId } from './entry-records.js';

export { fs };

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Writes `data` (one buffer, a string, or chunks written in order) to `path` through `<path>.<random>.tmp` and a
 * rename, so `path` never holds half a file. `sync` (default) also flushes the temp file to disk before the rename,
 * for files whose loss after a power cut would break the library's bookkeeping.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | Uint8Array[], options: { sync?: boolean } = {}): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomId()}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    if (Array.isArray(data)) await handle.writev(data);
    else await handle.writeFile(data);
    if (options.sync ?? true) await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** JSON that keeps Uint8Arrays (PartialState.hashState) as `{ "$bytes": base64 }`. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (v instanceof Uint8Array ? { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v),
    2,
  );
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const bytes = (v as { $bytes?: unknown }).$bytes;
      if (keys.length === 1 && typeof bytes === 'string') return new Uint8Array(Buffer.from(bytes, 'base64'));
    }
    return v;
  }) as T;
}

/** The parsed JSON file, or undefined when it does not exist. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return fromJson<T>(await fs.readFile(path, 'utf8'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** File names in `dir`, or none when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Total size of the regular files under `dir` (symbolic links are not followed: they point outside the library). */
export async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  let items;
  try {
    items = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  for (const item of items) {
    const path = join(dir, item.name);
    if (item.isDirectory()) total += await bytesUnder(path);
    else if (item.isFile()) total += (await fs.stat(path)).size;
  }
  return total;
}
