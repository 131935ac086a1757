/**
 * Is it safe to raise a model's default-domain opset to 21 (what the QDQ format needs for
 * `DequantizeLinear(block_size)` on INT4/UINT4)? Raising the import re-reads every node under the newer schema,
 * so a node whose operator changed its signature or meaning in between would silently compute something else.
 *
 * Below opset 13 too much changed (Softmax's axis semantics, Squeeze/Unsqueeze/Split/ReduceSum axes moving to
 * inputs, …), so those models are refused. From 13 to 21 the operators that changed in a way that matters are
 * listed below; every other version bump in that range only added types or attributes whose defaults keep the old
 * behaviour (BatchNormalization-14 training_mode=0, Reshape-14 allowzero=0, Shape-15 start/end, LSTM/GRU/RNN-14
 * layout=0, Scatter*-16/18 reduction, Pad-18/19, Resize-18/19, AveragePool-19 dilations, Cast-19 saturate, …).
 * Sources: the ONNX operator changelog (docs/Changelog.md) for 18–21; for 14–17 the schema history of onnx 1.12
 * (`onnx.defs.get_all_schemas_with_history()`, inputs/outputs/attributes and defaults compared version by version).
 */
import { attribute, type Node } from '../graph.js';

export const QDQ_OPSET = 21;
export const MIN_RAISABLE_OPSET = 13;

interface Change {
  version: number;
  why: string;
  /** Only nodes this holds for are affected (default: every node of the op). */
  applies?: (node: Node) => boolean;
}

const hasAxesAttribute = (node: Node) => attribute(node, 'axes') !== undefined;
const REDUCE_18: Change = { version: 18, why: "'axes' moved from an attribute to an input", applies: hasAxesAttribute };

const CHANGES: Record<string, Change[]> = {
  BatchNormalization: [{ version: 14, why: 'its extra (training) outputs changed', applies: (n) => (n.output ?? []).filter(Boolean).length > 1 }],
  RoiAlign: [{ version: 16, why: "coordinate_transformation_mode defaults to 'half_pixel' (was output_half_pixel)" }],
  ReduceL1: [REDUCE_18],
  ReduceL2: [REDUCE_18],
  ReduceLogSum: [REDUCE_18],
  ReduceLogSumExp: [REDUCE_18],
  ReduceMax: [REDUCE_18],
  ReduceMean: [REDUCE_18],
  ReduceMin: [REDUCE_18],
  ReduceProd: [REDUCE_18],
  ReduceSumSquare: [REDUCE_18],
  GridSample: [{ version: 20, why: "its modes were renamed ('bilinear' → 'linear', 'bicubic' → 'cubic')" }],
  DFT: [{ version: 20, why: "'axis' moved from an attribute to an input" }],
  GroupNormalization: [{ version: 21, why: 'scale and bias became per channel (were per group)' }],
};

/**
 * Why the opset cannot be raised from `from` to 21, one line per operator, or an empty list when it can.
 * `nodes` are the default-domain nodes of every graph (subgraphs included).
 */
export function opsetRaiseRisks(from: number, nodes: Iterable<Node>): string[] {
  if (from >= QDQ_OPSET) return [];
  if (from < MIN_RAISABLE_OPSET) return [`opset ${from} is older than ${MIN_RAISABLE_OPSET}: too many operators changed on the way to ${QDQ_OPSET}`];
  const risks = new Map<string, string>();
  for (const node of nodes) {
    if (node.domain && node.domain !== 'ai.onnx') continue;
    const op = node.op_type ?? '';
    for (const change of CHANGES[op] ?? []) {
      if (change.version > from && change.version <= QDQ_OPSET && (change.applies?.(node) ?? true)) risks.set(`${op}-${change.version}`, `${op} (opset ${change.version}: ${change.why})`);
    }
  }
  return [...risks.values()];
}
