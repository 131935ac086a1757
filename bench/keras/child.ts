/**
 * One Node measurement in a fresh process, started by bench/keras.ts, so the peak RSS belongs to this run alone.
 * Bundled with esbuild to CommonJS and run with plain `node` (as bench/pytorch/child.ts). Prints one JSON line.
 *
 *   idle              baseline: Node with this bundle loaded, nothing read
 *   read IN           the baseline the issue compares with: readWholeFile(IN) alone
 *   convert IN OUT    as the app converts a Keras Applications weights file: convertToOnnx([the .h5], { arch:
 *                     'keras:vgg16', includeTop: true }) — its SourceFile.read() is readWholeFile (the "read" step),
 *                     its onProgress('building') ends the "parse" step (readKerasFile: h5wasm) and the rest is
 *                     "build" (convertKerasModel) — then saveModel (encodeModelChunks) → writeFileAtomic (no fsync)
 *   check ONNX NPZ INPUT  untimed: the ONNX in onnxruntime-web (its Node build, wasm, 1 thread) on the .npz's `input`
 *                     (fed to the model's input INPUT), its output against the .npz's `output` (numpy's float64
 *                     forward pass of the same weights, bench/keras/gen_vgg16.py): relL2, max |Δ|, top-1; output
 *                     dims; all finite
 *
 * Times: each step (ms, performance.now()) and `total` from before reading to after writing. Max RSS (getrusage)
 * after each step; V8's heap and ArrayBuffer totals after building. Then, outside the total and after the peak was
 * taken, `reparseMs`: readKerasFile of the same bytes again, h5wasm already loaded (the parse step includes loading
 * it, as a fresh process or worker does).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { convertToOnnx } from '../../src/core/convert/index.js';
import { readKerasFile } from '../../src/core/formats/keras/read.js';
import { readWholeFile } from '../../src/core/cli/node-files.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { maxAbs, relL2 } from '../../src/core/validate/metrics.js';
import { npyToRuntime } from '../../src/core/onnx/runtime-tensor.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { argmax, maxRss, runJob, saveAndWrite } from '../common/child.js';

const [mode, ...args] = process.argv.slice(2);

async function read(input: string) {
  const t0 = performance.now();
  const bytes = await readWholeFile(input);
  const t1 = performance.now();
  return { readMs: t1 - t0, totalMs: t1 - t0, maxRss: maxRss(), inputBytes: bytes.length };
}

async function convert(input: string, output: string) {
  let t0 = 0, t1 = 0, t2 = 0, rssRead = 0, rssParsed = 0, inputBytes = 0;
  let read: Uint8Array | undefined;
  const file = {
    // The weights file's published name (the app shows it; the architecture is named explicitly anyway).
    path: 'vgg16_weights_tf_dim_ordering_tf_kernels.h5',
    size: statSync(input).size,
    read: async () => {
      t0 = performance.now();
      const bytes = await readWholeFile(input);
      t1 = performance.now();
      rssRead = maxRss();
      inputBytes = bytes.length;
      read = bytes;
      return bytes;
    },
  };
  const { model, report } = await convertToOnnx([file], {
    arch: 'keras:vgg16', includeTop: true,
    onProgress: (phase) => {
      if (phase === 'building') {
        t2 = performance.now();
        rssParsed = maxRss();
      }
    },
  });
  const { tBuilt: t3, rssBuilt, mem, saved, tEncoded: t4, rssEncoded, tDone: t5 } = await saveAndWrite(model, output);
  const initializers = model.graph?.initializer ?? [];
  const measured = maxRss();
  // Untimed for the table's total, after the peak was taken: readKerasFile once more, h5wasm now loaded (the parse
  // step above includes loading and compiling h5wasm in this fresh process).
  const t6 = performance.now();
  await readKerasFile(read!, file.path);
  const reparseMs = performance.now() - t6;
  return {
    readMs: t1 - t0, parseMs: t2 - t1, buildMs: t3 - t2, encodeMs: t4 - t3, writeMs: t5 - t4, totalMs: t5 - t0,
    reparseMs, rssRead, rssParsed, rssBuilt, rssEncoded, maxRss: measured, heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers,
    inputBytes, outputBytes: saved.modelByteLength, chunks: saved.modelChunks.length,
    parameters: report.parameters, nodes: model.graph?.node?.length ?? 0, initializers: initializers.length,
    input: model.graph?.input?.[0]?.name ?? '', output: model.graph?.output?.[0]?.name ?? '',
    architecture: report.architecture, notes: report.notes,
  };
}

async function check(onnxPath: string, npzPath: string, inputName: string) {
  const t0 = performance.now();
  const arrays = readNpz(readFileSync(npzPath));
  const input = arrays.get('input');
  const expected = arrays.get('output');
  if (!input || !expected) throw new Error(`${basename(npzPath)} lacks 'input' or 'output'`);
  const session = await ortRuntime({ numThreads: 1 }).createSession(readFileSync(onnxPath));
  try {
    const out = await session.run({ [inputName]: npyToRuntime(input) });
    const [name, y] = Object.entries(out)[0];
    const got = y.data as Float32Array;
    const want = expected.data as Float32Array;
    const argGot = argmax(got);
    const argWant = argmax(want, got.length);
    return {
      output: name, dims: [...y.dims], expectedDims: expected.shape, finite: got.every(Number.isFinite), sum: got.reduce((a, b) => a + b, 0),
      relL2: relL2(got, want), maxAbs: maxAbs(got, want), top1: argGot, expectedTop1: argWant, maxProb: got[argGot], ms: performance.now() - t0,
    };
  } finally {
    await session.release();
  }
}

runJob(mode, {
  read: () => read(args[0]),
  convert: () => convert(args[0], args[1]),
  check: () => check(args[0], args[1], args[2]),
});
