/** The library for Node (CLI, Node library use): everything in `./index` plus the folder backend. */
export * from './index.js';
export { defaultLibraryRoot, FolderLibrary, type FolderLibraryOptions } from './folder-store.js';
