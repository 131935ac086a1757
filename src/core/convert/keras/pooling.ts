/**
 * Pooling: Max/AveragePooling1D/2D/3D (channels first, TensorFlow's 'same' pads; averages exclude the padding as
 * TensorFlow does: count_include_pad 0) and GlobalMax/GlobalAveragePooling1D/2D/3D as ReduceMax/ReduceMean over the
 * spatial axes in whatever layout the value is held (no Transpose; keepdims honoured; a masked
 * GlobalAveragePooling1D averages the kept steps only, as Keras does).
 */
import { DataType } from '../../onnx/tensor.js';
import { cfgBool, cfgStr, cfgTuple, type KTensor, type LayerConverter } from './context.js';
import { convAttrs, spatialLayout, spatialOutput } from './conv.js';
import { one } from './core-layers.js';
import { range } from './layout.js';

function poolN(d: number, kind: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const cfg = L.config;
    const s = spatialLayout(t, L, d);
    const pool = cfgTuple(cfg, 'pool_size', d, 2);
    const strides = cfg.strides === null || cfg.strides === undefined ? pool : cfgTuple(cfg, 'strides', d, pool);
    const padding = cfgStr(cfg, 'padding', 'valid').toLowerCase();
    const { attrs, out } = convAttrs(L, s, pool, strides, new Array(d).fill(1), padding);
    delete attrs.dilations;
    if (kind === 'AveragePool') attrs.count_include_pad = 0;
    const y = cx.op(kind, [cx.value(t, s.want)], attrs, L.name);
    return [spatialOutput(cx, y, s, t.shape[0], out, s.channels)];
  };
}

function globalPoolN(d: number, kind: 'ReduceMax' | 'ReduceMean'): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const r = t.shape.length;
    const cf = cfgStr(L.config, 'data_format', 'channels_last') === 'channels_first';
    const keep = cfgBool(L.config, 'keepdims', false);
    const spatial = cf ? range(2, r) : range(1, r - 1);
    const channel = cf ? 1 : r - 1;
    if (t.mask && kind === 'ReduceMean' && d === 1) {
      // Σ x·m / Σ m over the kept steps.
      const x = cx.keras(t);
      const m = cx.op('Unsqueeze', [t.mask, cx.ints([cf ? 1 : 2], 'axes')]);
      const num = cx.op('ReduceSum', [cx.op('Mul', [x, m]), cx.ints([spatial[0]], 'axes')], { keepdims: keep ? 1 : 0 });
      const den = cx.op('ReduceSum', [m, cx.ints([spatial[0]], 'axes')], { keepdims: keep ? 1 : 0 });
      const y = cx.op('Div', [num, den], {}, L.name);
      return [cx.tensor(y, keep ? t.shape.map((v, i) => (spatial.includes(i) ? 1 : v)) : [t.shape[0], t.shape[channel]])];
    }
    const axes = spatial.map((a) => t.perm.indexOf(a)).sort((a, b) => a - b);
    const y = cx.op(kind, [cx.main(t)], { axes, keepdims: keep ? 1 : 0 }, L.name);
    if (keep) return [cx.derive(t, y, t.shape.map((v, i) => (spatial.includes(i) ? 1 : v)), DataType.FLOAT)];
    // The remaining physical axes hold batch and channel, in the order the layout had them.
    const left = t.perm.filter((a) => !spatial.includes(a));
    const out: KTensor = cx.tensor(y, [t.shape[0], t.shape[channel]], left.map((a) => (a === 0 ? 0 : 1)));
    return [out];
  };
}

export const POOLING_LAYERS: Record<string, LayerConverter> = {
  MaxPooling1D: poolN(1, 'MaxPool'), MaxPooling2D: poolN(2, 'MaxPool'), MaxPooling3D: poolN(3, 'MaxPool'),
  AveragePooling1D: poolN(1, 'AveragePool'), AveragePooling2D: poolN(2, 'AveragePool'), AveragePooling3D: poolN(3, 'AveragePool'),
  MaxPool1D: poolN(1, 'MaxPool'), MaxPool2D: poolN(2, 'MaxPool'), MaxPool3D: poolN(3, 'MaxPool'),
  AvgPool1D: poolN(1, 'AveragePool'), AvgPool2D: poolN(2, 'AveragePool'), AvgPool3D: poolN(3, 'AveragePool'),
  GlobalMaxPooling1D: globalPoolN(1, 'ReduceMax'), GlobalMaxPooling2D: globalPoolN(2, 'ReduceMax'), GlobalMaxPooling3D: globalPoolN(3, 'ReduceMax'),
  GlobalAveragePooling1D: globalPoolN(1, 'ReduceMean'), GlobalAveragePooling2D: globalPoolN(2, 'ReduceMean'), GlobalAveragePooling3D: globalPoolN(3, 'ReduceMean'),
  GlobalMaxPool1D: globalPoolN(1, 'ReduceMax'), GlobalMaxPool2D: globalPoolN(2, 'ReduceMax'), GlobalMaxPool3D: globalPoolN(3, 'ReduceMax'),
  GlobalAvgPool1D: globalPoolN(1, 'ReduceMean'), GlobalAvgPool2D: globalPoolN(2, 'ReduceMean'), GlobalAvgPool3D: globalPoolN(3, 'ReduceMean'),
};
