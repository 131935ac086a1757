/**
 * Finds the state dict inside whatever object a PyTorch file holds and flattens it to dotted names.
 *
 * `torch.save(model.state_dict())` gives a flat OrderedDict of tensors; training checkpoints wrap it
 * ({'model_state_dict': …, 'optimizer_state_dict': …, 'epoch': 12}); Lightning uses 'state_dict'; EMA checkpoints
 * 'state_dict_ema'; some files nest dicts per module; TorchScript archives hold module records whose attributes are
 * the weights. The rule: a dict with tensors among its own values is the state dict; otherwise descend into the
 * first well-known key that holds tensors; otherwise flatten everything from the top.
 */
import { OmnihubError } from '../../errors.js';
import { PickleObject, isTuple } from './pickle-values.js';
import { MetaTensor, TorchTensor } from './tensor-refs.js';

/** Keys under which checkpoints keep the model's weights, in order of preference. */
export const STATE_DICT_KEYS = [
  'state_dict', 'model_state_dict', 'model', 'module', 'net', 'network', 'params', 'weights',
  'state_dict_ema', 'model_ema', 'ema', 'ema_state_dict',
];

/** Containers deeper than this are refused: no real state dict nests that far, and it keeps recursion bounded. */
export const MAX_DEPTH = 100;

export type FoundTensor = { name: string; tensor: TorchTensor | MetaTensor };

export function isTensorRef(value: unknown): value is TorchTensor | MetaTensor {
  return value instanceof TorchTensor || value instanceof MetaTensor;
}

/** The children of a container as (key, value) pairs; undefined for leaves. */
function children(value: unknown): Iterable<[unknown, unknown]> | undefined {
  if (value instanceof Map) return value.entries();
  if (Array.isArray(value)) return value.entries();
  if (value instanceof PickleObject) {
    const { state } = value;
    if (state instanceof Map) return state.entries();
    // Python's default state for an object with __slots__: (dict_state, slots_state).
    if (isTuple(state) && state.length === 2 && (state[0] instanceof Map || state[0] === null) && (state[1] instanceof Map || state[1] === null)) {
      return [...(state[0] ?? new Map()).entries(), ...(state[1] ?? new Map()).entries()];
    }
    if (Array.isArray(state)) return state.entries();
    return undefined;
  }
  return undefined;
}

function keyName(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') return String(key);
  if (key === null) return 'None';
  if (isTuple(key)) return key.map(keyName).join(',');
  return '?';
}

/** Whether any tensor lies inside (bounded by MAX_DEPTH, and by a path set against reference cycles). */
function holdsTensors(value: unknown, depth = 0, path = new Set<unknown>()): boolean {
  if (isTensorRef(value)) return true;
  const kids = children(value);
  if (!kids || depth > MAX_DEPTH || path.has(value)) return false;
  path.add(value);
  try {
    for (const [, child] of kids) if (holdsTensors(child, depth + 1, path)) return true;
    return false;
  } finally {
    path.delete(value);
  }
}

export interface Located {
  value: unknown;
  path: string[];
}

export function locateStateDict(root: unknown): Located {
  let value = root;
  const path: string[] = [];
  for (let step = 0; step < 8 && value instanceof Map; step++) {
    let direct = false;
    for (const child of value.values()) if (isTensorRef(child)) { direct = true; break; }
    if (direct) break;
    const key = STATE_DICT_KEYS.find((k) => value instanceof Map && value.has(k) && holdsTensors(value.get(k)));
    if (key === undefined) break;
    path.push(key);
    value = value.get(key);
  }
  return { value, path };
}

/** All tensors below `value` in file order, named by their dotted key path. */
export function flattenTensors(value: unknown, prefix: string[] = []): FoundTensor[] {
  const out: FoundTensor[] = [];
  const onPath = new Set<unknown>();
  const walk = (node: unknown, names: string[]): void => {
    if (isTensorRef(node)) {
      out.push({ name: names.length ? names.join('.') : 'tensor', tensor: node });
      return;
    }
    const kids = children(node);
    if (!kids || onPath.has(node)) return;
    if (names.length - prefix.length > MAX_DEPTH) {
      throw new OmnihubError('too-deep', `The file nests containers more than ${MAX_DEPTH} levels deep (at '${names.slice(0, 5).join('.')}…').`);
    }
    onPath.add(node);
    for (const [key, child] of kids) walk(child, [...names, keyName(key)]);
    onPath.delete(node);
  };
  walk(value, prefix);
  return out;
}

/** A scalar worth showing in the UI (epoch, loss, best_acc, arch …), or undefined. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'None';
  if (typeof value === 'string') return value.length > 80 ? `'${value.slice(0, 77)}…'` : `'${value}'`;
  return undefined;
}

/** Facts about the parts of a checkpoint that are not the state dict. */
export function checkpointNotes(root: unknown, path: string[]): string[] {
  if (!(root instanceof Map)) return [];
  const notes: string[] = [];
  for (const [key, value] of root) {
    const name = keyName(key);
    if (path.length && name === path[0]) continue;
    const scalar = scalarText(value);
    if (scalar !== undefined) notes.push(`${name}: ${scalar}`);
    else if (path.length && holdsTensors(value)) {
      const n = flattenTensors(value).length;
      notes.push(`${name}: ${n} more tensor${n === 1 ? '' : 's'}, not part of the state dict (not read)`);
    }
  }
  return notes;
}
