// TFLite → ONNX, checked against computations that do not go through the converter:
// - a small TFLite interpreter written here in plain TypeScript (NHWC convolutions, pools, dense layers, LSTM … as
//   TFLite defines them, reading the tensors with readTflite), run in float64; with `fakeQuant` it also rounds every
//   quantized tensor to its int8 grid as the QDQ semantics say (ONNX QuantizeLinear: round half to even, saturate);
// - the six real .tflite fixtures (TFLM hello_world float/int8, MLPerf Tiny ResNet-8 float/int8, TFLM person
//   detection int8, TFLM mnist LSTM) converted and run in onnxruntime (onnxruntime-web's Node build);
// - tiny models built here with the generated flatbuffers builders, one per operator feature the fixtures lack;
// - broken files: not TFLite, truncated, damaged offsets, unsupported operators.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as flatbuffers from 'flatbuffers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ActivationFunctionType as Act,
  BuiltinOperator as Op,
  BuiltinOptions as Opt,
  Buffer as FbBuffer,
  ConcatenationOptions,
  Conv2DOptions,
  DepthwiseConv2DOptions,
  FullyConnectedOptions,
  GatherOptions,
  LeakyReluOptions,
  Model,
  MulOptions,
  AddOptions,
  SubOptions,
  DivOptions,
  Operator as FbOperator,
  OperatorCode,
  Padding,
  Pool2DOptions,
  QuantizationParameters,
  ReducerOptions,
  ReshapeOptions,
  SoftmaxOptions,
  SqueezeOptions,
  StridedSliceOptions,
  SubGraph,
  Tensor as FbTensor,
  TensorType,
  UnidirectionalSequenceLSTMOptions,
} from '../../src/core/formats/tflite/generated/tflite_schema_generated.js';
import { readTflite, type TfliteModel, type TfliteTensor } from '../../src/core/formats/tflite/read.js';
import { convertTflite, convertTfliteModel, SUPPORTED_TFLITE_OPS, type TfliteConvertOptions } from '../../src/core/convert/tflite/index.js';
import { encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { maxAbs, relL2, top1Agreement } from '../../src/core/validate/metrics.js';
import { OmnihubError } from '../../src/core/errors.js';
import { ort } from '../support/ort.js';
import { fixture, REPO } from '../support/paths.js';

const rows: string[] = [];
afterAll(() => {
  if (rows.length) console.log(['', 'TFLite → ONNX (measured):', ...rows].join('\n'));
});
const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(4));

function tflite(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture('tflite', name)));
}

// ---------------------------------------------------------------- onnxruntime

type Feed = { data: Float32Array | Int8Array | Uint8Array; dims: number[] };

async function runOnnx(model: ModelProto, feeds: Feed[], optimize = false): Promise<{ data: Float32Array | Int8Array; dims: number[] }[]> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], graphOptimizationLevel: optimize ? 'all' : 'disabled' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, k) => {
      const f = feeds[k];
      const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof Int8Array ? 'int8' : 'uint8';
      inputs[name] = new ort.Tensor(type, f.data, f.dims);
    });
    const out = await session.run(inputs);
    return session.outputNames.map((n) => ({ data: out[n].data as Float32Array | Int8Array, dims: [...out[n].dims] }));
  } finally {
    await session.release();
  }
}

function opTypes(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of model.graph!.node!) counts[n.op_type!] = (counts[n.op_type!] ?? 0) + 1;
  return counts;
}

// ---------------------------------------------------------------- reference interpreter (float64, NHWC)

interface Arr { shape: number[]; data: Float64Array }
const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);
const arr = (shape: number[], data?: ArrayLike<number>): Arr => ({ shape, data: data ? Float64Array.from(data) : new Float64Array(size(shape)) });

/** Raw stored values of a constant, read here independently of the converter. */
function raw(t: TfliteTensor): number[] {
  const d = t.data!;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const n = size(t.shape);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (t.type === 'float32') out.push(v.getFloat32(4 * i, true));
    else if (t.type === 'float16') out.push(half(v.getUint16(2 * i, true)));
    else if (t.type === 'int32') out.push(v.getInt32(4 * i, true));
    else if (t.type === 'int64') out.push(Number(v.getBigInt64(8 * i, true)));
    else if (t.type === 'int8') out.push(v.getInt8(i));
    else if (t.type === 'uint8') out.push(v.getUint8(i));
    else throw new Error(`reference: type ${t.type}`);
  }
  return out;
}

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Real values: scale · (q − zero point), per channel along the quantized dimension. */
function realOf(t: TfliteTensor): Arr {
  const r = raw(t);
  const q = t.quantization;
  if (!q || t.type.startsWith('float')) return arr(t.shape, r);
  const axis = q.quantizedDimension;
  const inner = size(t.shape.slice(axis + 1));
  const out = arr(t.shape);
  for (let i = 0; i < r.length; i++) {
    const c = q.scales.length === 1 ? 0 : Math.floor(i / inner) % t.shape[axis];
    out.data[i] = q.scales[c] * (r[i] - q.zeroPoints[c]);
  }
  return out;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const QRANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255] };

/** The tensor's integer values for real values on (or near) its grid. */
function quantize(t: TfliteTensor, real: ArrayLike<number>): number[] {
  const q = t.quantization!;
  const [lo, hi] = QRANGE[t.type];
  return Array.from(real, (x) => Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(Math.fround(x) / Math.fround(q.scales[0]))) + q.zeroPoints[0])));
}

function fakeQuant(t: TfliteTensor, a: Arr): Arr {
  const q = t.quantization!;
  return { shape: a.shape, data: Float64Array.from(quantize(t, a.data), (v) => q.scales[0] * (v - q.zeroPoints[0])) };
}

function act(x: number, a: number): number {
  switch (a) {
    case Act.NONE: return x;
    case Act.RELU: return Math.max(0, x);
    case Act.RELU6: return Math.min(6, Math.max(0, x));
    case Act.RELU_N1_TO_1: return Math.min(1, Math.max(-1, x));
    case Act.TANH: return Math.tanh(x);
    default: throw new Error(`reference: activation ${a}`);
  }
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** TensorFlow's SAME/VALID: output size and the padding before the first pixel. */
function tfPad(n: number, k: number, s: number, d: number, same: boolean): [number, number] {
  const eff = (k - 1) * d + 1;
  if (!same) return [Math.ceil((n - eff + 1) / s), 0];
  const out = Math.ceil(n / s);
  return [out, Math.floor(Math.max((out - 1) * s + eff - n, 0) / 2)];
}

function conv2d(x: Arr, w: Arr, bias: Arr | undefined, o: Record<string, unknown>, depthwise: boolean): Arr {
  const [N, H, W, C] = x.shape;
  const [, kh, kw] = w.shape;
  const sh = o.stride_h as number, sw = o.stride_w as number;
  const dh = (o.dilation_h_factor as number) ?? 1, dw = (o.dilation_w_factor as number) ?? 1;
  const same = o.padding === Padding.SAME;
  const [OH, pt] = tfPad(H, kh, sh, dh, same);
  const [OW, pl] = tfPad(W, kw, sw, dw, same);
  const CO = depthwise ? w.shape[3] : w.shape[0];
  const I = depthwise ? 1 : w.shape[3];
  const perGroup = depthwise ? CO / C : CO / (C / I);
  const y = arr([N, OH, OW, CO]);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let oc = 0; oc < CO; oc++) {
    let s = bias ? bias.data[oc] : 0;
    const g = Math.floor(oc / perGroup);
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - pt + ky * dh;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - pl + kx * dw;
        if (ix < 0 || ix >= W) continue;
        const xi = ((n * H + iy) * W + ix) * C;
        if (depthwise) s += x.data[xi + g] * w.data[(ky * kw + kx) * CO + oc];
        else for (let ic = 0; ic < I; ic++) s += x.data[xi + g * I + ic] * w.data[((oc * kh + ky) * kw + kx) * I + ic];
      }
    }
    y.data[((n * OH + oy) * OW + ox) * CO + oc] = act(s, o.fused_activation_function as number);
  }
  return y;
}

function pool2d(x: Arr, o: Record<string, unknown>, max: boolean): Arr {
  const [N, H, W, C] = x.shape;
  const kh = o.filter_height as number, kw = o.filter_width as number, sh = o.stride_h as number, sw = o.stride_w as number;
  const same = o.padding === Padding.SAME;
  const [OH, pt] = tfPad(H, kh, sh, 1, same);
  const [OW, pl] = tfPad(W, kw, sw, 1, same);
  const y = arr([N, OH, OW, C]);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) {
    let s = max ? -Infinity : 0;
    let count = 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const v = x.data[((n * H + iy) * W + ix) * C + c];
      s = max ? Math.max(s, v) : s + v;
      count++;
    }
    y.data[((n * OH + oy) * OW + ox) * C + c] = act(max ? s : s / count, o.fused_activation_function as number);
  }
  return y;
}

function dense(x: Arr, w: Arr, bias: Arr | undefined, a: number): Arr {
  const [out, depth] = w.shape;
  const rowsN = x.data.length / depth;
  const y = arr([rowsN, out]);
  for (let r = 0; r < rowsN; r++) for (let j = 0; j < out; j++) {
    let s = bias ? bias.data[j] : 0;
    for (let k = 0; k < depth; k++) s += x.data[r * depth + k] * w.data[j * depth + k];
    y.data[r * out + j] = act(s, a);
  }
  return y;
}

function broadcast(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, k) => Math.max(d, pb[k]));
  const y = arr(shape);
  const idx = new Array(rank).fill(0);
  const offset = (p: number[]) => idx.reduce((o, i, k) => o * p[k] + (p[k] === 1 ? 0 : i), 0);
  for (let i = 0; i < y.data.length; i++) {
    let rem = i;
    for (let k = rank - 1; k >= 0; k--) { idx[k] = rem % shape[k]; rem = Math.floor(rem / shape[k]); }
    y.data[i] = f(a.data[offset(pa)], b.data[offset(pb)]);
  }
  return y;
}

function transposeArr(x: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => x.shape[p]);
  const strides = x.shape.map((_, k) => size(x.shape.slice(k + 1)));
  const y = arr(shape);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < y.data.length; i++) {
    let rem = i;
    for (let k = shape.length - 1; k >= 0; k--) { idx[k] = rem % shape[k]; rem = Math.floor(rem / shape[k]); }
    y.data[i] = x.data[idx.reduce((o, v, k) => o + v * strides[perm[k]], 0)];
  }
  return y;
}

