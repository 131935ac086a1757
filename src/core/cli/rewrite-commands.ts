/**
 * `omnihub freeze | simplify | unfreeze | customize IN -o OUT [options]` and `omnihub recipe IN -o OUT --recipe FILE`:
 * the rewrites of src/core/rewrites on files, with the same recipe checker as the app.
 *
 * A step's options come from its option specs: each option `fooBar` is a flag `--foo-bar VALUE` (also
 * `--foo-bar=VALUE`); a boolean is a bare `--foo-bar` (true) or `--no-foo-bar` (false); a string[] is comma-separated
 * (or the flag repeated); dims are `name=size,…`. Values are converted only as far as their text allows and then
 * checked by `checkStepOptions`, so a wrong value gets the same 'bad-recipe' message the app shows.
 *
 * Unless `--no-validate`, IN and the result are compared in onnxruntime (as `omnihub compare` does) before anything
 * is written, from the same bytes that are then written: a rewrite that fails, a model onnxruntime cannot load or
 * run, or a bad option leaves no file behind.
 */
import { basename, dirname } from 'node:path';
import { encodeModel } from '../onnx/codec.js';
import { openModel, saveModel } from '../onnx/model-file.js';
import { summarizeModel, type ModelSummary } from '../onnx/summary.js';
import { readNpz } from '../formats/numpy/npz.js';
import { inputsFromNpz, mulberry32, randomInput } from '../validate/inputs.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';
import type { CompareResult, CompareRuntime } from '../validate/compare.js';
import { writeFileAtomic } from '../library/folder-files.js';
import { OmnihubError } from '../errors.js';
import { concatBytes } from '../bytes.js';
import { REWRITE_STEPS } from '../rewrites/registry.js';
import { checkStepOptions, parseRecipe, runRecipe, type Recipe } from '../rewrites/recipe.js';
import { summarizeReport } from '../rewrites/report.js';
import type { OptionSpec, RewriteReport } from '../rewrites/types.js';
import { folderReader } from './node-files.js';
import { comparisonForJson, formatComparison, formatNumber, toJsonText } from './compare-command.js';
import type { CliEnv, CliIo } from './library-commands.js';

export const STEP_COMMANDS = ['freeze', 'simplify', 'unfreeze', 'customize'] as const;
export const REWRITE_COMMANDS: readonly string[] = [...STEP_COMMANDS, 'quantize', 'recipe'];

/** `quantize --mode M`: the step each mode runs, with the options the mode implies. */
const QUANTIZE_MODES: Record<string, { step: string; options?: Record<string, unknown> }> = {
  'int8-dynamic': { step: 'quantize-int8-dynamic' },
  'int8-static': { step: 'quantize-int8-static' },
  int4: { step: 'quantize-int4' },
  fp16: { step: 'float16', options: { type: 'float16' } },
  bf16: { step: 'float16', options: { type: 'bfloat16' } },
};

/** The step a command runs ('quantize' by its --mode), or none for 'recipe'. */
function stepOfCommand(command: string, args: string[]): { step: string; options?: Record<string, unknown> } | undefined {
  if (command === 'recipe') return undefined;
  if (command !== 'quantize') return { step: command };
  const at = args.findIndex((a) => a === '--mode' || a.startsWith('--mode='));
  const mode = at < 0 ? undefined : args[at].startsWith('--mode=') ? args[at].slice(7) : args[at + 1];
  const modes = Object.keys(QUANTIZE_MODES).join('|');
  if (mode === undefined) throw new OmnihubError('usage', `quantize needs --mode ${modes}`);
  if (!Object.hasOwn(QUANTIZE_MODES, mode)) throw new OmnihubError('usage', `quantize --mode takes ${modes}, got '${mode}'`);
  return QUANTIZE_MODES[mode];
}

/** Steps that change what the model computes: their result is run on its own, not compared with the input. */
const CHANGES_OUTPUTS = new Set(['customize']);

/** The CLI's own flags for these commands; every other `--flag` is a step option. */
const OWN_VALUE_FLAGS: Record<string, string> = {
  '-o': 'output',
  '--output': 'output',
  '--recipe': 'recipe',
  '--inputs': 'inputs',
  '--validate-seed': 'validateSeed',
  '--external-data-threshold': 'threshold',
  '--mode': 'mode',
  '--calibration': 'calibration',
};

