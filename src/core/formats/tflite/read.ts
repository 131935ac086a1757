/**
 * Reads a TensorFlow Lite flatbuffer (schema version 3, file identifier "TFL3") into a plain description: subgraphs,
 * tensors (constant data as zero-copy views on the file's bytes), operators with their options as plain objects,
 * signature defs and metadata. The accessors are flatc's, generated from TensorFlow's schema.fbs
 * (`npm run gen:tflite`).
 *
 * FlatBuffers accessors trust their input: an offset past the end reads `undefined` as 0 and carries on. Every read
 * here goes through a ByteBuffer that checks its range, and every tensor's data, index and size is checked, so a
 * truncated or damaged file fails with 'truncated' or 'malformed' instead of giving a model made of zeros.
 */
import * as flatbuffers from 'flatbuffers';
import { OmnihubError } from '../../errors.js';
import {
  BuiltinOperator,
  BuiltinOptions,
  BuiltinOptions2,
  Model,
  TensorType,
  unionToBuiltinOptions,
  unionToBuiltinOptions2,
  type Buffer as FbBuffer,
  type Operator as FbOperator,
  type Tensor as FbTensor,
} from './generated/tflite_schema_generated.js';

export { ActivationFunctionType, BuiltinOperator, Padding, TensorType } from './generated/tflite_schema_generated.js';

/** A TFLite element type, as the schema names it, lower-cased ('float32', 'int8', 'float8_e4m3fn' …). */
export type TfliteDtype = Lowercase<keyof typeof TensorType>;

export interface TfliteQuantization {
  /** One scale per quantized slice (one for per-tensor quantization). */
  scales: number[];
  zeroPoints: number[];
  /** The axis the scales run along when there are several. */
  quantizedDimension: number;
  /** Float range the converter recorded (informative; not used to dequantize). */
  min?: number[];
  max?: number[];
}

export interface TfliteTensor {
  index: number;
  name: string;
  type: TfliteDtype;
  /** Static shape; -1 never appears here (see shapeSignature). */
  shape: number[];
  /** Shape with -1 for dynamic dimensions, when the converter wrote one. */
  shapeSignature?: number[];
  /** Constant data: a view on the file's bytes (little-endian, C order), or undefined for activations and states. */
  data?: Uint8Array;
  /** Index into the model's buffers (0 = no data). */
  buffer: number;
  quantization?: TfliteQuantization;
  isVariable: boolean;
  /** The tensor is stored sparse (not densified by this reader). */
  sparse: boolean;
}

export interface TfliteOperator {
  index: number;
  /** Builtin operator code: max(deprecated_builtin_code, builtin_code), as TFLite's GetBuiltinCode. */
  builtinCode: number;
  /** The BuiltinOperator name ('CONV_2D'), or 'CUSTOM'. */
  opName: string;
  customCode?: string;
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  intermediates: number[];
  /** The options table's type name ('Conv2DOptions'), or '' when the operator has none. */
  optionsType: string;
  /**
   * The options table as a plain object, fields in the schema's snake_case (`stride_w`, `fused_activation_function`).
   * Enum fields hold the schema's numbers (ActivationFunctionType, Padding … are exported here); defaults are filled
   * in as the schema states them.
   */
  options: Record<string, unknown>;
  customOptions?: Uint8Array;
}

export interface TfliteSubgraph {
  name: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteSignatureDef {
  key: string;
  subgraphIndex: number;
  inputs: { name: string; tensor: number }[];
  outputs: { name: string; tensor: number }[];
}

export interface TfliteModel {
  /** Schema version (3). */
  version: number;
  description: string;
  /** From the 'min_runtime_version' metadata ('1.14.0'), when the converter wrote it. */
  minRuntimeVersion?: string;
  subgraphs: TfliteSubgraph[];
  signatureDefs: TfliteSignatureDef[];
  metadata: { name: string; data: Uint8Array }[];
}

const IDENTIFIER = 'TFL3';

/** True when the bytes carry the TFLite file identifier at bytes 4..7. */
export function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33;
}

/** A ByteBuffer whose every read is range-checked (the generated accessors read through these few methods). */
class CheckedByteBuffer extends flatbuffers.ByteBuffer {
  readonly #size: number;

  constructor(bytes: Uint8Array) {
    super(bytes);
    this.#size = bytes.length;
  }

