/**
 * Weight injection: loads named weights (a PyTorch state dict, a safetensors file …) into the initializers of an
 * ONNX model of the same architecture, e.g. a fine-tuned checkpoint into the graph exported from the base model.
 *
 * The input model is not modified: the result is a structural copy (cloneModel) whose written initializers are new
 * TensorProtos holding the weight's bytes as raw_data (the same bytes, not a copy, unless a dtype is converted);
 * every other tensor is shared with the input.
 *
 * Matching, in passes, each initializer taken at most once:
 * 1. `nameMap` (weight name → initializer name), when given;
 * 2. the exact name (torch.onnx keeps parameter names);
 * 3. the name with a `model.` / `module.` prefix removed or added (DataParallel, wrapper modules), when exactly one
 *    such initializer exists;
 * 4. a whole dotted suffix: an initializer `m.transformer.wpe.weight` for the weight `transformer.wpe.weight` (a
 *    wrapper module's attribute name in front, as the dynamo exporter writes), or the reverse, when exactly one
 *    initializer fits; the weight name must have at least two dotted parts;
 * 5. `onnx::` renames (`onnx::PRelu_30`, left by the TorchScript exporter for parameters it reshaped): only when the
 *    weights still unmatched and the `onnx::` initializers still free are equally many and agree pairwise, in order
 *    (state-dict order against initializer order), in shape (up to size-1 dimensions) and in castable dtype. Anything
 *    less certain is left unmatched: BatchNorm folded into convolutions also leaves `onnx::Conv_*` initializers, whose
 *    values are not any weight's.
 *
 * A pair found by name must then agree in shape (size-1 dimensions aside: the bytes are the same in C order) and
 * dtype; float weights convert between float32/float64/float16/bfloat16 when `allowCast` (default true), and each
 * conversion is reported. `num_batches_tracked` counters with no initializer are reported as skipped.
 */
import { OmnihubError } from '../errors.js';
import { onnx, has, type ModelProto } from '../onnx/codec.js';
import { tensorDims } from '../onnx/tensor.js';
import { walkGraphs } from '../onnx/walk.js';
import { cloneModel } from '../rewrites/graph.js';
import { narrowFloats } from '../rewrites/float16/bits.js';
import { elementCount, toFloat32, weightDtypeOfOnnx, type StateDict, type WeightDtype, type WeightTensor } from '../weights/types.js';

export interface InjectWeightsOptions {
  /** Weight name → initializer name, tried before any other rule. */
  nameMap?: Record<string, string>;
  /** Throw a 'mismatch' error when any weight is left unmatched (skipped counters do not count). Default false. */
  strict?: boolean;
  /** Convert float weights to the initializer's float type (float32/float64/float16/bfloat16). Default true. */
  allowCast?: boolean;
  /** Pair unmatched weights with `onnx::` initializers by shape and order (see the file comment). Default true. */
  matchOnnxRenames?: boolean;
}

export type MatchRule = 'name-map' | 'exact' | 'prefix' | 'suffix' | 'onnx-rename';

export interface InjectedWeight {
  weight: string;
  initializer: string;
  rule: MatchRule;
  /** Present when the dtype was converted. */
  cast?: { from: WeightDtype; to: WeightDtype; clamped: number };
  /** Present when the shapes differ only in size-1 dimensions (the initializer keeps its own). */
  reshaped?: { from: number[]; to: number[] };
}

export interface UnmatchedWeight {
  /** The weight's name. */
  name: string;
  kind: 'name' | 'shape' | 'dtype';
  /** 'no initializer of that name', 'shape [a] vs [b]', 'dtype float16 vs float32 …' */
  reason: string;
  /** The initializer the name pointed to, for shape and dtype mismatches. */
  initializer?: string;
}

export interface InjectReport {
  matched: InjectedWeight[];
  unmatched: UnmatchedWeight[];
  /** Weights deliberately not injected (num_batches_tracked counters with no initializer). */
  skipped: Array<{ name: string; reason: string }>;
  /** Initializers that kept their values, in model order. */
  untouched: string[];
  notes: string[];
}

export interface InjectWeightsResult {
  model: ModelProto;
  report: InjectReport;
}

interface InitializerRef {
  graph: onnx.IGraphProto;
  index: number;
  tensor: onnx.ITensorProto;
  name: string;
  /** Position among all initializers, model order. */
  order: number;
  written: boolean;
}

const FLOATS: ReadonlySet<WeightDtype> = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const PREFIXES = ['model.', 'module.'];

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;
const squeezed = (s: readonly number[]) => s.filter((d) => d !== 1).join(',');

