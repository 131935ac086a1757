/**
 * Field-by-field equality of decoded protobuf messages, the notion Python's `onnx.load(a) == onnx.load(b)` uses:
 * a field counts only where it is present (own property), so a field written explicitly with its default value
 * differs from an absent one. Returns the path of the first difference, or null.
 */
import Long from 'long';

export function firstDifference(a: unknown, b: unknown, path = 'model'): string | null {
  if (a === b) return null;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return `${path}: bytes differ in length`;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${path}[${i}]: ${a[i]} != ${b[i]}`;
    return null;
  }
  if (Long.isLong(a) || Long.isLong(b)) {
    return Long.fromValue(a as Long).equals(Long.fromValue(b as Long)) ? null : `${path}: ${a} != ${b}`;
  }
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || (a !== a && b !== b) ? null : `${path}: ${a} != ${b}`;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${String(a)} != ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs non-array`;
  const keysA = Object.keys(a).sort();
  const keysB = Object.keys(b).sort();
  if (keysA.join() !== keysB.join()) return `${path}: fields {${keysA}} != {${keysB}}`;
  for (const k of keysA) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}
