/**
 * The transform worker: runs a recipe of rewrites on a model of the library and compares the result with the
 * original in onnxruntime (wasm, or WebGPU for the comparison where the browser has it), so neither the rewrites nor onnxruntime ever run on the page's main thread. It
 * only wires core functions (runRecipe, compareModels, the library) to the browser and exposes them through
 * Comlink; the UI reaches it through src/app/transform-bridge.ts.
 *
 * A worker of its own (not the model worker): onnxruntime's wasm heap lives here and nowhere else, and a run that
 * does not stop when asked can be ended by terminating this worker without closing the models the Inspect page
 * has open in the model worker.
 *
 * The model is read from IndexedDB here (no bytes pass through the page); the result goes back as a Blob made in
 * this worker, which crosses to the page by reference (no structured clone of the bytes, no copy on the page).
 */
import * as Comlink from 'comlink';
import { decodeModel, encodeModel } from '../src/core/onnx/codec.js';
import { baseName, openModel } from '../src/core/onnx/model-file.js';
import { summarizeModel, type ModelSummary } from '../src/core/onnx/summary.js';
import { OmnihubError } from '../src/core/errors.js';
import { readLibraryModel } from './library-files.js';
import { parseRecipe, runRecipe, type Recipe, type RecipeContext, type RecipeStep } from '../src/core/rewrites/recipe.js';
import { REWRITE_STEPS } from '../src/core/rewrites/registry.js';
import type { OptionSpec, RewriteReport } from '../src/core/rewrites/types.js';
import type { CompareResult } from '../src/core/validate/compare.js';
import { inputsFromNpz } from '../src/core/validate/inputs.js';
import { readNpz } from '../src/core/formats/numpy/npz.js';
import type { RuntimeTensor } from '../src/core/onnx/runtime-tensor.js';
import type { ValueSummary } from '../src/core/onnx/summary.js';
import { decodeMnistPack, MNIST_PACK_FILE, mnistInputProblem, mnistPackSamples, type MnistDigits } from '../src/core/datasets/mnist-pack.js';
import { imageInputProblem, imageSample, preprocessingFor } from '../src/core/datasets/image-samples.js';
import { guarded, toFailure, type WorkerFailure } from './failure.js';
import { rankVariants, type VariantRanking } from '../src/core/validate/variants.js';

export type { CompareResult, OptionSpec, Recipe, RecipeStep, RewriteReport, VariantRanking, WorkerFailure };

/** One step a recipe can name, as the recipe builder shows it. */
export interface StepInfo {
  name: string;
  description: string;
  options: Record<string, OptionSpec>;
  needsRuntime: boolean;
}

/** The outcome of checking a recipe: the recipe as the core normalizes it, or the core's 'bad-recipe' failure. */
export type RecipeCheck = { ok: true; recipe: Recipe } | { ok: false; error: WorkerFailure };

export interface TransformRequest {
  /** Library entry `<framework>/<name>` and the path of its ONNX file. */
  entryId: string;
  path: string;
  /** The recipe (checked again here before anything runs). */
  recipe: Recipe;
  /** Seed of the random inputs both models are run on (default 0); not used when `npz` is given. */
  seed?: number;
  /**
   * An .npz whose arrays are the inputs both models are run on, matched to the original's inputs by name (extra
   * arrays, such as stored outputs, are ignored). A File or Blob crosses to the worker by reference; it is read and
   * parsed here.
   */
  npz?: { name: string; data: Blob };
  /**
   * The samples given to steps that take them (quantize-int8-static calibrates on them, float16 checks on them):
   * absent or 'random', none (each such step makes seeded random ones and says so); the arrays of an .npz (one
   * sample); or the first `count` MNIST digits (the same number of each label), for a model with one [N, 1, 28, 28]
   * input. The MNIST pack is fetched (from the app's precache) only when asked for. Or images (Files, which cross
   * to the worker by reference), one sample each, decoded here and preprocessed as the core's `preprocessingFor`
   * states for the model's one image input.
   */
  calibration?: { kind: 'random' } | { kind: 'npz'; name: string; data: Blob } | { kind: 'mnist'; count: number } | { kind: 'images'; files: Array<{ name: string; data: Blob }> };
  /** Also run the original and the result on the pack's 1,000 MNIST digits (batched) and measure top-1 accuracy. */
  accuracy?: boolean;
}

