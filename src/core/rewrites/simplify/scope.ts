/**
 * What every simplify pass looks at in one graph: who produces and reads each name, which names are constants,
 * the types shape inference found, and the graph around it (a subgraph reads names of the graphs enclosing it).
 */
import { onnx } from '../../onnx/codec.js';
import { tensorDims } from '../../onnx/tensor.js';
import { GraphIndex, type Graph, type Node, type Tensor } from '../graph.js';
import { inferShapes, type ValueType } from './shape-inference.js';
import type { Tally } from './tally.js';

/** Facts about the whole model, shared by the scopes of all its graphs. */
export interface ModelEnv {
  irVersion: number;
  /** Version of the default ('' / ai.onnx) opset. */
  opset: number;
  newName: (base: string) => string;
  tally: Tally;
}

export const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';

/** Graphs a node holds in its attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(node: Node): Graph[] {
  const found: Graph[] = [];
  for (const a of node.attribute ?? []) {
    if (a.g) found.push(a.g);
    for (const g of a.graphs ?? []) found.push(g);
  }
  return found;
}

export class Scope {
  index!: GraphIndex;
  /** Names whose value is fixed: this graph's non-overridable initializers, and the outer scopes' constants. */
  readonly constants = new Map<string, Tensor>();
  types = new Map<string, ValueType>();
  graphInputs = new Set<string>();

  constructor(readonly graph: Graph, readonly env: ModelEnv, readonly outer?: Scope) {
    this.refresh();
    this.retype();
  }

  get isMain(): boolean {
    return !this.outer;
  }

  /** Rebuilds the index and the constants after a pass changed the graph. */
  refresh(): void {
    this.index = new GraphIndex(this.graph);
    this.graphInputs = new Set((this.graph.input ?? []).map((v) => v.name ?? ''));
    this.constants.clear();
    if (this.outer) for (const [k, v] of this.outer.constants) this.constants.set(k, v);
    // IR ≥ 4: an initializer that is also a graph input is a default the caller may override, so it is no
    // constant (onnxruntime treats it so; onnxsim drops such inputs before folding). Below IR 4 every initializer
    // is listed as an input and runtimes treat them all as constants.
    const overridable = this.isMain && this.env.irVersion >= 4 ? this.graphInputs : new Set<string>();
    for (const t of this.graph.initializer ?? []) if (t.name && !overridable.has(t.name)) this.constants.set(t.name, t);
    // A name of this graph shadows an outer constant of the same name.
    for (const name of [...this.graphInputs, ...this.index.producer.keys()]) if (!this.index.initializers.has(name)) this.constants.delete(name);
  }

  /** Re-runs shape inference (cheap; once per round, when folding and fusions may have made more known). */
  retype(): void {
    let inferred = new Map<string, ValueType>();
    try {
      inferred = inferShapes(this.graph, this.env.opset, { constants: this.constants, outer: this.outer?.types });
    } catch {
      // Shape inference is an aid: without it, the passes that need a shape skip the node.
    }
    this.types = new Map([...(this.outer?.types ?? []), ...inferred]);
  }

  constant(name: string | null | undefined): Tensor | undefined {
    return name ? this.constants.get(name) : undefined;
  }

  type(name: string | null | undefined): ValueType | undefined {
    if (!name) return undefined;
    const t = this.constants.get(name);
    if (t) return { elemType: t.data_type ?? 0, dims: tensorDims(t) };
    return this.types.get(name);
  }

  /** Dims of a name when its rank is known. */
  dims(name: string | null | undefined) {
    return this.type(name)?.dims ?? null;
  }

  isGraphOutput(name: string): boolean {
    return this.index.graphOutputs.has(name);
  }

  /** True when `reader` is the only node reading `name` (subgraphs included) and it is no graph output. */
  onlyReader(name: string, reader: Node): boolean {
    const uses = this.index.uses(name);
    return uses.length === 1 && uses[0] === reader && !this.isGraphOutput(name);
  }

  /**
   * Adds a new initializer (a fresh name). Below IR 4 the spec wants every initializer listed as a graph input
   * too, so the main graph gets one, typed from the tensor.
   */
  addInitializer(t: Tensor): void {
    (this.graph.initializer ??= []).push(t);
    const name = t.name ?? '';
    this.constants.set(name, t);
    this.index.initializers.set(name, t);
    this.types.set(name, { elemType: t.data_type ?? 0, dims: tensorDims(t) });
    if (this.isMain && this.env.irVersion < 4) {
      (this.graph.input ??= []).push(valueInfoOf(t));
      this.graphInputs.add(name);
    }
  }
}

export function valueInfoOf(t: Tensor): onnx.ValueInfoProto {
  return new onnx.ValueInfoProto({
    name: t.name ?? '',
    type: { tensor_type: { elem_type: t.data_type ?? 0, shape: { dim: tensorDims(t).map((d) => ({ dim_value: d })) } } },
  });
}
