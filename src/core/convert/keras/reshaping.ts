/**
 * ZeroPadding1D/2D/3D (Pad), Cropping1D/2D/3D (Slice) and UpSampling1D/2D/3D (Resize) on the spatial axes, in
 * whatever layout the value is held (bilinear up-sampling takes it channels first). Nearest up-sampling repeats
 * each value (asymmetric coordinates, floor); bilinear follows tf.image.resize (half-pixel centres; Keras before
 * 2.4 used TF1's resize_bilinear: asymmetric).
 */
import { OmnihubError } from '../../errors.js';
import { cfgStr, cfgTuple, where, type KDim, type KTensor, type LayerConverter, type LayerInfo } from './context.js';
import { channelsFirstPerm, identityPerm, range } from './layout.js';
import { one } from './core-layers.js';

/** Keras's padding/cropping argument as [begin, end] per spatial axis. */
export function pairs(v: unknown, d: number, L: LayerInfo): [number, number][] {
  if (typeof v === 'number') return new Array(d).fill(0).map(() => [v, v]);
  if (Array.isArray(v)) {
    if (d === 1 && v.length === 2 && v.every((x) => typeof x === 'number')) return [[v[0], v[1]]];
    if (v.length === d) {
      return v.map((x) => {
        if (typeof x === 'number') return [x, x];
        if (Array.isArray(x) && x.length === 2) return [Number(x[0]), Number(x[1])];
        throw new OmnihubError('unsupported', `${where(L)}: cannot read ${JSON.stringify(v)}.`);
      });
    }
  }
  throw new OmnihubError('unsupported', `${where(L)}: cannot read the padding/cropping ${JSON.stringify(v)}.`);
}

function spatialAxes(t: KTensor, L: LayerInfo, d: number): number[] {
  const r = t.shape.length;
  if (r !== d + 2) throw new OmnihubError('unsupported', `${where(L)} needs a rank-${d + 2} input but gets shape [${t.shape.join(', ')}].`);
  const cf = cfgStr(L.config, 'data_format', 'channels_last') === 'channels_first';
  return cf ? range(2, r) : range(1, r - 1);
}

function zeroPaddingN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const axes = spatialAxes(t, L, d);
    const p = pairs(L.config.padding ?? 1, d, L);
    const r = t.shape.length;
    const begin = new Array(r).fill(0);
    const end = new Array(r).fill(0);
    axes.forEach((a, i) => { begin[a] = p[i][0]; end[a] = p[i][1]; });
    const pads = [...t.perm.map((a) => begin[a]), ...t.perm.map((a) => end[a])];
    const y = cx.op('Pad', [cx.main(t), cx.ints(pads, 'pads')], { mode: 'constant' }, L.name);
    const shape = t.shape.map((s, a) => (s === null ? null : s + begin[a] + end[a]));
    return [cx.derive(t, y, shape)];
  };
}

function croppingN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const axes = spatialAxes(t, L, d);
    const c = pairs(L.config.cropping ?? 1, d, L);
    const starts: number[] = [];
    const ends: number[] = [];
    const shape: KDim[] = [...t.shape];
    axes.forEach((a, i) => {
      const size = t.shape[a];
      starts.push(c[i][0]);
      ends.push(size !== null ? size - c[i][1] : c[i][1] === 0 ? Number.MAX_SAFE_INTEGER : -c[i][1]);
      shape[a] = size === null ? null : size - c[i][0] - c[i][1];
    });
    const phys = axes.map((a) => t.perm.indexOf(a));
    const y = cx.op('Slice', [cx.main(t), cx.ints(starts, 'starts'), cx.ints(ends, 'ends'), cx.ints(phys, 'axes')], {}, L.name);
    return [cx.derive(t, y, shape)];
  };
}

function upSamplingN(d: number): LayerConverter {
  return (cx, L, inputs) => {
    const t = one(inputs, L);
    const axes = spatialAxes(t, L, d);
    const size = cfgTuple(L.config, 'size', d, 2);
    const interpolation = cfgStr(L.config, 'interpolation', 'nearest');
    const r = t.shape.length;
    const logicalScale = new Array(r).fill(1);
    axes.forEach((a, i) => { logicalScale[a] = size[i]; });
    const shape = t.shape.map((s, a) => (s === null ? null : s * logicalScale[a]));
    let perm = t.perm;
    const attrs: Record<string, string> = {};
    if (interpolation === 'nearest') {
      Object.assign(attrs, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    } else if (interpolation === 'bilinear') {
      const cf = cfgStr(L.config, 'data_format', 'channels_last') === 'channels_first';
      perm = cf ? identityPerm(r) : channelsFirstPerm(r);
      const [major, minor] = cx.version;
      const halfPixel = major >= 3 || (major === 2 && minor >= 4);
      Object.assign(attrs, { mode: 'linear', coordinate_transformation_mode: halfPixel ? 'half_pixel' : 'asymmetric' });
    } else {
      throw new OmnihubError('unsupported', `${where(L)} uses '${interpolation}' interpolation; Omnihub converts 'nearest' and 'bilinear'.`);
    }
    const scales = cx.floats(`${L.name}_scales`, [r], perm.map((a) => logicalScale[a]));
    const y = cx.op('Resize', [cx.value(t, perm), '', scales], attrs, L.name);
    return [cx.tensor(y, shape, perm)];
  };
}

export const RESHAPING_LAYERS: Record<string, LayerConverter> = {
  ZeroPadding1D: zeroPaddingN(1), ZeroPadding2D: zeroPaddingN(2), ZeroPadding3D: zeroPaddingN(3),
  Cropping1D: croppingN(1), Cropping2D: croppingN(2), Cropping3D: croppingN(3),
  UpSampling1D: upSamplingN(1), UpSampling2D: upSamplingN(2), UpSampling3D: upSamplingN(3),
};
