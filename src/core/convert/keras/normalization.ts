/**
 * BatchNormalization (inference: moving statistics) on any axis and LayerNormalization (any axes; Keras 3's
 * rms_scaling refused). Keras's epsilons (1e-3 by default for both) are always written out: ONNX's default is 1e-5.
 *
 * BatchNormalization becomes ONNX BatchNormalization where its axis is the value's physical axis 1 (after a
 * convolution held channels first, or a [batch, features] tensor), else a per-channel Mul + Add folded from
 * γ/√(var+ε) and β − mean·γ/√(var+ε) — element-wise, so no Transpose either way.
 * LayerNormalization becomes ONNX LayerNormalization (opset 17) where its axes are the trailing physical axes, else
 * ReduceMean-based ops on the axes where they are.
 */
import { OmnihubError } from '../../errors.js';
import { broadcastConstant, cfgBool, cfgNum, flatNumbers, normAxis, where, type LayerConverter } from './context.js';
import { one } from './core-layers.js';
import { permKey, transposeData } from './layout.js';

const batchNorm: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const cfg = L.config;
  const r = t.shape.length;
  const axes = flatNumbers(cfg.axis ?? -1).map((a) => normAxis(a, r, L));
  if (axes.length !== 1) throw new OmnihubError('unsupported', `${where(L)} normalises over several axes (${axes.join(', ')}); Omnihub converts one.`);
  const axis = axes[0];
  const C = t.shape[axis];
  const scale = cfgBool(cfg, 'scale', true);
  const center = cfgBool(cfg, 'center', true);
  const eps = cfgNum(cfg, 'epsilon', 1e-3);
  const expected = [...(scale ? [[C]] : []), ...(center ? [[C]] : []), [C], [C]];
  const w = cx.weights(L, expected);
  let k = 0;
  const gamma = scale ? w[k++].data : null;
  const beta = center ? w[k++].data : null;
  const mean = w[k++].data;
  const variance = w[k++].data;
  const n = mean.length;
  const p = t.perm.indexOf(axis);
  if (p === 1 && r >= 2) {
    const g = gamma ?? new Float32Array(n).fill(1);
    const b = beta ?? new Float32Array(n);
    const y = cx.op('BatchNormalization', [
      cx.main(t),
      cx.layerConst(L, 'gamma', [n], g),
      cx.layerConst(L, 'beta', [n], b),
      cx.layerConst(L, 'moving_mean', [n], mean),
      cx.layerConst(L, 'moving_variance', [n], variance),
    ], { epsilon: { float: eps } }, L.name);
    return [cx.derive(t, y)];
  }
  const mul = new Float32Array(n);
  const add = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
    mul[i] = s;
    add[i] = (beta ? beta[i] : 0) - mean[i] * s;
  }
  const cm = broadcastConstant(t, [axis], mul);
  const ca = broadcastConstant(t, [axis], add);
  const key = permKey(t.perm);
  const y = cx.op('Add', [
    cx.op('Mul', [cx.main(t), cx.layerConst(L, `scale_${key}`, cm.dims, cm.data)], {}, `${L.name}_scale`),
    cx.layerConst(L, `offset_${key}`, ca.dims, ca.data),
  ], {}, L.name);
  return [cx.derive(t, y)];
};

const layerNorm: LayerConverter = (cx, L, inputs) => {
  const t = one(inputs, L);
  const cfg = L.config;
  const r = t.shape.length;
  const axes = [...new Set(flatNumbers(cfg.axis ?? -1).map((a) => normAxis(a, r, L)))].sort((a, b) => a - b);
  if (cfgBool(cfg, 'rms_scaling', false)) {
    // Keras 3 versions disagree on what rms_scaling computes (variance vs mean of squares): refused, not guessed.
    throw new OmnihubError('unsupported', `${where(L)} uses rms_scaling, whose formula differs between Keras 3 versions; Omnihub converts LayerNormalization without it.`);
  }
  const scale = cfgBool(cfg, 'scale', true);
  const center = cfgBool(cfg, 'center', true);
  const eps = cfgNum(cfg, 'epsilon', 1e-3);
  const paramShape = axes.map((a) => t.shape[a]);
  if (paramShape.some((d) => d === null)) throw new OmnihubError('unsupported', `${where(L)} normalises over an axis of unknown size.`);
  const expected = [...(scale ? [paramShape] : []), ...(center ? [paramShape] : [])];
  const w = cx.weights(L, expected);
  const n = paramShape.reduce<number>((a, d) => a * (d as number), 1);
  const gamma = scale ? w[0].data : new Float32Array(n).fill(1);
  const beta = center ? w[scale ? 1 : 0].data : new Float32Array(n);
  const phys = axes.map((a) => t.perm.indexOf(a)).sort((a, b) => a - b);
  const trailing = phys.every((p, i) => p === r - phys.length + i);
  const x = cx.main(t);
  const key = permKey(t.perm);
  if (trailing) {
    // γ and β in the physical order of the normalised axes.
    const logicalOrder = phys.map((p) => t.perm[p]);
    const sub = logicalOrder.map((a) => axes.indexOf(a));
    const dims = logicalOrder.map((a) => t.shape[a] as number);
    const g = transposeData(gamma, paramShape as number[], sub);
    const b = transposeData(beta, paramShape as number[], sub);
    const y = cx.op('LayerNormalization', [x, cx.layerConst(L, `gamma_${key}`, dims, g), cx.layerConst(L, `beta_${key}`, dims, b)], { axis: phys[0], epsilon: { float: eps } }, L.name);
    return [cx.derive(t, y)];
  }
  const cg = broadcastConstant(t, axes, gamma);
  let y: string;
  {
    const mean = cx.op('ReduceMean', [x], { axes: phys, keepdims: 1 });
    const dev = cx.op('Sub', [x, mean]);
    const variance = cx.op('ReduceMean', [cx.op('Mul', [dev, dev])], { axes: phys, keepdims: 1 });
    y = cx.op('Div', [dev, cx.op('Sqrt', [cx.op('Add', [variance, cx.scalar(eps)])])]);
    y = cx.op('Mul', [y, cx.layerConst(L, `gamma_${key}`, cg.dims, cg.data)]);
    const cb = broadcastConstant(t, axes, beta);
    y = cx.op('Add', [y, cx.layerConst(L, `beta_${key}`, cb.dims, cb.data)], {}, L.name);
  }
  return [cx.derive(t, y)];
};

export const NORMALIZATION_LAYERS: Record<string, LayerConverter> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
};
