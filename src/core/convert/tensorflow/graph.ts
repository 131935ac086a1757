/**
 * GraphDef structure: input names, reachability, topological order.
 *
 * A GraphDef input is `node` (output 0), `node:k` (output k) or `^node` (a control dependency: run after, no data).
 * A tensor is named `node:k` (`x:0`). Node names never contain ':' (TF's naming rule), so the last ':' splits the port.
 */
import { OmnihubError } from '../../errors.js';
import type { NodeDef } from './proto.js';

export interface TensorRef {
  node: string;
  port: number;
}

export interface InputRef extends TensorRef {
  control: boolean;
}

/** Parses a NodeDef input ('x', 'x:1', '^x'). */
export function parseInput(s: string): InputRef {
  if (s.startsWith('^')) return { node: s.slice(1), port: -1, control: true };
  const i = s.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(s.slice(i + 1))) return { node: s.slice(0, i), port: Number(s.slice(i + 1)), control: false };
  return { node: s, port: 0, control: false };
}

/** Parses a tensor name given by a user or a signature ('x:0', 'x' for output 0). */
export function parseTensorName(s: string): TensorRef {
  const r = parseInput(s.trim());
  if (r.control) throw new OmnihubError('usage', `'${s}' names a control dependency, not a tensor.`);
  return { node: r.node, port: r.port };
}

/** The canonical tensor name 'node:k'. */
export const tensorKey = (r: TensorRef): string => `${r.node}:${r.port}`;

/** How a NodeDef input refers to a tensor ('node' for output 0, else 'node:k'). */
export const inputName = (r: TensorRef): string => (r.port === 0 ? r.node : `${r.node}:${r.port}`);

export const dataInputs = (node: NodeDef): InputRef[] => (node.input ?? []).map(parseInput).filter((r) => !r.control);

export function nodeMap(nodes: readonly NodeDef[]): Map<string, NodeDef> {
  const map = new Map<string, NodeDef>();
  for (const n of nodes) {
    const name = n.name ?? '';
    if (!name) throw new OmnihubError('malformed', `A GraphDef node (op ${n.op ?? '?'}) has no name.`);
    if (map.has(name)) throw new OmnihubError('malformed', `The GraphDef has two nodes named '${name}'.`);
    map.set(name, n);
  }
  return map;
}

/**
 * Names of the nodes the given tensors need (their producers and, transitively, their inputs), following data
 * edges and, with `control`, control edges. A tensor in `stopAt` (tensor keys 'node:k') is taken as given: its
 * producer is not visited for that use.
 */
export function reachable(nodes: Map<string, NodeDef>, outputs: readonly TensorRef[], options: { stopAt?: ReadonlySet<string>; control?: boolean } = {}): Set<string> {
  const seen = new Set<string>();
  const stack: string[] = [];
  const visit = (r: InputRef | TensorRef & { control?: boolean }) => {
    if (!r.control && options.stopAt?.has(tensorKey(r))) return;
    if (!nodes.has(r.node)) throw new OmnihubError('malformed', `The GraphDef refers to a node '${r.node}' that it does not have.`);
    if (!seen.has(r.node)) { seen.add(r.node); stack.push(r.node); }
  };
  outputs.forEach(visit);
  while (stack.length) {
    const n = nodes.get(stack.pop()!)!;
    for (const s of n.input ?? []) {
      const r = parseInput(s);
      if (r.control && !options.control) continue;
      visit(r);
    }
  }
  return seen;
}

/**
 * The given nodes in an order where each comes after the producers of its inputs (data edges; control edges too
 * with `control`), stable with respect to the input order. Inputs from nodes outside the set are ignored. A cycle
 * (TF1 while loops: NextIteration → Merge) is an 'unsupported' error.
 */
export function topologicalOrder(nodes: readonly NodeDef[], options: { control?: boolean; stopAt?: ReadonlySet<string> } = {}): NodeDef[] {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.name ?? '', i));
  const pending = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const s of n.input ?? []) {
      const r = parseInput(s);
      if (r.control && !options.control) continue;
      if (!r.control && options.stopAt?.has(tensorKey(r))) continue;
      const j = index.get(r.node);
      if (j !== undefined && j !== i) deps.add(j);
    }
    pending[i] = deps.size;
    for (const j of deps) users[j].push(i);
  });
  // Min-heap-free stable order: repeatedly take ready nodes in index order.
  const out: NodeDef[] = [];
  const ready: number[] = [];
  pending.forEach((p, i) => { if (p === 0) ready.push(i); });
  ready.reverse();
  while (ready.length) {
    const i = ready.pop()!;
    out.push(nodes[i]);
    const freed: number[] = [];
    for (const u of users[i]) if (--pending[u] === 0) freed.push(u);
    freed.sort((a, b) => b - a);
    // Keep it roughly in file order: freed nodes go on the stack, smallest index on top.
    ready.push(...freed);
  }
  if (out.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => pending[i] > 0);
    const ops = [...new Set(stuck.map((n) => n.op))].slice(0, 6).join(', ');
    throw new OmnihubError('unsupported', `The TensorFlow graph has a cycle through ${stuck.length} nodes (ops ${ops}): TF1 while-loop control flow is not supported.`);
  }
  return out;
}

/** Nodes whose outputs nothing reads (by data or control), in file order. */
export function sinkNodes(nodes: readonly NodeDef[]): NodeDef[] {
  const used = new Set<string>();
  for (const n of nodes) for (const s of n.input ?? []) used.add(parseInput(s).node);
  return nodes.filter((n) => !used.has(n.name ?? ''));
}

/** Counts of each op among `nodes`. */
export function opCounts(nodes: Iterable<NodeDef>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of nodes) counts[n.op ?? '?'] = (counts[n.op ?? '?'] ?? 0) + 1;
  return counts;
}

/** 'Foo ×3, Bar ×1', most frequent first. */
export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ×${n}`).join(', ');
}