/** A model's inputs as the Transform page needs them: whether MNIST digits fit it, and why not. */
export interface ModelInputs {
  inputs: ValueSummary[];
  /** Why the model cannot take MNIST digits, or null when it can. */
  mnistProblem: string | null;
  /** Why the model cannot take images, or null when it can. */
  imagesProblem: string | null;
  /** How images are preprocessed for it, in words (null when it takes none). */
  imagePreprocessing: string | null;
}

/** What the steps that take samples were given. */
export type CalibrationSource =
  | { kind: 'random' }
  | { kind: 'npz'; name: string }
  | { kind: 'mnist'; count: number }
  /** `count` images, preprocessed as `preprocessing` says. */
  | { kind: 'images'; count: number; names: string[]; preprocessing: string };

/** Top-1 accuracy of the original (before) and the result (after) on `count` labelled digits. */
export interface AccuracyComparison {
  dataset: 'mnist';
  count: number;
  before: number;
  after: number;
  correct: { before: number; after: number };
}

/** Which inputs a comparison ran (or was to run) on. */
export type ComparisonInputs = { kind: 'random'; seed: number } | { kind: 'npz'; name: string };

/** Progress of a run, in the order it happens. */
export type TransformEvent =
  | { kind: 'read'; entryId: string; path: string; bytes: number }
  | { kind: 'step-start'; index: number; step: string }
  | { kind: 'step-progress'; index: number; fraction: number; message?: string }
  | { kind: 'step-done'; index: number; report: RewriteReport }
  | { kind: 'compare-start' };

/** What a model looks like before and after: the summary fields the page shows. */
export type ModelFacts = Pick<ModelSummary, 'nodes' | 'nodesTotal' | 'initializers' | 'parameters' | 'weightBytes'>;

export interface TransformResult {
  entryId: string;
  path: string;
  recipe: Recipe;
  /** One per step, in order. */
  reports: RewriteReport[];
  /**
   * The original (a) and the result (b) on the same inputs (seeded random, or from an .npz), in onnxruntime with its default
   * optimizations (on `comparisonBackend`); null when they could not be compared (see `comparisonError`).
   */
  comparison: CompareResult | null;
  /**
   * Why the comparison failed: onnxruntime cannot load or run one of the models ('runtime'), the result needs an
   * input the original does not have (a training head's labels: 'usage'), … The rewrite itself succeeded.
   */
  comparisonError: WorkerFailure | null;
  /** The onnxruntime-web backend the comparison ran on: WebGPU when the browser has it, else wasm. */
  comparisonBackend: 'webgpu' | 'wasm';
  /** What the comparison ran on: seeded random inputs, or the arrays of an .npz (a bad one is a `comparisonError`). */
  comparisonInputs: ComparisonInputs;
  /** The samples the steps that take them were given. */
  calibration: CalibrationSource;
  /** Top-1 accuracy before and after on MNIST digits, when asked for and measured (see `accuracyError`). */
  accuracy: AccuracyComparison | null;
  /** Why the accuracy asked for could not be measured; the rewrite itself succeeded. */
  accuracyError: WorkerFailure | null;
  before: ModelFacts;
  after: ModelFacts;
  /** File sizes of the original (weights inline) and the result. */
  bytes: { before: number; after: number };
  /** The result as one .onnx file (weights inline). */
  model: Blob;
}

/**
 * Trying several quantization variants of one model: the recipe's steps (the common prefix: freeze → simplify, say)
 * run once, then each variant's step runs on the prefix's result and is compared with the original on the same
 * inputs (and for accuracy, when asked). Inputs, calibration samples and accuracy are as for `TransformRequest`.
 */
export interface VariantsRequest extends Omit<TransformRequest, 'recipe'> {
  /** The common prefix; may have no steps (the variants then run on the original). */
  prefix: Recipe;
  /** The variants to try, each one step (a quantization with its options), in the order shown. */
  variants: Array<{ name: string; step: RecipeStep }>;
}

