/**
 * The torchvision builders against torchvision itself: for one architecture of each family, Debian's python3-torch
 * and python3-torchvision (installed by .ci/run) make the model with seeded random weights and random BatchNorm
 * statistics, save its state dict with torch.save and run it in eval mode on a random input
 * (test/support/torchvision_reference.py). Our reader and builder turn the .pth into ONNX, onnxruntime runs it on the
 * same input, and the output must be torchvision's within relL2 1e-5. VGG and AlexNet are left out (their classifiers
 * alone are 0.2–0.5 GB of random weights); their blocks are convolutions, ReLU, max pooling and linear layers, which
 * the other families cover.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTorchFile } from '../../src/core/formats/pytorch/index.js';
import { buildTorchvisionModel, torchvisionInputSpec } from '../../src/core/convert/torchvision/index.js';
import { encodeModel } from '../../src/core/onnx/codec.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { relL2 } from '../../src/core/validate/metrics.js';
import { runModel } from '../support/ort.js';
import { REPO } from '../support/paths.js';

const ARCHS = [
  'resnet18', 'resnext50_32x4d', 'mobilenet_v2', 'mobilenet_v3_large', 'squeezenet1_0', 'shufflenet_v2_x0_5',
  'mnasnet0_5', 'efficientnet_b0', 'efficientnet_v2_s', 'densenet121', 'regnet_y_400mf', 'regnet_x_400mf',
  'googlenet', 'inception_v3', 'convnext_tiny',
];

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'omnihub-torchvision-'));
  const specs = ARCHS.map((a) => `${a}:${torchvisionInputSpec(a).imageSize}`);
  const made = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/torchvision_reference.py'), dir, ...specs], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`torchvision_reference.py failed: ${made.stderr}`);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('torchvision builders vs torchvision 0.14 (python3-torchvision)', () => {
  it.each(ARCHS)('%s reproduces torchvision\'s eval-mode output', async (arch) => {
    const { tensors } = readTorchFile(new Uint8Array(readFileSync(join(dir, `${arch}.pth`))));
    // Made with weights=None: GoogLeNet and Inception v3 then have transform_input off (their classes' default).
    const { model } = buildTorchvisionModel(arch, tensors, { transformInput: false });
    const reference = readNpz(new Uint8Array(readFileSync(join(dir, `${arch}.npz`))));
    const input = reference.get('input')!;
    const expected = reference.get('output')!;
    const out = await runModel(encodeModel(model), { input: { type: 'float32', data: input.data as Float32Array, dims: input.shape } });
    const logits = out.logits;
    expect([...logits.dims]).toEqual(expected.shape);
    const error = relL2(logits.data as Float32Array, expected.data as Float32Array);
    console.log(`${arch}: relL2 ${error.toExponential(2)} vs torchvision`);
    expect(error).toBeLessThanOrEqual(1e-5);
  }, 120_000);
});
