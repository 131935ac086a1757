/**
 * One Node measurement in a fresh process, started by bench/tensorflow.ts, so the peak RSS belongs to this run alone.
 * Bundled with esbuild to CommonJS and run with plain `node` (as bench/keras/child.ts). Prints one JSON line.
 *
 *   idle              baseline: Node with this bundle loaded, nothing read
 *   read DIR          the baseline the issue compares with: readWholeFile of every file of the SavedModel in DIR, one
 *                     after the other (saved_model.pb, variables/variables.index, variables/variables.data-…)
 *   convert DIR OUT   as the app converts a SavedModel folder: convertToOnnx([its files, with their paths], {}) —
 *                     each SourceFile.read() is readWholeFile (summed: "read"); from the start to onProgress('building')
 *                     less the reads is "parse + freeze" (readSavedModel: saved_model.pb decoded, the TensorBundle
 *                     index read, every tensor's CRC-32C checked, variables mapped; freezeSavedModel); the rest is
 *                     "build" (convertGraphDef) — then saveModel (encodeModelChunks) → writeFileAtomic (no fsync).
 *                     Then, untimed for the table's total and after the peak was taken, the same steps once more on the
 *                     bytes already read, each alone: readSavedModel with and without the CRC checks, freezeSavedModel,
 *                     convertGraphDef, encodeModelChunks.
 *   check ONNX NET BATCH  untimed: the ONNX in onnxruntime-web (its Node build, wasm, 1 thread) on NET's seeded input
 *                     (bench/tensorflow/savedmodel.ts, NET = big | tiny) at batch BATCH, against referenceForward (a
 *                     plain TypeScript float64 forward pass from the same seeded values): relL2, max |Δ|, dims, finite
 *
 * Times: performance.now(), ms; `total` from before the first read to after writing. Max RSS (getrusage) after each
 * step; V8's heap and ArrayBuffer totals after building.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { convertToOnnx } from '../../src/core/convert/index.js';
import { convertGraphDef, freezeSavedModel } from '../../src/core/convert/tensorflow/index.js';
import { readSavedModel } from '../../src/core/formats/tensorflow/index.js';
import { encodeModelChunks } from '../../src/core/onnx/codec.js';
import { readWholeFile } from '../../src/core/cli/node-files.js';
import { maxAbs, relL2 } from '../../src/core/validate/metrics.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { argmax, maxRss, runJob, saveAndWrite } from '../common/child.js';
import { NET_BIG, NET_TINY, referenceForward, SAVED_MODEL_FILES, seededInput } from './savedmodel.js';

const [mode, ...args] = process.argv.slice(2);

async function read(dir: string) {
  const t0 = performance.now();
  let inputBytes = 0;
  for (const f of SAVED_MODEL_FILES) inputBytes += (await readWholeFile(join(dir, f))).length;
  const t1 = performance.now();
  return { readMs: t1 - t0, totalMs: t1 - t0, maxRss: maxRss(), inputBytes };
}

async function convert(dir: string, output: string) {
  let t0 = 0, tBuilding = 0, readMs = 0, rssFrozen = 0, inputBytes = 0;
  const read = new Map<string, Uint8Array>();
  const files = SAVED_MODEL_FILES.map((f) => ({
    // As a folder dropped on the app: its files with their paths under the folder's name.
    path: `savedmodel/${f}`,
    size: statSync(join(dir, f)).size,
    read: async () => {
      const r0 = performance.now();
      if (!t0) t0 = r0;
      const bytes = await readWholeFile(join(dir, f));
      readMs += performance.now() - r0;
      inputBytes += bytes.length;
      read.set(f, bytes);
      return bytes;
    },
  }));
  const { model, report } = await convertToOnnx(files, {
    onProgress: (phase) => {
      if (phase === 'building') {
        tBuilding = performance.now();
        rssFrozen = maxRss();
      }
    },
  });
  const { tBuilt, rssBuilt, mem, saved, tEncoded, rssEncoded, tDone } = await saveAndWrite(model, output);
  const measured = maxRss();

  // Untimed for the total, after the peak was taken: each step alone on the bytes already read.
  const time = <T,>(f: () => T): [T, number] => { const s = performance.now(); const r = f(); return [r, performance.now() - s]; };
  const timeAsync = async <T,>(f: () => Promise<T>): Promise<[T, number]> => { const s = performance.now(); const r = await f(); return [r, performance.now() - s]; };
  const [, readSavedModelNoCrcMs] = await timeAsync(() => readSavedModel(new Map(read), { verifyChecksums: false }));
  const [saved2, readSavedModelMs] = await timeAsync(() => readSavedModel(new Map(read)));
  const [frozen, freezeMs] = time(() => freezeSavedModel(saved2));
  const [converted, convertMs] = time(() => convertGraphDef(frozen.graphDef, { inputs: frozen.inputs.map((t) => t.tensor), outputs: frozen.outputs.map((t) => t.tensor) }));
  const [, encodeAgainMs] = time(() => encodeModelChunks(converted.model));

  const initializers = model.graph?.initializer ?? [];
  return {
    readMs, freezeMs: tBuilding - t0 - readMs, buildMs: tBuilt - tBuilding, encodeMs: tEncoded - tBuilt, writeMs: tDone - tEncoded, totalMs: tDone - t0,
    again: { readSavedModelMs, readSavedModelNoCrcMs, freezeMs, convertMs, encodeMs: encodeAgainMs },
    rssFrozen, rssBuilt, rssEncoded, maxRss: measured, heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers,
    inputBytes, outputBytes: saved.modelByteLength, chunks: saved.modelChunks.length,
    parameters: report.parameters, nodes: model.graph?.node?.length ?? 0, initializers: initializers.length,
    ops: [...new Set((model.graph?.node ?? []).map((n) => n.op_type))].join(' '),
    inputs: (model.graph?.input ?? []).map((i) => i.name), outputs: (model.graph?.output ?? []).map((o) => o.name),
    architecture: report.architecture, notes: report.notes,
  };
}

async function check(onnxPath: string, net: string, batchArg: string) {
  const spec = net === 'tiny' ? NET_TINY : NET_BIG;
  const batch = Number(batchArg);
  const t0 = performance.now();
  const input = seededInput(spec, batch);
  const ref = referenceForward(spec, input, batch);
  const refMs = performance.now() - t0;
  const session = await ortRuntime({ numThreads: 1 }).createSession(readFileSync(onnxPath));
  try {
    const out = await session.run({ images: { type: 'float32', data: input, dims: [batch, spec.image, spec.image, 3] } });
    const results: Record<string, unknown> = {};
    for (const [name, want] of [['logits', ref.logits], ['probabilities', ref.probabilities]] as const) {
      const y = out[name];
      if (!y) throw new Error(`the ONNX has no output '${name}' (it has ${Object.keys(out).join(', ')})`);
      const got = y.data as Float32Array;
      const wantF = Float64Array.from(want);
      // First row only.
      const argGot = argmax(got, spec.classes);
      const argWant = argmax(wantF, spec.classes);
      results[name] = {
        dims: [...y.dims], finite: Array.from(got).every(Number.isFinite), relL2: relL2(got, wantF), maxAbs: maxAbs(got, wantF),
        top1: argGot, expectedTop1: argWant,
      };
    }
    return { ...results, batch, classes: spec.classes, refMs, ms: performance.now() - t0 };
  } finally {
    await session.release();
  }
}

runJob(mode, {
  read: () => read(args[0]),
  convert: () => convert(args[0], args[1]),
  check: () => check(args[0], args[1], args[2]),
});
