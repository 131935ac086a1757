/**
 * Graph editing helpers shared by the rewrites. Models are protobufjs messages; a rewrite works on a structural
 * copy (cloneModel) whose tensors are shared with the input, so tensors are replaced, never written into.
 *
 * Names are SSA in a valid ONNX graph: each tensor name is produced once, and a subgraph (If/Loop/Scan body) may
 * read names of the graphs around it. Every "who uses this name" question therefore looks into subgraphs too.
 */
import { onnx, has, toNumber, type ModelProto } from '../onnx/codec.js';
import { DATA_TYPES, DataType, elementCount, tensorDims } from '../onnx/tensor.js';
import { walkGraphs } from '../onnx/walk.js';

export type Graph = onnx.IGraphProto;
export type Node = onnx.INodeProto;
export type Tensor = onnx.ITensorProto;
export type Attribute = onnx.IAttributeProto;
export type ValueInfo = onnx.IValueInfoProto;

const AttrType = onnx.AttributeProto.AttributeType;

/** A shallow copy of a protobufjs message that keeps field presence (own properties) and unknown fields. */
function shallow<T extends object>(message: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(message)), message);
}

function cloneAttribute(attr: Attribute): Attribute {
  const copy = shallow(attr);
  if (attr.g) copy.g = cloneGraph(attr.g);
  if (attr.graphs?.length) copy.graphs = attr.graphs.map(cloneGraph);
  return copy;
}

export function cloneNode(node: Node): Node {
  const copy = shallow(node);
  copy.input = [...(node.input ?? [])];
  copy.output = [...(node.output ?? [])];
  copy.attribute = (node.attribute ?? []).map(cloneAttribute);
  return copy;
}

export function cloneGraph(graph: Graph): Graph {
  const copy = shallow(graph);
  copy.node = (graph.node ?? []).map(cloneNode);
  copy.initializer = [...(graph.initializer ?? [])];
  copy.sparse_initializer = [...(graph.sparse_initializer ?? [])];
  copy.input = (graph.input ?? []).map(shallow);
  copy.output = (graph.output ?? []).map(shallow);
  copy.value_info = (graph.value_info ?? []).map(shallow);
  return copy;
}

/** A copy of the model's structure (graphs, nodes, attributes, value infos); tensors are shared, not copied. */
export function cloneModel(model: ModelProto): ModelProto {
  const copy = shallow(model);
  if (model.graph) copy.graph = cloneGraph(model.graph);
  copy.opset_import = (model.opset_import ?? []).map(shallow);
  copy.metadata_props = (model.metadata_props ?? []).map(shallow);
  copy.functions = [...(model.functions ?? [])];
  // walkGraphs visits training_info graphs too: shared, they would be edited in the input by a walk over the copy.
  copy.training_info = (model.training_info ?? []).map((info) => {
    const c = shallow(info);
    if (info.initialization) c.initialization = cloneGraph(info.initialization);
    if (info.algorithm) c.algorithm = cloneGraph(info.algorithm);
    return c;
  });
  return copy;
}

/** The opset version the model imports for a domain ('' and 'ai.onnx' are the same), or 0 when not imported. */
export function opsetVersion(model: ModelProto, domain = ''): number {
  const wanted = domain === 'ai.onnx' ? '' : domain;
  for (const o of model.opset_import ?? []) if ((o.domain === 'ai.onnx' ? '' : o.domain ?? '') === wanted) return toNumber(o.version);
  return 0;
}

// ---- attributes ----

export function attribute(node: Node, name: string): Attribute | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function attrInt(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a && has(a, 'i') ? toNumber(a.i) : fallback;
}

export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a && has(a, 'f') ? (a.f ?? fallback) : fallback;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = attribute(node, name);
  return a ? (a.ints ?? []).map(toNumber) : undefined;
}

