/**
 * freeze: make a model an inference model whose weights are constants.
 *
 * - Initializers that are also listed as graph inputs (IR ≥ 4: overridable defaults, which runtimes and optimizers
 *   must treat as variables) stop being inputs, as onnxsim, OnnxSlim's `freeze` and onnxruntime's
 *   `remove_initializer_from_input.py` do. Below IR 4 every initializer must be listed as an input, and runtimes
 *   already treat them as constants there (onnxruntime only lets IR ≥ 4 models override them), so such models keep
 *   their inputs, as those tools also do.
 * - Dropout becomes Identity; one whose mask is read stays, in inference mode.
 * - BatchNormalization runs in inference mode: training statistics outputs go, `training_mode`/`is_test` say so.
 * - Optionally, named symbolic dimensions get fixed sizes (`fixDims: { "batch": 1 }`).
 *
 * Dropout and BatchNormalization are handled in If/Loop/Scan bodies too.
 */
import { onnx, has, toNumber, type ModelProto } from '../../onnx/codec.js';
import { OmnihubError } from '../../errors.js';
import { attribute, attrInt, cloneModel, makeNode, namesRead, opsetVersion, removeAttribute, setAttribute, type Graph, type Node, type ValueInfo, graphAndSubgraphs } from '../graph.js';
import { makeReport, modelCounts, plural, quoteList } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';

export interface FreezeOptions {
  /** Symbolic dimensions fixed to sizes, by name: `{ "batch": 1 }`. */
  fixDims?: Record<string, number>;
  /** Initializers that stay graph inputs (overridable). */
  keepInputs?: string[];
}

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';

// ---- fixed dimensions ----

/** Every tensor shape inside a type (sequences, optionals and maps hold types of their own). */
function* shapesOf(type: onnx.ITypeProto | null | undefined): Generator<onnx.ITensorShapeProto> {
  if (!type) return;
  if (type.tensor_type?.shape) yield type.tensor_type.shape;
  if (type.sparse_tensor_type?.shape) yield type.sparse_tensor_type.shape;
  yield* shapesOf(type.sequence_type?.elem_type);
  yield* shapesOf(type.optional_type?.elem_type);
  yield* shapesOf(type.map_type?.value_type);
}

const dimParam = (d: onnx.TensorShapeProto.IDimension) => (has(d, 'dim_param') && d.dim_param ? d.dim_param : undefined);

/**
 * Fixes named dimensions in one value info. The type is shared with the input model (cloneGraph copies value infos
 * shallowly), so a changed one is replaced by a deep copy rather than edited.
 */
function fixValueDims(value: ValueInfo, sizes: Record<string, number>): number {
  const needsChange = [...shapesOf(value.type)].some((s) => (s.dim ?? []).some((d) => dimParam(d) !== undefined && Object.hasOwn(sizes, dimParam(d)!)));
  if (!needsChange) return 0;
  const type = onnx.TypeProto.decode(onnx.TypeProto.encode(value.type!).finish());
  let fixed = 0;
  for (const shape of shapesOf(type)) {
    for (const d of shape.dim ?? []) {
      const name = dimParam(d);
      if (name === undefined || !Object.hasOwn(sizes, name)) continue;
      // dim_value and dim_param are a oneof: exactly one may be present on the wire.
      delete d.dim_param;
      d.dim_value = sizes[name];
      fixed++;
    }
  }
  value.type = type;
  return fixed;
}

function fixDims(model: ModelProto, sizes: Record<string, number>, notes: string[]): void {
  const graph = model.graph!;
  const declared = new Set<string>();
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])]) {
    for (const s of shapesOf(v.type)) for (const d of s.dim ?? []) if (dimParam(d)) declared.add(dimParam(d)!);
  }
  const unknown = Object.keys(sizes).filter((n) => !declared.has(n));
  if (unknown.length) {
    throw new OmnihubError('bad-recipe', `freeze: option 'fixDims' names ${unknown.length > 1 ? 'dimensions' : 'dimension'} ${quoteList(unknown)} that the model does not have (its symbolic dimensions: ${quoteList([...declared])})`);
  }
  let count = 0;
  for (const g of graphAndSubgraphs(graph)) for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.value_info ?? [])]) count += fixValueDims(v, sizes);
  const what = Object.entries(sizes).map(([n, v]) => `${n} = ${v}`).join(', ');
  if (count) notes.push(`fixed ${what} (${plural(count, 'dimension')} in graph inputs, outputs and value infos)`);
}

// ---- initializers listed as inputs ----

