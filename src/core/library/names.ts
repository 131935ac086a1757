/**
 * Validation of entry names and file paths. Names and paths reach the library from remote catalogs and hub
 * listings, so they are untrusted: the folder backend turns them into file-system paths, and one `..` or absolute
 * path would write outside the library. Both backends apply the same rules so an entry that fits in the browser
 * also fits on disk (and the other way round), on Linux, macOS and Windows alike.
 */
import { OmnihubError } from '../errors.js';
import { FRAMEWORKS, type Framework } from './types.js';

/** Leaves room for the `.json` the folder backend appends, under the 255-byte file-name limit of common file systems. */
const MAX_SEGMENT_BYTES = 200;
const MAX_PATH_SEGMENTS = 32;

// Control characters, path separators and the characters Windows forbids in file names.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f/\\<>:"|?*]/;
// Windows maps these device names to devices whatever the extension (`NUL.txt` is the NUL device).
const WINDOWS_DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

const utf8 = new TextEncoder();

/** Why `segment` cannot be one component of a path, or null when it can. */
function segmentProblem(segment: string): string | null {
  if (segment === '') return 'is empty';
  if (segment === '.' || segment === '..') return `is "${segment}"`;
  if (FORBIDDEN_CHARACTERS.test(segment)) return 'contains a path separator, a control character or one of <>:"|?*';
  // Windows drops trailing dots and spaces, so `a.` and `a` would be the same file there.
  if (/[. ]$/.test(segment) || /^ /.test(segment)) return 'starts with a space or ends with a dot or space';
  if (WINDOWS_DEVICE_NAMES.test(segment)) return 'is a reserved device name on Windows';
  if (utf8.encode(segment).length > MAX_SEGMENT_BYTES) return `is longer than ${MAX_SEGMENT_BYTES} bytes`;
  return null;
}

export function isFramework(value: unknown): value is Framework {
  return typeof value === 'string' && (FRAMEWORKS as readonly string[]).includes(value);
}

export function assertFramework(value: unknown): Framework {
  if (!isFramework(value)) {
    throw new OmnihubError('usage', `Unknown framework ${JSON.stringify(value)}: expected one of ${FRAMEWORKS.join(', ')}.`);
  }
  return value;
}

/** Checks that `name` is one safe, portable file-name segment (see NewEntry.name). */
export function assertEntryName(name: unknown): string {
  if (typeof name !== 'string') throw new OmnihubError('unsafe-path', `Entry name must be a string, got ${typeof name}.`);
  const problem = segmentProblem(name);
  if (problem) throw new OmnihubError('unsafe-path', `Entry name ${JSON.stringify(name)} ${problem}; it must be a single file name.`);
  return name;
}

/** Checks a file path inside an entry: relative, `/`-separated, every segment safe. */
export function assertEntryPath(path: unknown): string {
  if (typeof path !== 'string') throw new OmnihubError('unsafe-path', `File path must be a string, got ${typeof path}.`);
  const segments = path.split('/');
  if (segments.length > MAX_PATH_SEGMENTS) {
    throw new OmnihubError('unsafe-path', `File path ${JSON.stringify(path)} is nested more than ${MAX_PATH_SEGMENTS} levels.`);
  }
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) {
      throw new OmnihubError(
        'unsafe-path',
        `File path ${JSON.stringify(path)} is not a safe relative path: a segment ${problem}.`,
      );
    }
  }
  return path;
}

/** Splits and checks an id `<framework>/<name>`. */
export function parseEntryId(id: unknown): { framework: Framework; name: string } {
  if (typeof id !== 'string') throw new OmnihubError('usage', `Entry id must be a string, got ${typeof id}.`);
  const slash = id.indexOf('/');
  if (slash < 0) throw new OmnihubError('usage', `Entry id ${JSON.stringify(id)} is not <framework>/<name>.`);
  return { framework: assertFramework(id.slice(0, slash)), name: assertEntryName(id.slice(slash + 1)) };
}

/**
 * Turns any text (a hub repo `owner/name`, a catalog name, a file name picked by the user) into a valid entry
 * name: `/` becomes `--` as in the Hugging Face cache's `models--owner--name`, other unsafe characters become `_`.
 */
export function safeEntryName(text: string): string {
  let name = text
    .trim()
    .replace(/[/\\]/g, '--')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/[. ]+$/, '');
  if (name === '' || name === '.' || name === '..') name = 'model';
  if (WINDOWS_DEVICE_NAMES.test(name)) name = `_${name}`;
  while (utf8.encode(name).length > MAX_SEGMENT_BYTES) name = name.slice(0, -1);
  return name.replace(/[. ]+$/, '') || 'model';
}

/**
 * True when two different paths cannot both be files of one entry on disk: one is a folder of the other (`a` and
 * `a/b`), or they differ only in case (the same file on a case-insensitive disk). Comparison ignores case throughout.
 */
export function pathsCollide(a: string, b: string): boolean {
  if (a === b) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}
