/**
 * A plain TypeScript reference of Keras's inference math, layer by layer, in float64 on channels-last arrays, written
 * from Keras's documented semantics (not shared with the converter): the Keras → ONNX tests compare onnxruntime's
 * output of a converted model with these. `runKerasReference` composes them over a model config (Sequential /
 * Functional, Keras 2 and 3 node forms, nested models, shared layers).
 */
import type { KerasLayerConfig } from '../../src/core/formats/keras/types.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';

export interface Arr {
  shape: number[];
  data: Float64Array;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

export function arr(shape: number[], data?: ArrayLike<number>): Arr {
  const out = new Float64Array(size(shape));
  if (data) for (let i = 0; i < out.length; i++) out[i] = data[i];
  return { shape: [...shape], data: out };
}

/** Seeded uniform values in [lo, hi), rounded to float32 (what the model will hold). */
export function randomF32(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export const toArr = (shape: number[], f: Float32Array): Arr => arr(shape, f);

function strides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

export function transpose(x: Arr, perm: number[]): Arr {
  const outShape = perm.map((p) => x.shape[p]);
  const st = strides(x.shape);
  const out = arr(outShape);
  const idx = new Array(outShape.length).fill(0);
  for (let i = 0; i < out.data.length; i++) {
    let src = 0;
    for (let k = 0; k < idx.length; k++) src += idx[k] * st[perm[k]];
    out.data[i] = x.data[src];
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

const map = (x: Arr, f: (v: number) => number): Arr => ({ shape: [...x.shape], data: x.data.map(f) });

// ---------------------------------------------------------------- activations

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => (v > 30 ? v : Math.log1p(Math.exp(v)));
function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse (1.5e-7 abs); use a series/continued fraction to ~1e-15.
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = x;
    let term = x;
    for (let n = 1; n < 200; n++) {
      term *= -x * x / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction for large |x|
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/** Keras's activation by name; `keras3` picks Keras 3's hard_sigmoid. */
export function activationFn(name: string, keras3: boolean): (v: number) => number {
  switch (name) {
    case 'linear': return (v) => v;
    case 'relu': return (v) => Math.max(v, 0);
    case 'relu6': return (v) => Math.min(Math.max(v, 0), 6);
    case 'sigmoid': return sigmoid;
    case 'tanh': return Math.tanh;
    case 'elu': return (v) => (v > 0 ? v : Math.exp(v) - 1);
    case 'selu': return (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1));
    case 'softplus': return softplus;
    case 'softsign': return (v) => v / (1 + Math.abs(v));
    case 'swish': case 'silu': return (v) => v * sigmoid(v);
    case 'gelu': return (v) => 0.5 * v * (1 + erf(v / Math.SQRT2));
    case 'hard_sigmoid': return keras3 ? (v) => Math.min(Math.max(v + 3, 0), 6) / 6 : (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    case 'hard_silu': case 'hard_swish': return (v) => v * Math.min(Math.max(v + 3, 0), 6) / 6;
    case 'exponential': return Math.exp;
    case 'mish': return (v) => v * Math.tanh(softplus(v));
    case 'leaky_relu': return (v) => (v >= 0 ? v : 0.2 * v);
    case 'log_sigmoid': return (v) => -softplus(-v);
    case 'hard_tanh': return (v) => Math.min(Math.max(v, -1), 1);
    case 'celu': return (v) => Math.max(v, 0) + Math.min(0, Math.exp(v) - 1);
    case 'tanh_shrink': return (v) => v - Math.tanh(v);
    case 'soft_shrink': return (v) => (v > 0.5 ? v - 0.5 : v < -0.5 ? v + 0.5 : 0);
    case 'hard_shrink': return (v) => (Math.abs(v) > 0.5 ? v : 0);
    case 'squareplus': return (v) => (v + Math.sqrt(v * v + 4)) / 2;
    case 'sparse_plus': return (v) => (v <= -1 ? 0 : v >= 1 ? v : (v + 1) ** 2 / 4);
    default: throw new Error(`reference: no activation ${name}`);
  }
}

/** Softmax over one axis. */
export function softmax(x: Arr, axis = -1, log = false): Arr {
  const r = x.shape.length;
  const a = axis < 0 ? axis + r : axis;
  const n = x.shape[a];
  const inner = size(x.shape.slice(a + 1));
  const outer = size(x.shape.slice(0, a));
  const out = arr(x.shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x.data[(o * n + k) * inner + i]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x.data[(o * n + k) * inner + i] - m);
      for (let k = 0; k < n; k++) {
        const v = x.data[(o * n + k) * inner + i] - m;
        out.data[(o * n + k) * inner + i] = log ? v - Math.log(s) : Math.exp(v) / s;
      }
    }
  }
  return out;
}

export function activation(x: Arr, name: string, keras3: boolean): Arr {
  if (name === 'softmax') return softmax(x);
  if (name === 'log_softmax') return softmax(x, -1, true);
  if (name === 'glu') {
    const n = x.shape[x.shape.length - 1];
    const h = n / 2;
    const rows = x.data.length / n;
    const out = arr([...x.shape.slice(0, -1), h]);
    for (let r = 0; r < rows; r++) for (let j = 0; j < h; j++) out.data[r * h + j] = x.data[r * n + j] * sigmoid(x.data[r * n + h + j]);
    return out;
  }
  return map(x, activationFn(name, keras3));
}

// ---------------------------------------------------------------- core

/** Dense over the last axis. */
export function dense(x: Arr, kernel: Arr, bias?: Arr): Arr {
  const [I, O] = kernel.shape;
  const rows = x.data.length / I;
  const out = arr([...x.shape.slice(0, -1), O]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < O; o++) {
      let s = bias ? bias.data[o] : 0;
      for (let i = 0; i < I; i++) s += x.data[r * I + i] * kernel.data[i * O + o];
      out.data[r * O + o] = s;
    }
  }
  return out;
}

export function embedding(ids: Arr, table: Arr): Arr {
  const D = table.shape[1];
  const out = arr([...ids.shape, D]);
  for (let i = 0; i < ids.data.length; i++) {
    const row = Math.trunc(ids.data[i]);
    for (let d = 0; d < D; d++) out.data[i * D + d] = table.data[row * D + d];
  }
  return out;
}

export const flatten = (x: Arr): Arr => ({ shape: [x.shape[0], size(x.shape.slice(1))], data: x.data.slice() });

export function binary(xs: Arr[], f: (a: number, b: number) => number): Arr {
  let out = { shape: [...xs[0].shape], data: xs[0].data.slice() };
  for (const y of xs.slice(1)) out = { shape: out.shape, data: out.data.map((v, i) => f(v, y.data[i])) };
  return out;
}

export function concat(xs: Arr[], axis: number): Arr {
  const r = xs[0].shape.length;
  const a = axis < 0 ? axis + r : axis;
  const outer = size(xs[0].shape.slice(0, a));
  const total = xs.reduce((s, x) => s + x.shape[a], 0);
  const inner = size(xs[0].shape.slice(a + 1));
  const out = arr(xs[0].shape.map((d, i) => (i === a ? total : d)));
  for (let o = 0; o < outer; o++) {
    let off = 0;
    for (const x of xs) {
      const n = x.shape[a] * inner;
      out.data.set(x.data.subarray(o * n, (o + 1) * n), o * total * inner + off);
      off += n;
    }
  }
  return out;
}

// ---------------------------------------------------------------- convolution (channels last, TF padding)

export interface ConvOpts { strides?: number[]; dilation?: number[]; padding?: 'valid' | 'same' | 'causal'; groups?: number }

/** TF's padding for one axis: [begin, end, out]. */
export function tfPad(n: number, k: number, s: number, d: number, padding: string): [number, number, number] {
  const kd = (k - 1) * d + 1;
  if (padding === 'valid') return [0, 0, Math.floor((n - kd) / s) + 1];
  if (padding === 'causal') return [kd - 1, 0, Math.floor((n - 1) / s) + 1];
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + kd - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

/** x [B, …spatial, C], kernel […k, C/groups, F] → [B, …out, F]; 1–3 spatial axes. */
export function conv(x: Arr, kernel: Arr, bias: Arr | undefined, o: ConvOpts = {}): Arr {
  const d = x.shape.length - 2;
  const pad3 = <T>(a: T[], fill: T): T[] => [...new Array(3 - d).fill(fill), ...a];
  const sp = pad3(x.shape.slice(1, 1 + d), 1);
  const C = x.shape[d + 1];
  const ks = pad3(kernel.shape.slice(0, d), 1);
  const Cg = kernel.shape[d];
  const F = kernel.shape[d + 1];
  const groups = o.groups ?? 1;
  const Fg = F / groups;
  const st = pad3(o.strides ?? new Array(d).fill(1), 1);
  const dl = pad3(o.dilation ?? new Array(d).fill(1), 1);
  const pads = sp.map((n, i) => (i < 3 - d ? [0, 0, 1] : tfPad(n, ks[i], st[i], dl[i], o.padding ?? 'valid')));
  const os = pads.map((p) => p[2]);
  const B = x.shape[0];
  const out = arr([B, ...os.slice(3 - d), F]);
  for (let b = 0; b < B; b++)
    for (let z = 0; z < os[0]; z++) for (let y = 0; y < os[1]; y++) for (let w = 0; w < os[2]; w++)
      for (let f = 0; f < F; f++) {
        const g = Math.floor(f / Fg);
        let s = bias ? bias.data[f] : 0;
        for (let kz = 0; kz < ks[0]; kz++) {
          const iz = z * st[0] - pads[0][0] + kz * dl[0];
          if (iz < 0 || iz >= sp[0]) continue;
          for (let ky = 0; ky < ks[1]; ky++) {
            const iy = y * st[1] - pads[1][0] + ky * dl[1];
            if (iy < 0 || iy >= sp[1]) continue;
            for (let kx = 0; kx < ks[2]; kx++) {
              const ix = w * st[2] - pads[2][0] + kx * dl[2];
              if (ix < 0 || ix >= sp[2]) continue;
              const xBase = (((b * sp[0] + iz) * sp[1] + iy) * sp[2] + ix) * C + g * Cg;
              const kBase = ((kz * ks[1] + ky) * ks[2] + kx) * Cg;
              for (let c = 0; c < Cg; c++) s += x.data[xBase + c] * kernel.data[(kBase + c) * F + f];
            }
          }
        }
        out.data[(((b * os[0] + z) * os[1] + y) * os[2] + w) * F + f] = s;
      }
  return out;
}

/** Depthwise: kernel […k, C, m] → output channel c·m + j. */
export function depthwiseConv(x: Arr, kernel: Arr, bias: Arr | undefined, o: ConvOpts = {}): Arr {
  const d = x.shape.length - 2;
  const C = kernel.shape[d];
  const m = kernel.shape[d + 1];
  // As a grouped conv: kernel […k, 1, C·m] with group C (output channel c·m + j reads channel c).
  const k2 = arr([...kernel.shape.slice(0, d), 1, C * m], kernel.data);
  return conv(x, k2, bias, { ...o, groups: C });
}

export function separableConv(x: Arr, dk: Arr, pk: Arr, bias: Arr | undefined, o: ConvOpts = {}): Arr {
  const dw = depthwiseConv(x, dk, undefined, o);
  return conv(dw, pk, bias, {});
}

/** Conv transpose by scattering (Keras's output length, TF's placement). kernel […k, F, C]. */
export function convTranspose(x: Arr, kernel: Arr, bias: Arr | undefined, o: { strides?: number[]; dilation?: number[]; padding?: string; outputPadding?: number[] } = {}): Arr {
  const d = x.shape.length - 2;
  if (d !== 2 && d !== 1) throw new Error('reference convTranspose: 1D/2D');
  const sp = x.shape.slice(1, 1 + d);
  const C = x.shape[d + 1];
  const ks = kernel.shape.slice(0, d);
  const F = kernel.shape[d];
  const st = o.strides ?? new Array(d).fill(1);
  const dl = o.dilation ?? new Array(d).fill(1);
  const padding = o.padding ?? 'valid';
  const outLen: number[] = [];
  const begin: number[] = [];
  for (let i = 0; i < d; i++) {
    const kd = (ks[i] - 1) * dl[i] + 1;
    let L: number;
    if (!o.outputPadding) L = padding === 'valid' ? sp[i] * st[i] + Math.max(kd - st[i], 0) : sp[i] * st[i];
    else L = (sp[i] - 1) * st[i] + kd - 2 * (padding === 'same' ? Math.floor(kd / 2) : 0) + o.outputPadding[i];
    const total = padding === 'same' ? Math.max((sp[i] - 1) * st[i] + kd - L, 0) : 0;
    outLen.push(L);
    begin.push(Math.floor(total / 2));
  }
  const B = x.shape[0];
  const H = d === 2 ? sp[0] : 1;
  const W = sp[d - 1];
  const oh = d === 2 ? outLen[0] : 1;
  const ow = outLen[d - 1];
  const kh = d === 2 ? ks[0] : 1;
  const kw = ks[d - 1];
  const sh = d === 2 ? st[0] : 1;
  const sw = st[d - 1];
  const dh = d === 2 ? dl[0] : 1;
  const dw = dl[d - 1];
  const bh = d === 2 ? begin[0] : 0;
  const bw = begin[d - 1];
  const out = arr([B, ...outLen, F]);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < oh; y++) for (let w = 0; w < ow; w++) for (let f = 0; f < F; f++) out.data[((b * oh + y) * ow + w) * F + f] = bias ? bias.data[f] : 0;
    for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++)
      for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
        const y = iy * sh + ky * dh - bh;
        const w = ix * sw + kx * dw - bw;
        if (y < 0 || y >= oh || w < 0 || w >= ow) continue;
        for (let f = 0; f < F; f++) {
          let s = 0;
          for (let c = 0; c < C; c++) s += x.data[((b * H + iy) * W + ix) * C + c] * kernel.data[((ky * kw + kx) * F + f) * C + c];
          out.data[((b * oh + y) * ow + w) * F + f] += s;
        }
      }
  }
  return out;
}

