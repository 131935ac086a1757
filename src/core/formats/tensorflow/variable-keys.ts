/**
 * Links the variable nodes of a SavedModel's graph to checkpoint keys of its TensorBundle. The rules, in order
 * (documented in ./types.ts): 1. the restore path (RestoreV2 → Identity* → Assign / AssignVariableOp, also inside
 * the TF2 `__inference__traced_restore_*` function, mapped back through the call's inputs); 2. the TF2 object graph
 * (SavedObjectGraph ↔ checkpoint TrackableObjectGraph, matched by child names from the root); 3. the node's name.
 */
import { tensorflow, toNumber } from './codec.js';
import type { CapturedVariable } from './types.js';

const VARIABLE_OPS = new Set(['VariableV2', 'Variable', 'VarHandleOp']);
const CALL_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);
const ASSIGN_OPS = new Set(['Assign', 'AssignVariableOp']);
const PASS_THROUGH = new Set(['Identity', 'IdentityN']);
const utf8 = new TextDecoder();

type KeySource = 'restore' | 'object-graph' | 'name';

/** `node`, `node:1` (graph) or `node:out:1` (function body) → [node, output index]; control inputs (`^x`) → null. */
function parseRef(ref: string): [string, number] | null {
  if (ref.startsWith('^')) return null;
  const parts = ref.split(':');
  const index = parts.length > 1 ? Number(parts[parts.length - 1]) : 0;
  return [parts[0], Number.isInteger(index) ? index : 0];
}

function constStrings(node: tensorflow.INodeDef | undefined): string[] | undefined {
  if (!node || node.op !== 'Const') return undefined;
  const t = node.attr?.value?.tensor;
  if (!t?.string_val?.length) return undefined;
  return t.string_val.map((s) => utf8.decode(s));
}

/**
 * In one body (the graph's nodes, or a function's node_def), which refs carry which checkpoint key after a RestoreV2,
 * and which assignment targets receive which key: returns target ref name (a node, or a function argument) → key.
 */
function restoreTargets(nodes: readonly tensorflow.INodeDef[]): Map<string, string> {
  const byName = new Map<string, tensorflow.INodeDef>();
  for (const n of nodes) if (n.name) byName.set(n.name, n);
  // "node#index" → key
  const carries = new Map<string, string>();
  for (const n of nodes) {
    if (n.op !== 'RestoreV2' && n.op !== 'Restore' && n.op !== 'RestoreSlice') continue;
    const namesRef = parseRef(n.input?.[1] ?? '');
    const names = namesRef ? constStrings(byName.get(namesRef[0])) : undefined;
    if (!names) continue;
    names.forEach((key, i) => carries.set(`${n.name}#${i}`, key));
  }
  if (carries.size === 0) return new Map();
  // Follow Identity chains (a few passes cover any order of the nodes).
  for (let pass = 0, changed = true; changed && pass < 8; pass++) {
    changed = false;
    for (const n of nodes) {
      if (!PASS_THROUGH.has(n.op ?? '')) continue;
      const inputs = (n.input ?? []).filter((i) => !i.startsWith('^'));
      inputs.forEach((input, i) => {
        const ref = parseRef(input);
        const key = ref && carries.get(`${ref[0]}#${ref[1]}`);
        const out = `${n.name}#${n.op === 'IdentityN' ? i : 0}`;
        if (key && !carries.has(out)) {
          carries.set(out, key);
          changed = true;
        }
      });
    }
  }
  const targets = new Map<string, string>();
  for (const n of nodes) {
    if (!ASSIGN_OPS.has(n.op ?? '')) continue;
    const target = parseRef(n.input?.[0] ?? '');
    const value = parseRef(n.input?.[1] ?? '');
    const key = value && carries.get(`${value[0]}#${value[1]}`);
    if (target && key) targets.set(target[0], key);
  }
  return targets;
}

/** Follows Identity nodes of the graph back to the node that produces a ref. */
function resolveThroughIdentity(name: string, byName: Map<string, tensorflow.INodeDef>): string {
  let current = name;
  for (let i = 0; i < 32; i++) {
    const n = byName.get(current);
    if (!n || n.op !== 'Identity') return current;
    const ref = parseRef(n.input?.[0] ?? '');
    if (!ref) return current;
    current = ref[0];
  }
  return current;
}

/** SavedObjectGraph node id → TrackableObjectGraph node id, matching child edges by name from both roots. */
function matchObjectGraphs(saved: tensorflow.ISavedObjectGraph, ckpt: tensorflow.ITrackableObjectGraph): Map<number, number> {
  const match = new Map<number, number>();
  const savedNodes = saved.nodes ?? [];
  const ckptNodes = ckpt.nodes ?? [];
  if (!savedNodes.length || !ckptNodes.length) return match;
  match.set(0, 0);
  const queue: Array<[number, number]> = [[0, 0]];
  while (queue.length) {
    const [s, c] = queue.shift()!;
    const ckptChildren = new Map<string, number>();
    for (const ref of ckptNodes[c]?.children ?? []) if (ref.local_name != null) ckptChildren.set(ref.local_name, ref.node_id ?? 0);
    for (const ref of savedNodes[s]?.children ?? []) {
      const sid = ref.node_id ?? 0;
      const cid = ckptChildren.get(ref.local_name ?? '');
      if (cid === undefined || match.has(sid) || sid >= savedNodes.length || cid >= ckptNodes.length) continue;
      match.set(sid, cid);
      queue.push([sid, cid]);
    }
  }
  return match;
}

