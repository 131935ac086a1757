/**
 * Constant folding: TF ops whose inputs are all known at conversion time are computed here (in float64, stored in
 * the op's dtype) instead of becoming ONNX nodes. That is mostly shape arithmetic (Shape → StridedSlice → Pack →
 * Reshape), folded batch-norm constants (Rsqrt(var + eps) · gamma) and weight transposes.
 */
import { OmnihubError } from '../../errors.js';
import { elementCount } from '../../weights/types.js';
import { normAxis, stridesOf, transposeArray } from './layout.js';
import { attrBool, attrInt, attrInts, attrType, TfType, type NodeDef } from './proto.js';
import { numArray, type ConstValue, type NumArray } from './tensors.js';

export type Folder = (node: NodeDef, ins: ConstValue[]) => ConstValue[] | undefined;

/** Folding stops at this many output elements (bigger results stay ONNX nodes). */
const MAX_FOLD = 1 << 22;

const nums = (c: ConstValue): NumArray => {
  if (Array.isArray(c.data)) throw new OmnihubError('unsupported', 'String tensors cannot be folded.');
  return c.data;
};

const make = (dtype: number, shape: number[], values: ArrayLike<number>): ConstValue => ({ dtype, shape, data: numArray(dtype, values) });

const isIntType = (t: number): boolean => t !== TfType.FLOAT && t !== TfType.DOUBLE && t !== TfType.HALF && t !== TfType.BFLOAT16;

/** numpy broadcasting of two shapes; −1 (unknown) dims stay unknown unless the other side fixes them. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === -1) out.push(y);
    else if (y === -1) out.push(x);
    else if (x === y) out.push(x);
    else throw new OmnihubError('malformed', `Shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast.`);
  }
  return out;
}

/** For each element of the broadcast output, the flat index into an input of shape `shape`. */
function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = elementCount(out);
  const idx = new Int32Array(n);
  const r = out.length;
  const padded = [...new Array(r - shape.length).fill(1), ...shape];
  const inStrides = stridesOf(padded).map((s, i) => (padded[i] === 1 ? 0 : s));
  const pos = new Array<number>(r).fill(0);
  let src = 0;
  for (let o = 0; o < n; o++) {
    idx[o] = src;
    for (let i = r - 1; i >= 0; i--) {
      pos[i]++;
      src += inStrides[i];
      if (pos[i] < out[i]) break;
      src -= inStrides[i] * out[i];
      pos[i] = 0;
    }
  }
  return idx;
}

function binary(fn: (a: number, b: number, int: boolean) => number, outType?: number): Folder {
  return (_node, [a, b]) => {
    const shape = broadcastShapes(a.shape, b.shape);
    if (elementCount(shape) > MAX_FOLD) return undefined;
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    const da = nums(a);
    const db = nums(b);
    const int = isIntType(a.dtype);
    const out = new Float64Array(ia.length);
    for (let i = 0; i < out.length; i++) out[i] = fn(da[ia[i]], db[ib[i]], int);
    return [make(outType ?? a.dtype, shape, out)];
  };
}

function unary(fn: (x: number) => number): Folder {
  return (_node, [x]) => [make(x.dtype, [...x.shape], Array.from(nums(x), fn))];
}

const truncDiv = (a: number, b: number, int: boolean) => (int ? Math.trunc(a / b) : a / b);

function reduce(fn: (acc: number, x: number) => number, init: number, finish?: (acc: number, count: number) => number): Folder {
  return (node, [x, axesC]) => {
    const rank = x.shape.length;
    const axes = new Set(Array.from(nums(axesC), (a) => normAxis(a, rank)));
    const keep = attrBool(node, 'keep_dims', false);
    const outFull = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
    const n = elementCount(outFull);
    const acc = new Float64Array(n).fill(init);
    const counts = elementCount(x.shape) / Math.max(n, 1);
    const outStrides = stridesOf(outFull).map((s, i) => (axes.has(i) ? 0 : s));
    const data = nums(x);
    const pos = new Array<number>(rank).fill(0);
    let dst = 0;
    for (let i = 0; i < data.length; i++) {
      acc[dst] = fn(acc[dst], data[i]);
      for (let k = rank - 1; k >= 0; k--) {
        pos[k]++;
        dst += outStrides[k];
        if (pos[k] < x.shape[k]) break;
        dst -= outStrides[k] * x.shape[k];
        pos[k] = 0;
      }
    }
    const result = finish ? Array.from(acc, (v) => finish(v, counts)) : acc;
    const shape = keep ? outFull : x.shape.filter((_, i) => !axes.has(i));
    return [make(x.dtype, shape, result)];
  };
}

