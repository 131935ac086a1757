/**
 * quantize-int8-dynamic: onnxruntime's `quantize_dynamic` (QOperator form, IntegerOps registry), node for node and
 * tensor for tensor where its output is valid (../shared/guide/reference-algorithms.md §1.2; onnxruntime
 * python/tools/quantization: quantize.py, onnx_quantizer.py, base_quantizer.py, onnx_model.py
 * replace_gemm_with_matmul, operators/{matmul,conv,gather,direct_q8}.py).
 *
 * - Gemm (alpha = beta = 1, no transA) → MatMul [+ Add]; a transB constant B is transposed into a new initializer.
 * - MatMul with a constant B → DynamicQuantizeLinear on A (`<A>_QuantizeLinear`, one per tensor, shared by all its
 *   readers) + MatMulInteger + Cast + Mul by (A scale · B scale); B int8 symmetric (uint8: asymmetric), per tensor
 *   or per column (`perChannel`, axis −1).
 * - Conv with a constant weight → ConvInteger (weight per tensor always, as onnxruntime's dynamic mode does) + Cast
 *   + Mul, the bias added back in float through Reshape(bias, [1, −1, 1, …]) + Add.
 * - Gather on a float constant table → Gather on a uint8 (asymmetric, per tensor) table, DequantizeLinear after it
 *   for readers that want floats; Transpose of an already quantized tensor moves onto the quantized data.
 * - Opset ≤ 10 (no DynamicQuantizeLinear): ReduceMin/ReduceMax + QuantizeLinear, as onnxruntime's fallback, but
 *   with zero kept inside the range as DynamicQuantizeLinear does (onnxruntime's fallback omits that, and its zero
 *   point wraps around for an all-positive tensor). Opset < 10 models are converted to opset 10 first.
 * - The float weights nothing reads any more are removed.
 *
 * Where onnxruntime fails or writes an invalid model, this step does not: initializers listed as graph inputs are
 * frozen first (freeze); weights held by Constant nodes count as constants (they become initializers); nodes inside
 * If/Loop/Scan bodies are quantized too (onnxruntime's EnableSubgraph), with weights from the enclosing graphs.
 */
import { onnx, toNumber, type ModelProto } from '../../onnx/codec.js';
import { DataType, dataTypeName, tensorDims } from '../../onnx/tensor.js';
import { walkGraphs } from '../../onnx/walk.js';
import { OmnihubError } from '../../errors.js';
import { throwIfStopped } from '../abort.js';
import { attrFloat, attrInt, cloneModel, countOps, makeNode, makeTensor, nameFactory, namesRead, opsetVersion, tensorByteLength, type Graph, type Node, type Tensor, graphAndSubgraphs } from '../graph.js';
import { formatOpCounts, makeReport, modelCounts, plural, quoteList } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';
import type { QuantType } from '../quant/math.js';
import { freeze } from '../freeze/index.js';
import { constantValue } from '../simplify/extract-constants.js';
import { valueInfoOf } from '../simplify/scope.js';
import { quantizeWeight, transposed2d, type WeightQuantization } from './weights.js';
import { upgradeToOpset10 } from './opset10.js';

export interface QuantizeDynamicOptions {
  /** Weight type: 'int8' (symmetric, the default) or 'uint8' (asymmetric). Activations are always uint8. */
  weightType?: 'int8' | 'uint8';
  /** MatMul weights get one scale per column (axis −1); Conv weights stay per tensor, as onnxruntime does. */
  perChannel?: boolean;
  /** 7-bit weight ranges (int8 [−64, 64], uint8 [0, 127]), for CPUs without VNNI. */
  reduceRange?: boolean;
  /** Op types to quantize (default Conv, MatMul, Gather, Transpose); Gemm is handled as MatMul. */
  opTypes?: string[];
  /** Only nodes of these names (a Gemm's name selects the MatMul it becomes). */
  nodesToInclude?: string[];
  /** Never these nodes. */
  nodesToExclude?: string[];
}

const STEP = 'quantize-int8-dynamic';
/** onnxruntime's IntegerOpsRegistry minus its com.microsoft forms (Attention, LSTM, EmbedLayerNormalization), plus Gemm. */
const QUANTIZABLE_OPS = ['Conv', 'MatMul', 'Gemm', 'Gather', 'Transpose'] as const;
export const DEFAULT_OP_TYPES: readonly string[] = ['Conv', 'MatMul', 'Gather', 'Transpose'];

/** Operators only a quantized model has: a model holding them was quantized before. */
const QUANTIZED_OP = /^(MatMulInteger|ConvInteger|QuantizeLinear|DequantizeLinear|DynamicQuantizeLinear|MatMulNBits|MatMulBnb4|QGemm|QAttention|QEmbedLayerNormalization|DynamicQuantizeMatMul|DynamicQuantizeLSTM|MatMulIntegerToFloat|QLinear\w*)$/;

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';
const bytes = (n: number) => n.toLocaleString('en-US');

