/**
 * The walk over a Keras model's config: Sequential (layer after layer; Keras 2.0–2.2's bare list too) and Functional
 * (`inbound_nodes`: Keras 2's nested arrays [layer, node_index, tensor_index, kwargs], Keras 3's
 * `{args, kwargs}` with `__keras_tensor__` objects carrying `keras_history`), nested models (called like layers, their
 * inputs bound to the caller's tensors), shared layers (one layer called at several nodes: its weights are written
 * once), several inputs and outputs, and TimeDistributed (time folded into the batch).
 */
import { OmnihubError } from '../../errors.js';
import { DataType } from '../../onnx/tensor.js';
import type { KerasLayerConfig } from '../../formats/keras/types.js';
import type { CallExtra, Ctx, KDim, KTensor, LayerConverter, LayerInfo } from './context.js';
import { channelsFirstPerm, identityPerm, physicalShape } from './layout.js';
import { isModel, layerName, modelLayers } from './weights.js';
import { makeNode } from '../../rewrites/graph.js';
import { valueInfo } from '../onnx-builder.js';

export interface WalkEnv {
  cx: Ctx;
  registry: Record<string, LayerConverter>;
  nchw: boolean;
  batch: number | string;
  /** Unique layers converted (shared layers once). */
  seen: Set<string>;
}

/** Layers that consume a mask (the recurrent layers skip masked steps; GlobalAveragePooling1D averages kept ones). */
const MASK_CONSUMERS = new Set(['SimpleRNN', 'LSTM', 'GRU', 'CuDNNLSTM', 'CuDNNGRU', 'Bidirectional', 'GlobalAveragePooling1D', 'GlobalAvgPool1D']);

interface Ref { layer: string; node: number; tensor: number }

interface NodeCall { refs: Ref[]; kwRefs: Record<string, Ref[]>; kwargs: Record<string, unknown> }

const isRefArray = (v: unknown): v is [string, number, number, ...unknown[]] =>
  Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number';

/** References in Keras 3 args/kwargs: `{"class_name": "__keras_tensor__", "config": {"keras_history": [l, n, t]}}`. */
function collectKeras3(v: unknown, out: Ref[]): void {
  if (Array.isArray(v)) { v.forEach((x) => collectKeras3(x, out)); return; }
  if (!v || typeof v !== 'object') return;
  const o = v as { class_name?: unknown; config?: { keras_history?: unknown } };
  if (o.class_name === '__keras_tensor__') {
    const h = o.config?.keras_history;
    if (isRefArray(h)) out.push({ layer: h[0], node: h[1], tensor: h[2] });
    return;
  }
  for (const x of Object.values(v as object)) collectKeras3(x, out);
}

function parseNode(node: unknown, L: { name: string; model: string }): NodeCall {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const n = node as { args?: unknown; kwargs?: Record<string, unknown> };
    const refs: Ref[] = [];
    collectKeras3(n.args ?? [], refs);
    const kwRefs: Record<string, Ref[]> = {};
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.kwargs ?? {})) {
      const r: Ref[] = [];
      collectKeras3(v, r);
      if (r.length) kwRefs[k] = r;
      else kwargs[k] = v;
    }
    return { refs, kwRefs, kwargs };
  }
  if (Array.isArray(node)) {
    // Keras 2: a list of [layer, node_index, tensor_index, kwargs] (a single one for a one-input call).
    const entries = isRefArray(node) ? [node] : node;
    const refs: Ref[] = [];
    const kwargs: Record<string, unknown> = {};
    const kwRefs: Record<string, Ref[]> = {};
    for (const e of entries) {
      if (!isRefArray(e)) throw new OmnihubError('malformed', `layer '${L.name}' in model '${L.model}' has an inbound node Omnihub cannot read: ${JSON.stringify(e).slice(0, 200)}.`);
      refs.push({ layer: e[0], node: e[1], tensor: e[2] });
      const kw = e[3];
      if (kw && typeof kw === 'object') {
        for (const [k, v] of Object.entries(kw)) {
          if (isRefArray(v)) (kwRefs[k] ??= []).push({ layer: v[0], node: v[1], tensor: v[2] });
          else if (Array.isArray(v) && v.every(isRefArray)) kwRefs[k] = (v as [string, number, number][]).map((x) => ({ layer: x[0], node: x[1], tensor: x[2] }));
          else kwargs[k] = v;
        }
      }
    }
    return { refs, kwRefs, kwargs };
  }
  throw new OmnihubError('malformed', `layer '${L.name}' in model '${L.model}' has an inbound node Omnihub cannot read.`);
}

