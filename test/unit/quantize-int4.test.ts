// quantize-int4: bert-tiny against onnxruntime 1.30's MatMulNBitsQuantizer output tensor by tensor, GPT-2's Gemm
// projections and burn_mnist's transB=1 Gemms quantized too (real onnxruntime-web runs, MNIST accuracy), the packed
// layout checked against §1.5's formulas written out independently here, the QDQ form, and bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, onnx, toNumber, type ModelProto } from '../../src/core/onnx/codec.js';
import { DataType, float16ToFloat32, tensorDims, tensorToFloat32, tensorValues } from '../../src/core/onnx/tensor.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';
import { float32ToFloat16Bits, inputsFromNpz, mulberry32 } from '../../src/core/validate/inputs.js';
import { relL2 } from '../../src/core/validate/metrics.js';
import type { CompareRuntime } from '../../src/core/validate/compare.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { OmnihubError } from '../../src/core/errors.js';
import { roundHalfAway } from '../../src/core/rewrites/quant/math.js';
import { attrInt, countOps, floatTensor, makeNode, makeTensor, type Node, type Tensor } from '../../src/core/rewrites/graph.js';
import { parseRecipe, runRecipe } from '../../src/core/rewrites/recipe.js';
import { quantizeInt4, type QuantizeInt4Options } from '../../src/core/rewrites/quantize-int4/index.js';
import { mnistAccuracy } from '../support/mnist.js';
import { fixture } from '../support/paths.js';

// onnxruntime-web 1.30's wasm build has the com.microsoft MatMulNBits kernel (the CPU contrib ops are compiled in),
// so every run here, MatMulNBits and QDQ alike, uses the runtime the app itself uses.
const runtime = ortRuntime();
const read = (path: string) => new Uint8Array(readFileSync(path));
const REPORT = JSON.parse(readFileSync(fixture('reference/ort-py-report.json'), 'utf8'));
const BERT = fixture('hf/bert-tiny/model.onnx');
const GPT2 = fixture('hf/gpt2-tiny/model.onnx');
const MNIST = fixture('onnx/burn_mnist.onnx');
const REF_Q4 = fixture('reference/ort-py/bert-tiny.q4.onnx');
const f = Math.fround;

const cache = new Map<string, Uint8Array>();
const bytesOf = (path: string) => cache.get(path) ?? (cache.set(path, read(path)), cache.get(path)!);

/** Quantizes, checking that the input model's bytes are the same afterwards. */
async function quantized(bytes: Uint8Array, options: QuantizeInt4Options = {}) {
  const model = decodeModel(bytes);
  const before = encodeModel(model);
  const result = await quantizeInt4(model, options);
  expect(Buffer.compare(encodeModel(model), before)).toBe(0);
  return { ...result, bytes: encodeModel(result.model) };
}

