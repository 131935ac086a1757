/**
 * Images as calibration samples (src/core/datasets/image-samples.ts): bilinear resizing with half-pixel centres and
 * no antialiasing, BT.601 luma, /255 and per-channel normalisation, NCHW and NHWC, and the preprocessing a model's
 * input shape picks (or why it takes no images).
 */
import { describe, expect, it } from 'vitest';
import { imageInputProblem, imageSample, imageToTensor, preprocessingFor, type ImageTarget } from '../../src/core/datasets/image-samples.js';
import { OmnihubError } from '../../src/core/errors.js';

/** RGBA bytes from [r, g, b] pixels, row-major (alpha 255). */
const rgba = (pixels: number[][]) => new Uint8ClampedArray(pixels.flatMap(([r, g, b]) => [r, g, b, 255]));
/** No normalisation but /255: the tensor × 255 is the resized pixel values. */
const raw = { mean: [0, 0, 0], std: [1, 1, 1] };
const times255 = (a: Float32Array) => [...a].map((v) => Math.round(v * 255 * 1e4) / 1e4);
const nchw = (channels: 1 | 3, height: number, width: number): ImageTarget => ({ channels, height, width, layout: 'NCHW' });

// A 2×2 image: red rises left to right, green top to bottom, blue is 51 everywhere.
const image2x2 = rgba([
  [0, 0, 51],
  [255, 0, 51],
  [0, 200, 51],
  [255, 200, 51],
]);