export function attrString(node: Node, name: string): string | undefined {
  const a = attribute(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : undefined;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  return attribute(node, name)?.t ?? undefined;
}

export type AttributeValue = number | string | number[] | Tensor | { float: number };

/** An attribute from a plain value: whole numbers become INT (use `{ float: x }` for a FLOAT), arrays INTS. */
export function makeAttribute(name: string, value: AttributeValue): onnx.AttributeProto {
  if (typeof value === 'number') return new onnx.AttributeProto({ name, type: AttrType.INT, i: value });
  if (typeof value === 'string') return new onnx.AttributeProto({ name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return new onnx.AttributeProto({ name, type: AttrType.INTS, ints: value });
  if ('float' in value) return new onnx.AttributeProto({ name, type: AttrType.FLOAT, f: value.float });
  return new onnx.AttributeProto({ name, type: AttrType.TENSOR, t: value as onnx.ITensorProto });
}

/** Sets (adds or replaces) an attribute on a node. */
export function setAttribute(node: Node, name: string, value: AttributeValue): void {
  const attrs = (node.attribute ??= []);
  const made = makeAttribute(name, value);
  const i = attrs.findIndex((a) => a.name === name);
  if (i >= 0) attrs[i] = made;
  else attrs.push(made);
}

export function removeAttribute(node: Node, name: string): void {
  node.attribute = (node.attribute ?? []).filter((a) => a.name !== name);
}

export function makeNode(opType: string, inputs: string[], outputs: string[], name: string, attributes: Record<string, AttributeValue> = {}, domain?: string): onnx.NodeProto {
  const node = new onnx.NodeProto({ op_type: opType, input: inputs, output: outputs, name });
  if (domain) node.domain = domain;
  node.attribute = Object.entries(attributes).map(([k, v]) => makeAttribute(k, v));
  return node;
}

// ---- tensors ----

type Numeric = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A tensor holding `values` as raw_data (the array's bytes are used as they are, not copied). */
export function makeTensor(name: string, dataType: number, dims: number[], values: Numeric): onnx.TensorProto {
  const t = new onnx.TensorProto({ name, data_type: dataType, dims });
  t.raw_data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return t;
}

export const floatTensor = (name: string, dims: number[], values: Float32Array) => makeTensor(name, DataType.FLOAT, dims, values);
export const int64Tensor = (name: string, values: number[]) => makeTensor(name, DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));

/** Bytes of a tensor's data as stored (raw_data, typed fields or strings; external data by its recorded length). */
export function tensorByteLength(t: Tensor): number {
  if (t.raw_data && has(t, 'raw_data')) return t.raw_data.byteLength;
  if (t.data_location === onnx.TensorProto.DataLocation.EXTERNAL) {
    const length = (t.external_data ?? []).find((e) => e.key === 'length')?.value;
    return length ? Number(length) : 0;
  }
  if (t.data_type === DataType.STRING) return (t.string_data ?? []).reduce((n, s) => n + s.byteLength, 0);
  const info = DATA_TYPES[t.data_type ?? 0];
  return info ? Math.ceil((elementCount(tensorDims(t)) * info.bits) / 8) : 0;
}

// ---- names and uses ----

/** Every tensor name a graph reads, its subgraphs' reads of outer names included. */
export function namesRead(graph: Graph, into = new Set<string>()): Set<string> {
  for (const node of graph.node ?? []) {
    for (const name of node.input ?? []) if (name) into.add(name);
    for (const attr of node.attribute ?? []) {
      for (const sub of [attr.g, ...(attr.graphs ?? [])]) {
        if (!sub) continue;
        namesRead(sub, into);
        for (const o of sub.output ?? []) if (o.name) into.add(o.name);
      }
    }
  }
  for (const o of graph.output ?? []) if (o.name) into.add(o.name);
  return into;
}

/**
 * Renames every read of `from` to `to` in the graph and its subgraphs (graph outputs are left to the caller). A
 * subgraph's output may name an outer value directly (namesRead counts it as a read), so those are renamed too.
 */
export function replaceUses(graph: Graph, from: string, to: string): void {
  for (const node of graph.node ?? []) {
    const inputs = node.input ?? [];
    for (let i = 0; i < inputs.length; i++) if (inputs[i] === from) inputs[i] = to;
    for (const attr of node.attribute ?? []) {
      for (const sub of [attr.g, ...(attr.graphs ?? [])]) {
        if (!sub) continue;
        replaceUses(sub, from, to);
        for (const o of sub.output ?? []) if (o.name === from) o.name = to;
      }
    }
  }
}

/** Which node produces each name, and which nodes read it (this graph's nodes only; see namesRead for subgraphs). */
export class GraphIndex {
  readonly producer = new Map<string, Node>();
  readonly consumers = new Map<string, Node[]>();
  readonly graphOutputs: Set<string>;
  readonly initializers = new Map<string, Tensor>();

  constructor(readonly graph: Graph) {
    for (const node of graph.node ?? []) {
      for (const name of node.output ?? []) if (name) this.producer.set(name, node);
      const seen = new Set<string>();
      for (const name of [...(node.input ?? []), ...subgraphReads(node)]) {
        if (!name || seen.has(name)) continue;
        seen.add(name);
        const list = this.consumers.get(name);
        if (list) list.push(node);
        else this.consumers.set(name, [node]);
      }
    }
    this.graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
    for (const t of graph.initializer ?? []) if (t.name) this.initializers.set(t.name, t);
  }

  uses(name: string): Node[] {
    return this.consumers.get(name) ?? [];
  }
}

/** Outer names a node's subgraphs read (If/Loop/Scan bodies can use any tensor of the enclosing graphs). */
export function subgraphReads(node: Node): string[] {
  const names = new Set<string>();
  for (const attr of node.attribute ?? []) for (const sub of [attr.g, ...(attr.graphs ?? [])]) if (sub) namesRead(sub, names);
  return [...names];
}

/** A graph and every graph nested in its nodes (If branches, Loop/Scan bodies), depth first. */
export function* graphAndSubgraphs(graph: Graph): Generator<Graph> {
  const stack = [graph];
  while (stack.length) {
    const g = stack.pop()!;
    yield g;
    for (const node of g.node ?? []) for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) stack.push(sub);
  }
}

/** Node counts by op type over the whole model (`domain:op` for ops outside the default domain). */
export function countOps(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { graph } of walkGraphs(model)) {
    for (const node of graph.node ?? []) {
      const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.op_type}` : node.op_type ?? '';
      counts[op] = (counts[op] ?? 0) + 1;
    }
  }
  return counts;
}

/** A source of names not yet used anywhere in the model. */
export function nameFactory(model: ModelProto): (base: string) => string {
  const used = new Set<string>();
  for (const { graph } of walkGraphs(model)) {
    for (const node of graph.node ?? []) {
      if (node.name) used.add(node.name);
      for (const n of [...(node.input ?? []), ...(node.output ?? [])]) used.add(n);
    }
    for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? []), ...(graph.initializer ?? [])]) if (v.name) used.add(v.name);
  }
  return (base) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
}

/**
 * Drops nodes none of whose outputs is needed for the graph outputs, then initializers nothing reads. Graph inputs
 * stay (they are the model's interface) unless `dropUnusedInputs`. Returns how many nodes and initializers went.
 */
export function pruneGraph(graph: Graph, options: { dropUnusedInputs?: boolean } = {}): { nodes: number; initializers: number } {
  const needed = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const nodes = graph.node ?? [];
  const keep: boolean[] = new Array(nodes.length).fill(false);
  // Walk backwards: a valid graph is topologically sorted, so every consumer comes after its producers.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!(node.output ?? []).some((o) => o && needed.has(o))) continue;
    keep[i] = true;
    for (const name of [...(node.input ?? []), ...subgraphReads(node)]) if (name) needed.add(name);
  }
  const before = nodes.length;
  graph.node = nodes.filter((_, i) => keep[i]);
  const initBefore = (graph.initializer ?? []).length;
  if (options.dropUnusedInputs) graph.input = (graph.input ?? []).filter((v) => needed.has(v.name ?? ''));
  // An initializer listed as a graph input is that input's default value: it stays while the input does.
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? '') || inputs.has(t.name ?? ''));
  const kept = new Set([...needed, ...inputs]);
  graph.value_info = (graph.value_info ?? []).filter((v) => kept.has(v.name ?? ''));
  return { nodes: before - graph.node.length, initializers: initBefore - graph.initializer.length };
}

/** Orders nodes so every node comes after the producers of its inputs (Kahn's algorithm, stable: sorted input stays as it is). */
export function topologicalSort(graph: Graph): void {
  const nodes = graph.node ?? [];
  const producerIndex = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producerIndex.set(o, i)));
  const waitingOn = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const name of [...(n.input ?? []), ...subgraphReads(n)]) {
      const p = name ? producerIndex.get(name) : undefined;
      if (p !== undefined && p !== i) deps.add(p);
    }
    waitingOn[i] = deps.size;
    for (const p of deps) dependents[p].push(i);
  });
  const sorted: Node[] = [];
  const done = new Array<boolean>(nodes.length).fill(false);
  // A min-heap would be exact; scanning from the lowest pending index keeps file order for sorted graphs.
  const ready: number[] = [];
  nodes.forEach((_, i) => waitingOn[i] === 0 && ready.push(i));
  while (ready.length) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    done[i] = true;
    sorted.push(nodes[i]);
    for (const d of dependents[i]) if (--waitingOn[d] === 0) ready.push(d);
  }
  // A cycle: keep what could not be ordered in file order rather than drop it.
  nodes.forEach((n, i) => !done[i] && sorted.push(n));
  graph.node = sorted;
}
