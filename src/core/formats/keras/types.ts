/**
 * A Keras model as every Keras reader returns it, whatever the file (Keras 2 / tf.keras full-model HDF5, Keras 3
 * `.keras` zip, weights-only HDF5), and as the Keras → ONNX converter and the Keras Applications architectures take
 * it. Formats: ../shared/guide/reference-algorithms.md §4.2.
 */
import type { WeightTensor } from '../../weights/types.js';

/**
 * A serialized Keras object as `model.get_config()` / `serialize_keras_object` writes it: `class_name` plus its
 * `config` (Keras 3 adds `module` and `registered_name`). For a model, `config.layers` lists the layers (each a
 * KerasLayerConfig, with `inbound_nodes` in a Functional model) and `config.input_layers` / `output_layers` name the
 * model's inputs and outputs.
 */
export interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
  module?: string | null;
  registered_name?: string | null;
  /** Keras 2 Functional: the layer's name also at this level. */
  name?: string;
  /** Functional models: how the layer is called (Keras 2: nested arrays; Keras 3: objects with `args`). */
  inbound_nodes?: unknown[];
  build_config?: Record<string, unknown>;
}

/** The weights of one layer, in Keras's order: trainable first, then non-trainable (BatchNorm: γ, β, mean, var). */
export interface KerasLayerWeights {
  /** The layer's name (`layer.name`). */
  layer: string;
  /** Each weight with its name as the file gives it (`conv1/kernel:0`, Keras 3: `vars/0`). */
  weights: WeightTensor[];
}

export interface KerasModelFile {
  format: 'h5-full' | 'h5-weights' | 'keras-zip';
  /** `keras_version` as the file states it (e.g. '2.4.0', '3.3.3'), and the backend. */
  kerasVersion?: string;
  backend?: string;
  /** The model's architecture; absent for a weights-only file (an architecture must then come from elsewhere). */
  config?: KerasLayerConfig;
  /**
   * Every layer that has weights, in the file's order (HDF5: the `layer_names` attribute; Keras 3: the order of
   * the config's layers, nested models flattened), keyed by layer name. Nested models' layers appear under their
   * own names (Keras 2 stores them flattened like that too).
   */
  layers: KerasLayerWeights[];
  /** Short facts for the UI (training config present, optimizer weights not read, …). */
  notes: string[];
}
