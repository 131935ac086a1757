/**
 * Building blocks shared by the GPT-2 and BERT graphs: weights as initializers (each stored once), Linear layers,
 * LayerNorm (opset 17's LayerNormalization), the activations transformers' ACT2FN names (activations.py), masks
 * built from the runtime sequence length, and multi-head scaled dot-product attention.
 *
 * Every tensor is float32; weights in float16/bfloat16/float64 are widened to float32 as initializers.
 */
import type { GraphBuilder } from '../onnx-builder.js';
import { DataType } from '../../onnx/tensor.js';
import { toFloat32 } from '../../weights/types.js';
import type { WeightStore } from './weights.js';

/** torch.finfo(torch.float32).min: what transformers puts where attention is masked. */
export const FLOAT32_MIN = -3.4028234663852886e38;

export class Net {
  readonly #params = new Map<string, string>();
  readonly #constants = new Map<string, string>();

  constructor(readonly g: GraphBuilder, readonly w: WeightStore) {}

  /** The weight `key` as an initializer named after it (bytes shared when float32); one initializer per key. */
  param(key: string, shape: readonly number[], aliases: readonly string[] = []): string {
    const cached = this.#params.get(key);
    if (cached) return cached;
    const name = this.g.weight(key, this.w.get(key, shape, aliases), { asFloat32: true });
    this.#params.set(key, name);
    return name;
  }

  /**
   * A torch.nn.Linear weight `key` [out, in] stored transposed [in, out] (a copy), so the projection is a plain
   * MatMul with a constant right-hand side, the form onnxruntime's and this project's quantizers rewrite.
   */
  paramTransposed(key: string, outDim: number, inDim: number): string {
    const cacheKey = `${key}^T`;
    const cached = this.#params.get(cacheKey);
    if (cached) return cached;
    const src = toFloat32(this.w.get(key, [outDim, inDim]));
    const dst = new Float32Array(src.length);
    for (let o = 0; o < outDim; o++) {
      const row = o * inDim;
      for (let i = 0; i < inDim; i++) dst[i * outDim + o] = src[row + i];
    }
    const name = this.g.floats(key, [inDim, outDim], dst);
    this.#params.set(cacheKey, name);
    return name;
  }

  /** A float32 scalar constant, shared by every node that uses the same value. */
  scalar(value: number): string {
    const k = `f:${value}`;
    let name = this.#constants.get(k);
    if (!name) this.#constants.set(k, (name = this.g.floats('const_f', [], [value])));
    return name;
  }

