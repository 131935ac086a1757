/**
 * One entry point for every Keras model file, recognised by content (never by name: `.keras` files are sometimes
 * HDF5): HDF5 with `model_config` → 'h5-full'; HDF5 with `layer_names` at the root or under `model_weights` but no
 * model_config → 'h5-weights'; a ZIP with `config.json` + `model.weights.h5` → 'keras-zip'. Anything else is
 * refused as 'wrong-format', saying what it is.
 */
import { OmnihubError } from '../../errors.js';
import { FORMAT_DESCRIPTIONS, sniffFormat } from '../sniff.js';
import { readKerasArchitecture } from './architecture-json.js';
import { readKerasH5 } from './h5-legacy.js';
import { readKerasZip } from './keras-zip.js';
import type { KerasModelFile } from './types.js';

export async function readKerasFile(bytes: Uint8Array, fileName?: string): Promise<KerasModelFile> {
  const name = fileName ?? 'The file';
  if (bytes.length === 0) throw new OmnihubError('empty-file', `${name} is empty (0 bytes).`);
  const format = sniffFormat(bytes);
  if (format === 'hdf5') return readKerasH5(bytes, name);
  if (format === 'zip') return readKerasZip(bytes, name);
  if (format === 'json') {
    let isArchitecture = false;
    try {
      readKerasArchitecture(bytes, name);
      isArchitecture = true;
    } catch {
      // plain JSON
    }
    throw new OmnihubError('wrong-format', isArchitecture
      ? `${name} is a Keras model architecture (JSON) without weights; read it with readKerasArchitectureJson and pair it with its weights .h5.`
      : `${name} is ${FORMAT_DESCRIPTIONS.json}, not a Keras model (.h5 / .keras).`);
  }
  const what = format === 'unknown' ? 'not a file type recognised here' : FORMAT_DESCRIPTIONS[format];
  throw new OmnihubError('wrong-format', `${name} is ${what}, not a Keras model (a Keras .h5/.hdf5 file starts with the HDF5 signature, a Keras 3 .keras file is a ZIP archive).`);
}
