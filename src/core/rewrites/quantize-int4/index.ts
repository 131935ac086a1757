/**
 * quantize-int4: 4-bit block-wise weight-only quantization, as onnxruntime's `MatMulNBitsQuantizer` (DEFAULT
 * algorithm) does it (onnxruntime/python/tools/quantization/matmul_nbits_quantizer.py; MLAS q4_dq.cpp;
 * ../shared/guide/reference-algorithms.md §1.5). Defaults are the reference CLI's: block 32, symmetric.
 *
 * - format 'matmulnbits': `MatMul(A, B)` with a constant 2-D B [K, N] becomes
 *   `com.microsoft::MatMulNBits "<node>_Q4"(A, <B>_Q4, <B>_scales[, <B>_zero_points])` with K, N, bits=4,
 *   block_size (+ accuracy_level when > 0); names, attributes and bytes as the reference writes them.
 * - format 'qdq': `DequantizeLinear "<node>_DQ_Q4"(<B>_DQ_Q4, <B>_DQ_scales[, <B>_DQ_zero_points]; axis=0,
 *   block_size)` on an INT4 (symmetric) or UINT4 [K, N] initializer feeding `MatMul "<node>_matmul_Q4"`; the
 *   default-domain opset is raised to 21 (DequantizeLinear's block_size) where that is safe (opset.ts).
 *
 * Beyond the reference, which only rewrites MatMul (so GPT-2's `Gemm` projections stay float there):
 * - `Gemm(A, B, C; alpha=1, transA=0)` → MatMulNBits, then `Add` of C (C·beta when beta ≠ 1; no Add without C or
 *   with beta = 0). In QDQ form the Gemm itself stays and reads the dequantized weight (any alpha/beta/transA).
 * - a transposed constant weight — Gemm's transB=1 (B is [N, K]) or MatMul reading `Transpose(B)` — is quantized
 *   as its transpose [K, N], the matrix the product actually uses.
 * Weights in If/Loop/Scan bodies are handled too (the reference walks subgraphs the same way); the quantized
 * tensors go into the graph that holds the float weight, which is removed once nothing reads it.
 */
import { has, onnx, toNumber, type ModelProto } from '../../onnx/codec.js';
import { DataType, tensorDims, tensorToFloat32 } from '../../onnx/tensor.js';
import { float32ToFloat16Bits } from '../../validate/inputs.js';
import { OmnihubError } from '../../errors.js';
import { throwIfStopped } from '../abort.js';
import {
  attrFloat, attrInt, attrInts, cloneModel, cloneNode, makeNode, makeTensor, nameFactory, namesRead, opsetVersion, removeAttribute,
  type Graph, type Node, type Tensor,
} from '../graph.js';
import { makeReport, modelCounts, plural } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';
import { quantizeForMatMulNBits, quantizeForQdq, type Int4Weight } from './blockwise.js';
import { opsetRaiseRisks, QDQ_OPSET } from './opset.js';

export interface QuantizeInt4Options {
  /** Elements per block along K: a power of two from 16 to 256 (default 32, the reference CLI's). */
  blockSize?: number;
  /** Symmetric blocks (scale only, implicit zero point 8) or asymmetric (zero points too). Default true. */
  symmetric?: boolean;
  /** 'matmulnbits' (com.microsoft::MatMulNBits, default) or 'qdq' (DequantizeLinear + MatMul, opset 21). */
  format?: 'matmulnbits' | 'qdq';
  /** Only these nodes (by name). */
  nodesToInclude?: string[];
  /** Never these nodes (by name); wins over nodesToInclude. */
  nodesToExclude?: string[];
  /** MatMulNBits accuracy_level: 0 unset (default), 1 fp32, 2 fp16, 3 bf16, 4 int8 (A quantized blockwise). */
  accuracyLevel?: number;
}

