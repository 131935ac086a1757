// TensorFlow GraphDef → ONNX, checked against computations that do not go through the converter:
// - a small TensorFlow interpreter written here in plain TypeScript (float64, NHWC, ops as TF defines them, reading
//   the Const nodes' TensorProtos itself), run on the real frozen graphs and on tiny graphs built here;
// - the real frozen graphs (tf2onnx fc-layers / ae0 MLPs, cppflow's frozen Keras model, ARM's DS-CNN and CNN keyword
//   spotters cut at Mfcc:0) converted and run in onnxruntime (onnxruntime-web's Node build);
// - what must be refused: unsupported ops (listed with counts, never a partial graph), non-frozen graphs.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readGraphDef } from '../../src/core/formats/tensorflow/graphdef.js';
import type { tensorflow } from '../../src/core/formats/tensorflow/codec.js';
import { convertGraphDef, writeGraphDef, type TfConvertOptions } from '../../src/core/convert/tensorflow/index.js';
import { tensorProtoToConst } from '../../src/core/convert/tensorflow/tensors.js';
import { encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { relL2, maxAbs } from '../../src/core/validate/metrics.js';
import { OmnihubError } from '../../src/core/errors.js';
import { ort } from '../support/ort.js';
import { fixture } from '../support/paths.js';

const rows: string[] = [];
afterAll(() => {
  if (rows.length) console.log(['', 'TensorFlow GraphDef → ONNX (measured):', ...rows].join('\n'));
});
const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(4));

function graph(...path: string[]): tensorflow.GraphDef {
  return readGraphDef(new Uint8Array(readFileSync(fixture('tensorflow', 'graphdef', ...path)))).graphDef;
}

// ---------------------------------------------------------------- onnxruntime

interface Feed { data: Float32Array | Int32Array; dims: number[] }

async function runOnnx(model: ModelProto, feeds: Record<string, Feed>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.dims);
    const out = await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: [...v.dims] }]));
  } finally {
    await session.release();
  }
}

function onnxOps(model: ModelProto): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of model.graph?.node ?? []) c[n.op_type ?? ''] = (c[n.op_type ?? ''] ?? 0) + 1;
  return c;
}

function seeded(shape: number[], seed: number, scale = 1): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (next() * 2 - 1) * scale);
}

// ---------------------------------------------------------------- a TF interpreter (reference)

interface T { shape: number[]; data: Float64Array }

const count = (s: number[]) => s.reduce((a, b) => a * b, 1);
const stridesOf = (s: number[]) => s.map((_, i) => count(s.slice(i + 1)));

/** A Const's TensorProto read here, independently of the converter: tensor_content (LE) or typed values (last one repeated). */
function readConst(t: tensorflow.ITensorProto): T {
  const shape = (t.tensor_shape?.dim ?? []).map((d) => Number(d.size));
  const n = count(shape);
  const out = new Float64Array(n);
  const content = t.tensor_content;
  if (content && content.length) {
    const v = new DataView(content.buffer, content.byteOffset, content.byteLength);
    for (let i = 0; i < n; i++) out[i] = t.dtype === 1 ? v.getFloat32(i * 4, true) : t.dtype === 3 ? v.getInt32(i * 4, true) : t.dtype === 9 ? Number(v.getBigInt64(i * 8, true)) : NaN;
  } else {
    const vals: number[] = t.dtype === 1 ? [...(t.float_val ?? [])] : t.dtype === 9 ? (t.int64_val ?? []).map(Number) : [...(t.int_val ?? [])];
    for (let i = 0; i < n; i++) out[i] = vals.length ? vals[Math.min(i, vals.length - 1)] : 0;
  }
  return { shape, data: out };
}

function broadcast(a: T, b: T, f: (x: number, y: number) => number): T {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const sa = stridesOf(pa), sb = stridesOf(pb), so = stridesOf(shape);
  const data = new Float64Array(count(shape));
  for (let o = 0; o < data.length; o++) {
    let ia = 0, ib = 0;
    for (let k = 0; k < r; k++) {
      const idx = Math.floor(o / so[k]) % shape[k];
      if (pa[k] !== 1) ia += idx * sa[k];
      if (pb[k] !== 1) ib += idx * sb[k];
    }
    data[o] = f(a.data[ia], b.data[ib]);
  }
  return { shape, data };
}

const attr = (n: tensorflow.INodeDef, k: string) => n.attr?.[k];
const ints = (n: tensorflow.INodeDef, k: string) => (attr(n, k)?.list?.i ?? []).map(Number);
const str = (n: tensorflow.INodeDef, k: string, d: string) => (attr(n, k)?.s ? new TextDecoder().decode(attr(n, k)!.s!) : d);

function samePad(size: number, k: number, s: number, d = 1): [number, number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  return [out, Math.floor(total / 2), total - Math.floor(total / 2)];
}

function windowGeom(n: tensorflow.INodeDef, H: number, W: number, kh: number, kw: number) {
  const st = ints(n, 'strides');
  const dl = ints(n, 'dilations').length ? ints(n, 'dilations') : [1, 1, 1, 1];
  const same = str(n, 'padding', 'VALID') === 'SAME';
  if (str(n, 'padding', 'VALID') === 'EXPLICIT') {
    const p = ints(n, 'explicit_paddings');
    const size = (x: number, k: number, s2: number, d: number, a: number, b: number) => Math.floor((x + a + b - (k - 1) * d - 1) / s2) + 1;
    return { oh: size(H, kh, st[1], dl[1], p[2], p[3]), ow: size(W, kw, st[2], dl[2], p[4], p[5]), pt: p[2], pl: p[4], sh: st[1], sw: st[2], dh: dl[1], dw: dl[2] };
  }
  const [oh, pt] = same ? samePad(H, kh, st[1], dl[1]) : [Math.floor((H - (kh - 1) * dl[1] - 1) / st[1]) + 1, 0];
  const [ow, pl] = same ? samePad(W, kw, st[2], dl[2]) : [Math.floor((W - (kw - 1) * dl[2] - 1) / st[2]) + 1, 0];
  return { oh, ow, pt, pl, sh: st[1], sw: st[2], dh: dl[1], dw: dl[2] };
}

