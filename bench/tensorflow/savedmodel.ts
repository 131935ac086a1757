/**
 * The input of bench/tensorflow.ts: a TensorFlow SavedModel written without TensorFlow (none on this machine), in
 * the layout TF's SavedModelBuilder (TF 1.x, and TF 2.x's tf.compat.v1 path) writes for a graph with ref variables:
 *
 *   saved_model.pb                          SavedModel { saved_model_schema_version: 1, meta_graphs: [ MetaGraphDef {
 *                                             meta_info_def { tags: ['serve'] }, graph_def, saver_def (V2, not sharded),
 *                                             collection_def { variables, trainable_variables: VariableDefs },
 *                                             signature_def { serving_default: images → logits, probabilities } } ] }
 *   variables/variables.index               a TensorBundle index: a LevelDB table (uncompressed blocks, 256 KiB block
 *                                             size, restart interval 16 — 1 in the index block —, masked CRC-32C block
 *                                             trailers, shortest-separator index keys, an empty metaindex block, the
 *                                             48-byte footer with the table magic) mapping '' → BundleHeaderProto and
 *                                             each variable name → BundleEntryProto (dtype, shape, offset, size,
 *                                             masked CRC-32C of the bytes)
 *   variables/variables.data-00000-of-00001 the tensors' little-endian float32 bytes back to back, in key order
 *
 * The graph is what tf.layers code saved with tf.compat.v1.saved_model makes: per variable `V/Initializer/zeros`
 * (Const) → `V` (VariableV2) ← `V/Assign`, read through `V/read` (Identity); the saver's `save/RestoreV2` (its
 * `tensor_names` Const lists the checkpoint keys) feeding `save/Assign_k` into each variable, `save/restore_all`;
 * `save/SaveV2`; `init`. The network: `images` (Placeholder [-1, H, W, 3]) → Conv2D+BiasAdd+Relu layers ('SAME',
 * some with stride 2) → `flatten/Reshape` → Dense (MatMul+BiasAdd+Relu) layers → `logits` (MatMul+BiasAdd) →
 * `probabilities` (Softmax). Values: seeded He-normal kernels, small seeded biases (each tensor from its own seed, so
 * the reference below regenerates any of them on its own).
 *
 * Also here: `referenceForward`, a plain TypeScript float64 forward pass of the same network from the same seeded
 * values (TF's NHWC Conv2D with TF's SAME padding, row-major Reshape, MatMul, Softmax), for the benchmark's check.
 * Built from the repository's protobuf codecs (src/core/formats/tensorflow/generated) and its CRC-32C.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tensorflow } from '../../src/core/formats/tensorflow/codec.js';
import { crc32c, crc32cExtend, maskCrc } from '../../src/core/formats/tensorflow/crc32c.js';

export interface ConvLayer { name: string; out: number; stride: number }
export interface NetSpec {
  /** Input images are [batch, image, image, 3]. */
  image: number;
  convs: ConvLayer[];
  /** Hidden Dense layers' widths (each MatMul+BiasAdd+Relu), after the flatten. */
  dense: number[];
  classes: number;
  seed: number;
}

const convs = (outs: Array<[number, number]>): ConvLayer[] => outs.map(([out, stride], i) => ({ name: i ? `conv2d_${i}` : 'conv2d', out, stride }));

/** ~295 MB of float32 variables: 6 Conv2D (four of them 3×3×256×256) and 5 Dense (four 4096×4096, one 4096×1000). */
export const NET_BIG: NetSpec = {
  image: 32,
  convs: convs([[64, 1], [256, 2], [256, 1], [256, 2], [256, 1], [256, 2]]),
  dense: [4096, 4096, 4096, 4096],
  classes: 1000,
  seed: 20261128,
};

/** The same structure at toy size (a few KB), for the exact check. */
export const NET_TINY: NetSpec = {
  image: 8,
  convs: convs([[4, 1], [8, 2], [8, 1], [8, 2]]),
  dense: [24, 16],
  classes: 10,
  seed: 7,
};

export interface VariableSpec { name: string; shape: number[]; std: number }
export interface Layer { kind: 'conv' | 'dense' | 'logits'; name: string; kernel: VariableSpec; bias: VariableSpec; stride: number; relu: boolean }

const outSize = (n: number, stride: number) => Math.ceil(n / stride);

