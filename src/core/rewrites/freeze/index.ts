// Placeholder until the freeze rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const freezeStep: RewriteStep<Record<string, never>> = {
  name: 'freeze',
  description: 'freeze (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'freeze is not built yet');
  },
};
