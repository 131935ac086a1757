/**
 * TensorFlow sources for the convert core: a SavedModel folder (its files with their paths, or dropped flat, by
 * name), a TF Hub `.tar.gz`, a frozen GraphDef `.pb`, or a tfjs graph model — frozen where they hold variables
 * (a signature picked), then converted to ONNX.
 */
import { OmnihubError } from '../errors.js';
import { decodeSavedModelProto, detectTensorFlow, readGraphDef, readSavedModel, readTfHubArchive, readTfjsModel, type SavedModel } from '../formats/tensorflow/index.js';
import { convertGraphDef, freezeSavedModel, type FreezeResult } from './tensorflow/index.js';
import type { ConvertOptions, ConvertResult, SourceFile } from './index.js';
import { summarizeModel } from '../onnx/summary.js';

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The TensorFlow kind of these files, or undefined when they are not TensorFlow's (a model.json is read to tell). */
export async function tensorFlowKind(files: SourceFile[]): Promise<ReturnType<typeof detectTensorFlow> | undefined> {
  let found = detectTensorFlow(files.map((f) => f.path));
  if (found.kind === 'tfjs-model') {
    const json = files.find((f) => f.path === found.path)!;
    const bytes = new Map<string, Uint8Array>(files.map((f) => [f.path, new Uint8Array(0)]));
    bytes.set(json.path, await json.read());
    found = detectTensorFlow(bytes);
  }
  return found.kind === 'unknown' || found.kind === 'checkpoint' || found.kind === 'tfjs-model' ? undefined : found;
}

/**
 * A file of the source by the path a reader asks for (relative to the folder of `anchor`), or, for files dropped
 * without their folders, by name alone when exactly one file has it (variables/variables.index → variables.index).
 */
function fileGetter(files: SourceFile[], anchor: string): (path: string) => Promise<Uint8Array | undefined> {
  const root = anchor.slice(0, anchor.length - baseName(anchor).length);
  return async (path) => {
    const exact = files.find((f) => f.path === root + path);
    if (exact) return exact.read();
    const named = files.filter((f) => baseName(f.path) === baseName(path));
    return named.length === 1 ? named[0].read() : undefined;
  };
}

async function loadSavedModel(files: SourceFile[], kind: 'saved-model' | 'tfhub-archive', path: string): Promise<SavedModel> {
  if (kind === 'tfhub-archive') return readTfHubArchive(await files.find((f) => f.path === path)!.read());
  return readSavedModel(fileGetter(files, path));
}

const HIDDEN_SIGNATURES = new Set(['__saved_model_init_op', '__saved_model_train_op']);

/**
 * The signatures a SavedModel (or TF Hub archive) offers, the one freezing picks by default first. A SavedModel's are
 * read from saved_model.pb alone (its variables are not read); an archive is unpacked.
 */
export async function tensorFlowSignatures(files: SourceFile[]): Promise<string[]> {
  const found = await tensorFlowKind(files);
  let keys: string[];
  if (found?.kind === 'saved-model') {
    const metaGraphs = decodeSavedModelProto(await files.find((f) => f.path === found.path)!.read()).meta_graphs ?? [];
    const tags = (m: (typeof metaGraphs)[number]) => m.meta_info_def?.tags ?? [];
    const mg = metaGraphs.find((m) => tags(m).includes('serve')) ?? metaGraphs.find((m) => tags(m).length === 0) ?? metaGraphs[0];
    keys = Object.keys(mg?.signature_def ?? {});
  } else if (found?.kind === 'tfhub-archive') {
    const saved = await loadSavedModel(files, found.kind, found.path!);
    keys = saved.metaGraphs.flatMap((m) => Object.keys(m.signatures));
  } else return [];
  keys = keys.filter((k) => !HIDDEN_SIGNATURES.has(k));
  const first = ['serving_default', 'default'].find((k) => keys.includes(k));
  return first ? [first, ...keys.filter((k) => k !== first)] : keys;
}

/** Freezes the chosen signature of a SavedModel or TF Hub archive among `files`. */
export async function freezeTensorFlow(files: SourceFile[], options: { signature?: string } = {}): Promise<FreezeResult & { path: string }> {
  const found = await tensorFlowKind(files);
  if (!found || (found.kind !== 'saved-model' && found.kind !== 'tfhub-archive')) {
    throw new OmnihubError('usage', 'Freezing takes a SavedModel (saved_model.pb with its variables) or a TF Hub .tar.gz archive.');
  }
  const saved = await loadSavedModel(files, found.kind, found.path!);
  return { ...freezeSavedModel(saved, { signature: options.signature }), path: found.path! };
}

export async function convertTensorFlow(files: SourceFile[], options: ConvertOptions): Promise<ConvertResult | undefined> {
  const found = await tensorFlowKind(files);
  if (!found) return undefined;
  const path = found.path!;
  options.onProgress?.('reading');
  const notes: string[] = [];
  let graphDef;
  let architecture: string;
  let inputs = options.tensorInputs;
  let outputs = options.tensorOutputs;
  if (found.kind === 'saved-model' || found.kind === 'tfhub-archive') {
    const frozen = await freezeTensorFlow(files, { signature: options.signature });
    graphDef = frozen.graphDef;
    architecture = `SavedModel signature '${frozen.report.signature}'`;
    notes.push(`frozen: ${frozen.report.variablesFrozen} variables as constants, ${frozen.report.inlinedFunctions} functions inlined (signatures: ${frozen.report.signatures.join(', ')})`, ...frozen.report.notes);
    inputs ??= frozen.inputs.map((t) => t.tensor);
    outputs ??= frozen.outputs.map((t) => t.tensor);
  } else if (found.kind === 'frozen-graph') {
    const read = readGraphDef(await files.find((f) => f.path === path)!.read());
    graphDef = read.graphDef;
    architecture = 'frozen GraphDef';
    notes.push(...read.notes);
  } else if (found.kind === 'tfjs-graph-model') {
    const model = await readTfjsModel(fileGetter(files, path));
    if (model.kind !== 'graph-model') throw new OmnihubError('unsupported', 'This tfjs model is a layers model; only tfjs graph models are converted.');
    graphDef = model.graphDef;
    architecture = 'tfjs graph model';
  } else {
    throw new OmnihubError('unsupported', `tfjs layers models are not converted yet (${path}).`);
  }
  options.onProgress?.('building');
  const { model, report } = convertGraphDef(graphDef, { inputs, outputs, nchw: options.nchw });
  return {
    model,
    report: {
      converter: 'tensorflow', architecture, files: files.map((f) => f.path), weightsFormat: 'tensorflow',
      parameters: summarizeModel(model).parameters, unusedWeights: [], notes: [...notes, ...report.notes],
    },
  };
}
