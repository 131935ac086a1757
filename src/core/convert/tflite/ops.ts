/**
 * One converter per TFLite builtin operator. Each reads its operands from the context (float values, in the layout
 * it prefers), adds ONNX nodes, and records its output with `ctx.emit` (which adds QuantizeLinear/DequantizeLinear
 * for quantized outputs in QDQ mode).
 */
import { DataType } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { ActivationFunctionType, Padding, type TfliteOperator, type TfliteTensor } from '../../formats/tflite/read.js';
import { activate, constNumbers, input, realValues, TO_NCHW, TO_NHWC, unsupported, type ConvertContext, type Layout } from './context.js';
import { unidirectionalSequenceLstm } from './lstm.js';

export type OpConverter = (ctx: ConvertContext, op: TfliteOperator) => void;

function required(op: TfliteOperator, k: number): number {
  const i = input(op, k);
  if (i === undefined) throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}) lacks its input ${k}.`);
  return i;
}

function output(op: TfliteOperator): number {
  const o = op.outputs[0];
  if (o === undefined || o < 0) throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}) has no output.`);
  return o;
}

function num(op: TfliteOperator, key: string, fallback: number): number {
  const v = op.options[key];
  return typeof v === 'number' ? v : fallback;
}

function fused(ctx: ConvertContext, op: TfliteOperator, value: string): string {
  return activate(ctx, value, num(op, 'fused_activation_function', ActivationFunctionType.NONE), op);
}

function sameQuantization(a: TfliteTensor, b: TfliteTensor): boolean {
  const qa = a.quantization;
  const qb = b.quantization;
  if (!qa || !qb) return !qa && !qb;
  return a.type === b.type && qa.scales.length === qb.scales.length && qa.scales.every((s, k) => s === qb.scales[k] && qa.zeroPoints[k] === qb.zeroPoints[k]);
}

/**
 * Padding of one spatial dimension as TensorFlow computes it: SAME gives out = ceil(in / stride) and puts the odd
 * pixel at the end (SAME_UPPER); VALID pads nothing.
 */
export function tfPadding(size: number, kernel: number, stride: number, dilation: number, same: boolean): { begin: number; end: number; out: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (!same) return { begin: 0, end: 0, out: Math.ceil((size - effective + 1) / stride) };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const begin = Math.floor(total / 2);
  return { begin, end: total - begin, out };
}

/** Conv/pool spatial attributes: strides, dilations and explicit pads (auto_pad for dynamic spatial sizes). */
function spatial(ctx: ConvertContext, op: TfliteOperator, x: number, kernel: [number, number], dilation: [number, number]) {
  const t = ctx.tensor(x);
  const stride: [number, number] = [num(op, 'stride_h', 1), num(op, 'stride_w', 1)];
  if (!(stride[0] >= 1 && stride[1] >= 1 && dilation[0] >= 1 && dilation[1] >= 1 && kernel[0] >= 1 && kernel[1] >= 1)) {
    throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}) has strides [${stride}], dilations [${dilation}], kernel [${kernel}].`);
  }
  const same = num(op, 'padding', Padding.SAME) === Padding.SAME;
  const attrs: Record<string, number[] | number | string> = { kernel_shape: kernel, strides: stride };
  const sig = t.shapeSignature;
  if (sig && (sig[1] < 0 || sig[2] < 0)) {
    if (same) attrs.auto_pad = 'SAME_UPPER';
    return attrs;
  }
  const h = tfPadding(t.shape[1], kernel[0], stride[0], dilation[0], same);
  const w = tfPadding(t.shape[2], kernel[1], stride[1], dilation[1], same);
  const out = ctx.tensor(output(op)).shape;
  if (out.length === 4 && (out[1] !== h.out || out[2] !== w.out)) {
    throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}): output [${out}] does not match ${same ? 'SAME' : 'VALID'} padding of input [${t.shape}].`);
  }
  attrs.pads = [h.begin, w.begin, h.end, w.end];
  return attrs;
}

