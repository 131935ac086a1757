/**
 * What the TensorFlow readers return (SavedModel directories, TF Hub archives, frozen GraphDefs, TensorBundle
 * checkpoints) and what the GraphDef → ONNX converter and the freezer (src/core/convert/tensorflow/) take.
 *
 * Protobuf messages are the generated classes (`tensorflow.GraphDef` …, ./generated/tensorflow.d.ts): field names as in
 * TensorFlow's .proto files, int64 as number or Long (use `toNumber` from ./codec.ts), bytes as zero-copy views on
 * the file bytes, map fields as plain objects. DataType values are the numbers of `tensorflow.DataType`.
 *
 * ## Variables and how graph nodes find them
 *
 * A SavedModel's weights live in its TensorBundle checkpoint (`variables/variables.index` + `.data-*` shards), keyed
 * by **checkpoint key**. The graph refers to a variable through a node: `VariableV2` / `Variable` (TF1 ref
 * variables) or `VarHandleOp` (resource variables, TF1 and TF2). The reader links each such node of the top-level
 * graph to its checkpoint key (`MetaGraph.variableKeys`, `MetaGraph.variableForNode`) this way, first rule that
 * answers wins:
 *
 * 1. **Restore path** (TF1 and TF2, exact). `saver_def.restore_op_name` names the restore op. TF1: a `save/restore_all`
 *    NoOp whose control inputs are `save/Assign*` / `AssignVariableOp` nodes; each takes `RestoreV2:i` (directly or
 *    through `Identity`) and writes the variable node given as its first input; key = `tensor_names[i]` of that
 *    RestoreV2 (a Const). TF2: the restore op is a `StatefulPartitionedCall` of the `__inference__traced_restore_*`
 *    function; inside it the same RestoreV2 → Identity → AssignVariableOp(arg) chain runs, and the function argument
 *    is mapped back through the call's inputs to the graph's `VarHandleOp`. Every RestoreV2 / RestoreSlice (V1
 *    checkpoints are not read) node in the graph or in the function is followed, so sharded savers work too.
 * 2. **Object graph** (TF2). For `SavedObject` nodes of kind `variable`, the node with the same id in the checkpoint's
 *    TrackableObjectGraph (the `_CHECKPOINTABLE_OBJECT_GRAPH` tensor of the bundle) names the key in its attribute
 *    `VARIABLE_VALUE` (e.g. `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`); the graph node is the
 *    `VarHandleOp` whose `shared_name` (or name) equals `SavedVariable.name`, when exactly one does.
 * 3. **Name** (TF1 default Saver). A variable node whose name (or `shared_name`) is itself a key of the bundle.
 *
 * Inside functions (TF2), variables arrive as `resource` arguments. `MetaGraph.capturedVariables(fn)` gives, for a
 * concrete function of the object graph, which of its arguments are captured variables and their keys
 * (`SavedConcreteFunction.bound_inputs` → SavedObject id → TrackableObjectGraph key); callers that follow a
 * `StatefulPartitionedCall` from the top-level graph can equally map the call's inputs with `variableForNode`.
 */
import type { tensorflow } from './generated/tensorflow.js';
import type { WeightTensor } from '../../weights/types.js';

/** A tensor a signature takes or returns. */
export interface TensorSpecInfo {
  /** The graph tensor, `node:output` (`serving_default_x:0`); '' for sparse / composite encodings (see `encoding`). */
  name: string;
  /** `tensorflow.DataType` number (1 = DT_FLOAT …; 101+ are the `_REF` forms). */
  dtype: number;
  /** Its name without `DT_` in lower case (`float`, `int32`, `string`, `float_ref` …), or `dtype_<n>` when unknown. */
  dtypeName: string;
  /** Dimensions, -1 where unknown; `null` when the rank itself is unknown. */
  shape: number[] | null;
  /** 'dense' (name set), 'coo_sparse' or 'composite' (then `name` is '' and the tensor is not a plain input). */
  encoding: 'dense' | 'coo_sparse' | 'composite';
}

export interface SignatureInfo {
  /** `tensorflow/serving/predict`, `…/classify`, `…/regress`, or '' (TF2's `__saved_model_init_op`). */
  methodName: string;
  inputs: Record<string, TensorSpecInfo>;
  outputs: Record<string, TensorSpecInfo>;
}

