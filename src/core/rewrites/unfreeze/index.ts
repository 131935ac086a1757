/**
 * unfreeze: make weights trainable parameters. Training tools (onnxruntime's `generate_artifacts`, our own gradient
 * graphs) can only train initializers, so float weights held by `Constant` nodes become initializers of the same
 * name; with `asInputs` the selected weights are also listed as graph inputs, the form that lets a caller feed
 * (override) them. `freeze` undoes the listing; the Constant → initializer change needs no undoing (both are
 * constants once not listed as inputs).
 *
 * Only the main graph's weights are considered: subgraph constants are not parameters training tools see.
 */
import { onnx, toNumber, type ModelProto } from '../../onnx/codec.js';
import { DataType, elementCount, tensorDims } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { attrTensor, cloneModel, type Graph, type Node, type Tensor, graphAndSubgraphs } from '../graph.js';
import { makeReport, modelCounts, plural, quoteList } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';

export interface UnfreezeOptions {
  /** A JavaScript regular expression matched against tensor names (`RegExp.test`, so unanchored). */
  pattern?: string;
  /** Only weights read by nodes of these op types. */
  ops?: string[];
  /** Also list the selected weights as graph inputs (default false). */
  asInputs?: boolean;
  /** Fewest elements a weight must have (default 2); scalars are never selected. */
  minElements?: number;
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE]);

/** Inputs that are float but are never weights: resize factors and regions (input index by op type). */
const NOT_WEIGHTS: Record<string, readonly number[]> = { Resize: [1, 2], Upsample: [1] };

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';

interface Candidate {
  name: string;
  tensor: Tensor;
  /** The Constant node holding it, or undefined for an initializer. */
  constant?: Node;
  /** Op types of the nodes reading it (subgraphs included). */
  readers: Set<string>;
}

/** Float weights of the main graph with at least `minElements` elements, read by some node as a weight. */
function candidates(graph: Graph, minElements: number): { list: Candidate[]; excluded: Set<string> } {
  const readers = new Map<string, Set<string>>();
  const excluded = new Set<string>();
  for (const g of graphAndSubgraphs(graph)) {
    for (const node of g.node ?? []) {
      const op = node.op_type ?? '';
      (node.input ?? []).forEach((name, i) => {
        if (!name) return;
        if (isDefaultDomain(node) && NOT_WEIGHTS[op]?.includes(i)) excluded.add(name);
        let set = readers.get(name);
        if (!set) readers.set(name, (set = new Set()));
        set.add(op);
      });
    }
  }
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const fits = (name: string, t: Tensor) => {
    const dims = tensorDims(t);
    return FLOAT_TYPES.has(t.data_type ?? 0) && dims.length >= 1 && elementCount(dims) >= minElements && readers.has(name) && !excluded.has(name);
  };
  const list: Candidate[] = [];
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (fits(name, t)) list.push({ name, tensor: t, readers: readers.get(name)! });
  }
  for (const node of graph.node ?? []) {
    if (node.op_type !== 'Constant' || !isDefaultDomain(node)) continue;
    const name = node.output?.[0] ?? '';
    const t = attrTensor(node, 'value');
    // A Constant that is itself a graph output stays a node: an initializer can't be produced as an output by name.
    if (t && name && !outputs.has(name) && fits(name, t)) list.push({ name, tensor: t, constant: node, readers: readers.get(name)! });
  }
  return { list, excluded };
}

function valueInfoFor(name: string, t: Tensor): onnx.ValueInfoProto {
  const dims = tensorDims(t).map((d) => new onnx.TensorShapeProto.Dimension({ dim_value: d }));
  return new onnx.ValueInfoProto({
    name,
    type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: t.data_type ?? 0, shape: new onnx.TensorShapeProto({ dim: dims }) }) }),
  });
}

