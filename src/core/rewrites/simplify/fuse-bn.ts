/**
 * fuse_bn_into_conv (onnxoptimizer), and the same for Gemm and for MatMul with a constant 2-D weight: an
 * inference BatchNormalization y = (x − mean)·s + β, s = scale/√(var + ε), folded into the weights of the node
 * that produces x. For Conv, W'[m] = W[m]·s[m] and b' = (b − mean)·s + β.
 *
 * onnxoptimizer emits these formulas as nodes for onnxsim's constant folding to compute; here they are computed
 * directly, in float64 and rounded once to the weight's type (float32 or float64), which is at least as exact.
 * Weights get new initializers (the old ones may be shared; the unused-initializer pass drops them otherwise).
 */
import { tensorDims } from '../../onnx/tensor.js';
import { attrFloat, attrInt, setAttribute, type Node, type Tensor } from '../graph.js';
import { isDefaultDomain, type Scope } from './scope.js';
import { FLOAT_TYPES, floatTensor, numbersOf } from './tensor-data.js';

interface BnParams {
  /** Per channel: s = scale/√(var + ε) and the shift t = β − mean·s, so y = x·s + t. */
  s: Float64Array;
  t: Float64Array;
  dataType: number;
}

/** The BN's constant parameters when it runs in inference mode with one output; else null. */
function bnParams(bn: Node, scope: Scope): BnParams | null {
  if (!isDefaultDomain(bn) || (bn.input ?? []).length !== 5) return null;
  if ((bn.output ?? []).some((o, i) => i > 0 && o)) return null;
  if (attrInt(bn, 'training_mode', 0) !== 0 || attrInt(bn, 'spatial', 1) !== 1) return null;
  const tensors = bn.input!.slice(1).map((n) => scope.constant(n));
  if (tensors.some((t) => !t || !FLOAT_TYPES.has(t.data_type ?? 0) || t.data_type !== tensors[0]!.data_type || tensorDims(t).length !== 1)) return null;
  const [scale, beta, mean, variance] = tensors.map((t) => numbersOf(t!));
  if (!scale || !beta || !mean || !variance) return null;
  const c = scale.length;
  if (beta.length !== c || mean.length !== c || variance.length !== c) return null;
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const s = new Float64Array(c);
  const t = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    s[i] = scale[i] / Math.sqrt(variance[i] + eps);
    t[i] = beta[i] - mean[i] * s[i];
  }
  return { s, t, dataType: tensors[0]!.data_type! };
}

/** A constant float weight of the BN's type, or null. */
function weight(scope: Scope, name: string | undefined, dataType: number): { t: Tensor; v: Float64Array } | null {
  const t = scope.constant(name);
  const v = t && t.data_type === dataType ? numbersOf(t) : null;
  return t && v ? { t, v } : null;
}

/** Conv → BN: W'[m, …] = W[m, …]·s[m], b' = (b − mean)·s + β = b·s + t. */
function intoConv(conv: Node, bn: Node, p: BnParams, scope: Scope): boolean {
  const w = weight(scope, conv.input?.[1], p.dataType);
  if (!w) return false;
  const wDims = tensorDims(w.t);
  const m = wDims[0];
  if (m !== p.s.length) return false;
  const biasName = conv.input?.[2];
  const b = biasName ? weight(scope, biasName, p.dataType) : null;
  if (biasName && (!b || b.v.length !== m)) return false;
  const per = w.v.length / m;
  const w2 = new Float64Array(w.v.length);
  for (let i = 0; i < w.v.length; i++) w2[i] = w.v[i] * p.s[Math.floor(i / per)];
  const b2 = new Float64Array(m);
  for (let i = 0; i < m; i++) b2[i] = (b ? b.v[i] : 0) * p.s[i] + p.t[i];
  const wName = scope.env.newName(`${conv.input![1]}_bn`);
  const bName = scope.env.newName(`${biasName || bn.input![2]}_bn`);
  scope.addInitializer(floatTensor(wName, p.dataType, wDims, w2));
  scope.addInitializer(floatTensor(bName, p.dataType, [m], b2));
  conv.input = [conv.input![0], wName, bName];
  conv.output![0] = bn.output![0];
  return true;
}

/**
 * Gemm → BN on its output columns (rank 2, so BN's channel axis 1 is the last one): op(B)'s column j scales by
 * s[j]; C' = β·C·s + t as a 1-D [N] bias, with the Gemm's beta set to 1 (alpha stays: alpha·A·(B·s)).
 */
