/**
 * The float16 check: convert, run the float32 model and the converted one side by side on sample inputs with every
 * intermediate value exposed, and keep in float32 the ops where float16 breaks the numbers (mixed precision), until
 * the outputs agree with float32 or a few rounds have passed. The motivating failure: onnxruntime's own converter
 * turns a real PaddleOCR detector's output into garbage (SQNR −132 dB) without a word; this never ships such a model.
 *
 * What is run is an emulation of the converted model in float32 (emulateLowPrecision): its weights hold the exact
 * float16 values, and every value the converted model keeps in float16 goes through Cast(float16) → Cast(float32)
 * where it is made. That is "float16 storage, float32 arithmetic", the same on every runtime. The converted model
 * itself is not a faithful witness on onnxruntime's CPU (wasm) backend: it has float16 kernels for almost nothing,
 * so it computes in float32 between inserted Casts and then drops the Cast pairs between neighbours; an
 * intermediate that overflows float16 on a GPU (WebGPU's float16 kernels) never does there. The converted model is
 * still run at the end, as it ships, to show that it loads and what it gives on this runtime.
 *
 * The rules, per main-graph node (a node's SQNR is the lowest over its float outputs, against float32, over all
 * samples, at positions where both are finite):
 * 1. Range (float16 only; bfloat16 has float32's range): a value the float32 run makes beyond float16's range
 *    (finite |x| > 65504) cannot exist in float16, and one whose every element is under float16's smallest normal
 *    (0 < max |x| < 2^-14 ≈ 6.1e-5) only exists there as subnormals, with a few bits or none (under 2^-25 it is 0).
 *    Its producer and every reader stay float32, so the value never passes through float16 (a sample input out of
 *    range: its readers stay float32).
 * 2. Non-finite: the emulation gives ±∞/NaN where float32 is finite.
 * 3. Collapse: SQNR below 20 dB while also 20 dB below the median node SQNR (float16's rounding alone gives
 *    60–100 dB, so a node far below the rest is where the error starts, not where it accumulates).
 * A node flagged by 2 or 3 is blamed only when none of the nodes making its inputs is flagged (the error starts
 * there, everything downstream inherits it). A blamed node goes float32; blamed again once float32, its producers
 * and readers go float32 too (its inputs need more precision than float16 gives them). Rounds repeat while they
 * find something new, at most MAX_ROUNDS. Then the outputs of the final model (emulated, and as it runs here) are
 * measured: an output with ±∞/NaN where float32 is finite, or SQNR under OUTPUT_MIN_SQNR_DB (relL2 above ~3 %), is
 * an error, not a result.
 */
import { encodeModel, onnx, type ModelProto } from '../../onnx/codec.js';
import { DataType, bfloat16ToFloat32, float16ToFloat32, tensorDims, tensorToFloat32 } from '../../onnx/tensor.js';
import type { RuntimeTensor } from '../../onnx/runtime-tensor.js';
import { summarizeModel } from '../../onnx/summary.js';
import { walkGraphs } from '../../onnx/walk.js';
import { randomInputs } from '../../validate/inputs.js';
import type { CompareRuntime, RuntimeTensorLike } from '../../validate/compare.js';
import { OmnihubError } from '../../errors.js';
import { throwIfStopped } from '../abort.js';
import { cloneModel, floatTensor, GraphIndex, makeNode, nameFactory, opsetVersion, type Node, type ValueInfo } from '../graph.js';
import { inferShapes } from '../simplify/shape-inference.js';
import type { RewriteContext } from '../types.js';
import { FP16_MAX, toFloat16Bits } from './bits.js';

/** float16's smallest normal, 2^-14: below it a value keeps fewer than 11 significant bits, and under 2^-25 none. */
const FP16_MIN_NORMAL = 2 ** -14;
import { convertModel, retyped, type ConvertOutput, type ConvertSettings } from './convert.js';

