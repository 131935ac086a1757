/**
 * Export in the layout transformers.js loads: the ONNX files under `onnx/`, one per dtype, beside the Hub
 * repository's other files (config.json, tokenizer.json, …) at their own paths.
 *
 * File names are transformers.js's: `from_pretrained(id, { dtype })` opens `onnx/<name><suffix>.onnx` with the
 * suffix from DEFAULT_DTYPE_SUFFIX_MAPPING in its src/utils/dtypes.js (fp32 '', fp16 '_fp16', q8 '_quantized',
 * int8 '_int8', uint8 '_uint8', q4 '_q4', q4f16 '_q4f16', bnb4 '_bnb4'), and `onnx/` is its default subfolder.
 *
 * Each variant is made as transformers.js's own conversion script makes it (scripts/quantize.py):
 * - fp16: float16 with `keep_io_types=True` (float32 inputs and outputs) and onnxruntime's op block list; here the
 *   `float16` step, whose check also keeps in float32 the ops float16 would break.
 * - q8 (`model_quantized.onnx`): onnxruntime's dynamic quantization (IntegerOps: MatMulInteger, ConvInteger, Gather),
 *   per tensor, no reduce_range, weight type QUInt8 when the model has a Conv (onnxruntime-web has no ConvInteger
 *   kernel for int8 weights), GroupQueryAttention or MultiHeadAttention, else QInt8; here `quantize-int8-dynamic`.
 * - q4: onnxruntime's MatMul4BitsQuantizer, block size 32, symmetric, accuracy level unset (MatMulNBits); here
 *   `quantize-int4` with those options.
 * - fp32: the model as given, byte for byte (re-encoded with its weights inline when it kept them in side files).
 *
 * Everything here is core (no DOM, no Node): the CLI, the web worker and the tests use the same functions.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { encodeModel, type ModelProto } from '../onnx/codec.js';
import { openModel, saveModel } from '../onnx/model-file.js';
import type { ExternalDataReader } from '../onnx/external-data.js';
import { OmnihubError } from '../errors.js';
import { concatBytes } from '../bytes.js';
import { walkGraphs } from '../onnx/walk.js';
import { runRecipe, type Recipe } from '../rewrites/recipe.js';
import { throwIfStopped } from '../rewrites/abort.js';
import type { RewriteReport } from '../rewrites/types.js';
import type { CompareRuntime } from '../validate/compare.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';

export type TransformersJsVariant = 'fp32' | 'fp16' | 'q8' | 'q4';

export const TRANSFORMERS_JS_VARIANTS: readonly TransformersJsVariant[] = ['fp32', 'fp16', 'q8', 'q4'];

/** The file transformers.js opens for each dtype (model file name `model`, default subfolder `onnx`). */
export const TRANSFORMERS_JS_FILES: Readonly<Record<TransformersJsVariant, string>> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
};

/** Operators that make transformers.js's quantize script pick uint8 weights for q8 (scripts/quantize.py, QUINT8_OPS). */
export const QUINT8_OPS: readonly string[] = ['Conv', 'GroupQueryAttention', 'MultiHeadAttention'];

export interface LayoutFile {
  /** Path inside the export (`onnx/model_fp16.onnx`, `config.json`). */
  path: string;
  bytes: Uint8Array;
}

export interface TransformersJsProgress {
  variant: TransformersJsVariant;
  /** Index of the variant being made, from 0, and how many are made. */
  index: number;
  total: number;
  /** 0..1 within this variant. */
  fraction: number;
  message?: string;
}

export interface TransformersJsOptions {
  /** The float32 ONNX model. */
  model: Uint8Array;
  /** Reads the model's side files, when it keeps weights in them. */
  readExternal?: ExternalDataReader;
  /** The repository's other files (config.json, tokenizer.json, …), kept at their paths; none may be under `onnx/`. */
  extraFiles?: LayoutFile[];
  /** Which files to make (at least one; each once). */
  variants: readonly TransformersJsVariant[];
  /** onnxruntime, for the float16 step's check (required when `fp16` is asked for). */
  runtime?: CompareRuntime;
  /** Samples for the float16 check (seeded random ones otherwise). */
  samples?: Array<Record<string, RuntimeTensor>>;
  onProgress?: (p: TransformersJsProgress) => void;
  signal?: AbortSignal;
  /**
   * Keep the files in the result (default true). A caller that writes each file out as `onFile` gets it (a zip, a
   * folder, the library) passes false, so only the float32 model and the variant being made are held at once.
   */
  keepFiles?: boolean;
}

/** One made variant: its file, the recipe that made it from the float32 model (none for fp32) and its reports. */
export interface LayoutVariant {
  variant: TransformersJsVariant;
  path: string;
  recipe: Recipe | null;
  reports: RewriteReport[];
  bytes: number;
}