/** [layer, node, tensor] lists of a Functional config (`input_layers`, `output_layers`; Keras 3 may give one bare). */
function refList(v: unknown): Ref[] {
  if (isRefArray(v)) return [{ layer: v[0], node: v[1], tensor: v[2] }];
  if (Array.isArray(v)) return v.filter(isRefArray).map((x) => ({ layer: x[0], node: x[1], tensor: x[2] }));
  if (v && typeof v === 'object') return Object.values(v as object).flatMap(refList); // Keras 3 dict outputs
  return [];
}

/** The batch shape an InputLayer (or a Sequential's first layer) declares. */
function declaredShape(cfg: Record<string, unknown> | undefined, build?: Record<string, unknown>): KDim[] | undefined {
  const c = cfg ?? {};
  const s = c.batch_input_shape ?? c.batch_shape;
  if (Array.isArray(s)) return s.map((d) => (typeof d === 'number' ? d : null));
  if (Array.isArray(c.shape)) return [null, ...(c.shape as unknown[]).map((d) => (typeof d === 'number' ? d : null))];
  const b = build?.input_shape;
  if (Array.isArray(b) && (b.length === 0 || !Array.isArray(b[0]))) return b.map((d) => (typeof d === 'number' ? d : null));
  return undefined;
}

function dtypeOf(cfg: Record<string, unknown>): number {
  let d = cfg.dtype;
  if (d && typeof d === 'object') d = (d as { config?: { name?: unknown } }).config?.name;
  if (d === 'int32') return DataType.INT32;
  if (d === 'int64') return DataType.INT64;
  return DataType.FLOAT;
}

export interface ModelInput { name: string; layer: KerasLayerConfig; shape: KDim[]; elem: number }

/** A model's input layers: name, declared shape and dtype. */
export function modelInputs(model: KerasLayerConfig): ModelInput[] {
  const layers = modelLayers(model) ?? [];
  const name = layerName(model) || 'model';
  const functional = !Array.isArray(model.config) && (model.config as { input_layers?: unknown }).input_layers !== undefined;
  if (!functional) {
    const first = layers[0];
    if (!first) throw new OmnihubError('unsupported', `model '${name}' has no layers.`);
    if (first.class_name === 'InputLayer') {
      const shape = declaredShape(first.config, first.build_config);
      if (!shape) throw new OmnihubError('unsupported', `model '${name}': its InputLayer '${layerName(first)}' declares no shape.`);
      return [{ name: layerName(first), layer: first, shape, elem: dtypeOf(first.config) }];
    }
    const shape = declaredShape(first.config, first.build_config)
      ?? declaredShape({}, (model.config as { build_input_shape?: unknown }).build_input_shape !== undefined
        ? { input_shape: (model.config as { build_input_shape?: unknown }).build_input_shape } : model.build_config);
    if (!shape) throw new OmnihubError('unsupported', `Sequential model '${name}' declares no input shape (its first layer has no batch_input_shape and there is no build_input_shape).`);
    return [{ name: `${layerName(first)}_input`, layer: first, shape, elem: dtypeOf(first.config) }];
  }
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  return refList((model.config as { input_layers?: unknown }).input_layers).map((r) => {
    const l = byName.get(r.layer);
    if (!l) throw new OmnihubError('malformed', `model '${name}' lists input '${r.layer}', which is not one of its layers.`);
    const shape = declaredShape(l.config, l.build_config);
    if (!shape) throw new OmnihubError('unsupported', `model '${name}': input layer '${r.layer}' declares no shape.`);
    return { name: r.layer, layer: l, shape, elem: dtypeOf(l.config) };
  });
}

