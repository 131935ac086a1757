/**
 * Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum (element-wise, in a layout the inputs share, so
 * residual branches held channels first stay so), Concatenate (on the physical axis of Keras's axis) and Dot
 * (Keras's batch_dot over rank-2/3 inputs, optionally L2-normalised).
 */
import { OmnihubError } from '../../errors.js';
import { cfgBool, flatNumbers, normAxis, where, type Ctx, type KDim, type KTensor, type LayerConverter, type LayerInfo } from './context.js';
import { permKey } from './layout.js';

/** The layout most inputs already have (ties: the first input's). */
export function commonPerm(inputs: KTensor[]): number[] {
  let best = inputs[0].perm;
  let bestCount = -1;
  for (const t of inputs) {
    const key = permKey(t.perm);
    const count = inputs.filter((u) => u.forms.has(key)).length;
    if (count > bestCount) { best = t.perm; bestCount = count; }
  }
  return best;
}

function sameRank(inputs: KTensor[], L: LayerInfo, min = 2): void {
  if (inputs.length < min) throw new OmnihubError('unsupported', `${where(L)} needs at least ${min} inputs, got ${inputs.length}.`);
  const r = inputs[0].shape.length;
  if (inputs.some((t) => t.shape.length !== r)) throw new OmnihubError('unsupported', `${where(L)} merges tensors of different ranks (${inputs.map((t) => t.shape.length).join(', ')}).`);
}

const broadcastShape = (inputs: KTensor[]): KDim[] =>
  inputs[0].shape.map((_, i) => {
    const ds = inputs.map((t) => t.shape[i]);
    const known = ds.filter((d): d is number => d !== null && d !== 1);
    if (known.length) return known[0];
    return ds.every((d) => d === 1) ? 1 : null;
  });

/** Keras's merged mask: all the inputs' masks (those that have one) must keep a step. */
function mergedMask(cx: Ctx, inputs: KTensor[]): string | undefined {
  const masks = [...new Set(inputs.map((t) => t.mask).filter((m): m is string => !!m))];
  if (masks.length <= 1) return masks[0];
  return masks.slice(1).reduce((a, m) => cx.op('Mul', [a, m], {}, 'merged_mask'), masks[0]);
}

function elementwise(kind: 'Add' | 'Sub' | 'Mul' | 'Max' | 'Min' | 'Mean'): LayerConverter {
  return (cx, L, inputs) => {
    sameRank(inputs, L, kind === 'Sub' ? 2 : 1);
    if (kind === 'Sub' && inputs.length !== 2) throw new OmnihubError('unsupported', `${where(L)} subtracts exactly two inputs, got ${inputs.length}.`);
    const perm = commonPerm(inputs);
    const xs = inputs.map((t) => cx.value(t, perm));
    let y: string;
    if (xs.length === 1) y = xs[0];
    else if (kind === 'Max' || kind === 'Min' || kind === 'Mean') y = cx.op(kind, xs, {}, L.name);
    else {
      // Keras adds/multiplies left to right.
      y = xs[0];
      for (let i = 1; i < xs.length; i++) y = cx.op(kind, [y, xs[i]], {}, i === xs.length - 1 ? L.name : `${L.name}_${i}`);
    }
    const out = cx.tensor(y, broadcastShape(inputs), perm);
    out.mask = mergedMask(cx, inputs);
    return [out];
  };
}

const concatenate: LayerConverter = (cx, L, inputs) => {
  sameRank(inputs, L, 1);
  const r = inputs[0].shape.length;
  const axis = normAxis(flatNumbers(L.config.axis ?? -1)[0] ?? -1, r, L);
  const perm = commonPerm(inputs);
  const y = cx.op('Concat', inputs.map((t) => cx.value(t, perm)), { axis: perm.indexOf(axis) }, L.name);
  const shape = inputs[0].shape.map((d, i) => (i === axis ? inputs.reduce<KDim>((s, t) => (s === null || t.shape[i] === null ? null : s + (t.shape[i] as number)), 0) : d));
  const out = cx.tensor(y, shape, perm);
  // Keras concatenates the masks and keeps a step where all are set: for the feature axis, the product of the masks.
  if (axis === r - 1) out.mask = mergedMask(cx, inputs);
  return [out];
};

/** x / √max(Σx², 1e-12) along `axis` (Keras's l2_normalize). */
function l2normalize(cx: Ctx, x: string, axis: number): string {
  const ss = cx.op('ReduceSum', [cx.op('Mul', [x, x]), cx.ints([axis], 'axes')], { keepdims: 1 });
  return cx.op('Div', [x, cx.op('Sqrt', [cx.op('Max', [ss, cx.scalar(1e-12)])])]);
}

/** Dot: Keras's batch_dot for [B, n] and [B, n, m] inputs. */
const dot: LayerConverter = (cx, L, inputs) => {
  if (inputs.length !== 2) throw new OmnihubError('unsupported', `${where(L)} takes two inputs, got ${inputs.length}.`);
  const [a, b] = inputs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || ra > 3 || rb < 2 || rb > 3) throw new OmnihubError('unsupported', `${where(L)}: Omnihub converts Dot of rank-2 and rank-3 inputs, not ranks ${ra} and ${rb}.`);
  const axesCfg = flatNumbers(L.config.axes ?? -1);
  const axA = normAxis(axesCfg[0], ra, L);
  const axB = normAxis(axesCfg.length > 1 ? axesCfg[1] : axesCfg[0], rb, L);
  if (axA === 0 || axB === 0) throw new OmnihubError('unsupported', `${where(L)}: Dot over the batch axis is not supported.`);
  let x = cx.keras(a);
  let y = cx.keras(b);
  if (cfgBool(L.config, 'normalize', false)) {
    x = l2normalize(cx, x, axA);
    y = l2normalize(cx, y, axB);
  }
  if (ra === 2 && rb === 2) {
    const s = cx.op('ReduceSum', [cx.op('Mul', [x, y]), cx.ints([1], 'axes')], { keepdims: 1 }, L.name);
    return [cx.tensor(s, [a.shape[0], 1])];
  }
  // x → [B, M, K] with the contracted axis last; y → [B, K, N] with it in the middle.
  if (ra === 2) x = cx.op('Unsqueeze', [x, cx.ints([1], 'axes')]);
  else if (axA === 1) x = cx.op('Transpose', [x], { perm: [0, 2, 1] });
  if (rb === 2) y = cx.op('Unsqueeze', [y, cx.ints([2], 'axes')]);
  else if (axB === 2) y = cx.op('Transpose', [y], { perm: [0, 2, 1] });
  let z = cx.op('MatMul', [x, y], {}, `${L.name}_matmul`);
  const squeeze: number[] = [];
  if (ra === 2) squeeze.push(1);
  if (rb === 2) squeeze.push(2);
  if (squeeze.length) z = cx.op('Squeeze', [z, cx.ints(squeeze, 'axes')], {}, L.name);
  const shape: KDim[] = [a.shape[0], ...a.shape.filter((_, i) => i !== 0 && i !== axA), ...b.shape.filter((_, i) => i !== 0 && i !== axB)];
  return [cx.tensor(z, shape)];
};

export const MERGE_LAYERS: Record<string, LayerConverter> = {
  Add: elementwise('Add'),
  Subtract: elementwise('Sub'),
  Multiply: elementwise('Mul'),
  Average: elementwise('Mean'),
  Maximum: elementwise('Max'),
  Minimum: elementwise('Min'),
  Concatenate: concatenate,
  Dot: dot,
};
