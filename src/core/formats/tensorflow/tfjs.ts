/**
 * TensorFlow.js models: `model.json` + binary weight shards.
 *
 * - **Graph model** (`format: 'graph-model'`, tfjs-converter): `modelTopology` is a GraphDef in protobuf JSON form;
 *   each manifest weight is the value of the `Const` node of the same name. The reader returns the GraphDef with those
 *   Const nodes filled in (`tensor_content` / `string_val`), i.e. a frozen graph, plus the weights by name.
 * - **Layers model** (`format: 'layers-model'`, tfjs-layers or a converted Keras model): `modelTopology` is a Keras
 *   model config (`{class_name, config, keras_version, backend}`, or the same under `model_config`); the reader returns
 *   it as a KerasLayerConfig with the weights grouped per layer as KerasLayerWeights.
 *
 * `weightsManifest` is a list of groups `{paths, weights: [{name, shape, dtype, quantization?}]}`: a group's shard files
 * are concatenated and its weights lie back to back in manifest order. dtypes: float32, int32, bool (1 byte),
 * complex64, string (each element a uint32 LE length then its bytes). Quantized weights (`quantization: {dtype: uint8 |
 * uint16, scale, min}` → q·scale + min; `{dtype: float16}` → half floats) are dequantized to their `dtype` (int32
 * rounds, as tfjs does).
 */
import { OmnihubError } from '../../errors.js';
import { concatBytes } from '../../bytes.js';
import { float16ToFloat32 } from '../../onnx/tensor.js';
import { checkWeightTensor, elementCount, type WeightDtype, type WeightTensor } from '../../weights/types.js';
import type { KerasLayerConfig, KerasLayerWeights } from '../keras/types.js';
import type { tensorflow } from './codec.js';
import { tfDtypeName } from './dtypes.js';
import { graphDefFromJson, tensorInfoFromJson } from './json-graph.js';
import { shapeOf } from './saved-model.js';
import type { SignatureInfo, TensorSpecInfo, TfFileSource } from './types.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface TfjsCommon {
  format: string;
  generatedBy?: string;
  convertedBy?: string | null;
  /** Numeric weights by manifest name (views on the shards when neither quantized nor split across shards). */
  weights: Map<string, WeightTensor>;
  /** String weights by name. */
  stringWeights: Map<string, Uint8Array[]>;
  /** The manifest, flattened, in order. */
  manifest: TfjsWeightSpec[];
  notes: string[];
}

export interface TfjsGraphModel extends TfjsCommon {
  kind: 'graph-model';
  /** The graph with every manifest weight filled into its Const node: a frozen graph. */
  graphDef: tensorflow.GraphDef;
  /** `signature` of model.json (converter ≥ 1.x), as SignatureInfo; absent when the file has none. */
  signature?: SignatureInfo;
  userDefinedMetadata?: Record<string, unknown>;
}

export interface TfjsLayersModel extends TfjsCommon {
  kind: 'layers-model';
  config: KerasLayerConfig;
  /** Weights per layer, in manifest order. */
  layers: KerasLayerWeights[];
  kerasVersion?: string;
  backend?: string;
  trainingConfig?: Record<string, unknown>;
}

export type TfjsModel = TfjsGraphModel | TfjsLayersModel;

export interface ReadTfjsOptions {
  /** The model.json path within the files (default: the shortest path named model.json, else the only .json). */
  modelJson?: string;
  /** Most bytes of weights accepted (default 4 GiB). */
  maxWeightBytes?: number;
}

const utf8 = new TextDecoder();

