/**
 * Turns a tensor reference plus its storage's bytes into a WeightTensor (little-endian, C-order bytes). The common
 * case — a C-contiguous tensor in a little-endian file — is a `subarray` of the storage, which is itself a view on
 * the file: no copy, whatever the alignment. Only strided tensors (a transposed weight saved as is, an expanded
 * tensor with stride 0) are gathered into a new buffer, and only big-endian files are byte-swapped.
 *
 * Every size is checked before use: a tensor whose last element lies past the end of its storage is 'malformed',
 * as are sizes whose product is not a safe integer, so a hostile file cannot make this code read out of bounds or
 * allocate more than the storage it points into.
 */
import { OmnihubError } from '../../errors.js';
import { checkWeightTensor, type WeightTensor } from '../../weights/types.js';
import type { TorchTensor } from './tensor-refs.js';

/**
 * @param storageBytes exactly the storage's bytes (for a legacy view storage: the view's slice)
 * @param bigEndian the file stores elements big-endian (they are swapped into a copy)
 * @param maxCopyBytes most bytes a gathered copy may take: a tensor expanded with stride 0 can claim far more
 *   elements than its storage holds, so its size is checked before allocating
 */
export function materialize(name: string, tensor: TorchTensor, storageBytes: Uint8Array, bigEndian: boolean, maxCopyBytes: number): WeightTensor {
  const { dtype, shape, stride, storageOffset } = tensor;
  if (!dtype.weight) {
    throw new OmnihubError('unsupported', `Tensor '${name}' has dtype torch.${dtype.name}, which omnihub cannot convert.`);
  }
  const itemSize = dtype.itemSize;
  const capacity = Math.floor(storageBytes.length / itemSize);
  let numel = 1;
  for (const d of shape) {
    numel *= d;
    if (!Number.isSafeInteger(numel)) throw new OmnihubError('malformed', `Tensor '${name}' has a shape [${shape.join(', ')}] with too many elements.`);
  }
  if (numel === 0) return checkWeightTensor({ name, dtype: dtype.weight, shape: [...shape], bytes: storageBytes.subarray(0, 0) });
  // The farthest element the tensor touches: offset + Σ (size − 1) × stride.
  let last = storageOffset;
  for (let i = 0; i < shape.length; i++) last += (shape[i] - 1) * stride[i];
  if (!Number.isSafeInteger(last) || last >= capacity) {
    throw new OmnihubError(
      'malformed',
      `Tensor '${name}' (${dtype.name} [${shape.join(', ')}], offset ${storageOffset}) reaches element ${last} of its storage '${tensor.storage.key}', which holds only ${capacity} elements.`,
    );
  }
  let bytes: Uint8Array;
  if (isContiguous(shape, stride)) {
    bytes = storageBytes.subarray(storageOffset * itemSize, (storageOffset + numel) * itemSize);
    if (bigEndian) bytes = bytes.slice();
  } else {
    if (numel * itemSize > maxCopyBytes) {
      throw new OmnihubError('too-large', `Tensor '${name}' [${shape.join(', ')}] is strided and would need a ${numel * itemSize}-byte copy; the limit is ${maxCopyBytes} bytes.`);
    }
    bytes = gather(storageBytes, itemSize, storageOffset, shape, stride, numel);
  }
  if (bigEndian && itemSize > 1) swapInPlace(bytes, dtype.name.startsWith('complex') ? itemSize / 2 : itemSize);
  return checkWeightTensor({ name, dtype: dtype.weight, shape: [...shape], bytes });
}

/** C order: each stride is the product of the sizes after it (dimensions of size 1 may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Copies a strided tensor into C order: an odometer over the outer dimensions, whole runs when the last stride is 1. */
function gather(src: Uint8Array, itemSize: number, offset: number, shape: readonly number[], stride: readonly number[], numel: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = new Uint8Array(numel * itemSize);
  } catch (e) {
    throw new OmnihubError('too-large', `A strided tensor needs a ${numel * itemSize}-byte copy, more than this machine can allocate.`, { cause: e });
  }
  const rank = shape.length;
  const inner = shape[rank - 1];
  const innerStride = stride[rank - 1] * itemSize;
  const runBytes = inner * itemSize;
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let base = offset * itemSize;
  let written = 0;
  while (written < out.length) {
    if (innerStride === itemSize) {
      out.set(src.subarray(base, base + runBytes), written);
      written += runBytes;
    } else {
      let at = base;
      for (let j = 0; j < inner; j++, at += innerStride) {
        for (let b = 0; b < itemSize; b++) out[written++] = src[at + b];
      }
    }
    // Advance the outer dimensions like an odometer.
    let d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]++;
      base += stride[d] * itemSize;
      if (counter[d] < shape[d]) break;
      base -= shape[d] * stride[d] * itemSize;
      counter[d] = 0;
    }
    if (d < 0) break;
  }
  return out;
}

function swapInPlace(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}
