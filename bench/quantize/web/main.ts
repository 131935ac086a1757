/**
 * The Chromium side of bench/quantize.ts: bundled with esbuild for the browser (the core from source) and loaded by
 * a blank page served from 127.0.0.1. `window.quantizeBench.run(mode, url)` does in the page's main thread what the Node
 * child does: fetch the model (the "file read"; the server sends it from memory) → Uint8Array → decodeModel →
 * quantize → encodeModelChunks → a Blob of the chunks (the browser's "write": what the app hands to a download or
 * the library). Returns the step times; memory is sampled from outside, by the parent (/proc of the browser's
 * processes), and here as `performance.memory.usedJSHeapSize` (JS heap only, not ArrayBuffers), polled every 50 ms.
 */
import { decodeModel, encodeModelChunks } from '../../../src/core/onnx/codec.js';
import { quantizeDynamic } from '../../../src/core/rewrites/quantize-dynamic/index.js';
import { quantizeInt4 } from '../../../src/core/rewrites/quantize-int4/index.js';
import { countOps } from '../../../src/core/rewrites/graph.js';

declare global {
  interface Window { quantizeBench: { run(mode: 'int8' | 'int4', url: string): Promise<unknown> } }
  interface Performance { memory?: { usedJSHeapSize: number; totalJSHeapSize: number; jsHeapSizeLimit: number } }
}

window.quantizeBench = {
  async run(mode, url) {
    let heapPeak = performance.memory?.usedJSHeapSize ?? 0;
    const poll = setInterval(() => { heapPeak = Math.max(heapPeak, performance.memory?.usedJSHeapSize ?? 0); }, 50);
    try {
      const t0 = performance.now();
      const bytes = new Uint8Array(await (await fetch(url, { cache: 'no-store' })).arrayBuffer());
      const t1 = performance.now();
      const model = decodeModel(bytes);
      const t2 = performance.now();
      const { model: quantized, report } = mode === 'int8' ? quantizeDynamic(model, {}) : await quantizeInt4(model, { blockSize: 32, symmetric: true });
      const t3 = performance.now();
      const chunks = encodeModelChunks(quantized);
      const t4 = performance.now();
      const blob = new Blob(chunks as BlobPart[], { type: 'application/octet-stream' });
      const t5 = performance.now();
      (window as unknown as { benchLast?: Blob }).benchLast = blob; // for the untimed sha256 check
      heapPeak = Math.max(heapPeak, performance.memory?.usedJSHeapSize ?? 0);
      return {
        readMs: t1 - t0, decodeMs: t2 - t1, quantizeMs: t3 - t2, encodeMs: t4 - t3, writeMs: t5 - t4, totalMs: t5 - t0,
        outputBytes: blob.size, marks: [t0, t1, t2, t3, t4, t5].map((t) => performance.timeOrigin + t), heapPeak, heapLimit: performance.memory?.jsHeapSizeLimit ?? 0, ops: countOps(quantized), notes: report.notes,
      };
    } finally {
      clearInterval(poll);
    }
  },
};