function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new OmnihubError('bad-recipe', `unfreeze: option 'pattern' is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Unfreezes a copy of `model`; the input is not modified. */
export function unfreeze(model: ModelProto, options: UnfreezeOptions = {}, context: RewriteContext = {}): RewriteResult {
  const minElements = options.minElements ?? 2;
  if (!Number.isSafeInteger(minElements) || minElements < 1) throw new OmnihubError('bad-recipe', `unfreeze: option 'minElements' must be a whole number ≥ 1, got ${minElements}`);
  if (options.ops !== undefined && (!Array.isArray(options.ops) || options.ops.some((o) => typeof o !== 'string'))) {
    throw new OmnihubError('bad-recipe', "unfreeze: option 'ops' must be an array of op type names");
  }
  const regex = options.pattern === undefined ? undefined : compilePattern(options.pattern);
  if (!model.graph) throw new OmnihubError('not-onnx', 'unfreeze: the model has no graph');
  const before = modelCounts(model);
  const out = cloneModel(model);
  const graph = out.graph!;
  context.onProgress?.({ fraction: 0, message: 'selecting weights' });

  const { list: all } = candidates(graph, minElements);
  const withinRule = `float tensors with ≥ ${minElements} elements read by a node`;
  if (!all.length) {
    // Asked for nothing in particular, a model without weights is simply left as it is; asked for some, it is an error.
    if (regex || options.ops?.length) throw new OmnihubError('bad-recipe', `unfreeze: the model has no weights to select from (${withinRule} in the main graph)`);
    const notes = [`nothing to unfreeze: no ${withinRule} in the main graph (weights inside If/Loop/Scan bodies are not considered)`];
    return { model: out, report: makeReport('unfreeze', before, out, notes) };
  }
  let selected = all;
  if (regex) {
    selected = selected.filter((c) => regex.test(c.name));
    if (!selected.length) throw new OmnihubError('bad-recipe', `unfreeze: pattern /${options.pattern}/ matches none of the model's weights (${withinRule}), such as ${quoteList(all.map((c) => c.name), 5)}`);
  }
  if (options.ops?.length) {
    const ops = new Set(options.ops);
    const pool = selected;
    selected = pool.filter((c) => [...c.readers].some((op) => ops.has(op)));
    if (!selected.length) {
      const readerOps = [...new Set(pool.flatMap((c) => [...c.readers]))].sort();
      throw new OmnihubError('bad-recipe', `unfreeze: no weight${regex ? ` matching /${options.pattern}/` : ''} is read by ${quoteList(options.ops)} (weights are read by ${quoteList(readerOps, 20)})`);
    }
  }

  // Constant nodes → initializers of the same name. The tensor is shared with the input model: a shallow copy
  // carries the new name (the attribute's tensor usually has none, or another one).
  const toConvert = new Set(selected.filter((c) => c.constant).map((c) => c.constant!));
  const newInitializers: Tensor[] = [];
  for (const c of selected) {
    if (!c.constant) continue;
    const t = Object.assign(Object.create(Object.getPrototypeOf(c.tensor)), c.tensor) as Tensor;
    t.name = c.name;
    newInitializers.push(t);
  }
  graph.node = (graph.node ?? []).filter((n) => !toConvert.has(n));
  graph.initializer = [...(graph.initializer ?? []), ...newInitializers];

  const notes: string[] = [];
  const parameters = selected.reduce((n, c) => n + elementCount(tensorDims(c.tensor)), 0);
  notes.push(`${plural(selected.length, 'weight')} trainable (${parameters.toLocaleString('en-US')} parameters): ${quoteList(selected.map((c) => c.name), 6)}`);
  if (newInitializers.length) notes.push(`Constant → initializer ×${newInitializers.length}`);

  // Below IR 4 every initializer must be a graph input, so new ones are listed whatever asInputs says.
  const ir = toNumber(out.ir_version);
  const listed = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const toList = options.asInputs ? selected : ir < 4 ? selected.filter((c) => c.constant) : [];
  const added = toList.filter((c) => !listed.has(c.name));
  if (added.length) {
    graph.input = [...(graph.input ?? []), ...added.map((c) => valueInfoFor(c.name, c.tensor))];
    notes.push(`listed as graph inputs ×${added.length}${!options.asInputs ? ` (IR ${ir} needs every initializer listed as an input)` : ''}`);
  }
  context.onProgress?.({ fraction: 1 });
  return { model: out, report: makeReport('unfreeze', before, out, notes) };
}

export const unfreezeStep: RewriteStep<UnfreezeOptions> = {
  name: 'unfreeze',
  description: 'Make float weights trainable initializers (Constant nodes become initializers), optionally listed as graph inputs',
  options: {
    pattern: { type: 'string', description: 'a JavaScript regular expression matched against weight names' },
    ops: { type: 'string[]', description: 'only weights read by these op types, e.g. ["Conv", "Gemm"]' },
    asInputs: { type: 'boolean', description: 'also list the weights as graph inputs (default false)' },
    minElements: { type: 'integer', description: 'fewest elements a weight must have (default 2); scalars never count' },
  },
  async run(model, options, context) {
    return unfreeze(model, options, context);
  },
};