/** A quantized tensor: its data, scale and zero point names (onnxruntime's QuantizedValue). */
interface QValue {
  q: string;
  scale: string;
  zp: string;
  perChannel: boolean;
  /** The graph holding q, scale and zero point: only it and the graphs nested in it can read them. */
  graph: Graph;
}

/** One graph being rewritten: its new node list, the names it defines so far, and the graph around it. */
interface Frame {
  graph: Graph;
  parent: Frame | null;
  out: Node[];
  defined: Set<string>;
}

interface Settings {
  weightType: QuantType;
  perChannel: boolean;
  reduceRange: boolean;
  opTypes: Set<string>;
  include: Set<string>;
  exclude: Set<string>;
}

// ---- options ----

function stringList(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new OmnihubError('bad-recipe', `${STEP}: option '${option}' must be an array of strings`);
  return value as string[];
}

function checkBoolean(value: unknown, option: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new OmnihubError('bad-recipe', `${STEP}: option '${option}' must be true or false`);
  return value;
}

function settingsOf(options: QuantizeDynamicOptions): Settings {
  const weightType = options.weightType ?? 'int8';
  if (weightType !== 'int8' && weightType !== 'uint8') throw new OmnihubError('bad-recipe', `${STEP}: option 'weightType' must be "int8" or "uint8", got ${JSON.stringify(weightType)}`);
  const opTypes = stringList(options.opTypes, 'opTypes') ?? [...DEFAULT_OP_TYPES];
  const unknown = opTypes.filter((t) => !(QUANTIZABLE_OPS as readonly string[]).includes(t));
  if (unknown.length) {
    throw new OmnihubError('bad-recipe', `${STEP}: option 'opTypes' names ${quoteList(unknown)}, which this step cannot quantize (it quantizes ${QUANTIZABLE_OPS.join(', ')})`);
  }
  return {
    weightType,
    perChannel: checkBoolean(options.perChannel, 'perChannel'),
    reduceRange: checkBoolean(options.reduceRange, 'reduceRange'),
    opTypes: new Set(opTypes),
    include: new Set(stringList(options.nodesToInclude, 'nodesToInclude') ?? []),
    exclude: new Set(stringList(options.nodesToExclude, 'nodesToExclude') ?? []),
  };
}

function checkNodeNames(graph: Graph, settings: Settings): void {
  const known = new Set<string>();
  for (const g of graphAndSubgraphs(graph)) {
    for (const node of g.node ?? []) {
      if (!node.name) continue;
      known.add(node.name);
      if (node.op_type === 'Gemm') known.add(`${node.name}_MatMul`);
    }
  }
  for (const [option, names] of [['nodesToInclude', settings.include], ['nodesToExclude', settings.exclude]] as const) {
    const missing = [...names].filter((n) => !known.has(n));
    if (missing.length) throw new OmnihubError('bad-recipe', `${STEP}: option '${option}' names ${missing.length > 1 ? 'nodes' : 'a node'} the model does not have: ${quoteList(missing)}`);
  }
}

// ---- the rewrite ----

class DynamicQuantizer {
  /** Everything quantized so far, by the float name it stands for (weights, activations, renamed outputs). */
  readonly qmap = new Map<string, QValue>();
  /** Float outputs whose producer now writes the quantized form (Gather, Transpose): DequantizeLinear where read. */
  readonly renamed = new Map<string, { graph: Graph; node: Node; value: QValue }>();
  /** Float initializers that got a quantized version: removed at the end when nothing reads them any more. */
  readonly replaced = new Set<string>();
  /** Every initializer of every graph by name (names are unique across a model's graphs), constants only. */
  readonly initializers = new Map<string, { graph: Graph; tensor: Tensor }>();
  /** The Gemm a MatMul came from (its name selects the MatMul too). */
  readonly fromGemm = new Map<Node, string>();
  readonly quantizedBytes = { before: 0, after: 0 };
  readonly done: Record<string, number> = {};
  readonly skipped = new Map<string, number>();
  readonly notes: string[] = [];
  activations = 0;
  private fixedRange: { range: string; zero: string } | undefined;
  private visited = 0;

  constructor(
    readonly model: ModelProto,
    readonly settings: Settings,
    readonly fresh: (base: string) => string,
    /** onnxruntime's fuse_dynamic_quant: DynamicQuantizeLinear exists from opset 11. */
    readonly fuse: boolean,
    readonly context: RewriteContext,
    readonly totalNodes: number,
  ) {
    const ir = toNumber(model.ir_version);
    const main = model.graph!;
    for (const g of graphAndSubgraphs(main)) {
      // An initializer listed as an input of its graph is an overridable default, not a constant (IR ≥ 4; below
      // IR 4 the main graph must list every initializer, and runtimes treat them as constants).
      const inputs = g === main && ir < 4 ? new Set<string>() : new Set((g.input ?? []).map((v) => v.name ?? ''));
      for (const t of g.initializer ?? []) if (t.name && !inputs.has(t.name)) this.initializers.set(t.name, { graph: g, tensor: t });
    }
  }

