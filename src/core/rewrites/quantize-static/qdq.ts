/**
 * QDQ insertion as onnxruntime's QDQQuantizer does it (qdq_quantizer.py @cb50485, base_quantizer.py @9673406,
 * registry.py @2930919 and the operators/ quantizers; reference-algorithms.md §1.3–1.4), in two phases:
 *
 * 1. marking — for each node of the main graph, in order, whose op type is listed and whose name is not excluded, the
 *    op's quantizer marks tensors: activations (own scale), weights (per tensor or per channel), biases (int32 at
 *    input_scale·weight_scale·beta), or outputs that reuse their input's scale (Transpose, Reshape, MaxPool, Split,
 *    Gather…). A Relu/Clip whose input is marked and read only by it is removed: its producer takes its output name
 *    and the quantized range clamps instead (QDQRemovableActivation);
 * 2. insertion — marked weights become `<w>_quantized` + `<w>_scale` + `<w>_zero_point` and one DequantizeLinear
 *    (`<w>_DequantizeLinear` → `<w>_DequantizeLinear_Output`); activations get `<t>_QuantizeLinear` →
 *    `<t>_QuantizeLinear_Output` → `<t>_DequantizeLinear` → `<t>_DequantizeLinear_Output`, every reader rewired; a graph
 *    output keeps its name on the DequantizeLinear and its producer writes `<t>_QuantizeLinear_Input`; biases become
 *    `<b>_quantized` (int32) with `<b>_quantized_scale`/`<b>_quantized_zero_point` and a DequantizeLinear writing `<b>`.
 *
 * Only the main graph is quantized (onnxruntime's QDQ quantizer does not enter If/Loop/Scan bodies either), and only
 * float32 tensors (onnxruntime also takes float16 ones).
 */
import { DataType, tensorDims, tensorToFloat32 } from '../../onnx/tensor.js';
import { attrFloat, attrInt, attrString, GraphIndex, makeNode, makeTensor, namesRead, type Graph, type Node, type Tensor } from '../graph.js';
import type { QuantType } from '../quant/math.js';
import { renamedTensor } from '../simplify/tensor-data.js';
import type { TensorRange } from './calibrate.js';
import { adjustWeightScalesForBias, quantizeBias, quantizePerChannel, quantizePerTensor, scaleZeroPoint, type QuantizedWeight } from './params.js';

export interface QdqSettings {
  activationType: 'int8' | 'uint8';
  weightType: 'int8' | 'uint8';
  perChannel: boolean;
  reduceRange: boolean;
  opTypes: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
  opset: number;
}

/** Ops whose output reuses input 0's scale and zero point when that input is marked (QDQDirect8BitOp). */
const SAME_AS_INPUT = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'AveragePool', 'Slice', 'TopK', 'Flatten', 'DepthToSpace', 'SpaceToDepth']);
const NORMALIZATION = new Set(['InstanceNormalization', 'LayerNormalization', 'BatchNormalization']);
/** Ops whose input 2 is a bias quantized to int32 (QDQConv, QDQGemm, QDQNormalization). */
const BIAS_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', ...NORMALIZATION]);

const TYPE: Record<QuantType, number> = { int8: DataType.INT8, uint8: DataType.UINT8, int16: DataType.INT16, uint16: DataType.UINT16, int4: DataType.INT4, uint4: DataType.UINT4 };

interface Mark {
  kind: 'activation' | 'weight';
  /** Per-channel axis (weights only). */
  axis?: number;
  /** Reuse this tensor's scale and zero point (quantize_output_same_as_input). */
  provider?: string;
}

interface BiasMark {
  node: Node;
  input: string;
  weight: string;
  beta: number;
}

/** What the marking phase decided; nothing in the graph has changed yet. */
export interface QdqPlan {
  marks: Map<string, Mark>;
  biases: Map<string, BiasMark>;
  /** Relu/Clip nodes that go, with the producer output they take over. */
  removed: Array<{ node: Node; producer: Node; upstream: string; output: string }>;
}