export const REWRITE_USAGE = `  omnihub freeze IN -o OUT [--fix-dims NAME=SIZE,…] [--keep-inputs A,B]
  omnihub simplify IN -o OUT [--no-fold] [--no-fuse] [--no-subgraphs] [--max-fold-bytes N] [--skip OP,…]
  omnihub unfreeze IN -o OUT [--pattern REGEX] [--ops OP,…] [--as-inputs] [--min-elements N]
  omnihub customize IN -o OUT --cut TENSOR --classes N [--activation none|relu|tanh|sigmoid] [--seed S]
                                             [--loss] [--output-name NAME]
  omnihub quantize IN -o OUT --mode int8-dynamic|int8-static|int4|fp16|bf16 [--per-channel]
                                             [--weight-type int8|uint8] [--block-size N] [--method minmax|
                                             percentile|entropy] [--calibration random|FILE.npz|mnist[:N]]
  omnihub recipe IN -o OUT --recipe FILE.json  steps in order: { "steps": [ { "step": "freeze" }, … ] }
                                             rewrites also take: --no-validate (skip comparing IN and OUT in
                                             onnxruntime), --inputs X.npz, --validate-seed N, --json,
                                             --external-data-threshold BYTES`;

const camel = (kebabName: string) => kebabName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * A flag's text as the option's JSON value, where the text allows it; otherwise the text itself, which the recipe
 * checker then rejects with its message ("option 'maxFoldBytes' must be a number, got the string \"lots\"").
 */
function optionValue(spec: OptionSpec, text: string): unknown {
  switch (spec.type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'number':
    case 'integer':
      return NUMBER.test(text) ? Number(text) : text;
    case 'string':
      return text;
    case 'string[]':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    case 'dims': {
      const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
      if (!parts.length || parts.some((p) => !/^[^=]+=[^=]*$/.test(p))) return text;
      return Object.fromEntries(parts.map((p) => {
        const [name, size] = p.split('=').map((s) => s.trim());
        return [name, NUMBER.test(size) ? Number(size) : size];
      }));
    }
  }
}

interface RewriteArgs {
  positional: string[];
  own: Map<string, string>;
  json: boolean;
  validate: boolean;
  /** Step options by name (recipe: none). */
  options: Record<string, unknown>;
}

function parseRewriteArgs(command: string, args: string[], usage: string): RewriteArgs {
  const chosen = stepOfCommand(command, args);
  const step = chosen ? REWRITE_STEPS[chosen.step] : undefined;
  const specs = (step?.options ?? {}) as Record<string, OptionSpec>;
  const parsed: RewriteArgs = { positional: [], own: new Map(), json: false, validate: true, options: { ...chosen?.options } };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const inline = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : undefined;
    const takeValue = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) throw new OmnihubError('usage', `${flag} needs a value\n${usage}`);
      return args[++i];
    };
    if (flag === '--json' && inline === undefined) parsed.json = true;
    else if (flag === '--validate' && inline === undefined) parsed.validate = true;
    else if (flag === '--no-validate' && inline === undefined) parsed.validate = false;
    else if (flag in OWN_VALUE_FLAGS) parsed.own.set(OWN_VALUE_FLAGS[flag], takeValue());
    else if (!step || !flag.startsWith('--')) throw new OmnihubError('usage', `unknown option ${arg}\n${usage}`);
    else {
      const name = camel(flag.slice(2));
      const negated = name.startsWith('no') && /^no[A-Z]/.test(name) ? name[2].toLowerCase() + name.slice(3) : undefined;
      if (negated !== undefined && Object.hasOwn(specs, negated) && inline === undefined) {
        parsed.options[negated] = false;
        continue;
      }
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      // An option the step does not have: the recipe checker's own message names it and lists the ones it has.
      if (!spec) {
        checkStepOptions(step, { [name]: true });
        // Names on Object.prototype ('constructor') get past the checker's `in`; refused here in its words.
        throw new OmnihubError('bad-recipe', `step '${step.name}' has no option '${name}' (it takes ${Object.keys(specs).map((k) => `'${k}'`).join(', ') || 'none'})`);
      } else if (spec.type === 'boolean' && inline === undefined) parsed.options[name] = true;
      else {
        const value = optionValue(spec, takeValue());
        const previous = parsed.options[name];
        // A repeated list flag adds to the list: --skip Conv --skip Relu.
        parsed.options[name] = spec.type === 'string[]' && Array.isArray(previous) && Array.isArray(value) ? [...previous, ...value] : value;
      }
    }
  }
  return parsed;
}