async function run(bytes: Uint8Array, feeds: Record<string, RuntimeTensor>, rt: CompareRuntime = runtime): Promise<Float32Array> {
  const session = await rt.createSession(bytes);
  try {
    const out = await session.run(feeds);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

const npzInputs = (model: Uint8Array, name: string) => inputsFromNpz(summarizeModel(decodeModel(model)), readNpz(read(fixture('reference/ort-py', `${name}.inputs.npz`))));
const initializers = (m: ModelProto) => new Map((m.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
const rawBytes = (t: Tensor) => {
  const v = tensorValues(t) as Exclude<ReturnType<typeof tensorValues>, string[]>;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
};
const attrs = (n: Node) => Object.fromEntries((n.attribute ?? []).map((a) => [a.name, toNumber(a.i)]));
const opset = (m: ModelProto, domain: string) => toNumber((m.opset_import ?? []).find((o) => (o.domain ?? '') === domain)?.version);

describe('quantize-int4: bert-tiny against onnxruntime 1.30 MatMulNBitsQuantizer(block_size=32, is_symmetric=True)', () => {
  it('reproduces bert-tiny.q4.onnx tensor by tensor, node by node', async () => {
    const { model: ours, report } = await quantized(bytesOf(BERT), { blockSize: 32, symmetric: true });
    const ref = decodeModel(bytesOf(REF_Q4));

    // Every initializer: same names, types, shapes and bytes (packed weights and scales included), none extra.
    const mine = initializers(ours);
    const theirs = initializers(ref);
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    let packed = 0;
    for (const [name, t] of theirs) {
      const o = mine.get(name)!;
      expect(o.data_type, name).toBe(t.data_type);
      expect(tensorDims(o), name).toEqual(tensorDims(t));
      expect(rawBytes(o).equals(rawBytes(t)), `bytes of ${name}`).toBe(true);
      if (name.endsWith('_Q4')) packed++;
    }
    expect(packed).toBe(12);

    // Nodes: same names and op counts; every MatMulNBits with the same inputs, output, domain and attributes.
    expect(countOps(ours)).toEqual(countOps(ref));
    const byName = new Map((ours.graph!.node ?? []).map((n) => [n.name, n]));
    expect([...byName.keys()].sort()).toEqual((ref.graph!.node ?? []).map((n) => n.name).sort());
    for (const r of ref.graph!.node ?? []) {
      const n = byName.get(r.name)!;
      expect([n.op_type, n.domain ?? '', n.input, n.output], r.name ?? '').toEqual([r.op_type, r.domain ?? '', r.input, r.output]);
      expect(attrs(n), r.name ?? '').toEqual(attrs(r));
    }
    expect(opset(ours, '')).toBe(18);
    expect(opset(ours, 'com.microsoft')).toBe(1);
    expect((ours.graph!.input ?? []).map((i) => i.name)).toEqual((ref.graph!.input ?? []).map((i) => i.name));
    expect(report.addedByOp).toEqual({ 'com.microsoft:MatMulNBits': 12 });
    expect(report.removedByOp).toEqual({ MatMul: 12 });
    expect(report.notes.join('\n')).toMatch(/MatMul → MatMulNBits ×12 \(4-bit, block 32, symmetric\)/);
    expect(report.notes.join('\n')).toMatch(/left in float: 4 nodes \(MatMul: B is not a constant\)/);
  });

  it('its error vs fp32 is the reference\'s (≤ 1.1 × rel L2 0.01127), and its outputs equal the reference model\'s', async () => {
    const { bytes } = await quantized(bytesOf(BERT));
    const feeds = npzInputs(bytesOf(BERT), 'bert-tiny');
    const fp32 = await run(bytesOf(BERT), feeds);
    const ours = await run(bytes, feeds);
    const theirs = await run(bytesOf(REF_Q4), feeds);
    const refL2 = REPORT.models['bert-tiny'].q4.vs_fp32[0].rel_l2 as number;
    const l2 = relL2(ours, fp32);
    expect(l2).toBeLessThanOrEqual(1.1 * refL2);
    expect(l2).toBeGreaterThan(0.5 * refL2);
    expect(relL2(ours, theirs)).toBe(0);
  });
});

describe('quantize-int4: what the reference leaves in float', () => {
  it('gpt2-tiny: its Gemm projections and the transposed lm_head are quantized', async () => {
    const { model, bytes, report } = await quantized(bytesOf(GPT2));
    const ops = countOps(model);
    // 8 Gemm (no C: MatMulNBits alone) + the lm_head MatMul(x, Transpose(W)).
    expect(ops['com.microsoft:MatMulNBits']).toBe(9);
    expect(ops.Gemm).toBeUndefined();
    expect(report.removedByOp).toMatchObject({ Gemm: 8, MatMul: 1, Transpose: 1 });
    // lm_head is tied to the token embedding: the Gather still reads the float matrix, so it stays; the 8 Gemm
    // weights go.
    expect(initializers(model).has('m.lm_head.weight')).toBe(true);
    expect(report.notes.join('\n')).toMatch(/float weights removed ×8 /);
    expect(report.notes.join('\n')).toMatch(/still read by other nodes, kept: 'm.lm_head.weight'/);
    const lmHead = model.graph!.node!.find((n) => n.name === 'node_linear_Q4')!;
    expect(attrs(lmHead)).toMatchObject({ K: 128, N: 1000 });
    const feeds = npzInputs(bytesOf(GPT2), 'gpt2-tiny');
    const fp32 = await run(bytesOf(GPT2), feeds);
    const l2 = relL2(await run(bytes, feeds), fp32);
    // 4-bit round-to-nearest costs this random-init GPT-2 a lot more than bert-tiny: its N(0, 0.02) weights lose
    // rel L2 0.086 each (block 32, symmetric — the reference's own formula), lm_head alone moves the logits by
    // 0.085 and one projection by 0.034–0.060. The brief's 0.03 is out of reach of this algorithm (the reference
    // quantizes none of these, so has no number to compare with); what is checked is that the error is all
    // quantization: the float model given the dequantized weights computes the same logits.
    expect(l2).toBeGreaterThan(0.1);
    expect(l2).toBeLessThanOrEqual(0.16);
    const gemmsOnly = await quantized(bytesOf(GPT2), { nodesToExclude: ['node_linear'] });
    const float = decodeModel(bytesOf(GPT2));
    float.graph!.initializer = float.graph!.initializer!.map((t) => {
      const node = gemmsOnly.model.graph!.node!.find((n) => n.op_type === 'MatMulNBits' && n.input![1] === `${t.name}_Q4`);
      if (!node) return t;
      const [K, N] = tensorDims(t);
      return floatTensor(t.name ?? '', [K, N], dequantizedWeight(gemmsOnly.model, node).values);
    });
    expect(relL2(await run(gemmsOnly.bytes, feeds), await run(encodeModel(float), feeds))).toBeLessThan(1e-4);
  });

  it('burn_mnist: Gemm transB=1 with bias → MatMulNBits + Add, MNIST accuracy ≥ 0.99 on all 10,000 digits', async () => {
    const { model, bytes, report } = await quantized(bytesOf(MNIST));
    expect(countOps(model)).toMatchObject({ 'com.microsoft:MatMulNBits': 2, Add: 2 });
    expect(countOps(model).Gemm).toBeUndefined();
    const fc1 = model.graph!.node!.find((n) => n.name === '/fc1/Gemm_Q4')!;
    expect(attrs(fc1)).toEqual({ K: 11616, N: 32, bits: 4, block_size: 32 });
    expect(report.notes.join('\n')).toMatch(/2 weights stored transposed/);
    expect(report.tensorBytesAfter).toBeLessThan(report.tensorBytesBefore * 0.3);
    const accuracy = await mnistAccuracy(bytes, runtime);
    expect(accuracy).toBeGreaterThanOrEqual(0.99);
  });

  it('Gemm with beta ≠ 1 and a computed C: C·beta through Mul, then Add', async () => {
    const rnd = mulberry32(7);
    const w = Float32Array.from({ length: 48 * 64 }, () => rnd() * 2 - 1);
    const c = Float32Array.from({ length: 64 }, () => rnd());
    const graph = new onnx.GraphProto({
      name: 'g',
      node: [makeNode('Relu', ['c_in'], ['c'], 'relu'), makeNode('Gemm', ['x', 'w', 'c'], ['y'], 'gemm', { beta: { float: 0.5 } }), makeNode('Gemm', ['x', 'wt', 'bias'], ['z'], 'gemm_t', { transB: 1, beta: { float: 2 } })],
      initializer: [floatTensor('w', [48, 64], w), floatTensor('wt', [64, 48], transpose(w, 48, 64)), floatTensor('bias', [64], c)],
      input: [valueInfo('x', [3, 48]), valueInfo('c_in', [64])],
      output: [valueInfo('y', [3, 64]), valueInfo('z', [3, 64])],
    });
    const bytes = encodeModel(new onnx.ModelProto({ ir_version: 8, opset_import: [new onnx.OperatorSetIdProto({ domain: '', version: 17 })], graph }));
    const { model, bytes: q } = await quantized(bytes);
    expect(countOps(model)).toEqual({ Relu: 1, 'com.microsoft:MatMulNBits': 2, Mul: 1, Add: 2 });
    expect(initializers(model).has('bias_beta')).toBe(true);
    const x = Float32Array.from({ length: 3 * 48 }, () => rnd() * 2 - 1);
    const feeds = { x: { type: 'float32', data: x, dims: [3, 48] }, c_in: { type: 'float32', data: c, dims: [64] } };
    const session = await runtime.createSession(q);
    const out = await session.run(feeds);
    await session.release();
    // The same weights transposed or not quantize to the same blocks: y = xW + c/2, z = xW + 2c.
    const y = out.y.data as Float32Array;
    const z = out.z.data as Float32Array;
    for (let i = 0; i < y.length; i++) expect(z[i] - y[i]).toBeCloseTo(1.5 * c[i % 64], 5);
    const ref = await run(bytes, feeds);
    expect(relL2(y, ref)).toBeLessThan(0.1);
  });
});

// ---- the packed layout, from §1.5 written out again here (not the implementation's code) ----

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

function valueInfo(name: string, dims: number[], elemType: number = DataType.FLOAT): onnx.ValueInfoProto {
  return new onnx.ValueInfoProto({
    name,
    type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: elemType, shape: new onnx.TensorShapeProto({ dim: dims.map((d) => new onnx.TensorShapeProto.Dimension({ dim_value: d })) }) }) }),
  });
}

