/** Display formatting for the summary. Fixed to en-US so what the page shows does not depend on the machine. */
import type { Dim } from '../core/onnx/summary.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return integer.format(n);
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1.44 MiB`; exact below 1 KiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${UNITS[unit]}`;
}

/** One dimension of a shape for display: its size, its symbolic name, or `?` where the model says nothing. */
export function formatDim(d: Dim): string {
  return d === null ? '?' : typeof d === 'number' ? String(d) : d;
}

export function formatOpsets(opsets: Record<string, number>): string {
  return Object.entries(opsets)
    .map(([domain, version]) => `${domain} ${version}`)
    .join(', ');
}

/** `1.20 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** `2024-01-31 14:05` in the machine's time zone (numbers only, so it does not depend on the locale). */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The first 12 hex digits of a hash, for display (the full value goes in a title). */
export function shortHash(hex: string): string {
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** `61.1 M` parameters. */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

/**
 * A measurement that may span many orders of magnitude (an error, a ratio): three significant digits, in
 * exponent form (`3.21e-7`) outside 0.01…1000; `0`, `∞`, `−∞` and `n/a` (NaN) as such. Number() reads it back.
 */
export function formatSci(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 0.01 && a < 1000) return String(Number(x.toPrecision(3)));
  return x.toExponential(2);
}

/** `12.3 ms`, `0.41 ms`, `1,234 ms`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 100) return `${formatCount(ms)} ms`;
  return `${ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
}