/** Calls one layer (or nested model) on its input tensors. */
function applyLayer(env: WalkEnv, l: KerasLayerConfig, inputs: KTensor[], extra: CallExtra, model: string, scope: string[], nameOverride?: string): KTensor[] {
  const name = nameOverride ?? layerName(l);
  if (isModel(l)) return callModel(env, l, [...scope, name], inputs);
  const { cx } = env;
  const L: LayerInfo = { name, cls: l.class_name, config: l.config ?? {}, model, scope };
  const key = [...scope, name].join('/');
  if (!env.seen.has(key)) {
    env.seen.add(key);
    cx.layers++;
    cx.converted[l.class_name] = (cx.converted[l.class_name] ?? 0) + 1;
  }
  if (l.class_name === 'TimeDistributed') return timeDistributed(env, L, inputs, extra);
  const fn = env.registry[l.class_name];
  if (!fn) throw new OmnihubError('unsupported', `layer '${name}' (${l.class_name}) in model '${model}' is not a layer Omnihub converts.`);
  const outs = fn(cx, L, inputs, extra);
  if (inputs.some((t) => t.mask) && !outs.some((t) => t.mask) && !MASK_CONSUMERS.has(l.class_name)) {
    cx.note(`layer '${name}' (${l.class_name}) in model '${model}' does not use the mask it receives (Keras drops it there too).`);
  }
  return outs;
}

/** TimeDistributed: [B, T, …] → [B·T, …] → the wrapped layer → [B, T, …]. */
function timeDistributed(env: WalkEnv, L: LayerInfo, inputs: KTensor[], extra: CallExtra): KTensor[] {
  const { cx } = env;
  const inner = L.config.layer as KerasLayerConfig | undefined;
  if (!inner?.class_name) throw new OmnihubError('unsupported', `layer '${L.name}' (TimeDistributed) in model '${L.model}' has no wrapped layer.`);
  const x = inputs[0];
  if (x.shape.length < 3) throw new OmnihubError('unsupported', `layer '${L.name}' (TimeDistributed) in model '${L.model}' needs an input of rank ≥ 3.`);
  const xk = cx.keras(x);
  const rest = x.shape.slice(2);
  const mergedShape = rest.every((d) => d !== null)
    ? cx.ints([-1, ...(rest as number[])], 'shape')
    : cx.op('Concat', [cx.ints([-1], 'shape'), cx.op('Shape', [xk], { start: 2 })], { axis: 0 });
  const merged = cx.tensor(cx.op('Reshape', [xk, mergedShape], {}, `${L.name}_merge_time`), [null, ...rest]);
  const [y] = applyLayer(env, inner, [merged], extra, L.model, L.scope, L.name);
  const yk = cx.keras(y);
  const target = cx.op('Concat', [cx.op('Shape', [xk], { start: 0, end: 2 }), cx.op('Shape', [yk], { start: 1 })], { axis: 0 });
  const out = cx.op('Reshape', [yk, target], {}, `${L.name}_split_time`);
  return [cx.tensor(out, [x.shape[0], x.shape[1], ...y.shape.slice(1)])];
}

/** Runs a model's layers on `inputs` (one per input layer); returns its outputs. */
export function callModel(env: WalkEnv, model: KerasLayerConfig, scope: string[], inputs: KTensor[]): KTensor[] {
  const layers = modelLayers(model) ?? [];
  const modelName = layerName(model) || 'model';
  const functional = !Array.isArray(model.config) && (model.config as { input_layers?: unknown }).input_layers !== undefined;
  const noExtra: CallExtra = { kwargs: {}, kwTensors: {} };
  if (!functional) {
    if (inputs.length !== 1) throw new OmnihubError('unsupported', `Sequential model '${modelName}' is called with ${inputs.length} inputs.`);
    let t = inputs[0];
    for (const l of layers) {
      if (l.class_name === 'InputLayer') continue;
      const outs = applyLayer(env, l, [t], noExtra, modelName, scope);
      if (outs.length !== 1) throw new OmnihubError('unsupported', `layer '${layerName(l)}' in Sequential model '${modelName}' returns ${outs.length} tensors; a Sequential layer returns one.`);
      t = outs[0];
    }
    return [t];
  }
  const cfg = model.config as { input_layers?: unknown; output_layers?: unknown };
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  const inRefs = refList(cfg.input_layers);
  if (inRefs.length !== inputs.length) throw new OmnihubError('unsupported', `model '${modelName}' has ${inRefs.length} inputs but is called with ${inputs.length}.`);
  const memo = new Map<string, KTensor[]>();
  inRefs.forEach((r, i) => memo.set(`${r.layer}#0`, [inputs[i]]));
  const active = new Set<string>();
  const evaluate = (name: string, node: number): KTensor[] => {
    const key = `${name}#${node}`;
    const have = memo.get(key);
    if (have) return have;
    const l = byName.get(name);
    if (!l) throw new OmnihubError('malformed', `model '${modelName}' refers to layer '${name}', which it does not have.`);
    if (l.class_name === 'InputLayer') throw new OmnihubError('malformed', `model '${modelName}' uses input layer '${name}', which is not one of its inputs.`);
    if (active.has(key)) throw new OmnihubError('malformed', `model '${modelName}' has a cycle through layer '${name}'.`);
    active.add(key);
    const nodes = l.inbound_nodes ?? [];
    if (node >= nodes.length) throw new OmnihubError('malformed', `model '${modelName}' refers to call ${node} of layer '${name}', which has ${nodes.length}.`);
    const call = parseNode(nodes[node], { name, model: modelName });
    const get = (r: Ref): KTensor => {
      const outs = evaluate(r.layer, r.node);
      const t = outs[r.tensor];
      if (!t) throw new OmnihubError('malformed', `model '${modelName}' uses output ${r.tensor} of layer '${r.layer}', which has ${outs.length}.`);
      return t;
    };
    const ins = call.refs.map(get);
    const kwTensors: Record<string, KTensor[]> = {};
    for (const [k, refs] of Object.entries(call.kwRefs)) kwTensors[k] = refs.map(get);
    const outs = applyLayer(env, l, ins, { kwargs: call.kwargs, kwTensors }, modelName, scope);
    active.delete(key);
    memo.set(key, outs);
    return outs;
  };
  return refList(cfg.output_layers).map((r) => {
    const outs = evaluate(r.layer, r.node);
    const t = outs[r.tensor];
    if (!t) throw new OmnihubError('malformed', `model '${modelName}' outputs tensor ${r.tensor} of layer '${r.layer}', which has ${outs.length}.`);
    return t;
  });
}

