/**
 * Keras core layers: Dense, the activation layers, the inference no-ops (Dropout family, noise, random
 * augmentation), Flatten, Reshape, Permute, RepeatVector, Rescaling, Normalization, Embedding, Masking.
 */
import { OmnihubError } from '../../errors.js';
import { DataType } from '../../onnx/tensor.js';
import { applyActivation } from './activations.js';
import {
  broadcastConstant, cfgBool, cfgNum, cfgStr, cfgValue, flatNumbers, normAxis, prod, where,
  type KDim, type KTensor, type LayerConverter, type LayerInfo,
} from './context.js';
import { channelsLastPerm, identityPerm, invertPerm, permKey, physicalAxis } from './layout.js';

const one = (inputs: KTensor[], L: LayerInfo): KTensor => {
  if (inputs.length !== 1) throw new OmnihubError('unsupported', `${where(L)} takes one input but is called with ${inputs.length}.`);
  return inputs[0];
};

/** Dense: MatMul over the last axis (+ bias) → activation. Works on any layout that keeps the last axis last. */
const dense: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const cfg = L.config;
  const units = cfgNum(cfg, 'units', NaN);
  const r = t.shape.length;
  const useBias = cfgBool(cfg, 'use_bias', true);
  const inDim = t.shape[r - 1];
  const w = cx.weights(L, useBias ? [[inDim, units], [units]] : [[inDim, units]]);
  const perm = t.perm[r - 1] === r - 1 ? t.perm : identityPerm(r);
  const x = cx.value(t, perm);
  const kernel = cx.layerConst(L, 'kernel', w[0].shape, w[0].data);
  let y = cx.op('MatMul', [x, kernel], {}, `${L.name}_matmul`);
  if (useBias) y = cx.op('Add', [y, cx.layerConst(L, 'bias', w[1].shape, w[1].data)], {}, `${L.name}_bias`);
  const out = cx.tensor(y, [...t.shape.slice(0, -1), units], perm);
  out.mask = t.mask;
  return [applyActivation(cx, out, cfg.activation, L)];
};

const activation: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const y = applyActivation(cx, t, L.config.activation, L);
  if (y !== t) y.mask = t.mask;
  return [y];
};

/** Keras's ReLU layer: max_value, negative_slope, threshold. */
const reluLayer: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const cfg = L.config;
  const maxValue = cfgValue(cfg.max_value) === null || cfg.max_value === undefined ? null : cfgNum(cfg, 'max_value', 0);
  const slope = cfgNum(cfg, 'negative_slope', 0);
  const threshold = cfgNum(cfg, 'threshold', 0);
  const x = cx.main(t);
  let y: string;
  if (threshold === 0 && slope === 0) y = cx.op('Relu', [x], {}, L.name);
  else if (threshold === 0) y = cx.op('LeakyRelu', [x], { alpha: { float: slope } }, L.name);
  else {
    // x ≥ threshold: x, else negative_slope · (x − threshold)
    const below = cx.op('Mul', [cx.op('Sub', [x, cx.scalar(threshold)]), cx.scalar(slope)]);
    y = cx.op('Where', [cx.op('GreaterOrEqual', [x, cx.scalar(threshold)]), x, below], {}, L.name);
  }
  if (maxValue !== null) y = cx.op('Min', [y, cx.scalar(maxValue)], {}, `${L.name}_max`);
  return [cx.derive(t, y)];
};

const leakyRelu: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  // Keras 2: alpha (default 0.3); Keras 3: negative_slope (default 0.3).
  const alpha = L.config.negative_slope !== undefined ? cfgNum(L.config, 'negative_slope', 0.3) : cfgNum(L.config, 'alpha', 0.3);
  return [cx.derive(t, cx.op('LeakyRelu', [cx.main(t)], { alpha: { float: alpha } }, L.name))];
};

/** PReLU: a learned slope of shape input_shape[1:] (1 on shared axes), laid out like the input. */
const prelu: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const r = t.shape.length;
  const shared = new Set(flatNumbers(L.config.shared_axes).map((a) => normAxis(a, r, L)));
  const want = t.shape.slice(1).map((d, i) => (shared.has(i + 1) ? 1 : d));
  const [alpha] = cx.weights(L, [want]);
  const axes = want.map((_, i) => i + 1).filter((a) => !shared.has(a));
  const c = broadcastConstant(t, axes, alpha.data);
  const slope = cx.layerConst(L, `alpha_${permKey(t.perm)}`, c.dims, c.data);
  return [cx.derive(t, cx.op('PRelu', [cx.main(t), slope], {}, L.name))];
};

