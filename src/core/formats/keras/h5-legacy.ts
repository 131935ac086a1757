/**
 * Keras HDF5 files in the legacy layout (Keras 2 / tf.keras `hdf5_format.py`, and Keras 3's `legacy_h5_format.py`):
 *
 * - full model: root attrs `keras_version`, `backend`, `model_config` (JSON), `training_config` (JSON, when
 *   compiled); the weights in group `model_weights`;
 * - weights only (`save_weights`): the same weights layout at the root (or under `model_weights`), no model_config.
 *
 * Weights layout: attr `layer_names` (every layer, in model order, weightless ones too; chunked as
 * `layer_names0`, `layer_names1`, … when over 64 KB), one group per layer with attr `weight_names` (chunked the
 * same way), and each weight at `<group>/<layer>/<weight_name>` ('/' in a name nests groups). Keras 3 writes weight
 * names without ':0'. Optimizer weights are not read.
 *
 * A Keras 3 `.weights.h5` (`model.save_weights` in Keras 3: the `layers/<class>/vars/<i>` layout) is read too,
 * through keras-zip.ts.
 */
import { OmnihubError } from '../../errors.js';
import { checkWeightTensor, type WeightTensor } from '../../weights/types.js';
import { withHdf5, type Hdf5File } from '../hdf5/h5.js';
import {
  flattenKerasLayers, isKerasContainer, kerasLayerName, kerasModelLayers, parsePythonJson, toKerasLayerConfig,
} from './architecture-json.js';
import { readKeras3WeightsH5 } from './keras-zip.js';
import type { KerasLayerConfig, KerasLayerWeights, KerasModelFile } from './types.js';

/**
 * Keras's `load_attributes_from_hdf5_group`: the attribute itself, or its chunks `name0`, `name1`, … concatenated;
 * undefined when neither exists.
 */
