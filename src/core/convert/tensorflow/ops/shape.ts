/**
 * Shape and data-movement ops: Reshape, Squeeze, ExpandDims, ConcatV2, Pad, Transpose, Shape/Size/Rank,
 * StridedSlice, Slice, Pack/Unpack, Fill, Range, Tile, Gather, Split. Most of them fold to constants when their
 * inputs are known (fold.ts); the converters here handle the cases that stay in the graph.
 */
import { DataType } from '../../../onnx/tensor.js';
import { makeTensor } from '../../../rewrites/graph.js';
import { elementCount } from '../../../weights/types.js';
import { onnxType, unsupportedNode, type ConvertContext, type Value } from '../context.js';
import { resolveDim, resolveReshape, stridedShape, stridedSpec } from '../fold.js';
import { dropKeepsOrder, nchwAxis, normAxis, TO_NCHW } from '../layout.js';
import { attrInt, attrInts, attrString, attrType, TfType } from '../proto.js';
import { numArray } from '../tensors.js';
import type { OpConverter } from './common.js';

/** Safe "to the end" bounds for ONNX Slice (clamped by the runtime). */
const BIG = Number.MAX_SAFE_INTEGER;

/** An int64 ONNX value of a TF integer value (constants become int64 initializers, others are cast). */
function int64Of(ctx: ConvertContext, v: Value): string {
  if (v.const && !Array.isArray(v.const.data)) return ctx.int64s(Array.from(v.const.data), v.const.shape);
  const name = ctx.logical(v);
  return v.dtype === TfType.INT64 ? name : ctx.op('Cast', [name], { to: DataType.INT64 });
}

/** A TF-typed integer value from an int64 ONNX value. */
function fromInt64(ctx: ConvertContext, name: string, to: number): string {
  return to === TfType.INT64 ? name : ctx.op('Cast', [name], { to: onnxType(to) });
}

function staticShape(v: Value): number[] | undefined {
  return v.shape && v.shape.every((d) => d >= 0) ? v.shape : undefined;
}

const constOf = (ctx: ConvertContext, dtype: number, shape: number[], values: number[]): Value =>
  ctx.fromConst({ dtype, shape, data: numArray(dtype, values) });

function shapeValue(ctx: ConvertContext, x: Value): string {
  if (ctx.isNchw(x)) {
    // Shape of the NCHW value, put back in TF order.
    return ctx.op('Gather', [ctx.op('Shape', [ctx.nchw(x)]), ctx.int64s([0, 2, 3, 1])], { axis: 0 });
  }
  return ctx.op('Shape', [ctx.logical(x)]);
}

const reshape: OpConverter = (ctx, node) => {
  const [x, s] = ctx.inputs(node);
  let shape: number[] | undefined;
  let shapeName: string;
  if (s.const && !Array.isArray(s.const.data)) {
    const dims = Array.from(s.const.data);
    const known = staticShape(x);
    shape = known ? resolveReshape(dims, elementCount(known)) : dims;
    shapeName = ctx.int64s(dims);
  } else {
    shapeName = int64Of(ctx, s);
    shape = s.shape?.length === 1 && s.shape[0] >= 0 ? new Array(s.shape[0]).fill(-1) : undefined;
  }
  ctx.set(node, 0, ctx.fromOnnx(ctx.op('Reshape', [ctx.logical(x), shapeName]), x.dtype, shape));
};

const squeeze: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const rank = x.shape?.length;
  let axes = attrInts(node, 'squeeze_dims') ?? attrInts(node, 'axis') ?? [];
  if (rank !== undefined) axes = axes.map((a) => normAxis(a, rank));
  if (!axes.length && x.shape && x.shape.every((d) => d >= 0)) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (!axes.length) {
    ctx.set(node, 0, ctx.fromOnnx(ctx.op('Squeeze', [ctx.logical(x)]), x.dtype, undefined));
    return;
  }
  const set = new Set(axes);
  const shape = x.shape && rank !== undefined ? x.shape.filter((_, i) => !set.has(i)) : undefined;
  const nchw = ctx.isNchw(x) && rank === 4 && dropKeepsOrder(set);
  const y = nchw
    ? ctx.op('Squeeze', [ctx.nchw(x), ctx.int64s(axes.map(nchwAxis).sort((a, b) => a - b))])
    : ctx.op('Squeeze', [ctx.logical(x), ctx.int64s(axes)]);
  ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, shape));
};

