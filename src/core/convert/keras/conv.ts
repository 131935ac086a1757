/**
 * Convolutions: Conv1D/2D/3D (groups), Conv1D/2D/3DTranspose, DepthwiseConv1D/2D (depth_multiplier),
 * SeparableConv1D/2D. The value is taken channels first (a Transpose only where the layout is not already so), the
 * kernels are transposed here (Keras [k…, in, out] → ONNX [out, in, k…]), and TensorFlow's padding is written out:
 * 'same' = explicit pads total = max((⌈in/s⌉−1)·s + (k−1)·d + 1 − in, 0), begin ⌊total/2⌋ (SAME_UPPER when the size is
 * unknown); 'causal' = d·(k−1) on the left; 'valid' = none.
 */
import { OmnihubError } from '../../errors.js';
import { applyActivation } from './activations.js';
import { cfgBool, cfgNum, cfgStr, cfgTuple, where, type Ctx, type KDim, type KTensor, type LayerConverter, type LayerInfo } from './context.js';
import { channelsFirstPerm, identityPerm, range, transposeData } from './layout.js';
import { one } from './core-layers.js';

export interface SpatialLayout {
  /** Channels first in Keras's own order (data_format 'channels_first'). */
  cf: boolean;
  /** The layout the ONNX op wants (channels at physical axis 1). */
  want: number[];
  spatial: KDim[];
  channels: KDim;
}

/** Where the spatial and channel axes are for a layer's data_format. */
export function spatialLayout(t: KTensor, L: LayerInfo, d: number): SpatialLayout {
  const r = t.shape.length;
  if (r !== d + 2) throw new OmnihubError('unsupported', `${where(L)} needs a rank-${d + 2} input but gets shape [${t.shape.join(', ')}].`);
  const cf = cfgStr(L.config, 'data_format', 'channels_last') === 'channels_first';
  return {
    cf,
    want: cf ? identityPerm(r) : channelsFirstPerm(r),
    spatial: cf ? t.shape.slice(2) : t.shape.slice(1, r - 1),
    channels: cf ? t.shape[1] : t.shape[r - 1],
  };
}

/** The output tensor from a channels-first ONNX result, in Keras's shape for the data_format. */
export function spatialOutput(cx: Ctx, name: string, s: SpatialLayout, batch: KDim, spatial: KDim[], channels: KDim): KTensor {
  const shape = s.cf ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
  return cx.tensor(name, shape, s.want);
}

/** TensorFlow's padding for one spatial axis: [begin, end] and the output size, or null (size unknown, 'same'). */
export function tfPadding(padding: string, size: KDim, k: number, s: number, dil: number, L: LayerInfo): { pads: [number, number] | null; out: KDim } {
  const kd = (k - 1) * dil + 1;
  if (padding === 'valid') return { pads: [0, 0], out: size === null ? null : Math.floor((size - kd) / s) + 1 };
  if (padding === 'causal') return { pads: [kd - 1, 0], out: size === null ? null : Math.floor((size - 1) / s) + 1 };
  if (padding !== 'same') throw new OmnihubError('unsupported', `${where(L)} has padding '${padding}'; Keras's are 'valid', 'same' and 'causal'.`);
  if (size === null) return { pads: null, out: null };
  const total = Math.max((Math.ceil(size / s) - 1) * s + kd - size, 0);
  const begin = Math.floor(total / 2);
  return { pads: [begin, total - begin], out: Math.ceil(size / s) };
}

/** Conv attributes (kernel_shape, strides, dilations, pads or auto_pad) and output sizes for TF padding. */
export function convAttrs(L: LayerInfo, s: SpatialLayout, kernel: number[], strides: number[], dilations: number[], padding: string): { attrs: Record<string, number[] | string | number>; out: KDim[] } {
  const per = s.spatial.map((size, i) => tfPadding(padding, size, kernel[i], strides[i], dilations[i], L));
  const attrs: Record<string, number[] | string | number> = { kernel_shape: kernel, strides, dilations };
  if (per.every((p) => p.pads)) attrs.pads = [...per.map((p) => p.pads![0]), ...per.map((p) => p.pads![1])];
  else attrs.auto_pad = 'SAME_UPPER';
  return { attrs, out: per.map((p) => p.out) };
}