/** Names which model onnxruntime failed on, and how to write the result without this check. */
function labelledRuntime(runtime: CompareRuntime, labels: string[]): CompareRuntime {
  let calls = 0;
  return {
    async createSession(model) {
      const label = labels[Math.min(calls++, labels.length - 1)];
      try {
        const session = await runtime.createSession(model);
        return {
          inputNames: session.inputNames,
          outputNames: session.outputNames,
          release: () => session.release(),
          run: (feeds) => session.run(feeds).catch((e) => { throw relabel(e, label); }),
        };
      } catch (e) {
        throw relabel(e, label);
      }
    },
  };
}

function relabel(e: unknown, label: string): unknown {
  if (e instanceof OmnihubError && e.code === 'runtime') {
    return new OmnihubError('runtime', `validating ${label}: ${e.message} (--no-validate writes the result without this check)`, { cause: e });
  }
  return e;
}

/**
 * Seeded random inputs for the comparison: model a's inputs, with the shapes model b declares where b has fixed a
 * symbolic dimension (freeze --fix-dims), so both models accept them.
 */
function validationInputs(a: ModelSummary, b: ModelSummary, seed: number, classes?: number): Record<string, RuntimeTensor> {
  const next = mulberry32(seed);
  const feeds: Record<string, RuntimeTensor> = {};
  const byName = new Map(b.inputs.map((i) => [i.name, i]));
  for (const input of a.inputs) {
    const inB = byName.get(input.name);
    feeds[input.name] = randomInput(inB?.shape ? { ...input, shape: inB.shape.map((d, k) => (typeof d === 'number' ? d : input.shape?.[k] ?? d)) } : input, next);
  }
  // Inputs only b has (customize --loss adds class labels): labels must be valid classes.
  for (const input of b.inputs) {
    if (input.name in feeds) continue;
    const t = randomInput(input, next);
    if (classes !== undefined && t.data instanceof BigInt64Array) for (let i = 0; i < t.data.length; i++) t.data[i] %= BigInt(classes);
    feeds[input.name] = t;
  }
  return feeds;
}

export interface RunCheck {
  /** What b's outputs came out as. */
  outputs: Record<string, { type: string; dims: number[] }>;
  inputs: Record<string, { type: string; dims: number[] }>;
  latencyMs: number;
}

/** For a recipe that changes the outputs (customize): run b once on the inputs and report what it gave. */
async function runOnly(bytes: Uint8Array, feeds: Record<string, RuntimeTensor>, runtime: CompareRuntime): Promise<RunCheck> {
  const session = await runtime.createSession(bytes);
  try {
    const inputs = Object.fromEntries(session.inputNames.map((n) => {
      if (!(n in feeds)) throw new OmnihubError('usage', `the result needs input '${n}', which the inputs do not have`);
      return [n, feeds[n]];
    }));
    const t0 = performance.now();
    const out = await session.run(inputs);
    const latencyMs = performance.now() - t0;
    return {
      outputs: Object.fromEntries(Object.entries(out).map(([n, t]) => [n, { type: t.type, dims: [...t.dims] }])),
      inputs: Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, { type: t.type, dims: [...t.dims] }])),
      latencyMs,
    };
  } finally {
    await session.release();
  }
}

function formatRunCheck(file: string, r: RunCheck): string[] {
  return [
    `${basename(file)} runs in onnxruntime (${formatNumber(r.latencyMs)} ms) on ${Object.entries(r.inputs).map(([n, t]) => `${n} ${t.type} [${t.dims.join(', ')}]`).join(', ')}:`,
    ...Object.entries(r.outputs).map(([n, t]) => `  ${n}: ${t.type} [${t.dims.join(', ')}]`),
  ];
}

