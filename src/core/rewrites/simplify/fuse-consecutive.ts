/**
 * Pairs of layout ops that collapse into one (or none), as onnxoptimizer's fuse_consecutive_transposes,
 * fuse_consecutive_squeezes / _unsqueezes, fuse_consecutive_squeeze_unsqueeze and fuse_consecutive_log_softmax do,
 * plus consecutive Reshapes (the first one's result is only reshaped again). Where the first node has other
 * readers it stays and only the second changes.
 */
import { onnx, toNumber } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import { attribute, attrInt, attrInts, setAttribute, type Node } from '../graph.js';
import { Rewire } from './rewire.js';
import { isDefaultDomain, type Scope } from './scope.js';
import { intsOf } from './tensor-data.js';

// ---- axes (an attribute before opset 13, an input from 13 on) ----

function rawAxes(node: Node, scope: Scope): number[] | null {
  if (scope.env.opset < 13) return attrInts(node, 'axes') ?? null;
  const name = node.input?.[1];
  const t = name ? scope.constant(name) : undefined;
  return t ? intsOf(t) : null;
}

/** Axes made non-negative against `rank` (needed only when some are negative), sorted; null if unknown. */
function normalized(axes: number[] | null, rank: number | undefined): number[] | null {
  if (!axes) return null;
  if (axes.some((a) => a < 0) && rank === undefined) return null;
  return [...new Set(axes.map((a) => (a < 0 ? a + rank! : a)))].sort((x, y) => x - y);
}

function setAxes(node: Node, axes: number[], scope: Scope): void {
  if (scope.env.opset < 13) {
    setAttribute(node, 'axes', axes);
    return;
  }
  const name = scope.env.newName(`${node.output?.[0] ?? 'axes'}_axes`);
  const data = BigInt64Array.from(axes.map(BigInt));
  const t = new onnx.TensorProto({ name, data_type: DataType.INT64, dims: [axes.length] });
  t.raw_data = new Uint8Array(data.buffer);
  scope.addInitializer(t);
  node.input = [node.input![0], name];
}

const rankOf = (scope: Scope, name: string | undefined) => scope.dims(name)?.length;
const sameAxes = (a: number[] | null, b: number[] | null) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

/** Axes a Squeeze removes: its own, or without them every dim of size 1 (which must all be known). */
function squeezedAxes(node: Node, scope: Scope): number[] | null {
  const x = node.input?.[0];
  const own = rawAxes(node, scope);
  if (own) return normalized(own, rankOf(scope, x));
  const dims = scope.dims(x);
  if (!dims || dims.some((d) => typeof d !== 'number')) return null;
  return dims.flatMap((d, i) => (d === 1 ? [i] : []));
}

// ---- the pairs ----

type Fuse = (first: Node, second: Node, scope: Scope, rewire: Rewire) => boolean;

/** Unsqueeze(Squeeze(x, a), a) and Squeeze(Unsqueeze(x, a), a) are x. */
const cancelSqueezeUnsqueeze: Fuse = (first, second, scope, rewire) => {
  const x = first.input?.[0];
  if (!x) return false;
  const r = rankOf(scope, x);
  let equal: boolean;
  if (first.op_type === 'Squeeze') {
    // Squeeze's axes index x (rank r); Unsqueeze's index its output, of rank r again.
    equal = sameAxes(squeezedAxes(first, scope), normalized(rawAxes(second, scope), r));
  } else {
    const a = rawAxes(first, scope);
    const big = r === undefined || !a ? undefined : r + a.length;
    // Without axes, Squeeze would also drop size-1 dims that x had itself.
    equal = sameAxes(normalized(a, big), normalized(rawAxes(second, scope), big));
  }
  return equal && rewire.bypass(second, second.output![0], x);
};

/** Squeeze(Squeeze(x, a1), a2) = Squeeze(x, a1 ∪ a2 mapped back to x's axes). */
const mergeSqueezes: Fuse = (first, second, scope) => {
  const x = first.input![0];
  const r = rankOf(scope, x);
  const a1 = squeezedAxes(first, scope);
  const raw2 = rawAxes(second, scope);
  if (!a1 || !raw2) return false;
  const a2 = normalized(raw2, r === undefined ? undefined : r - a1.length);
  if (!a2) return false;
  // Axes of the intermediate are x's axes without a1, in order.
  const kept: number[] = [];
  const last = Math.max(...a1, ...a2.map((i) => i + a1.length)) + 1;
  for (let i = 0; i < last; i++) if (!a1.includes(i)) kept.push(i);
  if (a2.some((i) => kept[i] === undefined)) return false;
  setAxes(second, [...a1, ...a2.map((i) => kept[i])].sort((p, q) => p - q), scope);
  second.input![0] = x;
  return true;
};

