/**
 * What every Keras layer converter shares: the graph builder, Keras tensors (shape, layout, mask), weights by layer,
 * constants made once per layer (a shared layer's weights are written once), and small config readers.
 */
import { GraphBuilder } from '../onnx-builder.js';
import { DataType } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { onnx } from '../../onnx/generated/onnx.js';
import { toFloat32, type WeightTensor } from '../../weights/types.js';
import type { AttributeValue } from '../../rewrites/graph.js';
import { identityPerm, isIdentity, permKey, transposeBetween, transposeData, type Perm } from './layout.js';

/** A Keras dimension: a size, or null where Keras does not know it (the batch, a variable sequence length). */
export type KDim = number | null;

/** One Keras tensor: its Keras (logical) shape and where its ONNX values are, in each layout made so far. */
export interface KTensor {
  shape: KDim[];
  /** ONNX element type (DataType.FLOAT for all but integer model inputs and masks). */
  elem: number;
  /** The layout of the value layers should prefer (the one it was made in). */
  perm: number[];
  /** Value name by layout key (permKey). */
  forms: Map<string, string>;
  /** Keras's mask (Masking, Embedding(mask_zero)): a float32 value [batch, time], 1 where the step counts. */
  mask?: string;
}

/** A layer as the graph walk hands it to its converter. */
export interface LayerInfo {
  name: string;
  cls: string;
  config: Record<string, unknown>;
  /** The model it belongs to (for messages), and the enclosing nested models, outermost first. */
  model: string;
  scope: string[];
}

/** A weight as float32 values with its Keras shape. */
export interface FloatWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Extra call arguments: Keras 3 kwargs, and tensors passed by keyword (initial_state, mask). */
export interface CallExtra {
  kwargs: Record<string, unknown>;
  kwTensors: Record<string, KTensor[]>;
}

export type LayerConverter = (cx: Ctx, L: LayerInfo, inputs: KTensor[], extra: CallExtra) => KTensor[];

/** Finds a layer's weights in the file (by name or positionally, see weights.ts). */
export type WeightLookup = (L: LayerInfo) => WeightTensor[] | undefined;

export const where = (L: LayerInfo): string => `layer '${L.name}' (${L.cls}) in model '${L.model}'`;

export const shapeText = (s: readonly (number | null)[]): string => `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`;

export class Ctx {
  readonly b: GraphBuilder;
  /** Keras [major, minor] (semantics that changed between versions: hard_sigmoid, bilinear resizing). */
  readonly version: [number, number];
  readonly keras3: boolean;
  readonly notes: string[] = [];
  readonly converted: Record<string, number> = {};
  layers = 0;
  parameters = 0;
  transposes = 0;
  readonly #lookup: WeightLookup;
  readonly #counted = new Set<string>();
  readonly #once = new Map<string, unknown>();

  constructor(b: GraphBuilder, version: [number, number], lookup: WeightLookup) {
    this.b = b;
    this.version = version;
    this.keras3 = version[0] >= 3;
    this.#lookup = lookup;
  }

  // ---- tensors ----

  tensor(name: string, shape: KDim[], perm: Perm = identityPerm(shape.length), elem: number = DataType.FLOAT): KTensor {
    return { shape: [...shape], elem, perm: [...perm], forms: new Map([[permKey(perm), name]]) };
  }

  /** A new tensor held in the same layout as `like` (element-wise results). */
  derive(like: KTensor, name: string, shape: KDim[] = like.shape, elem: number = like.elem): KTensor {
    return this.tensor(name, shape, like.perm, elem);
  }

  /** The value of `t` in its preferred layout. */
  main(t: KTensor): string {
    return t.forms.get(permKey(t.perm))!;
  }