/** Gathers `src` flat indices into a new constant. */
function gather(c: ConstValue, shape: number[], indices: ArrayLike<number>): ConstValue {
  if (Array.isArray(c.data)) {
    const d = c.data;
    return { dtype: c.dtype, shape, data: Array.from(indices as ArrayLike<number>, (i) => d[i]) };
  }
  const d = c.data;
  const out = numArray(c.dtype, new Float64Array(indices.length));
  for (let i = 0; i < indices.length; i++) out[i] = d[indices[i]];
  return { dtype: c.dtype, shape, data: out };
}

/** Flat source indices of the box `start[i] + k·step[i]`, `k < size[i]`, of a tensor of shape `shape`. */
function boxIndices(shape: readonly number[], start: number[], step: number[], size: number[]): Int32Array {
  const n = elementCount(size);
  const st = stridesOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  const pos = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += (start[i] + pos[i] * step[i]) * st[i];
    out[o] = src;
    for (let i = rank - 1; i >= 0; i--) {
      if (++pos[i] < size[i]) break;
      pos[i] = 0;
    }
  }
  return out;
}

// ---- StridedSlice ----

export interface StridedDim {
  begin: number;
  end: number;
  stride: number;
  beginMasked: boolean;
  endMasked: boolean;
  shrink: boolean;
  /** The whole dimension, unchanged. */
  full: boolean;
}

export interface StridedSpec {
  /** One entry per input dimension. */
  dims: StridedDim[];
  /** The output's dimensions: a new axis of size 1, or an input dimension that is kept (not shrunk). */
  final: ({ kind: 'new' } | { kind: 'in'; dim: number })[];
}

/** TF's StridedSlice specification expanded against an input of rank `rank` (ellipsis, new axes, shrinks). */
export function stridedSpec(node: NodeDef, rank: number, begin: number[], end: number[], strides: number[]): StridedSpec {
  const beginMask = attrInt(node, 'begin_mask', 0);
  const endMask = attrInt(node, 'end_mask', 0);
  const ellipsisMask = attrInt(node, 'ellipsis_mask', 0);
  const newAxisMask = attrInt(node, 'new_axis_mask', 0);
  const shrinkMask = attrInt(node, 'shrink_axis_mask', 0);
  const bit = (m: number, i: number) => ((m >>> i) & 1) === 1;
  const n = begin.length;
  const dims: StridedDim[] = [];
  const final: StridedSpec['final'] = [];
  const fullDim = (): StridedDim => ({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false, full: true });
  let consumed = 0;
  for (let i = 0; i < n; i++) if (!bit(ellipsisMask, i) && !bit(newAxisMask, i)) consumed++;
  let sawEllipsis = false;
  for (let i = 0; i < n; i++) {
    if (bit(ellipsisMask, i) && !sawEllipsis) {
      sawEllipsis = true;
      const cover = rank - consumed;
      for (let k = 0; k < cover; k++) { final.push({ kind: 'in', dim: dims.length }); dims.push(fullDim()); }
    } else if (bit(newAxisMask, i)) {
      final.push({ kind: 'new' });
    } else {
      const shrink = bit(shrinkMask, i);
      const stride = strides[i] ?? 1;
      if (stride === 0) throw new OmnihubError('malformed', `StridedSlice '${node.name}' has a zero stride.`);
      const d: StridedDim = {
        begin: begin[i], end: end[i], stride: shrink ? 1 : stride,
        beginMasked: !shrink && bit(beginMask, i), endMasked: !shrink && bit(endMask, i), shrink, full: false,
      };
      d.full = !shrink && d.stride === 1 && (d.beginMasked || d.begin === 0) && d.endMasked;
      if (!shrink) final.push({ kind: 'in', dim: dims.length });
      dims.push(d);
    }
  }
  while (dims.length < rank) { final.push({ kind: 'in', dim: dims.length }); dims.push(fullDim()); }
  if (dims.length > rank) throw new OmnihubError('malformed', `StridedSlice '${node.name}' slices ${dims.length} dimensions of a rank-${rank} tensor.`);
  return { dims, final };
}

