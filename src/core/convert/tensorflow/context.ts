/**
 * State of one GraphDef → ONNX conversion: the converted value of every TF tensor ('node:k'), with its TF dtype, its
 * TF (logical) shape where known, its constant value where known at conversion time (constants are folded, and
 * become initializers only when an ONNX node reads them), and its ONNX names in the TF layout and/or NCHW.
 */
import { GraphBuilder, type Dim } from '../onnx-builder.js';
import { DataType } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import type { AttributeValue } from '../../rewrites/graph.js';
import { elementCount } from '../../weights/types.js';
import { parseInput, tensorKey, type TensorRef } from './graph.js';
import { constToNchw, permuteShape, TO_NCHW, TO_NHWC, transposeConst } from './layout.js';
import { TfType, tfTypeName, type NodeDef } from './proto.js';
import { constToWeight, type ConstValue } from './tensors.js';

export interface Value {
  /** TF DataType (base type). */
  dtype: number;
  /** TF shape; −1 for an unknown dimension; undefined when the rank is unknown. */
  shape?: number[];
  /** The value, when known at conversion time. */
  const?: ConstValue;
  /** ONNX value in TF's axis order. */
  logical?: string;
  /** ONNX value holding a rank-4 NHWC tensor as NCHW. */
  nchw?: string;
  /** Where the producer wrote it. */
  primary: 'logical' | 'nchw';
  /** A name for the initializer a constant becomes (its TF node's name). */
  hint?: string;
}

const ONNX_TYPES: Record<number, number> = {
  [TfType.FLOAT]: DataType.FLOAT, [TfType.DOUBLE]: DataType.DOUBLE, [TfType.INT32]: DataType.INT32,
  [TfType.UINT8]: DataType.UINT8, [TfType.INT16]: DataType.INT16, [TfType.INT8]: DataType.INT8,
  [TfType.INT64]: DataType.INT64, [TfType.BOOL]: DataType.BOOL, [TfType.HALF]: DataType.FLOAT16,
  [TfType.BFLOAT16]: DataType.BFLOAT16, [TfType.UINT16]: DataType.UINT16, [TfType.UINT32]: DataType.UINT32,
  [TfType.UINT64]: DataType.UINT64, [TfType.STRING]: DataType.STRING,
  [TfType.QINT8]: DataType.INT8, [TfType.QUINT8]: DataType.UINT8, [TfType.QINT32]: DataType.INT32,
};

export function onnxType(tfType: number, what = 'a tensor'): number {
  const t = ONNX_TYPES[tfType];
  if (t === undefined) throw new OmnihubError('unsupported', `TensorFlow ${tfTypeName(tfType)} (${what}) has no ONNX counterpart here.`);
  return t;
}

export const isFloatType = (t: number): boolean => t === TfType.FLOAT || t === TfType.DOUBLE || t === TfType.HALF || t === TfType.BFLOAT16;

export function unsupportedNode(node: NodeDef, why: string): OmnihubError {
  return new OmnihubError('unsupported', `TensorFlow ${node.op} '${node.name}': ${why}.`);
}

export interface ConvertContextOptions {
  nchw: boolean;
}

export class ConvertContext {
  readonly b: GraphBuilder;
  readonly options: ConvertContextOptions;
  readonly notes: string[] = [];
  readonly #values = new Map<string, Value>();
  /** Names kept free for the graph's outputs (nothing inside may take them). */
  readonly reserved = new Set<string>();
  #prefix = '';

  constructor(b: GraphBuilder, options: ConvertContextOptions) {
    this.b = b;
    this.options = options;
  }

  /** ONNX node names made for the TF node being converted start with this. */
  setPrefix(prefix: string): void {
    this.#prefix = this.#free(prefix);
  }

