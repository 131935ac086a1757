/**
 * Shared layers for the torchvision architectures: a `Net` wraps a GraphBuilder and the state dict, hands out
 * weights by their torchvision key (checking presence and shape, counting parameters, remembering which keys were
 * used), tracks the static shape [C, H, W] of every feature map, and writes the eval-mode ONNX ops
 * (Conv, BatchNormalization with running statistics, activations, pooling, Gemm).
 *
 * A Net in "collect" mode has no tensors: every weight request is recorded instead of checked, which gives the
 * exact list of keys and shapes an architecture expects (for tests, and for recognising an architecture).
 */
import { GraphBuilder, type Dim } from '../onnx-builder.js';
import { OmnihubError } from '../../errors.js';
import { elementCount, type StateDict, type WeightDtype, type WeightTensor } from '../../weights/types.js';

/** A 4-D NCHW feature map: its value name and static channel/height/width. */
export interface Feature {
  name: string;
  c: number;
  h: number;
  w: number;
}

/** A 2-D [N, features] value. */
export interface Flat {
  name: string;
  n: number;
}

/** One tensor an architecture reads: `param` = a learnable parameter (counted like torchvision's num_params). */
export interface ExpectedTensor {
  name: string;
  shape: number[];
  kind: 'param' | 'buffer';
  /** Optional keys (BatchNorm's num_batches_tracked) are used when present and never missing. */
  optional?: boolean;
  dtype?: WeightDtype;
}

const FLOAT_DTYPES = new Set<WeightDtype>(['float32', 'float16', 'bfloat16', 'float64']);

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

export interface ConvOptions {
  out: number;
  /** Kernel size: k×k, or [kh, kw]. */
  k: number | [number, number];
  s?: number;
  /** Padding on both sides: p, or [ph, pw]. */
  p?: number | [number, number];
  groups?: number;
  dilation?: number;
  bias?: boolean;
}

export class Net {
  readonly b: GraphBuilder;
  readonly arch: string;
  /** undefined in collect mode. */
  readonly tensors: StateDict | undefined;
  readonly used = new Set<string>();
  readonly expected: ExpectedTensor[] = [];
  readonly notes: string[] = [];
  parameters = 0;
  /** GoogLeNet / Inception v3: build torchvision's `transform_input` step (on for its pretrained weights). */
  transformInput = true;
  /** Maps a torchvision key to the key the file uses (legacy names); identity by default. */
  keyOf: (key: string) => string = (k) => k;
  #converted = new Set<WeightDtype>();

  constructor(arch: string, tensors: StateDict | undefined) {
    this.arch = arch;
    this.tensors = tensors;
    this.b = new GraphBuilder({ opset: 17, graphName: `torchvision_${arch}`, producerName: 'omnihub', producerVersion: 'torchvision-convert' });
  }

  get collecting(): boolean {
    return this.tensors === undefined;
  }

