/**
 * Turns byte counts into the one progress event shape (`DownloadProgress`), with a transfer rate over a sliding
 * window and an ETA, and throttles 'downloading' events so a fast link does not flood the UI (a worker posting
 * thousands of messages a second stalls the page). Status changes are always reported at once.
 */
import type { DownloadProgress } from '../library/types.js';

/** Rate over the last few seconds: long enough to smooth TCP bursts, short enough to follow a changing link. */
const RATE_WINDOW_MS = 3000;
/** At most ~10 'downloading' events a second, unless a chunk was stored (then the event is sent anyway). */
const MIN_INTERVAL_MS = 100;

export class ProgressReporter {
  private samples: Array<{ t: number; loaded: number }> = [];
  private lastEmit = -Infinity;
  private lastLoaded = 0;
  total: number | undefined;

  constructor(
    private readonly key: string,
    private readonly file: string,
    private readonly now: () => number,
    private readonly sink?: (p: DownloadProgress) => void,
  ) {}

  /** Bytes moved: sent as 'downloading' unless one was sent less than 100 ms ago (`force` for stored chunks). */
  bytes(loaded: number, force = false): void {
    const t = this.now();
    this.lastLoaded = loaded;
    this.addSample(t, loaded);
    if (!force && t - this.lastEmit < MIN_INTERVAL_MS) return;
    this.lastEmit = t;
    const rate = this.rate();
    const eta = rate && this.total !== undefined ? Math.max(0, this.total - loaded) / rate : undefined;
    this.emit({ status: 'downloading', loaded, rate, etaSeconds: eta });
  }

  /**
   * A status change ('starting', 'retrying', …). `restartedFrom` clears the rate history when the download goes
   * back to byte 0 (the remote file changed): the only time `loaded` decreases.
   */
  status(status: DownloadProgress['status'], extra: Partial<DownloadProgress> = {}): void {
    if (extra.loaded !== undefined && extra.loaded < this.lastLoaded) this.samples = [];
    if (extra.loaded !== undefined) this.lastLoaded = extra.loaded;
    this.emit({ status, loaded: this.lastLoaded, ...extra });
  }

  private emit(p: Omit<DownloadProgress, 'key' | 'file' | 'total'>): void {
    if (!this.sink) return;
    const event: DownloadProgress = { key: this.key, file: this.file, ...p };
    if (this.total !== undefined) event.total = this.total;
    for (const k of ['rate', 'etaSeconds', 'attempt', 'message'] as const) if (event[k] === undefined) delete event[k];
    try {
      this.sink(event);
    } catch {
      // A broken progress listener must not break the download.
    }
  }

  private addSample(t: number, loaded: number): void {
    // Samples closer than 50 ms are merged (the newest replaces the previous one), so a fast link reading 64 KiB
    // at a time keeps ~60 samples in the window rather than tens of thousands.
    const n = this.samples.length;
    if (n >= 2 && t - this.samples[n - 2].t < 50) this.samples[n - 1] = { t, loaded };
    else this.samples.push({ t, loaded });
    // Keep one sample older than the window so the rate covers the whole window, not just what is inside it.
    while (this.samples.length > 2 && t - this.samples[1].t >= RATE_WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second over the window, or undefined until some time has passed. */
  private rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || last.t - first.t < MIN_INTERVAL_MS) return undefined;
    return ((last.loaded - first.loaded) * 1000) / (last.t - first.t);
  }
}