export const COLLAPSE_DB = 20;
export const COLLAPSE_BELOW_MEDIAN_DB = 20;
export const OUTPUT_MIN_SQNR_DB = 30;
export const MAX_ROUNDS = 6;
/** Samples the check runs at most (the first ones given). */
export const MAX_CHECK_SAMPLES = 8;

export interface KeptNode {
  /** Index in the input model's main graph. */
  index: number;
  op: string;
  name: string;
  reason: string;
}

export interface CheckedOutput {
  name: string;
  sqnrDb: number;
  relL2: number;
  /** Elements that are ±∞/NaN in the converted model but finite in float32. */
  nonFinite: number;
}

export interface Float16Check {
  samples: number;
  /** True when the caller gave no samples and seeded random inputs were used. */
  randomInputs: boolean;
  /** Emulated models run (each with every intermediate exposed). */
  rounds: number;
  /** Main-graph nodes the check kept in float32, in graph order. */
  kept: KeptNode[];
  /** The final model's outputs against float32, emulated (float16 storage, float32 arithmetic): what the check vouches for. */
  outputs: CheckedOutput[];
  /** The same, as the final model runs on the runtime given; absent when that runtime cannot run it (bfloat16). */
  runtimeOutputs?: CheckedOutput[];
  /** Why runtimeOutputs is absent. */
  runtimeNote?: string;
  /** Median node SQNR of the last round (dB). */
  medianNodeSqnrDb: number;
  /** Where the last round still saw the low type break the numbers (empty when it found nothing). */
  unresolved: KeptNode[];
}

const FLOAT = DataType.FLOAT;
const LOW = new Set<number>([DataType.FLOAT16, DataType.BFLOAT16]);

interface Acc {
  ref2: number;
  diff2: number;
  nonFinite: number;
}

const newAcc = (): Acc => ({ ref2: 0, diff2: 0, nonFinite: 0 });

function sqnrOf(a: Acc): number {
  if (a.diff2 === 0) return Infinity;
  if (a.ref2 === 0) return NaN; // float32 is all zeros: nothing to measure against
  return 10 * Math.log10(a.ref2 / a.diff2);
}

function accumulate(acc: Acc, ref: Float32Array, got: Float32Array): void {
  const n = Math.min(ref.length, got.length);
  for (let i = 0; i < n; i++) {
    const r = ref[i];
    const g = got[i];
    if (!Number.isFinite(r)) continue;
    if (!Number.isFinite(g)) {
      acc.nonFinite++;
      continue;
    }
    acc.ref2 += r * r;
    acc.diff2 += (g - r) * (g - r);
  }
}

function asFloat32(t: RuntimeTensorLike): Float32Array | undefined {
  const data = t.data as ArrayLike<number>;
  if (t.type === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data);
  if (t.type === 'float16') return data instanceof Uint16Array ? Float32Array.from(data, float16ToFloat32) : Float32Array.from(data);
  if (t.type === 'bfloat16') return Float32Array.from(data as Uint16Array, bfloat16ToFloat32);
  if (t.type === 'float64') return Float32Array.from(data);
  return undefined;
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(1));

function checkedOutput(name: string, a: Acc): CheckedOutput {
  return { name, sqnrDb: sqnrOf(a), relL2: a.ref2 > 0 ? Math.sqrt(a.diff2 / a.ref2) : a.diff2 > 0 ? Infinity : 0, nonFinite: a.nonFinite };
}

const broken = (o: CheckedOutput) => o.nonFinite > 0 || o.sqnrDb < OUTPUT_MIN_SQNR_DB || (Number.isNaN(o.sqnrDb) && o.relL2 > 0);

/**
 * A float32 model that computes what a converted (float16 or bfloat16) model computes on hardware with native
 * low-precision kernels: every float16/bfloat16 weight holds its exact low-precision value in float32, and every
 * value the converted model holds in the low type is rounded to it where it is made — its node's output goes
 * through Cast(to=low) → Cast(to=float32) — so overflow gives ±∞ and rounding is applied at every step. The
 * arithmetic itself is float32 (a GPU kernel may also accumulate in float16: the emulation does not see that).
 * Types come from the converted model's value_info and declared inputs/outputs (convert.ts writes them all).
 */