function matmulModel(K: number, N: number, seed: number, opsetVersion = 17): { bytes: Uint8Array; w: Float32Array } {
  const rnd = mulberry32(seed);
  // Skewed values (more positive than negative in some blocks, all-zero and all-negative blocks too) so that
  // asymmetric zero points vary and the symmetric scale's sign flips.
  const w = Float32Array.from({ length: K * N }, (_, i) => {
    const n = i % N;
    if (n === 0) return 0;
    if (n === 1) return -rnd();
    return (rnd() * 2 - 1) * (n % 3 === 0 ? 0.1 : 1) + (n % 5 === 0 ? 0.7 : 0);
  });
  const graph = new onnx.GraphProto({
    name: 'g',
    node: [makeNode('MatMul', ['x', 'w'], ['y'], 'mm')],
    initializer: [floatTensor('w', [K, N], w)],
    input: [valueInfo('x', [2, K])],
    output: [valueInfo('y', [2, N])],
  });
  return { bytes: encodeModel(new onnx.ModelProto({ ir_version: 8, opset_import: [new onnx.OperatorSetIdProto({ domain: '', version: opsetVersion })], graph })), w };
}

/** §1.5 per block: scale, zero point and q for each element, then (q − zp)·scale, as plain formulas. */
function referenceDequantized(w: Float32Array, K: number, N: number, bs: number, symmetric: boolean): Float32Array {
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let k0 = 0; k0 < K; k0 += bs) {
      const block = Array.from({ length: Math.min(bs, K - k0) }, (_, i) => w[(k0 + i) * N + n]);
      let min = Math.min(...block);
      let max = Math.max(...block);
      let scale: number;
      let zp: number;
      if (symmetric) {
        scale = f(-(Math.abs(max) > Math.abs(min) ? max : min) / 8);
        zp = 8;
      } else {
        min = Math.min(min, 0);
        max = Math.max(max, 0);
        scale = f(f(max - min) / 15);
        const z = scale !== 0 ? f(-f(min / scale)) : min;
        zp = Math.min(15, Math.max(0, roundHalfAway(z)));
      }
      const inv = scale !== 0 ? f(1 / scale) : 0;
      block.forEach((v, i) => {
        const q = Math.min(15, Math.max(0, roundHalfAway(f(f(v * inv) + zp))));
        out[(k0 + i) * N + n] = f((q - zp) * scale);
      });
    }
  }
  return out;
}