  skip(reason: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  count(what: string): void {
    this.done[what] = (this.done[what] ?? 0) + 1;
  }

  selected(node: Node): boolean {
    const names = [node.name, this.fromGemm.get(node)].filter((n): n is string => !!n);
    if (this.settings.include.size && !names.some((n) => this.settings.include.has(n))) return false;
    return !names.some((n) => this.settings.exclude.has(n));
  }

  /** A float32 constant weight of that name, or undefined (computed, other type, or not a tensor name at all). */
  floatConstant(name: string): Tensor | undefined {
    const found = this.initializers.get(name);
    return found && found.tensor.data_type === DataType.FLOAT ? found.tensor : undefined;
  }

  addInitializer(graph: Graph, t: onnx.TensorProto): void {
    (graph.initializer ??= []).push(t);
  }

  // ---- Gemm → MatMul [+ Add] (onnx_model.py replace_gemm_with_matmul), before quantizing ----

  replaceGemms(): void {
    const uses = new Map<string, number>();
    for (const g of graphAndSubgraphs(this.model.graph!)) {
      for (const node of g.node ?? []) for (const n of node.input ?? []) if (n) uses.set(n, (uses.get(n) ?? 0) + 1);
      for (const o of g.output ?? []) if (o.name) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
    }
    const wanted = this.settings.opTypes.has('MatMul') || this.settings.opTypes.has('Gemm');
    const kept = new Map<string, number>();
    let replaced = 0;
    let adds = 0;
    for (const graph of [...graphAndSubgraphs(this.model.graph!)]) {
      const nodes: Node[] = [];
      for (const node of graph.node ?? []) {
        if (node.op_type !== 'Gemm' || !isDefaultDomain(node) || !wanted) {
          nodes.push(node);
          continue;
        }
        // The Gemm's own name selects it, as does the name of the MatMul it becomes (the one onnxruntime matches).
        const names = [node.name, node.name ? `${node.name}_MatMul` : ''].filter((n): n is string => !!n);
        const chosen = (!this.settings.include.size || names.some((n) => this.settings.include.has(n))) && !names.some((n) => this.settings.exclude.has(n));
        if (!chosen) {
          nodes.push(node);
          continue;
        }
        const b = node.input?.[1] ?? '';
        const weight = this.floatConstant(b);
        const alpha = attrFloat(node, 'alpha', 1);
        const beta = attrFloat(node, 'beta', 1);
        const transA = attrInt(node, 'transA', 0);
        const transB = attrInt(node, 'transB', 0);
        // onnxruntime rewrites only alpha = beta = 1, transA = 0 and leaves other Gemms in float. A Gemm that would
        // not be quantized (B computed at run time) is left as it is here rather than rewritten for nothing.
        let reason = '';
        if (alpha !== 1 || beta !== 1 || transA !== 0) reason = 'Gemm kept in float: alpha ≠ 1, beta ≠ 1 or transA (onnxruntime rewrites only plain Gemm into MatMul)';
        else if (!weight) reason = 'Gemm kept in float: B is not a float32 constant';
        else if (tensorDims(weight).length !== 2) reason = 'Gemm kept in float: B is not 2-D';
        if (reason) {
          kept.set(reason, (kept.get(reason) ?? 0) + 1);
          nodes.push(node);
          continue;
        }
        let inputB = b;
        if (transB) {
          const owner = this.initializers.get(b)!;
          // onnxruntime transposes B in place under its own name ("assume B is not used by any other node"); a B
          // that other nodes also read gets a transposed copy under a new name instead.
          const name = (uses.get(b) ?? 0) > 1 ? this.fresh(`${b}_transposed`) : b;
          const t = transposed2d(weight!, name);
          if (name === b) {
            const list = owner.graph.initializer!;
            list[list.indexOf(owner.tensor)] = t;
          } else this.addInitializer(owner.graph, t);
          this.initializers.set(name, { graph: owner.graph, tensor: t });
          inputB = name;
          if (name !== b) uses.set(b, (uses.get(b) ?? 1) - 1);
        }
        const y = node.output?.[0] ?? '';
        const bias = node.input?.[2] ?? '';
        const matmulOut = bias ? this.fresh(`${y}_MatMul`) : y;
        const matmul = makeNode('MatMul', [node.input?.[0] ?? '', inputB], [matmulOut], node.name ? this.fresh(`${node.name}_MatMul`) : '');
        this.fromGemm.set(matmul, node.name ?? '');
        nodes.push(matmul);
        if (bias) {
          nodes.push(makeNode('Add', [matmulOut, bias], [y], node.name ? this.fresh(`${node.name}_Add`) : ''));
          adds++;
        }
        replaced++;
      }
      graph.node = nodes;
    }
    if (replaced) this.notes.push(`Gemm → MatMul ×${replaced}${adds ? ` (+ Add ×${adds} for the bias)` : ''}, as onnxruntime's replace_gemm_with_matmul (transB weights transposed)`);
    for (const [reason, n] of kept) this.notes.push(`${reason} ×${n}`);
  }

  // ---- the walk ----

  run(): void {
    this.walk(this.model.graph!, null);
    this.dequantizeRenamed();
    this.removeReplacedWeights();
  }

  private walk(graph: Graph, parent: Frame | null): void {
    const defined = new Set<string>();
    for (const v of graph.input ?? []) if (v.name) defined.add(v.name);
    for (const t of graph.initializer ?? []) if (t.name) defined.add(t.name);
    const frame: Frame = { graph, parent, out: [], defined };
    for (const node of graph.node ?? []) {
      if (++this.visited % 64 === 0) {
        throwIfStopped(this.context.signal);
        this.context.onProgress?.({ fraction: Math.min(0.95, this.visited / Math.max(1, this.totalNodes)), message: 'quantizing' });
      }
      // Bodies first, as onnxruntime's quantize_node_with_sub_graph: quantizing an outer activation read inside a
      // body puts its DynamicQuantizeLinear into the outer graph, before this node.
      for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) this.walk(sub, frame);
      if (!this.quantizeNode(node, frame)) this.emit(frame, node);
    }
    graph.node = frame.out;
  }

