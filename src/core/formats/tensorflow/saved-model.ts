/**
 * Reads a TensorFlow SavedModel directory: `saved_model.pb` (SavedModel → MetaGraphDefs), `variables/variables.index`
 * + `variables/variables.data-NNNNN-of-MMMMM` (a TensorBundle), `assets/…`. Types and the variable ↔ node mapping
 * rules are documented in ./types.ts.
 */
import { OmnihubError } from '../../errors.js';
import type { WeightTensor } from '../../weights/types.js';
import { decodeSavedModelProto, decodeTf, tensorflow, toNumber } from './codec.js';
import { tfDtypeName } from './dtypes.js';
import { bundleShardName, readBundleIndex, readBundleTensors, verifyBundleTensors } from './tensor-bundle.js';
import type { MetaGraph, ReadSavedModelOptions, SavedModel, SignatureInfo, TensorBundle, TensorSpecInfo, TfFileSource } from './types.js';
import { mapVariableKeys } from './variable-keys.js';

export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

/** Dimensions of a TensorShapeProto, -1 where unknown; null for unknown rank (or no shape). */
export function shapeOf(shape: tensorflow.ITensorShapeProto | null | undefined): number[] | null {
  if (!shape || shape.unknown_rank) return null;
  return (shape.dim ?? []).map((d) => toNumber(d.size));
}

function tensorSpec(info: tensorflow.ITensorInfo): TensorSpecInfo {
  const dtype = info.dtype ?? 0;
  const encoding = info.coo_sparse ? 'coo_sparse' : info.composite_tensor ? 'composite' : 'dense';
  return { name: info.name ?? '', dtype, dtypeName: tfDtypeName(dtype), shape: shapeOf(info.tensor_shape), encoding };
}

function signatures(metaGraph: tensorflow.MetaGraphDef): Record<string, SignatureInfo> {
  const out: Record<string, SignatureInfo> = {};
  for (const [key, sig] of Object.entries(metaGraph.signature_def ?? {})) {
    const map = (m: Record<string, tensorflow.ITensorInfo> | null | undefined) =>
      Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, tensorSpec(v)]));
    out[key] = { methodName: sig.method_name ?? '', inputs: map(sig.inputs), outputs: map(sig.outputs) };
  }
  return out;
}

/** Strips `^` and `:0` from a node reference. */
function nodeNameOf(ref: string): string {
  const s = ref.startsWith('^') ? ref.slice(1) : ref;
  const colon = s.indexOf(':');
  return colon >= 0 ? s.slice(0, colon) : s;
}

/** A file getter over either form of source, relative to `root`. */
function getter(files: TfFileSource, root: string): (path: string) => Promise<Uint8Array | undefined> {
  if (typeof files === 'function') return (path) => files(root + path);
  return async (path) => files.get(root + path);
}

/** The folder (with trailing '/') holding saved_model.pb in a Map whose keys may carry a leading folder. */
function findRoot(files: Map<string, Uint8Array>): string {
  const candidates = [...files.keys()]
    .map((k) => k.replace(/\\/g, '/'))
    .filter((k) => k === 'saved_model.pb' || k.endsWith('/saved_model.pb'))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  if (!candidates.length) {
    const pbtxt = [...files.keys()].some((k) => k.endsWith('saved_model.pbtxt'));
    throw new OmnihubError(pbtxt ? 'unsupported' : 'not-found',
      pbtxt ? 'This SavedModel is stored as text (saved_model.pbtxt); only the binary saved_model.pb is read.'
        : 'No saved_model.pb among the files: not a TensorFlow SavedModel directory.');
  }
  return candidates[0].slice(0, candidates[0].length - 'saved_model.pb'.length);
}

