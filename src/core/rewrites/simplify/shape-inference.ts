/**
 * Static type and shape inference for ONNX graphs (opset 7..21 semantics), for the simplify rewrite.
 *
 * It walks the nodes once, in file order, giving each output an element type and dims from its inputs' types and
 * attributes. Like ONNX's own data propagation it also carries small integer *values* (Shape of a tensor, Gather and
 * Concat of those, constants…) so that Reshape(x, Concat(Shape(x)[0], -1)) gets a shape. A value element may be a
 * symbolic dim name: Shape(x) of [batch, 3] is the value ['batch', 3n].
 *
 * Inference is best effort and never throws: an unknown op, a malformed attribute or an input whose type is not
 * known yet (a cyclic graph) only leaves outputs unknown. Every loop is bounded by the graph's size or by
 * MAX_VALUE_ELEMENTS, so hostile dims (1e9, negative) cost nothing.
 */
import type { Graph, Node, Tensor } from '../graph.js';
import { attribute, attrInt, attrInts, attrString } from '../graph.js';
import { has, toNumber } from '../../onnx/codec.js';
import { DataType, bfloat16ToFloat32, float16ToFloat32, tensorValues } from '../../onnx/tensor.js';

/** A dimension: a known size, a symbolic name (from the model, e.g. 'batch'), or null (unknown). */
export type Dim = number | string | null;

export interface ValueType {
  /** onnx TensorProto.DataType, 0 = unknown. */
  elemType: number;
  /** null = unknown rank. */
  dims: Dim[] | null;
}

export interface ShapeInferenceOptions {
  /**
   * Known constant values by tensor name (initializers are added automatically): lets Reshape/Expand/Tile/
   * ConstantOfShape/Slice/… use their shape inputs, as ONNX's data propagation does. An initializer that is also a
   * graph input is a default the caller may override (IR ≥ 4), so its value is used only when given here (below IR 4
   * every initializer is listed as an input, and callers pass them all).
   */
  constants?: ReadonlyMap<string, Tensor>;
  /** Types of names from enclosing graphs (for If/Loop/Scan bodies). */
  outer?: ReadonlyMap<string, ValueType>;
}

export interface ShapesAndValues {
  types: Map<string, ValueType>;
  /** Small tensors whose every element is known: integer and bool types as bigint[], float types as number[] (row-major). */
  values: Map<string, bigint[] | number[]>;
}

/** Value propagation stops at tensors larger than this: it is meant for shapes, not for constant folding. */
const MAX_VALUE_ELEMENTS = 1024;
/** If/Loop/Scan nesting deeper than this is left unknown (the decoder caps depth too; hand-built graphs may not). */
const MAX_DEPTH = 16;
/**
 * Node visits one inference may make, per node in the graph and its bodies (plus a floor): a Loop body is inferred
 * up to three times and nested bodies multiply, so past this budget the remaining outputs stay unknown rather than
 * take exponential time on a hostile nesting.
 */
const WORK_PER_NODE = 4;
const WORK_FLOOR = 10_000;
/** A Slice end at least this large means "to the end" (exporters write INT64_MAX or INT32_MAX). */
const TO_END = 2 ** 31 - 1;

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Types and shapes of every tensor name in `graph` it can work out: graph inputs, initializers, value_info, then
 * every node output in order. Never throws on unknown ops or malformed attributes: those outputs are simply unknown
 * (or taken from value_info).
 */
export function inferShapes(graph: Graph, opsetVersion: number, options?: ShapeInferenceOptions): Map<string, ValueType> {
  return inferShapesAndValues(graph, opsetVersion, options).types;
}

/** inferShapes, plus the values it propagated that are fully known. */
export function inferShapesAndValues(graph: Graph, opsetVersion: number, options: ShapeInferenceOptions = {}): ShapesAndValues {
  const run: Run = { opset: opsetVersion, work: WORK_FLOOR + WORK_PER_NODE * countNodes(graph) };
  const scope = inferGraph(graph, run, null, { constants: options.constants, outer: options.outer }, 0);
  const values = new Map<string, bigint[] | number[]>();
  for (const [name, v] of scope.vals) {
    const exported = exportValue(v);
    if (exported) values.set(name, exported);
  }
  return { types: scope.types, values };
}

/**
 * Nodes of a graph and of every graph its nodes hold, iteratively (nesting comes from the file), each graph once:
 * a hand-built model may share one body between branches, which must not count (or cost) exponentially.
 */
function countNodes(graph: Graph): number {
  let count = 0;
  const seen = new Set<Graph>([graph]);
  const stack: Graph[] = [graph];
  const visit = (g: Graph | null | undefined) => {
    if (g && !seen.has(g)) {
      seen.add(g);
      stack.push(g);
    }
  };
  while (stack.length) {
    for (const node of stack.pop()!.node ?? []) {
      count++;
      for (const a of node.attribute ?? []) {
        visit(a.g);
        for (const sub of a.graphs ?? []) visit(sub);
      }
    }
  }
  return count;
}

/** Number of elements when every dim is a known number, else null. */
export function knownElementCount(t: ValueType | undefined): number | null {
  if (!t?.dims) return null;
  let n = 1;
  for (const d of t.dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Dims

const isNum = (d: Dim | undefined): d is number => typeof d === 'number';
const unknownDims = (rank: number): Dim[] => new Array<Dim>(rank).fill(null);

/** An axis in [-rank, rank) made non-negative; null when out of range or not an integer. */
function normAxis(axis: number, rank: number): number | null {
  if (!Number.isInteger(axis)) return null;
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : null;
}

/** Axes made non-negative; null when any is out of range or repeated. */
function normAxes(axes: number[], rank: number): number[] | null {
  const out: number[] = [];
  for (const a of axes) {
    const n = normAxis(a, rank);
    if (n === null || out.includes(n)) return null;
    out.push(n);
  }
  return out;
}

/** Product of dims: a number, or a lone symbol times ones; anything else is unknown. */
function mulDims(dims: readonly Dim[]): Dim {
  let n = 1;
  let sym: string | null = null;
  for (const d of dims) {
    if (isNum(d)) n *= d;
    else if (d !== null && sym === null) sym = d;
    else return null;
  }
  if (sym !== null) return n === 1 ? sym : null;
  return Number.isSafeInteger(n) ? n : null;
}

/** One output dim of a numpy broadcast. */
function broadcastDim(ds: readonly Dim[]): Dim {
  let num: number | null = null;
  let sym: string | null = null;
  let symConflict = false;
  let sawNull = false;
  for (const d of ds) {
    if (d === 1) continue;
    if (isNum(d)) {
      if (num !== null && num !== d) return null; // 2 vs 3 cannot broadcast: a malformed graph
      num = d;
    } else if (d === null) sawNull = true;
    else if (sym === null) sym = d;
    else if (sym !== d) symConflict = true;
  }
  // A size other than one fixes the result: every other dim must be 1 or equal to it.
  if (num !== null) return num;
  if (sym !== null) return symConflict || sawNull ? null : sym;
  return sawNull ? null : 1;
}

/** Numpy broadcasting of several shapes (right-aligned); null when any rank is unknown. */
function broadcast(shapes: readonly (Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as Dim[][];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) out.push(broadcastDim(ss.map((s) => (i - (rank - s.length) >= 0 ? s[i - (rank - s.length)] : 1))));
  return out;
}

/** Two guesses at the same dim: a number beats a symbol beats unknown; different numbers are unknown. */
function mergeDim(a: Dim, b: Dim): Dim {
  if (a === b) return a;
  if (a === null) return b;
  if (b === null) return a;
  if (isNum(a) && isNum(b)) return null;
  return isNum(a) ? a : isNum(b) ? b : null;
}

/** Dims that must be equal (Concat's other axes): the best knowledge of each position. */
function mergeShapes(shapes: readonly (Dim[] | null)[]): Dim[] | null {
  const known = shapes.filter((s): s is Dim[] => s !== null);
  if (!known.length) return null;
  const rank = known[0].length;
  if (known.some((s) => s.length !== rank)) return null;
  return known[0].map((_, i) => known.map((s) => s[i]).reduce(mergeDim));
}

/** Types two branches may produce (If): what they agree on. */
function unionType(a: ValueType | undefined, b: ValueType | undefined): ValueType | undefined {
  if (!a || !b) return undefined;
  const elemType = a.elemType === b.elemType ? a.elemType : 0;
  const dims = a.dims && b.dims && a.dims.length === b.dims.length ? a.dims.map((d, i) => (d === b.dims![i] ? d : null)) : null;
  return { elemType, dims };
}

/**
 * An inferred type completed by a declared one (value_info): inferred knowledge first, symbols included (a stale
 * declaration must not undo a dim the user made dynamic), unknown dims from the declaration.
 */
function completeType(inferred: ValueType | undefined, declared: ValueType | undefined): ValueType | undefined {
  if (!inferred) return declared;
  if (!declared) return inferred;
  const elemType = inferred.elemType || declared.elemType;
  let dims = inferred.dims ?? declared.dims;
  const decl = declared.dims;
  if (inferred.dims && decl && decl.length === inferred.dims.length) {
    dims = inferred.dims.map((d, i) => d ?? decl[i]);
  }
  return { elemType, dims };
}

/**
 * Conv/pool output size along one spatial axis. A symbolic input survives only when the window cannot change the
 * size (stride 1 and "same" padding), since arithmetic on symbols is not tracked.
 */
function windowDim(input: Dim, kernel: number | null, stride: number, dilation: number, padBegin: number, padEnd: number, autoPad: string, ceilMode: boolean): Dim {
  if (kernel === null || !(stride >= 1) || !(dilation >= 1) || kernel < 1) return null;
  const effective = (kernel - 1) * dilation + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    if (stride === 1) return input;
    return isNum(input) ? Math.ceil(input / stride) : null;
  }
  if (autoPad === 'VALID') padBegin = padEnd = 0;
  if (!isNum(input)) return stride === 1 && padBegin + padEnd === effective - 1 ? input : null;
  const span = input + padBegin + padEnd - effective;
  if (span < 0) return null;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // A last window that would start inside the end padding is dropped (PyTorch, onnxruntime, ONNX ≥ 1.16).
  if (ceilMode && (out - 1) * stride >= input + padBegin) out--;
  return out;
}

/** Slicing one axis of a known size: the clamped start and the element count (ONNX Slice semantics). */
function sliceAxis(dim: number, start: number, end: number, step: number): { start: number; count: number } | null {
  if (step === 0 || !Number.isFinite(start + end + step)) return null;
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
  } else {
    start = clamp(start, 0, dim - 1);
    end = clamp(end, -1, dim - 1);
  }
  return { start, count: Math.max(0, Math.ceil((end - start) / step)) };
}

