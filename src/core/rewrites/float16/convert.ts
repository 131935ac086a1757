/**
 * The float32 → float16 (or bfloat16) graph conversion, without any runtime: onnxruntime's transformers variant of
 * the converter (`convert_float_to_float16`, onnxruntime/python/tools/transformers/float16.py @86dc9ff, summarised
 * in ../shared/guide/reference-algorithms.md §1.6), with the same defaults, block list, clamp, ALWAYS_FLOAT_INPUTS,
 * Cast retargeting, dtype attributes and keep_io_types Cast names. Where this differs from it, on purpose:
 *
 * - Casts are placed by precision rather than inserted around every blocked node and removed afterwards. Each float
 *   value has a home precision (float32 when a float32 node makes it: a blocked node, a kept graph input, an
 *   initializer only float32 nodes read; the low type otherwise) and every reader that wants the other precision
 *   reads one shared Cast of it. Two blocked neighbours therefore talk in float32 directly: the reference's
 *   Cast(to=16) → Cast(to=32) pairs between them (which onnxconverter-common's `remove_unnecessary_cast_node` removes
 *   again, and which would round the value through the low type) never exist. A blocked node's outputs keep their
 *   names, in float32; the low-precision copy for converted readers is `<node>_output_cast_<i>` (the reference renames
 *   the other way round). Casts sit next to their producer, so the graph stays topologically sorted.
 * - A blocked node's If/Loop/Scan bodies read float32 copies of outer low-precision values (the reference leaves them
 *   reading the converted ones, which breaks the body).
 * - An initializer read by both kinds of node is converted (as the reference) and float32 readers get a Cast, unless
 *   the clamp changed some of its values: then they read an exact float32 copy instead.
 * - `Constant` nodes with `value_float(s)` and `ConstantOfShape` without a `value` (float32 zeros by default) get a
 *   low-precision `value`, otherwise their float32 output would meet converted readers.
 * - Types come from our own shape inference (simplify/shape-inference.ts) instead of `onnx.shape_inference`; like the
 *   reference's output, every value whose type is known gets a value_info entry.
 */
import { onnx, toNumber, type ModelProto } from '../../onnx/codec.js';
import { DataType, tensorDims, tensorValues } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { walkGraphs } from '../../onnx/walk.js';
import { cloneModel, makeAttribute, makeNode, nameFactory, opsetVersion, subgraphReads, type Graph, type Node, type Tensor, type ValueInfo } from '../graph.js';
import { inferShapes, type ValueType } from '../simplify/shape-inference.js';
import { narrowFloats } from './bits.js';

/** onnxruntime transformers' DEFAULT_OP_BLOCK_LIST (float16.py @86dc9ff): onnxconverter-common's list minus Resize. */
export const DEFAULT_OP_BLOCK_LIST: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
  'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike',
  'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap',
  'NonMaxSuppression', 'TopK', 'RoiAlign', 'Range', 'CumSum', 'Min', 'Max', 'Upsample',
];

/** Inputs whose type the op fixes to float32 (float16.py's ALWAYS_FLOAT_INPUTS): they read a float32 Cast. */
export const ALWAYS_FLOAT_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [2], GroupNorm: [1, 2] };
const fixedFloatInputs = (op: string | null | undefined): readonly number[] | undefined => (op && Object.hasOwn(ALWAYS_FLOAT_INPUTS, op) ? ALWAYS_FLOAT_INPUTS[op] : undefined);

