/**
 * BERT (transformers' modeling_bert.py) as an ONNX graph:
 *
 *   h = LayerNorm(word[input_ids] + token_type[token_type_ids] + position[arange(sequence)])
 *   each layer: a = LayerNorm(dense(attn(h)) + h);  h = LayerNorm(output(act(intermediate(a))) + a)
 *   attn: softmax(q·kᵀ / √head_dim, finfo.min where attention_mask is 0)·v  (extended attention mask)
 *   BertForSequenceClassification: logits = classifier(tanh(pooler(h[:, 0])))
 *
 * torch.nn.Linear weights are [out, in]: they are stored transposed so every projection is MatMul + Add.
 */
import { DataType } from '../../onnx/tensor.js';
import type { StateDict } from '../../weights/types.js';
import { OmnihubError } from '../../errors.js';
import type { BertConfig } from './config.js';
import { attention, keyMask, sequenceInfo, type Net } from './layers.js';
import type { GraphResult } from './gpt2.js';

/** 'bert.' for checkpoints of a model with a head (BertFor…), '' for bare BertModel ones. */
export function bertPrefix(tensors: StateDict): string {
  if (tensors.has('bert.embeddings.word_embeddings.weight')) return 'bert.';
  return '';
}

export function buildBertGraph(n: Net, cfg: BertConfig, tensors: StateDict, requested: 'default' | 'sequence-classification'): GraphResult {
  const notes: string[] = [];
  const arch = cfg.architecture;
  const classify = requested === 'sequence-classification' || arch === 'BertForSequenceClassification';
  if (!classify && arch && arch !== 'BertModel') notes.push(`config.architectures says ${arch}; its head is not converted: built BertModel (last_hidden_state)`);
  const p = bertPrefix(tensors);
  const H = cfg.hiddenSize;
  const g = n.g;

  const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
  const types = g.input('token_type_ids', DataType.INT64, ['batch', 'sequence']);
  const seq = sequenceInfo(n, ids);
  const allowed = keyMask(n, mask);

  const e = `${p}embeddings`;
  const word = n.op('Gather', [n.param(`${e}.word_embeddings.weight`, [cfg.vocabSize, H]), ids], { axis: 0 }, 'word_embeddings');
  const type = n.op('Gather', [n.param(`${e}.token_type_embeddings.weight`, [cfg.typeVocabSize, H]), types], { axis: 0 }, 'token_type_embeddings');
  const positionTable = n.param(`${e}.position_embeddings.weight`, [cfg.maxPositions, H]);
  const position = n.op('Gather', [positionTable, seq.positions], { axis: 0 }, 'position_embeddings');
  const sum = n.op('Add', [n.op('Add', [word, type], {}, 'embeddings_word_type'), position], {}, 'embeddings_sum');
  let h = n.layerNorm(sum, `${e}.LayerNorm`, H, cfg.layerNormEps);

  const divisor = Math.sqrt(cfg.headDim);
  for (let i = 0; i < cfg.numLayers; i++) {
    const l = `${p}encoder.layer.${i}`;
    const s = `${l}.attention.self`;
    const q = n.linear(h, `${s}.query`, H, H, 'out_in');
    const k = n.linear(h, `${s}.key`, H, H, 'out_in');
    const v = n.linear(h, `${s}.value`, H, H, 'out_in');
    const ctx = attention(n, q, k, v, { numHeads: cfg.numHeads, headDim: cfg.headDim, divisor, allowed, name: s });
    const o = `${l}.attention.output`;
    const attnOut = n.layerNorm(n.op('Add', [n.linear(ctx, `${o}.dense`, H, H, 'out_in'), h], {}, `${o}.residual`), `${o}.LayerNorm`, H, cfg.layerNormEps);
    const inter = n.activation(n.linear(attnOut, `${l}.intermediate.dense`, H, cfg.intermediateSize, 'out_in'), cfg.activation, `${l}.intermediate.act`);
    const out = n.linear(inter, `${l}.output.dense`, cfg.intermediateSize, H, 'out_in');
    h = n.layerNorm(n.op('Add', [out, attnOut], {}, `${l}.output.residual`), `${l}.output.LayerNorm`, H, cfg.layerNormEps);
  }
  g.output(h, 'last_hidden_state', DataType.FLOAT, ['batch', 'sequence', H]);

  const ignored = n.w.ignore((key) => key === `${e}.position_ids` || key === `${e}.token_type_ids`);
  if (ignored.length) notes.push(`buffers ${ignored.join(', ')} ignored: positions come from the sequence length, token types from the input`);

  if (!classify) {
    if (tensors.has(`${p}pooler.dense.weight`)) notes.push('pooler not converted (only a classification head uses it): its weights are left unused');
    return { architecture: 'BertModel', tokenizer: 'BertTokenizer', notes };
  }

  const clsShape = tensors.get('classifier.weight')?.shape;
  const labels = cfg.labels ?? (clsShape?.length === 2 ? Array.from({ length: clsShape[0] }, (_, i) => `LABEL_${i}`) : undefined);
  if (!labels) throw new OmnihubError('mismatch', "bert: weight 'classifier.weight' (the sequence-classification head) is missing from the weights.");
  const first = n.op('Gather', [h, n.ints([0], true)], { axis: 1 }, 'first_token'); // [batch, hidden]
  const pooled = n.op('Tanh', [n.linear(first, `${p}pooler.dense`, H, H, 'out_in')], {}, 'pooler_output');
  const logits = n.linear(pooled, 'classifier', H, labels.length, 'out_in');
  g.output(logits, 'logits', DataType.FLOAT, ['batch', labels.length]);
  return { architecture: 'BertForSequenceClassification', tokenizer: 'BertTokenizer', notes, labels };
}
