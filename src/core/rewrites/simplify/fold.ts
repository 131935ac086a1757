/**
 * Constant folding as onnxsim does it (GetConstantNodes + RunOpAndAddInitializer): in order, a node is constant
 * when it is a deterministic op of the standard domains ('', ai.onnx, ai.onnx.ml), not QuantizeLinear or
 * DequantizeLinear (kept so quantized models stay quantized), holds no subgraph, is not a Tile/Expand/
 * ConstantOfShape whose output would exceed the size threshold (or whose size is unknown), and reads only
 * constants: initializers that are not overridable, '' or outputs of constant nodes.
 *
 * The nodes are evaluated by onnxruntime, not by an interpreter of our own, so a folded value is exactly what the
 * runtime computes. onnxsim runs each node alone; here all of them go into one small model run once (its outputs:
 * the constant values something non-constant reads), and only if that model fails to load or run does each node
 * run alone, as in onnxsim — a node that fails then stays, with a note. Each output becomes an initializer of the
 * same name; one that is a graph output stays listed as an output (onnxsim does the same; onnxruntime runs it).
 */
import { throwIfStopped } from '../abort.js';
import { onnx, encodeModel, type ModelProto } from '../../onnx/codec.js';
import { DataType, type TensorValues } from '../../onnx/tensor.js';
import { runtimeToTensorProto } from '../../onnx/runtime-tensor.js';
import type { CompareRuntime, RuntimeTensorLike } from '../../validate/compare.js';
import { OmnihubError } from '../../errors.js';
import { attrTensor, type Node, type Tensor } from '../graph.js';
import { NONDETERMINISTIC_OPS, STANDARD_DOMAINS } from './cse.js';
import type { Scope } from './scope.js';
import { bytesPerElement, intsOf, isExternal } from './tensor-data.js';

/** Ops that are never folded besides the random ones: quantization stays, and non-tensor values cannot be initializers. */
const NEVER_FOLDED: ReadonlySet<string> = new Set([
  'QuantizeLinear', 'DequantizeLinear',
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'Optional', 'ZipMap',
]);

/** The ops whose output onnxsim checks against tensor_size_threshold before folding. */
const SIZE_LIMITED: ReadonlySet<string> = new Set(['Tile', 'Expand', 'ConstantOfShape']);

/** Said when a graph output becomes an initializer, so nobody is surprised that it no longer depends on the inputs. */
export const constantOutputNote = (name: string) => `graph output '${name}' is a constant now (an initializer listed as an output)`;

/** What folding learned across rounds: nodes too large to fold and nodes onnxruntime could not run (not retried). */
export class FoldMemo {
  readonly tooLarge = new Map<string, Set<string>>();
  readonly failed = new Map<string, Set<string>>();

  private static add(map: Map<string, Set<string>>, node: Node): void {
    const key = node.op_type ?? '';
    const set = map.get(key) ?? new Set<string>();
    set.add((node.output ?? []).join(','));
    map.set(key, set);
  }

  markTooLarge(node: Node): void {
    FoldMemo.add(this.tooLarge, node);
  }

  markFailed(node: Node): void {
    FoldMemo.add(this.failed, node);
  }

  hasFailed(node: Node): boolean {
    return this.failed.get(node.op_type ?? '')?.has((node.output ?? []).join(',')) ?? false;
  }

  notes(): string[] {
    const list = (m: Map<string, Set<string>>) => [...m].map(([op, s]) => `${op} ×${s.size}`).join(', ');
    const notes: string[] = [];
    if (this.tooLarge.size) notes.push(`not folded, output over maxFoldBytes or of unknown size: ${list(this.tooLarge)}`);
    if (this.failed.size) notes.push(`not folded, onnxruntime could not evaluate them: ${list(this.failed)}`);
    return notes;
  }
}

export interface FoldSettings {
  runtime: CompareRuntime;
  maxFoldBytes: number;
  /** The source model's opset imports and IR version: the folding model uses the same. */
  opsetImport: onnx.IOperatorSetIdProto[];
  irVersion: number;
  memo: FoldMemo;
  signal?: AbortSignal;
}

const knownDims = (dims: ReturnType<Scope['dims']>): number[] | null => (dims && dims.every((d) => typeof d === 'number') ? (dims as number[]) : null);

