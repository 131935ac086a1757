/** The Transform page's recipe form: drafts ↔ recipe values, and the names results are offered under. */
import { describe, expect, it } from 'vitest';
import {
  buildRecipe,
  defaultResultName,
  draftValue,
  draftsFromRecipe,
  emptyDraft,
  fieldId,
  parseDims,
  parseList,
  valueDraft,
  type OptionSpecs,
} from '../../src/app/recipe-form.js';

const SPECS: Record<string, OptionSpecs> = {
  demo: {
    flag: { type: 'boolean', description: 'a flag' },
    count: { type: 'integer', description: 'a count' },
    ratio: { type: 'number', description: 'a ratio' },
    mode: { type: 'string', description: 'a mode', choices: ['fast', 'exact'] },
    label: { type: 'string', description: 'a label' },
    names: { type: 'string[]', description: 'tensor names' },
    dims: { type: 'dims', description: 'dimension sizes' },
  },
  plain: {},
};
const specsOf = (step: string) => SPECS[step];

describe('recipe form', () => {
  it('parses lists and dims, naming what is wrong', () => {
    expect(parseList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseDims('batch=1, seq = 128')).toEqual({ value: { batch: 1, seq: 128 } });
    expect(parseDims('')).toEqual({ value: {} });
    expect(parseDims('batch')).toEqual({ error: expect.stringContaining('“batch” is not') });
    expect(parseDims('batch=x')).toEqual({ error: expect.stringContaining('not a number') });
  });

  it('turns drafts into values; unset fields are left out, bad text is a field error', () => {
    const d = SPECS.demo;
    expect(draftValue(d.flag, undefined)).toEqual({ value: undefined });
    expect(draftValue(d.flag, false)).toEqual({ value: false });
    expect(draftValue(d.count, ' 3 ')).toEqual({ value: 3 });
    // Whether 1.5 is a whole number is the core's to say (parseRecipe), not the form's.
    expect(draftValue(d.count, '1.5')).toEqual({ value: 1.5 });
    expect(draftValue(d.ratio, '1e-3')).toEqual({ value: 0.001 });
    expect(draftValue(d.ratio, 'abc')).toEqual({ error: '“abc” is not a number' });
    expect(draftValue(d.mode, '')).toEqual({ value: undefined });
    expect(draftValue(d.names, 'x, y')).toEqual({ value: ['x', 'y'] });
    expect(draftValue(d.names, ' , ')).toEqual({ value: undefined });
    expect(draftValue(d.dims, 'batch=2')).toEqual({ value: { batch: 2 } });
  });

  it('builds a recipe from drafts and reads one back into the same drafts', () => {
    const a = emptyDraft('demo', SPECS.demo, 1);
    expect(a.values).toEqual({ flag: undefined, count: '', ratio: '', mode: '', label: '', names: '', dims: '' });
    a.values.flag = true;
    a.values.names = 'out1, out2';
    a.values.dims = 'batch=1';
    const b = emptyDraft('plain', {}, 2);
    const built = buildRecipe([a, b], specsOf);
    expect(built.fieldErrors).toEqual({});
    expect(built.recipe).toEqual({ steps: [{ step: 'demo', options: { flag: true, names: ['out1', 'out2'], dims: { batch: 1 } } }, { step: 'plain' }] });

    const again = draftsFromRecipe(built.recipe, specsOf, 7);
    expect(again.map((d) => d.id)).toEqual([7, 8]);
    expect(again[0].values).toEqual({ ...a.values, names: 'out1, out2' });
    expect(buildRecipe(again, specsOf).recipe).toEqual(built.recipe);

    a.values.ratio = 'x';
    expect(buildRecipe([a], specsOf).fieldErrors).toEqual({ [fieldId(a, 'ratio')]: '“x” is not a number' });
    expect(valueDraft(SPECS.demo.dims, { a: 1, b: 2 })).toBe('a=1, b=2');
  });

  it('offers results under <original name>-<steps>, without the original .onnx', () => {
    const recipe = { steps: [{ step: 'freeze' }, { step: 'simplify' }] };
    expect(defaultResultName('tv_squeezenet1_1.onnx', recipe)).toBe('tv_squeezenet1_1-freeze-simplify');
    expect(defaultResultName('acme--model', recipe)).toBe('acme--model-freeze-simplify');
  });
});
