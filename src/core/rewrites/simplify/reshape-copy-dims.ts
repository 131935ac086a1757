/**
 * fuse_reshape_copy_dims: onnxruntime's ReshapeFusion at its basic level. A Reshape whose shape is built at run
 * time from its own input's dims (the exporters' Shape → Gather → Unsqueeze → Concat with constants) gets a constant
 * shape instead, with 0 ("copy this dimension of the input", Reshape-5 on, unless `allowzero`) where the run-time
 * element is dimension i of the data input at the same position i: `[0, 0, 12, 64]`. The chain that built the shape
 * is left to dead-code elimination.
 *
 * An element counts as "dimension i of the data input" when it is Gather(Shape(data), i) itself, or dimension j of
 * another tensor that shape inference gave the same symbolic dim (a dim_param name, as the model declares them) as
 * dimension i of the data input. A dim that shape inference knows as a number is that number. Anything else (another
 * position, a tensor whose dim is not provably the same, a value the matcher does not follow) leaves the Reshape as
 * it is.
 */
import { onnx } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import { attrInt, attrInts, type Node } from '../graph.js';
import { isDefaultDomain, type Scope } from './scope.js';
import { intsOf } from './tensor-data.js';

/** One element of a shape tensor: a known integer, or dimension `axis` of tensor `tensor`. */
type Elem = { value: number } | { tensor: string; axis: number };

interface Elems {
  elems: Elem[];
  scalar: boolean;
}

/** How deep the matcher follows producers (the exporters' chains are four nodes deep). */
const MAX_DEPTH = 8;
/** Longest shape it looks at. */
const MAX_ELEMS = 64;

function constantAxes(node: Node, scope: Scope): number[] | null {
  if (scope.env.opset < 13) return attrInts(node, 'axes') ?? null;
  const t = scope.constant(node.input?.[1]);
  return t ? intsOf(t) : null;
}

/** The elements of an integer tensor of rank ≤ 1, when the matcher can follow them; null otherwise. */
function elementsOf(name: string | undefined, scope: Scope, depth: number): Elems | null {
  if (!name || depth > MAX_DEPTH) return null;
  const t = scope.constant(name);
  if (t) {
    const dims = t.dims ?? [];
    if (dims.length > 1 || (t.data_type !== DataType.INT64 && t.data_type !== DataType.INT32)) return null;
    const values = intsOf(t);
    if (!values || values.length > MAX_ELEMS) return null;
    return { elems: values.map((value) => ({ value })), scalar: dims.length === 0 };
  }
  const node = scope.index.producer.get(name);
  if (!node || !isDefaultDomain(node) || node.output?.[0] !== name) return null;
  const inputs = node.input ?? [];
  switch (node.op_type) {
    case 'Shape': {
      const x = inputs[0];
      const dims = scope.dims(x);
      if (!x || !dims || dims.length > MAX_ELEMS) return null;
      const rank = dims.length;
      const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
      const start = clamp(attrInt(node, 'start', 0));
      const end = clamp(attrInt(node, 'end', rank));
      const elems: Elem[] = [];
      for (let a = start; a < end; a++) {
        const d = dims[a];
        elems.push(typeof d === 'number' ? { value: d } : { tensor: x, axis: a });
      }
      return { elems, scalar: false };
    }
    case 'Gather': {
      if (attrInt(node, 'axis', 0) !== 0) return null;
      const data = elementsOf(inputs[0], scope, depth + 1);
      const indices = scope.constant(inputs[1]);
      if (!data || data.scalar || !indices || (indices.dims ?? []).length > 1) return null;
      const idx = intsOf(indices);
      if (!idx) return null;
      const n = data.elems.length;
      const elems: Elem[] = [];
      for (const i of idx) {
        const k = i < 0 ? i + n : i;
        if (!Number.isInteger(k) || k < 0 || k >= n) return null;
        elems.push(data.elems[k]);
      }
      return { elems, scalar: (indices.dims ?? []).length === 0 };
    }
    case 'Unsqueeze': {
      const x = elementsOf(inputs[0], scope, depth + 1);
      const axes = constantAxes(node, scope);
      if (!x || !x.scalar || !axes || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) return null;
      return { elems: x.elems, scalar: false };
    }
    case 'Concat': {
      const axis = attrInt(node, 'axis', 0);
      if (axis !== 0 && axis !== -1) return null;
      const elems: Elem[] = [];
      for (const input of inputs) {
        const part = elementsOf(input, scope, depth + 1);
        if (!part || part.scalar) return null;
        elems.push(...part.elems);
        if (elems.length > MAX_ELEMS) return null;
      }
      return { elems, scalar: false };
    }
    default:
      return null;
  }
}

/** The constant shape for `reshape` (0 where the input dim at that position is copied), or null. */
function constantShape(reshape: Node, scope: Scope): number[] | null {
  const [data, shapeName] = reshape.input ?? [];
  if (!data || !shapeName || scope.constant(shapeName)) return null;
  if (attrInt(reshape, 'allowzero', 0) !== 0) return null;
  const shape = elementsOf(shapeName, scope, 0);
  if (!shape || shape.scalar) return null;
  const dataDims = scope.dims(data);
  const out: number[] = [];
  let copies = 0;
  for (const [i, e] of shape.elems.entries()) {
    if ('value' in e) {
      out.push(e.value);
      continue;
    }
    const same = e.tensor === data ? e.axis === i : !!dataDims && i < dataDims.length && typeof dataDims[i] === 'string' && dataDims[i] === scope.dims(e.tensor)?.[e.axis];
    if (!same) return null;
    out.push(0);
    copies++;
  }
  if (!copies || out.some((v) => v < -1) || out.filter((v) => v === -1).length > 1) return null;
  return out;
}

export function fuseReshapeCopyDims(scope: Scope): number {
  if (scope.env.opset < 5) return 0;
  let changed = 0;
  for (const node of scope.graph.node ?? []) {
    if (node.op_type !== 'Reshape' || !isDefaultDomain(node)) continue;
    const shape = constantShape(node, scope);
    if (!shape) continue;
    const name = scope.env.newName(`${node.output?.[0] || 'reshape'}_shape`);
    const data = BigInt64Array.from(shape.map(BigInt));
    const t = new onnx.TensorProto({ name, data_type: DataType.INT64, dims: [shape.length] });
    t.raw_data = new Uint8Array(data.buffer);
    scope.addInitializer(t);
    node.input![1] = name;
    scope.env.tally.add('{n} run-time Reshape shape{s} → constants (0 = copy the input dim)');
    changed++;
  }
  return changed;
}
