/** Node file access for the CLI: external data by range, and writes that never leave a half-written file behind. */
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

/** Writes chunks to `path` through a temporary file and a rename, so a failure never leaves a partial file there. */
export async function writeFileAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.omnihub-tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writev(chunks);
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