/** The network's layers in order, with their variables (names as tf.layers gives them). */
export function layersOf(spec: NetSpec): { layers: Layer[]; flat: number; finalHw: number } {
  const layers: Layer[] = [];
  let c = 3;
  let hw = spec.image;
  for (const l of spec.convs) {
    layers.push({
      kind: 'conv', name: l.name, stride: l.stride, relu: true,
      kernel: { name: `${l.name}/kernel`, shape: [3, 3, c, l.out], std: Math.sqrt(2 / (9 * c)) },
      bias: { name: `${l.name}/bias`, shape: [l.out], std: 0.1 },
    });
    c = l.out;
    hw = outSize(hw, l.stride);
  }
  const flat = hw * hw * c;
  let n = flat;
  spec.dense.forEach((width, i) => {
    const name = i ? `dense_${i}` : 'dense';
    layers.push({ kind: 'dense', name, stride: 1, relu: true, kernel: { name: `${name}/kernel`, shape: [n, width], std: Math.sqrt(2 / n) }, bias: { name: `${name}/bias`, shape: [width], std: 0.1 } });
    n = width;
  });
  layers.push({ kind: 'logits', name: 'logits', stride: 1, relu: false, kernel: { name: 'logits/kernel', shape: [n, spec.classes], std: Math.sqrt(1 / n) }, bias: { name: 'logits/bias', shape: [spec.classes], std: 0.1 } });
  return { layers, flat, finalHw: hw };
}

export const variablesOf = (spec: NetSpec): VariableSpec[] => layersOf(spec).layers.flatMap((l) => [l.kernel, l.bias]);
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

// ---- seeded values ----

/** FNV-1a of a string, for per-tensor seeds. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** mulberry32: uniform [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded normal values (Box–Muller) × std, as float32. */
export function tensorValues(spec: NetSpec, v: VariableSpec): Float32Array {
  const next = rng(hash(v.name) ^ spec.seed);
  const out = new Float32Array(count(v.shape));
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - next();
    const r = Math.sqrt(-2 * Math.log(u)) * v.std;
    const t = 2 * Math.PI * next();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** The check's input: [batch, image, image, 3], uniform [0, 1), seeded. */
export function seededInput(spec: NetSpec, batch: number): Float32Array {
  const next = rng(spec.seed ^ 0x5eed);
  return Float32Array.from({ length: batch * spec.image * spec.image * 3 }, () => next());
}

// ---- the reference forward pass (float64) ----

/** TF's Conv2D, NHWC input, HWIO kernel, 'SAME' padding (the extra row/column of an odd total goes after). */
function conv2dSame(x: Float64Array, [n, h, w, c]: number[], k: Float32Array, [kh, kw, , o]: number[], bias: Float32Array, stride: number, relu: boolean): { y: Float64Array; shape: number[] } {
  const oh = outSize(h, stride), ow = outSize(w, stride);
  const padTop = Math.floor(Math.max((oh - 1) * stride + kh - h, 0) / 2);
  const padLeft = Math.floor(Math.max((ow - 1) * stride + kw - w, 0) / 2);
  const y = new Float64Array(n * oh * ow * o);
  const acc = new Float64Array(o);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let q = 0; q < o; q++) acc[q] = bias[q];
        for (let di = 0; di < kh; di++) {
          const r = i * stride + di - padTop;
          if (r < 0 || r >= h) continue;
          for (let dj = 0; dj < kw; dj++) {
            const s = j * stride + dj - padLeft;
            if (s < 0 || s >= w) continue;
            const xBase = ((b * h + r) * w + s) * c;
            const kBase = (di * kw + dj) * c * o;
            for (let p = 0; p < c; p++) {
              const xv = x[xBase + p];
              if (xv === 0) continue;
              const kRow = kBase + p * o;
              for (let q = 0; q < o; q++) acc[q] += xv * k[kRow + q];
            }
          }
        }
        const yBase = ((b * oh + i) * ow + j) * o;
        for (let q = 0; q < o; q++) y[yBase + q] = relu && acc[q] < 0 ? 0 : acc[q];
      }
    }
  }
  return { y, shape: [n, oh, ow, o] };
}

