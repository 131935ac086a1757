/**
 * NumPy `.npz` archives: a ZIP of `.npy` members (stored or deflated). Sizes declared in the ZIP directory are
 * checked before anything is inflated, so a small hostile archive cannot expand without bound.
 */
import { unzipSync } from 'fflate';
import { readNpy, type NpyArray } from './npy.js';
import { OmnihubError } from '../../errors.js';

export interface NpzOptions {
  /** Most bytes the members may inflate to together (default 4 GiB). */
  maxBytes?: number;
}

export function readNpz(bytes: Uint8Array, options: NpzOptions = {}): Map<string, NpyArray> {
  if (bytes.length === 0) throw new OmnihubError('empty-file', 'The file is empty (0 bytes): not a .npz archive.');
  const maxBytes = options.maxBytes ?? 4 * 1024 ** 3;
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        total += file.originalSize;
        if (total > maxBytes) throw new OmnihubError('too-large', `.npz members would inflate to more than ${maxBytes} bytes.`);
        return file.name.endsWith('.npy');
      },
    });
  } catch (e) {
    if (e instanceof OmnihubError) throw e;
    throw new OmnihubError('malformed', `Not a valid .npz archive: ${e instanceof Error ? e.message : e}`, { cause: e });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, data] of Object.entries(files)) arrays.set(name.replace(/\.npy$/, ''), readNpy(data));
  return arrays;
}
