// Hostile and broken input gives a typed OmnihubError that says what is wrong: no hang, no crash, bounded memory.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, decodeTensorProto, encodeModel, onnx } from '../../src/core/onnx/codec.js';
import { OmnihubError, type ErrorCode } from '../../src/core/errors.js';
import { fixture } from '../support/paths.js';

function failure(bytes: Uint8Array, options?: Parameters<typeof decodeModel>[1]): OmnihubError {
  try {
    decodeModel(bytes, options);
  } catch (e) {
    if (e instanceof OmnihubError) return e;
    throw new Error(`expected an OmnihubError, got ${e}`);
  }
  throw new Error('expected the decode to fail');
}

/** Deterministic bytes (xorshift32), so a failing case can be replayed. */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}

/** A length-delimited field: tag (field << 3 | 2), length, payload. */
function field(fieldNumber: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint((fieldNumber << 3) | 2), ...varint(payload.length), ...payload]);
}

const mnist = readFileSync(fixture('onnx/burn_mnist.onnx'));

describe('bad input', () => {
  it('a 0-byte file', () => {
    const e = failure(new Uint8Array(0));
    expect(e.code).toBe('empty-file');
    expect(e.message).toMatch(/empty \(0 bytes\)/);
  });

  it.each([1, 2, 10, 100, 1000, 50_000, 754_000, mnist.length - 1])('burn_mnist.onnx truncated to %i bytes', (n) => {
    const e = failure(mnist.subarray(0, n));
    expect(['truncated', 'not-onnx'] as ErrorCode[]).toContain(e.code);
    if (n > 100) expect(e.code).toBe('truncated');
  });

  it('an HDF5 file named .onnx is recognised as HDF5', () => {
    const e = failure(readFileSync(fixture('keras/fml__keras_3layer.h5')));
    expect(e.code).toBe('wrong-format');
    expect(e.message).toMatch(/HDF5/);
  });

  it.each([
    ['keras/fml__qkeras-v3_3layer.keras', /ZIP/],
    ['pytorch/facenet-pytorch__pnet.pt', /pickle/],
    ['onnx/burn_mnist.io.npz', /ZIP/],
  ])('%s is named for what it is', (path, pattern) => {
    const e = failure(readFileSync(fixture(path)));
    expect(e.code).toBe('wrong-format');
    expect(e.message).toMatch(pattern);
  });

  it('a length field larger than the file', () => {
    // ModelProto.graph (field 7) claiming 1,000,000,000 bytes, followed by 3.
    const bytes = Uint8Array.from([0x08, 0x07, ...varint((7 << 3) | 2), ...varint(1_000_000_000), 1, 2, 3]);
    const e = failure(bytes);
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/runs past the end/);
  });

  it('nesting deep enough to blow a naive recursive decoder', () => {
    // Graph → Node(1) → Attribute(5) → Graph g(6) → Node … 100,000 levels deep. Built from the inside out by
    // collecting each level's field headers, since every length depends on everything inside it.
    const headers: number[][] = [];
    let inner = 0;
    for (let level = 0; level < 100_000; level++) {
      for (const fieldNumber of [6, 5, 1]) {
        const header = [(fieldNumber << 3) | 2, ...varint(inner)];
        inner += header.length;
        headers.push(header);
      }
    }
    const graph = Uint8Array.from(headers.reverse().flat());
    const model = Uint8Array.from([0x08, 0x08, ...varint((7 << 3) | 2), ...varint(graph.length), ...graph]);
    expect(model.length).toBeGreaterThan(1_000_000);
    const e = failure(model);
    expect(e.code).toBe('too-deep');
    expect(e.message).toMatch(/nested deeper than 100 levels/);
  });

  it('a file of many empty messages stops at the message budget instead of exhausting memory', () => {
    const emptyNode = field(1, new Uint8Array(0));
    const graph = new Uint8Array(emptyNode.length * 100_000);
    for (let i = 0; i < 100_000; i++) graph.set(emptyNode, i * emptyNode.length);
    const model = Uint8Array.from([0x08, 0x08, ...field(7, graph)]);
    expect(decodeModel(model).graph!.node!.length).toBe(100_000);
    const e = failure(model, { maxMessages: 10_000 });
    expect(e.code).toBe('too-large');
  });

  it('1,000 random byte strings each fail with a typed error (or decode), never anything else', () => {
    const codes = new Map<string, number>();
    for (let seed = 1; seed <= 1000; seed++) {
      const bytes = randomBytes(1 + (seed * 7919) % 4096, seed);
      try {
        decodeModel(bytes);
        codes.set('decoded', (codes.get('decoded') ?? 0) + 1);
      } catch (e) {
        expect(e).toBeInstanceOf(OmnihubError);
        const code = (e as OmnihubError).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    // Random bytes are essentially never a model with a graph and an IR version.
    expect(codes.get('decoded') ?? 0).toBe(0);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('flipped bytes in a real model give a typed error or a model that re-encodes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = Uint8Array.from(mnist.subarray(0, 4096));
      const noise = randomBytes(8, seed);
      for (let i = 0; i < 4; i++) bytes[(noise[i] * 16 + noise[i + 4]) % bytes.length] ^= 0xff;
      try {
        encodeModel(decodeModel(bytes));
      } catch (e) {
        expect(e).toBeInstanceOf(OmnihubError);
      }
    }
  });

  it('a serialized tensor that is not one', () => {
    expect(() => decodeTensorProto(new Uint8Array(0))).toThrow(/empty/);
    expect(() => decodeTensorProto(onnx.TensorProto.encode({ name: 'x' }).finish())).toThrow(/no data_type/);
  });
});