function dropInitializerInputs(model: ModelProto, keep: readonly string[], notes: string[]): void {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const listed = (graph.input ?? []).filter((v) => initializers.has(v.name ?? '')).map((v) => v.name ?? '');
  const bad = keep.filter((n) => !listed.includes(n));
  if (bad.length) {
    throw new OmnihubError('bad-recipe', `freeze: option 'keepInputs' names ${quoteList(bad)}, which ${bad.length > 1 ? 'are not initializers' : 'is not an initializer'} listed as a graph input (those are: ${quoteList(listed)})`);
  }
  const ir = toNumber(model.ir_version);
  if (ir < 4) {
    if (listed.length) {
      notes.push(
        `IR ${ir} model: its ${plural(listed.length, 'initializer')} stay listed as graph inputs, as IR < 4 requires; ` +
          'runtimes already treat them as constants there (onnxruntime only lets IR ≥ 4 models override them), and onnxsim and onnxruntime leave them too',
      );
    }
    return;
  }
  const keepSet = new Set(keep);
  const dropped = listed.filter((n) => !keepSet.has(n));
  if (!dropped.length) return;
  const droppedSet = new Set(dropped);
  graph.input = (graph.input ?? []).filter((v) => !droppedSet.has(v.name ?? ''));
  notes.push(`${plural(dropped.length, 'initializer')} no longer graph ${dropped.length === 1 ? 'input' : 'inputs'} (now constants)${keep.length ? `; ${plural(keep.length, 'kept as input', 'kept as inputs')}` : ''}`);
}

// ---- Dropout and BatchNormalization ----

interface ModeCounts {
  dropoutToIdentity: number;
  dropoutKept: number;
  bnTrainingOutputs: number;
  bnInference: number;
  /** Outputs no node produces any more (their value infos go). */
  gone: Set<string>;
  /** Inputs a removed Dropout read besides its data (ratio, training_mode): initializers that may now be unread. */
  released: Set<string>;
}

/** A node's label in messages: its name, else its op type and first output. */
const label = (node: Node) => (node.name ? `'${node.name}'` : `(${node.op_type} → '${node.output?.[0] ?? ''}')`);

function freezeDropout(graph: Graph, index: number, reads: Set<string>, opset: number, counts: ModeCounts): void {
  const node = graph.node![index];
  const [output, mask] = node.output ?? [];
  if (!mask || !reads.has(mask)) {
    // In inference Dropout is the identity on its data input; the Identity goes in simplify.
    const identity = makeNode('Identity', [node.input?.[0] ?? ''], [output ?? ''], node.name ?? '');
    if (mask) counts.gone.add(mask);
    for (const name of (node.input ?? []).slice(1)) if (name) counts.released.add(name);
    if (!output) graph.node!.splice(index, 1);
    else graph.node![index] = identity;
    counts.dropoutToIdentity++;
    return;
  }
  // The mask is read: keep the node so its readers still get a (now all-true) mask, in inference mode.
  let changed = false;
  if (opset >= 12 && (node.input ?? []).length > 2) {
    // Dropout-12's training_mode input, absent, means inference; `ratio` (input 1) is kept as it is.
    if (node.input![2]) counts.released.add(node.input![2]);
    node.input = (node.input ?? []).slice(0, 2);
    while (node.input.length > 1 && !node.input[node.input.length - 1]) node.input.pop();
    changed = true;
  }
  if (opset < 7 && attrInt(node, 'is_test', 0) !== 1) {
    setAttribute(node, 'is_test', 1);
    changed = true;
  }
  if (changed) counts.dropoutKept++;
}

function freezeBatchNorm(node: Node, reads: Set<string>, opset: number, counts: ModeCounts): void {
  const outputs = node.output ?? [];
  const extra = outputs.slice(1).filter((n) => n);
  const read = extra.filter((n) => reads.has(n));
  if (read.length) {
    throw new OmnihubError(
      'unsupported',
      `freeze: BatchNormalization ${label(node)} computes training statistics that the model reads (${quoteList(read)}); in inference mode it has no such outputs`,
    );
  }
  if (extra.length) {
    // From opset 9 to 13 the number of outputs is what selects training mode; unread, they can simply go.
    node.output = outputs.slice(0, 1);
    for (const name of extra) counts.gone.add(name);
    counts.bnTrainingOutputs++;
  }
  if (opset >= 14 && attribute(node, 'training_mode') && attrInt(node, 'training_mode', 0) !== 0) {
    // 0 is the default: removing the attribute gives the form exporters write for inference.
    removeAttribute(node, 'training_mode');
    counts.bnInference++;
  }
  if (opset < 7 && attrInt(node, 'is_test', 0) !== 1) {
    setAttribute(node, 'is_test', 1);
    counts.bnInference++;
  }
}

