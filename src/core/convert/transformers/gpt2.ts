/**
 * GPT-2 (transformers' modeling_gpt2.py) as an ONNX graph, without past key values:
 *
 *   h = wte[input_ids] + wpe[arange(sequence)]
 *   each block: h += c_proj(attn(ln_1(h)));  h += mlp(ln_2(h)),  mlp = c_proj(act(c_fc(·)))
 *   attn: q, k, v = split(c_attn(·)); softmax(q·kᵀ / √head_dim [/ (layer + 1)], causal & attention_mask)·v
 *   logits = ln_f(h)·lm_headᵀ (lm_head = wte when tied)
 *
 * Conv1D weights are stored [in, out], so they feed MatMul as they are. The tied head reads wte through a
 * Gemm(transB=1), so the table is stored once and shared with the embedding Gather.
 * GPT2ForSequenceClassification pools, as transformers does, the hidden state of the last token that is not
 * pad_token_id (the last token when the config has none), then applies `score` (no bias).
 */
import { DataType } from '../../onnx/tensor.js';
import type { StateDict } from '../../weights/types.js';
import { OmnihubError } from '../../errors.js';
import type { Gpt2Config } from './config.js';
import { attention, causalMask, keyMask, sequenceInfo, type Net } from './layers.js';

export type Gpt2Task = 'causal-lm' | 'sequence-classification';

export interface GraphResult {
  architecture: string;
  tokenizer: string;
  notes: string[];
  labels?: string[];
}

/** 'transformer.' for GPT2LMHeadModel-style checkpoints, '' for bare GPT2Model ones. */
export function gpt2Prefix(tensors: StateDict): string {
  if (tensors.has('transformer.wte.weight')) return 'transformer.';
  if (tensors.has('wte.weight')) return '';
  return 'transformer.';
}

export function gpt2Task(cfg: Gpt2Config, requested: 'default' | 'sequence-classification'): { task: Gpt2Task; notes: string[] } {
  if (requested === 'sequence-classification') return { task: 'sequence-classification', notes: [] };
  const arch = cfg.architecture;
  if (arch === 'GPT2ForSequenceClassification') return { task: 'sequence-classification', notes: [] };
  const notes = arch && arch !== 'GPT2LMHeadModel' && arch !== 'GPT2Model'
    ? [`config.architectures says ${arch}; its head is not converted: built GPT2LMHeadModel (logits over the vocabulary)`]
    : [];
  return { task: 'causal-lm', notes };
}

