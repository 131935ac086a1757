// Quantized models run in onnxruntime, Node and web: burn_mnist and bert-tiny quantized by int8 dynamic, int4
// (MatMulNBits) and int8 static (QDQ, seeded random calibration samples), each run in onnxruntime-node 1.30 (the
// native CPU build) and in onnxruntime-web 1.30 (its wasm build, what the app uses) on the reference's inputs.
// Both runtimes must agree (rel L2 ≤ 1e-4), and the error vs fp32 must be what the web tests assert against
// onnxruntime's Python quantizers (../shared/fixtures/reference/ort-py-report.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { inputsFromNpz } from '../../src/core/validate/inputs.js';
import { relL2 } from '../../src/core/validate/metrics.js';
import type { CompareRuntime, CompareSession, RuntimeTensorLike } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { countOps } from '../../src/core/rewrites/graph.js';
import { quantizeDynamic } from '../../src/core/rewrites/quantize-dynamic/index.js';
import { quantizeInt4 } from '../../src/core/rewrites/quantize-int4/index.js';
import { quantizeStatic } from '../../src/core/rewrites/quantize-static/index.js';
import { fixture } from '../support/paths.js';
import { referenceSamples } from '../support/calibration-samples.js';

/** CompareRuntime over onnxruntime-node (CPU execution provider, errors only in the log). */
function ortNodeRuntime(): CompareRuntime {
  return {
    async createSession(model: Uint8Array): Promise<CompareSession> {
      const session = await ortNode.InferenceSession.create(model, { executionProviders: ['cpu'], logSeverityLevel: 3, intraOpNumThreads: 1 });
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        async run(feeds) {
          const inputs: Record<string, ortNode.Tensor> = {};
          for (const [name, t] of Object.entries(feeds)) inputs[name] = new ortNode.Tensor(t.type as ortNode.Tensor.Type, t.data as never, t.dims);
          const out = await session.run(inputs);
          const result: Record<string, RuntimeTensorLike> = {};
          for (const [name, t] of Object.entries(out)) result[name] = { type: t.type, data: t.data as RuntimeTensorLike['data'], dims: t.dims };
          return result;
        },
        release: () => session.release(),
      };
    },
  };
}

const node = ortNodeRuntime();
const web = ortRuntime();
const calibration = ortRuntime({ graphOptimizationLevel: 'disabled' });

const MODELS = { burn_mnist: fixture('onnx', 'burn_mnist.onnx'), 'bert-tiny': fixture('hf', 'bert-tiny', 'model.onnx') };
type Name = keyof typeof MODELS;
type Mode = 'q8dyn' | 'q4' | 'q8static_qdq';
const REPORT = JSON.parse(readFileSync(fixture('reference', 'ort-py-report.json'), 'utf8')) as {
  models: Record<string, Record<string, { vs_fp32: Array<{ rel_l2: number }> }>>;
};
/**
 * The bound on rel L2 vs fp32 (first output), as the web tests assert it: ≤ 1.1× the reference's for int8 dynamic
 * (quantize-dynamic.test.ts) and int4 (quantize-int4.test.ts), ≤ 1.5× for static (quantize-static.test.ts). The
 * reference left burn_mnist unquantized in int4 (its q4 rel L2 is 0: onnxruntime's tool skips Gemm, which we
 * quantize), so it has no number to hold to; quantize-int4.test.ts asserts MNIST accuracy ≥ 0.99 there instead.
 * Here the bound is 0.05 (0.0386 measured, 1.6× int8 dynamic's: 4-bit weights in its two Gemms).
 */
function bound(name: Name, mode: Mode): number {
  if (name === 'burn_mnist' && mode === 'q4') return 0.05;
  return (mode === 'q8static_qdq' ? 1.5 : 1.1) * REPORT.models[name][mode].vs_fp32[0].rel_l2;
}