const MS_DOMAIN = 'com.microsoft';
/** Ops that hold 4-bit weights already: quantizing again would quantize nothing, or the wrong thing. */
const QUANTIZED_OPS = new Set(['MatMulNBits', 'GatherBlockQuantized', 'MatMulBnb4', 'MatMulFpQ4']);
/** The element types MatMulNBits takes for A and the scales (T1): the weight keeps its type in the scales. */
const WEIGHT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16]);
/** INT4/UINT4 initializers need IR 10 (onnx.proto: the 4-bit types came with IR version 10). */
const INT4_IR_VERSION = 10;

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';
const quoteList = (names: readonly string[], max = 6) =>
  names.slice(0, max).map((n) => `'${n}'`).join(', ') + (names.length > max ? `, … (${names.length} in all)` : '');

function checkOptions(options: QuantizeInt4Options): Required<Omit<QuantizeInt4Options, 'nodesToInclude' | 'nodesToExclude'>> {
  const blockSize = options.blockSize ?? 32;
  // MatMulNBits' kernels and the reference's own assertion (block_size ≥ 16 and a power of two); 256 is the
  // largest block MLAS instantiates a quantizer for.
  if (!Number.isSafeInteger(blockSize) || blockSize < 16 || blockSize > 256 || (blockSize & (blockSize - 1)) !== 0) {
    throw new OmnihubError('bad-recipe', `quantize-int4: option 'blockSize' must be a power of two from 16 to 256, got ${blockSize}`);
  }
  const accuracyLevel = options.accuracyLevel ?? 0;
  if (!Number.isSafeInteger(accuracyLevel) || accuracyLevel < 0 || accuracyLevel > 4) {
    throw new OmnihubError('bad-recipe', `quantize-int4: option 'accuracyLevel' must be a whole number from 0 to 4, got ${accuracyLevel}`);
  }
  const format = options.format ?? 'matmulnbits';
  if (format !== 'matmulnbits' && format !== 'qdq') throw new OmnihubError('bad-recipe', `quantize-int4: option 'format' must be "matmulnbits" or "qdq", got ${JSON.stringify(format)}`);
  return { blockSize, symmetric: options.symmetric ?? true, format, accuracyLevel };
}

/** Refuses a model that already holds 4-bit weights: MatMulNBits-style nodes or INT4/UINT4 initializers. */
function refuseQuantized(graphs: Graph[]): void {
  for (const graph of graphs) {
    const op = (graph.node ?? []).find((n) => n.domain === MS_DOMAIN && QUANTIZED_OPS.has(n.op_type ?? ''));
    if (op) throw new OmnihubError('bad-recipe', `quantize-int4: the model is already 4-bit quantized (it has ${MS_DOMAIN}::${op.op_type} node '${op.name ?? ''}')`);
    const t = (graph.initializer ?? []).find((i) => i.data_type === DataType.INT4 || i.data_type === DataType.UINT4);
    if (t) throw new OmnihubError('bad-recipe', `quantize-int4: the model is already 4-bit quantized (initializer '${t.name ?? ''}' is ${t.data_type === DataType.INT4 ? 'INT4' : 'UINT4'})`);
  }
}

/** Every graph of the model (main graph first), with the graphs enclosing each. */
function graphTree(model: ModelProto): Array<{ graph: Graph; scope: Graph[] }> {
  const found: Array<{ graph: Graph; scope: Graph[] }> = [];
  const stack: Array<{ graph: Graph; scope: Graph[] }> = model.graph ? [{ graph: model.graph, scope: [model.graph] }] : [];
  while (stack.length) {
    const visit = stack.pop()!;
    found.push(visit);
    for (const node of [...(visit.graph.node ?? [])].reverse()) {
      for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) stack.push({ graph: sub, scope: [...visit.scope, sub] });
    }
  }
  return found;
}

/** Names a graph defines itself (inputs, node outputs): they hide outer constants of the same name. */
function definedNames(graph: Graph): Set<string> {
  const names = new Set<string>();
  for (const v of graph.input ?? []) if (v.name) names.add(v.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) names.add(o);
  return names;
}

interface Constant {
  tensor: Tensor;
  /** The graph holding the initializer. */
  owner: Graph;
}

