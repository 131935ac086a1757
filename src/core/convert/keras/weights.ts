/**
 * Which weights of the file belong to which layer of the architecture.
 *
 * A full-model file: by layer name. A weights-only file with an architecture from elsewhere: by name when any of
 * the architecture's layers with weights is found in the file (`load_weights(by_name=True)`), else positionally, as
 * Keras's default `load_weights` does: the file's layers with weights, in order, against the architecture's layers
 * with weights, in order (nested models flattened). Layers of nested models are also looked up inside an entry named
 * after the nested model whose weight names start with `<layer>/` (Keras 2 stores a nested model as one layer).
 */
import { OmnihubError } from '../../errors.js';
import type { KerasLayerConfig, KerasLayerWeights, KerasModelFile } from '../../formats/keras/types.js';
import type { WeightTensor } from '../../weights/types.js';
import type { LayerInfo, WeightLookup } from './context.js';

export const layerName = (l: KerasLayerConfig): string => String((l.config as { name?: unknown } | undefined)?.name ?? l.name ?? '');

/** A model's layer list (Keras 2.0–2.2 Sequential configs are the list itself). */
export function modelLayers(m: KerasLayerConfig): KerasLayerConfig[] | undefined {
  const c = m.config as unknown;
  if (Array.isArray(c)) return c as KerasLayerConfig[];
  const layers = (c as { layers?: unknown } | undefined)?.layers;
  return Array.isArray(layers) ? (layers as KerasLayerConfig[]) : undefined;
}

export const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export const isModel = (l: KerasLayerConfig): boolean => MODEL_CLASSES.has(l.class_name) && modelLayers(l) !== undefined;

const WEIGHTLESS = new Set([
  'InputLayer', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'Flatten', 'Reshape', 'Permute',
  'RepeatVector', 'Rescaling', 'Masking', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate',
  'Dot', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout',
  'AlphaDropout', 'ActivityRegularization', 'Identity',
]);

/** Whether a layer of this config has weights (for positional matching). */
function hasWeights(l: KerasLayerConfig): boolean {
  const c = l.config ?? {};
  if (WEIGHTLESS.has(l.class_name) || /Pooling|Pool\dD|ZeroPadding|Cropping|UpSampling|^Random/.test(l.class_name)) return false;
  if (l.class_name === 'LayerNormalization') return c.scale !== false || c.center !== false;
  if (l.class_name === 'Normalization') return c.mean === undefined || c.mean === null;
  if (l.class_name === 'TimeDistributed') {
    const inner = c.layer as KerasLayerConfig | undefined;
    return inner ? hasWeights(inner) : false;
  }
  return true;
}

/** The architecture's layers with weights in Keras's order (nested models flattened), as [scope, layer name]. */
export function weightedLayers(arch: KerasLayerConfig, scope: string[] = []): { scope: string[]; name: string }[] {
  const out: { scope: string[]; name: string }[] = [];
  for (const l of modelLayers(arch) ?? []) {
    if (isModel(l)) out.push(...weightedLayers(l, [...scope, layerName(l)]));
    else if (hasWeights(l)) out.push({ scope, name: layerName(l) });
  }
  return out;
}

const keyOf = (scope: string[], name: string): string => [...scope, name].join('/');

function byName(entries: Map<string, KerasLayerWeights>): (L: { scope: string[]; name: string }) => WeightTensor[] | undefined {
  return (L) => {
    for (let i = L.scope.length - 1; i >= 0; i--) {
      const group = entries.get(L.scope[i]);
      if (!group) continue;
      const inner = group.weights.filter((w) => w.name.startsWith(`${L.name}/`) || w.name.includes(`/${L.name}/`));
      if (inner.length) return inner;
    }
    return entries.get(L.name)?.weights;
  };
}

export interface WeightPlan {
  lookup: WeightLookup;
  mode: 'name' | 'position';
  /** File layers with weights that no architecture layer took. */
  unused: string[];
  used: Set<string>;
}

export function planWeights(file: KerasModelFile, arch: KerasLayerConfig, fromElsewhere: boolean): WeightPlan {
  const entries = new Map<string, KerasLayerWeights>();
  for (const e of file.layers) if (e.weights.length) entries.set(e.layer, e);
  const used = new Set<string>();
  const wanted = weightedLayers(arch);
  const find = byName(entries);
  const anyByName = wanted.some((w) => find(w) !== undefined);
  if (!fromElsewhere || anyByName || wanted.length === 0) {
    return {
      mode: 'name',
      used,
      unused: [],
      lookup: (L: LayerInfo) => {
        const found = find(L);
        if (found) {
          used.add(L.scope.find((s) => entries.get(s)?.weights.some((w) => found.includes(w))) ?? L.name);
        }
        return found;
      },
    };
  }
  const fileLayers = [...entries.values()];
  if (fileLayers.length !== wanted.length) {
    throw new OmnihubError('mismatch', `No layer name of the architecture is in the weights file, and matching by position fails: the file has ${fileLayers.length} layers with weights (${fileLayers.map((e) => e.layer).join(', ')}), the architecture ${wanted.length} (${wanted.map((w) => w.name).join(', ')}).`);
  }
  const map = new Map<string, KerasLayerWeights>();
  wanted.forEach((w, i) => map.set(keyOf(w.scope, w.name), fileLayers[i]));
  return {
    mode: 'position',
    used,
    unused: [],
    lookup: (L: LayerInfo) => {
      const e = map.get(keyOf(L.scope, L.name));
      if (e) used.add(e.layer);
      return e?.weights;
    },
  };
}
