/** Visits every graph and every tensor of a model, subgraphs (If/Loop/Scan bodies) and functions included. */
import type { onnx } from './generated/onnx.js';

type Graph = onnx.IGraphProto;
type Node = onnx.INodeProto;
type Tensor = onnx.ITensorProto;

/** Where a graph sits: 'main', or the node/attribute path leading to a subgraph (`loop_1/body`). */
export interface GraphVisit {
  graph: Graph;
  path: string;
  depth: number;
}

/** Graphs held by a node's attributes (If branches, Loop/Scan bodies). */
function subgraphsOf(node: Node): Array<{ name: string; graph: Graph }> {
  const found: Array<{ name: string; graph: Graph }> = [];
  for (const attr of node.attribute ?? []) {
    if (attr.g) found.push({ name: attr.name ?? '', graph: attr.g });
    (attr.graphs ?? []).forEach((g, i) => found.push({ name: `${attr.name}[${i}]`, graph: g }));
  }
  return found;
}

/**
 * All graphs, depth first, iteratively: nesting comes from the file, so it is walked with an explicit stack rather
 * than recursion (the decoder already caps depth; this keeps the walkers safe for hand-built models too).
 */
export function* walkGraphs(model: onnx.IModelProto): Generator<GraphVisit> {
  const stack: GraphVisit[] = [];
  const pushNodes = (nodes: Node[] | null | undefined, prefix: string, depth: number) => {
    for (const node of [...(nodes ?? [])].reverse()) {
      for (const sub of subgraphsOf(node).reverse()) {
        stack.push({ graph: sub.graph, path: `${prefix}${node.name || node.op_type}/${sub.name}`, depth: depth + 1 });
      }
    }
  };
  const roots: GraphVisit[] = [];
  if (model.graph) roots.push({ graph: model.graph, path: 'main', depth: 0 });
  (model.training_info ?? []).forEach((info, i) => {
    if (info.initialization) roots.push({ graph: info.initialization, path: `training_info[${i}]/initialization`, depth: 0 });
    if (info.algorithm) roots.push({ graph: info.algorithm, path: `training_info[${i}]/algorithm`, depth: 0 });
  });
  stack.push(...roots.reverse());
  while (stack.length) {
    const visit = stack.pop()!;
    yield visit;
    pushNodes(visit.graph.node, visit.path === 'main' ? '' : `${visit.path}/`, visit.depth);
  }
}

/** Nodes of model-local functions, with the graphs their attributes hold. */
function* functionNodes(model: onnx.IModelProto): Generator<Node> {
  const stack: Node[] = [];
  for (const fn of model.functions ?? []) stack.push(...(fn.node ?? []));
  while (stack.length) {
    const node = stack.pop()!;
    yield node;
    for (const sub of subgraphsOf(node)) stack.push(...(sub.graph.node ?? []));
  }
}

function* tensorsOfNode(node: Node): Generator<Tensor> {
  for (const attr of node.attribute ?? []) {
    if (attr.t) yield attr.t;
    yield* attr.tensors ?? [];
    if (attr.sparse_tensor) yield* sparseParts(attr.sparse_tensor);
    for (const s of attr.sparse_tensors ?? []) yield* sparseParts(s);
  }
}

function* sparseParts(sparse: onnx.ISparseTensorProto): Generator<Tensor> {
  if (sparse.values) yield sparse.values;
  if (sparse.indices) yield sparse.indices;
}

/** Every TensorProto in the model: initializers, sparse initializers, and tensors inside node attributes. */
export function* walkTensors(model: onnx.IModelProto): Generator<Tensor> {
  for (const { graph } of walkGraphs(model)) {
    yield* graph.initializer ?? [];
    for (const s of graph.sparse_initializer ?? []) yield* sparseParts(s);
    for (const node of graph.node ?? []) yield* tensorsOfNode(node);
  }
  for (const node of functionNodes(model)) yield* tensorsOfNode(node);
}
