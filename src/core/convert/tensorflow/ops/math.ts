/** Element-wise math, activations, Softmax, MatMul/BatchMatMul, BiasAdd, Cast, comparisons, Select. */
import { OmnihubError } from '../../../errors.js';
import { unsupportedNode, isFloatType, onnxType, type ConvertContext, type Value } from '../context.js';
import { nchwAxis, normAxis } from '../layout.js';
import { attrBool, attrFloat, attrString, attrStrings, attrType, TfType, type NodeDef } from '../proto.js';
import { activation, broadcastAll, elementwise, elementwiseValue, unaryValue, type OpConverter } from './common.js';

const binary = (onnxOp: string, outDtype?: number): OpConverter => (ctx, node) => {
  const [a, b] = ctx.inputs(node);
  elementwise(ctx, node, onnxOp, [a, b], {}, outDtype);
};

const unary = (onnxOp: string): OpConverter => (ctx, node) => ctx.set(node, 0, unaryValue(ctx, ctx.input(node, 0), onnxOp));

const act = (name: string): OpConverter => (ctx, node) => ctx.set(node, 0, activation(ctx, node, ctx.input(node, 0), name, attrFloat(node, 'alpha', 0.2)));

const floatOnly = (node: NodeDef, v: Value, what: string) => {
  if (!isFloatType(v.dtype)) throw unsupportedNode(node, `${what} is only converted for floating-point tensors`);
};

/** Softmax/LogSoftmax over the last TF axis (axis 1 of an NCHW-held rank-4 value). */
const softmax = (onnxOp: string): OpConverter => (ctx, node) => {
  const x = ctx.input(node, 0);
  const nchw = ctx.isNchw(x);
  const y = ctx.op(onnxOp, [nchw ? ctx.nchw(x) : ctx.logical(x)], { axis: nchw ? nchwAxis(-1) : -1 });
  ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, x.shape, nchw ? 'nchw' : 'logical'));
};

/** A value's last two axes swapped (constants: their data; others: a Transpose). Rank must be known. */
function swapLast(ctx: ConvertContext, node: NodeDef, v: Value): { name: string; shape?: number[] } {
  const rank = v.shape?.length;
  if (rank === undefined) throw unsupportedNode(node, 'an adjoint/transposed operand needs a known rank');
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  const shape = perm.map((p) => v.shape![p]);
  if (v.const) return { name: ctx.constName(ctx.transposed(v.const, perm), `${v.hint ?? node.name}_t`), shape };
  return { name: ctx.op('Transpose', [ctx.logical(v)], { perm }), shape };
}

function matmulValue(ctx: ConvertContext, node: NodeDef, a: Value, b: Value, ta: boolean, tb: boolean): Value {
  const A = ta ? swapLast(ctx, node, a) : { name: ctx.logical(a), shape: a.shape };
  const B = tb ? swapLast(ctx, node, b) : { name: ctx.logical(b), shape: b.shape };
  const y = ctx.op('MatMul', [A.name, B.name]);
  let shape: number[] | undefined;
  if (A.shape && B.shape && A.shape.length >= 2 && B.shape.length >= 2) {
    const batch = broadcastAll([{ dtype: 0, primary: 'logical', shape: A.shape.slice(0, -2) }, { dtype: 0, primary: 'logical', shape: B.shape.slice(0, -2) }]);
    shape = batch ? [...batch, A.shape[A.shape.length - 2], B.shape[B.shape.length - 1]] : undefined;
  }
  return ctx.fromOnnx(y, a.dtype, shape);
}

/** x + bias along the channel axis (NHWC: the last; NCHW: axis 1), in x's current layout. */
function biasAddValue(ctx: ConvertContext, node: NodeDef, x: Value, bias: Value, format: string): Value {
  const rank = x.shape?.length;
  const channelsFirst = format.startsWith('NC');
  const held = ctx.isNchw(x) && rank === 4;
  if (!channelsFirst && !held) return elementwiseValue(ctx, 'Add', [x, bias]);
  if (rank === undefined) throw unsupportedNode(node, 'a channels-first BiasAdd needs the input rank');
  const trailing = held ? 2 : rank - 2;
  const shape = [-1, ...new Array(trailing).fill(1)];
  let b: string;
  if (bias.const) {
    b = ctx.constName({ ...bias.const, shape: [bias.const.shape[0], ...new Array(trailing).fill(1)] }, `${bias.hint ?? node.name}_bias`);
  } else {
    b = ctx.op('Reshape', [ctx.logical(bias), ctx.int64s(shape)]);
  }
  const y = ctx.op('Add', [held ? ctx.nchw(x) : ctx.logical(x), b]);
  return ctx.fromOnnx(y, x.dtype, x.shape, held ? 'nchw' : 'logical');
}

