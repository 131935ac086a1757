// Every element type of the schema survives encode/decode and reads back as the right numbers.
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, onnx } from '../../src/core/onnx/codec.js';
import {
  DATA_TYPES, DataType, bfloat16ToFloat32, float16ToFloat32, float4e2m1ToFloat32, float8e4m3fnToFloat32,
  float8e4m3fnuzToFloat32, float8e5m2ToFloat32, float8e5m2fnuzToFloat32, float8e8m0ToFloat32, tensorToFloat32, tensorValues,
} from '../../src/core/onnx/tensor.js';
import { firstDifference } from '../support/model-equal.js';

describe('narrow float formats', () => {
  it('float16', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x8000].map(float16ToFloat32))
      .toEqual([1, -2, 65504, 2 ** -24, Infinity, -Infinity, -0]);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
  });
  it('bfloat16', () => {
    expect([0x3f80, 0xc040, 0x7f80, 0x0000].map(bfloat16ToFloat32)).toEqual([1, -3, Infinity, 0]);
  });
  // Values from ONNX docs/Float8.md: E4M3FN max 448 and no infinity; FNUZ formats use 0x80 as NaN.
  it('float8e4m3fn / e4m3fnuz', () => {
    expect([0x38, 0x7e, 0xfe, 0x01, 0x08].map(float8e4m3fnToFloat32)).toEqual([1, 448, -448, 2 ** -9, 2 ** -6]);
    expect(float8e4m3fnToFloat32(0x7f)).toBeNaN();
    expect(float8e4m3fnToFloat32(0x78)).toBe(256); // exponent all ones is still a number in FN formats
    expect([0x40, 0x7f, 0x01].map(float8e4m3fnuzToFloat32)).toEqual([1, 240, 2 ** -10]);
    expect(float8e4m3fnuzToFloat32(0x80)).toBeNaN();
  });
  it('float8e5m2 / e5m2fnuz', () => {
    expect([0x3c, 0x7b, 0x7c, 0xfc, 0x01].map(float8e5m2ToFloat32)).toEqual([1, 57344, Infinity, -Infinity, 2 ** -16]);
    expect(float8e5m2ToFloat32(0x7e)).toBeNaN();
    expect([0x40, 0x7f, 0x01].map(float8e5m2fnuzToFloat32)).toEqual([1, 57344, 2 ** -17]);
    expect(float8e5m2fnuzToFloat32(0x80)).toBeNaN();
  });
  it('float4e2m1 and float8e8m0', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 0xf].map(float4e2m1ToFloat32)).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 6, -6]);
    expect([127, 0, 254].map(float8e8m0ToFloat32)).toEqual([1, 2 ** -127, 2 ** 127]);
    expect(float8e8m0ToFloat32(255)).toBeNaN();
  });
});

/** One initializer of every data type, stored raw and in the typed field, with known values. */
function everyTypeModel(): onnx.ModelProto {
  const T = onnx.TensorProto;
  const raw = (name: string, type: number, dims: number[], bytes: number[]) => new T({ name, data_type: type, dims, raw_data: Uint8Array.from(bytes) });
  const initializer = [
    raw('f32', DataType.FLOAT, [2], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]),
    new T({ name: 'f32_field', data_type: DataType.FLOAT, dims: [2], float_data: [1.5, -0.25] }),
    new T({ name: 'f64_field', data_type: DataType.DOUBLE, dims: [1], double_data: [1e300] }),
    new T({ name: 'i64_field', data_type: DataType.INT64, dims: [2], int64_data: [-5, 9007199254740993n.toString() as never] }),
    new T({ name: 'u64_field', data_type: DataType.UINT64, dims: [1], uint64_data: [42] }),
    new T({ name: 'i8_field', data_type: DataType.INT8, dims: [2], int32_data: [-128, 127] }),
    new T({ name: 'bool_field', data_type: DataType.BOOL, dims: [2], int32_data: [1, 0] }),
    new T({ name: 'f16_field', data_type: DataType.FLOAT16, dims: [1], int32_data: [0x3c00] }),
    raw('f16', DataType.FLOAT16, [2], [0x00, 0x3c, 0x00, 0xc0]),
    raw('bf16', DataType.BFLOAT16, [1], [0x80, 0x3f]),
    raw('e4m3fn', DataType.FLOAT8E4M3FN, [2], [0x38, 0x7e]),
    raw('e4m3fnuz', DataType.FLOAT8E4M3FNUZ, [1], [0x40]),
    raw('e5m2', DataType.FLOAT8E5M2, [1], [0x3c]),
    raw('e5m2fnuz', DataType.FLOAT8E5M2FNUZ, [1], [0x40]),
    raw('e8m0', DataType.FLOAT8E8M0, [1], [128]),
    raw('i4', DataType.INT4, [3], [0x8f, 0x07]),
    new T({ name: 'u4_field', data_type: DataType.UINT4, dims: [3], int32_data: [0x21, 0x0f] }),
    raw('f4', DataType.FLOAT4E2M1, [2], [0xf7]),
    raw('i2', DataType.INT2, [4], [0b11_10_01_00]),
    raw('u2', DataType.UINT2, [4], [0b11_10_01_00]),
    raw('c64', DataType.COMPLEX64, [1], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]),
    raw('c128', DataType.COMPLEX128, [1], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40]),
    raw('u16', DataType.UINT16, [1], [0xff, 0xff]),
    raw('i16', DataType.INT16, [1], [0xff, 0xff]),
    raw('i32', DataType.INT32, [1], [0xfe, 0xff, 0xff, 0xff]),
    raw('u32', DataType.UINT32, [1], [0xff, 0xff, 0xff, 0xff]),
    raw('u8', DataType.UINT8, [1], [200]),
    new T({ name: 'str', data_type: DataType.STRING, dims: [2], string_data: [new TextEncoder().encode('héllo'), new Uint8Array(0)] }),
  ];
  return new onnx.ModelProto({ ir_version: 11, opset_import: [{ domain: '', version: 23 }], graph: { name: 'g', initializer } });
}

