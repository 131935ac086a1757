/**
 * The TensorFlow protobuf messages the converter reads and writes: the structural interfaces protobufjs generates
 * from TensorFlow's .proto files (src/core/formats/tensorflow/generated), field names as in the .proto files, every
 * field optional, int64 as number or Long, bytes as Uint8Array, maps as objects. Decoded messages and plain objects
 * built here both fit, and `tensorflow.GraphDef.encode` writes either.
 */
import type { tensorflow } from '../../formats/tensorflow/codec.js';

export type Int64 = number | { toNumber(): number };
export type TensorShapeProto = tensorflow.ITensorShapeProto;
export type TensorProto = tensorflow.ITensorProto;
export type NameAttrList = tensorflow.INameAttrList;
export type AttrListValue = tensorflow.AttrValue.IListValue;
export type AttrValue = tensorflow.IAttrValue;
export type NodeDef = tensorflow.INodeDef;
export type ArgDef = tensorflow.OpDef.IArgDef;
export type OpDef = tensorflow.IOpDef;
export type FunctionDef = tensorflow.IFunctionDef;
export type FunctionDefLibrary = tensorflow.IFunctionDefLibrary;
export type GraphDef = tensorflow.IGraphDef;

/** TensorFlow's DataType enum (types.proto); a `_REF` type is the base type + 100. */
export const TfType = {
  INVALID: 0, FLOAT: 1, DOUBLE: 2, INT32: 3, UINT8: 4, INT16: 5, INT8: 6, STRING: 7, COMPLEX64: 8, INT64: 9, BOOL: 10,
  QINT8: 11, QUINT8: 12, QINT32: 13, BFLOAT16: 14, QINT16: 15, QUINT16: 16, UINT16: 17, COMPLEX128: 18, HALF: 19,
  RESOURCE: 20, VARIANT: 21, UINT32: 22, UINT64: 23,
} as const;

const TYPE_NAMES: Record<number, string> = {
  0: 'invalid', 1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 7: 'string', 8: 'complex64',
  9: 'int64', 10: 'bool', 11: 'qint8', 12: 'quint8', 13: 'qint32', 14: 'bfloat16', 15: 'qint16', 16: 'quint16',
  17: 'uint16', 18: 'complex128', 19: 'float16', 20: 'resource', 21: 'variant', 22: 'uint32', 23: 'uint64',
};

/** The base type of a possibly `_REF` type. */
export const baseType = (t: number): number => (t > 100 ? t - 100 : t);

export function tfTypeName(t: number | null | undefined): string {
  const v = t ?? 0;
  return v > 100 ? `${TYPE_NAMES[v - 100] ?? `type${v - 100}`}_ref` : TYPE_NAMES[v] ?? `type${v}`;
}

export function int64(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

const has = (o: object | null | undefined, k: string): boolean => !!o && Object.prototype.hasOwnProperty.call(o, k);

const utf8 = new TextDecoder();
export const decodeUtf8 = (b: Uint8Array | null | undefined): string => (b ? utf8.decode(b) : '');

// ---- attributes ----

export function attrOf(node: NodeDef, name: string): AttrValue | undefined {
  const a = node.attr?.[name];
  return a ?? undefined;
}

export function hasAttr(node: NodeDef, name: string): boolean {
  return !!node.attr && has(node.attr, name);
}

export function attrInt(node: NodeDef, name: string, fallback: number): number {
  const a = attrOf(node, name);
  return a && has(a, 'i') ? int64(a.i) : fallback;
}

export function attrFloat(node: NodeDef, name: string, fallback: number): number {
  const a = attrOf(node, name);
  return a && has(a, 'f') ? (a.f ?? fallback) : fallback;
}

export function attrBool(node: NodeDef, name: string, fallback: boolean): boolean {
  const a = attrOf(node, name);
  return a && has(a, 'b') ? !!a.b : fallback;
}

export function attrString(node: NodeDef, name: string, fallback = ''): string {
  const a = attrOf(node, name);
  return a && has(a, 's') ? decodeUtf8(a.s) : fallback;
}

export function attrType(node: NodeDef, name: string): number | undefined {
  const a = attrOf(node, name);
  return a && has(a, 'type') ? (a.type ?? undefined) : undefined;
}

export function attrInts(node: NodeDef, name: string): number[] | undefined {
  const a = attrOf(node, name);
  if (!a || !has(a, 'list')) return undefined;
  return (a.list?.i ?? []).map(int64);
}

export function attrTypes(node: NodeDef, name: string): number[] | undefined {
  const a = attrOf(node, name);
  if (!a || !has(a, 'list')) return undefined;
  return [...(a.list?.type ?? [])];
}

export function attrStrings(node: NodeDef, name: string): string[] | undefined {
  const a = attrOf(node, name);
  if (!a || !has(a, 'list')) return undefined;
  return (a.list?.s ?? []).map(decodeUtf8);
}

export function attrShape(node: NodeDef, name: string): number[] | undefined {
  const a = attrOf(node, name);
  return a && has(a, 'shape') ? shapeDims(a.shape) : undefined;
}

export function attrTensor(node: NodeDef, name: string): TensorProto | undefined {
  const a = attrOf(node, name);
  return a && has(a, 'tensor') ? (a.tensor ?? undefined) : undefined;
}

export function attrFunc(node: NodeDef, name: string): string | undefined {
  const a = attrOf(node, name);
  return a && has(a, 'func') ? (a.func?.name ?? undefined) : undefined;
}

/** `_output_shapes` (written by many exporters): one shape per output, undefined where the rank is unknown. */
export function outputShapesAttr(node: NodeDef): (number[] | undefined)[] | undefined {
  const a = attrOf(node, '_output_shapes');
  if (!a || !has(a, 'list')) return undefined;
  return (a.list?.shape ?? []).map((s) => shapeDims(s));
}

/** A shape's dims (−1 for unknown ones), or undefined when even the rank is unknown. */
export function shapeDims(shape: TensorShapeProto | null | undefined): number[] | undefined {
  if (!shape || shape.unknown_rank) return undefined;
  return (shape.dim ?? []).map((d) => int64(d.size));
}

export function makeShape(dims: readonly number[] | undefined): TensorShapeProto {
  if (!dims) return { unknown_rank: true };
  return { dim: dims.map((size) => ({ size })) };
}

export const typeAttr = (type: number): AttrValue => ({ type });
export const shapeAttr = (dims: readonly number[] | undefined): AttrValue => ({ shape: makeShape(dims) });
export const intAttr = (i: number): AttrValue => ({ i });
export const tensorAttr = (tensor: TensorProto): AttrValue => ({ tensor });