/** Max/average pooling, channels last, TF padding (averages over the positions inside the input). */
export function pool(x: Arr, kind: 'max' | 'avg', poolSize: number[], stridesIn?: number[], padding: 'valid' | 'same' = 'valid'): Arr {
  const d = x.shape.length - 2;
  const pad3 = <T>(a: T[], fill: T): T[] => [...new Array(3 - d).fill(fill), ...a];
  const sp = pad3(x.shape.slice(1, 1 + d), 1);
  const C = x.shape[d + 1];
  const ks = pad3(poolSize, 1);
  const st = pad3(stridesIn ?? poolSize, 1);
  const pads = sp.map((n, i) => (i < 3 - d ? [0, 0, 1] : tfPad(n, ks[i], st[i], 1, padding)));
  const os = pads.map((p) => p[2]);
  const B = x.shape[0];
  const out = arr([B, ...os.slice(3 - d), C]);
  for (let b = 0; b < B; b++)
    for (let z = 0; z < os[0]; z++) for (let y = 0; y < os[1]; y++) for (let w = 0; w < os[2]; w++)
      for (let c = 0; c < C; c++) {
        let m = -Infinity;
        let s = 0;
        let n = 0;
        for (let kz = 0; kz < ks[0]; kz++) for (let ky = 0; ky < ks[1]; ky++) for (let kx = 0; kx < ks[2]; kx++) {
          const iz = z * st[0] - pads[0][0] + kz;
          const iy = y * st[1] - pads[1][0] + ky;
          const ix = w * st[2] - pads[2][0] + kx;
          if (iz < 0 || iz >= sp[0] || iy < 0 || iy >= sp[1] || ix < 0 || ix >= sp[2]) continue;
          const v = x.data[(((b * sp[0] + iz) * sp[1] + iy) * sp[2] + ix) * C + c];
          m = Math.max(m, v);
          s += v;
          n++;
        }
        out.data[(((b * os[0] + z) * os[1] + y) * os[2] + w) * C + c] = kind === 'max' ? m : s / n;
      }
  return out;
}

