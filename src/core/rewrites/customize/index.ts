/**
 * customize: a new classification head for transfer learning. The model is cut at a features tensor (say the input
 * of the old classifier): everything after it goes, and a freshly initialised linear layer with `classes` outputs
 * and a Softmax takes its place:
 *
 *   cut ─(Flatten axis=1 if rank > 2)─(activation)─ Gemm(W [classes, F], b, transB=1) → logits ─ Softmax → outputName
 *                                                                           └─ SoftmaxCrossEntropyLoss(logits, labels) → loss
 *
 * W is Xavier/Glorot-uniform (limit √(6/(F+classes))) from a seeded PRNG, so the same seed gives byte-identical
 * models; b is zeros. With `loss`, a graph input `labels` (int64 [N]) and a scalar output `loss` (mean softmax
 * cross-entropy, opset ≥ 12) are added for training tools.
 */
import { onnx, toNumber, type ModelProto } from '../../onnx/codec.js';
import { DataType, dataTypeName, tensorDims } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { mulberry32 } from '../../validate/inputs.js';
import { attrTensor, cloneModel, floatTensor, makeNode, nameFactory, opsetVersion, pruneGraph, type Graph, type Tensor } from '../graph.js';
import { inferShapes, type Dim, type ValueType } from '../simplify/shape-inference.js';
import { makeReport, modelCounts, quoteList } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';

export const ACTIVATIONS = ['none', 'relu', 'tanh', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface CustomizeOptions {
  /** The tensor to cut at: the features the new head reads. */
  cut: string;
  /** Number of classes of the new head (≥ 1). */
  classes: number;
  /** Applied to the features before the new Gemm (default 'none'). */
  activation?: Activation;
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** Also add a `labels` input and a mean softmax cross-entropy `loss` output (default false). */
  loss?: boolean;
  /** Name of the probabilities output (default 'probabilities'). */
  outputName?: string;
}

const ACTIVATION_OPS: Record<Activation, string | undefined> = { none: undefined, relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' };
/** Float features other than float32 are cast, so the new head's weights can always be float32. */
const CASTABLE = new Set<number>([DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE]);


function fail(message: string): never {
  throw new OmnihubError('bad-recipe', `customize: ${message}`);
}

function checkOptions(options: CustomizeOptions): Required<CustomizeOptions> {
  const o = { activation: 'none' as Activation, seed: 0, loss: false, outputName: 'probabilities', ...options };
  // Checked here as well as by the recipe checker: the function is also called directly.
  if (typeof o.cut !== 'string' || !o.cut) fail("option 'cut' must name a tensor of the model");
  if (!Number.isSafeInteger(o.classes) || o.classes < 1) fail(`option 'classes' must be a whole number ≥ 1, got ${String(o.classes)}`);
  if (!ACTIVATIONS.includes(o.activation)) fail(`option 'activation' must be one of ${quoteList(ACTIVATIONS)}, got ${String(o.activation)}`);
  if (!Number.isSafeInteger(o.seed)) fail(`option 'seed' must be a whole number, got ${String(o.seed)}`);
  if (typeof o.loss !== 'boolean') fail("option 'loss' must be true or false");
  if (typeof o.outputName !== 'string' || !o.outputName) fail("option 'outputName' must be a non-empty string");
  return o;
}

/** Edit distance, for "did you mean" suggestions (names are short; quadratic is fine). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Feature tensors a head usually reads: the data inputs of the last Gemm/MatMul/Flatten nodes. */
function classifierInputs(graph: Graph, initializers: Set<string>): string[] {
  const found: string[] = [];
  for (const node of [...(graph.node ?? [])].reverse()) {
    if (!['Gemm', 'MatMul', 'Flatten'].includes(node.op_type ?? '')) continue;
    const x = node.input?.[0];
    if (x && !initializers.has(x) && !found.includes(x)) found.push(x);
    if (found.length >= 3) break;
  }
  return found;
}

function unknownCut(cut: string, graph: Graph, names: string[], initializers: Set<string>): never {
  const lower = cut.toLowerCase();
  // Containment counts only for names long enough not to be contained by chance ('x' is in half of all names).
  const contains = (a: string, b: string) => b.length >= 3 && a.includes(b);
  const close = names
    .map((n) => ({ n, d: contains(n.toLowerCase(), lower) || contains(lower, n.toLowerCase()) ? 0 : distance(lower, n.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(cut.length / 4)))
    .sort((x, y) => x.d - y.d || x.n.localeCompare(y.n))
    .slice(0, 5)
    .map((x) => x.n);
  const heads = classifierInputs(graph, initializers);
  const hints = [close.length ? `did you mean ${quoteList(close)}?` : '', heads.length ? `the features its last Gemm/MatMul/Flatten nodes read are ${quoteList(heads)}` : ''].filter(Boolean);
  fail(`option 'cut': the model has no tensor '${cut}' in its main graph${hints.length ? `; ${hints.join('; ')}` : ''}`);
}

/** The cut tensor's type: declared in the model, else worked out by shape inference. */
function cutType(graph: Graph, cut: string, opset: number): ValueType | undefined {
  const constants = new Map<string, Tensor>();
  for (const node of graph.node ?? []) {
    const t = node.op_type === 'Constant' ? attrTensor(node, 'value') : undefined;
    if (t && node.output?.[0]) constants.set(node.output[0], t);
  }
  return inferShapes(graph, opset, { constants }).get(cut);
}

const formatDims = (dims: readonly Dim[]) => `[${dims.map((d) => (d === null ? '?' : d)).join(', ')}]`;

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): onnx.ValueInfoProto {
  const dim = dims.map((d) => new onnx.TensorShapeProto.Dimension(typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {}));
  return new onnx.ValueInfoProto({
    name,
    type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: elemType, shape: new onnx.TensorShapeProto({ dim }) }) }),
  });
}

