/**
 * Writes a BERT-base-size ONNX model (~440 MB, random weights) shaped the way `torch.onnx.export` writes Hugging
 * Face's BertModel at opset 14 with constant folding on, for the simplify benchmark (bench/simplify.ts):
 *
 * - 12 layers, hidden 768, 12 heads of 64, intermediate 3072, vocabulary 30522, 512 positions, 2 token types;
 *   inputs input_ids / attention_mask / token_type_ids int64 [batch, sequence] (both dimensions symbolic);
 *   outputs last_hidden_state [batch, sequence, 768] and pooler_output [batch, 768].
 * - Embeddings: Gather of the three tables (position ids sliced from a [1, 512] buffer by the sequence length,
 *   itself Shape → Gather → Unsqueeze), Add, LayerNorm.
 * - LayerNorm decomposed as the exporter writes it before opset 17: ReduceMean, Sub, Pow 2, ReduceMean, Add ε,
 *   Sqrt, Div, Mul γ, Add β.
 * - Attention: MatMul + Add projections; heads split by Reshape to a shape built at run time
 *   (Shape → Gather → Unsqueeze → Concat with [12] and [64]) and Transpose; Kᵀ as a second Transpose; MatMul, Div by
 *   √64, Add of the extended mask (Unsqueeze ×2, Cast, Sub from 1, Mul by the float32 minimum), Softmax, MatMul,
 *   Transpose back and Reshape to [batch, sequence, 768] the same way.
 * - GELU as Erf: Div √2, Erf, Add 1, Mul x, Mul ½. Pooler: Gather token 0, Gemm (transB), Tanh.
 * - Every scalar and small shape operand is its own Constant node, as the exporter writes them, and each layer reads
 *   the head-count and head-size constants through Identity nodes of one shared initializer (the exporter's way of
 *   deduplicating equal constants): material for a simplifier.
 *
 * Weights come from a fixed-seed xorshift PRNG scaled like BERT's initializer (±0.02·√3; LayerNorm scales 1 ± 0.1,
 * shifts ± 0.02), so every run writes the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModelChunks, onnx } from '../../src/core/onnx/codec.js';
import type { onnx as pb } from '../../src/core/onnx/codec.js';

const LAYERS = 12;
const HIDDEN = 768;
const HEADS = 12;
const HEAD = HIDDEN / HEADS;
const INTERMEDIATE = 3072;
const VOCAB = 30522;
const POSITIONS = 512;
const TYPES = 2;
const OPSET = 14;

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

function randomFloats(count: number, state: { s: number }, scale = 0.02 * Math.sqrt(3)): Uint8Array {
  const out = new Float32Array(count);
  let s = state.s;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 8) / 16777216 * 2 - 1) * scale;
  }
  state.s = s;
  return new Uint8Array(out.buffer);
}

const floats = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const int64s = (values: number[]) => new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);

export function buildBert(): pb.ModelProto {
  const rng = { s: 0x2545f491 };
  const nodes: pb.INodeProto[] = [];
  const initializers: pb.ITensorProto[] = [];
  const weight = (name: string, dims: number[], values?: Uint8Array) => {
    initializers.push({ name, data_type: T.FLOAT, dims, raw_data: values ?? randomFloats(dims.reduce((a, b) => a * b, 1), rng) });
    return name;
  };
  // LayerNorm scales near 1 and shifts near 0, as after training (exactly 1 and 0 would hand a simplifier Mul-by-1
  // and Add-of-0 to remove that no trained model has).
  const scales = (n: number) => new Uint8Array(Float32Array.from(new Float32Array(randomFloats(n, rng, 0.1).buffer), (x) => 1 + x).buffer);
  const shifts = (n: number) => randomFloats(n, rng, 0.02);
  const node = (op: string, name: string, inputs: string[], attrs: pb.IAttributeProto[] = [], outputs = 1): string[] => {
    const outs = Array.from({ length: outputs }, (_, k) => `${name}_output_${k}`);
    nodes.push({ op_type: op, name, input: inputs, output: outs, attribute: attrs });
    return outs;
  };
  const one = (op: string, name: string, inputs: string[], attrs: pb.IAttributeProto[] = []) => node(op, name, inputs, attrs)[0];
  const ints = (name: string, values: number[]): pb.IAttributeProto => ({ name, type: A.INTS, ints: values });
  const int = (name: string, value: number): pb.IAttributeProto => ({ name, type: A.INT, i: value });
  /** A Constant node, as the exporter writes every scalar and small shape operand. */
  const constant = (name: string, dataType: number, dims: number[], raw: Uint8Array) =>
    one('Constant', name, [], [{ name: 'value', type: A.TENSOR, t: { data_type: dataType, dims, raw_data: raw } }]);
  const fconst = (name: string, x: number) => constant(name, T.FLOAT, [], floats([x]));
  const iconst = (name: string, x: number[] | number) => (Array.isArray(x) ? constant(name, T.INT64, [x.length], int64s(x)) : constant(name, T.INT64, [], int64s([x])));

  const layerNorm = (p: string, x: string, gamma: string, beta: string) => {
    const mean = one('ReduceMean', `${p}/ReduceMean`, [x], [ints('axes', [-1])]);
    const d = one('Sub', `${p}/Sub`, [x, mean]);
    const sq = one('Pow', `${p}/Pow`, [d, fconst(`${p}/Constant`, 2)]);
    const v = one('ReduceMean', `${p}/ReduceMean_1`, [sq], [ints('axes', [-1])]);
    const ve = one('Add', `${p}/Add`, [v, fconst(`${p}/Constant_1`, 1e-12)]);
    const s = one('Sqrt', `${p}/Sqrt`, [ve]);
    const n = one('Div', `${p}/Div`, [d, s]);
    const m = one('Mul', `${p}/Mul`, [n, gamma]);
    return one('Add', `${p}/Add_1`, [m, beta]);
  };
  const linear = (p: string, x: string, w: string, b: string) => one('Add', `${p}/Add`, [b, one('MatMul', `${p}/MatMul`, [x, w])]);
  /** [batch, sequence] of x as two 1-element tensors, the exporter's Shape → Gather → Unsqueeze per dimension. */
  const batchAndSequence = (p: string, x: string, k: number): [string, string] => {
    const b = one('Gather', `${p}/Gather_${k}`, [one('Shape', `${p}/Shape_${k}`, [x]), iconst(`${p}/Constant_${k}`, 0)], [int('axis', 0)]);
    const s = one('Gather', `${p}/Gather_${k + 1}`, [one('Shape', `${p}/Shape_${k + 1}`, [x]), iconst(`${p}/Constant_${k + 1}`, 1)], [int('axis', 0)]);
    return [one('Unsqueeze', `${p}/Unsqueeze_${k}`, [b, iconst(`${p}/Constant_${k}_axes`, [0])]), one('Unsqueeze', `${p}/Unsqueeze_${k + 1}`, [s, iconst(`${p}/Constant_${k + 1}_axes`, [0])])];
  };

  // Shared constants the exporter deduplicates: every layer reads them through an Identity.
  initializers.push({ name: 'onnx::Concat_heads', data_type: T.INT64, dims: [1], raw_data: int64s([HEADS]) });
  initializers.push({ name: 'onnx::Concat_head_size', data_type: T.INT64, dims: [1], raw_data: int64s([HEAD]) });
  initializers.push({ name: 'embeddings.position_ids', data_type: T.INT64, dims: [1, POSITIONS], raw_data: int64s(Array.from({ length: POSITIONS }, (_, i) => i)) });

  // ---- embeddings ----
  const e = '/embeddings';
  const seqLen = one('Gather', `${e}/Gather`, [one('Shape', `${e}/Shape`, ['input_ids']), iconst(`${e}/Constant`, 1)], [int('axis', 0)]);
  const seqEnd = one('Unsqueeze', `${e}/Unsqueeze`, [seqLen, iconst(`${e}/Constant_1`, [0])]);
  const positionIds = one('Slice', `${e}/Slice`, ['embeddings.position_ids', iconst(`${e}/Constant_2`, [0]), seqEnd, iconst(`${e}/Constant_3`, [1]), iconst(`${e}/Constant_4`, [1])]);
  const words = one('Gather', `${e}/word_embeddings/Gather`, [weight('embeddings.word_embeddings.weight', [VOCAB, HIDDEN]), 'input_ids']);
  const types = one('Gather', `${e}/token_type_embeddings/Gather`, [weight('embeddings.token_type_embeddings.weight', [TYPES, HIDDEN]), 'token_type_ids']);
  const sum = one('Add', `${e}/Add`, [words, types]);
  const positions = one('Gather', `${e}/position_embeddings/Gather`, [weight('embeddings.position_embeddings.weight', [POSITIONS, HIDDEN]), positionIds]);
  let h = layerNorm(`${e}/LayerNorm`, one('Add', `${e}/Add_1`, [sum, positions]),
    weight('embeddings.LayerNorm.weight', [HIDDEN], scales(HIDDEN)), weight('embeddings.LayerNorm.bias', [HIDDEN], shifts(HIDDEN)));

  // ---- extended attention mask: (1 − mask) · float32 min, [batch, 1, 1, sequence] ----
  const m1 = one('Unsqueeze', '/Unsqueeze', ['attention_mask', iconst('/Constant', [1])]);
  const m2 = one('Unsqueeze', '/Unsqueeze_1', [m1, iconst('/Constant_1', [2])]);
  const mf = one('Cast', '/Cast', [m2], [int('to', T.FLOAT)]);
  const inverted = one('Sub', '/Sub', [fconst('/Constant_2', 1), mf]);
  const mask = one('Mul', '/Mul', [inverted, fconst('/Constant_3', -3.4028234663852886e38)]);

  // ---- encoder ----
  for (let l = 0; l < LAYERS; l++) {
    const p = `/encoder/layer.${l}`;
    const w = `encoder.layer.${l}`;
    const a = `${p}/attention/self`;
    const heads = one('Identity', `${a}/Identity`, ['onnx::Concat_heads']);
    const headSize = one('Identity', `${a}/Identity_1`, ['onnx::Concat_head_size']);
    const split = (x: string, k: number) => {
      const [ub, us] = batchAndSequence(a, x, k);
      const shape = one('Concat', `${a}/Concat_${k}`, [ub, us, heads, headSize], [int('axis', 0)]);
      return one('Transpose', `${a}/Transpose_${k}`, [one('Reshape', `${a}/Reshape_${k}`, [x, shape])], [ints('perm', [0, 2, 1, 3])]);
    };
    const q = linear(`${a}/query`, h, weight(`onnx::MatMul_${w}.q`, [HIDDEN, HIDDEN]), weight(`${w}.attention.self.query.bias`, [HIDDEN]));
    const k = linear(`${a}/key`, h, weight(`onnx::MatMul_${w}.k`, [HIDDEN, HIDDEN]), weight(`${w}.attention.self.key.bias`, [HIDDEN]));
    const v = linear(`${a}/value`, h, weight(`onnx::MatMul_${w}.v`, [HIDDEN, HIDDEN]), weight(`${w}.attention.self.value.bias`, [HIDDEN]));
    const kh = split(k, 0);
    const vh = split(v, 2);
    const qh = split(q, 4);
    const kt = one('Transpose', `${a}/Transpose_6`, [kh], [ints('perm', [0, 1, 3, 2])]);
    const scores = one('Div', `${a}/Div`, [one('MatMul', `${a}/MatMul`, [qh, kt]), fconst(`${a}/Constant_div`, Math.sqrt(HEAD))]);
    const probs = one('Softmax', `${a}/Softmax`, [one('Add', `${a}/Add`, [scores, mask])], [int('axis', -1)]);
    const context = one('Transpose', `${a}/Transpose_7`, [one('MatMul', `${a}/MatMul_1`, [probs, vh])], [ints('perm', [0, 2, 1, 3])]);
    const [cb, cs] = batchAndSequence(a, context, 6);
    const merged = one('Reshape', `${a}/Reshape_6`, [context, one('Concat', `${a}/Concat_6`, [cb, cs, iconst(`${a}/Constant_all_head`, [HIDDEN])], [int('axis', 0)])]);

    const o = `${p}/attention/output`;
    const attended = linear(`${o}/dense`, merged, weight(`onnx::MatMul_${w}.o`, [HIDDEN, HIDDEN]), weight(`${w}.attention.output.dense.bias`, [HIDDEN]));
    const h1 = layerNorm(`${o}/LayerNorm`, one('Add', `${o}/Add`, [attended, h]),
      weight(`${w}.attention.output.LayerNorm.weight`, [HIDDEN], scales(HIDDEN)), weight(`${w}.attention.output.LayerNorm.bias`, [HIDDEN], shifts(HIDDEN)));

    const i = `${p}/intermediate`;
    const up = linear(`${i}/dense`, h1, weight(`onnx::MatMul_${w}.i`, [HIDDEN, INTERMEDIATE]), weight(`${w}.intermediate.dense.bias`, [INTERMEDIATE]));
    const g = `${i}/intermediate_act_fn`;
    const erf = one('Erf', `${g}/Erf`, [one('Div', `${g}/Div`, [up, fconst(`${g}/Constant`, Math.SQRT2)])]);
    const gelu = one('Mul', `${g}/Mul_1`, [one('Mul', `${g}/Mul`, [up, one('Add', `${g}/Add`, [erf, fconst(`${g}/Constant_1`, 1)])]), fconst(`${g}/Constant_2`, 0.5)]);

    const d = `${p}/output`;
    const down = linear(`${d}/dense`, gelu, weight(`onnx::MatMul_${w}.d`, [INTERMEDIATE, HIDDEN]), weight(`${w}.output.dense.bias`, [HIDDEN]));
    h = layerNorm(`${d}/LayerNorm`, one('Add', `${d}/Add`, [down, h1]),
      weight(`${w}.output.LayerNorm.weight`, [HIDDEN], scales(HIDDEN)), weight(`${w}.output.LayerNorm.bias`, [HIDDEN], shifts(HIDDEN)));
  }
  nodes.push({ op_type: 'Identity', name: '/Identity_last_hidden_state', input: [h], output: ['last_hidden_state'] });

  // ---- pooler ----
  const first = one('Gather', '/pooler/Gather', ['last_hidden_state', iconst('/pooler/Constant', 0)], [int('axis', 1)]);
  const pooled = one('Gemm', '/pooler/dense/Gemm', [first, weight('pooler.dense.weight', [HIDDEN, HIDDEN]), weight('pooler.dense.bias', [HIDDEN])],
    [{ name: 'alpha', type: A.FLOAT, f: 1 }, { name: 'beta', type: A.FLOAT, f: 1 }, int('transB', 1)]);
  nodes.push({ op_type: 'Tanh', name: '/pooler/activation/Tanh', input: [pooled], output: ['pooler_output'] });

  const tensor = (elem: number, dims: Array<number | string>): pb.ITypeProto => ({
    tensor_type: { elem_type: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } },
  });
  return new onnx.ModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'pytorch',
    producer_version: '2.1.0',
    graph: {
      name: 'main_graph',
      node: nodes,
      initializer: initializers,
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({ name, type: tensor(T.INT64, ['batch', 'sequence']) })),
      output: [
        { name: 'last_hidden_state', type: tensor(T.FLOAT, ['batch', 'sequence', HIDDEN]) },
        { name: 'pooler_output', type: tensor(T.FLOAT, ['batch', HIDDEN]) },
      ],
    },
  });
}

/** Writes the model; returns its size in bytes. */
export function writeBert(path: string): number {
  const chunks = encodeModelChunks(buildBert());
  mkdirSync(dirname(path), { recursive: true });
  const bytes = Buffer.concat(chunks);
  writeFileSync(path, bytes);
  return bytes.length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2];
  if (!path) throw new Error('usage: gen-bert.ts OUT.onnx');
  const size = writeBert(path);
  console.log(`wrote ${path} (${(size / 1e6).toFixed(1)} MB)`);
}