  private emit(frame: Frame, node: Node): void {
    frame.out.push(node);
    for (const o of node.output ?? []) if (o) frame.defined.add(o);
  }

  private quantizeNode(node: Node, frame: Frame): boolean {
    if (!isDefaultDomain(node) || !this.selected(node)) return false;
    const ops = this.settings.opTypes;
    switch (node.op_type) {
      case 'MatMul':
        return (ops.has('MatMul') || (this.fromGemm.has(node) && ops.has('Gemm'))) && this.quantizeMatMul(node, frame);
      case 'Conv':
        return ops.has('Conv') && this.quantizeConv(node, frame);
      case 'Gather':
        return ops.has('Gather') && this.quantizeGather(node, frame);
      case 'Transpose':
        return ops.has('Transpose') && this.quantizeTranspose(node, frame);
      default:
        return false;
    }
  }

  /**
   * A quantized value the current graph can read. Names are unique along a chain of nested graphs, but two sibling
   * bodies (an If's branches) may each define a tensor of the same name: the other branch's quantized form is not
   * this one's.
   */
  private known(name: string, frame: Frame): QValue | undefined {
    const hit = this.qmap.get(name);
    if (!hit) return undefined;
    for (let f: Frame | null = frame; f; f = f.parent) if (f.graph === hit.graph) return hit;
    return undefined;
  }

  /** The weight's quantized form: made once per weight (onnxruntime's quantized_value_map), next to the weight. */
  private weight(name: string, how: WeightQuantization, frame: Frame): QValue {
    const hit = this.known(name, frame);
    if (hit) return hit;
    const owner = this.initializers.get(name)!;
    const names = { quantized: this.fresh(`${name}_quantized`), scale: this.fresh(`${name}_scale`), zeroPoint: this.fresh(`${name}_zero_point`) };
    const w = quantizeWeight(owner.tensor, how, names);
    for (const t of [w.scale, w.zeroPoint, w.quantized]) {
      this.addInitializer(owner.graph, t);
      this.quantizedBytes.after += tensorByteLength(t);
    }
    this.replaced.add(name);
    const value: QValue = { q: names.quantized, scale: names.scale, zp: names.zeroPoint, perChannel: how.axis !== undefined && tensorDims(owner.tensor).length > 0, graph: owner.graph };
    this.qmap.set(name, value);
    return value;
  }

  /** The graph that defines `name`, from the current one outwards (a body may read any enclosing graph's tensors). */
  private ownerOf(name: string, frame: Frame): Frame {
    for (let f: Frame | null = frame; f; f = f.parent) if (f.defined.has(name)) return f;
    return frame;
  }

  /**
   * An activation's uint8 form: an already quantized value as it is; a float constant quantized once (uint8,
   * asymmetric: onnxruntime's activation type); anything else by DynamicQuantizeLinear at run time.
   */
  private activation(name: string, frame: Frame): QValue {
    const hit = this.known(name, frame);
    if (hit) return hit;
    if (this.floatConstant(name)) return this.weight(name, { type: 'uint8', symmetric: false, reduceRange: false }, frame);
    const owner = this.ownerOf(name, frame);
    const q = this.fresh(`${name}_quantized`);
    const scale = this.fresh(`${name}_scale`);
    const zp = this.fresh(`${name}_zero_point`);
    if (this.fuse) {
      this.emit(owner, makeNode('DynamicQuantizeLinear', [name], [q, scale, zp], this.fresh(`${name}_QuantizeLinear`)));
    } else {
      for (const n of this.reduceMinMaxQuantize(name, q, scale, zp)) this.emit(owner, n);
    }
    this.activations++;
    const value: QValue = { q, scale, zp, perChannel: false, graph: owner.graph };
    this.qmap.set(name, value);
    return value;
  }

