// Models with tensors in a side file: written by saveModel, read back by range, run in onnxruntime.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { externalDataRef, isExternal } from '../../src/core/onnx/external-data.js';
import { openModel, saveModel } from '../../src/core/onnx/model-file.js';
import { walkTensors } from '../../src/core/onnx/walk.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { npyToRuntime } from '../../src/core/onnx/runtime-tensor.js';
import { folderReader } from '../../src/core/cli/node-files.js';
import { OmnihubError } from '../../src/core/errors.js';
import { firstDifference } from '../support/model-equal.js';
import { fixture } from '../support/paths.js';
import { maxExcess, runModel } from '../support/ort.js';

const mnistBytes = readFileSync(fixture('onnx/burn_mnist.onnx'));
const io = readNpz(readFileSync(fixture('onnx/burn_mnist.io.npz')));

function writeExternal(threshold: number) {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-ext-'));
  const saved = saveModel(decodeModel(mnistBytes), { externalDataThreshold: threshold, modelFileName: 'mnist.onnx' });
  const model = Buffer.concat(saved.modelChunks);
  writeFileSync(join(dir, 'mnist.onnx'), model);
  if (saved.externalData) writeFileSync(join(dir, saved.externalData.location), Buffer.concat(saved.externalData.chunks));
  return { dir, saved, model };
}

describe('external data', () => {
  it('moves tensors at or above the threshold into one side file, aligned like onnx does', () => {
    const { saved, model: modelBytes } = writeExternal(1024);
    expect(saved.externalData!.location).toBe('mnist.onnx.data');
    const model = decodeModel(modelBytes);
    const external = [...walkTensors(model)].filter(isExternal);
    expect(external.length).toBe(saved.externalData!.tensors);
    const large = decodeModel(mnistBytes).graph!.initializer!.filter((t) => (t.raw_data?.length ?? 0) >= 1024);
    expect(large.length).toBe(4); // conv2, conv3, fc1 and fc2 weights; conv1 (288 B), biases and BatchNorm vectors stay inline
    expect(external.map((t) => t.name)).toEqual(large.map((t) => t.name));
    expect(modelBytes.length).toBe(saved.modelByteLength);
    expect(modelBytes.length).toBeLessThan(10_000);
    for (const t of external) {
      const ref = externalDataRef(t);
      expect(ref.location).toBe('mnist.onnx.data');
      if (ref.length! >= 1 << 20) expect(ref.offset % 65536).toBe(0);
    }
  });

  it('reads the side file back into the same model as the single file', async () => {
    const { dir } = writeExternal(1024);
    const { model, externalTensors } = await openModel(readFileSync(join(dir, 'mnist.onnx')), folderReader(dir));
    expect(externalTensors).toBe(4);
    expect(firstDifference(model, decodeModel(mnistBytes))).toBeNull();
    expect(Buffer.compare(Buffer.from(encodeModel(model)), mnistBytes)).toBe(0);
  });

  it('the model with external data runs in onnxruntime with the same outputs as the single file', async () => {
    const { dir } = writeExternal(0);
    const { model } = await openModel(readFileSync(join(dir, 'mnist.onnx')), folderReader(dir));
    const feeds = { input: npyToRuntime(io.get('input')!) };
    const single = await runModel(mnistBytes, feeds);
    const fromExternal = await runModel(encodeModel(model), feeds);
    expect(Array.from(fromExternal.log_probs.data as Float32Array)).toEqual(Array.from(single.log_probs.data as Float32Array));
    // And both match PyTorch's output for this input.
    expect(maxExcess(single.log_probs.data as Float32Array, io.get('log_probs')!.data as Float32Array, 1e-4)).toBeLessThan(1e-5);
  });

  it('onnxruntime itself loads the side file written beside the model', async () => {
    const { dir } = writeExternal(1024);
    const ort = (await import('../support/ort.js')).ort;
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'mnist.onnx')), {
      externalData: [{ path: 'mnist.onnx.data', data: readFileSync(join(dir, 'mnist.onnx.data')) }],
    });
    const input = io.get('input')!;
    const out = await session.run({ input: new ort.Tensor('float32', input.data as Float32Array, input.shape) });
    await session.release();
    expect(maxExcess(out.log_probs.data as Float32Array, io.get('log_probs')!.data as Float32Array, 1e-4)).toBeLessThan(1e-5);
  });

  it('saveModel leaves the caller\'s model as it was', () => {
    const model = decodeModel(mnistBytes);
    saveModel(model, { externalDataThreshold: 0 });
    expect(Buffer.compare(Buffer.from(encodeModel(model)), mnistBytes)).toBe(0);
  });

  it('refuses locations outside the model folder, missing and short side files', async () => {
    const { dir, model: modelBytes } = writeExternal(1024);
    const withLocation = (location: string) => {
      const m = decodeModel(modelBytes);
      for (const t of walkTensors(m)) for (const e of t.external_data ?? []) if (e.key === 'location') e.value = location;
      return encodeModel(m);
    };
    for (const bad of ['../secret.data', '/etc/passwd', 'a/../../b', 'C:\\x.data']) {
      await expect(openModel(withLocation(bad), folderReader(dir))).rejects.toThrow(/not a relative path inside the model's folder/);
    }
    await expect(openModel(withLocation('missing.data'), folderReader(dir))).rejects.toThrow(/missing.data', which is not next to it/);
    await expect(openModel(modelBytes)).rejects.toThrow(/open that file together with the model/);
    writeFileSync(join(dir, 'mnist.onnx.data'), new Uint8Array(100));
    const e = await openModel(modelBytes, folderReader(dir)).catch((x) => x);
    expect(e).toBeInstanceOf(OmnihubError);
    expect(e.code).toBe('external-data');
  });
});