/** Evaluates `outputs` of a (frozen) GraphDef in float64, TF semantics, NHWC. */
function tfRun(g: tensorflow.IGraphDef, feeds: Record<string, T>, outputs: string[]): T[] {
  const nodes = new Map((g.node ?? []).map((n) => [n.name ?? '', n]));
  const memo = new Map<string, T>(Object.entries(feeds).map(([k, v]) => [k.includes(':') ? k : `${k}:0`, v]));
  const get = (ref: string): T => {
    const [name, port] = ref.includes(':') ? [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)] : [ref, '0'];
    const key = `${name}:${port}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const n = nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    const ins = (n.input ?? []).filter((s) => !s.startsWith('^'));
    const x = () => get(ins[0]);
    const y = () => get(ins[1]);
    let r: T;
    switch (n.op) {
      case 'Const': r = readConst(attr(n, 'value')!.tensor!); break;
      case 'Identity': r = x(); break;
      case 'Reshape': {
        const s = Array.from(y().data); const a = x();
        const known = s.filter((d) => d >= 0).reduce((p, d) => p * d, 1);
        r = { shape: s.map((d) => (d < 0 ? a.data.length / known : d)), data: a.data };
        break;
      }
      case 'Squeeze': {
        const a = x(); const dims = ints(n, 'squeeze_dims');
        r = { shape: a.shape.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1)), data: a.data };
        break;
      }
      case 'MatMul': {
        let a = x(), b = y();
        const tr = (t: T): T => { const [p, q] = t.shape; const d = new Float64Array(p * q); for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) d[j * p + i] = t.data[i * q + j]; return { shape: [q, p], data: d }; };
        if (attr(n, 'transpose_a')?.b) a = tr(a);
        if (attr(n, 'transpose_b')?.b) b = tr(b);
        const [M, K] = a.shape; const N = b.shape[1];
        const d = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) { const v = a.data[i * K + k]; for (let j = 0; j < N; j++) d[i * N + j] += v * b.data[k * N + j]; }
        r = { shape: [M, N], data: d };
        break;
      }
      case 'BiasAdd': {
        const a = x(), b = y();
        r = str(n, 'data_format', 'NHWC') === 'NCHW' ? broadcast(a, { shape: [b.shape[0], ...a.shape.slice(2).map(() => 1)], data: b.data }, (p, q) => p + q) : broadcast(a, b, (p, q) => p + q);
        break;
      }
      case 'Add': case 'AddV2': r = broadcast(x(), y(), (p, q) => p + q); break;
      case 'Sub': r = broadcast(x(), y(), (p, q) => p - q); break;
      case 'Mul': r = broadcast(x(), y(), (p, q) => p * q); break;
      case 'Tanh': r = { shape: x().shape, data: x().data.map(Math.tanh) }; break;
      case 'Elu': r = { shape: x().shape, data: x().data.map((v) => (v > 0 ? v : Math.expm1(v))) }; break;
      case 'LeakyRelu': { const al = attr(n, 'alpha')?.f ?? 0.2; r = { shape: x().shape, data: x().data.map((v) => (v > 0 ? v : al * v)) }; break; }
      case 'Softplus': r = { shape: x().shape, data: x().data.map((v) => Math.log1p(Math.exp(v))) }; break;
      case 'Cast': r = { shape: x().shape, data: x().data.map((v) => (attr(n, 'DstT')?.type === I32 ? Math.trunc(v) : v)) }; break;
      case 'BatchMatMulV2': {
        const a = x(), b = y(); const [B, M, K] = a.shape; const N = attr(n, 'adj_y')?.b ? b.shape[1] : b.shape[2];
        const d = new Float64Array(B * M * N);
        for (let q = 0; q < B; q++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) {
          d[(q * M + i) * N + j] += a.data[(q * M + i) * K + k] * (attr(n, 'adj_y')?.b ? b.data[(q * N + j) * K + k] : b.data[(q * K + k) * N + j]);
        }
        r = { shape: [B, M, N], data: d };
        break;
      }
      case 'ArgMax': {
        const a = x(); const C = a.shape[a.shape.length - 1]; const d = new Float64Array(a.data.length / C);
        for (let o = 0; o < d.length; o++) { let best = 0; for (let c = 1; c < C; c++) if (a.data[o * C + c] > a.data[o * C + best]) best = c; d[o] = best; }
        r = { shape: a.shape.slice(0, -1), data: d };
        break;
      }
      case 'Unpack': {
        const a = x(); const [B2, U, K2] = a.shape;
        for (let u = 0; u < U; u++) {
          const d = new Float64Array(B2 * K2);
          for (let q = 0; q < B2; q++) for (let k = 0; k < K2; k++) d[q * K2 + k] = a.data[(q * U + u) * K2 + k];
          memo.set(`${name}:${u}`, { shape: [B2, K2], data: d });
        }
        return memo.get(key)!;
      }
      case 'Rsqrt': r = { shape: x().shape, data: x().data.map((v) => 1 / Math.sqrt(v)) }; break;
      case 'Relu': r = { shape: x().shape, data: x().data.map((v) => Math.max(v, 0)) }; break;
      case 'Relu6': r = { shape: x().shape, data: x().data.map((v) => Math.min(Math.max(v, 0), 6)) }; break;
      case 'Sigmoid': r = { shape: x().shape, data: x().data.map((v) => 1 / (1 + Math.exp(-v))) }; break;
      case 'Softmax': {
        const a = x(); const C = a.shape[a.shape.length - 1]; const d = new Float64Array(a.data.length);
        for (let o = 0; o < d.length; o += C) {
          let m = -Infinity; for (let c = 0; c < C; c++) m = Math.max(m, a.data[o + c]);
          let s = 0; for (let c = 0; c < C; c++) s += (d[o + c] = Math.exp(a.data[o + c] - m));
          for (let c = 0; c < C; c++) d[o + c] /= s;
        }
        r = { shape: a.shape, data: d };
        break;
      }
      case 'Conv2D': case 'DepthwiseConv2dNative': {
        const a = x(), w = y();
        const [N, H, W, C] = a.shape; const [kh, kw, , M] = w.shape;
        const depthwise = n.op === 'DepthwiseConv2dNative';
        const O = depthwise ? C * M : M;
        const g2 = windowGeom(n, H, W, kh, kw);
        const d = new Float64Array(N * g2.oh * g2.ow * O);
        for (let b = 0; b < N; b++) for (let oy = 0; oy < g2.oh; oy++) for (let ox = 0; ox < g2.ow; ox++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const iy = oy * g2.sh - g2.pt + ky * g2.dh, ix = ox * g2.sw - g2.pl + kx * g2.dw;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          const base = ((b * H + iy) * W + ix) * C;
          const ob = ((b * g2.oh + oy) * g2.ow + ox) * O;
          for (let c = 0; c < C; c++) {
            const v = a.data[base + c];
            const wb = ((ky * kw + kx) * (depthwise ? C : C) + c) * M;
            if (depthwise) for (let m = 0; m < M; m++) d[ob + c * M + m] += v * w.data[wb + m];
            else for (let o = 0; o < M; o++) d[ob + o] += v * w.data[wb + o];
          }
        }
        r = { shape: [N, g2.oh, g2.ow, O], data: d };
        break;
      }
      case 'FusedBatchNorm': case 'FusedBatchNormV3': {
        const [a, sc, of, mu, va] = ins.map(get);
        const eps = attr(n, 'epsilon')?.f ?? 1e-4;
        const C = a.shape[3];
        r = { shape: a.shape, data: a.data.map((v, i) => { const c = i % C; return (v - mu.data[c]) / Math.sqrt(va.data[c] + eps) * sc.data[c] + of.data[c]; }) };
        break;
      }
      case 'AvgPool': case 'MaxPool': {
        const a = x(); const [N, H, W, C] = a.shape; const k = ints(n, 'ksize');
        const g2 = windowGeom(n, H, W, k[1], k[2]);
        const d = new Float64Array(N * g2.oh * g2.ow * C);
        for (let b = 0; b < N; b++) for (let oy = 0; oy < g2.oh; oy++) for (let ox = 0; ox < g2.ow; ox++) for (let c = 0; c < C; c++) {
          let acc = n.op === 'MaxPool' ? -Infinity : 0, cnt = 0;
          for (let ky = 0; ky < k[1]; ky++) for (let kx = 0; kx < k[2]; kx++) {
            const iy = oy * g2.sh - g2.pt + ky, ix = ox * g2.sw - g2.pl + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            const v = a.data[((b * H + iy) * W + ix) * C + c];
            acc = n.op === 'MaxPool' ? Math.max(acc, v) : acc + v; cnt++;
          }
          d[((b * g2.oh + oy) * g2.ow + ox) * C + c] = n.op === 'MaxPool' ? acc : acc / cnt;
        }
        r = { shape: [N, g2.oh, g2.ow, C], data: d };
        break;
      }
      case 'Pad': case 'PadV2': {
        const a = x(); const p = Array.from(y().data);
        const shape = a.shape.map((s, i) => s + p[2 * i] + p[2 * i + 1]);
        const d = new Float64Array(count(shape)).fill(n.op === 'PadV2' ? get(ins[2]).data[0] : 0); const si = stridesOf(a.shape), so = stridesOf(shape);
        for (let i = 0; i < a.data.length; i++) { let o = 0; for (let k = 0; k < a.shape.length; k++) o += (Math.floor(i / si[k]) % a.shape[k] + p[2 * k]) * so[k]; d[o] = a.data[i]; }
        r = { shape, data: d };
        break;
      }
      case 'ConcatV2': {
        const parts = ins.slice(0, -1).map(get); const axis = get(ins[ins.length - 1]).data[0];
        const ax = axis < 0 ? axis + parts[0].shape.length : axis;
        const shape = [...parts[0].shape]; shape[ax] = parts.reduce((s, p) => s + p.shape[ax], 0);
        const outer = count(shape.slice(0, ax)); const d: number[] = [];
        for (let o = 0; o < outer; o++) for (const p of parts) { const inner = count(p.shape.slice(ax)); for (let j = 0; j < inner; j++) d.push(p.data[o * inner + j]); }
        r = { shape, data: Float64Array.from(d) };
        break;
      }
      case 'Mean': case 'Sum': {
        const a = x(); const axes = Array.from(y().data); const keep = !!attr(n, 'keep_dims')?.b;
        const full = a.shape.map((s, i) => (axes.includes(i) ? 1 : s));
        const d = new Float64Array(count(full)); const si = stridesOf(a.shape), so = stridesOf(full);
        for (let i = 0; i < a.data.length; i++) { let o = 0; for (let k = 0; k < a.shape.length; k++) if (!axes.includes(k)) o += (Math.floor(i / si[k]) % a.shape[k]) * so[k]; d[o] += a.data[i]; }
        const m = n.op === 'Sum' ? 1 : a.data.length / d.length;
        r = { shape: keep ? full : a.shape.filter((_, i) => !axes.includes(i)), data: d.map((v) => v / m) };
        break;
      }
      default: throw new Error(`reference: op ${n.op} not implemented`);
    }
    memo.set(key, r);
    return r;
  };
  return outputs.map(get);
}

// ---------------------------------------------------------------- tiny graphs built here

type NodeDef = tensorflow.INodeDef;
const F32 = 1, I32 = 3;
const shapeProto = (dims: number[]) => ({ dim: dims.map((size) => ({ size })) });
function cnst(name: string, shape: number[], values: ArrayLike<number>, dtype = F32): NodeDef {
  const n = count(shape);
  const full = values.length === n;
  const tensor: tensorflow.ITensorProto = { dtype, tensor_shape: shapeProto(shape) };
  if (full && dtype === F32) tensor.tensor_content = new Uint8Array(Float32Array.from(values).buffer);
  else if (dtype === F32) tensor.float_val = Array.from(values);
  else tensor.int_val = Array.from(values);
  return { name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor } } };
}
const placeholder = (name: string, shape: number[], dtype = F32): NodeDef => ({ name, op: 'Placeholder', attr: { dtype: { type: dtype }, shape: { shape: shapeProto(shape) } } });
const op = (name: string, opType: string, input: string[], attrs: tensorflow.INodeDef['attr'] = {}): NodeDef => ({ name, op: opType, input, attr: { T: { type: F32 }, ...attrs } });
const listI = (...i: number[]) => ({ list: { i } });
const s = (v: string) => ({ s: new TextEncoder().encode(v) });

/** Through the real encoder and decoder, as a file would be. */
const roundTrip = (nodes: NodeDef[]): tensorflow.GraphDef => readGraphDef(writeGraphDef({ node: nodes, versions: { producer: 1 } })).graphDef;

// ---------------------------------------------------------------- tests

async function checkAgainstReference(label: string, g: tensorflow.GraphDef, options: TfConvertOptions, feedShapes: Record<string, number[]>, seed: number, scale = 1) {
  const r = convertGraphDef(g, options);
  const feeds: Record<string, Feed> = {};
  const refFeeds: Record<string, T> = {};
  for (const [name, shape] of Object.entries(feedShapes)) {
    const data = seeded(shape, seed++, scale);
    feeds[name.replace(/:0$/, '')] = { data, dims: shape };
    refFeeds[name] = { shape, data: Float64Array.from(data) };
  }
  const out = await runOnnx(r.model, feeds);
  const outNames = r.report.outputs.map((o) => o.tensor);
  const ref = tfRun(g, refFeeds, outNames);
  const errs = r.report.outputs.map((o, i) => {
    expect(out[o.name].dims).toEqual(ref[i].shape);
    return relL2(out[o.name].data, ref[i].data);
  });
  rows.push(`  ${label}: ${Object.entries(onnxOps(r.model)).map(([k, v]) => `${k}×${v}`).join(' ')}; relL2 vs TS reference ${errs.map(fmt).join(', ')}`);
  return { r, out, ref, errs };
}

describe('TensorProto values', () => {
  it('reads tensor_content and the typed *_val fields with TF\'s "repeat the last value" rule', () => {
    expect(Array.from(tensorProtoToConst({ dtype: F32, tensor_shape: shapeProto([2, 3]), float_val: [1, 2] }).data as Float32Array)).toEqual([1, 2, 2, 2, 2, 2]);
    expect(Array.from(tensorProtoToConst({ dtype: I32, tensor_shape: shapeProto([3]), int_val: [] }).data as Int32Array)).toEqual([0, 0, 0]);
    expect(Array.from(tensorProtoToConst({ dtype: 9, tensor_shape: shapeProto([2]), int64_val: [7] }).data as Float64Array)).toEqual([7, 7]);
    // float16 1.5 = 0x3e00 in half_val
    expect(Array.from(tensorProtoToConst({ dtype: 19, tensor_shape: shapeProto([2]), half_val: [0x3e00, 0xc000] }).data as Float32Array)).toEqual([1.5, -2]);
    const content = new Uint8Array(Float32Array.of(0.25, -4).buffer);
    expect(Array.from(tensorProtoToConst({ dtype: F32, tensor_shape: shapeProto([2]), tensor_content: content }).data as Float32Array)).toEqual([0.25, -4]);
    expect(tensorProtoToConst({ dtype: 7, tensor_shape: shapeProto([2]), string_val: [new TextEncoder().encode('a')] }).data).toEqual(['a', 'a']);
  });

  it('refuses a repeated value that would expand past 64 Mi elements (a 100-byte graph asking for gigabytes)', () => {
    expect((tensorProtoToConst({ dtype: F32, tensor_shape: shapeProto([1024, 1024]), float_val: [0] }).data as Float32Array).length).toBe(2 ** 20);
    for (const dims of [[8192, 8193], [4, 1e12]]) {
      let error: unknown;
      try {
        tensorProtoToConst({ dtype: F32, tensor_shape: shapeProto(dims), float_val: [0] }, "Const 'c'");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OmnihubError);
      expect((error as OmnihubError).code).toBe('too-large');
      expect((error as OmnihubError).message).toMatch(/Const 'c': .* would expand to/);
    }
    // the same shape stored as tensor_content is not repeated, only checked against its bytes
    expect(() => tensorProtoToConst({ dtype: F32, tensor_shape: shapeProto([8192, 8193]), tensor_content: new Uint8Array(4) })).toThrow(/needs/);
  });
});

describe('real frozen graphs', () => {
  it('tf2onnx fc-layers (3× MatMul+BiasAdd, Relu) matches the TS reference', async () => {
    const { r, errs } = await checkAgainstReference('tf2onnx fc-layers [3,784]', graph('tf2onnx_fc-layers', 'frozen.pb'), {}, { 'X:0': [3, 784] }, 11);
    expect(r.report.inputs).toEqual([{ name: 'X', tensor: 'X:0', dtype: 'float32', shape: [-1, 784] }]);
    expect(r.report.outputs.map((o) => o.name)).toEqual(['output']);
    expect(r.report.ops).toMatchObject({ MatMul: 3, BiasAdd: 3, Relu: 2 });
    expect(onnxOps(r.model)).toEqual({ MatMul: 3, Add: 3, Relu: 2, Identity: 1 });
    expect(errs[0]).toBeLessThan(1e-5);
  });

  it('tf2onnx ae0 (4× MatMul+BiasAdd+Sigmoid) matches the TS reference', async () => {
    const { r, errs } = await checkAgainstReference('tf2onnx ae0 [2,784]', graph('tf2onnx_ae0', 'frozen.pb'), {}, { 'X:0': [2, 784] }, 21);
    expect(r.report.ops).toMatchObject({ MatMul: 4, BiasAdd: 4, Sigmoid: 4 });
    expect(errs[0]).toBeLessThan(1e-5);
  });

  it('cppflow frozen Keras model (convert_variables_to_constants_v2 output) matches the TS reference', async () => {
    const { r, errs } = await checkAgainstReference('cppflow frozen graph [4,5]', graph('cppflow_load_frozen_graph', 'model.pb'), {}, { 'x:0': [4, 5] }, 31);
    expect(r.report.inputs[0]).toMatchObject({ name: 'x', shape: [-1, 5] });
    expect(r.report.outputs[0]).toMatchObject({ name: 'Identity', shape: [-1, 1] });
    expect(errs[0]).toBeLessThan(1e-5);
  });

  it('ARM DS-CNN keyword spotter from Mfcc:0: conv/depthwise/BN/pool math equals the TS reference, one Transpose, softmax sums to 1', async () => {
    const g = graph('arm_kws', 'DS_CNN_S.pb');
    const softmax = g.node.find((n) => n.name === 'labels_softmax')!;
    const logits = softmax.input![0];
    const { r, out, errs } = await checkAgainstReference('ARM DS_CNN_S from Mfcc:0 [1,49,10]', g,
      { inputs: ['Mfcc:0'], outputs: [logits, 'labels_softmax:0'], inputShapes: { 'Mfcc:0': [1, 49, 10] } }, { 'Mfcc:0': [1, 49, 10] }, 41, 20);
    expect(r.report.inputs[0]).toMatchObject({ name: 'Mfcc', shape: [1, 49, 10] });
    expect(r.report.ops).toMatchObject({ Conv2D: 5, DepthwiseConv2dNative: 4, FusedBatchNorm: 9, AvgPool: 1 });
    const ops = onnxOps(r.model);
    expect(ops.Conv).toBe(9);
    expect(ops.Transpose).toBe(1);
    const probs = out.labels_softmax;
    expect(probs.dims).toEqual([1, 12]);
    const sum = probs.data.reduce((a, b) => a + b, 0);
    rows.push(`    softmax sum ${sum.toFixed(7)}, top class ${probs.data.indexOf(Math.max(...probs.data))}`);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    expect(errs[0]).toBeLessThan(1e-5);
    expect(errs[1]).toBeLessThan(1e-5);
  });

  it('ARM CNN keyword spotter from Mfcc:0 (unfused batch norm Rsqrt/Mul/Sub folded) matches the TS reference', async () => {
    const { r, errs } = await checkAgainstReference('ARM CNN_S from Mfcc:0 [2,49,10]', graph('arm_kws', 'CNN_S.pb'), { inputs: ['Mfcc:0'] }, { 'Mfcc:0': [2, 49, 10] }, 51, 20);
    expect(onnxOps(r.model).Rsqrt ?? 0).toBe(0);
    expect(errs[0]).toBeLessThan(1e-5);
  });

  it('refuses DS-CNN from its WAV input, listing the audio ops and where to start instead', () => {
    let err: unknown;
    try { convertGraphDef(graph('arm_kws', 'DS_CNN_S.pb')); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OmnihubError);
    expect((err as OmnihubError).code).toBe('unsupported');
    const msg = (err as Error).message;
    for (const s2 of ['AudioSpectrogram ×1', 'DecodeWav ×1', 'Mfcc ×1', "inputs: ['Mfcc:0']"]) expect(msg).toContain(s2);
    rows.push(`  DS_CNN_S from wav_data: refused — ${msg}`);
  });

  it('refuses the non-frozen tensorflow/rust graphs (variables without values) and says what would work', () => {
    for (const f of ['examples_regression_model.pb', 'examples_regression_checkpoint_model.pb']) {
      let err: unknown;
      try { convertGraphDef(graph('tfrust_nonfrozen_NEGATIVE', f)); } catch (e) { err = e; }
      expect((err as OmnihubError).code).toBe('unsupported');
      expect((err as Error).message).toMatch(/not frozen/);
      expect((err as Error).message).toMatch(/freeze/i);
      rows.push(`  ${f}: refused — ${(err as Error).message.slice(0, 160)}…`);
    }
  });
});

describe('tiny graphs', () => {
  // x[1,9,7,3] → Conv2D SAME s2 → BiasAdd → Relu6 → MaxPool SAME 3×3 s2 → Depthwise VALID 2×2 ×2 → FusedBatchNormV3 →
  // Pad → ConcatV2(·, Relu(·)) on channels → Mean over H,W → MatMul → Softmax.
  const nodes = (): NodeDef[] => [
    placeholder('x', [-1, 9, 7, 3]),
    cnst('w', [3, 3, 3, 4], seeded([3, 3, 3, 4], 1, 0.5)),
    cnst('b', [4], seeded([4], 2)),
    op('conv', 'Conv2D', ['x', 'w'], { strides: listI(1, 2, 2, 1), padding: s('SAME'), data_format: s('NHWC') }),
    op('bias', 'BiasAdd', ['conv', 'b']),
    op('relu6', 'Relu6', ['bias']),
    op('pool', 'MaxPool', ['relu6'], { ksize: listI(1, 3, 3, 1), strides: listI(1, 2, 2, 1), padding: s('SAME') }),
    cnst('dw', [2, 2, 4, 2], seeded([2, 2, 4, 2], 3, 0.5)),
    op('depthwise', 'DepthwiseConv2dNative', ['pool', 'dw'], { strides: listI(1, 1, 1, 1), padding: s('VALID') }),
    cnst('gamma', [8], seeded([8], 4)), cnst('beta', [8], seeded([8], 5)), cnst('mu', [8], seeded([8], 6)),
    cnst('var', [8], Array.from(seeded([8], 7), (v) => v * v + 0.5)),
    op('bn', 'FusedBatchNormV3', ['depthwise', 'gamma', 'beta', 'mu', 'var'], { epsilon: { f: 0.001 }, is_training: { b: false } }),
    cnst('paddings', [4, 2], [0, 0, 1, 1, 0, 2, 0, 0], I32),
    op('pad', 'Pad', ['bn', 'paddings']),
    op('relu', 'Relu', ['pad']),
    cnst('axis', [], [3], I32),
    op('concat', 'ConcatV2', ['pad', 'relu', 'axis'], { N: { i: 2 } }),
    cnst('axes', [2], [1, 2], I32),
    op('mean', 'Mean', ['concat', 'axes'], { keep_dims: { b: false } }),
    cnst('fc', [16, 5], seeded([16, 5], 8)),
    op('logits', 'MatMul', ['mean', 'fc']),
    op('probs', 'Softmax', ['logits']),
  ];

  it('keeps NHWC at the interface with a single Transpose, and SAME pads as TF computes them', async () => {
    const g = roundTrip(nodes());
    const { r, errs } = await checkAgainstReference('tiny conv net [2,9,7,3]', g, {}, { 'x:0': [2, 9, 7, 3] }, 61);
    const ops = onnxOps(r.model);
    expect(ops.Transpose).toBe(1);
    const conv = r.model.graph!.node!.find((n) => n.op_type === 'Conv')!;
    // H 9 → 5 (total pad 2: 1+1), W 7 → 4 (total pad 2: 1+1); pads = [top, left, bottom, right]
    expect(conv.attribute!.find((a) => a.name === 'pads')!.ints!.map(Number)).toEqual([1, 1, 1, 1]);
    const pool = r.model.graph!.node!.find((n) => n.op_type === 'MaxPool')!;
    // 5×4 → 3×2 with k3 s2: H total 2 (1,1), W total 1 (0,1): the odd pixel at the end
    expect(pool.attribute!.find((a) => a.name === 'pads')!.ints!.map(Number)).toEqual([1, 0, 1, 1]);
    expect(errs[0]).toBeLessThan(1e-5);
  });

  it('with nchw: true takes NCHW input and needs no Transpose at all', async () => {
    const g = roundTrip(nodes());
    const r = convertGraphDef(g, { nchw: true });
    expect(onnxOps(r.model).Transpose ?? 0).toBe(0);
    const x = seeded([2, 9, 7, 3], 71);
    const xNchw = new Float32Array(x.length);
    for (let n = 0; n < 2; n++) for (let h = 0; h < 9; h++) for (let w = 0; w < 7; w++) for (let c = 0; c < 3; c++) xNchw[((n * 3 + c) * 9 + h) * 7 + w] = x[((n * 9 + h) * 7 + w) * 3 + c];
    const out = await runOnnx(r.model, { x: { data: xNchw, dims: [2, 3, 9, 7] } });
    const [ref] = tfRun(g, { x: { shape: [2, 9, 7, 3], data: Float64Array.from(x) } }, ['probs:0']);
    const e = relL2(out.probs.data, ref.data);
    rows.push(`  tiny conv net, nchw: true: no Transpose; relL2 ${fmt(e)}`);
    expect(e).toBeLessThan(1e-5);
  });

  it('shape arithmetic on a dynamic batch: Shape → StridedSlice → Pack → Reshape, and StridedSlice masks (ellipsis, new axis, shrink, negative stride)', async () => {
    const g = roundTrip([
      placeholder('x', [-1, 4, 6]),
      { name: 'shape', op: 'Shape', input: ['x'], attr: { T: { type: F32 }, out_type: { type: I32 } } },
      cnst('b0', [1], [0], I32), cnst('e1', [1], [1], I32), cnst('s1', [1], [1], I32),
      { name: 'batch', op: 'StridedSlice', input: ['shape', 'b0', 'e1', 's1'], attr: { T: { type: I32 }, Index: { type: I32 }, shrink_axis_mask: { i: 1 } } },
      cnst('c24', [], [24], I32),
      { name: 'newshape', op: 'Pack', input: ['batch', 'c24'], attr: { T: { type: I32 }, N: { i: 2 }, axis: { i: 0 } } },
      { name: 'flat', op: 'Reshape', input: ['x', 'newshape'], attr: { T: { type: F32 }, Tshape: { type: I32 } } },
      // x[:, 1::-1]
      cnst('b2', [2], [0, 1], I32), cnst('e2', [2], [0, 0], I32), cnst('s2', [2], [1, -1], I32),
      { name: 'rev', op: 'StridedSlice', input: ['x', 'b2', 'e2', 's2'], attr: { T: { type: F32 }, Index: { type: I32 }, begin_mask: { i: 1 }, end_mask: { i: 3 } } },
      // x[..., 2]
      cnst('b3', [2], [0, 2], I32), cnst('e3', [2], [0, 3], I32), cnst('s3', [2], [1, 1], I32),
      { name: 'last', op: 'StridedSlice', input: ['x', 'b3', 'e3', 's3'], attr: { T: { type: F32 }, Index: { type: I32 }, ellipsis_mask: { i: 1 }, shrink_axis_mask: { i: 2 } } },
      // x[:, tf.newaxis, -1]
      cnst('b4', [3], [0, 0, -1], I32), cnst('e4', [3], [0, 0, 0], I32), cnst('s4', [3], [1, 1, 1], I32),
      { name: 'newax', op: 'StridedSlice', input: ['x', 'b4', 'e4', 's4'], attr: { T: { type: F32 }, Index: { type: I32 }, begin_mask: { i: 1 }, end_mask: { i: 1 }, new_axis_mask: { i: 2 }, shrink_axis_mask: { i: 4 } } },
      // ExpandDims + Squeeze + Transpose + a splat constant (float_val [0.5] filling [6])
      cnst('ax', [], [-1], I32),
      { name: 'expanded', op: 'ExpandDims', input: ['last', 'ax'], attr: { T: { type: F32 }, Tdim: { type: I32 } } },
      cnst('perm', [3], [2, 0, 1], I32),
      { name: 'transposed', op: 'Transpose', input: ['expanded', 'perm'], attr: { T: { type: F32 }, Tperm: { type: I32 } } },
      { name: 'squeezed', op: 'Squeeze', input: ['transposed'], attr: { T: { type: F32 }, squeeze_dims: listI(0) } },
      cnst('half', [6], [0.5]),
      op('scaled', 'Mul', ['newax', 'half']),
    ]);
    const r = convertGraphDef(g, { outputs: ['flat:0', 'rev:0', 'last:0', 'newax:0', 'squeezed:0', 'scaled:0'] });
    const B = 2;
    const x = Float32Array.from({ length: B * 24 }, (_, i) => i);
    const out = await runOnnx(r.model, { x: { data: x, dims: [B, 4, 6] } });
    const at = (b: number, i: number, j: number) => x[(b * 4 + i) * 6 + j];
    expect(out.flat.dims).toEqual([B, 24]);
    expect(Array.from(out.flat.data)).toEqual(Array.from(x));
    expect(out.rev.dims).toEqual([B, 2, 6]);
    expect(Array.from(out.rev.data)).toEqual([0, 1].flatMap((b) => [1, 0].flatMap((i) => [0, 1, 2, 3, 4, 5].map((j) => at(b, i, j)))));
    expect(out.last.dims).toEqual([B, 4]);
    expect(Array.from(out.last.data)).toEqual([0, 1].flatMap((b) => [0, 1, 2, 3].map((i) => at(b, i, 2))));
    expect(out.newax.dims).toEqual([B, 1, 6]);
    expect(Array.from(out.newax.data)).toEqual([0, 1].flatMap((b) => [0, 1, 2, 3, 4, 5].map((j) => at(b, 3, j))));
    expect(out.squeezed.dims).toEqual([B, 4]);
    expect(Array.from(out.squeezed.data)).toEqual(Array.from(out.last.data));
    expect(Array.from(out.scaled.data)).toEqual(Array.from(out.newax.data, (v) => v * 0.5));
    rows.push(`  shape arithmetic + StridedSlice masks on a dynamic batch: exact (${Object.entries(onnxOps(r.model)).map(([k, v]) => `${k}×${v}`).join(' ')})`);
  });

  it('folds constant subgraphs (shape math on static shapes) instead of emitting nodes', () => {
    const g = roundTrip([
      placeholder('x', [3, 4]),
      { name: 'shape', op: 'Shape', input: ['x'], attr: { T: { type: F32 }, out_type: { type: I32 } } },
      cnst('two', [], [2], I32),
      { name: 'prod', op: 'Prod', input: ['shape', 'z'], attr: { T: { type: I32 }, Tidx: { type: I32 }, keep_dims: { b: false } } },
      cnst('z', [1], [0], I32),
      cnst('m1', [1], [-1], I32),
      { name: 'dims', op: 'ConcatV2', input: ['m1', 'onedim', 'zax'], attr: { T: { type: I32 }, N: { i: 2 } } },
      { name: 'onedim', op: 'ExpandDims', input: ['two', 'zax'], attr: { T: { type: I32 } } },
      cnst('zax', [], [0], I32),
      { name: 'y', op: 'Reshape', input: ['x', 'dims'], attr: { T: { type: F32 } } },
    ]);
    const r = convertGraphDef(g, { outputs: ['y:0', 'prod:0'] });
    // One Reshape with a constant shape; the outputs' Identities; 'prod' (3·4 = 12) is an initializer.
    expect(onnxOps(r.model)).toEqual({ Reshape: 1, Identity: 2 });
    const reshape = r.model.graph!.node!.find((n) => n.op_type === 'Reshape')!;
    const shapeInit = r.model.graph!.initializer!.find((t) => t.name === reshape.input![1])!;
    expect(Array.from(new BigInt64Array(shapeInit.raw_data!.slice().buffer), Number)).toEqual([-1, 2]);
    const prodId = r.model.graph!.node!.find((n) => n.op_type === 'Identity' && n.output![0] === 'prod')!;
    const prod = r.model.graph!.initializer!.find((t) => t.name === prodId.input![0])!;
    expect(Array.from(new Int32Array(prod.raw_data!.slice().buffer))).toEqual([12]);
    expect(r.report.outputs[0].shape).toEqual([6, 2]);
  });

  it('BatchMatMul (adj_y), ArgMax, Sum, Unpack, Cast, Elu/LeakyRelu/Softplus/Tanh, PadV2, EXPLICIT-padded dilated Conv2D, NCHW BiasAdd, Fill/Range on a dynamic batch', async () => {
    const g = roundTrip([
      placeholder('x', [-1, 3, 4]),
      op('bmm', 'BatchMatMulV2', ['x', 'x'], { adj_y: { b: true } }),
      cnst('last', [], [-1], I32),
      op('argmax', 'ArgMax', ['x', 'last'], { output_type: { type: I32 }, Tidx: { type: I32 } }),
      cnst('ax1', [1], [1], I32),
      op('sum', 'Sum', ['x', 'ax1'], { keep_dims: { b: true } }),
      op('unpack', 'Unpack', ['x'], { num: { i: 3 }, axis: { i: 1 } }),
      op('cast', 'Cast', ['x'], { SrcT: { type: F32 }, DstT: { type: I32 } }),
      op('elu', 'Elu', ['x']), op('leaky', 'LeakyRelu', ['elu'], { alpha: { f: 0.1 } }), op('softplus', 'Softplus', ['leaky']), op('tanh', 'Tanh', ['softplus']),
      cnst('pads', [3, 2], [0, 0, 1, 0, 0, 2], I32), cnst('nine', [], [9]),
      op('padv2', 'PadV2', ['x', 'pads', 'nine']),
      placeholder('img', [-1, 5, 5, 2]),
      cnst('k', [2, 2, 2, 3], seeded([2, 2, 2, 3], 91)),
      op('conv', 'Conv2D', ['img', 'k'], { strides: listI(1, 1, 1, 1), dilations: listI(1, 2, 2, 1), padding: s('EXPLICIT'), explicit_paddings: listI(0, 0, 1, 2, 2, 1, 0, 0) }),
      placeholder('nchw', [-1, 3, 2, 2]),
      cnst('bias3', [3], [1, 2, 3]),
      op('biasnchw', 'BiasAdd', ['nchw', 'bias3'], { data_format: s('NCHW') }),
      { name: 'shape', op: 'Shape', input: ['x'], attr: { T: { type: F32 }, out_type: { type: I32 } } },
      cnst('b0', [1], [0], I32), cnst('e1', [1], [1], I32), cnst('s1', [1], [1], I32),
      { name: 'batch', op: 'StridedSlice', input: ['shape', 'b0', 'e1', 's1'], attr: { T: { type: I32 }, Index: { type: I32 }, shrink_axis_mask: { i: 1 } } },
      cnst('two', [], [2], I32),
      { name: 'dims', op: 'Pack', input: ['batch', 'two'], attr: { T: { type: I32 }, N: { i: 2 } } },
      cnst('onehalf', [], [1.5]),
      op('fill', 'Fill', ['dims', 'onehalf'], { index_type: { type: I32 } }),
      cnst('zero', [], [0], I32), cnst('one', [], [1], I32),
      { name: 'range', op: 'Range', input: ['zero', 'batch', 'one'], attr: { Tidx: { type: I32 } } },
    ]);
    const outputs = ['bmm:0', 'argmax:0', 'sum:0', 'unpack:1', 'cast:0', 'tanh:0', 'padv2:0', 'conv:0', 'biasnchw:0', 'fill:0', 'range:0'];
    const r = convertGraphDef(g, { outputs });
    const x = seeded([2, 3, 4], 92, 3);
    const img = seeded([2, 5, 5, 2], 93);
    const nchw = seeded([2, 3, 2, 2], 94);
    const out = await runOnnx(r.model, { x: { data: x, dims: [2, 3, 4] }, img: { data: img, dims: [2, 5, 5, 2] }, nchw: { data: nchw, dims: [2, 3, 2, 2] } });
    const ref = tfRun(g, { x: { shape: [2, 3, 4], data: Float64Array.from(x) }, img: { shape: [2, 5, 5, 2], data: Float64Array.from(img) }, nchw: { shape: [2, 3, 2, 2], data: Float64Array.from(nchw) } }, outputs.slice(0, 9));
    const errs: string[] = [];
    outputs.slice(0, 9).forEach((o, i) => {
      const name = o.replace(/:0$/, '');
      expect(out[name].dims, o).toEqual(ref[i].shape);
      const e = relL2(out[name].data, ref[i].data);
      errs.push(`${name} ${fmt(e)}`);
      expect(e, o).toBeLessThan(1e-6);
    });
    expect(out.conv.dims).toEqual([2, 6, 6, 3]); // 5 + 1 + 2 − (2 − 1)·2 − 1 + 1 = 6
    expect(out.fill.dims).toEqual([2, 2]);
    expect(Array.from(out.fill.data)).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(Array.from(out.range.data)).toEqual([0, 1]);
    rows.push(`  misc ops: relL2 ${errs.join(', ')}; Fill/Range on the dynamic batch exact`);
  });

  it('refuses a graph with unsupported ops, listing each with its count, and never returns a partial graph', () => {
    const g = roundTrip([
      placeholder('x', [2]),
      op('a', 'FancyOp', ['x']), op('b', 'FancyOp', ['a']), op('c', 'WeirdOp', ['b']), op('d', 'Relu', ['c']),
    ]);
    let err: unknown;
    try { convertGraphDef(g); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OmnihubError);
    expect((err as OmnihubError).code).toBe('unsupported');
    expect((err as Error).message).toBe('TensorFlow ops not supported: FancyOp ×2, WeirdOp ×1.');
    rows.push(`  unsupported ops: ${(err as Error).message}`);
  });

  it('_FusedMatMul (BiasAdd + Relu) and a cut in the middle of a graph', async () => {
    const w = seeded([3, 2], 81);
    const bias = seeded([2], 82);
    const g = roundTrip([
      placeholder('x', [-1, 4]),
      op('pre', 'Relu', ['x']),
      cnst('w', [3, 2], w), cnst('bias', [2], bias),
      cnst('b0', [2], [0, 1], I32), cnst('sz', [2], [-1, 3], I32),
      { name: 'sl', op: 'Slice', input: ['pre', 'b0', 'sz'], attr: { T: { type: F32 }, Index: { type: I32 } } },
      op('fused', '_FusedMatMul', ['sl', 'w', 'bias'], { fused_ops: { list: { s: [new TextEncoder().encode('BiasAdd'), new TextEncoder().encode('Relu')] } }, num_args: { i: 1 } }),
    ]);
    const r = convertGraphDef(g, { inputs: ['pre:0'] });
    expect(r.report.inputs[0]).toMatchObject({ name: 'pre', tensor: 'pre:0' });
    const xv = Float32Array.from([1, -2, 3, 4, -5, 6, 7, -8]);
    const out = await runOnnx(r.model, { pre: { data: xv, dims: [2, 4] } });
    const exp = [0, 1].flatMap((b) => [0, 1].map((j) => Math.max(0, bias[j] + [0, 1, 2].reduce((a, k) => a + xv[b * 4 + 1 + k] * w[k * 2 + j], 0))));
    expect(maxAbs(out.fused.data, exp)).toBeLessThan(1e-5);
  });
});