/** Applies `f` to every index of `shape`, giving the flat input offset for it. */
function gatherBy(x: Arr, shape: number[], src: (idx: number[]) => number): Arr {
  const y = arr(shape);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < y.data.length; i++) {
    let rem = i;
    for (let k = shape.length - 1; k >= 0; k--) { idx[k] = rem % shape[k]; rem = Math.floor(rem / shape[k]); }
    y.data[i] = x.data[src(idx)];
  }
  return y;
}

interface LstmRef {
  x: Arr; timeMajor: boolean; act: number; cellClip: number; projClip: number;
  W: Partial<Record<'i' | 'f' | 'c' | 'o', Arr>>; R: Partial<Record<'i' | 'f' | 'c' | 'o', Arr>>;
  b: Partial<Record<'i' | 'f' | 'c' | 'o', Arr>>; P: Partial<Record<'i' | 'f' | 'o', Arr>>;
  LN: Partial<Record<'i' | 'f' | 'c' | 'o', Arr>>; proj?: Arr; projBias?: Arr;
}

/** TFLite's float LSTM step (lstm_eval.cc): CIFG, peepholes, layer norm, cell clip, projection. */
function lstmRef(p: LstmRef): Arr {
  const [d0, d1, I] = p.x.shape;
  const [T, B] = p.timeMajor ? [d0, d1] : [d1, d0];
  const H = p.W.f!.shape[0];
  const Ho = p.R.f!.shape[1];
  const y = arr(p.timeMajor ? [T, B, Ho] : [B, T, Ho]);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(Ho);
    let c = new Float64Array(H);
    for (let t = 0; t < T; t++) {
      const xo = (p.timeMajor ? t * B + b : b * T + t) * I;
      const gate = (g: 'i' | 'f' | 'c' | 'o', cell: Float64Array): Float64Array => {
        const z = new Float64Array(H);
        for (let u = 0; u < H; u++) {
          let s = 0;
          for (let k = 0; k < I; k++) s += p.W[g]!.data[u * I + k] * p.x.data[xo + k];
          for (let k = 0; k < Ho; k++) s += p.R[g]!.data[u * Ho + k] * h[k];
          if (g !== 'c' && p.P[g]) s += p.P[g]!.data[u] * cell[u];
          z[u] = s;
        }
        if (p.LN[g]) {
          const mean = z.reduce((a, v) => a + v, 0) / H;
          const variance = z.reduce((a, v) => a + (v - mean) ** 2, 0) / H;
          for (let u = 0; u < H; u++) z[u] = ((z[u] - mean) / Math.sqrt(variance + 1e-8)) * p.LN[g]!.data[u];
        }
        if (p.b[g]) for (let u = 0; u < H; u++) z[u] += p.b[g]!.data[u];
        return z;
      };
      const f = gate('f', c).map(sigmoid);
      const i = p.W.i ? gate('i', c).map(sigmoid) : f.map((v) => 1 - v);
      const g = gate('c', c).map((v) => act(v, p.act));
      const cNew = c.map((cv, u) => {
        const v = f[u] * cv + i[u] * g[u];
        return p.cellClip > 0 ? Math.min(p.cellClip, Math.max(-p.cellClip, v)) : v;
      });
      const o = gate('o', cNew).map(sigmoid);
      let hNew = o.map((ov, u) => ov * act(cNew[u], p.act));
      if (p.proj) {
        const pr = new Float64Array(Ho);
        for (let k = 0; k < Ho; k++) {
          let s = p.projBias ? p.projBias.data[k] : 0;
          for (let u = 0; u < H; u++) s += p.proj.data[k * H + u] * hNew[u];
          pr[k] = p.projClip > 0 ? Math.min(p.projClip, Math.max(-p.projClip, s)) : s;
        }
        hNew = pr;
      }
      h = hNew;
      c = cNew;
      y.data.set(h, (p.timeMajor ? t * B + b : b * T + t) * Ho);
    }
  }
  return y;
}

/**
 * Runs subgraph 0 of a TFLite model on real-valued inputs (batch as in the file). With `fakeQuant`, inputs and every
 * op output that TFLite quantizes are rounded to their grid (QDQ semantics); constants are always dequantized.
 */
function interpret(model: TfliteModel, inputs: Arr[], options: { fakeQuant?: boolean; extraOutputs?: number[] } = {}): Arr[] {
  const sg = model.subgraphs[0];
  const values = new Map<number, Arr>();
  const quantized = (t: TfliteTensor) => options.fakeQuant && !!t.quantization && (t.type === 'int8' || t.type === 'uint8');
  const get = (i: number): Arr => {
    const v = values.get(i);
    if (v) return v;
    const t = sg.tensors[i];
    if (t.data) { const r = realOf(t); values.set(i, r); return r; }
    if (t.isVariable) return arr(t.shape);
    throw new Error(`reference: tensor ${i} not computed`);
  };
  const opt = (i: number | undefined) => (i === undefined || i < 0 ? undefined : get(i));
  const ints = (i: number) => raw(sg.tensors[i]);
  sg.inputs.forEach((i, k) => values.set(i, quantized(sg.tensors[i]) ? fakeQuant(sg.tensors[i], inputs[k]) : inputs[k]));
  for (const op of sg.operators) {
    const o = op.options;
    const inp = op.inputs;
    const a = (k: number) => get(inp[k]);
    const fa = (o.fused_activation_function as number) ?? 0;
    let y: Arr;
    const outT = sg.tensors[op.outputs[0]];
    switch (op.opName) {
      case 'CONV_2D': y = conv2d(a(0), a(1), opt(inp[2]), o, false); break;
      case 'DEPTHWISE_CONV_2D': y = conv2d(a(0), a(1), opt(inp[2]), o, true); break;
      case 'AVERAGE_POOL_2D': y = pool2d(a(0), o, false); break;
      case 'MAX_POOL_2D': y = pool2d(a(0), o, true); break;
      case 'FULLY_CONNECTED': {
        y = dense(a(0), a(1), opt(inp[2]), fa);
        y = { shape: outT.shape, data: y.data };
        break;
      }
      case 'ADD': y = broadcast(a(0), a(1), (p, q) => act(p + q, fa)); break;
      case 'SUB': y = broadcast(a(0), a(1), (p, q) => act(p - q, fa)); break;
      case 'MUL': y = broadcast(a(0), a(1), (p, q) => act(p * q, fa)); break;
      case 'DIV': y = broadcast(a(0), a(1), (p, q) => act(p / q, fa)); break;
      case 'MAXIMUM': y = broadcast(a(0), a(1), Math.max); break;
      case 'MINIMUM': y = broadcast(a(0), a(1), Math.min); break;
      case 'SHAPE': y = arr([a(0).shape.length], a(0).shape); break;
      case 'RESHAPE': case 'SQUEEZE': case 'QUANTIZE': case 'DEQUANTIZE': y = { shape: outT.shape, data: a(0).data }; break;
      case 'SOFTMAX': {
        const x = a(0);
        const n = x.shape[x.shape.length - 1];
        const beta = (o.beta as number) ?? 1;
        y = arr(x.shape);
        for (let r = 0; r < x.data.length / n; r++) {
          const row = x.data.subarray(r * n, r * n + n);
          const m = Math.max(...row);
          const e = Array.from(row, (v) => Math.exp(beta * (v - m)));
          const s = e.reduce((p, q) => p + q, 0);
          e.forEach((v, k) => { y.data[r * n + k] = v / s; });
        }
        break;
      }
      case 'LOGISTIC': y = { shape: a(0).shape, data: a(0).data.map(sigmoid) }; break;
      case 'TANH': y = { shape: a(0).shape, data: a(0).data.map(Math.tanh) }; break;
      case 'RELU': y = { shape: a(0).shape, data: a(0).data.map((v) => act(v, Act.RELU)) }; break;
      case 'RELU6': y = { shape: a(0).shape, data: a(0).data.map((v) => act(v, Act.RELU6)) }; break;
      case 'LEAKY_RELU': y = { shape: a(0).shape, data: a(0).data.map((v) => (v >= 0 ? v : (o.alpha as number) * v)) }; break;
      case 'HARD_SWISH': y = { shape: a(0).shape, data: a(0).data.map((v) => (v * Math.min(6, Math.max(0, v + 3))) / 6) }; break;
      case 'CONCATENATION': {
        const parts = inp.map(get);
        const rank = outT.shape.length;
        const axis = ((o.axis as number) + rank) % rank;
        const outer = size(outT.shape.slice(0, axis));
        y = arr(outT.shape);
        let pos = 0;
        for (let r = 0; r < outer; r++) for (const p of parts) {
          const chunk = size(p.shape.slice(axis));
          y.data.set(p.data.subarray(r * chunk, r * chunk + chunk), pos);
          pos += chunk;
        }
        y.data.forEach((v, k) => { y.data[k] = act(v, fa); });
        break;
      }
      case 'PAD': case 'PADV2': {
        const x = a(0);
        const pads = ints(inp[1]);
        const fill = inp[2] !== undefined && inp[2] >= 0 ? get(inp[2]).data[0] : 0;
        y = arr(outT.shape);
        const strides = x.shape.map((_, k) => size(x.shape.slice(k + 1)));
        const idx = new Array(outT.shape.length).fill(0);
        for (let i = 0; i < y.data.length; i++) {
          let rem = i;
          for (let k = idx.length - 1; k >= 0; k--) { idx[k] = rem % outT.shape[k]; rem = Math.floor(rem / outT.shape[k]); }
          let src = 0;
          let inside = true;
          idx.forEach((v, k) => { const s = v - pads[2 * k]; if (s < 0 || s >= x.shape[k]) inside = false; src += s * strides[k]; });
          y.data[i] = inside ? x.data[src] : fill;
        }
        break;
      }
      case 'MEAN': {
        const x = a(0);
        const axes = ints(inp[1]).map((d) => (d + x.shape.length) % x.shape.length);
        const kept = x.shape.map((d, k) => (axes.includes(k) ? 1 : d));
        const sums = arr(kept);
        const counts = size(axes.map((k) => x.shape[k]));
        const idx = new Array(x.shape.length).fill(0);
        for (let i = 0; i < x.data.length; i++) {
          let rem = i;
          for (let k = idx.length - 1; k >= 0; k--) { idx[k] = rem % x.shape[k]; rem = Math.floor(rem / x.shape[k]); }
          sums.data[idx.reduce((q, v, k) => q * kept[k] + (axes.includes(k) ? 0 : v), 0)] += x.data[i] / counts;
        }
        y = { shape: outT.shape, data: sums.data };
        break;
      }
      case 'TRANSPOSE': y = transposeArr(a(0), ints(inp[1])); break;
      case 'STRIDED_SLICE': {
        const x = a(0);
        const begin = ints(inp[1]), end = ints(inp[2]), strides = ints(inp[3]);
        const starts = begin.map((b, k) => {
          if ((o.shrink_axis_mask as number) & (1 << k)) return (b + x.shape[k]) % x.shape[k];
          if ((o.begin_mask as number) & (1 << k)) return strides[k] > 0 ? 0 : x.shape[k] - 1;
          return b < 0 ? b + x.shape[k] : b;
        });
        const full = begin.map((_, k) => {
          if ((o.shrink_axis_mask as number) & (1 << k)) return 1;
          let e = (o.end_mask as number) & (1 << k) ? (strides[k] > 0 ? x.shape[k] : -1) : end[k] < 0 ? end[k] + x.shape[k] : Math.min(end[k], x.shape[k]);
          if (strides[k] < 0 && (o.end_mask as number) & (1 << k)) e = -1;
          return Math.max(0, Math.ceil((e - starts[k]) / strides[k]));
        });
        const xs = x.shape.map((_, k) => size(x.shape.slice(k + 1)));
        const sliced = gatherBy(x, full, (idx) => idx.reduce((q, v, k) => q + (starts[k] + v * ((o.shrink_axis_mask as number) & (1 << k) ? 1 : strides[k])) * xs[k], 0));
        y = { shape: outT.shape, data: sliced.data };
        break;
      }
      case 'GATHER': {
        const x = a(0);
        const idxs = get(inp[1]).data;
        const axis = ((o.axis as number) + x.shape.length) % x.shape.length;
        const outer = size(x.shape.slice(0, axis)), inner = size(x.shape.slice(axis + 1));
        y = arr(outT.shape);
        let pos = 0;
        for (let r = 0; r < outer; r++) for (const j of idxs) { y.data.set(x.data.subarray((r * x.shape[axis] + j) * inner, (r * x.shape[axis] + j + 1) * inner), pos); pos += inner; }
        break;
      }
      case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
        const g = (k: number) => opt(inp[k]);
        y = lstmRef({
          x: a(0), timeMajor: o.time_major === true, act: fa, cellClip: (o.cell_clip as number) ?? 0, projClip: (o.proj_clip as number) ?? 0,
          W: { i: g(1), f: g(2), c: g(3), o: g(4) }, R: { i: g(5), f: g(6), c: g(7), o: g(8) },
          P: { i: g(9), f: g(10), o: g(11) }, b: { i: g(12), f: g(13), c: g(14), o: g(15) },
          proj: g(16), projBias: g(17), LN: { i: g(20), f: g(21), c: g(22), o: g(23) },
        });
        break;
      }
      default: throw new Error(`reference: ${op.opName}`);
    }
    values.set(op.outputs[0], quantized(outT) ? fakeQuant(outT, y) : y);
  }
  return [...sg.outputs, ...(options.extraOutputs ?? [])].map(get);
}

