/**
 * quantize-int8-static: onnxruntime's `quantize_static` in QDQ format (reference-algorithms.md §1.4): calibrate the
 * activations in onnxruntime on samples (calibrate.ts), turn their ranges into int8/uint8 scales and zero points,
 * quantize weights and biases, and insert QuantizeLinear/DequantizeLinear pairs (qdq.ts). The float ops stay; a
 * runtime fuses DQ → op → Q into integer kernels.
 *
 * Defaults are onnxruntime's: QDQ, int8 activations and weights, MinMax, per tensor, op types QLinearOps ∪ QDQRegistry.
 * Where onnxruntime stops or produces a broken model, this step does not (see prepare.ts): initializers listed as
 * graph inputs are frozen first, Constant-node weights are weights, opset 7–9 models are upgraded properly, an
 * activation whose calibrated range is not finite is left float. Without samples from the caller it calibrates on
 * seeded random inputs and says so: give real ones (an .npz, a data set, images) for a model worth deploying.
 */
import { toNumber, type ModelProto } from '../../onnx/codec.js';
import { summarizeModel } from '../../onnx/summary.js';
import { OmnihubError } from '../../errors.js';
import { throwIfStopped } from '../abort.js';
import { cloneModel, GraphIndex, nameFactory, opsetVersion } from '../graph.js';
import { freeze } from '../freeze/index.js';
import { makeReport, modelCounts, plural } from '../report.js';
import { inferShapes } from '../simplify/shape-inference.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';
import { calibrate, tensorsToCalibrate, type CalibrationMethod } from './calibrate.js';
import { constantsToInitializers, quantizedOps, upgradeToOpset11 } from './prepare.js';
import { adjustRanges, applyQdq, duplicateSharedBiases, planQdq, shouldQuantize, type QdqSettings } from './qdq.js';
import { checkSamples, randomSamples } from './samples.js';

export interface QuantizeStaticOptions {
  /** Calibration method (default 'minmax'). */
  method?: CalibrationMethod;
  /** Weights per output channel (Conv 0, ConvTranspose 1, MatMul 1, Gemm 0 if transB else 1); needs opset ≥ 13. */
  perChannel?: boolean;
  activationType?: 'int8' | 'uint8';
  weightType?: 'int8' | 'uint8';
  /** 7-bit ranges for per-channel weights (onnxruntime applies it to nothing else in static QDQ). */
  reduceRange?: boolean;
  /** Op types to quantize (default: onnxruntime's QLinearOps ∪ QDQRegistry, DEFAULT_OP_TYPES). */
  opTypes?: string[];
  /** Node names to leave float. */
  nodesToExclude?: string[];
  /** Seeded random samples to calibrate on when the caller gives none (default 8). */
  samples?: number;
  /** Percentile method: the percentile kept (default 99.999). */
  percentile?: number;
}

/**
 * quantize_static's default op types: registry.py's QLinearOpsRegistry ∪ QDQRegistry (@2930919), plus Flatten, which
 * onnxruntime 1.30 quantizes as a direct 8-bit op (its burn_mnist result gives Flatten's output the BatchNormalization
 * output's scale), and DepthToSpace/SpaceToDepth, which only move values as Transpose does (later registries list
 * them the same way).
 */
export const DEFAULT_OP_TYPES: readonly string[] = [
  'ArgMax', 'Conv', 'Gemm', 'MatMul', 'Add', 'Mul', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'MaxPool', 'GlobalAveragePool', 'Split', 'Pad',
  'Reshape', 'Squeeze', 'Unsqueeze', 'Resize', 'AveragePool', 'Concat', 'Softmax', 'Where', 'Gather', 'Transpose', 'EmbedLayerNormalization',
  'ConvTranspose', 'Slice', 'GatherElements', 'InstanceNormalization', 'LayerNormalization', 'BatchNormalization', 'TopK', 'CumSum',
  'Flatten', 'DepthToSpace', 'SpaceToDepth',
];

const METHODS: readonly CalibrationMethod[] = ['minmax', 'entropy', 'percentile'];
const TYPES = ['int8', 'uint8'] as const;

interface Settled {
  method: CalibrationMethod;
  perChannel: boolean;
  activationType: 'int8' | 'uint8';
  weightType: 'int8' | 'uint8';
  reduceRange: boolean;
  opTypes: string[];
  nodesToExclude: string[];
  samples: number;
  percentile: number;
}

