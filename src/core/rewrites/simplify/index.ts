/**
 * simplify: the graph cleanup onnx-simplifier (onnxsim) does, which is onnxoptimizer's fuse-and-eliminate passes
 * and constant folding by onnxruntime, repeated until a round changes nothing (capped at 50 rounds, onnxsim's
 * ONNXSIM_FIXED_POINT_ITERS). See passes.ts for the passes and their names.
 *
 * The input model is not modified: the work happens on a structural copy whose tensors are shared, and every new
 * value is a new tensor. Overridable initializers (IR ≥ 4 initializers that are also graph inputs) are treated as
 * variables, as onnxruntime treats them: freezing them is the `freeze` step's job.
 */
import { throwIfStopped } from '../abort.js';
import { toNumber, type ModelProto } from '../../onnx/codec.js';
import { OmnihubError } from '../../errors.js';
import { cloneModel, nameFactory, opsetVersion, type Graph } from '../graph.js';
import { makeReport, modelCounts } from '../report.js';
import type { RewriteContext, RewriteResult, RewriteStep } from '../types.js';
import { FoldMemo, foldConstants, type FoldSettings } from './fold.js';
import { PASS_GROUPS, ROUND_STEPS, type Enabled } from './passes.js';
import { Scope, subgraphsOf, type ModelEnv } from './scope.js';
import { Tally } from './tally.js';

export interface SimplifyOptions {
  /** Constant folding (Shape of static shapes, and every constant node through onnxruntime). Default true. */
  fold?: boolean;
  /**
   * Fusions (BatchNormalization into Conv/Gemm, Add into biases, MatMul+Add → Gemm, consecutive ops, run-time Reshape
   * shapes that copy the input's dims → constants with 0). Default true.
   */
  fuse?: boolean;
  /** Also clean up If/Loop/Scan bodies (constants, no-ops, dead nodes). Default true. */
  subgraphs?: boolean;
  /** Tile/Expand/ConstantOfShape outputs larger than this many bytes (or of unknown size) are not folded. */
  maxFoldBytes?: number;
  /** Passes not to run, by name (onnxoptimizer's names, plus `constant_folding`). */
  skip?: string[];
}

/** onnxsim's default tensor_size_threshold, "1.5GB". */
export const DEFAULT_MAX_FOLD_BYTES = 1.5e9;
export const MAX_ROUNDS = 50;
export const SIMPLIFY_PASSES = Object.keys(PASS_GROUPS);


function enabledPasses(options: SimplifyOptions): Enabled {
  const skip = new Set(options.skip ?? []);
  const unknown = [...skip].filter((s) => !(s in PASS_GROUPS));
  if (unknown.length) throw new OmnihubError('bad-recipe', `simplify: unknown pass${unknown.length > 1 ? 'es' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} in skip (known: ${SIMPLIFY_PASSES.join(', ')})`);
  if (options.maxFoldBytes !== undefined && !(options.maxFoldBytes >= 0)) throw new OmnihubError('bad-recipe', `simplify: maxFoldBytes must be a number ≥ 0, got ${options.maxFoldBytes}`);
  const groups = { eliminate: true, fuse: options.fuse ?? true, fold: options.fold ?? true };
  return (pass) => groups[PASS_GROUPS[pass]] && !skip.has(pass);
}

/** Drops value_info entries for names no longer defined in their graph or the graphs around it. */
function dropStaleValueInfo(graph: Graph, outer: ReadonlySet<string> = new Set()): void {
  const defined = new Set(outer);
  for (const v of graph.input ?? []) if (v.name) defined.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) defined.add(t.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) defined.add(o);
  graph.value_info = (graph.value_info ?? []).filter((v) => defined.has(v.name ?? ''));
  for (const n of graph.node ?? []) for (const sub of subgraphsOf(n)) dropStaleValueInfo(sub, defined);
}

interface RoundContext {
  env: ModelEnv;
  enabled: Enabled;
  subgraphs: boolean;
  fold?: FoldSettings;
  context: RewriteContext;
  /** Progress within the run: round r spans [1 − 2^−r, 1 − 2^−(r+1)], as the number of rounds is not known. */
  progress: (step: number, steps: number, message: string) => void;
}

/**
 * One round over a subgraph and the subgraphs inside it: the steps marked for subgraphs, then constant folding (a
 * body's constants may be read from the graphs around it: the scope knows them).
 */
