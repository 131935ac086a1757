/** Reports are computed the same way for every rewrite: counts before and after, plus the rewrite's own notes. */
import type { ModelProto } from '../onnx/codec.js';
import { walkGraphs } from '../onnx/walk.js';
import { countOps, tensorByteLength } from './graph.js';
import type { RewriteReport } from './types.js';

export interface ModelCounts {
  ops: Record<string, number>;
  nodes: number;
  initializers: number;
  tensorBytes: number;
}

export function modelCounts(model: ModelProto): ModelCounts {
  const ops = countOps(model);
  let initializers = 0;
  let tensorBytes = 0;
  for (const { graph } of walkGraphs(model)) {
    initializers += (graph.initializer ?? []).length;
    for (const t of graph.initializer ?? []) tensorBytes += tensorByteLength(t);
    for (const node of graph.node ?? []) {
      if (node.op_type !== 'Constant') continue;
      for (const a of node.attribute ?? []) if (a.t) tensorBytes += tensorByteLength(a.t);
    }
  }
  return { ops, nodes: Object.values(ops).reduce((a, b) => a + b, 0), initializers, tensorBytes };
}

/** The report of a rewrite from the counts of its input (taken before it ran) and its output. */
export function makeReport(step: string, before: ModelCounts, after: ModelProto, notes: string[]): RewriteReport {
  const a = modelCounts(after);
  const removedByOp: Record<string, number> = {};
  const addedByOp: Record<string, number> = {};
  for (const op of new Set([...Object.keys(before.ops), ...Object.keys(a.ops)])) {
    const d = (a.ops[op] ?? 0) - (before.ops[op] ?? 0);
    if (d < 0) removedByOp[op] = -d;
    if (d > 0) addedByOp[op] = d;
  }
  return {
    step,
    nodesBefore: before.nodes,
    nodesAfter: a.nodes,
    removedByOp,
    addedByOp,
    initializersBefore: before.initializers,
    initializersAfter: a.initializers,
    tensorBytesBefore: before.tensorBytes,
    tensorBytesAfter: a.tensorBytes,
    notes,
  };
}

/** "Identity ×39, Constant ×70" */
export function formatOpCounts(counts: Record<string, number>): string {
  return Object.entries(counts).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([op, n]) => `${op} ×${n}`).join(', ');
}

/** One line for people: "simplify: 209 → 100 nodes (−Identity ×39, −Constant ×70); tensor bytes 13.9 MB → 13.9 MB" */
export function summarizeReport(r: RewriteReport): string {
  const removed = formatOpCounts(r.removedByOp);
  const added = formatOpCounts(r.addedByOp);
  const changes = [removed && `removed ${removed}`, added && `added ${added}`].filter(Boolean).join('; ');
  return `${r.step}: ${r.nodesBefore} → ${r.nodesAfter} nodes${changes ? ` (${changes})` : ''}, ${r.initializersBefore} → ${r.initializersAfter} initializers, tensor bytes ${r.tensorBytesBefore} → ${r.tensorBytesAfter}`;
}

/** "1 node", "3 nodes": for notes. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "'a', 'b', … (12 in all)": names in notes and errors, at most `max` of them. */
export const quoteList = (names: readonly string[], max = 8) =>
  names.length ? names.slice(0, max).map((n) => `'${n}'`).join(', ') + (names.length > max ? `, … (${names.length} in all)` : '') : 'none';