function intoGemm(gemm: Node, bn: Node, p: BnParams, scope: Scope): boolean {
  if (scope.env.opset < 7) return false; // Gemm-6 broadcasts C only with its `broadcast` attribute.
  const b = weight(scope, gemm.input?.[1], p.dataType);
  if (!b) return false;
  const dims = tensorDims(b.t);
  const transB = attrInt(gemm, 'transB', 0) === 1;
  if (dims.length !== 2) return false;
  const n = transB ? dims[0] : dims[1];
  if (n !== p.s.length) return false;
  const cName = gemm.input?.[2];
  const c = cName ? weight(scope, cName, p.dataType) : null;
  // C must add the same value to every row: absent, one element, [N] or [1, N].
  if (cName && (!c || !(c.v.length === 1 || (c.v.length === n && tensorDims(c.t).slice(0, -1).every((d) => d === 1))))) return false;
  const beta = attrFloat(gemm, 'beta', 1);
  const b2 = new Float64Array(b.v.length);
  for (let i = 0; i < b.v.length; i++) b2[i] = b.v[i] * p.s[transB ? Math.floor(i / dims[1]) : i % dims[1]];
  const c2 = new Float64Array(n);
  for (let j = 0; j < n; j++) c2[j] = (c ? beta * c.v[c.v.length === 1 ? 0 : j] : 0) * p.s[j] + p.t[j];
  const bName = scope.env.newName(`${gemm.input![1]}_bn`);
  const newC = scope.env.newName(`${cName || bn.input![2]}_bn`);
  scope.addInitializer(floatTensor(bName, p.dataType, dims, b2));
  scope.addInitializer(floatTensor(newC, p.dataType, [n], c2));
  gemm.input = [gemm.input![0], bName, newC];
  if (cName) setAttribute(gemm, 'beta', { float: 1 });
  gemm.output![0] = bn.output![0];
  return true;
}

/** MatMul(X rank 2, W constant [K, N]) → BN becomes Gemm(X, W·s, t): one node fewer. */
function intoMatMul(matmul: Node, bn: Node, p: BnParams, scope: Scope): boolean {
  if (scope.env.opset < 7 || scope.dims(matmul.input?.[0])?.length !== 2) return false;
  const w = weight(scope, matmul.input?.[1], p.dataType);
  if (!w || tensorDims(w.t).length !== 2 || tensorDims(w.t)[1] !== p.s.length) return false;
  const n = p.s.length;
  const w2 = new Float64Array(w.v.length);
  for (let i = 0; i < w.v.length; i++) w2[i] = w.v[i] * p.s[i % n];
  const wName = scope.env.newName(`${matmul.input![1]}_bn`);
  const cName = scope.env.newName(`${bn.input![2]}_bn`);
  scope.addInitializer(floatTensor(wName, p.dataType, tensorDims(w.t), w2));
  scope.addInitializer(floatTensor(cName, p.dataType, [n], p.t.slice()));
  matmul.op_type = 'Gemm';
  matmul.input = [matmul.input![0], wName, cName];
  matmul.attribute = [];
  matmul.output = [bn.output![0]];
  return true;
}

const TARGETS: Record<string, { fuse: typeof intoConv; label: string; pass: string }> = {
  Conv: { fuse: intoConv, label: '{n} BatchNormalization fused into Conv', pass: 'fuse_bn_into_conv' },
  Gemm: { fuse: intoGemm, label: '{n} BatchNormalization fused into Gemm', pass: 'fuse_bn_into_gemm' },
  MatMul: { fuse: intoMatMul, label: '{n} BatchNormalization fused with MatMul into Gemm', pass: 'fuse_bn_into_gemm' },
};

export function fuseBatchNorm(scope: Scope, enabled: (pass: string) => boolean): number {
  const removed = new Set<Node>();
  const touched = new Set<Node>();
  for (const bn of scope.graph.node ?? []) {
    if (bn.op_type !== 'BatchNormalization') continue;
    const x = bn.input?.[0] ?? '';
    const producer = scope.index.producer.get(x);
    const target = producer && isDefaultDomain(producer) ? TARGETS[producer.op_type ?? ''] : undefined;
    if (!producer || !target || !enabled(target.pass) || touched.has(producer) || touched.has(bn)) continue;
    if (!scope.onlyReader(x, bn) || (producer.output ?? []).length !== 1) continue;
    const p = bnParams(bn, scope);
    if (!p) continue;
    if (!target.fuse(producer, bn, p, scope)) continue;
    removed.add(bn);
    touched.add(producer).add(bn);
    scope.env.tally.add(target.label);
  }
  if (removed.size) scope.graph.node = (scope.graph.node ?? []).filter((n) => !removed.has(n));
  return removed.size;
}