// ---------------------------------------------------------------- tiny TFLite models

interface TensorSpec {
  name: string;
  shape: number[];
  type?: TensorType;
  data?: ArrayBufferView;
  q?: { scale: number[]; zp: number[]; dim?: number };
  signature?: number[];
  variable?: boolean;
}
interface OpSpec {
  code: Op;
  inputs: number[];
  outputs: number[];
  optionsType?: Opt;
  options?: (b: flatbuffers.Builder) => number;
  custom?: string;
}

/**
 * A .tflite file from tensors and operators, written with flatc's generated builders. `legacyCodes` writes only
 * deprecated_builtin_code (as converters before TF 2.4 did).
 */
function buildTflite(spec: { tensors: TensorSpec[]; ops: OpSpec[]; inputs: number[]; outputs: number[]; legacyCodes?: boolean }): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const buffers = [FbBuffer.createBuffer(b, 0, 0n, 0n)];
  const bufferIndex = spec.tensors.map((t) => {
    if (!t.data) return 0;
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    buffers.push(FbBuffer.createBuffer(b, FbBuffer.createDataVector(b, bytes), 0n, 0n));
    return buffers.length - 1;
  });
  const tensors = spec.tensors.map((t, k) => {
    const name = b.createString(t.name);
    const shape = FbTensor.createShapeVector(b, t.shape);
    const signature = t.signature ? FbTensor.createShapeSignatureVector(b, t.signature) : 0;
    let quant = 0;
    if (t.q) {
      const scale = QuantizationParameters.createScaleVector(b, t.q.scale);
      const zp = QuantizationParameters.createZeroPointVector(b, t.q.zp.map(BigInt));
      QuantizationParameters.startQuantizationParameters(b);
      QuantizationParameters.addScale(b, scale);
      QuantizationParameters.addZeroPoint(b, zp);
      QuantizationParameters.addQuantizedDimension(b, t.q.dim ?? 0);
      quant = QuantizationParameters.endQuantizationParameters(b);
    }
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    if (signature) FbTensor.addShapeSignature(b, signature);
    FbTensor.addType(b, t.type ?? TensorType.FLOAT32);
    FbTensor.addBuffer(b, bufferIndex[k]);
    FbTensor.addName(b, name);
    if (quant) FbTensor.addQuantization(b, quant);
    if (t.variable) FbTensor.addIsVariable(b, true);
    return FbTensor.endTensor(b);
  });
  const codes: { code: Op; custom?: string }[] = [];
  const ops = spec.ops.map((op) => {
    let index = codes.findIndex((c) => c.code === op.code && c.custom === op.custom);
    if (index < 0) { codes.push({ code: op.code, custom: op.custom }); index = codes.length - 1; }
    const options = op.options ? op.options(b) : 0;
    const inputs = FbOperator.createInputsVector(b, op.inputs);
    const outputs = FbOperator.createOutputsVector(b, op.outputs);
    FbOperator.startOperator(b);
    FbOperator.addOpcodeIndex(b, index);
    FbOperator.addInputs(b, inputs);
    FbOperator.addOutputs(b, outputs);
    if (op.optionsType !== undefined) {
      FbOperator.addBuiltinOptionsType(b, op.optionsType);
      FbOperator.addBuiltinOptions(b, options);
    }
    return FbOperator.endOperator(b);
  });
  const subgraph = SubGraph.createSubGraph(b, SubGraph.createTensorsVector(b, tensors), SubGraph.createInputsVector(b, spec.inputs),
    SubGraph.createOutputsVector(b, spec.outputs), SubGraph.createOperatorsVector(b, ops), b.createString('main'), 0);
  const opcodes = codes.map((c) => {
    const custom = c.custom ? b.createString(c.custom) : 0;
    const deprecated = Math.min(c.code, 127);
    return OperatorCode.createOperatorCode(b, deprecated, custom, 1, spec.legacyCodes ? 0 : c.code);
  });
  const model = Model.createModel(b, 3, Model.createOperatorCodesVector(b, opcodes), Model.createSubgraphsVector(b, [subgraph]),
    b.createString('omnihub test'), Model.createBuffersVector(b, buffers), 0, 0, 0, 0, 0);
  Model.finishModelBuffer(b, model);
  return b.asUint8Array().slice();
}

