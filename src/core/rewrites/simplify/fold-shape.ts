/**
 * eliminate_shape_op (onnxoptimizer): Shape of a tensor whose dims are all known is a constant, and so is Size;
 * neither needs a runtime. The constant takes the node's output name (an initializer; one that is a graph output
 * stays listed as an output, as onnxsim leaves folded outputs, which onnxruntime runs).
 */
import { onnx } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import { attrInt, type Node } from '../graph.js';
import { isDefaultDomain, type Scope } from './scope.js';
import { constantOutputNote } from './fold.js';

function int64(name: string, dims: number[], values: number[]): onnx.TensorProto {
  const data = BigInt64Array.from(values.map(BigInt));
  const t = new onnx.TensorProto({ name, data_type: DataType.INT64, dims });
  t.raw_data = new Uint8Array(data.buffer);
  return t;
}

/** Shape-15's start/end: clamped slice bounds, negative ones counted from the end. */
function sliceBounds(node: Node, rank: number): [number, number] {
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  return [clamp(attrInt(node, 'start', 0)), clamp(attrInt(node, 'end', rank))];
}

export function foldShapes(scope: Scope): number {
  const graph = scope.graph;
  const folded = new Set<Node>();
  for (const node of graph.node ?? []) {
    if ((node.op_type !== 'Shape' && node.op_type !== 'Size') || !isDefaultDomain(node)) continue;
    const out = node.output?.[0];
    const dims = scope.dims(node.input?.[0]);
    if (!out || !dims || dims.some((d) => typeof d !== 'number')) continue;
    if (scope.isMain && scope.env.irVersion < 4 && scope.isGraphOutput(out)) continue;
    const known = dims as number[];
    let t: onnx.TensorProto;
    if (node.op_type === 'Size') t = int64(out, [], [known.reduce((a, b) => a * b, 1)]);
    else {
      const [start, end] = sliceBounds(node, known.length);
      const values = known.slice(start, Math.max(start, end));
      t = int64(out, [values.length], values);
    }
    scope.addInitializer(t);
    if (scope.isGraphOutput(out)) scope.env.tally.say(constantOutputNote(out));
    folded.add(node);
    scope.env.tally.add(`${node.op_type} ×{n} of static shapes → constants`);
  }
  if (folded.size) graph.node = (graph.node ?? []).filter((n) => !folded.has(n));
  return folded.size;
}
