/**
 * Medians and spreads of a benchmark's repetitions (bench/*.ts): the numbers its tables print.
 */
import { s } from './markdown.js';

/** The median of `xs` (for an even count, the upper of the two middle values). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The median of `k` over the samples `xs`. */
export const med = <T,>(xs: T[], k: (x: T) => number) => median(xs.map(k));

/** ' [min–max]' of the repetitions' times (ms, printed in s), when there are several. */
export const spread = <T,>(xs: T[], k: (x: T) => number) => (xs.length > 1 ? ` [${s(Math.min(...xs.map(k)))}–${s(Math.max(...xs.map(k)))}]` : '');
