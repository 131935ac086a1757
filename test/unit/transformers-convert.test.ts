// Hugging Face transformers (config.json + safetensors) → ONNX for GPT-2 and BERT, run in the real onnxruntime
// (onnxruntime-web's Node build) against transformers/PyTorch's own outputs (../shared/fixtures/hf/*/reference.npz):
// the reference input, other batch sizes and lengths, padding, tied embeddings, key prefixes, widened weights,
// classification heads, errors, and the recipe freeze → simplify → quantize-int8-dynamic.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { readSafetensors } from '../../src/core/formats/safetensors/read.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { relL2, maxAbs } from '../../src/core/validate/metrics.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { runRecipe } from '../../src/core/rewrites/recipe.js';
import { tensorByteLength } from '../../src/core/rewrites/graph.js';
import { OmnihubError } from '../../src/core/errors.js';
import type { StateDict, WeightTensor } from '../../src/core/weights/types.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { buildTransformersModel, SUPPORTED_MODEL_TYPES } from '../../src/core/convert/transformers/index.js';
import { fixture } from '../support/paths.js';
import { runModel } from '../support/ort.js';

type Name = 'gpt2-tiny' | 'bert-tiny';

function load(name: Name) {
  const config = JSON.parse(readFileSync(fixture('hf', name, 'config.json'), 'utf8')) as Record<string, unknown>;
  const { tensors } = readSafetensors(new Uint8Array(readFileSync(fixture('hf', name, 'model.safetensors'))));
  const npz = readNpz(new Uint8Array(readFileSync(fixture('hf', name, 'reference.npz'))));
  const ids = npz.get('input_ids')!;
  const out = npz.get('output')!;
  return { config, tensors, ids: Array.from(ids.data as BigInt64Array, Number), expected: out.data as Float32Array, expectedShape: out.shape };
}

const gpt2 = load('gpt2-tiny');
const bert = load('bert-tiny');
const VOCAB = 1000;
const HIDDEN = 128;

const i64 = (values: number[], dims: number[]) => ({ type: 'int64', data: BigInt64Array.from(values.map(BigInt)), dims });

/** Runs a model on rows of token ids (all the same length) with a mask (default all ones) and zero token types. */
async function run(model: ModelProto, rows: number[][], masks?: number[][]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const bytes = encodeModel(model);
  const batch = rows.length;
  const seq = rows[0].length;
  const feeds: Record<string, ReturnType<typeof i64>> = {
    input_ids: i64(rows.flat(), [batch, seq]),
    attention_mask: i64(masks ? masks.flat() : new Array(batch * seq).fill(1), [batch, seq]),
  };
  if (model.graph!.input!.some((i) => i.name === 'token_type_ids')) feeds.token_type_ids = i64(new Array(batch * seq).fill(0), [batch, seq]);
  const out = await runModel(bytes, feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]));
}

/** Rows [b][s][:width] of a [B, S, W] array, positions 0..k-1 only. */
function slicePositions(data: Float32Array, seq: number, width: number, batchIndex: number, k: number): Float32Array {
  return data.slice(batchIndex * seq * width, batchIndex * seq * width + k * width);
}

const rows: string[] = [];
const record = (what: string, value: number) => rows.push(`${what}: ${value.toExponential(3)}`);
afterAll(() => console.log(['', 'transformers → ONNX (onnxruntime-web, float32):', ...rows.map((r) => `  ${r}`)].join('\n')));

const codeOf = (f: () => unknown): { code?: string; message?: string } => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OmnihubError);
    return { code: (e as OmnihubError).code, message: (e as Error).message };
  }
  throw new Error('expected an OmnihubError');
};