const expandDims: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const d = ctx.constNumbers(node, 1, 'the dimension');
  const rank = x.shape?.length;
  const axis = rank === undefined ? d[0] : normAxis(d[0], rank + 1);
  const shape = x.shape ? [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)] : undefined;
  ctx.set(node, 0, ctx.fromOnnx(ctx.op('Unsqueeze', [ctx.logical(x), ctx.int64s([axis])]), x.dtype, shape));
};

function concatValue(ctx: ConvertContext, values: Value[], axisRaw: number): Value {
  const rank = values.find((v) => v.shape)?.shape?.length;
  const axis = rank === undefined ? axisRaw : normAxis(axisRaw, rank);
  let shape: number[] | undefined;
  if (rank !== undefined && values.every((v) => v.shape)) {
    shape = [...values[0].shape!];
    shape[axis] = values.some((v) => v.shape![axis] < 0) ? -1 : values.reduce((a, v) => a + v.shape![axis], 0);
    for (let i = 0; i < rank; i++) if (i !== axis && shape[i] < 0) shape[i] = values.find((v) => v.shape![i] >= 0)?.shape![i] ?? -1;
  }
  const nchw = rank === 4 && values.some((v) => ctx.isNchw(v)) && values.every((v) => ctx.fitsNchw(v) && (!v.const || v.const.shape.length === 4));
  const names = values.map((v) => (nchw ? ctx.nchw(v) : ctx.logical(v)));
  const y = ctx.op('Concat', names, { axis: nchw ? nchwAxis(axis) : axis });
  return ctx.fromOnnx(y, values[0].dtype, shape, nchw ? 'nchw' : 'logical');
}

const pad: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const p = ctx.constNumbers(node, 1, 'the paddings');
  const rank = p.length / 2;
  const rows = Array.from({ length: rank }, (_, i) => [p[2 * i], p[2 * i + 1]]);
  let mode = 'constant';
  if (node.op === 'MirrorPad') {
    const m = attrString(node, 'mode', 'REFLECT');
    if (m !== 'REFLECT') throw unsupportedNode(node, `mode ${m} has no ONNX Pad counterpart (only REFLECT)`);
    mode = 'reflect';
  }
  const nchw = ctx.isNchw(x) && rank === 4;
  const order = nchw ? [...TO_NCHW] : [...Array(rank).keys()];
  const pads = [...order.map((i) => rows[i][0]), ...order.map((i) => rows[i][1])];
  const inputs = [nchw ? ctx.nchw(x) : ctx.logical(x), ctx.int64s(pads)];
  if (node.op === 'PadV2') inputs.push(ctx.logical(ctx.input(node, 2)));
  const y = ctx.op('Pad', inputs, { mode });
  const shape = x.shape?.map((d, i) => (d < 0 ? -1 : d + rows[i][0] + rows[i][1]));
  ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, shape, nchw ? 'nchw' : 'logical'));
};

const transpose: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const perm = ctx.constNumbers(node, 1, 'the permutation');
  const shape = x.shape ? perm.map((p) => x.shape![p]) : undefined;
  if (ctx.isNchw(x) && perm.length === 4) {
    // Compose with the NCHW holding: out[i] = logical[perm[i]] = nchw[TO_NCHW.indexOf(perm[i])].
    const q = perm.map((p) => TO_NCHW.indexOf(p));
    const src = ctx.nchw(x);
    const y = q.every((a, i) => a === i) ? src : ctx.op('Transpose', [src], { perm: q });
    ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, shape));
    return;
  }
  ctx.set(node, 0, ctx.fromOnnx(ctx.op('Transpose', [ctx.logical(x)], { perm }), x.dtype, shape));
};

