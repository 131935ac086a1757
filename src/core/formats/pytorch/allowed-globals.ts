/**
 * The allow-list: every Python global a PyTorch file may name, each mapped to a TypeScript function that builds an
 * inert value from the pickled arguments. This table is the whole security boundary of the reader: a name that is
 * not here (os.system, builtins.eval, subprocess.Popen, a user's model class …) is refused with 'unsafe-code' before
 * anything else happens, and nothing here evaluates, imports or calls code named by the file.
 *
 * The set follows torch's own `weights_only` unpickler (torch/_weights_only_unpickler.py): collections.OrderedDict,
 * the torch._utils._rebuild_* functions, storage classes, dtypes, torch.Size, torch.device, _codecs.encode,
 * builtins.set…; plus numpy scalars and dtypes (training checkpoints store `epoch` or `best_acc` as numpy scalars)
 * and, only inside a TorchScript archive, the archive's own `__torch__.*` classes as plain records.
 */
import { OmnihubError } from '../../errors.js';
import { StorageType, TorchDtype, storageType, torchDtype } from './dtypes.js';
import { PickleCallable, PickleObject, describeValue, isTuple, tuple } from './pickle-values.js';
import { MetaTensor, TorchStorage, TorchTensor } from './tensor-refs.js';

export interface GlobalOptions {
  /** A TorchScript archive: its `__torch__.*` classes and torch.jit._pickle helpers are allowed (as inert records). */
  torchScript: boolean;
}

export function refuseGlobal(module: string, name: string): never {
  throw new OmnihubError(
    'unsafe-code',
    `This file asks Python to import '${module}.${name}': omnihub refuses to load '${module}.${name}' (a PyTorch weights file may only name tensors, containers and known PyTorch types); nothing was executed.`,
  );
}

function malformed(message: string): OmnihubError {
  return new OmnihubError('malformed', `Malformed PyTorch pickle: ${message}.`);
}

function unsupported(what: string): PickleCallable['make'] {
  return () => {
    throw new OmnihubError('unsupported', `The file holds ${what}, which omnihub does not read.`);
  };
}

function index(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw malformed(`${what} is ${typeof value === 'number' || typeof value === 'bigint' ? String(value) : describeValue(value)}, not a size`);
}

function sizes(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw malformed(`${what} is ${describeValue(value)}, not a tuple of sizes`);
  if (value.length > 64) throw malformed(`${what} has ${value.length} dimensions`);
  return value.map((v, i) => index(v, `${what}[${i}]`));
}

function rebuildTensor(args: readonly unknown[], dtype: TorchDtype | undefined, fn: string): TorchTensor {
  if (args.length < 4) throw malformed(`${fn} called with ${args.length} arguments`);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof TorchStorage)) throw malformed(`${fn} gets ${describeValue(storage)} where a storage belongs`);
  const shape = sizes(size, `${fn} size`);
  const strides = sizes(stride, `${fn} stride`);
  if (shape.length !== strides.length) throw malformed(`${fn} has ${shape.length} sizes but ${strides.length} strides`);
  return new TorchTensor(storage, index(offset, `${fn} storage offset`), shape, strides, dtype ?? storage.dtype);
}

function isTensor(value: unknown): boolean {
  return value instanceof TorchTensor || value instanceof MetaTensor;
}

/** Python's encode for the few codecs pickle uses to carry bytes (protocol 2 pickles bytes as _codecs.encode(str, 'latin1')). */
function encode(value: unknown, encoding: unknown): Uint8Array {
  if (typeof value !== 'string') throw malformed(`_codecs.encode of ${describeValue(value)}`);
  const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace(/_/g, '-') : 'utf-8';
  if (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1' || enc === 'ascii') {
    const out = new Uint8Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c > 0xff) throw malformed(`_codecs.encode: character U+${c.toString(16)} does not fit ${enc}`);
      out[i] = c;
    }
    return out;
  }
  if (enc === 'utf-8' || enc === 'utf8') return new TextEncoder().encode(value);
  throw new OmnihubError('unsupported', `_codecs.encode with encoding '${String(encoding)}'.`);
}

function mapping(args: readonly unknown[], what: string): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  const source = args[0];
  if (source === undefined || source === null) return out;
  if (source instanceof Map) return new Map(source);
  if (!Array.isArray(source)) throw malformed(`${what} built from ${describeValue(source)}`);
  for (const pair of source) {
    if (!Array.isArray(pair) || pair.length !== 2) throw malformed(`${what} built from an item that is not a (key, value) pair`);
    out.set(pair[0], pair[1]);
  }
  return out;
}