const eluLayer: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  return [cx.derive(t, cx.op('Elu', [cx.main(t)], { alpha: { float: cfgNum(L.config, 'alpha', 1) } }, L.name))];
};

const thresholdedRelu: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  return [cx.derive(t, cx.op('ThresholdedRelu', [cx.main(t)], { alpha: { float: cfgNum(L.config, 'theta', 1) } }, L.name))];
};

/** Softmax over one axis (ONNX Softmax on its physical axis) or several (exp(x − max) / Σ). */
const softmaxLayer: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const r = t.shape.length;
  const axes = flatNumbers(L.config.axis ?? -1).map((a) => physicalAxis(t.perm, normAxis(a, r, L)));
  const x = cx.main(t);
  if (axes.length === 1) return [cx.derive(t, cx.op('Softmax', [x], { axis: axes[0] }, L.name))];
  const m = cx.op('ReduceMax', [x], { axes, keepdims: 1 });
  const e = cx.op('Exp', [cx.op('Sub', [x, m])]);
  return [cx.derive(t, cx.op('Div', [e, cx.op('ReduceSum', [e, cx.ints(axes, 'axes')], { keepdims: 1 })], {}, L.name))];
};

/** Layers that do nothing at inference (the mask passes through). */
const passThrough: LayerConverter = (_cx, L, inputs) => [one(inputs, L)];

/** Flatten in Keras's element order (channels_first data: channels last first, as Keras does). */
const flatten: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const r = t.shape.length;
  const cf = cfgStr(L.config, 'data_format', 'channels_last') === 'channels_first';
  let perm = cf && r > 2 ? channelsLastPerm(r) : identityPerm(r);
  // A layout that only moves size-1 axes (a 1×1 feature map held channels first) has Keras's element order already.
  const big = (p: readonly number[]) => p.filter((a) => t.shape[a] !== 1).join(',');
  if (t.perm[0] === 0 && big(t.perm) === big(perm)) perm = t.perm;
  const y = cx.op('Flatten', [cx.value(t, perm)], { axis: 1 }, L.name);
  return [cx.tensor(y, [t.shape[0], prod(t.shape.slice(1))])];
};

/** Reshape (batch kept, one −1 allowed) on the Keras order. */
const reshape: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const target = flatNumbers(L.config.target_shape);
  const known = prod(t.shape.slice(1));
  const fixed = target.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  const shape: KDim[] = [t.shape[0], ...target.map((d) => (d === -1 ? (known === null ? null : known / fixed) : d))];
  const y = cx.op('Reshape', [cx.keras(t), cx.ints([0, ...target], 'target_shape')], {}, L.name);
  return [cx.tensor(y, shape)];
};

/** Permute: no op at all — the same values with their axes relabelled (the layout absorbs it). */
const permute: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const dims = flatNumbers(L.config.dims);
  const pmap = [0, ...dims]; // output logical axis i = input logical axis pmap[i]
  const inv = invertPerm(pmap);
  const shape = pmap.map((a) => t.shape[a]);
  let out: KTensor | undefined;
  for (const [key, name] of t.forms) {
    const p = key.split(',').map(Number).map((a) => inv[a]);
    if (!out) out = cx.tensor(name, shape, p);
    else out.forms.set(permKey(p), name);
  }
  out!.perm = t.perm.map((a) => inv[a]);
  return [out!];
};

/** RepeatVector(n): [B, F] → [B, n, F]. */
const repeatVector: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const n = cfgNum(L.config, 'n', 1);
  const u = cx.op('Unsqueeze', [cx.keras(t), cx.ints([1], 'axes')]);
  return [cx.tensor(cx.op('Tile', [u, cx.ints([1, n, 1], 'repeats')], {}, L.name), [t.shape[0], n, t.shape[1]])];
};

/** Rescaling: x · scale + offset (scalars, or per-channel lists on the last axis). */
const rescaling: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const r = t.shape.length;
  const constant = (v: unknown, dflt: number, purpose: string): string => {
    const vals = flatNumbers(v ?? dflt);
    if (vals.length <= 1) return cx.scalar(vals.length ? vals[0] : dflt);
    const c = broadcastConstant(t, [r - 1], Float32Array.from(vals));
    return cx.layerConst(L, `${purpose}_${permKey(t.perm)}`, c.dims, c.data);
  };
  let y = cx.op('Mul', [cx.main(t), constant(L.config.scale, 1, 'scale')], {}, L.name);
  const offset = flatNumbers(L.config.offset ?? 0);
  if (offset.some((v) => v !== 0)) y = cx.op('Add', [y, constant(L.config.offset, 0, 'offset')], {}, `${L.name}_offset`);
  return [cx.derive(t, y)];
};

