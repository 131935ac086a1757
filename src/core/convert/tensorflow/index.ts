/**
 * TensorFlow GraphDef → ONNX (opset 17), as tf2onnx does for frozen graphs:
 *
 * - The part of the graph between the inputs (default: the Placeholders the outputs need) and the outputs (default:
 *   the graph's sinks) is converted; `inputs`/`outputs` may name any tensors ('Mfcc:0'), which cuts the graph there
 *   (the new input's shape from `inputShapes`, else the producer's `_output_shapes`).
 * - Constants are folded: shape arithmetic on known shapes, weight transposes, and every op whose inputs are all
 *   constant (fold.ts) become initializers, not ONNX nodes.
 * - NHWC image ops run as NCHW inside; transposes are added only where the layout has to change (layout.ts).
 * - An op this converter does not handle fails the whole conversion ('unsupported', listing every such op with its
 *   count, and what would work instead): never a partial graph.
 * - Graphs with a function library (a SavedModel's graph) have their calls inlined first; variables must have been
 *   frozen (freeze.ts) — a graph that still reads VariableV2/VarHandleOp is refused with that explanation.
 *
 * ONNX interface names are the TF tensor names without ':0' ('x', 'Identity'); other outputs keep ':k'.
 */
import { GraphBuilder } from '../onnx-builder.js';
import type { ModelProto } from '../../onnx/codec.js';
import { OmnihubError } from '../../errors.js';
import { ConvertContext, onnxType, type Value } from './context.js';
import { FOLDERS } from './fold.js';
import { formatCounts, nodeMap, opCounts, parseInput, parseTensorName, reachable, sinkNodes, tensorKey, topologicalOrder, type TensorRef } from './graph.js';
import { bypassIdentityN, inlineFunctions, libraryOf } from './inline.js';
import { TO_NCHW } from './layout.js';
import { OP_CONVERTERS } from './ops/index.js';
import { attrShape, attrType, outputShapesAttr, TfType, tfTypeName, type GraphDef, type NodeDef } from './proto.js';

export { freezeGraphDef, freezeSavedModel, writeGraphDef, type FreezeOptions, type FreezeReport, type FreezeResult, type FrozenTensor } from './freeze.js';

export interface TfConvertOptions {
  /** Tensors to start from ('x:0' or 'x'); default: the Placeholders the outputs need. */
  inputs?: string[];
  /** Tensors to return; default: the graph's sinks (nodes nothing reads). */
  outputs?: string[];
  /** Rank-4 inputs and outputs as NCHW (default: NHWC, as TF). */
  nchw?: boolean;
  /** Input shapes by tensor or node name (−1 for a dynamic size), overriding what the graph says. */
  inputShapes?: Record<string, number[]>;
}

export interface TfInterfaceTensor {
  /** The ONNX name. */
  name: string;
  /** The TF tensor ('x:0'). */
  tensor: string;
  dtype: string;
  shape?: number[];
}

export interface TfConvertReport {
  /** TF ops in the converted part of the graph, by name. */
  ops: Record<string, number>;
  inputs: TfInterfaceTensor[];
  outputs: TfInterfaceTensor[];
  notes: string[];
}

export interface TfConvertResult {
  model: ModelProto;
  report: TfConvertReport;
}

export const TF_OPSET = 17;

/** TF ops the converter handles (besides Placeholder inputs). */
export const SUPPORTED_TF_OPS: readonly string[] = Object.keys(OP_CONVERTERS).sort();

/** Ops that are never a useful default output. */
const NOT_OUTPUTS = new Set(['NoOp', 'Const', 'Placeholder', 'PlaceholderWithDefault', 'Assign', 'AssignVariableOp', 'AssignAdd', 'AssignSub',
  'AssignAddVariableOp', 'AssignSubVariableOp', 'SaveV2', 'Save', 'SaveSlices', 'RestoreV2', 'MergeV2Checkpoints', 'VarHandleOp', 'VariableV2', 'Variable', 'VarIsInitializedOp', 'ShardedFilename', 'StringJoin']);

const VARIABLE_OPS = new Set(['VariableV2', 'Variable', 'VarHandleOp', 'ReadVariableOp', 'ResourceGather', 'VarIsInitializedOp']);
const AUDIO_OPS = new Set(['DecodeWav', 'AudioSpectrogram', 'Mfcc', 'ReadFile', 'DecodeJpeg', 'DecodePng', 'DecodeImage']);
const EXAMPLE_OPS = new Set(['ParseExample', 'ParseExampleV2', 'ParseSingleExample']);

/** The ONNX interface name of a TF tensor: 'x' for 'x:0', 'x:1' otherwise. */
export const interfaceName = (r: TensorRef): string => (r.port === 0 ? r.node : `${r.node}:${r.port}`);