describe('every element type', () => {
  const model = everyTypeModel();
  const decoded = decodeModel(encodeModel(model));
  const byName = new Map(decoded.graph!.initializer!.map((t) => [t.name, t]));
  const floats = (name: string) => Array.from(tensorToFloat32(byName.get(name)!));

  it('the test covers every data type of the schema', () => {
    const covered = new Set(decoded.graph!.initializer!.map((t) => t.data_type ?? 0));
    expect([...covered].sort((a, b) => a - b)).toEqual(Object.keys(DATA_TYPES).map(Number).sort((a, b) => a - b));
  });

  it('round-trips field by field and byte for byte', () => {
    expect(firstDifference(decoded, decodeModel(encodeModel(decoded)))).toBeNull();
    expect(Buffer.from(encodeModel(decoded)).equals(Buffer.from(encodeModel(model)))).toBe(true);
  });

  it('reads back the stored values', () => {
    expect(floats('f32')).toEqual([1, -2]);
    expect(floats('f32_field')).toEqual([1.5, -0.25]);
    expect(floats('f64_field')).toEqual([Infinity]); // 1e300 as float32
    expect(Array.from(tensorValues(byName.get('f64_field')!) as Float64Array)).toEqual([1e300]);
    expect(Array.from(tensorValues(byName.get('i64_field')!) as BigInt64Array)).toEqual([-5n, 9007199254740993n]);
    expect(Array.from(tensorValues(byName.get('u64_field')!) as BigUint64Array)).toEqual([42n]);
    expect(floats('i8_field')).toEqual([-128, 127]);
    expect(floats('bool_field')).toEqual([1, 0]);
    expect(floats('f16_field')).toEqual([1]);
    expect(floats('f16')).toEqual([1, -2]);
    expect(floats('bf16')).toEqual([1]);
    expect(floats('e4m3fn')).toEqual([1, 448]);
    expect(floats('e4m3fnuz')).toEqual([1]);
    expect(floats('e5m2')).toEqual([1]);
    expect(floats('e5m2fnuz')).toEqual([1]);
    expect(floats('e8m0')).toEqual([2]);
    expect(floats('i4')).toEqual([-1, -8, 7]); // first element in the low nibble
    expect(floats('u4_field')).toEqual([1, 2, 15]);
    expect(floats('f4')).toEqual([6, -6]);
    expect(floats('i2')).toEqual([0, 1, -2, -1]);
    expect(floats('u2')).toEqual([0, 1, 2, 3]);
    expect(floats('c64')).toEqual([1, 2]);
    expect(floats('c128')).toEqual([1, 2]);
    expect(floats('u16')).toEqual([65535]);
    expect(floats('i16')).toEqual([-1]);
    expect(floats('i32')).toEqual([-2]);
    expect(floats('u32')).toEqual([Math.fround(4294967295)]);
    expect(Array.from(tensorValues(byName.get('u32')!) as Uint32Array)).toEqual([4294967295]);
    expect(floats('u8')).toEqual([200]);
    expect(tensorValues(byName.get('str')!)).toEqual(['héllo', '']);
    expect(() => tensorToFloat32(byName.get('str')!)).toThrow(/strings/);
  });

  it('raw data at an odd offset is copied once, aligned', () => {
    const t = byName.get('f32')!;
    const values = tensorValues(t) as Float32Array;
    expect(values.byteOffset % 4).toBe(0);
    expect(Array.from(values)).toEqual([1, -2]);
  });

  it('a field written with its default value keeps its presence', () => {
    const node = new onnx.NodeProto({ op_type: 'Softmax', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] });
    const m = new onnx.ModelProto({ ir_version: 8, graph: { node: [node] } });
    const bytes = encodeModel(m);
    const back = decodeModel(bytes).graph!.node![0].attribute![0];
    expect(Object.prototype.hasOwnProperty.call(back, 'i')).toBe(true);
    expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('fields unknown to this schema are carried through verbatim, at any depth', () => {
    // A graph with an unknown field 77 (string 'x'), inside a model with an unknown field 99 (varint 7).
    const graph = Uint8Array.from([...onnx.GraphProto.encode({ name: 'g' }).finish(), 0xea, 0x04, 0x01, 0x78]);
    const bytes = Uint8Array.from([0x08, 0x08, 0x3a, graph.length, ...graph, 0x98, 0x06, 0x07]);
    const model = decodeModel(bytes);
    expect(model.graph!.name).toBe('g');
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
  });
});
