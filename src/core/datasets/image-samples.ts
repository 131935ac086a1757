/**
 * Images as calibration samples: decoded RGBA pixels (the browser's `getImageData`, 8 bits a channel) turned into the
 * float32 tensor an image model takes, with a stated preprocessing. Pure (no DOM, no Node): the transform worker
 * decodes the files and calls this.
 *
 * The preprocessing, in order:
 * 1. Resize to the model's height × width by bilinear interpolation with half-pixel centres and no antialiasing —
 *    what `torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False)`, OpenCV's
 *    INTER_LINEAR and ONNX Resize (linear, `half_pixel`) compute: output pixel x reads the source at
 *    (x + 0.5) · in/out − 0.5, clamped to the edge pixels. Values stay floats (no rounding to 8 bits).
 * 2. Channels: RGB (alpha ignored) for 3 channels; for 1, ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B.
 * 3. Scale /255 to 0..1, then (x − mean[c]) / std[c] per channel.
 * The result is [1, C, H, W] (NCHW) or [1, H, W, C] (NHWC).
 */
import { OmnihubError } from '../errors.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';
import type { ValueSummary } from '../onnx/summary.js';
import { MNIST_MEAN, MNIST_STD } from './mnist-pack.js';

export type ImageLayout = 'NCHW' | 'NHWC';

export interface ImageTarget {
  channels: 1 | 3;
  height: number;
  width: number;
  layout: ImageLayout;
}

export interface ImageNorm {
  mean: number[];
  std: number[];
}

/** How images are turned into one model input's samples, and the sentence that states it. */
export interface ImagePreprocessing {
  /** The model input the samples are given as. */
  input: string;
  target: ImageTarget;
  norm: ImageNorm;
  /** Where the mean and std come from. */
  normName: 'ImageNet' | 'MNIST';
  /** The preprocessing in words: "resized to 224×224 bilinear, RGB, /255, normalised with ImageNet mean/std …". */
  description: string;
}

export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

/** The size taken for a symbolic height or width: ImageNet's 224 for colour models, MNIST's 28 for grayscale ones. */
export const DEFAULT_SIZE = { 3: 224, 1: 28 } as const;

/** BT.601 luma weights of R, G, B. */
const LUMA = [0.299, 0.587, 0.114];

/** For each output coordinate, the two source coordinates it reads and the weight of the second (half-pixel centres, clamped). */
function axis(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; w: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const w = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const l = Math.floor(src);
    lo[o] = l;
    hi[o] = Math.min(l + 1, inSize - 1);
    w[o] = src - l;
  }
  return { lo, hi, w };
}

/**
 * RGBA pixels (row-major, 4 bytes a pixel, as `ImageData.data`) of a `width` × `height` image as one sample of
 * `target`'s shape: resized, to RGB or luma, /255, normalised (see the comment at the top). [1, C, H, W] or
 * [1, H, W, C] float32.
 */