export interface TransformersJsLayout {
  /** Extra files first (as given), then the ONNX files (fp32, fp16, q8, q4 among those asked); empty with `keepFiles: false`. */
  files: LayoutFile[];
  variants: LayoutVariant[];
}

function opTypes(model: ModelProto): Set<string> {
  const ops = new Set<string>();
  // By op_type alone, whatever the domain, as the script's get_operators does.
  for (const { graph } of walkGraphs(model)) for (const node of graph.node ?? []) if (node.op_type) ops.add(node.op_type);
  return ops;
}

/** The recipe that makes `variant` from the float32 model, as transformers.js's quantize script would (null: fp32). */
export function transformersJsRecipe(variant: TransformersJsVariant, model: ModelProto): Recipe | null {
  switch (variant) {
    case 'fp32':
      return null;
    case 'fp16':
      return { steps: [{ step: 'float16', options: { type: 'float16', keepIoTypes: true } }] };
    case 'q8': {
      const ops = opTypes(model);
      const weightType = QUINT8_OPS.some((op) => ops.has(op)) ? 'uint8' : 'int8';
      return { steps: [{ step: 'quantize-int8-dynamic', options: { weightType, perChannel: false, reduceRange: false } }] };
    }
    case 'q4':
      return { steps: [{ step: 'quantize-int4', options: { blockSize: 32, symmetric: true, format: 'matmulnbits' } }] };
  }
}

/** Checks and normalizes the variant list (known names, at least one, no repeats). */
export function parseVariants(list: readonly string[]): TransformersJsVariant[] {
  if (list.length === 0) throw new OmnihubError('usage', `choose at least one variant of ${TRANSFORMERS_JS_VARIANTS.join(', ')}`);
  const seen = new Set<TransformersJsVariant>();
  for (const v of list) {
    if (!(TRANSFORMERS_JS_VARIANTS as readonly string[]).includes(v)) {
      throw new OmnihubError('usage', `unknown variant '${v}' (transformers.js dtypes made here: ${TRANSFORMERS_JS_VARIANTS.join(', ')})`);
    }
    seen.add(v as TransformersJsVariant);
  }
  return TRANSFORMERS_JS_VARIANTS.filter((v) => seen.has(v));
}

/** Whether a file of the source entry belongs beside the ONNX files (not an ONNX model or side file of one). */
export function isTransformersJsExtra(path: string): boolean {
  return !/(^|\/)onnx\//.test(path) && !/\.onnx(_data(_\d+)?)?$/i.test(path) && !/\.onnx\.data$/i.test(path);
}

/** Which file of an entry is its float32 model: its only .onnx file, else `onnx/model.onnx` or `model.onnx`. */
export function transformersJsModelPath(entry: { id: string; files: ReadonlyArray<{ path: string }> }): string {
  const onnx = entry.files.filter((f) => /\.onnx$/i.test(f.path)).map((f) => f.path);
  if (onnx.length === 1) return onnx[0];
  const preferred = ['onnx/model.onnx', 'model.onnx'].find((p) => onnx.includes(p));
  if (preferred) return preferred;
  throw new OmnihubError('usage', onnx.length ? `${entry.id} has several ONNX files (${onnx.join(', ')}) and none is onnx/model.onnx or model.onnx` : `${entry.id} has no .onnx file`);
}

function checkExtras(extras: LayoutFile[]): void {
  const seen = new Set<string>();
  for (const f of extras) {
    const p = f.path;
    if (!p || p.startsWith('/') || p.includes('\\') || p.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new OmnihubError('unsafe-path', `'${p}' is not a relative file path`);
    }
    if (!isTransformersJsExtra(p)) throw new OmnihubError('usage', `'${p}' would sit among the ONNX files transformers.js loads; give only the repository's other files (config.json, tokenizer.json, …)`);
    if (seen.has(p.toLowerCase())) throw new OmnihubError('usage', `'${p}' is given twice`);
    seen.add(p.toLowerCase());
  }
}

/**
 * Makes the files of a transformers.js repository from a float32 ONNX model: each variant from the float32 model
 * by its recipe, one after the other. `onFile` gets each file as soon as it is made (extras first), so a caller
 * that writes them out (a zip, the library) need not keep them all; the files are also returned.
 */