/** A slice of a dimension of known size: first index, count, step (python semantics, clamped). */
export function resolveDim(d: StridedDim, size: number): { start: number; count: number; step: number } {
  if (d.shrink) {
    const i = d.begin < 0 ? d.begin + size : d.begin;
    if (i < 0 || i >= size) throw new OmnihubError('malformed', `StridedSlice index ${d.begin} is out of range for a dimension of size ${size}.`);
    return { start: i, count: 1, step: 1 };
  }
  const s = d.stride;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const norm = (v: number) => (v < 0 ? v + size : v);
  if (s > 0) {
    const start = d.beginMasked ? 0 : clamp(norm(d.begin), 0, size);
    const end = d.endMasked ? size : clamp(norm(d.end), 0, size);
    return { start, count: Math.max(0, Math.ceil((end - start) / s)), step: s };
  }
  const start = d.beginMasked ? size - 1 : clamp(norm(d.begin), -1, size - 1);
  const end = d.endMasked ? -1 : clamp(norm(d.end), -1, size - 1);
  return { start, count: Math.max(0, Math.ceil((start - end) / -s)), step: s };
}

/** The output shape of a StridedSlice with a known spec (−1 where the input dimension is unknown). */
export function stridedShape(spec: StridedSpec, inShape: readonly number[]): number[] {
  return spec.final.map((f) => {
    if (f.kind === 'new') return 1;
    const d = spec.dims[f.dim];
    const size = inShape[f.dim];
    if (d.full) return size;
    if (size < 0) return -1;
    return resolveDim(d, size).count;
  });
}

const foldStridedSlice: Folder = (node, [x, b, e, s]) => {
  const spec = stridedSpec(node, x.shape.length, Array.from(nums(b)), Array.from(nums(e)), Array.from(nums(s)));
  const r = spec.dims.map((d, i) => resolveDim(d, x.shape[i]));
  const idx = boxIndices(x.shape, r.map((q) => q.start), r.map((q) => q.step), r.map((q) => q.count));
  return [gather(x, stridedShape(spec, x.shape), idx)];
};

// ---- shape ops ----

/** TF Reshape's shape with its −1 resolved from the element count. */
export function resolveReshape(shape: number[], count: number): number[] {
  const known = shape.filter((d) => d >= 0).reduce((a, d) => a * d, 1);
  return shape.map((d) => (d === -1 ? (known === 0 ? 0 : count / known) : d));
}

const foldConcat: Folder = (_node, ins) => {
  const values = ins.slice(0, -1);
  const rank = values[0].shape.length;
  const axis = normAxis(nums(ins[ins.length - 1])[0], rank);
  const shape = [...values[0].shape];
  shape[axis] = values.reduce((a, v) => a + v.shape[axis], 0);
  const outer = elementCount(shape.slice(0, axis));
  const parts: (NumArray | string[])[] = values.map((v) => v.data);
  const inner = values.map((v) => elementCount(v.shape.slice(axis)));
  const out: (number | string)[] = [];
  for (let o = 0; o < outer; o++) {
    values.forEach((_, k) => {
      const p = parts[k];
      for (let j = 0; j < inner[k]; j++) out.push(p[o * inner[k] + j]);
    });
  }
  if (values.some((v) => Array.isArray(v.data))) return [{ dtype: values[0].dtype, shape, data: out.map(String) }];
  return [make(values[0].dtype, shape, out as number[])];
};