function items(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return [...value];
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.keys()];
  throw malformed(`${what} built from ${describeValue(value)}`);
}

/** numpy.core.multiarray.scalar(dtype, bytes): the value of a numpy scalar (np.float64(0.93) in a checkpoint). */
function numpyScalar(args: readonly unknown[]): unknown {
  const [dtype, data] = args;
  if (!(dtype instanceof PickleObject) || dtype.className !== 'numpy.dtype' || !(data instanceof Uint8Array)) {
    return new PickleObject('numpy.scalar', args);
  }
  const code = String(dtype.args[0] ?? '');
  const state = dtype.state;
  const order = isTuple(state) && typeof state[1] === 'string' ? state[1] : '<';
  const little = order !== '>';
  const kind = code[0];
  const size = Number(code.slice(1));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length !== size) return new PickleObject('numpy.scalar', args);
  if (kind === 'f' && size === 8) return view.getFloat64(0, little);
  if (kind === 'f' && size === 4) return view.getFloat32(0, little);
  if (kind === 'i' && size === 8) return narrow(view.getBigInt64(0, little));
  if (kind === 'i' && size === 4) return view.getInt32(0, little);
  if (kind === 'i' && size === 2) return view.getInt16(0, little);
  if (kind === 'i' && size === 1) return view.getInt8(0);
  if (kind === 'u' && size === 8) return narrow(view.getBigUint64(0, little));
  if (kind === 'u' && size === 4) return view.getUint32(0, little);
  if (kind === 'u' && size === 2) return view.getUint16(0, little);
  if (kind === 'u' && size === 1) return view.getUint8(0);
  if (kind === 'b' && size === 1) return data[0] !== 0;
  return new PickleObject('numpy.scalar', args);
}

function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const record = (className: string): PickleCallable['make'] => (args) => new PickleObject(className, args);

const REBUILD_V2 = new PickleCallable('torch._utils._rebuild_tensor_v2', (args) => rebuildTensor(args, undefined, '_rebuild_tensor_v2'));

