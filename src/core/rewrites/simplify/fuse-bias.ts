/**
 * Adds that become a bias: fuse_add_bias_into_conv and fuse_matmul_add_bias_into_gemm (onnxoptimizer), and the
 * same for an Add after a Gemm (its C). The Add's other operand must be a constant that adds one value per output
 * channel (Conv) or per output column (Gemm), so the fused node computes the same tensor.
 */
import { tensorDims } from '../../onnx/tensor.js';
import { attribute, attrInt, setAttribute, type Node } from '../graph.js';
import type { Dim } from './shape-inference.js';
import { isDefaultDomain, type Scope } from './scope.js';
import { FLOAT_TYPES, floatTensor, numbersOf } from './tensor-data.js';

interface Operand {
  name: string;
  dims: number[];
  values: Float64Array;
  dataType: number;
}

function constantOperand(scope: Scope, name: string | undefined): Operand | null {
  const t = scope.constant(name);
  if (!t || !name || !FLOAT_TYPES.has(t.data_type ?? 0)) return null;
  const values = numbersOf(t);
  return values ? { name, dims: tensorDims(t), values, dataType: t.data_type! } : null;
}

/**
 * Conv → Add(D): D must be one element, or M values on the channel axis with every other dim 1 ([1, M, 1, 1] or
 * [M, 1, 1] for a 2-D Conv), as onnxoptimizer checks. (A plain [M] would broadcast along the last spatial axis,
 * not the channels, so it is no bias.) An existing constant bias is added to.
 */
function addIntoConv(conv: Node, d: Operand, scope: Scope): boolean {
  const wDims = scope.dims(conv.input?.[1]);
  const m = wDims?.[0];
  if (!wDims || typeof m !== 'number') return false;
  const rank = wDims.length;
  const wType = scope.type(conv.input?.[1])?.elemType;
  if (wType && wType !== d.dataType) return false;
  let perChannel: (i: number) => number;
  if (d.values.length === 1 && d.dims.length <= rank) perChannel = () => d.values[0];
  else if (d.values.length === m && (d.dims.length === rank || d.dims.length === rank - 1) && d.dims[d.dims.length - rank + 1] === m) perChannel = (i) => d.values[i];
  else return false;
  const biasName = conv.input?.[2];
  const bias = biasName ? constantOperand(scope, biasName) : null;
  if (biasName && (!bias || bias.values.length !== m || bias.dataType !== d.dataType)) return false;
  const b2 = new Float64Array(m);
  for (let i = 0; i < m; i++) b2[i] = (bias ? bias.values[i] : 0) + perChannel(i);
  const name = scope.env.newName(`${biasName || d.name}_bias`);
  scope.addInitializer(floatTensor(name, d.dataType, [m], b2));
  conv.input = [conv.input![0], conv.input![1], name];
  return true;
}

/** A constant's dims as 2-D [rows, cols] when it broadcasts over [p, n] without growing it; else null. */
function asRowCols(dims: number[], p: Dim, n: number): [number, number] | null {
  if (dims.length > 2) return null;
  const [r, c] = dims.length === 2 ? dims : [1, dims.length === 1 ? dims[0] : 1];
  if (c !== 1 && c !== n) return null;
  if (r !== 1 && r !== p) return null;
  return [r, c];
}

/** Gemm → Add(D): C' = beta·C + D as the new C (beta set to 1). */
function addIntoGemm(gemm: Node, d: Operand, scope: Scope): boolean {
  if (scope.env.opset < 7) return false; // Gemm-6 broadcasts C only with its `broadcast` attribute.
  const aDims = scope.dims(gemm.input?.[0]);
  const bDims = scope.dims(gemm.input?.[1]);
  if (!aDims || !bDims || aDims.length !== 2 || bDims.length !== 2) return false;
  const p = aDims[attrInt(gemm, 'transA', 0) === 1 ? 1 : 0];
  const n = bDims[attrInt(gemm, 'transB', 0) === 1 ? 0 : 1];
  if (typeof n !== 'number') return false;
  const dRC = asRowCols(d.dims, p, n);
  const cName = gemm.input?.[2];
  const c = cName ? constantOperand(scope, cName) : null;
  if (!dRC || (cName && (!c || c.dataType !== d.dataType))) return false;
  const cRC = c ? asRowCols(c.dims, p, n) : ([1, 1] as [number, number]);
  if (!cRC) return false;
  const rows = Math.max(dRC[0], cRC[0]);
  const cols = Math.max(dRC[1], cRC[1]);
  const beta = c ? (attribute(gemm, 'beta')?.f ?? 1) : 0;
  const at = (o: Operand | null, rc: [number, number], i: number, j: number) => (o ? o.values[(rc[0] === 1 ? 0 : i) * rc[1] + (rc[1] === 1 ? 0 : j)] : 0);
  const sum = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sum[i * cols + j] = beta * at(c, cRC, i, j) + at(d, dRC, i, j);
  const name = scope.env.newName(`${cName || d.name}_bias`);
  scope.addInitializer(floatTensor(name, d.dataType, rows === 1 ? [cols] : [rows, cols], sum));
  gemm.input = [gemm.input![0], gemm.input![1], name];
  if (attribute(gemm, 'beta')) setAttribute(gemm, 'beta', { float: 1 });
  return true;
}

