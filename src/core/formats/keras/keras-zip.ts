/**
 * Keras 3 `.keras` files (keras/src/saving/saving_lib.py): a ZIP with `metadata.json` (`keras_version`),
 * `config.json` (`serialize_keras_object(model)`) and `model.weights.h5`.
 *
 * The weights file does not use layer names. `_save_state` visits the model: its own variables go to `vars/<i>`
 * (datasets "0", "1", … in `layer.weights` order: trainable, then non-trainable); a Sequential / Functional model
 * then visits `layers` (= `model.layers`, config order) as a container, where each element is named by its
 * class name in snake case (`naming.to_snake_case`), with `_1`, `_2`, … appended for the 2nd, 3rd … element of
 * the same class (`_save_container_state`); every other attribute of a saveable that is itself a saveable (an
 * LSTM's `cell`, a Bidirectional's `forward_layer`, an MHA's `_query_dense`) nests under the attribute's name,
 * visited in `sorted(dir(obj))` order with private names last (`_name_key`). A nested model recurses:
 * `layers/functional/layers/dense/vars/0`. Recent versions tag each `vars` group with attr `name` = layer.name.
 *
 * So layer names are recovered by walking config.json the same way. Each layer's weights are every dataset
 * under its group, named by their path below it (`vars/0`, `cell/vars/1`). Files without a layer list in their
 * config (custom model classes) and Keras 3 `.weights.h5` files (no config) fall back to the file's own tree,
 * naming layers from the `vars` name attribute.
 */
import { OmnihubError } from '../../errors.js';
import { checkWeightTensor, type WeightTensor } from '../../weights/types.js';
import { openZip, type ZipArchive } from '../zip/reader.js';
import { withHdf5, type Hdf5File } from '../hdf5/h5.js';
import { kerasLayerName, parsePythonJson, toKerasLayerConfig, toSnakeCase } from './architecture-json.js';
import type { KerasLayerConfig, KerasLayerWeights, KerasModelFile } from './types.js';

const WEIGHTS_H5 = 'model.weights.h5';
const WEIGHTS_NPZ = 'model.weights.npz';

/** Python's `_name_key`: attributes starting with '_' sort after the others. */
function nameKey(name: string): string {
  return name.startsWith('_') ? `~${name}` : name;
}

/** Container elements are `<class>`, `<class>_1`, `<class>_2` …: sort the numbers numerically. */
function naturalCompare(a: string, b: string): number {
  const ma = /^(.*?)(?:_(\d+))?$/.exec(nameKey(a))!;
  const mb = /^(.*?)(?:_(\d+))?$/.exec(nameKey(b))!;
  if (ma[1] !== mb[1]) return ma[1] < mb[1] ? -1 : 1;
  return Number(ma[2] ?? -1) - Number(mb[2] ?? -1);
}

