/** Every rewrite a recipe can name. Adding a rewrite = one folder under rewrites/ + one line here. */
import type { RewriteStep } from './types.js';
import { freezeStep } from './freeze/index.js';
import { simplifyStep } from './simplify/index.js';
import { unfreezeStep } from './unfreeze/index.js';
import { customizeStep } from './customize/index.js';
import { quantizeDynamicStep } from './quantize-dynamic/index.js';
import { quantizeStaticStep } from './quantize-static/index.js';
import { quantizeInt4Step } from './quantize-int4/index.js';
import { float16Step } from './float16/index.js';

export const REWRITE_STEPS: Record<string, RewriteStep<object>> = {
  freeze: freezeStep as RewriteStep<object>,
  simplify: simplifyStep as RewriteStep<object>,
  unfreeze: unfreezeStep as RewriteStep<object>,
  customize: customizeStep as RewriteStep<object>,
  'quantize-int8-dynamic': quantizeDynamicStep as RewriteStep<object>,
  'quantize-int8-static': quantizeStaticStep as RewriteStep<object>,
  'quantize-int4': quantizeInt4Step as RewriteStep<object>,
  float16: float16Step as RewriteStep<object>,
};