export function isDefaultDomain(node: Node): boolean {
  return !node.domain || node.domain === 'ai.onnx';
}

/** should_quantize_node: listed op type, not excluded by name, not already a Q/DQ node. */
export function shouldQuantize(node: Node, settings: QdqSettings): boolean {
  const op = node.op_type ?? '';
  return isDefaultDomain(node) && settings.opTypes.has(op) && !settings.exclude.has(node.name ?? '') && op !== 'QuantizeLinear' && op !== 'DequantizeLinear';
}

/**
 * Marks what each quantized node wants quantized (the op quantizers' `quantize()`), with onnxruntime's precedence:
 * the first mark of a tensor wins, except per-channel weights and shared-scale outputs, which overwrite.
 */
export function planQdq(graph: Graph, elemType: (name: string) => number, ranges: ReadonlyMap<string, TensorRange>, settings: QdqSettings): QdqPlan {
  const index = new GraphIndex(graph);
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const marks = new Map<string, Mark>();
  const biases = new Map<string, BiasMark>();
  const removed: QdqPlan['removed'] = [];
  const removedUpstream = new Set<string>();

  const initializer = (name: string) => index.initializers.get(name);
  const isFloatInitializer = (name: string) => initializer(name)?.data_type === DataType.FLOAT;
  // _is_tensor_quantizable: a float initializer, or a tensor whose (inferred) type is float.
  const quantizable = (name: string) => !!name && (initializer(name) ? isFloatInitializer(name) : elemType(name) === DataType.FLOAT);
  const isMarked = (name: string) => marks.has(name) || biases.has(name);

  const mark = (name: string, kind: Mark['kind'] = 'activation') => {
    if (quantizable(name) && !marks.has(name)) marks.set(name, { kind });
  };
  const sameAsInput = (output: string, input: string) => {
    if (quantizable(output)) marks.set(output, { kind: 'activation', provider: input });
  };
  /** is_tensor_per_channel: per_channel on, an initializer, and the axis valid for its rank (negative allowed). */
  const channelAxis = (name: string, axis: number): number | undefined => {
    const t = initializer(name);
    if (!settings.perChannel || !t) return undefined;
    const rank = tensorDims(t).length;
    if (axis < -rank || axis >= rank) return undefined;
    return axis < 0 ? axis + rank : axis;
  };
  const markWeight = (name: string, defaultAxis: number) => {
    const axis = channelAxis(name, defaultAxis);
    if (axis !== undefined && isFloatInitializer(name)) marks.set(name, { kind: 'weight', axis });
    else mark(name, 'weight');
  };
  const markBias = (node: Node, bias: string, input: string, weight: string, beta = 1) => {
    if (isFloatInitializer(bias) && !biases.has(bias)) biases.set(bias, { node, input, weight, beta });
  };
  const inputs = (node: Node) => (node.input ?? []).filter(Boolean);
  const outputs = (node: Node) => (node.output ?? []).filter(Boolean);

  for (const node of graph.node ?? []) {
    if (!shouldQuantize(node, settings)) continue;
    const op = node.op_type ?? '';
    const [in0 = '', in1 = '', in2 = ''] = node.input ?? [];
    const out0 = node.output?.[0] ?? '';
    switch (op) {
      case 'Conv':
      case 'ConvTranspose':
        // QDQConv: input and output, weight (per channel along the output channels: 0 for Conv, 1 for
        // ConvTranspose's [C_in, C_out/group, …] weight), bias.
        mark(in0);
        mark(out0);
        markWeight(in1, op === 'Conv' ? 0 : 1);
        if (in2) markBias(node, in2, in0, in1);
        break;
      case 'Gemm':
        // QDQGemm: B's output channels are its rows when transposed; a constant C is the bias, its scale times beta.
        mark(in0);
        mark(out0);
        markWeight(in1, attrInt(node, 'transB', 0) ? 0 : 1);
        if (in2 && initializer(in2)) markBias(node, in2, in0, in1, attrFloat(node, 'beta', 1));
        break;
      case 'MatMul':
        // QDQMatMul: an initializer operand is a weight (per channel along axis 1), anything else an activation.
        for (const name of [in0, in1, out0]) {
          if (initializer(name)) markWeight(name, 1);
          else mark(name);
        }
        break;
      case 'Relu':
      case 'Clip': {
        // QDQRemovableActivation: only after a marked input; with asymmetric activations the node goes when its
        // producer can take over its output (try_replacing_upstream_output).
        if (!isMarked(in0)) break;
        const producer = index.producer.get(in0);
        const replaceable =
          producer &&
          ranges.has(out0) &&
          index.uses(in0).length === 1 &&
          !index.graphOutputs.has(in0) &&
          !graphInputs.has(in0) &&
          !removedUpstream.has(in0);
        if (replaceable) {
          removed.push({ node, producer, upstream: in0, output: out0 });
          removedUpstream.add(in0);
          marks.delete(in0);
        } else mark(in0);
        mark(out0);
        break;
      }
      case 'MaxPool':
      case 'Resize':
        // QDQMaxPool (opset ≥ 12) and QDQResize (opset ≥ 11) are direct 8-bit ops; older forms stay float.
        if (settings.opset >= (op === 'MaxPool' ? 12 : 11) && isMarked(in0)) sameAsInput(out0, in0);
        break;
      case 'Pad': {
        // QDQPad: every input; the output shares input 0's scale when padding adds values input 0 already holds
        // (reflect/edge/wrap) or a constant 0 (always representable).
        for (const name of inputs(node)) mark(name);
        const mode = attrString(node, 'mode') ?? 'constant';
        let zeroPad = mode !== 'constant';
        if (!zeroPad) {
          if (settings.opset < 11) zeroPad = attrFloat(node, 'value', 0) === 0;
          else if (!in2) zeroPad = true;
          else {
            const t = initializer(in2);
            zeroPad = !!t && t.data_type === DataType.FLOAT && tensorToFloat32(t).every((v) => v === 0);
          }
        }
        if (zeroPad) sameAsInput(out0, in0);
        else mark(out0);
        break;
      }
      case 'Split':
        // QDQSplit: every output shares the input's scale.
        if (!isMarked(in0)) mark(in0);
        for (const name of outputs(node)) sameAsInput(name, in0);
        break;
      case 'Gather':
      case 'GatherElements':
        // QDQGather: a float table (an initializer) is quantized with the activation type; the output shares it.
        if (isFloatInitializer(in0)) {
          mark(in0);
          sameAsInput(out0, in0);
        } else if (isMarked(in0)) sameAsInput(out0, in0);
        break;
      case 'Where':
        // QDQWhere: the output only when both value inputs are marked already.
        if (isMarked(in1) && isMarked(in2)) for (const name of outputs(node)) mark(name);
        break;
      default:
        if (NORMALIZATION.has(op)) {
          // QDQNormalization: input, scale (a weight when constant), bias, every output.
          mark(in0);
          if (initializer(in1)) markWeight(in1, 1);
          else mark(in1);
          if (in2) markBias(node, in2, in0, in1);
          for (const name of outputs(node)) mark(name);
        } else if (SAME_AS_INPUT.has(op)) {
          if (isMarked(in0)) sameAsInput(out0, in0);
        } else {
          // QDQOperatorBase: every input and output (Add, Mul, Softmax, Concat, GlobalAveragePool, …).
          for (const name of [...inputs(node), ...outputs(node)]) mark(name);
        }
    }
  }
  return { marks, biases, removed };
}

