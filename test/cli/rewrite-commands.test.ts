// `omnihub freeze | simplify | unfreeze | customize | recipe`, run in-process through `main(argv, io)` on real
// fixtures into a temp folder: flags → step options, reports, the onnxruntime check, and bad input leaving nothing.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { main } from '../../src/core/cli/main.js';
import { recipeFromArgs } from '../../src/core/cli/rewrite-commands.js';
import { parseRecipe } from '../../src/core/rewrites/recipe.js';
import { countOps } from '../../src/core/rewrites/graph.js';
import { fixture } from '../support/paths.js';

async function run(argv: string[], interactive: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { env: {}, fetch: globalThis.fetch, interactive });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), err };
}
const omnihub = (...argv: string[]) => run(argv, false);

const tempDir = () => mkdtempSync(join(tmpdir(), 'omnihub-rewrite-'));
const nodeCount = (path: string) => Object.values(countOps(decodeModel(readFileSync(path)))).reduce((a, b) => a + b, 0);
const MNIST = fixture('onnx/burn_mnist.onnx');
const SQUEEZENET = fixture('onnx/tv_squeezenet1_1.onnx');
const PPOCR = fixture('onnx/ppocr_mobile_v2_cls.onnx');
/** opset 6: onnxruntime has no Gemm(6) kernel, so it cannot load this model. */
const OLD_OPSET = fixture('onnx/fml__three_layer_bn_pytorch.onnx');