describe('GPT-2 (gpt2-tiny)', () => {
  const { model, report } = buildTransformersModel(gpt2.config, gpt2.tensors);

  it('reproduces transformers logits on the reference input', async () => {
    expect(report).toMatchObject({ modelType: 'gpt2', architecture: 'GPT2LMHeadModel', inputs: ['input_ids', 'attention_mask'], outputs: ['logits'], unusedWeights: [] });
    const out = await run(model, [gpt2.ids]);
    expect(out.logits.dims).toEqual([1, 8, VOCAB]);
    const e = relL2(out.logits.data, gpt2.expected);
    record('gpt2 logits relL2 (reference [1, 8])', e);
    record('gpt2 logits maxAbs (reference [1, 8])', maxAbs(out.logits.data, gpt2.expected));
    expect(e).toBeLessThanOrEqual(1e-4);
  });

  it('has dynamic batch and sequence, opset 17 and metadata', () => {
    const dims = (v: { type?: unknown }) => (v as { type: { tensor_type: { shape: { dim: Array<{ dim_param?: string; dim_value?: unknown }> } } } }).type.tensor_type.shape.dim.map((d) => d.dim_param || Number(d.dim_value));
    expect(model.graph!.input!.map((i) => [i.name, dims(i)])).toEqual([['input_ids', ['batch', 'sequence']], ['attention_mask', ['batch', 'sequence']]]);
    expect(dims(model.graph!.output![0])).toEqual(['batch', 'sequence', VOCAB]);
    expect(model.opset_import!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const meta = Object.fromEntries(model.metadata_props!.map((p) => [p.key, p.value]));
    expect(meta).toMatchObject({ model_type: 'gpt2', architecture: 'GPT2LMHeadModel', tokenizer: 'GPT2Tokenizer' });
  });

  it('batch 2 (the reference row twice): both rows equal the reference', async () => {
    const out = await run(model, [gpt2.ids, gpt2.ids]);
    expect(out.logits.dims).toEqual([2, 8, VOCAB]);
    for (const b of [0, 1]) {
      const e = relL2(slicePositions(out.logits.data, 8, VOCAB, b, 8), gpt2.expected);
      record(`gpt2 batch 2 row ${b} relL2`, e);
      expect(e).toBeLessThanOrEqual(1e-4);
    }
  });

  it('is causal: the first k tokens give the reference logits[:, :k]', async () => {
    for (const k of [1, 3, 5]) {
      const out = await run(model, [gpt2.ids.slice(0, k)]);
      expect(out.logits.dims).toEqual([1, k, VOCAB]);
      const e = relL2(out.logits.data, gpt2.expected.slice(0, k * VOCAB));
      record(`gpt2 first ${k} tokens relL2`, e);
      expect(e).toBeLessThanOrEqual(1e-4);
    }
  });

  it('right padding (attention_mask 0) leaves the real positions as the reference', async () => {
    const padded = [...gpt2.ids, 11, 12, 13, 14];
    const out = await run(model, [padded], [[1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]]);
    const e = relL2(slicePositions(out.logits.data, 12, VOCAB, 0, 8), gpt2.expected);
    record('gpt2 right-padded to 12, first 8 relL2', e);
    expect(e).toBeLessThanOrEqual(1e-4);
  });

  it('a longer random batch runs with the right shape and finite values', async () => {
    const rand = mulberry32(1);
    const long = Array.from({ length: 3 }, () => Array.from({ length: 100 }, () => Math.floor(rand() * VOCAB)));
    const out = await run(model, long);
    expect(out.logits.dims).toEqual([3, 100, VOCAB]);
    expect(out.logits.data.every(Number.isFinite)).toBe(true);
    // Row 1's first 8 tokens alone give the same logits as its first 8 positions (causality on another batch).
    const prefix = await run(model, [long[1].slice(0, 8)]);
    expect(relL2(prefix.logits.data, slicePositions(out.logits.data, 100, VOCAB, 1, 8))).toBeLessThanOrEqual(1e-5);
  });

  it('ties lm_head to wte: the fixture has no lm_head.weight, and wte is stored once', () => {
    expect(gpt2.tensors.has('lm_head.weight')).toBe(false);
    expect(report.notes.join('\n')).toMatch(/lm_head tied to transformer\.wte\.weight/);
    const inits = model.graph!.initializer!;
    expect(inits.filter((t) => t.name === 'transformer.wte.weight')).toHaveLength(1);
    expect(inits.filter((t) => /wte/.test(t.name ?? ''))).toHaveLength(1);
    // The tied head reads that same initializer.
    const readers = model.graph!.node!.filter((n) => n.input!.includes('transformer.wte.weight')).map((n) => n.op_type);
    expect(readers.sort()).toEqual(['Gather', 'Gemm']);
    const initBytes = inits.reduce((s, t) => s + tensorByteLength(t), 0);
    const fileBytes = [...gpt2.tensors.values()].reduce((s, t) => s + t.bytes.byteLength, 0);
    const wteBytes = gpt2.tensors.get('transformer.wte.weight')!.bytes.byteLength;
    record(`gpt2 initializer bytes ${initBytes} vs safetensors tensor bytes ${fileBytes}; ratio - 1`, initBytes / fileBytes - 1);
    expect(initBytes).toBeGreaterThanOrEqual(fileBytes);
    expect(initBytes - fileBytes).toBeLessThan(0.001 * fileBytes);
    expect(initBytes - fileBytes).toBeLessThan(wteBytes);
    expect(report.parameters).toBe(fileBytes / 4);
  });

  it('an untied lm_head.weight is used when tie_word_embeddings is false', async () => {
    // lm_head = 2·wte: the logits double, which only happens if the head reads lm_head.weight.
    const wte = gpt2.tensors.get('transformer.wte.weight')!;
    const doubled = Float32Array.from(new Float32Array(wte.bytes.slice().buffer), (x) => 2 * x);
    const tensors: StateDict = new Map(gpt2.tensors);
    tensors.set('lm_head.weight', { name: 'lm_head.weight', dtype: 'float32', shape: wte.shape, bytes: new Uint8Array(doubled.buffer) });
    const untied = buildTransformersModel({ ...gpt2.config, tie_word_embeddings: false }, tensors);
    expect(untied.model.graph!.initializer!.map((t) => t.name)).toContain('lm_head.weight');
    const out = await run(untied.model, [gpt2.ids]);
    const e = relL2(out.logits.data, gpt2.expected.map((x) => 2 * x));
    record('gpt2 untied lm_head (2·wte) vs 2·reference relL2', e);
    expect(e).toBeLessThanOrEqual(1e-4);
    // Tied (the config's default) with lm_head.weight present: wte is used, lm_head.weight reported unused.
    const tied = buildTransformersModel(gpt2.config, tensors);
    expect(tied.report.unusedWeights).toEqual(['lm_head.weight']);
    const missing = codeOf(() => buildTransformersModel({ ...gpt2.config, tie_word_embeddings: false }, gpt2.tensors));
    expect(missing.code).toBe('mismatch');
    expect(missing.message).toMatch(/'lm_head\.weight'/);
  });

  it('reads GPT2Model checkpoints (keys without transformer.) the same way', async () => {
    const bare: StateDict = new Map([...gpt2.tensors].map(([k, t]) => [k.replace(/^transformer\./, ''), t]));
    const built = buildTransformersModel({ ...gpt2.config, architectures: ['GPT2Model'] }, bare);
    expect(built.report.unusedWeights).toEqual([]);
    const out = await run(built.model, [gpt2.ids]);
    expect(relL2(out.logits.data, gpt2.expected)).toBeLessThanOrEqual(1e-4);
  });

  it('GPT2ForSequenceClassification pools the last non-pad token', async () => {
    // score = the first 3 rows of wte, so the pooled logits are the LM logits [last, 0..2] of the reference.
    const wte = gpt2.tensors.get('transformer.wte.weight')!;
    const tensors: StateDict = new Map(gpt2.tensors);
    tensors.set('score.weight', { name: 'score.weight', dtype: 'float32', shape: [3, HIDDEN], bytes: wte.bytes.subarray(0, 3 * HIDDEN * 4) });
    const config = { ...gpt2.config, architectures: ['GPT2ForSequenceClassification'], pad_token_id: 0, id2label: { 0: 'a', 1: 'b', 2: 'c' } };
    const { model: cls, report: r } = buildTransformersModel(config, tensors);
    expect(r).toMatchObject({ architecture: 'GPT2ForSequenceClassification', outputs: ['logits'] });
    // Row 0: the reference; row 1: its first 5 tokens then pad (0) tokens: pools position 4.
    const out = await run(cls, [gpt2.ids, [...gpt2.ids.slice(0, 5), 0, 0, 0]], [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0, 0]]);
    expect(out.logits.dims).toEqual([2, 3]);
    const want = [...gpt2.expected.slice(7 * VOCAB, 7 * VOCAB + 3), ...gpt2.expected.slice(4 * VOCAB, 4 * VOCAB + 3)];
    const e = relL2(out.logits.data, want);
    record('gpt2 sequence classification (score = wte[:3]) relL2', e);
    expect(e).toBeLessThanOrEqual(1e-4);
    const meta = Object.fromEntries(cls.metadata_props!.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.id2label)).toEqual({ 0: 'a', 1: 'b', 2: 'c' });
  });

  it('bfloat16 weights are widened: the same outputs as float32 weights holding the same values', async () => {
    const toBf16 = (t: WeightTensor): WeightTensor => {
      const u32 = new Uint32Array(t.bytes.slice().buffer);
      const u16 = Uint16Array.from(u32, (x) => x >>> 16);
      return { ...t, dtype: 'bfloat16', bytes: new Uint8Array(u16.buffer) };
    };
    const rounded = (t: WeightTensor): WeightTensor => {
      const u32 = Uint32Array.from(new Uint32Array(t.bytes.slice().buffer), (x) => (x & 0xffff0000) >>> 0);
      return { ...t, bytes: new Uint8Array(u32.buffer) };
    };
    const bf = buildTransformersModel(gpt2.config, new Map([...gpt2.tensors].map(([k, t]) => [k, toBf16(t)])));
    const f32 = buildTransformersModel(gpt2.config, new Map([...gpt2.tensors].map(([k, t]) => [k, rounded(t)])));
    expect(bf.report.notes.join('\n')).toMatch(/bfloat16 widened to float32/);
    const [a, b] = [await run(bf.model, [gpt2.ids]), await run(f32.model, [gpt2.ids])];
    expect(maxAbs(a.logits.data, b.logits.data)).toBe(0);
    record('gpt2 bfloat16 weights vs reference relL2 (rounding only)', relL2(a.logits.data, gpt2.expected));
  });

  it('goes through freeze → simplify → quantize-int8-dynamic and still runs', async () => {
    const runtime = ortRuntime({ graphOptimizationLevel: 'disabled' });
    const { model: q, reports } = await runRecipe(model, { steps: [{ step: 'freeze' }, { step: 'simplify' }, { step: 'quantize-int8-dynamic' }] }, { runtime });
    expect(reports.map((r) => r.step)).toEqual(['freeze', 'simplify', 'quantize-int8-dynamic']);
    const qBytes = encodeModel(q);
    const fBytes = encodeModel(model);
    const ops = new Set(q.graph!.node!.map((n) => n.op_type));
    expect(ops.has('MatMulInteger') || ops.has('DynamicQuantizeLinear')).toBe(true);
    const [fo, qo] = [await run(model, [gpt2.ids]), await run(q, [gpt2.ids])];
    const e = relL2(qo.logits.data, fo.logits.data);
    record(`gpt2 int8 dynamic (${fBytes.length} → ${qBytes.length} bytes) logits relL2 vs float`, e);
    record('gpt2 int8 dynamic logits relL2 vs transformers reference', relL2(qo.logits.data, gpt2.expected));
    expect(qBytes.length).toBeLessThan(0.4 * fBytes.length);
    // onnxruntime's own quantize_dynamic gets 0.0238 on its export of this model (fixtures README).
    expect(e).toBeLessThan(0.05);
    // Dynamic shapes survive the recipe.
    const longer = await run(q, [gpt2.ids, gpt2.ids.slice().reverse()].map((r) => [...r, ...r]));
    expect(longer.logits.dims).toEqual([2, 16, VOCAB]);
  });
});

