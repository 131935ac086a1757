/**
 * The Chromium side of bench/keras.ts: a module Worker (as the app's workers/convert.worker.ts) that does what the
 * Node child does. Bundled with esbuild (the core from source, h5wasm's ESM build with its wasm inlined); started and
 * driven by the page (bench/common/web/page.ts). Messages: `{ type: 'run', url, mode }` → the step times and their
 * wall-clock marks; `{ type: 'sha256' }` → the sha256 of the last result Blob; `{ type: 'reparse' }` → the time of
 * readKerasFile on the last input once more, h5wasm already loaded (both untimed, after the parent's sampling).
 *
 * Both modes first fetch the .h5 into a Blob (not counted: the file the user has; Chromium keeps a Blob's bytes in
 * its browser process or on disk, not in this renderer), then
 *
 *   read      Blob.arrayBuffer() alone: the baseline ("the time to simply read the file"), as the app reads a dropped
 *             File or a library Blob;
 *   convert   as the app's convert worker, after the app's inspection of the file has loaded h5wasm (here initHdf5(),
 *             untimed): convertToOnnx([a SourceFile whose read() is that Blob.arrayBuffer(), recorded
 *             with its Blob], { arch: 'keras:vgg16', includeTop: true }) → encodeModelChunks → blobFromChunks (weights
 *             that are views on the read bytes become slices of the input Blob; the rest is copied into the Blob).
 *
 * Memory is sampled from outside by the parent (/proc: the renderer process that runs this worker).
 */
import { convertToOnnx, type SourceFile } from '../../../src/core/convert/index.js';
import { readKerasFile } from '../../../src/core/formats/keras/read.js';
import { initHdf5 } from '../../../src/core/formats/hdf5/h5.js';
import { encodeModelChunks } from '../../../src/core/onnx/codec.js';
import { blobFromChunks, type BlobSource } from '../../../src/core/onnx/blob-output.js';
import { answerRequests, sha256Hex } from '../../common/web/worker.js';

export type Mode = 'read' | 'convert';
export type Request = { type: 'run'; url: string; mode: Mode } | { type: 'sha256' } | { type: 'reparse' };

let last: Blob | undefined;
let lastInput: Blob | undefined;

async function run(url: string, mode: Mode) {
  last = undefined;
  lastInput = undefined;
  const t0 = performance.now();
  const input = await (await fetch(url, { cache: 'no-store' })).blob();
  const tFetched = performance.now();
  if (mode === 'read') {
    const bytes = new Uint8Array(await input.arrayBuffer());
    const t1 = performance.now();
    return {
      fetchMs: tFetched - t0, readMs: t1 - tFetched, parseMs: 0, buildMs: 0, encodeMs: 0, writeMs: 0, fromReadMs: t1 - tFetched,
      marks: [t0, tFetched, t1, t1, t1, t1, t1].map((t) => performance.timeOrigin + t), inputBytes: bytes.length, outputBytes: 0, parameters: 0, nodes: 0,
    };
  }
  // As in the app: the dropped file was inspected (readKerasFile, in this same worker) before Convert was clicked, so
  // h5wasm is loaded. Untimed; the Node child shows the cold cost (a fresh CLI process loads it during the read).
  await initHdf5();
  let tRead0 = 0, tRead1 = 0, tParsed = 0;
  const sources: BlobSource[] = [];
  const file: SourceFile = {
    path: 'vgg16_weights_tf_dim_ordering_tf_kernels.h5',
    size: input.size,
    read: async () => {
      tRead0 = performance.now();
      const bytes = new Uint8Array(await input.arrayBuffer());
      tRead1 = performance.now();
      sources.push({ bytes, blob: input });
      return bytes;
    },
  };
  const { model, report } = await convertToOnnx([file], {
    arch: 'keras:vgg16', includeTop: true,
    onProgress: (phase) => { if (phase === 'building') tParsed = performance.now(); },
  });
  const tBuilt = performance.now();
  const chunks = encodeModelChunks(model);
  const tEncoded = performance.now();
  const blob = blobFromChunks(chunks, sources);
  const tDone = performance.now();
  last = blob;
  lastInput = input;
  return {
    fetchMs: tFetched - t0, readMs: tRead1 - tRead0, parseMs: tParsed - tRead1, buildMs: tBuilt - tParsed, encodeMs: tEncoded - tBuilt,
    writeMs: tDone - tEncoded, fromReadMs: tDone - tRead0,
    marks: [t0, tRead0, tRead1, tParsed, tBuilt, tEncoded, tDone].map((t) => performance.timeOrigin + t),
    inputBytes: sources[0]?.bytes.length ?? 0, outputBytes: blob.size, parameters: report.parameters, nodes: model.graph?.node?.length ?? 0,
  };
}

async function sha256(): Promise<string> {
  return last ? sha256Hex(last) : '';
}

/** Untimed, after sampling: readKerasFile of the last input again, h5wasm now loaded (ms, read excluded). */
async function reparse(): Promise<number> {
  if (!lastInput) return 0;
  const bytes = new Uint8Array(await lastInput.arrayBuffer());
  const t0 = performance.now();
  await readKerasFile(bytes, 'vgg16_weights_tf_dim_ordering_tf_kernels.h5');
  return performance.now() - t0;
}

answerRequests<Request>((r) => (r.type === 'run' ? run(r.url, r.mode) : r.type === 'sha256' ? sha256() : reparse()));
