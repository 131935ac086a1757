/**
 * Hugging Face transformers models (config.json + safetensors weights) → ONNX, built from the config: GPT-2 and
 * BERT. The graphs are opset 17, float32, with dynamic batch and sequence, and the input names transformers.js and
 * optimum use: `input_ids`, `attention_mask` (1 = token, 0 = padding), and `token_type_ids` for BERT, all int64
 * [batch, sequence]. Outputs: GPT-2 `logits` [batch, sequence, vocab]; BERT `last_hidden_state` [batch, sequence,
 * hidden]; a sequence-classification head adds (BERT) or gives (GPT-2) `logits` [batch, num_labels].
 */
import type { ModelProto } from '../../onnx/codec.js';
import { GraphBuilder } from '../onnx-builder.js';
import type { StateDict } from '../../weights/types.js';
import { OmnihubError } from '../../errors.js';
import { parseTransformersConfig } from './config.js';
import { Net } from './layers.js';
import { WeightStore } from './weights.js';
import { buildGpt2Graph, type GraphResult } from './gpt2.js';
import { buildBertGraph } from './bert.js';

export { SUPPORTED_MODEL_TYPES, parseTransformersConfig } from './config.js';
export type { Gpt2Config, BertConfig } from './config.js';
export { ACTIVATIONS } from './layers.js';

export const TRANSFORMERS_OPSET = 17;

export interface TransformersBuildOptions {
  /** 'default' (or absent): the head config.architectures names; 'sequence-classification' adds that head. */
  task?: 'default' | 'sequence-classification';
}

export interface TransformersBuildReport {
  modelType: string;
  /** The transformers class the graph computes (GPT2LMHeadModel, BertModel, BertForSequenceClassification …). */
  architecture: string;
  inputs: string[];
  outputs: string[];
  /** Elements in the weights the graph uses (a tied table counted once). */
  parameters: number;
  /** Tensors of the state dict the graph does not use (a head not converted, an unused pooler …). */
  unusedWeights: string[];
  notes: string[];
}

export function buildTransformersModel(config: unknown, tensors: StateDict, options: TransformersBuildOptions = {}): { model: ModelProto; report: TransformersBuildReport } {
  const task = options.task ?? 'default';
  if (task !== 'default' && task !== 'sequence-classification') {
    throw new OmnihubError('usage', `unknown task '${String(task)}' (tasks: default, sequence-classification)`);
  }
  const cfg = parseTransformersConfig(config);
  const store = new WeightStore(tensors, cfg.modelType);
  const g = new GraphBuilder({ opset: TRANSFORMERS_OPSET, graphName: cfg.modelType, producerName: 'omnihub' });
  const net = new Net(g, store);

  const result: GraphResult = cfg.modelType === 'gpt2' ? buildGpt2Graph(net, cfg, tensors, task) : buildBertGraph(net, cfg, tensors, task);

  const notes = [...result.notes];
  if (store.widened.size) notes.push(`weights in ${[...store.widened].join(', ')} widened to float32`);
  const metadata: Record<string, string> = {
    model_type: cfg.modelType,
    architecture: result.architecture,
    tokenizer: result.tokenizer,
    source: 'transformers config.json + weights',
  };
  if (result.labels) metadata.id2label = JSON.stringify(Object.fromEntries(result.labels.map((l, i) => [String(i), l])));
  const model = g.build(metadata, `${result.architecture} (${cfg.modelType}) built from its config.json by omnihub`);

  return {
    model,
    report: {
      modelType: cfg.modelType,
      architecture: result.architecture,
      inputs: g.inputs.map((i) => String(i.name)),
      outputs: g.outputs.map((o) => String(o.name)),
      parameters: store.parameters(),
      unusedWeights: store.unused(),
      notes,
    },
  };
}