export function imageToTensor(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, target: ImageTarget, norm: ImageNorm): Float32Array {
  if (!(width >= 1 && height >= 1) || rgba.length !== width * height * 4) {
    throw new OmnihubError('usage', `an image of ${width}×${height} pixels has ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  }
  const { channels: C, height: H, width: W, layout } = target;
  if (!(H >= 1 && W >= 1 && Number.isInteger(H) && Number.isInteger(W))) throw new OmnihubError('usage', `cannot resize an image to ${W}×${H}`);
  if (norm.mean.length < C || norm.std.length < C) throw new OmnihubError('usage', `normalisation needs a mean and a std for each of the ${C} channels`);
  const xs = axis(width, W);
  const ys = axis(height, H);
  const out = new Float32Array(C * H * W);
  const rgb = [0, 0, 0];
  for (let y = 0; y < H; y++) {
    const r0 = ys.lo[y] * width;
    const r1 = ys.hi[y] * width;
    const wy = ys.w[y];
    for (let x = 0; x < W; x++) {
      const c0 = xs.lo[x];
      const c1 = xs.hi[x];
      const wx = xs.w[x];
      const p00 = (r0 + c0) * 4;
      const p01 = (r0 + c1) * 4;
      const p10 = (r1 + c0) * 4;
      const p11 = (r1 + c1) * 4;
      for (let k = 0; k < 3; k++) {
        const top = rgba[p00 + k] * (1 - wx) + rgba[p01 + k] * wx;
        const bottom = rgba[p10 + k] * (1 - wx) + rgba[p11 + k] * wx;
        rgb[k] = top * (1 - wy) + bottom * wy;
      }
      for (let c = 0; c < C; c++) {
        const v = C === 1 ? LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2] : rgb[c];
        const at = layout === 'NCHW' ? (c * H + y) * W + x : (y * W + x) * C + c;
        out[at] = (v / 255 - norm.mean[c]) / norm.std[c];
      }
    }
  }
  return out;
}

const shapeText = (i: Pick<ValueSummary, 'name' | 'dtype' | 'shape'>) => `'${i.name}' ${i.dtype} [${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`;

/**
 * The preprocessing images get for a model: its one input must be a float32 image of rank 4 with 1 or 3 channels at
 * dimension 1 (NCHW) or 3 (NHWC, when dimension 1 is not 1 or 3) and a batch of 1 or symbolic. Height and width are
 * the input's when fixed, else 224 (3 channels) or 28 (1 channel); mean/std are ImageNet's for 3 channels, MNIST's
 * (0.1307, 0.3081) for 1. Anything else is a 'usage' error saying why.
 */
export function preprocessingFor(inputs: readonly Pick<ValueSummary, 'name' | 'dtype' | 'shape'>[]): ImagePreprocessing {
  const no = (why: string) => new OmnihubError('usage', `Images need a model with one float32 image input [N, C, H, W] or [N, H, W, C] with 1 or 3 channels; ${why}.`);
  if (inputs.length !== 1) throw no(`this one has ${inputs.length} inputs${inputs.length ? ` (${inputs.map(shapeText).join(', ')})` : ''}`);
  const [input] = inputs;
  const shape = input.shape;
  if (input.dtype !== 'float32') throw no(`this model takes ${shapeText(input)}, which is not float32`);
  if (!shape || shape.length !== 4) throw no(`this model takes ${shapeText(input)}, which is not ${shape ? `of rank 4 (it has rank ${shape.length})` : 'of a known rank'}`);
  const isChannels = (d: unknown) => d === 1 || d === 3;
  const layout: ImageLayout | null = isChannels(shape[1]) ? 'NCHW' : isChannels(shape[3]) ? 'NHWC' : null;
  if (!layout) throw no(`this model takes ${shapeText(input)}, with neither 1 nor 3 channels at dimension 1 or 3`);
  if (typeof shape[0] === 'number' && shape[0] !== 1) throw no(`this model takes ${shapeText(input)}, a fixed batch of ${shape[0]} (a sample is one image)`);
  const channels = (layout === 'NCHW' ? shape[1] : shape[3]) as 1 | 3;
  const [h, w] = layout === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
  const size = (d: (typeof shape)[number]) => (typeof d === 'number' && d > 0 ? d : DEFAULT_SIZE[channels]);
  const target: ImageTarget = { channels, height: size(h), width: size(w), layout };
  const imagenet = channels === 3;
  const norm: ImageNorm = imagenet ? { mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] } : { mean: [MNIST_MEAN], std: [MNIST_STD] };
  const dims = layout === 'NCHW' ? `${channels}, ${target.height}, ${target.width}` : `${target.height}, ${target.width}, ${channels}`;
  const description =
    `resized to ${target.height}×${target.width} bilinear, ` +
    (imagenet ? 'RGB' : 'grayscale (BT.601 luma 0.299 R + 0.587 G + 0.114 B)') +
    ', /255, normalised with ' +
    (imagenet ? `ImageNet mean/std (mean ${IMAGENET_MEAN.join(', ')}; std ${IMAGENET_STD.join(', ')})` : `MNIST mean/std (mean ${MNIST_MEAN}; std ${MNIST_STD})`) +
    `; bilinear with half-pixel centres and no antialiasing; ${layout} [1, ${dims}]`;
  return { input: input.name, target, norm, normName: imagenet ? 'ImageNet' : 'MNIST', description };
}

/** Why images cannot be given to the model, or null when they can (preprocessingFor's error as a sentence). */
export function imageInputProblem(inputs: readonly Pick<ValueSummary, 'name' | 'dtype' | 'shape'>[]): string | null {
  try {
    preprocessingFor(inputs);
    return null;
  } catch (e) {
    if (e instanceof OmnihubError) return e.message;
    throw e;
  }
}

/** One decoded image as a calibration sample of `pre`'s input. */
export function imageSample(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, pre: ImagePreprocessing): Record<string, RuntimeTensor> {
  const { channels, height: h, width: w, layout } = pre.target;
  const dims = layout === 'NCHW' ? [1, channels, h, w] : [1, h, w, channels];
  return { [pre.input]: { type: 'float32', data: imageToTensor(rgba, width, height, pre.target, pre.norm), dims } };
}
