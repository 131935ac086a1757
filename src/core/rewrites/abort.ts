import { OmnihubError } from '../errors.js';

/** Rewrites check this between passes: a stopped run ends with one 'aborted' error, whichever step it was in. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OmnihubError('aborted', 'Stopped on request before the recipe finished.');
}