describe('BERT (bert-tiny)', () => {
  const { model, report } = buildTransformersModel(bert.config, bert.tensors);

  it('reproduces transformers last_hidden_state on the reference input', async () => {
    expect(report).toMatchObject({ modelType: 'bert', architecture: 'BertModel', inputs: ['input_ids', 'attention_mask', 'token_type_ids'], outputs: ['last_hidden_state'] });
    expect(report.unusedWeights).toEqual(['pooler.dense.bias', 'pooler.dense.weight']);
    const out = await run(model, [bert.ids]);
    expect(out.last_hidden_state.dims).toEqual([1, 8, HIDDEN]);
    const e = relL2(out.last_hidden_state.data, bert.expected);
    record('bert last_hidden_state relL2 (reference [1, 8])', e);
    record('bert last_hidden_state maxAbs (reference [1, 8])', maxAbs(out.last_hidden_state.data, bert.expected));
    expect(e).toBeLessThanOrEqual(1e-4);
    const meta = Object.fromEntries(model.metadata_props!.map((p) => [p.key, p.value]));
    expect(meta).toMatchObject({ model_type: 'bert', architecture: 'BertModel', tokenizer: 'BertTokenizer' });
  });

  it('batch 2 (the reference row twice): both rows equal the reference', async () => {
    const out = await run(model, [bert.ids, bert.ids]);
    for (const b of [0, 1]) {
      const e = relL2(slicePositions(out.last_hidden_state.data, 8, HIDDEN, b, 8), bert.expected);
      record(`bert batch 2 row ${b} relL2`, e);
      expect(e).toBeLessThanOrEqual(1e-4);
    }
  });

  it('padded to 12 with attention_mask 0 on the padding: the 8 real positions equal the reference', async () => {
    const padded = [...bert.ids, 0, 0, 0, 0];
    const mask = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    // Row 0 padded with [PAD] = 0, row 1 with other tokens: the mask alone must hide them.
    const out = await run(model, [padded, [...bert.ids, 500, 600, 700, 800]], [mask, mask]);
    expect(out.last_hidden_state.dims).toEqual([2, 12, HIDDEN]);
    for (const b of [0, 1]) {
      const e = relL2(slicePositions(out.last_hidden_state.data, 12, HIDDEN, b, 8), bert.expected);
      record(`bert padded to 12 (row ${b}), first 8 relL2`, e);
      expect(e).toBeLessThanOrEqual(1e-4);
    }
    // Without the mask the padding changes the real positions (so the check above means something).
    const unmasked = await run(model, [padded]);
    expect(relL2(slicePositions(unmasked.last_hidden_state.data, 12, HIDDEN, 0, 8), bert.expected)).toBeGreaterThan(1e-3);
  });

  it('token_type_ids reach the embeddings', async () => {
    const bytes = encodeModel(model);
    const feeds = { input_ids: i64(bert.ids, [1, 8]), attention_mask: i64(new Array(8).fill(1), [1, 8]), token_type_ids: i64([0, 0, 0, 0, 1, 1, 1, 1], [1, 8]) };
    const out = await runModel(bytes, feeds);
    expect(relL2(out.last_hidden_state.data as Float32Array, bert.expected)).toBeGreaterThan(1e-3);
  });

  it('a longer random batch runs with the right shape (up to max_position_embeddings)', async () => {
    const rand = mulberry32(2);
    const long = Array.from({ length: 2 }, () => Array.from({ length: 128 }, () => Math.floor(rand() * VOCAB)));
    const out = await run(model, long);
    expect(out.last_hidden_state.dims).toEqual([2, 128, HIDDEN]);
    expect(out.last_hidden_state.data.every(Number.isFinite)).toBe(true);
  });

  it('reads checkpoints with the bert. prefix the same way', async () => {
    const prefixed: StateDict = new Map([...bert.tensors].map(([k, t]) => [`bert.${k}`, t]));
    const built = buildTransformersModel(bert.config, prefixed);
    const out = await run(built.model, [bert.ids]);
    expect(relL2(out.last_hidden_state.data, bert.expected)).toBeLessThanOrEqual(1e-4);
  });

  it('BertForSequenceClassification: pooler tanh + classifier on the [CLS] position', async () => {
    const rand = mulberry32(3);
    const labels = 3;
    const cw = Float32Array.from({ length: labels * HIDDEN }, () => (rand() - 0.5) * 0.2);
    const cb = Float32Array.from({ length: labels }, () => rand() - 0.5);
    const tensors: StateDict = new Map([...bert.tensors].map(([k, t]) => [`bert.${k}`, t]));
    tensors.set('classifier.weight', { name: 'classifier.weight', dtype: 'float32', shape: [labels, HIDDEN], bytes: new Uint8Array(cw.buffer) });
    tensors.set('classifier.bias', { name: 'classifier.bias', dtype: 'float32', shape: [labels], bytes: new Uint8Array(cb.buffer) });
    const config = { ...bert.config, architectures: ['BertForSequenceClassification'], id2label: { 0: 'neg', 1: 'neu', 2: 'pos' } };
    const { model: cls, report: r } = buildTransformersModel(config, tensors);
    expect(r).toMatchObject({ architecture: 'BertForSequenceClassification', outputs: ['last_hidden_state', 'logits'], unusedWeights: [] });
    const out = await run(cls, [bert.ids]);
    expect(out.logits.dims).toEqual([1, labels]);
    // The head in float64 on the reference's [CLS] hidden state.
    const f = (k: string) => { const t = tensors.get(k)!; return new Float32Array(t.bytes.slice().buffer); };
    const [pw, pb] = [f('bert.pooler.dense.weight'), f('bert.pooler.dense.bias')];
    const cls0 = bert.expected.subarray(0, HIDDEN);
    const pooled = Array.from({ length: HIDDEN }, (_, o) => Math.tanh(pb[o] + cls0.reduce((s, x, i) => s + x * pw[o * HIDDEN + i], 0)));
    const want = Array.from({ length: labels }, (_, o) => cb[o] + pooled.reduce((s, x, i) => s + x * cw[o * HIDDEN + i], 0));
    const e = relL2(out.logits.data, want);
    record('bert sequence classification logits vs float64 head on the reference relL2', e);
    expect(e).toBeLessThanOrEqual(1e-4);
    // The task option adds the head to a BertModel config too; without classifier weights it is a mismatch.
    const forced = buildTransformersModel(bert.config, tensors, { task: 'sequence-classification' });
    expect(forced.report.architecture).toBe('BertForSequenceClassification');
    const missing = codeOf(() => buildTransformersModel(bert.config, bert.tensors, { task: 'sequence-classification' }));
    expect(missing).toMatchObject({ code: 'mismatch' });
    expect(missing.message).toMatch(/'classifier\.weight'/);
  });
});