const foldPack: Folder = (node, ins) => {
  const rank = ins[0].shape.length;
  const axis = normAxis(attrInt(node, 'axis', 0), rank + 1);
  const expanded = ins.map((c) => ({ ...c, shape: [...c.shape.slice(0, axis), 1, ...c.shape.slice(axis)] }));
  return foldConcat(node, [...expanded, make(TfType.INT32, [], [axis])]);
};

const foldUnpack: Folder = (node, [x]) => {
  const rank = x.shape.length;
  const axis = normAxis(attrInt(node, 'axis', 0), rank);
  const num = x.shape[axis];
  const outShape = x.shape.filter((_, i) => i !== axis);
  const out: ConstValue[] = [];
  for (let k = 0; k < num; k++) {
    const start = x.shape.map((_, i) => (i === axis ? k : 0));
    const size = x.shape.map((d, i) => (i === axis ? 1 : d));
    out.push(gather(x, outShape, boxIndices(x.shape, start, x.shape.map(() => 1), size)));
  }
  return out;
};

const foldSlice: Folder = (_node, [x, b, s]) => {
  const begin = Array.from(nums(b));
  const size = Array.from(nums(s)).map((v, i) => (v === -1 ? x.shape[i] - begin[i] : v));
  return [gather(x, size, boxIndices(x.shape, begin, x.shape.map(() => 1), size))];
};

const foldGather: Folder = (node, [params, indices, axisC]) => {
  if (attrInt(node, 'batch_dims', 0) !== 0) return undefined;
  const rank = params.shape.length;
  const axis = axisC ? normAxis(nums(axisC)[0], rank) : 0;
  const ind = Array.from(nums(indices));
  const outer = elementCount(params.shape.slice(0, axis));
  const dim = params.shape[axis];
  const inner = elementCount(params.shape.slice(axis + 1));
  const src: number[] = [];
  for (let o = 0; o < outer; o++) for (const i of ind) {
    const j = i < 0 ? i + dim : i;
    for (let k = 0; k < inner; k++) src.push((o * dim + j) * inner + k);
  }
  return [gather(params, [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)], src)];
};

const foldCast: Folder = (node, [x]) => {
  const to = attrType(node, 'DstT');
  if (to === undefined || Array.isArray(x.data)) return undefined;
  const int = isIntType(to);
  const values = Array.from(x.data, (v) => (to === TfType.BOOL ? (v !== 0 ? 1 : 0) : int ? Math.trunc(v) : v));
  return [make(to, [...x.shape], values)];
};

const foldFill: Folder = (_node, [dims, value]) => {
  const shape = Array.from(nums(dims));
  const n = elementCount(shape);
  if (n > MAX_FOLD) return undefined;
  if (Array.isArray(value.data)) return [{ dtype: value.dtype, shape, data: new Array<string>(n).fill(value.data[0]) }];
  return [make(value.dtype, shape, new Float64Array(n).fill(value.data[0]))];
};

const foldRange: Folder = (_node, [start, limit, delta]) => {
  const a = nums(start)[0], b = nums(limit)[0], d = nums(delta)[0];
  const n = Math.max(0, Math.ceil((b - a) / d));
  if (n > MAX_FOLD) return undefined;
  return [make(start.dtype, [n], Array.from({ length: n }, (_, i) => a + i * d))];
};

