/** Node file access for the CLI: whole files and external data read by range. */
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ExternalDataReader } from '../onnx/external-data.js';
import { OmnihubError } from '../errors.js';

/** Reads side files relative to the model's folder, one range at a time (the location was checked by the core). */
export function folderReader(folder: string): ExternalDataReader {
  return async (location, offset, length) => {
    const path = join(folder, location);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch {
      throw new OmnihubError('external-data', `The model keeps weights in '${location}', which is not next to it (${path}).`);
    }
    try {
      const size = (await handle.stat()).size;
      const n = length ?? size - offset;
      if (offset + n > size) {
        throw new OmnihubError('external-data', `'${location}' has ${size} bytes; the model asks for ${n} bytes at offset ${offset}.`);
      }
      const buffer = Buffer.allocUnsafe(n);
      const { bytesRead } = await handle.read(buffer, 0, n, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  };
}

/** Files at least this large are read in parallel parts. */
const PARALLEL_READ_BYTES = 32 * 1024 * 1024;

/**
 * Reads a whole file into one buffer with positional reads. Large files are read in a few parts at once on libuv's
 * thread pool: most of the cost of reading a cached file into fresh memory is the kernel faulting in the new pages,
 * and threads on separate cores fault in parallel (a 220 MB model: ~100 ms in one read, ~65 ms in two parts on
 * 2 cores; see BENCHMARKS.md).
 */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.allocUnsafe(size);
    const parts = size < PARALLEL_READ_BYTES ? 1 : Math.min(4, availableParallelism());
    const step = Math.ceil(size / parts / 4096) * 4096;
    const readPart = async (start: number) => {
      const end = Math.min(start + step, size);
      for (let pos = start; pos < end;) {
        const { bytesRead } = await handle.read(buffer, pos, end - pos, pos);
        if (bytesRead === 0) throw new OmnihubError('truncated', `${path} became shorter while it was being read`);
        pos += bytesRead;
      }
    };
    const starts: number[] = [];
    for (let start = 0; start < size; start += step) starts.push(start);
    await Promise.all(starts.map(readPart));
    return buffer;
  } finally {
    await handle.close();
  }
}
