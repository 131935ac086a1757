/**
 * One measurement in a fresh Node process, started by bench/onnx-io.ts, so RSS figures belong to this run alone.
 * bench/onnx-io.ts bundles this file with esbuild and runs it with plain `node`: no tsx loader thread in the process
 * (tsx alone doubles an idle Node's RSS, ~40 → ~80 MB), and protobufjs loads as it does for a library user.
 * Prints one JSON line.
 *
 *   idle                         baseline: the runtime plus the loaded codec, nothing read
 *   roundtrip IN OUT             what `omnihub roundtrip` does: readWholeFile + decodeModel, then encodeModelChunks
 *                                + writeFileAtomic (large weights go from the decoded views to the file without an
 *                                intermediate copy)
 *   warm IN OUT                  the same repeated in one process after warm-up; medians
 *
 * The process's max RSS is read right after decoding (that is the peak of a process that only reads: max RSS only
 * grows, and nothing else has run yet) and again at the end (the peak of the whole read+write).
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { decodeModel, encodeModelChunks } from '../src/core/onnx/codec.js';
import { readWholeFile } from '../src/core/cli/node-files.js';
import { writeFileAtomic } from '../src/core/library/folder-files.js';

const KIB = 1024; // resourceUsage().maxRSS is in KiB
const [mode, input, output] = process.argv.slice(2);

/** One read + write; returns the phase timings in ms. */
async function roundtripOnce() {
  const t0 = performance.now();
  const bytes = await readWholeFile(input);
  const t1 = performance.now();
  const model = decodeModel(bytes);
  const t2 = performance.now();
  const mem = process.memoryUsage();
  const maxRssRead = process.resourceUsage().maxRSS * KIB;

  const t3 = performance.now();
  const chunks = encodeModelChunks(model);
  const t4 = performance.now();
  await writeFileAtomic(output, chunks, { sync: false });
  const t5 = performance.now();

  return {
    readMs: t2 - t0, fileReadMs: t1 - t0, decodeMs: t2 - t1,
    writeMs: t5 - t3, encodeMs: t4 - t3, fileWriteMs: t5 - t4,
    rssAfterRead: mem.rss, arrayBuffersAfterRead: mem.arrayBuffers,
    maxRssRead, maxRss: process.resourceUsage().maxRSS * KIB,
  };
}

/**
 * The same, repeated in one process after warm-up, as in the app's long-lived worker or a library caller: the
 * median of each phase over `WARM_REPS` runs, with the output removed before each run (as the parent does).
 */
const WARM_UP = 3;
const WARM_REPS = 9;
async function roundtripWarm() {
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < WARM_UP + WARM_REPS; i++) {
    rmSync(output, { force: true });
    const r = await roundtripOnce();
    if (i >= WARM_UP) runs.push(r);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
}

// Bundled as CommonJS (protobufjs then finds Node's Buffer as it does under the CLI), so no top-level await.
if (mode === 'idle') {
  console.log(JSON.stringify({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * KIB }));
} else if (mode === 'roundtrip' || mode === 'warm') {
  (mode === 'warm' ? roundtripWarm() : roundtripOnce())
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => { console.error(e); process.exit(1); });
} else {
  throw new Error(`unknown mode ${mode}`);
}
