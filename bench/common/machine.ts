/**
 * Facts about the machine a benchmark ran on, for the "Machine:" line of its BENCHMARKS.md section, and the load
 * average (other work on a 2-core machine skews everything; the reports say so rather than hide it).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { f0, f2 } from './markdown.js';

/** 'CPU model, N cores, M GiB RAM; OS, kernel K'. */
export function machine(): string {
  const osName = /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const memTotal = Number(/MemTotal:\s*(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? totalmem() / 1024) * 1024;
  return `${cpu}, ${cpus().length} cores, ${f0(memTotal / 2 ** 30)} GiB RAM; ${osName}, kernel ${release()}`;
}

/** The load averages (1, 5, 15 min) now, with a warning when the 1-minute one is above 1. */
export function startLoad(): number[] {
  const load = loadavg();
  if (load[0] > 1) console.warn(`warning: load average ${load[0].toFixed(2)}; results will be noisy`);
  return load;
}

/** 'load average (1, 5, 15 min) at start …, at end … (other work shares this machine)'. */
export const loadAverages = (start: number[], end: number[]) =>
  `load average (1, 5, 15 min) at start ${start.map(f2).join(', ')}, at end ${end.map(f2).join(', ')} (other work shares this machine)`;