function freezeModes(model: ModelProto, notes: string[]): void {
  const opset = opsetVersion(model);
  // Names are global across subgraphs (SSA), so one read set answers "is this output used" everywhere.
  const reads = namesRead(model.graph!);
  const counts: ModeCounts = { dropoutToIdentity: 0, dropoutKept: 0, bnTrainingOutputs: 0, bnInference: 0, gone: new Set(), released: new Set() };
  for (const graph of [...graphAndSubgraphs(model.graph!)]) {
    const nodes = graph.node ?? [];
    // Backwards, so removing a node (a Dropout with no outputs in use) does not skip the next one.
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!isDefaultDomain(node)) continue;
      if (node.op_type === 'Dropout') freezeDropout(graph, i, reads, opset, counts);
      else if (node.op_type === 'BatchNormalization') freezeBatchNorm(node, reads, opset, counts);
    }
  }
  // What the removed outputs and inputs leave behind: declarations of names nothing produces, and ratio/training_mode
  // initializers nothing reads any more (those still listed as graph inputs are the model's interface and stay).
  const readNow = namesRead(model.graph!);
  const listed = new Set((model.graph!.input ?? []).map((v) => v.name ?? ''));
  let unread = 0;
  for (const graph of graphAndSubgraphs(model.graph!)) {
    if (counts.gone.size) graph.value_info = (graph.value_info ?? []).filter((v) => !counts.gone.has(v.name ?? ''));
    if (!counts.released.size) continue;
    const before = (graph.initializer ?? []).length;
    graph.initializer = (graph.initializer ?? []).filter((t) => !counts.released.has(t.name ?? '') || readNow.has(t.name ?? '') || listed.has(t.name ?? ''));
    unread += before - graph.initializer.length;
  }
  if (counts.dropoutToIdentity) notes.push(`Dropout → Identity ×${counts.dropoutToIdentity}`);
  if (counts.dropoutKept) notes.push(`Dropout set to inference mode ×${counts.dropoutKept} (kept: ${counts.dropoutKept === 1 ? 'its mask is' : 'their masks are'} read)`);
  if (counts.bnTrainingOutputs) notes.push(`BatchNormalization: unread training-statistics outputs removed ×${counts.bnTrainingOutputs}`);
  if (counts.bnInference) notes.push(`BatchNormalization set to inference mode ×${counts.bnInference}`);
  if (unread) notes.push(`${plural(unread, 'Dropout ratio/training_mode initializer')} no longer read, removed`);
}

// ---- the step ----

function checkNames(value: unknown, option: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new OmnihubError('bad-recipe', `freeze: option '${option}' must be an array of strings`);
  return value as string[];
}

function checkSizes(value: unknown): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) {
    throw new OmnihubError('bad-recipe', "freeze: option 'fixDims' must be an object of dimension sizes (whole numbers ≥ 1 by name)");
  }
  return value as Record<string, number>;
}

/** Freezes a copy of `model`; the input is not modified. */
export function freeze(model: ModelProto, options: FreezeOptions = {}, context: RewriteContext = {}): RewriteResult {
  // Checked here as well as by the recipe checker: the function is also called directly.
  const keep = checkNames(options.keepInputs, 'keepInputs');
  const sizes = checkSizes(options.fixDims);
  if (!model.graph) throw new OmnihubError('not-onnx', 'freeze: the model has no graph');
  const before = modelCounts(model);
  const out = cloneModel(model);
  const notes: string[] = [];
  context.onProgress?.({ fraction: 0, message: 'initializer inputs' });
  dropInitializerInputs(out, keep, notes);
  freezeModes(out, notes);
  if (sizes && Object.keys(sizes).length) fixDims(out, sizes, notes);
  if (!notes.length) notes.push('nothing to freeze: no initializer is a graph input, and no Dropout or BatchNormalization is in training mode');
  context.onProgress?.({ fraction: 1 });
  return { model: out, report: makeReport('freeze', before, out, notes) };
}

export const freezeStep: RewriteStep<FreezeOptions> = {
  name: 'freeze',
  description: 'Make weights constants (initializers stop being graph inputs) and put Dropout and BatchNormalization in inference mode',
  options: {
    fixDims: { type: 'dims', description: 'symbolic dimensions fixed to sizes, by name: { "batch": 1 }' },
    keepInputs: { type: 'string[]', description: 'initializers to leave as graph inputs (overridable)' },
  },
  async run(model, options, context) {
    return freeze(model, options, context);
  },
};
