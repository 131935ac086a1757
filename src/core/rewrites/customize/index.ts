// Placeholder until the customize rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const customizeStep: RewriteStep<Record<string, never>> = {
  name: 'customize',
  description: 'customize (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'customize is not built yet');
  },
};