  check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || offset < 0) {
      throw new OmnihubError('malformed', `TFLite file: an offset points before the start of the file (${offset}).`);
    }
    if (offset + length > this.#size) {
      throw new OmnihubError('truncated', `TFLite file: data at byte ${offset} runs past the end of the file (${this.#size} bytes); the file is truncated or damaged.`);
    }
  }

  override readUint8(offset: number): number {
    this.check(offset, 1);
    return super.readUint8(offset);
  }

  override readUint16(offset: number): number {
    this.check(offset, 2);
    return super.readUint16(offset);
  }

  override readInt32(offset: number): number {
    this.check(offset, 4);
    return super.readInt32(offset);
  }

  override __string(offset: number, encoding?: flatbuffers.Encoding): string | Uint8Array {
    const start = offset + this.readInt32(offset);
    const length = this.readInt32(start);
    this.check(start + 4, Math.max(0, length));
    if (length < 0) throw new OmnihubError('malformed', `TFLite file: a string at byte ${start} has a negative length.`);
    return super.__string(offset, encoding);
  }
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function plainNumber(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v;
}

/**
 * A generated table object as a plain object, by reflection over its accessors: `x()` scalars, `x(i)` + `xLength()`
 * vectors, `x()` strings and sub-tables (recursively, a few levels deep).
 */
function plainTable(table: object | null, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!table || depth > 4) return out;
  const proto = Object.getPrototypeOf(table) as Record<string, unknown>;
  const names = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor' && !n.startsWith('__') && typeof proto[n] === 'function');
  const has = new Set(names);
  const call = (n: string, ...args: unknown[]) => (proto[n] as (...a: unknown[]) => unknown).apply(table, args);
  for (const n of names) {
    if ((n.endsWith('Length') || n.endsWith('Array') || n.endsWith('Type')) && has.has(n.replace(/(Length|Array|Type)$/, ''))) continue;
    if (has.has(`${n}Length`)) {
      const count = call(`${n}Length`) as number;
      const items: unknown[] = [];
      for (let i = 0; i < count; i++) {
        const v = call(n, i);
        items.push(v !== null && typeof v === 'object' ? plainTable(v, depth + 1) : plainNumber(v));
      }
      out[snake(n)] = items;
    } else if ((proto[n] as () => unknown).length === 0) {
      out[snake(n)] = plainNumber(call(n));
    } else {
      const v = call(n);
      if (v === null || v === undefined) continue;
      out[snake(n)] = typeof v === 'object' ? plainTable(v, depth + 1) : v;
    }
  }
  return out;
}

const DTYPE_BYTES: Partial<Record<TfliteDtype, number>> = {
  float32: 4, float16: 2, int32: 4, uint8: 1, int64: 8, bool: 1, int16: 2, complex64: 8, int8: 1, float64: 8,
  complex128: 16, uint64: 8, uint32: 4, uint16: 2, bfloat16: 2, float8_e4m3fn: 1, float8_e5m2: 1,
};

/** Bytes per element of a dtype, or undefined for strings, resources and sub-byte types. */
export function tfliteBytesPerElement(dtype: TfliteDtype): number | undefined {
  return DTYPE_BYTES[dtype];
}

function dtypeName(type: number): TfliteDtype {
  const name = TensorType[type];
  if (name === undefined) throw new OmnihubError('unsupported', `TFLite file: unknown tensor type ${type}.`);
  return name.toLowerCase() as TfliteDtype;
}

function ints(length: number, at: (i: number) => number | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(at(i) ?? 0);
  return out;
}

function bufferData(bb: CheckedByteBuffer, bytes: Uint8Array, buffer: FbBuffer, index: number): Uint8Array | undefined {
  const length = buffer.dataLength();
  if (length > 0) {
    // Where the data vector starts, checked against the file before any view is made (the generated dataArray()
    // would make one over the whole ArrayBuffer, which may extend past `bytes`, or throw a RangeError).
    const start = bb.__vector(buffer.bb_pos + bb.__offset(buffer.bb_pos, 4));
    bb.check(start, length);
    return bytes.subarray(start, start + length);
  }
  // Files over 2 GB keep buffers after the flatbuffer: offset (> 1) and size from the start of the file.
  const offset = buffer.offset();
  const size = buffer.size();
  if (offset > 1n) {
    if (offset + size > BigInt(bytes.length)) {
      throw new OmnihubError('truncated', `TFLite file: buffer ${index} (${size} bytes at ${offset}) runs past the end of the file (${bytes.length} bytes).`);
    }
    return bytes.subarray(Number(offset), Number(offset + size));
  }
  return undefined;
}