describe('with onnxruntime graph optimizations on (as apps run it)', () => {
  it('gpt2-tiny and bert-tiny still reproduce the reference with graphOptimizationLevel all', async () => {
    const runtime = ortRuntime({ graphOptimizationLevel: 'all' });
    for (const [name, m, output] of [['gpt2', gpt2, 'logits'], ['bert', bert, 'last_hidden_state']] as const) {
      const { model } = buildTransformersModel(m.config, m.tensors);
      const session = await runtime.createSession(encodeModel(model));
      try {
        const feeds: Record<string, ReturnType<typeof i64>> = { input_ids: i64(m.ids, [1, 8]), attention_mask: i64(new Array(8).fill(1), [1, 8]) };
        if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = i64(new Array(8).fill(0), [1, 8]);
        const out = await session.run(feeds);
        const e = relL2(out[output].data as Float32Array, m.expected);
        record(`${name} with ORT optimizations 'all' relL2`, e);
        expect(e).toBeLessThanOrEqual(1e-4);
      } finally {
        await session.release();
      }
    }
  });
});

describe('errors', () => {
  it('an unsupported model_type lists the supported ones', () => {
    expect(SUPPORTED_MODEL_TYPES).toEqual(['gpt2', 'bert']);
    const e = codeOf(() => buildTransformersModel({ model_type: 'llama', hidden_size: 64 }, new Map()));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/'llama'/);
    expect(e.message).toMatch(/gpt2, bert/);
  });

  it('a missing weight is a mismatch naming it', () => {
    const tensors: StateDict = new Map(gpt2.tensors);
    tensors.delete('transformer.h.1.mlp.c_fc.bias');
    const e = codeOf(() => buildTransformersModel(gpt2.config, tensors));
    expect(e.code).toBe('mismatch');
    expect(e.message).toMatch(/'transformer\.h\.1\.mlp\.c_fc\.bias'/);
    const b: StateDict = new Map(bert.tensors);
    b.delete('encoder.layer.0.attention.self.key.weight');
    expect(codeOf(() => buildTransformersModel(bert.config, b)).message).toMatch(/'encoder\.layer\.0\.attention\.self\.key\.weight'/);
  });

  it('a weight of the wrong shape is a mismatch naming the key and both shapes', () => {
    const e = codeOf(() => buildTransformersModel({ ...gpt2.config, n_inner: 256 }, gpt2.tensors));
    expect(e.code).toBe('mismatch');
    expect(e.message).toMatch(/'transformer\.h\.0\.mlp\.c_fc\.weight' has shape \[128, 512\] but the config needs \[128, 256\]/);
  });

  it('config values the builders do not handle are unsupported, naming the field', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...bert.config, position_embedding_type: 'relative_key' }, /position_embedding_type = "relative_key"/],
      [{ ...bert.config, is_decoder: true }, /is_decoder/],
      [{ ...bert.config, hidden_act: 'laplace' }, /hidden_act = "laplace".*gelu/],
      [{ ...gpt2.config, add_cross_attention: true }, /add_cross_attention/],
      [{ ...gpt2.config, activation_function: 'swiglu' }, /activation_function = "swiglu"/],
    ];
    for (const [config, message] of cases) {
      const e = codeOf(() => buildTransformersModel(config, config.model_type === 'bert' ? bert.tensors : gpt2.tensors));
      expect(e.code).toBe('unsupported');
      expect(e.message).toMatch(message);
    }
    expect(codeOf(() => buildTransformersModel({ ...gpt2.config, n_head: 'four' }, gpt2.tensors)).code).toBe('malformed');
    expect(codeOf(() => buildTransformersModel({ ...gpt2.config, n_head: 3 }, gpt2.tensors)).code).toBe('malformed');
    expect(codeOf(() => buildTransformersModel({ architectures: ['X'] }, gpt2.tensors)).code).toBe('malformed');
  });

  it('activations other than the fixtures\' build and run (gelu on GPT-2, gelu_new on BERT, relu, silu …)', async () => {
    for (const act of ['gelu', 'relu', 'silu', 'quick_gelu', 'gelu_pytorch_tanh']) {
      const { model } = buildTransformersModel({ ...gpt2.config, activation_function: act }, gpt2.tensors);
      const out = await run(model, [gpt2.ids]);
      expect(out.logits.data.every(Number.isFinite)).toBe(true);
    }
    // gelu_pytorch_tanh is gelu_new's formula: identical logits.
    const a = await run(buildTransformersModel({ ...gpt2.config, activation_function: 'gelu_pytorch_tanh' }, gpt2.tensors).model, [gpt2.ids]);
    expect(relL2(a.logits.data, gpt2.expected)).toBeLessThanOrEqual(1e-4);
    // gelu (erf) vs gelu_new (tanh) on BERT: close but not equal.
    const b = await run(buildTransformersModel({ ...bert.config, hidden_act: 'gelu_new' }, bert.tensors).model, [bert.ids]);
    const d = relL2(b.last_hidden_state.data, bert.expected);
    record('bert with gelu_new instead of gelu relL2 (expected small but > 0)', d);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(1e-2);
  });
});
