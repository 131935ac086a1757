/**
 * eliminate_deadend and eliminate_unused_initializer (onnxoptimizer): nodes nothing needs, and initializers
 * nothing reads. "Needed" starts from the graph's outputs (its interface) and follows inputs back, subgraph reads
 * of outer names included, so it does not depend on the nodes being sorted.
 */
import { namesRead, subgraphReads, type Node } from '../graph.js';
import type { Scope } from './scope.js';

export function eliminateDeadNodes(scope: Scope): number {
  const graph = scope.graph;
  const producer = scope.index.producer;
  const live = new Set<Node>();
  const stack = (graph.output ?? []).map((o) => o.name ?? '');
  const seen = new Set<string>();
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = producer.get(name);
    if (!node || live.has(node)) continue;
    live.add(node);
    for (const n of [...(node.input ?? []), ...subgraphReads(node)]) if (n && !seen.has(n)) stack.push(n);
  }
  const nodes = graph.node ?? [];
  if (live.size === nodes.length) return 0;
  const dead = nodes.filter((n) => !live.has(n));
  graph.node = nodes.filter((n) => live.has(n));
  for (const node of dead) scope.env.tally.add(`unused ${node.op_type} ×{n} removed`);
  return dead.length;
}

/**
 * Initializers no node, subgraph or graph output reads. One that is also a graph input is an overridable default
 * (IR ≥ 4) and part of the interface: it stays (freezing is its own step). Below IR 4 every initializer is listed
 * as an input, and onnxoptimizer removes the matching input with the initializer.
 */
export function eliminateUnusedInitializers(scope: Scope): number {
  const graph = scope.graph;
  const read = namesRead(graph);
  const inputs = scope.graphInputs;
  const legacy = scope.isMain && scope.env.irVersion < 4;
  const unused = new Set<string>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (read.has(name)) continue;
    if (inputs.has(name) && !legacy) continue;
    unused.add(name);
  }
  if (!unused.size) return 0;
  graph.initializer = (graph.initializer ?? []).filter((t) => !unused.has(t.name ?? ''));
  if (legacy) graph.input = (graph.input ?? []).filter((v) => !unused.has(v.name ?? ''));
  scope.env.tally.add('{n} unused initializer{s} removed', unused.size);
  return unused.size;
}
