import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
/** Real models made by real tools; a sibling of the repository, as in CI. */
export const FIXTURES = resolve(REPO, '../shared/fixtures');
/** Debian's libonnx-testdata: the ONNX project's backend test models (`.ci/run` installs it). */
export const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** Files under `dir` (recursively) whose name ends with `suffix`, sorted. */
export function findFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (name.endsWith(suffix)) found.push(p);
    }
  }
  return found.sort();
}
