/**
 * Frozen TensorFlow graphs: a serialized GraphDef (`frozen.pb`, `frozen_inference_graph.pb`, `convert_variables_to_
 * constants_v2` output), weights inline as `Const` nodes.
 */
import { OmnihubError } from '../../errors.js';
import { decodeGraphDefProto, tensorflow, type TfDecodeOptions } from './codec.js';

export interface FrozenGraph {
  graphDef: tensorflow.GraphDef;
  /** Op type → number of top-level nodes using it (insertion order = first use). */
  opHistogram: Map<string, number>;
  /** `versions.producer` (the GraphDef version, 0 when absent). */
  producer: number;
  /** Variable ops still in the graph (VariableV2, VarHandleOp …): a graph with any is not frozen. */
  variableNodes: string[];
  notes: string[];
}

const VARIABLE_OPS = new Set(['VariableV2', 'Variable', 'VarHandleOp', 'VarIsInitializedOp']);

export function opHistogram(graph: tensorflow.IGraphDef): Map<string, number> {
  const ops = new Map<string, number>();
  for (const n of graph.node ?? []) ops.set(n.op ?? '', (ops.get(n.op ?? '') ?? 0) + 1);
  return ops;
}

/** Decodes a frozen GraphDef. Throws OmnihubError when the bytes are not a GraphDef with at least one node. */
export function readGraphDef(bytes: Uint8Array, options: TfDecodeOptions = {}): FrozenGraph {
  const graphDef = decodeGraphDefProto(bytes, options);
  if (!graphDef.node.length) {
    throw new OmnihubError('malformed', 'Not a TensorFlow GraphDef: the data parses as protobuf but has no nodes.');
  }
  // A GraphDef's nodes all have an op; random bytes that happen to parse rarely do.
  const noOp = graphDef.node.filter((n) => !n.op).length;
  if (noOp > 0) throw new OmnihubError('malformed', `Not a TensorFlow GraphDef: ${noOp} of ${graphDef.node.length} nodes have no op.`);
  const hist = opHistogram(graphDef);
  const variableNodes = graphDef.node.filter((n) => VARIABLE_OPS.has(n.op ?? '') && n.op !== 'VarIsInitializedOp').map((n) => n.name ?? '');
  const notes: string[] = [];
  if (variableNodes.length) {
    notes.push(`The graph is not frozen: ${variableNodes.length} variable node(s) (${variableNodes.slice(0, 3).join(', ')}${variableNodes.length > 3 ? ' …' : ''}) hold no values in this file.`);
  }
  return { graphDef, opHistogram: hist, producer: graphDef.versions?.producer ?? 0, variableNodes, notes };
}
