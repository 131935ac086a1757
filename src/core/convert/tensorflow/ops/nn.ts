/**
 * Convolutions, pools and batch norm. NHWC inputs are taken as NCHW (layout.ts), outputs are NCHW-held. Padding SAME
 * becomes explicit pads computed as TensorFlow does (the odd pixel at the end) when the spatial size is known, else
 * auto_pad SAME_UPPER (the same rule, evaluated by the runtime).
 */
import type { AttributeValue } from '../../../rewrites/graph.js';
import { unsupportedNode, type ConvertContext, type Value } from '../context.js';
import { attrBool, attrFloat, attrInts, attrString, attrStrings, type NodeDef } from '../proto.js';
import { activation, type OpConverter } from './common.js';
import { biasAddValue } from './math.js';

interface Geometry {
  channelsFirst: boolean;
  /** Indices of H and W in the TF shape. */
  spatial: [number, number];
  channel: number;
}

function geometry(node: NodeDef): Geometry {
  const format = attrString(node, 'data_format', 'NHWC');
  if (format !== 'NHWC' && format !== 'NCHW') throw unsupportedNode(node, `data_format ${format} is not supported`);
  const cf = format === 'NCHW';
  return { channelsFirst: cf, spatial: cf ? [2, 3] : [1, 2], channel: cf ? 1 : 3 };
}

