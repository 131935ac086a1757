/**
 * The three built-in catalogs (Keras Applications, torchvision, ONNX Model Zoo) as rows of one shape for the
 * Browse pages. Each catalog is loaded on demand (its own chunk), so the app's start does not pay for ~400 rows.
 */
import type { CatalogSource } from './router.svelte.js';

export interface CatalogRow {
  /** The catalog name the spec uses. */
  name: string;
  /** `keras:NAME`, `torchvision:NAME`, `onnx-zoo:NAME`. */
  spec: string;
  /** Library id the file is stored under. */
  entryId: string;
  /** Main label (architecture, weights enum, model title). */
  title: string;
  /** Architecture or task. */
  kind: string;
  /** A second line: variant, builder, opset, accuracy. */
  detail?: string;
  fileName: string;
  sizeBytes?: number;
  /** Size as the source states it when the exact byte count is unknown ("97.8 MB"). */
  sizeLabel?: string;
  params?: number;
  hash?: { algorithm: 'sha256' | 'sha256-prefix' | 'md5'; value: string };
  /** Lowercase text the filter matches against. */
  haystack: string;
}

export const CATALOG_TITLES: Record<CatalogSource, string> = {
  keras: 'Keras Applications',
  torchvision: 'torchvision',
  'onnx-zoo': 'ONNX Model Zoo',
};

function withHaystack(row: Omit<CatalogRow, 'haystack'>): CatalogRow {
  return { ...row, haystack: [row.name, row.title, row.kind, row.detail ?? '', row.fileName].join(' ').toLowerCase() };
}

export async function loadCatalog(source: CatalogSource): Promise<CatalogRow[]> {
  switch (source) {
    case 'keras': {
      const { KERAS_CATALOG, libraryEntryIdFor } = await import('../core/sources/keras/catalog.js');
      return KERAS_CATALOG.map((e) =>
        withHaystack({
          name: e.name,
          spec: `keras:${e.name}`,
          entryId: libraryEntryIdFor(e),
          title: e.architecture,
          kind: e.includeTop ? 'classifier (with top)' : 'feature extractor (no top)',
          ...(e.variant && { detail: `alpha ${e.variant.alpha}, ${e.variant.rows} px${e.variant.minimalistic ? ', minimalistic' : ''}` }),
          fileName: e.fileName,
          ...(e.hash && { hash: { algorithm: e.hash.algorithm, value: e.hash.value } }),
        }),
      );
    }
    case 'torchvision': {
      const { TORCHVISION_CATALOG, libraryEntryIdFor, imagenetAcc1 } = await import('../core/sources/torchvision/catalog.js');
      return TORCHVISION_CATALOG.map((e) => {
        const acc = imagenetAcc1(e);
        return withHaystack({
          name: e.weights,
          spec: `torchvision:${e.weights}`,
          entryId: libraryEntryIdFor(e),
          title: e.weights,
          kind: e.task,
          detail: `${e.builder}${acc !== undefined ? ` · ImageNet top-1 ${acc}%` : ''}`,
          fileName: e.fileName,
          ...(e.fileSizeMB !== undefined && { sizeLabel: `${e.fileSizeMB.toFixed(1)} MB` }),
          params: e.numParams,
          ...(e.hashPrefix && { hash: { algorithm: 'sha256-prefix' as const, value: e.hashPrefix } }),
        });
      });
    }
    case 'onnx-zoo': {
      const { ONNX_ZOO_CATALOG, libraryEntryIdFor } = await import('../core/sources/onnx-zoo/catalog.js');
      return ONNX_ZOO_CATALOG.map((e) =>
        withHaystack({
          name: e.name,
          spec: `onnx-zoo:${e.name}`,
          entryId: libraryEntryIdFor(e),
          title: e.title,
          kind: e.task,
          detail: [e.opset !== undefined ? `opset ${e.opset}` : '', e.metrics?.top1 !== undefined ? `top-1 ${e.metrics.top1}%` : '', e.metrics?.mAP !== undefined ? `mAP ${e.metrics.mAP}` : '']
            .filter(Boolean)
            .join(' · '),
          fileName: e.fileName,
          ...(e.size !== undefined && { sizeBytes: e.size }),
          ...(e.sizeLabel && { sizeLabel: e.sizeLabel }),
          ...(e.sha256 && { hash: { algorithm: 'sha256' as const, value: e.sha256 } }),
        }),
      );
    }
  }
}
