/**
 * Recognises a file by its first bytes, never by its name: `.keras` files are sometimes HDF5, `.onnx` uploads are
 * sometimes something else, and a clear "this is X, not Y" beats a protobuf parse error.
 */
export type SniffedFormat =
  | 'hdf5'
  | 'zip'
  | 'npy'
  | 'tflite'
  | 'gzip'
  | 'pickle'
  | 'safetensors'
  | 'gguf'
  | 'json'
  | 'unknown';

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
const NPY = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const GZIP = [0x1f, 0x8b];
const GGUF = [0x47, 0x47, 0x55, 0x46];

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (startsWith(bytes, HDF5)) return 'hdf5';
  if (startsWith(bytes, ZIP) || startsWith(bytes, EMPTY_ZIP)) return 'zip';
  if (startsWith(bytes, NPY)) return 'npy';
  if (startsWith(bytes, GZIP)) return 'gzip';
  if (startsWith(bytes, GGUF)) return 'gguf';
  // TFLite flatbuffers carry the file identifier "TFL3" at bytes 4..7.
  if (startsWith(bytes, [0x54, 0x46, 0x4c, 0x33], 4)) return 'tflite';
  // Pickle protocol 2+ starts with PROTO (0x80) and the protocol number; torch's legacy format is such a pickle.
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  // safetensors: u64 little-endian header length, then a JSON object.
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  if (bytes.length >= 1 && (bytes[0] === 0x7b || bytes[0] === 0x5b)) return 'json';
  return 'unknown';
}

export const FORMAT_DESCRIPTIONS: Record<Exclude<SniffedFormat, 'unknown'>, string> = {
  hdf5: 'an HDF5 file (a Keras .h5 model or weights?)',
  zip: 'a ZIP archive (a PyTorch .pt, Keras 3 .keras or NumPy .npz?)',
  npy: 'a NumPy .npy array',
  tflite: 'a TensorFlow Lite flatbuffer',
  gzip: 'a gzip archive',
  pickle: 'a Python pickle (a legacy PyTorch file?)',
  safetensors: 'a safetensors file',
  gguf: 'a GGUF file',
  json: 'a JSON text',
};
