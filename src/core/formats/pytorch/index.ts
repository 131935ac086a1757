/**
 * A safe reader for PyTorch files: `torch.save` zip archives, the legacy pre-1.6 format, training checkpoints and
 * TorchScript archives. It never executes anything: the pickles inside are read by a data-only interpreter
 * (pickle.ts) whose globals come from a fixed allow-list (allowed-globals.ts); anything else — os.system, a model
 * class, builtins.eval — is refused with 'unsafe-code'. Tensor bytes stay views on the input wherever they are
 * contiguous (no copy for a typical state dict); see materialize.ts.
 *
 * Synchronous and whole-file: `bytes` may be a view into a bigger buffer (byteOffset is respected).
 */
import { OmnihubError } from '../../errors.js';
import { ZipArchive, looksLikeZip } from '../zip/reader.js';
import { readLegacyTorchFile, startsWithLegacyMagic } from './legacy-format.js';
import { findDataPkl, readZipTorchFile } from './zip-format.js';
import type { ReadTorchOptions, TorchFile } from './torch-file.js';

export type { ReadTorchOptions, TorchFile } from './torch-file.js';

export function readTorchFile(bytes: Uint8Array, options: ReadTorchOptions = {}): TorchFile {
  if (bytes.length === 0) throw new OmnihubError('empty-file', 'The file is empty (0 bytes): not a PyTorch file.');
  if (looksLikeZip(bytes)) return readZipTorchFile(bytes, options);
  // torch.save's legacy format starts with a pickle (PROTO opcode, or protocol 0's text opcodes for the magic).
  if (bytes[0] === 0x80 || startsWithLegacyMagic(bytes)) return readLegacyTorchFile(bytes, options);
  if (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    throw new OmnihubError('unsupported', 'This is a tar archive: the tar-based PyTorch format (before PyTorch 0.4) is not supported; re-save it with a recent torch.save.');
  }
  throw new OmnihubError('wrong-format', 'Not a PyTorch file: neither a torch.save ZIP archive nor a legacy torch.save pickle.');
}

/** Cheap sniff: a ZIP archive with a data.pkl (directory only, nothing inflated), or the legacy pickle magic. */
export function isTorchFile(bytes: Uint8Array): boolean {
  if (looksLikeZip(bytes)) {
    try {
      return findDataPkl(new ZipArchive(bytes)) !== undefined;
    } catch {
      return false;
    }
  }
  return startsWithLegacyMagic(bytes);
}
