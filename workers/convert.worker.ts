/**
 * The convert worker: PyTorch / safetensors / Hugging Face weights → ONNX (or → safetensors, or injected into an ONNX
 * model), checked in onnxruntime against a reference .npz when one is given. Sources are library entries (read from
 * IndexedDB here) or dropped Files (which cross by reference); results go back as Blobs made here, so no weights
 * pass through the page. The UI reaches it through src/app/convert-bridge.ts.
 */
import * as Comlink from 'comlink';
import { convertToOnnx, freezeTensorFlow, tensorFlowKind, tensorFlowSignatures, isKerasFile, readWeights, KERAS_APPLICATIONS, SUPPORTED_MODEL_TYPES, TORCHVISION_ARCHITECTURES, guessTorchvisionArchitecture, type ConvertReport, type SourceFile } from '../src/core/convert/index.js';
import { kerasApplicationForWeightsFile } from '../src/core/convert/keras-applications/index.js';
import { findCustomClasses, readKerasFile } from '../src/core/formats/keras/index.js';
import { isTflite, readTflite } from '../src/core/formats/tflite/read.js';
import { alignInterface } from '../src/core/validate/align-interface.js';
import { writeGraphDef } from '../src/core/convert/tensorflow/index.js';
import type { CompareResult } from '../src/core/validate/compare.js';
import { torchToSafetensors } from '../src/core/convert/to-safetensors.js';
import { injectWeights } from '../src/core/convert/inject-weights.js';
import { decodeModel, encodeModel, encodeModelChunks, type ModelProto } from '../src/core/onnx/codec.js';
import { summarizeModel, type ModelSummary } from '../src/core/onnx/summary.js';
import { readNpz } from '../src/core/formats/numpy/npz.js';
import { OmnihubError } from '../src/core/errors.js';
import type { ReferenceCheck } from '../src/core/validate/reference-check.js';
import { libraryFileBlobs, readLibraryModel } from './library-files.js';
import { blobFromChunks, type BlobSource } from '../src/core/onnx/blob-output.js';
import { guarded, type WorkerFailure } from './failure.js';

export type { CompareResult, ConvertReport, ReferenceCheck, WorkerFailure };

/** What is converted: a library entry's files, or files chosen or dropped (`paths`: their places in a dropped folder). */
export type ConvertSource = { kind: 'entry'; entryId: string } | { kind: 'files'; files: File[]; paths?: string[] };

/** What the page needs to offer the right actions for a source. */
export interface SourceInfo {
  /**
   * 'transformers': a Hugging Face folder (config.json with a model_type); 'state-dict': one PyTorch/safetensors
   * weights file; 'keras': a Keras .h5/.keras (full model, or weights only); 'tflite': a TFLite flatbuffer.
   */
  kind: 'transformers' | 'state-dict' | 'keras' | 'tflite' | 'tensorflow' | 'none';
  /** tensorflow: what it is, and for a SavedModel / TF Hub archive its signatures (the default first). */
  tfKind?: 'saved-model' | 'tfhub-archive' | 'frozen-graph' | 'tfjs-graph-model' | 'tfjs-layers-model';
  signatures?: string[];
  files: Array<{ path: string; size: number }>;
  /** The weights file a state-dict conversion reads. */
  weightsFile?: string;
  weightsFormat?: 'pytorch' | 'safetensors';
  tensors?: number;
  /** transformers: the config's model_type and architectures. */
  modelType?: string;
  architectures?: string[];
  /** state-dict: the torchvision architecture its keys and shapes fit; keras weights only: the Keras Application its file name names. */
  guessedArch?: string;
  /** keras: the file holds weights only (an architecture must be picked, or its JSON given with it). */
  weightsOnly?: boolean;
  /** keras: an architecture JSON among the files. */
  architectureFile?: string;
  /** keras: layers of classes Keras does not have ('QDense (model > fc1)'): converting them fails, and says so. */
  customClasses?: string[];
  /** tflite: it has int8 tensors (converted as QDQ, or dequantized on request). */
  quantized?: boolean;
  /** Why nothing can be converted (kind 'none'). */
  problem?: string;
}

