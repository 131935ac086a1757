/**
 * Nodes that pass their input through unchanged, and go: onnxoptimizer's eliminate_identity and eliminate_nop_*
 * passes (cast, dropout, flatten, reshape, expand, pad, concat, split, transpose) and eliminate_nop_with_unit
 * (x·1, x+0, x−0, x/1, x^1). Each rule names the input the node's output equals, or null when it is not a no-op
 * (or when what would prove it — a type, a shape, a constant — is unknown).
 */
import { toNumber } from '../../onnx/codec.js';
import { attribute, attrFloat, attrInt, attrInts, type Node } from '../graph.js';
import type { Dim } from './shape-inference.js';
import { Rewire } from './rewire.js';
import { isDefaultDomain, type Scope } from './scope.js';
import { intsOf, numbersOf } from './tensor-data.js';
import { tensorDims } from '../../onnx/tensor.js';

type Rule = (node: Node, scope: Scope) => string | null;

const input = (node: Node, i: number) => node.input?.[i] ?? '';

/** True when `output` i of the node is absent or unread (an optional output such as Dropout's mask). */
function unread(node: Node, i: number, scope: Scope): boolean {
  const name = node.output?.[i];
  return !name || (!scope.index.uses(name).length && !scope.isGraphOutput(name));
}

/** onnxoptimizer's isABroadcastToB: a constant of `small` dims broadcast against `big` leaves `big` unchanged. */
export function broadcastsInto(small: number[], big: Dim[] | null): boolean {
  if (!big || small.length > big.length) return false;
  for (let i = 1; i <= small.length; i++) {
    const s = small[small.length - i];
    if (s !== 1 && big[big.length - i] !== s) return false;
  }
  return true;
}

/** Int values of a constant input (shape, pads, axes), or null when it is not constant. */
function constInts(node: Node, i: number, scope: Scope): number[] | null {
  const t = scope.constant(input(node, i));
  return t ? intsOf(t) : null;
}

const cast: Rule = (node, scope) => {
  const from = scope.type(input(node, 0))?.elemType;
  return from && from === attrInt(node, 'to', 0) ? input(node, 0) : null;
};

/**
 * Dropout is the identity at inference (onnxruntime runs it so unless training_mode is true), provided its mask
 * is unread. onnxoptimizer only removes ratio 0, to keep training graphs intact; an inference-only tool can go
 * further. Before opset 7, `is_test` (default 0) marked inference explicitly.
 */
const dropout: Rule = (node, scope) => {
  if (!unread(node, 1, scope)) return null;
  if (scope.env.opset < 7 && attrInt(node, 'is_test', 0) !== 1 && attrFloat(node, 'ratio', 0.5) !== 0) return null;
  const training = input(node, 2);
  if (training) {
    const t = scope.constant(training);
    const v = t ? numbersOf(t) : null;
    if (!v || v.length !== 1 || v[0] !== 0) return null;
  }
  return input(node, 0);
};

/** Flatten of a rank-2 tensor at axis 1 (or 0 when the first dim is 1) leaves it as it is. */
const flatten: Rule = (node, scope) => {
  const dims = scope.dims(input(node, 0));
  if (!dims || dims.length !== 2) return null;
  const axis = attrInt(node, 'axis', 1);
  return axis === 1 || axis === -1 || (axis === 0 && dims[0] === 1) ? input(node, 0) : null;
};

/**
 * Reshape to the shape the input already has. Decided from the shape constant itself: each entry either copies
 * the input dim (0 without allowzero), equals a known input dim, or is the single -1 while every other entry
 * matches — then the -1 must be that dim too, since the element count is unchanged. Works with symbolic dims.
 */
const reshape: Rule = (node, scope) => {
  const shape = constInts(node, 1, scope);
  const dims = scope.dims(input(node, 0));
  if (!shape || !dims || shape.length !== dims.length) return null;
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  let inferred = 0;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0 && !allowZero) continue;
    if (shape[i] === -1) inferred++;
    else if (dims[i] !== shape[i]) return null;
  }
  return inferred <= 1 ? input(node, 0) : null;
};

const expand: Rule = (node, scope) => {
  const shape = constInts(node, 1, scope);
  return shape && broadcastsInto(shape, scope.dims(input(node, 0))) ? input(node, 0) : null;
};

/** All-zero pads: an attribute before opset 11, an input from 11 on (the mode does not matter then). */
const pad: Rule = (node, scope) => {
  const pads = scope.env.opset < 11 ? attrInts(node, 'pads') : constInts(node, 1, scope);
  return pads && pads.every((p) => p === 0) ? input(node, 0) : null;
};

const concat: Rule = (node) => ((node.input ?? []).length === 1 ? input(node, 0) : null);