/** 'module.name' → the inert value GLOBAL pushes. */
const TABLE = new Map<string, unknown>([
  ['collections.OrderedDict', new PickleCallable('collections.OrderedDict', (args) => mapping(args, 'OrderedDict'))],
  ['collections.Counter', new PickleCallable('collections.Counter', (args) => mapping(args, 'Counter'))],
  ['builtins.set', new PickleCallable('builtins.set', (args) => new Set(items(args[0], 'set')))],
  ['builtins.frozenset', new PickleCallable('builtins.frozenset', (args) => new Set(items(args[0], 'frozenset')))],
  ['builtins.slice', new PickleCallable('builtins.slice', record('slice'))],
  ['builtins.complex', new PickleCallable('builtins.complex', record('complex'))],
  ['builtins.bytes', new PickleCallable('builtins.bytes', (args) => (args.length ? encode(args[0], args[1] ?? 'latin1') : new Uint8Array(0)))],
  ['builtins.bytearray', new PickleCallable('builtins.bytearray', (args) => {
    if (!args.length) return new Uint8Array(0);
    return args[0] instanceof Uint8Array ? args[0].slice() : encode(args[0], args[1] ?? 'latin1');
  })],
  ['_codecs.encode', new PickleCallable('_codecs.encode', (args) => encode(args[0], args[1]))],

  ['torch._utils._rebuild_tensor', new PickleCallable('torch._utils._rebuild_tensor', (args) => rebuildTensor(args, undefined, '_rebuild_tensor'))],
  ['torch._utils._rebuild_tensor_v2', REBUILD_V2],
  ['torch._utils._rebuild_tensor_v3', new PickleCallable('torch._utils._rebuild_tensor_v3', (args) => {
    const dtype = args[6];
    if (!(dtype instanceof TorchDtype)) throw malformed(`_rebuild_tensor_v3 gets ${describeValue(dtype)} where a dtype belongs`);
    return rebuildTensor(args, dtype, '_rebuild_tensor_v3');
  })],
  ['torch._utils._rebuild_parameter', new PickleCallable('torch._utils._rebuild_parameter', (args) => parameterData(args, '_rebuild_parameter'))],
  ['torch._utils._rebuild_parameter_with_state', new PickleCallable('torch._utils._rebuild_parameter_with_state', (args) => parameterData(args, '_rebuild_parameter_with_state'))],
  ['torch.nn.parameter.Parameter', new PickleCallable('torch.nn.parameter.Parameter', (args) => parameterData(args, 'Parameter'))],
  ['torch._tensor._rebuild_from_type_v2', new PickleCallable('torch._tensor._rebuild_from_type_v2', (args) => {
    // (func, new_type, args, state): a tensor subclass or a tensor with Python attributes; func rebuilds the tensor,
    // new_type can only be an allowed global (torch.Tensor / Parameter), and the attributes are dropped.
    const [func, , innerArgs] = args;
    if (!(func instanceof PickleCallable) || !Array.isArray(innerArgs)) throw malformed('_rebuild_from_type_v2 without a rebuild function and its arguments');
    return func.make(innerArgs);
  })],
  ['torch._utils._rebuild_meta_tensor_no_storage', new PickleCallable('torch._utils._rebuild_meta_tensor_no_storage', (args) => {
    if (!(args[0] instanceof TorchDtype)) throw malformed('_rebuild_meta_tensor_no_storage without a dtype');
    return new MetaTensor(args[0], sizes(args[1], 'meta tensor size'));
  })],
  ['torch._utils._rebuild_device_tensor_from_cpu_tensor', new PickleCallable('torch._utils._rebuild_device_tensor_from_cpu_tensor', (args) => {
    const [data, dtype] = args;
    if (data instanceof TorchTensor && (dtype === data.dtype || dtype === undefined)) return data;
    throw new OmnihubError('unsupported', 'The file holds a device tensor that needs a dtype conversion, which omnihub does not do.');
  })],
  ['torch._utils._rebuild_qtensor', new PickleCallable('torch._utils._rebuild_qtensor', unsupported('a quantized tensor'))],
  ['torch._utils._rebuild_sparse_tensor', new PickleCallable('torch._utils._rebuild_sparse_tensor', unsupported('a sparse tensor'))],
  ['torch._utils._rebuild_nested_tensor', new PickleCallable('torch._utils._rebuild_nested_tensor', unsupported('a nested tensor'))],
  ['torch._utils._rebuild_wrapper_subclass', new PickleCallable('torch._utils._rebuild_wrapper_subclass', unsupported('a tensor subclass (wrapper)'))],
  ['torch._utils._rebuild_device_tensor_from_numpy', new PickleCallable('torch._utils._rebuild_device_tensor_from_numpy', unsupported('a device tensor stored as a numpy array'))],
  ['torch._utils._rebuild_xla_tensor', new PickleCallable('torch._utils._rebuild_xla_tensor', unsupported('an XLA tensor'))],
  ['torch.Tensor', new PickleCallable('torch.Tensor', unsupported('a tensor built by calling torch.Tensor'))],
  ['torch.Size', new PickleCallable('torch.Size', (args) => tuple(sizes(args[0] ?? [], 'torch.Size')))],
  ['torch.device', new PickleCallable('torch.device', record('torch.device'))],
  ['torch.serialization._get_layout', new PickleCallable('torch.serialization._get_layout', record('torch.layout'))],

  ['numpy.core.multiarray.scalar', new PickleCallable('numpy.core.multiarray.scalar', numpyScalar)],
  ['numpy._core.multiarray.scalar', new PickleCallable('numpy._core.multiarray.scalar', numpyScalar)],
  ['numpy.dtype', new PickleCallable('numpy.dtype', record('numpy.dtype'))],
  // numpy arrays inside a checkpoint (metadata, not weights): kept as an inert record, never decoded into tensors.
  ['numpy.ndarray', new PickleCallable('numpy.ndarray', record('numpy.ndarray'))],
  ['numpy.core.multiarray._reconstruct', new PickleCallable('numpy.core.multiarray._reconstruct', record('numpy.ndarray'))],
  ['numpy._core.multiarray._reconstruct', new PickleCallable('numpy._core.multiarray._reconstruct', record('numpy.ndarray'))],
]);

for (const q of ['per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric', 'per_channel_affine_float_qparams']) {
  TABLE.set(`torch.${q}`, new PickleObject('torch.qscheme', [q]));
}