export function buildGpt2Graph(n: Net, cfg: Gpt2Config, tensors: StateDict, requested: 'default' | 'sequence-classification'): GraphResult {
  const { task, notes } = gpt2Task(cfg, requested);
  const p = gpt2Prefix(tensors);
  const H = cfg.hiddenSize;
  const g = n.g;

  const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
  const seq = sequenceInfo(n, ids);
  // Causal and padding masks together: bool [batch, 1, sequence, sequence].
  const allowed = n.op('And', [causalMask(n, seq), keyMask(n, mask)], {}, 'attention_allowed');

  const wte = n.param(`${p}wte.weight`, [cfg.vocabSize, H]);
  const wpe = n.param(`${p}wpe.weight`, [cfg.maxPositions, H]);
  let h = n.op('Add', [
    n.op('Gather', [wte, ids], { axis: 0 }, 'token_embeddings'),
    n.op('Gather', [wpe, seq.positions], { axis: 0 }, 'position_embeddings'),
  ], {}, 'embeddings');

  for (let i = 0; i < cfg.numLayers; i++) {
    const b = `${p}h.${i}`;
    let divisor = 1;
    if (cfg.scaleAttnWeights) divisor *= Math.sqrt(cfg.headDim);
    if (cfg.scaleAttnByInverseLayerIdx) divisor *= i + 1;

    const x1 = n.layerNorm(h, `${b}.ln_1`, H, cfg.layerNormEps);
    const qkv = n.linear(x1, `${b}.attn.c_attn`, H, 3 * H, 'in_out');
    const [q, k, v] = g.node('Split', [qkv, n.ints([H, H, H])], { axis: -1 }, { outputs: 3, name: `${b}.attn.split` });
    const ctx = attention(n, q, k, v, { numHeads: cfg.numHeads, headDim: cfg.headDim, divisor, allowed, name: `${b}.attn` });
    h = n.op('Add', [h, n.linear(ctx, `${b}.attn.c_proj`, H, H, 'in_out')], {}, `${b}.residual_1`);

    const x2 = n.layerNorm(h, `${b}.ln_2`, H, cfg.layerNormEps);
    const fc = n.linear(x2, `${b}.mlp.c_fc`, H, cfg.intermediateSize, 'in_out');
    const act = n.activation(fc, cfg.activation, `${b}.mlp.act`);
    h = n.op('Add', [h, n.linear(act, `${b}.mlp.c_proj`, cfg.intermediateSize, H, 'in_out')], {}, `${b}.residual_2`);
  }
  h = n.layerNorm(h, `${p}ln_f`, H, cfg.layerNormEps);

  const ignored = n.w.ignore((key) => /(^|\.)attn\.(bias|masked_bias)$/.test(key));
  if (ignored.length) notes.push(`${ignored.length} causal-mask buffers (attn.bias, attn.masked_bias) ignored: the mask is built from the sequence length`);
  if (cfg.reorderAndUpcastAttn) notes.push('reorder_and_upcast_attn: the same math in float32 (the graph computes attention in float32)');

  if (task === 'causal-lm') {
    let head: string;
    if (cfg.tieWordEmbeddings) {
      head = wte;
      notes.push(`lm_head tied to ${p}wte.weight (stored once, shared with the embedding)`);
      if (tensors.has('lm_head.weight')) notes.push('lm_head.weight ignored: tie_word_embeddings is true, so transformers uses wte');
    } else {
      head = n.param('lm_head.weight', [cfg.vocabSize, H]);
    }
    const flat = n.op('Reshape', [h, n.ints([-1, H])], {}, 'hidden_flat');
    const logits2d = n.op('Gemm', [flat, head], { transB: 1 }, 'lm_head');
    const outShape = n.op('Concat', [n.op('Shape', [ids], {}, 'batch_sequence'), n.ints([cfg.vocabSize])], { axis: 0 }, 'logits_shape');
    g.output(n.op('Reshape', [logits2d, outShape], {}, 'logits_reshape'), 'logits', DataType.FLOAT, ['batch', 'sequence', cfg.vocabSize]);
    return { architecture: 'GPT2LMHeadModel', tokenizer: 'GPT2Tokenizer', notes };
  }

  // GPT2ForSequenceClassification.
  const scoreShape = tensors.get('score.weight')?.shape;
  const labels = cfg.labels ?? (scoreShape?.length === 2 ? Array.from({ length: scoreShape[0] }, (_, i) => `LABEL_${i}`) : undefined);
  if (!labels) throw new OmnihubError('mismatch', "gpt2: weight 'score.weight' (the sequence-classification head) is missing from the weights.");
  let pooled: string;
  if (cfg.padTokenId === null) {
    const last = n.op('Sub', [seq.length, n.ints([1], true)], {}, 'last_position');
    pooled = n.op('Gather', [h, last], { axis: 1 }, 'pooled');
    notes.push('the config has no pad_token_id: the last position is pooled (transformers refuses batches > 1 then)');
  } else {
    const isPad = n.op('Equal', [ids, n.ints([cfg.padTokenId], true)], {}, 'is_pad');
    const nonPad = n.op('Cast', [n.op('Not', [isPad], {}, 'non_pad')], { to: DataType.INT64 }, 'non_pad_int');
    const scored = n.op('Mul', [nonPad, seq.positions], {}, 'non_pad_positions');
    const last = n.op('ArgMax', [scored], { axis: 1, keepdims: 1 }, 'last_non_pad'); // [batch, 1], first maximum as torch
    pooled = n.op('GatherND', [h, last], { batch_dims: 1 }, 'pooled');
  }
  const score = n.param('score.weight', [labels.length, H]);
  g.output(n.op('Gemm', [pooled, score], { transB: 1 }, 'score'), 'logits', DataType.FLOAT, ['batch', labels.length]);
  return { architecture: 'GPT2ForSequenceClassification', tokenizer: 'GPT2Tokenizer', notes, labels };
}