/** Unsqueeze(Unsqueeze(x, a1), a2) = Unsqueeze(x, a2 ∪ the final positions of a1's new axes). */
const mergeUnsqueezes: Fuse = (first, second, scope) => {
  const x = first.input![0];
  const r = rankOf(scope, x);
  const raw1 = rawAxes(first, scope);
  const raw2 = rawAxes(second, scope);
  if (!raw1 || !raw2) return false;
  const a1 = normalized(raw1, r === undefined ? undefined : r + raw1.length);
  const a2 = normalized(raw2, r === undefined ? undefined : r + raw1.length + raw2.length);
  if (!a1 || !a2) return false;
  // The output's axes not in a2 are the intermediate's axes, in order: the j-th of them is intermediate axis j.
  const positions: number[] = [];
  for (let p = 0; positions.length <= Math.max(...a1); p++) if (!a2.includes(p)) positions.push(p);
  setAxes(second, [...a2, ...a1.map((j) => positions[j])].sort((p, q) => p - q), scope);
  second.input![0] = x;
  return true;
};

/** The permutation a Transpose applies, or null when it has none and the rank is unknown. */
function permOf(node: Node, scope: Scope): number[] | null {
  const a = attribute(node, 'perm');
  if (a) return (a.ints ?? []).map(toNumber);
  const r = rankOf(scope, node.input?.[0]);
  return r === undefined ? null : Array.from({ length: r }, (_, i) => r - 1 - i);
}

/** Transpose(Transpose(x, p1), p2) = Transpose(x, p1∘p2); an identity result is removed by eliminate_nop_transpose. */
const composeTransposes: Fuse = (first, second, scope) => {
  const p1 = permOf(first, scope);
  const p2 = permOf(second, scope);
  if (!p1 || !p2 || p1.length !== p2.length) return false;
  setAttribute(second, 'perm', p2.map((i) => p1[i]));
  second.input![0] = first.input![0];
  return true;
};

/**
 * Reshape(Reshape(x, s1), s2) = Reshape(x, s2) unless s2 copies dims (0 without allowzero) of the intermediate,
 * which x may not have.
 */
const mergeReshapes: Fuse = (first, second, scope) => {
  const t = scope.constant(second.input?.[1]);
  const s2 = t ? intsOf(t) : null;
  if (!s2 || (s2.includes(0) && attrInt(second, 'allowzero', 0) !== 1)) return false;
  second.input![0] = first.input![0];
  return true;
};

/** Log(Softmax(x)) = LogSoftmax(x) with the same axis (both ops share the opset's axis semantics and default). */
const logSoftmax: Fuse = (first, second) => {
  second.op_type = 'LogSoftmax';
  second.attribute = [...(first.attribute ?? [])];
  second.input = [first.input![0]];
  return true;
};

interface PairRule {
  pass: string;
  first: string;
  second: string;
  fuse: Fuse;
  label: string;
  /** True when the first node must have no other reader (it is then removed). */
  single: boolean;
}

const PAIRS: PairRule[] = [
  { pass: 'fuse_consecutive_squeeze_unsqueeze', first: 'Squeeze', second: 'Unsqueeze', fuse: cancelSqueezeUnsqueeze, label: '{n} Squeeze/Unsqueeze pair{s} cancelled', single: false },
  { pass: 'fuse_consecutive_squeeze_unsqueeze', first: 'Unsqueeze', second: 'Squeeze', fuse: cancelSqueezeUnsqueeze, label: '{n} Unsqueeze/Squeeze pair{s} cancelled', single: false },
  { pass: 'fuse_consecutive_squeezes', first: 'Squeeze', second: 'Squeeze', fuse: mergeSqueezes, label: '{n} consecutive Squeezes merged', single: true },
  { pass: 'fuse_consecutive_unsqueezes', first: 'Unsqueeze', second: 'Unsqueeze', fuse: mergeUnsqueezes, label: '{n} consecutive Unsqueezes merged', single: true },
  { pass: 'fuse_consecutive_transposes', first: 'Transpose', second: 'Transpose', fuse: composeTransposes, label: '{n} consecutive Transposes merged', single: true },
  { pass: 'fuse_consecutive_reshapes', first: 'Reshape', second: 'Reshape', fuse: mergeReshapes, label: '{n} consecutive Reshapes merged', single: true },
  { pass: 'fuse_consecutive_log_softmax', first: 'Softmax', second: 'Log', fuse: logSoftmax, label: '{n} Log(Softmax) → LogSoftmax', single: true },
];

export function fuseConsecutive(scope: Scope, enabled: (pass: string) => boolean): number {
  const rules = PAIRS.filter((p) => enabled(p.pass));
  if (!rules.length) return 0;
  const rewire = new Rewire(scope);
  const touched = new Set<Node>();
  let fused = 0;
  for (const second of scope.graph.node ?? []) {
    const from = second.input?.[0];
    const first = from ? scope.index.producer.get(from) : undefined;
    if (!first || !isDefaultDomain(first) || !isDefaultDomain(second) || touched.has(first) || touched.has(second)) continue;
    const rule = rules.find((p) => p.first === first.op_type && p.second === second.op_type);
    if (!rule || (rule.single && !scope.onlyReader(from!, second))) continue;
    if (!rule.fuse(first, second, scope, rewire)) continue;
    // A first node nothing else reads is gone now; the dead-node pass would find it too, but not say why.
    if (scope.onlyReader(from!, second)) rewire.drop(first);
    touched.add(first).add(second);
    scope.env.tally.add(rule.label);
    fused++;
  }
  rewire.apply();
  return fused;
}