/**
 * Bias initializers shared by several nodes that quantize a bias get a copy per node after the first (`<b>0`,
 * `<b>1`, …): each node's int32 bias has its own scale (onnxruntime's quantizer duplicates them the same way).
 */
export function duplicateSharedBiases(graph: Graph, settings: QdqSettings, fresh: (base: string) => string): number {
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const claimed = new Set<string>();
  const counters = new Map<string, number>();
  const added: Tensor[] = [];
  for (const node of graph.node ?? []) {
    if (!shouldQuantize(node, settings) || !BIAS_OPS.has(node.op_type ?? '')) continue;
    const bias = node.input?.[2];
    const t = bias ? initializers.get(bias) : undefined;
    if (!bias || !t || t.data_type !== DataType.FLOAT) continue;
    if (!claimed.has(bias)) {
      claimed.add(bias);
      continue;
    }
    let k = counters.get(bias) ?? 0;
    let name = `${bias}${k}`;
    while (initializers.has(name)) name = `${bias}${++k}`;
    counters.set(bias, k + 1);
    name = fresh(name);
    added.push(renamedTensor(t, name));
    initializers.set(name, added[added.length - 1]);
    node.input![2] = name;
  }
  graph.initializer = [...(graph.initializer ?? []), ...added];
  return added.length;
}

