/**
 * The Chromium side of bench/tensorflow.ts: a module Worker (as the app's workers/convert.worker.ts) that does what
 * the Node child does. Bundled with esbuild (the core from source); started and driven by the page
 * (bench/common/web/page.ts). Messages: `{ type: 'run', base, files, mode }` → the step times and their wall-clock
 * marks; `{ type: 'sha256' }` → the sha256 of the last result Blob (untimed, after the parent's sampling).
 *
 * Both modes first fetch every file of the SavedModel (`base` + each of `files`: saved_model.pb, variables/…) into a
 * Blob (not counted: the files the user has; Chromium keeps a Blob's bytes in its browser process or on disk, not in
 * this renderer), then
 *
 *   read      Blob.arrayBuffer() of each, one after the other: the baseline ("the time to read the files"), as the
 *             app reads the files of a dropped folder or a library entry;
 *   convert   as the app's convert worker: convertToOnnx([SourceFiles with their folder paths, whose read() is that
 *             Blob.arrayBuffer(), each read recorded with its Blob], {}) → encodeModelChunks → blobFromChunks
 *             (weights that are views on the read bytes become slices of the input Blobs; the rest is copied).
 *
 * Memory is sampled from outside by the parent (/proc: the renderer process that runs this worker).
 */
import { convertToOnnx, type SourceFile } from '../../../src/core/convert/index.js';
import { encodeModelChunks } from '../../../src/core/onnx/codec.js';
import { blobFromChunks, type BlobSource } from '../../../src/core/onnx/blob-output.js';
import { answerRequests, sha256Hex } from '../../common/web/worker.js';

export type Mode = 'read' | 'convert';
export type Request = { type: 'run'; base: string; files: string[]; mode: Mode } | { type: 'sha256' };

let last: Blob | undefined;

async function run(base: string, paths: string[], mode: Mode) {
  last = undefined;
  const t0 = performance.now();
  const blobs: Blob[] = [];
  for (const p of paths) blobs.push(await (await fetch(`${base}/${p}`, { cache: 'no-store' })).blob());
  const tFetched = performance.now();
  const inputBytes = blobs.reduce((a, b) => a + b.size, 0);
  if (mode === 'read') {
    let n = 0;
    for (const blob of blobs) n += new Uint8Array(await blob.arrayBuffer()).length;
    const t1 = performance.now();
    return {
      fetchMs: tFetched - t0, readMs: t1 - tFetched, freezeMs: 0, buildMs: 0, encodeMs: 0, writeMs: 0, fromReadMs: t1 - tFetched,
      marks: [t0, tFetched, t1, t1, t1, t1].map((t) => performance.timeOrigin + t), inputBytes: n, outputBytes: 0, parameters: 0, nodes: 0,
    };
  }
  let tStart = 0, tBuilding = 0, readMs = 0;
  const sources: BlobSource[] = [];
  const files: SourceFile[] = paths.map((path, i) => ({
    path: `savedmodel/${path}`,
    size: blobs[i].size,
    read: async () => {
      const r0 = performance.now();
      if (!tStart) tStart = r0;
      const bytes = new Uint8Array(await blobs[i].arrayBuffer());
      readMs += performance.now() - r0;
      sources.push({ bytes, blob: blobs[i] });
      return bytes;
    },
  }));
  const { model, report } = await convertToOnnx(files, {
    onProgress: (phase) => { if (phase === 'building') tBuilding = performance.now(); },
  });
  const tBuilt = performance.now();
  const chunks = encodeModelChunks(model);
  const tEncoded = performance.now();
  const blob = blobFromChunks(chunks, sources);
  const tDone = performance.now();
  last = blob;
  return {
    fetchMs: tFetched - t0, readMs, freezeMs: tBuilding - tStart - readMs, buildMs: tBuilt - tBuilding, encodeMs: tEncoded - tBuilt,
    writeMs: tDone - tEncoded, fromReadMs: tDone - tStart,
    marks: [t0, tStart, tBuilding, tBuilt, tEncoded, tDone].map((t) => performance.timeOrigin + t),
    inputBytes, outputBytes: blob.size, parameters: report.parameters, nodes: model.graph?.node?.length ?? 0,
  };
}

async function sha256(): Promise<string> {
  return last ? sha256Hex(last) : '';
}

answerRequests<Request>((r) => (r.type === 'run' ? run(r.base, r.files, r.mode) : sha256()));
