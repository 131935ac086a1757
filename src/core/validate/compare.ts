/**
 * Run two versions of a model (the original `a` and a conversion or quantization of it, `b`) on the same inputs and
 * say how far apart their outputs are, how fast each runs and how big each file is. The runtime is passed in, so
 * the core does not depend on onnxruntime (see `ort-runtime.ts` for onnxruntime-web).
 *
 * Metrics treat `a` (the original) as the reference: relL2 = ‖b−a‖₂/‖a‖₂, sqnrDb = 10·log10(‖a‖²/‖b−a‖²).
 */
import { decodeModel } from '../onnx/codec.js';
import { summarizeModel } from '../onnx/summary.js';
import { float16ToFloat32, type TensorValues } from '../onnx/tensor.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';
import { OmnihubError } from '../errors.js';
import { maxAbs, relL2, sqnrDb, top1Agreement, type NumericArray } from './metrics.js';
import { randomInputs, type RandomInputOptions } from './inputs.js';

/** What a session's outputs look like: onnxruntime's Tensor has these fields. */
export interface RuntimeTensorLike {
  type: string;
  data: TensorValues | ArrayLike<number> | ArrayLike<bigint>;
  dims: readonly number[];
}

export interface CompareSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, RuntimeTensor>): Promise<Record<string, RuntimeTensorLike>>;
  release(): Promise<void>;
}

export interface CompareRuntime {
  createSession(model: Uint8Array): Promise<CompareSession>;
}

export interface CompareOptions {
  runtime: CompareRuntime;
  /** Inputs by name (from `inputsFromNpz`, say); default: seeded random values from model a's declared inputs. */
  inputs?: Record<string, RuntimeTensor>;
  /** For random inputs: seed and symbolic dimension sizes. */
  random?: RandomInputOptions;
  /** Untimed runs before timing (default 2). */
  warmup?: number;
  /** Timed runs; the median is reported (default 10). */
  runs?: number;
  /** Clock in milliseconds (default performance.now). */
  now?: () => number;
}

export interface OutputComparison {
  name: string;
  type: { a: string; b: string };
  dims: number[];
  maxAbs: number;
  relL2: number;
  sqnrDb: number;
  /** Fraction of rows whose argmax over the last axis agrees; null when the output is not [N, classes] float. */
  top1Agree: number | null;
}

export interface CompareResult {
  /** Per output present in both models (matched by name), in model a's order. */
  outputs: OutputComparison[];
  /** Outputs only one of the models has. */
  unmatched: { a: string[]; b: string[] };
  inputs: Record<string, { type: string; dims: number[] }>;
  /** Median over the timed runs, after warm-up. */
  latencyMs: { a: number; b: number };
  bytes: { a: number; b: number };
  warmup: number;
  runs: number;
}

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16']);

function numeric(t: RuntimeTensorLike, which: string, name: string): NumericArray {
  if (t.type === 'string') throw new OmnihubError('unsupported', `output '${name}' of model ${which} holds strings: cannot compare numerically`);
  if (t.type === 'float16' && !(t.data instanceof Float32Array) && !(t.data instanceof Float64Array)) {
    const bits = t.data as ArrayLike<number>;
    const out = new Float64Array(bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = float16ToFloat32(bits[i]);
    return out;
  }
  return t.data as NumericArray;
}

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function runTimed(session: CompareSession, feeds: Record<string, RuntimeTensor>, warmup: number, runs: number, now: () => number) {
  const first = await session.run(feeds);
  for (let i = 1; i < warmup; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await session.run(feeds);
    times.push(now() - t0);
  }
  return { outputs: first, latencyMs: median(times) };
}

function feedsFor(session: CompareSession, inputs: Record<string, RuntimeTensor>, which: string): Record<string, RuntimeTensor> {
  const missing = session.inputNames.filter((n) => !(n in inputs));
  if (missing.length) throw new OmnihubError('usage', `model ${which} needs input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}, which model a does not have`);
  return Object.fromEntries(session.inputNames.map((n) => [n, inputs[n]]));
}

export async function compareModels(a: Uint8Array, b: Uint8Array, options: CompareOptions): Promise<CompareResult> {
  const warmup = Math.max(1, options.warmup ?? 2);
  const runs = Math.max(1, options.runs ?? 10);
  const now = options.now ?? (() => performance.now());
  const inputs = options.inputs ?? randomInputs(summarizeModel(decodeModel(a)), options.random);

  const measure = async (bytes: Uint8Array, which: string) => {
    const session = await options.runtime.createSession(bytes);
    try {
      return { session: { inputNames: session.inputNames, outputNames: session.outputNames }, ...(await runTimed(session, feedsFor(session, inputs, which), warmup, runs, now)) };
    } finally {
      await session.release();
    }
  };
  const ra = await measure(a, 'a');
  const rb = await measure(b, 'b');

  const outputs: OutputComparison[] = [];
  for (const name of ra.session.outputNames) {
    if (!rb.session.outputNames.includes(name)) continue;
    const ta = ra.outputs[name];
    const tb = rb.outputs[name];
    const dims = [...ta.dims];
    if (dims.length !== tb.dims.length || dims.some((d, k) => d !== tb.dims[k])) {
      throw new OmnihubError('unsupported', `output '${name}' has shape [${dims.join(', ')}] in model a but [${tb.dims.join(', ')}] in model b`);
    }
    const va = numeric(ta, 'a', name);
    const vb = numeric(tb, 'b', name);
    const classifier = FLOAT_TYPES.has(ta.type) && FLOAT_TYPES.has(tb.type) && dims.length === 2 && dims[1] > 1;
    outputs.push({
      name,
      type: { a: ta.type, b: tb.type },
      dims,
      // The original (a) is the reference.
      maxAbs: maxAbs(vb, va),
      relL2: relL2(vb, va),
      sqnrDb: sqnrDb(vb, va),
      top1Agree: classifier ? top1Agreement(vb, va, dims) : null,
    });
  }
  return {
    outputs,
    unmatched: {
      a: ra.session.outputNames.filter((n) => !rb.session.outputNames.includes(n)),
      b: rb.session.outputNames.filter((n) => !ra.session.outputNames.includes(n)),
    },
    inputs: Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, { type: t.type, dims: [...t.dims] }])),
    latencyMs: { a: ra.latencyMs, b: rb.latencyMs },
    bytes: { a: a.byteLength, b: b.byteLength },
    warmup,
    runs,
  };
}
