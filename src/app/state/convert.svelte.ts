/**
 * The Convert page's state: the source (a library entry or dropped files), what the convert worker found in it, the
 * chosen target and options, the run, and its outcome until it is saved or replaced.
 */
import { convertWorker, type ConvertOutcome, type ConvertProgress, type ConvertRequest, type ConvertSource, type SourceInfo } from '../convert-bridge.js';
import { libraryWorker } from '../library-bridge.js';
import { library } from './library.svelte.js';
import { WorkerCallError } from '../worker-handle.js';
import type { LibraryEntry } from '../../core/library/types.js';

export type ConvertTarget = ConvertRequest['target'];

/** Where an inject run takes its ONNX model from: a library file (`<entry id>|<path>`) or a chosen file. */
export type InjectInto = { kind: 'entry'; entryId: string; path: string } | { kind: 'file'; file: File };

const PHASES: Record<ConvertProgress['phase'], string> = {
  reading: 'Reading the weights…',
  building: 'Building the ONNX graph…',
  checking: 'Checking the result in onnxruntime…',
  encoding: 'Writing the result…',
};

/** 'a:0, b' → ['a:0', 'b']; empty → undefined (the converter's defaults). */
function tensorList(text: string): string[] | undefined {
  const names = text.split(',').map((t) => t.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

function failure(e: unknown): { message: string; code: string } {
  return e instanceof WorkerCallError ? { message: e.message, code: e.code } : { message: e instanceof Error ? e.message : String(e), code: 'internal' };
}

class ConvertState {
  source = $state.raw<ConvertSource | null>(null);
  /** The entry id, or the dropped files' names, for headings and lineage. */
  sourceLabel = $state('');
  info = $state.raw<SourceInfo | null>(null);
  inspecting = $state(false);
  /** Architectures the worker can build: torchvision's for state dicts, Keras Applications for Keras weights. */
  architectures = $state.raw<{ torchvision: readonly string[]; keras: readonly string[] }>({ torchvision: [], keras: [] });

  target = $state<ConvertTarget>('onnx');
  arch = $state('');
  task = $state<'default' | 'sequence-classification'>('default');
  reference = $state.raw<File | null>(null);
  /** Another model of the same network to run beside the result (a TFLite twin, an exporter's .onnx). */
  compareWith = $state.raw<File | null>(null);
  /** Keras and TFLite image models: NCHW interface. */
  nchw = $state(false);
  /** TFLite int8: float graph instead of QDQ. */
  dequantize = $state(false);
  /** Keras Applications: with the classifier. */
  includeTop = $state(false);
  /** TensorFlow: the SavedModel signature to freeze, and tensors to start / end at (comma-separated, 'Mfcc:0'). */
  signature = $state('');
  tensorInputs = $state('');
  tensorOutputs = $state('');
  injectInto = $state.raw<InjectInto | null>(null);
  strict = $state(false);

  running = $state(false);
  phase = $state('');
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);
  outcome = $state.raw<ConvertOutcome | null>(null);
  saving = $state(false);
  saved = $state.raw<LibraryEntry | null>(null);
  saveError = $state<string | null>(null);

  async loadArchitectures(): Promise<void> {
    if (this.architectures.torchvision.length) return;
    try {
      this.architectures = await convertWorker.architectures();
    } catch {
      // The picker stays empty; converting says why.
    }
  }

  async choose(source: ConvertSource | null, label = ''): Promise<void> {
    this.source = source;
    this.sourceLabel = label;
    this.info = null;
    this.outcome = null;
    this.saved = null;
    this.error = null;
    this.errorCode = null;
    if (!source) return;
    this.inspecting = true;
    try {
      const info = await convertWorker.inspect(source);
      if (this.source !== source) return;
      this.info = info;
      this.arch = info.guessedArch ?? '';
      // A Keras Applications weights file says in its name whether it has the top (…_notop.h5); else without.
      this.includeTop = info.kind === 'keras' && !!info.weightsFile && !/no_?top/i.test(info.weightsFile);
      this.signature = info.signatures?.[0] ?? '';
      this.tensorInputs = '';
      this.tensorOutputs = '';
      this.target = 'onnx';
    } catch (e) {
      if (this.source !== source) return;
      ({ message: this.error, code: this.errorCode } = failure(e));
    } finally {
      if (this.source === source) this.inspecting = false;
    }
  }

  /** Files chosen or dropped; `paths` (a dropped folder's layout) default to webkitRelativePath, else the names. */
  useFiles(files: File[], paths = files.map((f) => f.webkitRelativePath || f.name)): Promise<void> {
    // A folder is named after itself; loose files by their names.
    const label = paths[0]?.includes('/') ? `${paths[0].slice(0, paths[0].indexOf('/'))}/` : files.map((f) => f.name).join(', ');
    return this.choose({ kind: 'files', files, paths }, label);
  }

  /** Why the run cannot start, or null. */
  get problem(): string | null {
    if (!this.source) return 'Choose a library entry or drop weights files first.';
    if (this.inspecting) return 'Reading the files…';
    if (!this.info || this.info.kind === 'none') return this.info?.problem ?? 'Nothing to convert.';
    if (this.target === 'onnx' && this.info.kind === 'state-dict' && !this.arch) return 'Pick the architecture these weights are for.';
    if (this.target === 'onnx' && this.info.kind === 'keras' && this.info.weightsOnly && !this.info.architectureFile && !this.arch) {
      return 'The file holds weights only: pick its architecture, or drop its architecture JSON with it.';
    }
    if (this.target === 'safetensors' && this.info.weightsFormat !== 'pytorch') return 'Only a PyTorch file can be converted to safetensors.';
    if (this.target === 'graphdef' && !this.info.signatures?.length) return 'Only a SavedModel or a TF Hub archive can be frozen to a GraphDef.';
    if (this.target === 'inject' && !this.injectInto) return 'Pick the ONNX model to put the weights into.';
    return null;
  }

  async run(): Promise<void> {
    const source = this.source;
    if (!source || this.running || this.problem) return;
    let request: ConvertRequest;
    if (this.target === 'onnx') {
      const kind = this.info?.kind;
      const kerasApplication = kind === 'keras' && this.info?.weightsOnly && !this.info.architectureFile;
      request = {
        target: 'onnx',
        arch: kind === 'state-dict' || kerasApplication ? this.arch : undefined,
        includeTop: kerasApplication ? this.includeTop : undefined,
        task: this.task,
        nchw: kind === 'keras' || kind === 'tflite' ? this.nchw : undefined,
        dequantize: kind === 'tflite' ? this.dequantize : undefined,
        reference: this.reference ? { name: this.reference.name, data: this.reference } : undefined,
        compareWith: this.compareWith ? { name: this.compareWith.name, data: this.compareWith } : undefined,
        signature: kind === 'tensorflow' && this.signature ? this.signature : undefined,
        tensorInputs: kind === 'tensorflow' ? tensorList(this.tensorInputs) : undefined,
        tensorOutputs: kind === 'tensorflow' ? tensorList(this.tensorOutputs) : undefined,
      };
    } else if (this.target === 'safetensors') request = { target: 'safetensors' };
    else if (this.target === 'graphdef') request = { target: 'graphdef', signature: this.signature || undefined };
    else {
      const into = this.injectInto!;
      request = { target: 'inject', onnx: into.kind === 'entry' ? into : { kind: 'file', file: into.file }, strict: this.strict };
    }
    this.running = true;
    this.phase = PHASES.reading;
    this.error = null;
    this.errorCode = null;
    this.outcome = null;
    this.saved = null;
    this.saveError = null;
    try {
      this.outcome = await convertWorker.convert(source, request, (p) => (this.phase = PHASES[p.phase]));
    } catch (e) {
      ({ message: this.error, code: this.errorCode } = failure(e));
    } finally {
      this.running = false;
      this.phase = '';
    }
  }

  stop(): void {
    if (this.running) convertWorker.stop();
  }

  /** Saves the outcome as a new library entry (ONNX results under onnx/, safetensors under pytorch/). */
  async save(name: string): Promise<void> {
    const outcome = this.outcome;
    if (!outcome || this.saving) return;
    this.saving = true;
    this.saveError = null;
    const options = outcome.target === 'onnx' ? { arch: outcome.report?.architecture } : outcome.target === 'graphdef' ? { signature: this.signature } : outcome.target === 'inject' ? { into: this.injectInto?.kind === 'entry' ? `${this.injectInto.entryId}/${this.injectInto.path}` : this.injectInto?.file.name } : {};
    try {
      const entry = await libraryWorker.createEntry(
        {
          framework: outcome.target === 'safetensors' ? 'pytorch' : outcome.target === 'graphdef' ? 'tensorflow' : 'onnx',
          name,
          source: { kind: 'local' },
          lineage: { from: this.source?.kind === 'entry' ? this.source.entryId : `file:${this.sourceLabel}`, steps: [{ step: `convert-to-${outcome.target}`, options }] },
        },
        [{ path: outcome.target === 'safetensors' ? 'model.safetensors' : outcome.target === 'graphdef' ? 'frozen.pb' : 'model.onnx', blob: outcome.blob }],
      );
      if (this.outcome === outcome) this.saved = entry;
    } catch (e) {
      this.saveError = failure(e).message;
    } finally {
      this.saving = false;
      await library.refresh();
    }
  }
}

export const convert = new ConvertState();