  /**
   * onnx_quantizer.py _get_dynamic_input_quantization_params_uint8 (for opset 10): scale = (max − min) / 255,
   * zero point = Cast(Floor((0 − min) / scale)), then QuantizeLinear. min and max are first widened to include 0,
   * as DynamicQuantizeLinear does: without it an all-positive tensor (after Relu, a pooling) gets a negative zero
   * point that the uint8 Cast wraps around.
   */
  private reduceMinMaxQuantize(name: string, q: string, scale: string, zp: string): Node[] {
    if (!this.fixedRange) {
      const range = this.fresh('fixed_quantization_range_uint8');
      const zero = this.fresh('fixed_zero');
      this.addInitializer(this.model.graph!, new onnx.TensorProto({ name: range, data_type: DataType.FLOAT, dims: [], float_data: [255] }));
      this.addInitializer(this.model.graph!, new onnx.TensorProto({ name: zero, data_type: DataType.FLOAT, dims: [], float_data: [0] }));
      this.fixedRange = { range, zero };
    }
    const { range, zero } = this.fixedRange;
    const f = (base: string) => this.fresh(base);
    const min = f(`${name}_ReduceMin:0`);
    const max = f(`${name}_ReduceMax:0`);
    const min0 = f(`${name}_ReduceMin_Min:0`);
    const max0 = f(`${name}_ReduceMax_Max:0`);
    const sub = f(`${name}_scale_Sub:0`);
    const zsub = f(`${name}_zero_point_Sub:0`);
    const zdiv = f(`${name}_zero_point_Div:0`);
    const floor = f(`${name}_zero_point_Floor:0`);
    return [
      makeNode('ReduceMin', [name], [min], f(`${name}_ReduceMin`), { keepdims: 0 }),
      makeNode('ReduceMax', [name], [max], f(`${name}_ReduceMax`), { keepdims: 0 }),
      makeNode('Min', [min, zero], [min0], f(`${name}_ReduceMin_Min`)),
      makeNode('Max', [max, zero], [max0], f(`${name}_ReduceMax_Max`)),
      makeNode('Sub', [max0, min0], [sub], f(`${name}_scale_Sub`)),
      makeNode('Div', [sub, range], [scale], f(`${name}_scale_Div`)),
      makeNode('Sub', [zero, min0], [zsub], f(`${name}_zero_point_Sub`)),
      makeNode('Div', [zsub, scale], [zdiv], f(`${name}_zero_point_Div`)),
      makeNode('Floor', [zdiv], [floor], f(`${name}_zero_point_Floor`)),
      makeNode('Cast', [floor], [zp], f(`${name}_zero_point_Cast`), { to: DataType.UINT8 }),
      makeNode('QuantizeLinear', [name, scale, zp], [q], f(`${name}_QuantizeLinear`)),
    ];
  }

  private weightHow(axis?: number): WeightQuantization {
    // is_weight_symmetric: signed types symmetric, unsigned asymmetric; reduce_range = user flag ∧ op-level flag
    // (MatMul passes True, Conv the user's flag), so the user's flag in both cases.
    return { type: this.settings.weightType, symmetric: this.settings.weightType === 'int8', reduceRange: this.settings.reduceRange, axis };
  }

  /**
   * The integer op, its Cast back to float and the multiplication by the two scales (operators/matmul.py
   * MatMulInteger, operators/conv.py ConvInteger): `<node>_quant` → `<Y>_output_quantized`, Cast
   * `<Y>_output_quantized_cast`, Mul `<node>_quant_scales_mul`, Mul `<node>_quant_output_scale_mul` → `output`.
   */
  private integerOp(frame: Frame, node: Node, op: 'MatMulInteger' | 'ConvInteger', a: QValue, w: QValue, output: string): void {
    const y = node.output?.[0] ?? '';
    const name = node.name ? this.fresh(`${node.name}_quant`) : '';
    const intOut = this.fresh(`${y}_output_quantized`);
    const integer = makeNode(op, [a.q, w.q, a.zp, w.zp], [intOut], name);
    if (op === 'ConvInteger') integer.attribute = [...(node.attribute ?? [])];
    this.emit(frame, integer);
    const castOut = this.fresh(`${intOut}_cast_output`);
    this.emit(frame, makeNode('Cast', [intOut], [castOut], this.fresh(`${intOut}_cast`), { to: DataType.FLOAT }));
    const mulName = this.fresh(name ? `${name}_scales_mul` : `${a.scale}_${w.scale}_mul`);
    const scales = this.fresh(`${mulName}:0`);
    this.emit(frame, makeNode('Mul', [a.scale, w.scale], [scales], mulName));
    this.emit(frame, makeNode('Mul', [castOut, scales], [output], name ? this.fresh(`${name}_output_scale_mul`) : ''));
  }

