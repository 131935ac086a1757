/**
 * The parent side of "every repetition is a fresh child process" (bench/*.ts): bundling the child with esbuild (it
 * runs under plain `node`, no tsx loader thread in the measured process), running it and parsing the one JSON line it
 * prints, the idle baseline, `sync` between runs, generating a cached input with a tsx script, and hashing a file a
 * child wrote.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { median } from './stats.js';

/** Flushes dirty pages, so no run starts while the previous one's output is still being written back. */
export const sync = () => spawnSync('sync');

/** Runs `cmd args` to the end; its last stdout line parsed as JSON, and the process's wall time (ms). */
export function runJson(cmd: string, args: string[]): { result: Record<string, unknown>; wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { result: JSON.parse(r.stdout.trim().split('\n').pop()!), wallMs };
}

/** `cmd args` run to the end: its JSON line as a `T`, with the process's wall time (ms). */
export function runSample<T>(cmd: string, args: string[]): T & { wallMs: number } {
  const { result, wallMs } = runJson(cmd, args);
  return { ...(result as T), wallMs };
}

/** The median `maxRss` of three runs of `cmd args` (a child's `idle` mode: loaded, nothing read). */
export const idleMaxRss = (cmd: string, args: string[]) => median([0, 1, 2].map(() => runJson(cmd, args).result.maxRss as number));

/** Bundles the child script `entry` to CommonJS in `outfile`; onnxruntime stays outside, loaded from node_modules. */
export function bundleChild(entry: string, outfile: string): void {
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    outfile, external: ['onnxruntime-web', 'onnxruntime-node'], logLevel: 'warning' });
}

/** `node --import tsx SCRIPT OUT`, output shown, to write a generated input once (`root`: for the messages). */
export function generate(root: string, script: string, out: string): void {
  console.log(`generating ${relative(root, out)} ...`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, out], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${relative(root, script)} failed`);
}

/** sha256 of a file, read as a stream so this process stays small. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
