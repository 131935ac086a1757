/**
 * GraphDef from its protobuf JSON form (proto3 JSON mapping, as TF.js graph models store `modelTopology`): field names
 * in lowerCamelCase or as in the .proto, int64 as strings, enums as names (`DT_FLOAT`), bytes as base64. The plain
 * object is encoded with the generated code and decoded back, so the result is the same kind of message a binary
 * `.pb` gives (defaults, Long handling, presence) and the converter treats both alike.
 */
import { OmnihubError } from '../../errors.js';
import { decodeTf, tensorflow, type TfDecodeOptions } from './codec.js';

type Json = Record<string, unknown>;

function field(o: Json, snake: string): unknown {
  if (o[snake] !== undefined) return o[snake];
  const camel = snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return o[camel];
}

function obj(v: unknown, what: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new OmnihubError('malformed', `TF.js graph JSON: ${what} is not an object.`);
  return v as Json;
}

function arr(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OmnihubError('malformed', `TF.js graph JSON: ${what} is not a list.`);
  return v;
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function int(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new OmnihubError('malformed', `TF.js graph JSON: ${what} '${String(v)}' is not an integer.`);
  return n;
}

function float(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

function dtype(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  const n = (tensorflow.DataType as unknown as Record<string, number | undefined>)[String(v)];
  if (n === undefined) throw new OmnihubError('unsupported', `TF.js graph JSON: unknown dtype '${String(v)}'.`);
  return n;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Standard or URL-safe base64, padding optional. */
export function base64Decode(text: string): Uint8Array {
  const s = text.replace(/[\s=]/g, '').replace(/-/g, '+').replace(/_/g, '/');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of s) {
    const v = B64_INDEX.get(c);
    if (v === undefined) throw new OmnihubError('malformed', `TF.js graph JSON: invalid base64 character '${c}'.`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

function bytes(v: unknown): Uint8Array | undefined {
  if (v === undefined || v === null) return undefined;
  return base64Decode(String(v));
}

function shape(v: unknown): tensorflow.ITensorShapeProto | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'a shape');
  return {
    dim: arr(field(o, 'dim'), 'shape.dim').map((d) => {
      const dd = obj(d, 'a dim');
      return { size: int(field(dd, 'size'), 'dim size') ?? 0, name: str(field(dd, 'name')) };
    }),
    unknown_rank: Boolean(field(o, 'unknown_rank')),
  };
}

function tensor(v: unknown): tensorflow.ITensorProto | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'a tensor');
  const nums = (k: string) => arr(field(o, k), k).map((x) => float(x) ?? 0);
  const ints = (k: string) => arr(field(o, k), k).map((x) => int(x, k) ?? 0);
  return {
    dtype: dtype(field(o, 'dtype')),
    tensor_shape: shape(field(o, 'tensor_shape')),
    version_number: int(field(o, 'version_number'), 'version_number'),
    tensor_content: bytes(field(o, 'tensor_content')),
    half_val: ints('half_val'),
    float_val: nums('float_val'),
    double_val: nums('double_val'),
    int_val: ints('int_val'),
    string_val: arr(field(o, 'string_val'), 'string_val').map((x) => bytes(x) ?? new Uint8Array(0)),
    scomplex_val: nums('scomplex_val'),
    int64_val: ints('int64_val'),
    bool_val: arr(field(o, 'bool_val'), 'bool_val').map(Boolean),
    dcomplex_val: nums('dcomplex_val'),
    uint32_val: ints('uint32_val'),
    uint64_val: ints('uint64_val'),
  };
}

function nameAttrList(v: unknown): tensorflow.INameAttrList | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'a func attr');
  return { name: str(field(o, 'name')), attr: attrMap(field(o, 'attr')) };
}

function attrValue(v: unknown): tensorflow.IAttrValue {
  const o = obj(v, 'an attr value');
  const out: tensorflow.IAttrValue = {};
  if (o.s !== undefined) out.s = bytes(o.s);
  if (o.i !== undefined) out.i = int(o.i, 'attr i');
  if (o.f !== undefined) out.f = float(o.f);
  if (o.b !== undefined) out.b = Boolean(o.b);
  if (o.type !== undefined) out.type = dtype(o.type);
  if (o.shape !== undefined) out.shape = shape(o.shape);
  if (o.tensor !== undefined) out.tensor = tensor(o.tensor);
  if (o.func !== undefined) out.func = nameAttrList(o.func);
  if (o.placeholder !== undefined) out.placeholder = str(o.placeholder);
  if (o.list !== undefined) {
    const l = obj(o.list, 'an attr list');
    out.list = {
      s: arr(l.s, 'list.s').map((x) => bytes(x) ?? new Uint8Array(0)),
      i: arr(l.i, 'list.i').map((x) => int(x, 'list.i') ?? 0),
      f: arr(l.f, 'list.f').map((x) => float(x) ?? 0),
      b: arr(l.b, 'list.b').map(Boolean),
      type: arr(l.type, 'list.type').map((x) => dtype(x) ?? 0),
      shape: arr(l.shape, 'list.shape').map((x) => shape(x) ?? {}),
      tensor: arr(l.tensor, 'list.tensor').map((x) => tensor(x) ?? {}),
      func: arr(l.func, 'list.func').map((x) => nameAttrList(x) ?? {}),
    };
  }
  return out;
}

