/**
 * Function inlining: a graph calling functions of its library (StatefulPartitionedCall / PartitionedCall with attr
 * `f`, or a node whose op is a function's name) becomes one flat graph.
 *
 * Naming inside a FunctionDef body (function.proto, tensorflow/core/framework/function.cc): a body node reads an
 * argument of the function by its name (`x`), another body node's output as `node:output_arg:index` where
 * `output_arg` is the name of an output argument in the node's OpDef and `index` counts within that argument (a list
 * argument such as IdentityN's `output` or a call's `output` holds several tensors). The flat output number is the
 * argument's start (the sizes of the arguments before it, from attributes: `number_attr` → N, `type_list_attr` → the
 * list's length, else 1) plus `index`. `ret` maps each output argument of the function to such a reference.
 *
 * A call node `c` becomes its body nodes, named `c/<body node>`, plus an IdentityN named `c` whose outputs are the
 * function's outputs in order, so `c:k` still means the call's output k (a later pass may bypass it).
 */
import { OmnihubError } from '../../errors.js';
import { inputName, parseInput, type TensorRef } from './graph.js';
import { attrFunc, attrInt, attrTypes, type AttrValue, type FunctionDef, type NodeDef } from './proto.js';

export const CALL_OPS: ReadonlySet<string> = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

/** Output arguments of ops with more than one (name, size from the node's attributes). Others: one argument. */
const OUTPUT_ARGS: Record<string, (n: NodeDef) => [string, number][]> = {
  FusedBatchNorm: () => [['y', 1], ['batch_mean', 1], ['batch_variance', 1], ['reserve_space_1', 1], ['reserve_space_2', 1]],
  FusedBatchNormV2: () => [['y', 1], ['batch_mean', 1], ['batch_variance', 1], ['reserve_space_1', 1], ['reserve_space_2', 1]],
  FusedBatchNormV3: () => [['y', 1], ['batch_mean', 1], ['batch_variance', 1], ['reserve_space_1', 1], ['reserve_space_2', 1], ['reserve_space_3', 1]],
  Unique: () => [['y', 1], ['idx', 1]],
  UniqueV2: () => [['y', 1], ['idx', 1]],
  TopKV2: () => [['values', 1], ['indices', 1]],
  Switch: () => [['output_false', 1], ['output_true', 1]],
  RefSwitch: () => [['output_false', 1], ['output_true', 1]],
  Merge: () => [['output', 1], ['value_index', 1]],
  MaxPoolWithArgmax: () => [['output', 1], ['argmax', 1]],
  DecodeWav: () => [['audio', 1], ['sample_rate', 1]],
  UniqueWithCounts: () => [['y', 1], ['idx', 1], ['count', 1]],
  ListDiff: () => [['out', 1], ['idx', 1]],
  BroadcastGradientArgs: () => [['r0', 1], ['r1', 1]],
  QuantizeV2: () => [['output', 1], ['output_min', 1], ['output_max', 1]],
  NonMaxSuppressionV4: () => [['selected_indices', 1], ['valid_outputs', 1]],
  NonMaxSuppressionV5: () => [['selected_indices', 1], ['selected_scores', 1], ['valid_outputs', 1]],
  CudnnRNN: () => [['output', 1], ['output_h', 1], ['output_c', 1], ['reserve_space', 1]],
  CudnnRNNV2: () => [['output', 1], ['output_h', 1], ['output_c', 1], ['reserve_space', 1], ['host_reserved', 1]],
  CudnnRNNV3: () => [['output', 1], ['output_h', 1], ['output_c', 1], ['reserve_space', 1], ['host_reserved', 1]],
  LSTMBlockCell: () => ['i', 'cs', 'f', 'o', 'ci', 'co', 'h'].map((n) => [n, 1]),
  BlockLSTM: () => ['i', 'cs', 'f', 'o', 'ci', 'co', 'h'].map((n) => [n, 1]),
  BlockLSTMV2: () => ['i', 'cs', 'f', 'o', 'ci', 'co', 'h'].map((n) => [n, 1]),
  GRUBlockCell: () => [['r', 1], ['u', 1], ['c', 1], ['h', 1]],
  Svd: () => [['s', 1], ['u', 1], ['v', 1]],
  Qr: () => [['q', 1], ['r', 1]],
  SelfAdjointEigV2: () => [['e', 1], ['v', 1]],
  ParseExample: (n) => {
    const ns = attrInt(n, 'Nsparse', 0);
    return [['sparse_indices', ns], ['sparse_values', attrTypes(n, 'sparse_types')?.length ?? 0], ['sparse_shapes', ns], ['dense_values', attrTypes(n, 'Tdense')?.length ?? 0]];
  },
  ParseExampleV2: (n) => {
    const ns = attrInt(n, 'num_sparse', 0);
    return [
      ['sparse_indices', ns], ['sparse_values', attrTypes(n, 'sparse_types')?.length ?? 0], ['sparse_shapes', ns],
      ['dense_values', attrTypes(n, 'Tdense')?.length ?? 0], ['ragged_values', attrTypes(n, 'ragged_value_types')?.length ?? 0],
      ['ragged_row_splits', attrTypes(n, 'ragged_split_types')?.length ?? 0],
    ];
  },
};

