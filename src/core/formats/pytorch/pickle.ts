/**
 * A pickle interpreter that only builds data. It implements every opcode of pickle protocols 0–5 (as Python's
 * pickletools documents them) as a stack machine, but it never imports or calls anything: every GLOBAL goes through
 * `hooks.resolveGlobal`, which answers with an inert value from a fixed allow-list table or throws 'unsafe-code'.
 * REDUCE / NEWOBJ / INST / OBJ can only apply what that table returned (a PickleCallable, a TypeScript function).
 *
 * Hostile input is bounded by construction: every opcode consumes at least one byte, so the work is linear in the
 * input; a read past the end (a pickle that never STOPs) is 'truncated'; a missing memo entry, a stack underflow
 * or an operation on the wrong kind of value is 'malformed' — never a TypeError or RangeError.
 */
import { OmnihubError } from '../../errors.js';
import { PickleCallable, PickleObject, describeValue, isList, isTuple, tuple } from './pickle-values.js';

export interface UnpickleHooks {
  /** The inert value a global names (module 'collections', name 'OrderedDict' …); throws 'unsafe-code' to refuse. */
  resolveGlobal(module: string, name: string): unknown;
  /** What a persistent id (PERSID / BINPERSID) stands for; PyTorch uses it for tensor storages. */
  persistentLoad?(pid: unknown): unknown;
  /** BUILD on a value the interpreter does not handle itself; return false to call it malformed. */
  build?(target: unknown, state: unknown): boolean;
}

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode: the legacy PyTorch format puts several pickles back to back. */
  end: number;
}

/** Python refuses to parse integers with more digits than this (sys.int_info.default_max_str_digits). */
const MAX_DECIMAL_DIGITS = 4300;
/** The byte-length counterpart for LONG4 (4300 decimal digits ≈ 1786 bytes; rounded up generously). */
const MAX_LONG_BYTES = 4096;

const utf8 = new TextDecoder('utf-8');
/** Bytes as code points 0–255 (TextDecoder's 'latin1' is really windows-1252, which remaps 0x80–0x9f). */
const latin1 = { decode: (b: Uint8Array): string => { let s = ''; for (const c of b) s += String.fromCharCode(c); return s; } };

function malformed(message: string): OmnihubError {
  return new OmnihubError('malformed', `Malformed pickle: ${message}.`);
}

