/**
 * eliminate_common_subexpression (onnxoptimizer): a node with the same op, domain, inputs and attributes as an
 * earlier one computes the same outputs, so its readers read the earlier node's outputs. Nodes that draw random
 * numbers, and nodes holding subgraphs, are never merged (onnxoptimizer's IsSupportedByCSE excludes them too).
 */
import { onnx } from '../../onnx/codec.js';
import type { Node } from '../graph.js';
import { Rewire } from './rewire.js';
import type { Scope } from './scope.js';

export const NONDETERMINISTIC_OPS: ReadonlySet<string> = new Set([
  'RandomUniform', 'RandomNormal', 'RandomUniformLike', 'RandomNormalLike', 'Multinomial', 'Bernoulli',
]);

export const STANDARD_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx', 'ai.onnx.ml']);

function attributesKey(node: Node): string | null {
  const parts: string[] = [];
  for (const a of [...(node.attribute ?? [])].sort((x, y) => (x.name ?? '').localeCompare(y.name ?? ''))) {
    if (a.g || a.graphs?.length) return null;
    // The encoded attribute is an exact key (tensor attributes included); latin1 keeps it a compact string.
    const bytes = onnx.AttributeProto.encode(a).finish();
    let s = '';
    for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
    parts.push(s);
  }
  return parts.join('\u0000');
}

export function eliminateCommonSubexpressions(scope: Scope): number {
  const rewire = new Rewire(scope);
  const first = new Map<string, Node>();
  for (const node of scope.graph.node ?? []) {
    // Ops of other domains may keep state or draw random numbers: only standard ops are merged.
    if (!STANDARD_DOMAINS.has(node.domain ?? '') || NONDETERMINISTIC_OPS.has(node.op_type ?? '') || !(node.output ?? []).length) continue;
    const attrs = attributesKey(node);
    if (attrs === null) continue;
    // Inputs as they will read after this pass, so chains of duplicates collapse in one pass.
    const inputs = (node.input ?? []).map((n) => (n ? rewire.resolve(n) : ''));
    const key = [node.domain ?? '', node.op_type ?? '', node.output!.length, inputs.join('\u0001'), attrs].join('\u0002');
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, node);
      continue;
    }
    // All outputs must be redirectable; one that is a graph output keeps its node.
    if (rewire.replaceOutputs(node, earlier.output ?? [])) scope.env.tally.add(`duplicate ${node.op_type} ×{n} merged (CSE)`);
  }
  return rewire.apply();
}
