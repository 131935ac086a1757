/**
 * What a model needs before static quantization can start, so that a model onnxruntime's tool would stop on (or get
 * wrong) is handled instead:
 *
 * - one that is already quantized is refused: quantizing again would put Q/DQ around integer kernels;
 * - below opset 10 QuantizeLinear/DequantizeLinear do not exist. onnxruntime (base_quantizer.check_opset_version)
 *   then rewrites the opset import to 11 and nothing else, which breaks every node whose form changed on the way
 *   (Clip, Slice, Pad and TopK take attributes before and inputs after). Here those nodes are converted too, and a
 *   model holding a node that cannot be converted faithfully is refused ('unsupported');
 * - Constant nodes holding float weights become initializers: onnxruntime treats them as activations (ppocr's
 *   classifier then keeps every float weight and gains a Q/DQ pair per weight), while they are weights.
 */
import { toNumber, type ModelProto } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { attribute, attrFloat, attrInt, attrInts, attrString, floatTensor, int64Tensor, nameFactory, opsetVersion, type Graph, type Node, graphAndSubgraphs } from '../graph.js';
import { walkGraphs } from '../../onnx/walk.js';
import { constantValue } from '../simplify/extract-constants.js';

/** Ops that only a quantized model holds (onnx and onnxruntime's com.microsoft forms). */
const QUANTIZED_OPS = new Set([
  'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'QLinearConv', 'QLinearMatMul',
  'QLinearAdd', 'QLinearMul', 'QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearConcat', 'QLinearAveragePool', 'QLinearGlobalAveragePool',
  'QLinearSoftmax', 'QLinearWhere', 'QLinearReduceMean', 'QGemm', 'QAttention', 'QEmbedLayerNormalization', 'DynamicQuantizeLSTM',
  'DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'MatMulNBits', 'MatMulBnb4', 'GatherBlockQuantized',
]);

export function quantizedOps(model: ModelProto): string[] {
  const found = new Set<string>();
  for (const { graph } of walkGraphs(model)) for (const node of graph.node ?? []) if (QUANTIZED_OPS.has(node.op_type ?? '')) found.add(node.op_type ?? '');
  return [...found];
}

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';

/** Experimental ops that opset 10 removed from ONNX: no opset ≥ 10 form exists. */
const REMOVED_AT_10 = new Set(['ATen', 'Affine', 'ConstantFill', 'Crop', 'DynamicSlice', 'GRUUnit', 'GivenTensorFill', 'ImageScaler', 'ParametricSoftplus', 'Scale', 'ScaledTanh']);

const dropAttributes = (node: Node, names: string[]) => {
  node.attribute = (node.attribute ?? []).filter((a) => !names.includes(a.name ?? ''));
};

/** Trailing empty inputs are the same as absent ones; ONNX writers leave them out. */
function setInputs(node: Node, inputs: string[]): void {
  while (inputs.length && !inputs[inputs.length - 1]) inputs.pop();
  node.input = inputs;
}

/**
 * Converts a model of opset 7–9 to opset 11 (every node whose form changed between them, in every graph): Clip-6
 * min/max, Slice-1 starts/ends/axes, Pad-2 pads/value and TopK-1 k move from attributes to initializer inputs;
 * BatchNormalization-7 loses `spatial` (1 is opset 9's only behaviour). Opsets 10 and 11 changed the others only
 * compatibly (negative axes, new optional inputs and attributes). A tensor of unknown type (inside a subgraph) is
 * taken to be float32, the type these ops are used with. Returns the note, or throws 'unsupported'.
 */
