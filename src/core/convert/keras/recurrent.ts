/**
 * Recurrent layers: SimpleRNN, LSTM, GRU (reset_after true → linear_before_reset 1, bias [2, 3H] split into input
 * and recurrent biases; false → bias [3H], recurrent bias 0), CuDNNLSTM/CuDNNGRU, and Bidirectional (concat, sum,
 * mul, ave, None), with return_sequences, return_state, go_backwards, time_major and initial states, as ONNX
 * RNN/LSTM/GRU. Keras LSTM gates are i, f, c, o; ONNX's are i, o, f, c (reordered here). GRU's z, r, h match.
 *
 * Masks (Masking, Embedding(mask_zero)): Keras skips masked steps (the state is carried over them). The kept steps
 * are moved to the front of each sequence (TopK on "kept·10⁶ − t", a stable compaction) and the op gets their count
 * as sequence_lens, which is exact for any mask, not only trailing padding. Sequences out are put back at their
 * times: step t takes the state after the kept steps up to t (Keras repeats the last output over masked steps, or
 * zeros them with zero_output_for_mask, which Bidirectional forces on when returning sequences).
 */
import { OmnihubError } from '../../errors.js';
import { DataType } from '../../onnx/tensor.js';
import { rnnActivation } from './activations.js';
import { cfgBool, cfgNum, where, type CallExtra, type Ctx, type FloatWeight, type KDim, type KTensor, type LayerConverter, type LayerInfo } from './context.js';
import { commonPerm } from './merge.js';

type Kind = 'SimpleRNN' | 'LSTM' | 'GRU';

interface CellSpec {
  kind: Kind;
  cudnn: boolean;
  L: LayerInfo;
  cfg: Record<string, unknown>;
  units: number;
  gates: number;
  useBias: boolean;
  resetAfter: boolean;
  goBackwards: boolean;
  returnSequences: boolean;
  returnState: boolean;
  timeMajor: boolean;
  zeroOutputForMask: boolean;
}

const KINDS: Record<string, { kind: Kind; cudnn: boolean }> = {
  SimpleRNN: { kind: 'SimpleRNN', cudnn: false },
  LSTM: { kind: 'LSTM', cudnn: false },
  GRU: { kind: 'GRU', cudnn: false },
  CuDNNLSTM: { kind: 'LSTM', cudnn: true },
  CuDNNGRU: { kind: 'GRU', cudnn: true },
};

function cellSpec(cls: string, cfg: Record<string, unknown>, L: LayerInfo): CellSpec {
  const k = KINDS[cls];
  if (!k) throw new OmnihubError('unsupported', `${where(L)} wraps a '${cls}' layer; Omnihub's Bidirectional takes SimpleRNN, LSTM and GRU.`);
  const gates = k.kind === 'LSTM' ? 4 : k.kind === 'GRU' ? 3 : 1;
  return {
    kind: k.kind,
    cudnn: k.cudnn,
    L,
    cfg,
    units: cfgNum(cfg, 'units', NaN),
    gates,
    useBias: k.cudnn || cfgBool(cfg, 'use_bias', true),
    // CuDNNGRU computes r ⊙ (h·R + b_R): reset_after.
    resetAfter: k.kind === 'GRU' && (k.cudnn || cfgBool(cfg, 'reset_after', false)),
    goBackwards: cfgBool(cfg, 'go_backwards', false),
    returnSequences: cfgBool(cfg, 'return_sequences', false),
    returnState: cfgBool(cfg, 'return_state', false),
    timeMajor: cfgBool(cfg, 'time_major', false),
    zeroOutputForMask: cfgBool(cfg, 'zero_output_for_mask', false),
  };
}

/** The Keras weight shapes of one cell. */
function cellExpected(s: CellSpec, inputDim: KDim): KDim[][] {
  const GH = s.gates * s.units;
  const out: KDim[][] = [[inputDim, GH], [s.units, GH]];
  if (!s.useBias) return out;
  if (s.cudnn) out.push([2 * GH]);
  else if (s.resetAfter) out.push([2, GH]);
  else out.push([GH]);
  return out;
}