/** Unpacks a MatMulNBits node's tensors by §1.5's layout: byte n·kb·blob + (k/bs)·blob + (k%bs)/2, nibble k%2. */
function dequantizedWeight(model: ModelProto, node: Node): { values: Float32Array; padding: number[]; zpHigh: number[] } {
  const { K, N, block_size: bs } = attrs(node);
  const init = initializers(model);
  const packed = tensorValues(init.get(node.input![1])!) as Uint8Array;
  const scales = tensorToFloat32(init.get(node.input![2])!);
  const zps = node.input![3] ? (tensorValues(init.get(node.input![3])!) as Uint8Array) : undefined;
  const kb = Math.ceil(K / bs);
  const blob = bs / 2;
  expect(packed.length).toBe(N * kb * blob);
  expect(scales.length).toBe(N * kb);
  const values = new Float32Array(K * N);
  const padding: number[] = [];
  const zpHigh: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < kb * bs; k++) {
      const b = Math.floor(k / bs);
      const q = (packed[n * kb * blob + b * blob + Math.floor((k % bs) / 2)] >> (4 * (k % 2))) & 15;
      if (k >= K) { padding.push(q); continue; }
      const zp = zps ? (zps[n * Math.ceil(kb / 2) + Math.floor(b / 2)] >> (4 * (b % 2))) & 15 : 8;
      values[k * N + n] = f((q - zp) * scales[n * kb + b]);
    }
    if (zps && kb % 2) zpHigh.push(zps[n * Math.ceil(kb / 2) + (kb - 1) / 2] >> 4);
  }
  return { values, padding, zpHigh };
}