export type Library = Map<string, FunctionDef>;

export function libraryOf(functions: readonly FunctionDef[] | null | undefined): Library {
  return new Map((functions ?? []).map((f) => [f.signature?.name ?? '', f]));
}

/** The function a node calls, if any. */
export function calledFunction(node: NodeDef, lib: Library): FunctionDef | undefined {
  if (CALL_OPS.has(node.op ?? '')) {
    const name = attrFunc(node, 'f');
    const f = name !== undefined ? lib.get(name) : undefined;
    if (!f) throw new OmnihubError('malformed', `${node.op} '${node.name}' calls function '${name ?? '?'}', which the graph's library does not have.`);
    return f;
  }
  return lib.get(node.op ?? '');
}

/** Size of an argument of a function signature, read from the call's attributes. */
function argSize(arg: { number_attr?: string | null; type_list_attr?: string | null }, node: NodeDef): number {
  if (arg.number_attr) return attrInt(node, arg.number_attr, 1);
  if (arg.type_list_attr) return attrTypes(node, arg.type_list_attr)?.length ?? 1;
  return 1;
}

/**
 * The flat output number of `node:arg:index` (the node as it is in its function body). Ops with one output
 * argument (most, including list outputs like IdentityN/calls/Split) map `index` to itself.
 */
export function flatOutputIndex(node: NodeDef, arg: string, index: number, lib: Library): number {
  const f = CALL_OPS.has(node.op ?? '') ? undefined : lib.get(node.op ?? '');
  let args: [string, number][] | undefined;
  if (f) args = (f.signature?.output_arg ?? []).map((a) => [a.name ?? '', argSize(a, node)]);
  else if (OUTPUT_ARGS[node.op ?? '']) args = OUTPUT_ARGS[node.op ?? ''](node);
  if (!args) return index;
  let start = 0;
  for (const [name, size] of args) {
    if (name === arg) return start + index;
    start += size;
  }
  throw new OmnihubError('malformed', `Function body input '${node.name}:${arg}:${index}': ${node.op} has no output argument '${arg}'.`);
}

/** Replaces attribute placeholders (`placeholder: "T"`) of a body node by the call's attribute values. */
function substituteAttrs(attrs: Record<string, AttrValue> | null | undefined, callAttrs: Record<string, AttrValue>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs ?? {})) {
    const ph = Object.prototype.hasOwnProperty.call(v, 'placeholder') ? v.placeholder : undefined;
    out[k] = ph && callAttrs[ph] ? callAttrs[ph] : v;
  }
  return out;
}

export interface InlineResult {
  nodes: NodeDef[];
  /** Calls replaced by their bodies. */
  inlined: number;
  /** Names of the IdentityN nodes that stand for inlined calls. */
  callOutputs: Set<string>;
}

/** Inlines every function call (recursively); other nodes are kept as they are (same objects). */
export function inlineFunctions(nodes: readonly NodeDef[], lib: Library, options: { maxNodes?: number } = {}): InlineResult {
  const out: NodeDef[] = [];
  const callOutputs = new Set<string>();
  const work = [...nodes].reverse();
  let inlined = 0;
  const maxNodes = options.maxNodes ?? 2_000_000;
  while (work.length) {
    const node = work.pop()!;
    const f = lib.size ? calledFunction(node, lib) : undefined;
    if (!f) {
      out.push(node);
      continue;
    }
    if (++inlined > 100_000 || out.length + work.length > maxNodes) {
      throw new OmnihubError('too-large', 'Function inlining does not terminate (recursive functions?) or makes a graph too large.');
    }
    const expanded = expandCall(node, f, lib);
    callOutputs.add(node.name ?? '');
    // Body nodes may be calls themselves: process them next, in order.
    for (let i = expanded.length - 1; i >= 0; i--) work.push(expanded[i]);
  }
  return { nodes: out, inlined, callOutputs };
}

