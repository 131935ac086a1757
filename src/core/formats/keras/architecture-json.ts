/**
 * Keras model architectures as JSON: the separate file `model.to_json()` writes (paired with a weights-only `.h5`),
 * the `model_config` attribute of a full-model HDF5, Keras 3's `config.json`, and a TensorFlow.js layers model's
 * `modelTopology`. Also the small helpers every Keras reader and the converter use to walk such a config.
 */
import { OmnihubError } from '../../errors.js';
import type { KerasLayerConfig } from './types.js';

export interface KerasArchitecture {
  config: KerasLayerConfig;
  /** `keras_version` / `backend` when the JSON states them (`model.to_json()` does). */
  kerasVersion?: string;
  backend?: string;
  notes: string[];
}

/**
 * Parses JSON as Python's `json.dumps` writes it: standard JSON plus the bare `NaN`, `Infinity` and `-Infinity`
 * that Python allows (Infinity becomes ±Infinity, NaN becomes null, and a note says so).
 */
export function parsePythonJson(text: string, what: string, notes?: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const fixed = replacePythonConstants(text);
    if (fixed !== text) {
      try {
        const value = JSON.parse(fixed);
        notes?.push(`${what} uses Python's NaN/Infinity (not JSON): Infinity was kept, NaN read as null.`);
        return value;
      } catch {
        // report the original error below
      }
    }
    throw new OmnihubError('malformed', `${what} is not valid JSON: ${(first as Error).message}`, { cause: first });
  }
}

function replacePythonConstants(text: string): string {
  const out: string[] = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i++;
      continue;
    }
    let replacement: string | undefined;
    let length = 0;
    if (c === 0x4e /* N */ && text.startsWith('NaN', i)) [replacement, length] = ['null', 3];
    else if (c === 0x2d /* - */ && text.startsWith('-Infinity', i)) [replacement, length] = ['-1e999', 9];
    else if (c === 0x49 /* I */ && text.startsWith('Infinity', i)) [replacement, length] = ['1e999', 8];
    if (replacement !== undefined) {
      out.push(text.slice(from, i), replacement);
      i += length;
      from = i;
    } else {
      i++;
    }
  }
  if (from === 0) return text;
  out.push(text.slice(from));
  return out.join('');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that a parsed value is a serialized Keras object (`class_name` + `config`) and normalises the one old
 * shape that breaks the contract: Keras ≤ 2.2 wrote a Sequential's config as a bare list of layers; it becomes
 * `{ name, layers }`. Nested models are normalised too.
 */
export function toKerasLayerConfig(value: unknown, what: string, notes?: string[]): KerasLayerConfig {
  if (!isRecord(value) || typeof value.class_name !== 'string') {
    throw new OmnihubError('malformed', `${what} is not a serialized Keras model (no "class_name").`);
  }
  normalise(value as unknown as KerasLayerConfig, what, notes);
  return value as unknown as KerasLayerConfig;
}

function normalise(cfg: KerasLayerConfig, what: string, notes: string[] | undefined, depth = 0): void {
  if (depth > 64) throw new OmnihubError('too-deep', `${what}: models nested more than 64 levels deep.`);
  const raw = (cfg as { config?: unknown }).config;
  if (Array.isArray(raw)) {
    (cfg as { config: Record<string, unknown> }).config = { name: cfg.name ?? 'sequential', layers: raw };
    notes?.push(`${what}: an old-style Sequential config (a bare list of layers) was read as { name, layers }.`);
  } else if (raw === undefined || raw === null) {
    (cfg as { config: Record<string, unknown> }).config = {};
  } else if (!isRecord(raw)) {
    throw new OmnihubError('malformed', `${what}: the "config" of ${cfg.class_name} is not an object.`);
  }
  const layers = cfg.config.layers;
  if (layers === undefined) return;
  if (!Array.isArray(layers)) throw new OmnihubError('malformed', `${what}: "layers" of ${cfg.class_name} is not a list.`);
  for (const [i, layer] of layers.entries()) {
    if (!isRecord(layer) || typeof layer.class_name !== 'string') {
      throw new OmnihubError('malformed', `${what}: layer ${i} of ${cfg.class_name} has no "class_name".`);
    }
    normalise(layer as unknown as KerasLayerConfig, what, notes, depth + 1);
  }
}