/**
 * A product of dims as a number times symbols, so that Reshape's -1 can divide symbols out: [batch, 3, 4] reshaped
 * to [batch, -1] gives 12. Unknown dims take a token unique to their input position, which cancels only with itself
 * (a 0 in the shape copying that very dim).
 */
interface SymProduct { k: number; syms: Map<string, number> }

function symProduct(dims: readonly Dim[], unknownToken: (i: number) => string | null): SymProduct | null {
  const p: SymProduct = { k: 1, syms: new Map() };
  for (const [i, d] of dims.entries()) {
    if (isNum(d)) p.k *= d;
    else {
      const s = d ?? unknownToken(i);
      if (s === null) return null;
      p.syms.set(s, (p.syms.get(s) ?? 0) + 1);
    }
  }
  return Number.isSafeInteger(p.k) ? p : null;
}

function symQuotient(num: SymProduct, den: SymProduct): Dim {
  if (den.k === 0 || num.k % den.k !== 0) return null;
  const syms = new Map(num.syms);
  for (const [s, c] of den.syms) {
    const left = (syms.get(s) ?? 0) - c;
    if (left < 0) return null;
    if (left) syms.set(s, left);
    else syms.delete(s);
  }
  const k = num.k / den.k;
  if (!syms.size) return k;
  const [[s, c]] = [...syms];
  return syms.size === 1 && c === 1 && k === 1 && !s.startsWith('\u0000') ? s : null;
}

/** Reshape's output dims from a shape value (entries may be symbols or unknown). */
function reshapeDims(input: Dim[] | null, shape: readonly Dim[], allowZero: boolean): Dim[] | null {
  let inferAt = -1;
  const out: Dim[] = [];
  const copied = new Map<number, number>(); // output position → input position it copies (a 0 entry)
  for (const [i, s] of shape.entries()) {
    if (s === -1) {
      if (inferAt >= 0) return null; // two -1s: malformed
      inferAt = i;
      out.push(null);
    } else if (s === 0 && !allowZero) {
      if (input && i >= input.length) return null;
      out.push(input ? input[i] : null);
      copied.set(i, i);
    } else if (isNum(s) && s < 0) return null;
    else out.push(s);
  }
  if (inferAt >= 0 && input) {
    const token = (i: number) => `\u0000${i}`;
    const num = symProduct(input, token);
    const den = symProduct(out.filter((_, i) => i !== inferAt), (j) => {
      // Output positions before inferAt keep their index; after it, shift by one (inferAt was filtered out).
      const pos = j < inferAt ? j : j + 1;
      const from = copied.get(pos);
      return from === undefined ? null : token(from);
    });
    if (num && den) out[inferAt] = symQuotient(num, den);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** One element of a propagated value: bigint (integer and bool types), number (floats), a symbolic dim, or unknown. */
type Elem = bigint | number | string | null;
interface Val { dims: number[]; data: Elem[] }

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);
const INT_BITS: Readonly<Record<number, [bits: number, signed: boolean]>> = {
  [DataType.INT8]: [8, true], [DataType.INT16]: [16, true], [DataType.INT32]: [32, true], [DataType.INT64]: [64, true],
  [DataType.UINT8]: [8, false], [DataType.UINT16]: [16, false], [DataType.UINT32]: [32, false], [DataType.UINT64]: [64, false],
};

function makeVal(dims: number[], data: Elem[]): Val | undefined {
  return data.length <= MAX_VALUE_ELEMENTS && dims.reduce((a, b) => a * b, 1) === data.length ? { dims, data } : undefined;
}

/** A tensor's values, when small and of a type worth carrying. */
function tensorToVal(t: Tensor): Val | undefined {
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.some((d) => !(d >= 0)) || count > MAX_VALUE_ELEMENTS) return undefined;
  const type = t.data_type ?? 0;
  if (!(type in INT_BITS) && !FLOAT_TYPES.has(type) && type !== DataType.BOOL) return undefined;
  let raw;
  try {
    raw = tensorValues(t);
  } catch {
    return undefined; // external data not loaded, malformed bytes
  }
  if (Array.isArray(raw) || raw.length !== count) return undefined;
  let data: Elem[];
  if (type === DataType.FLOAT16) data = Array.from(raw as Uint16Array, float16ToFloat32);
  else if (type === DataType.BFLOAT16) data = Array.from(raw as Uint16Array, bfloat16ToFloat32);
  else if (FLOAT_TYPES.has(type)) data = Array.from(raw as Float32Array, Number);
  else data = Array.from(raw as ArrayLike<number | bigint>, (v) => BigInt(v));
  return { dims, data };
}

function tensorType(t: Tensor): ValueType {
  const dims = (t.dims ?? []).map(toNumber);
  return { elemType: t.data_type ?? 0, dims: dims.map((d) => (d >= 0 ? d : null)) };
}

/** Converts an element to the representation of `type` (ONNX Cast semantics for the cases shapes need). */
function castElem(e: Elem, type: number): Elem {
  if (e === null) return null;
  if (typeof e === 'string') return type === DataType.BOOL || type === DataType.STRING ? null : e;
  if (FLOAT_TYPES.has(type)) {
    const x = Number(e);
    return type === DataType.FLOAT ? Math.fround(x) : x;
  }
  if (type === DataType.BOOL) return (typeof e === 'bigint' ? e !== 0n : e !== 0) ? 1n : 0n;
  const width = INT_BITS[type];
  if (!width) return null;
  let b: bigint;
  if (typeof e === 'bigint') b = e;
  else if (Number.isFinite(e)) b = BigInt(Math.trunc(e));
  else return null;
  return width[1] ? BigInt.asIntN(width[0], b) : BigInt.asUintN(width[0], b);
}

function castVal(v: Val | undefined, type: number): Val | undefined {
  return v && { dims: v.dims, data: v.data.map((e) => castElem(e, type)) };
}

/** Elements as plain numbers (axes, pads, sizes), when every one is known. */
function valNumbers(v: Val | undefined): number[] | undefined {
  if (!v) return undefined;
  const out: number[] = [];
  for (const e of v.data) {
    if (typeof e === 'bigint' || typeof e === 'number') out.push(Number(e));
    else return undefined;
  }
  return out;
}

/** A shape-like value as dims: symbols stay symbols, unknown elements are unknown dims. */
function valDims(v: Val | undefined): Dim[] | undefined {
  if (!v || v.dims.length > 1) return undefined;
  return v.data.map((e) => (typeof e === 'bigint' || typeof e === 'number' ? Number(e) : e));
}

function dimToElem(d: Dim): Elem {
  return isNum(d) ? BigInt(d) : d;
}

function exportValue(v: Val): bigint[] | number[] | undefined {
  if (v.data.every((e): e is bigint => typeof e === 'bigint')) return v.data;
  if (v.data.every((e): e is number => typeof e === 'number')) return v.data;
  return undefined;
}

const strides = (dims: readonly number[]) => {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
};

/** Elementwise op over broadcast values. */
function mapBroadcast(vals: readonly Val[], f: (xs: Elem[]) => Elem): Val | undefined {
  const outDims = broadcast(vals.map((v) => v.dims));
  if (!outDims || !outDims.every(isNum)) return undefined;
  const dims = outDims as number[];
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_VALUE_ELEMENTS) return undefined;
  const outStrides = strides(dims);
  const inStrides = vals.map((v) => {
    const s = strides(v.dims);
    // Right-aligned; a broadcast axis (size 1 or missing) contributes nothing to the index.
    return dims.map((_, i) => {
      const j = i - (dims.length - v.dims.length);
      return j >= 0 && v.dims[j] !== 1 ? s[j] : 0;
    });
  });
  const data: Elem[] = [];
  for (let flat = 0; flat < count; flat++) {
    const xs = vals.map((v, k) => {
      let idx = 0;
      let rest = flat;
      for (let i = 0; i < dims.length; i++) {
        const q = Math.floor(rest / outStrides[i]);
        rest -= q * outStrides[i];
        idx += q * inStrides[k][i];
      }
      return v.data[idx];
    });
    data.push(f(xs));
  }
  return { dims, data };
}

type Binary = (a: Elem, b: Elem) => Elem;

/** Arithmetic on elements. Symbols survive only the identities (x+0, x*1, x/1); x-x is 0 and x/x is 1. */
function arith(op: 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'max' | 'min'): Binary {
  return (a, b) => {
    if (a === null || b === null) return null;
    if (typeof a === 'string' || typeof b === 'string') {
      const zero = (e: Elem) => e === 0n || e === 0;
      const one = (e: Elem) => e === 1n || e === 1;
      if ((op === 'add' && zero(b)) || (op === 'sub' && zero(b)) || (op === 'mul' && one(b)) || (op === 'div' && one(b))) return a;
      if ((op === 'add' && zero(a)) || (op === 'mul' && one(a))) return b;
      if (a === b) return op === 'sub' ? 0n : op === 'div' ? 1n : op === 'max' || op === 'min' ? a : null;
      return null;
    }
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      switch (op) {
        case 'add': return a + b;
        case 'sub': return a - b;
        case 'mul': return a * b;
        case 'div': return b === 0n ? null : a / b; // C++ integer division truncates, as BigInt does
        case 'mod': return b === 0n ? null : ((a % b) + b) % b; // fmod=0: the sign of the divisor
        case 'max': return a > b ? a : b;
        case 'min': return a < b ? a : b;
      }
    }
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case 'add': return x + y;
      case 'sub': return x - y;
      case 'mul': return x * y;
      case 'div': return x / y;
      case 'mod': return x - y * Math.floor(x / y);
      case 'max': return Math.max(x, y);
      case 'min': return Math.min(x, y);
    }
  };
}

