/**
 * The fields of a Hugging Face `config.json` that the GPT-2 and BERT builders use, read and checked. Defaults are
 * those of transformers' GPT2Config / BertConfig (configuration_gpt2.py, configuration_bert.py). Values that are
 * valid but change the math in a way the builders do not reproduce are 'unsupported' errors naming the field; values
 * of the wrong kind (a string where a size belongs) are 'malformed'.
 */
import { OmnihubError } from '../../errors.js';
import { ACTIVATIONS } from './layers.js';

export const SUPPORTED_MODEL_TYPES: readonly string[] = ['gpt2', 'bert'];

type Json = Record<string, unknown>;

export interface CommonConfig {
  modelType: string;
  /** `architectures[0]`, or undefined when the config names none. */
  architecture: string | undefined;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  activation: string;
  layerNormEps: number;
  tieWordEmbeddings: boolean;
  padTokenId: number | null;
  /** Labels of a classification head, by index (from id2label; `num_labels` LABEL_i when only that is given). */
  labels: string[] | undefined;
}

export interface Gpt2Config extends CommonConfig {
  modelType: 'gpt2';
  scaleAttnWeights: boolean;
  scaleAttnByInverseLayerIdx: boolean;
  reorderAndUpcastAttn: boolean;
}

export interface BertConfig extends CommonConfig {
  modelType: 'bert';
  typeVocabSize: number;
}

function malformed(field: string, value: unknown, expected: string): never {
  throw new OmnihubError('malformed', `config.json: '${field}' must be ${expected}, got ${JSON.stringify(value)}.`);
}

/** The first of `names` the config sets (not null), for fields with aliases (GPT2Config's attribute_map). */
function pick(config: Json, names: string[]): [string, unknown] {
  for (const n of names) if (config[n] !== undefined && config[n] !== null) return [n, config[n]];
  return [names[0], undefined];
}

function positiveInt(config: Json, names: string[], fallback?: number): number {
  const [field, value] = pick(config, names);
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new OmnihubError('malformed', `config.json has no '${names.join("' or '")}', which a ${String(config.model_type)} model needs.`);
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) malformed(field, value, 'a whole number ≥ 1');
  return value;
}

function positiveNumber(config: Json, field: string, fallback: number): number {
  const value = config[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) malformed(field, value, 'a positive number');
  return value;
}