  /** An int64 constant (1-D, or a scalar with `scalar`), shared by value. */
  ints(values: number[], scalar = false): string {
    const k = `i:${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.#constants.get(k);
    if (!name) this.#constants.set(k, (name = this.g.ints('const_i', values, scalar ? [] : [values.length])));
    return name;
  }

  op(type: string, inputs: string[], attrs: Parameters<GraphBuilder['op']>[2] = {}, name?: string): string {
    return this.g.op(type, inputs, attrs, name);
  }

  /**
   * x·W + b. `layout` says how the weight is stored: 'in_out' (GPT-2's Conv1D, [in, out], used as it is) or 'out_in'
   * (torch.nn.Linear, [out, in], stored transposed).
   */
  linear(x: string, prefix: string, inDim: number, outDim: number, layout: 'in_out' | 'out_in', options: { bias?: boolean; name?: string } = {}): string {
    const w = layout === 'in_out' ? this.param(`${prefix}.weight`, [inDim, outDim]) : this.paramTransposed(`${prefix}.weight`, outDim, inDim);
    const name = options.name ?? prefix;
    const y = this.op('MatMul', [x, w], {}, `${name}.matmul`);
    if (options.bias === false) return y;
    return this.op('Add', [y, this.param(`${prefix}.bias`, [outDim])], {}, `${name}.add`);
  }

  /** torch.nn.LayerNorm over the last axis (`.weight`/`.bias`, or the `.gamma`/`.beta` of older BERT checkpoints). */
  layerNorm(x: string, prefix: string, dim: number, eps: number): string {
    const scale = this.param(`${prefix}.weight`, [dim], [`${prefix}.gamma`]);
    const bias = this.param(`${prefix}.bias`, [dim], [`${prefix}.beta`]);
    return this.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: eps } }, prefix);
  }

  activation(x: string, act: string, name: string): string {
    return ACTIVATIONS[act](this, x, name);
  }
}

/** 0.5·x·(1 + erf(x/√2)): torch's exact GELU. */
function geluErf(n: Net, x: string, name: string): string {
  const e = n.op('Erf', [n.op('Mul', [x, n.scalar(Math.SQRT1_2)], {}, `${name}.scale`)], {}, `${name}.erf`);
  const half = n.op('Mul', [x, n.scalar(0.5)], {}, `${name}.half`);
  return n.op('Mul', [half, n.op('Add', [e, n.scalar(1)], {}, `${name}.add1`)], {}, name);
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): gelu_new / gelu_pytorch_tanh / gelu_fast / gelu_accurate. */
function geluTanh(n: Net, x: string, name: string): string {
  const x3 = n.op('Mul', [n.op('Mul', [x, x], {}, `${name}.sq`), x], {}, `${name}.cube`);
  const inner = n.op('Add', [x, n.op('Mul', [x3, n.scalar(0.044715)], {}, `${name}.c`)], {}, `${name}.inner`);
  const t = n.op('Tanh', [n.op('Mul', [inner, n.scalar(Math.sqrt(2 / Math.PI))], {}, `${name}.k`)], {}, `${name}.tanh`);
  const half = n.op('Mul', [x, n.scalar(0.5)], {}, `${name}.half`);
  return n.op('Mul', [half, n.op('Add', [t, n.scalar(1)], {}, `${name}.add1`)], {}, name);
}

const swish = (n: Net, x: string, name: string) => n.op('Mul', [x, n.op('Sigmoid', [x], {}, `${name}.sigmoid`)], {}, name);

/** The ACT2FN names handled, with their graphs. */
export const ACTIVATIONS: Record<string, (n: Net, x: string, name: string) => string> = {
  gelu: geluErf,
  gelu_python: geluErf,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  gelu_accurate: geluTanh,
  gelu_10: (n, x, name) => n.op('Clip', [geluErf(n, x, `${name}.gelu`), n.scalar(-10), n.scalar(10)], {}, name),
  quick_gelu: (n, x, name) => n.op('Mul', [x, n.op('Sigmoid', [n.op('Mul', [x, n.scalar(1.702)], {}, `${name}.k`)], {}, `${name}.sigmoid`)], {}, name),
  relu: (n, x, name) => n.op('Relu', [x], {}, name),
  relu2: (n, x, name) => { const r = n.op('Relu', [x], {}, `${name}.relu`); return n.op('Mul', [r, r], {}, name); },
  relu6: (n, x, name) => n.op('Clip', [x, n.scalar(0), n.scalar(6)], {}, name),
  leaky_relu: (n, x, name) => n.op('LeakyRelu', [x], { alpha: { float: 0.01 } }, name),
  silu: swish,
  swish,
  mish: (n, x, name) => n.op('Mul', [x, n.op('Tanh', [n.op('Softplus', [x], {}, `${name}.softplus`)], {}, `${name}.tanh`)], {}, name),
  sigmoid: (n, x, name) => n.op('Sigmoid', [x], {}, name),
  tanh: (n, x, name) => n.op('Tanh', [x], {}, name),
  linear: (n, x, name) => n.op('Identity', [x], {}, name),
};

export interface SequenceInfo {
  /** The sequence length as an int64 scalar. */
  length: string;
  /** arange(sequence) as int64 [sequence]. */
  positions: string;
}

/** The runtime sequence length of `ids` [batch, sequence] and arange(sequence). */
export function sequenceInfo(n: Net, ids: string): SequenceInfo {
  const shape = n.op('Shape', [ids], {}, 'input_shape');
  const length = n.op('Gather', [shape, n.ints([1], true)], { axis: 0 }, 'sequence_length');
  const positions = n.op('Range', [n.ints([0], true), length, n.ints([1], true)], {}, 'positions');
  return { length, positions };
}

/** attention_mask [batch, sequence] (int64, 0 = padding) as bool [batch, 1, 1, sequence]: which keys may be attended. */
export function keyMask(n: Net, mask: string): string {
  const b = n.op('Cast', [mask], { to: DataType.BOOL }, 'attention_mask_bool');
  return n.op('Unsqueeze', [b, n.ints([1, 2])], {}, 'key_mask');
}

/** Causal mask from the runtime length: bool [sequence, sequence], true where key position ≤ query position. */
export function causalMask(n: Net, seq: SequenceInfo): string {
  const rows = n.op('Unsqueeze', [seq.positions, n.ints([1])], {}, 'query_positions');
  const cols = n.op('Unsqueeze', [seq.positions, n.ints([0])], {}, 'key_positions');
  return n.op('LessOrEqual', [cols, rows], {}, 'causal_mask');
}

export interface AttentionParams {
  numHeads: number;
  headDim: number;
  /** Scores are divided by this (√head_dim, × layer index + 1 for GPT-2's scale_attn_by_inverse_layer_idx); 1: none. */
  divisor: number;
  /** bool, broadcastable to [batch, heads, sequence, sequence]: where attention is allowed. */
  allowed: string;
  name: string;
}

/**
 * softmax(Q·Kᵀ / divisor, masked with finfo.min where not allowed)·V over heads; q, k, v are [batch, sequence,
 * hidden], and so is the result (heads merged back).
 */
export function attention(n: Net, q: string, k: string, v: string, p: AttentionParams): string {
  const split = n.ints([0, 0, p.numHeads, p.headDim]);
  const heads = (x: string, perm: number[], what: string) => n.op('Transpose', [n.op('Reshape', [x, split], {}, `${p.name}.${what}_split`)], { perm }, `${p.name}.${what}_heads`);
  const qh = heads(q, [0, 2, 1, 3], 'q'); // [b, h, s, d]
  const kt = heads(k, [0, 2, 3, 1], 'k'); // [b, h, d, s]
  const vh = heads(v, [0, 2, 1, 3], 'v'); // [b, h, s, d]
  let scores = n.op('MatMul', [qh, kt], {}, `${p.name}.scores`);
  if (p.divisor !== 1) scores = n.op('Div', [scores, n.scalar(p.divisor)], {}, `${p.name}.scale`);
  const masked = n.op('Where', [p.allowed, scores, n.scalar(FLOAT32_MIN)], {}, `${p.name}.mask`);
  const probs = n.op('Softmax', [masked], { axis: -1 }, `${p.name}.softmax`);
  const ctx = n.op('MatMul', [probs, vh], {}, `${p.name}.context`);
  const merged = n.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }, `${p.name}.merge`);
  return n.op('Reshape', [merged, n.ints([0, 0, p.numHeads * p.headDim])], {}, `${p.name}.merged`);
}