/** Global pooling over the spatial axes of channels-last x → [B, C]. */
export function globalPool(x: Arr, kind: 'max' | 'avg'): Arr {
  const B = x.shape[0];
  const C = x.shape[x.shape.length - 1];
  const n = size(x.shape.slice(1, -1));
  const out = arr([B, C]);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
    let m = -Infinity;
    let s = 0;
    for (let i = 0; i < n; i++) { const v = x.data[(b * n + i) * C + c]; m = Math.max(m, v); s += v; }
    out.data[b * C + c] = kind === 'max' ? m : s / n;
  }
  return out;
}

// ---------------------------------------------------------------- normalization

/** Inference BatchNorm on `axis`: (x − mean)/√(var + ε)·γ + β. */
export function batchNorm(x: Arr, axis: number, gamma: Arr | null, beta: Arr | null, mean: Arr, variance: Arr, eps: number): Arr {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const n = x.shape[a];
  const inner = size(x.shape.slice(a + 1));
  const out = arr(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const c = Math.floor(i / inner) % n;
    const v = (x.data[i] - mean.data[c]) / Math.sqrt(variance.data[c] + eps);
    out.data[i] = v * (gamma ? gamma.data[c] : 1) + (beta ? beta.data[c] : 0);
  }
  return out;
}