function conv(ctx: ConvertContext, op: TfliteOperator, depthwise: boolean): void {
  const x = required(op, 0);
  const w = required(op, 1);
  const bias = input(op, 2);
  const xt = ctx.tensor(x);
  const wt = ctx.tensor(w);
  if (xt.shape.length !== 4 || wt.shape.length !== 4) throw unsupported(op, `input [${xt.shape}] and filter [${wt.shape}] must both be 4-D`);
  const channels = xt.shape[3];
  let group: number;
  let weight: string;
  if (depthwise) {
    // [1, kh, kw, C·M] → [C·M, 1, kh, kw], group C: output channel c·M + m reads input channel c, as TFLite's.
    if (wt.shape[0] !== 1 || wt.shape[3] % channels !== 0) throw unsupported(op, `filter [${wt.shape}] for ${channels} input channels`);
    group = channels;
    weight = ctx.permuted(w, [3, 0, 1, 2]);
  } else {
    // [O, kh, kw, I] → [O, I, kh, kw]; I < C means a grouped convolution.
    if (channels % wt.shape[3] !== 0) throw unsupported(op, `filter [${wt.shape}] for ${channels} input channels`);
    group = channels / wt.shape[3];
    weight = ctx.permuted(w, [0, 3, 1, 2]);
  }
  const dilation: [number, number] = [num(op, 'dilation_h_factor', 1), num(op, 'dilation_w_factor', 1)];
  const attrs = { ...spatial(ctx, op, x, [wt.shape[1], wt.shape[2]], dilation), dilations: dilation, group };
  const inputs = [ctx.value(x, 'nchw'), weight];
  if (bias !== undefined) inputs.push(ctx.value(bias));
  const y = fused(ctx, op, ctx.op('Conv', inputs, attrs));
  ctx.emit(output(op), y, 'nchw');
}

function pool(ctx: ConvertContext, op: TfliteOperator, type: 'AveragePool' | 'MaxPool'): void {
  const x = required(op, 0);
  if (ctx.rank(x) !== 4) throw unsupported(op, `input of rank ${ctx.rank(x)}`);
  const attrs = spatial(ctx, op, x, [num(op, 'filter_height', 1), num(op, 'filter_width', 1)], [1, 1]);
  // TFLite's average pool divides by the number of real (unpadded) pixels.
  if (type === 'AveragePool') attrs.count_include_pad = 0;
  const act = num(op, 'fused_activation_function', 0);
  const y = fused(ctx, op, ctx.op(type, [ctx.value(x, 'nchw')], attrs));
  const out = output(op);
  ctx.emit(out, y, 'nchw', type === 'MaxPool' && act === 0 && sameQuantization(ctx.tensor(x), ctx.tensor(out)));
}

function fullyConnected(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const w = required(op, 1);
  const bias = input(op, 2);
  const wt = ctx.tensor(w);
  if (wt.shape.length !== 2) throw unsupported(op, `weights of shape [${wt.shape}]`);
  if (num(op, 'weights_format', 0) !== 0) throw unsupported(op, 'shuffled weights format');
  const depth = wt.shape[1];
  const xt = ctx.tensor(x);
  const out = output(op);
  const ot = ctx.tensor(out);
  let a = ctx.value(x, 'nhwc');
  // TFLite flattens every leading dimension into the batch: [N…, depth] → [−1, depth].
  if (xt.shape.length !== 2 || xt.shape[1] !== depth) a = ctx.op('Reshape', [a, ctx.int64s([-1, depth])]);
  const inputs = [a, ctx.value(w)];
  if (bias !== undefined) inputs.push(ctx.value(bias));
  let y = fused(ctx, op, ctx.op('Gemm', inputs, { transB: 1 }));
  if (ot.shape.length !== 2) y = ctx.op('Reshape', [y, ctx.int64s(ctx.reshapeTarget(out, ot.shape))]);
  ctx.emit(out, y, 'nhwc');
}