function unsupportedError(missing: Record<string, number>, needed: NodeDef[]): OmnihubError {
  const ops = Object.keys(missing);
  const hints: string[] = [];
  const variables = needed.filter((n) => VARIABLE_OPS.has(n.op ?? '') && n.op !== 'ReadVariableOp');
  if (variables.length) {
    const names = variables.slice(0, 3).map((n) => `'${n.name}'`).join(', ');
    const lead = `The graph is not frozen: it reads ${variables.length} variable(s) (${names}${variables.length > 3 ? ' …' : ''}), whose values are not in a GraphDef. Freeze it first: freezeSavedModel on the SavedModel, or TF's freeze_graph / convert_variables_to_constants_v2 with its checkpoint; or name the outputs to convert only an inference part.`;
    return new OmnihubError('unsupported', `${lead} Ops not supported: ${formatCounts(missing)}.`);
  }
  const audio = needed.find((n) => AUDIO_OPS.has(n.op ?? ''));
  if (audio) {
    const after = needed.find((n) => n.op === 'Mfcc') ?? audio;
    hints.push(`The graph decodes files/audio itself (${[...new Set(needed.filter((n) => AUDIO_OPS.has(n.op ?? '')).map((n) => n.op))].join(', ')}); start the conversion at a tensor after that, e.g. inputs: ['${after.name}:0'].`);
  }
  if (ops.some((o) => EXAMPLE_OPS.has(o))) {
    hints.push('This graph takes serialized tf.Example strings (ParseExample); start at a named tensor after the parsing, or use a signature that takes tensors.');
  }
  return new OmnihubError('unsupported', `TensorFlow ops not supported: ${formatCounts(missing)}.${hints.length ? ` ${hints.join(' ')}` : ''}`);
}