const shapeOp: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const outType = attrType(node, 'out_type') ?? TfType.INT32;
  const known = staticShape(x);
  if (known) {
    ctx.set(node, 0, constOf(ctx, outType, [known.length], known));
    return;
  }
  const y = fromInt64(ctx, shapeValue(ctx, x), outType);
  ctx.set(node, 0, ctx.fromOnnx(y, outType, x.shape ? [x.shape.length] : [-1]));
};

const stridedSlice: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const begin = ctx.constNumbers(node, 1, 'begin');
  const end = ctx.constNumbers(node, 2, 'end');
  const strides = ctx.constNumbers(node, 3, 'strides');
  let rank = x.shape?.length;
  if (rank === undefined) {
    if (attrInt(node, 'ellipsis_mask', 0) !== 0) throw unsupportedNode(node, 'an ellipsis needs the input rank');
    const newAxis = attrInt(node, 'new_axis_mask', 0);
    rank = begin.filter((_, i) => ((newAxis >>> i) & 1) === 0).length;
  }
  const spec = stridedSpec(node, rank, begin, end, strides);
  const starts: number[] = [], ends: number[] = [], axes: number[] = [], steps: number[] = [];
  spec.dims.forEach((d, i) => {
    if (d.full) return;
    const size = x.shape?.[i] ?? -1;
    if (size >= 0) {
      const r = resolveDim(d, size);
      const last = r.start + (r.count - 1) * r.step;
      starts.push(r.start);
      ends.push(r.count === 0 ? r.start : r.step > 0 ? last + 1 : last - 1 < 0 ? -BIG : last - 1);
    } else if (d.shrink) {
      starts.push(d.begin);
      ends.push(d.begin === -1 ? BIG : d.begin + 1);
    } else {
      starts.push(d.beginMasked ? (d.stride > 0 ? 0 : BIG) : d.begin);
      ends.push(d.endMasked ? (d.stride > 0 ? BIG : -BIG) : d.end);
    }
    axes.push(i);
    steps.push(d.stride);
  });
  let y = ctx.logical(x);
  if (axes.length) y = ctx.op('Slice', [y, ctx.int64s(starts), ctx.int64s(ends), ctx.int64s(axes), ctx.int64s(steps)]);
  const shrink = spec.dims.flatMap((d, i) => (d.shrink ? [i] : []));
  if (shrink.length) y = ctx.op('Squeeze', [y, ctx.int64s(shrink)]);
  const newAxes = spec.final.flatMap((f, i) => (f.kind === 'new' ? [i] : []));
  if (newAxes.length) y = ctx.op('Unsqueeze', [y, ctx.int64s(newAxes)]);
  if (y === x.logical) y = ctx.op('Identity', [y]);
  const shape = x.shape ? stridedShape(spec, x.shape) : undefined;
  ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, shape));
};

const slice: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const begin = ctx.constNumbers(node, 1, 'begin');
  const size = ctx.constNumbers(node, 2, 'size');
  const ends = size.map((s, i) => (s === -1 ? BIG : begin[i] + s));
  const y = ctx.op('Slice', [ctx.logical(x), ctx.int64s(begin), ctx.int64s(ends), ctx.int64s([...begin.keys()])]);
  const shape = x.shape ? size.map((s, i) => (s === -1 ? (x.shape![i] < 0 ? -1 : x.shape![i] - begin[i]) : s)) : undefined;
  ctx.set(node, 0, ctx.fromOnnx(y, x.dtype, shape));
};

const pack: OpConverter = (ctx, node) => {
  const values = ctx.inputs(node);
  const rank = values.find((v) => v.shape)?.shape?.length;
  const axis = rank === undefined ? attrInt(node, 'axis', 0) : normAxis(attrInt(node, 'axis', 0), rank + 1);
  const names = values.map((v) => ctx.op('Unsqueeze', [ctx.logical(v), ctx.int64s([axis])]));
  const y = names.length === 1 ? names[0] : ctx.op('Concat', names, { axis });
  const base = values[0].shape;
  const shape = base && rank !== undefined ? [...base.slice(0, axis), values.length, ...base.slice(axis)] : undefined;
  ctx.set(node, 0, ctx.fromOnnx(y, values[0].dtype, shape));
};

