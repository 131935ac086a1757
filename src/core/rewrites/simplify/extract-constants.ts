/**
 * extract_constant_to_initializer (onnxoptimizer): a Constant node becomes an initializer of the same name, so
 * every later pass sees one kind of constant. Besides `value`, the scalar and list forms (value_float, value_ints,
 * value_string, …) are converted; `sparse_value` stays a node (an initializer cannot be sparse there).
 */
import { onnx, has, toNumber } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import type { Node, Tensor } from '../graph.js';
import { floatTensor, renamedTensor } from './tensor-data.js';
import { isDefaultDomain, type Scope } from './scope.js';

function int64Tensor(name: string, dims: number[], values: number[]): onnx.TensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  const t = new onnx.TensorProto({ name, data_type: DataType.INT64, dims });
  t.raw_data = new Uint8Array(data.buffer);
  return t;
}

/** The tensor a Constant node holds, named after its output; undefined for sparse or malformed ones. */
export function constantValue(node: Node, name: string): Tensor | undefined {
  const a = (node.attribute ?? []).find((x) => x.name?.startsWith('value'));
  if (!a || (node.attribute ?? []).length !== 1) return undefined;
  switch (a.name) {
    case 'value':
      return a.t ? renamedTensor(a.t, name) : undefined;
    case 'value_float':
      return has(a, 'f') ? floatTensor(name, DataType.FLOAT, [], Float64Array.of(a.f ?? 0)) : undefined;
    case 'value_floats':
      return floatTensor(name, DataType.FLOAT, [(a.floats ?? []).length], Float64Array.from(a.floats ?? []));
    case 'value_int':
      return has(a, 'i') ? int64Tensor(name, [], [toNumber(a.i)]) : undefined;
    case 'value_ints':
      return int64Tensor(name, [(a.ints ?? []).length], (a.ints ?? []).map(toNumber));
    case 'value_string':
      return new onnx.TensorProto({ name, data_type: DataType.STRING, dims: [], string_data: [a.s ?? new Uint8Array()] });
    case 'value_strings':
      return new onnx.TensorProto({ name, data_type: DataType.STRING, dims: [(a.strings ?? []).length], string_data: a.strings ?? [] });
    default:
      return undefined;
  }
}

export function extractConstants(scope: Scope): number {
  const graph = scope.graph;
  const moved = new Set<Node>();
  for (const node of graph.node ?? []) {
    if (node.op_type !== 'Constant' || !isDefaultDomain(node)) continue;
    const name = node.output?.[0];
    if (!name || (node.output ?? []).length !== 1) continue;
    // Below IR 4 a new initializer is also listed as a graph input; a graph output of that name would clash.
    if (scope.isMain && scope.env.irVersion < 4 && scope.isGraphOutput(name)) continue;
    const t = constantValue(node, name);
    if (!t) continue;
    scope.addInitializer(t);
    moved.add(node);
  }
  if (!moved.size) return 0;
  graph.node = (graph.node ?? []).filter((n) => !moved.has(n));
  scope.env.tally.add('{n} Constant node{s} → initializers', moved.size);
  return moved.size;
}