/** dtype and shape of a tensor that becomes a graph input. */
function inputSpec(node: NodeDef, port: number, options: TfConvertOptions, ref: TensorRef): { dtype: number; shape?: number[] } {
  const given = options.inputShapes?.[tensorKey(ref)] ?? options.inputShapes?.[interfaceName(ref)] ?? (port === 0 ? options.inputShapes?.[node.name ?? ''] : undefined);
  let dtype = attrType(node, 'dtype') ?? attrType(node, 'T') ?? attrType(node, 'DstT') ?? attrType(node, 'out_type');
  if (node.op === 'Mfcc' || node.op === 'AudioSpectrogram') dtype = TfType.FLOAT;
  if (dtype === undefined) dtype = TfType.FLOAT;
  let shape = given;
  if (!shape && (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault')) shape = attrShape(node, 'shape');
  if (!shape) shape = outputShapesAttr(node)?.[port];
  return { dtype: dtype > 100 ? dtype - 100 : dtype, shape: shape ? [...shape] : undefined };
}

export function convertGraphDef(graphDef: GraphDef, options: TfConvertOptions = {}): TfConvertResult {
  let nodes: NodeDef[] = [...(graphDef.node ?? [])];
  const notes: string[] = [];
  const lib = libraryOf(graphDef.library?.function);
  let resolve = (r: TensorRef): TensorRef => r;
  if (lib.size) {
    const r = inlineFunctions(nodes, lib);
    if (r.inlined) {
      const b = bypassIdentityN(r.nodes, r.callOutputs);
      nodes = b.nodes;
      resolve = b.resolve;
      notes.push(`${r.inlined} function call(s) inlined.`);
    }
  }
  const map = nodeMap(nodes);

  // Outputs.
  let outputs: TensorRef[];
  if (options.outputs?.length) {
    outputs = options.outputs.map(parseTensorName);
    const resolved = outputs.map(resolve);
    if (resolved.some((r, i) => r.node !== outputs[i].node)) {
      throw new OmnihubError('usage', `Output(s) ${outputs.filter((o, i) => resolved[i].node !== o.node).map((o) => `'${tensorKey(o)}'`).join(', ')} name function calls, which are inlined here; name a tensor inside, or freeze the SavedModel first (freezeSavedModel).`);
    }
  } else {
    outputs = sinkNodes(nodes).filter((n) => !NOT_OUTPUTS.has(n.op ?? '')).map((n) => ({ node: n.name ?? '', port: 0 }));
    if (!outputs.length) throw new OmnihubError('usage', 'The graph has no node that could be an output; name the outputs (e.g. outputs: [\'logits:0\']).');
  }
  for (const o of outputs) if (!map.has(o.node)) throw new OmnihubError('usage', `Output '${tensorKey(o)}': the graph has no node '${o.node}'.`);
  if (new Set(outputs.map(interfaceName)).size !== outputs.length) throw new OmnihubError('usage', 'The same output tensor is named twice.');

  // Inputs: named (cut there) or the Placeholders the outputs need.
  let inputs: TensorRef[];
  if (options.inputs?.length) {
    inputs = options.inputs.map(parseTensorName);
    for (const i of inputs) if (!map.has(i.node)) throw new OmnihubError('usage', `Input '${tensorKey(i)}': the graph has no node '${i.node}'.`);
  } else {
    const needed = reachable(map, outputs);
    inputs = nodes.filter((n) => n.op === 'Placeholder' && needed.has(n.name ?? '')).map((n) => ({ node: n.name ?? '', port: 0 }));
  }
  const cut = new Set(inputs.map(tensorKey));
  const neededNames = reachable(map, outputs, { stopAt: cut });
  const needed = nodes.filter((n) => neededNames.has(n.name ?? ''));
  const inputNodes = new Set(inputs.filter((i) => i.port === 0).map((i) => i.node));
  const convertible = needed.filter((n) => !(inputNodes.has(n.name ?? '') && cut.has(`${n.name}:0`) && (n.op === 'Placeholder' || n.op === 'PlaceholderWithDefault')));

  const missing: Record<string, number> = {};
  for (const n of convertible) if (!OP_CONVERTERS[n.op ?? '']) missing[n.op ?? '?'] = (missing[n.op ?? '?'] ?? 0) + 1;
  if (Object.keys(missing).length) throw unsupportedError(missing, convertible);

  const b = new GraphBuilder({ opset: TF_OPSET, graphName: 'tensorflow', producerName: 'omnihub tf2onnx' });
  const ctx = new ConvertContext(b, { nchw: !!options.nchw });
  const report: TfConvertReport = { ops: opCounts(convertible), inputs: [], outputs: [], notes };
  for (const o of outputs) ctx.reserved.add(interfaceName(o));

  for (const ref of inputs) {
    const node = map.get(ref.node)!;
    const spec = inputSpec(node, ref.port, options, ref);
    if (spec.dtype === TfType.STRING) {
      throw new OmnihubError('unsupported', `Input '${tensorKey(ref)}' is a string tensor (${node.op}); ONNX models here take numbers. Start at a tensor after the decoding (inputs: […]).`);
    }
    const name = interfaceName(ref);
    const nchw = !!options.nchw && spec.shape?.length === 4;
    const dims = ConvertContext.dims(nchw ? TO_NCHW.map((p) => spec.shape![p]) : spec.shape, name);
    b.input(name, onnxType(spec.dtype, `input ${name}`), dims ?? []);
    if (!dims) b.inputs[b.inputs.length - 1].type!.tensor_type!.shape = null;
    ctx.setRef(ref, ctx.fromOnnx(name, spec.dtype, spec.shape, nchw ? 'nchw' : 'logical'));
    report.inputs.push({ name, tensor: tensorKey(ref), dtype: tfTypeName(spec.dtype), shape: spec.shape });
    if (node.op !== 'Placeholder') notes.push(`Conversion starts at '${tensorKey(ref)}' (${node.op}).`);
  }

  for (const node of topologicalOrder(convertible, { stopAt: cut })) {
    ctx.setPrefix(node.name ?? '');
    const refs = (node.input ?? []).map(parseInput).filter((r) => !r.control);
    const ins = refs.map((r) => ctx.get(r));
    const folder = FOLDERS[node.op ?? ''];
    let folded = false;
    if (folder && ins.length > 0 && ins.every((v) => v.const)) {
      const result = folder(node, ins.map((v) => v.const!));
      if (result) {
        result.forEach((c, k) => ctx.set(node, k, ctx.fromConst(c, result.length === 1 ? node.name ?? undefined : `${node.name}_${k}`)));
        folded = true;
      }
    }
    if (!folded) OP_CONVERTERS[node.op ?? ''](ctx, node);
    const shapes = outputShapesAttr(node);
    if (shapes) {
      shapes.forEach((s, k) => {
        const ref = { node: node.name ?? '', port: k };
        if (s && ctx.has(ref)) {
          const v = ctx.get(ref);
          if (!v.shape) v.shape = [...s];
          else if (v.shape.length === s.length) v.shape = v.shape.map((d, i) => (d < 0 ? s[i] : d));
        }
      });
    }
  }

  for (const ref of outputs) {
    const v: Value = ctx.get(ref);
    const name = interfaceName(ref);
    ctx.setPrefix(name);
    const nchw = !!options.nchw && v.shape?.length === 4;
    const value = nchw ? ctx.nchw(v) : ctx.logical(v);
    const dims = ConvertContext.dims(nchw ? TO_NCHW.map((p) => v.shape![p]) : v.shape, name);
    b.output(value, name, onnxType(v.dtype, `output ${name}`), dims);
    report.outputs.push({ name, tensor: tensorKey(ref), dtype: tfTypeName(v.dtype), shape: v.shape });
  }

  notes.push(...ctx.notes);
  const model = b.build({ source_format: 'tensorflow-graphdef' });
  return { model, report };
}