/** Keras kernel [k…, in, out] → ONNX [out, in, k…]. */
const kernelToOnnx = (data: Float32Array, shape: number[]): { dims: number[]; data: Float32Array } => {
  const d = shape.length - 2;
  const perm = [d + 1, d, ...range(0, d)];
  return { dims: perm.map((a) => shape[a]), data: transposeData(data, shape, perm) };
};

/** The options every Keras conv layer has (kernel_size, strides, dilation_rate, padding, use_bias), with Keras's defaults. */
function convConfig(cfg: LayerInfo['config'], d: number) {
  return {
    kernel: cfgTuple(cfg, 'kernel_size', d, 1),
    strides: cfgTuple(cfg, 'strides', d, 1),
    dil: cfgTuple(cfg, 'dilation_rate', d, 1),
    padding: cfgStr(cfg, 'padding', 'valid').toLowerCase(),
    useBias: cfgBool(cfg, 'use_bias', true),
  };
}

function convN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const cfg = L.config;
    const s = spatialLayout(t, L, d);
    const filters = cfgNum(cfg, 'filters', NaN);
    const { kernel, strides, dil, padding, useBias } = convConfig(cfg, d);
    const groups = cfgNum(cfg, 'groups', 1);
    const inPerGroup = s.channels === null ? null : s.channels / groups;
    const w = cx.weights(L, useBias ? [[...kernel, inPerGroup, filters], [filters]] : [[...kernel, inPerGroup, filters]]);
    const k = kernelToOnnx(w[0].data, w[0].shape);
    const { attrs, out } = convAttrs(L, s, kernel, strides, dil, padding);
    if (groups !== 1) attrs.group = groups;
    const ins = [cx.value(t, s.want), cx.layerConst(L, 'kernel', k.dims, k.data)];
    if (useBias) ins.push(cx.layerConst(L, 'bias', w[1].shape, w[1].data));
    const y = cx.op('Conv', ins, attrs, L.name);
    return [applyActivation(cx, spatialOutput(cx, y, s, t.shape[0], out, filters), cfg.activation, L)];
  };
}

/** Depthwise kernel [k…, C, m] → ONNX [C·m, 1, k…] (output channel c·m + j, as TensorFlow orders them). */
function depthwiseToOnnx(data: Float32Array, shape: number[]): { dims: number[]; data: Float32Array } {
  const d = shape.length - 2;
  const reshaped = [...shape.slice(0, d), 1, shape[d] * shape[d + 1]];
  return kernelToOnnx(data, reshaped);
}

function depthwiseN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const cfg = L.config;
    const s = spatialLayout(t, L, d);
    if (s.channels === null) throw new OmnihubError('unsupported', `${where(L)} needs a known channel count.`);
    const { kernel, strides, dil, padding, useBias } = convConfig(cfg, d);
    const mult = cfgNum(cfg, 'depth_multiplier', 1);
    const C = s.channels;
    const w = cx.weights(L, useBias ? [[...kernel, C, mult], [C * mult]] : [[...kernel, C, mult]]);
    const k = depthwiseToOnnx(w[0].data, w[0].shape);
    const { attrs, out } = convAttrs(L, s, kernel, strides, dil, padding);
    attrs.group = C;
    const ins = [cx.value(t, s.want), cx.layerConst(L, 'depthwise_kernel', k.dims, k.data)];
    if (useBias) ins.push(cx.layerConst(L, 'bias', w[1].shape, w[1].data));
    const y = cx.op('Conv', ins, attrs, L.name);
    return [applyActivation(cx, spatialOutput(cx, y, s, t.shape[0], out, C * mult), cfg.activation, L)];
  };
}

