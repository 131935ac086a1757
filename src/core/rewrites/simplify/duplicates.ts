/**
 * eliminate_duplicate_initializer (onnxoptimizer): initializers with the same type, dims and bit-identical data
 * become one (the first); readers of the others read it. Overridable initializers (also graph inputs) and graph
 * outputs keep their names, as there the name is part of the interface.
 */
import { tensorDims } from '../../onnx/tensor.js';
import type { Tensor } from '../graph.js';
import { renameReads } from './rewire.js';
import type { Scope } from './scope.js';
import { bytesEqual, dataIdentity, sampleHash } from './tensor-data.js';

export function eliminateDuplicateInitializers(scope: Scope): number {
  const graph = scope.graph;
  const buckets = new Map<string, Array<{ t: Tensor; bytes: Uint8Array }>>();
  const renames = new Map<string, string>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (!scope.constants.has(name) || scope.graphInputs.has(name) || scope.isGraphOutput(name)) continue;
    const bytes = dataIdentity(t);
    if (!bytes) continue;
    const key = `${t.data_type}|${tensorDims(t).join(',')}|${bytes.byteLength}|${sampleHash(bytes)}`;
    const bucket = buckets.get(key);
    const same = bucket?.find((b) => bytesEqual(b.bytes, bytes));
    if (same) renames.set(name, same.t.name ?? '');
    else if (bucket) bucket.push({ t, bytes });
    else buckets.set(key, [{ t, bytes }]);
  }
  if (!renames.size) return 0;
  graph.initializer = (graph.initializer ?? []).filter((t) => !renames.has(t.name ?? ''));
  renameReads(graph, (n) => renames.get(n) ?? n, false);
  scope.env.tally.add('{n} duplicate initializer{s} merged', renames.size);
  return renames.size;
}
