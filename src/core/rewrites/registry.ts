/** Every rewrite a recipe can name. Adding a rewrite = one folder under rewrites/ + one line here. */
import type { RewriteStep } from './types.js';
import { freezeStep } from './freeze/index.js';
import { simplifyStep } from './simplify/index.js';
import { unfreezeStep } from './unfreeze/index.js';
import { customizeStep } from './customize/index.js';

export const REWRITE_STEPS: Record<string, RewriteStep<object>> = {
  freeze: freezeStep as RewriteStep<object>,
  simplify: simplifyStep as RewriteStep<object>,
  unfreeze: unfreezeStep as RewriteStep<object>,
  customize: customizeStep as RewriteStep<object>,
};