/** Runs one pickle starting at `start` until its STOP opcode. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, start = 0): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  let pos = start;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number, what: string): number => {
    if (n < 0 || pos + n > length) {
      throw new OmnihubError('truncated', `The pickle is cut short: ${what} at byte ${pos} runs past the end of the data (no STOP opcode).`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (what: string): number => bytes[need(1, what)];
  const u16 = (what: string): number => view.getUint16(need(2, what), true);
  const u32 = (what: string): number => view.getUint32(need(4, what), true);
  const i32 = (what: string): number => view.getInt32(need(4, what), true);
  const u64 = (what: string): number => {
    const v = view.getBigUint64(need(8, what), true);
    if (v > BigInt(length)) throw new OmnihubError('truncated', `The pickle is cut short: ${what} declares ${v} bytes, more than the data holds.`);
    return Number(v);
  };
  const take = (n: number, what: string): Uint8Array => {
    const at = need(n, what);
    return bytes.subarray(at, at + n);
  };
  /** A protocol-0 argument: the bytes up to (not including) the next newline. */
  const line = (what: string): Uint8Array => {
    const at = pos;
    const nl = bytes.indexOf(0x0a, at);
    if (nl < 0) throw new OmnihubError('truncated', `The pickle is cut short: ${what} at byte ${at} has no end of line.`);
    pos = nl + 1;
    return bytes.subarray(at, nl);
  };
  const text = (b: Uint8Array): string => utf8.decode(b);

  const floor = (): number => (marks.length ? marks[marks.length - 1] : 0);
  const push = (v: unknown): void => { stack.push(v); };
  const pop = (op: string): unknown => {
    if (stack.length <= floor()) throw malformed(`${op} on an empty stack`);
    return stack.pop();
  };
  const top = (op: string): unknown => {
    if (stack.length <= floor()) throw malformed(`${op} on an empty stack`);
    return stack[stack.length - 1];
  };
  const popMark = (op: string): unknown[] => {
    if (!marks.length) throw malformed(`${op} without a MARK`);
    return stack.splice(marks.pop()!);
  };
  const callable = (value: unknown, op: string): PickleCallable => {
    if (value instanceof PickleCallable) return value;
    throw malformed(`${op} applies ${describeValue(value)}, which is not an allowed callable`);
  };
  const argsOf = (value: unknown, op: string): readonly unknown[] => {
    if (Array.isArray(value)) return value;
    throw malformed(`${op} expects an argument tuple but finds ${describeValue(value)}`);
  };
  const global = (module: string, name: string): unknown => {
    // Python 2 pickles name builtins '__builtin__' (pickle's fix_imports maps it the same way).
    return hooks.resolveGlobal(module === '__builtin__' ? 'builtins' : module, name);
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) throw malformed(`memo reference ${index} does not exist`);
    return memo.get(index);
  };
  const memoPut = (index: number, op: string): void => {
    memo.set(index, top(op));
  };
  const setItems = (target: unknown, items: unknown[], op: string): void => {
    if (!(target instanceof Map)) throw malformed(`${op} on ${describeValue(target)}, not a dict`);
    if (items.length % 2) throw malformed(`${op} with an odd number of items`);
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[], op: string): void => {
    if (!isList(target)) throw malformed(`${op} on ${describeValue(target)}, not a list`);
    for (const item of items) target.push(item);
  };

  for (;;) {
    const opAt = pos;
    const op = u8('an opcode');
    switch (op) {
      // ---- protocol control
      case 0x80: { // PROTO
        const version = u8('PROTO');
        if (version > 5) throw new OmnihubError('unsupported', `Pickle protocol ${version} is newer than protocol 5.`);
        break;
      }
      case 0x95: // FRAME: the framed opcodes follow inline; only check the frame fits.
        if (u64('FRAME') > length - pos) throw new OmnihubError('truncated', 'The pickle is cut short: a FRAME runs past the end of the data.');
        break;
      case 0x2e: // STOP
        return { value: pop('STOP'), end: pos };

      // ---- integers
      case 0x4a: push(i32('BININT')); break; // BININT
      case 0x4b: push(u8('BININT1')); break; // BININT1
      case 0x4d: push(u16('BININT2')); break; // BININT2
      case 0x49: { // INT: decimal; "00" and "01" are False/True
        const s = latin1.decode(line('INT'));
        push(s === '00' ? false : s === '01' ? true : parseDecimalInt(s, 'INT'));
        break;
      }
      case 0x4c: { // LONG: decimal with an optional trailing L
        const s = latin1.decode(line('LONG'));
        push(parseDecimalInt(s.endsWith('L') ? s.slice(0, -1) : s, 'LONG'));
        break;
      }
      case 0x8a: push(decodeLong(take(u8('LONG1'), 'LONG1'))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32('LONG4');
        if (n < 0) throw malformed('LONG4 with a negative byte count');
        // Python has no limit, but a 4096-byte (32768-bit) integer is already far beyond anything a weights file
        // holds, and decoding megabytes of digits would only burn time.
        if (n > MAX_LONG_BYTES) throw malformed(`LONG4 integer of ${n} bytes (more than ${MAX_LONG_BYTES})`);
        push(decodeLong(take(n, 'LONG4')));
        break;
      }

      // ---- floats
      case 0x47: push(view.getFloat64(need(8, 'BINFLOAT'), false)); break; // BINFLOAT: big-endian
      case 0x46: push(parseFloatText(latin1.decode(line('FLOAT')))); break; // FLOAT

      // ---- strings and bytes
      case 0x58: push(text(take(u32('BINUNICODE'), 'BINUNICODE'))); break; // BINUNICODE
      case 0x8c: push(text(take(u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE'))); break; // SHORT_BINUNICODE
      case 0x8d: push(text(take(u64('BINUNICODE8'), 'BINUNICODE8'))); break; // BINUNICODE8
      case 0x56: push(decodeRawUnicodeEscape(line('UNICODE'))); break; // UNICODE
      case 0x53: push(decodePython2String(line('STRING'))); break; // STRING: a quoted Python 2 str repr
      case 0x54: { // BINSTRING: Python 2 str, decoded like torch.load does (encoding='utf-8')
        const n = i32('BINSTRING');
        if (n < 0) throw malformed('BINSTRING with a negative length');
        push(text(take(n, 'BINSTRING')));
        break;
      }
      case 0x55: push(text(take(u8('SHORT_BINSTRING'), 'SHORT_BINSTRING'))); break; // SHORT_BINSTRING
      case 0x42: push(take(u32('BINBYTES'), 'BINBYTES')); break; // BINBYTES
      case 0x43: push(take(u8('SHORT_BINBYTES'), 'SHORT_BINBYTES')); break; // SHORT_BINBYTES
      case 0x8e: push(take(u64('BINBYTES8'), 'BINBYTES8')); break; // BINBYTES8
      case 0x96: push(take(u64('BYTEARRAY8'), 'BYTEARRAY8').slice()); break; // BYTEARRAY8: a mutable copy
      case 0x97: // NEXT_BUFFER
        throw new OmnihubError('unsupported', 'The pickle refers to out-of-band buffers (protocol 5), which a file cannot supply.');
      case 0x98: top('READONLY_BUFFER'); break; // READONLY_BUFFER: no mutability here anyway

      // ---- constants
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE

      // ---- containers
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x6c: push(popMark('LIST')); break; // LIST
      case 0x74: push(tuple(popMark('TUPLE'))); break; // TUPLE
      case 0x85: push(tuple([pop('TUPLE1')])); break; // TUPLE1
      case 0x86: { const b = pop('TUPLE2'); const a = pop('TUPLE2'); push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop('TUPLE3'); const b = pop('TUPLE3'); const a = pop('TUPLE3'); push(tuple([a, b, c])); break; } // TUPLE3
      case 0x64: { const d = new Map(); setItems(d, popMark('DICT'), 'DICT'); push(d); break; } // DICT
      case 0x91: push(new Set(popMark('FROZENSET'))); break; // FROZENSET
      case 0x61: { const v = pop('APPEND'); appendItems(top('APPEND'), [v], 'APPEND'); break; } // APPEND
      case 0x65: { const items = popMark('APPENDS'); appendItems(top('APPENDS'), items, 'APPENDS'); break; } // APPENDS
      case 0x73: { const v = pop('SETITEM'); const k = pop('SETITEM'); setItems(top('SETITEM'), [k, v], 'SETITEM'); break; } // SETITEM
      case 0x75: { const items = popMark('SETITEMS'); setItems(top('SETITEMS'), items, 'SETITEMS'); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark('ADDITEMS');
        const target = top('ADDITEMS');
        if (!(target instanceof Set)) throw malformed(`ADDITEMS on ${describeValue(target)}, not a set`);
        for (const item of items) target.add(item);
        break;
      }

      // ---- stack manipulation
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: if (stack.length > floor()) stack.pop(); else popMark('POP'); break; // POP
      case 0x31: popMark('POP_MARK'); break; // POP_MARK
      case 0x32: push(top('DUP')); break; // DUP

      // ---- memo
      case 0x67: push(memoGet(parseMemoIndex(line('GET'), 'GET'))); break; // GET
      case 0x68: push(memoGet(u8('BINGET'))); break; // BINGET
      case 0x6a: push(memoGet(u32('LONG_BINGET'))); break; // LONG_BINGET
      case 0x70: memoPut(parseMemoIndex(line('PUT'), 'PUT'), 'PUT'); break; // PUT
      case 0x71: memoPut(u8('BINPUT'), 'BINPUT'); break; // BINPUT
      case 0x72: memoPut(u32('LONG_BINPUT'), 'LONG_BINPUT'); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size, 'MEMOIZE'); break; // MEMOIZE

      // ---- extension registry (copyreg): names a global indirectly; a file cannot register codes, so refuse.
      case 0x82: case 0x83: case 0x84: {
        const code = op === 0x82 ? u8('EXT1') : op === 0x83 ? u16('EXT2') : i32('EXT4');
        throw new OmnihubError('unsafe-code', `The pickle refers to copyreg extension code ${code}, an indirect reference to Python code; refused, nothing was executed.`);
      }

      // ---- globals and object construction: only through the allow-list
      case 0x63: { // GLOBAL
        const module = text(line('GLOBAL module'));
        const name = text(line('GLOBAL name'));
        push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop('STACK_GLOBAL');
        const module = pop('STACK_GLOBAL');
        if (typeof module !== 'string' || typeof name !== 'string') throw malformed('STACK_GLOBAL with a module or name that is not a string');
        push(global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = argsOf(pop('REDUCE'), 'REDUCE');
        const fn = callable(pop('REDUCE'), 'REDUCE');
        push(fn.make(args));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = argsOf(pop('NEWOBJ'), 'NEWOBJ');
        const cls = callable(pop('NEWOBJ'), 'NEWOBJ');
        push(cls.make(args));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop('NEWOBJ_EX');
        const args = argsOf(pop('NEWOBJ_EX'), 'NEWOBJ_EX');
        const cls = callable(pop('NEWOBJ_EX'), 'NEWOBJ_EX');
        if (!(kwargs instanceof Map) || kwargs.size) throw new OmnihubError('unsupported', `NEWOBJ_EX with keyword arguments for ${cls.qualifiedName}.`);
        push(cls.make(args));
        break;
      }
      case 0x69: { // INST: module and name inline, arguments since the MARK
        const module = text(line('INST module'));
        const name = text(line('INST name'));
        const cls = callable(global(module, name), 'INST');
        push(cls.make(popMark('INST')));
        break;
      }
      case 0x6f: { // OBJ: class and arguments since the MARK
        const items = popMark('OBJ');
        if (!items.length) throw malformed('OBJ without a class');
        const cls = callable(items[0], 'OBJ');
        push(cls.make(items.slice(1)));
        break;
      }
      case 0x62: { // BUILD
        const state = pop('BUILD');
        const target = top('BUILD');
        if (target instanceof PickleObject) {
          if (target.state instanceof Map && state instanceof Map) for (const [k, v] of state) target.state.set(k, v);
          else target.state = state;
        } else if (target instanceof Map) {
          // An OrderedDict's attributes (torch puts `_metadata` there): not part of the mapping, dropped.
        } else if (!hooks.build?.(target, state)) {
          throw malformed(`BUILD on ${describeValue(target)}`);
        }
        break;
      }

      // ---- persistent ids: PyTorch's pointers to tensor storages
      case 0x50: // PERSID
      case 0x51: { // BINPERSID
        const pid = op === 0x50 ? latin1.decode(line('PERSID')) : pop('BINPERSID');
        if (!hooks.persistentLoad) throw new OmnihubError('unsupported', 'The pickle refers to external objects (persistent ids) that this reader cannot supply.');
        push(hooks.persistentLoad(pid));
        break;
      }

      default:
        throw malformed(`unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opAt}`);
    }
  }
}

/** Two's-complement little-endian integer (LONG1/LONG4): a number when it is safe, else a BigInt. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  if (b.length <= 6) {
    let v = 0;
    for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
    return b[b.length - 1] & 0x80 ? v - 2 ** (8 * b.length) : v;
  }
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
  let v = BigInt('0x' + hex);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return narrow(v);
}

function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseDecimalInt(s: string, op: string): number | bigint {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) throw malformed(`${op} argument '${t.slice(0, 40)}' is not a decimal integer`);
  if (t.length > MAX_DECIMAL_DIGITS) throw malformed(`${op} argument has more than ${MAX_DECIMAL_DIGITS} digits`);
  return narrow(BigInt(t));
}

function parseMemoIndex(b: Uint8Array, op: string): number {
  const s = latin1.decode(b).trim();
  if (!/^\d{1,15}$/.test(s)) throw malformed(`${op} index '${s.slice(0, 40)}' is not a small decimal integer`);
  return Number(s);
}

function parseFloatText(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw malformed(`FLOAT argument '${t.slice(0, 40)}' is not a number`);
  return Number(t);
}

/** Python's raw-unicode-escape: Latin-1 text where only \uXXXX and \UXXXXXXXX are escapes. */
function decodeRawUnicodeEscape(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x5c && i + 1 < b.length && (b[i + 1] === 0x75 || b[i + 1] === 0x55)) {
      const digits = b[i + 1] === 0x75 ? 4 : 8;
      const hex = latin1.decode(b.subarray(i + 2, i + 2 + digits));
      if (hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw malformed(`UNICODE escape \\U${hex} is beyond U+10FFFF`);
        out += String.fromCodePoint(cp);
        i += 1 + digits;
        continue;
      }
    }
    out += String.fromCharCode(b[i]);
  }
  return out;
}

/** STRING's argument: a quoted Python 2 str literal (repr), unescaped, then decoded as UTF-8 like torch.load does. */
function decodePython2String(b: Uint8Array): string {
  const q = b[0];
  if (b.length < 2 || (q !== 0x27 && q !== 0x22) || b[b.length - 1] !== q) throw malformed('STRING argument is not a quoted string');
  const body = b.subarray(1, b.length - 1);
  const out: number[] = [];
  const simple: Record<number, number> = { 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x61: 7, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x5c || i + 1 >= body.length) { out.push(c); continue; }
    const e = body[++i];
    if (e in simple) out.push(simple[e]);
    else if (e === 0x0a) { /* line continuation */ }
    else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < body.length && body[i + 1] >= 0x30 && body[i + 1] <= 0x37; k++) v = v * 8 + body[++i] - 0x30;
      out.push(v & 0xff);
    } else if (e === 0x78) {
      const hex = latin1.decode(body.subarray(i + 1, i + 3));
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw malformed('STRING has an invalid \\x escape');
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(0x5c, e);
  }
  return utf8.decode(Uint8Array.from(out));
}