/** get_initializer: the innermost graph's initializer of that name, unless a nearer graph defines the name otherwise. */
function lookupInitializer(name: string, scope: Graph[], defined: Map<Graph, Set<string>>): Constant | undefined {
  for (let i = scope.length - 1; i >= 0; i--) {
    const g = scope[i];
    const t = (g.initializer ?? []).find((x) => x.name === name);
    if (t) return { tensor: t, owner: g };
    let d = defined.get(g);
    if (!d) defined.set(g, (d = definedNames(g)));
    if (d.has(name)) return undefined;
  }
  return undefined;
}

interface Weight extends Constant {
  /** The product uses the transpose of the stored [N, K] matrix. */
  transposed: boolean;
  /** A `Transpose` node between the constant and the product, to drop once unused. */
  transpose?: Node;
}

/** The node's constant 2-D float weight, or why it has none. */
function findWeight(node: Node, scope: Graph[], defined: Map<Graph, Set<string>>, producers: Map<string, Node>): Weight | string {
  const b = node.input?.[1] ?? '';
  let transposed = node.op_type === 'Gemm' && attrInt(node, 'transB', 0) !== 0;
  let transpose: Node | undefined;
  let c = lookupInitializer(b, scope, defined);
  if (!c) {
    // MatMul(A, Transpose(W)) as exporters write nn.Linear: W [N, K] is quantized transposed, like Gemm's transB.
    const p = producers.get(b);
    const perm = p ? attrInts(p, 'perm') : undefined;
    if (p && p.op_type === 'Transpose' && isDefaultDomain(p) && (!perm || (perm.length === 2 && perm[0] === 1 && perm[1] === 0))) {
      c = lookupInitializer(p.input?.[0] ?? '', scope, defined);
      if (c) {
        transposed = !transposed;
        transpose = p;
      }
    }
  }
  if (!c) return 'B is not a constant';
  const dims = tensorDims(c.tensor);
  if (dims.length !== 2) return `B is ${dims.length}-D, not 2-D`;
  if (!WEIGHT_TYPES.has(c.tensor.data_type ?? 0)) return 'B is neither float32 nor float16';
  if (c.tensor.data_location === onnx.TensorProto.DataLocation.EXTERNAL) return 'B is in external data that has not been loaded';
  return { ...c, transposed, transpose };
}

/**
 * The weight as the [K, N] float32 matrix the product multiplies by: handed over as stored (float32 raw_data as its
 * bytes, unaligned or not, read a slice at a time by the quantizer; [N, K] marked `transposed`), not copied.
 */
function weightMatrix(w: Weight): Int4Weight {
  const t = w.tensor;
  const [rows, cols] = tensorDims(t);
  const half = t.data_type === DataType.FLOAT16;
  const raw = t.raw_data;
  const values = t.data_type === DataType.FLOAT && raw && has(t, 'raw_data') && raw.byteLength === rows * cols * 4 ? raw : tensorToFloat32(t);
  return w.transposed ? { values, K: cols, N: rows, half, transposed: true } : { values, K: rows, N: cols, half };
}

/** Per-graph node rewrites: the nodes to put in place of each replaced node. */
type Replacements = Map<Node, Node[]>;