function dense(x: Float64Array, n: number, k: Float32Array, [inp, out]: number[], bias: Float32Array, relu: boolean): Float64Array {
  const y = new Float64Array(n * out);
  for (let b = 0; b < n; b++) {
    const row = y.subarray(b * out, (b + 1) * out);
    for (let q = 0; q < out; q++) row[q] = bias[q];
    for (let p = 0; p < inp; p++) {
      const xv = x[b * inp + p];
      if (xv === 0) continue;
      const base = p * out;
      for (let q = 0; q < out; q++) row[q] += xv * k[base + q];
    }
    if (relu) for (let q = 0; q < out; q++) if (row[q] < 0) row[q] = 0;
  }
  return y;
}

/** logits and softmax probabilities of the network for `input` ([batch, image, image, 3]), in float64. */
export function referenceForward(spec: NetSpec, input: Float32Array, batch: number): { logits: Float64Array; probabilities: Float64Array } {
  const { layers } = layersOf(spec);
  let x: Float64Array = Float64Array.from(input);
  let shape = [batch, spec.image, spec.image, 3];
  for (const l of layers) {
    const k = tensorValues(spec, l.kernel);
    const bias = tensorValues(spec, l.bias);
    if (l.kind === 'conv') {
      ({ y: x, shape } = conv2dSame(x, shape, k, l.kernel.shape, bias, l.stride, l.relu));
    } else {
      x = dense(x, batch, k, l.kernel.shape, bias, l.relu); // the flatten is the row-major view of NHWC
      shape = [batch, l.kernel.shape[1]];
    }
  }
  const classes = shape[1];
  const probabilities = new Float64Array(x.length);
  for (let b = 0; b < batch; b++) {
    const row = x.subarray(b * classes, (b + 1) * classes);
    const max = Math.max(...row);
    let sum = 0;
    for (let q = 0; q < classes; q++) sum += (probabilities[b * classes + q] = Math.exp(row[q] - max));
    for (let q = 0; q < classes; q++) probabilities[b * classes + q] /= sum;
  }
  return { logits: x, probabilities };
}

// ---- the graph ----

const DT_FLOAT = tensorflow.DataType.DT_FLOAT;
const DT_INT32 = tensorflow.DataType.DT_INT32;
const DT_STRING = tensorflow.DataType.DT_STRING;
const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s);
const shapeProto = (dims: readonly number[]): tensorflow.ITensorShapeProto => ({ dim: dims.map((size) => ({ size })) });
const type = (t: tensorflow.DataType): tensorflow.IAttrValue => ({ type: t });
const cls = (name: string): tensorflow.IAttrValue => ({ list: { s: [bytes(`loc:@${name}`)] } });
const node = (name: string, op: string, input: string[], attr: Record<string, tensorflow.IAttrValue> = {}, device = ''): tensorflow.INodeDef => ({ name, op, input, attr, device });
const stringConst = (name: string, values: string[], scalar = false): tensorflow.INodeDef => node(name, 'Const', [], {
  dtype: type(DT_STRING),
  value: { tensor: { dtype: DT_STRING, tensor_shape: shapeProto(scalar ? [] : [values.length]), string_val: values.map(bytes) } },
});