function compare(op: 'eq' | 'lt' | 'gt' | 'le' | 'ge'): Binary {
  return (a, b) => {
    if (a === null || b === null) return null;
    if (typeof a === 'string' || typeof b === 'string') {
      if (a === b) return op === 'eq' || op === 'le' || op === 'ge' ? 1n : 0n;
      // A dim is never negative: Equal(dim, -1), the test exporters write before a Where, is false.
      const other = typeof a === 'string' ? b : a;
      return op === 'eq' && typeof other !== 'string' && Number(other) < 0 ? 0n : null;
    }
    const x = typeof a === 'bigint' && typeof b === 'bigint' ? a : Number(a);
    const y = typeof a === 'bigint' && typeof b === 'bigint' ? b : Number(b);
    const r = op === 'eq' ? x === y : op === 'lt' ? x < y : op === 'gt' ? x > y : op === 'le' ? x <= y : x >= y;
    return r ? 1n : 0n;
  };
}

function logical(op: 'and' | 'or' | 'xor'): Binary {
  return (a, b) => {
    if (typeof a !== 'bigint' || typeof b !== 'bigint') return null;
    const x = a !== 0n;
    const y = b !== 0n;
    return (op === 'and' ? x && y : op === 'or' ? x || y : x !== y) ? 1n : 0n;
  };
}

/** Gathers along one axis (negative indices count from the end). */
function gatherVal(data: Val, indices: Val, axis: number): Val | undefined {
  const dim = data.dims[axis];
  const outer = data.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = data.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const idx = valNumbers(indices);
  if (!idx) return undefined;
  const out: Elem[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of idx) {
      const i = raw < 0 ? raw + dim : raw;
      if (!(i >= 0 && i < dim)) return undefined;
      for (let k = 0; k < inner; k++) out.push(data.data[(o * dim + i) * inner + k]);
      if (out.length > MAX_VALUE_ELEMENTS) return undefined;
    }
  }
  return makeVal([...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)], out);
}

/** Slices a value given each axis's (start, count, step). */
function sliceVal(v: Val, ranges: readonly { start: number; count: number; step: number }[]): Val | undefined {
  const dims = ranges.map((r) => r.count);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_VALUE_ELEMENTS) return undefined;
  const inStrides = strides(v.dims);
  const out: Elem[] = [];
  const index = new Array<number>(dims.length).fill(0);
  for (let n = 0; n < count; n++) {
    let flat = 0;
    for (let i = 0; i < dims.length; i++) flat += (ranges[i].start + index[i] * ranges[i].step) * inStrides[i];
    out.push(v.data[flat]);
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++index[i] < dims[i]) break;
      index[i] = 0;
    }
  }
  return { dims, data: out };
}

function concatVals(vals: readonly Val[], axis: number): Val | undefined {
  const rank = vals[0].dims.length;
  if (vals.some((v) => v.dims.length !== rank || v.dims.some((d, i) => i !== axis && d !== vals[0].dims[i]))) return undefined;
  const outer = vals[0].dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const out: Elem[] = [];
  for (let o = 0; o < outer; o++) {
    for (const v of vals) {
      const chunk = v.dims.slice(axis).reduce((a, b) => a * b, 1);
      out.push(...v.data.slice(o * chunk, (o + 1) * chunk));
    }
  }
  const dims = [...vals[0].dims];
  dims[axis] = vals.reduce((s, v) => s + v.dims[axis], 0);
  return makeVal(dims, out);
}

// ---------------------------------------------------------------------------------------------------------------
// Scopes and node contexts

/** Types and values of one graph, falling back to the graphs around it. */
class Scope {
  readonly types = new Map<string, ValueType>();
  readonly vals = new Map<string, Val>();
  /** Names this graph defines (inputs, node outputs): they shadow an outer constant of the same name. */
  readonly local = new Set<string>();
  private readonly constCache = new Map<string, Val | null>();

  constructor(
    readonly parent: Scope | null,
    readonly constants: ReadonlyMap<string, Tensor>,
    readonly outerTypes?: ReadonlyMap<string, ValueType>,
  ) {}

  type(name: string): ValueType | undefined {
    return this.types.get(name) ?? this.outerTypes?.get(name) ?? this.parent?.type(name);
  }

  val(name: string): Val | undefined {
    const own = this.vals.get(name);
    if (own) return own;
    const t = this.constants.get(name);
    if (t) {
      let v = this.constCache.get(name);
      if (v === undefined) this.constCache.set(name, (v = tensorToVal(t) ?? null));
      if (v) return v;
    }
    return this.local.has(name) ? undefined : this.parent?.val(name);
  }
}

interface Out { type: ValueType; val?: Val }

/** What one inferShapes call shares across its graphs. */
interface Run { readonly opset: number; work: number }

/** What a handler sees of one node: its inputs' types and values, its attributes, and where its outputs go. */
class NodeCtx {
  readonly outs: (Out | undefined)[] = [];

  constructor(
    readonly node: Node,
    readonly run: Run,
    readonly scope: Scope,
    readonly depth: number,
  ) {}

  get opset(): number { return this.run.opset; }
  get nIn(): number { return this.node.input?.length ?? 0; }
  get nOut(): number { return this.node.output?.length ?? 0; }
  present(i: number): boolean { return !!this.node.input?.[i]; }
  type(i: number): ValueType | undefined { return this.present(i) ? this.scope.type(this.node.input![i]) : undefined; }
  dims(i: number): Dim[] | null { return this.type(i)?.dims ?? null; }
  rank(i: number): number | null { return this.dims(i)?.length ?? null; }
  elem(i: number): number { return this.type(i)?.elemType ?? 0; }
  val(i: number): Val | undefined { return this.present(i) ? this.scope.val(this.node.input![i]) : undefined; }
  /** Input i's values as numbers (axes, pads, repeats), when all are known. */
  ints(i: number): number[] | undefined { return valNumbers(this.val(i)); }
  /** A shape given as input i: its values as dims, or unknown dims when only its length is known. */
  shapeInput(i: number): Dim[] | null {
    const v = valDims(this.val(i));
    if (v) return v;
    const d = this.dims(i);
    return d && d.length === 1 && isNum(d[0]) ? unknownDims(d[0]) : null;
  }
  int(name: string, fallback: number): number { return attrInt(this.node, name, fallback); }
  attrInts(name: string): number[] | undefined { return attrInts(this.node, name); }
  str(name: string, fallback: string): string { return attrString(this.node, name) ?? fallback; }
  hasAttr(name: string): boolean { return attribute(this.node, name) !== undefined; }

  out(i: number, elemType: number, dims: Dim[] | null, val?: Val): void {
    // A copy: handlers pass their inputs' arrays along, and callers may edit the types they get back.
    if (i < this.nOut) this.outs[i] = { type: { elemType, dims: dims && [...dims] }, val };
  }
}

type Handler = (c: NodeCtx) => void;

// ---------------------------------------------------------------------------------------------------------------
// Op handlers

const firstElem = (c: NodeCtx, from = 0) => {
  for (let i = from; i < c.nIn; i++) if (c.elem(i)) return c.elem(i);
  return 0;
};

/** Output 0 is input 0 (elementwise unary ops, normalizations); `f` computes values where cheap. */
function sameAsInput(f?: (e: Elem) => Elem): Handler {
  return (c) => {
    const v = c.val(0);
    c.out(0, c.elem(0), c.dims(0), f && v ? { dims: v.dims, data: v.data.map(f) } : undefined);
  };
}

const boolOfInput: Handler = (c) => c.out(0, DataType.BOOL, c.dims(0));

/** Before opset 7 binary ops broadcast only "B onto A" (the `broadcast` attribute): the result has A's shape. */
const LEGACY_BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Less', 'Greater']);

/** Numpy-broadcast ops: the output type is `outElem` (comparisons) or the inputs'; `f` computes values. */
function broadcastOp(outElem: number | null, f?: (xs: Elem[]) => Elem): Handler {
  return (c) => {
    const all = Array.from({ length: c.nIn }, (_, i) => c.dims(i));
    const dims = c.opset < 7 && LEGACY_BROADCAST.has(c.node.op_type ?? '') ? c.dims(0) : broadcast(all);
    const elem = outElem ?? firstElem(c);
    let val: Val | undefined;
    if (f) {
      const vals = Array.from({ length: c.nIn }, (_, i) => c.val(i));
      if (vals.every((v) => v)) val = castVal(mapBroadcast(vals as Val[], f), elem);
    }
    c.out(0, elem, dims, val);
  };
}

const fold = (g: Binary) => (xs: Elem[]) => xs.reduce((a, b) => g(a, b));

function castHandler(c: NodeCtx): void {
  const to = c.node.op_type === 'CastLike' ? c.elem(1) : c.int('to', 0);
  c.out(0, to, c.dims(0), to ? castVal(c.val(0), to) : undefined);
}

function dropout(c: NodeCtx): void {
  c.out(0, c.elem(0), c.dims(0), c.val(0));
  c.out(1, c.opset >= 10 ? DataType.BOOL : c.elem(0), c.dims(0));
}

function batchNorm(c: NodeCtx): void {
  c.out(0, c.elem(0), c.dims(0));
  // Training-mode outputs are per channel: running mean/var (opset 14+), or mean, var, saved mean, saved var.
  for (let i = 1; i < c.nOut; i++) c.out(i, c.elem(i < 3 ? 3 : 1) || c.elem(0), c.dims(1) ?? c.dims(3));
}

function layerNorm(c: NodeCtx): void {
  const x = c.dims(0);
  c.out(0, c.elem(0), x);
  const axis = x ? normAxis(c.int('axis', -1), x.length) : null;
  const stats = x && axis !== null ? x.map((d, i) => (i < axis ? d : 1)) : null;
  const stash = c.int('stash_type', DataType.FLOAT);
  c.out(1, stash, stats);
  c.out(2, stash, stats);
}