  #free(base: string): string {
    return this.reserved.has(base) ? `${base}_value` : base;
  }

  // ---- values ----

  has(ref: TensorRef): boolean {
    return this.#values.has(tensorKey(ref));
  }

  get(ref: TensorRef): Value {
    const v = this.#values.get(tensorKey(ref));
    if (!v) throw new OmnihubError('unsupported', `TensorFlow tensor '${tensorKey(ref)}' is needed but was not converted (an output this converter does not produce).`);
    return v;
  }

  set(node: NodeDef, port: number, value: Value): void {
    this.#values.set(`${node.name}:${port}`, value);
  }

  setRef(ref: TensorRef, value: Value): void {
    this.#values.set(tensorKey(ref), value);
  }

  /** The values of a node's data inputs, in order. */
  inputs(node: NodeDef): Value[] {
    return (node.input ?? []).map(parseInput).filter((r) => !r.control).map((r) => this.get(r));
  }

  input(node: NodeDef, k: number): Value {
    const refs = (node.input ?? []).map(parseInput).filter((r) => !r.control);
    if (k >= refs.length) throw new OmnihubError('malformed', `TensorFlow ${node.op} '${node.name}' has ${refs.length} inputs; input ${k} is missing.`);
    return this.get(refs[k]);
  }

  /** A node's input k as a constant, or an 'unsupported' error saying what it needs. */
  constInput(node: NodeDef, k: number, what: string): ConstValue {
    const v = this.input(node, k);
    if (!v.const) throw unsupportedNode(node, `${what} (input ${k}) must be a constant known at conversion time`);
    return v.const;
  }

  /** Constant numbers of input k (an error when not constant). */
  constNumbers(node: NodeDef, k: number, what: string): number[] {
    const c = this.constInput(node, k, what);
    if (Array.isArray(c.data)) throw unsupportedNode(node, `${what} is a string tensor`);
    return Array.from(c.data);
  }

  // ---- making values ----

  fromConst(c: ConstValue, hint?: string): Value {
    return { dtype: c.dtype, shape: [...c.shape], const: c, primary: 'logical', hint };
  }

  fromOnnx(name: string, dtype: number, shape: number[] | undefined, layout: 'logical' | 'nchw' = 'logical'): Value {
    return layout === 'nchw' ? { dtype, shape, nchw: name, primary: 'nchw' } : { dtype, shape, logical: name, primary: 'logical' };
  }

  /** Adds a one-output node named after the TF node being converted. */
  op(type: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.b.op(type, inputs, attributes, this.#prefix || type.toLowerCase());
  }

  /** Adds a node with `count` outputs. */
  ops(type: string, inputs: string[], count: number, attributes: Record<string, AttributeValue> = {}): string[] {
    return this.b.node(type, inputs, attributes, { outputs: count, name: this.#prefix || type.toLowerCase() });
  }

  /** An int64 1-D initializer (ONNX shape/axes/pads inputs). */
  int64s(values: readonly number[], dims?: number[]): string {
    return this.b.ints(`${this.#prefix || 'const'}_i64`, [...values], dims);
  }

  /** A scalar (or shaped) initializer of a TF dtype. */
  scalar(dtype: number, value: number, dims: number[] = []): string {
    const data = new Float64Array(elementCount(dims)).fill(value);
    return this.constName({ dtype, shape: dims, data }, `${this.#prefix || 'const'}_c`);
  }

  /** A constant as an initializer of its own dtype. */
  constName(c: ConstValue, base: string): string {
    if (!c.raw && Array.isArray(c.data)) { // (a constant with file bytes is numeric; its data is decoded only on demand)
      throw new OmnihubError('unsupported', `The string constant '${base}' cannot become an ONNX initializer here (string ops are not supported).`);
    }
    const w = constToWeight(c, base);
    return this.b.weight(this.#free(base), w);
  }

  // ---- layouts ----

  rank(v: Value): number | undefined {
    return v.shape?.length;
  }

  isNchw(v: Value): boolean {
    return !v.const && v.primary === 'nchw';
  }

  /** The ONNX name of a value in TF's axis order (a constant becomes an initializer, an NCHW value is transposed once). */
  logical(v: Value): string {
    if (v.logical) return v.logical;
    if (v.const) {
      v.logical = this.constName(v.const, v.hint ?? (this.#prefix || 'const'));
      return v.logical;
    }
    if (!v.nchw) throw new OmnihubError('malformed', 'A converted TensorFlow value has no ONNX name.');
    v.logical = this.b.op('Transpose', [v.nchw], { perm: [...TO_NHWC] }, `${this.#prefix}_to_nhwc`);
    return v.logical;
  }

  /** The ONNX name of a rank-4 NHWC value held as NCHW (constants are transposed here; rank < 4 ones padded first). */
  nchw(v: Value): string {
    if (v.nchw) return v.nchw;
    if (v.const) {
      v.nchw = this.constName(constToNchw(v.const), `${v.hint ?? (this.#prefix || 'const')}_nchw`);
      return v.nchw;
    }
    if (v.shape && v.shape.length !== 4) throw new OmnihubError('malformed', `A rank-${v.shape.length} tensor was asked for in NCHW.`);
    v.nchw = this.b.op('Transpose', [v.logical!], { perm: [...TO_NCHW] }, `${this.#prefix}_to_nchw`);
    return v.nchw;
  }

  /** The shape of `v` as held in the layout asked for. */
  shapeIn(v: Value, layout: 'logical' | 'nchw'): number[] | undefined {
    return layout === 'nchw' && v.shape?.length === 4 ? permuteShape(v.shape, TO_NCHW) : v.shape;
  }

  /** Whether a constant is transposable to NCHW for broadcasting against a rank-4 tensor. */
  fitsNchw(v: Value): boolean {
    if (v.const) return v.const.shape.length <= 4;
    return v.shape?.length === 4;
  }

  /** Transposes a constant value's data (used by ops that reorder weights). */
  transposed(c: ConstValue, perm: readonly number[]): ConstValue {
    return transposeConst(c, perm);
  }

  /** ONNX dims for a graph input or output: known sizes, or a named dimension. */
  static dims(shape: readonly number[] | undefined, name: string): Dim[] | undefined {
    if (!shape) return undefined;
    return shape.map((d, i) => (d >= 0 ? d : i === 0 ? 'batch' : `${name}_d${i}`));
  }
}
