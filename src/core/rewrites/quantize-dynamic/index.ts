// Placeholder until the quantize-int8-dynamic rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const quantizeDynamicStep: RewriteStep<Record<string, never>> = {
  name: 'quantize-int8-dynamic',
  description: 'quantize-int8-dynamic (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'quantize-int8-dynamic is not built yet');
  },
};