const read = (path: string) => new Uint8Array(readFileSync(path));
const npzInputs = (name: Name, model: Uint8Array) =>
  inputsFromNpz(summarizeModel(decodeModel(model)), readNpz(read(fixture('reference', 'ort-py', `${name}.inputs.npz`))));

async function quantize(mode: Mode, bytes: Uint8Array, inputs: Record<string, RuntimeTensor>): Promise<Uint8Array> {
  const model = decodeModel(bytes);
  if (mode === 'q8dyn') return encodeModel(quantizeDynamic(model, {}).model);
  if (mode === 'q4') return encodeModel((await quantizeInt4(model, { blockSize: 32, symmetric: true })).model);
  return encodeModel((await quantizeStatic(model, {}, { runtime: calibration, samples: referenceSamples(inputs) })).model);
}

/** Every output, by name, as float32 (all outputs of these models are float32). */
async function run(rt: CompareRuntime, model: Uint8Array, feeds: Record<string, RuntimeTensor>): Promise<Map<string, Float32Array>> {
  const session = await rt.createSession(model);
  try {
    const out = await session.run(feeds);
    return new Map(session.outputNames.map((name) => [name, out[name].data as Float32Array]));
  } finally {
    await session.release();
  }
}

const QUANT_OP: Record<Mode, string> = { q8dyn: 'MatMulInteger', q4: 'com.microsoft:MatMulNBits', q8static_qdq: 'QuantizeLinear' };

describe('quantized models run in onnxruntime-node and onnxruntime-web alike', () => {
  for (const name of Object.keys(MODELS) as Name[]) {
    it(`${name}: int8 dynamic, int4 (MatMulNBits), int8 static (QDQ): node ≈ web, error vs fp32 as the reference's`, async () => {
      const fp32 = read(MODELS[name]);
      const feeds = npzInputs(name, fp32);
      const fp32Node = await run(node, fp32, feeds);
      const fp32Web = await run(web, fp32, feeds);
      const lines: string[] = [];
      for (const mode of ['q8dyn', 'q4', 'q8static_qdq'] as Mode[]) {
        const q = await quantize(mode, fp32, feeds);
        expect(countOps(decodeModel(q))[QUANT_OP[mode]] ?? 0, `${name} ${mode}: quantized ops`).toBeGreaterThan(0);
        const outNode = await run(node, q, feeds);
        const outWeb = await run(web, q, feeds);
        expect([...outNode.keys()]).toEqual([...fp32Node.keys()]);
        const names = [...outNode.keys()];
        names.forEach((out, i) => {
          const a = outNode.get(out)!;
          const b = outWeb.get(out)!;
          expect(a.length, `${name} ${mode} ${out}: sizes`).toBe(fp32Node.get(out)!.length);
          const between = relL2(a, b);
          const vsFp32Node = relL2(a, fp32Node.get(out)!);
          const vsFp32Web = relL2(b, fp32Web.get(out)!);
          lines.push(`${name} ${mode} ${out}: node vs web ${between.toExponential(2)}, vs fp32 node ${vsFp32Node.toFixed(5)} web ${vsFp32Web.toFixed(5)}` +
            (i === 0 ? ` (bound ${bound(name, mode).toFixed(5)})` : ''));
          expect(between, `${name} ${mode} ${out}: node vs web`).toBeLessThanOrEqual(1e-4);
          expect(Number.isFinite(vsFp32Node)).toBe(true);
          if (i === 0) {
            expect(vsFp32Node, `${name} ${mode} ${out}: node vs fp32`).toBeLessThanOrEqual(bound(name, mode));
            expect(vsFp32Web, `${name} ${mode} ${out}: web vs fp32`).toBeLessThanOrEqual(bound(name, mode));
            // Quantized, not the float model passed through: some error there is.
            expect(vsFp32Node).toBeGreaterThan(0);
          }
        });
      }
      console.log(lines.join('\n'));
    });
  }
});