/** Where a function argument's value comes from when it is a captured variable. */
export interface CapturedVariable {
  /** Index into the FunctionDef's `signature.input_arg`. */
  argIndex: number;
  /** The argument's name in the FunctionDef. */
  argName: string;
  /** Checkpoint key, or undefined when the object graph does not say (the tensor is then not in `variables`). */
  key?: string;
  /** SavedObjectGraph node id of the captured object. */
  objectId: number;
}

export interface MetaGraph {
  /** `meta_info_def.tags` ('serve', 'train' …); empty for a TF1 Hub module's default graph. */
  tags: string[];
  /** `meta_info_def.tensorflow_version` ('1.14.0', '2.11.0' …) or ''. */
  tensorflowVersion: string;
  /** Signatures by key ('serving_default' …), in file order. */
  signatures: Record<string, SignatureInfo>;
  /** The top-level graph. Its `library` holds the functions (also listed in `functions`). */
  graphDef: tensorflow.GraphDef;
  /** `graphDef.library.function` (empty when none). */
  functions: tensorflow.FunctionDef[];
  /** TF2 object graph (`object_graph_def`), when the SavedModel has one. */
  objectGraph?: tensorflow.SavedObjectGraph;
  saverDef?: tensorflow.SaverDef;
  /** The whole decoded MetaGraphDef (collections, asset_file_def, meta_info_def …). */
  metaGraphDef: tensorflow.MetaGraphDef;
  /** Variable node name in `graphDef` (VariableV2 / Variable / VarHandleOp) → checkpoint key (rules in the file header). */
  variableKeys: Map<string, string>;
  /** How each entry of `variableKeys` was found: 'restore' | 'object-graph' | 'name'. */
  variableKeySources: Map<string, 'restore' | 'object-graph' | 'name'>;
  /**
   * The value of the variable a top-level graph node holds. Accepts `name`, `name:0` and `^name`. Undefined when the
   * node is not a variable node or its key has no tensor (a string variable, or no checkpoint).
   */
  variableForNode(nodeName: string): WeightTensor | undefined;
  /** Captured variables of a function of `functions` (TF2 object graph); [] when none or unknown. */
  capturedVariables(functionName: string): CapturedVariable[];
}

/** One tensor of a TensorBundle as `variables.index` describes it. */
export interface BundleEntry {
  key: string;
  dtype: number;
  dtypeName: string;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked CRC32C as stored (the reader checks it against the data when asked to). */
  crc32c: number;
  /** Partitioned tensor (entry has slices): its data lives in slice entries; not assembled by this reader. */
  sliced: boolean;
}

export interface TensorBundle {
  header: tensorflow.BundleHeaderProto;
  /** Entries by key, in key order (the SSTable's order), excluding the header entry (key ''). */
  entries: Map<string, BundleEntry>;
}

export interface SavedModel {
  /** `saved_model_schema_version` (1). */
  schemaVersion: number;
  metaGraphs: MetaGraph[];
  /**
   * Checkpoint key → value, for every numeric tensor of the bundle (dtype float32/64/16, bfloat16, ints, bool,
   * complex) that is not sliced. Zero-copy views on the shard bytes. Empty when there is no `variables/` folder.
   */
  variables: Map<string, WeightTensor>;
  /** DT_STRING tensors of the bundle (e.g. `_CHECKPOINTABLE_OBJECT_GRAPH`, vocabularies): key → the strings' bytes. */
  stringVariables: Map<string, Uint8Array[]>;
  /** The parsed index, when there are variables. */
  bundle?: TensorBundle;
  /** The checkpoint's object graph (decoded `_CHECKPOINTABLE_OBJECT_GRAPH`), TF2 and some TF1 savers. */
  checkpointObjectGraph?: tensorflow.TrackableObjectGraph;
  /** Other files of the SavedModel directory: `assets/…`, `fingerprint.pb`, `keras_metadata.pb` (paths as given). */
  extraFiles: string[];
  /** Short facts for the UI: skipped tensors, missing shards, TF version, … */
  notes: string[];
}

/** A set of files given as a map (relative path → bytes) or as a lazy getter (undefined = no such file). */
export type TfFileSource = Map<string, Uint8Array> | ((path: string) => Promise<Uint8Array | undefined>);

export interface ReadSavedModelOptions {
  /** Check each variable's CRC32C against its bytes (default true; costs one pass over the data). */
  verifyChecksums?: boolean;
  /** Most protobuf messages one decode may create (see ./codec.ts). */
  maxMessages?: number;
  /**
   * With a lazy getter, the file names to probe for extra files (assets are not listed by the SavedModel). Not needed
   * with a Map.
   */
  listFiles?: () => Promise<string[]>;
}
