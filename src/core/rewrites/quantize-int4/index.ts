// Placeholder until the quantize-int4 rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const quantizeInt4Step: RewriteStep<Record<string, never>> = {
  name: 'quantize-int4',
  description: 'quantize-int4 (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'quantize-int4 is not built yet');
  },
};