/** DequantizeLinear(axis=0, block_size) by the ONNX spec, on the QDQ tensors. */
function dequantizeLinear(model: ModelProto, K: number, N: number, bs: number): Float32Array {
  const node = model.graph!.node!.find((n) => n.op_type === 'DequantizeLinear')!;
  const init = initializers(model);
  const q = tensorToFloat32(init.get(node.input![0])!);
  const scales = tensorToFloat32(init.get(node.input![1])!);
  const zps = node.input![2] ? tensorToFloat32(init.get(node.input![2])!) : undefined;
  expect(attrInt(node, 'axis', -1)).toBe(0);
  expect(attrInt(node, 'block_size', 0)).toBe(bs);
  const out = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) {
    const s = Math.floor(k / bs) * N + n;
    out[k * N + n] = f((q[k * N + n] - (zps ? zps[s] : 0)) * scales[s]);
  }
  return out;
}

/** The float model with its weight replaced: what a correct reading of the packed tensors must compute. */
function withWeight(bytes: Uint8Array, values: Float32Array): Uint8Array {
  const m = decodeModel(bytes);
  const [K, N] = tensorDims(m.graph!.initializer![0]);
  m.graph!.initializer = [floatTensor('w', [K, N], values)];
  return encodeModel(m);
}

describe('quantize-int4: packed layout, asymmetric and other block sizes', () => {
  // K = 200 leaves a partial last block for every block size; 201 an odd K (a half-filled last byte).
  const cases: Array<[bs: number, symmetric: boolean, K: number]> = [
    [16, false, 200], [32, false, 201], [64, false, 200], [128, false, 200],
    [16, true, 200], [64, true, 200], [128, true, 201],
  ];
  for (const [bs, symmetric, K] of cases) {
    it(`block ${bs}, ${symmetric ? 'symmetric' : 'asymmetric'}, K=${K}: the formula's values, and onnxruntime agrees`, async () => {
      const N = 24;
      const { bytes, w } = matmulModel(K, N, bs + K);
      const { model, bytes: q } = await quantized(bytes, { blockSize: bs, symmetric });
      const node = model.graph!.node![0];
      expect(node.input!.length).toBe(symmetric ? 3 : 4);
      expect(attrs(node)).toEqual({ K, N, bits: 4, block_size: bs });
      const { values, padding, zpHigh } = dequantizedWeight(model, node);
      expect(values).toEqual(referenceDequantized(w, K, N, bs, symmetric));
      // Past K: zero nibbles (numpy's zero-filled buffer), but for an odd K's last byte (see blockwise.ts).
      if (K % 2 === 0) expect(padding.every((p) => p === 0)).toBe(true);
      // An odd number of blocks leaves the last zero-point byte's high nibble at 8.
      expect(zpHigh.every((z) => z === 8)).toBe(true);
      const x = Float32Array.from({ length: 2 * K }, (_, i) => Math.sin(i));
      const feeds = { x: { type: 'float32', data: x, dims: [2, K] } };
      const got = await run(q, feeds);
      const want = await run(withWeight(bytes, values), feeds);
      expect(relL2(got, want)).toBeLessThan(1e-5);

      // The QDQ form of the same weight: the same values (MLAS adds the zero point after rounding there, which
      // can only differ at exact halves), and onnxruntime's DequantizeLinear reads them so.
      const { model: qm, bytes: qq } = await quantized(bytes, { blockSize: bs, symmetric, format: 'qdq' });
      const dq = dequantizeLinear(qm, K, N, bs);
      expect(relL2(dq, values)).toBeLessThan(1e-6);
      expect(relL2(await run(qq, feeds), await run(withWeight(bytes, dq), feeds))).toBeLessThan(1e-5);
    });
  }

  it('a float16 weight: float16 scales (the weight type), both formats run in onnxruntime', async () => {
    const K = 96;
    const N = 16;
    const { w } = matmulModel(K, N, 3);
    const bits = Uint16Array.from(w, float32ToFloat16Bits);
    const half = Float32Array.from(bits, float16ToFloat32);
    const graph = new onnx.GraphProto({
      name: 'g',
      node: [makeNode('MatMul', ['x', 'w'], ['y'], 'mm')],
      initializer: [makeTensor('w', DataType.FLOAT16, [K, N], bits)],
      input: [valueInfo('x', [2, K], DataType.FLOAT16)],
      output: [valueInfo('y', [2, N], DataType.FLOAT16)],
    });
    const bytes = encodeModel(new onnx.ModelProto({ ir_version: 8, opset_import: [new onnx.OperatorSetIdProto({ domain: '', version: 17 })], graph }));
    const x = Uint16Array.from({ length: 2 * K }, (_, i) => float32ToFloat16Bits(Math.sin(i)));
    const feeds = { x: { type: 'float16', data: x, dims: [2, K] } };
    const asFloat = async (b: Uint8Array) => Float32Array.from(await run(b, feeds) as unknown as Uint16Array, float16ToFloat32);
    const ref = await asFloat(bytes);
    for (const format of ['matmulnbits', 'qdq'] as const) {
      const { model, bytes: q } = await quantized(bytes, { format, blockSize: 32 });
      const scales = [...initializers(model).values()].find((t) => t.name?.endsWith('scales'))!;
      expect(scales.data_type).toBe(DataType.FLOAT16);
      if (format === 'matmulnbits') {
        // −m/8 of a float16 m is itself a float16, so the stored scales are exactly the formula's.
        expect(dequantizedWeight(model, model.graph!.node![0]).values).toEqual(referenceDequantized(half, K, N, 32, true));
      }
      expect(relL2(await asFloat(q), ref)).toBeLessThan(0.1);
    }
  });

  it('accuracyLevel, nodesToExclude and nodesToInclude', async () => {
    const { model } = await quantized(bytesOf(BERT), { accuracyLevel: 4, nodesToExclude: ['node_MatMul_54'] });
    const nbits = model.graph!.node!.filter((n) => n.op_type === 'MatMulNBits');
    expect(nbits.length).toBe(11);
    expect(nbits.every((n) => attrs(n).accuracy_level === 4)).toBe(true);
    expect(model.graph!.node!.some((n) => n.name === 'node_MatMul_54' && n.op_type === 'MatMul')).toBe(true);
    const feeds = npzInputs(bytesOf(BERT), 'bert-tiny');
    expect(relL2(await run(encodeModel(model), feeds), await run(bytesOf(BERT), feeds))).toBeLessThan(0.03);
    const only = await quantized(bytesOf(BERT), { nodesToInclude: ['node_MatMul_54', 'node_MatMul_62'], nodesToExclude: ['node_MatMul_62'] });
    expect(countOps(only.model)['com.microsoft:MatMulNBits']).toBe(1);
  });
});