/** Ops whose `dtype` attribute picks a float output type (float16.py): FLOAT becomes the low type. */
const DTYPE_OPS = new Set(['EyeLike', 'Multinomial', 'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'SequenceEmpty', 'Bernoulli']);
/** Of those, the ones whose missing `dtype` means FLOAT: they get an explicit one. */
const DTYPE_DEFAULT_FLOAT = new Set(['RandomNormal', 'RandomUniform', 'SequenceEmpty']);

export type LowType = 'float16' | 'bfloat16';
type Prec = 'hi' | 'lo';

export interface ConvertSettings {
  type: LowType;
  keepIoTypes: boolean;
  opBlockList: ReadonlySet<string>;
  nodeBlockList: ReadonlySet<string>;
  /** Main-graph nodes, by index in the input model's main graph, kept in float32 (the check's choices). */
  blockedMain: ReadonlySet<number>;
}

export interface ConvertStats {
  initializersConverted: number;
  constantsConverted: number;
  /** Values changed beyond rounding by the clamp (float16) or saturation (bfloat16), over all converted tensors. */
  clampedValues: number;
  castsAdded: number;
  /** Nodes left in float32, by op type (subgraphs included), and why. */
  blockedByOp: Record<string, number>;
  /** Float32 copies of initializers read by float32 nodes whose converted values were clamped. */
  float32Copies: number;
  /** value_float(s) Constants and default-valued ConstantOfShape given a low-precision value. */
  valuesAdded: number;
}

export interface ConvertOutput {
  model: ModelProto;
  stats: ConvertStats;
  /** Elem type of every main-graph value of the result whose type is known, by name. */
  mainTypes: Map<string, number>;
}

const FLOAT = DataType.FLOAT;

function shallow<T extends object>(message: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(message)), message);
}

/** A copy of a value info with another element type (the type and shape messages are new or shared, never edited). */
export function retyped(vi: ValueInfo, elemType: number): ValueInfo {
  const copy = shallow(vi);
  if (!vi.type?.tensor_type) return copy;
  copy.type = shallow(vi.type);
  copy.type.tensor_type = shallow(vi.type.tensor_type);
  copy.type.tensor_type.elem_type = elemType;
  return copy;
}

function valueInfoOf(name: string, elemType: number, dims: ValueType['dims']): onnx.ValueInfoProto {
  const tensor = new onnx.TypeProto.Tensor({ elem_type: elemType });
  if (dims) {
    tensor.shape = new onnx.TensorShapeProto({
      dim: dims.map((d) => (typeof d === 'number' ? new onnx.TensorShapeProto.Dimension({ dim_value: d }) : typeof d === 'string' ? new onnx.TensorShapeProto.Dimension({ dim_param: d }) : new onnx.TensorShapeProto.Dimension())),
    });
  }
  return new onnx.ValueInfoProto({ name, type: new onnx.TypeProto({ tensor_type: tensor }) });
}

const elemTypeOf = (vi: ValueInfo): number => vi.type?.tensor_type?.elem_type ?? 0;

/** What one graph of the result looks like while it is being rewritten. */
class GraphState {
  /** Types of every name visible here (the enclosing graphs' included), from shape inference on the input. */
  readonly types: Map<string, ValueType>;
  /** Names this graph defines: inputs, initializers, node outputs. */
  readonly defined = new Set<string>();
  readonly producer = new Map<string, Node>();
  readonly inits = new Map<string, Tensor>();
  readonly inputIndex = new Map<string, number>();
  /** Precision each float value defined here lives in. */
  readonly home = new Map<string, Prec>();
  /** Renamed homes (a main-graph output whose declared type differs from its producer's). */
  readonly homeName = new Map<string, string>();
  /** Low/high copies made by a Cast (or an initializer copy), by `${name}\0${prec}`. */
  readonly derived = new Map<string, string>();
  /** Precisions readers want of each initializer defined here. */
  readonly initWants = new Map<string, Set<Prec>>();
  /** Nodes inserted after a node, at the start, at the end. */
  readonly after = new Map<Node, Node[]>();
  readonly atStart: Node[] = [];
  readonly atEnd: Node[] = [];
  readonly extraInits: Tensor[] = [];
  /** Element types of names this rewrite created or retyped (for value_info and the check). */
  readonly newTypes = new Map<string, number>();
  readonly children = new Map<Graph, GraphState>();

