/**
 * One Node measurement in a fresh process, started by bench/quantize.ts, so the peak RSS belongs to this run alone.
 * Bundled with esbuild to CommonJS and run with plain `node` (no tsx loader thread), as bench/simplify/child.ts is.
 * Prints one JSON line.
 *
 *   idle                  baseline: Node with this bundle loaded, nothing read
 *   int8 IN OUT           readWholeFile + decodeModel → quantizeDynamic(model) (default options) → encodeModelChunks
 *                         + writeFileAtomic, as `omnihub quantize --mode int8-dynamic` does it
 *   int4 IN OUT           the same with quantizeInt4(model, { blockSize: 32, symmetric: true }) (MatMulNBits)
 *
 * Times: each step (ms, performance.now()), and `total` from before reading to after writing. Max RSS
 * (getrusage) after decoding, after quantizing and at the end; V8's heap and ArrayBuffer totals after quantizing.
 */
import { performance } from 'node:perf_hooks';
import { decodeModel, encodeModelChunks } from '../../src/core/onnx/codec.js';
import { readWholeFile } from '../../src/core/cli/node-files.js';
import { writeFileAtomic } from '../../src/core/library/folder-files.js';
import { quantizeDynamic } from '../../src/core/rewrites/quantize-dynamic/index.js';
import { quantizeInt4 } from '../../src/core/rewrites/quantize-int4/index.js';
import { countOps } from '../../src/core/rewrites/graph.js';
import { maxRss, runJob } from '../common/child.js';

const [mode, input, output] = process.argv.slice(2);

async function run() {
  const t0 = performance.now();
  const bytes = await readWholeFile(input);
  const t1 = performance.now();
  const model = decodeModel(bytes);
  const t2 = performance.now();
  const maxRssDecoded = maxRss();
  const { model: quantized, report } = mode === 'int8' ? quantizeDynamic(model, {}) : await quantizeInt4(model, { blockSize: 32, symmetric: true });
  const t3 = performance.now();
  const maxRssQuantized = maxRss();
  const mem = process.memoryUsage();
  const chunks = encodeModelChunks(quantized);
  const t4 = performance.now();
  await writeFileAtomic(output, chunks, { sync: false });
  const t5 = performance.now();
  return {
    readMs: t1 - t0, decodeMs: t2 - t1, quantizeMs: t3 - t2, encodeMs: t4 - t3, writeMs: t5 - t4, totalMs: t5 - t0,
    maxRssDecoded, maxRssQuantized, maxRss: maxRss(), heapUsed: mem.heapUsed, arrayBuffers: mem.arrayBuffers,
    ops: countOps(quantized), notes: report.notes,
  };
}

runJob(mode, { int8: run, int4: run });