const foldTile: Folder = (_node, [x, m]) => {
  const mult = Array.from(nums(m));
  const shape = x.shape.map((d, i) => d * mult[i]);
  const n = elementCount(shape);
  if (n > MAX_FOLD) return undefined;
  const st = stridesOf(x.shape);
  const src = new Int32Array(n);
  const pos = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let s = 0;
    for (let i = 0; i < shape.length; i++) s += (pos[i] % x.shape[i]) * st[i];
    src[o] = s;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++pos[i] < shape[i]) break;
      pos[i] = 0;
    }
  }
  return [gather(x, shape, src)];
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const FOLDERS: Record<string, Folder> = {
  Identity: (_n, [x]) => [x],
  Snapshot: (_n, [x]) => [x],
  StopGradient: (_n, [x]) => [x],
  PreventGradient: (_n, [x]) => [x],
  EnsureShape: (_n, [x]) => [x],
  IdentityN: (_n, ins) => ins,
  Cast: foldCast,
  Reshape: (_n, [x, s]) => [{ ...x, shape: resolveReshape(Array.from(nums(s)), elementCount(x.shape)) }],
  ExpandDims: (_n, [x, d]) => {
    const axis = normAxis(nums(d)[0], x.shape.length + 1);
    return [{ ...x, shape: [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)] }];
  },
  Squeeze: (node, [x]) => {
    const dims = (attrInts(node, 'squeeze_dims') ?? []).map((a) => normAxis(a, x.shape.length));
    const shape = dims.length ? x.shape.filter((_, i) => !dims.includes(i)) : x.shape.filter((d) => d !== 1);
    return [{ ...x, shape }];
  },
  Transpose: (_n, [x, p]) => {
    const perm = Array.from(nums(p));
    return [{ dtype: x.dtype, shape: perm.map((q) => x.shape[q]), data: transposeArray(x.data, x.shape, perm) }];
  },
  ConcatV2: foldConcat,
  Concat: (node, [axis, ...values]) => foldConcat(node, [...values, axis]),
  Pack: foldPack,
  Unpack: foldUnpack,
  StridedSlice: foldStridedSlice,
  Slice: foldSlice,
  GatherV2: foldGather,
  Gather: (node, [p, i]) => foldGather(node, [p, i]),
  Fill: foldFill,
  Range: foldRange,
  Tile: foldTile,
  ZerosLike: (_n, [x]) => [make(x.dtype, [...x.shape], new Float64Array(elementCount(x.shape)))],
  OnesLike: (_n, [x]) => [make(x.dtype, [...x.shape], new Float64Array(elementCount(x.shape)).fill(1))],
  Add: binary((a, b) => a + b),
  AddV2: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  RealDiv: binary((a, b) => a / b),
  Div: binary(truncDiv),
  FloorDiv: binary((a, b) => Math.floor(a / b)),
  FloorMod: binary((a, b) => a - Math.floor(a / b) * b),
  Maximum: binary((a, b) => Math.max(a, b)),
  Minimum: binary((a, b) => Math.min(a, b)),
  Pow: binary((a, b) => a ** b),
  SquaredDifference: binary((a, b) => (a - b) * (a - b)),
  Equal: binary((a, b) => (a === b ? 1 : 0), TfType.BOOL),
  NotEqual: binary((a, b) => (a !== b ? 1 : 0), TfType.BOOL),
  Greater: binary((a, b) => (a > b ? 1 : 0), TfType.BOOL),
  GreaterEqual: binary((a, b) => (a >= b ? 1 : 0), TfType.BOOL),
  Less: binary((a, b) => (a < b ? 1 : 0), TfType.BOOL),
  LessEqual: binary((a, b) => (a <= b ? 1 : 0), TfType.BOOL),
  Neg: unary((x) => -x),
  Abs: unary(Math.abs),
  Square: unary((x) => x * x),
  Sqrt: unary(Math.sqrt),
  Rsqrt: unary((x) => 1 / Math.sqrt(x)),
  Reciprocal: unary((x) => 1 / x),
  Inv: unary((x) => 1 / x),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Sigmoid: unary(sigmoid),
  Tanh: unary(Math.tanh),
  Relu: unary((x) => Math.max(x, 0)),
  Sum: reduce((a, x) => a + x, 0),
  Prod: reduce((a, x) => a * x, 1),
  Max: reduce((a, x) => Math.max(a, x), -Infinity),
  Min: reduce((a, x) => Math.min(a, x), Infinity),
  Mean: reduce((a, x) => a + x, 0, (s, n) => s / n),
};