/** torch.jit._pickle helpers that TorchScript's pickler emits for typed lists and tagged values. */
const TORCHSCRIPT_HELPERS = new Map<string, PickleCallable>([
  ...['build_intlist', 'build_doublelist', 'build_boollist', 'build_tensorlist', 'build_complexlist'].map(
    (n) => [`torch.jit._pickle.${n}`, new PickleCallable(`torch.jit._pickle.${n}`, (args: readonly unknown[]) => args[0])] as const,
  ),
  ['torch.jit._pickle.restore_type_tag', new PickleCallable('torch.jit._pickle.restore_type_tag', (args) => args[0])],
  ['torch.jit._pickle.build_tensor_from_id', new PickleCallable('torch.jit._pickle.build_tensor_from_id', record('torch.jit.tensor_from_id'))],
]);

function parameterData(args: readonly unknown[], fn: string): unknown {
  if (!isTensor(args[0])) throw malformed(`${fn} wraps ${describeValue(args[0])}, not a tensor`);
  return args[0];
}

/** The resolver the interpreter calls for GLOBAL / STACK_GLOBAL / INST. */
export function resolveGlobal(module: string, name: string, options: GlobalOptions): unknown {
  const full = `${module}.${name}`;
  const known = TABLE.get(full);
  if (known !== undefined) return known;
  if (module === 'torch') {
    const d = torchDtype(name);
    if (d) return d;
  }
  // torch.load maps any global whose name contains 'Storage' to a storage type by name, whatever the module
  // (torch.cuda.FloatStorage in files saved from a GPU); only torch's own modules are accepted here.
  if ((module === 'torch' || module === 'torch.cuda' || module === 'torch.storage') && name.endsWith('Storage')) {
    const s = storageType(name);
    if (s) return s;
  }
  if (options.torchScript) {
    const helper = TORCHSCRIPT_HELPERS.get(full);
    if (helper) return helper;
    if (module === '__torch__' || module.startsWith('__torch__.')) return new PickleCallable(full, record(full));
  }
  return refuseGlobal(module, name);
}

/** Reads a persistent id tuple as torch.save writes it, into a storage reference (shared by key). */
export function storageFromPersistentId(
  pid: unknown,
  format: 'zip' | 'legacy',
  storages: Map<string, TorchStorage>,
): TorchStorage {
  if (!isTuple(pid) && !Array.isArray(pid)) throw malformed(`a persistent id is ${describeValue(pid)}, not a tuple`);
  const tag = pid[0] instanceof Uint8Array ? new TextDecoder().decode(pid[0]) : pid[0];
  if (tag !== 'storage') {
    throw new OmnihubError('unsupported', `The file refers to a persistent object of type '${String(tag)}' (only tensor storages are read).`);
  }
  const expected = format === 'zip' ? 5 : 6;
  if (pid.length !== expected) throw malformed(`a storage persistent id has ${pid.length} fields, expected ${expected}`);
  const [, type, rawKey, rawLocation, numel] = pid;
  if (!(type instanceof StorageType)) throw malformed(`a storage persistent id names ${describeValue(type)} as its storage type`);
  const key = typeof rawKey === 'number' || typeof rawKey === 'bigint' ? String(rawKey) : rawKey;
  if (typeof key !== 'string' || !key) throw malformed('a storage persistent id has no key');
  const location = rawLocation instanceof Uint8Array ? new TextDecoder().decode(rawLocation) : rawLocation;
  if (typeof location !== 'string') throw malformed('a storage persistent id has no device location');
  const count = index(numel, `storage '${key}' size`);
  let view: { offset: number; size: number } | undefined;
  if (format === 'legacy' && pid[5] !== null) {
    // (view_key, offset, view_size): a slice of the root storage (tensors viewing part of a bigger storage).
    const meta = pid[5];
    if (!Array.isArray(meta) || meta.length !== 3) throw malformed(`storage '${key}' has invalid view metadata`);
    view = { offset: index(meta[1], 'storage view offset'), size: index(meta[2], 'storage view size') };
    const viewKey = typeof meta[0] === 'number' ? String(meta[0]) : meta[0];
    if (typeof viewKey !== 'string') throw malformed(`storage '${key}' has an invalid view key`);
    const cacheKey = `${key}\u0000${viewKey}`;
    const cached = storages.get(cacheKey);
    if (cached) return cached;
    const root = rootStorage(storages, key, type, location, count);
    const made = new TorchStorage(key, root.dtype, location, root.numel, view);
    storages.set(cacheKey, made);
    return made;
  }
  return rootStorage(storages, key, type, location, count);
}

function rootStorage(storages: Map<string, TorchStorage>, key: string, type: StorageType, location: string, numel: number): TorchStorage {
  const existing = storages.get(key);
  if (existing) return existing;
  const made = new TorchStorage(key, type.dtype, location, numel);
  storages.set(key, made);
  return made;
}
