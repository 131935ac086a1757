/**
 * Helpers for the Keras → ONNX tests: KerasModelFile objects built in memory (configs and seeded weights), a run in
 * onnxruntime, and a check of every output against the reference (relL2, printed).
 */
import { expect } from 'vitest';
import { convertKerasModel, type KerasConvertOptions } from '../../src/core/convert/keras/index.js';
import type { KerasLayerConfig, KerasModelFile } from '../../src/core/formats/keras/types.js';
import { encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { relL2 } from '../../src/core/validate/metrics.js';
import type { WeightTensor } from '../../src/core/weights/types.js';
import { ort } from './ort.js';
import { randomF32, size, toArr, type Arr } from './keras-reference.js';

export interface W { shape: number[]; f: Float32Array }

/** Seeded weights, uniform in [lo, hi). */
export const w = (seed: number, shape: number[], lo = -1, hi = 1): W => ({ shape, f: randomF32(seed, size(shape), lo, hi) });
export const A = (x: W): Arr => toArr(x.shape, x.f);

export const layer = (cls: string, config: Record<string, unknown>): KerasLayerConfig => ({ class_name: cls, config });

export function weightTensors(name: string, ws: W[]): WeightTensor[] {
  return ws.map((x, i) => ({ name: `${name}/w${i}`, dtype: 'float32', shape: x.shape, bytes: new Uint8Array(x.f.buffer, x.f.byteOffset, x.f.byteLength) }));
}

export function kfile(config: KerasLayerConfig | undefined, weights: Record<string, W[]>, kerasVersion = '2.4.0'): KerasModelFile {
  return {
    format: config ? 'h5-full' : 'h5-weights',
    kerasVersion,
    config,
    notes: [],
    layers: Object.entries(weights).map(([name, ws]) => ({ layer: name, weights: weightTensors(name, ws) })),
  };
}

/** A Sequential model with an InputLayer 'x' of batch shape [null, ...inShape]. */
export function seq(layers: KerasLayerConfig[], inShape: (number | null)[], dtype = 'float32', name = 'seq'): KerasLayerConfig {
  return { class_name: 'Sequential', config: { name, layers: [layer('InputLayer', { name: 'x', batch_input_shape: [null, ...inShape], dtype }), ...layers] } };
}

/** A Functional model (Keras 2 node form): input 'x' → the layers in a chain; outputs = `outputs` tensors of the last. */
export function chain(layers: KerasLayerConfig[], inShape: (number | null)[], outputs = 1, dtype = 'float32', name = 'chain'): KerasLayerConfig {
  let prev = 'x';
  const ls: KerasLayerConfig[] = [{ ...layer('InputLayer', { name: 'x', batch_input_shape: [null, ...inShape], dtype }), name: 'x', inbound_nodes: [] }];
  for (const l of layers) {
    const n = String(l.config.name);
    ls.push({ ...l, name: n, inbound_nodes: [[[prev, 0, 0, {}]]] });
    prev = n;
  }
  return {
    class_name: 'Functional',
    config: { name, layers: ls, input_layers: [['x', 0, 0]], output_layers: Array.from({ length: outputs }, (_, i) => [prev, 0, i]) },
  };
}

export interface Feed { data: Float32Array | Int32Array | BigInt64Array; dims: number[] }

export async function runOnnx(model: ModelProto, feeds: Record<string, Feed>): Promise<{ names: string[]; outputs: { data: Float32Array; dims: number[] }[] }> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, f] of Object.entries(feeds)) {
      const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof Int32Array ? 'int32' : 'int64';
      inputs[k] = new ort.Tensor(type, f.data, f.dims);
    }
    const out = await session.run(inputs);
    const names = [...session.outputNames];
    return { names, outputs: names.map((n) => ({ data: out[n].data as Float32Array, dims: [...out[n].dims] })) };
  } finally {
    await session.release();
  }
}

export const countOps = (model: ModelProto, op: string): number => model.graph!.node!.filter((n) => n.op_type === op).length;

export const rows: string[] = [];

/** Converts, runs, and checks every output against the reference (relL2 ≤ tol, shapes equal); returns the model. */
export async function check(label: string, file: KerasModelFile, feeds: Record<string, Feed>, refs: Arr[], options: KerasConvertOptions = {}, tol = 1e-5): Promise<{ model: ModelProto; errors: number[]; names: string[]; report: ReturnType<typeof convertKerasModel>['report'] }> {
  const { model, report } = convertKerasModel(file, options);
  const { names, outputs } = await runOnnx(model, feeds);
  expect(outputs.length, `${label}: output count`).toBe(refs.length);
  const errors = outputs.map((o, i) => {
    expect(o.dims, `${label}: output ${names[i]} shape`).toEqual(refs[i].shape);
    return relL2(o.data, refs[i].data);
  });
  rows.push(`${label.padEnd(58)} relL2 ${errors.map((e) => e.toExponential(2)).join(', ')}  (Transpose ×${countOps(model, 'Transpose')})`);
  for (const e of errors) expect(e, label).toBeLessThanOrEqual(tol);
  return { model, errors, names, report };
}
