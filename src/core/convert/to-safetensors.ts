/**
 * `.pt` / `.pth` (torch.save, zip or legacy; TorchScript parameters too) → `.safetensors`.
 *
 * The state dict that readTorchFile finds is written with the reference layout (formats/safetensors/write.ts); the
 * tensor bytes are the reader's views on the file, so nothing is copied except strided or big-endian tensors, which
 * the reader already had to copy.
 *
 * safetensors has no aliasing: tensors that share bytes in the checkpoint (tied embeddings, a view saved next to its
 * base) are each written in full, and the report names them. (PyTorch's own `safetensors.torch.save_file` refuses
 * such a dict, and `save_model` drops all but one name; writing each keeps every name loadable.)
 */
import { OmnihubError } from '../errors.js';
import { readTorchFile, type ReadTorchOptions } from '../formats/pytorch/index.js';
import { writeSafetensors } from '../formats/safetensors/write.js';
import type { StateDict } from '../weights/types.js';

export interface TorchToSafetensorsOptions extends ReadTorchOptions {
  /** The file's `__metadata__` (default `{ format: 'pt' }`, as transformers and safetensors.torch write). */
  metadata?: Record<string, string>;
}

export interface TorchToSafetensorsReport {
  /** Tensors written. */
  tensors: number;
  /** Bytes of tensor data written. */
  bytes: number;
  /** Size of the .safetensors file (the data plus the header). */
  fileBytes: number;
  /** Tensors whose bytes alias an earlier tensor's in the checkpoint, written again in full. */
  sharedStoragesDuplicated: string[];
  /** readTorchFile's notes (checkpoint keys, devices …) and this conversion's. */
  notes: string[];
  /** What readTorchFile read: 'zip', 'legacy' or 'torchscript', and where the state dict was. */
  format: string;
  stateDictPath: string[];
}

export interface TorchToSafetensorsResult {
  /** The .safetensors file: header, then each tensor's bytes. */
  chunks: Uint8Array[];
  report: TorchToSafetensorsReport;
}

/** Tensors whose bytes overlap an earlier tensor's (same buffer, intersecting ranges), with the earlier one's name. */
export function aliasedTensors(tensors: StateDict): Array<{ name: string; sharesWith: string }> {
  const byBuffer = new Map<ArrayBufferLike, Array<{ name: string; start: number; end: number; order: number }>>();
  let order = 0;
  for (const t of tensors.values()) {
    order++;
    if (t.bytes.byteLength === 0) continue;
    const list = byBuffer.get(t.bytes.buffer) ?? [];
    list.push({ name: t.name, start: t.bytes.byteOffset, end: t.bytes.byteOffset + t.bytes.byteLength, order });
    byBuffer.set(t.bytes.buffer, list);
  }
  const found: Array<{ name: string; sharesWith: string; order: number }> = [];
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a.start - b.start || a.order - b.order);
    let reach: (typeof list)[number] | undefined; // the range reaching farthest so far
    for (const r of list) {
      if (reach && r.start < reach.end) {
        // Report the later of the two (in file order) as the duplicate.
        const [first, second] = reach.order < r.order ? [reach, r] : [r, reach];
        found.push({ name: second.name, sharesWith: first.name, order: second.order });
      }
      if (!reach || r.end > reach.end) reach = r;
    }
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.order - b.order)
    .filter((f) => !seen.has(f.name) && seen.add(f.name))
    .map(({ name, sharesWith }) => ({ name, sharesWith }));
}

export function torchToSafetensors(bytes: Uint8Array, options: TorchToSafetensorsOptions = {}): TorchToSafetensorsResult {
  const { metadata = { format: 'pt' }, ...readOptions } = options;
  const file = readTorchFile(bytes, readOptions);
  if (file.tensors.size === 0) {
    throw new OmnihubError('unsupported', `No tensors found in this ${file.format} PyTorch file: there is nothing to write as safetensors.`);
  }
  const notes = [...file.notes];
  if (file.stateDictPath.length) notes.push(`state dict taken from ['${file.stateDictPath.join("']['")}']`);
  if (file.format === 'torchscript') notes.push('TorchScript archive: its parameters, buffers and constants are written with their attribute paths');
  const aliased = aliasedTensors(file.tensors);
  if (aliased.length) {
    const shown = aliased.slice(0, 5).map((a) => `${a.name} = ${a.sharesWith}`).join(', ');
    notes.push(`${aliased.length} tensor${aliased.length === 1 ? '' : 's'} shared storage with another and ${aliased.length === 1 ? 'is' : 'are'} written as separate copies (safetensors has no aliasing): ${shown}${aliased.length > 5 ? ' …' : ''}`);
  }
  const chunks = writeSafetensors(file.tensors.values(), metadata);
  return {
    chunks,
    report: {
      tensors: file.tensors.size,
      bytes: [...file.tensors.values()].reduce((n, t) => n + t.bytes.byteLength, 0),
      fileBytes: chunks.reduce((n, c) => n + c.byteLength, 0),
      sharedStoragesDuplicated: aliased.map((a) => a.name),
      notes,
      format: file.format,
      stateDictPath: file.stateDictPath,
    },
  };
}