/**
 * Normalization: (x − mean) / max(√var, 1e-7) (Keras's backend epsilon), or its inverse with `invert`; mean and
 * variance from the config or from the weights (mean, variance[, count]) over the kept axes (default −1).
 */
const normalization: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const r = t.shape.length;
  const cfg = L.config;
  const axisCfg = cfg.axis === undefined ? [-1] : cfg.axis === null ? [] : flatNumbers(cfg.axis);
  const axes = axisCfg.map((a) => normAxis(a, r, L));
  let mean: Float32Array;
  let variance: Float32Array;
  const given = cfgValue(cfg.mean);
  if (given !== null && given !== undefined) {
    mean = Float32Array.from(flatNumbers(cfg.mean));
    variance = Float32Array.from(flatNumbers(cfg.variance));
    cx.weights(L, [], { optional: true });
  } else {
    const w = cx.weights(L, cx.weightCount(L) === 3 ? [null, null, null] : [null, null]);
    mean = w[0].data;
    variance = w[1].data;
  }
  const eps = 1e-7;
  const n = mean.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  const invert = cfgBool(cfg, 'invert', false);
  for (let i = 0; i < n; i++) {
    const sd = Math.max(Math.sqrt(variance[variance.length === 1 ? 0 : i]), eps);
    if (invert) { scale[i] = sd; shift[i] = mean[i]; } else { scale[i] = 1 / sd; shift[i] = -mean[i] / sd; }
  }
  const cs = broadcastConstant(t, axes, scale);
  const ch = broadcastConstant(t, axes, shift);
  const key = permKey(t.perm);
  const y = cx.op('Add', [
    cx.op('Mul', [cx.main(t), cx.layerConst(L, `scale_${key}`, cs.dims, cs.data)], {}, `${L.name}_scale`),
    cx.layerConst(L, `shift_${key}`, ch.dims, ch.data),
  ], {}, L.name);
  return [cx.derive(t, y)];
};

/** Embedding: Gather rows (indices cast to int64 as Keras casts); mask_zero gives a mask. */
const embedding: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const inputDim = cfgNum(L.config, 'input_dim', NaN);
  const outputDim = cfgNum(L.config, 'output_dim', NaN);
  const [table] = cx.weights(L, [[inputDim, outputDim]]);
  let idx = cx.keras(t);
  if (t.elem !== DataType.INT64) idx = cx.op('Cast', [idx], { to: DataType.INT64 }, `${L.name}_indices`);
  const y = cx.op('Gather', [cx.layerConst(L, 'embeddings', table.shape, table.data), idx], { axis: 0 }, L.name);
  const out = cx.tensor(y, [...t.shape, outputDim]);
  if (cfgBool(L.config, 'mask_zero', false)) {
    const nz = cx.op('Not', [cx.op('Equal', [idx, cx.once('i64:0', () => cx.b.ints('zero', [0], []))])]);
    out.mask = cx.op('Cast', [nz], { to: DataType.FLOAT }, `${L.name}_mask`);
  }
  return [out];
};

/** Masking: steps whose features all equal mask_value are zeroed and masked (the mask feeds recurrent layers). */
const masking: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const v = flatNumbers(L.config.mask_value ?? 0)[0] ?? 0;
  const x = cx.keras(t);
  const keep = cx.op('Cast', [cx.op('Not', [cx.op('Equal', [x, cx.scalar(v)])])], { to: DataType.FLOAT });
  const mask = cx.op('ReduceMax', [keep], { axes: [-1], keepdims: 0 }, `${L.name}_mask`);
  const y = cx.op('Mul', [x, cx.op('Unsqueeze', [mask, cx.ints([-1], 'axes')])], {}, L.name);
  const out = cx.tensor(y, t.shape);
  out.mask = mask;
  return [out];
};

export const NO_OP_LAYERS: readonly string[] = [
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout',
  'AlphaDropout', 'ActivityRegularization', 'Identity', 'RandomFlip', 'RandomRotation', 'RandomZoom',
  'RandomTranslation', 'RandomContrast', 'RandomBrightness',
];

export const CORE_LAYERS: Record<string, LayerConverter> = {
  Dense: dense,
  Activation: activation,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  PReLU: prelu,
  ELU: eluLayer,
  Softmax: softmaxLayer,
  ThresholdedReLU: thresholdedRelu,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  RepeatVector: repeatVector,
  Rescaling: rescaling,
  Normalization: normalization,
  Embedding: embedding,
  Masking: masking,
  ...Object.fromEntries(NO_OP_LAYERS.map((c) => [c, passThrough])),
};

export { one };