/** Progress on a terminal: one redrawn line per step. */
function progressLine(io: CliIo, interactive: boolean) {
  let step = '';
  let index = 0;
  let total = 1;
  let last = 0;
  return {
    start(i: number, name: string, n: number) {
      step = name;
      index = i;
      total = n;
      if (interactive) io.err(`\r\x1b[K[${index + 1}/${total}] ${step}…`);
    },
    progress(fraction: number, message?: string) {
      const now = Date.now();
      if (!interactive || now - last < 100) return;
      last = now;
      io.err(`\r\x1b[K[${index + 1}/${total}] ${step} ${Math.round(fraction * 100)}%${message ? ` ${message}` : ''}`);
    },
    message(text: string) {
      if (interactive) io.err(`\r\x1b[K${text}`);
    },
    done() {
      if (interactive) io.err('\r\x1b[K');
    },
  };
}

export async function rewriteCommand(command: string, args: string[], io: CliIo, cli: CliEnv, usage: string, readBytes: (path: string) => Promise<Uint8Array>): Promise<number> {
  const a = parseRewriteArgs(command, args, usage);
  const output = a.own.get('output');
  if (a.positional.length !== 1 || output === undefined || (command === 'recipe') !== a.own.has('recipe')) {
    io.err(usage);
    return 2;
  }
  const input = a.positional[0];
  const seedText = a.own.get('validateSeed');
  if (seedText !== undefined && !/^\d+$/.test(seedText)) throw new OmnihubError('usage', `--validate-seed takes a whole number, got '${seedText}'`);
  const thresholdText = a.own.get('threshold');
  if (thresholdText !== undefined && !/^\d+$/.test(thresholdText)) throw new OmnihubError('usage', `--external-data-threshold takes a number of bytes, got '${thresholdText}'`);

  // The recipe is checked before the model is read: a typo fails at once, whatever the model's size.
  let recipe: Recipe;
  if (command === 'recipe') {
    const file = a.own.get('recipe')!;
    recipe = parseRecipe(new TextDecoder().decode(await readBytes(file)));
  } else {
    const { step } = stepOfCommand(command, args)!;
    recipe = parseRecipe({ steps: [{ step, options: checkStepOptions(REWRITE_STEPS[step], a.options) }] });
  }
  const needsRuntime = recipe.steps.some((s) => REWRITE_STEPS[s.step].needsRuntime);
  const changesOutputs = recipe.steps.some((s) => CHANGES_OUTPUTS.has(s.step));
  const classes = recipe.steps.filter((s) => s.step === 'customize').map((s) => s.options?.classes as number).pop();

  const progress = progressLine(io, cli.interactive ?? false);
  progress.message(`reading ${basename(input)}…`);
  const inputBytes = await readBytes(input);
  const opened = await openModel(inputBytes, folderReader(dirname(input)));
  // onnxruntime is loaded only when a step or the check needs it. Folding computes what the nodes compute, so no
  // graph optimizations there; the comparison runs both models as `omnihub compare` does.
  const ort = needsRuntime || a.validate ? await import('../validate/ort-runtime.js') : undefined;
  const samples = await calibrationSamples(a.own.get('calibration'), summarizeModel(opened.model), readBytes);
  const run = await runRecipe(opened.model, recipe, {
    runtime: needsRuntime ? ort!.ortRuntime({ graphOptimizationLevel: 'disabled' }) : undefined,
    samples,
    onStepStart: (i, name) => progress.start(i, name, recipe.steps.length),
    onProgress: (p) => progress.progress(p.fraction, p.message),
  });
  const saved = saveModel(run.model, thresholdText === undefined ? { modelFileName: basename(output) } : { externalDataThreshold: Number(thresholdText), modelFileName: basename(output) });

  let comparison: CompareResult | undefined;
  let runCheck: RunCheck | undefined;
  if (a.validate) {
    progress.message('validating in onnxruntime…');
    // The bytes onnxruntime checks are the bytes written (or, with a side file, the same model with data inline).
    const outBytes = saved.externalData ? encodeModel(run.model) : concatBytes(saved.modelChunks);
    const inBytes = opened.externalTensors > 0 ? encodeModel(opened.model) : inputBytes;
    const summaryA = summarizeModel(opened.model);
    const summaryB = summarizeModel(run.model);
    const npz = a.own.get('inputs');
    const seed = seedText === undefined ? 0 : Number(seedText);
    const runtime = ort!.ortRuntime();
    if (changesOutputs) {
      const feeds = npz === undefined ? validationInputs(summaryA, summaryB, seed, classes) : inputsFromNpz(summaryB, readNpz(await readBytes(npz)));
      runCheck = await runOnly(outBytes, feeds, labelledRuntime(runtime, [`the result (${basename(output)})`]));
    } else {
      const feeds = npz === undefined ? validationInputs(summaryA, summaryB, seed) : inputsFromNpz(summaryA, readNpz(await readBytes(npz)));
      const { compareModels } = await import('../validate/compare.js');
      comparison = await compareModels(inBytes, outBytes, { runtime: labelledRuntime(runtime, [`the input (${basename(input)})`, `the result (${basename(output)})`]), inputs: feeds });
    }
  }
  progress.done();

  // Side file first: a model file never points at data that is not there yet.
  if (saved.externalData) await writeFileAtomic(`${dirname(output)}/${saved.externalData.location}`, saved.externalData.chunks, { sync: false });
  await writeFileAtomic(output, saved.modelChunks, { sync: false });
  const side = saved.externalData ? ` + ${saved.externalData.location} (${saved.externalData.byteLength} bytes, ${saved.externalData.tensors} tensors)` : '';
  const wrote = `wrote ${output} (${saved.modelByteLength} bytes)${side}`;

  if (a.json) {
    io.out(toJsonText({
      reports: run.reports,
      comparison: comparison ? comparisonForJson(comparison) : null,
      ...(runCheck ? { run: runCheck } : {}),
      recipe: run.recipe,
      output: { path: output, bytes: saved.modelByteLength, ...(saved.externalData ? { externalData: { location: saved.externalData.location, bytes: saved.externalData.byteLength } } : {}) },
    }));
    return 0;
  }
  for (const r of run.reports) printReport(io, r);
  if (comparison) formatComparison(input, output, comparison).forEach((l) => io.out(l));
  if (runCheck) formatRunCheck(output, runCheck).forEach((l) => io.out(l));
  io.out(wrote);
  return 0;
}