/** Conv-like output dims: [N, channels, spatial…] from X, the kernel sizes and the window attributes. */
function convDims(c: NodeCtx, x: Dim[] | null, kernelFrom: Dim[] | null, channels: Dim, opts: { transpose?: boolean; ceil?: boolean; dilations?: boolean } = {}): Dim[] | null {
  const kernelAttr = c.attrInts('kernel_shape');
  const rank = x?.length ?? kernelFrom?.length ?? (kernelAttr ? kernelAttr.length + 2 : null);
  if (rank === null || rank < 2) return null;
  const n = rank - 2;
  const kernel = kernelAttr ?? (kernelFrom && kernelFrom.length === rank ? kernelFrom.slice(2).map((d) => (isNum(d) ? d : null)) : null);
  const strides = c.attrInts('strides') ?? new Array<number>(n).fill(1);
  const dilations = (opts.dilations !== false && c.attrInts('dilations')) || new Array<number>(n).fill(1);
  const pads = c.attrInts('pads') ?? new Array<number>(2 * n).fill(0);
  const autoPad = c.str('auto_pad', 'NOTSET');
  if (strides.length !== n || dilations.length !== n || pads.length !== 2 * n || (kernel && kernel.length !== n)) return [x?.[0] ?? null, channels, ...unknownDims(n)];
  const spatial: Dim[] = [];
  if (opts.transpose) {
    const outputShape = c.attrInts('output_shape');
    const outputPadding = c.attrInts('output_padding') ?? new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      if (outputShape && outputShape.length >= n) {
        spatial.push(outputShape[outputShape.length - n + i]);
        continue;
      }
      const input = x ? x[2 + i] : null;
      const k = kernel?.[i] ?? null;
      if (k === null) { spatial.push(null); continue; }
      const effective = (k - 1) * dilations[i] + 1;
      const s = strides[i];
      const padSum = autoPad === 'VALID' ? 0 : pads[i] + pads[i + n];
      if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') spatial.push(s === 1 ? input : isNum(input) ? input * s : null);
      else if (isNum(input)) spatial.push(s * (input - 1) + (outputPadding[i] ?? 0) + effective - padSum);
      else spatial.push(s === 1 && !outputPadding[i] && padSum === effective - 1 ? input : null);
    }
  } else {
    for (let i = 0; i < n; i++) {
      spatial.push(windowDim(x ? x[2 + i] : null, kernel?.[i] ?? null, strides[i], dilations[i], pads[i], pads[i + n], autoPad, !!opts.ceil));
    }
  }
  return [x?.[0] ?? null, channels, ...spatial.map((d) => (isNum(d) && d < 0 ? null : d))];
}

function conv(xIn: number, wIn: number, elem: (c: NodeCtx) => number): Handler {
  return (c) => {
    const w = c.dims(wIn);
    c.out(0, elem(c), convDims(c, c.dims(xIn), w, w?.[0] ?? null));
  };
}

function convTranspose(c: NodeCtx): void {
  const w = c.dims(1);
  const channels = w && w.length > 1 ? mulDims([w[1], c.int('group', 1)]) : null;
  c.out(0, c.elem(0), convDims(c, c.dims(0), w, channels, { transpose: true }));
}

function pool(c: NodeCtx): void {
  const x = c.dims(0);
  const op = c.node.op_type;
  const ceil = c.int('ceil_mode', 0) === 1;
  // Dilations: MaxPool from opset 10, AveragePool from 19.
  const dilations = op === 'MaxPool' || (op === 'AveragePool' && c.opset >= 19);
  const dims = c.hasAttr('kernel_shape') ? convDims(c, x, null, x?.[1] ?? null, { ceil, dilations }) : null;
  c.out(0, c.elem(0), dims);
  c.out(1, DataType.INT64, dims); // MaxPool's Indices
}

/** MaxUnpool: output_shape when given, else the inverse of the pooling window. */
function maxUnpool(c: NodeCtx): void {
  const given = c.present(2) ? c.shapeInput(2) : null;
  if (given) return c.out(0, c.elem(0), given);
  const x = c.dims(0);
  const kernel = c.attrInts('kernel_shape');
  if (!x || !kernel || x.length !== kernel.length + 2) return c.out(0, c.elem(0), x ? unknownDims(x.length) : null);
  const n = kernel.length;
  const strides = c.attrInts('strides') ?? new Array<number>(n).fill(1);
  const pads = c.attrInts('pads') ?? new Array<number>(2 * n).fill(0);
  const spatial = kernel.map((k, i) => {
    const d = x[2 + i];
    return isNum(d) ? (d - 1) * (strides[i] ?? 1) + k - (pads[i] ?? 0) - (pads[i + n] ?? 0) : null;
  });
  c.out(0, c.elem(0), [x[0], x[1], ...spatial]);
}

function globalPool(c: NodeCtx): void {
  const x = c.dims(0);
  c.out(0, c.elem(0), x && x.length >= 2 ? [x[0], x[1], ...new Array<Dim>(x.length - 2).fill(1)] : null);
}

function gemm(c: NodeCtx): void {
  const a = c.dims(0);
  const b = c.dims(1);
  const m = a?.length === 2 ? a[c.int('transA', 0) ? 1 : 0] : null;
  const n = b?.length === 2 ? b[c.int('transB', 0) ? 0 : 1] : null;
  c.out(0, firstElem(c), [m, n]);
}

/** Numpy matmul: 1-D operands get a dim prepended (A) or appended (B) that is then dropped; batch dims broadcast. */
function matmulDims(a: Dim[] | null, b: Dim[] | null): Dim[] | null {
  if (!a || !b || !a.length || !b.length) return null;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return null;
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

function matmul(aIn: number, bIn: number, elem: (c: NodeCtx) => number): Handler {
  return (c) => c.out(0, elem(c), matmulDims(c.dims(aIn), c.dims(bIn)));
}

function flatten(c: NodeCtx): void {
  const x = c.dims(0);
  const axis = x ? (c.int('axis', 1) < 0 ? c.int('axis', 1) + x.length : c.int('axis', 1)) : null;
  const dims = x && axis !== null && axis >= 0 && axis <= x.length ? [mulDims(x.slice(0, axis)), mulDims(x.slice(axis))] : [null, null];
  const v = c.val(0);
  c.out(0, c.elem(0), dims, v && dims.every(isNum) ? makeVal(dims as number[], v.data) : undefined);
}

/** Same data, new dims (Reshape, Squeeze, Unsqueeze, Flatten). */
function reshaped(v: Val | undefined, dims: Dim[] | null): Val | undefined {
  return v && dims && dims.every(isNum) ? makeVal(dims as number[], v.data) : undefined;
}

function reshape(c: NodeCtx): void {
  const shape = c.opset < 5 ? c.attrInts('shape') ?? null : c.shapeInput(1);
  const dims = shape ? reshapeDims(c.dims(0), shape, c.int('allowzero', 0) === 1) : null;
  c.out(0, c.elem(0), dims, reshaped(c.val(0), dims));
}

function transpose(c: NodeCtx): void {
  const x = c.dims(0);
  if (!x) return c.out(0, c.elem(0), null);
  const perm = c.attrInts('perm') ?? x.map((_, i) => x.length - 1 - i);
  const valid = perm.length === x.length && perm.every((p, i) => Number.isInteger(p) && p >= 0 && p < x.length && perm.indexOf(p) === i);
  const v = c.val(0);
  const val = valid && v && v.dims.length <= 1 ? v : undefined; // a 0-D or 1-D transpose is the identity
  c.out(0, c.elem(0), valid ? perm.map((p) => x[p]) : null, val);
}

function concat(c: NodeCtx): void {
  const shapes = Array.from({ length: c.nIn }, (_, i) => c.dims(i));
  const known = shapes.find((s) => s !== null);
  const elem = firstElem(c);
  if (!known) return c.out(0, elem, null);
  const rank = known.length;
  const axis = normAxis(c.int('axis', 0), rank);
  if (axis === null || shapes.some((s) => s && s.length !== rank)) return c.out(0, elem, null);
  const others = mergeShapes(shapes.map((s) => (s ? s.map((d, i) => (i === axis ? null : d)) : null)))!;
  let total: Dim = 0;
  if (shapes.some((s) => !s)) total = null;
  else {
    const parts = (shapes as Dim[][]).map((s) => s[axis]).filter((d) => d !== 0);
    total = parts.every(isNum) ? parts.reduce((a, b) => a + b, 0) : parts.length === 1 ? parts[0] : null;
  }
  others[axis] = total;
  const vals = Array.from({ length: c.nIn }, (_, i) => c.val(i));
  c.out(0, elem, others, vals.every((v) => v) && vals.length ? concatVals(vals as Val[], axis) : undefined);
}

function split(c: NodeCtx): void {
  const x = c.dims(0);
  const n = c.nOut;
  if (!x) {
    for (let i = 0; i < n; i++) c.out(i, c.elem(0), null);
    return;
  }
  const axis = normAxis(c.int('axis', 0), x.length);
  const given = c.opset >= 13 ? (c.present(1) ? c.ints(1) : undefined) : c.attrInts('split');
  const dim = axis === null ? null : x[axis];
  let sizes: Dim[] = new Array<Dim>(n).fill(null);
  if (given && given.length === n) sizes = given.map((d) => (d >= 0 ? d : null));
  else if (!(c.opset >= 13 && c.present(1)) && isNum(dim)) {
    if (c.opset >= 18 && c.hasAttr('num_outputs')) {
      // Opset 18: chunks of ceil(dim / n), the last one smaller.
      const chunk = Math.ceil(dim / n);
      sizes = sizes.map((_, i) => Math.max(0, Math.min(chunk, dim - chunk * i)));
    } else if (dim % n === 0) sizes = sizes.fill(dim / n);
  } else if (n === 1) sizes = [dim];
  const v = c.val(0);
  let offset: number | null = 0;
  for (let i = 0; i < n; i++) {
    const dims = x.map((d, k) => (k === axis ? sizes[i] : d));
    const size = sizes[i];
    let val: Val | undefined;
    if (v && axis !== null && offset !== null && isNum(size)) {
      val = sliceVal(v, v.dims.map((d, k) => (k === axis ? { start: offset!, count: size, step: 1 } : { start: 0, count: d, step: 1 })));
    }
    offset = offset !== null && isNum(size) ? offset + size : null;
    c.out(i, c.elem(0), axis === null ? unknownDims(x.length) : dims, val);
  }
}

function slice(c: NodeCtx): void {
  const x = c.dims(0);
  if (!x) return c.out(0, c.elem(0), null);
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (c.opset < 10) {
    starts = c.attrInts('starts');
    ends = c.attrInts('ends');
    axes = c.attrInts('axes');
  } else {
    starts = c.ints(1);
    ends = c.ints(2);
    axes = c.present(3) ? c.ints(3) : undefined;
    steps = c.present(4) ? c.ints(4) : undefined;
    if ((c.present(3) && !axes) || (c.present(4) && !steps)) return c.out(0, c.elem(0), unknownDims(x.length));
  }
  if (!starts || !ends || starts.length !== ends.length) return c.out(0, c.elem(0), unknownDims(x.length));
  const axesN = normAxes(axes ?? starts.map((_, i) => i), x.length);
  if (!axesN || axesN.length !== starts.length || (steps && steps.length !== starts.length)) return c.out(0, c.elem(0), unknownDims(x.length));
  const dims = [...x];
  const ranges = x.map((d) => ({ start: 0, count: isNum(d) ? d : 0, step: 1 }));
  let exact = true;
  axesN.forEach((a, k) => {
    const step = steps ? steps[k] : 1;
    const d = x[a];
    if (isNum(d)) {
      const r = sliceAxis(d, starts![k], ends![k], step);
      dims[a] = r ? r.count : null;
      if (r) ranges[a] = { start: r.start, count: r.count, step };
      else exact = false;
    } else {
      // The whole of a symbolic axis, forwards or reversed, is itself; any other slice of it is unknown.
      const whole = (starts![k] === 0 && ends![k] >= TO_END && step === 1) || (starts![k] === -1 && ends![k] <= -TO_END && step === -1);
      dims[a] = whole ? d : null;
      exact = false;
    }
  });
  const v = c.val(0);
  c.out(0, c.elem(0), dims, v && exact && x.every(isNum) ? sliceVal(v, ranges) : undefined);
}

function gather(c: NodeCtx): void {
  const x = c.dims(0);
  const idx = c.dims(1);
  const axis = x ? normAxis(c.int('axis', 0), x.length) : null;
  if (!x || !idx || axis === null) return c.out(0, c.elem(0), null);
  const dims = [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)];
  const v = c.val(0);
  const iv = c.val(1);
  c.out(0, c.elem(0), dims, v && iv ? gatherVal(v, iv, axis) : undefined);
}

