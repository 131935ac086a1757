/**
 * The Chromium side of bench/pytorch.ts: a module Worker (as the app's workers/convert.worker.ts) that does what the
 * Node child does, from getting the .pth to the written .onnx. Bundled with esbuild (the core from source); started
 * and driven by the page (bench/common/web/page.ts). Messages: `{ type: 'run', url, arch, read, write }` → the step
 * times and their wall-clock marks; `{ type: 'sha256' }` → the sha256 of the last result (untimed).
 *
 *   read 'blob'   fetch → Response.blob() first (the file arrives; Chromium keeps a Blob's bytes in its browser
 *                 process or on disk, not here), then Blob.arrayBuffer(): the app's own read of a dropped File or a
 *                 library Blob. The "read" step is the arrayBuffer() alone.
 *   read 'fetch'  fetch → Response.arrayBuffer(): the download itself is the read (as bench/quantize's page).
 *
 * then readTorchFile → buildTorchvisionModel → encodeModelChunks (the weights stay views on the read buffer), and
 *
 *   write 'slices' blobFromChunks (src/core/onnx/blob-output.ts), as the app's convert worker makes its result: the
 *                 weight chunks, views on the read bytes, become slices of the input Blob (no copy)
 *   write 'blob'  new Blob(chunks): a copy of every byte, made in this renderer process before Chromium moves it to
 *                 the browser process (what the app did before blobFromChunks)
 *   write 'opfs'  the chunks written one after another into a file of the origin private file system through a
 *                 FileSystemSyncAccessHandle (workers only): no second whole copy in this process
 *
 * Memory is sampled from outside by the parent (/proc: the renderer process that runs this worker).
 */
import { readTorchFile } from '../../../src/core/formats/pytorch/index.js';
import { buildTorchvisionModel } from '../../../src/core/convert/torchvision/index.js';
import { encodeModelChunks } from '../../../src/core/onnx/codec.js';
import { blobFromChunks } from '../../../src/core/onnx/blob-output.js';
import { answerRequests, sha256Hex } from '../../common/web/worker.js';

export type ReadMode = 'blob' | 'fetch';
export type WriteMode = 'slices' | 'blob' | 'opfs';
export type Request = { type: 'run'; url: string; arch: string; read: ReadMode; write: WriteMode } | { type: 'sha256' };

const OPFS_NAME = 'bench.onnx';
let last: Blob | FileSystemFileHandle | undefined;

async function run(url: string, arch: string, read: ReadMode, write: WriteMode) {
  let handle: FileSystemFileHandle | undefined;
  if (write === 'opfs') {
    // Set up before the clock starts, as a file is opened before torch.save writes it.
    handle = await (await navigator.storage.getDirectory()).getFileHandle(OPFS_NAME, { create: true });
  }
  const t0 = performance.now();
  let bytes: Uint8Array;
  let tFetched: number;
  let file: Blob | undefined;
  if (read === 'blob') {
    file = await (await fetch(url, { cache: 'no-store' })).blob();
    tFetched = performance.now();
    bytes = new Uint8Array(await file.arrayBuffer());
  } else {
    const response = await fetch(url, { cache: 'no-store' });
    tFetched = performance.now(); // headers only: the body is read by arrayBuffer()
    bytes = new Uint8Array(await response.arrayBuffer());
  }
  const t1 = performance.now();
  const torchFile = readTorchFile(bytes);
  const t2 = performance.now();
  const { model, report } = buildTorchvisionModel(arch, torchFile.tensors);
  const t3 = performance.now();
  const chunks = encodeModelChunks(model);
  const t4 = performance.now();
  let outputBytes = 0;
  if (handle) {
    const access = await handle.createSyncAccessHandle();
    try {
      // The file's final size first: Chromium grants OPFS capacity through the browser process, so growing the file
      // write by write would ask again and again.
      access.truncate(chunks.reduce((n, c) => n + c.length, 0));
      for (const chunk of chunks) {
        for (let done = 0; done < chunk.length;) done += access.write(chunk.subarray(done), { at: outputBytes + done });
        outputBytes += chunk.length;
      }
      // No flush(): it would fsync, and neither torch.save nor the Node side (writeFileAtomic with sync: false) does.
    } finally {
      access.close();
    }
    last = handle;
  } else {
    const blob = write === 'slices' && file ? blobFromChunks(chunks, [{ bytes, blob: file }]) : new Blob(chunks as BlobPart[], { type: 'application/octet-stream' });
    outputBytes = blob.size;
    last = blob;
  }
  const t5 = performance.now();
  return {
    fetchMs: tFetched - t0, readMs: t1 - tFetched, parseMs: t2 - t1, buildMs: t3 - t2, encodeMs: t4 - t3, writeMs: t5 - t4,
    totalMs: t5 - t0, fromReadMs: t5 - tFetched,
    marks: [t0, tFetched, t1, t2, t3, t4, t5].map((t) => performance.timeOrigin + t),
    inputBytes: bytes.length, outputBytes, parameters: report.parameters, nodes: model.graph?.node?.length ?? 0,
  };
}

async function sha256(): Promise<string> {
  if (!last) return '';
  return sha256Hex(last instanceof Blob ? last : await last.getFile());
}

answerRequests<Request>((r) => (r.type === 'run' ? run(r.url, r.arch, r.read, r.write) : sha256()));
