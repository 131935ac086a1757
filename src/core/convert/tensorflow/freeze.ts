/**
 * Freezing: a SavedModel signature (or a GraphDef with checkpoint values) → one standalone GraphDef whose variables
 * are Const nodes, as TF's `convert_variables_to_constants_v2` (TF2) and `freeze_graph` (TF1) make:
 *
 * 1. The signature is picked ('serving_default', else TF1 Hub's 'default', else the only one) and the top-level graph
 *    is pruned to what its outputs need (data and control edges, stopping at its inputs).
 * 2. Function calls are inlined, recursively (inline.ts: `node:output_arg:index` names mapped to flat outputs;
 *    captured resources arrive as call inputs and resolve to the graph's VarHandleOps).
 * 3. What cannot be frozen is refused: outputs that need a variable write (Assign*, AssignVariableOp …: a frozen
 *    graph would compute with the saved values once and never update them), serialized tf.Example inputs
 *    (ParseExample), variables with no value.
 * 4. Reads become constants: ReadVariableOp(VarHandleOp) → Const, ResourceGather → GatherV2 on a Const,
 *    VariableV2/Variable → Const (their `/read` Identity stays). Values come from the checkpoint through the
 *    reader's node → key mapping (MetaGraph.variableForNode).
 * 5. The inputs become Placeholders named after the signature's keys (a PlaceholderWithDefault becomes a plain
 *    Placeholder; a tensor in the middle of the graph — TF1 serving inputs after a ParseExample — is cut there), each
 *    output an Identity named after its key; then everything the outputs do not need is dropped, control edges too.
 */
import { OmnihubError } from '../../errors.js';
import { encodeGraphDef, tensorflow } from '../../formats/tensorflow/codec.js';
import { pickMetaGraph } from '../../formats/tensorflow/saved-model.js';
import type { MetaGraph, SavedModel, TensorSpecInfo } from '../../formats/tensorflow/types.js';
import type { WeightTensor } from '../../weights/types.js';
import { formatCounts, inputName, nodeMap, opCounts, parseInput, parseTensorName, reachable, tensorKey, topologicalOrder, type TensorRef } from './graph.js';
import { bypassIdentityN, CALL_OPS, inlineFunctions, libraryOf, type Library } from './inline.js';
import { attrType, baseType, decodeUtf8, makeShape, shapeDims, TfType, tfTypeName, type AttrValue, type GraphDef, type NodeDef } from './proto.js';
import { tfTypeOfWeight, weightToTensorProto } from './tensors.js';

export interface FreezeOptions {
  /** Signature key (default 'serving_default', else 'default' (TF1 Hub), else the only one). */
  signature?: string;
  /** Meta graph tags (default: ['serve'], else the empty tag set of a TF1 Hub module, else the first). */
  tags?: string[];
}

export interface FrozenTensor {
  /** The signature's key ('x'): the frozen graph's Placeholder / output Identity node. */
  name: string;
  /** The tensor in the frozen graph ('x:0'). */
  tensor: string;
  dtype: string;
  /** −1 for unknown sizes; undefined when the rank is unknown. */
  shape?: number[];
}

export interface FreezeReport {
  /** The signature frozen. */
  signature: string;
  /** All signatures of the meta graph (without TF2's '__saved_model_init_op'). */
  signatures: string[];
  tags: string[];
  inlinedFunctions: number;
  variablesFrozen: number;
  nodes: number;
  ops: Record<string, number>;
  notes: string[];
}

export interface FreezeResult {
  graphDef: GraphDef;
  inputs: FrozenTensor[];
  outputs: FrozenTensor[];
  report: FreezeReport;
}

