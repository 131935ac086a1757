/**
 * The child side of "every repetition is a fresh child process" (bench/pytorch/child.ts, keras/…, tensorflow/…,
 * quantize/…, simplify/…): the process's max RSS, the step that encodes and writes the converted model with its
 * times and RSS, and running the job named on the command line, which prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { saveModel } from '../../src/core/onnx/model-file.js';
import type { ModelProto } from '../../src/core/onnx/codec.js';
import { writeFileAtomic } from '../../src/core/library/folder-files.js';

const KIB = 1024; // resourceUsage().maxRSS is in KiB
/** The process's max RSS so far (getrusage), in bytes. */
export const maxRss = () => process.resourceUsage().maxRSS * KIB;

/**
 * From the built model on: the time, max RSS and V8's heap and ArrayBuffer totals now; saveModel
 * (encodeModelChunks); the time and max RSS; writeFileAtomic (no fsync); the time.
 */
export async function saveAndWrite(model: ModelProto, output: string) {
  const tBuilt = performance.now();
  const rssBuilt = maxRss();
  const mem = process.memoryUsage();
  const saved = saveModel(model);
  const tEncoded = performance.now();
  const rssEncoded = maxRss();
  await writeFileAtomic(output, saved.modelChunks, { sync: false });
  const tDone = performance.now();
  return { tBuilt, rssBuilt, mem, saved, tEncoded, rssEncoded, tDone };
}

/** The index of the largest of `xs[0..n)`. */
export function argmax(xs: ArrayLike<number>, n = xs.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/**
 * Runs the job `mode` (`idle` is always there: the max RSS of this process with its bundle loaded, nothing read) and
 * prints its result as one JSON line; on an error, its stack on stderr and exit code 1.
 */
export function runJob(mode: string, jobs: Record<string, () => Promise<unknown>>): void {
  const all: Record<string, () => Promise<unknown>> = { idle: async () => ({ maxRss: maxRss() }), ...jobs };
  if (!(mode in all)) throw new Error(`unknown mode ${mode}`);
  all[mode]()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e instanceof Error ? e.stack : e);
      process.exit(1);
    });
}
