/**
 * One Node measurement in a fresh process, started by bench/pytorch.ts, so the peak RSS belongs to this run alone.
 * Bundled with esbuild to CommonJS and run with plain `node` (no tsx loader thread), as bench/quantize/child.ts is.
 * Prints one JSON line.
 *
 *   idle                 baseline: Node with this bundle loaded, nothing read
 *   convert IN OUT ARCH  "read a state dict and write ONNX": readWholeFile → readTorchFile → buildTorchvisionModel →
 *                        saveModel (encodeModelChunks: weights stay views on the file's buffer) → writeFileAtomic
 *                        (no fsync, as torch.save does none)
 *   check ONNX NPZ       untimed: the ONNX in onnxruntime-web (its Node build, wasm, 1 thread) on the .npz's `input`,
 *                        its output against the .npz's `output` (PyTorch's eval-mode output): relL2, max |Δ|
 *
 * Times: each step (ms, performance.now()) and `total` from before reading to after writing. Max RSS (getrusage)
 * after each step; V8's heap and ArrayBuffer totals after building.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readTorchFile } from '../../src/core/formats/pytorch/index.js';
import { buildTorchvisionModel } from '../../src/core/convert/torchvision/index.js';
import { readWholeFile } from '../../src/core/cli/node-files.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { checkAgainstReference } from '../../src/core/validate/reference-check.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { maxRss, runJob, saveAndWrite } from '../common/child.js';

const [mode, ...args] = process.argv.slice(2);

async function convert(input: string, output: string, arch: string) {
  const t0 = performance.now();
  const bytes = await readWholeFile(input);
  const t1 = performance.now();
  const rssRead = maxRss();
  const file = readTorchFile(bytes);
  const t2 = performance.now();
  const rssParsed = maxRss();
  const { model, report } = buildTorchvisionModel(arch, file.tensors);
  const { tBuilt: t3, rssBuilt, mem, saved, tEncoded: t4, rssEncoded, tDone: t5 } = await saveAndWrite(model, output);
  return {
    readMs: t1 - t0, parseMs: t2 - t1, buildMs: t3 - t2, encodeMs: t4 - t3, writeMs: t5 - t4, totalMs: t5 - t0,
    rssRead, rssParsed, rssBuilt, rssEncoded, maxRss: maxRss(), heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers,
    inputBytes: bytes.length, outputBytes: saved.modelByteLength, chunks: saved.modelChunks.length,
    tensors: file.tensors.size, parameters: report.parameters, nodes: model.graph?.node?.length ?? 0, notes: [...file.notes, ...report.notes],
  };
}

async function check(onnxPath: string, npzPath: string) {
  const t0 = performance.now();
  const result = await checkAgainstReference(readFileSync(onnxPath), readNpz(readFileSync(npzPath)), ortRuntime({ numThreads: 1 }), { tolerance: 1e-5 });
  return { ...result, ms: performance.now() - t0 };
}

runJob(mode, {
  convert: () => convert(args[0], args[1], args[2]),
  check: () => check(args[0], args[1]),
});