const unpack: OpConverter = (ctx, node) => {
  const x = ctx.input(node, 0);
  const rank = x.shape?.length;
  const axis = rank === undefined ? attrInt(node, 'axis', 0) : normAxis(attrInt(node, 'axis', 0), rank);
  const num = attrInt(node, 'num', x.shape?.[axis] ?? -1);
  if (num < 1) throw unsupportedNode(node, 'the number of outputs is unknown');
  const parts = num === 1 ? [ctx.logical(x)] : ctx.ops('Split', [ctx.logical(x)], num, { axis });
  const shape = x.shape?.filter((_, i) => i !== axis);
  parts.forEach((p, k) => ctx.set(node, k, ctx.fromOnnx(ctx.op('Squeeze', [p, ctx.int64s([axis])]), x.dtype, shape)));
};

const fill: OpConverter = (ctx, node) => {
  const [dims, value] = ctx.inputs(node);
  const shape = dims.const && !Array.isArray(dims.const.data) ? Array.from(dims.const.data) : dims.shape?.[0] !== undefined && dims.shape[0] >= 0 ? new Array(dims.shape[0]).fill(-1) : undefined;
  if (value.const && !Array.isArray(value.const.data)) {
    const t = makeTensor('value', onnxType(value.dtype), [1], numArrayFor(value.dtype, value.const.data[0]));
    ctx.set(node, 0, ctx.fromOnnx(ctx.op('ConstantOfShape', [int64Of(ctx, dims)], { value: t }), value.dtype, shape));
    return;
  }
  ctx.set(node, 0, ctx.fromOnnx(ctx.op('Expand', [ctx.logical(value), int64Of(ctx, dims)]), value.dtype, shape));
};

/** A one-element typed array for an ONNX tensor attribute. */
function numArrayFor(dtype: number, v: number) {
  switch (dtype) {
    case TfType.FLOAT: return Float32Array.of(v);
    case TfType.DOUBLE: return Float64Array.of(v);
    case TfType.INT32: return Int32Array.of(v);
    case TfType.INT64: return BigInt64Array.of(BigInt(Math.trunc(v)));
    case TfType.BOOL: case TfType.UINT8: return Uint8Array.of(v);
    case TfType.INT8: return Int8Array.of(v);
    case TfType.INT16: return Int16Array.of(v);
    case TfType.UINT16: return Uint16Array.of(v);
    default: return Float32Array.of(v);
  }
}

const range: OpConverter = (ctx, node) => {
  const [start, limit, delta] = ctx.inputs(node);
  const y = ctx.op('Range', [start, limit, delta].map((v) => ctx.logical(v)));
  ctx.set(node, 0, ctx.fromOnnx(y, start.dtype, [-1]));
};

const tile: OpConverter = (ctx, node) => {
  const [x, m] = ctx.inputs(node);
  const mult = m.const && !Array.isArray(m.const.data) ? Array.from(m.const.data) : undefined;
  const shape = x.shape && mult ? x.shape.map((d, i) => (d < 0 ? -1 : d * mult[i])) : x.shape?.map(() => -1);
  ctx.set(node, 0, ctx.fromOnnx(ctx.op('Tile', [ctx.logical(x), int64Of(ctx, m)]), x.dtype, shape));
};

const gather: OpConverter = (ctx, node) => {
  const [params, indices] = ctx.inputs(node);
  if (attrInt(node, 'batch_dims', 0) !== 0) throw unsupportedNode(node, 'batch_dims other than 0 are not supported');
  const rank = params.shape?.length;
  const a = node.op === 'GatherV2' ? ctx.constNumbers(node, 2, 'the axis')[0] : 0;
  const axis = rank === undefined ? a : normAxis(a, rank);
  const y = ctx.op('Gather', [ctx.logical(params), ctx.logical(indices)], { axis });
  const shape = params.shape && indices.shape ? [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)] : undefined;
  ctx.set(node, 0, ctx.fromOnnx(y, params.dtype, shape));
};

