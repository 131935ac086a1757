// Placeholder until the simplify rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const simplifyStep: RewriteStep<Record<string, never>> = {
  name: 'simplify',
  description: 'simplify (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'simplify is not built yet');
  },
};