export { biasAddValue };

const castTo = (ctx: ConvertContext, v: Value, to: number): Value => {
  if (v.dtype === to) return v;
  return unaryValue(ctx, v, 'Cast', { to: onnxType(to) }, [], to);
};

export const MATH_OPS: Record<string, OpConverter> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Div: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  FloorDiv: (ctx, node) => {
    const [a, b] = ctx.inputs(node);
    floatOnly(node, a, 'FloorDiv');
    ctx.set(node, 0, unaryValue(ctx, elementwiseValue(ctx, 'Div', [a, b]), 'Floor'));
  },
  FloorMod: (ctx, node) => {
    const [a, b] = ctx.inputs(node);
    if (isFloatType(a.dtype)) {
      // a − floor(a / b) · b
      const q = unaryValue(ctx, elementwiseValue(ctx, 'Div', [a, b]), 'Floor');
      ctx.set(node, 0, elementwiseValue(ctx, 'Sub', [a, elementwiseValue(ctx, 'Mul', [q, b])]));
    } else {
      elementwise(ctx, node, 'Mod', [a, b], { fmod: 0 });
    }
  },
  SquaredDifference: (ctx, node) => {
    const d = elementwiseValue(ctx, 'Sub', ctx.inputs(node));
    ctx.set(node, 0, elementwiseValue(ctx, 'Mul', [d, d]));
  },
  AddN: (ctx, node) => elementwise(ctx, node, 'Sum', ctx.inputs(node)),
  Equal: binary('Equal', TfType.BOOL),
  Greater: binary('Greater', TfType.BOOL),
  GreaterEqual: binary('GreaterOrEqual', TfType.BOOL),
  Less: binary('Less', TfType.BOOL),
  LessEqual: binary('LessOrEqual', TfType.BOOL),
  NotEqual: (ctx, node) => ctx.set(node, 0, unaryValue(ctx, elementwiseValue(ctx, 'Equal', ctx.inputs(node), {}, TfType.BOOL), 'Not')),
  LogicalAnd: binary('And'),
  LogicalOr: binary('Or'),
  LogicalNot: unary('Not'),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Sqrt: unary('Sqrt'),
  Rsqrt: (ctx, node) => ctx.set(node, 0, unaryValue(ctx, unaryValue(ctx, ctx.input(node, 0), 'Sqrt'), 'Reciprocal')),
  Square: (ctx, node) => {
    const x = ctx.input(node, 0);
    elementwise(ctx, node, 'Mul', [x, x]);
  },
  Exp: unary('Exp'),
  Log: unary('Log'),
  Log1p: (ctx, node) => {
    const x = ctx.input(node, 0);
    ctx.set(node, 0, unaryValue(ctx, elementwiseValue(ctx, 'Add', [x, ctx.fromConst({ dtype: x.dtype, shape: [], data: Float64Array.of(1) })]), 'Log'));
  },
  Reciprocal: unary('Reciprocal'),
  Inv: unary('Reciprocal'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Round: unary('Round'),
  Sign: unary('Sign'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
  Erf: unary('Erf'),
  Relu: act('Relu'),
  Relu6: act('Relu6'),
  Elu: act('Elu'),
  Selu: act('Selu'),
  LeakyRelu: act('LeakyRelu'),
  Sigmoid: act('Sigmoid'),
  Tanh: act('Tanh'),
  Softplus: act('Softplus'),
  Softsign: act('Softsign'),
  Softmax: softmax('Softmax'),
  LogSoftmax: softmax('LogSoftmax'),
  ClipByValue: (ctx, node) => {
    const [x, lo, hi] = ctx.inputs(node);
    ctx.set(node, 0, elementwiseValue(ctx, 'Min', [elementwiseValue(ctx, 'Max', [x, lo]), hi]));
  },
  Cast: (ctx, node) => {
    const to = attrType(node, 'DstT');
    if (to === undefined) throw unsupportedNode(node, 'no DstT attribute');
    ctx.set(node, 0, castTo(ctx, ctx.input(node, 0), to));
  },
  Select: (ctx, node) => {
    const [c, a, b] = ctx.inputs(node);
    const rc = c.shape?.length;
    const ra = a.shape?.length;
    if (rc === 1 && ra !== undefined && ra > 1) {
      // TF1 Select with a vector condition picks whole rows.
      const axes = [...Array(ra).keys()].slice(1);
      const cu = ctx.fromOnnx(ctx.op('Unsqueeze', [ctx.logical(c), ctx.int64s(axes)]), TfType.BOOL, [...c.shape!, ...axes.map(() => 1)]);
      ctx.set(node, 0, elementwiseValue(ctx, 'Where', [cu, a, b], {}, a.dtype));
      return;
    }
    ctx.set(node, 0, elementwiseValue(ctx, 'Where', [c, a, b], {}, a.dtype));
  },
  SelectV2: (ctx, node) => {
    const [c, a, b] = ctx.inputs(node);
    ctx.set(node, 0, elementwiseValue(ctx, 'Where', [c, a, b], {}, a.dtype));
  },
  MatMul: (ctx, node) => {
    const [a, b] = ctx.inputs(node);
    ctx.set(node, 0, matmulValue(ctx, node, a, b, attrBool(node, 'transpose_a', false), attrBool(node, 'transpose_b', false)));
  },
  BatchMatMul: (ctx, node) => {
    const [a, b] = ctx.inputs(node);
    ctx.set(node, 0, matmulValue(ctx, node, a, b, attrBool(node, 'adj_x', false), attrBool(node, 'adj_y', false)));
  },
  BatchMatMulV2: (ctx, node) => MATH_OPS.BatchMatMul(ctx, node),
  BatchMatMulV3: (ctx, node) => {
    const [a, b] = ctx.inputs(node);
    const y = matmulValue(ctx, node, a, b, attrBool(node, 'adj_x', false), attrBool(node, 'adj_y', false));
    const tout = attrType(node, 'Tout');
    ctx.set(node, 0, tout !== undefined ? castTo(ctx, y, tout) : y);
  },
  BiasAdd: (ctx, node) => {
    const [x, b] = ctx.inputs(node);
    ctx.set(node, 0, biasAddValue(ctx, node, x, b, attrString(node, 'data_format', 'NHWC')));
  },
  BiasAddV1: (ctx, node) => {
    const [x, b] = ctx.inputs(node);
    ctx.set(node, 0, biasAddValue(ctx, node, x, b, 'NHWC'));
  },
  _FusedMatMul: (ctx, node) => {
    const [a, b, ...args] = ctx.inputs(node);
    let y = matmulValue(ctx, node, a, b, attrBool(node, 'transpose_a', false), attrBool(node, 'transpose_b', false));
    const fused = attrStrings(node, 'fused_ops') ?? [];
    for (const f of fused) {
      if (f === 'BiasAdd') {
        if (!args[0]) throw unsupportedNode(node, 'BiasAdd fusion without a bias');
        y = biasAddValue(ctx, node, y, args[0], 'NHWC');
      } else if (f === 'Add') {
        if (!args[1]) throw unsupportedNode(node, 'Add fusion without an addend');
        y = elementwiseValue(ctx, 'Add', [y, args[1]]);
      } else {
        y = activation(ctx, node, y, f, attrFloat(node, 'leakyrelu_alpha', 0.2));
      }
    }
    ctx.set(node, 0, y);
  },
};

/** Normalizes an axis when the rank is known (negative axes stay negative otherwise: ONNX reads them the same). */
export function axisOf(axis: number, rank: number | undefined): number {
  return rank === undefined ? axis : normAxis(axis, rank);
}

export function requireFloat(node: NodeDef, v: Value): void {
  if (!isFloatType(v.dtype)) throw new OmnihubError('unsupported', `TensorFlow ${node.op} '${node.name}' on a non-float tensor is not supported.`);
}