/** LayerNorm over `axes` (sorted), γ/β shaped like those axes. */
export function layerNorm(x: Arr, axes: number[], gamma: Arr | null, beta: Arr | null, eps: number): Arr {
  const r = x.shape.length;
  const ax = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
  const st = strides(x.shape);
  const keep = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const groupSize = size(ax.map((a) => x.shape[a]));
  const groups = x.data.length / groupSize;
  const out = arr(x.shape);
  const keepShape = keep.map((a) => x.shape[a]);
  const axShape = ax.map((a) => x.shape[a]);
  for (let g = 0; g < groups; g++) {
    let rem = g;
    let base = 0;
    for (let k = keep.length - 1; k >= 0; k--) { base += (rem % keepShape[k]) * st[keep[k]]; rem = Math.floor(rem / keepShape[k]); }
    const idx: number[] = [];
    for (let j = 0; j < groupSize; j++) {
      let rr = j;
      let off = base;
      for (let k = ax.length - 1; k >= 0; k--) { off += (rr % axShape[k]) * st[ax[k]]; rr = Math.floor(rr / axShape[k]); }
      idx.push(off);
    }
    let mean = 0;
    for (const i of idx) mean += x.data[i];
    mean /= groupSize;
    let v = 0;
    for (const i of idx) v += (x.data[i] - mean) ** 2;
    v /= groupSize;
    idx.forEach((i, j) => { out.data[i] = (x.data[i] - mean) / Math.sqrt(v + eps) * (gamma ? gamma.data[j] : 1) + (beta ? beta.data[j] : 0); });
  }
  return out;
}

