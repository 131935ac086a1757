// freeze → simplify on every ONNX fixture: onnxruntime gives the same outputs before and after, the node count never
// grows, and on the models the reference report covers it is at most what the onnxscript optimizer reached.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { mulberry32, randomInput } from '../../src/core/validate/inputs.js';
import { npyToRuntime, type RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { compareModels, type CompareRuntime } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { runRecipe } from '../../src/core/rewrites/recipe.js';
import { FIXTURES, findFiles, fixture } from '../support/paths.js';
import { mnistAccuracy } from '../support/mnist.js';

const FREEZE_SIMPLIFY = { steps: [{ step: 'freeze' }, { step: 'simplify' }] };

/** Fixtures onnxruntime itself refuses, and why; freeze+simplify must still handle them without crashing. */
const ORT_CANNOT_RUN: Record<string, string> = {
  'onnx/fml__three_layer_bn_pytorch.onnx': 'opset 6: no onnxruntime kernels',
  'onnx/fml__tiny_unet_ch_last.onnx': 'custom qonnx-domain ops',
};

/** Loads in onnxruntime, but its sequence-of-map output cannot be read through the JS API. */
const OUTPUTS_UNREADABLE = new Set(['onnx/kotlindl__lgbmSequenceOutput.onnx']);

/** `onnxscript_opt` node counts from ../shared/fixtures/reference/ort-py-report.json: ours must not be higher. */
const REFERENCE_NODES: Record<string, [before: number, onnxscript: number]> = {
  'onnx/tv_mobilenet_v2.onnx': [209, 100],
  'onnx/tv_squeezenet1_1.onnx': [83, 65],
  'onnx/ppocr_mobile_v2_cls.onnx': [471, 220],
  'onnx/burn_mnist.onnx': [13, 12],
  'onnx/mtcnn_rnet.onnx': [22, 19],
};

/** Real inputs where a fixture comes with them (its .io.npz, the Hub reference, the ORT-Python inputs), else seeded random. */
function inputsFor(file: string, model: Uint8Array): Record<string, RuntimeTensor> {
  const name = basename(file, '.onnx');
  const base = name.split('.')[0];
  const candidates = [fixture('onnx', `${name}.io.npz`), `${dirname(file)}/reference.npz`, fixture('reference/ort-py', `${base}.inputs.npz`)];
  const arrays = new Map(candidates.filter(existsSync).flatMap((f) => [...readNpz(readFileSync(f))]));
  const next = mulberry32(0);
  const feeds: Record<string, RuntimeTensor> = {};
  for (const input of summarizeModel(decodeModel(model)).inputs) {
    const a = arrays.get(input.name);
    if (a) feeds[input.name] = npyToRuntime(a);
    // Silero VAD checks its sample rate and takes 512-sample chunks at 16 kHz.
    else if (name.startsWith('silero') && input.name === 'sr') feeds.sr = { type: 'int64', data: BigInt64Array.of(16000n), dims: [] };
    else if (name.startsWith('silero') && input.name === 'input') feeds.input = randomInput({ ...input, shape: [1, 512] }, next);
    else feeds[input.name] = randomInput(input, next);
  }
  return feeds;
}

const nodeCount = (bytes: Uint8Array) => summarizeModel(decodeModel(bytes)).nodesTotal;

describe('freeze → simplify on the fixtures', () => {
  let folding: CompareRuntime;
  let runtime: CompareRuntime;
  beforeAll(() => {
    folding = ortRuntime({ graphOptimizationLevel: 'disabled' });
    // Compared without onnxruntime's own fusions, so the numbers show what our rewrite changed.
    runtime = ortRuntime({ graphOptimizationLevel: 'disabled' });
  });

  const files = findFiles(FIXTURES, '.onnx').map((f) => [relative(FIXTURES, f), f] as const);
  it('finds the fixtures', () => expect(files.length).toBeGreaterThanOrEqual(20));

  it.each(files)('%s', async (rel, file) => {
    const original = new Uint8Array(readFileSync(file));
    const { model, reports } = await runRecipe(decodeModel(original), FREEZE_SIMPLIFY, { runtime: folding });
    const result = encodeModel(model);
    const [before, after] = [nodeCount(original), nodeCount(result)];
    console.log(`${rel}: ${before} → ${after} nodes; ${reports.map((r) => r.notes.join('; ')).filter(Boolean).join(' | ')}`);
    expect(after).toBeLessThanOrEqual(before);
    const reference = REFERENCE_NODES[rel];
    if (reference) {
      expect(before).toBe(reference[0]);
      expect(after).toBeLessThanOrEqual(reference[1]);
    }
    if (rel in ORT_CANNOT_RUN) {
      await expect(runtime.createSession(original)).rejects.toMatchObject({ code: 'runtime' });
      return;
    }
    if (OUTPUTS_UNREADABLE.has(rel)) {
      await expect(compareModels(original, result, { runtime, warmup: 1, runs: 1 })).rejects.toThrow();
      return;
    }
    const comparison = await compareModels(original, result, { runtime, inputs: inputsFor(file, original), warmup: 1, runs: 1 });
    expect(comparison.unmatched).toEqual({ a: [], b: [] });
    for (const o of comparison.outputs) {
      expect(o.relL2 <= 1e-5 || o.maxAbs <= 1e-5, `${o.name}: relL2 ${o.relL2}, max |Δ| ${o.maxAbs}`).toBe(true);
    }
  }, 60_000);

  // The fixtures README says ppocr lists its initializers as graph inputs; the file itself keeps its 250 weights as
  // Constant nodes and has the one input 'x' (that is why quantize_dynamic fails on it). Unfreezing them as inputs
  // makes the case the issue describes; freeze must then leave no initializer among the inputs.
  it('ppocr_mobile_v2_cls: weights made graph inputs by unfreeze are no inputs any more after freeze', async () => {
    const model = decodeModel(readFileSync(fixture('onnx/ppocr_mobile_v2_cls.onnx')));
    const overridable = (m: typeof model) => {
      const initializers = new Set((m.graph!.initializer ?? []).map((t) => t.name));
      return (m.graph!.input ?? []).filter((i) => initializers.has(i.name)).length;
    };
    const { model: exposed } = await runRecipe(model, { steps: [{ step: 'unfreeze', options: { asInputs: true } }] });
    expect(overridable(exposed)).toBeGreaterThan(200);
    const { model: frozen } = await runRecipe(exposed, { steps: [{ step: 'freeze' }] });
    expect(overridable(frozen)).toBe(0);
    expect((frozen.graph!.input ?? []).map((i) => i.name)).toEqual(['x']);
  });

  it('burn_mnist keeps its MNIST accuracy (all 10,000 digits) after freeze → simplify', async () => {
    const original = new Uint8Array(readFileSync(fixture('onnx/burn_mnist.onnx')));
    const { model } = await runRecipe(decodeModel(original), FREEZE_SIMPLIFY, { runtime: folding });
    const [before, after] = [await mnistAccuracy(original, runtime), await mnistAccuracy(encodeModel(model), runtime)];
    console.log(`burn_mnist MNIST accuracy: ${before} → ${after}`);
    expect(before).toBe(0.9946);
    expect(after).toBe(0.9946);
  }, 60_000);
});
