/** Helpers shared by the op converters: element-wise ops in either layout, activations, aliases. */
import type { AttributeValue } from '../../../rewrites/graph.js';
import { broadcastShapes } from '../fold.js';
import { unsupportedNode, type ConvertContext, type Value } from '../context.js';
import type { NodeDef } from '../proto.js';

export type OpConverter = (ctx: ConvertContext, node: NodeDef) => void;

/** The broadcast shape of some values, when all their shapes are known. */
export function broadcastAll(vals: readonly Value[]): number[] | undefined {
  let shape: number[] | undefined = [];
  for (const v of vals) {
    if (!v.shape || !shape) return undefined;
    shape = broadcastShapes(shape, v.shape);
  }
  return shape;
}

/** Whether an element-wise op over `vals` can run on NCHW values (some input is NCHW and all fit that layout). */
export function chooseNchw(ctx: ConvertContext, vals: readonly Value[], outShape: number[] | undefined): boolean {
  return vals.some((v) => ctx.isNchw(v)) && vals.every((v) => ctx.fitsNchw(v)) && (!outShape || outShape.length === 4);
}

/**
 * An element-wise ONNX op over the values (broadcasting as numpy/TF), on NCHW values when an input already is and
 * the others fit, else in the TF layout. Returns the output value (not yet bound to a TF tensor).
 */
export function elementwiseValue(ctx: ConvertContext, onnxOp: string, vals: readonly Value[], attrs: Record<string, AttributeValue> = {}, outDtype?: number): Value {
  const shape = broadcastAll(vals);
  const nchw = chooseNchw(ctx, vals, shape);
  const names = vals.map((v) => (nchw ? ctx.nchw(v) : ctx.logical(v)));
  const y = ctx.op(onnxOp, names, attrs);
  return ctx.fromOnnx(y, outDtype ?? vals[0].dtype, shape, nchw ? 'nchw' : 'logical');
}

export function elementwise(ctx: ConvertContext, node: NodeDef, onnxOp: string, vals: readonly Value[], attrs: Record<string, AttributeValue> = {}, outDtype?: number): void {
  ctx.set(node, 0, elementwiseValue(ctx, onnxOp, vals, attrs, outDtype));
}

/** A value computed from `v` by a one-input, layout-agnostic ONNX op (kept in v's layout). */
export function unaryValue(ctx: ConvertContext, v: Value, onnxOp: string, attrs: Record<string, AttributeValue> = {}, extra: string[] = [], outDtype?: number): Value {
  const nchw = ctx.isNchw(v);
  const y = ctx.op(onnxOp, [nchw ? ctx.nchw(v) : ctx.logical(v), ...extra], attrs);
  return ctx.fromOnnx(y, outDtype ?? v.dtype, v.shape, nchw ? 'nchw' : 'logical');
}

/** The same value under another TF name (Identity and friends). */
export function alias(v: Value): Value {
  return v;
}

/** Applies a TF activation op by name to a value (for Relu etc. and the fused ops' activations). */
export function activation(ctx: ConvertContext, node: NodeDef, v: Value, act: string, alpha = 0.2): Value {
  switch (act) {
    case 'Relu': return unaryValue(ctx, v, 'Relu');
    case 'Relu6': return unaryValue(ctx, v, 'Clip', {}, [ctx.scalar(v.dtype, 0), ctx.scalar(v.dtype, 6)]);
    case 'Elu': return unaryValue(ctx, v, 'Elu', { alpha: { float: 1 } });
    case 'Selu': return unaryValue(ctx, v, 'Selu');
    case 'LeakyRelu': return unaryValue(ctx, v, 'LeakyRelu', { alpha: { float: alpha } });
    case 'Sigmoid': return unaryValue(ctx, v, 'Sigmoid');
    case 'Tanh': return unaryValue(ctx, v, 'Tanh');
    case 'Softplus': return unaryValue(ctx, v, 'Softplus');
    case 'Softsign': return unaryValue(ctx, v, 'Softsign');
    default: throw unsupportedNode(node, `activation ${act} is not supported`);
  }
}