const split: OpConverter = (ctx, node) => {
  const isV = node.op === 'SplitV';
  const x = ctx.input(node, isV ? 0 : 1);
  const a = ctx.constNumbers(node, isV ? 2 : 0, 'the axis')[0];
  const rank = x.shape?.length;
  const axis = rank === undefined ? a : normAxis(a, rank);
  const dim = x.shape?.[axis] ?? -1;
  let sizes: number[];
  if (isV) {
    sizes = ctx.constNumbers(node, 1, 'the split sizes');
    const unknown = sizes.indexOf(-1);
    if (unknown >= 0) {
      if (dim < 0) throw unsupportedNode(node, 'a −1 split size needs the dimension size');
      sizes[unknown] = dim - sizes.reduce((s, v, i) => (i === unknown ? s : s + v), 0);
    }
  } else {
    const n = attrInt(node, 'num_split', 1);
    sizes = new Array(n).fill(dim < 0 ? -1 : dim / n);
  }
  const inputs = [ctx.logical(x)];
  if (isV) inputs.push(ctx.int64s(sizes));
  const parts = sizes.length === 1 ? [ctx.op('Identity', inputs)] : ctx.ops('Split', inputs, sizes.length, { axis });
  parts.forEach((p, k) => ctx.set(node, k, ctx.fromOnnx(p, x.dtype, x.shape?.map((d, i) => (i === axis ? sizes[k] : d)))));
};

const likeOp = (value: number): OpConverter => (ctx, node) => {
  const x = ctx.input(node, 0);
  const t = makeTensor('value', onnxType(x.dtype), [1], numArrayFor(x.dtype, value));
  ctx.set(node, 0, ctx.fromOnnx(ctx.op('ConstantOfShape', [shapeValue(ctx, x)], { value: t }), x.dtype, x.shape));
};

export const SHAPE_OPS: Record<string, OpConverter> = {
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  ConcatV2: (ctx, node) => {
    const vals = ctx.inputs(node);
    const axis = ctx.constNumbers(node, vals.length - 1, 'the axis')[0];
    ctx.set(node, 0, concatValue(ctx, vals.slice(0, -1), axis));
  },
  Concat: (ctx, node) => {
    const vals = ctx.inputs(node);
    const axis = ctx.constNumbers(node, 0, 'the axis')[0];
    ctx.set(node, 0, concatValue(ctx, vals.slice(1), axis));
  },
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  Transpose: transpose,
  Shape: shapeOp,
  Size: (ctx, node) => {
    const x = ctx.input(node, 0);
    const outType = attrType(node, 'out_type') ?? TfType.INT32;
    const known = staticShape(x);
    if (known) return ctx.set(node, 0, constOf(ctx, outType, [], [elementCount(known)]));
    ctx.set(node, 0, ctx.fromOnnx(fromInt64(ctx, ctx.op('Size', [ctx.logical(x)]), outType), outType, []));
  },
  Rank: (ctx, node) => {
    const x = ctx.input(node, 0);
    if (x.shape) return ctx.set(node, 0, constOf(ctx, TfType.INT32, [], [x.shape.length]));
    const r = ctx.op('Size', [ctx.op('Shape', [ctx.logical(x)])]);
    ctx.set(node, 0, ctx.fromOnnx(fromInt64(ctx, r, TfType.INT32), TfType.INT32, []));
  },
  StridedSlice: stridedSlice,
  Slice: slice,
  Pack: pack,
  Unpack: unpack,
  Fill: fill,
  Range: range,
  Tile: tile,
  GatherV2: gather,
  Gather: gather,
  Split: split,
  SplitV: split,
  ZerosLike: likeOp(0),
  OnesLike: likeOp(1),
};