function isCounter(name: string): boolean {
  return name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked');
}

function stripPrefixes(name: string): string {
  let base = name;
  for (let again = true; again; ) {
    again = false;
    for (const p of PREFIXES) {
      if (base.startsWith(p) && base.length > p.length) {
        base = base.slice(p.length);
        again = true;
      }
    }
  }
  return base;
}

/** The weight's bytes in the initializer's dtype, or undefined when no conversion applies. */
function convert(t: WeightTensor, to: WeightDtype): { bytes: Uint8Array; clamped: number } | undefined {
  if (!FLOATS.has(t.dtype) || !FLOATS.has(to)) return undefined;
  const f32 = toFloat32(t);
  const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (to) {
    case 'float32': return { bytes: asBytes(f32), clamped: 0 }; // a new array: the source is not float32
    case 'float64': return { bytes: asBytes(Float64Array.from(f32)), clamped: 0 };
    default: {
      const { bits, clamped } = narrowFloats(f32, to as 'float16' | 'bfloat16');
      return { bytes: asBytes(bits), clamped };
    }
  }
}

/** A new initializer with the same name, dims, type and doc string, holding `bytes` as raw_data. */
function withRawData(old: onnx.ITensorProto, bytes: Uint8Array): onnx.TensorProto {
  const t = new onnx.TensorProto({ name: old.name, dims: [...(old.dims ?? [])], data_type: old.data_type, raw_data: bytes });
  if (has(old, 'doc_string')) t.doc_string = old.doc_string ?? '';
  if (old.metadata_props?.length) t.metadata_props = old.metadata_props;
  return t;
}

