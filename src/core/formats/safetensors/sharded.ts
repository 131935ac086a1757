/**
 * Sharded safetensors checkpoints as Hugging Face writes them: `model-00001-of-00003.safetensors` … plus
 * `model.safetensors.index.json` = `{ "metadata": { "total_size": N }, "weight_map": { tensor: shard file } }`.
 *
 * Splitting follows huggingface_hub's `split_state_dict_into_shards_factory` (serialization/_base.py), which
 * transformers' `save_pretrained` uses: tensors in the order given; a tensor larger than the limit gets a shard of
 * its own (appended at once, before the shard being filled); otherwise a tensor that would take the current shard
 * over the limit starts a new one. Sizes are tensor bytes only (headers not counted), and total_size is their sum.
 * A single shard is named `model.safetensors`, and Hugging Face writes no index for it (`sharded: false`).
 */
import { OmnihubError } from '../../errors.js';
import type { StateDict, WeightTensor } from '../../weights/types.js';
import { readSafetensors } from './read.js';
import { compareCodePoints, writeSafetensors, type SafetensorsWriteOptions } from './write.js';

export const SHARD_INDEX_FILE = 'model.safetensors.index.json';
/** huggingface_hub's default shard limit (MAX_SHARD_SIZE, 5 GB). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export interface ShardIndex {
  metadata: { total_size: number } & Record<string, unknown>;
  weight_map: Record<string, string>;
}

/** `model-00001-of-00003.safetensors` (1-based), or `model.safetensors` when there is one shard. */
export function shardFileName(index: number, count: number, prefix = 'model'): string {
  if (count === 1) return `${prefix}.safetensors`;
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

// ---- reading ----

export interface ShardedSafetensors {
  /** Every tensor, in weight_map order (views on the shards' bytes). */
  tensors: StateDict;
  /** The index's `metadata` (total_size …). */
  metadata: Record<string, unknown>;
  /** Each shard's own `__metadata__`, by file name. */
  shardMetadata: Record<string, Record<string, string>>;
  /** Tensors a shard holds that the index does not list (kept), and a total_size that disagrees with the data. */
  notes: string[];
}

function badIndex(message: string): never {
  throw new OmnihubError('malformed', `Not a valid safetensors index (${SHARD_INDEX_FILE}): ${message}.`);
}

/** Shard file names are plain names inside the checkpoint's folder: an index must not point elsewhere. */
function checkShardName(name: string, tensor: string): void {
  if (!name || name === '.' || name === '..' || /[\\/\0]/.test(name) || /^[a-zA-Z]:/.test(name)) {
    throw new OmnihubError('unsafe-path', `The safetensors index maps '${tensor}' to '${name}', which is not a file name inside the checkpoint's folder.`);
  }
}

/**
 * Reads a sharded checkpoint: `index` is the parsed `model.safetensors.index.json`, `openShard` returns a shard's
 * bytes by file name (each shard is opened once, in the order the index first names it). Every weight_map entry
 * must be in the shard it names, and no tensor may be in two shards.
 */
export async function readShardedSafetensors(
  index: unknown,
  openShard: (fileName: string) => Promise<Uint8Array>,
): Promise<ShardedSafetensors> {
  if (index === null || typeof index !== 'object' || Array.isArray(index)) badIndex('it is not a JSON object');
  const { weight_map: weightMap, metadata } = index as { weight_map?: unknown; metadata?: unknown };
  if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) badIndex('it has no "weight_map" object');
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) badIndex('"metadata" is not an object');

  const shardOf = new Map<string, string>();
  const shards: string[] = [];
  for (const [tensor, file] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof file !== 'string') badIndex(`weight_map entry '${tensor}' is not a file name`);
    checkShardName(file, tensor);
    shardOf.set(tensor, file);
    if (!shards.includes(file)) shards.push(file);
  }

  const found = new Map<string, { tensor: WeightTensor; shard: string }>();
  const shardMetadata: Record<string, Record<string, string>> = {};
  const notes: string[] = [];
  for (const shard of shards) {
    let bytes: Uint8Array;
    try {
      bytes = await openShard(shard);
    } catch (e) {
      if (e instanceof OmnihubError) throw e;
      throw new OmnihubError('not-found', `Shard '${shard}' of the safetensors index could not be opened: ${e instanceof Error ? e.message : e}`, { cause: e });
    }
    let file;
    try {
      file = readSafetensors(bytes);
    } catch (e) {
      if (e instanceof OmnihubError) throw new OmnihubError(e.code, `Shard '${shard}': ${e.message}`, { cause: e });
      throw e;
    }
    shardMetadata[shard] = file.metadata;
    for (const [name, tensor] of file.tensors) {
      const earlier = found.get(name);
      if (earlier) throw new OmnihubError('malformed', `Tensor '${name}' is in two shards: '${earlier.shard}' and '${shard}'.`);
      found.set(name, { tensor, shard });
      const listed = shardOf.get(name);
      if (listed === undefined) notes.push(`Shard '${shard}' holds '${name}', which the index does not list (kept).`);
      else if (listed !== shard) {
        throw new OmnihubError('mismatch', `The index puts tensor '${name}' in '${listed}', but it is in '${shard}'.`);
      }
    }
  }

  const tensors: StateDict = new Map();
  for (const [name, shard] of shardOf) {
    const hit = found.get(name);
    if (!hit) throw new OmnihubError('mismatch', `The index puts tensor '${name}' in '${shard}', but that shard has no such tensor.`);
    tensors.set(name, hit.tensor);
  }
  for (const [name, hit] of found) if (!tensors.has(name)) tensors.set(name, hit.tensor);

  const meta = (metadata ?? {}) as Record<string, unknown>;
  if (meta.total_size !== undefined) {
    let total = 0;
    for (const t of tensors.values()) total += t.bytes.byteLength;
    if (Number(meta.total_size) !== total) notes.push(`The index says total_size ${meta.total_size}, but the tensors take ${total} bytes.`);
  }
  return { tensors, metadata: meta, shardMetadata, notes };
}