/** The input of the model's last Gemm: the features its classifier reads. */
function lastGemmInput(path: string): string {
  const gemms = (decodeModel(readFileSync(path)).graph?.node ?? []).filter((n) => n.op_type === 'Gemm');
  return gemms[gemms.length - 1].input![0];
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('rewrite commands', () => {
  it('simplify tv_squeezenet1_1: ≤ 65 nodes, outputs match in onnxruntime (--json)', async () => {
    const dir = tempDir();
    const out = join(dir, 'simple.onnx');
    const r = await omnihub('simplify', SQUEEZENET, '-o', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['reports', 'comparison', 'recipe']));
    expect(j.recipe).toEqual({ steps: [{ step: 'simplify' }] });
    expect(j.reports).toHaveLength(1);
    expect(j.reports[0]).toMatchObject({ step: 'simplify', nodesBefore: 83 });
    expect(j.reports[0].nodesAfter).toBeLessThanOrEqual(65);
    expect(nodeCount(out)).toBe(j.reports[0].nodesAfter);
    // The comparison is `omnihub compare --json`'s: per output maxAbs, relL2, sqnrDb, top1Agree; latency; bytes.
    const logits = j.comparison.outputs.logits;
    expect(Object.keys(logits)).toEqual(expect.arrayContaining(['maxAbs', 'relL2', 'sqnrDb', 'top1Agree']));
    expect(logits.relL2).toBeLessThanOrEqual(1e-5);
    expect(logits.top1Agree).toBe(1);
    expect(j.comparison.latencyMs.a).toBeGreaterThan(0);
    expect(j.comparison.latencyMs.b).toBeGreaterThan(0);
    expect(j.comparison.bytes).toEqual({ a: readFileSync(SQUEEZENET).length, b: readFileSync(out).length });
    expect(j.output).toEqual({ path: out, bytes: readFileSync(out).length });
    expect(readdirSync(dir)).toEqual(['simple.onnx']);
  });

  it('freeze prints its report, the comparison table and what it wrote', async () => {
    const dir = tempDir();
    const out = join(dir, 'fixed.onnx');
    const r = await omnihub('freeze', PPOCR, '-o', out, '--fix-dims', 'p2o.DynamicDimension.0=2,p2o.DynamicDimension.1=48,p2o.DynamicDimension.2=192');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^freeze: 471 → 471 nodes/);
    expect(r.stdout).toMatch(/fixed p2o\.DynamicDimension\.0 = 2/);
    // Random inputs take the fixed sizes, so both models accept them.
    expect(r.stdout).toMatch(/inputs: x float32 \[2, 3, 48, 192\]/);
    expect(r.stdout).toMatch(/^softmax_0\.tmp_0\s+\S+\s+\S+\s+\S+\s+1$/m);
    expect(lines[lines.length - 1]).toBe(`wrote ${out} (${readFileSync(out).length} bytes)`);
  });

  it('customize burn_mnist at the last Gemm input: a [N, 3] head that runs in onnxruntime', async () => {
    const dir = tempDir();
    const out = join(dir, 'three.onnx');
    const cut = lastGemmInput(MNIST);
    const r = await omnihub('customize', MNIST, '-o', out, '--cut', cut, '--classes', '3', '--activation', 'relu', '--seed', '7', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.recipe).toEqual({ steps: [{ step: 'customize', options: { cut, classes: 3, activation: 'relu', seed: 7 } }] });
    // The outputs are new, so the result is run on its own rather than compared with the input.
    expect(j.comparison).toBeNull();
    expect(j.run.outputs.probabilities).toEqual({ type: 'float32', dims: [1, 3] });
    expect(summarizeModel(decodeModel(readFileSync(out))).outputs).toEqual([{ name: 'probabilities', dtype: 'float32', shape: ['batch', 3] }]);
  });

  it('customize --loss: the labels input gets valid classes and the loss runs', async () => {
    const dir = tempDir();
    const r = await omnihub('customize', MNIST, '-o', join(dir, 'train.onnx'), '--cut', lastGemmInput(MNIST), '--classes', '3', '--loss', '--inputs', fixture('onnx/burn_mnist.io.npz'), '--json');
    // The .npz has no labels: the result needs them, so this is refused (and nothing written)...
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.stderr).toMatch(/no array for input 'labels'/);
    expect(readdirSync(dir)).toEqual([]);
    // ...while random inputs include labels in [0, classes).
    const ok = await omnihub('customize', MNIST, '-o', join(dir, 'train.onnx'), '--cut', lastGemmInput(MNIST), '--classes', '3', '--loss', '--json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j.run.inputs.labels).toEqual({ type: 'int64', dims: [1] });
    expect(j.run.outputs.loss).toEqual({ type: 'float32', dims: [] });
  });

  it('recipe: freeze → simplify on ppocr_mobile_v2_cls from a JSON file', async () => {
    const dir = tempDir();
    const recipe = { steps: [{ step: 'freeze', options: { fixDims: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 } } }, { step: 'simplify' }] };
    writeFileSync(join(dir, 'recipe.json'), JSON.stringify(recipe));
    const out = join(dir, 'cls.onnx');
    const r = await omnihub('recipe', PPOCR, '-o', out, '--recipe', join(dir, 'recipe.json'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.recipe).toEqual(recipe);
    expect(j.reports.map((x: { step: string }) => x.step)).toEqual(['freeze', 'simplify']);
    expect(j.reports[0].nodesBefore).toBe(471);
    expect(j.reports[1].nodesBefore).toBe(j.reports[0].nodesAfter);
    // 250 Constant nodes and 35 BatchNormalization (after Conv) are there to go.
    expect(j.reports[1].nodesAfter).toBeLessThan(200);
    expect(nodeCount(out)).toBe(j.reports[1].nodesAfter);
    expect(j.comparison.inputs.x.dims).toEqual([1, 3, 48, 192]);
    expect(j.comparison.outputs['softmax_0.tmp_0'].relL2).toBeLessThanOrEqual(1e-5);
  });

  it('the --json recipe runs again as a recipe file, to the same bytes', async () => {
    const dir = tempDir();
    const first = await omnihub('unfreeze', PPOCR, '-o', join(dir, 'a.onnx'), '--ops', 'Conv', '--min-elements', '100', '--no-validate', '--json');
    expect(first.code).toBe(0);
    const j = JSON.parse(first.stdout);
    expect(j.comparison).toBeNull();
    expect(j.recipe).toEqual({ steps: [{ step: 'unfreeze', options: { ops: ['Conv'], minElements: 100 } }] });
    writeFileSync(join(dir, 'recipe.json'), JSON.stringify(j.recipe));
    const again = await omnihub('recipe', PPOCR, '-o', join(dir, 'b.onnx'), '--recipe', join(dir, 'recipe.json'), '--no-validate');
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'b.onnx')).equals(readFileSync(join(dir, 'a.onnx')))).toBe(true);
  });

  it('reads and writes models that keep weights in a side file; the check uses the data inline', async () => {
    const dir = tempDir();
    const r = await omnihub('freeze', MNIST, '-o', join(dir, 'ext.onnx'), '--external-data-threshold', '1024', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.output.externalData).toEqual({ location: 'ext.onnx.data', bytes: expect.any(Number) });
    expect(j.comparison.outputs.log_probs).toMatchObject({ maxAbs: 0, relL2: 0, sqnrDb: 'Infinity', top1Agree: 1 });
    expect(readdirSync(dir).sort()).toEqual(['ext.onnx', 'ext.onnx.data']);
    // The side file is found beside the model when it is read in turn.
    const back = await omnihub('unfreeze', join(dir, 'ext.onnx'), '-o', join(dir, 'back.onnx'), '--json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout).comparison.outputs.log_probs.relL2).toBe(0);
  });

  it('progress on a terminal: redrawn lines on stderr, the same stdout', async () => {
    const dir = tempDir();
    const tty = await run(['simplify', MNIST, '-o', join(dir, 'a.onnx')], true);
    const plain = await omnihub('simplify', MNIST, '-o', join(dir, 'b.onnx'));
    expect(tty.code).toBe(0);
    expect(tty.err.length).toBeGreaterThan(1);
    expect(tty.err.every((l) => l.startsWith('\r\x1b[K'))).toBe(true);
    expect(tty.stderr).toMatch(/\[1\/1\] simplify/);
    expect(tty.err[tty.err.length - 1]).toBe('\r\x1b[K');
    expect(plain.err).toEqual([]);
    const withoutTimes = (text: string) => text.replace(/[ab]\.onnx/g, 'x.onnx').replace(/median [\d.e-]+ ms/g, 'median ms').replace(/\(\d+ bytes\)$/, '');
    expect(withoutTimes(tty.stdout)).toBe(withoutTimes(plain.stdout));
  });

  it('--no-validate writes a model onnxruntime cannot load; with the check it is refused', async () => {
    const dir = tempDir();
    const r = await omnihub('freeze', OLD_OPSET, '-o', join(dir, 'old.onnx'), '--no-validate');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^freeze: /);
    expect(r.stdout).not.toMatch(/max \|Δ\|/);
    expect(existsSync(join(dir, 'old.onnx'))).toBe(true);
  });
});