function elementCountOf(t: TfliteTensor): number {
  return t.shape.reduce((a, d) => a * d, 1);
}

/**
 * A layout for an op over several tensors: NCHW when the output is rank 4 and some rank-4 input already is NCHW
 * (lower-rank operands are then broadcast by reshaping to rank 4 and transposing), else NHWC.
 */
function commonLayout(ctx: ConvertContext, inputs: number[], out: number): Layout {
  if (ctx.rank(out) !== 4) return 'nhwc';
  return inputs.some((i) => ctx.t4(i) && ctx.isNchw(i)) ? 'nchw' : 'nhwc';
}

function operand(ctx: ConvertContext, i: number, layout: Layout): string {
  const t = ctx.tensor(i);
  if (layout === 'nhwc' || t.shape.length === 4 || elementCountOf(t) === 1) return ctx.value(i, layout);
  // NumPy broadcasting aligns trailing axes of the NHWC shape: pad to rank 4, then move to NCHW.
  if (t.data) return ctx.constant(i, TO_NCHW, 4);
  const rank4 = [...new Array<number>(4 - t.shape.length).fill(1), ...t.shape];
  const reshaped = ctx.op('Reshape', [ctx.value(i), ctx.int64s(rank4)]);
  return ctx.op('Transpose', [reshaped], { perm: TO_NCHW });
}

function binary(ctx: ConvertContext, op: TfliteOperator, type: string): void {
  const a = required(op, 0);
  const b = required(op, 1);
  const out = output(op);
  const layout = commonLayout(ctx, [a, b], out);
  const y = fused(ctx, op, ctx.op(type, [operand(ctx, a, layout), operand(ctx, b, layout)]));
  ctx.emit(out, y, layout);
}

function unary(ctx: ConvertContext, op: TfliteOperator, make: (v: string) => string): void {
  const { name, layout } = ctx.valueAsIs(required(op, 0));
  ctx.emit(output(op), make(name), layout);
}

function concatenation(ctx: ConvertContext, op: TfliteOperator): void {
  const out = output(op);
  const rank = ctx.rank(out);
  let axis = num(op, 'axis', 0);
  if (axis < 0) axis += rank;
  if (!(axis >= 0 && axis < rank)) throw new OmnihubError('malformed', `TFLite CONCATENATION (operator ${op.index}) has axis ${num(op, 'axis', 0)} for rank ${rank}.`);
  const inputs = op.inputs.filter((i) => i >= 0);
  const layout = commonLayout(ctx, inputs, out);
  const values = inputs.map((i) => ctx.value(i, layout));
  const y = fused(ctx, op, ctx.op('Concat', values, { axis: layout === 'nchw' ? TO_NCHW.indexOf(axis) : axis }));
  ctx.emit(out, y, layout);
}

function reshape(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const s = input(op, 1);
  const out = output(op);
  let shape: string;
  if (s !== undefined && !ctx.isConst(s)) {
    // A shape computed in the graph.
    shape = ctx.tensor(s).type === 'int64' ? ctx.value(s) : ctx.op('Cast', [ctx.value(s)], { to: DataType.INT64 });
  } else {
    let target: number[];
    const newShape = op.options.new_shape;
    if (s !== undefined) target = constNumbers(ctx.tensor(s));
    else if (Array.isArray(newShape) && newShape.length) target = newShape as number[];
    else target = ctx.tensor(out).shape;
    target = ctx.reshapeTarget(out, target);
    const xt = ctx.tensor(x);
    // A dynamic batch that must flow through a target like [1, -1]: copy the input's first dimension (0 in ONNX).
    const outSig = ctx.tensor(out).shapeSignature;
    if (outSig?.[0] === -1 && target[0] !== -1 && xt.shapeSignature?.[0] === -1) target[0] = 0;
    shape = ctx.int64s(target);
  }
  const y = ctx.op('Reshape', [ctx.value(x, 'nhwc'), shape]);
  ctx.emit(out, y, 'nhwc', sameQuantization(ctx.tensor(x), ctx.tensor(out)));
}