describe('quantize-int4: QDQ format', () => {
  it('bert-tiny: DequantizeLinear(INT4, block_size) + MatMul at opset 21 runs, within 1e-3 of MatMulNBits', async () => {
    const { model, bytes, report } = await quantized(bytesOf(BERT), { format: 'qdq' });
    expect(opset(model, '')).toBe(21);
    expect(toNumber(model.ir_version)).toBe(10);
    expect(countOps(model)['com.microsoft:MatMulNBits']).toBeUndefined();
    const init = initializers(model);
    const q = init.get('val_55_DQ_Q4')!;
    expect([q.data_type, tensorDims(q)]).toEqual([DataType.INT4, [128, 128]]);
    expect(tensorDims(init.get('val_55_DQ_scales')!)).toEqual([4, 128]);
    expect(init.has('val_55')).toBe(false);
    const dq = model.graph!.node!.find((n) => n.name === 'node_MatMul_54_DQ_Q4')!;
    expect([dq.op_type, dq.input, dq.output]).toEqual(['DequantizeLinear', ['val_55_DQ_Q4', 'val_55_DQ_scales'], ['val_55_DQ_Q4_output']]);
    expect(model.graph!.node!.find((n) => n.name === 'node_MatMul_54_matmul_Q4')!.input).toEqual(['layer_norm', 'val_55_DQ_Q4_output']);
    expect(report.notes.join('\n')).toMatch(/opset 18 → 21/);
    const feeds = npzInputs(bytesOf(BERT), 'bert-tiny');
    const viaQdq = await run(bytes, feeds);
    const viaNBits = await run(bytesOf(REF_Q4), feeds);
    expect(relL2(viaQdq, viaNBits)).toBeLessThanOrEqual(1e-3);
    // With optimizations on, onnxruntime fuses DequantizeLinear + MatMul into MatMulNBits itself (the two agree
    // exactly); without, its DequantizeLinear kernel reads the INT4 blocks and float MatMul runs.
    const plain = await run(bytes, feeds, ortRuntime({ graphOptimizationLevel: 'disabled' }));
    expect(relL2(plain, viaNBits)).toBeLessThanOrEqual(1e-3);
  });

  it('burn_mnist (opset 13 → 21; its Gemms keep bias and read the dequantized [K, N] weight) and gpt2-tiny, asymmetric', async () => {
    const mnist = await quantized(bytesOf(MNIST), { format: 'qdq', symmetric: false });
    expect(countOps(mnist.model)).toMatchObject({ DequantizeLinear: 2, Gemm: 2 });
    const gemm = mnist.model.graph!.node!.find((n) => n.name === '/fc1/Gemm_gemm_Q4')!;
    expect(attrInt(gemm, 'transB', 0)).toBe(0);
    expect(tensorDims(initializers(mnist.model).get('fc1.weight_DQ_Q4')!)).toEqual([11616, 32]);
    expect(await mnistAccuracy(mnist.bytes, runtime)).toBeGreaterThanOrEqual(0.99);
    const nbits = await quantized(bytesOf(GPT2), { symmetric: false });
    const qdq = await quantized(bytesOf(GPT2), { symmetric: false, format: 'qdq' });
    const feeds = npzInputs(bytesOf(GPT2), 'gpt2-tiny');
    expect(relL2(await run(qdq.bytes, feeds), await run(nbits.bytes, feeds))).toBeLessThanOrEqual(1e-3);
  });

  it('refuses to raise an opset where an operator changed meaning', async () => {
    const { bytes } = matmulModel(64, 8, 1, 17);
    const m = decodeModel(bytes);
    m.graph!.node!.push(makeNode('ReduceMean', ['y'], ['r'], 'mean', { axes: [1] }));
    m.graph!.output!.push(valueInfo('r', [2, 1]));
    await expect(quantizeInt4(m, { format: 'qdq' })).rejects.toThrow(/ReduceMean \(opset 18: 'axes' moved/);
    await expect(quantizeInt4(m, { format: 'qdq' })).rejects.toMatchObject({ code: 'unsupported' });
    // The MatMulNBits form needs no opset change.
    expect(countOps((await quantizeInt4(m, {})).model)['com.microsoft:MatMulNBits']).toBe(1);
    await expect(quantizeInt4(decodeModel(matmulModel(64, 8, 1, 11).bytes), { format: 'qdq' })).rejects.toThrow(/opset 11 is older than 13/);
  });
});

describe('quantize-int4: bad input', () => {
  it('an already 4-bit model is refused', async () => {
    const ref = decodeModel(bytesOf(REF_Q4));
    const err = await quantizeInt4(ref, {}).catch((e) => e);
    expect(err).toBeInstanceOf(OmnihubError);
    expect(err.code).toBe('bad-recipe');
    expect(err.message).toMatch(/already 4-bit quantized.*MatMulNBits/);
    const qdq = decodeModel((await quantized(bytesOf(MNIST), { format: 'qdq' })).bytes);
    await expect(quantizeInt4(qdq, {})).rejects.toThrow(/already 4-bit quantized \(initializer 'fc1.weight_DQ_Q4' is INT4\)/);
  });

  it('a model without MatMul/Gemm: "nothing to quantize", the model unchanged', async () => {
    const bytes = read(fixture('onnx/kotlindl__addnet.onnx'));
    const { bytes: out, report } = await quantized(bytes);
    expect(report.notes[0]).toMatch(/^nothing to quantize/);
    expect(Buffer.compare(out, encodeModel(decodeModel(bytes)))).toBe(0);
    // Activations × activations only (nothing constant): the same, saying why.
    const { report: none } = await quantized(bytesOf(BERT), { nodesToInclude: ['node_MatMul_99'] });
    expect(none.notes.join('\n')).toMatch(/nothing to quantize[\s\S]*MatMul: B is not a constant\): 'node_MatMul_99'/);
  });

  it('options are checked, in a recipe and in a direct call', async () => {
    const model = decodeModel(bytesOf(MNIST));
    for (const blockSize of [8, 48, 512, 32.5]) await expect(quantizeInt4(model, { blockSize })).rejects.toMatchObject({ code: 'bad-recipe' });
    await expect(quantizeInt4(model, { accuracyLevel: 5 })).rejects.toThrow(/accuracyLevel/);
    expect(() => parseRecipe({ steps: [{ step: 'quantize-int4', options: { format: 'int4' } }] })).toThrow(/"matmulnbits", "qdq"/);
    expect(() => parseRecipe({ steps: [{ step: 'quantize-int4', options: { bits: 8 } }] })).toThrow(/no option 'bits'/);
    const { reports } = await runRecipe(model, { steps: [{ step: 'quantize-int4', options: { blockSize: 64, symmetric: false } }] });
    expect(reports[0].addedByOp).toMatchObject({ 'com.microsoft:MatMulNBits': 2 });
  });
});

