// Placeholder until the float16 rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const float16Step: RewriteStep<Record<string, never>> = {
  name: 'float16',
  description: 'float16 (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'float16 is not built yet');
  },
};
