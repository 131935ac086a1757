/**
 * The inert JavaScript values the pickle interpreter builds. Python objects never come to life here: a dict is a
 * Map, a list an array, a tuple a frozen array, and an instance of an allowed class a PickleObject record holding
 * its class name, constructor arguments and state as data. Nothing in this file can run code from a file.
 */

/** An instance of an allowed class (a TorchScript module, torch.device, numpy.dtype …), kept as plain data. */
export class PickleObject {
  constructor(
    readonly className: string,
    readonly args: readonly unknown[],
    /** What BUILD gave it (usually a Map of attributes); undefined before BUILD. */
    public state: unknown = undefined,
  ) {}
}

/**
 * What GLOBAL / STACK_GLOBAL / INST push for an allowed callable: a name and a TypeScript function (from the fixed
 * allow-list table) that turns the pickled arguments into an inert value. It is the only thing REDUCE, NEWOBJ, INST
 * and OBJ can apply.
 */
export class PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly make: (args: readonly unknown[]) => unknown,
  ) {}
}

/** Python tuples are frozen arrays, so APPEND on one is caught as the malformed input it is. */
export function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

export function isTuple(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.isFrozen(value);
}

export function isList(value: unknown): value is unknown[] {
  return Array.isArray(value) && !Object.isFrozen(value);
}

/** A Python-ish one-word description of a value, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  if (typeof value === 'boolean') return 'a bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'string') return 'a string';
  if (value instanceof Uint8Array) return 'bytes';
  if (isTuple(value)) return 'a tuple';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  if (value instanceof PickleObject) return `a ${value.className} object`;
  if (value instanceof PickleCallable) return `'${value.qualifiedName}'`;
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : 'an object';
}