/** Bytes a Tile/Expand/ConstantOfShape would output, from its constant inputs; null when unknown. */
export function outputBytes(node: Node, scope: Scope): number | null {
  const ints = (i: number) => {
    const t = scope.constant(node.input?.[i]);
    return t ? intsOf(t) : null;
  };
  let dims: number[] | null = null;
  let elemType = scope.type(node.input?.[0])?.elemType ?? 0;
  if (node.op_type === 'ConstantOfShape') {
    dims = ints(0);
    elemType = attrTensor(node, 'value')?.data_type ?? DataType.FLOAT;
  } else if (node.op_type === 'Tile') {
    const input = knownDims(scope.dims(node.input?.[0]));
    const repeats = ints(1);
    if (input && repeats && repeats.length === input.length) dims = input.map((d, i) => d * repeats[i]);
  } else if (node.op_type === 'Expand') {
    const input = knownDims(scope.dims(node.input?.[0]));
    const shape = ints(1);
    if (input && shape) {
      const rank = Math.max(input.length, shape.length);
      dims = [];
      for (let i = 0; i < rank; i++) {
        const a = input[input.length - rank + i] ?? 1;
        const b = shape[shape.length - rank + i] ?? 1;
        dims.push(a === 1 ? b : a);
      }
    }
  }
  // Shape inference may know the output when the inputs above are not constants yet.
  dims ??= knownDims(scope.dims(node.output?.[0]));
  if (!dims || !elemType) return null;
  return dims.reduce((a, b) => a * b, 1) * bytesPerElement(elemType);
}

function foldableOp(node: Node, scope: Scope): boolean {
  if (!STANDARD_DOMAINS.has(node.domain ?? '') || NONDETERMINISTIC_OPS.has(node.op_type ?? '') || NEVER_FOLDED.has(node.op_type ?? '')) return false;
  if ((node.attribute ?? []).some((a) => a.g || a.graphs?.length)) return false;
  if (!(node.output ?? []).some(Boolean)) return false;
  // Below IR 4 an initializer must also be a graph input, which a graph output cannot be as well.
  return !(scope.env.irVersion < 4 && (node.output ?? []).some((o) => o && scope.isGraphOutput(o)));
}

/**
 * The constant nodes in graph order (`all`), the values of theirs that something not constant reads (`wanted`),
 * and the nodes those depend on (`needed`). A constant node outside `needed` is dead: only constant nodes read it.
 */
function constantNodes(scope: Scope, settings: FoldSettings): { all: Node[]; needed: Node[]; wanted: string[] } {
  const available = new Set<string>();
  const nodes: Node[] = [];
  const isConstant = (name: string) => {
    const t = scope.constant(name);
    return available.has(name) || (!!t && !isExternal(t));
  };
  for (const node of scope.graph.node ?? []) {
    if (!foldableOp(node, scope) || settings.memo.hasFailed(node)) continue;
    if (!(node.input ?? []).every((n) => !n || isConstant(n))) continue;
    if (SIZE_LIMITED.has(node.op_type ?? '')) {
      const bytes = outputBytes(node, scope);
      if (bytes === null || bytes > settings.maxFoldBytes) {
        settings.memo.markTooLarge(node);
        continue;
      }
    }
    nodes.push(node);
    for (const o of node.output ?? []) if (o) available.add(o);
  }
  const set = new Set(nodes);
  const wanted: string[] = [];
  for (const node of nodes) {
    for (const o of node.output ?? []) {
      if (o && (scope.isGraphOutput(o) || scope.index.uses(o).some((u) => !set.has(u)))) wanted.push(o);
    }
  }
  // Only what the wanted values depend on is evaluated; constant nodes nothing needs are dead code.
  const needed = new Set<Node>();
  const stack = [...wanted];
  while (stack.length) {
    const p = scope.index.producer.get(stack.pop()!);
    if (!p || !set.has(p) || needed.has(p)) continue;
    needed.add(p);
    for (const n of p.input ?? []) if (n) stack.push(n);
  }
  return { all: nodes, needed: nodes.filter((n) => needed.has(n)), wanted };
}