describe('flags → step options', () => {
  it('simplify: --no-x, bare booleans, numbers, comma lists (repeatable), --x=value', () => {
    expect(recipeFromArgs('simplify', ['--no-fuse', '--subgraphs', '--max-fold-bytes', '1e6', '--skip', 'Conv,Relu', '--skip=Gemm'])).toEqual({
      steps: [{ step: 'simplify', options: { fuse: false, subgraphs: true, maxFoldBytes: 1e6, skip: ['Conv', 'Relu', 'Gemm'] } }],
    });
  });

  it('freeze, unfreeze, customize: dims, lists, integers, choices, --no-x after --x', () => {
    expect(recipeFromArgs('freeze', ['--fix-dims', 'batch=1,seq=128', '--keep-inputs', 'a,b'])).toEqual({
      steps: [{ step: 'freeze', options: { fixDims: { batch: 1, seq: 128 }, keepInputs: ['a', 'b'] } }],
    });
    expect(recipeFromArgs('unfreeze', ['--pattern', '^encoder\\.', '--ops=Conv,Gemm', '--as-inputs', '--min-elements', '16'])).toEqual({
      steps: [{ step: 'unfreeze', options: { pattern: '^encoder\\.', ops: ['Conv', 'Gemm'], asInputs: true, minElements: 16 } }],
    });
    expect(recipeFromArgs('customize', ['--cut', 'x', '--classes', '3', '--loss', '--activation=tanh', '--output-name', 'p', '--seed', '2', '--no-loss'])).toEqual({
      steps: [{ step: 'customize', options: { cut: 'x', classes: 3, loss: false, activation: 'tanh', outputName: 'p', seed: 2 } }],
    });
  });

  it.each([
    ['simplify', ['--max-fold-bytes', 'lots'], { maxFoldBytes: 'lots' }],
    ['unfreeze', ['--min-elements', '2.5'], { minElements: 2.5 }],
    ['unfreeze', ['--as-inputs=maybe'], { asInputs: 'maybe' }],
    ['freeze', ['--fix-dims', 'batch'], { fixDims: 'batch' }],
    ['freeze', ['--fix-dims', 'batch=0'], { fixDims: { batch: 0 } }],
    ['customize', ['--cut', 'x', '--classes', '3', '--activation', 'gelu'], { cut: 'x', classes: 3, activation: 'gelu' }],
    ['customize', ['--cut', 'x'], { cut: 'x' }],
    ['freeze', ['--bogus', '3'], { bogus: true }],
  ])('%s %j: the app\'s message for the same options', async (step, flags, options) => {
    const dir = tempDir();
    const r = await omnihub(step, MNIST, '-o', join(dir, 'out.onnx'), ...flags);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`omnihub: ${messageOf(() => parseRecipe({ steps: [{ step, options }] })).replace(`recipe step 1 ('${step}')`, `step '${step}'`)}`]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('bad input: exit 1, one line on stderr, nothing written', () => {
  async function refused(args: (dir: string) => string[], pattern: RegExp, files: string[] = []) {
    const dir = tempDir();
    const r = await omnihub(...args(dir));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.err).toHaveLength(1);
    expect(r.stderr).toMatch(/^omnihub: /);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir).sort()).toEqual(files);
    return r;
  }
  const withRecipe = (recipe: unknown) => (dir: string) => {
    writeFileSync(join(dir, 'r.json'), typeof recipe === 'string' ? recipe : JSON.stringify(recipe));
    return ['recipe', MNIST, '-o', join(dir, 'out.onnx'), '--recipe', join(dir, 'r.json')];
  };

  it('a recipe with an unknown step', async () => {
    const recipe = { steps: [{ step: 'freeze' }, { step: 'frobnicate' }] };
    const r = await refused(withRecipe(recipe), /recipe step 2: unknown step the string "frobnicate" \(known: freeze, simplify, unfreeze, customize, quantize-int8-dynamic, quantize-int8-static, quantize-int4, float16\)/, ['r.json']);
    expect(r.stderr).toBe(`omnihub: ${messageOf(() => parseRecipe(recipe))}`);
  });

  it('a recipe with an option of the wrong type', async () => {
    await refused(withRecipe({ steps: [{ step: 'freeze', options: { keepInputs: 'input' } }] }), /recipe step 1 \('freeze'\): option 'keepInputs' must be an array of strings, got the string "input"/, ['r.json']);
    await refused(withRecipe({ steps: [{ step: 'freeze' }, { step: 'simplify', options: { fold: 'yes' } }] }), /recipe step 2 \('simplify'\): option 'fold' must be true or false, got the string "yes"/, ['r.json']);
  });

  it('a recipe that is not JSON, or not a recipe, or not there', async () => {
    await refused(withRecipe('{ "steps": [ '), /the recipe is not valid JSON/, ['r.json']);
    await refused(withRecipe({ step: 'freeze' }), /a recipe is an object with a "steps" array/, ['r.json']);
    await refused((dir) => ['recipe', MNIST, '-o', join(dir, 'out.onnx'), '--recipe', join(dir, 'missing.json')], /missing\.json: no such file/);
  });

  it('a cut tensor that does not exist', async () => {
    await refused((dir) => ['customize', MNIST, '-o', join(dir, 'out.onnx'), '--cut', 'no_such_tensor', '--classes', '3'], /customize: option 'cut': the model has no tensor 'no_such_tensor'/);
  });

  it.each(['simplify', 'freeze'])('%s on a model onnxruntime cannot load (opset 6)', async (step) => {
    await refused((dir) => [step, OLD_OPSET, '-o', join(dir, 'out.onnx')], /onnxruntime cannot load the model: .*Gemm\(6\)/);
  });

  it('a missing model file', async () => {
    await refused((dir) => ['simplify', join(dir, 'nope.onnx'), '-o', join(dir, 'out.onnx')], /nope\.onnx: no such file/);
  });

  it('wrong usage: exit 2 and the usage text', async () => {
    for (const args of [['simplify', MNIST], ['recipe', MNIST, '-o', '/tmp/x.onnx'], ['freeze', MNIST, '-o', '/tmp/x.onnx', '--recipe', 'r.json'], ['simplify', MNIST, '-o']]) {
      const r = await omnihub(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/usage:\n.*omnihub simplify IN -o OUT/s);
    }
  });
});

