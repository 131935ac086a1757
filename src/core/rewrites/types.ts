/**
 * Rewrites: each is `(model, options, context) → { model, report }`. The input model is never modified (the result
 * shares tensor data with it, so nothing may write into a tensor in place either); the report says what changed so
 * the app and the CLI print the same thing. Rewrites chain into recipes (recipe.ts).
 */
import type { ModelProto } from '../onnx/codec.js';
import type { CompareRuntime } from '../validate/compare.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';

export interface RewriteReport {
  step: string;
  nodesBefore: number;
  nodesAfter: number;
  /** Node counts by op type, subgraphs included: what went away and what appeared. */
  removedByOp: Record<string, number>;
  addedByOp: Record<string, number>;
  initializersBefore: number;
  initializersAfter: number;
  /** Bytes of tensor data (initializers and Constant nodes, subgraphs included) before and after. */
  tensorBytesBefore: number;
  tensorBytesAfter: number;
  /** One line per kind of change, for people: "35 BatchNormalization fused into Conv", "Dropout → Identity ×2". */
  notes: string[];
}

export interface RewriteProgress {
  /** 0..1 within the current step. */
  fraction: number;
  message?: string;
}

/** What a rewrite gets from its environment, so the core stays free of any one runtime. */
export interface RewriteContext {
  /**
   * onnxruntime, for rewrites that evaluate nodes (constant folding). Create it with graph optimizations
   * disabled: folding must compute exactly what the nodes compute, not what ORT's fusions compute.
   */
  runtime?: CompareRuntime;
  onProgress?: (p: RewriteProgress) => void;
  signal?: AbortSignal;
  /**
   * Input samples for steps that calibrate (static quantization) or check numerically (float16): each sample
   * holds a value for every model input, by name. The caller makes them: from an .npz, a data set (MNIST),
   * images; a step that needs samples and gets none makes seeded random ones itself and says so in its notes.
   */
  samples?: Array<Record<string, RuntimeTensor>>;
}

export interface RewriteResult {
  model: ModelProto;
  report: RewriteReport;
}

/** The type of one option, as a recipe's JSON holds it. */
export type OptionType =
  | 'boolean'
  | 'number'
  | 'integer'
  | 'string'
  | 'string[]'
  /** An object of whole numbers by name: `{ "batch": 1, "seq": 128 }`. */
  | 'dims';

export interface OptionSpec {
  type: OptionType;
  description: string;
  required?: boolean;
  /** For strings: the values allowed. */
  choices?: readonly string[];
}

/** One step a recipe can name: its options are checked against `options` before `run` sees them. */
export interface RewriteStep<O extends object = Record<string, unknown>> {
  name: string;
  description: string;
  options: { [K in keyof O]-?: OptionSpec };
  /** True when the step evaluates nodes and so needs `context.runtime`. */
  needsRuntime?: boolean;
  run(model: ModelProto, options: O, context: RewriteContext): Promise<RewriteResult>;
}