function attrMap(v: unknown): Record<string, tensorflow.IAttrValue> {
  if (v === undefined || v === null) return {};
  return Object.fromEntries(Object.entries(obj(v, 'attr')).map(([k, x]) => [k, attrValue(x)]));
}

function nodeDef(v: unknown): tensorflow.INodeDef {
  const o = obj(v, 'a node');
  return {
    name: str(field(o, 'name')),
    op: str(field(o, 'op')),
    input: arr(field(o, 'input'), 'node.input').map(String),
    device: str(field(o, 'device')),
    attr: attrMap(field(o, 'attr')),
  };
}

function argDef(v: unknown): tensorflow.OpDef.IArgDef {
  const o = obj(v, 'an arg def');
  return {
    name: str(field(o, 'name')),
    description: str(field(o, 'description')),
    type: dtype(field(o, 'type')),
    type_attr: str(field(o, 'type_attr')),
    number_attr: str(field(o, 'number_attr')),
    type_list_attr: str(field(o, 'type_list_attr')),
    is_ref: Boolean(field(o, 'is_ref')),
  };
}

function opDef(v: unknown): tensorflow.IOpDef {
  const o = obj(v, 'an op def');
  return {
    name: str(field(o, 'name')),
    input_arg: arr(field(o, 'input_arg'), 'input_arg').map(argDef),
    output_arg: arr(field(o, 'output_arg'), 'output_arg').map(argDef),
    control_output: arr(field(o, 'control_output'), 'control_output').map(String),
    attr: arr(field(o, 'attr'), 'op attr').map((a) => {
      const ao = obj(a, 'an attr def');
      const dv = field(ao, 'default_value');
      const av = field(ao, 'allowed_values');
      return {
        name: str(field(ao, 'name')),
        type: str(field(ao, 'type')),
        default_value: dv === undefined || dv === null ? undefined : attrValue(dv),
        description: str(field(ao, 'description')),
        has_minimum: Boolean(field(ao, 'has_minimum')),
        minimum: int(field(ao, 'minimum'), 'minimum'),
        allowed_values: av === undefined || av === null ? undefined : attrValue(av),
      };
    }),
    is_stateful: Boolean(field(o, 'is_stateful')),
    is_commutative: Boolean(field(o, 'is_commutative')),
    is_aggregate: Boolean(field(o, 'is_aggregate')),
  };
}

function stringMap(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  return Object.fromEntries(Object.entries(obj(v, 'a map')).map(([k, x]) => [k, String(x)]));
}

function functionDef(v: unknown): tensorflow.IFunctionDef {
  const o = obj(v, 'a function');
  const sig = field(o, 'signature');
  return {
    signature: sig === undefined || sig === null ? undefined : opDef(sig),
    attr: attrMap(field(o, 'attr')),
    node_def: arr(field(o, 'node_def'), 'node_def').map(nodeDef),
    ret: stringMap(field(o, 'ret')),
    control_ret: stringMap(field(o, 'control_ret')),
  };
}

/** A GraphDef from its JSON form (TF.js `modelTopology` of a graph model). */
export function graphDefFromJson(json: unknown, options: TfDecodeOptions = {}): tensorflow.GraphDef {
  const o = obj(json, 'modelTopology');
  const versions = field(o, 'versions');
  const library = field(o, 'library');
  const plain: tensorflow.IGraphDef = {
    node: arr(field(o, 'node'), 'node').map(nodeDef),
    versions: versions === undefined || versions === null ? undefined : (() => {
      const vo = obj(versions, 'versions');
      return {
        producer: int(field(vo, 'producer'), 'producer'),
        min_consumer: int(field(vo, 'min_consumer'), 'min_consumer'),
        bad_consumers: arr(field(vo, 'bad_consumers'), 'bad_consumers').map((x) => int(x, 'bad_consumers') ?? 0),
      };
    })(),
    library: library === undefined || library === null ? undefined : {
      function: arr(field(obj(library, 'library'), 'function'), 'library.function').map(functionDef),
    },
  };
  const encoded = tensorflow.GraphDef.encode(plain).finish();
  if (encoded.length === 0) return new tensorflow.GraphDef();
  return decodeTf(encoded, 'a TF.js graph topology', (r) => tensorflow.GraphDef.decode(r), options);
}

/** A TensorInfo map of a TF.js `signature` ({name, dtype, tensorShape}). */
export function tensorInfoFromJson(v: unknown): { name: string; dtype: number; shape: tensorflow.ITensorShapeProto | undefined } {
  const o = obj(v, 'a tensor info');
  return { name: str(field(o, 'name')) ?? '', dtype: dtype(field(o, 'dtype')) ?? 0, shape: shape(field(o, 'tensor_shape')) };
}