export async function buildTransformersJsLayout(
  options: TransformersJsOptions,
  onFile?: (file: LayoutFile) => void | Promise<void>,
): Promise<TransformersJsLayout> {
  const variants = parseVariants(options.variants);
  const extras = options.extraFiles ?? [];
  checkExtras(extras);
  if (variants.includes('fp16') && !options.runtime) throw new OmnihubError('usage', 'the fp16 variant needs onnxruntime (its float16 check runs both models)');
  throwIfStopped(options.signal);
  const opened = await openModel(options.model, options.readExternal);
  const files: LayoutFile[] = [];
  const made: LayoutVariant[] = [];
  const emit = async (f: LayoutFile) => {
    if (options.keepFiles ?? true) files.push(f);
    await onFile?.(f);
  };
  for (const f of extras) await emit(f);
  for (const [index, variant] of variants.entries()) {
    throwIfStopped(options.signal);
    const report = (fraction: number, message?: string) => options.onProgress?.({ variant, index, total: variants.length, fraction, message });
    report(0);
    const path = TRANSFORMERS_JS_FILES[variant];
    const recipe = transformersJsRecipe(variant, opened.model);
    let bytes: Uint8Array;
    let reports: RewriteReport[] = [];
    if (!recipe) {
      bytes = opened.externalTensors > 0 ? encodeModel(opened.model) : options.model;
    } else {
      const run = await runRecipe(opened.model, recipe, {
        runtime: options.runtime,
        samples: options.samples,
        signal: options.signal,
        onProgress: (p) => report(p.fraction, p.message),
      });
      reports = run.reports;
      const saved = saveModel(run.model);
      bytes = concatBytes(saved.modelChunks);
    }
    report(1);
    made.push({ variant, path, recipe, reports, bytes: bytes.length });
    await emit({ path, bytes });
  }
  return { files, variants: made };
}

/** The lineage of a library entry made by this export: one pseudo-step naming the variants and their recipes. */
export function transformersJsLineage(from: string, layout: { variants: Array<Pick<LayoutVariant, 'variant' | 'path' | 'recipe'>> }): { from: string; steps: unknown[] } {
  return {
    from,
    steps: [{
      step: 'transformers-js-export',
      options: { variants: Object.fromEntries(layout.variants.map((v) => [v.path, { variant: v.variant, recipe: v.recipe }])) },
    }],
  };
}

/** `<name>-transformers-js`, kept within the library's 200-byte name limit. */
export function transformersJsEntryName(sourceName: string): string {
  const base = sourceName.replace(/\.onnx$/i, '');
  const suffix = '-transformers-js';
  const bytes = new TextEncoder().encode(base);
  let cut = base;
  if (bytes.length + suffix.length > 200) cut = new TextDecoder().decode(bytes.slice(0, 200 - suffix.length)).replace(/\uFFFD+$/, '');
  return `${cut}${suffix}`;
}

/** ONNX files barely compress (float weights): they are stored; text files (JSON, vocabularies) are deflated. */
function storeUncompressed(path: string): boolean {
  return /\.(onnx|onnx_data|bin|safetensors|h5|pt|pth|msgpack|ot|tflite)$/i.test(path);
}

/**
 * Writes files as a zip, one after the other, through `write` (each chunk once; nothing is kept here): ONNX and
 * other weight files stored, the rest deflated. Zip64 is not written, so the whole archive must stay under 4 GiB.
 */
export class LayoutZipWriter {
  readonly #zip: Zip;
  readonly #write: (chunk: Uint8Array) => void;
  #error: unknown = null;
  #done!: () => void;
  readonly #finished = new Promise<void>((resolve) => (this.#done = resolve));
  #bytes = 0;

  constructor(write: (chunk: Uint8Array) => void) {
    this.#write = write;
    this.#zip = new Zip((err, chunk, final) => {
      if (err) {
        this.#error ??= err;
        this.#done();
        return;
      }
      this.#bytes += chunk.length;
      if (this.#bytes > 0xffff_fff0) this.#error ??= new OmnihubError('too-large', 'the zip would be over 4 GiB; export into a folder instead');
      if (!this.#error) this.#write(chunk);
      if (final) this.#done();
    });
  }

  /** Adds one file (its bytes are pushed at once: a stored file passes through without a copy). */
  add(file: LayoutFile): void {
    if (this.#error) throw this.#error;
    const entry = storeUncompressed(file.path) ? new ZipPassThrough(file.path) : new ZipDeflate(file.path, { level: 6 });
    // A fixed time, so the same files always make the same zip.
    entry.mtime = new Date(2000, 0, 1);
    this.#zip.add(entry);
    entry.push(file.bytes, true);
    if (this.#error) throw this.#error;
  }

  /** Writes the central directory; resolves once the last chunk was written. */
  async end(): Promise<void> {
    this.#zip.end();
    await this.#finished;
    if (this.#error) throw this.#error instanceof Error ? this.#error : new Error(String(this.#error));
  }
}

/** The files as one zip, in memory (tests, small models); large exports use LayoutZipWriter with a sink. */
export async function zipLayout(files: LayoutFile[]): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const writer = new LayoutZipWriter((c) => chunks.push(c));
  for (const f of files) writer.add(f);
  await writer.end();
  return concatBytes(chunks);
}