export function readChunkedNames(f: Hdf5File, path: string, name: string): string[] | undefined {
  const attrs = f.attrNames(path);
  if (attrs.includes(name)) return f.attrStrings(path, name);
  if (!attrs.includes(`${name}0`)) return undefined;
  const out: string[] = [];
  for (let chunk = 0; attrs.includes(`${name}${chunk}`); chunk++) out.push(...(f.attrStrings(path, `${name}${chunk}`) ?? []));
  return out;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '' && p !== '/').join('/').replace(/^\/*/, '/');
}

function hasLayerNames(f: Hdf5File, path: string): boolean {
  const attrs = f.attrNames(path);
  return attrs.includes('layer_names') || attrs.includes('layer_names0');
}

/** Reads the legacy weights layout of `group` ('/' or '/model_weights'). */
function readWeightsGroup(f: Hdf5File, group: string, notes: string[]): KerasLayerWeights[] {
  const layerNames = readChunkedNames(f, group, 'layer_names') ?? [];
  const seen = new Set<string>();
  const layers: KerasLayerWeights[] = [];
  for (const layer of layerNames) {
    if (seen.has(layer)) throw new OmnihubError('malformed', `${f.fileName}: layer '${layer}' is listed twice in layer_names.`);
    seen.add(layer);
    const layerPath = join(group, layer);
    if (f.kind(layerPath) !== 'group') {
      throw new OmnihubError('malformed', `${f.fileName}: layer '${layer}' is listed in layer_names, but the file has no group '${layerPath}' for its weights.`);
    }
    const weights = readLayerWeights(f, layerPath, layer);
    if (weights.length) layers.push({ layer, weights });
  }
  // Keras ≥ 2.11 saves a model's own variables (not in any layer) in 'top_level_model_weights'.
  const top = join(group, 'top_level_model_weights');
  if (!seen.has('top_level_model_weights') && f.kind(top) === 'group') {
    const weights = readLayerWeights(f, top, 'top_level_model_weights');
    if (weights.length) {
      layers.push({ layer: 'top_level_model_weights', weights });
      notes.push(`The model has ${weights.length} variable(s) of its own (top_level_model_weights), listed as a layer of that name.`);
    }
  }
  return layers;
}

function readLayerWeights(f: Hdf5File, layerPath: string, layer: string): WeightTensor[] {
  const names = readChunkedNames(f, layerPath, 'weight_names') ?? [];
  return names.map((name) => {
    const path = join(layerPath, name);
    const kind = f.kind(path);
    if (kind !== 'dataset') {
      throw new OmnihubError('malformed', `${f.fileName}: weight '${name}' of layer '${layer}' is listed in weight_names, but ${kind === 'missing' ? 'there is no dataset' : `there is a ${kind}, not a dataset,`} at '${path}'.`);
    }
    const data = f.readDataset(path);
    return checkWeightTensor({ name, dtype: data.dtype, shape: data.shape, bytes: data.bytes });
  });
}

/**
 * Splits the single entry Keras 2 writes for a nested model (all its weights, named after their own layers) into
 * one entry per inner layer, when every weight's name starts with an inner layer's name (optionally after the
 * nested model's own name). Otherwise the entry stays whole and a note says so.
 */
function splitNestedModels(layers: KerasLayerWeights[], config: KerasLayerConfig, notes: string[]): KerasLayerWeights[] {
  const byName = new Map(kerasModelLayers(config).map((l) => [kerasLayerName(l), l]));
  const out: KerasLayerWeights[] = [];
  for (const entry of layers) {
    const cfg = byName.get(entry.layer);
    if (!cfg || !isKerasContainer(cfg)) {
      out.push(entry);
      continue;
    }
    const inner = kerasModelLayers(cfg).map(kerasLayerName);
    const groups = new Map<string, WeightTensor[]>();
    let ok = true;
    for (const w of entry.weights) {
      let name = w.name;
      if (name.startsWith(`${entry.layer}/`) && !inner.includes(entry.layer)) name = name.slice(entry.layer.length + 1);
      const owner = inner.filter((n) => name.startsWith(`${n}/`)).sort((a, b) => b.length - a.length)[0];
      if (!owner) {
        ok = false;
        break;
      }
      if (!groups.has(owner)) groups.set(owner, []);
      groups.get(owner)!.push(w);
    }
    if (!ok) {
      out.push(entry);
      notes.push(`Nested model '${entry.layer}': its weights are listed under the model's name (their names do not say which inner layer owns them).`);
      continue;
    }
    // Inner layers in the nested model's config order; deeper nesting is split recursively.
    const split = inner.filter((n) => groups.has(n)).map((n) => ({ layer: n, weights: groups.get(n)! }));
    out.push(...splitNestedModels(split, cfg, notes));
  }
  return out;
}

/** Reads an HDF5 Keras file (full model or weights only; legacy layout or a Keras 3 `.weights.h5`). */
export async function readKerasH5(bytes: Uint8Array, fileName = 'The HDF5 file'): Promise<KerasModelFile> {
  return withHdf5(bytes, fileName, (f) => readKerasH5File(f));
}

export function readKerasH5File(f: Hdf5File): KerasModelFile {
  const notes: string[] = [];
  const rootAttrs = f.attrNames('/');
  const kerasVersion = f.attrString('/', 'keras_version');
  const backend = f.attrString('/', 'backend');
  const modelConfigText = rootAttrs.includes('model_config') ? f.attrString('/', 'model_config') : undefined;
  if (rootAttrs.includes('model_config') && modelConfigText === undefined) {
    throw new OmnihubError('malformed', `${f.fileName}: the model_config attribute is not text.`);
  }

  if (modelConfigText !== undefined) {
    const what = `${f.fileName}: model_config`;
    const config = toKerasLayerConfig(parsePythonJson(modelConfigText, what, notes), what, notes);
    const trainingText = rootAttrs.includes('training_config') ? f.attrString('/', 'training_config') : undefined;
    if (trainingText !== undefined) {
      let optimizer = '';
      try {
        const t = JSON.parse(trainingText) as { optimizer_config?: { class_name?: string; config?: { name?: string } } };
        const o = t.optimizer_config;
        const name = o?.config?.name ?? o?.class_name;
        if (name) optimizer = ` (optimizer ${name.replace(/^Custom>/, '')})`;
      } catch {
        // the note below still holds
      }
      notes.push(`Training config present${optimizer}: not used.`);
    }
    if (f.kind('/optimizer_weights') === 'group') notes.push('Optimizer weights present: not read.');
    let layers: KerasLayerWeights[] = [];
    if (f.kind('/model_weights') === 'group') {
      layers = splitNestedModels(readWeightsGroup(f, '/model_weights', notes), config, notes);
    } else if (hasLayerNames(f, '/')) {
      layers = splitNestedModels(readWeightsGroup(f, '/', notes), config, notes);
    } else {
      notes.push('The file has a model_config but no model_weights: it holds no weights.');
    }
    const known = new Set(flattenKerasLayers(config).map((x) => kerasLayerName(x.layer)));
    const unknown = layers.map((l) => l.layer).filter((n) => !known.has(n) && n !== 'top_level_model_weights');
    if (unknown.length) {
      notes.push(`Weights for layers that model_config does not name: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}.`);
    }
    return { format: 'h5-full', kerasVersion, backend, config, layers, notes };
  }

  if (hasLayerNames(f, '/') || (f.kind('/model_weights') === 'group' && hasLayerNames(f, '/model_weights'))) {
    const group = hasLayerNames(f, '/') ? '/' : '/model_weights';
    const layers = readWeightsGroup(f, group, notes);
    const version = kerasVersion ?? f.attrString(group, 'keras_version');
    const be = backend ?? f.attrString(group, 'backend');
    if (f.kind('/optimizer_weights') === 'group') notes.push('Optimizer weights present: not read.');
    notes.push('Weights only: the file has no architecture (pair it with the model\'s JSON from model.to_json(), or a known architecture).');
    return { format: 'h5-weights', kerasVersion: version, backend: be, layers, notes };
  }

  // Keras 3 `model.save_weights('x.weights.h5')`: the same layout as model.weights.h5 inside a .keras zip.
  if (f.kind('/layers') === 'group' || f.kind('/_layer_checkpoint_dependencies') === 'group') {
    const read = readKeras3WeightsH5(f, undefined);
    notes.push(...read.notes);
    notes.push('Keras 3 weights only (.weights.h5): the file has no architecture; layer names come from the file.');
    return { format: 'h5-weights', kerasVersion, backend, layers: read.layers, notes };
  }

  throw new OmnihubError('wrong-format', `${f.fileName} is an HDF5 file, but not a Keras model or weights file (it has no model_config, no layer_names and no Keras 3 'layers' group).`);
}
