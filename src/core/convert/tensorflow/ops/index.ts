/** Every TF op the GraphDef → ONNX converter handles, by op name. */
import { BASIC_OPS } from './basic.js';
import type { OpConverter } from './common.js';
import { MATH_OPS } from './math.js';
import { NN_OPS } from './nn.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';

export type { OpConverter } from './common.js';

export const OP_CONVERTERS: Record<string, OpConverter> = {
  ...BASIC_OPS,
  ...MATH_OPS,
  ...NN_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
};
