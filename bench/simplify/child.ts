/**
 * One measurement in a fresh process, started by bench/simplify.ts, so the peak RSS belongs to this run alone.
 * Bundled with esbuild to CommonJS and run with plain `node` (no tsx loader thread; protobufjs loads as it does for a
 * library user); onnxruntime-web and onnxruntime-node stay outside the bundle and load from node_modules.
 * Prints one JSON line.
 *
 *   idle                  baseline: Node with this bundle loaded, nothing read
 *   ours IN OUT           what `omnihub simplify IN -o OUT --no-validate` does, through the CLI's own main(): read,
 *                         simplify (onnxruntime-web for folding), encode, write
 *   ort IN OUT            the reference: onnxruntime-node's InferenceSession.create with basic graph optimizations
 *                         and optimizedModelFilePath = OUT (load, optimize, write the optimized model, set up the
 *                         session), one thread, weight pre-packing off (work that has nothing to do with the graph)
 */
import { performance } from 'node:perf_hooks';
import { main } from '../../src/core/cli/main.js';
import { maxRss, runJob } from '../common/child.js';

const [mode, input, output] = process.argv.slice(2);

async function ours() {
  const lines: string[] = [];
  const errors: string[] = [];
  const t0 = performance.now();
  const code = await main(['simplify', input, '-o', output, '--no-validate', '--json'], { out: (l) => lines.push(l), err: (l) => errors.push(l) }, { env: {}, fetch: globalThis.fetch });
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`omnihub simplify failed (${code}): ${errors.join('\n')}`);
  const { reports } = JSON.parse(lines.join('\n'));
  return { ms, maxRss: maxRss(), nodesBefore: reports[0].nodesBefore, nodesAfter: reports[0].nodesAfter, notes: reports[0].notes };
}

async function ort() {
  const ortNode = await import('onnxruntime-node');
  const t0 = performance.now();
  const session = await ortNode.InferenceSession.create(input, {
    graphOptimizationLevel: 'basic',
    optimizedModelFilePath: output,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
    extra: { session: { disable_prepacking: '1' } },
  });
  const ms = performance.now() - t0;
  await session.release();
  return { ms, maxRss: maxRss() };
}

runJob(mode, { ours, ort });