function graphOf(spec: NetSpec): { graph: tensorflow.IGraphDef; variables: VariableSpec[]; output: { logits: string; probabilities: string } } {
  const { layers, flat } = layersOf(spec);
  const nodes: tensorflow.INodeDef[] = [];
  const cpu = '/device:CPU:0';
  const variables: VariableSpec[] = [];
  const variable = (v: VariableSpec) => {
    variables.push(v);
    nodes.push(
      // An all-zero splat: TF's `Initializer/zeros` (tf.layers draws kernels with random ops; their values do not matter here).
      node(`${v.name}/Initializer/zeros`, 'Const', [], { dtype: type(DT_FLOAT), value: { tensor: { dtype: DT_FLOAT, tensor_shape: shapeProto(v.shape), float_val: [0] } }, _class: cls(v.name) }, cpu),
      node(v.name, 'VariableV2', [], { shape: { shape: shapeProto(v.shape) }, dtype: type(DT_FLOAT), container: { s: new Uint8Array(0) }, shared_name: { s: new Uint8Array(0) } }, cpu),
      node(`${v.name}/Assign`, 'Assign', [v.name, `${v.name}/Initializer/zeros`], { T: type(DT_FLOAT), _class: cls(v.name), use_locking: { b: true }, validate_shape: { b: true } }, cpu),
      node(`${v.name}/read`, 'Identity', [v.name], { T: type(DT_FLOAT), _class: cls(v.name) }, cpu),
    );
  };
  nodes.push(node('images', 'Placeholder', [], { dtype: type(DT_FLOAT), shape: { shape: shapeProto([-1, spec.image, spec.image, 3]) } }, cpu));
  let x = 'images';
  let flattened = false;
  for (const l of layers) {
    variable(l.kernel);
    variable(l.bias);
    if (l.kind === 'conv') {
      nodes.push(node(`${l.name}/Conv2D`, 'Conv2D', [x, `${l.kernel.name}/read`], {
        T: type(DT_FLOAT), strides: { list: { i: [1, l.stride, l.stride, 1] } }, padding: { s: bytes('SAME') }, data_format: { s: bytes('NHWC') },
        dilations: { list: { i: [1, 1, 1, 1] } }, use_cudnn_on_gpu: { b: true }, explicit_paddings: { list: {} },
      }, cpu));
      x = `${l.name}/Conv2D`;
    } else {
      if (!flattened) {
        flattened = true;
        nodes.push(node('flatten/Reshape/shape', 'Const', [], { dtype: type(DT_INT32), value: { tensor: { dtype: DT_INT32, tensor_shape: shapeProto([2]), int_val: [-1, flat] } } }, cpu));
        nodes.push(node('flatten/Reshape', 'Reshape', [x, 'flatten/Reshape/shape'], { T: type(DT_FLOAT), Tshape: type(DT_INT32) }, cpu));
        x = 'flatten/Reshape';
      }
      nodes.push(node(`${l.name}/MatMul`, 'MatMul', [x, `${l.kernel.name}/read`], { T: type(DT_FLOAT), transpose_a: { b: false }, transpose_b: { b: false } }, cpu));
      x = `${l.name}/MatMul`;
    }
    nodes.push(node(`${l.name}/BiasAdd`, 'BiasAdd', [x, `${l.bias.name}/read`], { T: type(DT_FLOAT), data_format: { s: bytes('NHWC') } }, cpu));
    x = `${l.name}/BiasAdd`;
    if (l.relu) {
      nodes.push(node(`${l.name}/Relu`, 'Relu', [x], { T: type(DT_FLOAT) }, cpu));
      x = `${l.name}/Relu`;
    }
  }
  const logits = x;
  nodes.push(node('probabilities', 'Softmax', [logits], { T: type(DT_FLOAT) }, cpu));
  nodes.push(node('init', 'NoOp', variables.map((v) => `^${v.name}/Assign`), {}, cpu));

  // The saver (tf.compat.v1.train.Saver, V2 format, not sharded): keys sorted as the Saver sorts them.
  const keys = variables.map((v) => v.name).sort();
  const dtypes = { list: { type: keys.map(() => DT_FLOAT) } };
  nodes.push(
    stringConst('save/filename/input', ['model'], true),
    node('save/filename', 'PlaceholderWithDefault', ['save/filename/input'], { dtype: type(DT_STRING), shape: { shape: shapeProto([]) } }),
    node('save/Const', 'PlaceholderWithDefault', ['save/filename'], { dtype: type(DT_STRING), shape: { shape: shapeProto([]) } }),
    stringConst('save/SaveV2/tensor_names', keys),
    stringConst('save/SaveV2/shape_and_slices', keys.map(() => '')),
    node('save/SaveV2', 'SaveV2', ['save/Const', 'save/SaveV2/tensor_names', 'save/SaveV2/shape_and_slices', ...keys], { dtypes }),
    node('save/control_dependency', 'Identity', ['save/Const', '^save/SaveV2'], { T: type(DT_STRING), _class: cls('save/Const') }),
    stringConst('save/RestoreV2/tensor_names', keys),
    stringConst('save/RestoreV2/shape_and_slices', keys.map(() => '')),
    node('save/RestoreV2', 'RestoreV2', ['save/Const', 'save/RestoreV2/tensor_names', 'save/RestoreV2/shape_and_slices'], { dtypes }, cpu),
    ...keys.map((k, i) => node(i ? `save/Assign_${i}` : 'save/Assign', 'Assign', [k, i ? `save/RestoreV2:${i}` : 'save/RestoreV2'], {
      T: type(DT_FLOAT), _class: cls(k), use_locking: { b: true }, validate_shape: { b: true },
    })),
    node('save/restore_all', 'NoOp', keys.map((_, i) => `^${i ? `save/Assign_${i}` : 'save/Assign'}`)),
  );
  return { graph: { node: nodes, versions: { producer: 134, min_consumer: 12 } }, variables, output: { logits: `${logits}:0`, probabilities: 'probabilities:0' } };
}

