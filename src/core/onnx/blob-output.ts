/**
 * An encoded model as a Blob without copying its weights. A converter's output tensors are views on the bytes of
 * the file it read (a PyTorch storage, a safetensors buffer), so `encodeModelChunks` returns chunks that are mostly
 * such views. `new Blob(chunks)` would copy every byte into the Blob (in a browser, inside this process, while the
 * input is still alive: 2× the model in memory). Here a chunk that views a source's bytes becomes a slice of that
 * source's Blob (the dropped File, the library's Blob), which references the bytes the browser already holds; only
 * the protobuf framing between tensors is new memory.
 */
export interface BlobSource {
  /** The bytes that were read from `blob` (whole). */
  bytes: Uint8Array;
  blob: Blob;
}

export function blobFromChunks(chunks: readonly Uint8Array[], sources: readonly BlobSource[], type = 'application/octet-stream'): Blob {
  const parts: BlobPart[] = chunks.map((chunk) => {
    for (const { bytes, blob } of sources) {
      if (chunk.buffer !== bytes.buffer) continue;
      const start = chunk.byteOffset - bytes.byteOffset;
      if (start >= 0 && start + chunk.byteLength <= bytes.byteLength) return blob.slice(start, start + chunk.byteLength);
    }
    return chunk as Uint8Array<ArrayBuffer>;
  });
  return new Blob(parts, { type });
}