function varOrder(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : Infinity;
  const nb = /^\d+$/.test(b) ? Number(b) : Infinity;
  if (na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Built-in layers that always own weights: a missing group for one of them deserves a note. */
const ALWAYS_WEIGHTED = new Set([
  'Dense', 'EinsumDense', 'Embedding', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose',
  'Conv3DTranspose', 'SeparableConv1D', 'SeparableConv2D', 'DepthwiseConv1D', 'DepthwiseConv2D', 'BatchNormalization',
  'LayerNormalization', 'GroupNormalization', 'LSTM', 'GRU', 'SimpleRNN', 'PReLU', 'MultiHeadAttention',
]);

function hasLayerList(cfg: KerasLayerConfig): boolean {
  return Array.isArray(cfg.config?.layers);
}

export interface Keras3Weights {
  layers: KerasLayerWeights[];
  notes: string[];
}

/**
 * Maps a Keras 3 weights file (`model.weights.h5` or a `.weights.h5`) to layer names, walking `config` the way
 * Keras saved it; without a config (or with a custom model class that lists no layers), from the file's tree.
 */
export function readKeras3WeightsH5(f: Hdf5File, config: KerasLayerConfig | undefined): Keras3Weights {
  const notes: string[] = [];
  const layers: KerasLayerWeights[] = [];
  const claimed = new Set<string>();
  const nameMismatches: string[] = [];
  const missing: string[] = [];
  const layersKey = f.kind('/layers') !== 'group' && f.kind('/_layer_checkpoint_dependencies') === 'group'
    ? '_layer_checkpoint_dependencies'
    : 'layers';
  if (layersKey !== 'layers') notes.push("Weights saved by tf.keras 2.13–2.15 (group '_layer_checkpoint_dependencies').");

  const read = (path: string, name: string): WeightTensor => {
    const data = f.readDataset(path);
    claimed.add(path);
    return checkWeightTensor({ name, dtype: data.dtype, shape: data.shape, bytes: data.bytes });
  };
  const ownVars = (path: string, prefix: string): WeightTensor[] => {
    const vars = `${path}/vars`;
    if (f.kind(vars) !== 'group') return [];
    return f.children(vars).sort(varOrder).flatMap((v) => {
      const p = `${vars}/${v}`;
      const kind = f.kind(p);
      if (kind === 'dataset') return [read(p, `${prefix}vars/${v}`)];
      if (kind === 'group') return collect(p, `${prefix}vars/${v}/`);
      return [];
    });
  };
  /** The saveable at `path`: its own vars, then its sub-saveables' in Keras's visiting order. */
  const collect = (path: string, prefix: string): WeightTensor[] => {
    const out = ownVars(path, prefix);
    for (const child of f.children(path).filter((c) => c !== 'vars').sort(naturalCompare)) {
      const p = `${path}/${child}`;
      const kind = f.kind(p);
      if (kind === 'group') out.push(...collect(p, `${prefix}${child}/`));
      else if (kind === 'dataset') out.push(read(p, `${prefix}${child}`));
    }
    return out;
  };
  const pathName = (path: string): string | undefined => {
    const vars = `${path}/vars`;
    return f.kind(vars) === 'group' ? f.attrString(vars, 'name') : undefined;
  };
  const push = (layer: string, weights: WeightTensor[]): void => {
    if (weights.length) layers.push({ layer, weights });
  };

  const walkConfig = (model: KerasLayerConfig, modelPath: string): void => {
    const used = new Map<string, number>();
    for (const layer of model.config.layers as KerasLayerConfig[]) {
      const snake = toSnakeCase(layer.class_name);
      let element = snake;
      const n = used.get(snake);
      if (n === undefined) used.set(snake, 0);
      else {
        used.set(snake, n + 1);
        element = `${snake}_${n + 1}`;
      }
      const path = `${modelPath}/${layersKey}/${element}`;
      const name = kerasLayerName(layer);
      if (f.kind(path) !== 'group') {
        // a weightless layer (InputLayer is not even visited); a layer that always has weights is worth a note
        if (ALWAYS_WEIGHTED.has(layer.class_name)) missing.push(`${name} (${layer.class_name}, expected at ${path.slice(1)})`);
        continue;
      }
      const stored = pathName(path);
      if (stored !== undefined && stored !== name) nameMismatches.push(`${path.slice(1)} holds '${stored}', config says '${name}'`);
      if (hasLayerList(layer)) {
        // a nested model: its own variables, its layers (under their own names), then its other attributes
        push(name, ownVars(path, ''));
        walkConfig(layer, path);
        const rest = f.children(path).filter((c) => c !== 'vars' && c !== layersKey).sort(naturalCompare)
          .flatMap((c) => (f.kind(`${path}/${c}`) === 'group' ? collect(`${path}/${c}`, `${c}/`) : []));
        if (rest.length) {
          const own = layers.find((l) => l.layer === name);
          if (own) own.weights.push(...rest);
          else push(name, rest);
        }
      } else {
        push(name, collect(path, ''));
      }
    }
  };

  /** No layer list: each child group of a container is a layer (a group holding `layers` is a nested model). */
  const walkTree = (containerPath: string): void => {
    const list = `${containerPath}/${layersKey}`;
    if (f.kind(list) !== 'group') return;
    for (const element of f.children(list).sort(naturalCompare)) {
      const path = `${list}/${element}`;
      if (f.kind(path) !== 'group') continue;
      const name = pathName(path) ?? element;
      if (f.kind(`${path}/${layersKey}`) === 'group') {
        push(name, ownVars(path, ''));
        walkTree(path);
      } else {
        push(name, collect(path, ''));
      }
    }
  };

  const rootName = (config && kerasLayerName(config)) || pathName('') || 'model';
  push(rootName, ownVars('', ''));
  if (config && hasLayerList(config)) {
    walkConfig(config, '');
  } else {
    if (config) {
      notes.push(`The model class '${config.class_name}' does not list its layers in config.json (a custom model class): layers are named from the weights file.`);
    }
    walkTree('');
  }

  // What else the file holds at the top: optimizer state, metrics, a custom model's other attributes.
  for (const child of f.children('/').sort(naturalCompare)) {
    if (child === 'vars' || child === layersKey) continue;
    const p = `/${child}`;
    if (child === 'optimizer') {
      notes.push('Optimizer weights present: not read.');
      continue;
    }
    if (f.kind(p) !== 'group') continue;
    if (config && hasLayerList(config)) {
      const count = f.paths(p).length;
      if (count) notes.push(`'${child}' (not a layer of the model) was not read.`);
      continue;
    }
    // a custom model's own attributes (self.encoder = …): one layer per attribute
    push(pathName(p) ?? child, collect(p, ''));
  }

  const list = `/${layersKey}`;
  if (f.kind(list) === 'group') {
    const unclaimed = f.paths(list).map((p) => `${list}/${p}`).filter((p) => !claimed.has(p) && f.kind(p) === 'dataset');
    if (unclaimed.length) {
      notes.push(`${unclaimed.length} weight(s) in the file belong to no layer of config.json (not read): ${unclaimed.slice(0, 5).map((p) => p.slice(1)).join(', ')}${unclaimed.length > 5 ? ', …' : ''}.`);
    }
  }
  if (missing.length) {
    notes.push(`Layers with no weights in the file: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`);
  }
  if (nameMismatches.length) {
    notes.push(`Weight groups whose stored layer name differs from config.json (mapped by Keras's path rule anyway): ${nameMismatches.slice(0, 5).join('; ')}${nameMismatches.length > 5 ? '; …' : ''}.`);
  }
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.layer)) notes.push(`Two weight groups carry the layer name '${l.layer}'.`);
    seen.add(l.layer);
  }
  return { layers, notes };
}