/** The model's output names: the output layers' names, `output_<i>` where one would repeat or clash. */
export function outputNames(model: KerasLayerConfig, count: number, taken: Set<string>): string[] {
  const functional = !Array.isArray(model.config) && (model.config as { output_layers?: unknown }).output_layers !== undefined;
  const layers = modelLayers(model) ?? [];
  const names = functional
    ? refList((model.config as { output_layers?: unknown }).output_layers).map((r) => r.layer)
    : [layerName(layers[layers.length - 1])];
  const used = new Set(taken);
  return Array.from({ length: count }, (_, i) => {
    const n = names[i];
    const name = n && !used.has(n) ? n : `output_${i}`;
    used.add(name);
    return name;
  });
}

/** Graph inputs for the model's input layers: NHWC as Keras, or NCHW (rank 4/5) when asked. */
export function graphInputs(env: WalkEnv, inputs: ModelInput[]): KTensor[] {
  const { cx } = env;
  return inputs.map((inp) => {
    const r = inp.shape.length;
    const perm = env.nchw && (r === 4 || r === 5) ? channelsFirstPerm(r) : identityPerm(r);
    const dims = physicalShape(inp.shape, perm).map((d, i) => (perm[i] === 0 ? env.batch : d ?? `${inp.name}_dim${perm[i]}`));
    cx.b.input(inp.name, inp.elem, dims);
    const shape: KDim[] = [null, ...inp.shape.slice(1)];
    if (typeof env.batch === 'number') shape[0] = env.batch;
    return cx.tensor(inp.name, shape, perm, inp.elem);
  });
}

/** Keeps the output names free for graphOutputs. */
export function reserveNames(env: WalkEnv, names: string[]): void {
  for (const n of names) {
    if (env.cx.b.fresh(n) !== n) throw new OmnihubError('malformed', `The output name '${n}' is already taken.`);
  }
}

/** Declares the model outputs, in Keras's layout (NCHW for rank 4/5 when asked). */
export function graphOutputs(env: WalkEnv, outputs: KTensor[], names: string[]): void {
  const { cx } = env;
  outputs.forEach((t, i) => {
    const r = t.shape.length;
    const perm = env.nchw && (r === 4 || r === 5) ? channelsFirstPerm(r) : identityPerm(r);
    const v = cx.value(t, perm);
    const dims = physicalShape(t.shape, perm).map((d, k) => (perm[k] === 0 ? env.batch : d ?? `${names[i]}_dim${perm[k]}`));
    // The names were reserved before the walk (reserveNames), so no node took them.
    cx.b.nodes.push(makeNode('Identity', [v], [names[i]], cx.b.fresh(`${names[i]}_identity`)));
    cx.b.outputs.push(valueInfo(names[i], t.elem, dims));
  });
}
