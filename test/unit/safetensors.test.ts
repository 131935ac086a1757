/**
 * safetensors: the reader on every real file in the fixtures, its refusals of broken files, the writer against the
 * reference implementation's byte layout (huggingface/safetensors tensor.rs: its own unit-test vectors, and real files
 * written by it rewritten byte for byte), every dtype round-tripping, and Hugging Face sharded checkpoints.
 */
import { readFileSync } from 'node:fs';
import { concatBytes } from '../../src/core/bytes.js';
import { describe, expect, it } from 'vitest';
import {
  readSafetensors, readShardedSafetensors, safetensorsHeader, writeSafetensors, writeShardedSafetensors,
  SHARD_INDEX_FILE,
} from '../../src/core/formats/safetensors/index.js';
import { OmnihubError, type ErrorCode } from '../../src/core/errors.js';
import { bytesPerElement, elementCount, toFloat32, type WeightDtype, type WeightTensor } from '../../src/core/weights/types.js';
import { fixture } from '../support/paths.js';

const load = (...p: string[]) => new Uint8Array(readFileSync(fixture(...p)));

function codeOf(f: () => unknown): ErrorCode | string {
  try {
    f();
  } catch (e) {
    return e instanceof OmnihubError ? e.code : `not an OmnihubError: ${e}`;
  }
  return 'no error';
}

async function codeOfAsync(f: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await f();
  } catch (e) {
    return e instanceof OmnihubError ? { code: e.code, message: e.message } : { code: `not an OmnihubError: ${e}`, message: '' };
  }
  return { code: 'no error', message: '' };
}

