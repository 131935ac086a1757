/**
 * A model at a glance: what the CLI's `inspect` prints and the app shows. Counts cover subgraphs (If/Loop/Scan
 * bodies) as well as the main graph, since that is where models such as Silero VAD keep most of their nodes.
 */
import { onnx } from './generated/onnx.js';
import { has, toNumber } from './codec.js';
import { walkGraphs, walkTensors } from './walk.js';
import { dataTypeName, elementCount, rawByteLength, tensorDims } from './tensor.js';
import { externalDataLocations, externalDataRef, isExternal } from './external-data.js';

/** A dimension: its size, its symbolic name (`batch`), or null where the model says nothing. */
export type Dim = number | string | null;

export interface ValueSummary {
  name: string;
  /** Element type for tensors (`float32`), or the kind for other values (`seq(float32)`, `map(int64,float32)`). */
  dtype: string;
  /** null when the rank is unknown. */
  shape: Dim[] | null;
}

export interface ModelSummary {
  irVersion: number;
  opsets: Record<string, number>;
  producer: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: Record<string, string>;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** Nodes of the main graph. */
  nodes: number;
  /** Nodes of the main graph and every subgraph. */
  nodesTotal: number;
  subgraphs: number;
  functions: number;
  /** Node counts by operator over all graphs; ops outside the default domain are written `domain:Op`. */
  nodesByOp: Record<string, number>;
  /** Initializers (dense and sparse) over all graphs. */
  initializers: number;
  /** Elements of all weights: initializers and the values of Constant nodes. */
  parameters: number;
  parametersByDtype: Record<string, number>;
  /** Bytes those weights take as raw data, wherever they are stored. */
  weightBytes: number;
  externalData: string[];
}

function describeType(type: onnx.ITypeProto | null | undefined): { dtype: string; shape: Dim[] | null } {
  if (!type) return { dtype: 'unknown', shape: null };
  if (type.tensor_type || type.sparse_tensor_type) {
    const t = (type.tensor_type ?? type.sparse_tensor_type)!;
    const shape = t.shape
      ? (t.shape.dim ?? []).map((d): Dim => (has(d, 'dim_value') ? toNumber(d.dim_value) : has(d, 'dim_param') ? d.dim_param! : null))
      : null;
    return { dtype: (type.sparse_tensor_type ? 'sparse ' : '') + dataTypeName(t.elem_type), shape };
  }
  // Non-tensor values are described by kind (`seq(map(int64,float32))`); the nesting comes from the file, so it is
  // followed iteratively and cut off rather than recursed into.
  const wrappers: Array<(inner: string) => string> = [];
  let inner: onnx.ITypeProto | null | undefined = type;
  let core = '?';
  for (let depth = 0; inner && depth < 16; depth++) {
    if (inner.tensor_type) { core = dataTypeName(inner.tensor_type.elem_type); break; }
    if (inner.sequence_type) { wrappers.push((s) => `seq(${s})`); inner = inner.sequence_type.elem_type; }
    else if (inner.optional_type) { wrappers.push((s) => `optional(${s})`); inner = inner.optional_type.elem_type; }
    else if (inner.map_type) {
      const key = dataTypeName(inner.map_type.key_type);
      wrappers.push((s) => `map(${key},${s})`);
      inner = inner.map_type.value_type;
    } else break;
  }
  return { dtype: wrappers.reduceRight((s, wrap) => wrap(s), core), shape: null };
}

function valueSummary(v: onnx.IValueInfoProto): ValueSummary {
  return { name: v.name ?? '', ...describeType(v.type) };
}

function weightBytes(t: onnx.ITensorProto): number {
  if (isExternal(t)) {
    const ref = externalDataRef(t);
    return ref.length ?? rawByteLength(t.data_type ?? 0, elementCount(tensorDims(t)));
  }
  if (t.data_type === onnx.TensorProto.DataType.STRING) return (t.string_data ?? []).reduce((n, s) => n + s.length, 0);
  return rawByteLength(t.data_type ?? 0, elementCount(tensorDims(t)));
}

export function summarizeModel(model: onnx.IModelProto): ModelSummary {
  const graph = model.graph ?? {};
  const opsets: Record<string, number> = {};
  for (const o of model.opset_import ?? []) opsets[o.domain || 'ai.onnx'] = toNumber(o.version);

  const nodesByOp: Record<string, number> = {};
  let nodesTotal = 0;
  let subgraphs = 0;
  let initializers = 0;
  const weights: onnx.ITensorProto[] = [];
  for (const { graph: g, path } of walkGraphs(model)) {
    if (path !== 'main') subgraphs++;
    initializers += (g.initializer?.length ?? 0) + (g.sparse_initializer?.length ?? 0);
    weights.push(...(g.initializer ?? []));
    for (const s of g.sparse_initializer ?? []) if (s.values) weights.push(s.values);
    for (const node of g.node ?? []) {
      nodesTotal++;
      const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.op_type}` : node.op_type ?? '';
      nodesByOp[op] = (nodesByOp[op] ?? 0) + 1;
      if (node.op_type === 'Constant' && !node.domain) {
        for (const a of node.attribute ?? []) if (a.name === 'value' && a.t) weights.push(a.t);
      }
    }
  }

  const parametersByDtype: Record<string, number> = {};
  let parameters = 0;
  let bytes = 0;
  for (const t of weights) {
    const n = elementCount(tensorDims(t));
    const dtype = dataTypeName(t.data_type);
    parametersByDtype[dtype] = (parametersByDtype[dtype] ?? 0) + n;
    parameters += n;
    bytes += weightBytes(t);
  }

  // Before IR 4 every initializer was also listed as a graph input; those are weights, not inputs a caller feeds.
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const sortedByCount = Object.fromEntries(Object.entries(nodesByOp).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return {
    irVersion: toNumber(model.ir_version),
    opsets,
    producer: model.producer_name ?? '',
    producerVersion: model.producer_version ?? '',
    domain: model.domain ?? '',
    modelVersion: toNumber(model.model_version),
    docString: model.doc_string ?? '',
    metadata: Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    inputs: (graph.input ?? []).filter((i) => !initializerNames.has(i.name)).map(valueSummary),
    outputs: (graph.output ?? []).map(valueSummary),
    nodes: graph.node?.length ?? 0,
    nodesTotal,
    subgraphs,
    functions: model.functions?.length ?? 0,
    nodesByOp: sortedByCount,
    initializers,
    parameters,
    parametersByDtype,
    weightBytes: bytes,
    externalData: externalDataLocations(model),
  };
}

export { walkTensors };