function bool(config: Json, field: string, fallback: boolean): boolean {
  const value = config[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') malformed(field, value, 'true or false');
  return value;
}

function string(config: Json, field: string, fallback: string): string {
  const value = config[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') malformed(field, value, 'a string');
  return value;
}

function optionalInt(config: Json, field: string): number | null {
  const value = config[field];
  if (value === undefined || value === null) return null;
  // Some configs list several ids (eos_token_id); pad_token_id is a single one.
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) malformed(field, value, 'a whole number or null');
  return value;
}

function unsupported(modelType: string, field: string, value: unknown, handled: string): never {
  throw new OmnihubError('unsupported', `config.json: ${modelType} with ${field} = ${JSON.stringify(value)} is not supported (handled: ${handled}).`);
}

function activation(config: Json, field: string, fallback: string): string {
  const act = string(config, field, fallback);
  if (!Object.hasOwn(ACTIVATIONS, act)) unsupported(String(config.model_type), field, act, Object.keys(ACTIVATIONS).join(', '));
  return act;
}

function labels(config: Json): string[] | undefined {
  const id2label = config.id2label;
  if (id2label !== undefined && id2label !== null) {
    if (typeof id2label !== 'object' || Array.isArray(id2label)) malformed('id2label', id2label, 'an object of labels by index');
    const entries = Object.entries(id2label as Json);
    const out: string[] = new Array(entries.length);
    for (const [k, v] of entries) {
      const i = Number(k);
      if (!Number.isSafeInteger(i) || i < 0 || i >= entries.length) malformed('id2label', id2label, `indices 0..${entries.length - 1}`);
      out[i] = String(v);
    }
    return out;
  }
  if (config.num_labels !== undefined && config.num_labels !== null) {
    const n = positiveInt(config, ['num_labels']);
    return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  return undefined;
}

function architecture(config: Json): string | undefined {
  const a = config.architectures;
  if (a === undefined || a === null) return undefined;
  if (!Array.isArray(a) || a.some((x) => typeof x !== 'string')) malformed('architectures', a, 'a list of class names');
  return (a as string[])[0];
}

function mustBeFalse(config: Json, field: string): void {
  if (bool(config, field, false)) unsupported(String(config.model_type), field, true, 'false');
}

function noPrunedHeads(config: Json): void {
  const p = config.pruned_heads;
  if (p !== undefined && p !== null && (typeof p !== 'object' || Object.keys(p as object).length > 0)) {
    unsupported(String(config.model_type), 'pruned_heads', p, 'none');
  }
}

function heads(modelType: string, hidden: number, numHeads: number, hiddenField: string, headsField: string): number {
  if (hidden % numHeads !== 0) {
    throw new OmnihubError('malformed', `config.json: ${modelType} ${hiddenField} ${hidden} is not a multiple of ${headsField} ${numHeads}.`);
  }
  return hidden / numHeads;
}

export function parseGpt2Config(config: Json): Gpt2Config {
  mustBeFalse(config, 'add_cross_attention');
  noPrunedHeads(config);
  const hiddenSize = positiveInt(config, ['n_embd', 'hidden_size'], 768);
  const numHeads = positiveInt(config, ['n_head', 'num_attention_heads'], 12);
  const [innerField, inner] = pick(config, ['n_inner']);
  if (inner !== undefined && (typeof inner !== 'number' || !Number.isSafeInteger(inner) || inner < 1)) malformed(innerField, inner, 'a whole number ≥ 1 or null');
  return {
    modelType: 'gpt2',
    architecture: architecture(config),
    vocabSize: positiveInt(config, ['vocab_size'], 50257),
    hiddenSize,
    numLayers: positiveInt(config, ['n_layer', 'num_hidden_layers'], 12),
    numHeads,
    headDim: heads('gpt2', hiddenSize, numHeads, 'n_embd', 'n_head'),
    intermediateSize: (inner as number | undefined) ?? 4 * hiddenSize,
    maxPositions: positiveInt(config, ['n_positions', 'max_position_embeddings'], 1024),
    activation: activation(config, 'activation_function', 'gelu_new'),
    layerNormEps: positiveNumber(config, 'layer_norm_epsilon', 1e-5),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', true),
    padTokenId: optionalInt(config, 'pad_token_id'),
    labels: labels(config),
    scaleAttnWeights: bool(config, 'scale_attn_weights', true),
    scaleAttnByInverseLayerIdx: bool(config, 'scale_attn_by_inverse_layer_idx', false),
    reorderAndUpcastAttn: bool(config, 'reorder_and_upcast_attn', false),
  };
}

export function parseBertConfig(config: Json): BertConfig {
  const positionType = string(config, 'position_embedding_type', 'absolute');
  if (positionType !== 'absolute') unsupported('bert', 'position_embedding_type', positionType, '"absolute"');
  mustBeFalse(config, 'is_decoder');
  mustBeFalse(config, 'add_cross_attention');
  noPrunedHeads(config);
  const hiddenSize = positiveInt(config, ['hidden_size'], 768);
  const numHeads = positiveInt(config, ['num_attention_heads'], 12);
  return {
    modelType: 'bert',
    architecture: architecture(config),
    vocabSize: positiveInt(config, ['vocab_size'], 30522),
    hiddenSize,
    numLayers: positiveInt(config, ['num_hidden_layers'], 12),
    numHeads,
    headDim: heads('bert', hiddenSize, numHeads, 'hidden_size', 'num_attention_heads'),
    intermediateSize: positiveInt(config, ['intermediate_size'], 3072),
    maxPositions: positiveInt(config, ['max_position_embeddings'], 512),
    activation: activation(config, 'hidden_act', 'gelu'),
    layerNormEps: positiveNumber(config, 'layer_norm_eps', 1e-12),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', true),
    padTokenId: optionalInt(config, 'pad_token_id'),
    labels: labels(config),
    typeVocabSize: positiveInt(config, ['type_vocab_size'], 2),
  };
}

/** Parses config.json (already JSON-decoded) for one of SUPPORTED_MODEL_TYPES. */
export function parseTransformersConfig(config: unknown): Gpt2Config | BertConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new OmnihubError('malformed', 'config.json must be a JSON object.');
  }
  const json = config as Json;
  const modelType = json.model_type;
  if (typeof modelType !== 'string') {
    throw new OmnihubError('malformed', `config.json has no model_type (supported: ${SUPPORTED_MODEL_TYPES.join(', ')}).`);
  }
  switch (modelType) {
    case 'gpt2': return parseGpt2Config(json);
    case 'bert': return parseBertConfig(json);
    default:
      throw new OmnihubError('unsupported', `model_type '${modelType}' is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')}).`);
  }
}
