/**
 * `omnihub convert SOURCE -o OUT.onnx|OUT.safetensors` and `omnihub inject MODEL.onnx WEIGHTS -o OUT.onnx`.
 * SOURCE is a weights file, a Hugging Face folder (config.json + weights), or a library entry `<framework>/<name>`.
 * A converted model is loaded by onnxruntime before it is written (and checked against `--reference X.npz` when
 * given); nothing is written when either fails.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { convertToOnnx, freezeTensorFlow, readWeights, type SourceFile } from '../convert/index.js';
import { writeGraphDef } from '../convert/tensorflow/index.js';
import { torchToSafetensors } from '../convert/to-safetensors.js';
import { injectWeights } from '../convert/inject-weights.js';
import { encodeModel, type ModelProto } from '../onnx/codec.js';
import { openModel, saveModel } from '../onnx/model-file.js';
import { readNpz } from '../formats/numpy/npz.js';
import { tensorByteLength } from '../rewrites/graph.js';
import { FolderLibrary } from '../library/node.js';
import { parseEntryId } from '../library/names.js';
import { writeFileAtomic } from '../library/folder-files.js';
import { OmnihubError } from '../errors.js';
import { folderReader } from './node-files.js';
import type { CliEnv, CliIo } from './library-commands.js';

export const CONVERT_USAGE = `  omnihub convert SOURCE -o OUT.onnx [--arch torchvision:NAME|keras:NAME] [--include-top true|false]
                 [--config ARCH.json] [--nchw] [--dequantize] [--signature S] [--inputs T:0,…] [--outputs T:0,…]
                 [--task sequence-classification]
                 [--num-classes N] [--reference X.npz] [--external-data-threshold BYTES]
                                             → ONNX: a .pt/.pth/.safetensors state dict with a torchvision
                                             architecture (recognised when --arch is left out), a Hugging Face
                                             folder (config.json + weights: GPT-2, BERT), a Keras .h5/.keras
                                             (weights-only: with --config or a Keras Applications --arch,
                                             recognised from the file name), or a .tflite (int8 as QDQ, or
                                             float with --dequantize), or TensorFlow (a SavedModel folder or
                                             TF Hub .tar.gz frozen at --signature; a frozen .pb; a tfjs graph
                                             model; --inputs/--outputs start or end at named tensors);
                                             --nchw for an NCHW image interface;
                                             SOURCE may be a library entry; --reference checks the result on
                                             an .npz input/output pair (relL2 ≤ 1e-4)
  omnihub convert FILE.pt -o OUT.safetensors  a PyTorch state dict as safetensors (no pickle left)
  omnihub freeze SAVEDMODEL_DIR|ARCHIVE.tar.gz [--signature S] -o OUT.pb
                                             a SavedModel signature frozen into a standalone GraphDef
                                             (variables as constants, functions inlined)
  omnihub inject MODEL.onnx WEIGHTS -o OUT.onnx [--strict] [--map MAP.json]
                                             put a state dict's tensors (.pt/.pth/.safetensors) into the
                                             model's initializers of the same names (MAP: {"weight": "init"})`;

type ReadBytes = (path: string) => Promise<Uint8Array>;

interface Parsed {
  positional: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

function parse(args: string[], valueFlags: string[], switchFlags: string[], usage: string): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (valueFlags.includes(arg)) {
      if (i + 1 >= args.length) throw new OmnihubError('usage', `${arg} needs a value\n${usage}`);
      flags.set(arg, args[++i]);
    } else if (switchFlags.includes(arg)) switches.add(arg);
    else if (arg.startsWith('-')) throw new OmnihubError('usage', `unknown option ${arg}\n${usage}`);
    else positional.push(arg);
  }
  return { positional, flags, switches };
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/** How deep a SOURCE folder is listed (a SavedModel keeps its weights in variables/). */
const MAX_FOLDER_DEPTH = 4;