/**
 * adjust_tensor_ranges: a Clip/Relu that is quantized and the only reader of its input gives that input its own
 * output range (not with symmetric activations, which are off here); a Softmax output is [0, 1].
 */
export function adjustRanges(graph: Graph, ranges: Map<string, TensorRange>, settings: QdqSettings): void {
  const index = new GraphIndex(graph);
  for (const node of graph.node ?? []) {
    const op = node.op_type ?? '';
    const [input = '', output = ''] = [node.input?.[0], node.output?.[0]];
    if ((op === 'Clip' || op === 'Relu') && shouldQuantize(node, settings)) {
      if (index.uses(input).length !== 1 || !ranges.has(input) || !ranges.has(output)) continue;
      ranges.set(input, { ...ranges.get(output)! });
    } else if (op === 'Softmax' && isDefaultDomain(node) && ranges.has(output)) {
      ranges.set(output, { min: 0, max: 1 });
    }
  }
}

export interface QdqCounts {
  weightsPerTensor: number;
  weightsPerChannel: number;
  /** Initializers read as activations (an Add's constant, an embedding table): quantized with the activation type. */
  constants: number;
  biases: number;
  activations: number;
  shared: number;
  removed: Record<string, number>;
  /** Tensors marked but left float, with why. */
  skipped: string[];
  scaledForBias: number;
}

interface Quantized {
  scale: string;
  zeroPoint: string;
  scales: number[];
  zeroPoints: number[];
  type: QuantType;
}