/** A file from a header object (or raw header text) and data bytes; `length` overrides the header length field. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (name: string, shape: number[], values: number[]): WeightTensor =>
  ({ name, dtype: 'float32', shape, bytes: new Uint8Array(Float32Array.from(values).buffer) });

describe('safetensors reader on real files', () => {
  it('burn__mnist.safetensors: 20 tensors (18 float32, 2 int64), no metadata', () => {
    const { tensors, metadata } = readSafetensors(load('safetensors/burn__mnist.safetensors'));
    expect(tensors.size).toBe(20);
    expect(metadata).toEqual({});
    expect([...tensors.values()].filter((t) => t.dtype === 'int64').map((t) => t.name)).toEqual(['norm1.num_batches_tracked', 'norm2.num_batches_tracked']);
    const counter = tensors.get('norm1.num_batches_tracked')!;
    expect(counter.shape).toEqual([]);
    expect(new DataView(counter.bytes.buffer, counter.bytes.byteOffset).getBigInt64(0, true)).toBe(7504n);
    expect(tensors.get('fc1.weight')!.shape).toEqual([32, 11616]);
    expect(tensors.get('conv1.weight')!.shape).toEqual([8, 1, 3, 3]);
    expect([...toFloat32(tensors.get('conv1.bias')!).slice(0, 3)]).toEqual([0.10854441672563553, -0.008910008706152439, 0.036622121930122375].map(Math.fround));
    expect([...toFloat32(tensors.get('norm2.weight')!).slice(0, 3)]).toEqual([3.9468202590942383, 4.257629871368408, 3.6991467475891113].map(Math.fround));
    let elements = 0;
    for (const t of tensors.values()) elements += elementCount(t.shape);
    expect(elements).toBe(376940);
  });

  it('burn__multi_layer.safetensors: 9 tensors', () => {
    const { tensors } = readSafetensors(load('safetensors/burn__multi_layer.safetensors'));
    expect(tensors.size).toBe(9);
    expect(tensors.get('norm1.num_batches_tracked')!.dtype).toBe('int64');
    expect(tensors.get('conv1.weight')!.shape).toEqual([4, 3, 3, 3]);
    expect(tensors.get('fc1.weight')!.shape).toEqual([16, 256]);
    expect([...toFloat32(tensors.get('conv1.weight')!).slice(0, 3)]).toEqual([0.09916245192289352, -0.08494327962398529, -0.03730865940451622].map(Math.fround));
    expect([...toFloat32(tensors.get('norm1.weight')!)]).toEqual([1, 1, 1, 1]);
  });

  it("the safetensors project's sample: one tensor of each of 9 dtypes, metadata {test: 'a'}", () => {
    const { tensors, metadata } = readSafetensors(load('safetensors/hf-safetensors-samples__overall.safetensors'));
    expect(metadata).toEqual({ test: 'a' });
    const dtypes = Object.fromEntries([...tensors.values()].map((t) => [t.name, t.dtype]));
    expect(dtypes).toEqual({ B: 'uint8', H: 'uint16', I: 'uint32', b: 'int8', d: 'float64', e: 'float16', f: 'float32', h: 'int16', i: 'int32' });
    for (const t of tensors.values()) expect(t.shape).toEqual([6]);
    const unsigned = { B: 256, H: 65536, I: 4294967296 } as Record<string, number>;
    for (const t of tensors.values()) {
      const expected = [-3, -2, -1, 0, 1, 2].map((v) => Math.fround(v < 0 && unsigned[t.name] ? v + unsigned[t.name] : v));
      expect([...toFloat32(t)], t.name).toEqual(expected);
    }
  });

  it('the mlx LoRA adapter: 16 float32 tensors, __metadata__ null read as {}', () => {
    const { tensors, metadata } = readSafetensors(load('safetensors/mlx-examples__lora_adapters.safetensors'));
    expect(tensors.size).toBe(16);
    expect(metadata).toEqual({});
    expect([...tensors.values()].every((t) => t.dtype === 'float32')).toBe(true);
    expect(tensors.get('model.layers.36.self_attn.q_proj.lora_a')!.shape).toEqual([2304, 8]);
    expect(tensors.get('model.layers.39.self_attn.v_proj.lora_b')!.shape).toEqual([8, 2304]);
    expect(toFloat32(tensors.get('model.layers.39.self_attn.v_proj.lora_b')!)[0]).toBe(Math.fround(0.001318986527621746));
  });

  it('hf gpt2-tiny and bert-tiny model.safetensors (transformers save_pretrained)', () => {
    const gpt2 = readSafetensors(load('hf/gpt2-tiny/model.safetensors'));
    expect(gpt2.tensors.size).toBe(28);
    expect(gpt2.metadata).toEqual({ format: 'pt' });
    expect(gpt2.tensors.get('transformer.wte.weight')!.shape).toEqual([1000, 128]);
    expect(gpt2.tensors.get('transformer.h.0.attn.c_attn.weight')!.shape).toEqual([128, 384]);
    expect(toFloat32(gpt2.tensors.get('transformer.h.0.attn.c_attn.weight')!)[0]).toBe(Math.fround(0.0548907071352005));
    const bert = readSafetensors(load('hf/bert-tiny/model.safetensors'));
    expect(bert.tensors.size).toBe(39);
    expect(bert.metadata).toEqual({ format: 'pt' });
    expect([...toFloat32(bert.tensors.get('embeddings.LayerNorm.weight')!).slice(0, 3)]).toEqual([1, 1, 1]);
    expect(toFloat32(bert.tensors.get('pooler.dense.weight')!)[0]).toBe(Math.fround(-0.007494078483432531));
  });

  it('returns views on the file bytes, not copies', () => {
    const bytes = load('safetensors/burn__multi_layer.safetensors');
    const { tensors, dataStart } = readSafetensors(bytes);
    expect(dataStart).toBe(8 + 648);
    for (const t of tensors.values()) expect(t.bytes.buffer).toBe(bytes.buffer);
  });
});

describe('safetensors reader refuses broken files with the right error', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = new Uint8Array(8);

  it('accepts the well-formed base case', () => {
    expect(readSafetensors(craft(ok, eight)).tensors.get('a')!.shape).toEqual([2]);
  });
  it('empty file → empty-file; shorter than the 8-byte length → truncated', () => {
    expect(codeOf(() => readSafetensors(new Uint8Array(0)))).toBe('empty-file');
    expect(codeOf(() => readSafetensors(new Uint8Array(5)))).toBe('truncated');
  });
  it('header length past the end of the file → truncated', () => {
    expect(codeOf(() => readSafetensors(craft(ok, eight, 1000n)))).toBe('truncated');
  });
  it('a huge header length (over the 100 MB limit) → malformed', () => {
    expect(codeOf(() => readSafetensors(craft(ok, eight, 1n << 40n)))).toBe('malformed');
    expect(codeOf(() => readSafetensors(craft(ok, eight, 0xffffffffffffffffn)))).toBe('malformed');
  });
  it('a header that is not JSON → wrong-format; JSON but not an object → malformed', () => {
    expect(codeOf(() => readSafetensors(craft('{"a": nope}', eight)))).toBe('wrong-format');
    const badUtf8 = craft('{"\u0000": 1}', eight);
    badUtf8.set([0xff, 0xfe], 10);
    expect(codeOf(() => readSafetensors(badUtf8))).toBe('wrong-format');
    expect(codeOf(() => readSafetensors(craft('[1, 2]', eight)))).toBe('malformed');
  });
  it('overlapping offsets → malformed', () => {
    const h = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } };
    expect(codeOf(() => readSafetensors(craft(h, new Uint8Array(12))))).toBe('malformed');
  });
  it('a gap between tensors → malformed; data left over after the last tensor → malformed', () => {
    const gap = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    expect(codeOf(() => readSafetensors(craft(gap, new Uint8Array(12))))).toBe('malformed');
    expect(codeOf(() => readSafetensors(craft(ok, new Uint8Array(12))))).toBe('malformed');
  });
  it('offsets that do not match dtype × shape → malformed', () => {
    expect(codeOf(() => readSafetensors(craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight)))).toBe('malformed');
    expect(codeOf(() => readSafetensors(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, eight)))).toBe('malformed');
    expect(codeOf(() => readSafetensors(craft({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, eight)))).toBe('malformed');
  });
  it('a tensor running past the end of the data (a cut file) → truncated', () => {
    expect(codeOf(() => readSafetensors(craft({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, eight)))).toBe('truncated');
    expect(codeOf(() => readSafetensors(load('safetensors/burn__multi_layer.safetensors').subarray(0, 10_000)))).toBe('truncated');
  });
  it('an unknown dtype → unsupported', () => {
    expect(codeOf(() => readSafetensors(craft({ a: { dtype: 'F4', shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1))))).toBe('unsupported');
  });
});

describe('safetensors writer: the reference layout', () => {
  // huggingface/safetensors safetensors/src/tensor.rs, tests test_serialization, test_empty and
  // test_serialization_forced_alignement: the exact bytes the reference writes.
  it("reproduces the reference's own unit-test vectors byte for byte", () => {
    const data = [0, 1, 2, 3, 4, 5];
    expect([...concatBytes(writeSafetensors([f32('attn.0', [1, 2, 3], data)]))]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    expect([...concatBytes(writeSafetensors([]))]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...concatBytes(writeSafetensors([], { framework: 'pt' }))]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    expect([...concatBytes(writeSafetensors([f32('attn0', [1, 1, 2, 3], data)]))]).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  // Files written by the safetensors library itself (burn's via the Python bindings; transformers' save_pretrained)
  // come back byte-identical: same order, same JSON, same padding.
  for (const path of ['safetensors/burn__mnist.safetensors', 'safetensors/burn__multi_layer.safetensors', 'hf/gpt2-tiny/model.safetensors', 'hf/bert-tiny/model.safetensors']) {
    it(`rewrites ${path} byte-identical`, () => {
      const original = load(path);
      const { tensors, metadata } = readSafetensors(original);
      const chunks = writeSafetensors(tensors.values(), Object.keys(metadata).length ? metadata : undefined);
      expect(chunks.length).toBe(1 + tensors.size);
      expect(Buffer.compare(Buffer.from(concatBytes(chunks)), Buffer.from(original))).toBe(0);
      // The tensor chunks are the reader's views on the original bytes: nothing was copied.
      for (const c of chunks.slice(1)) expect(c.buffer).toBe(original.buffer);
    });
  }

  it('the 2022 sample (name order only, unpadded header) cannot be reproduced in reference order, but is in given order', () => {
    // Written by an older safetensors that sorted by name only and did not pad: today's reference writes dtype
    // order (F64, F32, U32, I32, F16, U16, I16, I8, U8) and pads the header to a multiple of 8.
    const original = load('safetensors/hf-safetensors-samples__overall.safetensors');
    const { tensors, metadata } = readSafetensors(original);
    const header = safetensorsHeader(tensors.values(), metadata);
    expect(header.tensors.map((t) => t.name)).toEqual(['d', 'f', 'I', 'i', 'e', 'H', 'h', 'b', 'B']);
    expect(header.bytes.length % 8).toBe(0);
    const rewritten = concatBytes(writeSafetensors(tensors.values(), metadata));
    expect(rewritten.length).not.toBe(original.length);
    expect(readSafetensors(rewritten).tensors.get('e')!.bytes).toEqual(tensors.get('e')!.bytes);
    // In the file's own order, the only difference is the reference's padding: 526 header bytes + 2 spaces.
    const given = concatBytes(writeSafetensors(tensors.values(), metadata, { order: 'given' }));
    const expected = new Uint8Array(original.length + 2);
    expected.set(original.subarray(0, 8 + 526));
    expected.set([0x20, 0x20], 8 + 526);
    expected.set(original.subarray(8 + 526), 8 + 528);
    new DataView(expected.buffer).setBigUint64(0, 528n, true);
    expect(Buffer.compare(Buffer.from(given), Buffer.from(expected))).toBe(0);
  });

  it('the mlx adapter (another writer: unordered offsets, data_offsets first) rewrites to the reference layout with equal tensors', () => {
    const original = load('safetensors/mlx-examples__lora_adapters.safetensors');
    const { tensors } = readSafetensors(original);
    const rewritten = concatBytes(writeSafetensors(tensors.values()));
    expect(rewritten.length).not.toBe(original.length);
    const back = readSafetensors(rewritten).tensors;
    expect([...back.keys()]).toEqual([...tensors.keys()].sort());
    for (const [name, t] of tensors) expect(Buffer.from(back.get(name)!.bytes).equals(Buffer.from(t.bytes)), name).toBe(true);
  });

  it('sorts names by UTF-8 bytes (Rust String order), not UTF-16 code units', () => {
    const names = ['\u{1F600}', '\uE000', 'b', 'a'];
    const header = safetensorsHeader(names.map((n) => f32(n, [1], [0])));
    expect(header.tensors.map((t) => t.name)).toEqual(['a', 'b', '\uE000', '\u{1F600}']);
  });

  it('round-trips every dtype it can store (scalars and empty tensors too)', () => {
    const dtypes: WeightDtype[] = ['float64', 'float32', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool', 'complex64', 'float8e4m3fn', 'float8e5m2'];
    const tensors: WeightTensor[] = [];
    dtypes.forEach((dtype, k) => {
      const shape = [2, 3];
      const bytes = Uint8Array.from({ length: 6 * bytesPerElement(dtype) }, (_, i) => (i * 37 + k) & 0xff);
      tensors.push({ name: `t.${dtype}`, dtype, shape, bytes });
      tensors.push({ name: `scalar.${dtype}`, dtype, shape: [], bytes: bytes.subarray(0, bytesPerElement(dtype)) });
      tensors.push({ name: `empty.${dtype}`, dtype, shape: [0, 3], bytes: new Uint8Array(0) });
    });
    const file = concatBytes(writeSafetensors(tensors, { note: 'all dtypes ✓' }));
    const back = readSafetensors(file);
    expect(back.metadata).toEqual({ note: 'all dtypes ✓' });
    expect(back.tensors.size).toBe(tensors.length);
    for (const t of tensors) {
      const r = back.tensors.get(t.name)!;
      expect({ dtype: r.dtype, shape: r.shape }, t.name).toEqual({ dtype: t.dtype, shape: t.shape });
      expect([...r.bytes], t.name).toEqual([...t.bytes]);
      // Sorting by descending alignment keeps every tensor aligned to its element size inside the data.
      expect((r.bytes.byteOffset - back.dataStart) % bytesPerElement(r.dtype), t.name).toBe(0);
    }
  });

  it('refuses what safetensors cannot hold', () => {
    expect(codeOf(() => writeSafetensors([{ name: 'c', dtype: 'complex128', shape: [1], bytes: new Uint8Array(16) }]))).toBe('unsupported');
    expect(codeOf(() => writeSafetensors([f32('a', [1], [1]), f32('a', [1], [2])]))).toBe('usage');
    expect(codeOf(() => writeSafetensors([f32('__metadata__', [1], [1])]))).toBe('usage');
    expect(codeOf(() => writeSafetensors([{ name: 'x', dtype: 'float32', shape: [3], bytes: new Uint8Array(8) }]))).toBe('malformed');
    expect(codeOf(() => writeSafetensors([f32('\uD800', [1], [1])]))).toBe('usage');
  });
});

describe('sharded safetensors (Hugging Face layout)', () => {
  const u8 = (name: string, size: number): WeightTensor => ({ name, dtype: 'uint8', shape: [size], bytes: new Uint8Array(size).fill(size) });

  it("splits as huggingface_hub does (its test_multiple_shards: sizes 6, 10, 30, 2, 2 with limit 10)", () => {
    const out = writeShardedSafetensors([u8('layer_1', 6), u8('layer_2', 10), u8('layer_3', 30), u8('layer_4', 2), u8('layer_5', 2)], { maxShardBytes: 10 });
    expect(out.sharded).toBe(true);
    expect(out.shards.map((s) => [s.fileName, s.tensorNames])).toEqual([
      ['model-00001-of-00004.safetensors', ['layer_1']],
      ['model-00002-of-00004.safetensors', ['layer_3']],
      ['model-00003-of-00004.safetensors', ['layer_2']],
      ['model-00004-of-00004.safetensors', ['layer_4', 'layer_5']],
    ]);
    expect(out.index.metadata).toEqual({ total_size: 50 });
    expect(out.indexFileName).toBe(SHARD_INDEX_FILE);
    expect(out.index.weight_map.layer_3).toBe('model-00002-of-00004.safetensors');
  });

  it('one shard is model.safetensors and needs no index', () => {
    const out = writeShardedSafetensors([u8('a', 4), u8('b', 4)], { maxShardBytes: 100 });
    expect(out.sharded).toBe(false);
    expect(out.shards.map((s) => s.fileName)).toEqual(['model.safetensors']);
  });

  it('round-trips gpt2-tiny through 3 shards and its index', async () => {
    const { tensors } = readSafetensors(load('hf/gpt2-tiny/model.safetensors'));
    const out = writeShardedSafetensors(tensors.values(), { maxShardBytes: 800_000 });
    expect(out.shards.map((s) => s.fileName)).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
    let total = 0;
    for (const t of tensors.values()) total += t.bytes.byteLength;
    expect(out.index.metadata.total_size).toBe(total);
    expect(out.index.metadata.total_size).toBe(2164736);
    // transformers writes json.dumps(index, indent=2, sort_keys=True) + "\n"
    expect(out.indexJson.startsWith(`{\n  "metadata": {\n    "total_size": 2164736\n  },\n  "weight_map": {\n    "transformer.h.0.attn.c_attn.bias": "model-00001-of-00003.safetensors",\n`)).toBe(true);
    expect(out.indexJson.endsWith('"\n  }\n}\n')).toBe(true);
    expect(JSON.parse(out.indexJson)).toEqual(out.index);

    const files = new Map(out.shards.map((s) => [s.fileName, concatBytes(s.chunks)]));
    for (const s of out.shards) expect(s.bytes).toBe(files.get(s.fileName)!.length);
    const opened: string[] = [];
    const back = await readShardedSafetensors(JSON.parse(out.indexJson), async (name) => {
      opened.push(name);
      return files.get(name)!;
    });
    expect(opened).toEqual([...files.keys()]);
    expect(back.metadata).toEqual({ total_size: 2164736 });
    expect(back.shardMetadata['model-00002-of-00003.safetensors']).toEqual({ format: 'pt' });
    expect(back.notes).toEqual([]);
    expect(back.tensors.size).toBe(tensors.size);
    for (const [name, t] of tensors) {
      const r = back.tensors.get(name)!;
      expect({ dtype: r.dtype, shape: r.shape }).toEqual({ dtype: t.dtype, shape: t.shape });
      expect(Buffer.from(r.bytes).equals(Buffer.from(t.bytes)), name).toBe(true);
    }
  });

  describe('refuses an index that does not fit its shards', () => {
    const a = concatBytes(writeSafetensors([u8('x', 2), u8('y', 3)]));
    const b = concatBytes(writeSafetensors([u8('z', 4), u8('y', 3)]));
    const files: Record<string, Uint8Array> = { 'a.safetensors': a, 'b.safetensors': b };
    const open = async (name: string) => {
      if (!files[name]) throw new Error('ENOENT');
      return files[name];
    };

    it('a weight_map entry missing from its shard → mismatch naming tensor and shard', async () => {
      const r = await codeOfAsync(() => readShardedSafetensors({ weight_map: { x: 'a.safetensors', w: 'a.safetensors' } }, open));
      expect(r.code).toBe('mismatch');
      expect(r.message).toContain("'w'");
      expect(r.message).toContain("'a.safetensors'");
    });
    it('a tensor in another shard than the index says → mismatch', async () => {
      const r = await codeOfAsync(() => readShardedSafetensors({ weight_map: { z: 'b.safetensors', y: 'a.safetensors', x: 'a.safetensors' } }, open));
      expect(r.code).toBe('mismatch');
      expect(r.message).toBe("The index puts tensor 'y' in 'a.safetensors', but it is in 'b.safetensors'.");
    });
    it('the same tensor in two shards → malformed naming both shards', async () => {
      const r = await codeOfAsync(() => readShardedSafetensors({ weight_map: { x: 'a.safetensors', y: 'a.safetensors', z: 'b.safetensors' } }, open));
      expect(r.code).toBe('malformed');
      expect(r.message).toContain("'y'");
      expect(r.message).toContain("'a.safetensors'");
      expect(r.message).toContain("'b.safetensors'");
    });
    it('not an index, a shard name outside the folder, a missing or broken shard', async () => {
      expect((await codeOfAsync(() => readShardedSafetensors([], open))).code).toBe('malformed');
      expect((await codeOfAsync(() => readShardedSafetensors({ metadata: {} }, open))).code).toBe('malformed');
      expect((await codeOfAsync(() => readShardedSafetensors({ weight_map: { x: 3 } }, open))).code).toBe('malformed');
      expect((await codeOfAsync(() => readShardedSafetensors({ weight_map: { x: '../a.safetensors' } }, open))).code).toBe('unsafe-path');
      expect((await codeOfAsync(() => readShardedSafetensors({ weight_map: { x: 'c.safetensors' } }, open))).code).toBe('not-found');
      const broken = await codeOfAsync(() => readShardedSafetensors({ weight_map: { x: 'a.safetensors' } }, async () => a.subarray(0, a.length - 1)));
      expect(broken.code).toBe('truncated');
      expect(broken.message).toContain("Shard 'a.safetensors'");
    });
    it('a tensor the index does not list is kept, with a note', async () => {
      const r = await readShardedSafetensors({ metadata: { total_size: 5 }, weight_map: { x: 'a.safetensors' } }, open);
      expect([...r.tensors.keys()]).toEqual(['x', 'y']);
      expect(r.notes.length).toBe(1);
      expect(r.notes[0]).toContain("'y'");
    });
  });
});