/** Ops that write state: a signature whose outputs need one cannot be frozen. */
const STATEFUL_WRITE = /^(Assign|AssignAdd|AssignSub|AssignVariableOp|AssignAddVariableOp|AssignSubVariableOp|ScatterUpdate|ScatterAdd|ScatterSub|ScatterMul|ScatterDiv|ScatterNdUpdate|ScatterNdAdd|ResourceScatter\w*|ResourceApply\w*|Apply\w*|ResourceStridedSliceAssign|StridedSliceAssign|DestroyResourceOp|CountUpTo|ResourceCountUpTo|QueueEnqueue\w*)$/;
const EXAMPLE_OPS = new Set(['ParseExample', 'ParseExampleV2', 'ParseSingleExample', 'ParseSequenceExample', 'ParseSequenceExampleV2', 'ParseSingleSequenceExample']);
const REF_VARIABLES = new Set(['VariableV2', 'Variable']);
const VARIABLE_NODES = new Set(['VariableV2', 'Variable', 'VarHandleOp']);
const PASS_THROUGH = new Set(['Identity', 'Snapshot']);
const HIDDEN_SIGNATURES = new Set(['__saved_model_init_op', '__saved_model_train_op']);

const constNode = (name: string, w: WeightTensor, dtype: number): NodeDef => ({
  name,
  op: 'Const',
  input: [],
  attr: { dtype: { type: dtype }, value: { tensor: weightToTensorProto(w, dtype) } },
});

/** The signature to freeze, or an error listing the others. */
function chooseSignature(mg: MetaGraph, wanted: string | undefined): string {
  const keys = Object.keys(mg.signatures).filter((k) => !HIDDEN_SIGNATURES.has(k));
  const list = keys.length ? keys.map((k) => `'${k}'`).join(', ') : 'none';
  if (wanted !== undefined) {
    if (!mg.signatures[wanted]) throw new OmnihubError('usage', `The SavedModel has no signature '${wanted}'; it has ${list}.`);
    return wanted;
  }
  if (mg.signatures.serving_default) return 'serving_default';
  if (mg.signatures.default) return 'default';
  if (keys.length === 1) return keys[0];
  if (!keys.length) throw new OmnihubError('unsupported', 'The SavedModel has no signature to freeze (no serving_default); name the input and output tensors and convert its graph instead.');
  throw new OmnihubError('usage', `The SavedModel has no 'serving_default' signature; pick one of ${list}.`);
}

/** Resolves a tensor through Identity nodes to the node that produces it. */
function resolveProducer(map: Map<string, NodeDef>, ref: TensorRef): NodeDef | undefined {
  let r = ref;
  for (let i = 0; i < 1000; i++) {
    const n = map.get(r.node);
    if (!n || !PASS_THROUGH.has(n.op ?? '')) return n;
    const next = (n.input ?? []).map(parseInput).find((x) => !x.control);
    if (!next) return n;
    r = next;
  }
  return undefined;
}

export interface FreezeGraphOptions {
  /** Tensors the frozen graph starts from; they become Placeholders named `name`. */
  inputs: { name: string; tensor: string; dtype?: number; shape?: number[] | null }[];
  /** Tensors it returns, as Identity nodes named `name`. */
  outputs: { name: string; tensor: string; dtype?: number }[];
  /** The value of a variable node (VariableV2 / VarHandleOp) of the top-level graph. */
  valueOf: (nodeName: string) => WeightTensor | undefined;
  /** For messages: 'signature 'serving_default'' or 'the graph'. */
  what: string;
}

