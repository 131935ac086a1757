/**
 * The library, browser-safe part: types, name rules and the IndexedDB backend. The folder backend uses node:fs and
 * is exported from `./node` only, so bundling this file for the browser never pulls in Node modules.
 */
export * from './types.js';
export { assertEntryName, assertEntryPath, isFramework, parseEntryId, safeEntryName } from './names.js';
export { LOCAL_IMPORT_PREFIX, type ImportInput } from './import-file.js';
export {
  DEFAULT_DB_NAME,
  DEFAULT_MAX_CHUNK_BYTES,
  DEFAULT_STORE_NAME,
  IndexedDbLibrary,
  type IndexedDbLibraryOptions,
} from './indexeddb-store.js';
