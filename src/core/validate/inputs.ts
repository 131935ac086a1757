/**
 * Inputs to run a model on when comparing two versions of it: seeded random values made from the model's declared
 * inputs, or arrays from a `.npz` matched to the inputs by name.
 *
 * Random values: float inputs (float32, float64, float16) are uniform in [0, 1); integer inputs are uniform
 * integers in [0, 10) (small enough to be valid token ids, indices or class ids for most models); bool inputs are
 * 0 or 1. Symbolic or unknown dimensions are 1 unless `dims` names them.
 */
import type { ModelSummary, ValueSummary } from '../onnx/summary.js';
import type { NpyArray } from '../formats/numpy/npy.js';
import { npyToRuntime, type RuntimeTensor } from '../onnx/runtime-tensor.js';
import { OmnihubError } from '../errors.js';

export interface RandomInputOptions {
  /** PRNG seed (default 0): the same seed gives the same inputs. */
  seed?: number;
  /** Sizes for symbolic dimensions by name (`{ batch: 4 }`); the others are 1. */
  dims?: Record<string, number>;
}

/** mulberry32: a small 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** IEEE half-precision bits of x, rounded to nearest even (enough for values in [0, 1)). */
export function float32ToFloat16Bits(x: number): number {
  F32[0] = x;
  const bits = U32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is the correct rounding.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

function concreteDims(input: ValueSummary, dims: Record<string, number>): number[] {
  if (input.shape === null) throw new OmnihubError('unsupported', `input '${input.name}' has no declared shape: give its values in an .npz`);
  return input.shape.map((d) => (typeof d === 'number' ? d : typeof d === 'string' && d in dims ? dims[d] : 1));
}

export function randomInput(input: ValueSummary, next: () => number, dims: Record<string, number> = {}): RuntimeTensor {
  const shape = concreteDims(input, dims);
  const n = shape.reduce((a, b) => a * b, 1);
  const ints = (ctor: new (n: number) => { [i: number]: number }) => {
    const a = new ctor(n);
    for (let i = 0; i < n; i++) a[i] = Math.floor(next() * 10);
    return a;
  };
  switch (input.dtype) {
    case 'float32': case 'float64': {
      const a = input.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = next();
      return { type: input.dtype, data: a, dims: shape };
    }
    case 'float16': {
      const a = new Uint16Array(n);
      for (let i = 0; i < n; i++) a[i] = float32ToFloat16Bits(next());
      return { type: 'float16', data: a, dims: shape };
    }
    case 'int64': case 'uint64': {
      const a = input.dtype === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(Math.floor(next() * 10));
      return { type: input.dtype, data: a, dims: shape };
    }
    case 'int32': return { type: 'int32', data: ints(Int32Array) as Int32Array, dims: shape };
    case 'uint32': return { type: 'uint32', data: ints(Uint32Array) as Uint32Array, dims: shape };
    case 'int16': return { type: 'int16', data: ints(Int16Array) as Int16Array, dims: shape };
    case 'uint16': return { type: 'uint16', data: ints(Uint16Array) as Uint16Array, dims: shape };
    case 'int8': return { type: 'int8', data: ints(Int8Array) as Int8Array, dims: shape };
    case 'uint8': return { type: 'uint8', data: ints(Uint8Array) as Uint8Array, dims: shape };
    case 'bool': {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = next() < 0.5 ? 0 : 1;
      return { type: 'bool', data: a, dims: shape };
    }
    default:
      throw new OmnihubError('unsupported', `cannot make random values for input '${input.name}' of type ${input.dtype}: give its values in an .npz`);
  }
}

/** Seeded random inputs for every input of the model, in the model's order. */
export function randomInputs(summary: Pick<ModelSummary, 'inputs'>, options: RandomInputOptions = {}): Record<string, RuntimeTensor> {
  const next = mulberry32(options.seed ?? 0);
  const feeds: Record<string, RuntimeTensor> = {};
  for (const input of summary.inputs) feeds[input.name] = randomInput(input, next, options.dims);
  return feeds;
}

function formatShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

/**
 * The model's inputs taken from `.npz` arrays of the same names (extra arrays, such as stored outputs, are
 * ignored). Fails with a clear message when an input is missing or an array's dtype or shape does not fit.
 */
export function inputsFromNpz(summary: Pick<ModelSummary, 'inputs'>, arrays: Map<string, NpyArray>): Record<string, RuntimeTensor> {
  const feeds: Record<string, RuntimeTensor> = {};
  const missing = summary.inputs.filter((i) => !arrays.has(i.name)).map((i) => i.name);
  if (missing.length) {
    throw new OmnihubError('usage', `the .npz has no array for input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (it has ${[...arrays.keys()].map((k) => `'${k}'`).join(', ') || 'none'})`);
  }
  for (const input of summary.inputs) {
    const a = arrays.get(input.name)!;
    if (a.dtype !== input.dtype) throw new OmnihubError('usage', `.npz array '${input.name}' is ${a.dtype}, but the model's input is ${input.dtype}`);
    const shape = input.shape;
    if (shape !== null) {
      const fits = shape.length === a.shape.length && shape.every((d, k) => typeof d !== 'number' || d === a.shape[k]);
      if (!fits) throw new OmnihubError('usage', `.npz array '${input.name}' has shape ${formatShape(a.shape)}, but the model's input is ${formatShape(shape)}`);
    }
    feeds[input.name] = npyToRuntime(a);
  }
  return feeds;
}