export function emulateLowPrecision(model: ModelProto): ModelProto {
  const copy = cloneModel(model);
  const fresh = nameFactory(copy);
  for (const { graph } of walkGraphs(copy)) {
    const types = new Map<string, number>();
    for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])]) if (v.name) types.set(v.name, v.type?.tensor_type?.elem_type ?? 0);
    graph.initializer = (graph.initializer ?? []).map((t) => (LOW.has(t.data_type ?? 0) ? floatTensor(t.name ?? '', tensorDims(t), tensorToFloat32(t)) : t));
    const nodes: Node[] = [];
    for (const node of graph.node ?? []) {
      nodes.push(node);
      const outputs = node.output ?? [];
      outputs.forEach((o, i) => {
        const type = types.get(o) ?? 0;
        if (!o || !LOW.has(type)) return;
        // cloneModel gave the node its own output list.
        const raw = fresh(`${o}_unrounded`);
        const low = fresh(`${o}_rounded`);
        outputs[i] = raw;
        nodes.push(makeNode('Cast', [raw], [low], fresh(`${low}_cast`), { to: type }), makeNode('Cast', [low], [o], fresh(`${o}_cast`), { to: FLOAT }));
      });
    }
    graph.node = nodes;
    const toFloat = (v: ValueInfo) => (LOW.has(v.type?.tensor_type?.elem_type ?? 0) ? retyped(v, FLOAT) : v);
    graph.input = (graph.input ?? []).map(toFloat);
    graph.output = (graph.output ?? []).map(toFloat);
    // Types are all float32 now; onnxruntime infers them again.
    graph.value_info = [];
  }
  return copy;
}

/**
 * A copy of the model whose outputs also give `names` as float32 (through a Cast when the value is float16 or
 * bfloat16). Returns the bytes and, per name, the output that carries it.
 */
function exposing(model: ModelProto, names: Iterable<string>, typeOf: (name: string) => number): { bytes: Uint8Array; outputOf: Map<string, string> } {
  const copy = cloneModel(model);
  const graph = copy.graph!;
  const fresh = nameFactory(copy);
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const outputOf = new Map<string, string>();
  for (const name of names) {
    const type = typeOf(name);
    if (outputs.has(name)) {
      if (type === FLOAT) outputOf.set(name, name);
      continue;
    }
    let out = name;
    if (LOW.has(type)) {
      out = fresh(`${name}_check_float32`);
      graph.node!.push(makeNode('Cast', [name], [out], fresh(`${out}_cast`), { to: FLOAT }));
    } else if (type !== FLOAT) continue;
    graph.output!.push(new onnx.ValueInfoProto({ name: out, type: new onnx.TypeProto({ tensor_type: new onnx.TypeProto.Tensor({ elem_type: FLOAT }) }) }));
    outputs.add(out);
    outputOf.set(name, out);
  }
  return { bytes: encodeModel(copy), outputOf };
}

class LoadError extends OmnihubError {}

async function runEach(
  runtime: CompareRuntime,
  bytes: Uint8Array,
  samples: Array<Record<string, RuntimeTensor>>,
  what: string,
  visit: (sample: number, outputs: Record<string, RuntimeTensorLike>) => void,
): Promise<void> {
  let session;
  try {
    session = await runtime.createSession(bytes);
  } catch (e) {
    throw new LoadError('runtime', `float16 check: onnxruntime cannot load the ${what} (${(e as Error).message})`, { cause: e });
  }
  try {
    for (const [k, sample] of samples.entries()) {
      const missing = session.inputNames.filter((n) => !(n in sample));
      if (missing.length) throw new OmnihubError('usage', `float16 check: sample ${k + 1} has no value for input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`);
      let out;
      try {
        out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, sample[n]])));
      } catch (e) {
        throw new OmnihubError('runtime', `float16 check: onnxruntime cannot run the ${what} (${(e as Error).message})`, { cause: e });
      }
      visit(k, out);
    }
  } finally {
    await session.release();
  }
}

