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

describe('omnihub convert: Keras and TFLite', () => {
  it('a Keras .h5 (NHWC, or NCHW with --nchw), a weights file with --config, and the TFLite twin', async () => {
    const dir = tempDir();
    const nhwc = join(dir, 'resnet8.onnx');
    const r = await omnihub('convert', fixture('keras/mlperftiny__pretrainedResnet.h5'), '-o', nhwc);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain("keras Functional 'model', 78,666 parameters");
    const shapeOf = (p: string) => summarizeModel(decodeModel(readFileSync(p))).inputs[0].shape;
    expect(shapeOf(nhwc)).toEqual(['batch', 32, 32, 3]);
    const nchw = join(dir, 'resnet8-nchw.onnx');
    expect((await omnihub('convert', fixture('keras/mlperftiny__pretrainedResnet.h5'), '--nchw', '-o', nchw)).code).toBe(0);
    expect(shapeOf(nchw)).toEqual(['batch', 3, 32, 32]);

    const weights = await omnihub('convert', fixture('keras/fml__KERAS_3layer_weights.h5'), '--config', fixture('keras/fml__KERAS_3layer.json'), '-o', join(dir, 'mlp.onnx'));
    expect(weights.stderr).toBe('');
    expect(weights.stdout).toContain('the architecture in fml__KERAS_3layer.json, 4,389 parameters');

    const tflite = await omnihub('convert', fixture('tflite/mlperftiny__pretrainedResnet_quant.tflite'), '--dequantize', '-o', join(dir, 'q.onnx'));
    expect(tflite.stderr).toBe('');
    expect(summarizeModel(decodeModel(readFileSync(join(dir, 'q.onnx')))).inputs[0].dtype).toBe('float32');
  });

  it('custom layers and weights without an architecture: a sentence naming them, nothing written', async () => {
    const dir = tempDir();
    const qkeras = await omnihub('convert', fixture('keras/fml__qkeras-v3_3layer.keras'), '-o', join(dir, 'q.onnx'));
    expect(qkeras.code).toBe(1);
    expect(qkeras.stderr).toContain("'fc1' (QDense)");
    expect(qkeras.stderr).toContain('qkeras.qlayers');
    const textgen = await omnihub('convert', fixture('keras/textgenrnn__textgenrnn_weights.hdf5'), '-o', join(dir, 't.onnx'));
    expect(textgen.code).toBe(1);
    expect(textgen.stderr).toContain('holds weights only (layers with weights: embedding, rnn_1, rnn_2, attention, output)');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('omnihub freeze / convert: TensorFlow', () => {
  const TF = (...p: string[]) => fixture('tensorflow', ...p);

  it('freeze a SavedModel to a .pb (the ONNX freeze is not taken), then convert the .pb; a TF Hub archive and a cut graph convert', async () => {
    const dir = tempDir();
    const pb = join(dir, 'frozen.pb');
    const frozen = await omnihub('freeze', TF('savedmodel/tfnet_simple_model_from_auto_compile'), '-o', pb);
    expect(frozen.stderr).toBe('');
    expect(frozen.stdout).toContain("signature 'serving_default' of 1");
    expect(frozen.stdout).toContain('4 variables frozen as constants, 2 function calls inlined');
    const fromPb = await omnihub('convert', pb, '-o', join(dir, 'frozen.onnx'));
    expect(fromPb.stderr).toBe('');
    expect(fromPb.stdout).toContain('tensorflow frozen GraphDef, 79,512 parameters');

    const hub = await omnihub('convert', TF('savedmodel/tfhub_half_plus_two_v1_archive/half_plus_two_v1.tar.gz'), '-o', join(dir, 'hub.onnx'));
    expect(hub.stderr).toBe('');
    expect(hub.stdout).toContain("SavedModel signature 'default'");

    const kws = await omnihub('convert', TF('graphdef/arm_kws/DS_CNN_S.pb'), '--inputs', 'Mfcc:0', '-o', join(dir, 'kws.onnx'));
    expect(kws.stderr).toBe('');
    expect(summarizeModel(decodeModel(readFileSync(join(dir, 'kws.onnx')))).outputs[0].shape).toEqual(['batch', 12]);
  });

  it('what cannot be converted says why, and nothing is written', async () => {
    const dir = tempDir();
    const wav = await omnihub('convert', TF('graphdef/arm_kws/DS_CNN_S.pb'), '-o', join(dir, 'x.onnx'));
    expect(wav.code).toBe(1);
    expect(wav.stderr).toContain('DecodeWav ×1');
    expect(wav.stderr).toContain("Mfcc:0");
    const counter = await omnihub('convert', TF('savedmodel/tfserving_saved_model_counter'), '--signature', 'incr_counter', '-o', join(dir, 'c.onnx'));
    expect(counter.code).toBe(1);
    expect(counter.stderr).toMatch(/changes variables/);
    expect(readdirSync(dir)).toEqual([]);
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