async function listFolder(root: string, readBytes: ReadBytes, prefix = '', depth = 0): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const path = join(root, rel);
    const fileStat = await stat(path);
    if (fileStat.isFile()) files.push({ path: rel, size: fileStat.size, read: () => readBytes(path) });
    else if (fileStat.isDirectory() && depth < MAX_FOLDER_DEPTH) files.push(...(await listFolder(root, readBytes, rel, depth + 1)));
  }
  return files;
}

/** The files of SOURCE: a file, the files of a folder (with its subfolders), or a library entry's files. */
async function sourceFiles(spec: string, cli: CliEnv, readBytes: ReadBytes): Promise<{ files: SourceFile[]; from: string }> {
  if (await exists(spec)) {
    const s = await stat(spec);
    if (!s.isDirectory()) return { files: [{ path: basename(spec), size: s.size, read: () => readBytes(spec) }], from: spec };
    return { files: await listFolder(spec, readBytes), from: spec };
  }
  let id;
  try {
    id = parseEntryId(spec);
  } catch {
    throw new OmnihubError('usage', `${spec}: no such file or folder, and not a library entry id <framework>/<name>`);
  }
  const store = new FolderLibrary({ env: cli.env });
  const entry = await store.get(`${id.framework}/${id.name}`);
  if (!entry) throw new OmnihubError('not-found', `${spec}: no such file or folder, and the library (${store.root}) has no such entry`);
  return {
    files: entry.files.map((f) => ({ path: f.path, size: f.size, read: async () => (await store.openFile(entry.id, f.path)).bytes() })),
    from: entry.id,
  };
}

function thresholdOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new OmnihubError('usage', `--external-data-threshold takes a number of bytes, got '${text}'`);
  return Number(text);
}

/** Loads the model in onnxruntime (and checks it against a reference pair); returns lines to print. */
async function checkInRuntime(model: ModelProto, referencePath: string | undefined, readBytes: ReadBytes): Promise<string[]> {
  const { ortRuntime } = await import('../validate/ort-runtime.js');
  const runtime = ortRuntime();
  const bytes = encodeModel(model);
  if (referencePath === undefined) {
    const session = await runtime.createSession(bytes);
    await session.release();
    return ['onnxruntime loads the result'];
  }
  const { checkAgainstReference } = await import('../validate/reference-check.js');
  const check = await checkAgainstReference(bytes, readNpz(await readBytes(referencePath)), runtime);
  const lines = check.outputs.map((o) => `  ${o.name} vs '${o.expected}' [${o.dims.join(', ')}]: relL2 ${o.relL2.toExponential(2)}, max |Δ| ${o.maxAbs.toExponential(2)}${o.passed ? '' : ' — OUTSIDE the tolerance'}`);
  const head = `checked against ${basename(referencePath)} in onnxruntime${check.defaultedInputs.length ? ` (${check.defaultedInputs.join(', ')} given neutral values)` : ''}:`;
  if (!check.passed) {
    throw new OmnihubError('mismatch', [`the converted model does not reproduce ${basename(referencePath)} (tolerance relL2 ${check.tolerance}); nothing written`, ...lines].join('\n'));
  }
  return [head, ...lines];
}

/** A protobuf file cannot hold 2 GiB; models with more weights than this keep them in a side file. */
const INLINE_WEIGHT_LIMIT = 1.9 * 2 ** 30;

function weightBytes(model: ModelProto): number {
  return (model.graph?.initializer ?? []).reduce((n, t) => n + tensorByteLength(t), 0);
}

async function writeModel(model: ModelProto, output: string, threshold: number | undefined): Promise<string> {
  const saved = saveModel(model, { externalDataThreshold: threshold ?? (weightBytes(model) > INLINE_WEIGHT_LIMIT ? 1024 : undefined), modelFileName: basename(output) });
  // Side file first: a model file never points at data that is not there yet.
  if (saved.externalData) await writeFileAtomic(join(dirname(output), saved.externalData.location), saved.externalData.chunks, { sync: false });
  await writeFileAtomic(output, saved.modelChunks, { sync: false });
  const side = saved.externalData ? ` + ${saved.externalData.location} (${saved.externalData.byteLength} bytes)` : '';
  return `wrote ${output} (${saved.modelByteLength} bytes)${side}`;
}

