/**
 * Removing nodes whose output equals one of their inputs (Identity, no-op Cast/Reshape/…, x·1, duplicates found by
 * CSE): their readers read the input instead. Changes are collected during a pass and applied once at its end, so
 * a pass over a large graph stays linear.
 *
 * Graph outputs are the graph's interface (for a subgraph, its body outputs), so their names never change. When
 * the removed node's output is one, the node that produces its input is renamed to produce the output name instead,
 * as onnxoptimizer's passes do when `tryReplacingAllUsesWith` meets a graph output; where that is not possible
 * (the input is a graph input, an initializer, an outer-scope name or another graph output), the node stays.
 */
import type { Graph, Node } from '../graph.js';
import type { Scope } from './scope.js';

export class Rewire {
  private readonly renames = new Map<string, string>();
  private readonly outputRenames: Array<{ node: Node; index: number; name: string }> = [];
  /** Names already renamed to a graph output in this pass: a second graph output cannot take them too. */
  private readonly claimed = new Set<string>();
  readonly removed = new Set<Node>();

  constructor(private readonly scope: Scope) {}

  /** The name a read of `name` will read once this pass is applied. */
  resolve(name: string): string {
    let n = name;
    for (let next = this.renames.get(n); next !== undefined; next = this.renames.get(n)) n = next;
    return n;
  }

  /** Drops `node`, whose output `out` always equals its input `input`. False when the node has to stay. */
  bypass(node: Node, out: string, input: string): boolean {
    if (this.removed.has(node)) return false;
    const source = this.resolve(input);
    if (!this.scope.isGraphOutput(out)) {
      this.renames.set(out, source);
      this.removed.add(node);
      return true;
    }
    const producer = this.scope.index.producer.get(source);
    if (!producer || this.removed.has(producer) || this.claimed.has(source)) return false;
    if (this.scope.isGraphOutput(source) || this.scope.graphInputs.has(source) || this.scope.index.initializers.has(source)) return false;
    const index = (producer.output ?? []).indexOf(source);
    if (index < 0) return false;
    this.outputRenames.push({ node: producer, index, name: out });
    this.renames.set(source, out);
    this.claimed.add(source);
    this.removed.add(node);
    return true;
  }

  /**
   * Drops `node`, whose outputs equal `targets` one for one (CSE: an earlier identical node). None of its outputs
   * may be a graph output; false when one is, or when a read output has no target.
   */
  replaceOutputs(node: Node, targets: readonly string[]): boolean {
    const outs = node.output ?? [];
    if (this.removed.has(node) || outs.some((o, i) => o && (this.scope.isGraphOutput(o) || !targets[i]))) return false;
    outs.forEach((o, i) => o && this.renames.set(o, this.resolve(targets[i])));
    this.removed.add(node);
    return true;
  }

  /** Drops a node whose outputs are all unread (no renames needed). */
  drop(node: Node): void {
    this.removed.add(node);
  }

  get changed(): number {
    return this.removed.size;
  }

  /** Applies the pass: removes the nodes, renames producers' outputs and every read, subgraphs included. */
  apply(): number {
    const graph = this.scope.graph;
    if (!this.removed.size && !this.renames.size) return 0;
    graph.node = (graph.node ?? []).filter((n) => !this.removed.has(n));
    for (const { node, index, name } of this.outputRenames) node.output![index] = name;
    if (this.renames.size) renameReads(graph, (n) => this.resolve(n), false);
    return this.removed.size;
  }
}

/**
 * Renames every read in a graph and its subgraphs. A subgraph's outputs may name an outer value directly, so they
 * are renamed too; the graph's own outputs are its interface and are not (`renameOwnOutputs` false).
 */
export function renameReads(graph: Graph, rename: (name: string) => string, renameOwnOutputs: boolean): void {
  for (const node of graph.node ?? []) {
    const inputs = node.input ?? [];
    for (let i = 0; i < inputs.length; i++) if (inputs[i]) inputs[i] = rename(inputs[i]);
    for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) renameReads(sub, rename, true);
  }
  if (renameOwnOutputs) for (const o of graph.output ?? []) if (o.name) o.name = rename(o.name);
}
