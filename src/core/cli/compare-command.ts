/** `omnihub compare A B`: both models in onnxruntime on the same inputs; A is the reference. */
import { basename, dirname } from 'node:path';
import { decodeModel, encodeModel } from '../onnx/codec.js';
import { openModel } from '../onnx/model-file.js';
import { folderReader } from './node-files.js';
import { summarizeModel } from '../onnx/summary.js';
import { readNpz } from '../formats/numpy/npz.js';
import { inputsFromNpz } from '../validate/inputs.js';
import type { CompareResult } from '../validate/compare.js';
import { OmnihubError } from '../errors.js';
import type { CliIo } from './library-commands.js';

export function formatNumber(x: number | null, digits = 4): string {
  if (x === null) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
}

/** The comparison as a table for people: one line per model, the inputs, then one row per output. */
export function formatComparison(fileA: string, fileB: string, r: CompareResult): string[] {
  const rows = [['output', 'max |Δ|', 'rel L2', 'SQNR dB', 'top-1 agree']];
  for (const o of r.outputs) rows.push([o.name, formatNumber(o.maxAbs), formatNumber(o.relL2), formatNumber(o.sqnrDb, 3), formatNumber(o.top1Agree, 3)]);
  const widths = rows[0].map((_, k) => Math.max(...rows.map((row) => row[k].length)));
  const lines = [
    `a: ${basename(fileA)} (${r.bytes.a.toLocaleString('en-US')} bytes, median ${formatNumber(r.latencyMs.a)} ms)`,
    `b: ${basename(fileB)} (${r.bytes.b.toLocaleString('en-US')} bytes, median ${formatNumber(r.latencyMs.b)} ms)`,
    `inputs: ${Object.entries(r.inputs).map(([n, t]) => `${n} ${t.type} [${t.dims.join(', ')}]`).join(', ')}; ${r.warmup} warm-up + ${r.runs} timed runs each`,
    ...rows.map((row) => row.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ').trimEnd()),
  ];
  if (r.unmatched.a.length) lines.push(`only in a: ${r.unmatched.a.join(', ')}`);
  if (r.unmatched.b.length) lines.push(`only in b: ${r.unmatched.b.join(', ')}`);
  return lines;
}

/** The comparison as `--json` prints it: outputs keyed by name. */
export function comparisonForJson(r: CompareResult) {
  const outputs = Object.fromEntries(r.outputs.map(({ name, ...rest }) => [name, rest]));
  return { ...r, outputs };
}

/** JSON has no Infinity or NaN: they are written as the strings "Infinity", "-Infinity" and "NaN". */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/**
 * The model's bytes as onnxruntime takes them: a model keeping weights in side files is read with them and
 * re-encoded with the data inline (byte for byte the same when it has none).
 */
export async function readModelWithData(path: string, readBytes: (path: string) => Promise<Uint8Array>): Promise<Uint8Array> {
  const bytes = await readBytes(path);
  const { model, externalTensors } = await openModel(bytes, folderReader(dirname(path)));
  return externalTensors > 0 ? encodeModel(model) : bytes;
}

export async function compareCommand(
  fileA: string,
  fileB: string,
  options: { inputs?: string; seed?: string; json: boolean },
  io: CliIo,
  readBytes: (path: string) => Promise<Uint8Array>,
): Promise<void> {
  if (options.seed !== undefined && !/^\d+$/.test(options.seed)) throw new OmnihubError('usage', `--seed takes a whole number, got '${options.seed}'`);
  const [a, b] = [await readModelWithData(fileA, readBytes), await readModelWithData(fileB, readBytes)];
  const inputs = options.inputs === undefined ? undefined : inputsFromNpz(summarizeModel(decodeModel(a)), readNpz(await readBytes(options.inputs)));
  // onnxruntime is loaded only for this command.
  const [{ compareModels }, { ortRuntime }] = await Promise.all([import('../validate/compare.js'), import('../validate/ort-runtime.js')]);
  const result = await compareModels(a, b, { runtime: ortRuntime(), inputs, random: { seed: options.seed === undefined ? 0 : Number(options.seed) } });
  if (options.json) io.out(toJsonText(comparisonForJson(result)));
  else formatComparison(fileA, fileB, result).forEach((l) => io.out(l));
}