/** Progress of a variants run: the prefix's steps as `TransformEvent`s, then per variant. */
export type VariantsEvent =
  | TransformEvent
  | { kind: 'variant-start'; index: number; name: string }
  | { kind: 'variant-progress'; index: number; fraction: number; message?: string }
  | { kind: 'variant-compare'; index: number }
  | { kind: 'variant-done'; index: number; error?: string };

/** One variant as made and measured. */
export interface VariantOutcome {
  name: string;
  /** The whole recipe that makes it from the original: the prefix's steps, then the variant's step (its lineage). */
  recipe: Recipe;
  /** The variant step's report; null when the step failed (see `error`). */
  report: RewriteReport | null;
  /** Why the variant's step failed; the other variants still ran. */
  error: WorkerFailure | null;
  comparison: CompareResult | null;
  comparisonError: WorkerFailure | null;
  accuracy: AccuracyComparison | null;
  accuracyError: WorkerFailure | null;
  /** File size of the variant (0 when it failed). */
  bytes: number;
  /** The variant as one .onnx file; null when it failed. */
  model: Blob | null;
}

export interface VariantsResult {
  entryId: string;
  path: string;
  /** The prefix as checked, and its steps' reports. */
  prefix: Recipe;
  prefixReports: RewriteReport[];
  comparisonBackend: 'webgpu' | 'wasm';
  comparisonInputs: ComparisonInputs;
  calibration: CalibrationSource;
  /** The original's file size. */
  bytes: number;
  variants: VariantOutcome[];
  /** The flags of each variant and the best trade-off (core `rankVariants`), in the variants' order. */
  ranking: VariantRanking;
}

/** Progress events are throttled (each one is a postMessage and a UI update); starts and ends always go. */
const PROGRESS_INTERVAL_MS = 50;

/** The run in progress, to stop on request. */
let running: AbortController | null = null;

/** WebGPU when this browser offers an adapter (headless and GPU-less machines do not): the comparison runs there. */
async function comparisonBackend(): Promise<'webgpu' | 'wasm'> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  try {
    return gpu && (await gpu.requestAdapter()) ? 'webgpu' : 'wasm';
  } catch {
    return 'wasm';
  }
}

/** The MNIST pack, fetched once (from the service worker's precache when the app is installed) and decoded. */
let mnistDigits: Promise<MnistDigits> | null = null;