/** One direction's ONNX W [G·H, I], R [G·H, H], B [2·G·H] (gates reordered for LSTM). */
function onnxCell(s: CellSpec, w: FloatWeight[], I: number): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const H = s.units;
  const G = s.gates;
  const GH = G * H;
  const order = s.kind === 'LSTM' ? [0, 3, 1, 2] : [0, 1, 2].slice(0, G); // ONNX gate g = Keras gate order[g]
  const [kernel, rec] = [w[0].data, w[1].data];
  const W = new Float32Array(GH * I);
  const R = new Float32Array(GH * H);
  const B = new Float32Array(2 * GH);
  let inBias: Float32Array | null = null;
  let recBias: Float32Array | null = null;
  if (s.useBias) {
    const b = w[2].data;
    if (s.cudnn || s.resetAfter) { inBias = b.subarray(0, GH); recBias = b.subarray(GH, 2 * GH); } else inBias = b;
  }
  for (let g = 0; g < G; g++) {
    const kg = order[g];
    for (let h = 0; h < H; h++) {
      const col = kg * H + h;
      const row = g * H + h;
      for (let i = 0; i < I; i++) W[row * I + i] = kernel[i * GH + col];
      for (let j = 0; j < H; j++) R[row * H + j] = rec[j * GH + col];
      if (inBias) B[row] = inBias[col];
      if (recBias) B[GH + row] = recBias[col];
    }
  }
  return { W, R, B };
}

function activations(cx: Ctx, s: CellSpec): { name: string; alpha?: number; beta?: number }[] {
  if (s.cudnn) return s.kind === 'LSTM' ? [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }] : [{ name: 'Sigmoid' }, { name: 'Tanh' }];
  const act = rnnActivation(cx, s.cfg.activation ?? 'tanh', s.L);
  if (s.kind === 'SimpleRNN') return [act];
  // Keras before 2.3 defaulted to hard_sigmoid (configs state it anyway).
  const [major, minor] = cx.version;
  const rec = rnnActivation(cx, s.cfg.recurrent_activation ?? (major > 2 || minor >= 3 ? 'sigmoid' : 'hard_sigmoid'), s.L);
  return s.kind === 'LSTM' ? [rec, act, act] : [rec, act];
}

interface MaskPlan {
  /** The inputs with each sequence's kept steps moved to its front, [B, T, I]. */
  xc: string;
  /** Kept steps per sequence: int32 [B] (sequence_lens) and float [B, 1]. */
  lens: string;
  lensF: string;
  /** Kept steps up to and including t: float [B, T]; the mask: float [B, T]. */
  c: string;
  m: string;
}

function maskPlan(cx: Ctx, L: LayerInfo, x: string, m: string): MaskPlan {
  const n = (s: string) => `${L.name}_mask_${s}`;
  const T1 = cx.op('Shape', [m], { start: 1, end: 2 }, n('steps'));
  const T = cx.op('Squeeze', [T1, cx.ints([0], 'axes')]);
  const zero = cx.once('i64:0', () => cx.b.ints('zero', [0], []));
  const oneI = cx.once('i64:1', () => cx.b.ints('one', [1], []));
  const t = cx.op('Cast', [cx.op('Range', [zero, T, oneI])], { to: DataType.FLOAT });
  const key = cx.op('Sub', [cx.op('Mul', [m, cx.scalar(1e6)]), t], {}, n('order_key'));
  const [, idx] = cx.b.node('TopK', [key, T1], { axis: 1, largest: 1, sorted: 1 }, { outputs: 2, name: n('order') });
  const gidx = cx.op('Expand', [cx.op('Unsqueeze', [idx, cx.ints([2], 'axes')]), cx.op('Shape', [x])]);
  const xc = cx.op('GatherElements', [x, gidx], { axis: 1 }, n('compact'));
  const lensF = cx.op('ReduceSum', [m, cx.ints([1], 'axes')], { keepdims: 1 }, n('count'));
  const lens = cx.op('Cast', [cx.op('Squeeze', [lensF, cx.ints([1], 'axes')])], { to: DataType.INT32 }, n('lens'));
  const c = cx.op('CumSum', [m, cx.once('i64s:1', () => cx.b.ints('axis', [1], []))], {}, n('cumsum'));
  return { xc, lens, lensF, c, m };
}

