/**
 * Resident memory of a browser launched by this Node process: VmRSS of every process whose parent chain leads
 * here (Chromium's browser, renderer, GPU, network and storage processes, zygotes), summed, sampled on a timer.
 *
 * RSS, not PSS: shared pages (libraries, shared memory between processes) count once per process, which only
 * shifts the baseline; the benchmark reports growth over a baseline taken just before each download, so what
 * counts is memory the download made resident. Page cache (IndexedDB's files being written) is not in anyone's
 * RSS, as it should not be.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type ProcessKind = 'browser' | 'renderer' | 'gpu' | 'network' | 'storage' | 'utility' | 'zygote' | 'other';

export interface MemorySample {
  total: number;
  byKind: Partial<Record<ProcessKind, number>>;
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited between listing and reading
  }
};

function kindOf(pid: number): ProcessKind {
  // Chromium's child processes rewrite their command line (setproctitle) into one space-separated string.
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/);
  const type = args.find((a) => a.startsWith('--type='))?.slice(7);
  if (type === undefined) return args[0]?.includes('crashpad') ? 'other' : 'browser';
  if (type === 'renderer') return 'renderer';
  if (type === 'gpu-process') return 'gpu';
  if (type === 'zygote') return 'zygote';
  if (type === 'utility') {
    const sub = args.find((a) => a.startsWith('--utility-sub-type=')) ?? '';
    if (sub.includes('NetworkService')) return 'network';
    if (sub.includes('StorageService')) return 'storage';
    return 'utility';
  }
  return 'other';
}

/** The Chromium processes this one started and their descendants, with their kinds. */
function descendants(): Map<number, ProcessKind> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found = new Map<number, ProcessKind>();
  // Only the browser's tree: this process has other children too (esbuild's service, started by tsx and Vite).
  const queue = (children.get(process.pid) ?? []).filter((pid) => (read(`/proc/${pid}/cmdline`) ?? '').includes('chromium'));
  while (queue.length) {
    const pid = queue.pop()!;
    found.set(pid, kindOf(pid));
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

export function sampleMemory(pids = descendants()): MemorySample {
  const sample: MemorySample = { total: 0, byKind: {} };
  for (const [pid, kind] of pids) {
    const rss = rssBytes(pid);
    sample.total += rss;
    sample.byKind[kind] = (sample.byKind[kind] ?? 0) + rss;
  }
  return sample;
}

/**
 * Samples every `intervalMs` until `stop()`, keeping the peak of the total and of each kind (each kind's own peak,
 * not necessarily at the moment of the total's). The process list is re-read every 500 ms only: listing /proc
 * costs far more than reading a few status files, and processes are not started during a download.
 */
export class MemorySampler {
  private pids = descendants();
  private listedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  readonly peak: MemorySample = { total: 0, byKind: {} };
  samples = 0;

  start(intervalMs: number): void {
    this.take();
    this.timer = setInterval(() => this.take(), intervalMs);
  }

  stop(): MemorySample {
    clearInterval(this.timer);
    this.take();
    return this.peak;
  }

  private take(): void {
    if (Date.now() - this.listedAt > 500) {
      this.pids = descendants();
      this.listedAt = Date.now();
    }
    const s = sampleMemory(this.pids);
    this.samples++;
    this.peak.total = Math.max(this.peak.total, s.total);
    for (const [kind, bytes] of Object.entries(s.byKind) as Array<[ProcessKind, number]>) {
      this.peak.byKind[kind] = Math.max(this.peak.byKind[kind] ?? 0, bytes);
    }
  }
}