function gatherND(c: NodeCtx): void {
  const x = c.dims(0);
  const idx = c.dims(1);
  const b = c.int('batch_dims', 0);
  const last = idx?.[idx.length - 1];
  if (!x || !idx || !idx.length || !isNum(last) || b + last > x.length) return c.out(0, c.elem(0), null);
  c.out(0, c.elem(0), [...idx.slice(0, -1), ...x.slice(b + last)]);
}

/** Squeeze/Unsqueeze axes: an attribute before opset 13, an optional input from 13. */
function axesOf(c: NodeCtx, inputFrom: number): { axes: number[] | undefined; given: boolean } {
  if (c.opset >= inputFrom) return { axes: c.present(1) ? c.ints(1) : undefined, given: c.present(1) };
  const axes = c.attrInts('axes');
  return { axes, given: axes !== undefined };
}

function squeeze(c: NodeCtx): void {
  const x = c.dims(0);
  const { axes, given } = axesOf(c, 13);
  let dims: Dim[] | null = null;
  if (x && given && axes) {
    const norm = normAxes(axes, x.length);
    dims = norm ? x.filter((_, i) => !norm.includes(i)) : null;
  } else if (x && !given && x.every(isNum)) dims = x.filter((d) => d !== 1);
  c.out(0, c.elem(0), dims, reshaped(c.val(0), dims));
}

function unsqueeze(c: NodeCtx): void {
  const x = c.dims(0);
  const { axes } = axesOf(c, 13);
  let dims: Dim[] | null = null;
  if (x && axes) {
    const rank = x.length + axes.length;
    const norm = normAxes(axes, rank);
    if (norm) {
      const rest = [...x];
      dims = Array.from({ length: rank }, (_, i) => (norm.includes(i) ? 1 : rest.shift()!));
    }
  } else if (x && c.opset >= 13) {
    // Axes not known, but how many there are: the rank is.
    const n = c.dims(1);
    if (n?.length === 1 && isNum(n[0])) dims = unknownDims(x.length + n[0]);
  }
  c.out(0, c.elem(0), dims, reshaped(c.val(0), dims));
}

function shape(c: NodeCtx): void {
  const x = c.dims(0);
  if (!x) return c.out(0, DataType.INT64, [null]);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x.length : v, 0), x.length);
  const start = c.opset >= 15 ? clamp(c.int('start', 0)) : 0;
  const end = c.opset >= 15 ? clamp(c.int('end', x.length)) : x.length;
  const part = x.slice(start, Math.max(start, end));
  c.out(0, DataType.INT64, [part.length], makeVal([part.length], part.map(dimToElem)));
}

function size(c: NodeCtx): void {
  const x = c.dims(0);
  const n = x ? mulDims(x) : null;
  c.out(0, DataType.INT64, [], n !== null ? { dims: [], data: [dimToElem(n)] } : undefined);
}

function expand(c: NodeCtx): void {
  const shape = c.shapeInput(1);
  const dims = shape ? broadcast([c.dims(0), shape]) : null;
  const v = c.val(0);
  let val: Val | undefined;
  if (v && dims?.every(isNum)) {
    // Broadcasting against a filler of the target dims repeats the input's elements into that shape.
    const count = (dims as number[]).reduce((a, b) => a * b, 1);
    if (count <= MAX_VALUE_ELEMENTS) val = mapBroadcast([v, { dims: dims as number[], data: new Array<Elem>(count).fill(null) }], (xs) => xs[0]);
  }
  c.out(0, c.elem(0), dims, val);
}

function tile(c: NodeCtx): void {
  const x = c.dims(0);
  const reps = c.ints(1);
  if (!x) return c.out(0, c.elem(0), null);
  if (!reps || reps.length !== x.length) return c.out(0, c.elem(0), unknownDims(x.length));
  c.out(0, c.elem(0), x.map((d, i) => (reps[i] === 1 ? d : isNum(d) && reps[i] >= 0 ? d * reps[i] : null)));
}

function constantOfShape(c: NodeCtx): void {
  const t = c.node.attribute?.find((a) => a.name === 'value')?.t;
  const elem = t?.data_type ?? DataType.FLOAT;
  const dims = c.shapeInput(0);
  if (dims && dims.some((d) => isNum(d) && d < 0)) return c.out(0, elem, null);
  let val: Val | undefined;
  if (dims?.every(isNum)) {
    const count = (dims as number[]).reduce((a, b) => a * b, 1);
    const fill = t ? tensorToVal(t)?.data[0] : 0;
    if (count <= MAX_VALUE_ELEMENTS && fill !== undefined) val = { dims: dims as number[], data: new Array<Elem>(count).fill(fill) };
  }
  c.out(0, elem, dims, val);
}

function constant(c: NodeCtx): void {
  for (const a of c.node.attribute ?? []) {
    switch (a.name) {
      case 'value':
        if (a.t) return c.out(0, a.t.data_type ?? 0, tensorType(a.t).dims, tensorToVal(a.t));
        break;
      case 'sparse_value':
        if (a.sparse_tensor) return c.out(0, a.sparse_tensor.values?.data_type ?? 0, (a.sparse_tensor.dims ?? []).map(toNumber));
        break;
      case 'value_float':
        return c.out(0, DataType.FLOAT, [], { dims: [], data: [a.f ?? 0] });
      case 'value_floats':
        return c.out(0, DataType.FLOAT, [a.floats?.length ?? 0], makeVal([a.floats?.length ?? 0], [...(a.floats ?? [])]));
      case 'value_int':
        return c.out(0, DataType.INT64, [], { dims: [], data: [BigInt(a.i?.toString() ?? '0')] });
      case 'value_ints':
        return c.out(0, DataType.INT64, [a.ints?.length ?? 0], makeVal([a.ints?.length ?? 0], (a.ints ?? []).map((i) => BigInt(i.toString()))));
      case 'value_string':
        return c.out(0, DataType.STRING, []);
      case 'value_strings':
        return c.out(0, DataType.STRING, [a.strings?.length ?? 0]);
    }
  }
}

function range(c: NodeCtx): void {
  const elem = firstElem(c);
  const [start, limit, delta] = [c.val(0), c.val(1), c.val(2)].map((v) => (v?.data.length === 1 ? v.data[0] : null));
  if (start === null || limit === null || delta === null || typeof start === 'string' || typeof limit === 'string' || typeof delta === 'string') {
    return c.out(0, elem, [null]);
  }
  const s = Number(start);
  const d = Number(delta);
  const count = Math.max(0, Math.ceil((Number(limit) - s) / d));
  if (!Number.isSafeInteger(count)) return c.out(0, elem, [null]);
  let val: Val | undefined;
  if (count <= MAX_VALUE_ELEMENTS) {
    const data: Elem[] = [];
    for (let i = 0; i < count; i++) data.push(typeof start === 'bigint' ? (start as bigint) + BigInt(i) * (delta as bigint) : s + i * d);
    val = castVal({ dims: [count], data }, elem);
  }
  c.out(0, elem, [count], val);
}

function pad(c: NodeCtx): void {
  const x = c.dims(0);
  if (!x) return c.out(0, c.elem(0), null);
  const pads = c.opset >= 11 ? c.ints(1) : c.attrInts(c.opset < 2 ? 'paddings' : 'pads');
  const axes = c.opset >= 18 && c.present(3) ? c.ints(3) : x.map((_, i) => i);
  const norm = axes && normAxes(axes, x.length);
  if (!pads || !norm || pads.length !== 2 * norm.length) return c.out(0, c.elem(0), unknownDims(x.length));
  const dims = [...x];
  norm.forEach((a, k) => {
    const add = pads[k] + pads[k + norm.length];
    const d = x[a];
    dims[a] = add === 0 ? d : isNum(d) && d + add >= 0 ? d + add : null;
  });
  c.out(0, c.elem(0), dims);
}

/** Resize (opset 10+) and Upsample: sizes when given, else floor(dim × scale). */
function resize(c: NodeCtx): void {
  const x = c.dims(0);
  if (!x) return c.out(0, c.elem(0), null);
  const op = c.node.op_type;
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  if (op === 'Upsample') scales = c.opset >= 9 ? c.ints(1) : c.node.attribute?.find((a) => a.name === 'scales')?.floats ?? undefined;
  else if (c.opset === 10) scales = c.ints(1);
  else {
    sizes = c.present(3) ? c.ints(3) : undefined;
    scales = c.present(2) && !sizes ? c.ints(2) : undefined;
    if (scales && !scales.length) scales = undefined; // an empty scales tensor means "use sizes"
  }
  const axes = c.opset >= 18 ? c.attrInts('axes') : undefined;
  const norm = normAxes(axes ?? x.map((_, i) => i), x.length);
  const policy = c.str('keep_aspect_ratio_policy', 'stretch');
  const dims = unknownDims(x.length).map((_, i) => (norm?.includes(i) ? null : x[i]));
  if (norm && sizes && sizes.length === norm.length && policy === 'stretch') norm.forEach((a, k) => (dims[a] = sizes![k]));
  else if (norm && scales && scales.length === norm.length) {
    norm.forEach((a, k) => {
      const d = x[a];
      const s = Math.fround(scales![k]);
      dims[a] = s === 1 ? d : isNum(d) && s > 0 ? Math.floor(Math.fround(d * s)) : null;
    });
  }
  c.out(0, c.elem(0), dims);
}

