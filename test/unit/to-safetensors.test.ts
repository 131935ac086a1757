/**
 * `.pt` / `.pth` → `.safetensors` (src/core/convert/to-safetensors.ts): every PyTorch fixture with tensors comes back
 * from the written file bit-exact (names, dtypes incl. float16/bfloat16, shapes, bytes) against readTorchFile, and
 * tensors sharing storage in a torch.save archive are written as separate copies and reported.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { aliasedTensors, torchToSafetensors } from '../../src/core/convert/to-safetensors.js';
import { readTorchFile } from '../../src/core/formats/pytorch/index.js';
import { readSafetensors } from '../../src/core/formats/safetensors/index.js';
import { concatBytes } from '../../src/core/bytes.js';
import { OmnihubError } from '../../src/core/errors.js';
import { toFloat32, type StateDict } from '../../src/core/weights/types.js';
import { findFiles, fixture } from '../support/paths.js';

const load = (path: string) => new Uint8Array(readFileSync(path));

/** Tensors each fixture's state dict holds (MANIFEST.tsv; TorchScript: parameters, buffers and constants). */
const EXPECTED: Record<string, number> = {
  'burn__batch_norm2d.pt': 5,
  'burn__bfloat16.pt': 1,
  'burn__checkpoint.pt': 4,
  'burn__complex_nested.pt': 23,
  'burn__conv2d.pt': 3,
  'burn__embedding.pt': 1,
  'burn__float16.pt': 1,
  'burn__mnist.pt': 20,
  'burn__simple_legacy.pt': 3,
  'facenet-pytorch__pnet.pt': 13,
  'facenet-pytorch__rnet.pt': 16,
  'silero_vad.jit': 33,
  'squeezenet1_1-random.pth': 52,
  'mobilenet_v3_small-random.pth': 244,
};

const files = ['.pt', '.pth', '.jit'].flatMap((ext) => findFiles(fixture('pytorch'), ext));

function expectSameTensors(actual: StateDict, expected: StateDict): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, t] of expected) {
    const r = actual.get(name)!;
    expect({ dtype: r.dtype, shape: r.shape }, name).toEqual({ dtype: t.dtype, shape: t.shape });
    expect(Buffer.from(r.bytes).equals(Buffer.from(t.bytes)), name).toBe(true);
  }
}

describe('.pt → .safetensors on every PyTorch fixture', () => {
  it('finds all the fixtures', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const path of files) {
    it(`${basename(path)}: bit-exact with readTorchFile`, () => {
      const bytes = load(path);
      const torch = readTorchFile(bytes);
      expect(torch.tensors.size).toBe(EXPECTED[basename(path)]);
      const { chunks, report } = torchToSafetensors(bytes);
      const file = concatBytes(chunks);
      expect(report.tensors).toBe(torch.tensors.size);
      expect(report.fileBytes).toBe(file.length);
      expect(report.bytes).toBe([...torch.tensors.values()].reduce((n, t) => n + t.bytes.byteLength, 0));
      expect(report.bytes).toBe(file.length - readSafetensors(file).dataStart);
      expect(report.sharedStoragesDuplicated).toEqual([]);
      expect(report.format).toBe(torch.format);
      const back = readSafetensors(file);
      expect(back.metadata).toEqual({ format: 'pt' });
      expectSameTensors(back.tensors, torch.tensors);
    });
  }

  it('keeps float16 and bfloat16 as F16 / BF16, values included', () => {
    for (const [name, dtype, tag] of [['burn__float16.pt', 'float16', 'F16'], ['burn__bfloat16.pt', 'bfloat16', 'BF16']] as const) {
      const bytes = load(fixture('pytorch', name));
      const file = concatBytes(torchToSafetensors(bytes).chunks);
      expect(new TextDecoder().decode(file.subarray(8, 80))).toContain(`"dtype":"${tag}"`);
      const t = readSafetensors(file).tensors.get('tensor')!;
      expect(t.dtype).toBe(dtype);
      expect([...toFloat32(t)]).toEqual([...toFloat32(readTorchFile(bytes).tensors.get('tensor')!)]);
    }
  });

  it('a training checkpoint gives its model_state_dict, and says so', () => {
    const { report } = torchToSafetensors(load(fixture('pytorch', 'burn__checkpoint.pt')));
    expect(report.stateDictPath).toEqual(['model_state_dict']);
    expect(report.notes).toContain("state dict taken from ['model_state_dict']");
    expect(report.notes).toContain('epoch: 42');
  });

  it('a file that is not PyTorch keeps the reader’s error', () => {
    let code: string | undefined;
    try {
      torchToSafetensors(load(fixture('safetensors', 'burn__multi_layer.safetensors')));
    } catch (e) {
      code = e instanceof OmnihubError ? e.code : String(e);
    }
    expect(code).toBe('wrong-format');
  });
});