  constructor(
    readonly graph: Graph,
    readonly parent: GraphState | null,
    readonly isMain: boolean,
    opset: number,
  ) {
    const own = inferShapes(graph, opset, { outer: parent?.types });
    this.types = parent ? new Map([...parent.types, ...own]) : own;
    (graph.input ?? []).forEach((v, i) => {
      if (!v.name) return;
      this.defined.add(v.name);
      this.inputIndex.set(v.name, i);
    });
    for (const t of graph.initializer ?? []) {
      if (!t.name) continue;
      this.defined.add(t.name);
      this.inits.set(t.name, t);
    }
    for (const node of graph.node ?? []) {
      for (const o of node.output ?? []) {
        if (!o) continue;
        this.defined.add(o);
        this.producer.set(o, node);
      }
    }
  }

  owner(name: string): GraphState | undefined {
    for (let s: GraphState | null = this; s; s = s.parent) if (s.defined.has(name)) return s;
    return undefined;
  }

  isFloat(name: string): boolean {
    return !!name && this.types.get(name)?.elemType === FLOAT;
  }
}

export function convertModel(input: ModelProto, settings: ConvertSettings): ConvertOutput {
  const model = cloneModel(input);
  const opset = opsetVersion(model);
  const lowType = settings.type === 'float16' ? DataType.FLOAT16 : DataType.BFLOAT16;
  const fresh = nameFactory(model);
  const stats: ConvertStats = { initializersConverted: 0, constantsConverted: 0, clampedValues: 0, castsAdded: 0, blockedByOp: {}, float32Copies: 0, valuesAdded: 0 };
  const mainNodes = model.graph!.node ?? [];
  const mainIndex = new Map<Node, number>(mainNodes.map((n, i) => [n, i]));

  const isBlocked = (node: Node, state: GraphState): boolean =>
    settings.opBlockList.has(node.op_type ?? '') ||
    (!!node.name && settings.nodeBlockList.has(node.name)) ||
    (state.isMain && settings.blockedMain.has(mainIndex.get(node) ?? -1));
  const label = (node: Node) => node.name || `${node.op_type}_${(node.output ?? [])[0] ?? ''}`;

  const narrow = (t: Tensor): Tensor => {
    const values = tensorValues(t) as Float32Array;
    const { bits, clamped } = narrowFloats(values, settings.type);
    stats.clampedValues += clamped;
    const out = new onnx.TensorProto({ name: t.name ?? '', dims: tensorDims(t), data_type: lowType });
    out.raw_data = new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
    if (t.doc_string) out.doc_string = t.doc_string;
    return out;
  };

  // ---- pass 1: states, blocked nodes, what each reader wants ----

  const blocked = new Set<Node>();
  const build = (graph: Graph, parent: GraphState | null, isMain: boolean): GraphState => {
    const state = new GraphState(graph, parent, isMain, opset);
    for (const node of graph.node ?? []) {
      if (isBlocked(node, state)) {
        blocked.add(node);
        const op = node.op_type ?? '';
        stats.blockedByOp[op] = (stats.blockedByOp[op] ?? 0) + 1;
        continue;
      }
      for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) state.children.set(sub, build(sub, state, false));
    }
    return state;
  };
  const main = build(model.graph!, null, true);

  const want = (state: GraphState, name: string, prec: Prec) => {
    if (!state.isFloat(name)) return;
    const owner = state.owner(name);
    if (!owner?.inits.has(name)) return;
    let set = owner.initWants.get(name);
    if (!set) owner.initWants.set(name, (set = new Set()));
    set.add(prec);
  };
  const outerReads = (node: Node, state: GraphState) => subgraphReads(node).filter((n) => state.owner(n));
  const collect = (state: GraphState) => {
    for (const node of state.graph.node ?? []) {
      if (blocked.has(node)) {
        for (const name of node.input ?? []) want(state, name, 'hi');
        for (const name of outerReads(node, state)) want(state, name, 'hi');
        continue;
      }
      const fixed = fixedFloatInputs(node.op_type) ?? [];
      (node.input ?? []).forEach((name, i) => want(state, name, fixed.includes(i) ? 'hi' : 'lo'));
      for (const child of childStates(node, state)) {
        collect(child);
        for (const o of child.graph.output ?? []) want(child, o.name ?? '', 'lo');
      }
    }
    if (state.isMain) for (const o of state.graph.output ?? []) want(state, o.name ?? '', settings.keepIoTypes ? 'hi' : 'lo');
  };
  const childStates = (node: Node, state: GraphState): GraphState[] => {
    const out: GraphState[] = [];
    for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) out.push(state.children.get(sub)!);
    return out;
  };
  collect(main);

  // Homes: inputs (kept float32 in the main graph with keepIoTypes), initializers (low when a converted node reads
  // them, as float16.py's InitializerTracker), node outputs (float32 when the node is blocked).
  const assignHomes = (state: GraphState) => {
    for (const v of state.graph.input ?? []) {
      const name = v.name ?? '';
      if (state.isFloat(name)) state.home.set(name, state.isMain && settings.keepIoTypes ? 'hi' : 'lo');
    }
    for (const name of state.inits.keys()) {
      if (!state.isFloat(name) || state.inputIndex.has(name)) continue; // an overridable initializer follows its input
      state.home.set(name, state.initWants.get(name)?.has('lo') ? 'lo' : 'hi');
    }
    for (const node of state.graph.node ?? []) {
      for (const o of node.output ?? []) if (state.isFloat(o)) state.home.set(o, blocked.has(node) ? 'hi' : 'lo');
      if (!blocked.has(node)) for (const child of childStates(node, state)) assignHomes(child);
    }
  };
  assignHomes(main);

  // Main-graph outputs declared in the other precision than their producer's: the producer's output is renamed
  // (`graph_output_cast_<i>`, float16.py's name) and a Cast (`graph_output_cast<i>`) makes the declared name.
  const outputWant: Prec = settings.keepIoTypes ? 'hi' : 'lo';
  const seenOutputs = new Set<string>();
  (main.graph.output ?? []).forEach((o, i) => {
    const name = o.name ?? '';
    if (seenOutputs.has(name)) return;
    seenOutputs.add(name);
    const home = main.home.get(name);
    if (!home || home === outputWant || !main.producer.has(name)) return;
    const renamed = fresh(`graph_output_cast_${i}`);
    main.homeName.set(name, renamed);
    main.derived.set(`${name}\0${outputWant}`, name);
    main.atEnd.push(makeNode('Cast', [renamed], [name], fresh(`graph_output_cast${i}`), { to: outputWant === 'hi' ? FLOAT : lowType }));
    stats.castsAdded++;
    main.newTypes.set(renamed, home === 'hi' ? FLOAT : lowType);
    main.newTypes.set(name, outputWant === 'hi' ? FLOAT : lowType);
  });

  // ---- pass 2: rewrite ----

  /** Initializers whose conversion clamped some values. */
  const clampedInits = new Set<string>();

  /** The name a reader in `state` uses for `name` in precision `prec`, making the Cast (or copy) on first use. */
  const read = (state: GraphState, name: string, prec: Prec, why: { node?: Node; input?: number }): string => {
    if (!name || !state.isFloat(name)) return name;
    const owner = state.owner(name);
    const home = owner?.home.get(name);
    if (!owner || !home) return name;
    const homeName = owner.homeName.get(name) ?? name;
    if (home === prec) return homeName;
    const key = `${name}\0${prec}`;
    const existing = owner.derived.get(key);
    if (existing) return existing;
    const to = prec === 'hi' ? FLOAT : lowType;
    let out: string;
    let castName: string;
    const producer = owner.producer.get(name);
    const inputAt = owner.inputIndex.get(name);
    if (prec === 'lo' && owner.isMain && inputAt !== undefined) {
      // keep_io_types: float16.py's `graph_input_cast<i>` → `graph_input_cast_<i>`.
      out = fresh(`graph_input_cast_${inputAt}`);
      castName = fresh(`graph_input_cast${inputAt}`);
    } else if (prec === 'lo' && producer && blocked.has(producer)) {
      const j = (producer.output ?? []).indexOf(name);
      out = fresh(`${label(producer)}_output_cast_${j}`);
      castName = fresh(`${label(producer)}_output_cast${j}`);
    } else if (prec === 'hi' && why.node && why.input !== undefined) {
      out = fresh(`${label(why.node)}_input_cast_${why.input}`);
      castName = fresh(`${label(why.node)}_input_cast${why.input}`);
    } else {
      out = fresh(`${name}_${prec === 'hi' ? 'float32' : settings.type}`);
      castName = fresh(`${out}_cast`);
    }
    owner.derived.set(key, out);
    owner.newTypes.set(out, to);
    const init = owner.inits.get(name);
    if (init && prec === 'hi' && clampedInits.has(name)) {
      // The clamp changed this initializer: float32 readers get its exact values, not a Cast of the clamped ones.
      const copy = shallow(init);
      copy.name = out;
      owner.extraInits.push(copy);
      stats.float32Copies++;
      return out;
    }
    const cast = makeNode('Cast', [homeName], [out], castName, { to });
    stats.castsAdded++;
    if (producer) {
      const list = owner.after.get(producer);
      if (list) list.push(cast);
      else owner.after.set(producer, [cast]);
    } else owner.atStart.push(cast);
    return out;
  };

  // Initializers go first: a float32 reader of a clamped one needs to know before any Cast is made.
  const convertInits = (state: GraphState) => {
    state.graph.initializer = (state.graph.initializer ?? []).map((t) => {
      const name = t.name ?? '';
      if (t.data_type !== FLOAT || state.home.get(name) !== 'lo') return t;
      const before = stats.clampedValues;
      const out = narrow(t);
      if (stats.clampedValues > before) clampedInits.add(name);
      stats.initializersConverted++;
      return out;
    });
    for (const child of state.children.values()) convertInits(child);
  };
  convertInits(main);

  const convertAttributes = (node: Node) => {
    const op = node.op_type ?? '';
    for (const a of node.attribute ?? []) {
      // cloneModel gave every attribute its own shallow copy: replacing its tensors here leaves the input's alone.
      if (a.t && a.t.data_type === FLOAT) {
        a.t = narrow(a.t);
        stats.constantsConverted++;
      }
      if (a.tensors?.some((t) => t.data_type === FLOAT)) {
        a.tensors = a.tensors.map((t) => (t.data_type === FLOAT ? (stats.constantsConverted++, narrow(t)) : t));
      }
      if (op === 'Cast' && a.name === 'to' && toNumber(a.i) === FLOAT) a.i = lowType;
      if (DTYPE_OPS.has(op) && a.name === 'dtype' && toNumber(a.i) === FLOAT) a.i = lowType;
    }
    if (DTYPE_DEFAULT_FLOAT.has(op) && !(node.attribute ?? []).some((a) => a.name === 'dtype')) node.attribute!.push(makeAttribute('dtype', lowType));
    // A float scalar or list given as value_float(s), or ConstantOfShape's implicit float32 zero: make it a tensor
    // of the low type, or the float32 output would meet converted readers.
    if (op === 'Constant') {
      const i = (node.attribute ?? []).findIndex((a) => a.name === 'value_float' || a.name === 'value_floats');
      if (i >= 0) {
        const a = node.attribute![i];
        const values = a.name === 'value_float' ? Float32Array.of(a.f ?? 0) : Float32Array.from(a.floats ?? []);
        const dims = a.name === 'value_float' ? [] : [values.length];
        const t = narrow(new onnx.TensorProto({ dims, data_type: FLOAT, float_data: Array.from(values) }));
        node.attribute![i] = makeAttribute('value', t);
        stats.valuesAdded++;
      }
    }
    if (op === 'ConstantOfShape' && !(node.attribute ?? []).some((a) => a.name === 'value')) {
      node.attribute!.push(makeAttribute('value', narrow(new onnx.TensorProto({ dims: [1], data_type: FLOAT, float_data: [0] }))));
      stats.valuesAdded++;
    }
  };

  const rewrite = (state: GraphState) => {
    for (const node of state.graph.node ?? []) {
      const inputs = node.input ?? [];
      if (blocked.has(node)) {
        inputs.forEach((name, i) => (inputs[i] = read(state, name, 'hi', { node, input: i })));
        // Its bodies stay float32: outer values they read come as float32 copies.
        for (const name of outerReads(node, state)) {
          const r = read(state, name, 'hi', {});
          if (r !== name) for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) renameReads(sub, name, r);
        }
      } else {
        const fixed = fixedFloatInputs(node.op_type);
        inputs.forEach((name, i) => (inputs[i] = read(state, name, fixed?.includes(i) ? 'hi' : 'lo', { node, input: i })));
        // float16.py leaves the attributes of ALWAYS_FLOAT_INPUTS ops (Resize, GroupNorm) as they are.
        if (!fixed) convertAttributes(node);
        for (const child of childStates(node, state)) rewrite(child);
      }
      const outputs = node.output ?? [];
      outputs.forEach((o, i) => (outputs[i] = state.homeName.get(o) ?? o));
    }
    // A body's outputs are read in the low type (its node's outputs are low), before its nodes are put together.
    if (!state.isMain) {
      state.graph.output = (state.graph.output ?? []).map((o) => {
        const copy = state.isFloat(o.name ?? '') ? retyped(o, lowType) : shallow(o);
        copy.name = read(state, o.name ?? '', 'lo', {});
        return copy;
      });
    }
    // Declared types: inputs (main ones kept float32 with keepIoTypes); main outputs as declared.
    state.graph.input = (state.graph.input ?? []).map((v) => (state.home.get(v.name ?? '') === 'lo' && elemTypeOf(v) === FLOAT ? retyped(v, lowType) : v));
    if (state.isMain) {
      state.graph.output = (state.graph.output ?? []).map((v) => (elemTypeOf(v) === FLOAT && outputWant === 'lo' && state.home.has(v.name ?? '') ? retyped(v, lowType) : v));
    }
    const nodes: Node[] = [...state.atStart];
    for (const node of state.graph.node ?? []) nodes.push(node, ...(state.after.get(node) ?? []));
    nodes.push(...state.atEnd);
    state.graph.node = nodes;
    if (state.extraInits.length) state.graph.initializer = [...(state.graph.initializer ?? []), ...state.extraInits];
    rebuildValueInfo(state);
  };

  /** Element type a name has in the result (0 when unknown). */
  const finalType = (state: GraphState, name: string): number => {
    const created = state.newTypes.get(name);
    if (created !== undefined) return created;
    const t = state.types.get(name)?.elemType ?? 0;
    if (t !== FLOAT) return t;
    const home = state.home.get(name);
    return home === 'lo' ? lowType : home === 'hi' ? FLOAT : t;
  };

  // value_info: every node output whose type is known, as onnx.shape_inference leaves it in the reference's output.
  const rebuildValueInfo = (state: GraphState) => {
    const declared = new Set([...(state.graph.input ?? []), ...(state.graph.output ?? [])].map((v) => v.name ?? ''));
    for (const t of state.graph.initializer ?? []) declared.add(t.name ?? '');
    const existing = new Map((state.graph.value_info ?? []).map((v) => [v.name ?? '', v]));
    const homeOf = new Map<string, string>(); // renamed home → original name (for its dims)
    for (const [orig, renamed] of state.homeName) homeOf.set(renamed, orig);
    for (const [key, out] of state.derived) homeOf.set(out, key.split('\0')[0]);
    const out: ValueInfo[] = [];
    const done = new Set<string>();
    // Entries the input had for names no node here makes (exporters list initializers too): kept, retyped.
    const made = new Set((state.graph.node ?? []).flatMap((n) => n.output ?? []));
    for (const [name, vi] of existing) {
      if (made.has(name) || (declared.has(name) && !state.inits.has(name))) continue;
      done.add(name);
      const type = elemTypeOf(vi) === FLOAT ? finalType(state, name) : 0;
      out.push(type && type !== FLOAT ? retyped(vi, type) : vi);
    }
    for (const node of state.graph.node ?? []) {
      for (const name of node.output ?? []) {
        if (!name || declared.has(name) || done.has(name)) continue;
        done.add(name);
        const type = finalType(state, name);
        const old = existing.get(name);
        if (old) out.push(type && elemTypeOf(old) !== type ? retyped(old, type) : old);
        else if (type) out.push(valueInfoOf(name, type, state.types.get(homeOf.get(name) ?? name)?.dims ?? null));
      }
    }
    state.graph.value_info = out;
  };

  rewrite(main);

  const mainTypes = new Map<string, number>();
  for (const node of main.graph.node ?? []) for (const o of node.output ?? []) if (o) mainTypes.set(o, finalType(main, o));
  for (const v of [...(main.graph.input ?? []), ...(main.graph.output ?? [])]) if (v.name) mainTypes.set(v.name, elemTypeOf(v));
  return { model, stats, mainTypes };
}