/** Freezes the part of a graph between the given inputs and outputs (the core of freezeSavedModel). */
export function freezeGraph(graphDef: GraphDef, options: FreezeGraphOptions): { graphDef: GraphDef; inputs: FrozenTensor[]; outputs: FrozenTensor[]; inlinedFunctions: number; variablesFrozen: number; notes: string[] } {
  const notes: string[] = [];
  const lib: Library = libraryOf(graphDef.library?.function);
  const topNodes = [...(graphDef.node ?? [])];
  const topMap = nodeMap(topNodes);
  let outRefs = options.outputs.map((o) => parseTensorName(o.tensor));
  let inRefs = options.inputs.map((i) => parseTensorName(i.tensor));
  for (const r of [...outRefs, ...inRefs]) {
    if (!topMap.has(r.node)) throw new OmnihubError('malformed', `${options.what}: tensor '${tensorKey(r)}' is not in the graph.`);
  }
  let cut = new Set(inRefs.map(tensorKey));

  // 1. What the outputs need at the top level (control edges included: a variable write must be seen).
  const topNeeded = reachable(topMap, outRefs, { stopAt: cut, control: true });
  // The producers of the inputs stay (they are replaced by Placeholders below), not what they read.
  for (const r of inRefs) topNeeded.add(r.node);
  // 2. Inline the calls among those.
  const inl = inlineFunctions(topNodes.filter((n) => topNeeded.has(n.name ?? '')), lib);
  let nodes = inl.nodes;
  if (inl.inlined) {
    const b = bypassIdentityN(inl.nodes, inl.callOutputs);
    nodes = b.nodes;
    outRefs = outRefs.map(b.resolve);
    inRefs = inRefs.map(b.resolve);
    cut = new Set(inRefs.map(tensorKey));
  }
  let map = nodeMap(nodes);

  // 3. Refusals.
  const withControl = [...reachable(map, outRefs, { stopAt: cut, control: true })].map((n) => map.get(n)!);
  const writes = withControl.filter((n) => STATEFUL_WRITE.test(n.op ?? ''));
  if (writes.length) {
    throw new OmnihubError('unsupported', `${options.what} changes variables (${formatCounts(opCounts(writes))}: '${writes[0].name}'…): a frozen graph would hold the saved values as constants and never update them. Freeze a signature that only reads its variables.`);
  }
  const dataNeeded = reachable(map, outRefs, { stopAt: cut });
  const parses = [...dataNeeded].map((n) => map.get(n)!).filter((n) => EXAMPLE_OPS.has(n.op ?? ''));
  if (parses.length) {
    throw new OmnihubError('unsupported', `${options.what} takes serialized tf.Example strings (${parses[0].op} '${parses[0].name}'); pick serving_default / another signature that takes tensors, or start at a named tensor after the parsing.`);
  }
  const stillCalls = [...dataNeeded].map((n) => map.get(n)!).filter((n) => CALL_OPS.has(n.op ?? '') || lib.has(n.op ?? ''));
  if (stillCalls.length) throw new OmnihubError('unsupported', `${options.what}: function calls remain after inlining (${stillCalls[0].op}).`);

  // 4. Variables → constants (only where the outputs read them).
  const frozen = new Map<string, WeightTensor>();
  const valueFor = (varNode: NodeDef, reader: NodeDef): WeightTensor => {
    const name = varNode.name ?? '';
    const w = options.valueOf(name);
    if (!w) {
      throw new OmnihubError('unsupported', `${options.what} reads variable '${name}' (${varNode.op}, through ${reader.op} '${reader.name}'), which has no value in the checkpoint; it cannot be frozen.`);
    }
    frozen.set(name, w);
    return w;
  };
  const replaced: NodeDef[] = [];
  for (const n of nodes) {
    if (!dataNeeded.has(n.name ?? '')) continue;
    const op = n.op ?? '';
    if (op === 'ReadVariableOp' || op === 'ResourceGather') {
      const handle = (n.input ?? []).map(parseInput).find((r) => !r.control);
      const v = handle && resolveProducer(map, handle);
      if (!v || v.op !== 'VarHandleOp') {
        throw new OmnihubError('unsupported', `${options.what}: ${op} '${n.name}' reads a resource that is not a variable of the graph (${v?.op ?? 'unknown'}); it cannot be frozen.`);
      }
      const w = valueFor(v, n);
      const dtype = attrType(n, 'dtype') ?? tfTypeOfWeight(w.dtype);
      if (op === 'ReadVariableOp') {
        replaced.push(constNode(n.name ?? '', w, dtype));
      } else {
        const params = `${n.name}/frozen_params`;
        const axis = `${n.name}/frozen_axis`;
        const indices = (n.input ?? []).filter((s) => !s.startsWith('^'))[1];
        replaced.push(constNode(params, w, dtype));
        replaced.push({ name: axis, op: 'Const', input: [], attr: { dtype: { type: TfType.INT32 }, value: { tensor: { dtype: TfType.INT32, tensor_shape: {}, int_val: [0] } } } });
        replaced.push({
          name: n.name, op: 'GatherV2', input: [params, indices, axis],
          attr: { Tparams: { type: dtype }, Tindices: n.attr?.Tindices ?? { type: TfType.INT32 }, Taxis: { type: TfType.INT32 }, batch_dims: { i: n.attr?.batch_dims?.i ?? 0 } },
        });
      }
    } else if (REF_VARIABLES.has(op)) {
      const w = valueFor(n, n);
      replaced.push(constNode(n.name ?? '', w, baseType(attrType(n, 'dtype') ?? tfTypeOfWeight(w.dtype))));
    }
  }
  if (replaced.length) {
    const byName = new Map(replaced.map((r) => [r.name ?? '', r]));
    nodes = [...nodes.map((n) => byName.get(n.name ?? '') ?? n), ...replaced.filter((r) => !map.has(r.name ?? ''))];
    map = nodeMap(nodes);
  }

  // 5. Interface: Placeholders named after the input keys, Identities after the output keys (an output key that is
  // also an input key, as TF1 Hub's 'default' → 'default', gets '_output'); nodes already using those names are renamed.
  const inNames = options.inputs.map((i) => i.name);
  const outNames: string[] = [];
  for (const o of options.outputs) {
    let name = o.name;
    if (inNames.includes(name) || outNames.includes(name)) {
      name = `${o.name}_output`;
      for (let k = 1; inNames.includes(name) || outNames.includes(name); k++) name = `${o.name}_output_${k}`;
      notes.push(`Output '${o.name}' is the graph tensor '${name}:0' (the name '${o.name}' is an input's).`);
    }
    outNames.push(name);
  }
  const wanted = new Set([...inNames, ...outNames]);
  const taken = new Set(nodes.map((n) => n.name ?? ''));
  const renames = new Map<string, string>();
  inRefs.forEach((ref, i) => {
    const producer = map.get(ref.node);
    const isItsPlaceholder = ref.node === inNames[i] && ref.port === 0 && (producer?.op === 'Placeholder' || producer?.op === 'PlaceholderWithDefault');
    if (map.has(inNames[i]) && !isItsPlaceholder) renames.set(inNames[i], '');
  });
  outRefs.forEach((ref, i) => {
    const isItself = ref.node === outNames[i] && ref.port === 0;
    if (map.has(outNames[i]) && !isItself) renames.set(outNames[i], '');
  });
  for (const old of renames.keys()) {
    let k = 1;
    while (taken.has(`${old}_${k}`) || wanted.has(`${old}_${k}`)) k++;
    renames.set(old, `${old}_${k}`);
    taken.add(`${old}_${k}`);
  }
  const renameRef = (s: string): string => {
    const r = parseInput(s);
    const to = renames.get(r.node);
    if (to === undefined) return s;
    return r.control ? `^${to}` : inputName({ node: to, port: r.port });
  };
  if (renames.size) {
    nodes = nodes.map((n) => ({ ...n, name: renames.get(n.name ?? '') ?? n.name, input: (n.input ?? []).map(renameRef) }));
  }
  const rn = (r: TensorRef): TensorRef => ({ node: renames.get(r.node) ?? r.node, port: r.port });
  map = nodeMap(nodes);

  // Inputs: the tensor's readers now read the Placeholder.
  const inputs: FrozenTensor[] = [];
  const redirect = new Map<string, string>();
  const newNodes: NodeDef[] = [];
  const dropNodes = new Set<string>();
  options.inputs.forEach((inp, i) => {
    const ref = rn(inRefs[i]);
    const producer = map.get(ref.node) ?? {};
    const dtype = baseType(inp.dtype ?? attrType(producer, 'dtype') ?? attrType(producer, 'T') ?? TfType.FLOAT);
    const isPlaceholder = producer.op === 'Placeholder' || producer.op === 'PlaceholderWithDefault';
    const shape = inp.shape ?? (isPlaceholder ? shapeDims(producer.attr?.shape?.shape) : undefined);
    const attr: Record<string, AttrValue> = { dtype: { type: dtype }, shape: { shape: makeShape(shape ?? undefined) } };
    if (ref.node === inp.name && ref.port === 0) dropNodes.add(inp.name);
    else redirect.set(tensorKey(ref), inp.name);
    if (producer.op === 'PlaceholderWithDefault') notes.push(`Input '${inp.name}' had a default value (PlaceholderWithDefault); it is a plain Placeholder now.`);
    newNodes.push({ name: inp.name, op: 'Placeholder', input: [], attr });
    inputs.push({ name: inp.name, tensor: `${inp.name}:0`, dtype: tfTypeName(dtype), shape: shape ?? undefined });
  });
  nodes = nodes.filter((n) => !dropNodes.has(n.name ?? '')).map((n) => ({
    ...n,
    input: (n.input ?? []).filter((s) => !s.startsWith('^')).map((s) => redirect.get(tensorKey(parseInput(s))) ?? s),
  }));
  nodes.push(...newNodes);

  const outputs: FrozenTensor[] = [];
  options.outputs.forEach((out, i) => {
    const ref0 = rn(outRefs[i]);
    const to = redirect.get(tensorKey(ref0));
    const ref = to !== undefined ? { node: to, port: 0 } : ref0;
    const producer = map.get(ref.node) ?? {};
    const dtype = baseType(out.dtype ?? attrType(producer, 'T') ?? attrType(producer, 'dtype') ?? TfType.FLOAT);
    const name = outNames[i];
    if (!(ref.node === name && ref.port === 0)) {
      nodes.push({ name, op: 'Identity', input: [inputName(ref)], attr: { T: { type: dtype } } });
    }
    outputs.push({ name: out.name, tensor: `${name}:0`, dtype: tfTypeName(dtype) });
  });

  // 6. Prune to the outputs (data edges; control edges were dropped) and order.
  map = nodeMap(nodes);
  const finalNeeded = reachable(map, outNames.map((node) => ({ node, port: 0 })));
  nodes = topologicalOrder(nodes.filter((n) => finalNeeded.has(n.name ?? ''))).map((n) => dropStaleColocation(n, finalNeeded));
  const leftover = nodes.filter((n) => VARIABLE_NODES.has(n.op ?? '') || n.op === 'ReadVariableOp' || STATEFUL_WRITE.test(n.op ?? ''));
  if (leftover.length) {
    throw new OmnihubError('unsupported', `${options.what}: variable ops remain after freezing (${formatCounts(opCounts(leftover))}).`);
  }
  // A function still referenced (control flow bodies) keeps the library; otherwise it is dropped.
  const fnRefs = nodes.some((n) => Object.values(n.attr ?? {}).some((a) => a.func || a.list?.func?.length));
  const frozenGraph: GraphDef = { node: nodes, versions: graphDef.versions ?? { producer: 0 } };
  if (fnRefs && graphDef.library) {
    frozenGraph.library = graphDef.library;
    notes.push('Some nodes still refer to functions (control flow); the function library is kept.');
  }
  return { graphDef: frozenGraph, inputs, outputs, inlinedFunctions: inl.inlined, variablesFrozen: frozen.size, notes };
}