// ---- a torch.save archive whose tensors share storage, built as torch.save writes it (pickle protocol 2) ----

class Pickler {
  private readonly out: number[] = [0x80, 0x02]; // PROTO 2
  op(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b); // BINUNICODE
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)); // GLOBAL
  }
  int(n: number): this {
    return this.op(0x4b, n); // BININT1
  }
  ints(values: number[]): this {
    this.op(0x28); // MARK
    for (const v of values) this.int(v);
    return this.op(0x74); // TUPLE
  }
  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, OrderedDict()) */
  tensor(storageType: string, key: string, numel: number, offset: number, size: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    this.op(0x28).str('storage').global('torch', storageType).str(key).str('cpu').int(numel).op(0x74, 0x51); // pid, BINPERSID
    this.int(offset).ints(size).ints(stride).op(0x89); // NEWFALSE
    this.global('collections', 'OrderedDict').op(0x29, 0x52); // EMPTY_TUPLE, REDUCE
    return this.op(0x74, 0x52); // TUPLE, REDUCE
  }
  bytes(): Uint8Array {
    return Uint8Array.from([...this.out, 0x2e]); // STOP
  }
}

function sharedStorageArchive(): Uint8Array {
  const p = new Pickler().global('collections', 'OrderedDict').op(0x29, 0x52, 0x28); // OrderedDict(), MARK
  p.str('embed.weight').tensor('FloatStorage', '0', 12, 0, [4, 3], [3, 1]);
  p.str('head.weight').tensor('FloatStorage', '0', 12, 0, [4, 3], [3, 1]); // tied to embed.weight
  p.str('head.bias').tensor('HalfStorage', '1', 4, 0, [4], [1]);
  p.str('row').tensor('FloatStorage', '0', 12, 3, [3], [1]); // a view of embed.weight's second row
  p.op(0x75); // SETITEMS
  const floats = new Uint8Array(Float32Array.from({ length: 12 }, (_, i) => i / 4).buffer);
  const halves = new Uint8Array(Uint16Array.from([0x3c00, 0x4000, 0xbc00, 0x0001]).buffer);
  return zipSync({
    'archive/data.pkl': [p.bytes(), { level: 0 }],
    'archive/byteorder': [new TextEncoder().encode('little'), { level: 0 }],
    'archive/data/0': [floats, { level: 0 }],
    'archive/data/1': [halves, { level: 0 }],
    'archive/version': [new TextEncoder().encode('3\n'), { level: 0 }],
  }, { level: 0 });
}

describe('tensors sharing storage', () => {
  it('are written as separate copies and reported', () => {
    const bytes = sharedStorageArchive();
    const torch = readTorchFile(bytes);
    expect([...torch.tensors.keys()]).toEqual(['embed.weight', 'head.weight', 'head.bias', 'row']);
    expect(aliasedTensors(torch.tensors)).toEqual([
      { name: 'head.weight', sharesWith: 'embed.weight' },
      { name: 'row', sharesWith: 'embed.weight' },
    ]);
    const { chunks, report } = torchToSafetensors(bytes);
    expect(report.sharedStoragesDuplicated).toEqual(['head.weight', 'row']);
    expect(report.notes.some((n) => n.startsWith('2 tensors shared storage with another'))).toBe(true);
    const back = readSafetensors(concatBytes(chunks));
    // Reference order: float32 before float16, then by name; each tensor has its own bytes.
    expect([...back.tensors.keys()]).toEqual(['embed.weight', 'head.weight', 'row', 'head.bias']);
    expectSameTensors(back.tensors, torch.tensors);
    expect([...toFloat32(back.tensors.get('row')!)]).toEqual([0.75, 1, 1.25]);
    expect([...toFloat32(back.tensors.get('head.bias')!)]).toEqual([1, 2, -1, 2 ** -24]);
    const offsets = [...back.tensors.values()].map((t) => t.bytes.byteOffset);
    expect(new Set(offsets).size).toBe(4);
  });

  it('aliasedTensors ignores separate ranges of one buffer and empty tensors', () => {
    const buffer = new Uint8Array(64);
    const sd: StateDict = new Map([
      ['a', { name: 'a', dtype: 'float32', shape: [4], bytes: buffer.subarray(0, 16) }],
      ['b', { name: 'b', dtype: 'float32', shape: [4], bytes: buffer.subarray(16, 32) }],
      ['e', { name: 'e', dtype: 'float32', shape: [0], bytes: buffer.subarray(16, 16) }],
      ['c', { name: 'c', dtype: 'float32', shape: [2], bytes: buffer.subarray(28, 36) }],
    ]);
    expect(aliasedTensors(sd)).toEqual([{ name: 'c', sharesWith: 'b' }]);
  });
});