describe('omnihub quantize', () => {
  it('--mode picks the step, its flags are the step options, and the result is validated before it is written', async () => {
    const dir = tempDir();
    const out = join(dir, 'q4.onnx');
    const r = await omnihub('quantize', MNIST, '-o', out, '--mode', 'int4', '--block-size', '16', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.recipe).toEqual({ steps: [{ step: 'quantize-int4', options: { blockSize: 16 } }] });
    expect(j.comparison.outputs.log_probs.top1Agree).toBe(1);
    expect(j.comparison.outputs.log_probs.relL2).toBeLessThan(0.05);
    expect(countOps(decodeModel(readFileSync(out)))['com.microsoft:MatMulNBits']).toBe(2);
    expect(readFileSync(out).length).toBeLessThan(readFileSync(MNIST).length / 4);
  });

  it('a missing or unknown mode, and MNIST calibration of a model that does not take digits, are usage errors; nothing is written', async () => {
    const dir = tempDir();
    const out = join(dir, 'q.onnx');
    for (const [args, message] of [
      [[], 'quantize needs --mode'],
      [['--mode', 'int5'], "got 'int5'"],
      [['--mode', 'int4', '--calibration', 'sometimes'], "--calibration takes random, mnist[:N] or a .npz file, got 'sometimes'"],
    ] as const) {
      const r = await omnihub('quantize', MNIST, '-o', out, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
    }
    const r = await omnihub('quantize', SQUEEZENET, '-o', out, '--mode', 'int4', '--calibration', 'mnist');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs a model with one float32 [N, 1, 28, 28] input');
    expect(existsSync(out)).toBe(false);
  });
});