export async function readSavedModel(files: TfFileSource, options: ReadSavedModelOptions = {}): Promise<SavedModel> {
  const root = typeof files === 'function' ? '' : findRoot(normalizeKeys(files));
  const source = typeof files === 'function' ? files : normalizeKeys(files);
  const get = getter(source, root);
  const notes: string[] = [];
  const pb = await get('saved_model.pb');
  if (!pb) {
    const pbtxt = await get('saved_model.pbtxt');
    if (pbtxt) throw new OmnihubError('unsupported', 'This SavedModel is stored as text (saved_model.pbtxt); only the binary saved_model.pb is read.');
    throw new OmnihubError('not-found', 'No saved_model.pb: not a TensorFlow SavedModel directory.');
  }
  const proto = decodeSavedModelProto(pb, options);
  if (!proto.meta_graphs.length) throw new OmnihubError('malformed', 'The saved_model.pb holds no MetaGraphDef: not a usable SavedModel.');

  // Variables.
  let bundle: TensorBundle | undefined;
  let variables = new Map<string, WeightTensor>();
  let stringVariables = new Map<string, Uint8Array[]>();
  const index = await get('variables/variables.index');
  if (index) {
    const bundleOptions = { verifyChecksums: options.verifyChecksums ?? true, maxMessages: options.maxMessages };
    bundle = readBundleIndex(index, bundleOptions);
    const n = bundle.header.num_shards;
    const shards: Array<Uint8Array | undefined> = [];
    for (let i = 0; i < n; i++) shards.push(await get(`variables/${bundleShardName('variables', i, n)}`));
    // Tensor CRCs checked here, asynchronously (the index's own blocks were checked as it was read).
    const read = readBundleTensors(bundle, shards, { ...bundleOptions, verifyChecksums: false });
    if (bundleOptions.verifyChecksums) await verifyBundleTensors(bundle, read.tensors);
    variables = read.tensors;
    stringVariables = read.strings;
    notes.push(...read.notes);
  } else {
    notes.push('No variables/variables.index: the SavedModel has no variables (its graph holds only constants).');
  }

  let checkpointObjectGraph: tensorflow.TrackableObjectGraph | undefined;
  const og = stringVariables.get(OBJECT_GRAPH_KEY);
  if (og?.length === 1) {
    checkpointObjectGraph = decodeTf(og[0], `the checkpoint object graph (${OBJECT_GRAPH_KEY})`,
      (r) => tensorflow.TrackableObjectGraph.decode(r), options);
  }

  const bundleKeys = new Set(bundle?.entries.keys() ?? []);
  const metaGraphs: MetaGraph[] = (proto.meta_graphs as tensorflow.MetaGraphDef[]).map((mg) => {
    const map = mapVariableKeys(mg, bundleKeys, checkpointObjectGraph);
    const graphDef = (mg.graph_def ?? new tensorflow.GraphDef()) as tensorflow.GraphDef;
    return {
      tags: [...(mg.meta_info_def?.tags ?? [])],
      tensorflowVersion: mg.meta_info_def?.tensorflow_version ?? '',
      signatures: signatures(mg),
      graphDef,
      functions: [...(graphDef.library?.function ?? [])] as tensorflow.FunctionDef[],
      objectGraph: (mg.object_graph_def ?? undefined) as tensorflow.SavedObjectGraph | undefined,
      saverDef: (mg.saver_def ?? undefined) as tensorflow.SaverDef | undefined,
      metaGraphDef: mg,
      variableKeys: map.keys,
      variableKeySources: map.sources,
      variableForNode(nodeName: string) {
        const key = map.keys.get(nodeNameOf(nodeName));
        return key === undefined ? undefined : variables.get(key);
      },
      capturedVariables: map.capturedVariables,
    };
  });

  for (const mg of metaGraphs) {
    const varNodes = mg.graphDef.node.filter((n) => n.op === 'VariableV2' || n.op === 'Variable' || n.op === 'VarHandleOp');
    const unmapped = varNodes.filter((n) => !mg.variableKeys.has(n.name ?? ''));
    if (unmapped.length && bundle) {
      notes.push(`Meta graph [${mg.tags.join(', ')}]: ${unmapped.length} variable node(s) have no checkpoint value: ${unmapped.slice(0, 5).map((n) => n.name).join(', ')}${unmapped.length > 5 ? ' …' : ''}.`);
    }
    if (mg.tensorflowVersion) notes.push(`Meta graph [${mg.tags.join(', ')}] written by TensorFlow ${mg.tensorflowVersion}.`);
  }

  let extraFiles: string[] = [];
  const known = (p: string) => p === 'saved_model.pb' || p.startsWith('variables/');
  if (typeof files !== 'function') {
    extraFiles = [...normalizeKeys(files).keys()].filter((k) => k.startsWith(root)).map((k) => k.slice(root.length)).filter((k) => !known(k));
  } else if (options.listFiles) {
    extraFiles = (await options.listFiles()).filter((k) => !known(k));
  }

  return {
    schemaVersion: toNumber(proto.saved_model_schema_version),
    metaGraphs,
    variables,
    stringVariables,
    bundle,
    checkpointObjectGraph,
    extraFiles,
    notes,
  };
}

function normalizeKeys(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  let needs = false;
  for (const k of files.keys()) if (k.includes('\\') || k.startsWith('./')) needs = true;
  if (!needs) return files;
  return new Map([...files].map(([k, v]) => [k.replace(/\\/g, '/').replace(/^\.\//, ''), v]));
}

/**
 * The meta graph a converter should use: the one tagged exactly ['serve'] (else containing 'serve', else the empty
 * tag set of a TF1 Hub module, else the first).
 */
export function pickMetaGraph(model: SavedModel, tags?: string[]): MetaGraph {
  const { metaGraphs } = model;
  if (tags) {
    const want = [...tags].sort().join(',');
    const found = metaGraphs.find((m) => [...m.tags].sort().join(',') === want);
    if (!found) {
      throw new OmnihubError('not-found', `No meta graph with tags [${tags.join(', ')}]; this SavedModel has ${metaGraphs.map((m) => `[${m.tags.join(', ')}]`).join(', ')}.`);
    }
    return found;
  }
  return metaGraphs.find((m) => m.tags.length === 1 && m.tags[0] === 'serve')
    ?? metaGraphs.find((m) => m.tags.includes('serve'))
    ?? metaGraphs.find((m) => m.tags.length === 0)
    ?? metaGraphs[0];
}
