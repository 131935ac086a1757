// Placeholder until the quantize-int8-static rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const quantizeStaticStep: RewriteStep<Record<string, never>> = {
  name: 'quantize-int8-static',
  description: 'quantize-int8-static (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'quantize-int8-static is not built yet');
  },
};