export type ConvertRequest =
  | {
    target: 'onnx';
    arch?: string;
    task?: 'default' | 'sequence-classification';
    /** Keras Applications architecture: with its classifier. */
    includeTop?: boolean;
    nchw?: boolean;
    dequantize?: boolean;
    reference?: { name: string; data: Blob };
    /** TensorFlow: the SavedModel signature to freeze; tensors to start / end at. */
    signature?: string;
    tensorInputs?: string[];
    tensorOutputs?: string[];
    /** Another model of the same network (an .onnx, or anything this worker converts: a TFLite twin …) to run beside the result. */
    compareWith?: { name: string; data: Blob };
  }
  | { target: 'safetensors' }
  /** TensorFlow: the chosen signature of a SavedModel frozen into a standalone GraphDef .pb. */
  | { target: 'graphdef'; signature?: string }
  | { target: 'inject'; onnx: { kind: 'entry'; entryId: string; path: string } | { kind: 'file'; file: File }; strict?: boolean };

export interface ConvertOutcome {
  target: ConvertRequest['target'];
  /** The result, made here; crosses to the page by reference. */
  blob: Blob;
  fileName: string;
  /** onnx: what the converter did. */
  report?: ConvertReport;
  /** onnx and inject: the result's summary (it was loaded in onnxruntime before this returned). */
  summary?: ModelSummary;
  /** onnx with a reference .npz: the check. */
  check?: ReferenceCheck;
  /** onnx with compareWith: the result (a) and the other model (b) on the same seeded random inputs. */
  comparison?: { with: string; result: CompareResult; notes: string[] };
  /** Lines for the report panel (safetensors and inject say what they did here). */
  lines: string[];
}

export interface ConvertProgress {
  phase: 'reading' | 'building' | 'checking' | 'encoding';
}

const WEIGHT_FILE = /\.(pt|pth|bin|ckpt|tar|safetensors|h5|hdf5|keras|tflite)$/i;

/**
 * The source's files, read only when a converter asks; each read is recorded in `read` (its bytes with the Blob they
 * came from), so the result can reference those Blobs instead of copying the weights (blobFromChunks).
 */
async function sourceFiles(source: ConvertSource, read: BlobSource[] = []): Promise<SourceFile[]> {
  const files = source.kind === 'entry'
    ? await libraryFileBlobs(source.entryId)
    // A folder chosen or dropped keeps its layout (a SavedModel's variables/…).
    : source.files.map((f, i) => ({ path: source.paths?.[i] ?? (f.webkitRelativePath || f.name), size: f.size, blob: async (): Promise<Blob> => f }));
  return files.map((f) => ({
    path: f.path,
    size: f.size,
    read: async () => {
      const blob = await f.blob();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      read.push({ bytes, blob });
      return bytes;
    },
  }));
}

function stem(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
}

async function runtimeCheck(bytes: Uint8Array, reference: { name: string; data: Blob } | undefined): Promise<ReferenceCheck | undefined> {
  const { ortRuntime } = await import('../src/core/validate/ort-runtime.js');
  const runtime = ortRuntime();
  if (!reference) {
    const session = await runtime.createSession(bytes);
    await session.release();
    return undefined;
  }
  const { checkAgainstReference } = await import('../src/core/validate/reference-check.js');
  return checkAgainstReference(bytes, readNpz(new Uint8Array(await reference.data.arrayBuffer())), runtime);
}


/**
 * Runs the result beside another model of the same network (converted here first unless it is an .onnx), on the
 * same seeded random inputs, with inputs and outputs paired by position where their names differ.
 */