/** TF's output size and padding for one spatial dimension. */
export function tfPadding(mode: string, size: number, k: number, s: number, d: number, explicit?: [number, number]): { out: number; before: number; after: number } {
  const eff = (k - 1) * d + 1;
  if (mode === 'VALID') return { out: size < 0 ? -1 : Math.floor((size - eff) / s) + 1, before: 0, after: 0 };
  if (mode === 'EXPLICIT') {
    const [b, a] = explicit ?? [0, 0];
    return { out: size < 0 ? -1 : Math.floor((size + b + a - eff) / s) + 1, before: b, after: a };
  }
  if (size < 0) return { out: -1, before: -1, after: -1 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + eff - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Attributes kernel_shape/strides/dilations/pads (or auto_pad) and the output spatial size. */
function windowAttrs(ctx: ConvertContext, node: NodeDef, g: Geometry, x: Value, kernel: [number, number], withDilations: boolean): { attrs: Record<string, AttributeValue>; out: [number, number] } {
  const strides = attrInts(node, 'strides') ?? [1, 1, 1, 1];
  const dil = withDilations ? attrInts(node, 'dilations') ?? [1, 1, 1, 1] : [1, 1, 1, 1];
  if (strides.length !== 4 || strides[0] !== 1 || strides[g.channel] !== 1) throw unsupportedNode(node, `strides [${strides.join(', ')}] along batch or channels are not supported`);
  if (dil.length !== 4 || dil[0] !== 1 || dil[g.channel] !== 1) throw unsupportedNode(node, `dilations [${dil.join(', ')}] along batch or channels are not supported`);
  const mode = attrString(node, 'padding', 'VALID');
  if (mode !== 'SAME' && mode !== 'VALID' && mode !== 'EXPLICIT') throw unsupportedNode(node, `padding ${mode} is not supported`);
  const explicit = attrInts(node, 'explicit_paddings') ?? [];
  const s = [strides[g.spatial[0]], strides[g.spatial[1]]];
  const d = [dil[g.spatial[0]], dil[g.spatial[1]]];
  const sizes = [x.shape?.[g.spatial[0]] ?? -1, x.shape?.[g.spatial[1]] ?? -1];
  const p = [0, 1].map((i) => tfPadding(mode, sizes[i], kernel[i], s[i], d[i], mode === 'EXPLICIT' ? [explicit[2 * g.spatial[i]] ?? 0, explicit[2 * g.spatial[i] + 1] ?? 0] : undefined));
  const attrs: Record<string, AttributeValue> = { kernel_shape: [...kernel], strides: s };
  if (withDilations) attrs.dilations = d;
  if (p.some((q) => q.before < 0)) {
    attrs.auto_pad = 'SAME_UPPER';
    ctx.notes.push(`${node.op} '${node.name}': padding SAME with an unknown input size → auto_pad SAME_UPPER.`);
  } else {
    attrs.pads = [p[0].before, p[1].before, p[0].after, p[1].after];
  }
  return { attrs, out: [p[0].out, p[1].out] };
}

/** The input as NCHW for an ONNX image op (NHWC data is transposed once, NCHW data is used as it is). */
function imageInput(ctx: ConvertContext, node: NodeDef, g: Geometry, x: Value): string {
  if (x.shape && x.shape.length !== 4) throw unsupportedNode(node, `a rank-${x.shape.length} input is not supported (rank 4 expected)`);
  if (!x.shape) x.shape = [-1, -1, -1, -1];
  return g.channelsFirst ? ctx.logical(x) : ctx.nchw(x);
}

function imageOutput(ctx: ConvertContext, g: Geometry, y: string, dtype: number, n: number, c: number, hw: [number, number]): Value {
  const shape = g.channelsFirst ? [n, c, hw[0], hw[1]] : [n, hw[0], hw[1], c];
  return ctx.fromOnnx(y, dtype, shape, g.channelsFirst ? 'logical' : 'nchw');
}

/** Conv2D / DepthwiseConv2dNative as an ONNX Conv value. */
function convValue(ctx: ConvertContext, node: NodeDef, x: Value, f: Value, depthwise: boolean): Value {
  const g = geometry(node);
  const xin = imageInput(ctx, node, g, x);
  if (!f.shape || f.shape.length !== 4 || f.shape.some((d) => d < 0)) throw unsupportedNode(node, 'the filter needs a known rank-4 shape');
  const [kh, kw, cin, m] = f.shape;
  let w: string;
  let group = 1;
  let outC: number;
  if (depthwise) {
    // [kh, kw, C, M] → [C·M, 1, kh, kw]: output channel c·M + m, as TF orders them.
    outC = cin * m;
    group = cin;
    if (f.const) {
      const t = ctx.transposed(f.const, [2, 3, 0, 1]);
      w = ctx.constName({ ...t, shape: [cin * m, 1, kh, kw] }, `${f.hint ?? node.name}_oihw`);
    } else {
      w = ctx.op('Reshape', [ctx.op('Transpose', [ctx.logical(f)], { perm: [2, 3, 0, 1] }), ctx.int64s([cin * m, 1, kh, kw])]);
    }
  } else {
    outC = m;
    const inC = x.shape?.[g.channel] ?? -1;
    if (inC > 0 && inC !== cin) {
      if (inC % cin !== 0) throw unsupportedNode(node, `${inC} input channels do not fit a filter with ${cin}`);
      group = inC / cin;
    }
    w = f.const
      ? ctx.constName(ctx.transposed(f.const, [3, 2, 0, 1]), `${f.hint ?? node.name}_oihw`)
      : ctx.op('Transpose', [ctx.logical(f)], { perm: [3, 2, 0, 1] });
  }
  const { attrs, out } = windowAttrs(ctx, node, g, x, [kh, kw], true);
  if (group !== 1) attrs.group = group;
  const y = ctx.op('Conv', [xin, w], attrs);
  return imageOutput(ctx, g, y, x.dtype, x.shape![0], outC, out);
}

function batchNormValue(ctx: ConvertContext, node: NodeDef, x: Value, params: Value[], epsilon: number): Value {
  const g = geometry(node);
  if (params.length < 4) throw unsupportedNode(node, 'batch norm needs scale, offset, mean and variance');
  const xin = imageInput(ctx, node, g, x);
  const names = params.slice(0, 4).map((p) => ctx.logical(p));
  const y = ctx.op('BatchNormalization', [xin, ...names], { epsilon: { float: epsilon } });
  return ctx.fromOnnx(y, x.dtype, x.shape, g.channelsFirst ? 'logical' : 'nchw');
}

const pool = (onnxOp: string): OpConverter => (ctx, node) => {
  const g = geometry(node);
  const x = ctx.input(node, 0);
  const ksize = attrInts(node, 'ksize') ?? [];
  if (ksize.length !== 4 || ksize[0] !== 1 || ksize[g.channel] !== 1) throw unsupportedNode(node, `ksize [${ksize.join(', ')}] pooling across batch or channels is not supported`);
  const xin = imageInput(ctx, node, g, x);
  const { attrs, out } = windowAttrs(ctx, node, g, x, [ksize[g.spatial[0]], ksize[g.spatial[1]]], false);
  // TF's AvgPool divides by the number of real (unpadded) pixels: ONNX's count_include_pad = 0 (the default).
  const y = ctx.op(onnxOp, [xin], attrs);
  ctx.set(node, 0, imageOutput(ctx, g, y, x.dtype, x.shape![0], x.shape![g.channel], out));
};

const fusedBatchNorm: OpConverter = (ctx, node) => {
  if (attrBool(node, 'is_training', false)) {
    throw unsupportedNode(node, 'is_training is true (batch statistics at run time); export the graph for inference (is_training false)');
  }
  const [x, ...params] = ctx.inputs(node);
  ctx.set(node, 0, batchNormValue(ctx, node, x, params, attrFloat(node, 'epsilon', 1e-4)));
};

export const NN_OPS: Record<string, OpConverter> = {
  Conv2D: (ctx, node) => {
    const [x, f] = ctx.inputs(node);
    ctx.set(node, 0, convValue(ctx, node, x, f, false));
  },
  DepthwiseConv2dNative: (ctx, node) => {
    const [x, f] = ctx.inputs(node);
    ctx.set(node, 0, convValue(ctx, node, x, f, true));
  },
  _FusedConv2D: (ctx, node) => {
    const [x, f, ...args] = ctx.inputs(node);
    let y = convValue(ctx, node, x, f, false);
    const fused = attrStrings(node, 'fused_ops') ?? [];
    for (const op of fused) {
      if (op === 'BiasAdd') y = biasAddValue(ctx, node, y, args[0], attrString(node, 'data_format', 'NHWC'));
      else if (op === 'FusedBatchNorm') y = batchNormValue(ctx, node, y, args, attrFloat(node, 'epsilon', 1e-4));
      else y = activation(ctx, node, y, op, attrFloat(node, 'leakyrelu_alpha', 0.2));
    }
    ctx.set(node, 0, y);
  },
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
};