describe('imageToTensor', () => {
  it('resizes 2×2 → 4×4 bilinearly with half-pixel centres (sources at −0.25, 0.25, 0.75, 1.25, clamped)', () => {
    const out = times255(imageToTensor(image2x2, 2, 2, nchw(3, 4, 4), raw));
    expect(out).toHaveLength(48);
    // Red plane: every row 0, 63.75, 191.25, 255.
    expect(out.slice(0, 16)).toEqual([0, 63.75, 191.25, 255, 0, 63.75, 191.25, 255, 0, 63.75, 191.25, 255, 0, 63.75, 191.25, 255]);
    // Green plane: rows 0, 50, 150, 200.
    expect(out.slice(16, 32)).toEqual([0, 0, 0, 0, 50, 50, 50, 50, 150, 150, 150, 150, 200, 200, 200, 200]);
    expect(out.slice(32)).toEqual(Array(16).fill(51));
  });

  it('resizes 2×2 → 1×1 to the mean of the four pixels (the source centre is 0.5, 0.5)', () => {
    expect(times255(imageToTensor(image2x2, 2, 2, nchw(3, 1, 1), raw))).toEqual([127.5, 100, 51]);
  });

  it('does not antialias: 4×1 → 1×1 reads only pixels 1 and 2 (source 1.5)', () => {
    const row = rgba([[0, 0, 0], [100, 0, 0], [200, 0, 0], [255, 0, 0]]);
    expect(times255(imageToTensor(row, 4, 1, nchw(3, 1, 1), raw))).toEqual([150, 0, 0]);
  });

  it('keeps an image of the target size as it is', () => {
    expect(times255(imageToTensor(image2x2, 2, 2, nchw(3, 2, 2), raw))).toEqual([0, 255, 0, 255, 0, 0, 200, 200, 51, 51, 51, 51]);
  });

  it('grayscale is BT.601 luma 0.299 R + 0.587 G + 0.114 B', () => {
    const px = rgba([[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 150, 200]]);
    const out = times255(imageToTensor(px, 4, 1, nchw(1, 1, 4), { mean: [0], std: [1] }));
    expect(out).toEqual([76.245, 149.685, 29.07, 140.75]);
  });

  it('scales /255 and normalises (x − mean) / std per channel (ImageNet; MNIST for grayscale)', () => {
    const out = imageToTensor(rgba([[255, 128, 0]]), 1, 1, nchw(3, 1, 1), { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(out[0]).toBeCloseTo((1 - 0.485) / 0.229, 6); // 2.2489083
    expect(out[1]).toBeCloseTo((128 / 255 - 0.456) / 0.224, 6); // 0.2051821
    expect(out[2]).toBeCloseTo(-0.406 / 0.225, 6); // −1.8044444
    expect(out[0]).toBeCloseTo(2.2489083, 6);
    expect(out[2]).toBeCloseTo(-1.8044444, 6);
    const gray = imageToTensor(rgba([[255, 255, 255]]), 1, 1, nchw(1, 1, 1), { mean: [0.1307], std: [0.3081] });
    expect(gray[0]).toBeCloseTo((1 - 0.1307) / 0.3081, 5); // 2.8215514
  });

  it('lays out NCHW as planes and NHWC as interleaved pixels', () => {
    const px = rgba([[10, 20, 30], [40, 50, 60]]);
    expect(times255(imageToTensor(px, 2, 1, { channels: 3, height: 1, width: 2, layout: 'NCHW' }, raw))).toEqual([10, 40, 20, 50, 30, 60]);
    expect(times255(imageToTensor(px, 2, 1, { channels: 3, height: 1, width: 2, layout: 'NHWC' }, raw))).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('rejects pixels that do not match the size', () => {
    expect(() => imageToTensor(new Uint8ClampedArray(12), 2, 2, nchw(3, 1, 1), raw)).toThrow('an image of 2×2 pixels has 16 RGBA bytes, got 12');
  });
});

describe('preprocessingFor', () => {
  it('an ImageNet model [1, 3, 224, 224]: NCHW, 224×224, RGB, ImageNet mean/std, stated', () => {
    const pre = preprocessingFor([{ name: 'input', dtype: 'float32', shape: [1, 3, 224, 224] }]);
    expect(pre.target).toEqual({ channels: 3, height: 224, width: 224, layout: 'NCHW' });
    expect(pre.norm).toEqual({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(pre.normName).toBe('ImageNet');
    expect(pre.description).toBe(
      'resized to 224×224 bilinear, RGB, /255, normalised with ImageNet mean/std (mean 0.485, 0.456, 0.406; std 0.229, 0.224, 0.225); bilinear with half-pixel centres and no antialiasing; NCHW [1, 3, 224, 224]',
    );
  });

  it('fixed sizes come from the shape; symbolic ones are 224 (3 channels) or 28 (1 channel)', () => {
    expect(preprocessingFor([{ name: 'x', dtype: 'float32', shape: ['N', 3, 'H', 'W'] }]).target).toEqual({ channels: 3, height: 224, width: 224, layout: 'NCHW' });
    expect(preprocessingFor([{ name: 'x', dtype: 'float32', shape: [1, 3, 96, 128] }]).target).toEqual({ channels: 3, height: 96, width: 128, layout: 'NCHW' });
    expect(preprocessingFor([{ name: 'x', dtype: 'float32', shape: ['N', 'H', 'W', 3] }]).target).toEqual({ channels: 3, height: 224, width: 224, layout: 'NHWC' });
    expect(preprocessingFor([{ name: 'x', dtype: 'float32', shape: [null, 64, 32, 3] }]).target).toEqual({ channels: 3, height: 64, width: 32, layout: 'NHWC' });
  });

  it('a grayscale model: MNIST mean/std, luma, 28×28 for symbolic sizes, NHWC when the 1 is last', () => {
    const pre = preprocessingFor([{ name: 'digits', dtype: 'float32', shape: ['batch', 1, 28, 28] }]);
    expect(pre.target).toEqual({ channels: 1, height: 28, width: 28, layout: 'NCHW' });
    expect(pre.norm).toEqual({ mean: [0.1307], std: [0.3081] });
    expect(pre.description).toContain('resized to 28×28 bilinear, grayscale (BT.601 luma 0.299 R + 0.587 G + 0.114 B), /255, normalised with MNIST mean/std (mean 0.1307; std 0.3081)');
    expect(preprocessingFor([{ name: 'x', dtype: 'float32', shape: ['N', 'H', 'W', 1] }]).target).toEqual({ channels: 1, height: 28, width: 28, layout: 'NHWC' });
  });

  it('a sample is [1, C, H, W] (or [1, H, W, C]) float32 under the input’s name', () => {
    const pre = preprocessingFor([{ name: 'x', dtype: 'float32', shape: ['N', 4, 4, 3] }]);
    const sample = imageSample(image2x2, 2, 2, pre);
    expect(sample.x.type).toBe('float32');
    expect(sample.x.dims).toEqual([1, 4, 4, 3]);
    expect(sample.x.data).toHaveLength(48);
    expect(sample.x.data[0]).toBeCloseTo((0 - 0.485) / 0.229, 6);
  });

  it('a model that is not an image model is a usage error saying why', () => {
    const cases: Array<[Parameters<typeof preprocessingFor>[0], string]> = [
      [[{ name: 'a', dtype: 'float32', shape: [1, 3, 8, 8] }, { name: 'b', dtype: 'float32', shape: [1, 3, 8, 8] }], "this one has 2 inputs ('a' float32 [1, 3, 8, 8], 'b' float32 [1, 3, 8, 8])"],
      [[{ name: 'ids', dtype: 'int64', shape: ['batch', 'seq'] }], "this model takes 'ids' int64 [batch, seq], which is not float32"],
      [[{ name: 'x', dtype: 'float32', shape: ['batch', 512] }], "this model takes 'x' float32 [batch, 512], which is not of rank 4 (it has rank 2)"],
      [[{ name: 'x', dtype: 'float32', shape: [1, 4, 32, 32] }], "this model takes 'x' float32 [1, 4, 32, 32], with neither 1 nor 3 channels at dimension 1 or 3"],
      [[{ name: 'x', dtype: 'float32', shape: [8, 3, 32, 32] }], "this model takes 'x' float32 [8, 3, 32, 32], a fixed batch of 8 (a sample is one image)"],
    ];
    for (const [inputs, why] of cases) {
      let error: unknown;
      try {
        preprocessingFor(inputs);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OmnihubError);
      expect((error as OmnihubError).code).toBe('usage');
      expect((error as OmnihubError).message).toBe(`Images need a model with one float32 image input [N, C, H, W] or [N, H, W, C] with 1 or 3 channels; ${why}.`);
      expect(imageInputProblem(inputs)).toBe((error as OmnihubError).message);
    }
    expect(imageInputProblem([{ name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] }])).toBeNull();
  });
});