/** A model computing `outputs` from `nodes`, their constant inputs as initializers, and no graph inputs. */
function foldingModel(nodes: Node[], outputs: string[], valueOf: (name: string) => Tensor | undefined, settings: FoldSettings): ModelProto {
  const produced = new Set(nodes.flatMap((n) => n.output ?? []));
  const initializers = new Map<string, Tensor>();
  for (const n of nodes) {
    for (const name of n.input ?? []) {
      if (!name || produced.has(name) || initializers.has(name)) continue;
      const t = valueOf(name);
      if (!t) throw new OmnihubError('unsupported', `no constant value for '${name}'`);
      initializers.set(name, t);
    }
  }
  const graph = new onnx.GraphProto({
    name: 'fold',
    node: nodes,
    initializer: [...initializers.values()],
    output: outputs.map((name) => new onnx.ValueInfoProto({ name })),
  });
  return new onnx.ModelProto({ ir_version: settings.irVersion, opset_import: settings.opsetImport, graph });
}

async function evaluate(model: ModelProto, outputs: string[], runtime: CompareRuntime): Promise<Map<string, Tensor>> {
  const session = await runtime.createSession(encodeModel(model));
  let results: Record<string, RuntimeTensorLike>;
  try {
    results = await session.run({});
  } finally {
    await session.release();
  }
  const values = new Map<string, Tensor>();
  for (const name of outputs) {
    const r = results[name];
    if (!r) throw new OmnihubError('runtime', `onnxruntime returned no value for '${name}'`);
    const data = ArrayBuffer.isView(r.data) || Array.isArray(r.data) ? (r.data as TensorValues) : null;
    if (!data) throw new OmnihubError('unsupported', `'${name}' is not a tensor`);
    values.set(name, runtimeToTensorProto(name, { type: r.type, data, dims: [...r.dims] }));
  }
  return values;
}

const isAbort = (e: unknown) => (e as { code?: string } | null)?.code === 'aborted';


/**
 * onnxsim's way, for when the batch fails: each node alone, in order, its inputs from the constants and from the
 * nodes folded before it. A node that fails, or reads one that did, stays.
 */
async function evaluateOneByOne(nodes: Node[], scope: Scope, settings: FoldSettings): Promise<{ values: Map<string, Tensor>; folded: Node[] }> {
  const values = new Map<string, Tensor>();
  const folded: Node[] = [];
  const valueOf = (name: string) => values.get(name) ?? scope.constant(name);
  for (const node of nodes) {
    throwIfStopped(settings.signal);
    const outputs = (node.output ?? []).filter(Boolean);
    try {
      if (!(node.input ?? []).every((n) => !n || valueOf(n))) throw new OmnihubError('unsupported', 'an input could not be folded');
      for (const [k, v] of await evaluate(foldingModel([node], outputs, valueOf, settings), outputs, settings.runtime)) values.set(k, v);
      folded.push(node);
    } catch (e) {
      if (isAbort(e)) throw e;
      settings.memo.markFailed(node);
    }
  }
  return { values, folded };
}

export async function foldConstants(scope: Scope, settings: FoldSettings): Promise<number> {
  const { all, needed, wanted } = constantNodes(scope, settings);
  if (!needed.length) return 0;
  let values: Map<string, Tensor>;
  let folded = needed;
  try {
    values = await evaluate(foldingModel(needed, wanted, (n) => scope.constant(n), settings), wanted, settings.runtime);
  } catch (e) {
    if (isAbort(e)) throw e;
    ({ values, folded } = await evaluateOneByOne(needed, scope, settings));
  }
  if (!folded.length) return 0;
  const neededSet = new Set(needed);
  // Dead constant nodes go with the folded ones: they may read values that are no longer produced.
  const gone = new Set([...folded, ...all.filter((n) => !neededSet.has(n))]);
  for (const node of folded) {
    for (const o of node.output ?? []) {
      // A value becomes an initializer when something that stays reads it (or it is a graph output).
      if (!o || !(scope.isGraphOutput(o) || scope.index.uses(o).some((u) => !gone.has(u)))) continue;
      const t = values.get(o);
      if (!t) continue;
      scope.addInitializer(t);
      if (scope.isGraphOutput(o)) scope.env.tally.say(constantOutputNote(o));
    }
  }
  scope.graph.node = (scope.graph.node ?? []).filter((n) => !gone.has(n));
  scope.env.tally.add('{n} node{s} folded into constants', gone.size);
  return gone.size;
}
