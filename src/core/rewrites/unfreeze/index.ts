// Placeholder until the unfreeze rewrite lands.
import type { RewriteStep } from '../types.js';
import { OmnihubError } from '../../errors.js';

export const unfreezeStep: RewriteStep<Record<string, never>> = {
  name: 'unfreeze',
  description: 'unfreeze (not built yet)',
  options: {},
  async run() {
    throw new OmnihubError('unsupported', 'unfreeze is not built yet');
  },
};