/** Renames reads of an outer name inside a body (and its nested bodies), unless a graph there defines the name itself. */
function renameReads(graph: Graph, from: string, to: string): void {
  const defines = (g: Graph) =>
    (g.input ?? []).some((v) => v.name === from) || (g.initializer ?? []).some((t) => t.name === from) || (g.node ?? []).some((n) => (n.output ?? []).includes(from));
  if (defines(graph)) return;
  for (const node of graph.node ?? []) {
    const inputs = node.input ?? [];
    for (let i = 0; i < inputs.length; i++) if (inputs[i] === from) inputs[i] = to;
    for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) renameReads(sub, from, to);
  }
  for (const o of graph.output ?? []) if (o.name === from) o.name = to;
}

/** Whether any graph of the model already holds float16 or bfloat16 values (onnxconverter-common's check_fp16_ready). */
export function lowPrecisionIn(model: ModelProto): string | undefined {
  const low = new Set<number>([DataType.FLOAT16, DataType.BFLOAT16]);
  for (const { graph, path } of walkGraphs(model)) {
    for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])]) {
      if (low.has(elemTypeOf(v))) return `${path === 'main' ? '' : `${path}: `}value '${v.name}' is ${elemTypeOf(v) === DataType.FLOAT16 ? 'float16' : 'bfloat16'}`;
    }
    for (const t of graph.initializer ?? []) if (low.has(t.data_type ?? 0)) return `initializer '${t.name}' is ${t.data_type === DataType.FLOAT16 ? 'float16' : 'bfloat16'}`;
    for (const node of graph.node ?? []) {
      if (node.op_type === 'Cast' && (node.attribute ?? []).some((a) => a.name === 'to' && low.has(toNumber(a.i)))) return `Cast '${node.name ?? ''}' casts to a 16-bit float`;
      for (const a of node.attribute ?? []) if (a.t && low.has(a.t.data_type ?? 0)) return `${node.op_type} '${node.name ?? ''}' holds a 16-bit float tensor`;
    }
  }
  return undefined;
}

/** Whether the model has anything float32 to convert: a tensor, a declared or inferred value. */
export function hasFloat32(model: ModelProto): boolean {
  for (const { graph } of walkGraphs(model)) {
    if ((graph.initializer ?? []).some((t) => t.data_type === FLOAT)) return true;
    if ([...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])].some((v) => elemTypeOf(v) === FLOAT)) return true;
    for (const node of graph.node ?? []) {
      if (node.op_type === 'Cast' && (node.attribute ?? []).some((a) => a.name === 'to' && toNumber(a.i) === FLOAT)) return true;
      if ((node.attribute ?? []).some((a) => a.t?.data_type === FLOAT || a.name === 'value_float' || a.name === 'value_floats')) return true;
    }
  }
  const types = inferShapes(model.graph!, opsetVersion(model));
  for (const t of types.values()) if (t.elemType === FLOAT) return true;
  return false;
}

export function assertConvertible(model: ModelProto): void {
  const found = lowPrecisionIn(model);
  if (found) throw new OmnihubError('bad-recipe', `float16: the model is already float16 (${found}); converting it again would round twice`);
}