function randomFloats(rand: () => number, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

const conv2dOptions = (padding: Padding, stride: [number, number], a: Act, dilation: [number, number] = [1, 1]) =>
  (b: flatbuffers.Builder) => Conv2DOptions.createConv2DOptions(b, padding, stride[1], stride[0], a, dilation[1], dilation[0], TensorType.FLOAT32);

/**
 * Converts a float model three ways (NHWC, NCHW interface, dequantize) and checks each against the interpreter on
 * seeded inputs; returns the worst relL2.
 */
async function checkFloatModel(label: string, bytes: Uint8Array, seed = 1, options: { tol?: number } = {}): Promise<{ worst: number; models: ModelProto[] }> {
  const model = readTflite(bytes);
  const sg = model.subgraphs[0];
  const rand = mulberry32(seed);
  const inputs = sg.inputs.map((i) => arr(sg.tensors[i].shape, randomFloats(rand, size(sg.tensors[i].shape))));
  const expected = interpret(model, inputs);
  let worst = 0;
  const models: ModelProto[] = [];
  for (const convert of [{}, { nchw: true }] as TfliteConvertOptions[]) {
    const { model: onnxModel } = convertTflite(bytes, convert);
    models.push(onnxModel);
    const feeds = inputs.map((x) => (convert.nchw && x.shape.length === 4
      ? { data: Float32Array.from(transposeArr(x, [0, 3, 1, 2]).data), dims: [0, 3, 1, 2].map((p) => x.shape[p]) }
      : { data: Float32Array.from(x.data), dims: x.shape }));
    const got = await runOnnx(onnxModel, feeds);
    got.forEach((g, k) => {
      const want = expected[k];
      const wantLaidOut = convert.nchw && want.shape.length === 4 ? transposeArr(want, [0, 3, 1, 2]) : want;
      expect(g.dims).toEqual(convert.nchw && want.shape.length === 4 ? [0, 3, 1, 2].map((p) => want.shape[p]) : want.shape);
      worst = Math.max(worst, relL2(g.data, wantLaidOut.data));
    });
  }
  rows.push(`  ${label}: relL2 vs TS reference ${fmt(worst)} (NHWC and NCHW interfaces)`);
  expect(worst).toBeLessThanOrEqual(options.tol ?? 1e-5);
  return { worst, models };
}

// ================================================================ tests

describe('reading .tflite files', () => {
  it('reads all six fixtures: operators (deprecated_builtin_code rule), tensors, quantization, signatures', () => {
    const expected: Record<string, Record<string, number>> = {
      'mlperftiny__pretrainedResnet.tflite': { CONV_2D: 9, ADD: 3, AVERAGE_POOL_2D: 1, RESHAPE: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 },
      'mlperftiny__pretrainedResnet_quant.tflite': { CONV_2D: 9, ADD: 3, AVERAGE_POOL_2D: 1, RESHAPE: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 },
      'tflite-micro__hello_world_float.tflite': { FULLY_CONNECTED: 3 },
      'tflite-micro__hello_world_int8.tflite': { FULLY_CONNECTED: 3 },
      'tflite-micro__person_detect.tflite': { DEPTHWISE_CONV_2D: 14, CONV_2D: 14, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 },
      'tflite-micro__trained_lstm.tflite': { UNIDIRECTIONAL_SEQUENCE_LSTM: 1, RESHAPE: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 },
    };
    for (const [file, ops] of Object.entries(expected)) {
      const bytes = tflite(file);
      const m = readTflite(bytes);
      const counts: Record<string, number> = {};
      for (const op of m.subgraphs[0].operators) counts[op.opName] = (counts[op.opName] ?? 0) + 1;
      expect(counts, file).toEqual(ops);
      // Constant data is a view on the file's bytes, not a copy.
      const constant = m.subgraphs[0].tensors.find((t) => t.data)!;
      expect(constant.data!.buffer).toBe(bytes.buffer);
    }
    const resnet = readTflite(tflite('mlperftiny__pretrainedResnet_quant.tflite'));
    const sg = resnet.subgraphs[0];
    const input = sg.tensors[sg.inputs[0]];
    expect(input).toMatchObject({ name: 'input_1_int8', type: 'int8', shape: [1, 32, 32, 3], shapeSignature: [-1, 32, 32, 3] });
    expect(input.quantization).toMatchObject({ scales: [1], zeroPoints: [-128] });
    const conv = sg.operators[0];
    expect(conv).toMatchObject({ opName: 'CONV_2D', optionsType: 'Conv2DOptions', options: { padding: Padding.SAME, stride_w: 1, stride_h: 1, fused_activation_function: Act.RELU } });
    expect(sg.tensors[conv.inputs[1]].quantization!.scales).toHaveLength(16);
    expect(resnet.minRuntimeVersion).toBe('1.5.0');
    const hello = readTflite(tflite('tflite-micro__hello_world_int8.tflite'));
    expect(hello.signatureDefs).toEqual([{ key: 'serving_default', subgraphIndex: 0, inputs: [{ name: 'dense_input', tensor: 0 }], outputs: [{ name: 'dense_2', tensor: 9 }] }]);
    // TOCO wrote per-channel biases with quantized_dimension 3; it is read as axis 0 of the [C] bias.
    const person = readTflite(tflite('tflite-micro__person_detect.tflite'));
    expect(person.description).toBe('TOCO Converted.');
    const lstm = readTflite(tflite('tflite-micro__trained_lstm.tflite')).subgraphs[0].operators[0];
    expect(lstm.options).toMatchObject({ fused_activation_function: Act.TANH, cell_clip: 10, time_major: false });
    // An operator code written only as deprecated_builtin_code (pre-2.4 converters) reads as the same operator.
    const legacy = buildTflite({
      tensors: [{ name: 'x', shape: [1, 4] }, { name: 'y', shape: [1, 4] }],
      ops: [{ code: Op.LOGISTIC, inputs: [0], outputs: [1] }], inputs: [0], outputs: [1], legacyCodes: true,
    });
    expect(readTflite(legacy).subgraphs[0].operators[0]).toMatchObject({ opName: 'LOGISTIC', builtinCode: Op.LOGISTIC });
  });

  // Runs where the flatc that made the committed file is installed (Debian's flatbuffers-compiler 2.0.8).
  const flatc = spawnSync(process.env.FLATC || 'flatc', ['--version'], { encoding: 'utf8' });
  const committedBy = /\((flatc version [^,]+),/.exec(readFileSync(join(REPO, 'src/core/formats/tflite/generated/tflite_schema_generated.ts'), 'utf8').slice(0, 300))?.[1];
  it.skipIf(flatc.status !== 0 || flatc.stdout.trim() !== committedBy)('src/core/formats/tflite/generated is what scripts/gen-tflite.mjs makes from the vendored schema', () => {
    const out = mkdtempSync(join(tmpdir(), 'omnihub-tflite-gen-'));
    try {
      execFileSync(process.execPath, [join(REPO, 'scripts/gen-tflite.mjs'), '--out', out], { stdio: 'pipe' });
      const file = 'tflite_schema_generated.ts';
      const same = readFileSync(join(out, file), 'utf8') === readFileSync(join(REPO, 'src/core/formats/tflite/generated', file), 'utf8');
      expect(same, `${file} differs: run npm run gen:tflite`).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('fixtures converted and run in onnxruntime', () => {
  it('hello_world float: the sine MLP matches dense layers computed here (relL2 ≤ 1e-5)', async () => {
    const bytes = tflite('tflite-micro__hello_world_float.tflite');
    const m = readTflite(bytes);
    const sg = m.subgraphs[0];
    // Three FULLY_CONNECTED layers, written out from the tensors the file holds: relu(x·W1ᵀ+b1) → relu(·W2ᵀ+b2) → ·W3ᵀ+b3.
    const layers = sg.operators.map((op) => ({ w: realOf(sg.tensors[op.inputs[1]]), b: realOf(sg.tensors[op.inputs[2]]), act: op.options.fused_activation_function as number }));
    expect(layers.map((l) => l.w.shape)).toEqual([[16, 1], [16, 16], [1, 16]]);
    const xs = Float32Array.from({ length: 64 }, (_, k) => (2 * Math.PI * k) / 63);
    const expected = Array.from(xs, (x) => {
      let h = [x];
      for (const l of layers) {
        h = Array.from({ length: l.w.shape[0] }, (_, j) => act(l.b.data[j] + h.reduce((s, v, k) => s + v * l.w.data[j * h.length + k], 0), l.act));
      }
      return h[0];
    });
    const { model, report } = convertTflite(bytes);
    expect(report.operators).toEqual({ FULLY_CONNECTED: 3 });
    expect(model.graph!.input![0].name).toBe('serving_default_dense_input:0');
    const [y] = await runOnnx(model, [{ data: xs, dims: [64, 1] }]);
    expect(y.dims).toEqual([64, 1]);
    const err = relL2(y.data, expected);
    const sineErr = maxAbs(y.data, xs.map(Math.sin));
    rows.push(`  hello_world float: relL2 vs TS dense layers ${fmt(err)} (64 points, batch 64); max |y − sin x| = ${fmt(sineErr)}`);
    expect(err).toBeLessThanOrEqual(1e-5);
    expect(sineErr).toBeLessThan(0.25);
  });

  it('hello_world int8: QDQ output vs the float model, and the dequantized-float conversion', async () => {
    const floatModel = convertTflite(tflite('tflite-micro__hello_world_float.tflite')).model;
    const bytes = tflite('tflite-micro__hello_world_int8.tflite');
    const m = readTflite(bytes);
    const sg = m.subgraphs[0];
    const inT = sg.tensors[sg.inputs[0]];
    const outT = sg.tensors[sg.outputs[0]];
    const xs = Float32Array.from({ length: 64 }, (_, k) => (2 * Math.PI * k) / 63);
    const [ref] = await runOnnx(floatModel, [{ data: xs, dims: [64, 1] }]);

    const qdq = convertTflite(bytes);
    expect(qdq.model.graph!.input![0].type!.tensor_type!.elem_type).toBe(3); // INT8, as the TFLite interface
    expect(opTypes(qdq.model).QuantizeLinear).toBeGreaterThanOrEqual(3);
    const q = Int8Array.from(quantize(inT, xs));
    const [yq] = await runOnnx(qdq.model, [{ data: q, dims: [64, 1] }]);
    const yqReal = Array.from(yq.data, (v) => outT.quantization!.scales[0] * (v - outT.quantization!.zeroPoints[0]));
    // The same QDQ arithmetic computed here (fake quantization in float64), one point at a time.
    const simAll = Array.from(q, (v) => interpret(m, [arr([1, 1], [inT.quantization!.scales[0] * (v - inT.quantization!.zeroPoints[0])])], { fakeQuant: true })[0].data[0]);
    const lsb = outT.quantization!.scales[0];
    const qdqVsSim = maxAbs(yqReal, simAll) / lsb;

    const deq = convertTflite(bytes, { dequantize: true });
    expect(opTypes(deq.model).QuantizeLinear).toBeUndefined();
    expect(deq.model.graph!.input![0].type!.tensor_type!.elem_type).toBe(1); // FLOAT
    const [yd] = await runOnnx(deq.model, [{ data: xs, dims: [64, 1] }]);
    const qdqVsFloat = relL2(yqReal, ref.data);
    const deqVsFloat = relL2(yd.data, ref.data);
    const deqVsQdq = relL2(yd.data, yqReal);
    rows.push(`  hello_world int8: QDQ vs float twin relL2 ${fmt(qdqVsFloat)}; dequantized-float vs float twin ${fmt(deqVsFloat)}; dequantized-float vs QDQ ${fmt(deqVsQdq)}; QDQ vs TS fake-quant max ${qdqVsSim} LSB`);
    expect(qdqVsFloat).toBeLessThan(0.1);
    expect(deqVsFloat).toBeLessThan(0.1);
    expect(deqVsQdq).toBeLessThan(0.1);
    expect(qdqVsSim).toBeLessThanOrEqual(1);
  });

  it('ResNet-8 float: matches the TS reference convolutions on random inputs (relL2 ≤ 1e-5), NHWC and NCHW', async () => {
    const bytes = tflite('mlperftiny__pretrainedResnet.tflite');
    const m = readTflite(bytes);
    const nhwc = convertTflite(bytes);
    const nchw = convertTflite(bytes, { nchw: true });
    expect(nhwc.model.graph!.input!.map((v) => v.name)).toEqual(['input_1']);
    const dims = nhwc.model.graph!.input![0].type!.tensor_type!.shape!.dim!.map((d) => d.dim_param || Number(d.dim_value));
    expect(dims).toEqual(['batch', 32, 32, 3]);
    // Transposes: one into NCHW after the input, one back before the Reshape; none between the nine convolutions.
    expect(opTypes(nhwc.model).Transpose).toBe(2);
    expect(opTypes(nchw.model).Transpose).toBe(1);
    const rand = mulberry32(7);
    let worst = 0;
    let worstNchw = 0;
    for (let k = 0; k < 2; k++) {
      const x = arr([1, 32, 32, 3], randomFloats(rand, 32 * 32 * 3, 0, 255));
      const [want] = interpret(m, [x]);
      const [got] = await runOnnx(nhwc.model, [{ data: Float32Array.from(x.data), dims: x.shape }]);
      const [gotNchw] = await runOnnx(nchw.model, [{ data: Float32Array.from(transposeArr(x, [0, 3, 1, 2]).data), dims: [1, 3, 32, 32] }]);
      expect(got.dims).toEqual([1, 10]);
      worst = Math.max(worst, relL2(got.data, want.data));
      worstNchw = Math.max(worstNchw, relL2(gotNchw.data, want.data));
    }
    rows.push(`  ResNet-8 float: relL2 vs TS reference ${fmt(worst)} (NHWC), ${fmt(worstNchw)} (NCHW input), 2 random inputs in [0, 255]`);
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(worstNchw).toBeLessThanOrEqual(1e-5);
  });

  it('ResNet-8 int8: top-1 agreement with the float twin on 100 seeded inputs from the input quantization range', async () => {
    const bytes = tflite('mlperftiny__pretrainedResnet_quant.tflite');
    const m = readTflite(bytes);
    const sg = m.subgraphs[0];
    const inT = sg.tensors[sg.inputs[0]];
    const outT = sg.tensors[sg.outputs[0]];
    const n = 100;
    const rand = mulberry32(2024);
    const q = Int8Array.from({ length: n * 32 * 32 * 3 }, () => -128 + Math.floor(rand() * 256));
    const real = Float32Array.from(q, (v) => inT.quantization!.scales[0] * (v - inT.quantization!.zeroPoints[0]));
    const floatModel = convertTflite(tflite('mlperftiny__pretrainedResnet.tflite')).model;
    const [ref] = await runOnnx(floatModel, [{ data: real, dims: [n, 32, 32, 3] }]);
    const qdq = convertTflite(bytes);
    const [yq] = await runOnnx(qdq.model, [{ data: q, dims: [n, 32, 32, 3] }]);
    expect(yq.dims).toEqual([n, 10]);
    expect(yq.data).toBeInstanceOf(Int8Array);
    const yqReal = Float32Array.from(yq.data, (v) => outT.quantization!.scales[0] * (v - outT.quantization!.zeroPoints[0]));
    // With graph optimizations onnxruntime fuses the QDQ groups into integer kernels (QLinearConv …).
    const [fused] = await runOnnx(qdq.model, [{ data: q, dims: [n, 32, 32, 3] }], true);
    const fusedLsb = maxAbs(fused.data, yq.data);
    const fusedReal = Float32Array.from(fused.data, (v) => outT.quantization!.scales[0] * (v - outT.quantization!.zeroPoints[0]));
    const top1Fused = top1Agreement(fusedReal, ref.data, [n, 10]);
    const deq = convertTflite(bytes, { dequantize: true });
    const [yd] = await runOnnx(deq.model, [{ data: real, dims: [n, 32, 32, 3] }]);
    const top1 = top1Agreement(yqReal, ref.data, [n, 10]);
    const top1Deq = top1Agreement(yd.data, ref.data, [n, 10]);
    // QDQ against the same arithmetic done here for the first two inputs (fake quantization in float64).
    let simWorst = 0;
    for (let k = 0; k < 2; k++) {
      const x = arr([1, 32, 32, 3], real.subarray(k * 3072, (k + 1) * 3072));
      const [sim] = interpret(m, [x], { fakeQuant: true });
      simWorst = Math.max(simWorst, relL2(yqReal.subarray(k * 10, k * 10 + 10), sim.data));
    }
    const classes = new Set(Array.from({ length: n }, (_, r) => ref.data.subarray(r * 10, r * 10 + 10).indexOf(Math.max(...ref.data.subarray(r * 10, r * 10 + 10)))));
    rows.push(`  ResNet-8 int8 (QDQ): top-1 agreement with float twin ${top1} on ${n} inputs (float twin predicts ${classes.size} distinct classes); relL2 vs float ${fmt(relL2(yqReal, ref.data))}; dequantized-float: top-1 ${top1Deq}, relL2 ${fmt(relL2(yd.data, ref.data))}; QDQ vs TS fake-quant relL2 ${fmt(simWorst)}; fused integer kernels (ORT optimization 'all'): top-1 ${top1Fused}, relL2 vs float ${fmt(relL2(fusedReal, ref.data))}, max ${fusedLsb} LSB from unfused`);
    expect(top1).toBeGreaterThanOrEqual(0.9);
    expect(top1Deq).toBeGreaterThanOrEqual(0.9);
    expect(simWorst).toBeLessThan(0.05);
    expect(top1Fused).toBeGreaterThanOrEqual(0.9);
  });

  it('person_detect int8: converts, runs, [1, 2] int8 output, stable and equal to the TS fake-quant result', async () => {
    const bytes = tflite('tflite-micro__person_detect.tflite');
    const m = readTflite(bytes);
    const sg = m.subgraphs[0];
    const inT = sg.tensors[sg.inputs[0]];
    const outT = sg.tensors[sg.outputs[0]];
    const { model, report } = convertTflite(bytes);
    expect(report.operators).toEqual({ DEPTHWISE_CONV_2D: 14, CONV_2D: 14, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 });
    expect(opTypes(model).Conv).toBe(28);
    expect(opTypes(model).Transpose).toBe(2);
    const rand = mulberry32(96);
    const q = Int8Array.from({ length: 96 * 96 }, () => -128 + Math.floor(rand() * 256));
    const [a] = await runOnnx(model, [{ data: q, dims: [1, 96, 96, 1] }]);
    const [b] = await runOnnx(convertTflite(bytes).model, [{ data: q, dims: [1, 96, 96, 1] }]);
    expect(a.dims).toEqual([1, 2]);
    expect(a.data).toBeInstanceOf(Int8Array);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    const real = Array.from(q, (v) => inT.quantization!.scales[0] * (v - inT.quantization!.zeroPoints[0]));
    const [sim] = interpret(m, [arr([1, 96, 96, 1], real)], { fakeQuant: true });
    const simQ = quantize(outT, sim.data);
    const probs = Array.from(a.data, (v) => outT.quantization!.scales[0] * (v - outT.quantization!.zeroPoints[0]));
    const deq = convertTflite(bytes, { dequantize: true });
    const [d] = await runOnnx(deq.model, [{ data: Float32Array.from(real), dims: [1, 96, 96, 1] }]);
    const [dRef] = interpret(m, [arr([1, 96, 96, 1], real)]);
    rows.push(`  person_detect int8: output int8 [${Array.from(a.data)}] = probabilities [${probs.map(fmt)}]; TS fake-quant [${simQ}]; dequantized-float [${Array.from(d.data).map(fmt)}] vs TS float relL2 ${fmt(relL2(d.data, dRef.data))}`);
    expect(maxAbs(a.data, simQ)).toBeLessThanOrEqual(2);
    expect(Math.abs(probs[0] + probs[1] - 1)).toBeLessThanOrEqual(2 / 256);
    expect(relL2(d.data, dRef.data)).toBeLessThanOrEqual(1e-4);
  });

  it('trained_lstm: matches a TS reference LSTM (cell clip 10, unrolled) on seeded inputs', async () => {
    const bytes = tflite('tflite-micro__trained_lstm.tflite');
    const m = readTflite(bytes);
    const sg = m.subgraphs[0];
    const lstmOut = sg.operators[0].outputs[0];
    // Expose the LSTM's own output too, so the check does not rest on a saturated softmax.
    const withLstm: TfliteModel = { ...m, subgraphs: [{ ...sg, outputs: [...sg.outputs, lstmOut] }] };
    const { model, report } = convertTfliteModel(withLstm);
    expect(report.notes.join(' ')).toContain('unrolled over 28 steps (cell clip 10');
    const rand = mulberry32(28);
    let worst = 0;
    let worstSeq = 0;
    for (let k = 0; k < 3; k++) {
      const x = arr([1, 28, 28], randomFloats(rand, 28 * 28, 0, 1));
      const [probs, seq] = interpret(m, [x], { extraOutputs: [lstmOut] });
      const [gotProbs, gotSeq] = await runOnnx(model, [{ data: Float32Array.from(x.data), dims: [1, 28, 28] }]);
      expect(gotSeq.dims).toEqual([1, 28, 20]);
      worst = Math.max(worst, relL2(gotProbs.data, probs.data));
      worstSeq = Math.max(worstSeq, relL2(gotSeq.data, seq.data));
    }
    rows.push(`  trained_lstm: relL2 vs TS reference LSTM: sequence output ${fmt(worstSeq)}, softmax output ${fmt(worst)} (3 seeded inputs)`);
    expect(worstSeq).toBeLessThanOrEqual(1e-5);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

describe('operators on tiny models, against the TS reference', () => {
  const rand = mulberry32(11);
  const w = (shape: number[], lo = -1, hi = 1) => randomFloats(rand, size(shape), lo, hi);

  it('CONV_2D: SAME stride 2 on odd sizes, dilation, VALID, grouped; fused RELU6 / RELU_N1_TO_1', async () => {
    for (const [label, x, k, stride, dilation, padding, a, groups] of [
      ['SAME stride 2, 7×9 input, 3×3 kernel, RELU6', [1, 7, 9, 3], [3, 3], [2, 2], [1, 1], Padding.SAME, Act.RELU6, 1],
      ['SAME stride (2,3), 8×11 input, 4×2 kernel', [1, 8, 11, 2], [4, 2], [2, 3], [1, 1], Padding.SAME, Act.NONE, 1],
      ['SAME dilation 2, 8×7 input, 3×2 kernel, RELU_N1_TO_1', [1, 8, 7, 2], [3, 2], [1, 1], [2, 2], Padding.SAME, Act.RELU_N1_TO_1, 1],
      ['VALID stride 2 dilation (1,2), 9×10 input', [1, 9, 10, 3], [3, 3], [2, 2], [1, 2], Padding.VALID, Act.RELU, 1],
      ['grouped (2 groups), SAME', [1, 5, 5, 4], [3, 3], [1, 1], [1, 1], Padding.SAME, Act.NONE, 2],
    ] as [string, number[], [number, number], [number, number], [number, number], Padding, Act, number][]) {
      const cin = x[3];
      const cout = 4;
      const ws = [cout, k[0], k[1], cin / groups];
      const oh = padding === Padding.SAME ? Math.ceil(x[1] / stride[0]) : Math.ceil((x[1] - (k[0] - 1) * dilation[0]) / stride[0]);
      const ow = padding === Padding.SAME ? Math.ceil(x[2] / stride[1]) : Math.ceil((x[2] - (k[1] - 1) * dilation[1]) / stride[1]);
      const bytes = buildTflite({
        tensors: [{ name: 'x', shape: x }, { name: 'w', shape: ws, data: w(ws) }, { name: 'b', shape: [cout], data: w([cout]) }, { name: 'y', shape: [1, oh, ow, cout] }],
        ops: [{ code: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3], optionsType: Opt.Conv2DOptions, options: conv2dOptions(padding, stride, a, dilation) }],
        inputs: [0], outputs: [3], legacyCodes: true,
      });
      const { models } = await checkFloatModel(`CONV_2D ${label}`, bytes);
      const conv = models[0].graph!.node!.find((n) => n.op_type === 'Conv')!;
      expect(conv.attribute!.find((at) => at.name === 'pads')!.ints!.length).toBe(4);
    }
  });

  it('DEPTHWISE_CONV_2D with depth multiplier 2 (SAME stride 1, VALID stride 2), 1-channel multiplier 8', async () => {
    for (const [label, x, m, stride, padding] of [
      ['multiplier 2, SAME', [1, 6, 5, 3], 2, [1, 1], Padding.SAME],
      ['multiplier 2, VALID stride 2', [1, 7, 8, 3], 2, [2, 2], Padding.VALID],
      ['1 channel × 8, SAME stride 2', [1, 9, 9, 1], 8, [2, 2], Padding.SAME],
    ] as [string, number[], number, [number, number], Padding][]) {
      const cout = x[3] * m;
      const oh = padding === Padding.SAME ? Math.ceil(x[1] / stride[0]) : Math.ceil((x[1] - 2) / stride[0]);
      const ow = padding === Padding.SAME ? Math.ceil(x[2] / stride[1]) : Math.ceil((x[2] - 2) / stride[1]);
      const bytes = buildTflite({
        tensors: [{ name: 'x', shape: x }, { name: 'w', shape: [1, 3, 3, cout], data: w([1, 3, 3, cout]) }, { name: 'b', shape: [cout], data: w([cout]) }, { name: 'y', shape: [1, oh, ow, cout] }],
        ops: [{
          code: Op.DEPTHWISE_CONV_2D, inputs: [0, 1, 2], outputs: [3], optionsType: Opt.DepthwiseConv2DOptions,
          options: (b) => DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, padding, stride[1], stride[0], m, Act.RELU, 1, 1),
        }],
        inputs: [0], outputs: [3],
      });
      await checkFloatModel(`DEPTHWISE_CONV_2D ${label}`, bytes);
    }
  });

  it('FULLY_CONNECTED: weights [out, in], keep_num_dims true/false, no bias, TANH', async () => {
    for (const keep of [true, false]) {
      const bytes = buildTflite({
        tensors: [{ name: 'x', shape: [2, 3, 4] }, { name: 'w', shape: [5, 4], data: w([5, 4]) }, { name: 'b', shape: [5], data: w([5]) }, { name: 'y', shape: keep ? [2, 3, 5] : [6, 5] }],
        ops: [{ code: Op.FULLY_CONNECTED, inputs: [0, 1, 2], outputs: [3], optionsType: Opt.FullyConnectedOptions, options: (b) => FullyConnectedOptions.createFullyConnectedOptions(b, Act.TANH, 0, keep, false, TensorType.FLOAT32) }],
        inputs: [0], outputs: [3],
      });
      await checkFloatModel(`FULLY_CONNECTED keep_num_dims=${keep}`, bytes);
    }
    const noBias = buildTflite({
      tensors: [{ name: 'x', shape: [3, 6] }, { name: 'w', shape: [2, 6], data: w([2, 6]) }, { name: 'y', shape: [3, 2] }],
      ops: [{ code: Op.FULLY_CONNECTED, inputs: [0, 1, -1], outputs: [2], optionsType: Opt.FullyConnectedOptions, options: (b) => FullyConnectedOptions.createFullyConnectedOptions(b, Act.NONE, 0, false, false, TensorType.FLOAT32) }],
      inputs: [0], outputs: [2],
    });
    await checkFloatModel('FULLY_CONNECTED without bias', noBias);
  });

  it('pools: MAX/AVERAGE 3×3 stride 2 SAME on odd sizes (average excludes padding), VALID 2×2', async () => {
    for (const [label, code, x, f, s, padding, a] of [
      ['MAX_POOL_2D 3×3 s2 SAME', Op.MAX_POOL_2D, [1, 7, 7, 2], [3, 3], [2, 2], Padding.SAME, Act.NONE],
      ['AVERAGE_POOL_2D 3×3 s2 SAME', Op.AVERAGE_POOL_2D, [1, 7, 6, 2], [3, 3], [2, 2], Padding.SAME, Act.NONE],
      ['AVERAGE_POOL_2D 2×2 s2 VALID + RELU', Op.AVERAGE_POOL_2D, [1, 6, 5, 3], [2, 2], [2, 2], Padding.VALID, Act.RELU],
      ['MAX_POOL_2D 2×3 s(1,2) SAME', Op.MAX_POOL_2D, [1, 5, 7, 1], [2, 3], [1, 2], Padding.SAME, Act.NONE],
    ] as [string, Op, number[], [number, number], [number, number], Padding, Act][]) {
      const oh = padding === Padding.SAME ? Math.ceil(x[1] / s[0]) : Math.ceil((x[1] - f[0] + 1) / s[0]);
      const ow = padding === Padding.SAME ? Math.ceil(x[2] / s[1]) : Math.ceil((x[2] - f[1] + 1) / s[1]);
      const bytes = buildTflite({
        tensors: [{ name: 'x', shape: x }, { name: 'y', shape: [1, oh, ow, x[3]] }],
        ops: [{ code, inputs: [0], outputs: [1], optionsType: Opt.Pool2DOptions, options: (b) => Pool2DOptions.createPool2DOptions(b, padding, s[1], s[0], f[1], f[0], a) }],
        inputs: [0], outputs: [1],
      });
      await checkFloatModel(label, bytes);
    }
  });

  it('fused activations on ADD/SUB/MUL/DIV and CONCATENATION, broadcasting a [C] constant in NCHW, no transposes between convolutions', async () => {
    // x → conv A (NCHW inside) → ADD(+[C] const, RELU) → SUB(conv B, RELU_N1_TO_1) → MUL(·, RELU6) → DIV(by 2+|c|)
    //   → CONCAT(axis −1, RELU) with conv B → MEAN over H, W → SOFTMAX(beta 0.5).
    const C = 4;
    const t = (name: string, shape: number[], data?: Float32Array): TensorSpec => (data ? { name, shape, data } : { name, shape });
    const bytes = buildTflite({
      tensors: [
        t('x', [1, 5, 6, 3]), t('wa', [C, 3, 3, 3], w([C, 3, 3, 3])), t('wb', [C, 1, 1, 3], w([C, 1, 1, 3])), t('bias', [C], w([C])),
        t('a', [1, 5, 6, C]), t('b', [1, 5, 6, C]), t('add', [1, 5, 6, C]), t('sub', [1, 5, 6, C]), t('mul', [1, 5, 6, C]),
        t('den', [C], w([C], 2, 3)), t('div', [1, 5, 6, C]), t('cat', [1, 5, 6, 2 * C]), t('axes', [2]), t('mean', [1, 2 * C]), t('y', [1, 2 * C]),
      ].map((s) => (s.name === 'axes' ? { ...s, type: TensorType.INT32, data: Int32Array.from([1, 2]) } : s)),
      ops: [
        { code: Op.CONV_2D, inputs: [0, 1, 3], outputs: [4], optionsType: Opt.Conv2DOptions, options: conv2dOptions(Padding.SAME, [1, 1], Act.NONE) },
        { code: Op.CONV_2D, inputs: [0, 2, -1], outputs: [5], optionsType: Opt.Conv2DOptions, options: conv2dOptions(Padding.SAME, [1, 1], Act.NONE) },
        { code: Op.ADD, inputs: [4, 3], outputs: [6], optionsType: Opt.AddOptions, options: (b) => AddOptions.createAddOptions(b, Act.RELU, true) },
        { code: Op.SUB, inputs: [6, 5], outputs: [7], optionsType: Opt.SubOptions, options: (b) => SubOptions.createSubOptions(b, Act.RELU_N1_TO_1, true) },
        { code: Op.MUL, inputs: [7, 6], outputs: [8], optionsType: Opt.MulOptions, options: (b) => MulOptions.createMulOptions(b, Act.RELU6) },
        { code: Op.DIV, inputs: [8, 9], outputs: [10], optionsType: Opt.DivOptions, options: (b) => DivOptions.createDivOptions(b, Act.NONE) },
        { code: Op.CONCATENATION, inputs: [10, 5], outputs: [11], optionsType: Opt.ConcatenationOptions, options: (b) => ConcatenationOptions.createConcatenationOptions(b, -1, Act.RELU) },
        { code: Op.MEAN, inputs: [11, 12], outputs: [13], optionsType: Opt.ReducerOptions, options: (b) => ReducerOptions.createReducerOptions(b, false) },
        { code: Op.SOFTMAX, inputs: [13], outputs: [14], optionsType: Opt.SoftmaxOptions, options: (b) => SoftmaxOptions.createSoftmaxOptions(b, 0.5) },
      ],
      inputs: [0], outputs: [14],
    });
    const { models } = await checkFloatModel('ADD/SUB/MUL/DIV/CONCATENATION fused activations, MEAN, SOFTMAX β=0.5', bytes);
    // One Transpose into NCHW, shared by both convolutions; the [C] constants are stored as [1, C, 1, 1]; MEAN over
    // H, W from NCHW leaves [N, C] as TFLite has it, so nothing transposes back.
    expect(opTypes(models[0]).Transpose).toBe(1);
    expect(models[0].graph!.initializer!.find((t) => t.name === 'bias_1')?.dims?.map(Number)).toEqual([1, 4, 1, 1]);
    expect(opTypes(models[0]).Clip).toBe(2);
  });

  it('PAD, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, TRANSPOSE, STRIDED_SLICE, RESHAPE (new_shape), SQUEEZE, GATHER after a convolution', async () => {
    const i32 = (v: number[]): TensorSpec['data'] => Int32Array.from(v);
    const spec = {
      tensors: [
        { name: 'x', shape: [1, 4, 6, 2] }, { name: 'pads', shape: [4, 2], type: TensorType.INT32, data: i32([0, 0, 1, 1, 2, 0, 0, 0]) },
        { name: 'p', shape: [1, 6, 8, 2] }, { name: 'w', shape: [3, 3, 3, 2], data: w([3, 3, 3, 2]) }, { name: 'c', shape: [1, 6, 8, 3] },
        { name: 'lr', shape: [1, 6, 8, 3] }, { name: 'hs', shape: [1, 6, 8, 3] }, { name: 'perm', shape: [4], type: TensorType.INT32, data: i32([0, 2, 1, 3]) },
        { name: 'tr', shape: [1, 8, 6, 3] }, { name: 'begin', shape: [4], type: TensorType.INT32, data: i32([0, 1, -5, 0]) },
        { name: 'end', shape: [4], type: TensorType.INT32, data: i32([1, 8, 6, 3]) }, { name: 'strides', shape: [4], type: TensorType.INT32, data: i32([1, 2, 2, 1]) },
        { name: 'sl', shape: [1, 4, 3, 3] }, { name: 'rs', shape: [1, 12, 3] }, { name: 'sig', shape: [1, 12, 3] },
        { name: 'idx', shape: [3], type: TensorType.INT32, data: i32([2, 0, 2]) }, { name: 'g', shape: [1, 12, 3] },
        { name: 'sq', shape: [12, 3] }, { name: 'th', shape: [12, 3] },
      ] as TensorSpec[],
      ops: [
        { code: Op.PAD, inputs: [0, 1], outputs: [2] },
        { code: Op.CONV_2D, inputs: [2, 3, -1], outputs: [4], optionsType: Opt.Conv2DOptions, options: conv2dOptions(Padding.SAME, [1, 1], Act.NONE) },
        { code: Op.LEAKY_RELU, inputs: [4], outputs: [5], optionsType: Opt.LeakyReluOptions, options: (b: flatbuffers.Builder) => LeakyReluOptions.createLeakyReluOptions(b, 0.1) },
        { code: Op.HARD_SWISH, inputs: [5], outputs: [6] },
        { code: Op.TRANSPOSE, inputs: [6, 7], outputs: [8] },
        { code: Op.STRIDED_SLICE, inputs: [8, 9, 10, 11], outputs: [12], optionsType: Opt.StridedSliceOptions, options: (b: flatbuffers.Builder) => StridedSliceOptions.createStridedSliceOptions(b, 0, 0b1000, 0, 0, 0, false) },
        { code: Op.RESHAPE, inputs: [12], outputs: [13], optionsType: Opt.ReshapeOptions, options: (b: flatbuffers.Builder) => ReshapeOptions.createReshapeOptions(b, ReshapeOptions.createNewShapeVector(b, [1, 12, 3])) },
        { code: Op.LOGISTIC, inputs: [13], outputs: [14] },
        { code: Op.GATHER, inputs: [14, 15], outputs: [16], optionsType: Opt.GatherOptions, options: (b: flatbuffers.Builder) => GatherOptions.createGatherOptions(b, 2, 0) },
        { code: Op.SQUEEZE, inputs: [16], outputs: [17], optionsType: Opt.SqueezeOptions, options: (b: flatbuffers.Builder) => SqueezeOptions.createSqueezeOptions(b, SqueezeOptions.createSqueezeDimsVector(b, [0])) },
        { code: Op.TANH, inputs: [17], outputs: [18] },
      ],
      inputs: [0], outputs: [18],
    };
    const { models } = await checkFloatModel('PAD/LEAKY_RELU/HARD_SWISH/TRANSPOSE/STRIDED_SLICE/RESHAPE/LOGISTIC/GATHER/SQUEEZE/TANH', buildTflite(spec));
    // TRANSPOSE from NCHW is composed with the layout change: the graph has 2 Transposes (into NCHW, the op's own).
    expect(opTypes(models[0]).Transpose).toBe(2);
  });

  it('SHAPE feeding RESHAPE (shape computed in the graph), MAXIMUM, MINIMUM, PADV2 with a constant value; two inputs, two outputs', async () => {
    const bytes = buildTflite({
      tensors: [
        { name: 'x', shape: [2, 6] }, { name: 'z', shape: [3, 4] }, { name: 'shape', shape: [2], type: TensorType.INT32 },
        { name: 'r', shape: [3, 4] }, { name: 'max', shape: [3, 4] }, { name: 'cap', shape: [4], data: w([4]) }, { name: 'min', shape: [3, 4] },
        { name: 'pads', shape: [2, 2], type: TensorType.INT32, data: Int32Array.from([1, 0, 0, 2]) }, { name: 'v', shape: [], data: Float32Array.from([0.5]) },
        { name: 'padded', shape: [4, 6] },
      ],
      ops: [
        { code: Op.SHAPE, inputs: [1], outputs: [2] },
        { code: Op.RESHAPE, inputs: [0, 2], outputs: [3] },
        { code: Op.MAXIMUM, inputs: [3, 1], outputs: [4] },
        { code: Op.MINIMUM, inputs: [4, 5], outputs: [6] },
        { code: Op.PADV2, inputs: [6, 7, 8], outputs: [9] },
      ],
      inputs: [0, 1], outputs: [9, 4],
    });
    const { models } = await checkFloatModel('SHAPE → RESHAPE, MAXIMUM, MINIMUM, PADV2', bytes);
    expect(opTypes(models[0]).Shape).toBe(1);
    expect(models[0].graph!.output!.map((o) => o.name)).toEqual(['padded', 'max']);
  });

  it('QUANTIZE → int8 CONV_2D → DEQUANTIZE (float interface, int8 inside): within 1 LSB of the QDQ arithmetic done here', async () => {
    const wScales = [0.01, 0.02, 0.015];
    const bytes = buildTflite({
      tensors: [
        { name: 'x', shape: [1, 6, 5, 2] }, { name: 'xq', shape: [1, 6, 5, 2], type: TensorType.INT8, q: { scale: [0.01], zp: [-5] } },
        { name: 'w', shape: [3, 3, 3, 2], type: TensorType.INT8, data: Int8Array.from({ length: 54 }, () => -127 + Math.floor(rand() * 255)), q: { scale: wScales, zp: [0, 0, 0] } },
        { name: 'b', shape: [3], type: TensorType.INT32, data: Int32Array.from([100, -300, 50]), q: { scale: wScales.map((s) => s * 0.01), zp: [0, 0, 0] } },
        { name: 'yq', shape: [1, 6, 5, 3], type: TensorType.INT8, q: { scale: [0.03], zp: [2] } }, { name: 'y', shape: [1, 6, 5, 3] },
      ],
      ops: [
        { code: Op.QUANTIZE, inputs: [0], outputs: [1] },
        { code: Op.CONV_2D, inputs: [1, 2, 3], outputs: [4], optionsType: Opt.Conv2DOptions, options: conv2dOptions(Padding.SAME, [1, 1], Act.NONE) },
        { code: Op.DEQUANTIZE, inputs: [4], outputs: [5] },
      ],
      inputs: [0], outputs: [5],
    });
    const m = readTflite(bytes);
    const { model } = convertTflite(bytes);
    expect(model.graph!.input![0].type!.tensor_type!.elem_type).toBe(1);
    expect(model.graph!.output![0].type!.tensor_type!.elem_type).toBe(1);
    const x = arr([1, 6, 5, 2], randomFloats(rand, 60, -0.6, 0.6));
    const [got] = await runOnnx(model, [{ data: Float32Array.from(x.data), dims: x.shape }]);
    const [want] = interpret(m, [x], { fakeQuant: true });
    const lsb = maxAbs(got.data, want.data) / 0.03;
    rows.push(`  QUANTIZE → int8 CONV_2D → DEQUANTIZE: max |Δ| ${fmt(lsb)} LSB vs TS QDQ`);
    expect(lsb).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('fp16 weights stored as float16 + DEQUANTIZE feed a convolution', async () => {
    const weights = w([2, 3, 3, 2]);
    const bits = Uint16Array.from(weights, (v) => f16bits(v));
    const bytes = buildTflite({
      tensors: [
        { name: 'x', shape: [1, 5, 5, 2] }, { name: 'w16', shape: [2, 3, 3, 2], type: TensorType.FLOAT16, data: bits },
        { name: 'w', shape: [2, 3, 3, 2] }, { name: 'y', shape: [1, 5, 5, 2] },
      ],
      ops: [
        { code: Op.DEQUANTIZE, inputs: [1], outputs: [2] },
        { code: Op.CONV_2D, inputs: [0, 2, -1], outputs: [3], optionsType: Opt.Conv2DOptions, options: conv2dOptions(Padding.SAME, [1, 1], Act.NONE) },
      ],
      inputs: [0], outputs: [3],
    });
    const { models } = await checkFloatModel('float16 weights + DEQUANTIZE → CONV_2D', bytes);
    const init = models[0].graph!.initializer!.find((t) => t.name!.startsWith('w16'))!;
    expect(init.data_type).toBe(10); // FLOAT16 kept as stored, Cast to float in the graph
    expect(opTypes(models[0]).Cast).toBe(1);
  });

  it('QDQ per-channel CONV_2D and DEPTHWISE_CONV_2D: int8 output within 1 LSB of the QDQ arithmetic done here', async () => {
    for (const depthwise of [false, true]) {
      const cin = 3;
      const cout = depthwise ? 6 : 5;
      const ws = depthwise ? [1, 3, 3, cout] : [cout, 3, 3, cin];
      const qd = depthwise ? 3 : 0;
      const wScales = Array.from({ length: cout }, (_, k) => 0.004 + 0.003 * k);
      const wq = Int8Array.from({ length: size(ws) }, () => -127 + Math.floor(rand() * 255));
      const inScale = 0.05;
      const bias = Int32Array.from({ length: cout }, () => Math.floor((rand() - 0.5) * 2000));
      const bytes = buildTflite({
        tensors: [
          { name: 'x', shape: [1, 7, 6, cin], type: TensorType.INT8, q: { scale: [inScale], zp: [3] } },
          { name: 'w', shape: ws, type: TensorType.INT8, data: wq, q: { scale: wScales, zp: wScales.map(() => 0), dim: qd } },
          { name: 'b', shape: [cout], type: TensorType.INT32, data: bias, q: { scale: wScales.map((s) => s * inScale), zp: wScales.map(() => 0) } },
          { name: 'y', shape: [1, 4, 3, cout], type: TensorType.INT8, q: { scale: [0.04], zp: [-10] } },
        ],
        ops: [depthwise
          ? { code: Op.DEPTHWISE_CONV_2D, inputs: [0, 1, 2], outputs: [3], optionsType: Opt.DepthwiseConv2DOptions, options: (b) => DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, Padding.SAME, 2, 2, 2, Act.RELU, 1, 1) }
          : { code: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3], optionsType: Opt.Conv2DOptions, options: conv2dOptions(Padding.SAME, [2, 2], Act.RELU) }],
        inputs: [0], outputs: [3],
      });
      const m = readTflite(bytes);
      const { model } = convertTflite(bytes);
      const dq = model.graph!.node!.filter((n) => n.op_type === 'DequantizeLinear');
      // Weights and bias dequantized per channel along ONNX axis 0 (TFLite's dimension 3 for depthwise filters).
      const perAxis = dq.filter((n) => n.attribute!.some((at) => at.name === 'axis'));
      expect(perAxis.map((n) => Number(n.attribute!.find((at) => at.name === 'axis')!.i))).toEqual([0, 0]);
      const biasInit = model.graph!.initializer!.find((t) => t.name === 'b')!;
      expect(biasInit.data_type).toBe(6); // INT32 bias, as TFLite stores it
      const xq = Int8Array.from({ length: 7 * 6 * cin }, () => -128 + Math.floor(rand() * 256));
      const [got] = await runOnnx(model, [{ data: xq, dims: [1, 7, 6, cin] }]);
      const [sim] = interpret(m, [arr([1, 7, 6, cin], Array.from(xq, (v) => inScale * (v - 3)))], { fakeQuant: true });
      const want = quantize(m.subgraphs[0].tensors[3], sim.data);
      const diff = maxAbs(got.data, want);
      const exact = Array.from(got.data).filter((v, k) => v === want[k]).length / want.length;
      const deq = convertTflite(bytes, { dequantize: true });
      const [gotF] = await runOnnx(deq.model, [{ data: Float32Array.from(xq, (v) => inScale * (v - 3)), dims: [1, 7, 6, cin] }]);
      const [wantF] = interpret(m, [arr([1, 7, 6, cin], Array.from(xq, (v) => inScale * (v - 3)))]);
      const deqErr = relL2(gotF.data, wantF.data);
      rows.push(`  QDQ per-channel ${depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D'}: max |Δ| ${diff} LSB vs TS QDQ, ${(exact * 100).toFixed(1)}% exact; dequantize:true vs TS float relL2 ${fmt(deqErr)}`);
      expect(diff).toBeLessThanOrEqual(1);
      expect(exact).toBeGreaterThanOrEqual(0.95);
      expect(deqErr).toBeLessThanOrEqual(1e-5);
    }
  });

  it('UNIDIRECTIONAL_SEQUENCE_LSTM: an ONNX LSTM node where it fits (peepholes, time-major), unrolled for CIFG + layer norm + projection + clips', async () => {
    const I = 3, H = 4, T = 5, B = 2;
    const lstm = (opts: { timeMajor: boolean; peephole: boolean; cifg: boolean; ln: boolean; proj: number; cellClip: number; projClip: number }) => {
      const Ho = opts.proj || H;
      const tensors: TensorSpec[] = [{ name: 'x', shape: opts.timeMajor ? [T, B, I] : [B, T, I] }];
      const inputs: number[] = [0];
      const add = (name: string, shape: number[], present = true) => {
        if (!present) { inputs.push(-1); return; }
        tensors.push({ name, shape, data: w(shape, -0.8, 0.8) });
        inputs.push(tensors.length - 1);
      };
      for (const g of ['i', 'f', 'c', 'o']) add(`W${g}`, [H, I], !(opts.cifg && g === 'i'));
      for (const g of ['i', 'f', 'c', 'o']) add(`R${g}`, [H, Ho], !(opts.cifg && g === 'i'));
      for (const g of ['i', 'f', 'o']) add(`P${g}`, [H], opts.peephole && !(opts.cifg && g === 'i'));
      for (const g of ['i', 'f', 'c', 'o']) add(`b${g}`, [H], !(opts.cifg && g === 'i'));
      add('proj', [Ho, H], !!opts.proj);
      add('projBias', [Ho], !!opts.proj);
      // The states are variable tensors without data: zero at the start.
      tensors.push({ name: 'h', shape: [B, Ho], variable: true }, { name: 'c', shape: [B, H], variable: true });
      inputs.push(tensors.length - 2, tensors.length - 1);
      for (const g of ['i', 'f', 'c', 'o']) add(`ln${g}`, [H], opts.ln && !(opts.cifg && g === 'i'));
      tensors.push({ name: 'y', shape: opts.timeMajor ? [T, B, Ho] : [B, T, Ho] });
      return buildTflite({
        tensors, inputs: [0], outputs: [tensors.length - 1],
        ops: [{
          code: Op.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, outputs: [tensors.length - 1], optionsType: Opt.UnidirectionalSequenceLSTMOptions,
          options: (b) => UnidirectionalSequenceLSTMOptions.createUnidirectionalSequenceLSTMOptions(b, Act.TANH, opts.cellClip, opts.projClip, opts.timeMajor, false, false),
        }],
      });
    };
    const cases = [
      { label: 'ONNX LSTM node, batch-major, no peepholes', timeMajor: false, peephole: false, cifg: false, ln: false, proj: 0, cellClip: 0, projClip: 0, node: true },
      { label: 'ONNX LSTM node, time-major, peepholes', timeMajor: true, peephole: true, cifg: false, ln: false, proj: 0, cellClip: 0, projClip: 0, node: true },
      { label: 'unrolled: cell clip 0.5, peepholes', timeMajor: false, peephole: true, cifg: false, ln: false, proj: 0, cellClip: 0.5, projClip: 0, node: false },
      { label: 'unrolled: CIFG, layer norm, projection 3 + clip 0.3', timeMajor: false, peephole: true, cifg: true, ln: true, proj: 3, cellClip: 0, projClip: 0.3, node: false },
    ];
    for (const c of cases) {
      const bytes = lstm(c);
      const { models } = await checkFloatModel(`LSTM ${c.label}`, bytes);
      expect(opTypes(models[0]).LSTM ?? 0).toBe(c.node ? 1 : 0);
    }
  });

  it('SUPPORTED_TFLITE_OPS lists every operator converted here', () => {
    for (const op of ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'ADD', 'MUL', 'SUB', 'DIV', 'CONCATENATION', 'RESHAPE',
      'SOFTMAX', 'RELU', 'RELU6', 'RELU_N1_TO_1', 'LOGISTIC', 'TANH', 'LEAKY_RELU', 'HARD_SWISH', 'PAD', 'PADV2', 'MEAN', 'TRANSPOSE', 'SQUEEZE',
      'STRIDED_SLICE', 'QUANTIZE', 'DEQUANTIZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'SHAPE', 'GATHER']) {
      expect(SUPPORTED_TFLITE_OPS).toContain(op);
    }
  });
});

describe('broken and unsupported files', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof OmnihubError) return e.code;
      throw e;
    }
    return 'no error';
  };

  it("a file that is not TFLite is 'wrong-format'; an empty one 'empty-file'", () => {
    expect(code(() => convertTflite(new Uint8Array(readFileSync(fixture('keras', 'mlperftiny__pretrainedResnet.h5')))))).toBe('wrong-format');
    expect(code(() => convertTflite(new Uint8Array(readFileSync(fixture('onnx', 'kotlindl__addnet.onnx')))))).toBe('wrong-format');
    expect(code(() => convertTflite(new Uint8Array(0)))).toBe('empty-file');
  });

  it("truncated files fail with 'truncated' (or 'malformed'), never a model", () => {
    const results: string[] = [];
    for (const name of ['mlperftiny__pretrainedResnet.tflite', 'tflite-micro__hello_world_int8.tflite', 'tflite-micro__trained_lstm.tflite']) {
      const bytes = tflite(name);
      for (const keep of [12, 64, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 200]) {
        const c = code(() => convertTflite(bytes.slice(0, keep)));
        results.push(`${name.split('__')[1]}@${keep}:${c}`);
        expect(['truncated', 'malformed'], `${name} cut at ${keep}`).toContain(c);
      }
      // A truncated file inside a larger ArrayBuffer: the check is against the file's bytes, not the buffer's.
      const big = new Uint8Array(bytes.length * 2);
      big.set(bytes);
      expect(code(() => convertTflite(big.subarray(0, Math.floor(bytes.length / 2))))).not.toBe('no error');
    }
    rows.push(`  truncated: ${results.filter((r) => r.endsWith(':truncated')).length}/${results.length} 'truncated', rest 'malformed'`);
  });

  it("damaged offsets and tensor sizes fail with 'truncated' or 'malformed'", () => {
    const bytes = tflite('tflite-micro__hello_world_float.tflite');
    const rootPastEnd = bytes.slice();
    new DataView(rootPastEnd.buffer).setUint32(0, bytes.length + 100, true);
    expect(code(() => convertTflite(rootPastEnd))).toBe('truncated');
    // A tensor whose buffer is the wrong size for its shape.
    const wrongSize = buildTflite({
      tensors: [{ name: 'x', shape: [1, 4] }, { name: 'w', shape: [2, 4], data: new Float32Array(7) }, { name: 'y', shape: [1, 2] }],
      ops: [{ code: Op.FULLY_CONNECTED, inputs: [0, 1, -1], outputs: [2] }], inputs: [0], outputs: [2],
    });
    expect(code(() => convertTflite(wrongSize))).toBe('malformed');
    // An operator reading a tensor that does not exist.
    const badIndex = buildTflite({ tensors: [{ name: 'x', shape: [1, 4] }, { name: 'y', shape: [1, 4] }], ops: [{ code: Op.RELU, inputs: [5], outputs: [1] }], inputs: [0], outputs: [1] });
    expect(code(() => convertTflite(badIndex))).toBe('malformed');
  });

  it("unsupported operators: 'unsupported', listing each by name with its count, and no partial graph", () => {
    const bytes = buildTflite({
      tensors: [{ name: 'x', shape: [1, 4] }, { name: 'a', shape: [1, 4] }, { name: 'b', shape: [1, 4] }, { name: 'c', shape: [1, 4] }, { name: 'y', shape: [1, 4] }],
      ops: [
        { code: Op.EXP, inputs: [0], outputs: [1] },
        { code: Op.RELU, inputs: [1], outputs: [2] },
        { code: Op.EXP, inputs: [2], outputs: [3] },
        { code: Op.CUSTOM, custom: 'MyOp', inputs: [3], outputs: [4] },
      ],
      inputs: [0], outputs: [4],
    });
    let error: unknown;
    let result: unknown;
    try {
      result = convertTflite(bytes);
    } catch (e) {
      error = e;
    }
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(OmnihubError);
    expect((error as OmnihubError).code).toBe('unsupported');
    expect((error as OmnihubError).message).toContain('EXP ×2');
    expect((error as OmnihubError).message).toContain('CUSTOM(MyOp) ×1');
    expect((error as OmnihubError).message).not.toContain('RELU');
    rows.push(`  unsupported: "${(error as OmnihubError).message}"`);
  });
});

/** IEEE half bits of x (round to nearest even), for float16 test weights. */
function f16bits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  const round = mant & 0x1fff;
  mant >>>= 13;
  let bits = sign | (exp << 10) | mant;
  if (round > 0x1000 || (round === 0x1000 && (mant & 1))) bits++;
  return bits;
}