// ---- writing ----

export interface ShardedWriteOptions extends SafetensorsWriteOptions {
  /** Most tensor bytes per shard (default 5 GB, as huggingface_hub); a larger tensor gets a shard of its own. */
  maxShardBytes?: number;
  /** Each shard's `__metadata__` (default `{ format: 'pt' }`, as transformers writes). */
  metadata?: Record<string, string>;
  /** File name prefix (default 'model'). */
  prefix?: string;
}

export interface ShardFile {
  fileName: string;
  /** The shard as safetensors chunks (header, then tensor bytes as views). */
  chunks: Uint8Array[];
  /** Tensors in this shard, in the order they were given. */
  tensorNames: string[];
  /** Size of the shard file. */
  bytes: number;
}

export interface ShardedCheckpoint {
  index: ShardIndex;
  /** 'model.safetensors.index.json' */
  indexFileName: string;
  /** The index as transformers writes it: `json.dumps(index, indent=2, sort_keys=True) + "\n"`. */
  indexJson: string;
  /** False when everything fits one shard (`model.safetensors`): Hugging Face then writes no index file. */
  sharded: boolean;
  shards: ShardFile[];
}

/** Splits `tensors` into shards and writes each (see the file comment for the rule). */
export function writeShardedSafetensors(tensors: Iterable<WeightTensor>, options: ShardedWriteOptions = {}): ShardedCheckpoint {
  const maxShardBytes = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!(maxShardBytes > 0)) throw new OmnihubError('usage', `maxShardBytes must be positive (got ${maxShardBytes}).`);
  const groups: WeightTensor[][] = [];
  let current: WeightTensor[] = [];
  let currentSize = 0;
  let totalSize = 0;
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new OmnihubError('usage', `Two tensors are named '${t.name}'.`);
    names.add(t.name);
    const size = t.bytes.byteLength;
    totalSize += size;
    if (size > maxShardBytes) {
      groups.push([t]);
      continue;
    }
    if (currentSize + size > maxShardBytes) {
      groups.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(t);
    currentSize += size;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);

  const metadata = options.metadata ?? { format: 'pt' };
  const weightMap: Record<string, string> = {};
  const shards: ShardFile[] = groups.map((group, i) => {
    const fileName = shardFileName(i, groups.length, options.prefix);
    const chunks = writeSafetensors(group, metadata, options);
    for (const t of group) weightMap[t.name] = fileName;
    return { fileName, chunks, tensorNames: group.map((t) => t.name), bytes: chunks.reduce((n, c) => n + c.byteLength, 0) };
  });
  const index: ShardIndex = { metadata: { total_size: totalSize }, weight_map: weightMap };
  return {
    index,
    indexFileName: SHARD_INDEX_FILE,
    indexJson: pythonJsonDumps(index) + '\n',
    sharded: groups.length > 1,
    shards,
  };
}

// ---- Python's json.dumps(value, indent=2, sort_keys=True) (ensure_ascii on) ----

function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

function pythonJsonDumps(value: unknown, indent = ''): string {
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new OmnihubError('usage', `Cannot write ${value} to JSON.`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'null';
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + pythonJsonDumps(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value as object).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  const record = value as Record<string, unknown>;
  return `{\n${keys.map((k) => `${inner}${pythonString(k)}: ${pythonJsonDumps(record[k], inner)}`).join(',\n')}\n${indent}}`;
}