export async function convertCommand(args: string[], io: CliIo, cli: CliEnv, usage: string, readBytes: ReadBytes): Promise<void> {
  const a = parse(args, ['-o', '--output', '--arch', '--task', '--num-classes', '--reference', '--external-data-threshold', '--include-top', '--config', '--signature', '--inputs', '--outputs'], ['--nchw', '--dequantize'], usage);
  const output = a.flags.get('-o') ?? a.flags.get('--output');
  if (a.positional.length !== 1 || !output) throw new OmnihubError('usage', `convert takes SOURCE and -o OUT\n${usage}`);
  const { files, from } = await sourceFiles(a.positional[0], cli, readBytes);

  if (/\.safetensors$/i.test(output)) {
    if (files.length !== 1) throw new OmnihubError('usage', `convert … -o ${basename(output)} takes one PyTorch file, not ${files.length} files`);
    const result = torchToSafetensors(await files[0].read());
    await writeFileAtomic(output, result.chunks, { sync: false });
    io.out(`${result.report.tensors} tensors, ${result.report.bytes.toLocaleString('en-US')} bytes of weights`);
    for (const note of result.report.notes) io.out(`note: ${note}`);
    io.out(`wrote ${output}`);
    return;
  }
  if (!/\.onnx$/i.test(output)) throw new OmnihubError('usage', `-o must name an .onnx or .safetensors file, got ${output}`);
  const numClasses = a.flags.get('--num-classes');
  if (numClasses !== undefined && !/^[1-9]\d*$/.test(numClasses)) throw new OmnihubError('usage', `--num-classes takes a positive whole number, got '${numClasses}'`);
  const task = a.flags.get('--task');
  if (task !== undefined && task !== 'default' && task !== 'sequence-classification') throw new OmnihubError('usage', `--task is 'default' or 'sequence-classification', got '${task}'`);
  const threshold = thresholdOf(a.flags.get('--external-data-threshold'));
  const includeTop = a.flags.get('--include-top');
  if (includeTop !== undefined && includeTop !== 'true' && includeTop !== 'false') throw new OmnihubError('usage', `--include-top is true or false, got '${includeTop}'`);
  const config = a.flags.get('--config');
  if (config !== undefined) files.push({ path: basename(config), size: (await stat(config)).size, read: () => readBytes(config) });

  const { model, report } = await convertToOnnx(files, {
    arch: a.flags.get('--arch'),
    includeTop: includeTop === undefined ? undefined : includeTop === 'true',
    nchw: a.switches.has('--nchw'),
    signature: a.flags.get('--signature'),
    tensorInputs: listFlag(a.flags.get('--inputs')),
    tensorOutputs: listFlag(a.flags.get('--outputs')),
    dequantize: a.switches.has('--dequantize'),
    task,
    numClasses: numClasses === undefined ? undefined : Number(numClasses),
    onProgress: (phase) => { if (cli.interactive) io.err(`\r\x1b[K${phase}…`); },
  });
  if (cli.interactive) io.err('\r\x1b[K');
  io.out(`${from}: ${report.converter} ${report.architecture}, ${report.parameters.toLocaleString('en-US')} parameters from ${report.files.join(', ')} (${report.weightsFormat})`);
  for (const note of report.notes) io.out(`note: ${note}`);
  if (report.unusedWeights.length) io.out(`unused weights (${report.unusedWeights.length}): ${report.unusedWeights.slice(0, 10).join(', ')}${report.unusedWeights.length > 10 ? ', …' : ''}`);
  if (weightBytes(model) > INLINE_WEIGHT_LIMIT) io.out('note: over 2 GB of weights: not loaded in onnxruntime here; the weights go to a side file');
  else for (const line of await checkInRuntime(model, a.flags.get('--reference'), readBytes)) io.out(line);
  io.out(await writeModel(model, output, threshold));
}