function reduce(c: NodeCtx): void {
  const x = c.dims(0);
  const op = c.node.op_type;
  const keep = c.int('keepdims', 1) === 1;
  const axesFromInput = c.opset >= 18 || (op === 'ReduceSum' && c.opset >= 13);
  let axes: number[] | undefined;
  let unknownAxes = false;
  if (axesFromInput) {
    if (c.present(1)) {
      axes = c.ints(1);
      unknownAxes = !axes;
    }
  } else axes = c.attrInts('axes');
  if (!x) return c.out(0, c.elem(0), null);
  if (unknownAxes) return c.out(0, c.elem(0), keep ? unknownDims(x.length) : null);
  if (!axes || !axes.length) {
    if (axesFromInput && c.int('noop_with_empty_axes', 0) === 1) return c.out(0, c.elem(0), x, c.val(0));
    axes = x.map((_, i) => i);
  }
  const norm = normAxes(axes, x.length);
  if (!norm) return c.out(0, c.elem(0), null);
  const dims = keep ? x.map((d, i) => (norm.includes(i) ? 1 : d)) : x.filter((_, i) => !norm.includes(i));
  c.out(0, c.elem(0), dims);
}

function argReduce(c: NodeCtx): void {
  const x = c.dims(0);
  const axis = x ? normAxis(c.int('axis', 0), x.length) : null;
  if (!x || axis === null) return c.out(0, DataType.INT64, null);
  const keep = c.int('keepdims', 1) === 1;
  c.out(0, DataType.INT64, keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis));
}

function topK(c: NodeCtx): void {
  const x = c.dims(0);
  const k = c.opset >= 10 ? c.ints(1)?.[0] : c.int('k', -1);
  const axis = x ? normAxis(c.int('axis', -1), x.length) : null;
  const dims = x && axis !== null ? x.map((d, i) => (i === axis ? (k !== undefined && k >= 0 ? k : null) : d)) : null;
  c.out(0, c.elem(0), dims);
  c.out(1, DataType.INT64, dims);
}

function oneHot(c: NodeCtx): void {
  const x = c.dims(0);
  const depth = c.ints(1)?.[0];
  if (!x) return c.out(0, c.elem(2), null);
  const axis = normAxis(c.int('axis', -1), x.length + 1);
  if (axis === null) return c.out(0, c.elem(2), null);
  const d = depth !== undefined && depth >= 0 ? Math.floor(depth) : null;
  c.out(0, c.elem(2), [...x.slice(0, axis), d, ...x.slice(axis)]);
}

function spaceDepth(toSpace: boolean): Handler {
  return (c) => {
    const x = c.dims(0);
    const b = c.int('blocksize', 0);
    if (!x || x.length !== 4 || !(b >= 1)) return c.out(0, c.elem(0), x ? unknownDims(x.length) : null);
    const div = (d: Dim, k: number) => (isNum(d) && d % k === 0 ? d / k : k === 1 ? d : null);
    const mul = (d: Dim, k: number) => (isNum(d) ? d * k : k === 1 ? d : null);
    c.out(0, c.elem(0), toSpace ? [x[0], div(x[1], b * b), mul(x[2], b), mul(x[3], b)] : [x[0], mul(x[1], b * b), div(x[2], b), div(x[3], b)]);
  };
}

function einsum(c: NodeCtx): void {
  const elem = firstElem(c);
  const eq = c.str('equation', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== c.nIn || eq.split('->').length > 2) return c.out(0, elem, null);
  const letters = new Map<string, Dim>();
  const counts = new Map<string, number>();
  let ellipsis: Dim[] | null = [];
  for (const [k, term] of terms.entries()) {
    const x = c.dims(k);
    if (!x) return c.out(0, elem, null);
    const parts = term.split('...');
    if (parts.length > 2 || /[^a-zA-Z]/.test(parts.join(''))) return c.out(0, elem, null);
    const named = parts.join('').length;
    const eRank = x.length - named;
    if (eRank < 0 || (parts.length === 1 && eRank !== 0)) return c.out(0, elem, null);
    const chars = parts.length === 2 ? [...parts[0], '...', ...parts[1]] : [...parts[0]];
    let pos = 0;
    for (const ch of chars) {
      if (ch === '...') {
        ellipsis = broadcast([ellipsis, x.slice(pos, pos + eRank)]);
        pos += eRank;
        continue;
      }
      letters.set(ch, letters.has(ch) ? broadcastDim([letters.get(ch)!, x[pos]]) : x[pos]);
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
      pos++;
    }
  }
  let out: Dim[] = [];
  if (rhs !== undefined) {
    const parts = rhs.split('...');
    if (parts.length > 2 || /[^a-zA-Z]/.test(parts.join(''))) return c.out(0, elem, null);
    for (const ch of parts[0]) out.push(letters.has(ch) ? letters.get(ch)! : null);
    if (parts.length === 2) out = [...out, ...(ellipsis ?? []), ...[...parts[1]].map((ch) => letters.get(ch) ?? null)];
    if (parts.length === 2 && !ellipsis) return c.out(0, elem, null);
  } else {
    if (!ellipsis) return c.out(0, elem, null);
    out = [...ellipsis, ...[...letters.keys()].filter((ch) => counts.get(ch) === 1).sort().map((ch) => letters.get(ch)!)];
  }
  c.out(0, elem, out);
}

function rnn(c: NodeCtx): void {
  const x = c.dims(0);
  const numDirections = c.str('direction', 'forward') === 'bidirectional' ? 2 : 1;
  const r = c.dims(2);
  const hidden: Dim = c.hasAttr('hidden_size') ? c.int('hidden_size', 0) : (r?.[2] ?? null);
  const layout = c.opset >= 14 ? c.int('layout', 0) : 0;
  const [seq, batch] = x?.length === 3 ? (layout === 0 ? [x[0], x[1]] : [x[1], x[0]]) : [null, null];
  const elem = c.elem(0);
  c.out(0, elem, layout === 0 ? [seq, numDirections, batch, hidden] : [batch, seq, numDirections, hidden]);
  const state: Dim[] = layout === 0 ? [numDirections, batch, hidden] : [batch, numDirections, hidden];
  c.out(1, elem, state);
  c.out(2, elem, state); // LSTM's Y_c
}

function quantize(c: NodeCtx): void {
  const elem = c.present(2) ? c.elem(2) : c.opset >= 21 && c.hasAttr('output_dtype') ? c.int('output_dtype', 0) : DataType.UINT8;
  c.out(0, elem, c.dims(0));
}

/** The output has the scale's type (float only before opset 19, float16/bfloat16 too from 19 and in com.microsoft). */
function dequantize(c: NodeCtx): void {
  c.out(0, c.elem(1) || DataType.FLOAT, c.dims(0));
}

function dynamicQuantize(c: NodeCtx): void {
  c.out(0, DataType.UINT8, c.dims(0));
  c.out(1, DataType.FLOAT, []);
  c.out(2, DataType.UINT8, []);
}

function nonZero(c: NodeCtx): void {
  const r = c.rank(0);
  c.out(0, DataType.INT64, [r, null]);
}

function softmaxCrossEntropy(c: NodeCtx): void {
  const reduction = c.str('reduction', 'mean');
  c.out(0, c.elem(0), reduction === 'none' ? c.dims(1) : []);
  c.out(1, c.elem(0), c.dims(0));
}

function nllLoss(c: NodeCtx): void {
  c.out(0, c.elem(0), c.str('reduction', 'mean') === 'none' ? c.dims(1) : []);
}

function compress(c: NodeCtx): void {
  const x = c.dims(0);
  if (!c.hasAttr('axis')) return c.out(0, c.elem(0), [null]);
  const axis = x ? normAxis(c.int('axis', 0), x.length) : null;
  c.out(0, c.elem(0), x && axis !== null ? x.map((d, i) => (i === axis ? null : d)) : null);
}

function dtypeOr(attr: string, fallback: (c: NodeCtx) => number): (c: NodeCtx) => number {
  return (c) => (c.hasAttr(attr) ? c.int(attr, 0) : fallback(c));
}

function randomOfShape(c: NodeCtx): void {
  c.out(0, dtypeOr('dtype', () => DataType.FLOAT)(c), c.attrInts('shape') ?? null);
}

function randomLike(c: NodeCtx): void {
  c.out(0, dtypeOr('dtype', (k) => k.elem(0))(c), c.dims(0));
}

function roiAlign(c: NodeCtx): void {
  const x = c.dims(0);
  const rois = c.dims(1);
  c.out(0, c.elem(0), [rois?.[0] ?? null, x?.[1] ?? null, c.int('output_height', 1), c.int('output_width', 1)]);
}

function gridSample(c: NodeCtx): void {
  const x = c.dims(0);
  const grid = c.dims(1);
  if (!grid || grid.length < 3) return c.out(0, c.elem(0), x ? unknownDims(x.length) : null);
  c.out(0, c.elem(0), [x?.[0] ?? grid[0], x?.[1] ?? null, ...grid.slice(1, -1)]);
}

function window(c: NodeCtx): void {
  const n = c.ints(0)?.[0];
  c.out(0, c.int('output_datatype', DataType.FLOAT), [n !== undefined && n >= 0 ? n : null]);
}

function det(c: NodeCtx): void {
  const x = c.dims(0);
  c.out(0, c.elem(0), x && x.length >= 2 ? x.slice(0, -2) : null);
}

function unique(c: NodeCtx): void {
  const x = c.dims(0);
  const axis = c.hasAttr('axis') && x ? normAxis(c.int('axis', 0), x.length) : null;
  c.out(0, c.elem(0), c.hasAttr('axis') ? (x && axis !== null ? x.map((d, i) => (i === axis ? null : d)) : null) : [null]);
  for (let i = 1; i < 4; i++) c.out(i, DataType.INT64, [null]);
}