  /** The value of `t` in layout `perm` (a Transpose, made once per tensor and layout). */
  value(t: KTensor, perm: Perm): string {
    const key = permKey(perm);
    const have = t.forms.get(key);
    if (have) return have;
    // Transpose from the preferred form (any held form would do; the preferred one is the one a producer made).
    const from = t.perm;
    const out = this.b.op('Transpose', [this.main(t)], { perm: transposeBetween(from, perm) }, 'transpose');
    this.transposes++;
    t.forms.set(key, out);
    return out;
  }

  /** The value of `t` in Keras's own axis order. */
  keras(t: KTensor): string {
    return this.value(t, identityPerm(t.shape.length));
  }

  /** Whether `t` is already held in layout `perm`. */
  has(t: KTensor, perm: Perm): boolean {
    return t.forms.has(permKey(perm));
  }

  // ---- nodes and constants ----

  op(type: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, name?: string): string {
    return this.b.op(type, inputs, attrs, name);
  }

  /** Adds FLOATS attributes to the node just added (AttributeValue has no float-list form). */
  floatsAttr(name: string, values: number[]): void {
    const node = this.b.nodes[this.b.nodes.length - 1];
    node.attribute.push(new onnx.AttributeProto({ name, type: onnx.AttributeProto.AttributeType.FLOATS, floats: values }));
  }

  floats(name: string, dims: number[], values: Float32Array | number[]): string {
    return this.b.floats(name, dims, values);
  }

  scalar(value: number, name = 'const'): string {
    return this.once(`scalar:${Object.is(value, -0) ? '-0' : value}`, () => this.b.floats(name, [], [value]));
  }

  ints(values: number[], name = 'shape'): string {
    return this.once(`ints:${values.join(',')}`, () => this.b.ints(name, values));
  }

  /** A constant belonging to a layer, written once however often the layer is called. */
  layerConst(L: LayerInfo, purpose: string, dims: number[], values: Float32Array | number[]): string {
    return this.once(`w:${[...L.scope, L.name].join('/')}:${purpose}`, () => this.b.floats(`${L.name}_${purpose}`, dims, values));
  }

  /** Adds STRINGS attributes to the node just added. */
  stringsAttr(name: string, values: string[]): void {
    const node = this.b.nodes[this.b.nodes.length - 1];
    node.attribute.push(new onnx.AttributeProto({ name, type: onnx.AttributeProto.AttributeType.STRINGS, strings: values.map((v) => new TextEncoder().encode(v)) }));
  }

