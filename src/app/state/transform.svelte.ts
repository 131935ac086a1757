/**
 * A recipe run as the Transform page shows it: which library model it starts from, a progress line per stage
 * (reading, each step, the comparison), then the reports, the comparison and the result, which can be saved into
 * the library (with its lineage) or downloaded. The result's bytes stay in a Blob made by the worker; the page never
 * reads them. Everything large is `$state.raw` (replaced whole, never proxied).
 */
import {
  transformWorker,
  type ModelInputs,
  type Recipe,
  type RewriteReport,
  type TransformEvent,
  type TransformRequest,
  type TransformResult,
  type VariantsEvent,
  type VariantsResult,
} from '../transform-bridge.js';
import { libraryWorker, type LibraryEntry } from '../library-bridge.js';
import { library } from './library.svelte.js';
import { WorkerCallError } from '../worker-handle.js';

export interface TransformSource {
  entryId: string;
  /** The ONNX file of the entry. */
  path: string;
}

export type StageState = 'waiting' | 'running' | 'done' | 'failed' | 'stopped';

/** One progress line: reading the model, one per recipe step, comparing. */
export interface Stage {
  key: string;
  label: string;
  state: StageState;
  /** 0..1, or null when the stage does not say how far it is. */
  fraction: number | null;
  message?: string;
  report?: RewriteReport;
}

export type RunPhase = 'idle' | 'running' | 'done' | 'failed';

/** What the original and the result are compared on: seeded random inputs, or the arrays of an .npz file. */
export type CompareOn = 'random' | 'npz';

/** What steps that take samples (static quantization, float16's check) are given. */
export type CalibrateOn = 'random' | 'npz' | 'mnist' | 'images';

/** The steps that take `samples`: quantize-int8-static calibrates on them, float16 checks its result on them. */
export const SAMPLE_STEPS: readonly string[] = ['quantize-int8-static', 'float16'];

/** MNIST digits the pack holds (100 of each label): the most a calibration can take, and the accuracy set. */
export const MNIST_DIGITS = 1000;

/** The number of MNIST digits as typed, when it is a whole number from 1 to MNIST_DIGITS. */
export function parseDigitCount(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= MNIST_DIGITS ? n : null;
}

/** The seed as typed, when it is a whole number a 32-bit PRNG takes (the CLI's `--validate-seed` takes whole numbers too). */
export function parseSeed(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= 0xffffffff ? n : null;
}

/** The quantization variants the page offers to try after the recipe, each one step with its default options. */
export const VARIANTS: ReadonlyArray<{ step: string; name: string }> = [
  { step: 'quantize-int8-dynamic', name: 'int8 dynamic' },
  { step: 'quantize-int8-static', name: 'int8 static' },
  { step: 'quantize-int4', name: 'int4' },
  { step: 'float16', name: 'float16' },
];

/** The file a saved result is stored as, in an entry of its own. */
export const RESULT_FILE = 'model.onnx';

function failureOf(e: unknown): { code: string; message: string } {
  return { code: e instanceof WorkerCallError ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) };
}

/**
 * The stages after a run failed or was stopped: the stage that was running gets the outcome. Between two stages
 * (one done, the next's start event not yet here) none is running: the next one to run gets it, so a stop always
 * shows where it happened.
 */
function endedStages(stages: Stage[], outcome: 'stopped' | 'failed'): Stage[] {
  const at = stages.findIndex((s) => s.state === 'running');
  const target = at >= 0 ? at : stages.findIndex((s) => s.state === 'waiting');
  return stages.map((s, i) => (i === target ? { ...s, state: outcome } : s));
}