/**
 * Reads a model architecture JSON: `model.to_json()` output (`{class_name, config, keras_version, backend}`), a
 * Keras 3 `config.json`, or a TensorFlow.js layers model (`{modelTopology: {model_config}}`).
 */
export function readKerasArchitecture(text: string | Uint8Array, fileName = 'The architecture JSON'): KerasArchitecture {
  const notes: string[] = [];
  const str = typeof text === 'string' ? text : new TextDecoder().decode(text);
  if (str.trim() === '') throw new OmnihubError('empty-file', `${fileName} is empty.`);
  let value = parsePythonJson(str, fileName, notes);
  let kerasVersion: string | undefined;
  let backend: string | undefined;
  const graphModel = isRecord(value) && (value.format === 'graph-model'
    || (isRecord(value.modelTopology) && Array.isArray(value.modelTopology.node)));
  if (graphModel) {
    throw new OmnihubError('wrong-format', `${fileName} is a TensorFlow.js graph model, not a Keras model architecture.`);
  }
  if (isRecord(value) && isRecord(value.modelTopology)) {
    // TensorFlow.js layers model: the Keras model JSON sits in modelTopology(.model_config)
    const topology = value.modelTopology;
    if (typeof topology.keras_version === 'string') kerasVersion = topology.keras_version;
    if (typeof topology.backend === 'string') backend = topology.backend;
    value = isRecord(topology.model_config) ? topology.model_config : topology;
    notes.push('A TensorFlow.js layers model: its Keras architecture (modelTopology) was read; its weights are in the .bin shards.');
  }
  if (!isRecord(value) || typeof value.class_name !== 'string') {
    throw new OmnihubError('wrong-format', `${fileName} is JSON but not a Keras model architecture (no "class_name" and "config").`);
  }
  if (typeof value.keras_version === 'string') kerasVersion = value.keras_version;
  if (typeof value.backend === 'string') backend = value.backend;
  const config = toKerasLayerConfig(value, fileName, notes);
  return { config, kerasVersion, backend, notes };
}

/** `readKerasArchitecture` returning only the model config (the `model.to_json()` object). */
export function readKerasArchitectureJson(text: string | Uint8Array, fileName?: string): KerasLayerConfig {
  return readKerasArchitecture(text, fileName).config;
}

// ---------------------------------------------------------------------------------------------------------------
// Walking a config

/** A layer's name: `config.name` (every Keras version), else the Keras 2 top-level `name`. */
export function kerasLayerName(layer: KerasLayerConfig): string {
  const n = layer.config?.name;
  if (typeof n === 'string') return n;
  if (typeof layer.name === 'string') return layer.name;
  return '';
}

const CONTAINER_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** True for a Sequential / Functional model config (one that lists its layers), at any depth. */
export function isKerasContainer(layer: KerasLayerConfig): boolean {
  return CONTAINER_CLASSES.has(layer.class_name) && Array.isArray(layer.config?.layers);
}

/** The model's layers in config order (empty for a non-container). */
export function kerasModelLayers(model: KerasLayerConfig): KerasLayerConfig[] {
  return isKerasContainer(model) ? (model.config.layers as KerasLayerConfig[]) : [];
}

/**
 * Every layer of a model with the names of the nested models above it, depth-first in config order; a nested
 * model appears itself, followed by its layers.
 */
export function flattenKerasLayers(model: KerasLayerConfig): Array<{ layer: KerasLayerConfig; parents: string[] }> {
  const out: Array<{ layer: KerasLayerConfig; parents: string[] }> = [];
  const walk = (m: KerasLayerConfig, parents: string[]): void => {
    for (const layer of kerasModelLayers(m)) {
      out.push({ layer, parents });
      if (isKerasContainer(layer)) walk(layer, [...parents, kerasLayerName(layer)]);
    }
  };
  walk(model, []);
  return out;
}

/** Keras's `naming.to_snake_case` (keras/src/utils/naming.py), which names Keras 3 weight groups. */
export function toSnakeCase(name: string): string {
  let s = name.replace(/[^\p{L}\p{N}_]+/gu, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