async function roundInSubgraph(graph: Graph, outer: Scope, rc: RoundContext): Promise<number> {
  const scope = new Scope(graph, rc.env, outer);
  let changed = 0;
  for (const step of ROUND_STEPS) {
    if (!step.inSubgraphs || !step.passes.some(rc.enabled)) continue;
    const n = step.run(scope, rc.enabled);
    if (n) scope.refresh();
    changed += n;
  }
  if (rc.fold) {
    throwIfStopped(rc.context.signal);
    if (changed) scope.retype();
    const n = await foldConstants(scope, rc.fold);
    if (n) scope.refresh();
    changed += n;
  }
  for (const node of graph.node ?? []) for (const sub of subgraphsOf(node)) changed += await roundInSubgraph(sub, scope, rc);
  return changed;
}

async function round(graph: Graph, rc: RoundContext): Promise<number> {
  const scope = new Scope(graph, rc.env);
  const steps = ROUND_STEPS.filter((s) => s.passes.some(rc.enabled));
  const total = steps.length + 2;
  let changed = 0;
  for (const [i, step] of steps.entries()) {
    throwIfStopped(rc.context.signal);
    rc.progress(i, total, step.label);
    // Shapes again before the folding steps: the steps before may have made more of them known.
    if (step.passes.includes('eliminate_shape_op') && changed) scope.retype();
    const n = step.run(scope, rc.enabled);
    if (n) scope.refresh();
    changed += n;
  }
  if (rc.fold) {
    throwIfStopped(rc.context.signal);
    rc.progress(steps.length, total, 'constant folding');
    if (changed) scope.retype();
    changed += await foldConstants(scope, rc.fold);
    scope.refresh();
  }
  if (rc.subgraphs) {
    rc.progress(steps.length + 1, total, 'subgraphs');
    for (const node of graph.node ?? []) for (const sub of subgraphsOf(node)) changed += await roundInSubgraph(sub, scope, rc);
  }
  return changed;
}

export async function simplify(model: ModelProto, options: SimplifyOptions = {}, context: RewriteContext = {}): Promise<RewriteResult> {
  const enabled = enabledPasses(options);
  throwIfStopped(context.signal);
  const before = modelCounts(model);
  const out = cloneModel(model);
  const tally = new Tally();
  const env: ModelEnv = { irVersion: toNumber(out.ir_version), opset: opsetVersion(out, ''), newName: nameFactory(out), tally };
  const memo = new FoldMemo();
  let fold: FoldSettings | undefined;
  if (enabled('constant_folding')) {
    if (context.runtime) {
      fold = {
        runtime: context.runtime,
        maxFoldBytes: options.maxFoldBytes ?? DEFAULT_MAX_FOLD_BYTES,
        opsetImport: out.opset_import ?? [],
        irVersion: env.irVersion,
        memo,
        signal: context.signal,
      };
    } else tally.say('constant folding skipped: no onnxruntime given');
  }
  let r = 0;
  const rc: RoundContext = {
    env,
    enabled,
    subgraphs: options.subgraphs ?? true,
    fold,
    context,
    progress: (step, steps, message) => {
      const start = 1 - 2 ** -r;
      context.onProgress?.({ fraction: start + (2 ** -(r + 1)) * (step / steps), message: `round ${r + 1}: ${message}` });
    },
  };
  let changed = 0;
  for (; r < MAX_ROUNDS && out.graph; r++) {
    changed = await round(out.graph, rc);
    if (!changed) break;
  }
  if (changed) tally.say(`stopped after ${MAX_ROUNDS} rounds with changes still being made`);
  for (const note of memo.notes()) tally.say(note);
  if (out.graph) dropStaleValueInfo(out.graph);
  context.onProgress?.({ fraction: 1, message: 'done' });
  return { model: out, report: makeReport('simplify', before, out, tally.notes()) };
}

export const simplifyStep: RewriteStep<SimplifyOptions> = {
  name: 'simplify',
  description: 'Graph cleanup like onnx-simplifier: constant folding with onnxruntime, no-op removal, fusions (BatchNormalization into Conv/Gemm, Add into biases, MatMul+Add → Gemm), dead code and duplicates',
  needsRuntime: true,
  options: {
    fold: { type: 'boolean', description: 'fold constant subgraphs with onnxruntime (default true)' },
    fuse: { type: 'boolean', description: 'fuse BatchNormalization, bias Adds and consecutive ops (default true)' },
    subgraphs: { type: 'boolean', description: 'also clean up If/Loop/Scan bodies (default true)' },
    maxFoldBytes: { type: 'number', description: 'largest Tile/Expand/ConstantOfShape output to fold, in bytes (default 1.5e9, as onnxsim)' },
    skip: { type: 'string[]', description: `passes not to run: ${SIMPLIFY_PASSES.join(', ')}` },
  },
  run: simplify,
};