/**
 * Colocation hints (`_class: ['loc:@a']`) that name a node the frozen graph no longer has are dropped: TF's
 * import_graph_def refuses them.
 */
function dropStaleColocation(n: NodeDef, names: ReadonlySet<string>): NodeDef {
  const cls = n.attr?._class?.list?.s;
  if (!cls?.length) return n;
  const kept = cls.filter((b) => {
    const v = decodeUtf8(b);
    return !v.startsWith('loc:@') || names.has(v.slice(5));
  });
  if (kept.length === cls.length) return n;
  const attr = { ...n.attr };
  if (kept.length) attr._class = { list: { s: kept } };
  else delete attr._class;
  return { ...n, attr };
}

function specFor(name: string, t: TensorSpecInfo, what: string, role: string): { name: string; tensor: string; dtype: number; shape?: number[] | null } {
  if (t.encoding !== 'dense' || !t.name) {
    throw new OmnihubError('unsupported', `${what}: ${role} '${name}' is a ${t.encoding} tensor; only dense tensors can be frozen.`);
  }
  return { name, tensor: t.name, dtype: t.dtype, shape: t.shape };
}

/** Freezes one signature of a SavedModel into a standalone GraphDef (see the file header). */
export function freezeSavedModel(saved: SavedModel, options: FreezeOptions = {}): FreezeResult {
  const mg = pickMetaGraph(saved, options.tags);
  const signatures = Object.keys(mg.signatures).filter((k) => !HIDDEN_SIGNATURES.has(k));
  const key = chooseSignature(mg, options.signature);
  const sig = mg.signatures[key];
  const what = `Signature '${key}'`;
  const inputs = Object.entries(sig.inputs).map(([k, t]) => specFor(k, t, what, 'input'));
  const outputs = Object.entries(sig.outputs).map(([k, t]) => specFor(k, t, what, 'output'));
  if (!outputs.length) throw new OmnihubError('unsupported', `${what} has no outputs.`);
  const stringInputs = inputs.filter((i) => baseType(i.dtype) === TfType.STRING);
  const r = freezeGraph(mg.graphDef, { inputs, outputs, valueOf: (n) => mg.variableForNode(n), what });
  const notes = [...r.notes];
  if (stringInputs.length) notes.push(`Input(s) ${stringInputs.map((i) => `'${i.name}'`).join(', ')} are strings: the frozen graph is valid TensorFlow, but an ONNX conversion needs numeric inputs.`);
  const others = signatures.filter((s) => s !== key);
  if (others.length) notes.push(`Other signatures: ${others.join(', ')}.`);
  const nodes = r.graphDef.node ?? [];
  return {
    graphDef: r.graphDef,
    inputs: r.inputs,
    outputs: r.outputs,
    report: {
      signature: key,
      signatures,
      tags: [...mg.tags],
      inlinedFunctions: r.inlinedFunctions,
      variablesFrozen: r.variablesFrozen,
      nodes: nodes.length,
      ops: opCounts(nodes),
      notes,
    },
  };
}