/** Options with defaults, checked here too: the function is also called directly, not only from recipes. */
function settle(options: QuantizeStaticOptions): Settled {
  const bad = (what: string) => {
    throw new OmnihubError('bad-recipe', `quantize-int8-static: option ${what}`);
  };
  const choice = <T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) bad(`'${name}' must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
  const flag = (name: string, value: unknown) => {
    if (value !== undefined && typeof value !== 'boolean') bad(`'${name}' must be true or false`);
    return value === true;
  };
  const names = (name: string, value: unknown, fallback: readonly string[]) => {
    if (value === undefined) return [...fallback];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) bad(`'${name}' must be an array of strings`);
    return value as string[];
  };
  const samples = options.samples ?? 8;
  if (!Number.isSafeInteger(samples) || samples < 1 || samples > 100_000) bad(`'samples' must be a whole number from 1 to 100000, got ${samples}`);
  const percentile = options.percentile ?? 99.999;
  if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 100)) bad(`'percentile' must be a number in (0, 100], got ${percentile}`);
  const settled: Settled = {
    method: choice('method', options.method, METHODS, 'minmax'),
    perChannel: flag('perChannel', options.perChannel),
    activationType: choice('activationType', options.activationType, TYPES, 'int8'),
    weightType: choice('weightType', options.weightType, TYPES, 'int8'),
    reduceRange: flag('reduceRange', options.reduceRange),
    opTypes: names('opTypes', options.opTypes, DEFAULT_OP_TYPES),
    nodesToExclude: names('nodesToExclude', options.nodesToExclude, []),
    samples,
    percentile,
  };
  // check_static_quant_arguments refuses this pair: no kernel takes int8 activations with uint8 weights.
  if (settled.activationType === 'int8' && settled.weightType === 'uint8') {
    bad("'weightType' \"uint8\" cannot go with 'activationType' \"int8\" (onnxruntime has no kernels for it): use int8 weights, or uint8 activations");
  }
  return settled;
}

const list = (items: readonly string[], max = 6) => items.slice(0, max).join('; ') + (items.length > max ? `; … (${items.length} in all)` : '');

/** Quantizes a copy of `model`; the input is not modified. */
export async function quantizeStatic(model: ModelProto, options: QuantizeStaticOptions = {}, context: RewriteContext = {}): Promise<RewriteResult> {
  const o = settle(options);
  if (!model.graph) throw new OmnihubError('not-onnx', 'quantize-int8-static: the model has no graph');
  const runtime = context.runtime;
  if (!runtime) throw new OmnihubError('usage', 'quantize-int8-static calibrates in onnxruntime, and none was given');
  const already = quantizedOps(model);
  if (already.length) {
    throw new OmnihubError('bad-recipe', `quantize-int8-static: the model is already quantized (it has ${already.join(', ')}); quantize the float model instead`);
  }
  const before = modelCounts(model);
  const notes: string[] = [];
  const progress = (fraction: number, message: string) => context.onProgress?.({ fraction, message });
  progress(0, 'preparing');

  // ---- preparation on a working copy ----
  let work = cloneModel(model);
  let opset = opsetVersion(work);
  if (opset < 10) {
    const types = inferShapes(work.graph!, opset);
    notes.push(upgradeToOpset11(work, (n) => types.get(n)?.elemType ?? 0));
    opset = 11;
  }
  const initializerNames = new Set((work.graph!.initializer ?? []).map((t) => t.name ?? ''));
  if ((work.graph!.input ?? []).some((v) => initializerNames.has(v.name ?? ''))) {
    if (toNumber(work.ir_version) < 4) {
      // Below IR 4 every initializer must be an input, the new quantized ones too; runtimes read them as constants.
      work.ir_version = 4;
      notes.push('IR version → 4, so that the quantized weights need not be listed as graph inputs');
    }
    const frozen = freeze(work);
    work = frozen.model;
    notes.push(...frozen.report.notes.map((n) => `frozen first: ${n}`));
  }
  const graph = work.graph!;
  const settings: QdqSettings = {
    activationType: o.activationType,
    weightType: o.weightType,
    perChannel: o.perChannel,
    reduceRange: o.reduceRange,
    opTypes: new Set(o.opTypes),
    exclude: new Set(o.nodesToExclude),
    opset,
  };
  const index = new GraphIndex(graph);
  const moved = constantsToInitializers(graph, (n) => index.uses(n), (node) => shouldQuantize(node, settings));
  if (moved) notes.push(`${plural(moved, 'Constant node')} holding float weights became ${moved === 1 ? 'an initializer' : 'initializers'} (weights, not activations)`);
  const types = inferShapes(graph, opset);
  const elemType = (name: string) => types.get(name)?.elemType ?? 0;

  // Samples are checked before anything else runs, so a bad one is reported whatever the model holds.
  const inputs = summarizeModel(work).inputs;
  let samples = context.samples?.length ? context.samples : undefined;
  if (samples) checkSamples(samples, inputs);

  // Nothing any op quantizer would mark: leave the model as it is (not even prepared).
  const dry = planQdq(graph, elemType, new Map(), settings);
  if (!dry.marks.size && !dry.biases.size) {
    const inSubgraphs = (model.graph.node ?? []).some((n) => (n.attribute ?? []).some((a) => a.g || a.graphs?.length));
    const out = cloneModel(model);
    const why =
      'nothing to quantize: no node of the main graph with a listed op type has a float32 input, output or weight' +
      (inSubgraphs ? " (If/Loop/Scan bodies are not quantized: onnxruntime's QDQ quantizer does not enter them either)" : '');
    return { model: out, report: makeReport('quantize-int8-static', before, out, [why]) };
  }

  // ---- calibration ----
  if (samples) notes.push(`calibrated on ${plural(samples.length, 'sample')} given by the caller`);
  else {
    samples = randomSamples(inputs, o.samples);
    notes.push(
      `calibrated on ${plural(o.samples, 'seeded random sample')}, as no samples were given (floats uniform in [0, 1), integers in [0, 10), ` +
        'masks all ones, symbolic dimensions 1): give real samples for ranges the model will meet',
    );
  }
  const tensors = tensorsToCalibrate(graph, settings.opTypes, elemType);
  throwIfStopped(context.signal);
  const ranges = await calibrate(work, tensors, samples, runtime, {
    method: o.method,
    percentile: o.percentile,
    signal: context.signal,
    onProgress: (f) => progress(0.05 + 0.85 * f, 'calibrating'),
  });
  const methodText = o.method === 'percentile' ? `percentile ${o.percentile} (|x| histogram, 2048 bins)` : o.method === 'entropy' ? 'entropy (KL over 128-bin histograms)' : 'minmax';
  notes.push(`calibration: ${methodText} over ${plural(tensors.length, 'tensor')}`);

  // ---- quantization ----
  throwIfStopped(context.signal);
  progress(0.9, 'inserting QuantizeLinear/DequantizeLinear');
  const fresh = nameFactory(work);
  const duplicated = duplicateSharedBiases(graph, settings, fresh);
  if (duplicated) notes.push(`${plural(duplicated, 'shared bias', 'shared biases')} copied, one per node (each int32 bias has its own scale)`);
  adjustRanges(graph, ranges, settings);
  const plan = planQdq(graph, elemType, ranges, settings);
  if (opset < 13 && [...plan.marks.values()].some((m) => m.axis !== undefined)) {
    throw new OmnihubError('unsupported', `quantize-int8-static: per-channel weights need opset ≥ 13 (DequantizeLinear's axis); this model is opset ${opset}: quantize per tensor`);
  }
  const counts = applyQdq(graph, plan, ranges, settings, fresh);
  const weights = counts.weightsPerTensor + counts.weightsPerChannel;
  const parts = [
    weights && `${plural(weights, 'weight')} → ${o.weightType}${counts.weightsPerChannel ? ` (${counts.weightsPerChannel} per channel)` : ''}`,
    counts.biases && `${plural(counts.biases, 'bias', 'biases')} → int32`,
    counts.constants && `${plural(counts.constants, 'constant')} read as activations → ${o.activationType}`,
    counts.activations && `${plural(counts.activations, 'activation')} → ${o.activationType} (QuantizeLinear → DequantizeLinear)`,
    counts.shared && `${counts.shared} sharing their input's scale`,
  ].filter(Boolean);
  notes.push(`quantized: ${parts.join(', ') || 'nothing'}`);
  const removed = Object.entries(counts.removed).map(([op, n]) => `${op} ×${n}`);
  if (removed.length) notes.push(`${removed.join(', ')} removed: the quantized range clamps as they did (onnxruntime's QDQRemovableActivation)`);
  if (counts.scaledForBias) notes.push(`${plural(counts.scaledForBias, 'weight scale')} raised so that the int32 bias fits`);
  if (counts.skipped.length) notes.push(`left float: ${list(counts.skipped)}`);
  progress(1, 'done');
  return { model: work, report: makeReport('quantize-int8-static', before, work, notes) };
}

export const quantizeStaticStep: RewriteStep<QuantizeStaticOptions> = {
  name: 'quantize-int8-static',
  description: 'int8 static quantization (QDQ): calibrate activations in onnxruntime, quantize weights, biases and activations as onnxruntime quantize_static does',
  needsRuntime: true,
  options: {
    method: { type: 'string', choices: METHODS, description: 'calibration method: minmax (default), entropy or percentile' },
    perChannel: { type: 'boolean', description: 'weights per output channel (needs opset ≥ 13)' },
    activationType: { type: 'string', choices: TYPES, description: 'activation type: int8 (default) or uint8' },
    weightType: { type: 'string', choices: TYPES, description: 'weight type: int8 (default) or uint8' },
    reduceRange: { type: 'boolean', description: '7-bit ranges for per-channel weights (for CPUs without VNNI)' },
    opTypes: { type: 'string[]', description: "op types to quantize (default: onnxruntime's list)" },
    nodesToExclude: { type: 'string[]', description: 'node names to leave float' },
    samples: { type: 'integer', description: 'seeded random samples to calibrate on when none are given (default 8)' },
    percentile: { type: 'number', description: 'percentile method: the percentile kept (default 99.999)' },
  },
  async run(model, options, context) {
    return quantizeStatic(model, options, context);
  },
};
