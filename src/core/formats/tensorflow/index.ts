/**
 * TensorFlow readers: SavedModel directories (TF1 and TF2), TensorBundle checkpoints (variables.index with stored or
 * Snappy blocks + data shards), frozen GraphDefs, TF Hub .tar.gz archives and TensorFlow.js models. Types and the
 * variable ↔ graph-node mapping are documented in ./types.ts; the protobuf messages come from code generated from
 * TensorFlow's own .proto files (./codec.ts, ./generated/).
 */
export type * from './types.js';
export {
  tensorflow, decodeTf, decodeSavedModelProto, decodeMetaGraphDef, decodeGraphDefProto, encodeGraphDef, has, toNumber,
  DEFAULT_MAX_MESSAGES, type TfDecodeOptions,
} from './codec.js';
export { readSavedModel, pickMetaGraph, shapeOf, OBJECT_GRAPH_KEY } from './saved-model.js';
export { readGraphDef, opHistogram, type FrozenGraph } from './graphdef.js';
export { readTfHubArchive, type TfHubModel } from './tfhub.js';
export { readTfjsModel, type TfjsModel, type TfjsGraphModel, type TfjsLayersModel, type TfjsWeightSpec, type ReadTfjsOptions } from './tfjs.js';
export { readBundleIndex, readBundleTensors, readCheckpoint, bundleShardName, type BundleTensors, type BundleReadOptions } from './tensor-bundle.js';
export { readSSTable, type SSTableEntry, type SSTableOptions } from './sstable.js';
export { snappyDecompress, snappyUncompressedLength, type SnappyOptions } from './snappy.js';
export { readTar, readTarGz, gunzipBounded, safeArchivePath, type TarLimits } from './tar.js';
export { graphDefFromJson, base64Decode } from './json-graph.js';
export { weightDtypeOfTf, tfDtypeName } from './dtypes.js';
export { detectTensorFlow, type TfKind, type TfDetection } from './detect.js';