// ---------------------------------------------------------------- reshaping

export function zeroPad(x: Arr, pads: [number, number][]): Arr {
  const d = pads.length;
  const outShape = x.shape.map((n, i) => (i >= 1 && i <= d ? n + pads[i - 1][0] + pads[i - 1][1] : n));
  const out = arr(outShape);
  const idx = new Array(x.shape.length).fill(0);
  const ost = strides(outShape);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    for (let k = 0; k < idx.length; k++) o += (idx[k] + (k >= 1 && k <= d ? pads[k - 1][0] : 0)) * ost[k];
    out.data[o] = x.data[i];
    for (let k = idx.length - 1; k >= 0; k--) { if (++idx[k] < x.shape[k]) break; idx[k] = 0; }
  }
  return out;
}

export function crop(x: Arr, crops: [number, number][]): Arr {
  const d = crops.length;
  const outShape = x.shape.map((n, i) => (i >= 1 && i <= d ? n - crops[i - 1][0] - crops[i - 1][1] : n));
  const out = arr(outShape);
  const idx = new Array(outShape.length).fill(0);
  const ist = strides(x.shape);
  for (let i = 0; i < out.data.length; i++) {
    let s = 0;
    for (let k = 0; k < idx.length; k++) s += (idx[k] + (k >= 1 && k <= d ? crops[k - 1][0] : 0)) * ist[k];
    out.data[i] = x.data[s];
    for (let k = idx.length - 1; k >= 0; k--) { if (++idx[k] < outShape[k]) break; idx[k] = 0; }
  }
  return out;
}

/** Nearest up-sampling: each value repeated size[i] times along spatial axis i. */
export function upsampleNearest(x: Arr, sizes: number[]): Arr {
  const d = sizes.length;
  const outShape = x.shape.map((n, i) => (i >= 1 && i <= d ? n * sizes[i - 1] : n));
  const out = arr(outShape);
  const idx = new Array(outShape.length).fill(0);
  const ist = strides(x.shape);
  for (let i = 0; i < out.data.length; i++) {
    let s = 0;
    for (let k = 0; k < idx.length; k++) s += (k >= 1 && k <= d ? Math.floor(idx[k] / sizes[k - 1]) : idx[k]) * ist[k];
    out.data[i] = x.data[s];
    for (let k = idx.length - 1; k >= 0; k--) { if (++idx[k] < outShape[k]) break; idx[k] = 0; }
  }
  return out;
}

