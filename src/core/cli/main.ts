/**
 * `omnihub` command line: the same core as the web app, on files. Bad input ends with exit code 1 and one line on
 * stderr (the core's typed error message), never a stack trace.
 */
import { dirname, basename } from 'node:path';
import { decodeModel } from '../onnx/codec.js';
import { openModel, saveModel } from '../onnx/model-file.js';
import { summarizeModel, type ModelSummary } from '../onnx/summary.js';
import { folderReader, readWholeFile } from './node-files.js';
import { writeFileAtomic } from '../library/folder-files.js';
import { OmnihubError } from '../errors.js';
import { compareCommand } from './compare-command.js';
import { REWRITE_COMMANDS, REWRITE_USAGE, rewriteCommand } from './rewrite-commands.js';
import { EXPORT_TRANSFORMERS_JS_USAGE, exportTransformersJsCommand } from './export-command.js';
import { CONVERT_USAGE, convertCommand, freezeTensorFlowCommand, injectCommand, isTensorFlowFreeze } from './convert-commands.js';
import { downloadCommand, exportCommand, listCommand, removeCommand, type CliEnv, type CliIo } from './library-commands.js';

const VALUE_FLAGS: Record<string, string> = { '-o': 'output', '--output': 'output', '--external-data-threshold': 'threshold', '--revision': 'revision', '--inputs': 'inputs', '--seed': 'seed' };

const USAGE = `usage:
  omnihub inspect FILE [--json]
  omnihub roundtrip IN -o OUT [--external-data-threshold BYTES]
  omnihub download SOURCE [--revision R]     SOURCE: hf:owner/repo[/path], keras:NAME, torchvision:NAME,
                                             onnx-zoo:NAME or an https:// URL (HF_ENDPOINT, HF_TOKEN are read)
  omnihub ls [--json]                        the library ($OMNIHUB_HOME, else ~/.omnihub)
  omnihub rm ENTRY
  omnihub export ENTRY DIR
${EXPORT_TRANSFORMERS_JS_USAGE}
  omnihub compare A B [--inputs X.npz] [--seed N] [--json]
                                             run both models in onnxruntime on the same inputs (from the .npz,
                                             else seeded random: floats uniform in [0,1), ints in [0,10)); A is
                                             the reference
${REWRITE_USAGE}
${CONVERT_USAGE}`;

type Io = CliIo;

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readWholeFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OmnihubError('usage', code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path}: is a folder, not a model file` : `${path}: cannot read (${code})`);
  }
}

function formatShape(shape: ModelSummary['inputs'][number]['shape']): string {
  return shape === null ? '(unknown rank)' : `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

function formatSummary(file: string, s: ModelSummary): string[] {
  const opsets = Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ');
  const lines = [
    `${basename(file)}: ONNX IR ${s.irVersion}, opset ${opsets}${s.producer ? `, made by ${s.producer} ${s.producerVersion}`.trimEnd() : ''}`,
    'inputs:',
    ...s.inputs.map((v) => `  ${v.name}: ${v.dtype} ${formatShape(v.shape)}`),
    'outputs:',
    ...s.outputs.map((v) => `  ${v.name}: ${v.dtype} ${formatShape(v.shape)}`),
    `nodes: ${s.nodes}${s.nodesTotal !== s.nodes ? ` (${s.nodesTotal} with ${s.subgraphs} subgraphs)` : ''}`,
    ...Object.entries(s.nodesByOp).map(([op, n]) => `  ${op} ×${n}`),
    `initializers: ${s.initializers}`,
    `parameters: ${s.parameters.toLocaleString('en-US')} (${Object.entries(s.parametersByDtype).map(([d, n]) => `${d} ${n.toLocaleString('en-US')}`).join(', ') || 'none'})`,
    `weight bytes: ${s.weightBytes.toLocaleString('en-US')}`,
  ];
  if (s.externalData.length) lines.push(`external data: ${s.externalData.join(', ')}`);
  return lines;
}

