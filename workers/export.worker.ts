/**
 * The export worker: makes the files transformers.js loads (onnx/model.onnx, model_fp16, model_quantized, model_q4
 * beside config.json, tokenizer.json, …) from a library entry, and zips them, so neither the rewrites, onnxruntime
 * (the float16 check) nor the zip ever run on the page's main thread. It only wires the core
 * (src/core/export/transformers-js.ts) to the browser; the UI reaches it through src/app/export-bridge.ts.
 *
 * A worker of its own, not the library worker: a long quantization would hold up the downloads running there, and
 * stopping an export ends this worker (freeing onnxruntime's wasm heap) without touching them. It reads the entry
 * from IndexedDB itself (no bytes pass through the page). The made files go back as Blobs created here, which cross
 * to the page by reference; saving them into the library goes through the library worker's createEntry.
 */
import * as Comlink from 'comlink';
import { OmnihubError } from '../src/core/errors.js';
import { IndexedDbLibrary } from '../src/core/library/index.js';
import {
  LayoutZipWriter,
  buildTransformersJsLayout,
  isTransformersJsExtra,
  transformersJsEntryName,
  transformersJsLineage,
  transformersJsModelPath,
  type LayoutFile,
  type TransformersJsProgress,
  type TransformersJsVariant,
} from '../src/core/export/transformers-js.js';
import type { Lineage } from '../src/core/library/types.js';
import { guarded, type WorkerFailure } from './failure.js';

export type { TransformersJsProgress, TransformersJsVariant, WorkerFailure };

export interface ExportedFile {
  path: string;
  size: number;
  blob: Blob;
}

export interface TransformersJsExport {
  entryId: string;
  /** The ONNX file of the entry the variants were made from. */
  modelPath: string;
  files: ExportedFile[];
  variants: Array<{ variant: TransformersJsVariant; path: string; bytes: number; steps: string[]; notes: string[] }>;
  /** What a library entry made from these files records. */
  lineage: Lineage;
  /** The name such an entry gets (framework huggingface). */
  suggestedName: string;
}

let library: IndexedDbLibrary | null = null;

const blobOf = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });

const api = {
  /** Makes the chosen variants of the entry's ONNX model, with the entry's other files beside them. */
  build(entryId: string, variants: TransformersJsVariant[], onProgress?: (p: TransformersJsProgress) => void): Promise<TransformersJsExport> {
    return guarded(async () => {
      library ??= new IndexedDbLibrary();
      const store = library;
      const entry = await store.get(entryId);
      if (!entry) throw new OmnihubError('not-found', `The library has no entry ${entryId}.`);
      const modelPath = transformersJsModelPath(entry);
      const folder = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
      const read = async (path: string) => (await store.openFile(entryId, path)).bytes();
      const extraFiles: LayoutFile[] = [];
      for (const f of entry.files) if (isTransformersJsExtra(f.path)) extraFiles.push({ path: f.path, bytes: await read(f.path) });
      const { ortRuntime } = await import('../src/core/validate/ort-runtime.js');
      const files: ExportedFile[] = [];
      const layout = await buildTransformersJsLayout({
        model: await read(modelPath),
        readExternal: async (location, offset, length) => {
          const side = entry.files.find((f) => f.path === folder + location);
          if (!side) throw new OmnihubError('external-data', `The model keeps weights in '${location}', which entry ${entryId} does not have.`);
          const blob = await (await store.openFile(entryId, side.path)).blob();
          return new Uint8Array(await blob.slice(offset, length === undefined ? side.size : offset + length).arrayBuffer());
        },
        extraFiles,
        variants,
        runtime: ortRuntime({ graphOptimizationLevel: 'disabled' }),
        keepFiles: false,
        onProgress: (p) => {
          try {
            void Promise.resolve(onProgress?.(p)).catch(() => {});
          } catch {
            // The page has gone.
          }
        },
      }, (f) => {
        files.push({ path: f.path, size: f.bytes.length, blob: blobOf(f.bytes) });
      });
      (onProgress as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
      return {
        entryId,
        modelPath,
        files,
        variants: layout.variants.map((v) => ({
          variant: v.variant,
          path: v.path,
          bytes: v.bytes,
          steps: v.recipe?.steps.map((s) => s.step) ?? [],
          notes: v.reports.flatMap((r) => r.notes),
        })),
        lineage: transformersJsLineage(entryId, layout),
        suggestedName: transformersJsEntryName(entry.name),
      };
    });
  },

  /** The files as one zip (ONNX files stored, text deflated), read one at a time; a Blob of the zip's chunks. */
  zip(files: Array<{ path: string; blob: Blob }>): Promise<Blob> {
    return guarded(async () => {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      const writer = new LayoutZipWriter((c) => chunks.push(c as Uint8Array<ArrayBuffer>));
      for (const f of files) writer.add({ path: f.path, bytes: new Uint8Array(await f.blob.arrayBuffer()) });
      await writer.end();
      return new Blob(chunks, { type: 'application/zip' });
    });
  },
};

export type ExportWorkerApi = typeof api;

Comlink.expose(api);