function loadMnistDigits(): Promise<MnistDigits> {
  mnistDigits ??= (async () => {
    const url = new URL(`${import.meta.env.BASE_URL}${MNIST_PACK_FILE}`, self.location.href);
    let response: Response;
    try {
      response = await fetch(url);
    } catch (e) {
      throw new OmnihubError('network', `The MNIST digits (${MNIST_PACK_FILE}) could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!response.ok) throw new OmnihubError('http', `The MNIST digits (${MNIST_PACK_FILE}) could not be loaded: HTTP ${response.status}`);
    return decodeMnistPack(new Uint8Array(await response.arrayBuffer()));
  })();
  // A failed load is tried again next time.
  mnistDigits.catch(() => (mnistDigits = null));
  return mnistDigits;
}

/**
 * The RGBA pixels of an image file, decoded by the browser (PNG, JPEG, WebP, GIF's first frame, BMP, …) without
 * colour-space conversion, as PIL reads pixels; a file that is not a decodable image is a 'wrong-format' error naming it.
 */
async function decodeImage(name: string, data: Blob): Promise<{ rgba: Uint8ClampedArray; width: number; height: number }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(data, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new OmnihubError('wrong-format', `${name} is not an image this browser can decode (${e instanceof Error ? e.message : String(e)}); calibrate on PNG, JPEG, WebP, GIF or BMP files.`);
  }
  try {
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d');
    if (!context) throw new OmnihubError('unsupported', 'This browser has no 2D OffscreenCanvas in workers, which decoding images needs.');
    context.drawImage(bitmap, 0, 0);
    return { rgba: context.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

/** The samples `request.calibration` asks for (undefined: the steps make seeded random ones). */
async function calibrationSamples(request: Pick<TransformRequest, 'calibration'>, summary: ModelSummary): Promise<Array<Record<string, RuntimeTensor>> | undefined> {
  const c = request.calibration;
  if (!c || c.kind === 'random') return undefined;
  if (c.kind === 'npz') return [inputsFromNpz(summary, readNpz(new Uint8Array(await c.data.arrayBuffer())))];
  if (c.kind === 'images') {
    const pre = preprocessingFor(summary.inputs);
    if (!c.files.length) throw new OmnihubError('usage', 'Choose or drop at least one image to calibrate on.');
    const samples: Array<Record<string, RuntimeTensor>> = [];
    for (const f of c.files) {
      const { rgba, width, height } = await decodeImage(f.name, f.data);
      samples.push(imageSample(rgba, width, height, pre));
    }
    return samples;
  }
  const problem = mnistInputProblem(summary.inputs);
  if (problem) throw new OmnihubError('usage', problem);
  return mnistPackSamples(await loadMnistDigits(), summary.inputs[0].name, c.count);
}

function facts(s: ModelSummary): ModelFacts {
  return { nodes: s.nodes, nodesTotal: s.nodesTotal, initializers: s.initializers, parameters: s.parameters, weightBytes: s.weightBytes };
}

/**
 * Calls a Comlink proxy without waiting for it (each call is a message), ignoring a page that has gone. The events
 * travel on the proxy's own MessageChannel, which is not ordered with the call's answer: `delivered()` resolves once
 * the page has handled every event sent, so the answer is sent after them, never before the last step's events.
 */
function sender(remote?: (e: TransformEvent) => void): { send: (e: TransformEvent) => void; delivered: () => Promise<unknown> } {
  let last: Promise<unknown> = Promise.resolve();
  return {
    send: (e) => {
      if (!remote) return;
      try {
        last = Promise.resolve(remote(e)).catch(() => {});
      } catch {
        // The page closed the channel.
      }
    },
    delivered: () => last,
  };
}

/** runRecipe's step callbacks as events: starts and ends always, progress at most every PROGRESS_INTERVAL_MS. */
function stepEvents(emit: (e: TransformEvent) => void): Pick<RecipeContext, 'onStepStart' | 'onProgress' | 'onStepDone'> {
  let current = -1;
  let last = 0;
  return {
    onStepStart: (index, step) => {
      current = index;
      last = 0;
      emit({ kind: 'step-start', index, step });
    },
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < PROGRESS_INTERVAL_MS && p.fraction < 1) return;
      last = now;
      emit({ kind: 'step-progress', index: current, fraction: Math.min(1, Math.max(0, p.fraction)), ...(p.message && { message: p.message }) });
    },
    onStepDone: (index, report) => emit({ kind: 'step-done', index, report }),
  };
}

function release(remote?: unknown): void {
  (remote as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
}

function checkNotStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new OmnihubError('aborted', 'Stopped before the recipe finished; nothing was saved.');
}

function calibrationSource(request: { calibration?: TransformRequest['calibration'] }, summary: ModelSummary): CalibrationSource {
  const c = request.calibration;
  if (c?.kind === 'images') return { kind: 'images', count: c.files.length, names: c.files.map((f) => f.name), preprocessing: preprocessingFor(summary.inputs).description };
  return c?.kind === 'npz' ? { kind: 'npz', name: c.name } : c?.kind === 'mnist' ? { kind: 'mnist', count: c.count } : { kind: 'random' };
}

const api = {
  /** The steps a recipe can name, with their options, from the core's registry. */
  steps(): StepInfo[] {
    return Object.values(REWRITE_STEPS).map((s) => ({
      name: s.name,
      description: s.description,
      options: { ...(s.options as Record<string, OptionSpec>) },
      needsRuntime: s.needsRuntime ?? false,
    }));
  },

  /** The inputs of a library model, and whether MNIST digits fit them (read here: no bytes pass through the page). */
  async modelInputs(entryId: string, path: string): Promise<ModelInputs> {
    return guarded(async () => {
      const inputs = summarizeModel(decodeModel(await readLibraryModel(entryId, path))).inputs;
      const imagesProblem = imageInputProblem(inputs);
      return { inputs, mnistProblem: mnistInputProblem(inputs), imagesProblem, imagePreprocessing: imagesProblem ? null : preprocessingFor(inputs).description };
    });
  },

  /** Checks a recipe as runRecipe will (`parseRecipe`); a bad one comes back as a value, not thrown. */
  checkRecipe(input: unknown): RecipeCheck {
    try {
      return { ok: true, recipe: parseRecipe(input) };
    } catch (e) {
      return { ok: false, error: toFailure(e) };
    }
  },

  /**
   * Reads the entry's model, runs the recipe (constant folding in onnxruntime with graph optimizations disabled,
   * so it computes exactly what the nodes compute), then runs the original and the result on the same inputs
   * (seeded random ones, or the arrays of `request.npz`) with onnxruntime's default optimizations, as an app would
   * run them. A failed step fails the run; a failed comparison does not (a model with a new training head cannot
   * be compared, and is still the result asked for; nor can a bad .npz): it comes back as `comparisonError`. Progress goes to `onEvent` (a Comlink proxy, released at the
   * end). Stopped by `abort()`: the run fails with an 'aborted' error.
   */
  async run(request: TransformRequest, onEventRemote?: (e: TransformEvent) => void): Promise<TransformResult> {
    const { send: emit, delivered } = sender(onEventRemote);
    try {
      return await guarded(async () => {
        if (running) throw new OmnihubError('usage', 'A recipe is running already; wait for it or stop it first.');
        const controller = new AbortController();
        running = controller;
        const { signal } = controller;
        try {
          const recipe = parseRecipe(request.recipe);
          const original = await readLibraryModel(request.entryId, request.path);
          emit({ kind: 'read', entryId: request.entryId, path: request.path, bytes: original.byteLength });
          checkNotStopped(signal);
          const model = decodeModel(original);
          const originalSummary = summarizeModel(model);

          // onnxruntime is loaded on the first run only: listing steps and checking recipes need none of it.
          const [{ compareModels }, { ortRuntime }] = await Promise.all([import('../src/core/validate/compare.js'), import('../src/core/validate/ort-runtime.js')]);
          const samples = await calibrationSamples(request, originalSummary);
          checkNotStopped(signal);
          const run = await runRecipe(model, recipe, {
            runtime: ortRuntime({ graphOptimizationLevel: 'disabled' }),
            signal,
            ...(samples && { samples }),
            ...stepEvents(emit),
          });
          checkNotStopped(signal);

          const result = encodeModel(run.model);
          emit({ kind: 'compare-start' });
          let comparison: CompareResult | null = null;
          let comparisonError: WorkerFailure | null = null;
          const backend = await comparisonBackend();
          const seed = request.seed ?? 0;
          const comparisonInputs: ComparisonInputs = request.npz ? { kind: 'npz', name: request.npz.name } : { kind: 'random', seed };
          try {
            // The .npz is parsed here, so a bad one (not a zip, a missing input, a wrong dtype or shape) is the
            // comparison's failure with the core's sentence; the rewrite's result still stands.
            const inputs = request.npz ? inputsFromNpz(originalSummary, readNpz(new Uint8Array(await request.npz.data.arrayBuffer()))) : undefined;
            // Folding above always runs on wasm (exact CPU kernels); the comparison runs where the model would be deployed.
            const runtime = ortRuntime({ executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] });
            comparison = await compareModels(original, result, { runtime, ...(inputs ? { inputs } : { random: { seed } }) });
          } catch (e) {
            checkNotStopped(signal);
            comparisonError = toFailure(e);
          }
          checkNotStopped(signal);

          let accuracy: AccuracyComparison | null = null;
          let accuracyError: WorkerFailure | null = null;
          if (request.accuracy) {
            try {
              const problem = mnistInputProblem(originalSummary.inputs);
              if (problem) throw new OmnihubError('usage', problem);
              const [{ top1Accuracy }, digits] = await Promise.all([import('../src/core/validate/accuracy.js'), loadMnistDigits()]);
              const set = { ...digits, sampleDims: [1, 28, 28] };
              const runtime = ortRuntime({ executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] });
              const a = await top1Accuracy(original, set, runtime, { signal });
              const b = await top1Accuracy(result, set, runtime, { signal });
              accuracy = { dataset: 'mnist', count: Math.min(a.count, b.count), before: a.accuracy, after: b.accuracy, correct: { before: a.correct, after: b.correct } };
            } catch (e) {
              checkNotStopped(signal);
              accuracyError = toFailure(e);
            }
          }
          checkNotStopped(signal);
          const calibration = calibrationSource(request, originalSummary);
          return {
            entryId: request.entryId,
            path: request.path,
            recipe: run.recipe,
            reports: run.reports,
            comparison,
            comparisonError,
            comparisonBackend: backend,
            comparisonInputs,
            calibration,
            accuracy,
            accuracyError,
            before: facts(originalSummary),
            after: facts(summarizeModel(run.model)),
            bytes: { before: original.byteLength, after: result.byteLength },
            model: new Blob([result as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
          };
        } finally {
          if (running === controller) running = null;
        }
      });
    } finally {
      await delivered();
      release(onEventRemote);
    }
  },

  /**
   * Reads the entry's model, runs `request.prefix` once, then each variant's step on the prefix's result; each variant
   * is compared with the original on the same inputs (latency in this browser's onnxruntime-web, on the same
   * backend as `run`'s comparison) and, when asked, measured for MNIST accuracy; then the core's `rankVariants`
   * flags them and marks the best trade-off. A failed prefix step fails the run; a failed variant step, comparison
   * or accuracy is that variant's error, and the others still run. Progress goes to `onEvent`; `abort()` stops it.
   */
  async runVariants(request: VariantsRequest, onEventRemote?: (e: VariantsEvent) => void): Promise<VariantsResult> {
    const { send: emit, delivered } = sender(onEventRemote as ((e: TransformEvent) => void) | undefined);
    const send = emit as (e: VariantsEvent) => void;
    try {
      return await guarded(async () => {
        if (running) throw new OmnihubError('usage', 'A recipe is running already; wait for it or stop it first.');
        const controller = new AbortController();
        running = controller;
        const { signal } = controller;
        try {
          if (!request.variants.length) throw new OmnihubError('usage', 'Choose at least one variant to try.');
          const prefix: Recipe = request.prefix.steps.length ? parseRecipe(request.prefix) : { steps: [] };
          // Each variant's step is checked (with the prefix) before anything runs, as a recipe's are.
          const variantRecipes = request.variants.map((v) => parseRecipe({ steps: [...prefix.steps, v.step] }));
          const original = await readLibraryModel(request.entryId, request.path);
          send({ kind: 'read', entryId: request.entryId, path: request.path, bytes: original.byteLength });
          checkNotStopped(signal);
          const model = decodeModel(original);
          const originalSummary = summarizeModel(model);

          const [{ compareModels }, { ortRuntime }] = await Promise.all([import('../src/core/validate/compare.js'), import('../src/core/validate/ort-runtime.js')]);
          const needsSamples = request.variants.some((v) => v.step.step === 'quantize-int8-static' || v.step.step === 'float16') || prefix.steps.some((s) => s.step === 'quantize-int8-static' || s.step === 'float16');
          const samples = needsSamples ? await calibrationSamples(request, originalSummary) : undefined;
          checkNotStopped(signal);
          const folding = ortRuntime({ graphOptimizationLevel: 'disabled' });

          let base = model;
          let prefixReports: RewriteReport[] = [];
          if (prefix.steps.length) {
            const run = await runRecipe(model, prefix, {
              runtime: folding,
              signal,
              ...(samples && { samples }),
              ...stepEvents(send),
            });
            base = run.model;
            prefixReports = run.reports;
          }
          checkNotStopped(signal);

          const backend = await comparisonBackend();
          const seed = request.seed ?? 0;
          const comparisonInputs: ComparisonInputs = request.npz ? { kind: 'npz', name: request.npz.name } : { kind: 'random', seed };
          const runtime = ortRuntime({ executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] });
          let inputs: Record<string, RuntimeTensor> | undefined;
          let inputsError: WorkerFailure | null = null;
          try {
            inputs = request.npz ? inputsFromNpz(originalSummary, readNpz(new Uint8Array(await request.npz.data.arrayBuffer()))) : undefined;
          } catch (e) {
            inputsError = toFailure(e);
          }

          // The original's accuracy is measured once, before the variants'.
          let accuracyBefore: { correct: number; count: number; accuracy: number } | null = null;
          let accuracySetError: WorkerFailure | null = null;
          let accuracySet: (MnistDigits & { sampleDims: number[] }) | null = null;
          const accuracyModule = request.accuracy ? await import('../src/core/validate/accuracy.js') : null;
          if (accuracyModule) {
            try {
              const problem = mnistInputProblem(originalSummary.inputs);
              if (problem) throw new OmnihubError('usage', problem);
              accuracySet = { ...(await loadMnistDigits()), sampleDims: [1, 28, 28] };
              accuracyBefore = await accuracyModule.top1Accuracy(original, accuracySet, runtime, { signal });
            } catch (e) {
              checkNotStopped(signal);
              accuracySetError = toFailure(e);
            }
          }

          const outcomes: VariantOutcome[] = [];
          const ops: string[][] = [];
          for (const [index, v] of request.variants.entries()) {
            checkNotStopped(signal);
            send({ kind: 'variant-start', index, name: v.name });
            const recipe = variantRecipes[index];
            const step = recipe.steps[recipe.steps.length - 1];
            const outcome: VariantOutcome = { name: v.name, recipe, report: null, error: null, comparison: null, comparisonError: null, accuracy: null, accuracyError: null, bytes: 0, model: null };
            outcomes.push(outcome);
            let bytes: Uint8Array;
            try {
              let last = 0;
              const run = await runRecipe(base, { steps: [step] }, {
                runtime: folding,
                signal,
                ...(samples && { samples }),
                onProgress: (p) => {
                  const now = performance.now();
                  if (now - last < PROGRESS_INTERVAL_MS && p.fraction < 1) return;
                  last = now;
                  send({ kind: 'variant-progress', index, fraction: Math.min(1, Math.max(0, p.fraction)), ...(p.message && { message: p.message }) });
                },
              });
              outcome.report = run.reports[0];
              bytes = encodeModel(run.model);
            } catch (e) {
              checkNotStopped(signal);
              outcome.error = toFailure(e);
              ops.push([]);
              send({ kind: 'variant-done', index, error: outcome.error.message });
              continue;
            }
            ops.push(Object.keys(outcome.report.addedByOp));
            outcome.bytes = bytes.byteLength;
            outcome.model = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
            checkNotStopped(signal);
            send({ kind: 'variant-compare', index });
            if (inputsError) outcome.comparisonError = inputsError;
            else {
              try {
                outcome.comparison = await compareModels(original, bytes, { runtime, ...(inputs ? { inputs } : { random: { seed } }) });
              } catch (e) {
                checkNotStopped(signal);
                outcome.comparisonError = toFailure(e);
              }
            }
            if (accuracyModule) {
              if (accuracySetError || !accuracyBefore || !accuracySet) outcome.accuracyError = accuracySetError;
              else {
                try {
                  const b = await accuracyModule.top1Accuracy(bytes, accuracySet, runtime, { signal });
                  const a = accuracyBefore;
                  outcome.accuracy = { dataset: 'mnist', count: Math.min(a.count, b.count), before: a.accuracy, after: b.accuracy, correct: { before: a.correct, after: b.correct } };
                } catch (e) {
                  checkNotStopped(signal);
                  outcome.accuracyError = toFailure(e);
                }
              }
            }
            send({ kind: 'variant-done', index });
          }
          checkNotStopped(signal);
          const ranking = rankVariants(
            { bytes: original.byteLength },
            outcomes.map((o, i) => ({ name: o.name, bytes: o.bytes, comparison: o.comparison, accuracy: o.accuracy, ops: ops[i], failed: o.error?.message ?? null })),
          );
          return {
            entryId: request.entryId,
            path: request.path,
            prefix,
            prefixReports,
            comparisonBackend: backend,
            comparisonInputs,
            calibration: needsSamples ? calibrationSource(request, originalSummary) : { kind: 'random' },
            bytes: original.byteLength,
            variants: outcomes,
            ranking,
          };
        } finally {
          if (running === controller) running = null;
        }
      });
    } finally {
      await delivered();
      release(onEventRemote);
    }
  },

  /** Stops the run in progress: it ends with an 'aborted' error at its next check. */
  abort(): void {
    running?.abort();
  },
};

export type TransformWorkerApi = typeof api;

Comlink.expose(api);