export interface VariableKeyMap {
  keys: Map<string, string>;
  sources: Map<string, KeySource>;
  /** SavedObjectGraph node id → checkpoint key (variables only). */
  objectKeys: Map<number, string>;
  capturedVariables(functionName: string): CapturedVariable[];
}

export function mapVariableKeys(
  metaGraph: tensorflow.MetaGraphDef,
  bundleKeys: ReadonlySet<string>,
  checkpointObjectGraph: tensorflow.TrackableObjectGraph | undefined,
): VariableKeyMap {
  const nodes = metaGraph.graph_def?.node ?? [];
  const functions = metaGraph.graph_def?.library?.function ?? [];
  const byName = new Map<string, tensorflow.INodeDef>();
  for (const n of nodes) if (n.name) byName.set(n.name, n);
  const keys = new Map<string, string>();
  const sources = new Map<string, KeySource>();
  const set = (node: string, key: string, source: KeySource) => {
    const n = byName.get(node);
    if (!n || !VARIABLE_OPS.has(n.op ?? '') || keys.has(node)) return;
    keys.set(node, key);
    sources.set(node, source);
  };

  // 1. Restore path, top level.
  for (const [target, key] of restoreTargets(nodes)) set(resolveThroughIdentity(target, byName), key, 'restore');
  // … and through restore functions called from the top level.
  const fnTargets = new Map<string, Map<number, string>>();
  for (const f of functions) {
    const targets = restoreTargets(f.node_def ?? []);
    if (!targets.size) continue;
    const args = f.signature?.input_arg ?? [];
    const byIndex = new Map<number, string>();
    args.forEach((a, i) => {
      const key = a.name != null ? targets.get(a.name) : undefined;
      if (key) byIndex.set(i, key);
    });
    if (byIndex.size) fnTargets.set(f.signature?.name ?? '', byIndex);
  }
  for (const n of nodes) {
    if (!CALL_OPS.has(n.op ?? '')) continue;
    const byIndex = fnTargets.get(n.attr?.f?.func?.name ?? '');
    if (!byIndex) continue;
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^'));
    for (const [i, key] of byIndex) {
      const ref = parseRef(inputs[i] ?? '');
      if (ref) set(resolveThroughIdentity(ref[0], byName), key, 'restore');
    }
  }

  // 2. Object graph.
  const objectKeys = new Map<number, string>();
  const saved = metaGraph.object_graph_def;
  if (saved && checkpointObjectGraph) {
    const match = matchObjectGraphs(saved, checkpointObjectGraph);
    for (const [sid, cid] of match) {
      if (!saved.nodes?.[sid]?.variable) continue;
      const attr = checkpointObjectGraph.nodes[cid]?.attributes?.find((a) => a.name === 'VARIABLE_VALUE');
      if (attr?.checkpoint_key) objectKeys.set(sid, attr.checkpoint_key);
    }
    const byVarName = new Map<string, string[]>();
    for (const n of nodes) {
      if (n.op !== 'VarHandleOp' || !n.name) continue;
      const shared = n.attr?.shared_name?.s ? utf8.decode(n.attr.shared_name.s) : '';
      for (const name of new Set([shared || n.name, n.name])) {
        const list = byVarName.get(name) ?? [];
        list.push(n.name);
        byVarName.set(name, list);
      }
    }
    for (const [sid, key] of objectKeys) {
      const candidates = byVarName.get(saved.nodes?.[sid]?.variable?.name ?? '');
      if (candidates?.length === 1) set(candidates[0], key, 'object-graph');
    }
  }

  // 3. Names.
  for (const n of nodes) {
    if (!n.name || !VARIABLE_OPS.has(n.op ?? '')) continue;
    const shared = n.attr?.shared_name?.s ? utf8.decode(n.attr.shared_name.s) : '';
    if (bundleKeys.has(n.name)) set(n.name, n.name, 'name');
    else if (shared && bundleKeys.has(shared)) set(n.name, shared, 'name');
  }

  const fnByName = new Map(functions.map((f) => [f.signature?.name ?? '', f]));
  const capturedVariables = (functionName: string): CapturedVariable[] => {
    const concrete = saved?.concrete_functions?.[functionName];
    const f = fnByName.get(functionName);
    if (!concrete || !f) return [];
    const bound = (concrete.bound_inputs ?? []).map((b) => toNumber(b));
    const args = f.signature?.input_arg ?? [];
    const first = args.length - bound.length;
    if (first < 0) return [];
    return bound.map((objectId, j) => ({
      argIndex: first + j,
      argName: args[first + j].name ?? '',
      key: objectKeys.get(objectId),
      objectId,
    }));
  };
  return { keys, sources, objectKeys, capturedVariables };
}
