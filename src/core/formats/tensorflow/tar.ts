/**
 * Bounded gunzip and a small tar reader for TF Hub archives (`.tar.gz`): ustar / GNU / pax headers of 512 bytes,
 * regular files and folders only (links and devices are skipped), each header's checksum checked, every path
 * normalised and refused when it could escape the archive's folder (absolute, `..`, drive letters).
 */
import { Gunzip } from 'fflate';
import { OmnihubError } from '../../errors.js';

export interface TarLimits {
  /** Most bytes the gzip stream may inflate to (default 2 GiB): a gzip bomb stops here. */
  maxBytes?: number;
  /** Most entries (default 100 000). */
  maxEntries?: number;
}

const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024;
const SLICE = 16 * 1024;

/** Inflates a gzip stream (all members), refusing as soon as the output passes `maxBytes`. */
export function gunzipBounded(compressed: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Uint8Array {
  if (compressed.length < 18 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) {
    throw new OmnihubError('wrong-format', 'Not a gzip file (no 1f 8b magic): expected a .tar.gz archive.');
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const gunzip = new Gunzip((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) {
      throw new OmnihubError('too-large', `The gzip archive inflates past ${maxBytes} bytes (a gzip bomb?); refused.`);
    }
    chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let at = 0; at < compressed.length; at += SLICE) {
      const end = Math.min(at + SLICE, compressed.length);
      gunzip.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (e) {
    if (e instanceof OmnihubError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const code = /unexpected EOF/i.test(message) ? 'truncated' : 'malformed';
    throw new OmnihubError(code, `The gzip archive holds invalid data (${message}).`, { cause: e });
  }
  if (!ended) throw new OmnihubError('truncated', 'The gzip archive ends before its data does; it is truncated.');
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function cString(bytes: Uint8Array, start: number, length: number, decoder = utf8): string {
  const field = bytes.subarray(start, start + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul >= 0 ? field.subarray(0, nul) : field);
}

function octal(bytes: Uint8Array, start: number, length: number, what: string): number {
  if (bytes[start] & 0x80) {
    // GNU base-256: big-endian binary after the flag bit.
    let v = bytes[start] & 0x7f;
    for (let i = 1; i < length; i++) v = v * 256 + bytes[start + i];
    if (!Number.isSafeInteger(v)) throw new OmnihubError('malformed', `Tar ${what} field is too large.`);
    return v;
  }
  const s = cString(bytes, start, length, latin1).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new OmnihubError('malformed', `Tar ${what} field '${s}' is not an octal number: not a tar archive, or corrupt.`);
  return parseInt(s, 8);
}

/** Normalises an entry path; throws 'unsafe-path' for anything that could land outside the archive's folder. */
export function safeArchivePath(name: string): string {
  const p = name.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\0')) {
    throw new OmnihubError('unsafe-path', `The archive holds an absolute path '${name}'; refused.`);
  }
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new OmnihubError('unsafe-path', `The archive holds a path that climbs out of its folder ('${name}'); refused.`);
    parts.push(part);
  }
  return parts.join('/');
}

/** Parses pax extended header records (`<len> key=value\n`) for `path`. */
function paxPath(data: Uint8Array): string | undefined {
  const text = utf8.decode(data);
  let pos = 0;
  let path: string | undefined;
  while (pos < text.length) {
    const space = text.indexOf(' ', pos);
    if (space < 0) break;
    const len = parseInt(text.slice(pos, space), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = text.slice(space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    pos += len;
  }
  return path;
}

/** The regular files of a tar archive: normalised path → bytes (views on `tar`). */
export function readTar(tar: Uint8Array, limits: TarLimits = {}): Map<string, Uint8Array> {
  const maxEntries = limits.maxEntries ?? 100_000;
  const files = new Map<string, Uint8Array>();
  let pos = 0;
  let entries = 0;
  let longName: string | undefined;
  while (pos + 512 <= tar.length) {
    const header = tar.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    if (++entries > maxEntries) throw new OmnihubError('too-large', `The tar archive holds more than ${maxEntries} entries; refused.`);
    const stored = octal(header, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    if (sum !== stored) throw new OmnihubError('malformed', `Tar header at byte ${pos} fails its checksum: not a tar archive, or corrupt.`);
    const size = octal(header, 124, 12, 'size');
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = pos + 512;
    if (size > tar.length - dataStart) {
      throw new OmnihubError('truncated', `Tar entry at byte ${pos} declares ${size} bytes but the archive ends first; it is truncated.`);
    }
    const data = tar.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = cString(data, 0, data.length); continue; }
    if (type === 'x') { longName = paxPath(data) ?? longName; continue; }
    if (type === 'g' || type === 'K') continue;
    let name = longName ?? cString(header, 0, 100);
    longName = undefined;
    const magic = latin1.decode(header.subarray(257, 262));
    const prefix = magic === 'ustar' ? cString(header, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
    const path = safeArchivePath(name);
    if (type !== '0' && type !== '7') continue; // folders, links, devices: nothing to read
    if (path === '') continue;
    files.set(path, data);
  }
  return files;
}

/** gunzip + tar: the files of a `.tar.gz`. */
export function readTarGz(bytes: Uint8Array, limits: TarLimits = {}): Map<string, Uint8Array> {
  return readTar(gunzipBounded(bytes, limits.maxBytes ?? DEFAULT_MAX_BYTES), limits);
}