const split: Rule = (node) => ((node.output ?? []).length === 1 ? input(node, 0) : null);

/** Transpose by the identity permutation; without `perm` it reverses the axes, the identity for rank ≤ 1. */
const transpose: Rule = (node, scope) => {
  const a = attribute(node, 'perm');
  if (a) return (a.ints ?? []).every((p, i) => toNumber(p) === i) ? input(node, 0) : null;
  const rank = scope.dims(input(node, 0))?.length;
  return rank !== undefined && rank <= 1 ? input(node, 0) : null;
};

/**
 * eliminate_nop_with_unit: x·1 and x+0 (either side), x−0, x/1 and x^1 (constant on the right), when the constant
 * is all units and broadcasting it does not change x's shape (so the output is x itself).
 */
function withUnit(unit: 0 | 1, commutative: boolean): Rule {
  return (node, scope) => {
    const sides = commutative ? [1, 0] : [1];
    for (const c of sides) {
      const t = scope.constant(input(node, c));
      const x = input(node, 1 - c);
      if (!t || !x) continue;
      const v = numbersOf(t);
      if (!v || !v.every((e) => e === unit)) continue;
      // Same element type: Add/Mul/Sub/Div need it anyway; Pow's exponent may differ, its output is x's type.
      if (node.op_type !== 'Pow' && scope.type(x)?.elemType !== t.data_type) continue;
      if (broadcastsInto(tensorDims(t), scope.dims(x))) return x;
    }
    return null;
  };
}

/** Rules by onnxoptimizer pass name, with the op each applies to and how its removal is reported. */
export const NOP_RULES: Record<string, { op: string; rule: Rule; label: string }> = {
  eliminate_nop_cast: { op: 'Cast', rule: cast, label: 'no-op Cast ×{n} removed' },
  eliminate_nop_dropout: { op: 'Dropout', rule: dropout, label: 'Dropout ×{n} removed (identity at inference)' },
  eliminate_nop_flatten: { op: 'Flatten', rule: flatten, label: 'no-op Flatten ×{n} removed' },
  eliminate_nop_reshape: { op: 'Reshape', rule: reshape, label: 'no-op Reshape ×{n} removed' },
  eliminate_nop_expand: { op: 'Expand', rule: expand, label: 'no-op Expand ×{n} removed' },
  eliminate_nop_pad: { op: 'Pad', rule: pad, label: 'no-op Pad ×{n} removed' },
  eliminate_nop_concat: { op: 'Concat', rule: concat, label: 'single-input Concat ×{n} removed' },
  eliminate_nop_split: { op: 'Split', rule: split, label: 'single-output Split ×{n} removed' },
  eliminate_nop_transpose: { op: 'Transpose', rule: transpose, label: 'identity Transpose ×{n} removed' },
};

const UNIT_RULES: Record<string, { rule: Rule; label: string }> = {
  Mul: { rule: withUnit(1, true), label: 'Mul by 1 ×{n} removed' },
  Add: { rule: withUnit(0, true), label: 'Add of 0 ×{n} removed' },
  Sub: { rule: withUnit(0, false), label: 'Sub of 0 ×{n} removed' },
  Div: { rule: withUnit(1, false), label: 'Div by 1 ×{n} removed' },
  Pow: { rule: withUnit(1, false), label: 'Pow by 1 ×{n} removed' },
};

/** eliminate_identity: always a no-op (onnxoptimizer rewires every use to the input). */
const identity: Rule = (node) => input(node, 0) || null;

/** One pass of every enabled rule; returns how many nodes went. */
export function eliminateNops(scope: Scope, enabled: (pass: string) => boolean): number {
  const rules = new Map<string, { rule: Rule; label: string }>();
  if (enabled('eliminate_identity')) rules.set('Identity', { rule: identity, label: 'Identity ×{n} removed' });
  for (const [name, r] of Object.entries(NOP_RULES)) if (enabled(name)) rules.set(r.op, r);
  if (enabled('eliminate_nop_with_unit')) for (const [op, r] of Object.entries(UNIT_RULES)) rules.set(op, r);
  const rewire = new Rewire(scope);
  for (const node of scope.graph.node ?? []) {
    const r = rules.get(node.op_type ?? '');
    const out = node.output?.[0];
    if (!r || !out || !isDefaultDomain(node) || node.op_type === undefined) continue;
    // Besides Dropout's mask (checked by its rule), a removed node may have no other outputs in use.
    if ((node.output ?? []).some((o, i) => i > 0 && o) && node.op_type !== 'Dropout') continue;
    const from = r.rule(node, scope);
    if (from && from !== out && rewire.bypass(node, out, from)) scope.env.tally.add(r.label);
  }
  return rewire.apply();
}
