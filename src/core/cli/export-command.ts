/**
 * `omnihub export-transformers-js SOURCE OUT.zip|DIR|--library [--variants fp32,fp16,q8,q4] [--with FILE …]`:
 * the files transformers.js loads (onnx/model.onnx, onnx/model_fp16.onnx, onnx/model_quantized.onnx,
 * onnx/model_q4.onnx) beside the repository's other files, as a zip, into a folder, or as a new library entry
 * `huggingface/<name>-transformers-js` whose lineage records how each file was made.
 *
 * SOURCE is an .onnx file (its side files read from its folder) or a library entry `<framework>/<name>`, whose
 * other files (config.json, tokenizer.json, …; not its ONNX files) go beside the ONNX files at their paths.
 * Files are written one by one as they are made (a zip to a temporary file renamed at the end), so at most the
 * float32 model and one variant are in memory; when a variant fails, what was written is removed again (the
 * temporary zip, the folder's new files, the new library entry).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  TRANSFORMERS_JS_FILES,
  LayoutZipWriter,
  buildTransformersJsLayout,
  isTransformersJsExtra,
  parseVariants,
  transformersJsEntryName,
  transformersJsLineage,
  transformersJsModelPath,
  transformersJsRecipe,
  type LayoutFile,
  type TransformersJsVariant,
} from '../export/transformers-js.js';
import { FolderLibrary } from '../library/node.js';
import { parseEntryId } from '../library/names.js';
import { writeFileAtomic } from '../library/folder-files.js';
import type { ExternalDataReader } from '../onnx/external-data.js';
import { decodeModel } from '../onnx/codec.js';
import { OmnihubError } from '../errors.js';
import { folderReader } from './node-files.js';
import type { CliEnv, CliIo } from './library-commands.js';

export const EXPORT_TRANSFORMERS_JS_USAGE = `  omnihub export-transformers-js SOURCE OUT.zip|DIR|--library [--variants fp32,fp16,q8,q4] [--with FILE …]
                                             the layout transformers.js loads: onnx/model.onnx (fp32),
                                             onnx/model_fp16.onnx, onnx/model_quantized.onnx (q8),
                                             onnx/model_q4.onnx beside config.json, tokenizer.json, …;
                                             SOURCE: an .onnx file or a library entry (its other files
                                             come along); --with adds a file at the root; --library saves
                                             huggingface/<name>-transformers-js in the library`;

interface ExportArgs {
  source: string;
  out?: string;
  library: boolean;
  variants: TransformersJsVariant[];
  with: string[];
}

function parseExportArgs(args: string[], usage: string): ExportArgs {
  const positional: string[] = [];
  let variants: string[] | undefined;
  const withFiles: string[] = [];
  let library = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0) return arg.slice(eq + 1);
      if (i + 1 >= args.length) throw new OmnihubError('usage', `${flag} needs a value\n${usage}`);
      return args[++i];
    };
    if (flag === '--variants') variants = [...(variants ?? []), ...value().split(',').map((s) => s.trim()).filter(Boolean)];
    else if (flag === '--with') withFiles.push(value());
    else if (arg === '--library') library = true;
    else if (arg.startsWith('-') && arg !== '-') throw new OmnihubError('usage', `unknown option ${arg}\n${usage}`);
    else positional.push(arg);
  }
  if (positional.length !== (library ? 1 : 2)) throw new OmnihubError('usage', `export-transformers-js takes SOURCE and OUT.zip or DIR, or SOURCE and --library\n${usage}`);
  return { source: positional[0], out: positional[1], library, variants: parseVariants(variants ?? ['fp32', 'fp16', 'q8', 'q4']), with: withFiles };
}

const exists = (path: string) => stat(path).then(() => true, () => false);

interface Source {
  model: Uint8Array;
  readExternal: ExternalDataReader;
  extras: LayoutFile[];
  /** The entry id (library) or file path, for lineage and messages. */
  from: string;
  /** Name of the new library entry before its suffix. */
  name: string;
}

async function readSource(spec: string, store: FolderLibrary, readBytes: (path: string) => Promise<Uint8Array>): Promise<Source> {
  // A file on disk wins; otherwise a `<framework>/<name>` library entry.
  if (await exists(spec)) {
    return { model: await readBytes(spec), readExternal: folderReader(dirname(spec)), extras: [], from: spec, name: basename(spec) };
  }
  let id;
  try {
    id = parseEntryId(spec);
  } catch {
    throw new OmnihubError('usage', `${spec}: no such file, and not a library entry id <framework>/<name>`);
  }
  const entry = await store.get(`${id.framework}/${id.name}`);
  if (!entry) throw new OmnihubError('not-found', `${spec}: no such file, and the library (${store.root}) has no such entry`);
  const path = transformersJsModelPath(entry);
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const read = async (p: string) => (await store.openFile(entry.id, p)).bytes();
  const extras: LayoutFile[] = [];
  for (const f of entry.files) if (isTransformersJsExtra(f.path)) extras.push({ path: f.path, bytes: await read(f.path) });
  return {
    model: await read(path),
    readExternal: async (location, offset, length) => {
      const side = entry.files.find((f) => f.path === folder + location);
      if (!side) throw new OmnihubError('external-data', `The model keeps weights in '${location}', which entry ${entry.id} does not have.`);
      const bytes = await read(side.path);
      return bytes.subarray(offset, length === undefined ? undefined : offset + length);
    },
    extras,
    from: entry.id,
    name: entry.name,
  };
}