  private quantizeMatMul(node: Node, frame: Frame): boolean {
    const [a, b] = node.input ?? [];
    if (!a || !b) return false;
    const weight = this.floatConstant(b);
    if (!weight) {
      // MatMulConstBOnly (quantize_dynamic's default): a product of two activations stays float.
      this.skip(this.initializers.has(b) ? `MatMul kept in float: B is ${dataTypeName(this.initializers.get(b)!.tensor.data_type)}, only float32 weights are quantized` : 'MatMul kept in float: B is computed at run time (onnxruntime quantizes MatMul with a constant B only)');
      return false;
    }
    const rank = tensorDims(weight).length;
    if (rank === 0) return false;
    // A constant A that is not float32 cannot be a MatMul input next to a float32 B; an activation A is float32
    // because MatMul's inputs share one type.
    if (this.initializers.has(a) && !this.floatConstant(a)) return false;
    const aq = this.activation(a, frame);
    const bq = this.weight(b, this.weightHow(this.settings.perChannel && rank >= 2 ? -1 : undefined), frame);
    this.integerOp(frame, node, 'MatMulInteger', aq, bq, node.output?.[0] ?? '');
    this.count(this.fromGemm.has(node) ? 'Gemm → MatMulInteger' : 'MatMul → MatMulInteger');
    return true;
  }

  private quantizeConv(node: Node, frame: Frame): boolean {
    const [x, w, bias] = node.input ?? [];
    if (!x || !w) return false;
    const weight = this.floatConstant(w);
    if (!weight) {
      this.skip(this.initializers.has(w) ? `Conv kept in float: its weight is ${dataTypeName(this.initializers.get(w)!.tensor.data_type)}, only float32 weights are quantized` : 'Conv kept in float: its weight is computed at run time, not a constant');
      return false;
    }
    if (this.initializers.has(x) && !this.floatConstant(x)) return false;
    const xq = this.activation(x, frame);
    // Dynamic mode quantizes Conv weights per tensor whatever per_channel says (conv.py passes no per-channel flag).
    const wq = this.weight(w, this.weightHow(), frame);
    const y = node.output?.[0] ?? '';
    const scaled = bias ? this.fresh(`${y}quant_scaled_output`) : y;
    this.integerOp(frame, node, 'ConvInteger', xq, wq, scaled);
    if (bias) {
      // The bias stays float: Reshape to [1, −1, 1, …] (rank of the weight) to broadcast over channels, then Add.
      const rank = tensorDims(weight).length;
      const shape = this.fresh(`${y}_bias_reshape_shape`);
      this.addInitializer(frame.graph, new onnx.TensorProto({ name: shape, data_type: DataType.INT64, dims: [rank], int64_data: Array.from({ length: rank }, (_, i) => (i === 1 ? -1 : 1)) }));
      frame.defined.add(shape);
      const reshaped = this.fresh(`${y}_bias_reshape_output`);
      this.emit(frame, makeNode('Reshape', [bias, shape], [reshaped], ''));
      this.emit(frame, makeNode('Add', [scaled, reshaped], [y], this.fresh(`${y}_bias_add`)));
    }
    this.count('Conv → ConvInteger');
    return true;
  }

  /** Gather on a float constant table (operators/gather.py GatherQuant): the table is quantized as an activation. */
  private quantizeGather(node: Node, frame: Frame): boolean {
    const table = node.input?.[0] ?? '';
    const y = node.output?.[0] ?? '';
    if (!table || !y || !this.floatConstant(table)) return false;
    const known = this.known(table, frame);
    // DequantizeLinear before opset 13 takes one scale: a table already quantized per channel stays float here.
    if (known?.perChannel) return false;
    const tq = known ?? this.weight(table, { type: 'uint8', symmetric: false, reduceRange: false }, frame);
    this.rename(frame, node, tq);
    this.count('Gather → Gather on a uint8 table');
    return true;
  }

  /** Transpose of a quantized tensor moves onto the quantized data (operators/direct_q8.py Direct8BitOp). */
  private quantizeTranspose(node: Node, frame: Frame): boolean {
    const x = node.input?.[0] ?? '';
    const known = x ? this.known(x, frame) : undefined;
    if (!known || known.perChannel || !node.output?.[0]) return false;
    this.rename(frame, node, known);
    this.count('Transpose → Transpose of quantized data');
    return true;
  }

  /** The node reads `from`'s quantized data and writes `<Y>_quantized`; Y is registered as that quantized value. */
  private rename(frame: Frame, node: Node, from: QValue): void {
    const y = node.output![0];
    const value: QValue = { q: this.fresh(`${y}_quantized`), scale: from.scale, zp: from.zp, perChannel: false, graph: frame.graph };
    node.input![0] = from.q;
    node.output![0] = value.q;
    this.emit(frame, node);
    this.qmap.set(y, value);
    this.renamed.set(y, { graph: frame.graph, node, value });
  }