  /** Dtypes that were converted to float32 on the way in (for the report). */
  get convertedDtypes(): WeightDtype[] {
    return [...this.#converted];
  }

  /** A weight by its torchvision key: an initializer named after it, checked against the expected shape. */
  param(key: string, shape: number[], kind: 'param' | 'buffer' = 'param', onnxShape?: number[]): string {
    this.expected.push({ name: key, shape, kind });
    if (kind === 'param') this.parameters += elementCount(shape);
    if (!this.tensors) return this.b.fresh(key); // collect mode: nothing to store, the graph is never built
    const fileKey = this.keyOf(key);
    const t = this.tensors.get(fileKey);
    if (!t) {
      throw new OmnihubError('mismatch', `The weights do not fit ${this.arch}: key '${fileKey}' (shape ${shapeText(shape)}) is missing.`);
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new OmnihubError('mismatch', `The weights do not fit ${this.arch}: '${fileKey}' has shape ${shapeText(t.shape)}, but ${this.arch} expects ${shapeText(shape)}.`);
    }
    if (!FLOAT_DTYPES.has(t.dtype)) {
      throw new OmnihubError('mismatch', `The weights do not fit ${this.arch}: '${fileKey}' is ${t.dtype}, not a floating-point tensor.`);
    }
    if (t.dtype !== 'float32') this.#converted.add(t.dtype);
    this.used.add(fileKey);
    return this.b.weight(key, t as WeightTensor, { asFloat32: true, ...(onnxShape ? { shape: onnxShape } : {}) });
  }

  /** Marks an optional key (num_batches_tracked) as used when the file has it. */
  optional(key: string, shape: number[], dtype: WeightDtype): void {
    this.expected.push({ name: key, shape, kind: 'buffer', optional: true, dtype });
    for (const fileKey of [this.keyOf(key), key]) {
      if (this.tensors?.has(fileKey)) this.used.add(fileKey);
    }
  }

  op(type: string, inputs: string[], attrs: Record<string, number | number[] | { float: number } | string> = {}, name?: string): string {
    return this.b.op(type, inputs, attrs, name);
  }

  // ---- layers -------------------------------------------------------------------------------------------------

  /** nn.Conv2d at `prefix` (`prefix.weight`, `prefix.bias` when bias). */
  conv(x: Feature, prefix: string, o: ConvOptions): Feature {
    const { out } = o;
    const [kh, kw] = typeof o.k === 'number' ? [o.k, o.k] : o.k;
    const [ph, pw] = typeof o.p === 'number' ? [o.p, o.p] : (o.p ?? [0, 0]);
    const s = o.s ?? 1;
    const groups = o.groups ?? 1;
    const d = o.dilation ?? 1;
    if (x.c % groups !== 0 || out % groups !== 0) throw new Error(`${prefix}: ${x.c}→${out} channels do not split into ${groups} groups`);
    const inputs = [x.name, this.param(`${prefix}.weight`, [out, x.c / groups, kh, kw])];
    if (o.bias) inputs.push(this.param(`${prefix}.bias`, [out]));
    const attrs: Record<string, number[] | number> = { kernel_shape: [kh, kw], strides: [s, s], pads: [ph, pw, ph, pw], dilations: [d, d] };
    if (groups !== 1) attrs.group = groups;
    const size = (n: number, k: number, p: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
    return { name: this.op('Conv', inputs, attrs, prefix), c: out, h: size(x.h, kh, ph), w: size(x.w, kw, pw) };
  }

  /** nn.BatchNorm2d at `prefix` in eval mode: running statistics, `eps` as torchvision constructs it. */
  bn(x: Feature, prefix: string, eps: number): Feature {
    const c = x.c;
    const inputs = [
      x.name,
      this.param(`${prefix}.weight`, [c]),
      this.param(`${prefix}.bias`, [c]),
      this.param(`${prefix}.running_mean`, [c], 'buffer'),
      this.param(`${prefix}.running_var`, [c], 'buffer'),
    ];
    this.optional(`${prefix}.num_batches_tracked`, [], 'int64');
    return { ...x, name: this.op('BatchNormalization', inputs, { epsilon: { float: eps } }, prefix) };
  }

  relu<T extends Feature | Flat>(x: T): T {
    return { ...x, name: this.op('Relu', [x.name]) };
  }

  /** nn.ReLU6 = Clip(0, 6). */
  relu6(x: Feature): Feature {
    return { ...x, name: this.op('Clip', [x.name, this.scalar('zero', 0), this.scalar('six', 6)]) };
  }

  /** nn.Hardswish = x · relu6(x + 3) / 6 (ONNX HardSwish has exactly that definition). */
  hardswish<T extends Feature | Flat>(x: T): T {
    return { ...x, name: this.op('HardSwish', [x.name]) };
  }

  /** nn.Hardsigmoid = relu6(x + 3) / 6 = HardSigmoid(alpha 1/6, beta 0.5). */
  hardsigmoid(x: Feature): Feature {
    return { ...x, name: this.op('HardSigmoid', [x.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }) };
  }

  sigmoid(x: Feature): Feature {
    return { ...x, name: this.op('Sigmoid', [x.name]) };
  }

  /** nn.SiLU = x · sigmoid(x). */
  silu(x: Feature): Feature {
    return { ...x, name: this.op('Mul', [x.name, this.op('Sigmoid', [x.name])], {}, 'silu') };
  }

  act(x: Feature, kind: Activation): Feature {
    switch (kind) {
      case 'relu': return this.relu(x);
      case 'relu6': return this.relu6(x);
      case 'hardswish': return this.hardswish(x);
      case 'silu': return this.silu(x);
      case 'none': return x;
    }
  }

  /**
   * torchvision's Conv2dNormActivation (and the older ConvBNActivation): `prefix.0` = Conv2d (no bias, padding
   * (k−1)/2·dilation), `prefix.1` = BatchNorm2d, then the activation.
   */
  convBnAct(x: Feature, prefix: string, o: Omit<ConvOptions, 'p' | 'bias' | 'k'> & { k: number }, eps: number, act: Activation): Feature {
    const p = Math.floor((o.k - 1) / 2) * (o.dilation ?? 1);
    const y = this.bn(this.conv(x, `${prefix}.0`, { ...o, p }), `${prefix}.1`, eps);
    return this.act(y, act);
  }

  maxPool(x: Feature, k: number, s: number, p = 0, ceil = false): Feature {
    const attrs: Record<string, number[] | number> = { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] };
    if (ceil) attrs.ceil_mode = 1;
    const size = (n: number) => poolSize(n, k, s, p, ceil);
    return { name: this.op('MaxPool', [x.name], attrs), c: x.c, h: size(x.h), w: size(x.w) };
  }

  /** nn.AvgPool2d / F.avg_pool2d (count_include_pad=True, torch's default: padded zeros count). */
  avgPool(x: Feature, k: number, s: number, p = 0): Feature {
    const size = (n: number) => poolSize(n, k, s, p, false);
    const attrs: Record<string, number[] | number> = { kernel_shape: [k, k], strides: [s, s] };
    if (p) Object.assign(attrs, { pads: [p, p, p, p], count_include_pad: 1 });
    return { name: this.op('AveragePool', [x.name], attrs), c: x.c, h: size(x.h), w: size(x.w) };
  }

  /** AdaptiveAvgPool2d(1) / mean over H, W with keepdim. */
  globalAvgPool(x: Feature): Feature {
    return { name: this.op('GlobalAveragePool', [x.name]), c: x.c, h: 1, w: 1 };
  }

  /** torch.flatten(x, 1). */
  flatten(x: Feature): Flat {
    return { name: this.op('Flatten', [x.name], { axis: 1 }), n: x.c * x.h * x.w };
  }

  /** nn.Linear at `prefix`: Gemm(x, Wᵀ, b). */
  linear(x: Flat, prefix: string, out: number): Flat {
    const w = this.param(`${prefix}.weight`, [out, x.n]);
    const bias = this.param(`${prefix}.bias`, [out]);
    return { name: this.op('Gemm', [x.name, w, bias], { transB: 1 }, prefix), n: out };
  }

  add(a: Feature, b: Feature): Feature {
    if (a.c !== b.c || a.h !== b.h || a.w !== b.w) throw new Error(`cannot add [${a.c},${a.h},${a.w}] and [${b.c},${b.h},${b.w}]`);
    return { ...a, name: this.op('Add', [a.name, b.name]) };
  }

  /** Elementwise product with a [N, C, 1, 1] scale (squeeze-excitation). */
  scale(x: Feature, s: Feature): Feature {
    return { ...x, name: this.op('Mul', [s.name, x.name]) };
  }

  concat(parts: Feature[]): Feature {
    const [first] = parts;
    if (parts.some((p) => p.h !== first.h || p.w !== first.w)) throw new Error('concat of feature maps with different sizes');
    return { name: this.op('Concat', parts.map((p) => p.name), { axis: 1 }), c: parts.reduce((n, p) => n + p.c, 0), h: first.h, w: first.w };
  }

  /** x.chunk(2, dim=1). */
  chunk2(x: Feature): [Feature, Feature] {
    const half = x.c / 2;
    const [a, b] = this.b.node('Split', [x.name, this.b.ints('split', [half, half])], { axis: 1 }, { outputs: 2 });
    return [{ ...x, name: a, c: half }, { ...x, name: b, c: half }];
  }

  /** ShuffleNetV2's channel_shuffle: view [N, g, C/g, H, W] → transpose(1, 2) → view [N, C, H, W]. */
  channelShuffle(x: Feature, groups: number): Feature {
    const five = this.op('Reshape', [x.name, this.b.ints('shuffle_shape', [0, groups, x.c / groups, x.h, x.w])]);
    const t = this.op('Transpose', [five], { perm: [0, 2, 1, 3, 4] });
    return { ...x, name: this.op('Reshape', [t, this.b.ints('unshuffle_shape', [0, x.c, x.h, x.w])]) };
  }

  /**
   * torchvision.ops.SqueezeExcitation (and MobileNetV3's older class, same keys): avgpool → fc1 (1×1 conv with bias)
   * → activation → fc2 → scale activation → x · scale.
   */
  squeezeExcitation(x: Feature, prefix: string, squeeze: number, act: 'relu' | 'silu', scale: 'sigmoid' | 'hardsigmoid'): Feature {
    let s = this.globalAvgPool(x);
    s = this.conv(s, `${prefix}.fc1`, { out: squeeze, k: 1, bias: true });
    s = act === 'relu' ? this.relu(s) : this.silu(s);
    s = this.conv(s, `${prefix}.fc2`, { out: x.c, k: 1, bias: true });
    s = scale === 'sigmoid' ? this.sigmoid(s) : this.hardsigmoid(s);
    return this.scale(x, s);
  }

  #scalars = new Map<string, string>();
  scalar(name: string, value: number): string {
    let s = this.#scalars.get(name);
    if (!s) this.#scalars.set(name, (s = this.b.floats(name, [], [value])));
    return s;
  }

  /** Declares the image input [batch, 3, size, size]. */
  input(batch: Dim, size: number): Feature {
    return { name: this.b.input('input', 1 /* FLOAT */, [batch, 3, size, size]), c: 3, h: size, w: size };
  }
}

export type Activation = 'relu' | 'relu6' | 'hardswish' | 'silu' | 'none';

/** One torchvision builder: how to build it and what its default weights expect as input. */
export interface ArchSpec {
  /** The builder's name in torchvision (and in the catalog): `resnet18`. */
  name: string;
  /** Module in torchvision/models that defines it. */
  source: string;
  /** Input height = width: the crop size of the builder's default weights. */
  imageSize: number;
  /** Resize of the shorter side before the center crop (default weights' transforms). */
  resize: number;
  interpolation: 'bilinear' | 'bicubic';
  mean?: [number, number, number];
  std?: [number, number, number];
  /** Key whose first dimension is the number of classes. */
  classifierKey: string;
  /** BatchNorm epsilon, for the report (undefined: no BatchNorm). */
  eps?: number;
  build(net: Net, x: Feature, numClasses: number): Flat;
  /** Keys of training-only modules (auxiliary classifiers) that a file may hold: read, not built, not an error. */
  trainingOnlyKeys?: RegExp;
  /** The architecture has torchvision's `transform_input` option (GoogLeNet, Inception v3). */
  hasTransformInput?: boolean;
  /** Facts about this architecture for the report. */
  notes?: string[];
  /** Maps torchvision keys to the names an older file uses (DenseNet's `norm.1`), when the file uses them. */
  legacyKeys?(tensors: StateDict): ((key: string) => string) | undefined;
}

/** Output size of a pooling window, as torch computes it (ceil_mode drops a last window that starts in the padding). */
export function poolSize(n: number, k: number, s: number, p: number, ceil: boolean): number {
  const span = n + 2 * p - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + p) out -= 1;
  return out;
}

/**
 * torchvision's `_make_divisible` (models/_utils.py; the TF reference): nearest multiple of `divisor`, at least
 * `minValue`, and never more than 10 % below `v`.
 */
export function makeDivisible(v: number, divisor: number, minValue?: number): number {
  const min = minValue ?? divisor;
  let next = Math.max(min, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (next < 0.9 * v) next += divisor;
  return next;
}