export async function quantizeInt4(model: ModelProto, options: QuantizeInt4Options = {}, context: RewriteContext = {}): Promise<RewriteResult> {
  const { blockSize, symmetric, format, accuracyLevel } = checkOptions(options);
  const include = options.nodesToInclude?.length ? new Set(options.nodesToInclude) : undefined;
  const exclude = new Set(options.nodesToExclude ?? []);
  if (!model.graph) throw new OmnihubError('not-onnx', 'quantize-int4: the model has no graph');
  refuseQuantized(graphTree(model).map((v) => v.graph));

  const before = modelCounts(model);
  const out = cloneModel(model);
  const tree = graphTree(out);
  const newName = nameFactory(out);
  const defined = new Map<Graph, Set<string>>();
  const qdq = format === 'qdq';

  // One quantized copy per (weight, orientation): a weight read by several products is quantized once.
  const quantized = new Map<Tensor, Map<boolean, string[]>>();
  // QDQ: one DequantizeLinear per (graph, weight, orientation), placed before its first reader.
  const dequantized = new Map<Graph, Map<string, string>>();
  const replacedWeights = new Map<Graph, Set<string>>();
  const bypassed: Array<{ graph: Graph; node: Node }> = [];
  const skipped = new Map<string, string[]>();
  const counts = { MatMul: 0, Gemm: 0, transposed: 0, biasAdds: 0 };
  let weightBytes = 0;
  const skip = (node: Node, why: string) => {
    const key = `${node.op_type}: ${why}`;
    const list = skipped.get(key) ?? [];
    list.push(node.name || node.output?.[0] || '');
    skipped.set(key, list);
  };

  /** The names of the quantized tensors of `w` ([data, scales, zero points?]), made once and added to its graph. */
  const quantizedTensors = (w: Weight): string[] => {
    let byOrientation = quantized.get(w.tensor);
    if (!byOrientation) quantized.set(w.tensor, (byOrientation = new Map()));
    const cached = byOrientation.get(w.transposed);
    if (cached) return cached;
    const base = w.tensor.name ?? '';
    const m = weightMatrix(w);
    const scaleType = m.half ? DataType.FLOAT16 : DataType.FLOAT;
    const made: Tensor[] = [];
    if (qdq) {
      const q = quantizeForQdq(m, blockSize, symmetric);
      // make_tensor(..., raw=True) of the reference: packed bytes with the logical [K, N] shape.
      made.push(makeTensor(newName(`${base}_DQ_Q4`), symmetric ? DataType.INT4 : DataType.UINT4, [m.K, m.N], q.packed));
      made.push(makeTensor(newName(`${base}_DQ_scales`), scaleType, [q.kBlocks, m.N], q.scales));
      if (q.zeroPoints) made.push(makeTensor(newName(`${base}_DQ_zero_points`), DataType.UINT4, [q.kBlocks, m.N], q.zeroPoints));
    } else {
      const q = quantizeForMatMulNBits(m, blockSize, symmetric);
      made.push(makeTensor(newName(`${base}_Q4`), DataType.UINT8, [m.N, q.kBlocks, blockSize / 2], q.packed));
      made.push(makeTensor(newName(`${base}_scales`), scaleType, [m.N, q.kBlocks], q.scales));
      if (q.zeroPoints) made.push(makeTensor(newName(`${base}_zero_points`), DataType.UINT8, [m.N, Math.ceil(q.kBlocks / 2)], q.zeroPoints));
    }
    w.owner.initializer = [...(w.owner.initializer ?? []), ...made];
    if (toNumber(out.ir_version) < 4) w.owner.input = [...(w.owner.input ?? []), ...made.map(valueInfoOf)];
    weightBytes += made.reduce((n, t) => n + (t.raw_data?.byteLength ?? 0), 0);
    const names = made.map((t) => t.name ?? '');
    byOrientation.set(w.transposed, names);
    return names;
  };

  const nodeName = (node: Node, suffix: string) => (node.name ? `${node.name}${suffix}` : '');

  for (const [gi, { graph, scope }] of tree.entries()) {
    throwIfStopped(context.signal);
    context.onProgress?.({ fraction: gi / tree.length, message: `quantizing weights (graph ${gi + 1} of ${tree.length})` });
    const producers = new Map<string, Node>();
    for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) producers.set(o, n);
    const replacements: Replacements = new Map();
    for (const node of graph.node ?? []) {
      if (!isDefaultDomain(node) || (node.op_type !== 'MatMul' && node.op_type !== 'Gemm')) continue;
      const name = node.name ?? '';
      if (exclude.has(name) || (include && !include.has(name))) continue;
      const isGemm = node.op_type === 'Gemm';
      if (isGemm && !qdq) {
        // MatMulNBits computes A·B only: alpha would have to go into the weights and transA into A.
        if (attrInt(node, 'transA', 0) !== 0) { skip(node, 'transA=1'); continue; }
        if (attrFloat(node, 'alpha', 1) !== 1) { skip(node, 'alpha ≠ 1'); continue; }
      }
      const w = findWeight(node, scope, defined, producers);
      if (typeof w === 'string') { skip(node, w); continue; }
      const [qName, scaleName, zpName] = quantizedTensors(w);
      const weightName = w.tensor.name ?? '';
      if (!replacedWeights.has(w.owner)) replacedWeights.set(w.owner, new Set());
      replacedWeights.get(w.owner)!.add(weightName);
      if (w.transpose) bypassed.push({ graph, node: w.transpose });
      if (w.transposed) counts.transposed++;
      counts[isGemm ? 'Gemm' : 'MatMul']++;
      const a = node.input?.[0] ?? '';
      const y = node.output?.[0] ?? '';
      const made: Node[] = [];

      if (qdq) {
        let perGraph = dequantized.get(graph);
        if (!perGraph) dequantized.set(graph, (perGraph = new Map()));
        const key = `${weightName}\u0000${w.transposed}`;
        let dqOut = perGraph.get(key);
        if (!dqOut) {
          dqOut = newName(`${qName}_output`);
          perGraph.set(key, dqOut);
          made.push(makeNode('DequantizeLinear', [qName, scaleName, ...(zpName ? [zpName] : [])], [dqOut], nodeName(node, '_DQ_Q4'), { axis: 0, block_size: blockSize }));
        }
        if (isGemm) {
          // The Gemm stays (alpha, beta, C, transA as they were) and reads the [K, N] dequantized weight.
          const gemm = cloneNode(node);
          gemm.name = nodeName(node, '_gemm_Q4');
          gemm.input![1] = dqOut;
          removeAttribute(gemm, 'transB');
          made.push(gemm);
        } else {
          made.push(makeNode('MatMul', [a, dqOut], [...(node.output ?? [])], nodeName(node, '_matmul_Q4')));
        }
      } else {
        const attrs: Record<string, number> = { K: tensorDims(w.tensor)[w.transposed ? 1 : 0], N: tensorDims(w.tensor)[w.transposed ? 0 : 1], bits: 4, block_size: blockSize };
        // As the reference: accuracy_level only when set, since most execution providers do not take it.
        if (accuracyLevel) attrs.accuracy_level = accuracyLevel;
        const inputs = [a, qName, scaleName, ...(zpName ? [zpName] : [])];
        const c = isGemm ? node.input?.[2] ?? '' : '';
        const beta = attrFloat(node, 'beta', 1);
        if (!c || beta === 0) {
          made.push(makeNode('MatMulNBits', inputs, [y], nodeName(node, '_Q4'), attrs, MS_DOMAIN));
        } else {
          // Gemm's C (unidirectionally broadcastable to [M, N]) added after the product, scaled by beta first.
          const product = newName(`${y}_Q4`);
          made.push(makeNode('MatMulNBits', inputs, [product], nodeName(node, '_Q4'), attrs, MS_DOMAIN));
          let bias = c;
          if (beta !== 1) {
            const constC = lookupInitializer(c, scope, defined);
            if (constC && WEIGHT_TYPES.has(constC.tensor.data_type ?? 0) && constC.tensor.data_location !== onnx.TensorProto.DataLocation.EXTERNAL) {
              bias = newName(`${c}_beta`);
              graph.initializer = [...(graph.initializer ?? []), scaledTensor(bias, constC.tensor, beta)];
              if (!replacedWeights.has(constC.owner)) replacedWeights.set(constC.owner, new Set());
              replacedWeights.get(constC.owner)!.add(c);
            } else {
              const betaName = newName(`${node.name || y}_beta`);
              const half = w.tensor.data_type === DataType.FLOAT16;
              graph.initializer = [...(graph.initializer ?? []), half
                ? makeTensor(betaName, DataType.FLOAT16, [], Uint16Array.of(float32ToFloat16Bits(beta)))
                : makeTensor(betaName, DataType.FLOAT, [], Float32Array.of(beta))];
              bias = newName(`${c}_beta`);
              made.push(makeNode('Mul', [c, betaName], [bias], nodeName(node, '_Q4_beta')));
            }
          }
          made.push(makeNode('Add', [product, bias], [y], nodeName(node, '_Q4_bias')));
          counts.biasAdds++;
        }
      }
      replacements.set(node, made);
    }
    if (replacements.size) graph.node = (graph.node ?? []).flatMap((n) => replacements.get(n) ?? [n]);
  }

  const total = counts.MatMul + counts.Gemm;
  const notes: string[] = [];
  const skippedNotes = [...skipped.entries()].map(([why, names]) => `left in float: ${plural(names.length, 'node')} (${why}): ${quoteList(names, 4)}`);
  if (!total) {
    notes.push('nothing to quantize: no MatMul or Gemm with a constant 2-D float weight' + (include || exclude.size ? ' among the nodes selected' : ''), ...skippedNotes);
    return { model: out, report: makeReport('quantize-int4', before, out, notes) };
  }

  // Transposes that only fed quantized products go, then float weights nothing reads any more.
  let removedWeights = 0;
  let removedBytes = 0;
  for (const { graph, node } of bypassed) {
    const outName = node.output?.[0] ?? '';
    if (!graph.node?.includes(node) || namesRead(graph).has(outName)) continue;
    // Its input, the float weight, is already among replacedWeights (under the graph that owns it).
    graph.node = graph.node.filter((n) => n !== node);
  }
  const kept: string[] = [];
  for (const [graph, names] of replacedWeights) {
    const read = namesRead(graph);
    const gone = new Set([...names].filter((n) => !read.has(n)));
    kept.push(...[...names].filter((n) => read.has(n)));
    if (!gone.size) continue;
    for (const t of graph.initializer ?? []) if (gone.has(t.name ?? '')) { removedWeights++; removedBytes += t.raw_data?.byteLength ?? 0; }
    graph.initializer = (graph.initializer ?? []).filter((t) => !gone.has(t.name ?? ''));
    // The reference drops B from the graph inputs too: a weight overridable by a feed was never really constant.
    graph.input = (graph.input ?? []).filter((v) => !gone.has(v.name ?? ''));
    graph.value_info = (graph.value_info ?? []).filter((v) => !gone.has(v.name ?? ''));
  }

  // Opsets: com.microsoft 1 for MatMulNBits; default domain 21 for DequantizeLinear's block_size.
  if (qdq) {
    const from = opsetVersion(out, '');
    if (from < QDQ_OPSET) {
      const risks = opsetRaiseRisks(from, tree.flatMap(({ graph }) => graph.node ?? []));
      if (risks.length) {
        throw new OmnihubError('unsupported', `quantize-int4: the QDQ format needs opset ${QDQ_OPSET} (DequantizeLinear with block_size), and raising this model's opset ${from} is not safe: ${risks.join('; ')}. Use format "matmulnbits" instead.`);
      }
      out.opset_import = (out.opset_import ?? []).map((o) => ((o.domain ?? '') === '' || o.domain === 'ai.onnx' ? new onnx.OperatorSetIdProto({ domain: o.domain ?? '', version: QDQ_OPSET }) : o));
      if (!opsetVersion(out, '')) out.opset_import.push(new onnx.OperatorSetIdProto({ domain: '', version: QDQ_OPSET }));
      notes.push(`opset ${from} → ${QDQ_OPSET} (DequantizeLinear with block_size; no operator in the model changed meaning in between)`);
    }
    const ir = toNumber(out.ir_version);
    if (ir < INT4_IR_VERSION) {
      out.ir_version = INT4_IR_VERSION;
      notes.push(`IR version ${ir} → ${INT4_IR_VERSION} (INT4/UINT4 tensors)`);
    }
  } else if (!opsetVersion(out, MS_DOMAIN)) {
    out.opset_import = [...(out.opset_import ?? []), new onnx.OperatorSetIdProto({ domain: MS_DOMAIN, version: 1 })];
  }

  const kind = `4-bit, block ${blockSize}, ${symmetric ? 'symmetric' : 'asymmetric'}`;
  const target = qdq ? `DequantizeLinear (${symmetric ? 'INT4' : 'UINT4'}) +` : 'MatMulNBits';
  if (counts.MatMul) notes.push(`MatMul → ${target}${qdq ? ' MatMul' : ''} ×${counts.MatMul} (${kind})`);
  if (counts.Gemm) notes.push(`Gemm → ${target}${qdq ? ' Gemm' : counts.biasAdds ? ' + Add' : ''} ×${counts.Gemm} (${kind})`);
  if (counts.transposed) notes.push(`${plural(counts.transposed, 'weight')} stored transposed (Gemm transB=1 or MatMul of a Transpose) quantized as the [K, N] matrix used`);
  if (accuracyLevel && !qdq) notes.push(`accuracy_level ${accuracyLevel}`);
  if (accuracyLevel && qdq) notes.push('accuracyLevel ignored: it is a MatMulNBits attribute, and the QDQ format has none');
  notes.push(`float weights removed ×${removedWeights} (${removedBytes} bytes) → 4-bit weights, scales${symmetric ? '' : ' and zero points'} (${weightBytes} bytes)`);
  // A weight another node reads too (an embedding tied to the output projection) stays float beside its 4-bit copy.
  if (kept.length) notes.push(`float weights still read by other nodes, kept: ${quoteList(kept)}`);
  notes.push(...skippedNotes);
  context.onProgress?.({ fraction: 1 });
  return { model: out, report: makeReport('quantize-int4', before, out, notes) };
}

