/** Reductions (Mean/Sum/Max/Min/Prod with keep_dims) and ArgMax/ArgMin, on NCHW values where the axes allow. */
import { onnxType, unsupportedNode } from '../context.js';
import { dropKeepsOrder, nchwAxis, normAxis } from '../layout.js';
import { attrBool, attrType, TfType } from '../proto.js';
import type { OpConverter } from './common.js';

const reduction = (onnxOp: string): OpConverter => (ctx, node) => {
  const x = ctx.input(node, 0);
  const axesRaw = ctx.constNumbers(node, 1, 'the reduction axes');
  const keep = attrBool(node, 'keep_dims', false);
  if (axesRaw.length === 0) {
    ctx.set(node, 0, x);
    return;
  }
  const rank = x.shape?.length;
  const axes = rank === undefined ? axesRaw : [...new Set(axesRaw.map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
  const set = new Set(axes);
  const nchw = ctx.isNchw(x) && rank === 4 && (keep || dropKeepsOrder(set));
  const physAxes = nchw ? axes.map(nchwAxis).sort((a, b) => a - b) : axes;
  const input = nchw ? ctx.nchw(x) : ctx.logical(x);
  // Opset 13+: ReduceSum takes its axes as an input; the others (until opset 18) as an attribute.
  const y = onnxOp === 'ReduceSum'
    ? ctx.op(onnxOp, [input, ctx.int64s(physAxes)], { keepdims: keep ? 1 : 0 })
    : ctx.op(onnxOp, [input], { axes: physAxes, keepdims: keep ? 1 : 0 });
  const shape = x.shape && rank !== undefined ? (keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i))) : undefined;
  ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, shape, nchw && keep ? 'nchw' : 'logical'));
};

const argReduce = (onnxOp: string): OpConverter => (ctx, node) => {
  const x = ctx.input(node, 0);
  const dim = ctx.constNumbers(node, 1, 'the dimension');
  if (dim.length !== 1) throw unsupportedNode(node, 'the dimension must be a single axis');
  const rank = x.shape?.length;
  const axis = rank === undefined ? dim[0] : normAxis(dim[0], rank);
  const nchw = ctx.isNchw(x) && rank === 4 && dropKeepsOrder(new Set([axis]));
  const y = ctx.op(onnxOp, [nchw ? ctx.nchw(x) : ctx.logical(x)], { axis: nchw ? nchwAxis(axis) : axis, keepdims: 0 });
  const outType = attrType(node, 'output_type') ?? TfType.INT64;
  const shape = x.shape && rank !== undefined ? x.shape.filter((_, i) => i !== axis) : undefined;
  const out = outType === TfType.INT64 ? y : ctx.op('Cast', [y], { to: onnxType(outType) });
  ctx.set(node, 0, ctx.fromOnnx(out, outType, shape));
};

export const REDUCE_OPS: Record<string, OpConverter> = {
  Mean: reduction('ReduceMean'),
  Sum: reduction('ReduceSum'),
  Max: reduction('ReduceMax'),
  Min: reduction('ReduceMin'),
  Prod: reduction('ReduceProd'),
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
};
