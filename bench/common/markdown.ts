/**
 * The report side of the benchmark scripts (bench/*.ts): number formats, markdown tables, and rewriting a script's
 * own section of BENCHMARKS.md between its `<!-- bench:NAME:begin … -->` and `<!-- bench:NAME:end -->` markers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

export const MB = 1e6;
export const f0 = (x: number) => x.toFixed(0);
export const f1 = (x: number) => x.toFixed(1);
export const f2 = (x: number) => x.toFixed(2);
/** Milliseconds as seconds, 2 decimals. */
export const s = (ms: number) => (ms / 1000).toFixed(2);
export const mb = (b: number) => `${f0(b / MB)} MB`;
export const ok = (pass: boolean) => (pass ? '✅' : '❌');

export const table = (head: string[], rows: string[][]) =>
  [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

/**
 * Puts `section` (which starts and ends with this benchmark's markers) into `mdPath` in place of the old one, or at
 * the end when there is none; a missing file starts with a short heading.
 */
export function writeBenchmarksSection(mdPath: string, name: string, section: string): void {
  const md = existsSync(mdPath)
    ? readFileSync(mdPath, 'utf8')
    : '# Benchmarks\n\nResults of the scripts in `bench/`; each script rewrites its own section between its markers.\n\n';
  const re = new RegExp(`<!-- bench:${name}:begin[^]*?<!-- bench:${name}:end -->`);
  writeFileSync(mdPath, re.test(md) ? md.replace(re, section) : `${md.trimEnd()}\n\n${section}\n`);
  console.log(`wrote ${relative(process.cwd(), mdPath) || mdPath}`);
}

/** Prints `section`; a full run also puts it into `mdPath` (a --quick or --no-browser run leaves the file as it is). */
export function publishSection(mdPath: string, name: string, section: string, full: boolean): void {
  console.log(`\n${section}\n`);
  if (full) writeBenchmarksSection(mdPath, name, section);
  else console.log('a partial run (--quick or --no-browser): BENCHMARKS.md left as it is');
}