/** Float32 inputs of a sample as float16 bits, for a model whose inputs were converted (keepIoTypes false). */
function lowInputs(sample: Record<string, RuntimeTensor>, lowNames: ReadonlySet<string>): Record<string, RuntimeTensor> {
  const out: Record<string, RuntimeTensor> = {};
  for (const [name, t] of Object.entries(sample)) {
    out[name] = lowNames.has(name) && t.type === 'float32' ? { type: 'float16', data: Uint16Array.from(t.data as Float32Array, toFloat16Bits), dims: t.dims } : t;
  }
  return out;
}

export async function checkedConversion(model: ModelProto, settings: ConvertSettings, context: RewriteContext): Promise<{ output: ConvertOutput; check: Float16Check }> {
  const runtime = context.runtime;
  if (!runtime) throw new OmnihubError('usage', 'float16: the check runs the model in onnxruntime, and none was given (or set check: false)');
  const random = !context.samples?.length;
  const samples = random ? [randomInputs(summarizeModel(model))] : context.samples!.slice(0, MAX_CHECK_SAMPLES);

  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const types = inferShapes(graph, opsetVersion(model));
  const index = new GraphIndex(graph);
  const nodeIndex = new Map<Node, number>(nodes.map((n, i) => [n, i]));
  const producerOf = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producerOf.set(o, i)));
  const floatOutputs = (graph.output ?? []).filter((o) => o.name && (o.type?.tensor_type?.elem_type ?? types.get(o.name)?.elemType) === FLOAT).map((o) => o.name!);
  const watched = [...new Set([...[...producerOf.keys()].filter((n) => types.get(n)?.elemType === FLOAT), ...floatOutputs])];
  const label = (i: number) => {
    const n = nodes[i];
    return n.name ? `${n.op_type} '${n.name}'` : `${n.op_type} (output '${(n.output ?? [])[0]}')`;
  };
  const readers = (name: string) => index.uses(name).map((n) => nodeIndex.get(n)).filter((i): i is number => i !== undefined);

  // Float32: every intermediate, once.
  const fp32 = exposing(model, watched, () => FLOAT);
  const reference: Array<Map<string, Float32Array>> = samples.map(() => new Map());
  try {
    await runEach(runtime, fp32.bytes, samples, 'float32 model', (k, out) => {
      for (const [name, o] of fp32.outputOf) {
        const t = out[o];
        const v = t && asFloat32(t);
        // A copy: the runtime may reuse its buffers for the next run.
        if (v) reference[k].set(name, Float32Array.from(v));
      }
    });
  } catch (e) {
    if (!random || !(e instanceof OmnihubError)) throw e;
    throw new OmnihubError(e.code, `${e.message}; its inputs were seeded random ones with unknown dimensions set to 1: give samples`, { cause: e });
  }

  const kept = new Map<number, string>();
  const keep = (i: number, reason: string) => {
    if (!kept.has(i)) kept.set(i, reason);
  };

  // Rule 1: values beyond float16's range, or wholly under its normal range, stay float32 from producer to readers.
  if (settings.type === 'float16') {
    const largest = new Map<string, number>();
    const note = (name: string, values: Float32Array) => {
      let max = largest.get(name) ?? 0;
      for (const x of values) if (Number.isFinite(x) && Math.abs(x) > max) max = Math.abs(x);
      largest.set(name, max);
    };
    for (const ref of reference) for (const [name, v] of ref) note(name, v);
    for (const sample of samples) for (const [name, t] of Object.entries(sample)) if (t.type === 'float32') note(name, t.data as Float32Array);
    for (const [name, max] of largest) {
      let why: string;
      if (max > FP16_MAX) why = `float32 values reach ${fmt(max)}, beyond float16's 65504`;
      else if (max > 0 && max < FP16_MIN_NORMAL) why = `float32 values stay below ${fmt(max * 1.0001)}, under float16's smallest normal 6.10e-5`;
      else continue;
      const p = producerOf.get(name);
      if (p !== undefined) keep(p, why);
      for (const r of readers(name)) keep(r, `reads '${name}' (${why})`);
    }
  }

  const settingsNow = (keepIo: boolean): ConvertSettings => ({ ...settings, keepIoTypes: keepIo, blockedMain: new Set(kept.keys()) });
  /** The emulation of the model converted with what is kept now (keep-io: float32 feeds), run on every sample. */
  const emulate = async (names: readonly string[]) => {
    const converted = convertModel(model, settingsNow(true));
    const low = exposing(emulateLowPrecision(converted.model), names, (n) => (converted.mainTypes.get(n) === FLOAT || LOW.has(converted.mainTypes.get(n) ?? 0) ? FLOAT : 0));
    const acc = new Map<string, Acc>();
    await runEach(runtime, low.bytes, samples, 'emulation of the converted model', (k, out) => {
      for (const [name, o] of low.outputOf) {
        const ref = reference[k].get(name);
        const t = out[o];
        const v = t && asFloat32(t);
        if (!ref || !v) continue;
        let a = acc.get(name);
        if (!a) acc.set(name, (a = newAcc()));
        accumulate(a, ref, v);
      }
    });
    return acc;
  };

  let rounds = 0;
  let median = NaN;
  let unresolved: KeptNode[] = [];
  let last: Map<string, Acc> | undefined;
  for (;;) {
    throwIfStopped(context.signal);
    context.onProgress?.({ fraction: rounds / (MAX_ROUNDS + 2), message: `float16 check, round ${rounds + 1}` });
    rounds++;
    const acc = await emulate(watched);

    // Per node: lowest SQNR over its float outputs, and non-finite counts.
    const nodeSqnr = new Map<number, number>();
    const nodeNonFinite = new Map<number, number>();
    for (const [name, a] of acc) {
      const i = producerOf.get(name);
      if (i === undefined) continue;
      const s = sqnrOf(a);
      if (!Number.isNaN(s)) nodeSqnr.set(i, Math.min(nodeSqnr.get(i) ?? Infinity, s));
      if (a.nonFinite) nodeNonFinite.set(i, (nodeNonFinite.get(i) ?? 0) + a.nonFinite);
    }
    // The median over the nodes still in the low type (float32 ones match float32 exactly or nearly).
    const sorted = [...nodeSqnr].filter(([i]) => !kept.has(i)).map(([, v]) => v).sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    median = sorted.length ? (sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2) : NaN;
    const limit = Math.min(COLLAPSE_DB, median - COLLAPSE_BELOW_MEDIAN_DB);
    const why = new Map<number, string>();
    for (const [i, n] of nodeNonFinite) why.set(i, `${n} inf/NaN value${n > 1 ? 's' : ''} in ${settings.type} where float32 is finite`);
    for (const [i, s] of nodeSqnr) if (!why.has(i) && s < limit) why.set(i, `SQNR ${fmt(s)} dB against float32 (median node ${fmt(median)} dB)`);
    // Blame where the error starts: a flagged node none of whose inputs comes from a flagged node.
    const origins = [...why.keys()]
      .filter((i) => !(nodes[i].input ?? []).some((name) => {
        const p = producerOf.get(name);
        return p !== undefined && p !== i && why.has(p);
      }))
      .sort((x, y) => x - y);
    let added = 0;
    for (const i of origins) {
      if (!kept.has(i)) {
        kept.set(i, why.get(i)!);
        added++;
        continue;
      }
      // Already float32 and still where the error starts: widen the region to its producers and readers.
      const around = new Set<number>();
      for (const name of nodes[i].input ?? []) {
        const p = producerOf.get(name);
        if (p !== undefined) around.add(p);
      }
      for (const name of nodes[i].output ?? []) for (const r of readers(name)) around.add(r);
      for (const j of [...around].sort((x, y) => x - y)) {
        if (kept.has(j)) continue;
        kept.set(j, `next to ${label(i)}, which still loses precision (${why.get(i)})`);
        added++;
      }
    }
    unresolved = origins.map((i) => ({ index: i, op: nodes[i].op_type ?? '', name: nodes[i].name ?? '', reason: why.get(i)! }));
    if (!added) {
      last = acc;
      break;
    }
    if (rounds >= MAX_ROUNDS) break;
  }

  // The outputs of the final choice, emulated (the last round's, when it changed nothing).
  const finalAcc = last ?? (await emulate(floatOutputs));
  const outputs = floatOutputs.map((name) => checkedOutput(name, finalAcc.get(name) ?? newAcc()));

  // The model that ships, run as it is on this runtime (bfloat16 inputs cannot be fed from JS: then its keep-io twin).
  context.onProgress?.({ fraction: (MAX_ROUNDS + 1) / (MAX_ROUNDS + 2), message: 'float16 check, the final model' });
  const output = convertModel(model, settingsNow(settings.keepIoTypes));
  const runnable = settings.keepIoTypes || settings.type === 'float16' ? output : convertModel(model, settingsNow(true));
  const lowNames = new Set((runnable.model.graph!.input ?? []).filter((v) => v.type?.tensor_type?.elem_type === DataType.FLOAT16).map((v) => v.name ?? ''));
  const realAcc = new Map<string, Acc>(floatOutputs.map((n) => [n, newAcc()]));
  let runtimeOutputs: CheckedOutput[] | undefined;
  let runtimeNote: string | undefined;
  try {
    await runEach(runtime, encodeModel(runnable.model), samples.map((s) => lowInputs(s, lowNames)), 'converted model', (k, out) => {
      for (const name of floatOutputs) {
        const ref = reference[k].get(name);
        const v = out[name] && asFloat32(out[name]);
        if (ref && v) accumulate(realAcc.get(name)!, ref, v);
      }
    });
    runtimeOutputs = floatOutputs.map((name) => checkedOutput(name, realAcc.get(name)!));
  } catch (e) {
    // A bfloat16 model onnxruntime's CPU backend has no kernels for is still a valid model (GPUs run it): the
    // emulation vouches for its numbers. A float16 model that does not load is a conversion bug: it fails here.
    if (!(e instanceof LoadError) || settings.type !== 'bfloat16') throw e;
    runtimeNote = e.message.replace(/^float16 check: /, '');
  }

  const keptList: KeptNode[] = [...kept].sort((x, y) => x[0] - y[0]).map(([i, reason]) => ({ index: i, op: nodes[i].op_type ?? '', name: nodes[i].name ?? '', reason }));
  const check: Float16Check = { samples: samples.length, randomInputs: random, rounds, kept: keptList, outputs, runtimeOutputs, runtimeNote, medianNodeSqnrDb: median, unresolved };

  const bad = [...outputs.filter(broken).map((o) => ({ o, where: `in ${settings.type} (emulated)` })), ...(runtimeOutputs ?? []).filter(broken).map((o) => ({ o, where: 'as it runs on this onnxruntime' }))];
  if (bad.length) {
    const what = bad
      .map(({ o, where }) => `'${o.name}' ${where} ${o.nonFinite ? `has ${o.nonFinite} inf/NaN values where float32 is finite` : `is at SQNR ${fmt(o.sqnrDb)} dB (relL2 ${o.relL2.toExponential(2)}) against float32`}`)
      .join('; ');
    throw new OmnihubError(
      'runtime',
      `float16: the converted model's output ${what}, after ${rounds} round${rounds > 1 ? 's' : ''} of the check keeping ${keptList.length} op${keptList.length === 1 ? '' : 's'} in float32 ` +
        `(floor: ${OUTPUT_MIN_SQNR_DB} dB, no inf/NaN): not shipping it. Keep more ops in float32 (nodeBlockList/opBlockList)${settings.type === 'float16' ? " or use type 'bfloat16'" : ''}.`,
    );
  }
  return { output, check };
}
