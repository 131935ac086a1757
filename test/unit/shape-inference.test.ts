/**
 * Static shape inference (src/core/rewrites/simplify/shape-inference.ts): exact results on small hand-built graphs
 * for the opset-dependent cases, then cross-checks on real models: every fixture against Python onnx's own
 * inference, and the ONNX backend test models against the shapes of their expected outputs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, decodeTensorProto, onnx, type ModelProto } from '../../src/core/onnx/codec.js';
import { DataType } from '../../src/core/onnx/tensor.js';
import {
  floatTensor, makeNode, makeTensor, opsetVersion,
  type AttributeValue, type Graph, type Node, type Tensor,
} from '../../src/core/rewrites/graph.js';
import {
  inferShapes, inferShapesAndValues, knownElementCount, type Dim, type ValueType,
} from '../../src/core/rewrites/simplify/shape-inference.js';
import { FIXTURES, ONNX_TESTDATA, REPO, findFiles, fixture } from '../support/paths.js';

const { FLOAT, INT64, BOOL, INT32, UINT8 } = DataType;

// ---- building small graphs ----

function valueInfo(name: string, elemType: number, dims: Dim[] | null): onnx.ValueInfoProto {
  const shape = dims === null ? undefined : new onnx.TensorShapeProto({
    dim: dims.map((d) => new onnx.TensorShapeProto.Dimension(typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})),
  });
  return new onnx.ValueInfoProto({ name, type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: elemType, shape }) }) });
}

interface Spec {
  inputs?: Record<string, [number, Dim[] | null]>;
  inits?: Tensor[];
  nodes: Node[];
  outputs?: string[];
  valueInfo?: Record<string, [number, Dim[] | null]>;
}

function graph(spec: Spec): Graph {
  return new onnx.GraphProto({
    name: 'g',
    input: Object.entries(spec.inputs ?? {}).map(([n, [t, d]]) => valueInfo(n, t, d)),
    initializer: spec.inits ?? [],
    node: spec.nodes,
    output: (spec.outputs ?? []).map((name) => new onnx.ValueInfoProto({ name })),
    value_info: Object.entries(spec.valueInfo ?? {}).map(([n, [t, d]]) => valueInfo(n, t, d)),
  });
}

let counter = 0;
const node = (op: string, inputs: string[], outputs: string[], attrs: Record<string, AttributeValue> = {}) => makeNode(op, inputs, outputs, `n${counter++}`, attrs);
const graphAttr = (name: string, g: Graph) => new onnx.AttributeProto({ name, type: onnx.AttributeProto.AttributeType.GRAPH, g });
const ints = (name: string, values: (number | bigint)[]) => makeTensor(name, INT64, [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
const scalar64 = (name: string, v: number) => makeTensor(name, INT64, [], BigInt64Array.of(BigInt(v)));

/** Infers a one-node graph and returns the type of `out`. */
function infer1(spec: Spec, opset: number, out = 'y'): ValueType | undefined {
  return inferShapes(graph(spec), opset).get(out);
}

const x = (dims: Dim[] | null, elem = FLOAT): Spec['inputs'] => ({ x: [elem, dims] });
const f32 = (dims: Dim[] | null): ValueType => ({ elemType: FLOAT, dims });

