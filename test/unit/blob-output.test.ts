/**
 * blobFromChunks: an encoded model whose weights are views on a source file's bytes becomes a Blob that references
 * the source Blob's slices; its bytes must equal the model's own encoding, whatever the source's offset.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readTorchFile } from '../../src/core/formats/pytorch/index.js';
import { buildTorchvisionModel } from '../../src/core/convert/torchvision/index.js';
import { encodeModel, encodeModelChunks } from '../../src/core/onnx/codec.js';
import { blobFromChunks } from '../../src/core/onnx/blob-output.js';
import { fixture } from '../support/paths.js';

describe('blobFromChunks', () => {
  it('a converted squeezenet as slices of its .pth: the same bytes as encodeModel, framing only as new memory', async () => {
    const file = readFileSync(fixture('pytorch/torchvision/squeezenet1_1-random.pth'));
    // The source bytes at an odd offset inside a bigger buffer, as a File read into a larger allocation could be.
    const padded = new Uint8Array(file.length + 7);
    padded.set(file, 3);
    const bytes = padded.subarray(3, 3 + file.length);
    const source = new Blob([bytes]);
    const { model } = buildTorchvisionModel('squeezenet1_1', readTorchFile(bytes).tensors);
    const chunks = encodeModelChunks(model);
    const viewBytes = chunks.filter((c) => c.buffer === bytes.buffer).reduce((n, c) => n + c.byteLength, 0);
    const total = chunks.reduce((n, c) => n + c.byteLength, 0);
    // 52 tensors: the big ones stay views on the .pth (small ones are packed with the framing by the encoder).
    expect(viewBytes).toBeGreaterThan(0.9 * total);
    const blob = blobFromChunks(chunks, [{ bytes, blob: source }]);
    expect(blob.size).toBe(total);
    expect(Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(encodeModel(model)))).toBe(true);
  });

  it('chunks of another buffer are copied as they are', async () => {
    const a = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const other = new Uint8Array([9, 8, 7]);
    const blob = blobFromChunks([a.subarray(1, 3), other, a.subarray(4)], [{ bytes: a, blob: new Blob([new Uint8Array([10, 20, 30, 40, 50, 60])]) }]);
    // Views of `a` are taken from the source Blob (whose bytes differ here, to show where they come from).
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([20, 30, 9, 8, 7, 50, 60]);
  });
});