function printReport(io: CliIo, r: RewriteReport): void {
  io.out(summarizeReport(r));
  for (const n of r.notes) io.out(`  ${n}`);
}

/** For tests and tools: the recipe a step command with these flags would run (checked). */
export function recipeFromArgs(command: string, args: string[]): Recipe {
  const a = parseRewriteArgs(command, args, REWRITE_USAGE);
  const { step } = stepOfCommand(command, args)!;
  return parseRecipe({ steps: [{ step, options: checkStepOptions(REWRITE_STEPS[step], a.options) }] });
}

/**
 * `--calibration`: 'random' (or absent: the step makes seeded random samples itself and says so), a .npz whose
 * arrays are the model's inputs (one sample), or 'mnist[:N]' — N real digits (default 100), preprocessed as
 * src/core/datasets/mnist.ts states, for a model with one [N, 1, 28, 28] input.
 */
async function calibrationSamples(choice: string | undefined, summary: ModelSummary, readBytes: (path: string) => Promise<Uint8Array>): Promise<Array<Record<string, RuntimeTensor>> | undefined> {
  if (choice === undefined || choice === 'random') return undefined;
  const mnist = /^mnist(?::(\d+))?$/.exec(choice);
  if (mnist) {
    const [input] = summary.inputs;
    const fits = summary.inputs.length === 1 && input.dtype === 'float32' && input.shape?.length === 4 && input.shape.slice(1).every((d, k) => d === [1, 28, 28][k] || typeof d !== 'number');
    if (!fits) throw new OmnihubError('usage', `--calibration mnist needs a model with one float32 [N, 1, 28, 28] input; this one takes ${summary.inputs.map((i) => `'${i.name}' ${i.dtype} [${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`).join(', ')}`);
    const { mnistSamples } = await import('../datasets/mnist.js');
    return mnistSamples(input.name, mnist[1] === undefined ? 100 : Math.max(1, Number(mnist[1])));
  }
  if (/\.npz$/i.test(choice)) return [inputsFromNpz(summary, readNpz(await readBytes(choice)))];
  throw new OmnihubError('usage', `--calibration takes random, mnist[:N] or a .npz file, got '${choice}'`);
}