/** tf.image.resize bilinear (half-pixel centres), channels last [B, H, W, C]. */
export function upsampleBilinear(x: Arr, sizes: [number, number]): Arr {
  const [B, H, W, C] = x.shape;
  const oh = H * sizes[0];
  const ow = W * sizes[1];
  const out = arr([B, oh, ow, C]);
  const coord = (o: number, scale: number, n: number) => {
    const s = Math.max((o + 0.5) / scale - 0.5, 0);
    const i0 = Math.min(Math.floor(s), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    return [i0, i1, s - i0] as const;
  };
  for (let b = 0; b < B; b++) for (let y = 0; y < oh; y++) for (let w = 0; w < ow; w++) {
    const [y0, y1, fy] = coord(y, sizes[0], H);
    const [x0, x1, fx] = coord(w, sizes[1], W);
    for (let c = 0; c < C; c++) {
      const v = (yy: number, xx: number) => x.data[((b * H + yy) * W + xx) * C + c];
      const top = v(y0, x0) * (1 - fx) + v(y0, x1) * fx;
      const bot = v(y1, x0) * (1 - fx) + v(y1, x1) * fx;
      out.data[((b * oh + y) * ow + w) * C + c] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}

// ---------------------------------------------------------------- recurrent (Keras semantics, step by step)

export interface RnnOpts {
  kind: 'SimpleRNN' | 'LSTM' | 'GRU';
  units: number;
  activation?: string;
  recurrentActivation?: string;
  resetAfter?: boolean;
  goBackwards?: boolean;
  returnSequences?: boolean;
  zeroOutputForMask?: boolean;
  keras3?: boolean;
}

/**
 * x [B, T, I]; weights [kernel, recurrent_kernel, bias?] in Keras's layout (LSTM gates i, f, c, o; GRU z, r, h).
 * Masked steps (mask[b·T + t] = 0) keep the state; their output is the previous output (or 0 with
 * zeroOutputForMask). go_backwards processes time reversed and returns outputs in that order.
 * Returns [output, ...final states].
 */
export function rnn(x: Arr, w: Arr[], o: RnnOpts, mask?: ArrayLike<number>, initial?: Arr[]): Arr[] {
  const [B, T, I] = x.shape;
  const H = o.units;
  const G = o.kind === 'LSTM' ? 4 : o.kind === 'GRU' ? 3 : 1;
  const act = activationFn(o.activation ?? 'tanh', !!o.keras3);
  const rec = activationFn(o.recurrentActivation ?? 'sigmoid', !!o.keras3);
  const [K, RK] = [w[0].data, w[1].data];
  const bias = w[2]?.data;
  const seq = arr([B, T, H]);
  const hOut = arr([B, H]);
  const cOut = arr([B, H]);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(H);
    let c = new Float64Array(H);
    if (initial) { h = initial[0].data.slice(b * H, (b + 1) * H); if (o.kind === 'LSTM') c = initial[1].data.slice(b * H, (b + 1) * H); }
    let prevOut = new Float64Array(H);
    for (let s = 0; s < T; s++) {
      const t = o.goBackwards ? T - 1 - s : s;
      const keep = mask ? mask[b * T + t] !== 0 : true;
      if (!keep) {
        const v = o.zeroOutputForMask ? new Float64Array(H) : prevOut;
        seq.data.set(v, (b * T + s) * H);
        continue;
      }
      const xv = x.data.subarray((b * T + t) * I, (b * T + t + 1) * I);
      const xz = new Float64Array(G * H);
      const hz = new Float64Array(G * H);
      for (let j = 0; j < G * H; j++) {
        let sx = 0;
        for (let i = 0; i < I; i++) sx += xv[i] * K[i * G * H + j];
        let sh = 0;
        for (let i = 0; i < H; i++) sh += h[i] * RK[i * G * H + j];
        xz[j] = sx;
        hz[j] = sh;
      }
      const nh = new Float64Array(H);
      if (o.kind === 'SimpleRNN') {
        for (let j = 0; j < H; j++) nh[j] = act(xz[j] + (bias ? bias[j] : 0) + hz[j]);
      } else if (o.kind === 'LSTM') {
        const nc = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const z = (g: number) => xz[g * H + j] + hz[g * H + j] + (bias ? bias[g * H + j] : 0);
          const ig = rec(z(0));
          const fg = rec(z(1));
          const cc = act(z(2));
          const og = rec(z(3));
          nc[j] = fg * c[j] + ig * cc;
          nh[j] = og * act(nc[j]);
        }
        c = nc;
      } else {
        const bIn = (g: number, j: number) => (bias ? (o.resetAfter ? bias[g * H + j] : bias[g * H + j]) : 0);
        const bRec = (g: number, j: number) => (bias && o.resetAfter ? bias[3 * H + g * H + j] : 0);
        const zg = new Float64Array(H);
        const rg = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          zg[j] = rec(xz[j] + bIn(0, j) + hz[j] + bRec(0, j));
          rg[j] = rec(xz[H + j] + bIn(1, j) + hz[H + j] + bRec(1, j));
        }
        for (let j = 0; j < H; j++) {
          let hh: number;
          if (o.resetAfter) hh = act(xz[2 * H + j] + bIn(2, j) + rg[j] * (hz[2 * H + j] + bRec(2, j)));
          else {
            let s2 = 0;
            for (let i = 0; i < H; i++) s2 += rg[i] * h[i] * RK[i * 3 * H + 2 * H + j];
            hh = act(xz[2 * H + j] + bIn(2, j) + s2);
          }
          nh[j] = zg[j] * h[j] + (1 - zg[j]) * hh;
        }
      }
      h = nh;
      prevOut = nh;
      seq.data.set(nh, (b * T + s) * H);
    }
    hOut.data.set(h, b * H);
    cOut.data.set(c, b * H);
  }
  const first = o.returnSequences ? seq : hOut;
  return o.kind === 'LSTM' ? [first, hOut, cOut] : [first, hOut];
}

/** Reverses axis 1 of [B, T, H]. */
export function reverseTime(x: Arr): Arr {
  const [B, T, H] = x.shape;
  const out = arr(x.shape);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.data.set(x.data.subarray((b * T + t) * H, (b * T + t + 1) * H), (b * T + (T - 1 - t)) * H);
  return out;
}

