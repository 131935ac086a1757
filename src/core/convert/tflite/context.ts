/**
 * State of one TFLite → ONNX conversion: which ONNX value holds each TFLite tensor, in which layout, and the
 * constants, quantization parameters and layout transposes made so far (each made once, then reused).
 *
 * Layout: TFLite activations are NHWC. A rank-4 tensor may live in the ONNX graph as NCHW (`transpose(t, [0,3,1,2])`)
 * after a Conv or a pool; layout-agnostic ops (elementwise, activations, concat on a mapped axis, pad, mean …) keep
 * whatever layout they get, and a Transpose is added only where an op needs the other one, once per tensor.
 *
 * Quantization: with `qdq`, every quantized activation is the float output of its op followed by QuantizeLinear and
 * DequantizeLinear with the tensor's scale and zero point; a quantized constant is its integer initializer followed
 * by DequantizeLinear (per-channel along its quantized dimension, mapped through any layout change). Without `qdq`
 * (dequantize: true) constants are dequantized to float32 and activations are plain float.
 */
import { GraphBuilder, type Dim } from '../onnx-builder.js';
import { DataType } from '../../onnx/tensor.js';
import { makeTensor } from '../../rewrites/graph.js';
import { float16ToFloat32 } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { transposeBytes } from '../transpose.js';
import { ActivationFunctionType, tfliteBytesPerElement, type TfliteModel, type TfliteOperator, type TfliteSubgraph, type TfliteTensor } from '../../formats/tflite/read.js';

export type Layout = 'nhwc' | 'nchw';
/** NHWC → NCHW: nchw = transpose(nhwc, TO_NCHW). */
export const TO_NCHW = [0, 3, 1, 2];
/** NCHW → NHWC. */
export const TO_NHWC = [0, 2, 3, 1];

interface Entry {
  nhwc?: string;
  nchw?: string;
  /** The layout the producing op wrote. */
  primary: Layout;
  /** QDQ: the QuantizeLinear output (integer), for graph outputs. */
  quantized?: { name: string; layout: Layout };
}

const QUANTIZED_ACTIVATION_TYPES = new Set(['int8', 'uint8', 'int16']);

export function unsupported(op: TfliteOperator, why: string): OmnihubError {
  return new OmnihubError('unsupported', `TFLite ${op.opName} (operator ${op.index}): ${why}.`);
}

export function onnxElemType(t: TfliteTensor): number {
  switch (t.type) {
    case 'float32': case 'float16': case 'float64': case 'bfloat16': return DataType.FLOAT;
    case 'int32': return DataType.INT32;
    case 'int64': return DataType.INT64;
    case 'int8': return DataType.INT8;
    case 'uint8': return DataType.UINT8;
    case 'int16': return DataType.INT16;
    case 'uint16': return DataType.UINT16;
    case 'uint32': return DataType.UINT32;
    case 'uint64': return DataType.UINT64;
    case 'bool': return DataType.BOOL;
    default: throw new OmnihubError('unsupported', `TFLite tensor '${t.name}' has type ${t.type}, which has no ONNX counterpart here.`);
  }
}

