/**
 * The recipe builder's form, as plain data: what each option's field holds (its draft) and how drafts become the
 * values of a recipe step and back. Only the shape of the text is checked here (a number field that holds no
 * number, a dims field that is not `name=size, …`); whether the values fit the step (types, choices, required
 * options) is the core's `parseRecipe` to say, so the form and the CLI reject the same recipes with the same words.
 */
import type { Recipe, RecipeStep } from '../core/rewrites/recipe.js';
import { assertEntryName } from '../core/library/names.js';
import type { OptionSpec } from '../core/rewrites/types.js';

export type { OptionSpec, Recipe, RecipeStep };

/**
 * A field's content: booleans are true, false or undefined (not set: the step's default applies); every other type
 * is the text typed, '' meaning not set.
 */
export type OptionDraft = boolean | string | undefined;

export interface StepDraft {
  /** Stable while the step moves in the list (a key for the page, and part of its fields' ids). */
  id: number;
  step: string;
  values: Record<string, OptionDraft>;
}

/** What a step may be given, by option name (the registry's option specs). */
export type OptionSpecs = Record<string, OptionSpec>;

/** A comma-separated list: `a, b ,c` → ['a', 'b', 'c'] (empty pieces dropped). */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `batch=1, seq=128` → { batch: 1, seq: 128 }; a piece that is not `name=size` is an error naming it. */
export function parseDims(text: string): { value: Record<string, number> } | { error: string } {
  const value: Record<string, number> = {};
  for (const piece of parseList(text)) {
    const m = /^([^=]+?)\s*=\s*(\S+)$/.exec(piece);
    if (!m) return { error: `write dimensions as name=size, separated by commas (“${piece}” is not)` };
    const size = Number(m[2]);
    if (Number.isNaN(size)) return { error: `the size of ${m[1]} is not a number (“${m[2]}”)` };
    value[m[1]] = size;
  }
  return { value };
}

export function formatDims(dims: Record<string, number>): string {
  return Object.entries(dims)
    .map(([name, size]) => `${name}=${size}`)
    .join(', ');
}

/** The value a draft stands for (undefined: not set), or why its text cannot be one. */
export function draftValue(spec: OptionSpec, draft: OptionDraft): { value: unknown } | { error: string } {
  if (draft === undefined) return { value: undefined };
  if (typeof draft === 'boolean') return { value: spec.type === 'boolean' ? draft : undefined };
  const text = draft.trim();
  switch (spec.type) {
    case 'boolean':
      return { value: undefined };
    case 'number':
    case 'integer': {
      if (text === '') return { value: undefined };
      const n = Number(text);
      return Number.isNaN(n) ? { error: `“${text}” is not a number` } : { value: n };
    }
    case 'string':
      return { value: text === '' ? undefined : draft };
    case 'string[]': {
      const list = parseList(text);
      return { value: list.length ? list : undefined };
    }
    case 'dims': {
      if (text === '') return { value: undefined };
      const parsed = parseDims(text);
      return 'error' in parsed ? parsed : { value: parsed.value };
    }
  }
}

/** A draft showing `value` (as a loaded recipe holds it) in its field. */
export function valueDraft(spec: OptionSpec, value: unknown): OptionDraft {
  if (value === undefined) return spec.type === 'boolean' ? undefined : '';
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'string[]':
      return Array.isArray(value) ? value.join(', ') : String(value);
    case 'dims':
      return typeof value === 'object' && value !== null ? formatDims(value as Record<string, number>) : String(value);
    default:
      return String(value);
  }
}

/** The field id of one option of one step, unique on the page. */
export function fieldId(draft: Pick<StepDraft, 'id'>, option: string): string {
  return `step-${draft.id}-${option.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export interface BuiltRecipe {
  recipe: Recipe;
  /** Field errors by field id (fieldId()). */
  fieldErrors: Record<string, string>;
}

/** The recipe the drafts stand for; options that are not set are left out (the step's defaults apply). */
export function buildRecipe(drafts: readonly StepDraft[], specsOf: (step: string) => OptionSpecs | undefined): BuiltRecipe {
  const fieldErrors: Record<string, string> = {};
  const steps = drafts.map((d): RecipeStep => {
    const specs = specsOf(d.step) ?? {};
    const options: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(specs)) {
      const got = draftValue(spec, d.values[name]);
      if ('error' in got) fieldErrors[fieldId(d, name)] = got.error;
      else if (got.value !== undefined) options[name] = got.value;
    }
    return Object.keys(options).length ? { step: d.step, options } : { step: d.step };
  });
  return { recipe: { steps }, fieldErrors };
}

/** Drafts showing a (checked) recipe's steps, numbered from `firstId`. */
export function draftsFromRecipe(recipe: Recipe, specsOf: (step: string) => OptionSpecs | undefined, firstId: number): StepDraft[] {
  return recipe.steps.map((s, i) => {
    const specs = specsOf(s.step) ?? {};
    const values: Record<string, OptionDraft> = {};
    for (const [name, spec] of Object.entries(specs)) values[name] = valueDraft(spec, s.options?.[name]);
    return { id: firstId + i, step: s.step, values };
  });
}

/** Empty drafts for a step newly added. */
export function emptyDraft(step: string, specs: OptionSpecs, id: number): StepDraft {
  return { id, step, values: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, valueDraft(spec, undefined)])) };
}

/**
 * The name a result is offered under: `<original name>-<steps joined by '-'>` (`tv_squeezenet1_1-freeze-simplify`),
 * without the original's `.onnx` (an imported file's entry is named after the file).
 */
export function defaultResultName(originalName: string, recipe: Recipe): string {
  const base = originalName.replace(/\.onnx$/i, '') || 'model';
  return [base, ...recipe.steps.map((s) => s.step)].join('-');
}

/**
 * Why `name` cannot name a new ONNX entry (`onnx/<name>`) of a library holding `entries`: empty, not a portable
 * name (the library's own rule, in its words), or taken ignoring case. Null when it can.
 */
export function newEntryNameProblem(name: string, entries: ReadonlyArray<{ id: string }>, what: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return `Give ${what} a name.`;
  try {
    assertEntryName(trimmed);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  const id = `onnx/${trimmed}`.toLowerCase();
  const taken = entries.find((e) => e.id.toLowerCase() === id);
  return taken ? `The library already has ${taken.id}; choose another name.` : null;
}
