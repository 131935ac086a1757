// The validate/compare step: metrics by hand, inputs, and real onnxruntime runs against onnxruntime's own tools.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbs, relL2, sqnrDb, top1Agreement } from '../../src/core/validate/metrics.js';
import { float32ToFloat16Bits, inputsFromNpz, mulberry32, randomInputs } from '../../src/core/validate/inputs.js';
import { compareModels, median, type CompareRuntime } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { float16ToFloat32 } from '../../src/core/onnx/tensor.js';
import { OmnihubError } from '../../src/core/errors.js';
import { REPO, fixture } from '../support/paths.js';

const read = (path: string) => new Uint8Array(readFileSync(path));
const MNIST = fixture('onnx/burn_mnist.onnx');
const ORT_PY = (name: string) => fixture('reference/ort-py', name);

describe('metrics', () => {
  it('maxAbs, relL2 and SQNR by hand', () => {
    const ref = new Float32Array([3, 4]); // ‖b‖ = 5
    const a = new Float32Array([3, 5]); // a−b = [0, 1]
    expect(maxAbs(a, ref)).toBe(1);
    expect(relL2(a, ref)).toBeCloseTo(0.2, 12);
    expect(sqnrDb(a, ref)).toBeCloseTo(10 * Math.log10(25), 12); // 13.979…
    expect(sqnrDb(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 4]))).toBeCloseTo(10 * Math.log10(21), 12);
    expect(relL2(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 4]))).toBeCloseTo(1 / Math.sqrt(21), 12);
    expect(maxAbs(new Int32Array([1, -7, 3]), new Int32Array([2, 2, 3]))).toBe(9);
    expect(maxAbs(new BigInt64Array([5n, 1n]), new BigInt64Array([2n, 1n]))).toBe(3);
  });

  it('equal arrays: 0 error, infinite SQNR; NaN differences show', () => {
    const x = new Float32Array([0.5, -2, 7]);
    expect(maxAbs(x, x)).toBe(0);
    expect(relL2(x, x)).toBe(0);
    expect(sqnrDb(x, x)).toBe(Infinity);
    expect(maxAbs(new Float32Array([NaN]), new Float32Array([1]))).toBeNaN();
    expect(() => maxAbs(new Float32Array(2), new Float32Array(3))).toThrow(OmnihubError);
  });

  it('top1Agreement per row over the last axis', () => {
    const b = new Float32Array([0.1, 0.9, 0, /**/ 0.5, 0.2, 0.3, /**/ 0, 0, 1, /**/ 2, 1, 0]);
    const a = new Float32Array([0.2, 0.8, 0, /**/ 0.1, 0.6, 0.3, /**/ 0, 0, 1, /**/ 0, 1, 2]);
    expect(top1Agreement(a, b, [4, 3])).toBe(0.5);
    expect(top1Agreement(b, b, [4, 3])).toBe(1);
    expect(top1Agreement(new Float32Array([1, 3, 2]), new Float32Array([0, 1, 0]), [3])).toBe(1);
    expect(() => top1Agreement(a, b, [5, 3])).toThrow(/does not hold/);
  });
});

describe('inputs', () => {
  const summary = {
    inputs: [
      { name: 'x', dtype: 'float32', shape: ['batch', 3, null] },
      { name: 'ids', dtype: 'int64', shape: ['batch', 4] },
      { name: 'h', dtype: 'float16', shape: [2] },
    ],
  };

  it('seeded random values: the same seed gives the same inputs, symbolic dims 1 unless given', () => {
    const one = randomInputs(summary, { seed: 7 });
    const two = randomInputs(summary, { seed: 7 });
    expect(one.x.dims).toEqual([1, 3, 1]);
    expect(one.ids.dims).toEqual([1, 4]);
    expect(one.x.data).toEqual(two.x.data);
    expect(randomInputs(summary, { seed: 8 }).x.data).not.toEqual(one.x.data);
    for (const v of one.x.data as Float32Array) expect(v >= 0 && v < 1).toBe(true);
    expect(one.ids.type).toBe('int64');
    for (const v of one.ids.data as BigInt64Array) expect(v >= 0n && v < 10n).toBe(true);
    expect(one.h.type).toBe('float16');
    expect(randomInputs(summary, { dims: { batch: 3 } }).ids.dims).toEqual([3, 4]);
    const next = mulberry32(1);
    const values = Array.from({ length: 1000 }, next);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  it('float16 bits round to nearest', () => {
    for (const x of [0, 0.5, 1, 0.1, 0.333, 65504, -2.5, 1e-7]) expect(Math.abs(float16ToFloat32(float32ToFloat16Bits(x)) - x)).toBeLessThanOrEqual(Math.abs(x) / 2048 + 6e-8);
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
  });

  it('from an .npz by input name; clear errors when names, dtypes or shapes differ', () => {
    const model = { inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }] };
    const feeds = inputsFromNpz(model, readNpz(read(ORT_PY('burn_mnist.inputs.npz'))));
    expect(feeds.input.dims).toEqual([1, 1, 28, 28]);
    expect(() => inputsFromNpz(model, readNpz(read(fixture('hf/gpt2-tiny/reference.npz'))))).toThrow(/no array for input 'input' \(it has 'input_ids'/);
    expect(() => inputsFromNpz({ inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, 28, 28] }] }, readNpz(read(ORT_PY('burn_mnist.inputs.npz'))))).toThrow(/shape \[1, 1, 28, 28\], but the model's input is \[1, 3, 28, 28\]/);
    expect(() => inputsFromNpz({ inputs: [{ name: 'input', dtype: 'int64', shape: null }] }, readNpz(read(ORT_PY('burn_mnist.inputs.npz'))))).toThrow(/is float32, but the model's input is int64/);
  });
});

