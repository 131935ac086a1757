/**
 * Inflates one deflated ZIP entry with a hard ceiling. A zip bomb declares a small size (or an honest huge one) and
 * expands far beyond it; fflate's one-shot inflate would grow its output buffer until memory runs out, so the data
 * is pushed through the streaming inflater in small slices and the output is counted after every slice: the work
 * stops as soon as the entry passes its declared size, long before the bomb's full size is ever allocated.
 */
import { Inflate } from 'fflate';
import { OmnihubError } from '../../errors.js';

/**
 * Compressed bytes pushed per step. DEFLATE expands at most ~1032:1, so one step yields at most ~17 MB of output:
 * that bounds the memory a lying entry can claim before the size check sees it.
 */
const SLICE = 16 * 1024;

/**
 * Inflates raw DEFLATE data that must expand to exactly `declaredSize` bytes (the size the ZIP directory states).
 * `declaredSize` must already be checked against the caller's budget: it is allocated up front.
 */
export function inflateExactly(compressed: Uint8Array, declaredSize: number, entryName: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = new Uint8Array(declaredSize);
  } catch (e) {
    throw new OmnihubError('too-large', `ZIP entry '${entryName}' declares ${declaredSize} bytes, more than this machine can allocate.`, { cause: e });
  }
  let written = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    if (written + chunk.length > declaredSize) {
      throw new OmnihubError('too-large', `ZIP entry '${entryName}' inflates past the ${declaredSize} bytes its header declares (a zip bomb?); refused.`);
    }
    out.set(chunk, written);
    written += chunk.length;
    if (final) ended = true;
  });
  try {
    if (compressed.length === 0) inflater.push(compressed, true);
    for (let at = 0; at < compressed.length; at += SLICE) {
      const end = Math.min(at + SLICE, compressed.length);
      inflater.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (e) {
    if (e instanceof OmnihubError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const code = /unexpected EOF/i.test(message) ? 'truncated' : 'malformed';
    throw new OmnihubError(code, `ZIP entry '${entryName}' holds invalid DEFLATE data (${message}).`, { cause: e });
  }
  if (!ended || written !== declaredSize) {
    throw new OmnihubError('truncated', `ZIP entry '${entryName}' inflates to ${written} bytes, but its header declares ${declaredSize}.`);
  }
  return out;
}