function savedModelProto(spec: NetSpec): { pb: Uint8Array; variables: VariableSpec[] } {
  const { graph, variables, output } = graphOf(spec);
  const variableDefs = variables.map((v) => tensorflow.VariableDef.encode({
    variable_name: `${v.name}:0`, initial_value_name: `${v.name}/Initializer/zeros:0`, initializer_name: `${v.name}/Assign`,
    snapshot_name: `${v.name}/read:0`, trainable: true,
  }).finish());
  const info = (name: string, dims: number[]): tensorflow.ITensorInfo => ({ name, dtype: DT_FLOAT, tensor_shape: shapeProto(dims) });
  const metaGraph: tensorflow.IMetaGraphDef = {
    // The version says which layout this imitates; the git version says who wrote it.
    meta_info_def: { tags: ['serve'], tensorflow_version: '1.15.5', tensorflow_git_version: 'omnihub bench/tensorflow/savedmodel.ts (not TensorFlow)' },
    graph_def: graph,
    saver_def: {
      filename_tensor_name: 'save/Const:0', save_tensor_name: 'save/control_dependency:0', restore_op_name: 'save/restore_all',
      max_to_keep: 5, sharded: false, keep_checkpoint_every_n_hours: 10000, version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
    },
    collection_def: {
      variables: { bytes_list: { value: variableDefs } },
      trainable_variables: { bytes_list: { value: variableDefs } },
    },
    signature_def: {
      serving_default: {
        inputs: { images: info('images:0', [-1, spec.image, spec.image, 3]) },
        outputs: { logits: info(output.logits, [-1, spec.classes]), probabilities: info(output.probabilities, [-1, spec.classes]) },
        method_name: 'tensorflow/serving/predict',
      },
    },
  };
  const pb = tensorflow.SavedModel.encode({ saved_model_schema_version: 1, meta_graphs: [metaGraph] }).finish();
  return { pb, variables };
}

// ---- the LevelDB table (TensorBundle index) ----

class ByteSink {
  parts: number[] = [];
  get length() { return this.parts.length; }
  varint(n: number) {
    while (n >= 0x80) {
      this.parts.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.parts.push(n);
  }
  fixed32(n: number) { this.parts.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff); }
  bytes(b: ArrayLike<number>) { for (let i = 0; i < b.length; i++) this.parts.push(b[i]); }
  finish() { return Uint8Array.from(this.parts); }
}

/** LevelDB's BlockBuilder: prefix-compressed entries, a restart point every `interval` entries. */
class BlockBuilder {
  #sink = new ByteSink();
  #restarts = [0];
  #counter = 0;
  #last: Uint8Array = new Uint8Array(0);
  entries = 0;
  constructor(readonly interval: number) {}
  add(key: Uint8Array, value: Uint8Array) {
    let shared = 0;
    if (this.#counter < this.interval) {
      while (shared < Math.min(key.length, this.#last.length) && key[shared] === this.#last[shared]) shared++;
    } else {
      this.#restarts.push(this.#sink.length);
      this.#counter = 0;
    }
    this.#sink.varint(shared);
    this.#sink.varint(key.length - shared);
    this.#sink.varint(value.length);
    this.#sink.bytes(key.subarray(shared));
    this.#sink.bytes(value);
    this.#last = key;
    this.#counter++;
    this.entries++;
  }
  get sizeEstimate() { return this.#sink.length + this.#restarts.length * 4 + 4; }
  finish(): Uint8Array {
    for (const r of this.#restarts) this.#sink.fixed32(r);
    this.#sink.fixed32(this.#restarts.length);
    return this.#sink.finish();
  }
}

/** BytewiseComparator::FindShortestSeparator. */
function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const min = Math.min(start.length, limit.length);
  let i = 0;
  while (i < min && start[i] === limit[i]) i++;
  if (i < min) {
    const b = start[i];
    if (b < 0xff && b + 1 < limit[i]) {
      const out = start.slice(0, i + 1);
      out[i]++;
      return out;
    }
  }
  return start;
}

/** BytewiseComparator::FindShortSuccessor. */
function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i]++;
      return out;
    }
  }
  return key;
}