/** Xavier/Glorot-uniform [rows, cols]: U(−limit, limit), limit = √(6/(fan_in+fan_out)), rounded once to float32. */
export function glorotUniform(rows: number, cols: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const limit = Math.sqrt(6 / (rows + cols));
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) w[i] = (2 * next() - 1) * limit;
  return w;
}

/** A copy of `model` with a new classification head at `cut`; the input is not modified. */
export function customize(model: ModelProto, options: CustomizeOptions, context: RewriteContext = {}): RewriteResult {
  const o = checkOptions(options);
  if (!model.graph) throw new OmnihubError('not-onnx', 'customize: the model has no graph');
  const opset = opsetVersion(model);
  if (o.loss && opset < 12) fail(`option 'loss' needs SoftmaxCrossEntropyLoss, which is in opset 12 and later; the model imports opset ${opset} (convert it to opset ≥ 12 first)`);
  const before = modelCounts(model);
  const out = cloneModel(model);
  const graph = out.graph!;

  // The cut must be a main-graph tensor the rest of the graph computes: a node output or a data input.
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const produced = new Set((graph.node ?? []).flatMap((n) => n.output ?? []).filter(Boolean));
  const dataInputs = (graph.input ?? []).map((v) => v.name ?? '').filter((n) => n && !initializers.has(n));
  if (initializers.has(o.cut)) fail(`option 'cut': '${o.cut}' is a weight (an initializer), not features computed from the input`);
  if (!produced.has(o.cut) && !dataInputs.includes(o.cut)) unknownCut(o.cut, graph, [...dataInputs, ...produced], initializers);

  context.onProgress?.({ fraction: 0.1, message: 'shapes' });
  const type = cutType(graph, o.cut, opset);
  const dims = type?.dims;
  if (!dims) fail(`the shape of '${o.cut}' is unknown (not declared in the model and shape inference could not work it out), so the feature size of the new layer is unknown`);
  if (dims.length < 2) fail(`'${o.cut}' has shape ${formatDims(dims)}: the new head needs features with a batch dimension first, [N, F] or [N, C, …]`);
  const featureDims = dims.slice(1);
  if (!featureDims.every((d): d is number => typeof d === 'number')) {
    fail(`'${o.cut}' has shape ${formatDims(dims)}: the feature size (every dimension after the first) must be known to size the new layer; fix the symbolic dimensions first (freeze with fixDims)`);
  }
  const features = featureDims.reduce((a, b) => a * b, 1);
  const elemType = type?.elemType ?? 0;
  if (elemType && elemType !== DataType.FLOAT && !CASTABLE.has(elemType)) fail(`'${o.cut}' holds ${dataTypeName(elemType)}, not float features`);
  const batch: Dim = typeof dims[0] === 'number' || typeof dims[0] === 'string' ? dims[0] : 'N';

  // Keep only what the cut needs: the old head and every old output go (inputs only they read go too).
  const oldOutputs = (graph.output ?? []).map((v) => v.name ?? '');
  graph.output = [new onnx.ValueInfoProto({ name: o.cut })];
  const pruned = pruneGraph(graph, { dropUnusedInputs: true });

  // Names are taken after pruning, so names of the old head ('logits', …) are free again.
  const fresh = nameFactory(out);
  const outputName = fresh(o.outputName);
  if (outputName !== o.outputName) fail(`option 'outputName': '${o.outputName}' is already a tensor of the part of the model that stays`);
  const nodes: onnx.NodeProto[] = [];
  let x = o.cut;
  if (elemType && elemType !== DataType.FLOAT) {
    const y = fresh('features_float');
    nodes.push(makeNode('Cast', [x], [y], fresh('classifier/Cast'), { to: DataType.FLOAT }));
    x = y;
  }
  if (dims.length > 2) {
    const y = fresh('features');
    nodes.push(makeNode('Flatten', [x], [y], fresh('classifier/Flatten'), { axis: 1 }));
    x = y;
  }
  const activationOp = ACTIVATION_OPS[o.activation];
  if (activationOp) {
    const y = fresh(`features_${o.activation}`);
    nodes.push(makeNode(activationOp, [x], [y], fresh(`classifier/${activationOp}`)));
    x = y;
  }
  const weightName = fresh('classifier.weight');
  const biasName = fresh('classifier.bias');
  const logits = fresh('logits');
  // Gemm before opset 7 broadcasts its bias only when told to.
  nodes.push(makeNode('Gemm', [x, weightName, biasName], [logits], fresh('classifier/Gemm'), opset < 7 ? { transB: 1, broadcast: 1 } : { transB: 1 }));
  // [N, classes]: axis 1 is the class axis in every Softmax version (before 13 it flattens to 2-D at axis 1).
  nodes.push(makeNode('Softmax', [logits], [outputName], fresh('classifier/Softmax'), { axis: 1 }));
  const newOutputs = [valueInfo(outputName, DataType.FLOAT, [batch, o.classes])];
  const notes: string[] = [];
  let labelsName: string | undefined;
  if (o.loss) {
    labelsName = fresh('labels');
    const lossName = fresh('loss');
    nodes.push(makeNode('SoftmaxCrossEntropyLoss', [logits, labelsName], [lossName], fresh('classifier/SoftmaxCrossEntropyLoss'), { reduction: 'mean' }));
    graph.input = [...(graph.input ?? []), valueInfo(labelsName, DataType.INT64, [batch])];
    newOutputs.push(valueInfo(lossName, DataType.FLOAT, []));
  }
  graph.node = [...(graph.node ?? []), ...nodes];
  graph.initializer = [
    ...(graph.initializer ?? []),
    floatTensor(weightName, [o.classes, features], glorotUniform(o.classes, features, o.seed)),
    floatTensor(biasName, [o.classes], new Float32Array(o.classes)),
  ];
  graph.output = newOutputs;
  if (toNumber(out.ir_version) < 4) {
    // Below IR 4 every initializer must also be listed as a graph input.
    graph.input = [...(graph.input ?? []), valueInfo(weightName, DataType.FLOAT, [o.classes, features]), valueInfo(biasName, DataType.FLOAT, [o.classes])];
  }

  const cutDims = formatDims(dims);
  notes.push(`cut at '${o.cut}' ${cutDims}: ${pruned.nodes} nodes and ${pruned.initializers} initializers after it removed, old outputs ${quoteList(oldOutputs)} dropped`);
  notes.push(`new head: ${features} features → ${activationOp ? `${activationOp} → ` : ''}Gemm ${o.classes} classes (Glorot-uniform, seed ${o.seed}) → Softmax → '${outputName}' ${formatDims([batch, o.classes])}`);
  if (o.loss) notes.push(`training: input '${labelsName}' int64 ${formatDims([batch])}, output '${newOutputs[1].name}' (mean softmax cross-entropy)`);
  context.onProgress?.({ fraction: 1 });
  return { model: out, report: makeReport('customize', before, out, notes) };
}

export const customizeStep: RewriteStep<CustomizeOptions> = {
  name: 'customize',
  description: 'Replace the classifier: cut at a features tensor and add a new Gemm + Softmax head with a chosen number of classes',
  options: {
    cut: { type: 'string', required: true, description: 'the tensor to cut at (the features the new head reads, e.g. the input of the old classifier)' },
    classes: { type: 'integer', required: true, description: 'number of classes of the new head (≥ 1)' },
    activation: { type: 'string', choices: ACTIVATIONS, description: 'applied to the features before the new layer (default "none")' },
    seed: { type: 'integer', description: 'seed of the weight initialisation (default 0)' },
    loss: { type: 'boolean', description: "also add a 'labels' input and a mean cross-entropy 'loss' output (default false)" },
    outputName: { type: 'string', description: 'name of the probabilities output (default "probabilities")' },
  },
  async run(model, options, context) {
    return customize(model, options, context);
  },
};
