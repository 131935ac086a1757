/**
 * The passes simplify runs, by the names onnxoptimizer gives them (so `skip` reads like onnxsim's
 * `skipped_optimizers`), in the order one round runs them. onnxsim's loop is FixedPoint(InferShapes, Optimize)
 * then FoldConstant, repeated; a round here is the same: shapes, eliminations and fusions, then folding.
 */
import { extractConstants } from './extract-constants.js';
import { NOP_RULES, eliminateNops } from './eliminate-nop.js';
import { fuseBatchNorm } from './fuse-bn.js';
import { fuseBias } from './fuse-bias.js';
import { fuseConsecutive } from './fuse-consecutive.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadNodes, eliminateUnusedInitializers } from './dead.js';
import { eliminateDuplicateInitializers } from './duplicates.js';
import { foldShapes } from './fold-shape.js';
import { fuseReshapeCopyDims } from './reshape-copy-dims.js';
import type { Scope } from './scope.js';

export type PassGroup = 'eliminate' | 'fuse' | 'fold';

/** Every pass name `skip` accepts, with the option that turns its whole group off. */
export const PASS_GROUPS: Readonly<Record<string, PassGroup>> = {
  extract_constant_to_initializer: 'eliminate',
  eliminate_identity: 'eliminate',
  ...Object.fromEntries(Object.keys(NOP_RULES).map((k) => [k, 'eliminate' as const])),
  eliminate_nop_with_unit: 'eliminate',
  fuse_bn_into_conv: 'fuse',
  fuse_bn_into_gemm: 'fuse',
  fuse_add_bias_into_conv: 'fuse',
  fuse_add_bias_into_gemm: 'fuse',
  fuse_matmul_add_bias_into_gemm: 'fuse',
  fuse_consecutive_transposes: 'fuse',
  fuse_consecutive_reshapes: 'fuse',
  fuse_consecutive_squeezes: 'fuse',
  fuse_consecutive_unsqueezes: 'fuse',
  fuse_consecutive_squeeze_unsqueeze: 'fuse',
  fuse_consecutive_log_softmax: 'fuse',
  fuse_reshape_copy_dims: 'fuse',
  eliminate_common_subexpression: 'eliminate',
  eliminate_deadend: 'eliminate',
  eliminate_unused_initializer: 'eliminate',
  eliminate_duplicate_initializer: 'eliminate',
  eliminate_shape_op: 'fold',
  constant_folding: 'fold',
};

export type Enabled = (pass: string) => boolean;

/** A step of a round: runs one or more named passes over a graph and says how many things it changed. */
export interface RoundStep {
  label: string;
  /** Names it covers: it runs when any of them is enabled. */
  passes: string[];
  /** Run inside If/Loop/Scan bodies too. */
  inSubgraphs: boolean;
  run(scope: Scope, enabled: Enabled): number;
}

const ELIMINATIONS = ['eliminate_identity', ...Object.keys(NOP_RULES), 'eliminate_nop_with_unit'];

export const ROUND_STEPS: RoundStep[] = [
  { label: 'Constant nodes', passes: ['extract_constant_to_initializer'], inSubgraphs: true, run: (s) => extractConstants(s) },
  { label: 'no-op nodes', passes: ELIMINATIONS, inSubgraphs: true, run: eliminateNops },
  { label: 'BatchNormalization fusion', passes: ['fuse_bn_into_conv', 'fuse_bn_into_gemm'], inSubgraphs: true, run: fuseBatchNorm },
  { label: 'bias fusion', passes: ['fuse_add_bias_into_conv', 'fuse_add_bias_into_gemm', 'fuse_matmul_add_bias_into_gemm'], inSubgraphs: true, run: fuseBias },
  {
    label: 'consecutive ops',
    passes: ['fuse_consecutive_transposes', 'fuse_consecutive_reshapes', 'fuse_consecutive_squeezes', 'fuse_consecutive_unsqueezes', 'fuse_consecutive_squeeze_unsqueeze', 'fuse_consecutive_log_softmax'],
    inSubgraphs: true,
    run: fuseConsecutive,
  },
  { label: 'common subexpressions', passes: ['eliminate_common_subexpression'], inSubgraphs: true, run: (s) => eliminateCommonSubexpressions(s) },
  { label: 'dead nodes', passes: ['eliminate_deadend'], inSubgraphs: true, run: (s) => eliminateDeadNodes(s) },
  { label: 'unused initializers', passes: ['eliminate_unused_initializer'], inSubgraphs: true, run: (s) => eliminateUnusedInitializers(s) },
  { label: 'duplicate initializers', passes: ['eliminate_duplicate_initializer'], inSubgraphs: false, run: (s) => eliminateDuplicateInitializers(s) },
  { label: 'static shapes', passes: ['eliminate_shape_op'], inSubgraphs: true, run: (s) => foldShapes(s) },
  // After the shapes are retyped (above): it reads the dims shape inference found.
  { label: 'run-time Reshape shapes', passes: ['fuse_reshape_copy_dims'], inSubgraphs: true, run: (s) => fuseReshapeCopyDims(s) },
];