/** Batch-major [B, T, H] outputs put back at their times: out[b, t] = Yb[b, pos[b, t]] · valid[b, t]. */
function placeSteps(cx: Ctx, Yb: string, pos: string, valid: string): string {
  const p = cx.op('Cast', [pos], { to: DataType.INT64 });
  const g = cx.op('Expand', [cx.op('Unsqueeze', [p, cx.ints([2], 'axes')]), cx.op('Shape', [Yb])]);
  const y = cx.op('GatherElements', [Yb, g], { axis: 1 });
  return cx.op('Mul', [y, cx.op('Unsqueeze', [valid, cx.ints([2], 'axes')])]);
}

/** Reverses the time axis (physical axis `axis`). */
const reverseTime = (cx: Ctx, v: string, axis: number): string =>
  cx.op('Slice', [v, cx.ints([-1], 'starts'), cx.ints([-(2 ** 63)], 'ends'), cx.ints([axis], 'axes'), cx.ints([-1], 'steps')]);

interface RunResult {
  Y: string; // [T, D, B, H]
  Yh: string; // [D, B, H]
  Yc?: string;
  plan?: MaskPlan;
  batch: KDim;
  steps: KDim;
}

/** Runs the ONNX recurrent op over `x` (Keras shape [B, T, I], or [T, B, I] when time_major). */
function run(cx: Ctx, L: LayerInfo, x: KTensor, cells: CellSpec[], weights: FloatWeight[][], direction: string, initial: KTensor[]): RunResult {
  const s = cells[0];
  const tm = s.timeMajor;
  const I = x.shape[2];
  if (x.shape.length !== 3 || I === null) throw new OmnihubError('unsupported', `${where(L)} needs a [batch, time, features] input with known features, got [${x.shape.join(', ')}].`);
  let xt: string;
  let plan: MaskPlan | undefined;
  if (x.mask) {
    if (tm) throw new OmnihubError('unsupported', `${where(L)}: a mask with time_major is not supported.`);
    plan = maskPlan(cx, L, cx.keras(x), x.mask);
    xt = cx.op('Transpose', [plan.xc], { perm: [1, 0, 2] }, `${L.name}_time_major`);
  } else {
    xt = tm ? cx.keras(x) : cx.value(x, [1, 0, 2]);
  }
  const parts = cells.map((c, i) => onnxCell(c, weights[i], I));
  const H = s.units;
  const GH = s.gates * H;
  const D = cells.length;
  const cat = (f: (p: { W: Float32Array; R: Float32Array; B: Float32Array }) => Float32Array) => {
    const arrays = parts.map(f);
    const out = new Float32Array(arrays.reduce((a, v) => a + v.length, 0));
    let o = 0;
    for (const a of arrays) { out.set(a, o); o += a.length; }
    return out;
  };
  const W = cx.layerConst(L, 'W', [D, GH, I], cat((p) => p.W));
  const R = cx.layerConst(L, 'R', [D, GH, H], cat((p) => p.R));
  const B = cx.layerConst(L, 'B', [D, 2 * GH], cat((p) => p.B));
  const ins = [xt, W, R, B, plan ? plan.lens : ''];
  const nStates = s.kind === 'LSTM' ? 2 : 1;
  if (initial.length) {
    if (initial.length !== nStates * D) throw new OmnihubError('unsupported', `${where(L)} gets ${initial.length} initial state(s); it needs ${nStates * D}.`);
    for (let k = 0; k < nStates; k++) {
      const perDir = cells.map((_, d) => cx.op('Unsqueeze', [cx.keras(initial[d * nStates + k]), cx.ints([0], 'axes')]));
      ins.push(perDir.length === 1 ? perDir[0] : cx.op('Concat', perDir, { axis: 0 }));
    }
  }
  while (ins[ins.length - 1] === '') ins.pop();
  const op = s.kind === 'SimpleRNN' ? 'RNN' : s.kind;
  const attrs: Record<string, number | string> = { hidden_size: H, direction };
  if (s.kind === 'GRU') attrs.linear_before_reset = s.resetAfter ? 1 : 0;
  const outs = cx.b.node(op, ins, attrs, { outputs: s.kind === 'LSTM' ? 3 : 2, name: L.name });
  const acts = cells.flatMap((c) => activations(cx, c));
  cx.stringsAttr('activations', acts.map((a) => a.name));
  const alphas = acts.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = acts.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  if (alphas.length) cx.floatsAttr('activation_alpha', alphas);
  if (betas.length) cx.floatsAttr('activation_beta', betas);
  return { Y: outs[0], Yh: outs[1], Yc: outs[2], plan, batch: x.shape[tm ? 1 : 0], steps: x.shape[tm ? 0 : 1] };
}