/** DFT (opset 17; the axis became an input in 20): the last axis holds (re, im); onesided keeps n/2+1 bins. */
function dft(c: NodeCtx): void {
  const x = c.dims(0);
  if (!x || x.length < 2) return c.out(0, c.elem(0), null);
  const axis = c.opset >= 20 ? (c.present(2) ? c.ints(2)?.[0] : -2) : c.int('axis', 1);
  const a = axis === undefined ? null : normAxis(axis, x.length);
  if (a === null || a === x.length - 1) return c.out(0, c.elem(0), unknownDims(x.length));
  const dims = [...x];
  dims[x.length - 1] = 2;
  if (c.present(1)) {
    const n = c.ints(1)?.[0];
    dims[a] = n !== undefined && n >= 0 ? n : null;
  }
  if (c.int('onesided', 0) === 1 && c.int('inverse', 0) === 0) {
    const d = dims[a];
    dims[a] = isNum(d) ? Math.floor(d / 2) + 1 : null;
  }
  c.out(0, c.elem(0), dims);
}

/** TfIdfVectorizer: one output column per n-gram index. */
function tfIdf(c: NodeCtx): void {
  const x = c.dims(0);
  const indexes = c.attrInts('ngram_indexes') ?? [];
  const width = indexes.length ? Math.max(...indexes) + 1 : 0;
  c.out(0, DataType.FLOAT, x?.length === 1 ? [width] : x?.length === 2 ? [x[0], width] : null);
}

function whereValues(xs: Elem[]): Elem {
  const [cond, a, b] = xs;
  return typeof cond === 'bigint' ? (cond !== 0n ? a : b) : null;
}

const same = sameAsInput();

const HANDLERS: Record<string, Handler> = {
  Identity: sameAsInput((e) => e),
  Neg: sameAsInput((e) => (typeof e === 'bigint' ? -e : typeof e === 'number' ? -e : null)),
  Abs: sameAsInput((e) => (typeof e === 'bigint' ? (e < 0n ? -e : e) : typeof e === 'number' ? Math.abs(e) : null)),
  Floor: sameAsInput((e) => (typeof e === 'number' ? Math.floor(e) : null)),
  Ceil: sameAsInput((e) => (typeof e === 'number' ? Math.ceil(e) : null)),
  Not: sameAsInput((e) => (typeof e === 'bigint' ? (e ? 0n : 1n) : null)),
  Cast: castHandler,
  CastLike: castHandler,
  Dropout: dropout,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  IsNaN: boolOfInput,
  IsInf: boolOfInput,
  Add: broadcastOp(null, fold(arith('add'))),
  Sub: broadcastOp(null, fold(arith('sub'))),
  Mul: broadcastOp(null, fold(arith('mul'))),
  Div: broadcastOp(null, fold(arith('div'))),
  Mod: (c) => broadcastOp(null, c.int('fmod', 0) ? undefined : fold(arith('mod')))(c),
  Max: broadcastOp(null, fold(arith('max'))),
  Min: broadcastOp(null, fold(arith('min'))),
  Sum: broadcastOp(null, fold(arith('add'))),
  Mean: broadcastOp(null),
  Pow: broadcastOp(null),
  BitShift: broadcastOp(null),
  BitwiseAnd: broadcastOp(null),
  BitwiseOr: broadcastOp(null),
  BitwiseXor: broadcastOp(null),
  PRelu: (c) => c.out(0, c.elem(0), c.opset >= 7 ? broadcast([c.dims(0), c.dims(1)]) : c.dims(0)),
  Equal: broadcastOp(DataType.BOOL, fold(compare('eq'))),
  Less: broadcastOp(DataType.BOOL, fold(compare('lt'))),
  Greater: broadcastOp(DataType.BOOL, fold(compare('gt'))),
  LessOrEqual: broadcastOp(DataType.BOOL, fold(compare('le'))),
  GreaterOrEqual: broadcastOp(DataType.BOOL, fold(compare('ge'))),
  And: broadcastOp(DataType.BOOL, fold(logical('and'))),
  Or: broadcastOp(DataType.BOOL, fold(logical('or'))),
  Xor: broadcastOp(DataType.BOOL, fold(logical('xor'))),
  Where: (c) => broadcastOp(c.elem(1) || c.elem(2), whereValues)(c),
  Conv: conv(0, 1, (c) => c.elem(0)),
  ConvInteger: conv(0, 1, () => DataType.INT32),
  QLinearConv: conv(0, 3, (c) => c.elem(7) || c.elem(0)),
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  MaxUnpool: maxUnpool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  Gemm: gemm,
  MatMul: matmul(0, 1, (c) => firstElem(c)),
  MatMulInteger: matmul(0, 1, () => DataType.INT32),
  QLinearMatMul: matmul(0, 3, (c) => c.elem(7) || c.elem(0)),
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: (c) => c.out(0, c.elem(0), c.dims(1)),
  GatherND: gatherND,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Shape: shape,
  Size: size,
  Expand: expand,
  Tile: tile,
  ConstantOfShape: constantOfShape,
  Constant: constant,
  Range: range,
  Pad: pad,
  Resize: resize,
  Upsample: resize,
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: topK,
  NonZero: nonZero,
  Einsum: einsum,
  OneHot: oneHot,
  DepthToSpace: spaceDepth(true),
  SpaceToDepth: spaceDepth(false),
  QuantizeLinear: quantize,
  DequantizeLinear: dequantize,
  DynamicQuantizeLinear: dynamicQuantize,
  LSTM: rnn,
  GRU: rnn,
  RNN: rnn,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
  NegativeLogLikelihoodLoss: nllLoss,
  Compress: compress,
  EyeLike: randomLike,
  RandomNormal: randomOfShape,
  RandomUniform: randomOfShape,
  RandomNormalLike: randomLike,
  RandomUniformLike: randomLike,
  Bernoulli: randomLike,
  Multinomial: (c) => c.out(0, dtypeOr('dtype', () => DataType.INT32)(c), [c.dims(0)?.[0] ?? null, c.int('sample_size', 1)]),
  RoiAlign: roiAlign,
  GridSample: gridSample,
  BlackmanWindow: window,
  HannWindow: window,
  HammingWindow: window,
  Det: det,
  Unique: unique,
  DFT: dft,
  TfIdfVectorizer: tfIdf,
  SequenceLength: (c) => c.out(0, DataType.INT64, []),
  OptionalHasElement: (c) => c.out(0, DataType.BOOL, []),
  NonMaxSuppression: (c) => c.out(0, DataType.INT64, [null, 3]),
  ScatterND: same,
  ScatterElements: same,
  Scatter: same,
};