function readTensor(t: FbTensor, index: number, buffers: (Uint8Array | undefined)[]): TfliteTensor {
  const name = t.name() ?? '';
  const type = dtypeName(t.type());
  const shape = ints(t.shapeLength(), (i) => t.shape(i));
  if (!shape.every((d) => d >= 0)) throw new OmnihubError('malformed', `TFLite tensor '${name}' has a negative dimension in [${shape.join(', ')}].`);
  const signatureLength = t.shapeSignatureLength();
  const shapeSignature = signatureLength ? ints(signatureLength, (i) => t.shapeSignature(i)) : undefined;
  const buffer = t.buffer();
  if (buffer >= buffers.length) throw new OmnihubError('malformed', `TFLite tensor '${name}' points to buffer ${buffer}, but the model has ${buffers.length}.`);
  if (t.externalBuffer() !== 0) throw new OmnihubError('unsupported', `TFLite tensor '${name}' keeps its data in an external file, which is not supported.`);
  const data = buffers[buffer];
  const sparse = t.sparsity() !== null;
  const q = t.quantization();
  let quantization: TfliteQuantization | undefined;
  if (q && q.scaleLength() > 0) {
    const scales = ints(q.scaleLength(), (i) => q.scale(i));
    const zeroPoints = ints(q.zeroPointLength(), (i) => Number(q.zeroPoint(i) ?? 0n));
    let quantizedDimension = q.quantizedDimension();
    // TOCO wrote per-channel biases ([C]) with the weights' quantized_dimension (3); TFLite reads them along axis 0.
    if (scales.length > 1 && shape.length === 1 && quantizedDimension >= 1 && shape[0] === scales.length) quantizedDimension = 0;
    if (zeroPoints.length !== 0 && zeroPoints.length !== scales.length) {
      throw new OmnihubError('malformed', `TFLite tensor '${name}' has ${scales.length} scales but ${zeroPoints.length} zero points.`);
    }
    if (scales.length > 1 && !(quantizedDimension >= 0 && quantizedDimension < shape.length && shape[quantizedDimension] === scales.length)) {
      throw new OmnihubError('malformed', `TFLite tensor '${name}' [${shape.join(', ')}] has ${scales.length} scales along dimension ${quantizedDimension}.`);
    }
    quantization = { scales, zeroPoints: zeroPoints.length ? zeroPoints : scales.map(() => 0), quantizedDimension };
    if (q.minLength()) quantization.min = ints(q.minLength(), (i) => q.min(i));
    if (q.maxLength()) quantization.max = ints(q.maxLength(), (i) => q.max(i));
  }
  if (data && !sparse) {
    const size = DTYPE_BYTES[type];
    if (size !== undefined) {
      const expected = shape.reduce((n, d) => n * d, 1) * size;
      if (data.byteLength !== expected) {
        throw new OmnihubError('malformed', `TFLite tensor '${name}' (${type} [${shape.join(', ')}]) needs ${expected} bytes but its buffer has ${data.byteLength}.`);
      }
    }
  }
  const tensor: TfliteTensor = { index, name, type, shape, buffer, isVariable: t.isVariable(), sparse };
  if (shapeSignature) tensor.shapeSignature = shapeSignature;
  if (data) tensor.data = data;
  if (quantization) tensor.quantization = quantization;
  return tensor;
}

function readOperator(op: FbOperator, index: number, codes: { builtinCode: number; customCode?: string; version: number }[], tensorCount: number, where: string): TfliteOperator {
  const opcodeIndex = op.opcodeIndex();
  const code = codes[opcodeIndex];
  if (!code) throw new OmnihubError('malformed', `TFLite ${where} operator ${index} uses opcode ${opcodeIndex}, but the model has ${codes.length}.`);
  const check = (list: number[], what: string, optional: boolean) => {
    for (const t of list) {
      if (!(Number.isInteger(t) && t < tensorCount && (t >= 0 || (optional && t === -1)))) {
        throw new OmnihubError('malformed', `TFLite ${where} operator ${index} has ${what} tensor ${t}, but the subgraph has ${tensorCount}.`);
      }
    }
    return list;
  };
  const inputs = check(ints(op.inputsLength(), (i) => op.inputs(i)), 'input', true);
  const outputs = check(ints(op.outputsLength(), (i) => op.outputs(i)), 'output', true);
  const intermediates = check(ints(op.intermediatesLength(), (i) => op.intermediates(i)), 'intermediate', true);
  let optionsType = '';
  let options: Record<string, unknown> = {};
  const type1 = op.builtinOptionsType();
  const type2 = op.builtinOptions2Type();
  if (type1 !== BuiltinOptions.NONE) {
    optionsType = BuiltinOptions[type1] ?? `BuiltinOptions#${type1}`;
    options = plainTable(unionToBuiltinOptions(type1, (o) => op.builtinOptions(o)));
  } else if (type2 !== BuiltinOptions2.NONE) {
    optionsType = BuiltinOptions2[type2] ?? `BuiltinOptions2#${type2}`;
    options = plainTable(unionToBuiltinOptions2(type2, (o) => op.builtinOptions2(o)));
  }
  const opName = BuiltinOperator[code.builtinCode] ?? `BUILTIN_${code.builtinCode}`;
  const result: TfliteOperator = { index, builtinCode: code.builtinCode, opName, version: code.version, inputs, outputs, intermediates, optionsType, options };
  if (code.customCode !== undefined) result.customCode = code.customCode;
  const customLength = op.customOptionsLength();
  if (customLength) result.customOptions = Uint8Array.from(ints(customLength, (i) => op.customOptions(i)));
  return result;
}