/** C·beta as a new tensor of C's type (float32 products rounded as Gemm computes them). */
function scaledTensor(name: string, c: Tensor, beta: number): Tensor {
  const values = tensorToFloat32(c);
  const dims = tensorDims(c);
  if (c.data_type === DataType.FLOAT16) return makeTensor(name, DataType.FLOAT16, dims, Uint16Array.from(values, (v) => float32ToFloat16Bits(Math.fround(v * beta))));
  return makeTensor(name, DataType.FLOAT, dims, Float32Array.from(values, (v) => v * beta));
}

function valueInfoOf(t: Tensor): onnx.ValueInfoProto {
  const dims = tensorDims(t).map((d) => new onnx.TensorShapeProto.Dimension({ dim_value: d }));
  return new onnx.ValueInfoProto({
    name: t.name ?? '',
    type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: t.data_type ?? 0, shape: new onnx.TensorShapeProto({ dim: dims }) }) }),
  });
}

export const quantizeInt4Step: RewriteStep<QuantizeInt4Options> = {
  name: 'quantize-int4',
  description: '4-bit block-wise weight-only quantization of MatMul and Gemm weights (onnxruntime MatMulNBitsQuantizer: MatMulNBits, or DequantizeLinear in QDQ form)',
  options: {
    blockSize: { type: 'integer', description: 'elements per block along K: 16, 32, 64, 128 or 256 (default 32)' },
    symmetric: { type: 'boolean', description: 'symmetric blocks with no zero points (default true); false adds zero points' },
    format: { type: 'string', description: 'matmulnbits (com.microsoft MatMulNBits, default) or qdq (DequantizeLinear + MatMul, opset 21)', choices: ['matmulnbits', 'qdq'] },
    nodesToInclude: { type: 'string[]', description: 'only these MatMul/Gemm nodes, by name' },
    nodesToExclude: { type: 'string[]', description: 'never these nodes, by name' },
    accuracyLevel: { type: 'integer', description: 'MatMulNBits accuracy_level 0–4 (0 = unset, default; 4 = int8 compute)' },
  },
  async run(model, options, context) {
    return quantizeInt4(model, options, context);
  },
};