for (const op of [
  'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Erf', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Elu', 'Selu',
  'Softplus', 'Softsign', 'Clip', 'Round', 'Sign', 'Reciprocal', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh',
  'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Gelu', 'Celu', 'ThresholdedRelu', 'Mish', 'Shrink', 'BitwiseNot', 'Softmax',
  'LogSoftmax', 'Hardmax', 'CumSum', 'Trilu', 'LRN', 'MeanVarianceNormalization', 'InstanceNormalization',
  'GroupNormalization', 'LpNormalization', 'ReverseSequence', 'ImageScaler',
]) HANDLERS[op] ??= same;
for (const op of ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']) HANDLERS[op] = reduce;

/**
 * onnxruntime's contrib ops (domain com.microsoft) that its quantization and fusion tools write, so that their
 * output (this project's own q4/q8 models) keeps its shapes.
 */
function fusedMatMul(c: NodeCtx): void {
  if (c.int('transBatchA', 0) || c.int('transBatchB', 0)) return c.out(0, c.elem(0), null);
  const swap = (d: Dim[] | null, on: boolean) => (d && on && d.length >= 2 ? [...d.slice(0, -2), d[d.length - 1], d[d.length - 2]] : d);
  c.out(0, c.elem(0), matmulDims(swap(c.dims(0), !!c.int('transA', 0)), swap(c.dims(1), !!c.int('transB', 0))));
}

function matMulNBits(c: NodeCtx): void {
  const a = c.dims(0);
  const n = c.int('N', -1);
  c.out(0, c.elem(0), a && a.length >= 1 && n >= 0 ? [...a.slice(0, -1), n] : null);
}

function skipLayerNorm(c: NodeCtx): void {
  c.out(0, c.elem(0), c.dims(0));
  c.out(3, c.elem(0), c.dims(0)); // input + skip + bias, before normalization
}

const MS_HANDLERS: Record<string, Handler> = {
  MatMulNBits: matMulNBits,
  FusedMatMul: fusedMatMul,
  MatMulIntegerToFloat: matmul(0, 1, (c) => c.elem(2) || DataType.FLOAT),
  DynamicQuantizeMatMul: matmul(0, 1, (c) => c.elem(0)),
  FusedConv: conv(0, 1, (c) => c.elem(0)),
  Gelu: same,
  FastGelu: same,
  BiasGelu: same,
  QuickGelu: same,
  SkipLayerNormalization: skipLayerNorm,
  QuantizeLinear: quantize,
  DequantizeLinear: dequantize,
};

// ---------------------------------------------------------------------------------------------------------------
// Control flow: the body graphs are inferred with the enclosing scope as their outer scope.

function subgraph(c: NodeCtx, name: string): Graph | undefined {
  return c.node.attribute?.find((a) => a.name === name)?.g ?? undefined;
}

/** Infers a body graph whose inputs get `inputs` (declared body input types fill the gaps); returns its output types. */
function inferBody(c: NodeCtx, body: Graph, inputs: (ValueType | undefined)[]): (ValueType | undefined)[] | null {
  if (c.depth >= MAX_DEPTH) return null;
  const given = new Map<string, ValueType>();
  (body.input ?? []).forEach((v, i) => {
    if (v.name && inputs[i]) given.set(v.name, inputs[i]!);
  });
  const scope = inferGraph(body, c.run, c.scope, { given }, c.depth + 1);
  return (body.output ?? []).map((o) => (o.name ? scope.type(o.name) : undefined));
}

function ifHandler(c: NodeCtx): void {
  const cond = c.val(0)?.data[0];
  const branches = typeof cond === 'bigint' ? [cond !== 0n ? 'then_branch' : 'else_branch'] : ['then_branch', 'else_branch'];
  const results = branches.map((b) => {
    const g = subgraph(c, b);
    return g ? inferBody(c, g, []) : null;
  });
  if (results.some((r) => !r)) return;
  for (let i = 0; i < c.nOut; i++) {
    const t = results.map((r) => r![i]).reduce((a, b) => unionType(a, b));
    if (t) c.out(i, t.elemType, t.dims);
  }
}

const sameType = (a: ValueType | undefined, b: ValueType | undefined) => JSON.stringify(a) === JSON.stringify(b);

function loop(c: NodeCtx): void {
  const body = subgraph(c, 'body');
  if (!body) return;
  const carried = Math.max(0, c.nIn - 2);
  const initial = Array.from({ length: carried }, (_, i) => c.type(2 + i));
  const counters: ValueType[] = [{ elemType: DataType.INT64, dims: [] }, { elemType: DataType.BOOL, dims: [] }];
  // A loop-carried value may change shape between iterations: widen its type to what the body keeps of it until
  // nothing changes, so that every iteration (and the scan outputs computed from it) agrees with the result.
  let state = initial;
  let outs: (ValueType | undefined)[] | null = null;
  for (let round = 0; round < 3; round++) {
    outs = inferBody(c, body, [...counters, ...state]);
    if (!outs) return;
    const next = state.map((t, i) => unionType(t, outs![1 + i]) ?? (t && { elemType: t.elemType, dims: null }));
    if (next.every((t, i) => sameType(t, state[i]))) break;
    state = next;
    if (round === 2) outs = null; // still widening: the scan outputs are not trustworthy
  }
  for (let i = 0; i < c.nOut; i++) {
    if (i < carried) {
      const t = state[i];
      if (t) c.out(i, t.elemType, t.dims);
    } else {
      const t = outs?.[1 + i];
      if (t) c.out(i, t.elemType, t.dims ? [null, ...t.dims] : null);
    }
  }
}

/**
 * Scan: from opset 9, N state inputs then M scan inputs sliced along scan_input_axes. Opset 8 puts an optional
 * sequence_lens first and a batch axis 0 on every input and output (the scan axis is then axis 1).
 */
function scan(c: NodeCtx): void {
  const body = subgraph(c, 'body');
  if (!body) return;
  const batched = c.opset < 9;
  const first = batched ? 1 : 0;
  const m = c.int('num_scan_inputs', 0);
  const n = c.nIn - first - m;
  if (m < 0 || n < 0) return;
  const inputAxes = batched ? new Array<number>(m).fill(1) : c.attrInts('scan_input_axes') ?? new Array<number>(m).fill(0);
  const outputAxes = batched ? undefined : c.attrInts('scan_output_axes');
  let batch: Dim = null;
  let seqLen: Dim = null;
  const unbatch = (t: ValueType | undefined): ValueType | undefined => {
    if (!t || !batched) return t;
    if (!t.dims?.length) return { elemType: t.elemType, dims: null };
    batch = mergeDim(batch, t.dims[0]);
    return { elemType: t.elemType, dims: t.dims.slice(1) };
  };
  const bodyInputs: (ValueType | undefined)[] = Array.from({ length: n }, (_, i) => unbatch(c.type(first + i)));
  for (let j = 0; j < m; j++) {
    const t = c.type(first + n + j);
    const axis = t?.dims ? normAxis(inputAxes[j] ?? 0, t.dims.length) : null;
    if (t?.dims && axis !== null) {
      seqLen = j === 0 ? t.dims[axis] : mergeDim(seqLen, t.dims[axis]);
      const sliced = { elemType: t.elemType, dims: t.dims.filter((_, k) => k !== axis) };
      bodyInputs.push(batched ? unbatch({ elemType: t.elemType, dims: [t.dims[0], ...sliced.dims.slice(1)] }) : sliced);
    } else bodyInputs.push(t && { elemType: t.elemType, dims: null });
  }
  const outs = inferBody(c, body, bodyInputs);
  if (!outs) return;
  const withBatch = (dims: Dim[] | null) => (dims && batched ? [batch, ...dims] : dims);
  for (let i = 0; i < c.nOut; i++) {
    const t = outs[i];
    if (!t) continue;
    if (i < n) {
      c.out(i, t.elemType, withBatch(t.dims));
      continue;
    }
    const axis = t.dims ? normAxis(outputAxes?.[i - n] ?? 0, t.dims.length + 1) : null;
    c.out(i, t.elemType, withBatch(t.dims && axis !== null ? [...t.dims.slice(0, axis), seqLen, ...t.dims.slice(axis)] : null));
  }
}

HANDLERS.If = ifHandler;
HANDLERS.Loop = loop;
HANDLERS.Scan = scan;

// ---------------------------------------------------------------------------------------------------------------
// The graph walk

function declaredType(v: { type?: { tensor_type?: { elem_type?: number | null; shape?: { dim?: { dim_value?: unknown; dim_param?: string | null }[] | null } | null } | null } | null }): ValueType | undefined {
  const tt = v.type?.tensor_type;
  if (!tt) return undefined;
  const dims = tt.shape
    ? (tt.shape.dim ?? []).map((d): Dim => {
        if (has(d, 'dim_value')) {
          const n = toNumber(d.dim_value as number);
          return n >= 0 ? n : null;
        }
        return d.dim_param || null;
      })
    : null;
  return { elemType: tt.elem_type ?? 0, dims };
}

const isDefaultDomain = (domain: string | null | undefined) => !domain || domain === 'ai.onnx';

/**
 * Names a node's subgraphs read (any of them may be an outer name), iteratively and visiting each graph once: a
 * hand-built model may share one body between branches at every level, which must not cost exponential time.
 */
function subgraphReads(node: Node): string[] {
  const names: string[] = [];
  const seen = new Set<Graph>();
  const stack: Graph[] = [];
  const visit = (n: Node) => {
    for (const a of n.attribute ?? []) {
      for (const g of [a.g, ...(a.graphs ?? [])]) {
        if (g && !seen.has(g)) {
          seen.add(g);
          stack.push(g);
        }
      }
    }
  };
  visit(node);
  while (stack.length) {
    const g = stack.pop()!;
    for (const n of g.node ?? []) {
      for (const name of n.input ?? []) if (name) names.push(name);
      visit(n);
    }
    for (const o of g.output ?? []) if (o.name) names.push(o.name);
  }
  return names;
}

/**
 * The nodes with every producer before its consumers. Valid graphs already are in that order (returned as they
 * are), but some tools append nodes at the end (onnxruntime's float16 converter adds its input Casts last). A
 * depth-first walk in file order keeps the file's order wherever it is already right; a cycle is broken where it is
 * met, and its nodes see their unproduced inputs as unknown.
 */
function inferenceOrder(nodes: readonly Node[]): readonly Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output?.forEach((o) => o && !producer.has(o) && producer.set(o, i)));
  const deps = nodes.map((n, i) => {
    const names = [...(n.input ?? []), ...subgraphReads(n)];
    return names.map((name) => producer.get(name)).filter((j): j is number => j !== undefined && j !== i);
  });
  if (deps.every((d, i) => d.every((j) => j < i))) return nodes;
  const state = new Uint8Array(nodes.length); // 0 unvisited, 1 on the stack, 2 placed
  const order: Node[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root]) continue;
    state[root] = 1;
    const stack: [node: number, next: number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const d = deps[top[0]][top[1]++];
      if (d === undefined) {
        state[top[0]] = 2;
        order.push(nodes[top[0]]);
        stack.pop();
      } else if (state[d] === 0) {
        state[d] = 1;
        stack.push([d, 0]);
      }
    }
  }
  return order;
}

/**
 * Infers one graph. `parent` is the enclosing graph's scope (null for the graph the caller passed), `constants` the
 * values known besides this graph's initializers, `given` types for its inputs (a body's iteration counter…).
 */
function inferGraph(graph: Graph, run: Run, parent: Scope | null, env: { constants?: ReadonlyMap<string, Tensor>; outer?: ReadonlyMap<string, ValueType>; given?: ReadonlyMap<string, ValueType> }, depth: number): Scope {
  const constants = new Map<string, Tensor>();
  const inputs = new Set((graph.input ?? []).map((v) => v.name));
  for (const t of graph.initializer ?? []) if (t.name && !inputs.has(t.name)) constants.set(t.name, t);
  for (const [name, t] of env.constants ?? []) constants.set(name, t);
  const scope = new Scope(parent, constants, env.outer);
  const given = env.given ?? new Map<string, ValueType>();
  const { types } = scope;

  for (const v of graph.input ?? []) {
    if (!v.name) continue;
    scope.local.add(v.name);
    const t = completeType(given.get(v.name), declaredType(v));
    if (t) types.set(v.name, t);
  }
  for (const t of graph.initializer ?? []) {
    if (!t.name) continue;
    // An initializer that is also a graph input (IR < 4) is that input's default: the declaration comes first.
    types.set(t.name, types.has(t.name) ? completeType(types.get(t.name), tensorType(t))! : tensorType(t));
  }
  const declared = new Map<string, ValueType>();
  for (const v of [...(graph.value_info ?? []), ...(graph.output ?? [])]) {
    const t = v.name ? declaredType(v) : undefined;
    if (t && v.name) declared.set(v.name, completeType(declared.get(v.name), t)!);
  }
  for (const [name, t] of declared) if (!types.has(name)) types.set(name, t);

  for (const node of inferenceOrder(graph.node ?? [])) {
    const c = new NodeCtx(node, run, scope, depth);
    const table = isDefaultDomain(node.domain) ? HANDLERS : node.domain === 'com.microsoft' ? MS_HANDLERS : undefined;
    const op = node.op_type ?? '';
    const handler = table && Object.hasOwn(table, op) && run.work-- > 0 ? table[op] : undefined;
    if (handler) {
      try {
        handler(c);
      } catch {
        c.outs.length = 0; // malformed attributes or inputs: the outputs stay unknown
      }
    }
    (node.output ?? []).forEach((name, i) => {
      if (!name) return;
      scope.local.add(name);
      const out = c.outs[i];
      const fixed = constants.get(name);
      const inferred = fixed ? tensorType(fixed) : out && (out.type.elemType || out.type.dims) ? out.type : undefined;
      const t = completeType(inferred, declared.get(name));
      if (t) types.set(name, t);
      else types.delete(name);
      if (out?.val && !fixed) scope.vals.set(name, out.val);
    });
  }
  return scope;
}