/** Applies a plan to the graph (which is a working copy). */
export function applyQdq(graph: Graph, plan: QdqPlan, ranges: ReadonlyMap<string, TensorRange>, settings: QdqSettings, fresh: (base: string) => string): QdqCounts {
  const counts: QdqCounts = { weightsPerTensor: 0, weightsPerChannel: 0, constants: 0, biases: 0, activations: 0, shared: 0, removed: {}, skipped: [], scaledForBias: 0 };
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const graphOutputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const newInitializers: Tensor[] = [];
  const newNodes: Node[] = [];
  const replacedInitializers = new Set<string>();
  const quantized = new Map<string, Quantized>();
  const weightSymmetric = settings.weightType === 'int8';

  // The Relu/Clip nodes that go: their producer writes their output, and they leave the graph.
  const removedNodes = new Set(plan.removed.map((r) => r.node));
  for (const r of plan.removed) {
    r.producer.output = (r.producer.output ?? []).map((o) => (o === r.upstream ? r.output : o));
    counts.removed[r.node.op_type ?? ''] = (counts.removed[r.node.op_type ?? ''] ?? 0) + 1;
  }
  const kept = (graph.node ?? []).filter((n) => !removedNodes.has(n));

  /** replace_input_of_all_nodes over the main graph's nodes (subgraphs keep reading the float tensor). */
  const rewire = (from: string, to: string) => {
    for (const node of kept) {
      const list = node.input ?? [];
      for (let i = 0; i < list.length; i++) if (list[i] === from) list[i] = to;
    }
  };
  const scalarOrVector = (values: number[], perChannel: boolean) => (perChannel ? [values.length] : []);
  const addInitializer = (t: Tensor) => {
    newInitializers.push(t);
    initializers.set(t.name ?? '', t);
  };
  const typed = (type: QuantType, values: ArrayLike<number>) => (type === 'uint8' ? Uint8Array.from(values) : Int8Array.from(values));
  const activationParams = (name: string) => {
    const r = ranges.get(name);
    if (!r) return { error: 'no calibrated range (no listed node reads or writes it)' };
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) return { error: `its calibrated range [${r.min}, ${r.max}] is not finite` };
    const params = scaleZeroPoint(r.min, r.max, settings.activationType, false);
    return Number.isFinite(params.scale) ? params : { error: `its range [${r.min}, ${r.max}] overflows float32 (rmax − rmin)` };
  };

  // ---- weights and constants: quantized once, with their final scales, before anything is inserted ----
  interface WeightEntry { weight: QuantizedWeight; type: QuantType; values: Float32Array; dims: number[]; perChannel: boolean }
  const quantizeInitializer = (values: Float32Array, dims: number[], m: Mark): WeightEntry => {
    const type: QuantType = m.kind === 'weight' ? settings.weightType : settings.activationType;
    if (m.axis !== undefined) {
      // Per channel: uint8 is forced to int8 (symmetric), reduce_range applies (quantize_weight_per_channel_impl).
      const forced: QuantType = type === 'uint8' ? 'int8' : type;
      return { weight: quantizePerChannel(values, dims, m.axis, forced, true, settings.reduceRange), type: forced, values, dims, perChannel: true };
    }
    // Per tensor: the weight type's symmetry whatever the mark (is_weight_symmetric); quantize_initializer passes
    // reduce_range=False, so reduceRange only narrows per-channel weights.
    return { weight: quantizePerTensor(values, type, weightSymmetric, false), type, values, dims, perChannel: false };
  };
  const weights = new Map<string, WeightEntry>();
  const skipped = new Set<string>();
  for (const [name, m] of plan.marks) {
    const t = initializers.get(name);
    if (!t || m.provider) continue;
    const entry = quantizeInitializer(tensorToFloat32(t), tensorDims(t), m);
    // onnxruntime takes rmax − rmin in float32: a range of ±FLT_MAX (a "−inf" attention mask) gives scale = inf,
    // and DequantizeLinear then computes 0 · inf = NaN everywhere. Such a constant stays float.
    if (entry.weight.scales.some((x) => !Number.isFinite(x))) {
      skipped.add(name);
      counts.skipped.push(`'${name}': its values span more than float32 can scale (scale = inf)`);
      continue;
    }
    weights.set(name, entry);
  }
  // _adjust_weight_scale_for_int32_bias: raise a symmetric int8 weight's scale when its bias would overflow int32.
  for (const [biasName, b] of plan.biases) {
    const w = weights.get(b.weight);
    const inputMark = plan.marks.get(b.input);
    const bias = initializers.get(biasName);
    if (!w || !bias || plan.marks.has(biasName) || !inputMark || inputMark.provider || w.type !== 'int8' || w.weight.zeroPoints.some((z) => z !== 0)) continue;
    const input = activationParams(b.input);
    if ('error' in input) continue;
    const scales = adjustWeightScalesForBias(tensorToFloat32(bias), input.scale, w.weight.scales, w.perChannel);
    if (!scales) continue;
    w.weight = w.perChannel ? quantizePerChannel(w.values, w.dims, w.weight.axis!, w.type, true, settings.reduceRange, scales) : quantizePerTensor(w.values, w.type, true, false, scales[0]);
    counts.scaledForBias++;
  }

  const qdqPair = (tensor: string, scale: string, zeroPoint: string) => {
    let qInput = tensor;
    let dqOutput = fresh(`${tensor}_DequantizeLinear_Output`);
    const qOutput = fresh(`${tensor}_QuantizeLinear_Output`);
    if (graphOutputs.has(tensor)) {
      // The graph output keeps its name, now written by the DequantizeLinear; its producer writes `_Input`.
      qInput = fresh(`${tensor}_QuantizeLinear_Input`);
      dqOutput = tensor;
      for (const node of kept) node.output = (node.output ?? []).map((o) => (o === tensor ? qInput : o));
    } else rewire(tensor, dqOutput);
    newNodes.push(makeNode('QuantizeLinear', [qInput, scale, zeroPoint], [qOutput], fresh(`${tensor}_QuantizeLinear`)));
    newNodes.push(makeNode('DequantizeLinear', [qOutput, scale, zeroPoint], [dqOutput], fresh(`${tensor}_DequantizeLinear`)));
  };
  const canInsert = (tensor: string) => {
    if (graphOutputs.has(tensor) && (graphInputs.has(tensor) || !kept.some((n) => (n.output ?? []).includes(tensor)))) return false;
    return true;
  };

  // ---- _quantize_normal_tensors ----
  for (const [name, m] of plan.marks) {
    if (m.provider || skipped.has(name)) continue;
    const w = weights.get(name);
    if (w) {
      const { weight, type, dims, perChannel } = w;
      const q = makeTensor(fresh(`${name}_quantized`), TYPE[type], dims, typed(type, weight.values));
      const scale = makeTensor(fresh(`${name}_scale`), DataType.FLOAT, scalarOrVector(weight.scales, perChannel), Float32Array.from(weight.scales));
      const zp = makeTensor(fresh(`${name}_zero_point`), TYPE[type], scalarOrVector(weight.zeroPoints, perChannel), typed(type, weight.zeroPoints));
      [scale, zp, q].forEach(addInitializer);
      const output = fresh(`${name}_DequantizeLinear_Output`);
      rewire(name, output);
      newNodes.push(makeNode('DequantizeLinear', [q.name!, scale.name!, zp.name!], [output], fresh(`${name}_DequantizeLinear`), perChannel ? { axis: weight.axis! } : {}));
      replacedInitializers.add(name);
      quantized.set(name, { scale: scale.name!, zeroPoint: zp.name!, scales: weight.scales, zeroPoints: weight.zeroPoints, type });
      if (m.kind === 'activation') counts.constants++;
      else if (perChannel) counts.weightsPerChannel++;
      else counts.weightsPerTensor++;
      continue;
    }
    const params = activationParams(name);
    if ('error' in params) {
      counts.skipped.push(`'${name}': ${params.error}`);
      continue;
    }
    if (!canInsert(name)) {
      counts.skipped.push(`'${name}': a graph output that is also a graph input`);
      continue;
    }
    const type = settings.activationType;
    const scale = makeTensor(fresh(`${name}_scale`), DataType.FLOAT, [], Float32Array.of(params.scale));
    const zp = makeTensor(fresh(`${name}_zero_point`), TYPE[type], [], typed(type, [params.zeroPoint]));
    [zp, scale].forEach(addInitializer);
    qdqPair(name, scale.name!, zp.name!);
    quantized.set(name, { scale: scale.name!, zeroPoint: zp.name!, scales: [params.scale], zeroPoints: [params.zeroPoint], type });
    counts.activations++;
  }

  // ---- _quantize_sharing_param_tensors: repeat until no provider is left to wait for ----
  const pending = [...plan.marks].filter(([, m]) => m.provider);
  for (let progress = true; pending.length && progress; ) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const [name, m] = pending[i];
      const from = quantized.get(m.provider!);
      if (!from) continue;
      pending.splice(i--, 1);
      progress = true;
      if (initializers.has(name) || !canInsert(name)) {
        counts.skipped.push(`'${name}': cannot share '${m.provider}''s scale here`);
        continue;
      }
      qdqPair(name, from.scale, from.zeroPoint);
      quantized.set(name, from);
      counts.shared++;
    }
  }
  for (const [name, m] of pending) counts.skipped.push(`'${name}': the tensor whose scale it would share ('${m.provider}') is not quantized`);

  // ---- _quantize_bias_tensors ----
  for (const [name, b] of plan.biases) {
    if (quantized.has(name)) continue;
    const input = quantized.get(b.input);
    const weight = quantized.get(b.weight);
    const t = initializers.get(name);
    if (!input || !weight || !t) {
      counts.skipped.push(`bias '${name}': its ${!input ? `input '${b.input}'` : `weight '${b.weight}'`} is not quantized, so it stays float`);
      continue;
    }
    const values = tensorToFloat32(t);
    const perChannel = weight.scales.length > 1;
    if (perChannel && (tensorDims(t).length !== 1 || values.length !== weight.scales.length)) {
      counts.skipped.push(`bias '${name}': shape [${tensorDims(t).join(', ')}] does not match ${weight.scales.length} weight channels`);
      continue;
    }
    const { values: q, scales } = quantizeBias(values, input.scales[0], weight.scales, b.beta);
    const qName = fresh(`${name}_quantized`);
    const qt = makeTensor(qName, DataType.INT32, tensorDims(t), q);
    const scale = makeTensor(fresh(`${qName}_scale`), DataType.FLOAT, [scales.length], Float32Array.from(scales));
    // A zero point per scale when per_channel is on (even for a per-tensor weight), else a scalar.
    const zp = makeTensor(fresh(`${qName}_zero_point`), DataType.INT32, settings.perChannel ? [scales.length] : [], new Int32Array(settings.perChannel ? scales.length : 1));
    [qt, scale, zp].forEach(addInitializer);
    initializers.delete(name);
    replacedInitializers.add(name);
    graph.initializer = (graph.initializer ?? []).filter((x) => x.name !== name);
    newNodes.push(makeNode('DequantizeLinear', [qName, scale.name!, zp.name!], [name], fresh(`${name}_DequantizeLinear`), scales.length > 1 ? { axis: 0 } : {}));
    quantized.set(name, { scale: scale.name!, zeroPoint: zp.name!, scales, zeroPoints: [0], type: 'int8' });
    counts.biases++;
  }

  // ---- the graph: kept nodes with each new node right after the producer of its input ----
  graph.node = order(kept, newNodes);
  graph.initializer = [...(graph.initializer ?? []), ...newInitializers];

  // Float weights nothing reads any more go; so do a removed Clip's min/max (initializers or Constant nodes).
  const released = new Set([...replacedInitializers, ...plan.removed.flatMap((r) => (r.node.input ?? []).slice(1).filter(Boolean))]);
  const read = namesRead(graph);
  graph.initializer = graph.initializer.filter((t) => !released.has(t.name ?? '') || read.has(t.name ?? '') || graphInputs.has(t.name ?? ''));
  graph.node = graph.node.filter((n) => !(n.op_type === 'Constant' && (n.output ?? []).every((o) => released.has(o) && !read.has(o))));
  const upstream = new Set(plan.removed.map((r) => r.upstream));
  graph.value_info = (graph.value_info ?? []).filter((v) => !upstream.has(v.name ?? ''));
  return counts;
}

/** Nodes in order, each new node emitted right after whatever produces its first input (or first, for constants). */
function order(kept: Node[], added: Node[]): Node[] {
  const producer = new Map<string, Node>();
  for (const node of [...kept, ...added]) for (const o of node.output ?? []) if (o) producer.set(o, node);
  const after = new Map<Node, Node[]>();
  const first: Node[] = [];
  for (const node of added) {
    const p = producer.get(node.input?.[0] ?? '');
    if (!p) first.push(node);
    else after.set(p, [...(after.get(p) ?? []), node]);
  }
  const out: Node[] = [];
  const emit = (node: Node) => {
    out.push(node);
    for (const next of after.get(node) ?? []) emit(next);
  };
  for (const node of first) emit(node);
  for (const node of kept) emit(node);
  return out;
}