/** Direction d of Y as a Keras [B, T, H] sequence (held time-major when unmasked), placed at its times when masked. */
function sequence(cx: Ctx, L: LayerInfo, r: RunResult, d: number, D: number, H: number, timeMajor: boolean, place: 'forward' | 'backward' | 'bidirectional', zeroOutput: boolean): KTensor {
  const name = `${L.name}_${D === 1 ? 'sequence' : d === 0 ? 'forward' : 'backward'}`;
  const Yd = D === 1 ? cx.op('Squeeze', [r.Y, cx.ints([1], 'axes')], {}, name) : cx.op('Gather', [r.Y, cx.once(`i64:${d}`, () => cx.b.ints(`dir${d}`, [d], []))], { axis: 1 }, name);
  if (!r.plan) {
    if (timeMajor) return cx.tensor(Yd, [r.steps, r.batch, H]);
    return cx.tensor(Yd, [r.batch, r.steps, H], [1, 0, 2]);
  }
  const { c, m, lensF } = r.plan;
  const Yb = cx.op('Transpose', [Yd], { perm: [1, 0, 2] });
  let pos: string;
  let valid: string;
  if (place === 'backward') {
    const q = cx.op('Sub', [c, m]);
    pos = cx.op('Max', [cx.op('Min', [q, cx.op('Sub', [lensF, cx.scalar(1)])]), cx.scalar(0)]);
    valid = zeroOutput ? m : cx.op('Cast', [cx.op('Less', [q, lensF])], { to: DataType.FLOAT });
  } else {
    pos = cx.op('Max', [cx.op('Sub', [c, cx.scalar(1)]), cx.scalar(0)]);
    valid = zeroOutput || place === 'bidirectional' ? m : cx.op('Min', [c, cx.scalar(1)]);
  }
  const out = cx.tensor(placeSteps(cx, Yb, pos, valid), [r.batch, r.steps, H]);
  out.mask = m;
  return out;
}

/** A state of direction d: [B, H]. */
function state(cx: Ctx, v: string, d: number, D: number, batch: KDim, H: number): KTensor {
  const s = D === 1 ? cx.op('Squeeze', [v, cx.ints([0], 'axes')]) : cx.op('Gather', [v, cx.once(`i64:${d}`, () => cx.b.ints(`dir${d}`, [d], []))], { axis: 0 });
  return cx.tensor(s, [batch, H]);
}

function initialStates(inputs: KTensor[], extra: CallExtra): KTensor[] {
  return inputs.length > 1 ? inputs.slice(1) : extra.kwTensors.initial_state ?? [];
}

function withMask(cx: Ctx, x: KTensor, extra: CallExtra): KTensor {
  const m = extra.kwTensors.mask?.[0];
  if (!m || x.mask) return x;
  return { ...x, mask: cx.op('Cast', [cx.keras(m)], { to: DataType.FLOAT }) };
}

function recurrent(cls: string): LayerConverter {
  return (cx, L, inputs, extra) => {
    const s = cellSpec(cls, L.config, L);
    const x = withMask(cx, inputs[0], extra);
    const w = cx.weights(L, cellExpected(s, x.shape[2]));
    if (cfgBool(L.config, 'stateful', false)) cx.note(`${where(L)} is stateful: the ONNX model starts every call from zero states.`);
    const r = run(cx, L, x, [s], [w], s.goBackwards ? 'reverse' : 'forward', initialStates(inputs, extra));
    const H = s.units;
    let out: KTensor;
    if (s.returnSequences) {
      out = sequence(cx, L, r, 0, 1, H, s.timeMajor, s.goBackwards ? 'backward' : 'forward', s.zeroOutputForMask);
      if (s.goBackwards) {
        // Keras returns the sequence in the order it was processed (reversed).
        const axis = r.plan ? 1 : out.perm.indexOf(s.timeMajor ? 0 : 1);
        const rev = reverseTime(cx, cx.main(out), axis);
        const mask = out.mask;
        out = cx.derive(out, rev);
        out.mask = mask; // Keras's compute_mask returns the input mask as it is
      }
    } else {
      out = state(cx, r.Yh, 0, 1, r.batch, H);
    }
    const outs = [out];
    if (s.returnState) {
      outs.push(state(cx, r.Yh, 0, 1, r.batch, H));
      if (s.kind === 'LSTM') outs.push(state(cx, r.Yc!, 0, 1, r.batch, H));
    }
    return outs;
  };
}