function softmax(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const { name, layout } = ctx.valueAsIs(x);
  const beta = num(op, 'beta', 1);
  const scaled = beta === 1 ? name : ctx.op('Mul', [name, ctx.scalar(beta)]);
  // Softmax over the channels: the last NHWC axis, axis 1 in NCHW.
  const y = ctx.op('Softmax', [scaled], { axis: layout === 'nchw' ? 1 : -1 });
  ctx.emit(output(op), y, layout);
}

function pad(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const p = required(op, 1);
  if (!ctx.isConst(p)) throw unsupported(op, 'paddings computed in the graph');
  const flat = constNumbers(ctx.tensor(p));
  const rank = ctx.rank(x);
  if (flat.length !== rank * 2) throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}) has ${flat.length / 2} padding rows for rank ${rank}.`);
  const { name, layout } = ctx.valueAsIs(x);
  const rows = Array.from({ length: rank }, (_, d) => [flat[2 * d], flat[2 * d + 1]]);
  const ordered = layout === 'nchw' ? TO_NCHW.map((d) => rows[d]) : rows;
  const inputs = [name, ctx.int64s([...ordered.map((r) => r[0]), ...ordered.map((r) => r[1])])];
  const v = input(op, 2);
  if (v !== undefined) {
    if (!ctx.isConst(v)) throw unsupported(op, 'a padding value computed in the graph');
    const xt = ctx.tensor(x);
    const value = ctx.tensor(v);
    if (xt.type.startsWith('float') || ctx.isQuantized(xt)) inputs.push(ctx.scalar(realValues(value)[0]));
    else throw unsupported(op, `a ${xt.type} padding value`);
  }
  ctx.emit(output(op), ctx.op('Pad', inputs, { mode: 'constant' }), layout);
}

function reduce(ctx: ConvertContext, op: TfliteOperator, type: 'ReduceMean' | 'ReduceSum' | 'ReduceMax' | 'ReduceMin'): void {
  const x = required(op, 0);
  const a = required(op, 1);
  if (!ctx.isConst(a)) throw unsupported(op, 'axes computed in the graph');
  const rank = ctx.rank(x);
  const axes = [...new Set(constNumbers(ctx.tensor(a)).map((d) => (d < 0 ? d + rank : d)))].sort();
  if (!axes.length) throw unsupported(op, 'an empty axis list');
  const keep = op.options.keep_dims === true;
  let { name, layout } = ctx.valueAsIs(x);
  let outLayout: Layout = 'nhwc';
  if (layout === 'nchw') {
    const kept = TO_NCHW.filter((d) => !axes.includes(d));
    if (keep) outLayout = 'nchw';
    else if (!kept.every((d, k) => k === 0 || kept[k - 1] < d)) {
      // The remaining axes would come out in another order than TFLite's: reduce in NHWC.
      name = ctx.value(x, 'nhwc');
      layout = 'nhwc';
    }
  }
  const mapped = layout === 'nchw' ? axes.map((d) => TO_NCHW.indexOf(d)).sort() : axes;
  const attrs: Record<string, number | number[]> = { keepdims: keep ? 1 : 0 };
  const inputs = [name];
  // ReduceSum takes its axes as an input since opset 13; the others as an attribute until opset 18.
  if (type === 'ReduceSum') inputs.push(ctx.int64s(mapped));
  else attrs.axes = mapped;
  ctx.emit(output(op), ctx.op(type, inputs, attrs), outLayout);
}

function transpose(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const p = required(op, 1);
  if (!ctx.isConst(p)) throw unsupported(op, 'a permutation computed in the graph');
  const perm = constNumbers(ctx.tensor(p));
  const { name, layout } = ctx.valueAsIs(x);
  // From NCHW, compose with the NCHW → NHWC permutation instead of transposing twice.
  const composed = layout === 'nchw' ? perm.map((d) => TO_NHWC[d]) : perm;
  const out = output(op);
  ctx.emit(out, ctx.op('Transpose', [name], { perm: composed }), 'nhwc', sameQuantization(ctx.tensor(x), ctx.tensor(out)));
}

function squeeze(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const shape = ctx.tensor(x).shape;
  const listed = Array.isArray(op.options.squeeze_dims) ? (op.options.squeeze_dims as number[]) : [];
  const dims = listed.length ? listed.map((d) => (d < 0 ? d + shape.length : d)) : shape.flatMap((d, k) => (d === 1 ? [k] : []));
  const out = output(op);
  const y = dims.length ? ctx.op('Squeeze', [ctx.value(x, 'nhwc'), ctx.int64s(dims)]) : ctx.op('Identity', [ctx.value(x, 'nhwc')]);
  ctx.emit(out, y, 'nhwc', sameQuantization(ctx.tensor(x), ctx.tensor(out)));
}

const BIG = 2147483647;

function stridedSlice(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const ids = [required(op, 1), required(op, 2), input(op, 3)];
  for (const i of ids) if (i !== undefined && !ctx.isConst(i)) throw unsupported(op, 'begin/end/strides computed in the graph');
  const o = op.options;
  if (num(op, 'ellipsis_mask', 0) || num(op, 'new_axis_mask', 0) || o.offset === true) {
    throw unsupported(op, 'ellipsis_mask, new_axis_mask and offset are not supported');
  }
  const begin = constNumbers(ctx.tensor(ids[0]!));
  const end = constNumbers(ctx.tensor(ids[1]!));
  const strides = ids[2] !== undefined ? constNumbers(ctx.tensor(ids[2])) : begin.map(() => 1);
  const beginMask = num(op, 'begin_mask', 0);
  const endMask = num(op, 'end_mask', 0);
  const shrinkMask = num(op, 'shrink_axis_mask', 0);
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  const shrink: number[] = [];
  for (let d = 0; d < begin.length; d++) {
    const step = strides[d];
    if (step === 0) throw new OmnihubError('malformed', `TFLite STRIDED_SLICE (operator ${op.index}) has stride 0.`);
    let s = begin[d];
    let e = end[d];
    if (shrinkMask & (1 << d)) {
      e = s === -1 ? BIG : s + 1;
      shrink.push(d);
      starts.push(s); ends.push(e); steps.push(1);
      continue;
    }
    if (beginMask & (1 << d)) s = step > 0 ? 0 : BIG;
    if (endMask & (1 << d)) e = step > 0 ? BIG : -BIG - 1;
    starts.push(s); ends.push(e); steps.push(step);
  }
  const axes = begin.map((_, d) => d);
  let y = ctx.op('Slice', [ctx.value(x, 'nhwc'), ctx.int64s(starts), ctx.int64s(ends), ctx.int64s(axes), ctx.int64s(steps)]);
  if (shrink.length) y = ctx.op('Squeeze', [y, ctx.int64s(shrink)]);
  const out = output(op);
  ctx.emit(out, y, 'nhwc', sameQuantization(ctx.tensor(x), ctx.tensor(out)));
}

function passThrough(ctx: ConvertContext, op: TfliteOperator): void {
  // QUANTIZE / DEQUANTIZE: values are float in the graph already; emit() adds Q/DQ where the output is quantized.
  const { name, layout } = ctx.valueAsIs(required(op, 0));
  ctx.emit(output(op), name, layout);
}

function shape(ctx: ConvertContext, op: TfliteOperator): void {
  const out = output(op);
  const s = ctx.op('Shape', [ctx.value(required(op, 0), 'nhwc')]);
  ctx.emit(out, ctx.tensor(out).type === 'int64' ? s : ctx.op('Cast', [s], { to: DataType.INT32 }), 'nhwc');
}

function gather(ctx: ConvertContext, op: TfliteOperator): void {
  const x = required(op, 0);
  const rank = ctx.rank(x);
  let axis = num(op, 'axis', 0);
  if (axis < 0) axis += rank;
  if (num(op, 'batch_dims', 0) !== 0) throw unsupported(op, 'batch_dims other than 0');
  const out = output(op);
  const y = ctx.op('Gather', [ctx.value(x, 'nhwc'), ctx.value(required(op, 1))], { axis });
  ctx.emit(out, y, 'nhwc', sameQuantization(ctx.tensor(x), ctx.tensor(out)));
}

export const OP_CONVERTERS: Record<string, OpConverter> = {
  CONV_2D: (ctx, op) => conv(ctx, op, false),
  DEPTHWISE_CONV_2D: (ctx, op) => conv(ctx, op, true),
  FULLY_CONNECTED: fullyConnected,
  AVERAGE_POOL_2D: (ctx, op) => pool(ctx, op, 'AveragePool'),
  MAX_POOL_2D: (ctx, op) => pool(ctx, op, 'MaxPool'),
  ADD: (ctx, op) => binary(ctx, op, 'Add'),
  SUB: (ctx, op) => binary(ctx, op, 'Sub'),
  MUL: (ctx, op) => binary(ctx, op, 'Mul'),
  DIV: (ctx, op) => binary(ctx, op, 'Div'),
  MAXIMUM: (ctx, op) => binary(ctx, op, 'Max'),
  MINIMUM: (ctx, op) => binary(ctx, op, 'Min'),
  CONCATENATION: concatenation,
  RESHAPE: reshape,
  SOFTMAX: softmax,
  RELU: (ctx, op) => unary(ctx, op, (v) => activate(ctx, v, ActivationFunctionType.RELU, op)),
  RELU6: (ctx, op) => unary(ctx, op, (v) => activate(ctx, v, ActivationFunctionType.RELU6, op)),
  RELU_N1_TO_1: (ctx, op) => unary(ctx, op, (v) => activate(ctx, v, ActivationFunctionType.RELU_N1_TO_1, op)),
  LOGISTIC: (ctx, op) => unary(ctx, op, (v) => ctx.op('Sigmoid', [v])),
  TANH: (ctx, op) => unary(ctx, op, (v) => ctx.op('Tanh', [v])),
  LEAKY_RELU: (ctx, op) => unary(ctx, op, (v) => ctx.op('LeakyRelu', [v], { alpha: { float: num(op, 'alpha', 0.2) } })),
  // x · relu6(x + 3) / 6 = x · HardSigmoid(x; 1/6, 1/2) (HardSwish itself needs opset 14).
  HARD_SWISH: (ctx, op) => unary(ctx, op, (v) => ctx.op('Mul', [v, ctx.op('HardSigmoid', [v], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } })])),
  PAD: pad,
  PADV2: pad,
  MEAN: (ctx, op) => reduce(ctx, op, 'ReduceMean'),
  SUM: (ctx, op) => reduce(ctx, op, 'ReduceSum'),
  REDUCE_MAX: (ctx, op) => reduce(ctx, op, 'ReduceMax'),
  REDUCE_MIN: (ctx, op) => reduce(ctx, op, 'ReduceMin'),
  TRANSPOSE: transpose,
  SQUEEZE: squeeze,
  STRIDED_SLICE: stridedSlice,
  QUANTIZE: passThrough,
  DEQUANTIZE: passThrough,
  SHAPE: shape,
  GATHER: gather,
  UNIDIRECTIONAL_SEQUENCE_LSTM: unidirectionalSequenceLstm,
};