function separableN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const cfg = L.config;
    const s = spatialLayout(t, L, d);
    if (s.channels === null) throw new OmnihubError('unsupported', `${where(L)} needs a known channel count.`);
    const filters = cfgNum(cfg, 'filters', NaN);
    const { kernel, strides, dil, padding, useBias } = convConfig(cfg, d);
    const mult = cfgNum(cfg, 'depth_multiplier', 1);
    const C = s.channels;
    const ones = new Array(d).fill(1);
    const expected: (readonly KDim[])[] = [[...kernel, C, mult], [...ones, C * mult, filters]];
    if (useBias) expected.push([filters]);
    const w = cx.weights(L, expected);
    const dk = depthwiseToOnnx(w[0].data, w[0].shape);
    const pk = kernelToOnnx(w[1].data, w[1].shape);
    const { attrs, out } = convAttrs(L, s, kernel, strides, dil, padding);
    attrs.group = C;
    const dw = cx.op('Conv', [cx.value(t, s.want), cx.layerConst(L, 'depthwise_kernel', dk.dims, dk.data)], attrs, `${L.name}_depthwise`);
    const ins = [dw, cx.layerConst(L, 'pointwise_kernel', pk.dims, pk.data)];
    if (useBias) ins.push(cx.layerConst(L, 'bias', w[2].shape, w[2].data));
    const y = cx.op('Conv', ins, { kernel_shape: ones }, `${L.name}_pointwise`);
    return [applyActivation(cx, spatialOutput(cx, y, s, t.shape[0], out, filters), cfg.activation, L)];
  };
}

/**
 * ConvTranspose with Keras's output length (conv_utils.deconv_output_length) and TensorFlow's placement: the forward
 * conv's 'same' padding max((in−1)·s + k_d − out, 0) is cropped ⌊total/2⌋ at the start, and output_padding makes up
 * the rest at the end.
 */
function convTransposeN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const cfg = L.config;
    const s = spatialLayout(t, L, d);
    const filters = cfgNum(cfg, 'filters', NaN);
    const { kernel, strides, dil, padding, useBias } = convConfig(cfg, d);
    const outPad = cfg.output_padding === null || cfg.output_padding === undefined ? null : cfgTuple(cfg, 'output_padding', d, 0);
    const w = cx.weights(L, useBias ? [[...kernel, filters, s.channels], [filters]] : [[...kernel, filters, s.channels]]);
    const k = kernelToOnnx(w[0].data, w[0].shape); // [k…, out, in] → [in, out, k…]
    const begins: number[] = [];
    const ends: number[] = [];
    const opad: number[] = [];
    const out: KDim[] = [];
    for (let i = 0; i < d; i++) {
      const size = s.spatial[i];
      const n = size ?? 8; // the padding arithmetic below does not depend on the input length
      const kd = (kernel[i] - 1) * dil[i] + 1;
      const st = strides[i];
      let length: number;
      if (outPad === null) length = padding === 'valid' ? n * st + Math.max(kd - st, 0) : n * st;
      else length = (n - 1) * st + kd - 2 * (padding === 'same' ? Math.floor(kd / 2) : 0) + outPad[i];
      const total = padding === 'same' ? Math.max((n - 1) * st + kd - length, 0) : 0;
      const op = length - ((n - 1) * st + kd - total);
      if (op < 0 || op >= Math.max(st, dil[i])) {
        throw new OmnihubError('unsupported', `${where(L)}: output_padding ${outPad?.[i]} does not fit stride ${st} on spatial axis ${i}.`);
      }
      begins.push(Math.floor(total / 2));
      ends.push(total - Math.floor(total / 2));
      opad.push(op);
      out.push(size === null ? null : length);
    }
    const attrs: Record<string, number[]> = { kernel_shape: kernel, strides, dilations: dil, pads: [...begins, ...ends] };
    if (opad.some((v) => v !== 0)) attrs.output_padding = opad;
    const ins = [cx.value(t, s.want), cx.layerConst(L, 'kernel', k.dims, k.data)];
    if (useBias) ins.push(cx.layerConst(L, 'bias', w[1].shape, w[1].data));
    const y = cx.op('ConvTranspose', ins, attrs, L.name);
    return [applyActivation(cx, spatialOutput(cx, y, s, t.shape[0], out, filters), cfg.activation, L)];
  };
}

export const CONV_LAYERS: Record<string, LayerConverter> = {
  Conv1D: convN(1), Conv2D: convN(2), Conv3D: convN(3),
  Convolution1D: convN(1), Convolution2D: convN(2), Convolution3D: convN(3),
  Conv1DTranspose: convTransposeN(1), Conv2DTranspose: convTransposeN(2), Conv3DTranspose: convTransposeN(3),
  Convolution2DTranspose: convTransposeN(2), Deconvolution2D: convTransposeN(2),
  DepthwiseConv1D: depthwiseN(1), DepthwiseConv2D: depthwiseN(2),
  SeparableConv1D: separableN(1), SeparableConv2D: separableN(2),
  SeparableConvolution1D: separableN(1), SeparableConvolution2D: separableN(2),
};