function parseArgs(args: string[]) {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') flags.set('json', true);
    else if (a in VALUE_FLAGS) {
      if (i + 1 >= args.length) throw new OmnihubError('usage', `${a} needs a value\n${USAGE}`);
      flags.set(VALUE_FLAGS[a], args[++i]);
    } else if (a.startsWith('-')) throw new OmnihubError('usage', `unknown option ${a}\n${USAGE}`);
    else positional.push(a);
  }
  return { positional, flags };
}

export async function main(argv: string[], io: Io, cli: CliEnv = { env: process.env, fetch: globalThis.fetch }): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === 'freeze' && (await isTensorFlowFreeze(rest))) {
      await freezeTensorFlowCommand(rest, io, cli, USAGE, readBytes);
      return 0;
    }
    // Rewrites take their steps' options as flags, so they parse their own arguments.
    if (REWRITE_COMMANDS.includes(command)) return await rewriteCommand(command, rest, io, cli, USAGE, readBytes);
    if (command === 'convert' || command === 'inject') {
      await (command === 'convert' ? convertCommand : injectCommand)(rest, io, cli, USAGE, readBytes);
      return 0;
    }
    if (command === 'export-transformers-js') {
      await exportTransformersJsCommand(rest, io, cli, USAGE, readBytes);
      return 0;
    }
    const { positional, flags } = parseArgs(rest);
    if (command === 'inspect' && positional.length === 1) {
      // The summary needs only the model file: external tensors are counted from their recorded lengths.
      const summary = summarizeModel(decodeModel(await readBytes(positional[0])));
      if (flags.get('json')) io.out(JSON.stringify(summary, null, 2));
      else formatSummary(positional[0], summary).forEach((l) => io.out(l));
      return 0;
    }
    if (command === 'roundtrip' && positional.length === 1 && typeof flags.get('output') === 'string') {
      const output = flags.get('output') as string;
      const thresholdFlag = flags.get('threshold');
      let threshold: number | undefined;
      if (typeof thresholdFlag === 'string') {
        if (!/^\d+$/.test(thresholdFlag)) throw new OmnihubError('usage', `--external-data-threshold takes a number of bytes, got '${thresholdFlag}'`);
        threshold = Number(thresholdFlag);
      }
      const { model } = await openModel(await readBytes(positional[0]), folderReader(dirname(positional[0])));
      const saved = saveModel(model, { externalDataThreshold: threshold, modelFileName: basename(output) });
      // Side file first: a model file never points at data that is not there yet.
      // A converted model is written atomically but not fsynced: it can be made again; the library's own files are.
      if (saved.externalData) await writeFileAtomic(`${dirname(output)}/${saved.externalData.location}`, saved.externalData.chunks, { sync: false });
      await writeFileAtomic(output, saved.modelChunks, { sync: false });
      const side = saved.externalData ? ` + ${saved.externalData.location} (${saved.externalData.byteLength} bytes, ${saved.externalData.tensors} tensors)` : '';
      io.out(`wrote ${output} (${saved.modelByteLength} bytes)${side}`);
      return 0;
    }
    const revision = flags.get('revision');
    if (command === 'download' && positional.length === 1) {
      await downloadCommand(positional[0], { revision: typeof revision === 'string' ? revision : undefined }, io, cli);
      return 0;
    }
    if (command === 'ls' && positional.length === 0) {
      await listCommand({ json: flags.get('json') === true }, io, cli);
      return 0;
    }
    if (command === 'rm' && positional.length === 1) {
      await removeCommand(positional[0], io, cli);
      return 0;
    }
    if (command === 'export' && positional.length === 2) {
      await exportCommand(positional[0], positional[1], io, cli);
      return 0;
    }
    if (command === 'compare' && positional.length === 2) {
      const seed = flags.get('seed');
      const inputs = flags.get('inputs');
      await compareCommand(positional[0], positional[1], {
        inputs: typeof inputs === 'string' ? inputs : undefined,
        seed: typeof seed === 'string' ? seed : undefined,
        json: flags.get('json') === true,
      }, io, readBytes);
      return 0;
    }
    io.err(USAGE);
    return 2;
  } catch (e) {
    if (e instanceof OmnihubError) {
      io.err(`omnihub: ${e.message}`);
      return e.code === 'usage' && e.message.includes('usage:') ? 2 : 1;
    }
    io.err(`omnihub: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