/** A LevelDB table of sorted key/value pairs, uncompressed (as TF's BundleWriter writes variables.index). */
export function writeTable(entries: Array<[Uint8Array, Uint8Array]>, blockSize = 262144): Uint8Array {
  const out: Uint8Array[] = [];
  let offset = 0;
  const writeBlock = (contents: Uint8Array) => {
    const handle = { offset, size: contents.length };
    const trailer = new Uint8Array(5); // type 0 (no compression), masked CRC-32C of contents + type
    new DataView(trailer.buffer).setUint32(1, maskCrc(crc32cExtend(crc32c(contents), trailer.subarray(0, 1))), true);
    out.push(contents, trailer);
    offset += contents.length + 5;
    return handle;
  };
  const handleBytes = (h: { offset: number; size: number }) => {
    const s = new ByteSink();
    s.varint(h.offset);
    s.varint(h.size);
    return s.finish();
  };
  const index = new BlockBuilder(1);
  let data = new BlockBuilder(16);
  let pending: { offset: number; size: number } | undefined;
  let lastKey: Uint8Array = new Uint8Array(0);
  for (const [key, value] of entries) {
    if (pending) {
      index.add(shortestSeparator(lastKey, key), handleBytes(pending));
      pending = undefined;
    }
    data.add(key, value);
    lastKey = key;
    if (data.sizeEstimate >= blockSize) {
      pending = writeBlock(data.finish());
      data = new BlockBuilder(16);
    }
  }
  if (data.entries) pending = writeBlock(data.finish());
  if (pending) index.add(shortSuccessor(lastKey), handleBytes(pending));
  const metaindex = writeBlock(new BlockBuilder(16).finish());
  const indexHandle = writeBlock(index.finish());
  const footer = new Uint8Array(48);
  const handles = [...handleBytes(metaindex), ...handleBytes(indexHandle)];
  footer.set(handles);
  const fv = new DataView(footer.buffer);
  fv.setUint32(40, 0x8b80fb57, true);
  fv.setUint32(44, 0xdb477524, true);
  out.push(footer);
  const file = new Uint8Array(offset + 48);
  let p = 0;
  for (const part of out) {
    file.set(part, p);
    p += part.length;
  }
  return file;
}

// ---- writing it ----

export interface WrittenSavedModel {
  /** Paths relative to the SavedModel folder. */
  files: string[];
  variableBytes: number;
  parameters: number;
  variables: number;
}

export const SAVED_MODEL_FILES = ['saved_model.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001'];

/** Writes the SavedModel of `spec` into `dir` (made if missing); tensors are generated and written one at a time. */
export function writeSavedModel(dir: string, spec: NetSpec): WrittenSavedModel {
  mkdirSync(join(dir, 'variables'), { recursive: true });
  const { pb, variables } = savedModelProto(spec);
  writeFileSync(join(dir, 'saved_model.pb'), pb);
  const sorted = [...variables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fd = openSync(join(dir, 'variables', 'variables.data-00000-of-00001'), 'w');
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  let offset = 0;
  let parameters = 0;
  try {
    for (const v of sorted) {
      const values = tensorValues(spec, v);
      const b = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let p = 0; p < b.length;) p += writeSync(fd, b, p, b.length - p);
      entries.push([bytes(v.name), tensorflow.BundleEntryProto.encode({
        dtype: DT_FLOAT, shape: shapeProto(v.shape), shard_id: 0, offset, size: b.length, crc32c: maskCrc(crc32c(b)),
      }).finish()]);
      offset += b.length;
      parameters += values.length;
    }
  } finally {
    closeSync(fd);
  }
  const header = tensorflow.BundleHeaderProto.encode({ num_shards: 1, endianness: tensorflow.BundleHeaderProto.Endianness.LITTLE, version: { producer: 1 } }).finish();
  writeFileSync(join(dir, 'variables', 'variables.index'), writeTable([[new Uint8Array(0), header], ...entries]));
  return { files: SAVED_MODEL_FILES, variableBytes: offset, parameters, variables: variables.length };
}