/** Keras's Bidirectional: backward layer = go_backwards, its sequence reversed back; zero_output_for_mask = return_sequences. */
export function bidirectional(x: Arr, wf: Arr[], wb: Arr[], o: RnnOpts, mergeMode: string | null, mask?: ArrayLike<number>): Arr[] {
  const zo = !!o.returnSequences;
  const f = rnn(x, wf, { ...o, goBackwards: false, zeroOutputForMask: zo }, mask);
  const b = rnn(x, wb, { ...o, goBackwards: true, zeroOutputForMask: zo }, mask);
  const yb = o.returnSequences ? reverseTime(b[0]) : b[0];
  const yf = f[0];
  switch (mergeMode) {
    case 'concat': return [concat([yf, yb], -1)];
    case 'sum': return [binary([yf, yb], (p, q) => p + q)];
    case 'mul': return [binary([yf, yb], (p, q) => p * q)];
    case 'ave': return [binary([yf, yb], (p, q) => (p + q) / 2)];
    default: return [yf, yb];
  }
}

// ---------------------------------------------------------------- a model's forward pass

type Weights = Record<string, Arr[]>;

const cfgOf = (l: KerasLayerConfig) => l.config as Record<string, unknown>;
const nameOf = (l: KerasLayerConfig) => String(cfgOf(l).name ?? l.name);
const tuple = (v: unknown, n: number): number[] => (typeof v === 'number' ? new Array(n).fill(v) : (v as number[]));
const actName = (v: unknown): string => (v === undefined || v === null ? 'linear' : typeof v === 'string' ? v : String((v as { config: unknown }).config));

interface RefTensor { a: Arr; mask?: Float64Array }

/** One layer of the reference (the classes the tests and fixtures use). */
function refLayer(l: KerasLayerConfig, ins: RefTensor[], W: Weights, keras3: boolean, scope: string[]): RefTensor[] {
  const c = cfgOf(l);
  const w = W[[...scope, nameOf(l)].join('/')] ?? W[nameOf(l)] ?? [];
  const x = ins[0]?.a;
  const d = x ? x.shape.length - 2 : 0;
  const one = (a: Arr, mask?: Float64Array): RefTensor[] => [{ a, mask }];
  switch (l.class_name) {
    case 'Dense': return one(activation(dense(x, w[0], c.use_bias === false ? undefined : w[1]), actName(c.activation), keras3), ins[0].mask);
    case 'Activation': return one(activation(x, actName(c.activation), keras3), ins[0].mask);
    case 'Dropout': case 'SpatialDropout2D': case 'GaussianNoise': return [ins[0]];
    case 'Flatten': return one(flatten(x));
    case 'Conv1D': case 'Conv2D': case 'Conv3D':
      return one(activation(conv(x, w[0], c.use_bias === false ? undefined : w[1], { strides: tuple(c.strides ?? 1, d), dilation: tuple(c.dilation_rate ?? 1, d), padding: c.padding as 'same', groups: Number(c.groups ?? 1) }), actName(c.activation), keras3));
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) ? (c.axis as number[])[0] : Number(c.axis ?? -1);
      let k = 0;
      const g = c.scale === false ? null : w[k++];
      const b = c.center === false ? null : w[k++];
      return one(batchNorm(x, axis, g, b, w[k], w[k + 1], Number(c.epsilon ?? 1e-3)));
    }
    case 'MaxPooling2D': case 'AveragePooling2D': case 'MaxPooling1D': case 'AveragePooling1D': {
      const ps = tuple(c.pool_size ?? 2, d);
      return one(pool(x, l.class_name.startsWith('Max') ? 'max' : 'avg', ps, c.strides ? tuple(c.strides, d) : ps, (c.padding ?? 'valid') as 'valid'));
    }
    case 'GlobalAveragePooling2D': case 'GlobalAveragePooling1D': return one(globalPool(x, 'avg'));
    case 'GlobalMaxPooling2D': case 'GlobalMaxPooling1D': return one(globalPool(x, 'max'));
    case 'Add': return one(binary(ins.map((t) => t.a), (p, q) => p + q));
    case 'Subtract': return one(binary(ins.map((t) => t.a), (p, q) => p - q));
    case 'Multiply': return one(binary(ins.map((t) => t.a), (p, q) => p * q));
    case 'Concatenate': return one(concat(ins.map((t) => t.a), Number(c.axis ?? -1)));
    case 'Masking': {
      const [B, T, F] = x.shape;
      const v = typeof c.mask_value === 'number' ? c.mask_value : Number(((c.mask_value as { config?: { value?: number[] } })?.config?.value ?? [0])[0]);
      const m = new Float64Array(B * T);
      const out = arr(x.shape, x.data);
      for (let i = 0; i < B * T; i++) {
        let any = false;
        for (let f = 0; f < F; f++) if (x.data[i * F + f] !== v) any = true;
        m[i] = any ? 1 : 0;
        if (!any) for (let f = 0; f < F; f++) out.data[i * F + f] = 0;
      }
      return one(out, m);
    }
    case 'Embedding': {
      const e = embedding(x, w[0]);
      return one(e, c.mask_zero ? Float64Array.from(x.data, (v) => (Math.trunc(v) !== 0 ? 1 : 0)) : undefined);
    }
    case 'LSTM': case 'GRU': case 'SimpleRNN': {
      const o: RnnOpts = {
        kind: l.class_name, units: Number(c.units), activation: actName(c.activation ?? 'tanh'),
        recurrentActivation: actName(c.recurrent_activation ?? 'sigmoid'), resetAfter: !!c.reset_after,
        goBackwards: !!c.go_backwards, returnSequences: !!c.return_sequences, zeroOutputForMask: !!c.zero_output_for_mask, keras3,
      };
      const outs = rnn(x, w, o, ins[0].mask, ins.length > 1 ? ins.slice(1).map((t) => t.a) : undefined);
      const res = c.return_state ? outs : [outs[0]];
      return res.map((a, i) => ({ a, mask: i === 0 && o.returnSequences ? ins[0].mask : undefined }));
    }
    case 'Bidirectional': {
      const inner = c.layer as KerasLayerConfig;
      const ic = cfgOf(inner);
      const o: RnnOpts = {
        kind: inner.class_name as 'LSTM', units: Number(ic.units), activation: actName(ic.activation ?? 'tanh'),
        recurrentActivation: actName(ic.recurrent_activation ?? 'sigmoid'), resetAfter: !!ic.reset_after, returnSequences: !!ic.return_sequences, keras3,
      };
      const n = w.length / 2;
      return bidirectional(x, w.slice(0, n), w.slice(n), o, (c.merge_mode as string | null) ?? null, ins[0].mask).map((a) => ({ a }));
    }
    default: throw new Error(`reference: no layer ${l.class_name}`);
  }
}

