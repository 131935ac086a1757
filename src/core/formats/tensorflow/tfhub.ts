/**
 * TF Hub archives: a `.tar.gz` of a SavedModel directory (TF2 SavedModels, and TF1 Hub modules, which add
 * `tfhub_module.pb` and save their graphs with an EMPTY tag set and a signature named 'default'). The archive is
 * gunzipped with a ceiling, untarred with every path checked (./tar.ts), then read as a SavedModel.
 */
import { OmnihubError } from '../../errors.js';
import { readSavedModel } from './saved-model.js';
import { readTarGz, type TarLimits } from './tar.js';
import type { ReadSavedModelOptions, SavedModel } from './types.js';

export interface TfHubModel extends SavedModel {
  /** The archive's files (normalised paths → bytes). */
  files: Map<string, Uint8Array>;
  /** True when `tfhub_module.pb` is present (a TF1 Hub module, format 3). */
  isHubModuleV1: boolean;
}

export async function readTfHubArchive(bytes: Uint8Array, options: ReadSavedModelOptions & TarLimits = {}): Promise<TfHubModel> {
  const files = readTarGz(bytes, options);
  if (files.size === 0) throw new OmnihubError('malformed', 'The TF Hub archive holds no files.');
  const model = await readSavedModel(files, options);
  const isHubModuleV1 = [...files.keys()].some((k) => k === 'tfhub_module.pb' || k.endsWith('/tfhub_module.pb'));
  if (isHubModuleV1) model.notes.push('TF1 Hub module (tfhub_module.pb): its graph is tagged with the empty tag set; signature \'default\'.');
  return { ...model, files, isHubModuleV1 };
}
