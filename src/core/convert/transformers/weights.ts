/**
 * The state dict as the builders read it: each weight is looked up by its full key, its shape checked against the
 * one the config implies ('mismatch' naming the key and both shapes), and what was read is remembered so the report
 * can list the tensors the graph did not use.
 */
import { OmnihubError } from '../../errors.js';
import { elementCount, type StateDict, type WeightTensor } from '../../weights/types.js';

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

export class WeightStore {
  readonly #tensors: StateDict;
  readonly #used = new Set<string>();
  readonly #ignored = new Set<string>();
  /** Dtypes of the weights read, other than float32 (they are widened to float32). */
  readonly widened = new Set<string>();

  constructor(tensors: StateDict, readonly modelType: string) {
    this.#tensors = tensors;
  }

  has(key: string): boolean {
    return this.#tensors.has(key);
  }

  /** The weight `key` (or the first alias present), checked to have `shape`. */
  get(key: string, shape: readonly number[], aliases: readonly string[] = []): WeightTensor {
    const found = [key, ...aliases].find((k) => this.#tensors.has(k));
    if (found === undefined) {
      throw new OmnihubError('mismatch', `${this.modelType}: weight '${key}' ${shapeText(shape)} is missing from the weights${aliases.length ? ` (also looked for ${aliases.map((a) => `'${a}'`).join(', ')})` : ''}.`);
    }
    const t = this.#tensors.get(found)!;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new OmnihubError('mismatch', `${this.modelType}: weight '${found}' has shape ${shapeText(t.shape)} but the config needs ${shapeText(shape)}.`);
    }
    if (!['float32', 'float16', 'bfloat16', 'float64'].includes(t.dtype)) {
      throw new OmnihubError('mismatch', `${this.modelType}: weight '${found}' is ${t.dtype}; a float tensor was expected.`);
    }
    if (t.dtype !== 'float32') this.widened.add(t.dtype);
    this.#used.add(found);
    return t;
  }

  /** Marks keys as known buffers that the graph recomputes (not reported as unused). */
  ignore(predicate: (key: string) => boolean): string[] {
    const keys = [...this.#tensors.keys()].filter((k) => !this.#used.has(k) && predicate(k));
    for (const k of keys) this.#ignored.add(k);
    return keys;
  }

  /** Keys that were neither read nor ignored, in the file's order. */
  unused(): string[] {
    return [...this.#tensors.keys()].filter((k) => !this.#used.has(k) && !this.#ignored.has(k));
  }

  /** Elements in the weights read (each tensor once, however often the graph uses it). */
  parameters(): number {
    let n = 0;
    for (const k of this.#used) n += elementCount(this.#tensors.get(k)!.shape);
    return n;
  }
}