export function injectWeights(model: ModelProto, tensors: StateDict, options: InjectWeightsOptions = {}): InjectWeightsResult {
  const allowCast = options.allowCast ?? true;
  const out = cloneModel(model);
  const report: InjectReport = { matched: [], unmatched: [], skipped: [], untouched: [], notes: [] };

  // Every initializer of every graph (subgraphs too); a name seen again in another graph is noted, first one wins.
  const refs: InitializerRef[] = [];
  const byName = new Map<string, InitializerRef>();
  for (const { graph, path } of walkGraphs(out)) {
    (graph.initializer ?? []).forEach((tensor, index) => {
      const name = tensor.name ?? '';
      const ref: InitializerRef = { graph, index, tensor, name, order: refs.length, written: false };
      refs.push(ref);
      if (byName.has(name)) report.notes.push(`Initializer '${name}' appears again in graph '${path}'; only the first one can receive a weight.`);
      else byName.set(name, ref);
    });
  }
  const claimed = new Set<InitializerRef>();
  const done = new Set<string>(); // weights matched, or paired by name and mismatched

  /** Checks and writes one pair; a name-based pair is final either way. */
  const pair = (w: WeightTensor, ref: InitializerRef, rule: MatchRule): void => {
    claimed.add(ref);
    done.add(w.name);
    const dims = tensorDims(ref.tensor);
    const target = weightDtypeOfOnnx(ref.tensor.data_type ?? 0);
    let reshaped: InjectedWeight['reshaped'];
    if (fmtShape(dims) !== fmtShape(w.shape)) {
      if (squeezed(dims) !== squeezed(w.shape) || elementCount(dims) !== elementCount(w.shape)) {
        report.unmatched.push({ name: w.name, kind: 'shape', reason: `shape ${fmtShape(w.shape)} vs ${fmtShape(dims)}`, initializer: ref.name });
        return;
      }
      reshaped = { from: w.shape, to: dims };
    }
    let bytes = w.bytes;
    let cast: InjectedWeight['cast'];
    if (target !== w.dtype) {
      const converted = target && allowCast ? convert(w, target) : undefined;
      if (!converted) {
        const why = !target ? ' (not a weight type)' : !allowCast && FLOATS.has(w.dtype) && FLOATS.has(target) ? ' (allowCast is off)' : ' (no conversion)';
        report.unmatched.push({ name: w.name, kind: 'dtype', reason: `dtype ${w.dtype} vs ${target ?? `ONNX type ${ref.tensor.data_type}`}${why}`, initializer: ref.name });
        return;
      }
      bytes = converted.bytes;
      cast = { from: w.dtype, to: target!, clamped: converted.clamped };
    }
    ref.graph.initializer![ref.index] = withRawData(ref.tensor, bytes);
    ref.written = true;
    const entry: InjectedWeight = { weight: w.name, initializer: ref.name, rule };
    if (cast) entry.cast = cast;
    if (reshaped) entry.reshaped = reshaped;
    report.matched.push(entry);
  };
  const free = (name: string): InitializerRef | undefined => {
    const ref = byName.get(name);
    return ref && !claimed.has(ref) ? ref : undefined;
  };
  const weights = [...tensors.values()];

  // 1. nameMap
  for (const [weight, initializer] of Object.entries(options.nameMap ?? {})) {
    const w = tensors.get(weight);
    if (!w) {
      report.notes.push(`nameMap names weight '${weight}', which is not among the weights.`);
      continue;
    }
    const ref = free(initializer);
    if (ref) pair(w, ref, 'name-map');
    else {
      done.add(weight);
      report.unmatched.push({ name: weight, kind: 'name', reason: byName.has(initializer) ? `nameMap names initializer '${initializer}', which another weight already took` : `nameMap names initializer '${initializer}', which the model does not have` });
    }
  }
  // 2. exact names
  for (const w of weights) {
    if (done.has(w.name)) continue;
    const ref = free(w.name);
    if (ref) pair(w, ref, 'exact');
  }
  // 3. model./module. prefixes
  for (const w of weights) {
    if (done.has(w.name)) continue;
    const base = stripPrefixes(w.name);
    const variants = new Set([base, ...PREFIXES.map((p) => p + base)]);
    variants.delete(w.name);
    const hits = [...variants].map(free).filter((r): r is InitializerRef => r !== undefined);
    if (hits.length === 1) pair(w, hits[0], 'prefix');
  }
  // 4. dotted suffixes (either name ends with '.' + the other, so both end with the same last part)
  const lastPart = (name: string) => name.slice(name.lastIndexOf('.') + 1);
  const byLastPart = new Map<string, InitializerRef[]>();
  for (const r of byName.values()) {
    const list = byLastPart.get(lastPart(r.name));
    if (list) list.push(r);
    else byLastPart.set(lastPart(r.name), [r]);
  }
  for (const w of weights) {
    if (done.has(w.name)) continue;
    const base = stripPrefixes(w.name);
    if (!base.includes('.')) continue;
    const hits = (byLastPart.get(lastPart(base)) ?? []).filter(
      (r) => !claimed.has(r) && (r.name.endsWith('.' + base) || (r.name.includes('.') && base.endsWith('.' + r.name))),
    );
    if (hits.length === 1) pair(w, hits[0], 'suffix');
  }
  // 5. onnx:: renames, all or nothing
  const left = weights.filter((w) => !done.has(w.name) && !isCounter(w.name));
  const renamed = [...byName.values()].filter((r) => !claimed.has(r) && r.name.startsWith('onnx::')).sort((a, b) => a.order - b.order);
  if ((options.matchOnnxRenames ?? true) && left.length > 0 && renamed.length > 0) {
    const agrees = left.length === renamed.length && left.every((w, i) => {
      const dims = tensorDims(renamed[i].tensor);
      const target = weightDtypeOfOnnx(renamed[i].tensor.data_type ?? 0);
      const dtypeOk = target === w.dtype || (allowCast && target !== undefined && FLOATS.has(w.dtype) && FLOATS.has(target));
      return dtypeOk && squeezed(dims) === squeezed(w.shape) && elementCount(dims) === elementCount(w.shape);
    });
    if (agrees) left.forEach((w, i) => pair(w, renamed[i], 'onnx-rename'));
    else report.notes.push(`${left.length} weight(s) found no initializer by name and ${renamed.length} 'onnx::' initializer(s) are free, but they do not pair up one to one by shape in order: none was paired.`);
  }
  // Whatever is left
  for (const w of weights) {
    if (done.has(w.name)) continue;
    if (isCounter(w.name)) report.skipped.push({ name: w.name, reason: 'BatchNorm step counter: the graph has no initializer for it' });
    else report.unmatched.push({ name: w.name, kind: 'name', reason: 'no initializer of that name' });
  }
  report.untouched = refs.filter((r) => !r.written).map((r) => r.name);

  if (options.strict && report.unmatched.length > 0) {
    const list = report.unmatched.slice(0, 10).map((u) => `'${u.name}' (${u.reason}${u.initializer && u.kind !== 'name' ? `, initializer '${u.initializer}'` : ''})`);
    const more = report.unmatched.length > 10 ? ` and ${report.unmatched.length - 10} more` : '';
    throw new OmnihubError('mismatch', `${report.unmatched.length} weight(s) do not fit the model: ${list.join('; ')}${more}.`);
  }
  return { model: out, report };
}