  /** A value made once per key (a shared layer's constants, repeated shape constants). */
  once<T>(key: string, make: () => T): T {
    if (this.#once.has(key)) return this.#once.get(key) as T;
    const v = make();
    this.#once.set(key, v);
    return v;
  }

  // ---- weights ----

  /** How many weights the file has for the layer. */
  weightCount(L: LayerInfo): number {
    return (this.#lookup(L) ?? []).length;
  }

  /**
   * The layer's weights as float32, checked against the shapes the layer's config implies (null = any size), in
   * Keras's order. Parameters are counted once per layer (a shared layer is called several times).
   */
  weights(L: LayerInfo, expected: (readonly KDim[] | null)[], options: { optional?: boolean } = {}): FloatWeight[] {
    const found = this.#lookup(L) ?? [];
    if (found.length === 0 && expected.length > 0 && !options.optional) {
      throw new OmnihubError('mismatch', `${where(L)} needs ${expected.length} weight(s) (${expected.map((e) => (e ? shapeText(e) : 'any')).join(', ')}) but the file has none for it.`);
    }
    if (found.length === 0) return [];
    if (found.length !== expected.length) {
      throw new OmnihubError('mismatch', `${where(L)} needs ${expected.length} weight(s) (${expected.map((e) => (e ? shapeText(e) : 'any')).join(', ')}) but the file has ${found.length} (${found.map((w) => shapeText(w.shape)).join(', ')}).`);
    }
    const out = found.map((w, i) => {
      const want = expected[i];
      const ok = want === null || w.shape.length === want.length && want.every((d, k) => d === null || d === w.shape[k]);
      if (!ok) {
        throw new OmnihubError('mismatch', `${where(L)}: weight ${i} ('${w.name}') has shape ${shapeText(w.shape)} but the layer needs ${shapeText(want ?? [])}.`);
      }
      return { name: w.name, shape: [...w.shape], data: toFloat32(w) };
    });
    const key = [...L.scope, L.name].join('/');
    if (!this.#counted.has(key)) {
      this.#counted.add(key);
      for (const w of out) this.parameters += w.data.length;
    }
    return out;
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }
}

// ---- config readers ----

export function cfgNum(cfg: Record<string, unknown>, key: string, dflt: number): number {
  const v = cfg[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v && 'value' in (v as object)) return Number((v as { value: unknown }).value);
  return Number(v);
}

export function cfgBool(cfg: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = cfg[key];
  return v === undefined || v === null ? dflt : Boolean(v);
}

export function cfgStr(cfg: Record<string, unknown>, key: string, dflt: string): string {
  const v = cfg[key];
  return typeof v === 'string' ? v : dflt;
}

/** An int or a list of ints as `n` ints (Keras's normalize_tuple). */
export function cfgTuple(cfg: Record<string, unknown>, key: string, n: number, dflt: number | number[]): number[] {
  const v = cfg[key] ?? dflt;
  if (typeof v === 'number') return new Array(n).fill(v);
  if (Array.isArray(v)) {
    const a = v.map(Number);
    if (a.length === 1 && n > 1) return new Array(n).fill(a[0]);
    return a;
  }
  return Array.isArray(dflt) ? dflt : new Array(n).fill(dflt);
}

/** Keras 3 tensors in configs (`{"class_name": "__tensor__", "config": {"value": …}}`) and plain numbers/lists. */
export function cfgValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && (v as { class_name?: unknown }).class_name === '__tensor__') {
    return ((v as { config?: { value?: unknown } }).config ?? {}).value;
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && (v as { class_name?: unknown }).class_name === '__numpy__') {
    return ((v as { config?: { value?: unknown } }).config ?? {}).value;
  }
  return v;
}

/** A nested list of numbers flattened. */
export function flatNumbers(v: unknown): number[] {
  const out: number[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && x !== undefined) out.push(Number(x));
  };
  walk(cfgValue(v));
  return out;
}

/** A logical axis (negative counts from the end) as 0 … rank−1. */
export function normAxis(axis: number, rank: number, L?: LayerInfo): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new OmnihubError('unsupported', `${L ? where(L) : 'a layer'}: axis ${axis} is out of range for a rank-${rank} input.`);
  return a;
}

export const prod = (dims: readonly KDim[]): KDim => dims.reduce<KDim>((p, d) => (p === null || d === null ? null : p * d), 1);

export { isIdentity };

/**
 * Values laid out over some of a tensor's logical axes (C order over `axes` ascending; a BatchNorm's per-channel
 * scale, a Normalization mean) as a constant that broadcasts against `t` in its layout: full rank, size 1 elsewhere.
 */
export function broadcastConstant(t: KTensor, axes: number[], values: Float32Array): { dims: number[]; data: Float32Array } {
  const r = t.shape.length;
  const sorted = [...axes].sort((a, b) => a - b);
  const bs = new Array(r).fill(1);
  let n = 1;
  for (const a of sorted) {
    const d = t.shape[a];
    bs[a] = d ?? 1;
    n *= bs[a];
  }
  if (values.length === 1 && n !== 1) {
    return { dims: [], data: values };
  }
  if (values.length !== n) {
    throw new OmnihubError('mismatch', `${values.length} values do not fit the axes [${sorted.join(', ')}] of a tensor of shape ${shapeText(t.shape)}.`);
  }
  return { dims: t.perm.map((a) => bs[a]), data: transposeData(values, bs, t.perm) };
}