class TransformState {
  source = $state.raw<TransformSource | null>(null);
  phase = $state<RunPhase>('idle');
  stages = $state.raw<Stage[]>([]);
  /** The last run's outcome; kept until the next run or a change of model. */
  result = $state.raw<TransformResult | null>(null);
  /** A sentence about the last run's failure (the core's message), and its code. */
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);
  stopping = $state(false);

  /** The inputs the next run compares on; they stay when another model is chosen. */
  compareOn = $state<CompareOn>('random');
  seedText = $state('0');
  /** The .npz picked for the comparison; a File crosses to the worker by reference (it is read and parsed there). */
  npzFile = $state.raw<File | null>(null);

  /** The samples the next run gives to steps that take them; random (the steps' own seeded ones) by default. */
  calibrateOn = $state<CalibrateOn>('random');
  mnistCountText = $state('100');
  /** Images picked or dropped to calibrate on (one sample each); Files cross to the worker by reference, decoded there. */
  imageFiles = $state.raw<File[]>([]);
  /** Accuracy on the MNIST digits as the user set it; null follows the calibration (on when it is MNIST). */
  accuracyChoice = $state<boolean | null>(null);
  /** The chosen model's inputs (read by the worker), for whether MNIST digits fit it; null while unknown. */
  inputs = $state.raw<ModelInputs | null>(null);
  inputsError = $state<string | null>(null);

  /** Whether Run tries quantization variants after the recipe's steps (the prefix), and which (steps of VARIANTS). */
  variantsOn = $state(false);
  variantSteps = $state<string[]>(['quantize-int8-dynamic', 'quantize-int8-static', 'float16']);
  /** The last variants run's outcome (when the last run tried variants; `result` is then null). */
  variantsResult = $state.raw<VariantsResult | null>(null);
  /** Saving a variant: its index while it saves, the entries saved by index, and a failure by index. */
  savingVariant = $state<number | null>(null);
  savedVariants = $state.raw<Record<number, LibraryEntry>>({});
  variantSaveErrors = $state.raw<Record<number, { code: string; message: string }>>({});

  saving = $state(false);
  /** The entry the result was saved as. */
  saved = $state.raw<LibraryEntry | null>(null);
  saveError = $state<string | null>(null);
  saveErrorCode = $state<string | null>(null);

  get running(): boolean {
    return this.phase === 'running';
  }

  /** Why the comparison's inputs are not ready for a run, or null when they are. */
  get compareInputsProblem(): string | null {
    if (this.compareOn === 'npz') return this.npzFile ? null : 'Choose an .npz file to compare on, or compare on random inputs.';
    return parseSeed(this.seedText) === null ? 'The seed must be a whole number from 0 to 4294967295.' : null;
  }

  /** Why MNIST digits cannot be used with the chosen model, or null when they can. */
  get mnistProblem(): string | null {
    if (!this.source) return 'Choose a model first.';
    if (this.inputsError) return `The model's inputs could not be read: ${this.inputsError}`;
    if (!this.inputs) return 'Reading the model’s inputs…';
    return this.inputs.mnistProblem;
  }

  /** Why images cannot be given to the chosen model, or null when they can. */
  get imagesProblem(): string | null {
    if (!this.source) return 'Choose a model first.';
    if (this.inputsError) return `The model's inputs could not be read: ${this.inputsError}`;
    if (!this.inputs) return 'Reading the model’s inputs…';
    return this.inputs.imagesProblem;
  }

  /** Whether the next run measures accuracy on the MNIST digits (only for a model that takes them). */
  get accuracy(): boolean {
    return this.mnistProblem === null && (this.accuracyChoice ?? this.calibrateOn === 'mnist');
  }

  set accuracy(on: boolean) {
    this.accuracyChoice = on;
  }

  /** Why the calibration samples are not ready for a run of a recipe with a step that takes them, or null. */
  get calibrationProblem(): string | null {
    if (this.calibrateOn === 'npz') return this.npzFile ? null : 'Choose an .npz file (under “Compare on”) to calibrate on, or calibrate on random samples.';
    if (this.calibrateOn === 'mnist') {
      if (this.mnistProblem) return this.mnistProblem;
      if (parseDigitCount(this.mnistCountText) === null) return `The number of MNIST digits must be a whole number from 1 to ${MNIST_DIGITS}.`;
    }
    if (this.calibrateOn === 'images') {
      if (this.imagesProblem) return this.imagesProblem;
      if (!this.imageFiles.length) return 'Choose or drop images to calibrate on, or calibrate on random samples.';
    }
    return null;
  }

  /** The calibration a run sends to the worker (undefined: the steps make seeded random samples). */
  #calibration(takesSamples: boolean): TransformRequest['calibration'] {
    if (!takesSamples || this.calibrateOn === 'random') return undefined;
    if (this.calibrateOn === 'npz') return this.npzFile ? { kind: 'npz', name: this.npzFile.name, data: this.npzFile } : undefined;
    if (this.calibrateOn === 'images') return { kind: 'images', files: this.imageFiles.map((f) => ({ name: f.name, data: f })) };
    return { kind: 'mnist', count: parseDigitCount(this.mnistCountText) ?? 100 };
  }

  /** Chooses the model to start from; a result of another model is dropped. */
  choose(source: TransformSource | null): void {
    if (this.running) return;
    if (source?.entryId === this.source?.entryId && source?.path === this.source?.path) return;
    this.source = source;
    this.inputs = null;
    this.inputsError = null;
    this.#reset();
    if (source) void this.#readInputs(source);
  }

  async #readInputs(source: TransformSource): Promise<void> {
    // A worker ended under the read (a Cancel that terminates it) fails it with 'internal': read again, once.
    for (let attempt = 1; ; attempt++) {
      try {
        const inputs = await transformWorker.modelInputs(source.entryId, source.path);
        if (this.source === source) this.inputs = inputs;
        return;
      } catch (e) {
        const failure = failureOf(e);
        if (failure.code === 'internal' && attempt < 2) continue;
        if (this.source === source) this.inputsError = failure.message;
        return;
      }
    }
  }

  /** What every run sends besides its steps: the comparison inputs, the calibration samples, whether to measure accuracy. */
  #settings(takesSamples: boolean) {
    const npz = this.compareOn === 'npz' && this.npzFile ? { name: this.npzFile.name, data: this.npzFile } : undefined;
    const calibration = this.#calibration(takesSamples);
    return { ...(npz ? { npz } : { seed: parseSeed(this.seedText) ?? 0 }), ...(calibration && { calibration }), ...(this.accuracy && { accuracy: true }) };
  }

  /** A run that failed or was stopped: its sentence, and the stage where it happened. */
  #failed(e: unknown): void {
    const failure = failureOf(e);
    this.error = failure.message;
    this.errorCode = failure.code;
    this.stages = endedStages(this.stages, failure.code === 'aborted' ? 'stopped' : 'failed');
    this.phase = 'failed';
  }

  async run(recipe: Recipe): Promise<void> {
    const source = this.source;
    const takesSamples = recipe.steps.some((s) => SAMPLE_STEPS.includes(s.step));
    if (!source || this.running || this.compareInputsProblem || (takesSamples && this.calibrationProblem)) return;
    const settings = this.#settings(takesSamples);
    const accuracy = this.accuracy;
    this.#reset();
    this.phase = 'running';
    this.stages = [
      { key: 'read', label: 'Read the model from the library', state: 'running', fraction: null },
      ...recipe.steps.map((s, i): Stage => ({ key: `step-${i}`, label: s.step, state: 'waiting', fraction: 0 })),
      {
        key: 'compare',
        label: `Compare with the original in onnxruntime${accuracy ? `, and their accuracy on ${MNIST_DIGITS.toLocaleString('en')} MNIST digits` : ''}`,
        state: 'waiting',
        fraction: null,
      },
    ];
    try {
      const result = await transformWorker.run({ ...source, recipe: $state.snapshot(recipe) as Recipe, ...settings }, (e) => this.#event(e));
      this.#update('compare', result.comparisonError ? { state: 'failed', message: result.comparisonError.message } : { state: 'done', fraction: 1 });
      this.result = result;
      this.phase = 'done';
    } catch (e) {
      this.#failed(e);
    } finally {
      this.stopping = false;
    }
  }

  /** The variants ticked, in VARIANTS' order. */
  get chosenVariants(): Array<{ step: string; name: string }> {
    return VARIANTS.filter((v) => this.variantSteps.includes(v.step));
  }

  /**
   * Runs `prefix` (may have no steps) once, then each chosen variant on its result, comparing each with the original
   * on the same inputs (and their accuracy, when on); the worker ranks them.
   */
  async runVariants(prefix: Recipe): Promise<void> {
    const source = this.source;
    const variants = this.chosenVariants;
    const takesSamples = [...prefix.steps.map((s) => s.step), ...variants.map((v) => v.step)].some((s) => SAMPLE_STEPS.includes(s));
    if (!source || this.running || !variants.length || this.compareInputsProblem || (takesSamples && this.calibrationProblem)) return;
    const settings = this.#settings(takesSamples);
    const accuracy = this.accuracy;
    this.#reset();
    this.phase = 'running';
    this.stages = [
      { key: 'read', label: 'Read the model from the library', state: 'running', fraction: null },
      ...prefix.steps.map((s, i): Stage => ({ key: `step-${i}`, label: s.step, state: 'waiting', fraction: 0 })),
      ...variants.map(
        (v, i): Stage => ({
          key: `variant-${i}`,
          label: `Variant ${v.name} (${v.step}), compared with the original${accuracy ? ', with its accuracy' : ''}`,
          state: 'waiting',
          fraction: 0,
        }),
      ),
    ];
    try {
      const result = await transformWorker.runVariants(
        {
          ...source,
          prefix: $state.snapshot(prefix) as Recipe,
          variants: variants.map((v) => ({ name: v.name, step: { step: v.step } })),
          ...settings,
        },
        (e) => this.#event(e),
      );
      this.variantsResult = result;
      this.phase = 'done';
    } catch (e) {
      this.#failed(e);
    } finally {
      this.stopping = false;
    }
  }

  /** Stores variant `index` as a new entry `onnx/<name>`, its lineage the prefix's steps then the variant's. */
  async saveVariant(index: number, name: string): Promise<LibraryEntry | null> {
    const result = this.variantsResult;
    const variant = result?.variants[index];
    if (!result || !variant?.model || this.savingVariant !== null || this.savedVariants[index]) return null;
    this.savingVariant = index;
    const { [index]: _dropped, ...errors } = this.variantSaveErrors;
    this.variantSaveErrors = errors;
    try {
      const entry = await libraryWorker.createEntry(
        { framework: 'onnx', name, source: { kind: 'local' }, lineage: { from: result.entryId, steps: $state.snapshot(variant.recipe.steps) } },
        [{ path: RESULT_FILE, blob: variant.model }],
      );
      if (this.variantsResult === result) this.savedVariants = { ...this.savedVariants, [index]: entry };
      return entry;
    } catch (e) {
      if (this.variantsResult === result) this.variantSaveErrors = { ...this.variantSaveErrors, [index]: failureOf(e) };
      return null;
    } finally {
      this.savingVariant = null;
      await library.refresh();
    }
  }

  stop(): void {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    transformWorker.stop();
  }

  /** Stores the result as a new entry `onnx/<name>` with its lineage; the error (a taken name, say) is kept to show. */
  async save(name: string): Promise<LibraryEntry | null> {
    const result = this.result;
    if (!result || this.saving) return null;
    this.saving = true;
    this.saveError = null;
    this.saveErrorCode = null;
    try {
      const entry = await libraryWorker.createEntry(
        { framework: 'onnx', name, source: { kind: 'local' }, lineage: { from: result.entryId, steps: $state.snapshot(result.recipe.steps) } },
        [{ path: RESULT_FILE, blob: result.model }],
      );
      if (this.result === result) this.saved = entry;
      return entry;
    } catch (e) {
      const failure = failureOf(e);
      this.saveError = failure.message;
      this.saveErrorCode = failure.code;
      return null;
    } finally {
      this.saving = false;
      await library.refresh();
    }
  }

  #event(e: TransformEvent | VariantsEvent): void {
    if (!this.running) return;
    switch (e.kind) {
      case 'read':
        this.#update('read', { state: 'done', fraction: 1 });
        break;
      case 'step-start':
        this.#update(`step-${e.index}`, { state: 'running', fraction: null });
        break;
      case 'step-progress':
        this.#update(`step-${e.index}`, { fraction: e.fraction, ...(e.message && { message: e.message }) });
        break;
      case 'step-done':
        this.#update(`step-${e.index}`, { state: 'done', fraction: 1, report: e.report, message: undefined });
        break;
      case 'compare-start':
        this.#update('compare', { state: 'running', fraction: null });
        break;
      case 'variant-start':
        this.#update(`variant-${e.index}`, { state: 'running', fraction: null, message: 'making the variant' });
        break;
      case 'variant-progress':
        this.#update(`variant-${e.index}`, { fraction: e.fraction, ...(e.message && { message: e.message }) });
        break;
      case 'variant-compare':
        this.#update(`variant-${e.index}`, { fraction: null, message: 'comparing with the original in onnxruntime' });
        break;
      case 'variant-done':
        this.#update(`variant-${e.index}`, e.error ? { state: 'failed', message: e.error } : { state: 'done', fraction: 1, message: undefined });
        break;
    }
  }

  #update(key: string, change: Partial<Stage>): void {
    this.stages = this.stages.map((s) => (s.key === key ? { ...s, ...change } : s));
  }

  #reset(): void {
    this.phase = 'idle';
    this.stages = [];
    this.result = null;
    this.variantsResult = null;
    this.savedVariants = {};
    this.variantSaveErrors = {};
    this.error = null;
    this.errorCode = null;
    this.saved = null;
    this.saveError = null;
    this.saveErrorCode = null;
  }
}

/** The Transform page's run: kept outside the page, so a run goes on (and its result stays) while another page is shown. */
export const transform = new TransformState();