/** Parses a .tflite file. Throws OmnihubError: 'empty-file', 'wrong-format', 'truncated', 'malformed', 'unsupported'. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length === 0) throw new OmnihubError('empty-file', 'The TFLite file is empty.');
  if (!isTflite(bytes)) {
    throw new OmnihubError('wrong-format', 'Not a TensorFlow Lite file: the flatbuffer identifier "TFL3" is missing at bytes 4..7.');
  }
  const bb = new CheckedByteBuffer(bytes);
  if (!bb.__has_identifier(IDENTIFIER)) throw new OmnihubError('wrong-format', 'Not a TensorFlow Lite file.');
  const model = Model.getRootAsModel(bb);
  const version = model.version();
  if (version > 3) throw new OmnihubError('unsupported', `TFLite schema version ${version} is newer than this reader (3).`);

  const codes: { builtinCode: number; customCode?: string; version: number }[] = [];
  for (let i = 0; i < model.operatorCodesLength(); i++) {
    const c = model.operatorCodes(i)!;
    // Codes past 127 live in builtin_code; older files only have deprecated_builtin_code (TFLite's GetBuiltinCode).
    const builtinCode = Math.max(c.deprecatedBuiltinCode(), c.builtinCode());
    const customCode = c.customCode();
    codes.push(customCode !== null ? { builtinCode, customCode, version: c.version() } : { builtinCode, version: c.version() });
  }

  const buffers: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < model.buffersLength(); i++) buffers.push(bufferData(bb, bytes, model.buffers(i)!, i));

  const subgraphs: TfliteSubgraph[] = [];
  for (let s = 0; s < model.subgraphsLength(); s++) {
    const sg = model.subgraphs(s)!;
    const where = `subgraph ${s}`;
    const tensors: TfliteTensor[] = [];
    for (let t = 0; t < sg.tensorsLength(); t++) tensors.push(readTensor(sg.tensors(t)!, t, buffers));
    const io = (list: number[], what: string) => {
      for (const t of list) if (!(t >= 0 && t < tensors.length)) throw new OmnihubError('malformed', `TFLite ${where} ${what} tensor ${t} does not exist (${tensors.length} tensors).`);
      return list;
    };
    const operators: TfliteOperator[] = [];
    for (let o = 0; o < sg.operatorsLength(); o++) operators.push(readOperator(sg.operators(o)!, o, codes, tensors.length, where));
    subgraphs.push({
      name: sg.name() ?? '',
      tensors,
      inputs: io(ints(sg.inputsLength(), (i) => sg.inputs(i)), 'input'),
      outputs: io(ints(sg.outputsLength(), (i) => sg.outputs(i)), 'output'),
      operators,
    });
  }

  const signatureDefs: TfliteSignatureDef[] = [];
  for (let i = 0; i < model.signatureDefsLength(); i++) {
    const sig = model.signatureDefs(i)!;
    const maps = (n: number, at: (j: number) => { name(): string | null; tensorIndex(): number } | null) =>
      Array.from({ length: n }, (_, j) => { const m = at(j)!; return { name: m.name() ?? '', tensor: m.tensorIndex() }; });
    signatureDefs.push({
      key: sig.signatureKey() ?? '',
      subgraphIndex: sig.subgraphIndex(),
      inputs: maps(sig.inputsLength(), (j) => sig.inputs(j)),
      outputs: maps(sig.outputsLength(), (j) => sig.outputs(j)),
    });
  }

  const metadata: { name: string; data: Uint8Array }[] = [];
  let minRuntimeVersion: string | undefined;
  for (let i = 0; i < model.metadataLength(); i++) {
    const m = model.metadata(i)!;
    const name = m.name() ?? '';
    const index = m.buffer();
    if (index >= buffers.length) throw new OmnihubError('malformed', `TFLite metadata '${name}' points to buffer ${index}, but the model has ${buffers.length}.`);
    const data = buffers[index] ?? new Uint8Array(0);
    metadata.push({ name, data });
    if (name === 'min_runtime_version') {
      const end = data.indexOf(0);
      minRuntimeVersion = new TextDecoder().decode(end >= 0 ? data.subarray(0, end) : data);
    }
  }

  const result: TfliteModel = { version, description: model.description() ?? '', subgraphs, signatureDefs, metadata };
  if (minRuntimeVersion !== undefined) result.minRuntimeVersion = minRuntimeVersion;
  return result;
}
