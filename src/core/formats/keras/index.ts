/** Keras model readers: legacy HDF5 (full model / weights only), Keras 3 `.keras` zips, architecture JSON. */
export type { KerasModelFile, KerasLayerConfig, KerasLayerWeights } from './types.js';
export { readKerasFile } from './read.js';
export { readKerasH5, readKerasH5File, readChunkedNames } from './h5-legacy.js';
export { readKerasZip, readKeras3WeightsH5, type Keras3Weights } from './keras-zip.js';
export {
  readKerasArchitecture, readKerasArchitectureJson, parsePythonJson, toKerasLayerConfig, kerasLayerName,
  isKerasContainer, kerasModelLayers, flattenKerasLayers, toSnakeCase, type KerasArchitecture,
} from './architecture-json.js';
export { findCustomClasses, KERAS_BUILTIN_LAYERS, KERAS_BUILTIN_ACTIVATIONS, type CustomClass } from './custom-layers.js';