function expandCall(call: NodeDef, f: FunctionDef, lib: Library): NodeDef[] {
  const prefix = `${call.name}/`;
  const sig = f.signature ?? {};
  const data = (call.input ?? []).filter((s) => !s.startsWith('^'));
  const controls = (call.input ?? []).filter((s) => s.startsWith('^'));
  const args = sig.input_arg ?? [];
  if (args.some((a) => a.number_attr || a.type_list_attr)) {
    throw new OmnihubError('unsupported', `Function '${sig.name}' has list arguments; inlining it is not supported.`);
  }
  if (data.length !== args.length) {
    throw new OmnihubError('malformed', `${call.op} '${call.name}' passes ${data.length} inputs to function '${sig.name}', which takes ${args.length}.`);
  }
  const argMap = new Map<string, string>(args.map((a, i) => [a.name ?? '', data[i]]));
  const body = new Map((f.node_def ?? []).map((n) => [n.name ?? '', n]));
  // An op this file has no output table for must have a single output argument: refuse if the body names two.
  const argsUsed = new Map<string, Set<string>>();
  const callAttrs: Record<string, AttrValue> = CALL_OPS.has(call.op ?? '') ? {} : { ...(call.attr ?? {}) };

  const rewrite = (s: string): string => {
    if (s.startsWith('^')) {
      const name = s.slice(1);
      const outer = argMap.get(name);
      if (outer !== undefined) return `^${parseInput(outer).node}`;
      return `^${prefix}${name}`;
    }
    const parts = s.split(':');
    if (parts.length === 1) {
      const outer = argMap.get(s);
      if (outer !== undefined) return outer;
      if (body.has(s)) return `${prefix}${s}`;
      throw new OmnihubError('malformed', `Function '${sig.name}': input '${s}' is neither an argument nor a node.`);
    }
    if (parts.length === 2) {
      // Not the function-body form, but accept 'node:k'.
      return `${prefix}${parts[0]}:${parts[1]}`;
    }
    const [nodeName, arg, idx] = [parts.slice(0, -2).join(':'), parts[parts.length - 2], Number(parts[parts.length - 1])];
    const producer = body.get(nodeName);
    if (!producer) throw new OmnihubError('malformed', `Function '${sig.name}': input '${s}' names a node it does not have.`);
    if (!OUTPUT_ARGS[producer.op ?? ''] && !lib.has(producer.op ?? '')) {
      const used = argsUsed.get(nodeName) ?? new Set<string>();
      used.add(arg);
      argsUsed.set(nodeName, used);
      if (used.size > 1) {
        throw new OmnihubError('unsupported', `Function '${sig.name}': ${producer.op} '${nodeName}' has several output arguments (${[...used].join(', ')}) whose order this converter does not know.`);
      }
    }
    const port = flatOutputIndex(producer, arg, idx, lib);
    return port === 0 ? `${prefix}${nodeName}` : `${prefix}${nodeName}:${port}`;
  };

  const outNodes: NodeDef[] = (f.node_def ?? []).map((n) => {
    const inputs = (n.input ?? []).map(rewrite);
    // A body node with no data inputs would lose the call's ordering; keep the call's control inputs on it.
    const hasData = inputs.some((s) => !s.startsWith('^'));
    return {
      name: `${prefix}${n.name}`,
      op: n.op,
      input: hasData ? inputs : [...inputs, ...controls],
      device: n.device,
      attr: substituteAttrs(n.attr, callAttrs),
    };
  });
  const rets = (sig.output_arg ?? []).map((a) => {
    const r = f.ret?.[a.name ?? ''];
    if (r === undefined) throw new OmnihubError('malformed', `Function '${sig.name}' does not say what its output '${a.name}' returns.`);
    return rewrite(r);
  });
  const controlRets = Object.values(f.control_ret ?? {}).map((n) => `^${prefix}${n}`);
  const types = (sig.output_arg ?? []).map((a) => a.type ?? 0);
  outNodes.push({
    name: call.name,
    op: 'IdentityN',
    input: [...rets, ...controlRets, ...(rets.length ? [] : controls)],
    attr: { T: { list: { type: types } } },
  });
  return outNodes;
}

/**
 * Rewires readers of the given IdentityN nodes (inlined calls) to the IdentityN's inputs and drops those nodes;
 * control dependencies on them move to their control inputs' nodes. `resolve` maps a tensor that named a call's
 * output (a signature output 'StatefulPartitionedCall:0') to the tensor it now is.
 */
export function bypassIdentityN(nodes: readonly NodeDef[], names: ReadonlySet<string>): { nodes: NodeDef[]; resolve: (r: TensorRef) => TensorRef } {
  const byName = new Map(nodes.filter((n) => names.has(n.name ?? '')).map((n) => [n.name ?? '', n]));
  const resolveInput = (s: string, depth = 0): string[] => {
    const r = parseInput(s);
    const idn = byName.get(r.node);
    if (!idn || depth > 1000) return [s];
    const data = (idn.input ?? []).filter((x) => !x.startsWith('^'));
    if (r.control) {
      return (idn.input ?? []).flatMap((x) => resolveInput(x.startsWith('^') ? x : `^${parseInput(x).node}`, depth + 1));
    }
    const target = data[r.port];
    if (target === undefined) throw new OmnihubError('malformed', `'${s}' reads output ${r.port} of a call with ${data.length} outputs.`);
    return resolveInput(target, depth + 1);
  };
  const out = nodes.filter((n) => !names.has(n.name ?? '')).map((n) => {
    const inputs = (n.input ?? []).flatMap((s) => resolveInput(s));
    const seen = new Set<string>();
    const dedup = inputs.filter((s) => !s.startsWith('^') || (!seen.has(s) && seen.add(s)));
    return { ...n, input: dedup };
  });
  const resolve = (r: TensorRef): TensorRef => {
    const [s] = resolveInput(inputName(r));
    const p = parseInput(s);
    return { node: p.node, port: p.port };
  };
  return { nodes: out, resolve };
}