async function compareWithOther(bytes: Uint8Array, model: ModelProto, other: { name: string; data: Blob }, nchw?: boolean): Promise<ConvertOutcome['comparison']> {
  const otherBytes = new Uint8Array(await other.data.arrayBuffer());
  const notes: string[] = [];
  let otherModel: ModelProto;
  if (/\.onnx$/i.test(other.name)) otherModel = decodeModel(otherBytes);
  else {
    const converted = await convertToOnnx([{ path: other.name, size: otherBytes.length, read: async () => otherBytes }], { nchw });
    otherModel = converted.model;
    notes.push(`${other.name} converted here first (${converted.report.converter})`);
  }
  const { model: aligned, renamed } = alignInterface(otherModel, model);
  if (renamed.length) notes.push(`paired by position: ${renamed.map(([from, to]) => `${other.name}'s '${from}' as '${to}'`).join(', ')}`);
  const [{ compareModels }, { ortRuntime }] = await Promise.all([import('../src/core/validate/compare.js'), import('../src/core/validate/ort-runtime.js')]);
  const result = await compareModels(bytes, encodeModel(aligned), { runtime: ortRuntime(), random: { seed: 0 }, runs: 3, warmup: 1 });
  return { with: other.name, result, notes };
}

const api = {
  architectures(): { torchvision: readonly string[]; transformers: readonly string[]; keras: readonly string[] } {
    return { torchvision: TORCHVISION_ARCHITECTURES, transformers: SUPPORTED_MODEL_TYPES, keras: KERAS_APPLICATIONS };
  },

  async inspect(source: ConvertSource): Promise<SourceInfo> {
    return guarded(async () => {
      const files = await sourceFiles(source);
      const listed = files.map((f) => ({ path: f.path, size: f.size }));
      const tf = await tensorFlowKind(files);
      if (tf) {
        const tfKind = tf.kind as NonNullable<SourceInfo['tfKind']>;
        if (tfKind !== 'saved-model' && tfKind !== 'tfhub-archive') return { kind: 'tensorflow', tfKind, files: listed, weightsFile: tf.path };
        return { kind: 'tensorflow', tfKind, files: listed, weightsFile: tf.path, signatures: await tensorFlowSignatures(files) };
      }
      const config = files.find((f) => stem(f.path) === 'config' && /\.json$/i.test(f.path));
      if (config) {
        const parsed = JSON.parse(new TextDecoder().decode(await config.read())) as { model_type?: unknown; architectures?: unknown };
        if (typeof parsed.model_type === 'string') {
          return { kind: 'transformers', files: listed, modelType: parsed.model_type, architectures: Array.isArray(parsed.architectures) ? parsed.architectures.map(String) : [] };
        }
      }
      const weights = files.filter((f) => WEIGHT_FILE.test(f.path));
      if (weights.length !== 1) {
        return { kind: 'none', files: listed, problem: weights.length === 0 ? 'No model or weights file (.pt, .pth, .safetensors, .h5, .keras, .tflite) and no Hugging Face config.json.' : `Several model files (${weights.map((w) => w.path).join(', ')}): convert them one at a time.` };
      }
      const bytes = await weights[0].read();
      if (isTflite(bytes)) {
        const quantized = readTflite(bytes).subgraphs.some((g) => g.tensors.some((t) => t.quantization?.scales.length));
        return { kind: 'tflite', files: listed, weightsFile: weights[0].path, quantized };
      }
      if (isKerasFile(bytes)) {
        const keras = await readKerasFile(bytes, weights[0].path);
        const architectureFile = files.find((f) => f !== weights[0] && /\.json$/i.test(f.path))?.path;
        return {
          kind: 'keras', files: listed, weightsFile: weights[0].path, weightsOnly: !keras.config, architectureFile,
          guessedArch: keras.config ? undefined : kerasApplicationForWeightsFile(weights[0].path)?.name,
          customClasses: keras.config ? findCustomClasses(keras.config).map((c) => `${c.className} (${c.path})`) : [],
        };
      }
      const loaded = readWeights(bytes, weights[0].path);
      return { kind: 'state-dict', files: listed, weightsFile: weights[0].path, weightsFormat: loaded.format, tensors: loaded.tensors.size, guessedArch: guessTorchvisionArchitecture(loaded.tensors) };
    });
  },

  async convert(source: ConvertSource, request: ConvertRequest, onProgress?: (p: ConvertProgress) => void): Promise<ConvertOutcome> {
    return guarded(async () => {
      const read: BlobSource[] = [];
      const files = await sourceFiles(source, read);
      // A chosen folder is named after itself (its files' paths start with it).
      const first = files[0]?.path ?? 'model';
      const name = source.kind === 'entry' ? source.entryId.slice(source.entryId.indexOf('/') + 1) : first.includes('/') ? first.slice(0, first.indexOf('/')) : stem(first);
      if (request.target === 'graphdef') {
        onProgress?.({ phase: 'building' });
        const frozen = await freezeTensorFlow(files, { signature: request.signature });
        const bytes = writeGraphDef(frozen.graphDef);
        const r = frozen.report;
        return {
          target: 'graphdef', blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), fileName: `${name}-${r.signature}.pb`,
          lines: [
            `signature '${r.signature}' frozen: ${r.variablesFrozen} variables as constants, ${r.inlinedFunctions} function calls inlined, ${r.nodes} nodes`,
            `inputs ${frozen.inputs.map((t) => t.tensor).join(', ')}; outputs ${frozen.outputs.map((t) => t.tensor).join(', ')}`,
            ...r.notes,
          ],
        };
      }
      if (request.target === 'safetensors') {
        const weights = files.filter((f) => WEIGHT_FILE.test(f.path) && !/\.safetensors$/i.test(f.path));
        if (weights.length !== 1) throw new OmnihubError('usage', 'Converting to safetensors takes one PyTorch file (.pt, .pth, .bin).');
        onProgress?.({ phase: 'reading' });
        const result = torchToSafetensors(await weights[0].read());
        return {
          target: 'safetensors', blob: blobFromChunks(result.chunks, read), fileName: `${stem(weights[0].path)}.safetensors`,
          lines: [`${result.report.tensors} tensors, ${result.report.bytes.toLocaleString('en-US')} bytes of weights`, ...result.report.notes],
        };
      }
      if (request.target === 'inject') {
        const weightsFiles = files.filter((f) => WEIGHT_FILE.test(f.path));
        if (weightsFiles.length !== 1) throw new OmnihubError('usage', 'Injecting takes one weights file (.pt, .pth, .bin, .safetensors).');
        onProgress?.({ phase: 'reading' });
        let onnxBytes: Uint8Array;
        if (request.onnx.kind === 'entry') onnxBytes = await readLibraryModel(request.onnx.entryId, request.onnx.path);
        else {
          onnxBytes = new Uint8Array(await request.onnx.file.arrayBuffer());
          read.push({ bytes: onnxBytes, blob: request.onnx.file });
        }
        const weights = readWeights(await weightsFiles[0].read(), weightsFiles[0].path);
        onProgress?.({ phase: 'building' });
        const { model, report } = injectWeights(decodeModel(onnxBytes), weights.tensors, { strict: request.strict });
        const blob = blobFromChunks(encodeModelChunks(model), read);
        onProgress?.({ phase: 'checking' });
        await runtimeCheck(encodeModel(model), undefined);
        return {
          target: 'inject', blob, fileName: `${name}-injected.onnx`, summary: summarizeModel(model),
          lines: [
            `${report.matched.length} of ${weights.tensors.size} tensors injected`,
            ...report.unmatched.map((u) => `not injected: ${u.name} (${u.reason})`),
            ...(report.untouched.length ? [`${report.untouched.length} initializers kept as they were`] : []),
          ],
        };
      }
      const { model, report } = await convertToOnnx(files, {
        arch: request.arch, task: request.task, includeTop: request.includeTop, nchw: request.nchw, dequantize: request.dequantize,
        signature: request.signature, tensorInputs: request.tensorInputs, tensorOutputs: request.tensorOutputs,
        onProgress: (phase) => onProgress?.({ phase }),
      });
      onProgress?.({ phase: 'encoding' });
      // The weights stay in the source's Blobs: the result costs only the protobuf framing (see blob-output.ts).
      const blob = blobFromChunks(encodeModelChunks(model), read);
      const summary = summarizeModel(model);
      onProgress?.({ phase: 'checking' });
      const bytes = encodeModel(model);
      const check = await runtimeCheck(bytes, request.reference);
      const comparison = request.compareWith && (await compareWithOther(bytes, model, request.compareWith, request.nchw));
      return { target: 'onnx', blob, fileName: `${name}.onnx`, report, summary, check, comparison, lines: [] };
    });
  },
};

export type ConvertWorkerApi = typeof api;

Comlink.expose(api);