describe('shape inference: elementwise and broadcasting', () => {
  it('keeps symbols through unary ops and broadcasting', () => {
    expect(infer1({ inputs: x(['batch', 3]), nodes: [node('Relu', ['x'], ['y'])] }, 17)).toEqual(f32(['batch', 3]));
    const add = (a: Dim[], b: Dim[]) => infer1({ inputs: { a: [FLOAT, a], b: [FLOAT, b] }, nodes: [node('Add', ['a', 'b'], ['y'])] }, 17)?.dims;
    expect(add(['batch', 1, 4], [1, 'seq', 4])).toEqual(['batch', 'seq', 4]);
    expect(add(['b'], [1])).toEqual(['b']);
    expect(add(['b'], ['c'])).toEqual([null]); // two different symbols: unknown
    expect(add([3], [null])).toEqual([3]); // the unknown dim must be 1 or 3
    expect(add([null], [1])).toEqual([null]);
    expect(add([2, 3], [3])).toEqual([2, 3]);
    expect(add([], [5])).toEqual([5]);
  });

  it('comparisons give bool, Where broadcasts three ways, Cast takes `to`', () => {
    const spec: Spec = {
      inputs: { a: [FLOAT, [2, 1]], b: [FLOAT, [3]], c: [BOOL, [4, 1, 1]] },
      nodes: [node('Less', ['a', 'b'], ['lt']), node('Where', ['c', 'a', 'b'], ['w']), node('Cast', ['a'], ['i'], { to: INT32 }), node('IsNaN', ['a'], ['nan'])],
    };
    const t = inferShapes(graph(spec), 13);
    expect(t.get('lt')).toEqual({ elemType: BOOL, dims: [2, 3] });
    expect(t.get('w')).toEqual({ elemType: FLOAT, dims: [4, 2, 3] });
    expect(t.get('i')).toEqual({ elemType: INT32, dims: [2, 1] });
    expect(t.get('nan')).toEqual({ elemType: BOOL, dims: [2, 1] });
  });

  it('Sum/Max/Mean broadcast all their inputs; opset 6 Add keeps the first shape', () => {
    const spec = (op: string): Spec => ({ inputs: { a: [FLOAT, [1, 3]], b: [FLOAT, [4, 1]], c: [FLOAT, [3]] }, nodes: [node(op, ['a', 'b', 'c'], ['y'])] });
    for (const op of ['Sum', 'Max', 'Min', 'Mean']) expect(infer1(spec(op), 13)?.dims, op).toEqual([4, 3]);
    expect(infer1({ inputs: { a: [FLOAT, [2, 3]], b: [FLOAT, [3]] }, nodes: [node('Add', ['a', 'b'], ['y'], { broadcast: 1 })] }, 6)?.dims).toEqual([2, 3]);
  });

  it('Dropout gives a bool mask from opset 10; BatchNormalization keeps its input', () => {
    const t = inferShapes(graph({ inputs: x([2, 3]), nodes: [node('Dropout', ['x'], ['y', 'mask'])] }), 13);
    expect(t.get('mask')).toEqual({ elemType: BOOL, dims: [2, 3] });
    const bn = graph({
      inputs: { x: [FLOAT, ['n', 8, 5, 5]] },
      inits: ['s', 'b', 'm', 'v'].map((n) => floatTensor(n, [8], new Float32Array(8))),
      nodes: [node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'])],
    });
    expect(inferShapes(bn, 15).get('y')).toEqual(f32(['n', 8, 5, 5]));
  });
});

describe('shape inference: convolution and pooling', () => {
  const convSpec = (attrs: Record<string, AttributeValue>, xDims: Dim[] = [1, 3, 224, 224], w: number[] = [16, 3, 3, 3], op = 'Conv'): Spec => ({
    inputs: x(xDims),
    inits: [floatTensor('w', w, new Float32Array(w.reduce((a, b) => a * b, 1)))],
    nodes: [node(op, ['x', 'w'], ['y'], attrs)],
  });

  it('Conv: explicit pads, SAME_UPPER, VALID, dilations, group, symbolic batch', () => {
    expect(infer1(convSpec({ pads: [1, 1, 1, 1], strides: [2, 2] }), 13)?.dims).toEqual([1, 16, 112, 112]);
    expect(infer1(convSpec({ auto_pad: 'SAME_UPPER', strides: [2, 2] }, [1, 3, 225, 225]), 13)?.dims).toEqual([1, 16, 113, 113]);
    expect(infer1(convSpec({ auto_pad: 'SAME_LOWER' }, ['n', 3, 'h', 'w']), 13)?.dims).toEqual(['n', 16, 'h', 'w']);
    expect(infer1(convSpec({ auto_pad: 'VALID', strides: [2, 2] }, [1, 3, 10, 9]), 13)?.dims).toEqual([1, 16, 4, 4]);
    expect(infer1(convSpec({ dilations: [2, 2] }, [1, 3, 10, 10]), 13)?.dims).toEqual([1, 16, 6, 6]);
    expect(infer1(convSpec({ group: 3, pads: [1, 1, 1, 1] }, ['n', 3, 8, 8], [3, 1, 3, 3]), 13)?.dims).toEqual(['n', 3, 8, 8]);
    // A strided window over a symbolic size is not computed.
    expect(infer1(convSpec({ strides: [2, 2] }, ['n', 3, 'h', 32]), 13)?.dims).toEqual(['n', 16, null, 15]);
    // 1-D conv with kernel_shape given as an attribute.
    expect(infer1(convSpec({ kernel_shape: [5] }, [2, 3, 20], [4, 3, 5]), 13)?.dims).toEqual([2, 4, 16]);
  });

  it('ConvTranspose: strides, pads, output_padding, output_shape, group', () => {
    const w = [8, 4, 4, 4];
    expect(infer1(convSpec({ strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 8, 16, 16], w, 'ConvTranspose'), 13)?.dims).toEqual([1, 4, 32, 32]);
    expect(infer1(convSpec({ strides: [2, 2], output_padding: [1, 1] }, [1, 8, 5, 5], [8, 2, 3, 3], 'ConvTranspose'), 13)?.dims).toEqual([1, 2, 12, 12]);
    expect(infer1(convSpec({ output_shape: [20, 21], strides: [2, 2] }, [1, 8, 10, 10], w, 'ConvTranspose'), 13)?.dims).toEqual([1, 4, 20, 21]);
    expect(infer1(convSpec({ group: 2 }, [1, 8, 5, 5], [8, 3, 3, 3], 'ConvTranspose'), 13)?.dims).toEqual([1, 6, 7, 7]);
  });

  it('pools: ceil_mode, auto_pad, MaxPool indices, global pools', () => {
    const pool = (op: string, attrs: Record<string, AttributeValue>, dims: Dim[] = [1, 3, 112, 112]) => inferShapes(graph({ inputs: x(dims), nodes: [node(op, ['x'], ['y', 'idx'], attrs)] }), 13);
    expect(pool('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }).get('y')?.dims).toEqual([1, 3, 56, 56]);
    expect(pool('MaxPool', { kernel_shape: [3, 3], strides: [2, 2] }).get('y')?.dims).toEqual([1, 3, 55, 55]);
    expect(pool('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }).get('idx')).toEqual({ elemType: INT64, dims: [1, 3, 56, 56] });
    expect(pool('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, [1, 3, 7, 7]).get('y')?.dims).toEqual([1, 3, 4, 4]);
    // ceil_mode drops a last window that would start in the padding (PyTorch/onnxruntime rule).
    expect(pool('MaxPool', { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 }, [1, 1, 4]).get('y')?.dims).toEqual([1, 1, 3]);
    expect(pool('GlobalAveragePool', {}, ['n', 32, 'h', 'w']).get('y')?.dims).toEqual(['n', 32, 1, 1]);
  });
});

describe('shape inference: matrix products', () => {
  const mm = (a: Dim[], b: Dim[]) => infer1({ inputs: { a: [FLOAT, a], b: [FLOAT, b] }, nodes: [node('MatMul', ['a', 'b'], ['y'])] }, 13)?.dims;
  it('MatMul follows numpy: 1-D operands, batch broadcasting', () => {
    expect(mm([3], [3, 4])).toEqual([4]);
    expect(mm([2, 5, 3], [3])).toEqual([2, 5]);
    expect(mm([3], [3])).toEqual([]);
    expect(mm([2, 1, 3, 4], [5, 4, 6])).toEqual([2, 5, 3, 6]);
    expect(mm(['b', 's', 64], [64, 128])).toEqual(['b', 's', 128]);
  });
  it('Gemm honours transA/transB; MatMulInteger gives int32', () => {
    const gemm = infer1({ inputs: { a: [FLOAT, [7, 'b']], b: [FLOAT, [10, 7]] }, nodes: [node('Gemm', ['a', 'b'], ['y'], { transA: 1, transB: 1 })] }, 13);
    expect(gemm).toEqual(f32(['b', 10]));
    const mi = infer1({ inputs: { a: [UINT8, [2, 3]], b: [UINT8, [3, 4]] }, nodes: [node('MatMulInteger', ['a', 'b'], ['y'])] }, 13);
    expect(mi).toEqual({ elemType: INT32, dims: [2, 4] });
  });
});

describe('shape inference: shape manipulation across opsets', () => {
  it('Squeeze/Unsqueeze: axes attribute before opset 13, input from 13', () => {
    expect(infer1({ inputs: x([1, 'n', 1, 4]), nodes: [node('Squeeze', ['x'], ['y'], { axes: [0, -2] })] }, 11)?.dims).toEqual(['n', 4]);
    expect(infer1({ inputs: x([1, 'n', 1, 4]), inits: [ints('a', [0, 2])], nodes: [node('Squeeze', ['x', 'a'], ['y'])] }, 13)?.dims).toEqual(['n', 4]);
    expect(infer1({ inputs: x([1, 3, 1]), nodes: [node('Squeeze', ['x'], ['y'])] }, 13)?.dims).toEqual([3]);
    expect(infer1({ inputs: x([1, 'n']), nodes: [node('Squeeze', ['x'], ['y'])] }, 13)?.dims).toBeNull(); // 'n' might be 1
    expect(infer1({ inputs: x(['n', 4]), nodes: [node('Unsqueeze', ['x'], ['y'], { axes: [0, -1] })] }, 11)?.dims).toEqual([1, 'n', 4, 1]);
    expect(infer1({ inputs: x(['n', 4]), inits: [ints('a', [1])], nodes: [node('Unsqueeze', ['x', 'a'], ['y'])] }, 13)?.dims).toEqual(['n', 1, 4]);
    // An attribute the opset no longer reads is ignored.
    expect(infer1({ inputs: x(['n', 4]), nodes: [node('Unsqueeze', ['x'], ['y'], { axes: [0] })] }, 13)?.dims ?? null).toBeNull();
  });

  it('Reshape: 0 copies, -1 divides symbols out, allowzero', () => {
    const reshape = (dims: Dim[], shape: number[], attrs: Record<string, AttributeValue> = {}, opset = 14) =>
      infer1({ inputs: x(dims), inits: [ints('s', shape)], nodes: [node('Reshape', ['x', 's'], ['y'], attrs)] }, opset)?.dims;
    expect(reshape(['batch', 3, 4], [0, -1])).toEqual(['batch', 12]);
    expect(reshape(['batch', 3, 4], [-1, 4])).toEqual([null, 4]);
    expect(reshape(['b', 's', 64], [0, 0, 8, -1])).toEqual(['b', 's', 8, 8]);
    expect(reshape(['b', 's', 64], [-1, 64])).toEqual([null, 64]);
    expect(reshape([2, 3, 4], [4, -1])).toEqual([4, 6]);
    expect(reshape([null, 3, 4], [0, -1])).toEqual([null, 12]); // the unknown dim cancels with its own copy
    expect(reshape([2, 0, 4], [0, 4], { allowzero: 1 })).toEqual([0, 4]);
    expect(reshape([3, 4], [-1, -1]) ?? null).toBeNull(); // malformed: unknown, no throw
    expect(reshape([3, 4], [-2, 6]) ?? null).toBeNull();
    // Opset 1-4: the shape is an attribute.
    expect(infer1({ inputs: x([2, 6]), nodes: [node('Reshape', ['x'], ['y'], { shape: [3, 4] })] }, 4)?.dims).toEqual([3, 4]);
  });

  it('Reshape gets its shape through Shape → Gather → Unsqueeze → Concat (value propagation)', () => {
    const spec: Spec = {
      inputs: x(['batch', 'seq', 64]),
      inits: [scalar64('i0', 0), scalar64('i1', 1), ints('tail', [8, 8]), ints('ax', [0])],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'i0'], ['d0'], { axis: 0 }),
        node('Gather', ['s', 'i1'], ['d1'], { axis: 0 }),
        node('Unsqueeze', ['d0', 'ax'], ['u0']),
        node('Unsqueeze', ['d1', 'ax'], ['u1']),
        node('Concat', ['u0', 'u1', 'tail'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['y']),
        node('Shape', ['y'], ['ys'], { start: 2 }),
      ],
    };
    const { types, values } = inferShapesAndValues(graph(spec), 15);
    expect(types.get('s')).toEqual({ elemType: INT64, dims: [3] });
    expect(types.get('shape')).toEqual({ elemType: INT64, dims: [4] });
    expect(types.get('y')).toEqual(f32(['batch', 'seq', 8, 8]));
    expect(values.get('ys')).toEqual([8n, 8n]);
    expect(values.has('shape')).toBe(false); // it holds symbols: not a constant
  });

  it('Flatten, Transpose, Concat, Split, Tile, Expand', () => {
    expect(infer1({ inputs: x(['b', 3, 4, 5]), nodes: [node('Flatten', ['x'], ['y'])] }, 13)?.dims).toEqual(['b', 60]);
    expect(infer1({ inputs: x(['b', 3, 4]), nodes: [node('Flatten', ['x'], ['y'], { axis: 0 })] }, 13)?.dims).toEqual([1, null]);
    expect(infer1({ inputs: x(['b', 3, 4]), nodes: [node('Flatten', ['x'], ['y'], { axis: -1 })] }, 13)?.dims).toEqual([null, 4]);
    expect(infer1({ inputs: x(null), nodes: [node('Flatten', ['x'], ['y'])] }, 13)?.dims).toEqual([null, null]);
    expect(infer1({ inputs: x([1, 2, 3]), nodes: [node('Transpose', ['x'], ['y'])] }, 13)?.dims).toEqual([3, 2, 1]);
    expect(infer1({ inputs: x(['b', 2, 3]), nodes: [node('Transpose', ['x'], ['y'], { perm: [0, 2, 1] })] }, 13)?.dims).toEqual(['b', 3, 2]);
    expect(infer1({ inputs: { a: [FLOAT, ['b', 2]], c: [FLOAT, [null, 3]] }, nodes: [node('Concat', ['a', 'c'], ['y'], { axis: -1 })] }, 13)?.dims).toEqual(['b', 5]);
    const split13 = inferShapes(graph({ inputs: x([2, 10]), inits: [ints('sp', [3, 7])], nodes: [node('Split', ['x', 'sp'], ['y0', 'y1'], { axis: 1 })] }), 13);
    expect([split13.get('y0')?.dims, split13.get('y1')?.dims]).toEqual([[2, 3], [2, 7]]);
    const split11 = inferShapes(graph({ inputs: x([2, 10]), nodes: [node('Split', ['x'], ['y0', 'y1'], { axis: 1, split: [4, 6] })] }), 11);
    expect([split11.get('y0')?.dims, split11.get('y1')?.dims]).toEqual([[2, 4], [2, 6]]);
    const split18 = inferShapes(graph({ inputs: x([10]), nodes: [node('Split', ['x'], ['a', 'b', 'c'], { num_outputs: 3 })] }), 18);
    expect(['a', 'b', 'c'].map((n) => split18.get(n)?.dims)).toEqual([[4], [4], [2]]);
    expect(infer1({ inputs: x(['b', 3]), inits: [ints('r', [1, 2])], nodes: [node('Tile', ['x', 'r'], ['y'])] }, 13)?.dims).toEqual(['b', 6]);
    expect(infer1({ inputs: x([3, 1]), inits: [ints('s', [2, 1, 4])], nodes: [node('Expand', ['x', 's'], ['y'])] }, 13)?.dims).toEqual([2, 3, 4]);
  });

  it('Slice: attributes before opset 10, inputs after; clamping and negative steps', () => {
    const slice10 = (dims: Dim[], starts: number[], ends: (number | bigint)[], axes?: number[], steps?: number[]) => infer1({
      inputs: x(dims),
      inits: [ints('st', starts), ints('en', ends), ...(axes ? [ints('ax', axes)] : []), ...(steps ? [ints('sp', steps)] : [])],
      nodes: [node('Slice', ['x', 'st', 'en', axes ? 'ax' : '', steps ? 'sp' : ''], ['y'])],
    }, 13)?.dims;
    expect(slice10([20, 10], [0, 2], [3, 100])).toEqual([3, 8]);
    expect(slice10([20, 10], [-1], [-1000], [0], [-1])).toEqual([20, 10]);
    expect(slice10([20, 10], [-2], [-9e18], [1], [-3])).toEqual([20, 3]);
    expect(slice10(['b', 10], [0, 1], [2n ** 63n - 1n, 5n])).toEqual(['b', 4]);
    expect(slice10(['b', 10], [1], [5])).toEqual([null, 10]);
    expect(infer1({ inputs: x([20, 10]), nodes: [node('Slice', ['x'], ['y'], { starts: [1], ends: [-1], axes: [1] })] }, 9)?.dims).toEqual([20, 8]);
  });

  it('Gather, GatherElements, GatherND, Shape (start/end), Size', () => {
    expect(infer1({ inputs: { x: [FLOAT, [5, 'n', 7]], i: [INT64, [2, 3]] }, nodes: [node('Gather', ['x', 'i'], ['y'], { axis: 1 })] }, 13)?.dims).toEqual([5, 2, 3, 7]);
    expect(infer1({ inputs: { x: [FLOAT, [5, 7]], i: [INT64, [2, 7]] }, nodes: [node('GatherElements', ['x', 'i'], ['y'])] }, 13)?.dims).toEqual([2, 7]);
    expect(infer1({ inputs: { x: [FLOAT, [2, 3, 4]], i: [INT64, [5, 2]] }, nodes: [node('GatherND', ['x', 'i'], ['y'])] }, 13)?.dims).toEqual([5, 4]);
    const t = inferShapesAndValues(graph({ inputs: x([2, 'n', 4]), nodes: [node('Shape', ['x'], ['s'], { start: -2 }), node('Size', ['x'], ['z'])] }), 15);
    expect(t.types.get('s')).toEqual({ elemType: INT64, dims: [2] });
    expect(t.types.get('z')).toEqual({ elemType: INT64, dims: [] });
    const static_ = inferShapesAndValues(graph({ inputs: x([2, 3, 4]), nodes: [node('Shape', ['x'], ['s']), node('Size', ['x'], ['z'])] }), 13);
    expect(static_.values.get('s')).toEqual([2n, 3n, 4n]);
    expect(static_.values.get('z')).toEqual([24n]);
  });

  it('Pad: pads attribute before opset 11, input after (axes from 18)', () => {
    expect(infer1({ inputs: x([1, 3, 'h', 4]), nodes: [node('Pad', ['x'], ['y'], { pads: [0, 0, 0, 1, 0, 0, 0, 1] })] }, 10)?.dims).toEqual([1, 3, 'h', 6]);
    expect(infer1({ inputs: x([1, 3, 4]), inits: [ints('p', [0, 1, 2, 0, 1, 2])], nodes: [node('Pad', ['x', 'p'], ['y'])] }, 13)?.dims).toEqual([1, 5, 8]);
    expect(infer1({ inputs: x([1, 3, 4]), inits: [ints('p', [2, 2]), ints('a', [-1])], nodes: [node('Pad', ['x', 'p', '', 'a'], ['y'])] }, 18)?.dims).toEqual([1, 3, 8]);
    expect(infer1({ inputs: { x: [FLOAT, [1, 3]], p: [INT64, [4]] }, nodes: [node('Pad', ['x', 'p'], ['y'])] }, 13)?.dims).toEqual([null, null]);
  });

  it('Resize and Upsample with constant scales or sizes', () => {
    const scales = floatTensor('sc', [4], Float32Array.of(1, 1, 2, 2));
    expect(infer1({ inputs: x(['n', 3, 5, 7]), inits: [scales], nodes: [node('Resize', ['x', '', 'sc'], ['y'])] }, 13)?.dims).toEqual(['n', 3, 10, 14]);
    expect(infer1({ inputs: x([1, 3, 5, 7]), inits: [ints('sz', [1, 3, 9, 9])], nodes: [node('Resize', ['x', '', '', 'sz'], ['y'])] }, 13)?.dims).toEqual([1, 3, 9, 9]);
    expect(infer1({ inputs: x([1, 3, 5, 7]), inits: [scales], nodes: [node('Resize', ['x', 'sc'], ['y'])] }, 10)?.dims).toEqual([1, 3, 10, 14]);
    expect(infer1({ inputs: x([1, 3, 5, 7]), inits: [scales], nodes: [node('Upsample', ['x', 'sc'], ['y'])] }, 9)?.dims).toEqual([1, 3, 10, 14]);
  });
});

describe('shape inference: reductions and friends', () => {
  it('ReduceMean: axes attribute before opset 18, input after; ReduceSum input from 13', () => {
    const r = (op: string, opset: number, attrs: Record<string, AttributeValue>, axes?: number[]) => infer1({
      inputs: x(['b', 3, 4]), inits: axes ? [ints('ax', axes)] : [], nodes: [node(op, axes ? ['x', 'ax'] : ['x'], ['y'], attrs)],
    }, opset)?.dims;
    expect(r('ReduceMean', 13, { axes: [-1] })).toEqual(['b', 3, 1]);
    expect(r('ReduceMean', 13, { axes: [1], keepdims: 0 })).toEqual(['b', 4]);
    expect(r('ReduceMean', 18, {}, [1])).toEqual(['b', 1, 4]);
    expect(r('ReduceSum', 13, { keepdims: 0 }, [0, 2])).toEqual([3]);
    expect(r('ReduceSum', 11, { axes: [0] })).toEqual([1, 3, 4]);
    expect(r('ReduceMax', 13, {})).toEqual([1, 1, 1]); // no axes: all of them
    expect(r('ReduceSum', 13, { noop_with_empty_axes: 1 })).toEqual(['b', 3, 4]);
  });

  it('ArgMax, TopK, Softmax, NonZero, OneHot, Range, ConstantOfShape, Constant', () => {
    expect(infer1({ inputs: x(['b', 5]), nodes: [node('ArgMax', ['x'], ['y'], { axis: 1, keepdims: 0 })] }, 13)).toEqual({ elemType: INT64, dims: ['b'] });
    const topk = inferShapes(graph({ inputs: x(['b', 50]), inits: [ints('k', [5])], nodes: [node('TopK', ['x', 'k'], ['v', 'i'])] }), 11);
    expect([topk.get('v'), topk.get('i')]).toEqual([f32(['b', 5]), { elemType: INT64, dims: ['b', 5] }]);
    expect(infer1({ inputs: x(['b', 5]), nodes: [node('Softmax', ['x'], ['y'])] }, 13)).toEqual(f32(['b', 5]));
    expect(infer1({ inputs: x([2, 3]), nodes: [node('NonZero', ['x'], ['y'])] }, 13)).toEqual({ elemType: INT64, dims: [2, null] });
    const oh = { i: [INT64, [4]] as [number, Dim[]] };
    expect(infer1({ inputs: oh, inits: [scalar64('d', 10), floatTensor('v', [2], Float32Array.of(0, 1))], nodes: [node('OneHot', ['i', 'd', 'v'], ['y'])] }, 11)).toEqual(f32([4, 10]));
    const r = inferShapesAndValues(graph({ inits: [scalar64('a', 2), scalar64('b', 11), scalar64('c', 3)], nodes: [node('Range', ['a', 'b', 'c'], ['y'])] }), 11);
    expect(r.types.get('y')).toEqual({ elemType: INT64, dims: [3] });
    expect(r.values.get('y')).toEqual([2n, 5n, 8n]);
    const cos = inferShapes(graph({ inits: [ints('s', [2, 3])], nodes: [node('ConstantOfShape', ['s'], ['y'], { value: makeTensor('v', INT32, [1], Int32Array.of(7)) })] }), 13);
    expect(cos.get('y')).toEqual({ elemType: INT32, dims: [2, 3] });
    const c = inferShapesAndValues(graph({ nodes: [node('Constant', [], ['a'], { value_ints: [1, 2] }), node('Constant', [], ['b'], { value_float: { float: 0.5 } })] }), 13);
    expect(c.types.get('a')).toEqual({ elemType: INT64, dims: [2] });
    expect(c.values.get('a')).toEqual([1n, 2n]);
    expect(c.types.get('b')).toEqual(f32([]));
    expect(c.values.get('b')).toEqual([0.5]);
  });

  it('LayerNormalization statistics, QuantizeLinear types, LSTM layouts, Einsum', () => {
    const ln = inferShapes(graph({ inputs: x(['b', 's', 8]), inits: [floatTensor('g', [8], new Float32Array(8))], nodes: [node('LayerNormalization', ['x', 'g'], ['y', 'm', 'r'], { axis: -1 })] }), 17);
    expect([ln.get('y'), ln.get('m')]).toEqual([f32(['b', 's', 8]), f32(['b', 's', 1])]);
    const q = inferShapes(graph({ inputs: x([2, 3]), inits: [floatTensor('sc', [], Float32Array.of(1)), makeTensor('zp', DataType.INT8, [], Int8Array.of(0))],
      nodes: [node('QuantizeLinear', ['x', 'sc', 'zp'], ['q']), node('DequantizeLinear', ['q', 'sc', 'zp'], ['d'])] }), 13);
    expect([q.get('q'), q.get('d')]).toEqual([{ elemType: DataType.INT8, dims: [2, 3] }, f32([2, 3])]);
    const lstm = (layout: number) => inferShapes(graph({
      inputs: { x: [FLOAT, layout ? ['b', 's', 10] : ['s', 'b', 10]], w: [FLOAT, [2, 80, 10]], r: [FLOAT, [2, 80, 20]] },
      nodes: [node('LSTM', ['x', 'w', 'r'], ['y', 'yh', 'yc'], { hidden_size: 20, direction: 'bidirectional', layout })],
    }), 14);
    expect([lstm(0).get('y')?.dims, lstm(0).get('yc')?.dims]).toEqual([['s', 2, 'b', 20], [2, 'b', 20]]);
    expect([lstm(1).get('y')?.dims, lstm(1).get('yh')?.dims]).toEqual([['b', 's', 2, 20], ['b', 2, 20]]);
    const es = (eq: string, a: Dim[], b: Dim[]) => infer1({ inputs: { a: [FLOAT, a], b: [FLOAT, b] }, nodes: [node('Einsum', ['a', 'b'], ['y'], { equation: eq })] }, 12)?.dims;
    expect(es('bij,bjk->bik', ['n', 2, 3], ['n', 3, 4])).toEqual(['n', 2, 4]);
    expect(es('...ij,...jk', [5, 2, 3], [3, 4])).toEqual([5, 2, 4]);
    expect(es('ij,ij->', [2, 3], [2, 3])).toEqual([]);
  });
});

describe('shape inference: declarations, subgraphs and options', () => {
  it('completes unknown dims from value_info and prefers inferred ones', () => {
    const t = inferShapes(graph({
      inputs: x(['b', null]),
      nodes: [node('Relu', ['x'], ['y']), node('CustomOp', ['y'], ['z'])],
      valueInfo: { y: [FLOAT, [7, 3]], z: [INT64, ['q']] },
    }), 13);
    // Inferred knowledge wins (the declaration may be stale: the input was made dynamic); gaps are filled in.
    expect(t.get('y')).toEqual(f32(['b', 3]));
    expect(t.get('z')).toEqual({ elemType: INT64, dims: ['q'] }); // unknown op: the declaration
    expect(inferShapes(graph({ inputs: x([2]), nodes: [node('CustomOp', ['x'], ['w'])] }), 13).has('w')).toBe(false);
  });

  it('If: the branches agree, or the constant condition picks one', () => {
    const branch = (dims: number[]) => graph({ inits: [floatTensor('k', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)))], nodes: [node('Identity', ['k'], ['out'])], outputs: ['out'] });
    const ifNode = (cond: string) => {
      const n = node('If', [cond], ['y']);
      n.attribute = [graphAttr('then_branch', branch([2, 3])), graphAttr('else_branch', branch([2, 5]))];
      return n;
    };
    expect(inferShapes(graph({ inputs: { c: [BOOL, []] }, nodes: [ifNode('c')] }), 13).get('y')).toEqual(f32([2, null]));
    const known = makeTensor('c', BOOL, [], Uint8Array.of(0));
    expect(inferShapes(graph({ inits: [known], nodes: [ifNode('c')] }), 13).get('y')).toEqual(f32([2, 5]));
  });

  it('Loop: carried values and scan outputs from the body, outer names visible', () => {
    const body = graph({
      inputs: { i: [INT64, []], cond: [BOOL, []], acc: [FLOAT, null] },
      nodes: [node('Add', ['acc', 'outerX'], ['acc2']), node('Identity', ['cond'], ['cond2']), node('Relu', ['outerX'], ['scanned'])],
      outputs: ['cond2', 'acc2', 'scanned'],
    });
    const loop = node('Loop', ['m', '', 'init'], ['final', 'stack']);
    loop.attribute = [graphAttr('body', body)];
    const t = inferShapes(graph({ inputs: { m: [INT64, []], init: [FLOAT, [4]], outerX: [FLOAT, ['n', 4]] }, nodes: [loop] }), 13);
    // acc grows from [4] to ['n', 4] after one iteration: only the element type is certain.
    expect(t.get('final')).toEqual({ elemType: FLOAT, dims: null });
    expect(t.get('stack')).toEqual(f32([null, 'n', 4]));
  });

  it('Scan (opset 9+) slices scan inputs and stacks scan outputs', () => {
    const body = graph({
      inputs: { s: [FLOAT, null], e: [FLOAT, null] },
      nodes: [node('Add', ['s', 'e'], ['s2']), node('Identity', ['e'], ['o'])],
      outputs: ['s2', 'o'],
    });
    const scan = node('Scan', ['s0', 'xs'], ['sN', 'ys'], { num_scan_inputs: 1 });
    scan.attribute!.push(graphAttr('body', body));
    const t = inferShapes(graph({ inputs: { s0: [FLOAT, [2]], xs: [FLOAT, ['T', 2]] }, nodes: [scan] }), 16);
    expect([t.get('sN'), t.get('ys')]).toEqual([f32([2]), f32(['T', 2])]);
  });

  it('uses `constants` for shape inputs and `outer` for names of enclosing graphs', () => {
    const spec: Spec = { inputs: x([6]), nodes: [node('Reshape', ['x', 's'], ['y']), node('Add', ['y', 'fromOuter'], ['z'])] };
    const constants = new Map([['s', ints('s', [2, 3])]]);
    const outer = new Map<string, ValueType>([['fromOuter', f32(['k', 1, 1])]]);
    const t = inferShapes(graph(spec), 13, { constants, outer });
    expect(t.get('y')).toEqual(f32([2, 3]));
    expect(t.get('z')).toEqual(f32(['k', 2, 3]));
    expect(t.has('fromOuter')).toBe(false); // outer names are not this graph's
  });

  it('an initializer that is also a graph input is overridable: its value is used only when passed as a constant', () => {
    const s = ints('s', [2, 3]);
    const g = graph({ inputs: { x: [FLOAT, [6]], s: [INT64, [2]] }, inits: [s], nodes: [node('Reshape', ['x', 's'], ['y'])] });
    expect(inferShapes(g, 13).get('y')).toEqual(f32([null, null]));
    expect(inferShapes(g, 13, { constants: new Map([['s', s]]) }).get('y')).toEqual(f32([2, 3]));
  });

  it('propagates symbolic shape values through Equal/Where/Slice/Concat into Expand (the transformers export pattern)', () => {
    const spec: Spec = {
      inputs: x(['batch', 'seq']),
      inits: [ints('minus1', [-1, -1]), ints('ones', [1, 1]), ints('four', [4]), ints('z', [0]), ints('o', [1]), ints('t', [2])],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Equal', ['s', 'minus1'], ['isNeg']),
        node('Where', ['isNeg', 'ones', 's'], ['target']),
        node('Slice', ['target', 'z', 'o'], ['head']),
        node('Slice', ['target', 'o', 't'], ['tail']),
        node('Concat', ['head', 'four', 'tail'], ['shape3'], { axis: 0 }),
        node('Unsqueeze', ['x', 'o'], ['x3']),
        node('Expand', ['x3', 'shape3'], ['e']),
      ],
    };
    const t = inferShapes(graph(spec), 13);
    expect(t.get('isNeg')).toEqual({ elemType: BOOL, dims: [2] });
    expect(t.get('shape3')).toEqual({ elemType: INT64, dims: [3] });
    expect(t.get('e')).toEqual(f32(['batch', 4, 'seq']));
  });

  it('knownElementCount', () => {
    expect(knownElementCount(f32([2, 3, 4]))).toBe(24);
    expect(knownElementCount(f32([]))).toBe(1);
    expect(knownElementCount(f32(['b', 3]))).toBeNull();
    expect(knownElementCount(f32(null))).toBeNull();
    expect(knownElementCount(undefined)).toBeNull();
  });
});

describe('shape inference: malformed graphs', () => {
  it('never throws, and stays bounded on hostile sizes, cycles and nesting', () => {
    const big = 1e9;
    const cases: Spec[] = [
      { inputs: x([big, big, big]), nodes: [node('Flatten', ['x'], ['y']), node('Shape', ['x'], ['s']), node('ConstantOfShape', ['s'], ['c']), node('Reshape', ['x', 's'], ['r'])] },
      { inits: [scalar64('a', 0), scalar64('b', 2 ** 52), scalar64('c', 1)], nodes: [node('Range', ['a', 'b', 'c'], ['y']), node('Expand', ['a', 'y'], ['e'])] },
      { inputs: x([-3, 2]), nodes: [node('Relu', ['x'], ['y']), node('Shape', ['y'], ['s']), node('Reshape', ['y', 's'], ['r'])] },
      { inputs: x([2, 2]), nodes: [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b'])] }, // a cycle
      { inputs: x([2, 2]), nodes: [node('Conv', ['x', 'x'], ['y'], { strides: [0, 0], pads: [1] }), node('MaxPool', ['x'], ['p'], { kernel_shape: [-1] })] },
      { inputs: x([2, 2]), nodes: [node('Transpose', ['x'], ['y'], { perm: [0, 0] }), node('Concat', ['x', 'x'], ['c'], { axis: 7 }), node('Gather', ['x', 'x'], ['g'], { axis: -9 })] },
      { inputs: x([2, 2]), nodes: [node('Split', ['x'], ['a', 'b', 'c']), node('Squeeze', ['x'], ['s'], { axes: [5] }), node('Einsum', ['x'], ['e'], { equation: 'i...j...->' })] },
      { inputs: x(null), nodes: [node('Slice', ['x', 'x', 'x'], ['y']), node('If', ['x'], ['i']), node('Loop', [], ['l']), node('Scan', ['x'], ['s'])] },
      { inits: [makeTensor('t', INT64, [3], BigInt64Array.of(1n))], nodes: [node('Reshape', ['t', 't'], ['y']), node('Tile', ['t', 't'], ['z'])] }, // short data
    ];
    for (const spec of cases) {
      const start = performance.now();
      expect(() => inferShapesAndValues(graph(spec), 13)).not.toThrow();
      expect(performance.now() - start).toBeLessThan(1000);
    }
    const g1 = graph(cases[0]);
    const t = inferShapes(g1, 13);
    expect(t.get('y')?.dims).toEqual([big, null]); // 1e18 is past exact integers: unknown
    expect(t.get('c')).toEqual(f32([big, big, big])); // its dims, without materializing a value
    // A negative declared dim is not a size: unknown, and so is what is computed from it.
    const neg = inferShapes(graph(cases[2]), 13);
    expect([neg.get('x')?.dims, neg.get('r')?.dims]).toEqual([[null, 2], [null, 2]]);
  });

  it('deeply nested Ifs are cut off, not recursed into without bound', () => {
    let inner = graph({ inputs: {}, nodes: [node('Constant', [], ['out'], { value_float: { float: 1 } })], outputs: ['out'] });
    for (let depth = 0; depth < 200; depth++) {
      const n = node('If', ['c'], ['out']);
      n.attribute = [graphAttr('then_branch', inner), graphAttr('else_branch', inner)];
      inner = graph({ nodes: [n], outputs: ['out'] });
    }
    const start = performance.now();
    expect(() => inferShapes(graph({ inputs: { c: [BOOL, []] }, nodes: inner.node as Node[] }), 13)).not.toThrow();
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

// ---- real models ----

const python = '/usr/bin/python3';
const hasPythonOnnx = existsSync(python) && (() => {
  try { execFileSync(python, ['-c', 'import onnx'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

/** The graph without what would let inference copy answers: value_info and the graph outputs' types. */
function stripped(model: ModelProto): Graph {
  const g = model.graph!;
  return { ...g, value_info: [], output: (g.output ?? []).map((o) => ({ name: o.name })) };
}

interface PyType { elemType: number; dims: Dim[] | null }
const isStatic = (t: PyType) => !!t.elemType && !!t.dims && t.dims.every((d) => typeof d === 'number');

/** Why our type contradicts Python's (different element type, rank or known size), or null. */
function contradiction(ours: ValueType | undefined, theirs: PyType): string | null {
  if (!ours) return null;
  if (ours.elemType && theirs.elemType && ours.elemType !== theirs.elemType) return `element type ${ours.elemType} vs ${theirs.elemType}`;
  if (!ours.dims || !theirs.dims) return null;
  if (ours.dims.length !== theirs.dims.length) return `rank ${ours.dims.length} vs ${theirs.dims.length}`;
  const i = ours.dims.findIndex((d, k) => typeof d === 'number' && typeof theirs.dims![k] === 'number' && d !== theirs.dims![k]);
  return i >= 0 ? `dim ${i}: ${ours.dims[i]} vs ${theirs.dims[i]}` : null;
}

/** Fraction of the main graph's node outputs with a known element type and rank, and with every dim known. */
function coverage(model: ModelProto, types: Map<string, ValueType>) {
  let outputs = 0;
  let typed = 0;
  let full = 0;
  for (const n of model.graph?.node ?? []) {
    for (const o of n.output ?? []) {
      if (!o) continue;
      outputs++;
      const t = types.get(o);
      if (t?.elemType && t.dims) {
        typed++;
        if (t.dims.every((d) => d !== null)) full++;
      }
    }
  }
  return { outputs, typed: typed / outputs, full: full / outputs };
}

/** Every model under the fixtures: onnx, the Hugging Face exports, and the onnxruntime-made references (fp16, q8, q4). */
const fixtureFiles = () => findFiles(FIXTURES, '.onnx');

describe('shape inference on the fixtures', () => {
  it.runIf(existsSync(FIXTURES) || process.env.CI)('covers nearly every node output of the static vision models', () => {
    for (const [name, minFull] of [['tv_mobilenet_v2.onnx', 1], ['tv_squeezenet1_1.onnx', 1], ['burn_mnist.onnx', 1], ['mtcnn_rnet.onnx', 1], ['ppocr_mobile_v2_cls.onnx', 0.6]] as const) {
      const model = decodeModel(readFileSync(fixture('onnx', name)));
      const c = coverage(model, inferShapes(stripped(model), opsetVersion(model)));
      expect(c.typed, name).toBeGreaterThanOrEqual(0.95);
      // ppocr's input has symbolic height and width, which strided convolutions cannot carry.
      expect(c.full, name).toBeGreaterThanOrEqual(minFull);
    }
  });

  it.runIf(hasPythonOnnx || process.env.CI)('agrees with Python onnx (data_prop=True) on every fixture', () => {
    const lines: string[] = [];
    for (const file of fixtureFiles()) {
      const model = decodeModel(readFileSync(file));
      const ours = inferShapes(stripped(model), opsetVersion(model));
      const theirs: Record<string, PyType> = JSON.parse(execFileSync(python, [join(REPO, 'test/support/onnx_shapes.py'), '--strip', file], { maxBuffer: 256 << 20 }).toString());
      const label = file.slice(FIXTURES.length + 1);
      let compared = 0;
      for (const [name, t] of Object.entries(theirs)) {
        if (name === '__error__') continue;
        expect(contradiction(ours.get(name), t), `${label}: ${name}`).toBeNull();
        if (!isStatic(t)) continue;
        compared++;
        expect(ours.get(name), `${label}: ${name}`).toEqual(t);
      }
      const c = coverage(model, ours);
      lines.push(`${label}: ${c.outputs} node outputs, typed ${(100 * c.typed).toFixed(1)}%, full shape ${(100 * c.full).toFixed(1)}%, ${compared} static shapes equal to onnx's${'__error__' in theirs ? ' (onnx inference failed)' : ''}`);
    }
    console.log(`shape inference vs Python onnx:\n  ${lines.join('\n  ')}`);
  });
});

// ---- the ONNX backend test models ----

interface Case { dir: string; model: ModelProto }

function backendCases(): Case[] {
  const cases: Case[] = [];
  for (const kind of readdirSync(ONNX_TESTDATA)) {
    for (const name of readdirSync(join(ONNX_TESTDATA, kind))) {
      const dir = join(ONNX_TESTDATA, kind, name);
      if (existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'test_data_set_0'))) cases.push({ dir, model: decodeModel(readFileSync(join(dir, 'model.onnx'))) });
    }
  }
  return cases;
}

const pbFiles = (dir: string, prefix: string) => readdirSync(dir)
  .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
  .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
  .map((f) => join(dir, f));

/** The test's input tensors by graph input name, for inference that may read them as constants. */
function testInputs({ dir, model }: Case): Map<string, Tensor> {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const feeds = (model.graph?.input ?? []).filter((i) => !initializers.has(i.name));
  const map = new Map<string, Tensor>();
  pbFiles(join(dir, 'test_data_set_0'), 'input_').forEach((file, i) => {
    if (feeds[i]?.name) map.set(feeds[i].name!, decodeTensorProto(readFileSync(file)));
  });
  return map;
}

describe.runIf(existsSync(ONNX_TESTDATA) || process.env.CI)('shape inference on the ONNX backend test models', () => {
  const cases = existsSync(ONNX_TESTDATA) ? backendCases() : [];

  /** Compares inferred graph output dims with the expected output tensors; returns [outputs, covered]. */
  function check(withInputs: boolean): [number, number] {
    let outputs = 0;
    let covered = 0;
    for (const c of cases) {
      const g = c.model.graph!;
      const constants = withInputs ? testInputs(c) : undefined;
      const types = inferShapes(stripped(c.model), opsetVersion(c.model), { constants });
      pbFiles(join(c.dir, 'test_data_set_0'), 'output_').forEach((file, i) => {
        const o = g.output?.[i];
        if (!o?.name || !o.type?.tensor_type) return; // sequences, optionals
        outputs++;
        const t = types.get(o.name);
        if (!t?.dims || !t.dims.every((d) => typeof d === 'number')) return;
        covered++;
        const expected = decodeTensorProto(readFileSync(file));
        const label = `${basename(c.dir)}: ${o.name}`;
        expect(t.dims, label).toEqual((expected.dims ?? []).map(Number));
        // The stored tensors hold bfloat16 as uint16 (ONNX 1.12 test data); the declared output type is the truth.
        if (t.elemType) expect(t.elemType, label).toBe(o.type.tensor_type.elem_type);
      });
    }
    return [outputs, covered];
  }

  it('infers the expected output shapes, from the model alone', () => {
    const [outputs, covered] = check(false);
    console.log(`libonnx-testdata, model alone: ${covered} of ${outputs} tensor outputs of ${cases.length} models have a fully known inferred shape, all equal to the expected`);
    expect(cases.length).toBeGreaterThan(1000);
    expect(covered).toBeGreaterThan(1000);
  });

  it('infers the expected output shapes with the test inputs as known values (data propagation)', () => {
    const [outputs, covered] = check(true);
    console.log(`libonnx-testdata, inputs known: ${covered} of ${outputs} tensor outputs have a fully known inferred shape, all equal to the expected`);
    expect(covered).toBeGreaterThan(1100);
  });

  it.runIf(hasPythonOnnx || process.env.CI)('never contradicts Python onnx on any node output, and knows whatever it knows statically', () => {
    const files = cases.map((c) => join(c.dir, 'model.onnx'));
    const all: Record<string, Record<string, PyType>> = JSON.parse(execFileSync(python, [join(REPO, 'test/support/onnx_shapes.py'), '--strip', ...files], { maxBuffer: 256 << 20 }).toString());
    let compared = 0;
    const missed: string[] = [];
    cases.forEach((c, k) => {
      const theirs = all[files[k]];
      const ours = inferShapes(stripped(c.model), opsetVersion(c.model));
      for (const [name, t] of Object.entries(theirs)) {
        if (name === '__error__') continue;
        const label = `${basename(c.dir)}: ${name}`;
        expect(contradiction(ours.get(name), t), label).toBeNull();
        if (!isStatic(t)) continue;
        compared++;
        const o = ours.get(name);
        if (o?.dims?.every((d) => typeof d === 'number') && o.elemType) expect(o, label).toEqual(t);
        else missed.push(basename(c.dir));
      }
    });
    console.log(`libonnx-testdata vs Python onnx: ${compared} static shapes, ${missed.length} not inferred (${[...new Set(missed)].length} models)`);
    // What onnx knows and we do not: training ops (ai.onnx.preview.training), sequences and optionals.
    expect(missed.filter((m) => !/adam|adagrad|momentum|sequence|optional/.test(m))).toEqual([]);
  });
});