function mergeDirections(cx: Ctx, L: LayerInfo, mode: string, f: KTensor, b: KTensor): KTensor[] {
  if (mode === 'none' || mode === 'null') return [f, b];
  const perm = commonPerm([f, b]);
  const fv = cx.value(f, perm);
  const bv = cx.value(b, perm);
  const r = f.shape.length;
  let y: string;
  let shape = f.shape;
  switch (mode) {
    case 'concat': {
      y = cx.op('Concat', [fv, bv], { axis: perm.indexOf(r - 1) }, L.name);
      const H = f.shape[r - 1];
      shape = [...f.shape.slice(0, -1), H === null ? null : 2 * H];
      break;
    }
    case 'sum': y = cx.op('Add', [fv, bv], {}, L.name); break;
    case 'mul': y = cx.op('Mul', [fv, bv], {}, L.name); break;
    case 'ave': y = cx.op('Mul', [cx.op('Add', [fv, bv]), cx.scalar(0.5)], {}, L.name); break;
    default: throw new OmnihubError('unsupported', `${where(L)} has merge_mode '${mode}'; Keras's are concat, sum, mul, ave and None.`);
  }
  const out = cx.tensor(y, shape, perm);
  out.mask = f.mask;
  return [out];
}

const bidirectional: LayerConverter = (cx, L, inputs, extra) => {
  const cfg = L.config;
  const inner = cfg.layer as { class_name?: string; config?: Record<string, unknown> } | undefined;
  if (!inner?.class_name || !inner.config) throw new OmnihubError('unsupported', `${where(L)} has no wrapped layer in its config.`);
  const back = cfg.backward_layer as { class_name?: string; config?: Record<string, unknown> } | undefined;
  const fs = cellSpec(inner.class_name, inner.config, L);
  const bs = back?.class_name && back.config ? cellSpec(back.class_name, back.config, L) : { ...fs, goBackwards: !fs.goBackwards };
  if (fs.goBackwards || !bs.goBackwards || fs.kind !== bs.kind || fs.units !== bs.units || fs.resetAfter !== bs.resetAfter) {
    throw new OmnihubError('unsupported', `${where(L)}: Omnihub converts a Bidirectional whose forward and backward layers are the same kind and size, the backward one reading backwards.`);
  }
  const x = withMask(cx, inputs[0], extra);
  const fe = cellExpected(fs, x.shape[2]);
  const be = cellExpected(bs, x.shape[2]);
  const w = cx.weights(L, [...fe, ...be]);
  const r = run(cx, L, x, [fs, bs], [w.slice(0, fe.length), w.slice(fe.length)], 'bidirectional', initialStates(inputs, extra));
  const H = fs.units;
  const mode = String(cfg.merge_mode ?? 'none').toLowerCase();
  let outs: KTensor[];
  if (fs.returnSequences) {
    // Bidirectional sets zero_output_for_mask = return_sequences on both layers.
    const f = sequence(cx, L, r, 0, 2, H, fs.timeMajor, 'bidirectional', true);
    const b = sequence(cx, L, r, 1, 2, H, fs.timeMajor, 'bidirectional', true);
    outs = mergeDirections(cx, L, cfg.merge_mode === undefined ? 'concat' : mode, f, b);
  } else {
    outs = mergeDirections(cx, L, cfg.merge_mode === undefined ? 'concat' : mode, state(cx, r.Yh, 0, 2, r.batch, H), state(cx, r.Yh, 1, 2, r.batch, H));
  }
  if (fs.returnState) {
    for (let d = 0; d < 2; d++) {
      outs.push(state(cx, r.Yh, d, 2, r.batch, H));
      if (fs.kind === 'LSTM') outs.push(state(cx, r.Yc!, d, 2, r.batch, H));
    }
  }
  return outs;
};

export const RECURRENT_LAYERS: Record<string, LayerConverter> = {
  SimpleRNN: recurrent('SimpleRNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  CuDNNLSTM: recurrent('CuDNNLSTM'),
  CuDNNGRU: recurrent('CuDNNGRU'),
  Bidirectional: bidirectional,
};

export const RECURRENT_CLASSES: readonly string[] = Object.keys(KINDS);