/**
 * MatMul(X, Y) → Add(bias) becomes Gemm(X, Y, bias) when X and Y are known to be 2-D (Gemm is 2-D only) and the
 * bias broadcasts over [M, N] without growing it ([N], [1, N], [M, N] as onnxoptimizer takes, or one element). The Add node turns into the Gemm: it comes after both the
 * MatMul's inputs and the bias, so the order stays valid.
 */
function matmulAddToGemm(matmul: Node, add: Node, biasName: string, scope: Scope): boolean {
  if (scope.env.opset < 7) return false;
  const x = matmul.input?.[0];
  const y = matmul.input?.[1];
  const xDims = scope.dims(x);
  const yDims = scope.dims(y);
  const bias = scope.type(biasName);
  if (!xDims || !yDims || xDims.length !== 2 || yDims.length !== 2 || !bias?.dims) return false;
  const type = scope.type(x)?.elemType || scope.type(y)?.elemType;
  if (!type || !FLOAT_TYPES.has(type) || (bias.elemType && bias.elemType !== type)) return false;
  const n = yDims[1];
  if (typeof n !== 'number' || !bias.dims.every((d) => typeof d === 'number')) return false;
  if (!asRowCols(bias.dims as number[], xDims[0], n)) return false;
  add.op_type = 'Gemm';
  add.input = [x!, y!, biasName];
  add.attribute = [];
  return true;
}

export function fuseBias(scope: Scope, enabled: (pass: string) => boolean): number {
  const removed = new Set<Node>();
  const touched = new Set<Node>();
  for (const add of scope.graph.node ?? []) {
    if (add.op_type !== 'Add' || !isDefaultDomain(add) || (add.input ?? []).length !== 2 || touched.has(add)) continue;
    for (const side of [0, 1]) {
      const from = add.input![side];
      const other = add.input![1 - side];
      const producer = scope.index.producer.get(from);
      if (!producer || !isDefaultDomain(producer) || touched.has(producer) || !scope.onlyReader(from, add) || from === other) continue;
      let done = false;
      if (producer.op_type === 'Conv' && enabled('fuse_add_bias_into_conv')) {
        const d = constantOperand(scope, other);
        done = !!d && addIntoConv(producer, d, scope);
        if (done) scope.env.tally.add('{n} Add fused into Conv bias');
      } else if (producer.op_type === 'Gemm' && enabled('fuse_add_bias_into_gemm')) {
        const d = constantOperand(scope, other);
        done = !!d && addIntoGemm(producer, d, scope);
        if (done) scope.env.tally.add('{n} Add fused into Gemm bias');
      } else if (producer.op_type === 'MatMul' && enabled('fuse_matmul_add_bias_into_gemm')) {
        done = matmulAddToGemm(producer, add, other, scope);
        if (done) scope.env.tally.add('{n} MatMul + Add fused into Gemm');
        if (done) {
          removed.add(producer);
          touched.add(producer).add(add);
          break;
        }
      }
      if (done) {
        // The Conv/Gemm takes over the Add's output name; the Add goes.
        producer.output![0] = add.output![0];
        removed.add(add);
        touched.add(producer).add(add);
        break;
      }
    }
  }
  if (removed.size) scope.graph.node = (scope.graph.node ?? []).filter((n) => !removed.has(n));
  return removed.size;
}
