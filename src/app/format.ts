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
