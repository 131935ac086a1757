// The PyTorch reader against real files (torch.save zip and legacy formats, a training checkpoint, TorchScript,
// torchvision state dicts), checked against numbers from elsewhere: the ONNX exports of the same weights, the values
// burn's generator script states for its dtype fixtures, and sha256 digests of every tensor's C-order bytes computed
// by an independent reader (CPython's pickle + numpy.lib.stride_tricks). Then synthetic archives for the forms the
// fixtures lack (every storage dtype, torch 2 rebuild functions, strides, shared storages, big-endian, ZIP64), and
// hostile input: code-running pickles, truncation, zip bombs, broken sizes and fuzzed bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { OmnihubError } from '../../src/core/errors.js';
import { readTorchFile, isTorchFile, type TorchFile } from '../../src/core/formats/pytorch/index.js';
import { ZipArchive } from '../../src/core/formats/zip/reader.js';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { tensorDims, tensorToFloat32 } from '../../src/core/onnx/tensor.js';
import { toFloat32, type WeightTensor } from '../../src/core/weights/types.js';
import { fixture } from '../support/paths.js';

const read = (path: string) => new Uint8Array(readFileSync(fixture(path)));

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof OmnihubError) return e.code;
    return `not an OmnihubError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  return 'no error';
}

function thrown(f: () => unknown): OmnihubError {
  try {
    f();
  } catch (e) {
    if (e instanceof OmnihubError) return e;
    throw e;
  }
  throw new Error('expected an OmnihubError');
}

/** sha256 of all tensors' bytes in order, first 16 hex digits (what the independent Python reader printed). */
function digest(file: TorchFile): string {
  const h = createHash('sha256');
  for (const t of file.tensors.values()) h.update(t.bytes);
  return h.digest('hex').slice(0, 16);
}

/** Bit-for-bit equal float arrays (toEqual walks 370k elements far too slowly). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const elements = (file: TorchFile) => [...file.tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
const u16 = (t: WeightTensor) => Array.from({ length: t.bytes.length / 2 }, (_, i) => t.bytes[2 * i] | (t.bytes[2 * i + 1] << 8));

// ---------------------------------------------------------------------------------------------------------------
// Builders for synthetic files: a minimal pickle writer and a ZIP writer (stored / deflated, optional ZIP64).

class Pickle {
  private readonly out: number[] = [];
  op(...bytes: number[]): this { this.out.push(...bytes); return this; }
  text(s: string): this { for (const c of new TextEncoder().encode(s)) this.out.push(c); return this; }
  proto(n = 2): this { return this.op(0x80, n); }
  global(module: string, name: string): this { return this.op(0x63).text(`${module}\n${name}\n`); }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    return this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  }
  float(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return this.op(0x47, ...b);
  }
  ints(xs: number[]): this { this.op(0x28); for (const x of xs) this.int(x); return this.op(0x74); }
  mark(): this { return this.op(0x28); }
  tuple(): this { return this.op(0x74); }
  dict(): this { return this.op(0x7d); }
  setitems(): this { return this.op(0x75); }
  reduce(): this { return this.op(0x52); }
  stop(): Uint8Array { this.op(0x2e); return Uint8Array.from(this.out); }
  /** OrderedDict() as torch writes it for backward_hooks. */
  orderedDict(): this { return this.global('collections', 'OrderedDict').op(0x29).reduce(); }
  /** The persistent id tuple ('storage', torch.<type>, key, location, numel) and BINPERSID. */
  storage(type: string, key: string, numel: number, location = 'cpu'): this {
    return this.mark().str('storage').global('torch', type).str(key).str(location).int(numel).tuple().op(0x51);
  }
  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
  tensor(type: string, key: string, numel: number, offset: number, shape: number[], stride: number[], location = 'cpu'): this {
    return this.global('torch._utils', '_rebuild_tensor_v2').mark()
      .storage(type, key, numel, location).int(offset).ints(shape).ints(stride).op(0x89).orderedDict()
      .tuple().reduce();
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipItem {
  name: string;
  /** The entry's data; or only a size (zeros, never written: a big test archive costs no time to build). */
  data?: Uint8Array;
  size?: number;
  deflate?: boolean;
  /** Already-deflated data (reused across archives: deflating a bomb once is enough). */
  compressed?: Uint8Array;
  /** Overrides the uncompressed size written in the headers (a lying zip bomb). */
  declaredSize?: number;
}

function zip(items: ZipItem[], options: { zip64?: boolean } = {}): Uint8Array {
  const enc = new TextEncoder();
  const prepared = items.map((item) => {
    const raw = item.data ?? new Uint8Array(0);
    const stored = item.compressed ?? (item.deflate ? deflateSync(raw) : raw);
    const hasBytes = item.data !== undefined || item.compressed !== undefined;
    const length = hasBytes ? stored.length : item.size ?? 0;
    const size = item.declaredSize ?? item.size ?? raw.length;
    return { ...item, deflate: item.deflate || item.compressed !== undefined, hasBytes, name: enc.encode(item.name), stored, length, size, crc: item.data ? crc32(raw) : 0 };
  });
  const z64 = options.zip64 === true;
  let total = 0;
  for (const p of prepared) total += 30 + p.name.length + p.length + 46 + p.name.length + (z64 ? 28 : 0);
  total += z64 ? 56 + 20 + 22 : 22;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let at = 0;
  const offsets: number[] = [];
  for (const p of prepared) {
    offsets.push(at);
    v.setUint32(at, 0x04034b50, true);
    v.setUint16(at + 4, 20, true);
    v.setUint16(at + 8, p.deflate ? 8 : 0, true);
    v.setUint32(at + 14, p.crc, true);
    v.setUint32(at + 18, p.length, true);
    v.setUint32(at + 22, p.size, true);
    v.setUint16(at + 26, p.name.length, true);
    out.set(p.name, at + 30);
    at += 30 + p.name.length;
    if (p.hasBytes) out.set(p.stored, at);
    at += p.length;
  }
  const cd = at;
  prepared.forEach((p, i) => {
    v.setUint32(at, 0x02014b50, true);
    v.setUint16(at + 4, 45, true);
    v.setUint16(at + 6, 45, true);
    v.setUint16(at + 10, p.deflate ? 8 : 0, true);
    v.setUint32(at + 16, p.crc, true);
    v.setUint32(at + 20, z64 ? 0xffffffff : p.length, true);
    v.setUint32(at + 24, z64 ? 0xffffffff : p.size, true);
    v.setUint16(at + 28, p.name.length, true);
    v.setUint16(at + 30, z64 ? 28 : 0, true);
    v.setUint32(at + 42, z64 ? 0xffffffff : offsets[i], true);
    out.set(p.name, at + 46);
    at += 46 + p.name.length;
    if (z64) {
      v.setUint16(at, 1, true);
      v.setUint16(at + 2, 24, true);
      v.setBigUint64(at + 4, BigInt(p.size), true);
      v.setBigUint64(at + 12, BigInt(p.length), true);
      v.setBigUint64(at + 20, BigInt(offsets[i]), true);
      at += 28;
    }
  });
  const cdSize = at - cd;
  if (z64) {
    const rec = at;
    v.setUint32(at, 0x06064b50, true);
    v.setBigUint64(at + 4, 44n, true);
    v.setBigUint64(at + 24, BigInt(prepared.length), true);
    v.setBigUint64(at + 32, BigInt(prepared.length), true);
    v.setBigUint64(at + 40, BigInt(cdSize), true);
    v.setBigUint64(at + 48, BigInt(cd), true);
    at += 56;
    v.setUint32(at, 0x07064b50, true);
    v.setBigUint64(at + 8, BigInt(rec), true);
    v.setUint32(at + 16, 1, true);
    at += 20;
  }
  v.setUint32(at, 0x06054b50, true);
  v.setUint16(at + 8, z64 ? 0xffff : prepared.length, true);
  v.setUint16(at + 10, z64 ? 0xffff : prepared.length, true);
  v.setUint32(at + 12, z64 ? 0xffffffff : cdSize, true);
  v.setUint32(at + 16, z64 ? 0xffffffff : cd, true);
  return out;
}

/** A torch.save-style archive: archive/data.pkl, archive/data/<key> for each storage, byteorder, version. */
function torchZip(dataPkl: Uint8Array, storages: Record<string, Uint8Array>, options: { byteorder?: string; extra?: ZipItem[]; zip64?: boolean; deflate?: boolean } = {}): Uint8Array {
  return zip([
    { name: 'archive/data.pkl', data: dataPkl, deflate: options.deflate },
    { name: 'archive/byteorder', data: new TextEncoder().encode(options.byteorder ?? 'little') },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data, deflate: options.deflate })),
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
    ...(options.extra ?? []),
  ], { zip64: options.zip64 });
}

/** A legacy torch.save file: magic, protocol 1001, sys_info, the main pickle, the key list, then the storages. */
function legacyFile(main: Uint8Array, storages: Array<[key: string, count: number, data: Uint8Array]>): Uint8Array {
  const magic = new Pickle().proto().op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).stop();
  const protocol = new Pickle().proto().op(0x4d, 0xe9, 0x03).stop();
  const sysInfo = new Pickle().proto().dict().mark().str('protocol_version').op(0x4d, 0xe9, 0x03).str('little_endian').op(0x88).setitems().stop();
  const keys = new Pickle().proto().op(0x5d).mark();
  for (const [key] of storages) keys.str(key);
  const parts = [magic, protocol, sysInfo, main, keys.op(0x65).stop()];
  for (const [, count, data] of storages) {
    const n = new Uint8Array(8);
    new DataView(n.buffer).setBigInt64(0, BigInt(count), true);
    parts.push(n, data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const f32 = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
const values = (t: WeightTensor) => Array.from(toFloat32(t));

// ---------------------------------------------------------------------------------------------------------------

describe('real PyTorch files', () => {
  // count, elements and digest from the independent Python reader; names/shapes as torch lists them.
  const cases: Array<{ file: string; format: TorchFile['format']; count: number; elements: number; digest: string; first: [string, string, number[]]; last: [string, string, number[]] }> = [
    { file: 'burn__batch_norm2d.pt', format: 'zip', count: 5, elements: 21, digest: '6c3091b48007f9b1', first: ['norm1.weight', 'float32', [5]], last: ['norm1.num_batches_tracked', 'int64', []] },
    { file: 'burn__bfloat16.pt', format: 'zip', count: 1, elements: 3, digest: '783b277ab8b4686b', first: ['tensor', 'bfloat16', [3]], last: ['tensor', 'bfloat16', [3]] },
    { file: 'burn__checkpoint.pt', format: 'zip', count: 4, elements: 93, digest: '7e571f8b4d0b3a75', first: ['fc1.weight', 'float32', [10, 5]], last: ['fc2.bias', 'float32', [3]] },
    { file: 'burn__complex_nested.pt', format: 'zip', count: 23, elements: 1851, digest: '4fac90ddd5ebe35e', first: ['conv_blocks.0.conv.weight', 'float32', [4, 2, 3, 2]], last: ['fc2.bias', 'float32', [10]] },
    { file: 'burn__conv2d.pt', format: 'zip', count: 3, elements: 34, digest: 'f8d44e06f30a9c30', first: ['conv1.weight', 'float32', [2, 2, 2, 2]], last: ['conv2.weight', 'float32', [2, 2, 2, 2]] },
    { file: 'burn__embedding.pt', format: 'zip', count: 1, elements: 30, digest: '848200f86253752d', first: ['embed.weight', 'float32', [10, 3]], last: ['embed.weight', 'float32', [10, 3]] },
    { file: 'burn__float16.pt', format: 'zip', count: 1, elements: 3, digest: 'd1ec34f6b0a643c4', first: ['tensor', 'float16', [3]], last: ['tensor', 'float16', [3]] },
    { file: 'burn__mnist.pt', format: 'zip', count: 20, elements: 376940, digest: '800b3716347472f7', first: ['conv1.weight', 'float32', [8, 1, 3, 3]], last: ['norm2.num_batches_tracked', 'int64', []] },
    { file: 'burn__simple_legacy.pt', format: 'legacy', count: 3, elements: 10, digest: '97aac11b4c2ffe09', first: ['weight', 'float32', [2, 3]], last: ['running_mean', 'float32', [2]] },
    { file: 'facenet-pytorch__pnet.pt', format: 'legacy', count: 13, elements: 6632, digest: 'd1622ddbe9a55f9f', first: ['conv1.weight', 'float32', [10, 3, 3, 3]], last: ['conv4_2.bias', 'float32', [4]] },
    { file: 'facenet-pytorch__rnet.pt', format: 'legacy', count: 16, elements: 100178, digest: 'bd6cc4424e5374a7', first: ['conv1.weight', 'float32', [28, 3, 3, 3]], last: ['dense5_2.bias', 'float32', [4]] },
    { file: 'silero_vad.jit', format: 'torchscript', count: 33, elements: 545282, digest: 'a4db4e55c71542db', first: ['_state', 'float32', [0]], last: ['constants.0', 'float32', [0]] },
    { file: 'torchvision/squeezenet1_1-random.pth', format: 'zip', count: 52, elements: 1235496, digest: '1c3222c90247e794', first: ['features.0.weight', 'float32', [64, 3, 3, 3]], last: ['classifier.1.bias', 'float32', [1000]] },
    { file: 'torchvision/mobilenet_v3_small-random.pth', format: 'zip', count: 244, elements: 2555002, digest: '9810b55e2df296ec', first: ['features.0.0.weight', 'float32', [16, 3, 3, 3]], last: ['classifier.3.bias', 'float32', [1000]] },
  ];

  for (const c of cases) {
    it(`${c.file}: ${c.count} tensors, ${c.elements} elements, bytes as numpy sees them`, () => {
      const bytes = read(`pytorch/${c.file}`);
      expect(isTorchFile(bytes)).toBe(true);
      const file = readTorchFile(bytes);
      expect(file.format).toBe(c.format);
      expect(file.tensors.size).toBe(c.count);
      expect(elements(file)).toBe(c.elements);
      expect(digest(file)).toBe(c.digest);
      const list = [...file.tensors.values()];
      for (const [t, [name, dtype, shape]] of [[list[0], c.first], [list[list.length - 1], c.last]] as const) {
        expect(t.name).toBe(name);
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual(shape);
      }
    });
  }

  it('burn__mnist.pt holds exactly the initializers of onnx/burn_mnist.onnx (mps storages read as CPU)', () => {
    const file = readTorchFile(read('pytorch/burn__mnist.pt'));
    expect(file.stateDictPath).toEqual([]);
    expect(file.notes).toContain('storages saved on mps; read as CPU data');
    const model = decodeModel(read('onnx/burn_mnist.onnx'));
    const initializers = model.graph!.initializer!;
    expect(initializers).toHaveLength(18);
    for (const init of initializers) {
      const t = file.tensors.get(init.name!)!; // same names: conv1.weight … norm2.running_var
      expect(t, init.name!).toBeDefined();
      expect(t.shape).toEqual(tensorDims(init));
      expect(sameValues(toFloat32(t), tensorToFloat32(init)), init.name!).toBe(true);
    }
    // The two tensors ONNX has no use for: BatchNorm's step counters (3752 steps of training).
    expect([...file.tensors.keys()].filter((n) => !initializers.some((i) => i.name === n))).toEqual(['norm1.num_batches_tracked', 'norm2.num_batches_tracked']);
    expect(new DataView(file.tensors.get('norm1.num_batches_tracked')!.bytes.slice().buffer).getBigInt64(0, true)).toBe(3752n);
  });

  it('facenet P-Net and R-Net (legacy format, transposed storages) equal the initializers of their ONNX exports', () => {
    for (const [pt, onnxFile, prelus] of [
      ['facenet-pytorch__pnet.pt', 'onnx/mtcnn_pnet.onnx', ['prelu1', 'prelu2', 'prelu3']],
      ['facenet-pytorch__rnet.pt', 'onnx/mtcnn_rnet.onnx', ['prelu1', 'prelu2', 'prelu3']],
    ] as const) {
      const bytes = read(`pytorch/${pt}`);
      const file = readTorchFile(bytes);
      const initializers = decodeModel(read(onnxFile)).graph!.initializer!;
      // PyTorch's exporter renamed the PReLU slopes (onnx::PRelu_N, shape [C,1,1]) in file order.
      const slopes = initializers.filter((i) => i.name!.startsWith('onnx::PRelu_'));
      expect(slopes).toHaveLength(prelus.length);
      let compared = 0;
      for (const init of initializers) {
        const name = init.name!.startsWith('onnx::PRelu_') ? `${prelus[slopes.indexOf(init)]}.weight` : init.name!;
        const t = file.tensors.get(name)!;
        expect(t, name).toBeDefined();
        expect(t.shape.reduce((a, b) => a * b, 1)).toBe(tensorDims(init).reduce((a, b) => a * b, 1));
        expect(sameValues(toFloat32(t), tensorToFloat32(init)), name).toBe(true);
        compared++;
      }
      expect(compared).toBe(initializers.length);
      // The conv weights were saved transposed (stride [1, C, …]): gathered copies; the rest are views.
      expect(file.tensors.get('conv1.weight')!.bytes.buffer).not.toBe(bytes.buffer);
      expect(file.tensors.get('conv1.bias')!.bytes.buffer).toBe(bytes.buffer);
    }
  });

  it('float16 and bfloat16 fixtures are bit-exact ([1.5, -2.25, 3.125] and [1.5, -2.5, 3.5] in burn\'s test_data.py)', () => {
    const half = readTorchFile(read('pytorch/burn__float16.pt')).tensors.get('tensor')!;
    expect(half.dtype).toBe('float16');
    expect(u16(half)).toEqual([0x3e00, 0xc080, 0x4240]);
    expect(values(half)).toEqual([1.5, -2.25, 3.125]);
    const bf = readTorchFile(read('pytorch/burn__bfloat16.pt')).tensors.get('tensor')!;
    expect(bf.dtype).toBe('bfloat16');
    expect(u16(bf)).toEqual([0x3fc0, 0xc020, 0x4060]);
    expect(values(bf)).toEqual([1.5, -2.5, 3.5]);
  });

  it('a training checkpoint: the state dict under model_state_dict, epoch and loss as notes, the optimizer left out', () => {
    const file = readTorchFile(read('pytorch/burn__checkpoint.pt'));
    expect(file.stateDictPath).toEqual(['model_state_dict']);
    expect([...file.tensors.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(file.tensors.get('fc2.weight')!.shape).toEqual([3, 10]);
    expect(file.notes).toEqual([
      'optimizer_state_dict: 1 more tensor, not part of the state dict (not read)',
      'epoch: 42',
      'loss: 0.123',
    ]);
  });

  it('legacy files: values as the generator wrote them (simple_legacy.py: bias = ones(2), running_mean = zeros(2))', () => {
    const file = readTorchFile(read('pytorch/burn__simple_legacy.pt'));
    expect(file.format).toBe('legacy');
    expect([...file.tensors.keys()]).toEqual(['weight', 'bias', 'running_mean']);
    expect(values(file.tensors.get('bias')!)).toEqual([1, 1]);
    expect(values(file.tensors.get('running_mean')!)).toEqual([0, 0]);
    expect(file.notes).toEqual(['legacy torch.save format (before PyTorch 1.6)']);
  });

  it('the TorchScript archive: both Silero submodules\' weights by attribute path, and the constant', () => {
    const file = readTorchFile(read('pytorch/silero_vad.jit'));
    const names = [...file.tensors.keys()];
    expect(names.filter((n) => n.startsWith('_model.'))).toHaveLength(15);
    expect(names.filter((n) => n.startsWith('_model_8k.'))).toHaveLength(15);
    expect(names.slice(0, 4)).toEqual(['_state', '_context', '_model.stft.forward_basis_buffer', '_model.encoder.0.reparam_conv.weight']);
    const shape = (n: string) => file.tensors.get(n)!.shape;
    expect(shape('_model.stft.forward_basis_buffer')).toEqual([258, 1, 256]);
    expect(shape('_model.encoder.0.reparam_conv.weight')).toEqual([128, 129, 3]);
    expect(shape('_model_8k.encoder.0.reparam_conv.weight')).toEqual([128, 65, 3]);
    expect(shape('_model.decoder.rnn.weight_ih')).toEqual([512, 128]);
    expect(shape('_model_8k.decoder.decoder.2.weight')).toEqual([1, 128, 1]);
    // Parameters proper (without the two STFT bases and the empty state tensors): the 462,594 the manifest counts.
    const params = names.filter((n) => !n.includes('forward_basis') && file.tensors.get(n)!.bytes.length);
    expect(params.reduce((s, n) => s + shape(n).reduce((a, b) => a * b, 1), 0)).toBe(545282 - 258 * 256 - 130 * 128);
    expect(file.notes).toContain('constants.pkl: 1 constant tensor');
  });

  it('squeezenet1_1 (52 tensors) reads with zero copies, even from an unaligned view into a bigger buffer', () => {
    const original = read('pytorch/torchvision/squeezenet1_1-random.pth');
    const big = new Uint8Array(original.length + 11);
    big.set(original, 3);
    const input = big.subarray(3, 3 + original.length); // byteOffset 3: no tensor is 4-aligned any more
    const file = readTorchFile(input);
    expect(file.tensors.size).toBe(52);
    for (const t of file.tensors.values()) {
      expect(t.bytes.buffer).toBe(big.buffer);
      expect(t.bytes.byteOffset).toBeGreaterThanOrEqual(3);
    }
    expect(digest(file)).toBe('1c3222c90247e794');
    expect(values(file.tensors.get('classifier.1.bias')!)).toEqual(values(readTorchFile(original).tensors.get('classifier.1.bias')!));
  });

  it('isTorchFile: yes for PyTorch files, no for an ONNX model, a .npz archive, a Keras zip and noise', () => {
    expect(isTorchFile(read('onnx/burn_mnist.onnx'))).toBe(false);
    expect(isTorchFile(read('onnx/burn_mnist.io.npz'))).toBe(false);
    expect(isTorchFile(read('keras/fml__qkeras-v3_3layer.keras'))).toBe(false);
    expect(isTorchFile(new Uint8Array(100).fill(7))).toBe(false);
    expect(isTorchFile(new Uint8Array(0))).toBe(false);
    expect(code(() => readTorchFile(read('onnx/burn_mnist.io.npz')))).toBe('wrong-format');
  });
});

describe('synthetic torch.save archives', () => {
  it('every storage dtype maps to its weight dtype, bytes untouched', () => {
    const cases: Array<[string, string, Uint8Array]> = [
      ['FloatStorage', 'float32', f32(1.5, -2)],
      ['DoubleStorage', 'float64', new Uint8Array(Float64Array.of(0.1, -3).buffer)],
      ['HalfStorage', 'float16', Uint8Array.of(0x00, 0x3e, 0x80, 0xc0)],
      ['BFloat16Storage', 'bfloat16', Uint8Array.of(0xc0, 0x3f, 0x20, 0xc0)],
      ['LongStorage', 'int64', new Uint8Array(BigInt64Array.of(-5n, 2n ** 40n).buffer)],
      ['IntStorage', 'int32', new Uint8Array(Int32Array.of(-7, 70000).buffer)],
      ['ShortStorage', 'int16', new Uint8Array(Int16Array.of(-300, 300).buffer)],
      ['CharStorage', 'int8', Uint8Array.of(0xfd, 5)],
      ['ByteStorage', 'uint8', Uint8Array.of(250, 1)],
      ['BoolStorage', 'bool', Uint8Array.of(1, 0)],
      ['ComplexFloatStorage', 'complex64', f32(1, 2, 3, 4)],
    ];
    const p = new Pickle().proto().global('collections', 'OrderedDict').op(0x29).reduce().mark();
    cases.forEach(([type], i) => p.str(`t${i}`).tensor(type, String(i), 2, 0, [2], [1]));
    const archive = torchZip(p.setitems().stop(), Object.fromEntries(cases.map(([, , data], i) => [String(i), data])));
    const file = readTorchFile(archive);
    expect([...file.tensors.values()].map((t) => t.dtype)).toEqual(cases.map(([, dtype]) => dtype));
    cases.forEach(([, , data], i) => {
      const t = file.tensors.get(`t${i}`)!;
      expect(Array.from(t.bytes)).toEqual(Array.from(data));
      expect(t.bytes.buffer).toBe(archive.buffer);
    });
    expect(values(file.tensors.get('t0')!)).toEqual([1.5, -2]);
    expect(values(file.tensors.get('t4')!)).toEqual([-5, 2 ** 40]);
  });

  it('torch 2 forms: UntypedStorage + _rebuild_tensor_v3 with a dtype global, Parameters, _rebuild_from_type_v2, protocol 4', () => {
    const p = new Pickle().proto(4).op(0x95, 0, 0, 0, 0, 0, 0, 0, 0).dict().mark();
    // _rebuild_tensor_v3(UntypedStorage of 6 bytes, 1, (2,), (1,), False, OrderedDict(), torch.float16): elements 1..2
    p.str('v3').global('torch._utils', '_rebuild_tensor_v3').mark().storage('UntypedStorage', '0', 6).int(1).ints([2]).ints([1])
      .op(0x89).orderedDict().global('torch', 'float16').tuple().reduce();
    // _rebuild_parameter(_rebuild_tensor_v2(...), True, OrderedDict()) — via STACK_GLOBAL and MEMOIZE
    p.str('param').str('torch._utils').op(0x94).str('_rebuild_parameter').op(0x94, 0x93).mark()
      .tensor('FloatStorage', '1', 2, 0, [2], [1]).op(0x88).orderedDict().tuple().reduce();
    p.str('with_state').global('torch._utils', '_rebuild_parameter_with_state').mark()
      .tensor('FloatStorage', '1', 2, 1, [1], [1]).op(0x88).orderedDict().dict().tuple().reduce();
    // torch._tensor._rebuild_from_type_v2(_rebuild_tensor_v2, Parameter, (args…), {})
    p.str('from_type').global('torch._tensor', '_rebuild_from_type_v2').mark().global('torch._utils', '_rebuild_tensor_v2')
      .global('torch.nn.parameter', 'Parameter').mark().storage('FloatStorage', '1', 2).int(0).ints([2]).ints([1]).op(0x89).orderedDict().tuple()
      .dict().tuple().reduce();
    const file = readTorchFile(torchZip(p.setitems().stop(), { 0: Uint8Array.of(0xff, 0xff, 0x00, 0x3e, 0x80, 0xc0), 1: f32(4, 5) }));
    const v3 = file.tensors.get('v3')!;
    expect(v3.dtype).toBe('float16');
    expect(u16(v3)).toEqual([0x3e00, 0xc080]); // offset 1 in float16 elements = byte 2
    expect(values(file.tensors.get('param')!)).toEqual([4, 5]);
    expect(values(file.tensors.get('with_state')!)).toEqual([5]);
    expect(values(file.tensors.get('from_type')!)).toEqual([4, 5]);
  });

  it('strides, storage offsets, shared storages, 0-dim, empty and expanded tensors', () => {
    const storage = f32(...Array.from({ length: 12 }, (_, i) => i));
    const p = new Pickle().proto().dict().mark();
    const add = (name: string, offset: number, shape: number[], stride: number[]) => p.str(name).tensor('FloatStorage', '0', 12, offset, shape, stride);
    add('full', 0, [3, 4], [4, 1]);
    add('row1', 4, [4], [1]);
    add('transposed', 0, [4, 3], [1, 4]);
    add('scalar', 7, [], []);
    add('expanded', 1, [2, 3], [0, 1]);
    add('empty', 0, [0, 5], [5, 1]);
    add('column', 2, [3, 1], [4, 1]);
    add('ones', 8, [1, 4], [99, 1]);
    const archive = torchZip(p.setitems().stop(), { 0: storage });
    const file = readTorchFile(archive);
    const get = (n: string) => file.tensors.get(n)!;
    expect(values(get('full'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(values(get('row1'))).toEqual([4, 5, 6, 7]);
    expect(values(get('transposed'))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(get('scalar').shape).toEqual([]);
    expect(values(get('scalar'))).toEqual([7]);
    expect(values(get('expanded'))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(get('empty').bytes.length).toBe(0);
    expect(values(get('column'))).toEqual([2, 6, 10]);
    expect(values(get('ones'))).toEqual([8, 9, 10, 11]);
    // Contiguous tensors are views on the archive (two of them on the same storage bytes); strided ones are copies.
    for (const n of ['full', 'row1', 'scalar', 'ones']) expect(get(n).bytes.buffer, n).toBe(archive.buffer);
    expect(get('row1').bytes.byteOffset).toBe(get('full').bytes.byteOffset + 16);
    for (const n of ['transposed', 'expanded', 'column']) expect(get(n).bytes.buffer, n).not.toBe(archive.buffer);
  });

  it('a checkpoint with a Lightning-style state_dict, numpy scalars and CUDA storages', () => {
    const npScalar = (x: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, x, true);
      return new Pickle().global('numpy.core.multiarray', 'scalar').global('numpy', 'dtype').str('f8').op(0x89, 0x88, 0x87).reduce()
        .mark().int(3).str('<').op(0x4e, 0x4e, 0x4e).int(-1).int(-1).int(0).tuple().op(0x62).op(0x43, 8, ...b, 0x86).reduce();
    };
    const p = new Pickle().proto().dict().mark()
      .str('epoch').int(12)
      .str('best_acc');
    const scalar = npScalar(0.93).stop();
    p.op(...scalar.subarray(0, scalar.length - 1))
      .str('arch').str('resnet_tiny')
      .str('state_dict').dict().mark()
      .str('encoder.weight').tensor('FloatStorage', '0', 4, 0, [2, 2], [2, 1], 'cuda:0')
      .str('encoder.bias').tensor('FloatStorage', '1', 2, 0, [2], [1], 'cuda:1')
      .setitems()
      .str('hyper_parameters').dict().mark().str('lr').float(0.01).setitems()
      .str('device').global('torch', 'device').str('cuda').int(0).op(0x86).reduce()
      .setitems();
    const file = readTorchFile(torchZip(p.stop(), { 0: f32(1, 2, 3, 4), 1: f32(5, 6) }));
    expect(file.stateDictPath).toEqual(['state_dict']);
    expect([...file.tensors.keys()]).toEqual(['encoder.weight', 'encoder.bias']);
    expect(file.notes).toEqual(['epoch: 12', 'best_acc: 0.93', "arch: 'resnet_tiny'", 'storages saved on cuda:0, cuda:1; read as CPU data']);
  });

  it('a big-endian archive is byte-swapped into little-endian copies', () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const p = new Pickle().proto().dict().str('w').tensor('FloatStorage', '0', 2, 0, [2], [1]).op(0x73);
    const file = readTorchFile(torchZip(p.stop(), { 0: be }, { byteorder: 'big' }));
    expect(values(file.tensors.get('w')!)).toEqual([1.5, -2]);
    expect(file.notes).toContain('big-endian file: tensors byte-swapped to little-endian');
  });

  it('ZIP64 directories and deflated entries', () => {
    const p = new Pickle().proto().dict().str('w').tensor('FloatStorage', '0', 3, 0, [3], [1]).op(0x73).stop();
    expect(values(readTorchFile(torchZip(p, { 0: f32(1, 2, 3) }, { zip64: true })).tensors.get('w')!)).toEqual([1, 2, 3]);
    expect(values(readTorchFile(torchZip(p, { 0: f32(1, 2, 3) }, { deflate: true })).tensors.get('w')!)).toEqual([1, 2, 3]);
  });

  it('a legacy file whose storages are views of a bigger root storage', () => {
    // ('storage', FloatStorage, root 'r', 'cpu', 6, (view key 'v', offset 2, size 3)) then a tensor over the view
    const p = new Pickle().proto().dict().mark();
    const legacyTensor = (name: string, view: [string, number, number] | null, offset: number, shape: number[]) => {
      p.str(name).global('torch._utils', '_rebuild_tensor_v2').mark()
        .mark().str('storage').global('torch', 'FloatStorage').str('r').str('cpu').int(6);
      if (view) p.mark().str(view[0]).int(view[1]).int(view[2]).tuple();
      else p.op(0x4e);
      p.tuple().op(0x51).int(offset).ints(shape).ints(shape.length ? [1] : []).op(0x89).orderedDict().tuple().reduce();
    };
    legacyTensor('whole', null, 0, [6]);
    legacyTensor('view', ['v', 2, 3], 1, [2]);
    const file = readTorchFile(legacyFile(p.setitems().stop(), [['r', 6, f32(0, 1, 2, 3, 4, 5)]]));
    expect(values(file.tensors.get('whole')!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(values(file.tensors.get('view')!)).toEqual([3, 4]); // view starts at element 2, tensor offset 1 within it
  });

  it('a 256 MiB state dict reads in well under a second without touching its bytes', () => {
    const tensorBytes = 4 * 1024 * 1024;
    const count = 64;
    const p = new Pickle().proto().dict().mark();
    for (let i = 0; i < count; i++) p.str(`layers.${i}.weight`).tensor('FloatStorage', String(i), tensorBytes / 4, 0, [1024, 1024], [1024, 1]);
    const archive = zip([
      { name: 'archive/data.pkl', data: p.setitems().stop() },
      ...Array.from({ length: count }, (_, i) => ({ name: `archive/data/${i}`, size: tensorBytes })),
    ]);
    const start = performance.now();
    const file = readTorchFile(archive);
    const ms = performance.now() - start;
    expect(file.tensors.size).toBe(count);
    for (const t of file.tensors.values()) expect(t.bytes.buffer).toBe(archive.buffer);
    expect(ms).toBeLessThan(500);
  });
});

describe('hostile input', () => {
  const runCode = [
    ['GLOBAL os.system + REDUCE', 'os.system', new Pickle().proto().global('os', 'system').str('touch /tmp/pwned').op(0x85).reduce().stop()],
    ['STACK_GLOBAL builtins.eval', 'builtins.eval', new Pickle().proto(4).str('builtins').str('eval').op(0x93).str('1+1').op(0x85).reduce().stop()],
    ['INST subprocess.Popen', 'subprocess.Popen', new Pickle().op(0x28).str('ls').op(0x69).text('subprocess\nPopen\n').op(0x2e).stop()],
    ['a module class in a state dict', '__main__.Net', new Pickle().proto().global('__main__', 'Net').op(0x29, 0x81).stop()],
  ] as const;

  for (const [what, name, pickle] of runCode) {
    it(`refuses ${what} in a zip archive and in the legacy format, naming '${name}'`, () => {
      for (const bytes of [torchZip(pickle, {}), legacyFile(pickle, [])]) {
        const e = thrown(() => readTorchFile(bytes));
        expect(e.code).toBe('unsafe-code');
        expect(e.message).toContain(`refuses to load '${name}'`);
        expect(e.message).toContain('nothing was executed');
      }
    });
  }

  it('refuses __torch__ classes and torch.jit helpers outside a TorchScript archive', () => {
    const p = new Pickle().proto().global('__torch__.m', 'Model').op(0x29, 0x81).stop();
    expect(code(() => readTorchFile(torchZip(p, {})))).toBe('unsafe-code');
    // …but inside one (constants.pkl present) they are inert records.
    const ts = torchZip(p, {}, { extra: [{ name: 'archive/constants.pkl', data: new Pickle().proto().op(0x29).stop() }] });
    expect(readTorchFile(ts).format).toBe('torchscript');
  });

  it('a truncated archive or legacy file is "truncated"', () => {
    const archive = read('pytorch/torchvision/squeezenet1_1-random.pth');
    for (const at of [100, 10_000, archive.length >> 1, archive.length - 10]) expect(code(() => readTorchFile(archive.subarray(0, at)))).toBe('truncated');
    const legacy = read('pytorch/facenet-pytorch__pnet.pt');
    for (const at of [20, 200, 2000, legacy.length - 1]) expect(code(() => readTorchFile(legacy.subarray(0, at)))).toBe('truncated');
  });

  it('a storage shorter than its tensor is "malformed"', () => {
    const tensor = (numel: number, shape: number[]) => new Pickle().proto().dict().str('w').tensor('FloatStorage', '0', numel, 0, shape, [1]).op(0x73).stop();
    // the record is shorter than the numel the persistent id declares
    expect(thrown(() => readTorchFile(torchZip(tensor(4, [4]), { 0: f32(1, 2) }))).message).toMatch(/declares 4 float32 elements \(16 bytes\).*holds only 8 bytes/);
    // the tensor reaches past the storage it declares
    expect(thrown(() => readTorchFile(torchZip(tensor(2, [4]), { 0: f32(1, 2, 3, 4) }))).message).toMatch(/reaches element 3 of its storage '0', which holds only 2 elements/);
    // a legacy storage whose element count disagrees with its tensors
    const legacy = new Pickle().proto().dict().str('w').global('torch._utils', '_rebuild_tensor_v2').mark()
      .mark().str('storage').global('torch', 'FloatStorage').str('k').str('cpu').int(4).op(0x4e).tuple().op(0x51)
      .int(0).ints([4]).ints([1]).op(0x89).orderedDict().tuple().reduce().op(0x73).stop();
    expect(code(() => readTorchFile(legacyFile(legacy, [['k', 2, f32(1, 2)]])))).toBe('malformed');
    expect(code(() => readTorchFile(legacyFile(legacy, [['k', 4, f32(1, 2, 3)]])))).toBe('truncated');
  });

  it('negative, huge and inconsistent sizes are "malformed"; a huge stride-0 copy is "too-large"', () => {
    const withShape = (shape: number[], stride: number[], numel = 4) => torchZip(
      new Pickle().proto().dict().str('w').tensor('FloatStorage', '0', numel, 0, shape, stride).op(0x73).stop(), { 0: f32(1, 2, 3, 4) });
    expect(code(() => readTorchFile(withShape([-1], [1])))).toBe('malformed');
    expect(code(() => readTorchFile(withShape([2 ** 30, 2 ** 30, 2 ** 30], [1, 1, 1])))).toBe('malformed');
    expect(code(() => readTorchFile(withShape([2, 2], [1])))).toBe('malformed');
    expect(code(() => readTorchFile(withShape([2], [2 ** 30])))).toBe('malformed');
    expect(code(() => readTorchFile(withShape([65536, 65536], [0, 0])))).toBe('too-large');
    const hugeNumel = new Pickle().proto().dict().str('w').global('torch._utils', '_rebuild_tensor_v2').mark()
      .mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').op(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x10).tuple().op(0x51)
      .int(0).ints([1]).ints([1]).op(0x89).orderedDict().tuple().reduce().op(0x73).stop();
    expect(code(() => readTorchFile(torchZip(hugeNumel, { 0: f32(1) })))).toBe('malformed');
  });

  it('broken pickles: a memo reference that does not exist, no STOP, deep nesting', () => {
    expect(code(() => readTorchFile(torchZip(new Pickle().proto().op(0x68, 9).stop(), {})))).toBe('malformed');
    expect(code(() => readTorchFile(torchZip(Uint8Array.of(0x80, 2, 0x7d, 0x71, 0), {})))).toBe('truncated');
    // {'k': {'k': … 1000 levels … {}}}: parsed iteratively, then refused when flattened (no recursion overflow).
    const deep = new Pickle().proto();
    for (let i = 0; i < 1000; i++) deep.dict().str('k');
    deep.dict();
    for (let i = 0; i < 1000; i++) deep.op(0x73);
    const e = thrown(() => readTorchFile(torchZip(deep.stop(), {})));
    expect(e.code).toBe('too-deep');
  });

  it('zip bombs: an entry declaring more than the limit fails before inflating; one inflating past its declared size fails as it does', () => {
    const p = new Pickle().proto().dict().str('w').tensor('FloatStorage', '0', 4, 0, [4], [1]).op(0x73).stop();
    const zeros = deflateSync(new Uint8Array(32 * 1024 * 1024)); // 32 MiB of zeros deflate to ~32 KB
    const honest = zip([{ name: 'archive/data.pkl', data: p }, { name: 'archive/data/0', compressed: zeros, size: 32 * 1024 * 1024 }]);
    let start = performance.now();
    const declared = thrown(() => readTorchFile(honest, { maxInflatedBytes: 1024 * 1024 }));
    expect(declared.code).toBe('too-large');
    expect(declared.message).toMatch(/would inflate to 33554432 bytes; the limit is 1048576/);
    expect(performance.now() - start).toBeLessThan(100);
    const lying = zip([{ name: 'archive/data.pkl', data: p }, { name: 'archive/data/0', compressed: zeros, declaredSize: 16 }]);
    start = performance.now();
    const e = thrown(() => readTorchFile(lying, { maxInflatedBytes: 1024 * 1024 }));
    expect(e.code).toBe('too-large');
    expect(e.message).toMatch(/inflates past the 16 bytes its header declares/);
    expect(performance.now() - start).toBeLessThan(500);
    // The pickle itself as the bomb.
    const pklBomb = zip([{ name: 'archive/data.pkl', compressed: zeros, declaredSize: 100 }]);
    expect(code(() => readTorchFile(pklBomb))).toBe('too-large');
  });

  it('random bytes, an empty file, a bare pickle and a tar archive', () => {
    let seed = 12345;
    const noise = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16);
    noise[0] = 0x13;
    expect(code(() => readTorchFile(noise))).toBe('wrong-format');
    noise[0] = 0x80;
    noise[1] = 0x02;
    expect(code(() => readTorchFile(noise))).toBe('wrong-format');
    expect(code(() => readTorchFile(new Uint8Array(0)))).toBe('empty-file');
    expect(code(() => readTorchFile(new Pickle().proto().dict().stop()))).toBe('wrong-format');
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    expect(code(() => readTorchFile(tar))).toBe('unsupported');
  });

  it('fuzzed pickles and archives only ever fail with OmnihubErrors', () => {
    const original = read('pytorch/burn__checkpoint.pt');
    const zipFile = new ZipArchive(original);
    const entries = zipFile.entries.map((e) => ({ name: e.name, data: zipFile.read(e.name).slice() }));
    const pkl = entries.find((e) => e.name.endsWith('data.pkl'))!;
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 1500; i++) {
      const data = pkl.data.slice();
      for (let k = 1 + rand(3); k > 0; k--) data[rand(data.length)] = rand(256);
      const mutated = i % 5 === 4 ? data.subarray(0, rand(data.length)) : data;
      const c = code(() => readTorchFile(zip(entries.map((e) => (e === pkl ? { name: e.name, data: mutated } : e)))));
      outcomes.set(c, (outcomes.get(c) ?? 0) + 1);
    }
    // Whole archives with flipped bytes (directory, headers, data) too.
    for (let i = 0; i < 500; i++) {
      const data = original.slice();
      for (let k = 1 + rand(4); k > 0; k--) data[rand(data.length)] = rand(256);
      const c = code(() => readTorchFile(data));
      outcomes.set(c, (outcomes.get(c) ?? 0) + 1);
    }
    for (const c of outcomes.keys()) expect(c).not.toMatch(/not an OmnihubError/);
    expect(outcomes.get('malformed')).toBeGreaterThan(0);
  });
});