/** `omnihub freeze SAVEDMODEL_DIR|ARCHIVE -o OUT.pb`: TensorFlow's freeze (the ONNX `freeze` takes .onnx files). */
export async function freezeTensorFlowCommand(args: string[], io: CliIo, cli: CliEnv, usage: string, readBytes: ReadBytes): Promise<void> {
  const a = parse(args, ['-o', '--output', '--signature'], [], usage);
  const output = a.flags.get('-o') ?? a.flags.get('--output');
  if (a.positional.length !== 1 || !output) throw new OmnihubError('usage', `freeze takes a SavedModel folder or a TF Hub archive and -o OUT.pb\n${usage}`);
  const { files, from } = await sourceFiles(a.positional[0], cli, readBytes);
  const frozen = await freezeTensorFlow(files, { signature: a.flags.get('--signature') });
  const r = frozen.report;
  io.out(`${from}: signature '${r.signature}' of ${r.signatures.length} (${r.signatures.join(', ')}), tags [${r.tags.join(', ')}]`);
  io.out(`${r.variablesFrozen} variables frozen as constants, ${r.inlinedFunctions} function calls inlined, ${r.nodes} nodes`);
  io.out(`inputs: ${frozen.inputs.map((t) => `${t.tensor}`).join(', ')}; outputs: ${frozen.outputs.map((t) => `${t.tensor}`).join(', ')}`);
  for (const note of r.notes) io.out(`note: ${note}`);
  const bytes = writeGraphDef(frozen.graphDef);
  await writeFileAtomic(output, [bytes], { sync: false });
  io.out(`wrote ${output} (${bytes.length} bytes)`);
}

/** Whether `freeze` ARGS mean TensorFlow's freeze: a .pb output, or a SavedModel folder / TF Hub archive input. */
export async function isTensorFlowFreeze(args: string[]): Promise<boolean> {
  const o = args.findIndex((x) => x === '-o' || x === '--output');
  if (o >= 0 && /\.pb$/i.test(args[o + 1] ?? '')) return true;
  const input = args.find((x, i) => !x.startsWith('-') && (i === 0 || !args[i - 1].startsWith('-')));
  if (!input) return false;
  if (/\.(tar\.gz|tgz)$/i.test(input)) return true;
  return stat(join(input, 'saved_model.pb')).then((s) => s.isFile(), () => false);
}

function listFlag(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((t) => t.trim()).filter(Boolean);
}

export async function injectCommand(args: string[], io: CliIo, _cli: CliEnv, usage: string, readBytes: ReadBytes): Promise<void> {
  const a = parse(args, ['-o', '--output', '--map', '--external-data-threshold'], ['--strict'], usage);
  const output = a.flags.get('-o') ?? a.flags.get('--output');
  if (a.positional.length !== 2 || !output) throw new OmnihubError('usage', `inject takes MODEL.onnx, WEIGHTS and -o OUT.onnx\n${usage}`);
  const [modelPath, weightsPath] = a.positional;
  const threshold = thresholdOf(a.flags.get('--external-data-threshold'));
  let nameMap: Record<string, string> | undefined;
  const mapPath = a.flags.get('--map');
  if (mapPath !== undefined) {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(await readBytes(mapPath)));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
      throw new OmnihubError('usage', `${mapPath} must be a JSON object mapping weight names to initializer names`);
    }
    nameMap = parsed as Record<string, string>;
  }
  const { model } = await openModel(await readBytes(modelPath), folderReader(dirname(modelPath)));
  const weights = readWeights(await readBytes(weightsPath), basename(weightsPath));
  const { model: injected, report } = injectWeights(model, weights.tensors, { nameMap, strict: a.switches.has('--strict') });
  io.out(`${report.matched.length} of ${weights.tensors.size} tensors injected into ${basename(modelPath)}`);
  for (const u of report.unmatched) io.out(`  not injected: ${u.name} (${u.reason})`);
  if (report.untouched.length) io.out(`  initializers kept as they were (${report.untouched.length}): ${report.untouched.slice(0, 10).join(', ')}${report.untouched.length > 10 ? ', …' : ''}`);
  io.out(await writeModel(injected, output, threshold));
}