const TFJS_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2 };
const TFJS_TO_WEIGHT: Record<string, WeightDtype> = { float32: 'float32', int32: 'int32', bool: 'bool', complex64: 'complex64', int8: 'int8', int16: 'int16', uint8: 'uint8', uint16: 'uint16', float16: 'float16' };
const TFJS_TO_TF: Record<string, number> = { float32: 1, int32: 3, bool: 10, complex64: 8, string: 7, int8: 6, int16: 5, uint8: 4, uint16: 17, float16: 19 };

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (e) {
    throw new OmnihubError('malformed', `${what} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OmnihubError('malformed', `${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(0, i + 1) : '';
}

/** Resolves `./a/../b` style shard paths relative to model.json; refuses paths that leave its folder or are URLs. */
function joinPath(dir: string, rel: string): string {
  if (/^[a-z]+:/i.test(rel) || rel.startsWith('/')) throw new OmnihubError('unsafe-path', `TF.js weight path '${rel}' is absolute or a URL; only files beside model.json are read.`);
  const parts = dir.split('/').filter(Boolean);
  for (const p of rel.replace(/\\/g, '/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!parts.length) throw new OmnihubError('unsafe-path', `TF.js weight path '${rel}' climbs out of the model's folder.`);
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

function specOf(v: unknown): TfjsWeightSpec {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object' || typeof o.name !== 'string' || !Array.isArray(o.shape) || typeof o.dtype !== 'string') {
    throw new OmnihubError('malformed', 'TF.js weightsManifest: a weight lacks name, shape or dtype.');
  }
  const shape = o.shape.map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new OmnihubError('malformed', `TF.js weight '${o.name}' has an invalid shape [${o.shape.join(', ')}].`);
  const q = o.quantization as TfjsWeightSpec['quantization'] | undefined;
  return { name: o.name, shape, dtype: o.dtype, quantization: q && typeof q === 'object' ? q : undefined };
}

/** Decodes one group's buffer into its weights. */
function decodeGroup(specs: TfjsWeightSpec[], buffer: Uint8Array, weights: Map<string, WeightTensor>, strings: Map<string, Uint8Array[]>): void {
  let pos = 0;
  for (const spec of specs) {
    const n = elementCount(spec.shape);
    if (spec.dtype === 'string') {
      const list: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        if (pos + 4 > buffer.length) throw new OmnihubError('truncated', `TF.js string weight '${spec.name}' runs past the end of its shards.`);
        const len = (buffer[pos] | (buffer[pos + 1] << 8) | (buffer[pos + 2] << 16)) + buffer[pos + 3] * 0x1000000;
        pos += 4;
        if (pos + len > buffer.length) throw new OmnihubError('truncated', `TF.js string weight '${spec.name}' runs past the end of its shards.`);
        list.push(buffer.subarray(pos, pos + len));
        pos += len;
      }
      strings.set(spec.name, list);
      continue;
    }
    const q = spec.quantization;
    const storedDtype = q ? q.dtype : spec.dtype;
    const per = TFJS_BYTES[storedDtype];
    if (!per) throw new OmnihubError('unsupported', `TF.js weight '${spec.name}' has dtype '${storedDtype}', which this reader does not know.`);
    const size = n * per;
    if (pos + size > buffer.length) {
      throw new OmnihubError('truncated', `TF.js weight '${spec.name}' (${storedDtype} [${spec.shape.join(', ')}], ${size} bytes at ${pos}) runs past the end of its shards (${buffer.length} bytes).`);
    }
    const raw = buffer.subarray(pos, pos + size);
    pos += size;
    if (!q) {
      const dtype = TFJS_TO_WEIGHT[spec.dtype];
      if (!dtype) throw new OmnihubError('unsupported', `TF.js weight '${spec.name}' has dtype '${spec.dtype}'.`);
      weights.set(spec.name, checkWeightTensor({ name: spec.name, dtype, shape: spec.shape, bytes: raw }));
      continue;
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const values = new Float64Array(n);
    if (q.dtype === 'float16') {
      for (let i = 0; i < n; i++) values[i] = float16ToFloat32(view.getUint16(i * 2, true));
    } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      const scale = Number(q.scale ?? 1);
      const min = Number(q.min ?? 0);
      for (let i = 0; i < n; i++) values[i] = (q.dtype === 'uint8' ? raw[i] : view.getUint16(i * 2, true)) * scale + min;
    } else {
      throw new OmnihubError('unsupported', `TF.js weight '${spec.name}' uses quantization dtype '${q.dtype}'.`);
    }
    let bytes: Uint8Array;
    let dtype: WeightDtype;
    if (spec.dtype === 'int32') {
      bytes = new Uint8Array(Int32Array.from(values, (v) => Math.round(v)).buffer);
      dtype = 'int32';
    } else if (spec.dtype === 'float32') {
      bytes = new Uint8Array(Float32Array.from(values).buffer);
      dtype = 'float32';
    } else {
      throw new OmnihubError('unsupported', `TF.js weight '${spec.name}' is quantized to ${q.dtype} from ${spec.dtype}; only float32 and int32 are dequantized.`);
    }
    weights.set(spec.name, checkWeightTensor({ name: spec.name, dtype, shape: spec.shape, bytes }));
  }
}

function toSpec(v: unknown): TensorSpecInfo {
  const info = tensorInfoFromJson(v);
  return { name: info.name, dtype: info.dtype, dtypeName: tfDtypeName(info.dtype), shape: shapeOf(info.shape), encoding: 'dense' };
}

/** Reads a TF.js model (graph model or layers model) from model.json and its weight shards. */
export async function readTfjsModel(files: TfFileSource, options: ReadTfjsOptions = {}): Promise<TfjsModel> {
  const get = typeof files === 'function' ? files : async (p: string) => files.get(p);
  let modelPath = options.modelJson;
  if (!modelPath) {
    if (typeof files === 'function') modelPath = 'model.json';
    else {
      const jsons = [...files.keys()].filter((k) => k.endsWith('.json'));
      const named = jsons.filter((k) => k === 'model.json' || k.endsWith('/model.json')).sort((a, b) => a.length - b.length);
      modelPath = named[0] ?? (jsons.length === 1 ? jsons[0] : undefined);
      if (!modelPath) throw new OmnihubError('not-found', 'No model.json among the files: not a TensorFlow.js model.');
    }
  }
  const modelBytes = await get(modelPath);
  if (!modelBytes) throw new OmnihubError('not-found', `No ${modelPath}: not a TensorFlow.js model.`);
  const model = parseJson(modelBytes, modelPath);
  const topology = model.modelTopology as Record<string, unknown> | undefined;
  if (!topology || typeof topology !== 'object') throw new OmnihubError('malformed', `${modelPath} has no modelTopology: not a TensorFlow.js model.`);
  const notes: string[] = [];

  // Weights.
  const manifestGroups = Array.isArray(model.weightsManifest) ? model.weightsManifest : [];
  const weights = new Map<string, WeightTensor>();
  const stringWeights = new Map<string, Uint8Array[]>();
  const manifest: TfjsWeightSpec[] = [];
  const dir = dirOf(modelPath);
  let total = 0;
  const maxBytes = options.maxWeightBytes ?? 4 * 1024 * 1024 * 1024;
  for (const group of manifestGroups as Array<Record<string, unknown>>) {
    const paths = Array.isArray(group?.paths) ? group.paths.map(String) : [];
    const specs = (Array.isArray(group?.weights) ? group.weights : []).map(specOf);
    manifest.push(...specs);
    const chunks: Uint8Array[] = [];
    for (const p of paths) {
      const full = joinPath(dir, p);
      const shard = await get(full);
      if (!shard) throw new OmnihubError('not-found', `TF.js weight shard '${full}' (listed in ${modelPath}) is missing.`);
      total += shard.length;
      if (total > maxBytes) throw new OmnihubError('too-large', `TF.js weights exceed ${maxBytes} bytes.`);
      chunks.push(shard);
    }
    decodeGroup(specs, concatBytes(chunks), weights, stringWeights);
  }

  const common = {
    format: String(model.format ?? ''),
    generatedBy: model.generatedBy === undefined ? undefined : String(model.generatedBy),
    convertedBy: model.convertedBy === undefined || model.convertedBy === null ? (model.convertedBy as null | undefined) : String(model.convertedBy),
    weights, stringWeights, manifest, notes,
  };

  const isLayers = common.format === 'layers-model' || typeof topology.class_name === 'string' || typeof topology.model_config === 'object';
  if (!isLayers) {
    const graphDef = graphDefFromJson(topology);
    fillConsts(graphDef, weights, stringWeights, notes);
    let signature: SignatureInfo | undefined;
    const sig = model.signature as Record<string, unknown> | undefined;
    if (sig && typeof sig === 'object') {
      const map = (m: unknown) => Object.fromEntries(Object.entries((m ?? {}) as Record<string, unknown>).map(([k, v]) => [k, toSpec(v)]));
      signature = { methodName: String(sig.methodName ?? sig.method_name ?? ''), inputs: map(sig.inputs), outputs: map(sig.outputs) };
    }
    return {
      kind: 'graph-model', ...common, graphDef, signature,
      userDefinedMetadata: model.userDefinedMetadata as Record<string, unknown> | undefined,
    };
  }

  const inner = (typeof topology.model_config === 'object' && topology.model_config ? topology.model_config : topology) as Record<string, unknown>;
  if (typeof inner.class_name !== 'string' || !inner.config || typeof inner.config !== 'object') {
    throw new OmnihubError('malformed', `${modelPath}: the layers model's topology has no class_name/config.`);
  }
  const config = inner as unknown as KerasLayerConfig;
  const layerNames = collectLayerNames(config);
  const byLayer = new Map<string, WeightTensor[]>();
  for (const spec of manifest) {
    const w = weights.get(spec.name);
    if (!w) continue;
    const layer = layerOf(spec.name, layerNames);
    const list = byLayer.get(layer) ?? [];
    list.push(w);
    byLayer.set(layer, list);
  }
  return {
    kind: 'layers-model', ...common, config,
    layers: [...byLayer].map(([layer, ws]) => ({ layer, weights: ws })),
    kerasVersion: String(inner.keras_version ?? topology.keras_version ?? '') || undefined,
    backend: String(inner.backend ?? topology.backend ?? '') || undefined,
    trainingConfig: (topology.training_config ?? undefined) as Record<string, unknown> | undefined,
  };
}

/** Fills each Const node named like a weight with its value (tensor_content, or string_val for strings). */
function fillConsts(graph: tensorflow.GraphDef, weights: Map<string, WeightTensor>, strings: Map<string, Uint8Array[]>, notes: string[]): void {
  const used = new Set<string>();
  for (const node of graph.node) {
    if (node.op !== 'Const') continue;
    const value = node.attr?.value;
    const tensor = value?.tensor;
    if (!tensor) continue;
    const name = node.name ?? '';
    const w = weights.get(name);
    const s = strings.get(name);
    if (w) {
      const tfType = TFJS_TO_TF[w.dtype];
      if (tensor.dtype && tfType && tensor.dtype !== tfType) {
        notes.push(`Const '${name}' is ${tfDtypeName(tensor.dtype)} but its weight is ${w.dtype}; the weight's type is used.`);
      }
      if (tfType) tensor.dtype = tfType;
      tensor.tensor_content = w.bytes;
      used.add(name);
    } else if (s) {
      tensor.string_val = s;
      used.add(name);
    }
  }
  const unused = [...weights.keys(), ...strings.keys()].filter((k) => !used.has(k));
  if (unused.length) notes.push(`${unused.length} manifest weight(s) match no Const node: ${unused.slice(0, 3).join(', ')}${unused.length > 3 ? ' …' : ''}.`);
}

function collectLayerNames(config: KerasLayerConfig, out = new Set<string>()): Set<string> {
  const layers = (config.config as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) return out;
  for (const l of layers as KerasLayerConfig[]) {
    const name = (l.config as { name?: unknown })?.name ?? l.name;
    if (typeof name === 'string') out.add(name);
    collectLayerNames(l, out);
  }
  return out;
}

/** The layer a weight belongs to: the longest layer name that prefixes `name/…`, else the first path segment. */
function layerOf(weightName: string, layerNames: Set<string>): string {
  let best = '';
  for (const l of layerNames) if (weightName.startsWith(`${l}/`) && l.length > best.length) best = l;
  if (best) return best;
  const slash = weightName.indexOf('/');
  return slash > 0 ? weightName.slice(0, slash) : weightName;
}
