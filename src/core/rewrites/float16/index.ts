/**
 * float16: float32 weights and activations → float16 (or bfloat16), as onnxruntime's transformers converter does
 * (convert.ts), then a numerical check against float32 that keeps in float32 the ops float16 breaks (check.ts). The
 * check is on by default: a converter that silently ships garbage for some real models (onnxruntime's own, on a
 * PaddleOCR detector) is worse than one that says which ops it had to leave in float32.
 */
import type { ModelProto } from '../../onnx/codec.js';
import { OmnihubError } from '../../errors.js';
import { throwIfStopped } from '../abort.js';
import { cloneModel } from '../graph.js';
import { formatOpCounts, makeReport, modelCounts, plural } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';
import { checkedConversion, OUTPUT_MIN_SQNR_DB, type CheckedOutput, type Float16Check } from './check.js';
import { assertConvertible, convertModel, DEFAULT_OP_BLOCK_LIST, hasFloat32, type ConvertOutput, type ConvertSettings, type LowType } from './convert.js';

export { DEFAULT_OP_BLOCK_LIST, ALWAYS_FLOAT_INPUTS } from './convert.js';
export type { Float16Check, KeptNode, CheckedOutput } from './check.js';
export { emulateLowPrecision } from './check.js';

export interface Float16Options {
  /** 'float16' (default) or 'bfloat16'. */
  type?: LowType;
  /** Keep float32 graph inputs and outputs, with Casts inside (default true, as the reference fixtures were made). */
  keepIoTypes?: boolean;
  /**
   * Op types left in float32. Default: onnxruntime transformers' DEFAULT_OP_BLOCK_LIST (float16.py @86dc9ff,
   * reference-algorithms.md §1.6: onnxconverter-common's list minus Resize). A list given replaces it.
   */
  opBlockList?: string[];
  /** Node names left in float32. */
  nodeBlockList?: string[];
  /** Run float32 and the result on samples and keep the ops float16 breaks in float32 (default true). */
  check?: boolean;
}

export interface Float16Result extends RewriteResult {
  /** What the check measured and kept in float32; absent with check: false or when nothing was converted. */
  check?: Float16Check;
}

const fmtDb = (x: number) => (x === Infinity ? '∞' : x.toFixed(1));

export async function convertFloat16(model: ModelProto, options: Float16Options = {}, context: RewriteContext = {}): Promise<Float16Result> {
  throwIfStopped(context.signal);
  const type = options.type ?? 'float16';
  if (type !== 'float16' && type !== 'bfloat16') throw new OmnihubError('bad-recipe', `float16: type must be "float16" or "bfloat16", got ${JSON.stringify(type)}`);
  assertConvertible(model);
  const before = modelCounts(model);
  if (!hasFloat32(model)) {
    const same = cloneModel(model);
    return { model: same, report: makeReport('float16', before, same, ['nothing to convert: the model has no float32 tensors or values; it is unchanged']) };
  }
  const settings: ConvertSettings = {
    type,
    keepIoTypes: options.keepIoTypes ?? true,
    opBlockList: new Set(options.opBlockList ?? DEFAULT_OP_BLOCK_LIST),
    nodeBlockList: new Set(options.nodeBlockList ?? []),
    blockedMain: new Set(),
  };
  let output: ConvertOutput;
  let check: Float16Check | undefined;
  if (options.check ?? true) ({ output, check } = await checkedConversion(model, settings, context));
  else output = convertModel(model, settings);

  const s = output.stats;
  const notes = [
    `${plural(s.initializersConverted, 'initializer')} and ${plural(s.constantsConverted, 'Constant tensor')} converted to ${type}` +
      (s.clampedValues ? ` (${plural(s.clampedValues, 'value')} ${type === 'float16' ? 'clamped into float16 range, as the reference converter does' : 'saturated to the largest finite bfloat16'})` : ''),
  ];
  if (settings.keepIoTypes) notes.push('float32 graph inputs and outputs kept (keepIoTypes), with Casts inside');
  if (Object.keys(s.blockedByOp).length) notes.push(`left in float32: ${formatOpCounts(s.blockedByOp)}`);
  if (s.castsAdded) notes.push(`${plural(s.castsAdded, 'Cast')} added between float32 and ${type} values`);
  if (s.float32Copies) notes.push(`${plural(s.float32Copies, 'initializer')} also kept as an exact float32 copy for float32 readers (its ${type} values are clamped)`);
  if (s.valuesAdded) notes.push(`${plural(s.valuesAdded, 'Constant/ConstantOfShape node')} given an explicit ${type} value`);
  if (check) {
    notes.push(`check: ${plural(check.samples, 'sample')}${check.randomInputs ? ' of seeded random inputs (none given: give real samples for a meaningful check)' : ''}, ${plural(check.rounds, 'round')}, median node SQNR ${fmtDb(check.medianNodeSqnrDb)} dB`);
    if (check.kept.length) {
      notes.push(`check kept ${plural(check.kept.length, 'op')} in float32 (mixed precision): ${check.kept.map((k) => `${k.op} '${k.name || k.index}' — ${k.reason}`).join('; ')}`);
    } else notes.push('check: no op needed float32');
    if (check.unresolved.length) notes.push(`check: still below the others after the last round: ${check.unresolved.map((k) => `${k.op} '${k.name || k.index}' (${k.reason})`).join('; ')}`);
    const list = (outputs: CheckedOutput[]) => outputs.map((o) => `'${o.name}' SQNR ${fmtDb(o.sqnrDb)} dB, relL2 ${o.relL2.toExponential(2)}`).join('; ');
    notes.push(`check: outputs against float32 with ${type} emulated (storage ${type}, arithmetic float32; floor ${OUTPUT_MIN_SQNR_DB} dB): ${list(check.outputs)}`);
    if (check.runtimeOutputs) notes.push(`check: outputs against float32 as the result runs on this onnxruntime: ${list(check.runtimeOutputs)}`);
    else if (check.runtimeNote) notes.push(`check: this onnxruntime cannot run the result (${check.runtimeNote}); its numbers were checked by emulation only`);
  } else notes.push('not checked against float32 (check: false)');
  return { model: output.model, report: makeReport('float16', before, output.model, notes), check };
}

export const float16Step: RewriteStep<Float16Options> = {
  name: 'float16',
  description: 'float32 → float16/bfloat16 (onnxruntime transformers converter), checked against float32 with ops kept in float32 where needed',
  options: {
    type: { type: 'string', description: 'target type: "float16" (default) or "bfloat16"', choices: ['float16', 'bfloat16'] },
    keepIoTypes: { type: 'boolean', description: 'keep float32 graph inputs and outputs (default true)' },
    opBlockList: { type: 'string[]', description: "op types left in float32 (default: onnxruntime transformers' list)" },
    nodeBlockList: { type: 'string[]', description: 'node names left in float32' },
    check: { type: 'boolean', description: 'run float32 and the result on samples; keep ops float16 breaks in float32 (default true)' },
  },
  // The check runs the model; a recipe with check: false still names a runtime, which costs nothing.
  needsRuntime: true,
  run: (model, options, context) => convertFloat16(model, options, context),
};
