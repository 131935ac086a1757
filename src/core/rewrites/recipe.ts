/**
 * Recipes: an ordered list of rewrite steps with their options, as plain JSON, so the same recipe runs in the app
 * and the CLI and is saved with a result's lineage:
 *
 *   { "steps": [ { "step": "freeze" }, { "step": "simplify", "options": { "fuse": false } } ] }
 *
 * Everything in a recipe is checked before any step runs: an unknown step, an unknown option, a value of the
 * wrong type or a missing required option is a 'bad-recipe' error naming the step and the option.
 */
import type { ModelProto } from '../onnx/codec.js';
import { OmnihubError } from '../errors.js';
import { REWRITE_STEPS } from './registry.js';
import { throwIfStopped } from './abort.js';
import type { OptionSpec, RewriteContext, RewriteReport, RewriteStep } from './types.js';

export interface RecipeStep {
  step: string;
  options?: Record<string, unknown>;
}

export interface Recipe {
  steps: RecipeStep[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function checkOption(where: string, spec: OptionSpec, value: unknown): void {
  const fail = (expected: string) => {
    throw new OmnihubError('bad-recipe', `${where} must be ${expected}, got ${describe(value)}`);
  };
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false');
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a number');
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail('a whole number');
      return;
    case 'string':
      if (typeof value !== 'string') fail('a string');
      if (spec.choices && !spec.choices.includes(value as string)) fail(`one of ${spec.choices.map((c) => `"${c}"`).join(', ')}`);
      return;
    case 'string[]':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail('an array of strings');
      return;
    case 'dims':
      if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) {
        fail('an object of dimension sizes (whole numbers ≥ 1 by name)');
      }
      return;
  }
}

/** Checks options against a step's spec; returns them as the step's typed options. */
export function checkStepOptions(step: RewriteStep<object>, options: unknown, where = `step '${step.name}'`): Record<string, unknown> {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new OmnihubError('bad-recipe', `${where}: options must be an object, got ${describe(options)}`);
  const specs = step.options as Record<string, OptionSpec>;
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(specs, key)) throw new OmnihubError('bad-recipe', `${where} has no option '${key}' (it takes ${Object.keys(specs).map((k) => `'${k}'`).join(', ') || 'none'})`);
    if (given[key] !== undefined) checkOption(`${where}: option '${key}'`, specs[key], given[key]);
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.required && given[key] === undefined) throw new OmnihubError('bad-recipe', `${where} needs option '${key}' (${spec.description})`);
  }
  return given;
}

export function stepNamed(name: unknown, where: string): RewriteStep<object> {
  const step = typeof name === 'string' && Object.hasOwn(REWRITE_STEPS, name) ? REWRITE_STEPS[name] : undefined;
  if (!step) throw new OmnihubError('bad-recipe', `${where}: unknown step ${describe(name)} (known: ${Object.keys(REWRITE_STEPS).join(', ')})`);
  return step;
}

/** Parses and checks a recipe (JSON text or an already parsed value). */
export function parseRecipe(input: string | unknown): Recipe {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new OmnihubError('bad-recipe', `the recipe is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as Recipe).steps)) {
    throw new OmnihubError('bad-recipe', 'a recipe is an object with a "steps" array: { "steps": [ { "step": "freeze" }, … ] }');
  }
  const steps = (value as Recipe).steps;
  if (!steps.length) throw new OmnihubError('bad-recipe', 'the recipe has no steps');
  return {
    steps: steps.map((s, i) => {
      const where = `recipe step ${i + 1}`;
      if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new OmnihubError('bad-recipe', `${where} must be an object like { "step": "simplify" }, got ${describe(s)}`);
      const extra = Object.keys(s).filter((k) => k !== 'step' && k !== 'options');
      if (extra.length) throw new OmnihubError('bad-recipe', `${where} has unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (a step has "step" and "options")`);
      const step = stepNamed(s.step, where);
      const options = checkStepOptions(step, s.options, `${where} ('${step.name}')`);
      return Object.keys(options).length ? { step: step.name, options } : { step: step.name };
    }),
  };
}

export interface RecipeRun {
  model: ModelProto;
  reports: RewriteReport[];
  recipe: Recipe;
}

export interface RecipeContext extends RewriteContext {
  /** Called as each step starts (index from 0), for per-step progress bars. */
  onStepStart?: (index: number, step: string) => void;
  onStepDone?: (index: number, report: RewriteReport) => void;
}

/** Runs a recipe's steps in order; the input model is not modified. */
export async function runRecipe(model: ModelProto, input: Recipe | string, context: RecipeContext = {}): Promise<RecipeRun> {
  const recipe = parseRecipe(input);
  const reports: RewriteReport[] = [];
  let current = model;
  for (const [index, { step: name, options }] of recipe.steps.entries()) {
    throwIfStopped(context.signal);
    const step = REWRITE_STEPS[name];
    if (step.needsRuntime && !context.runtime) throw new OmnihubError('usage', `step '${name}' needs onnxruntime, and none was given`);
    context.onStepStart?.(index, name);
    const result = await step.run(current, options ?? {}, context);
    reports.push(result.report);
    context.onStepDone?.(index, result.report);
    current = result.model;
  }
  return { model: current, reports, recipe };
}