/** The values of a constant tensor as plain numbers (integers and floats; quantized values are NOT dequantized). */
export function constNumbers(t: TfliteTensor): number[] {
  const data = t.data;
  if (!data) throw new OmnihubError('malformed', `TFLite tensor '${t.name}' should be a constant but has no data.`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = t.shape.reduce((a, d) => a * d, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (t.type) {
      case 'int32': out.push(view.getInt32(i * 4, true)); break;
      case 'int64': out.push(Number(view.getBigInt64(i * 8, true))); break;
      case 'int16': out.push(view.getInt16(i * 2, true)); break;
      case 'int8': out.push(view.getInt8(i)); break;
      case 'uint8': case 'bool': out.push(view.getUint8(i)); break;
      case 'uint16': out.push(view.getUint16(i * 2, true)); break;
      case 'uint32': out.push(view.getUint32(i * 4, true)); break;
      case 'float32': out.push(view.getFloat32(i * 4, true)); break;
      case 'float16': out.push(float16ToFloat32(view.getUint16(i * 2, true))); break;
      case 'float64': out.push(view.getFloat64(i * 8, true)); break;
      default: throw new OmnihubError('unsupported', `TFLite constant '${t.name}' has type ${t.type}.`);
    }
  }
  return out;
}

/** A constant's real values: floats as they are, quantized integers as scale · (q − zero point). */
export function realValues(t: TfliteTensor): Float32Array {
  const raw = constNumbers(t);
  const q = t.quantization;
  if (!q || t.type.startsWith('float')) return Float32Array.from(raw);
  const out = new Float32Array(raw.length);
  if (q.scales.length === 1) {
    for (let i = 0; i < raw.length; i++) out[i] = q.scales[0] * (raw[i] - q.zeroPoints[0]);
    return out;
  }
  const axis = q.quantizedDimension;
  const inner = t.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const dim = t.shape[axis];
  for (let i = 0; i < raw.length; i++) {
    const c = Math.floor(i / inner) % dim;
    out[i] = q.scales[c] * (raw[i] - q.zeroPoints[c]);
  }
  return out;
}

export interface ConvertContextOptions {
  qdq: boolean;
  nchw: boolean;
}

export class ConvertContext {
  readonly b: GraphBuilder;
  readonly model: TfliteModel;
  readonly sg: TfliteSubgraph;
  readonly options: ConvertContextOptions;
  readonly notes: string[] = [];
  readonly #values = new Map<number, Entry>();
  readonly #constants = new Map<string, string>();
  readonly #qparams = new Map<string, { scale: string; zeroPoint: string; axis?: number }>();
  #prefix = '';

  constructor(b: GraphBuilder, model: TfliteModel, sg: TfliteSubgraph, options: ConvertContextOptions) {
    this.b = b;
    this.model = model;
    this.sg = sg;
    this.options = options;
  }

  /** Node names of the operator being converted start with this ('conv_2d_3'). */
  setPrefix(prefix: string): void {
    this.#prefix = prefix;
  }

  get prefix(): string {
    return this.#prefix;
  }

  tensor(i: number): TfliteTensor {
    const t = this.sg.tensors[i];
    if (!t) throw new OmnihubError('malformed', `TFLite tensor ${i} does not exist.`);
    return t;
  }

  isConst(i: number): boolean {
    return this.tensor(i).data !== undefined;
  }

  /** Quantized integer activation/constant whose float meaning is scale · (q − zero point). */
  isQuantized(t: TfliteTensor): boolean {
    return !!t.quantization && !t.type.startsWith('float') && t.type !== 'bool';
  }

  rank(i: number): number {
    return this.tensor(i).shape.length;
  }

  /** Adds a one-output node named after the current operator. */
  op(type: string, inputs: string[], attributes: Parameters<GraphBuilder['op']>[2] = {}): string {
    return this.b.op(type, inputs, attributes, this.#prefix || type.toLowerCase());
  }

  /** The layout the tensor's producer wrote (NHWC for constants and inputs unless declared NCHW). */
  layoutOf(i: number): Layout {
    if (this.isConst(i)) return 'nhwc';
    return this.#entry(i).primary;
  }

  /** Whether the tensor is an activation that currently lives in NCHW. */
  isNchw(i: number): boolean {
    return !this.isConst(i) && this.#entry(i).primary === 'nchw';
  }

  #entry(i: number): Entry {
    const e = this.#values.get(i);
    if (!e) {
      const t = this.tensor(i);
      if (t.isVariable) {
        throw new OmnihubError('unsupported', `TFLite variable tensor '${t.name}' is read outside a recurrent operator (stateful models are not supported).`);
      }
      throw new OmnihubError('malformed', `TFLite tensor '${t.name}' is read before any operator writes it.`);
    }
    return e;
  }

  /**
   * The ONNX (float, for float and quantized tensors) value of a tensor in the given layout; a rank-4 tensor asked in
   * the other layout gets a Transpose (made once). Layout is ignored for tensors of other ranks.
   */
  value(i: number, layout: Layout = 'nhwc'): string {
    const t = this.tensor(i);
    if (t.shape.length !== 4) layout = 'nhwc';
    if (t.data) return this.constant(i, layout === 'nchw' ? TO_NCHW : undefined);
    const e = this.#entry(i);
    const have = e[layout];
    if (have) return have;
    const other = layout === 'nchw' ? e.nhwc! : e.nchw!;
    const made = this.b.op('Transpose', [other], { perm: layout === 'nchw' ? TO_NCHW : TO_NHWC }, `${layout === 'nchw' ? 'to_nchw' : 'to_nhwc'}`);
    e[layout] = made;
    return made;
  }

  /** The value in the layout its producer wrote, and that layout. */
  valueAsIs(i: number): { name: string; layout: Layout } {
    const layout = this.t4(i) ? this.layoutOf(i) : 'nhwc';
    return { name: this.value(i, layout), layout };
  }

  /** Whether the tensor has an ONNX value yet (a constant, a graph input, or an earlier op's output). */
  has(i: number): boolean {
    return this.isConst(i) || this.#values.has(i);
  }

  /** A float32 scalar initializer (shared between uses). */
  scalar(v: number): string {
    const key = `scalar:${v}`;
    let name = this.#constants.get(key);
    if (!name) {
      name = this.b.floats(`const_${String(v).replace(/[^0-9a-z]/gi, '_')}`, [], [v]);
      this.#constants.set(key, name);
    }
    return name;
  }

  /** An int64 1-D initializer (shared between uses). */
  int64s(values: number[]): string {
    const key = `ints:${values.join(',')}`;
    let name = this.#constants.get(key);
    if (!name) {
      name = this.b.ints(`const_${this.#prefix || 'ints'}`, values);
      this.#constants.set(key, name);
    }
    return name;
  }

  t4(i: number): boolean {
    return this.rank(i) === 4;
  }

  /** Declares an already made ONNX value as the tensor's (graph inputs). */
  define(i: number, name: string, layout: Layout): void {
    this.#values.set(i, { [layout]: name, primary: layout });
  }

  /**
   * Records `value` (float, in `layout`) as the op's output tensor `i`. For a quantized tensor in QDQ mode a
   * QuantizeLinear → DequantizeLinear pair with the tensor's parameters follows; `exact` skips it when the op cannot
   * leave the input's quantization grid (reshape, transpose, max pool with equal parameters).
   */
  emit(i: number, value: string, layout: Layout, exact = false): void {
    const t = this.tensor(i);
    if (t.shape.length !== 4) layout = 'nhwc';
    if (this.options.qdq && this.isQuantized(t)) {
      if (!QUANTIZED_ACTIVATION_TYPES.has(t.type)) throw new OmnihubError('unsupported', `TFLite activation '${t.name}' is quantized as ${t.type}.`);
      if (t.type === 'int16') {
        throw new OmnihubError('unsupported', `TFLite tensor '${t.name}' is quantized as int16 (16x8 quantization): QDQ needs opset 21; convert with dequantize: true.`);
      }
      if (exact) {
        this.#values.set(i, { [layout]: value, primary: layout });
        return;
      }
      const qp = this.qparams(t, layout);
      const attrs: Record<string, number> = qp.axis !== undefined ? { axis: qp.axis } : {};
      const q = this.b.op('QuantizeLinear', [value, qp.scale, qp.zeroPoint], attrs, `${this.#prefix}_quantize`);
      const dq = this.b.op('DequantizeLinear', [q, qp.scale, qp.zeroPoint], attrs, `${this.#prefix}_dequantize`);
      this.#values.set(i, { [layout]: dq, primary: layout, quantized: { name: q, layout } });
      return;
    }
    this.#values.set(i, { [layout]: value, primary: layout });
  }

  /** QDQ: the integer (QuantizeLinear) value of a quantized tensor, in the given layout (for graph outputs). */
  quantizedValue(i: number, layout: Layout): string {
    const t = this.tensor(i);
    if (t.shape.length !== 4) layout = 'nhwc';
    const e = this.#values.get(i);
    if (e?.quantized && (e.quantized.layout === layout)) return e.quantized.name;
    if (e?.quantized) return this.b.op('Transpose', [e.quantized.name], { perm: layout === 'nchw' ? TO_NCHW : TO_NHWC }, 'output_transpose');
    // Inputs, exact ops and constants: quantize the float value (on the grid already, so this is exact).
    const qp = this.qparams(t, layout);
    return this.b.op('QuantizeLinear', [this.value(i, layout), qp.scale, qp.zeroPoint], qp.axis !== undefined ? { axis: qp.axis } : {}, 'output_quantize');
  }

  /** Scale and zero-point initializers of a quantized tensor (per-axis: axis mapped to the ONNX layout). */
  qparams(t: TfliteTensor, layout: Layout, perm?: number[]): { scale: string; zeroPoint: string; axis?: number } {
    const q = t.quantization!;
    const mapping = perm ?? (layout === 'nchw' && t.shape.length === 4 ? TO_NCHW : undefined);
    const perAxis = q.scales.length > 1;
    const axis = perAxis ? (mapping ? mapping.indexOf(q.quantizedDimension) : q.quantizedDimension) : undefined;
    const key = `${t.index}:${axis ?? ''}`;
    const cached = this.#qparams.get(key);
    if (cached) return cached;
    const dims = perAxis ? [q.scales.length] : [];
    const base = `${sanitize(t.name) || `t${t.index}`}`;
    const scale = this.b.floats(`${base}_scale`, dims, q.scales);
    const zpType = t.type === 'uint8' ? DataType.UINT8 : t.type === 'int32' ? DataType.INT32 : DataType.INT8;
    const zpArray = t.type === 'uint8' ? Uint8Array.from(q.zeroPoints) : t.type === 'int32' ? Int32Array.from(q.zeroPoints) : Int8Array.from(q.zeroPoints);
    const zeroPoint = this.b.fresh(`${base}_zero_point`);
    this.b.initializers.push(makeTensor(zeroPoint, zpType, dims, zpArray));
    const made = axis !== undefined ? { scale, zeroPoint, axis } : { scale, zeroPoint };
    this.#qparams.set(key, made);
    return made;
  }

  /**
   * A constant tensor as a float value (integer for unquantized integer tensors), its data permuted by `perm`:
   * float32 as an initializer (zero-copy when not permuted), float16 as a float16 initializer + Cast, quantized
   * int8/uint8/int32 as the integer initializer + DequantizeLinear (QDQ) or dequantized float32 (dequantize mode).
   */
  constant(i: number, perm?: number[], padRank?: number): string {
    const stored = this.tensor(i);
    // `padRank`: read the data with leading 1s up to that rank first (NumPy broadcasting), e.g. [C] as [1, 1, 1, C].
    const lead = padRank && padRank > stored.shape.length ? padRank - stored.shape.length : 0;
    const t = lead ? { ...stored, shape: [...new Array<number>(lead).fill(1), ...stored.shape], quantization: shiftedQuantization(stored, lead) } : stored;
    const identity = !perm || perm.every((p, k) => p === k);
    const key = `${i}:${lead}:${identity ? '' : perm!.join(',')}`;
    const cached = this.#constants.get(key);
    if (cached) return cached;
    const data = t.data!;
    const shape = identity ? t.shape : perm!.map((p) => t.shape[p]);
    const size = tfliteBytesPerElement(t.type);
    if (size === undefined) throw new OmnihubError('unsupported', `TFLite constant '${t.name}' has type ${t.type}.`);
    const bytes = identity ? data : transposeBytes(data, t.shape, size, perm!);
    const base = sanitize(t.name) || `t${i}`;
    let name: string;
    if (this.isQuantized(t) && !(this.options.qdq && ['int8', 'uint8', 'int32'].includes(t.type))) {
      // Dequantize mode, or integer types QDQ at opset 13 cannot take (int16, int64): float32 values.
      const values = realValues({ ...t, data: bytes, shape, quantization: permutedQuantization(t, perm) });
      name = this.b.floats(base, shape, values);
    } else if (this.isQuantized(t)) {
      const init = this.b.weight(base, { name: base, dtype: t.type as 'int8' | 'uint8' | 'int32', shape, bytes });
      const qp = this.qparams(t, 'nhwc', identity ? undefined : perm);
      name = this.b.op('DequantizeLinear', [init, qp.scale, qp.zeroPoint], qp.axis !== undefined ? { axis: qp.axis } : {}, `${base}_dequantize`);
    } else if (t.type === 'float16') {
      const init = this.b.weight(base, { name: base, dtype: 'float16', shape, bytes });
      name = this.b.op('Cast', [init], { to: DataType.FLOAT }, `${base}_to_float`);
    } else if (t.type === 'float32') {
      name = this.b.weight(base, { name: base, dtype: 'float32', shape, bytes });
    } else if (t.type === 'float64' || t.type === 'bfloat16') {
      name = this.b.weight(base, { name: base, dtype: t.type, shape, bytes }, { asFloat32: true });
    } else {
      const dtype = t.type as 'int32' | 'int64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'uint32' | 'uint64' | 'bool';
      name = this.b.weight(base, { name: base, dtype, shape, bytes });
    }
    this.#constants.set(key, name);
    return name;
  }

  /** An operand permuted by `perm`: constants get permuted data, activations a Transpose. */
  permuted(i: number, perm: number[]): string {
    if (this.isConst(i)) return this.constant(i, perm);
    return this.op('Transpose', [this.value(i, 'nhwc')], { perm });
  }

  /** ONNX dims of a tensor for a graph input/output: -1 in the shape signature becomes a named dimension. */
  dims(i: number, layout: Layout, baseName: string): Dim[] {
    const t = this.tensor(i);
    const sig = t.shapeSignature && t.shapeSignature.length === t.shape.length ? t.shapeSignature : t.shape;
    const dims: Dim[] = sig.map((d, k) => (d >= 0 ? d : k === 0 ? 'batch' : `${baseName}_dim${k}`));
    return layout === 'nchw' && dims.length === 4 ? TO_NCHW.map((p) => dims[p]) : dims;
  }

  /** A target shape for Reshape: the static shape, with -1 for the batch where the signature says it is dynamic. */
  reshapeTarget(i: number, shape: number[]): number[] {
    const t = this.tensor(i);
    const out = [...shape];
    if (t.shapeSignature && t.shapeSignature[0] === -1 && out.length > 0 && !out.includes(-1)) out[0] = -1;
    return out;
  }
}

function shiftedQuantization(t: TfliteTensor, lead: number) {
  const q = t.quantization;
  return q && q.scales.length > 1 ? { ...q, quantizedDimension: q.quantizedDimension + lead } : q;
}

function permutedQuantization(t: TfliteTensor, perm: number[] | undefined) {
  const q = t.quantization;
  if (!q || !perm || q.scales.length <= 1) return q;
  return { ...q, quantizedDimension: perm.indexOf(q.quantizedDimension) };
}

/** Tensor names as ONNX value names: TFLite's fused names ("a;b;c") shortened to their first part. */
export function sanitize(name: string): string {
  const first = name.split(';')[0];
  return first.length > 80 ? first.slice(0, 80) : first;
}

/** The tensor index of input k, or undefined when it is omitted (-1) or absent. */
export function input(op: TfliteOperator, k: number): number | undefined {
  const i = op.inputs[k];
  return i === undefined || i < 0 ? undefined : i;
}

/** The fused activation of an op (RELU, RELU6 …) applied to a float value. */
export function activate(ctx: ConvertContext, value: string, act: number, op: TfliteOperator): string {
  switch (act) {
    case ActivationFunctionType.NONE: return value;
    case ActivationFunctionType.RELU: return ctx.op('Relu', [value]);
    case ActivationFunctionType.RELU_N1_TO_1: return ctx.op('Clip', [value, ctx.scalar(-1), ctx.scalar(1)]);
    case ActivationFunctionType.RELU6: return ctx.op('Clip', [value, ctx.scalar(0), ctx.scalar(6)]);
    case ActivationFunctionType.TANH: return ctx.op('Tanh', [value]);
    default: throw unsupported(op, `fused activation ${ActivationFunctionType[act] ?? act}`);
  }
}