export async function exportTransformersJsCommand(args: string[], io: CliIo, cli: CliEnv, usage: string, readBytes: (path: string) => Promise<Uint8Array>): Promise<void> {
  const a = parseExportArgs(args, usage);
  const store = new FolderLibrary({ env: cli.env });
  const source = await readSource(a.source, store, readBytes);
  const extras = [...source.extras];
  for (const file of a.with) {
    const path = basename(file);
    const at = extras.findIndex((e) => e.path === path);
    const added = { path, bytes: await readBytes(file) };
    if (at >= 0) extras[at] = added; // --with replaces the entry's file of that name.
    else extras.push(added);
  }
  const paths = [...extras.map((e) => e.path), ...a.variants.map((v) => TRANSFORMERS_JS_FILES[v])];

  // Where the files go, checked before any work: nothing is overwritten.
  const zipOut = !a.library && /\.zip$/i.test(a.out!) ? resolve(a.out!) : undefined;
  const dirOut = !a.library && !zipOut ? resolve(a.out!) : undefined;
  if (zipOut && (await exists(zipOut))) throw new OmnihubError('exists', `${zipOut} exists already; choose another name.`);
  if (dirOut) {
    for (const p of paths) if (await exists(join(dirOut, p))) throw new OmnihubError('exists', `${join(dirOut, p)} exists already; export to another folder.`);
  }
  const entryName = transformersJsEntryName(source.name);
  if (a.library && (await store.get(`huggingface/${entryName}`))) throw new OmnihubError('exists', `The library has huggingface/${entryName} already; remove it or rename it first.`);

  const { ortRuntime } = await import('../validate/ort-runtime.js');
  const interactive = cli.interactive ?? false;
  let zip: { fd: number; temp: string; writer: LayoutZipWriter } | undefined;
  if (zipOut) {
    await mkdir(dirname(zipOut), { recursive: true });
    const temp = `${zipOut}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    zip = { fd, temp, writer: new LayoutZipWriter((chunk) => { for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at); }) };
  }
  // The new entry's lineage is known before any work (each variant's recipe depends on the model's operators only);
  // its files are added as they are made, and the entry is deleted again if the export fails.
  const decoded = decodeModel(source.model);
  const lineage = transformersJsLineage(source.from, {
    variants: a.variants.map((variant) => ({ variant, path: TRANSFORMERS_JS_FILES[variant], recipe: transformersJsRecipe(variant, decoded) })),
  });
  const written: string[] = [];
  try {
    const layout = await buildTransformersJsLayout({
      model: source.model,
      readExternal: source.readExternal,
      extraFiles: extras,
      variants: a.variants,
      runtime: ortRuntime({ graphOptimizationLevel: 'disabled' }),
      keepFiles: false,
      onProgress: (p) => {
        if (p.fraction === 0) io.err(`${interactive ? '\r\x1b[K' : ''}[${p.index + 1}/${p.total}] ${TRANSFORMERS_JS_FILES[p.variant]}…`);
      },
    }, async (file) => {
      if (zip) zip.writer.add(file);
      else if (dirOut) {
        await writeFileAtomic(join(dirOut, file.path), file.bytes, { sync: false });
        written.push(join(dirOut, file.path));
      } else {
        await store.addFile({ framework: 'huggingface', name: entryName, source: { kind: 'local' }, lineage }, file.path, file.bytes);
      }
    });
    if (zip) {
      await zip.writer.end();
      fsyncSync(zip.fd);
      closeSync(zip.fd);
      renameSync(zip.temp, zipOut!);
      zip = undefined;
    }
    if (interactive) io.err('\r\x1b[K');
    for (const v of layout.variants) {
      const notes = v.reports.flatMap((r) => r.notes).filter((n) => /kept in float32|stay|not quantized/i.test(n));
      io.out(`${v.path}: ${v.bytes.toLocaleString('en-US')} bytes${v.recipe ? ` (${v.recipe.steps.map((s) => s.step).join(' → ')})` : ' (the model as given)'}${notes.length ? `; ${notes.join('; ')}` : ''}`);
    }
    if (zipOut) io.out(`wrote ${zipOut} (${paths.length} files)`);
    else if (dirOut) io.out(`wrote ${paths.length} files under ${dirOut}`);
    else {
      io.out(`huggingface/${entryName} (${paths.length} files) in ${store.root}`);
    }
  } catch (e) {
    if (zip) {
      closeSync(zip.fd);
      rmSync(zip.temp, { force: true });
    }
    for (const w of written) rmSync(w, { force: true });
    if (a.library) await store.delete(`huggingface/${entryName}`).catch(() => {});
    throw e;
  }
}