function text(zip: ZipArchive, name: string): string {
  return new TextDecoder().decode(zip.read(name));
}

function describeZip(zip: ZipArchive): string {
  const names = zip.entries.map((e) => e.name);
  if (names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'))) return 'a PyTorch checkpoint';
  if (names.some((n) => n.endsWith('/constants.pkl') || n.endsWith('/code/'))) return 'a TorchScript archive';
  if (names.length && names.every((n) => n.endsWith('.npy'))) return 'a NumPy .npz archive';
  return `a ZIP archive of ${names.length} entr${names.length === 1 ? 'y' : 'ies'}`;
}

/** Reads a Keras 3 `.keras` zip. */
export async function readKerasZip(bytes: Uint8Array, fileName = 'The .keras file'): Promise<KerasModelFile> {
  const zip = openZip(bytes);
  if (!zip.has('config.json')) {
    throw new OmnihubError('wrong-format', `${fileName} is ${describeZip(zip)}, not a Keras 3 .keras file (it has no config.json).`);
  }
  const notes: string[] = [];
  let kerasVersion: string | undefined;
  if (zip.has('metadata.json')) {
    const meta = parsePythonJson(text(zip, 'metadata.json'), `${fileName}: metadata.json`, notes) as { keras_version?: unknown };
    if (meta && typeof meta.keras_version === 'string') kerasVersion = meta.keras_version;
  } else {
    notes.push('No metadata.json: the Keras version is unknown.');
  }
  const what = `${fileName}: config.json`;
  const config = toKerasLayerConfig(parsePythonJson(text(zip, 'config.json'), what, notes), what, notes);
  const compile = (config as { compile_config?: unknown }).compile_config;
  if (compile && typeof compile === 'object' && Object.keys(compile).length) notes.push('Compile config present: not used.');

  let weights: Keras3Weights;
  if (zip.has(WEIGHTS_H5)) {
    weights = await withHdf5(zip.read(WEIGHTS_H5), `${fileName} › ${WEIGHTS_H5}`, (f) => readKeras3WeightsH5(f, config));
  } else if (zip.has(WEIGHTS_NPZ)) {
    throw new OmnihubError('unsupported', `${fileName} stores its weights as ${WEIGHTS_NPZ} (pickled NumPy dictionaries), which is not read; re-save it with the default h5 weights format.`);
  } else {
    throw new OmnihubError('malformed', `${fileName} has a config.json but no ${WEIGHTS_H5}.`);
  }
  const assets = zip.entries.filter((e) => e.name.startsWith('assets/') && !e.name.endsWith('/')).length;
  if (assets) notes.push(`assets/ (${assets} file${assets === 1 ? '' : 's'}, e.g. vocabularies) not read.`);
  notes.push(...weights.notes);
  return { format: 'keras-zip', kerasVersion, config, layers: weights.layers, notes };
}