/**
 * Freezes a bare GraphDef (TF1 training/serving graph) with variable values given by node name (a checkpoint read
 * separately). Without values it is refused: a GraphDef does not hold its variables.
 */
export function freezeGraphDef(graphDef: GraphDef, options: { inputs: string[]; outputs: string[]; variables?: Map<string, WeightTensor> }): FreezeResult {
  const vars = (graphDef.node ?? []).filter((n) => VARIABLE_NODES.has(n.op ?? ''));
  const values = options.variables ?? new Map<string, WeightTensor>();
  const missing = vars.filter((n) => !values.has(n.name ?? '') && !values.has(decodeUtf8(n.attr?.shared_name?.s)));
  const map = nodeMap(graphDef.node ?? []);
  const outRefs = options.outputs.map(parseTensorName);
  for (const r of outRefs) if (!map.has(r.node)) throw new OmnihubError('usage', `Output '${tensorKey(r)}': the graph has no node '${r.node}'.`);
  const needed = reachable(map, outRefs, { stopAt: new Set(options.inputs.map((s) => tensorKey(parseTensorName(s)))) });
  const missingNeeded = missing.filter((n) => needed.has(n.name ?? ''));
  if (missingNeeded.length) {
    const names = missingNeeded.slice(0, 4).map((n) => `'${n.name}'`).join(', ');
    throw new OmnihubError('unsupported', `The GraphDef is not frozen: it has ${missingNeeded.length} variable(s) (${formatCounts(opCounts(missingNeeded))}: ${names}${missingNeeded.length > 4 ? ' …' : ''}) whose values are not in a GraphDef file. Freeze it with its checkpoint (the variables.index/variables.data files saved with it: give the SavedModel, or export with TF's freeze_graph / convert_variables_to_constants_v2).`);
  }
  const key = (s: string) => parseTensorName(s).node;
  const r = freezeGraph(graphDef, {
    inputs: options.inputs.map((s) => ({ name: key(s), tensor: s })),
    outputs: options.outputs.map((s) => ({ name: key(s), tensor: s })),
    valueOf: (n) => {
      const node = map.get(n);
      return values.get(n) ?? (node ? values.get(decodeUtf8(node.attr?.shared_name?.s)) : undefined);
    },
    what: 'The graph',
  });
  const nodes = r.graphDef.node ?? [];
  return {
    graphDef: r.graphDef, inputs: r.inputs, outputs: r.outputs,
    report: { signature: '', signatures: [], tags: [], inlinedFunctions: r.inlinedFunctions, variablesFrozen: r.variablesFrozen, nodes: nodes.length, ops: opCounts(nodes), notes: r.notes },
  };
}

/** A frozen GraphDef as a standalone .pb file. */
export function writeGraphDef(graphDef: GraphDef): Uint8Array {
  return encodeGraphDef(graphDef as tensorflow.IGraphDef);
}

export const STATEFUL_WRITE_OPS = STATEFUL_WRITE;
