/**
 * Two conversions of one model made by different paths (Keras and TFLite twins, an exporter's ONNX and ours) often
 * name their inputs and outputs differently. To compare them, the other model's inputs and outputs are renamed, by
 * position, to this one's — only when both have the same number of each and the shapes' ranks agree, so a
 * comparison never pairs values that cannot correspond.
 */
import { cloneModel, namesRead, replaceUses } from '../rewrites/graph.js';
import type { ModelProto } from '../onnx/codec.js';

const rank = (v: { type?: { tensor_type?: { shape?: { dim?: unknown[] | null } | null } | null } | null }) => v.type?.tensor_type?.shape?.dim?.length;

/** `other` with its graph inputs and outputs renamed positionally to `like`'s; the names changed, for a note. */
export function alignInterface(other: ModelProto, like: ModelProto): { model: ModelProto; renamed: Array<[string, string]> } {
  const model = cloneModel(other);
  const graph = model.graph!;
  const renamed: Array<[string, string]> = [];
  const pairs = [
    [graph.input ?? [], like.graph?.input ?? []],
    [graph.output ?? [], like.graph?.output ?? []],
  ] as const;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const used = namesRead(graph);
  for (const node of graph.node ?? []) for (const o of node.output ?? []) used.add(o);
  for (const [mine, theirs] of pairs) {
    const real = mine.filter((v) => !initializers.has(v.name));
    if (real.length !== theirs.length || real.some((v, i) => rank(v) !== rank(theirs[i]))) continue;
    real.forEach((v, i) => {
      const from = v.name ?? '';
      const to = theirs[i].name ?? '';
      if (from === to || used.has(to)) return;
      replaceUses(graph, from, to);
      for (const node of graph.node ?? []) node.output = (node.output ?? []).map((o) => (o === from ? to : o));
      v.name = to;
      renamed.push([from, to]);
    });
  }
  return { model, renamed };
}