export function upgradeToOpset11(model: ModelProto, typeOf: (name: string) => number): string {
  const from = opsetVersion(model);
  if (from < 7) {
    throw new OmnihubError('unsupported', `static quantization needs opset ≥ 10 (QuantizeLinear/DequantizeLinear); this model is opset ${from}, older than the opset 7 this step can upgrade from`);
  }
  const fresh = nameFactory(model);
  const refuse = (node: Node, why: string) => {
    throw new OmnihubError('unsupported', `static quantization needs opset ≥ 10; this model is opset ${from} and its ${node.op_type} node '${node.name ?? node.output?.[0] ?? ''}' ${why}, so it cannot be upgraded here`);
  };
  const counts = new Map<string, number>();
  for (const graph of graphAndSubgraphs(model.graph!)) {
    const added: ReturnType<typeof floatTensor>[] = [];
    const base = (node: Node) => node.name || node.output?.[0] || node.op_type || 'node';
    for (const node of graph.node ?? []) {
      if (!isDefaultDomain(node)) continue;
      const op = node.op_type ?? '';
      if (REMOVED_AT_10.has(op)) refuse(node, 'is an experimental op that ONNX removed at opset 10');
      if (op === 'Upsample') refuse(node, 'is deprecated from opset 10 (it would have to become a Resize)');
      if (op === 'Scan' && from < 9) refuse(node, 'changed its inputs at opset 9');
      const input = node.input?.[0] ?? '';
      switch (op) {
        case 'Clip': {
          if (!attribute(node, 'min') && !attribute(node, 'max')) break;
          if (![0, DataType.FLOAT].includes(typeOf(input))) refuse(node, 'clips a tensor that is not float32');
          const bound = (which: 'min' | 'max') => {
            if (!attribute(node, which)) return '';
            const name = fresh(`${base(node)}_${which}`);
            added.push(floatTensor(name, [], Float32Array.of(attrFloat(node, which, 0))));
            return name;
          };
          const lo = bound('min');
          const hi = bound('max');
          dropAttributes(node, ['min', 'max']);
          setInputs(node, [input, lo, hi]);
          break;
        }
        case 'Slice': {
          const ints = (which: string) => {
            const name = fresh(`${base(node)}_${which}`);
            added.push(int64Tensor(name, attrInts(node, which) ?? []));
            return name;
          };
          const starts = ints('starts');
          const ends = ints('ends');
          const axes = attribute(node, 'axes') ? ints('axes') : '';
          dropAttributes(node, ['starts', 'ends', 'axes']);
          setInputs(node, [input, starts, ends, axes]);
          break;
        }
        case 'Pad': {
          const pads = fresh(`${base(node)}_pads`);
          added.push(int64Tensor(pads, attrInts(node, 'pads') ?? []));
          let value = '';
          const v = attrFloat(node, 'value', 0);
          if ((attrString(node, 'mode') ?? 'constant') === 'constant' && v !== 0) {
            if (![0, DataType.FLOAT].includes(typeOf(input))) refuse(node, 'pads a tensor that is not float32 with a non-zero value');
            value = fresh(`${base(node)}_value`);
            added.push(floatTensor(value, [], Float32Array.of(v)));
          }
          dropAttributes(node, ['pads', 'value']);
          setInputs(node, [input, pads, value]);
          break;
        }
        case 'TopK': {
          const k = fresh(`${base(node)}_k`);
          added.push(int64Tensor(k, [attrInt(node, 'k', 1)]));
          dropAttributes(node, ['k']);
          setInputs(node, [input, k]);
          break;
        }
        case 'BatchNormalization': {
          if (!attribute(node, 'spatial')) continue;
          if (attrInt(node, 'spatial', 1) !== 1) refuse(node, 'normalizes per element (spatial = 0), which opset 9 removed');
          dropAttributes(node, ['spatial']);
          break;
        }
        default:
          continue;
      }
      counts.set(op, (counts.get(op) ?? 0) + 1);
    }
    graph.initializer = [...(graph.initializer ?? []), ...added];
  }
  for (const o of model.opset_import ?? []) if (!o.domain || o.domain === 'ai.onnx') o.version = 11;
  // Opset 11 came with IR 6; below IR 4 every initializer (the new ones too) would have to be a graph input.
  if (toNumber(model.ir_version) < 6) model.ir_version = 6;
  const converted = [...counts].map(([op, n]) => `${op} ×${n}`).join(', ');
  return `opset ${from} → 11 (QuantizeLinear/DequantizeLinear need opset ≥ 10)${converted ? `; attributes that became inputs: ${converted}` : ''}`;
}

/**
 * Constant nodes of the main graph holding a float tensor that a node to be quantized reads become initializers of
 * the same name, so their values are quantized as weights. Returns how many moved.
 */
export function constantsToInitializers(graph: Graph, readers: (name: string) => Node[], quantized: (node: Node) => boolean): number {
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const moved = new Set<Node>();
  for (const node of graph.node ?? []) {
    if (node.op_type !== 'Constant' || !isDefaultDomain(node) || (node.output ?? []).length !== 1) continue;
    const name = node.output![0];
    if (!name || outputs.has(name) || !readers(name).some(quantized)) continue;
    const t = constantValue(node, name);
    if (!t || t.data_type !== DataType.FLOAT) continue;
    graph.initializer = [...(graph.initializer ?? []), t];
    moved.add(node);
  }
  if (moved.size) graph.node = (graph.node ?? []).filter((n) => !moved.has(n));
  return moved.size;
}
