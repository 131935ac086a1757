// `omnihub convert` and `omnihub inject`, run in-process through `main(argv, io)` on real fixtures into a temp
// folder: torchvision .pth → ONNX checked against torchvision's output, a Hugging Face folder → ONNX, .pt →
// safetensors, weights injected into an ONNX model, and failures that leave nothing written.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readSafetensors } from '../../src/core/formats/safetensors/read.js';
import { main } from '../../src/core/cli/main.js';
import { fixture } from '../support/paths.js';

async function omnihub(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { env: {}, fetch: globalThis.fetch });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'omnihub-convert-'));
const SQUEEZENET = fixture('pytorch/torchvision/squeezenet1_1-random.pth');
const SQUEEZENET_REF = fixture('pytorch/torchvision/squeezenet1_1-random.reference.npz');

/** The relL2 values `convert --reference` printed. */
const printedRelL2 = (stdout: string) => [...stdout.matchAll(/relL2 ([\d.e+-]+)/g)].map((m) => Number(m[1]));

describe('omnihub convert', () => {
  it('squeezenet1_1 .pth → ONNX: the architecture recognised, torchvision\'s output reproduced (relL2 ≤ 1e-5)', async () => {
    const dir = tempDir();
    const out = join(dir, 'squeezenet.onnx');
    const r = await omnihub('convert', SQUEEZENET, '-o', out, '--reference', SQUEEZENET_REF);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('torchvision squeezenet1_1, 1,235,496 parameters');
    expect(r.stdout).toContain('recognised from the weights');
    const rel = printedRelL2(r.stdout);
    expect(rel).toHaveLength(1);
    expect(rel[0]).toBeLessThanOrEqual(1e-5);
    const summary = summarizeModel(decodeModel(readFileSync(out)));
    expect(summary.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([['input', 'float32', ['batch', 3, 224, 224]]]);
    expect(summary.parameters).toBe(1_235_496);
  });

  it('a Hugging Face folder (gpt2-tiny) → ONNX reproduces transformers\' logits', async () => {
    const dir = tempDir();
    const out = join(dir, 'gpt2.onnx');
    const r = await omnihub('convert', fixture('hf/gpt2-tiny'), '-o', out, '--reference', fixture('hf/gpt2-tiny/reference.npz'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/transformers GPT2LMHeadModel/);
    expect(r.stdout).toContain('attention_mask given neutral values');
    expect(printedRelL2(r.stdout)[0]).toBeLessThanOrEqual(1e-4);
  });

  it('a wrong architecture or a failed reference check writes nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'x.onnx');
    const wrong = await omnihub('convert', SQUEEZENET, '--arch', 'torchvision:resnet18', '-o', out);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("omnihub: The weights do not fit resnet18: key 'conv1.weight' (shape [64, 3, 7, 7]) is missing.");
    const unknown = await omnihub('convert', SQUEEZENET, '--arch', 'torchvision:no_such_net', '-o', out);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('squeezenet1_1');
    // The reference of another network: the check fails, and the model is not written.
    const mismatch = await omnihub('convert', SQUEEZENET, '-o', out, '--reference', fixture('pytorch/torchvision/mobilenet_v3_small-random.reference.npz'));
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('does not reproduce');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('.pt → .safetensors keeps every tensor bit for bit', async () => {
    const dir = tempDir();
    const out = join(dir, 'mnist.safetensors');
    const r = await omnihub('convert', fixture('pytorch/burn__mnist.pt'), '-o', out);
    expect(r.code).toBe(0);
    const st = readSafetensors(new Uint8Array(readFileSync(out)));
    expect(st.tensors.size).toBeGreaterThan(10);
    expect(st.tensors.get('conv1.weight')?.shape).toEqual([8, 1, 3, 3]);
  });
});

describe('omnihub inject', () => {
  it('burn_mnist.onnx with the weights of burn__mnist.safetensors', async () => {
    const dir = tempDir();
    const out = join(dir, 'injected.onnx');
    const r = await omnihub('inject', fixture('onnx/burn_mnist.onnx'), fixture('safetensors/burn__mnist.safetensors'), '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ of 20 tensors injected into burn_mnist\.onnx/);
    expect(existsSync(out)).toBe(true);
    const original = decodeModel(readFileSync(fixture('onnx/burn_mnist.onnx')));
    const injected = decodeModel(readFileSync(out));
    expect(injected.graph!.initializer!.length).toBe(original.graph!.initializer!.length);
  });
});