  /** `<Y>_DequantizeLinear` → Y right after the producer, for renamed outputs something still reads as float. */
  private dequantizeRenamed(): void {
    const read = namesRead(this.model.graph!);
    for (const [y, { graph, node, value }] of this.renamed) {
      if (!read.has(y)) {
        // Only quantized readers: the float tensor is gone, and so is its declaration.
        graph.value_info = (graph.value_info ?? []).filter((v) => v.name !== y);
        continue;
      }
      const nodes = graph.node!;
      nodes.splice(nodes.indexOf(node) + 1, 0, makeNode('DequantizeLinear', [value.q, value.scale, value.zp], [y], this.fresh(`${y}_DequantizeLinear`)));
      this.count('DequantizeLinear');
    }
  }

  /** clean_initializers: the float weights nothing reads now go, with their declarations. */
  private removeReplacedWeights(): void {
    const read = namesRead(this.model.graph!);
    const gone = new Set<string>();
    for (const g of graphAndSubgraphs(this.model.graph!)) {
      g.initializer = (g.initializer ?? []).filter((t) => {
        const drop = this.replaced.has(t.name ?? '') && !read.has(t.name ?? '');
        if (drop) {
          gone.add(t.name ?? '');
          this.quantizedBytes.before += tensorByteLength(t);
        }
        return !drop;
      });
      if (gone.size) g.value_info = (g.value_info ?? []).filter((v) => !gone.has(v.name ?? ''));
    }
    const main = this.model.graph!;
    if (toNumber(this.model.ir_version) < 4) {
      // Below IR 4 every initializer is also a graph input: drop the removed ones, declare the new ones.
      main.input = (main.input ?? []).filter((v) => !gone.has(v.name ?? ''));
      const listed = new Set(main.input.map((v) => v.name ?? ''));
      for (const t of main.initializer ?? []) if (t.name && !listed.has(t.name)) main.input.push(valueInfoOf(t));
    }
  }
}

/**
 * Float Constant nodes read as weights (MatMul A or B, Gemm B, Conv weight, Gather table) become initializers of
 * the same name, so that they count as the constants they are (paddle2onnx writes every weight as a Constant;
 * onnxruntime's quantizer sees only initializers and fails on such models).
 */
function constantsToInitializers(graph: Graph, settings: Settings): number {
  const slots = new Set<string>();
  const ops = settings.opTypes;
  const gemm = ops.has('MatMul') || ops.has('Gemm');
  for (const g of graphAndSubgraphs(graph)) {
    for (const node of g.node ?? []) {
      if (!isDefaultDomain(node)) continue;
      const [i0, i1] = node.input ?? [];
      if (node.op_type === 'MatMul' && ops.has('MatMul')) [i0, i1].forEach((n) => n && slots.add(n));
      else if (node.op_type === 'Gemm' && gemm && i1) slots.add(i1);
      else if (node.op_type === 'Conv' && ops.has('Conv') && i1) slots.add(i1);
      else if (node.op_type === 'Gather' && ops.has('Gather') && i0) slots.add(i0);
    }
  }
  let moved = 0;
  for (const g of [...graphAndSubgraphs(graph)]) {
    const outputs = new Set((g.output ?? []).map((o) => o.name ?? ''));
    const keep: Node[] = [];
    for (const node of g.node ?? []) {
      const name = node.output?.[0] ?? '';
      const t = node.op_type === 'Constant' && isDefaultDomain(node) && (node.output ?? []).length === 1 && slots.has(name) && !outputs.has(name) ? constantValue(node, name) : undefined;
      if (t && t.data_type === DataType.FLOAT) {
        (g.initializer ??= []).push(t);
        moved++;
      } else keep.push(node);
    }
    g.node = keep;
  }
  return moved;
}