describe('compareModels', () => {
  it('latency is the median after warm-up (injected runtime and clock)', async () => {
    let calls = 0;
    let clock = 0;
    const durations = [100, 100, 5, 1, 3]; // two warm-up runs, then three timed
    const runtime: CompareRuntime = {
      async createSession() {
        return {
          inputNames: ['input'],
          outputNames: ['y'],
          async run() {
            clock += durations[calls++ % durations.length];
            return { y: { type: 'float32', data: new Float32Array([1, 2]), dims: [1, 2] } };
          },
          async release() {},
        };
      },
    };
    const r = await compareModels(read(MNIST), read(MNIST), { runtime, runs: 3, now: () => clock });
    expect(r.latencyMs).toEqual({ a: 3, b: 3 });
    expect(calls).toBe(10);
    expect(r.outputs[0]).toMatchObject({ name: 'y', maxAbs: 0, sqnrDb: Infinity, top1Agree: 1 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('a model against itself: no difference', async () => {
    const bytes = read(MNIST);
    const r = await compareModels(bytes, bytes, { runtime: ortRuntime(), runs: 3 });
    expect(r.inputs).toEqual({ input: { type: 'float32', dims: [1, 1, 28, 28] } });
    expect(r.outputs).toHaveLength(1);
    expect(r.outputs[0]).toMatchObject({ name: 'log_probs', dims: [1, 10], maxAbs: 0, relL2: 0, sqnrDb: Infinity, top1Agree: 1 });
    expect(r.bytes).toEqual({ a: 1_509_899, b: 1_509_899 });
    expect(r.latencyMs.a).toBeGreaterThan(0);
    expect(r.unmatched).toEqual({ a: [], b: [] });
  });

  // README table (onnxruntime 1.30 Python on the same inputs): fp16 rel L2 0.0002396, SQNR 72.4; q8dyn 0.02466, 32.2.
  it.each([
    ['burn_mnist.fp16.onnx', 0.0002396, 72.4, 756_875],
    ['burn_mnist.q8dyn.onnx', 0.02466, 32.2, 385_271],
  ])('burn_mnist vs onnxruntime-tools %s agrees with the reference numbers', async (file, rel, sqnr, bytes) => {
    const a = read(MNIST);
    const inputs = inputsFromNpz({ inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }] }, readNpz(read(ORT_PY('burn_mnist.inputs.npz'))));
    const r = await compareModels(a, read(ORT_PY(file)), { runtime: ortRuntime(), inputs, runs: 3 });
    const out = r.outputs[0];
    expect(out.name).toBe('log_probs');
    expect(Math.abs(out.relL2 - rel) / rel).toBeLessThan(0.1);
    expect(out.sqnrDb).toBeCloseTo(sqnr, 0);
    expect(Math.abs(out.sqnrDb - sqnr)).toBeLessThan(0.5);
    expect(out.top1Agree).toBe(1);
    expect(r.bytes.b).toBe(bytes);
  });
});

describe('omnihub compare', () => {
  const omnihub = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/omnihub.mjs'), ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('--json prints per-output metrics, latency and bytes', () => {
    const r = omnihub('compare', MNIST, ORT_PY('burn_mnist.fp16.onnx'), '--inputs', ORT_PY('burn_mnist.inputs.npz'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.outputs)).toEqual(['log_probs']);
    const o = j.outputs.log_probs;
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['maxAbs', 'relL2', 'sqnrDb', 'top1Agree']));
    expect(Math.abs(o.relL2 - 0.0002396) / 0.0002396).toBeLessThan(0.1);
    expect(o.sqnrDb).toBeCloseTo(72.4, 0);
    expect(o.top1Agree).toBe(1);
    expect(o.maxAbs).toBeGreaterThan(0);
    expect(o.maxAbs).toBeLessThan(0.05);
    expect(j.bytes).toEqual({ a: 1_509_899, b: 756_875 });
    expect(j.latencyMs.a).toBeGreaterThan(0);
    expect(j.latencyMs.b).toBeGreaterThan(0);
  });

  it('a model against itself in the table; Infinity survives --json as a string', () => {
    const table = omnihub('compare', MNIST, MNIST);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/log_probs\s+0\s+0\s+Infinity\s+1/);
    const j = JSON.parse(omnihub('compare', MNIST, MNIST, '--seed', '3', '--json').stdout);
    expect(j.outputs.log_probs).toMatchObject({ maxAbs: 0, relL2: 0, sqnrDb: 'Infinity', top1Agree: 1 });
  });

  it('reads a model that keeps its weights in a side file, which then matches the single file exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-compare-'));
    expect(omnihub('roundtrip', MNIST, '-o', join(dir, 'ext.onnx'), '--external-data-threshold', '1024').code).toBe(0);
    const j = JSON.parse(omnihub('compare', MNIST, join(dir, 'ext.onnx'), '--json').stdout);
    expect(j.outputs.log_probs).toMatchObject({ maxAbs: 0, relL2: 0, sqnrDb: 'Infinity', top1Agree: 1 });
  });

  it('a mismatched .npz: exit 1 and one line on stderr', () => {
    const r = omnihub('compare', MNIST, MNIST, '--inputs', fixture('hf/gpt2-tiny/reference.npz'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^omnihub: the \.npz has no array for input 'input'/);
  });
});
