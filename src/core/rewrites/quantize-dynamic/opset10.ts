/**
 * Raising a model's default-domain opset to 10 so that it can hold QuantizeLinear, MatMulInteger and ConvInteger
 * (all introduced in opset 10).
 *
 * onnxruntime's quantizer (onnx_quantizer.py, check_opset_version in the versions that had it) rewrites an opset < 10
 * model's opset import to 11 and nothing else, which leaves every operator whose signature changed on the way
 * (Slice's attributes became inputs in 10, Clip's in 11, …) invalid. Here the import goes to 10 only, and the few
 * operators whose schema changed incompatibly between opset 7 and 10 are converted as the ONNX version converter
 * does (onnx/version_converter adapters: slice_9_10, topk_9_10, upsample_8_9, batchnorm_8_9); anything else that
 * changed meaning (Scan 8 → 9) is refused rather than silently mistranslated.
 */
import { onnx } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { attribute, attrInt, attrInts, int64Tensor, makeTensor, removeAttribute, type Graph, type Node } from '../graph.js';
import { walkGraphs } from '../../onnx/walk.js';

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';
const label = (node: Node) => (node.name ? `'${node.name}'` : `(${node.op_type} → '${node.output?.[0] ?? ''}')`);

/**
 * Converts `model` (modified in place: the caller passes its own copy) from `from` (7..9) to opset 10. `fresh`
 * gives unused tensor names. Returns one note per kind of conversion made.
 */
export function upgradeToOpset10(model: onnx.IModelProto, from: number, fresh: (base: string) => string): string[] {
  if (from < 7) {
    throw new OmnihubError('unsupported', `quantize-int8-dynamic: the model imports opset ${from}; quantized operators need opset 10, and converting an opset < 7 model (broadcast attributes, consumed_inputs) is not supported`);
  }
  const counts: Record<string, number> = {};
  const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
  for (const { graph } of walkGraphs(model)) {
    for (const node of graph.node ?? []) {
      if (!isDefaultDomain(node)) continue;
      switch (node.op_type) {
        case 'Slice':
          if (upgradeSlice(graph, node, fresh)) count('Slice: starts/ends/axes attributes → inputs');
          break;
        case 'TopK':
          if (upgradeTopK(graph, node, fresh)) count('TopK: k attribute → input');
          break;
        case 'Upsample':
          if (from < 9 && upgradeUpsample(graph, node, fresh)) count('Upsample: scales attribute → input');
          break;
        case 'BatchNormalization':
          if (from < 9 && attribute(node, 'spatial')) {
            // Opset 9 dropped `spatial`: its behaviour is what spatial = 1 did; spatial = 0 has no equivalent.
            if (attrInt(node, 'spatial', 1) !== 1) {
              throw new OmnihubError('unsupported', `quantize-int8-dynamic: BatchNormalization ${label(node)} has spatial = 0, which opset 10 (needed by the quantized operators) cannot express`);
            }
            removeAttribute(node, 'spatial');
            count('BatchNormalization: spatial = 1 attribute dropped');
          }
          break;
        case 'Scan':
          if (from < 9) throw new OmnihubError('unsupported', `quantize-int8-dynamic: Scan ${label(node)} is opset-8 Scan (batched, sequence_lens first), which changed meaning in opset 9; converting it to opset 10 is not supported`);
          break;
      }
    }
  }
  for (const o of model.opset_import ?? []) if (!o.domain || o.domain === 'ai.onnx') o.version = 10;
  const notes = [`opset ${from} → 10 (QuantizeLinear, MatMulInteger and ConvInteger need opset 10)`];
  for (const [what, n] of Object.entries(counts)) notes.push(`opset 10 conversion: ${what} ×${n}`);
  return notes;
}

function addInitializer(graph: Graph, t: onnx.TensorProto): string {
  (graph.initializer ??= []).push(t);
  return t.name;
}

const base = (node: Node) => node.name || node.output?.[0] || node.op_type || 'node';

/** Slice-1 (attributes) → Slice-10 (inputs starts, ends, axes). */
function upgradeSlice(graph: Graph, node: Node, fresh: (base: string) => string): boolean {
  const starts = attrInts(node, 'starts');
  const ends = attrInts(node, 'ends');
  if (!starts || !ends) return false; // already the input form
  const axes = attrInts(node, 'axes');
  const inputs = [node.input?.[0] ?? '', addInitializer(graph, int64Tensor(fresh(`${base(node)}_starts`), starts)), addInitializer(graph, int64Tensor(fresh(`${base(node)}_ends`), ends))];
  if (axes) inputs.push(addInitializer(graph, int64Tensor(fresh(`${base(node)}_axes`), axes)));
  node.input = inputs;
  for (const a of ['starts', 'ends', 'axes']) removeAttribute(node, a);
  return true;
}

/** TopK-1 (attribute k) → TopK-10 (input K, a 1-D int64 tensor of one element). */
function upgradeTopK(graph: Graph, node: Node, fresh: (base: string) => string): boolean {
  const k = attribute(node, 'k');
  if (!k) return false;
  node.input = [node.input?.[0] ?? '', addInitializer(graph, int64Tensor(fresh(`${base(node)}_k`), [attrInt(node, 'k', 0)]))];
  removeAttribute(node, 'k');
  return true;
}

/** Upsample-7 (attribute scales) → Upsample-9 (input scales, float). */
function upgradeUpsample(graph: Graph, node: Node, fresh: (base: string) => string): boolean {
  const a = attribute(node, 'scales');
  if (!a) return false;
  const scales = Float32Array.from(a.floats ?? []);
  node.input = [node.input?.[0] ?? '', addInitializer(graph, makeTensor(fresh(`${base(node)}_scales`), DataType.FLOAT, [scales.length], scales))];
  removeAttribute(node, 'scales');
  return true;
}