const isModelCfg = (l: KerasLayerConfig): boolean => ['Sequential', 'Functional', 'Model'].includes(l.class_name);
const layersOf = (m: KerasLayerConfig): KerasLayerConfig[] => (Array.isArray(m.config) ? (m.config as KerasLayerConfig[]) : (cfgOf(m).layers as KerasLayerConfig[]));

type R = [string, number, number];
function nodeRefs(node: unknown): R[] {
  if (Array.isArray(node)) return (typeof node[0] === 'string' ? [node] : node).map((e: unknown[]) => [e[0], e[1], e[2]] as R);
  const out: R[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as { class_name?: string; config?: { keras_history?: R } };
      if (o.class_name === '__keras_tensor__' && o.config?.keras_history) out.push(o.config.keras_history);
      else Object.values(v).forEach(walk);
    }
  };
  // Tensors in args, then in kwargs (initial_state …), in order.
  walk((node as { args: unknown }).args);
  walk((node as { kwargs?: unknown }).kwargs ?? {});
  return out;
}
const refs = (v: unknown): R[] => (Array.isArray(v) && typeof v[0] === 'string' ? [v as R] : (v as R[]));

/**
 * The reference forward pass of a model config on channels-last inputs: `weights` by layer name (or
 * 'nested/layer' for a nested model's layer), as Keras orders them.
 */
export function runKerasReference(model: KerasLayerConfig, weights: Weights, inputs: Arr[], keras3 = false, scope: string[] = [], inMasks?: (Float64Array | undefined)[]): RefTensor[] {
  const layers = layersOf(model);
  const call = (l: KerasLayerConfig, ins: RefTensor[]): RefTensor[] =>
    isModelCfg(l) ? runKerasReference(l, weights, ins.map((t) => t.a), keras3, [...scope, nameOf(l)], ins.map((t) => t.mask)) : refLayer(l, ins, weights, keras3, scope);
  const c = cfgOf(model);
  if (Array.isArray(model.config) || c.input_layers === undefined) {
    let t: RefTensor = { a: inputs[0], mask: inMasks?.[0] };
    for (const l of layers) if (l.class_name !== 'InputLayer') t = call(l, [t])[0];
    return [t];
  }
  const memo = new Map<string, RefTensor[]>();
  refs(c.input_layers).forEach((r, i) => memo.set(`${r[0]}#0`, [{ a: inputs[i], mask: inMasks?.[i] }]));
  const byName = new Map(layers.map((l) => [nameOf(l), l]));
  const ev = (name: string, node: number): RefTensor[] => {
    const key = `${name}#${node}`;
    if (memo.has(key)) return memo.get(key)!;
    const l = byName.get(name)!;
    const ins = nodeRefs(l.inbound_nodes![node]).map(([n, k, t]) => ev(n, k)[t]);
    const outs = call(l, ins);
    memo.set(key, outs);
    return outs;
  };
  return refs(c.output_layers).map(([n, k, t]) => ev(n, k)[t]);
}