/** Quantizes a copy of `model`: int8 (or uint8) weights, activations quantized at run time. The input is not modified. */
export function quantizeDynamic(model: ModelProto, options: QuantizeDynamicOptions = {}, context: RewriteContext = {}): RewriteResult {
  const settings = settingsOf(options);
  if (!model.graph) throw new OmnihubError('not-onnx', `${STEP}: the model has no graph`);
  checkNodeNames(model.graph, settings);
  const before = modelCounts(model);
  const notes: string[] = [];
  context.onProgress?.({ fraction: 0, message: 'preparing' });

  const quantizedOps: Record<string, number> = {};
  for (const [op, n] of Object.entries(countOps(model))) if (QUANTIZED_OP.test(op.replace(/^.*:/, ''))) quantizedOps[op] = n;
  const alreadyQuantized = Object.keys(quantizedOps).length > 0;

  // No dead ends: initializers that are also graph inputs (IR ≥ 4) are variables, not weights — freeze them first.
  const main = model.graph;
  const initNames = new Set((main.initializer ?? []).map((t) => t.name ?? ''));
  const initInputs = (main.input ?? []).filter((v) => initNames.has(v.name ?? '')).length;
  let work: ModelProto;
  if (initInputs && toNumber(model.ir_version) >= 4) {
    const frozen = freeze(model);
    work = frozen.model;
    notes.push(`frozen first: ${plural(initInputs, 'initializer was a graph input', 'initializers were graph inputs')} (overridable, so not constants) — ${frozen.report.notes.join('; ')}`);
  } else work = cloneModel(model);

  const opset = opsetVersion(work);
  if (!opset) throw new OmnihubError('unsupported', `${STEP}: the model imports no default-domain (ai.onnx) opset, so it cannot hold quantized operators`);
  if (opset < 7) throw new OmnihubError('unsupported', `${STEP}: the model imports opset ${opset}; quantized operators need opset 10, and converting an opset < 7 model is not supported`);

  const moved = constantsToInitializers(work.graph!, settings);
  if (moved) notes.push(`${plural(moved, 'Constant-node weight')} → initializers (so they count as constants)`);

  const totalNodes = [...graphAndSubgraphs(work.graph!)].reduce((n, g) => n + (g.node ?? []).length, 0);
  const fresh = nameFactory(work);
  const q = new DynamicQuantizer(work, settings, fresh, opset > 10, context, totalNodes);
  q.replaceGemms();
  q.run();

  const quantizedCount = Object.entries(q.done).filter(([k]) => k !== 'DequantizeLinear').reduce((n, [, v]) => n + v, 0);
  if (!quantizedCount) {
    if (alreadyQuantized) {
      throw new OmnihubError('bad-recipe', `${STEP}: the model is already quantized (it has ${formatOpCounts(quantizedOps)}) and holds no float Conv, MatMul, Gemm or Gather left to quantize`);
    }
    const reasons = [...q.skipped].map(([r, n]) => `${r} ×${n}`);
    const out = cloneModel(model);
    const why = ['nothing to quantize: no Conv or MatMul/Gemm with a float32 constant weight and no Gather on a float32 constant table', ...reasons].join('; ');
    context.onProgress?.({ fraction: 1 });
    return { model: out, report: makeReport(STEP, before, out, [why]) };
  }

  if (opset < 10) notes.push(...upgradeToOpset10(work, opset, fresh));
  if (alreadyQuantized) notes.push(`the model was already partly quantized (${formatOpCounts(quantizedOps)}): those operators are left as they are`);
  notes.push(...q.notes);
  const done = Object.entries(q.done).filter(([k]) => k !== 'DequantizeLinear').map(([k, v]) => `${k} ×${v}`);
  notes.push(`quantized: ${done.join(', ')}`);
  if (q.done.DequantizeLinear) notes.push(`DequantizeLinear ×${q.done.DequantizeLinear} (quantized Gather/Transpose outputs read as float)`);
  if (q.activations) {
    notes.push(
      opset > 10
        ? `activations quantized to uint8 at run time: DynamicQuantizeLinear ×${q.activations} (one per tensor, shared by its readers)`
        : `activations quantized to uint8 at run time: ReduceMin/ReduceMax + QuantizeLinear ×${q.activations} (opset ${Math.max(opset, 10)} has no DynamicQuantizeLinear)`,
    );
  }
  const s = settings;
  const tables = q.done['Gather → Gather on a uint8 table'] ? '; Gather tables uint8 asymmetric' : '';
  notes.push(`weights ${s.weightType} ${s.weightType === 'int8' ? 'symmetric' : 'asymmetric'}, ${s.perChannel ? 'MatMul per column (Conv per tensor)' : 'per tensor'}${s.reduceRange ? ', 7-bit range (reduceRange)' : ''}${tables}`);
  notes.push(`weight bytes: ${bytes(q.quantizedBytes.before)} float → ${bytes(q.quantizedBytes.after)} quantized (with scales and zero points)`);
  for (const [reason, n] of q.skipped) notes.push(`${reason} ×${n}`);
  context.onProgress?.({ fraction: 1 });
  return { model: work, report: makeReport(STEP, before, work, notes) };
}

export const quantizeDynamicStep: RewriteStep<QuantizeDynamicOptions> = {
  name: STEP,
  description: "Int8 weights, uint8 activations quantized at run time (onnxruntime's quantize_dynamic): MatMul/Gemm → MatMulInteger, Conv → ConvInteger, Gather tables uint8",
  options: {
    weightType: { type: 'string', choices: ['int8', 'uint8'], description: 'weight type: int8 (symmetric, default) or uint8 (asymmetric)' },
    perChannel: { type: 'boolean', description: 'one scale per MatMul weight column (Conv weights stay per tensor, as onnxruntime does)' },
    reduceRange: { type: 'boolean', description: '7-bit weight range, for CPUs without VNNI' },
    opTypes: { type: 'string[]', description: `op types to quantize (default ${DEFAULT_OP_TYPES.join(', ')}; Gemm is handled with MatMul)` },
    nodesToInclude: { type: 'string[]', description: 'quantize only the nodes of these names' },
    nodesToExclude: { type: 'string[]', description: 'never quantize the nodes of these names' },
  },
  async run(model, options, context) {
    return quantizeDynamic(model, options, context);
  },
};
