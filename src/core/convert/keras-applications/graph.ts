/**
 * A small Keras 2 Functional-model builder: each application module calls layers on tensors exactly as its Keras
 * source does (same classes, names, arguments and call order), and the builder produces what Keras's own
 * `model.get_config()` and `model.save_weights()` would:
 *
 *  - layer configs as Keras 2.x (tf.keras 2.4 … 2.12, legacy serialization) `Layer.get_config()` writes them: base keys
 *    `name`, `trainable`, `dtype` first, then the layer's own keys; initializers as `{class_name, config}`; tuples as
 *    arrays; padding lower-cased (Keras's `normalize_padding`); BatchNormalization `axis` as the list `build()` leaves;
 *  - auto names as `backend.unique_object_name(to_snake_case(class), zero_based=True)` gives them in a fresh session
 *    (`conv2d`, `conv2d_1`, …; explicitly named layers consume no number), and `input_1` for the InputLayer
 *    (`zero_based=False`);
 *  - inbound nodes in Keras 2's nested-array form `[[[layer, node_index, tensor_index, {}], …]]`;
 *  - `model.layers` in Keras's order: `functional._map_graph_network` (keras/engine/functional.py): a depth-first walk
 *    back from the outputs numbers the layers (`layer_indices`, pre-order, inputs in call order); a layer's depth is
 *    the longest path to an output; layers are listed by decreasing depth, ties by that number. `get_config()` lists
 *    `config.layers` and `save_weights()` writes `layer_names` in this order, so the weight-bearing layers of a
 *    weights file come in it too;
 *  - each layer's weights in `layer.weights` order (trainable, then non-trainable) with Keras's variable names and
 *    shapes.
 *
 * Shapes are static (batch excluded); a layer whose output size would not be positive throws.
 */
import type { KerasLayerConfig } from '../../formats/keras/types.js';
import { OmnihubError } from '../../errors.js';

/** Spatial/feature shape without the batch dimension (channels last). */
export type Shape = number[];

export interface KTensor {
  layer: string;
  shape: Shape;
}

export interface WeightSpec {
  /** The variable's own name (`kernel`, `bias`, `gamma`, …): Keras 2 writes `<layer>/<name>:0`. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int64';
}

interface LayerRecord {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inputs: KTensor[];
  /** Functional call with a list (`Add()([a, b])`) vs. a single tensor. */
  listCall: boolean;
  weights: WeightSpec[];
  output: KTensor;
}

type Init = { class_name: string; config: Record<string, unknown> };
const GLOROT: Init = { class_name: 'GlorotUniform', config: { seed: null } };
const ZEROS: Init = { class_name: 'Zeros', config: {} };
const ONES: Init = { class_name: 'Ones', config: {} };

/** An initializer given as Keras's `{class_name, config}` dict, completed as `initializers.serialize(get(x))` writes it. */
export function varianceScaling(scale: number, mode: string, distribution: string): Init {
  return { class_name: 'VarianceScaling', config: { scale, mode, distribution, seed: null } };
}

/** A conv layer's geometry from the builder's arguments: kernel and strides as pairs, padding, bias, input channels. */
function convArgs(x: KTensor, kernel: number | [number, number], a: ConvArgs) {
  const [kh, kw] = pair(kernel);
  const [sh, sw] = pair(a.strides ?? 1);
  return { kh, kw, sh, sw, padding: (a.padding ?? 'valid').toLowerCase() as 'same' | 'valid', useBias: a.useBias ?? true, cin: x.shape[2]! };
}

/** The config keys Conv2D, DepthwiseConv2D and SeparableConv2D share, as Keras's get_config() writes them. */
function convConfig(kh: number, kw: number, sh: number, sw: number, padding: string, dilation: number, useBias: boolean, activation: string | null | undefined) {
  return {
    kernel_size: [kh, kw], strides: [sh, sw], padding, data_format: 'channels_last', dilation_rate: [dilation, dilation], groups: 1,
    activation: activation ?? 'linear', use_bias: useBias,
    bias_initializer: ZEROS, bias_regularizer: null, activity_regularizer: null, bias_constraint: null,
  };
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function convOut(size: number, k: number, s: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

export type Padding2D = [[number, number], [number, number]];

/** imagenet_utils.correct_pad: the ZeroPadding2D Keras puts before a stride-2 'valid' conv. */
export function correctPad(shape: Shape, kernel: number): Padding2D {
  const c = Math.floor(kernel / 2);
  const adjust = [1 - (shape[0]! % 2), 1 - (shape[1]! % 2)];
  return [[c - adjust[0]!, c], [c - adjust[1]!, c]];
}

export interface ConvArgs {
  strides?: number | [number, number];
  padding?: 'same' | 'valid' | 'SAME' | 'VALID';
  activation?: string | null;
  useBias?: boolean;
  name?: string;
  kernelInitializer?: Init;
  dilation?: number;
}

export class KerasGraph {
  private readonly records = new Map<string, LayerRecord>();
  private readonly uids = new Map<string, number>();
  private inputLayer: string | undefined;

  constructor(readonly modelName: string) {}

  private autoName(prefix: string): string {
    const n = this.uids.get(prefix) ?? 0;
    this.uids.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  private add(
    className: string,
    snake: string,
    name: string | undefined,
    ownConfig: Record<string, unknown>,
    inputs: KTensor[],
    outShape: Shape,
    weights: WeightSpec[],
    listCall = false,
  ): KTensor {
    const layerName = name ?? this.autoName(snake);
    if (this.records.has(layerName)) throw new OmnihubError('usage', `Keras application graph: duplicate layer name '${layerName}'.`);
    if (outShape.some((d) => !(d > 0) || !Number.isInteger(d))) {
      throw new OmnihubError('usage', `Keras application '${this.modelName}': layer '${layerName}' would have output shape [${outShape.join(', ')}]; the input is too small.`);
    }
    const config = { name: layerName, trainable: true, dtype: 'float32', ...ownConfig };
    const output: KTensor = { layer: layerName, shape: outShape };
    this.records.set(layerName, { name: layerName, className, config, inputs, listCall, weights, output });
    return output;
  }

  input(shape: Shape): KTensor {
    const name = 'input_1';
    const rec: LayerRecord = {
      name,
      className: 'InputLayer',
      config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, ragged: false, name },
      inputs: [],
      listCall: false,
      weights: [],
      output: { layer: name, shape: [...shape] },
    };
    this.records.set(name, rec);
    this.inputLayer = name;
    return rec.output;
  }

  conv2d(x: KTensor, filters: number, kernel: number | [number, number], a: ConvArgs = {}): KTensor {
    const { kh, kw, sh, sw, padding, useBias, cin } = convArgs(x, kernel, a);
    const d = a.dilation ?? 1;
    const out = [convOut(x.shape[0]!, (kh - 1) * d + 1, sh, padding), convOut(x.shape[1]!, (kw - 1) * d + 1, sw, padding), filters];
    const weights: WeightSpec[] = [{ name: 'kernel', shape: [kh, kw, cin, filters], dtype: 'float32' }];
    if (useBias) weights.push({ name: 'bias', shape: [filters], dtype: 'float32' });
    return this.add(
      'Conv2D',
      'conv2d',
      a.name,
      {
        filters,
        ...convConfig(kh, kw, sh, sw, padding, d, useBias, a.activation),
        kernel_initializer: a.kernelInitializer ?? GLOROT,
        kernel_regularizer: null,
        kernel_constraint: null,
      },
      [x],
      out,
      weights,
    );
  }

  depthwiseConv2d(x: KTensor, kernel: number | [number, number], a: ConvArgs & { depthMultiplier?: number } = {}): KTensor {
    const { kh, kw, sh, sw, padding, useBias, cin } = convArgs(x, kernel, a);
    const mult = a.depthMultiplier ?? 1;
    const out = [convOut(x.shape[0]!, kh, sh, padding), convOut(x.shape[1]!, kw, sw, padding), cin * mult];
    const weights: WeightSpec[] = [{ name: 'depthwise_kernel', shape: [kh, kw, cin, mult], dtype: 'float32' }];
    if (useBias) weights.push({ name: 'bias', shape: [cin * mult], dtype: 'float32' });
    return this.add(
      'DepthwiseConv2D',
      'depthwise_conv2d',
      a.name,
      {
        ...convConfig(kh, kw, sh, sw, padding, 1, useBias, a.activation),
        depth_multiplier: mult,
        depthwise_initializer: a.kernelInitializer ?? GLOROT,
        depthwise_regularizer: null,
        depthwise_constraint: null,
      },
      [x],
      out,
      weights,
    );
  }

  separableConv2d(x: KTensor, filters: number, kernel: number | [number, number], a: ConvArgs = {}): KTensor {
    const { kh, kw, sh, sw, padding, useBias, cin } = convArgs(x, kernel, a);
    const out = [convOut(x.shape[0]!, kh, sh, padding), convOut(x.shape[1]!, kw, sw, padding), filters];
    const weights: WeightSpec[] = [
      { name: 'depthwise_kernel', shape: [kh, kw, cin, 1], dtype: 'float32' },
      { name: 'pointwise_kernel', shape: [1, 1, cin, filters], dtype: 'float32' },
    ];
    if (useBias) weights.push({ name: 'bias', shape: [filters], dtype: 'float32' });
    return this.add(
      'SeparableConv2D',
      'separable_conv2d',
      a.name,
      {
        filters,
        ...convConfig(kh, kw, sh, sw, padding, 1, useBias, a.activation),
        depth_multiplier: 1,
        depthwise_initializer: GLOROT,
        pointwise_initializer: GLOROT,
        depthwise_regularizer: null,
        pointwise_regularizer: null,
        depthwise_constraint: null,
        pointwise_constraint: null,
      },
      [x],
      out,
      weights,
    );
  }

  batchNorm(x: KTensor, a: { epsilon?: number; momentum?: number; scale?: boolean; center?: boolean; name?: string } = {}): KTensor {
    const c = x.shape[x.shape.length - 1]!;
    const scale = a.scale ?? true;
    const center = a.center ?? true;
    const weights: WeightSpec[] = [];
    if (scale) weights.push({ name: 'gamma', shape: [c], dtype: 'float32' });
    if (center) weights.push({ name: 'beta', shape: [c], dtype: 'float32' });
    weights.push({ name: 'moving_mean', shape: [c], dtype: 'float32' }, { name: 'moving_variance', shape: [c], dtype: 'float32' });
    return this.add(
      'BatchNormalization',
      'batch_normalization',
      a.name,
      {
        // BatchNormalization.build() turns an int axis into a list and resolves a negative one (−1 → 3).
        axis: [x.shape.length],
        momentum: a.momentum ?? 0.99,
        epsilon: a.epsilon ?? 0.001,
        center,
        scale,
        beta_initializer: ZEROS,
        gamma_initializer: ONES,
        moving_mean_initializer: ZEROS,
        moving_variance_initializer: ONES,
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
      },
      [x],
      [...x.shape],
      weights,
    );
  }

  activation(x: KTensor, activation: string, name?: string): KTensor {
    return this.add('Activation', 'activation', name, { activation }, [x], [...x.shape], []);
  }

  relu(x: KTensor, maxValue: number | null, name?: string): KTensor {
    return this.add('ReLU', 're_lu', name, { max_value: maxValue, negative_slope: 0.0, threshold: 0.0 }, [x], [...x.shape], []);
  }

  zeroPadding(x: KTensor, padding: Padding2D, name?: string): KTensor {
    const out = [x.shape[0]! + padding[0][0] + padding[0][1], x.shape[1]! + padding[1][0] + padding[1][1], x.shape[2]!];
    return this.add('ZeroPadding2D', 'zero_padding2d', name, { padding: [[...padding[0]], [...padding[1]]], data_format: 'channels_last' }, [x], out, []);
  }

  private pool(kind: 'MaxPooling2D' | 'AveragePooling2D', x: KTensor, pool: number | [number, number], a: { strides?: number | [number, number]; padding?: 'same' | 'valid'; name?: string }): KTensor {
    const [ph, pw] = pair(pool);
    // Pooling2D: strides default to pool_size.
    const [sh, sw] = pair(a.strides ?? [ph, pw]);
    const padding = a.padding ?? 'valid';
    const out = [convOut(x.shape[0]!, ph, sh, padding), convOut(x.shape[1]!, pw, sw, padding), x.shape[2]!];
    return this.add(
      kind,
      kind === 'MaxPooling2D' ? 'max_pooling2d' : 'average_pooling2d',
      a.name,
      { pool_size: [ph, pw], padding, strides: [sh, sw], data_format: 'channels_last' },
      [x],
      out,
      [],
    );
  }

  maxPool(x: KTensor, pool: number | [number, number], a: { strides?: number | [number, number]; padding?: 'same' | 'valid'; name?: string } = {}): KTensor {
    return this.pool('MaxPooling2D', x, pool, a);
  }

  avgPool(x: KTensor, pool: number | [number, number], a: { strides?: number | [number, number]; padding?: 'same' | 'valid'; name?: string } = {}): KTensor {
    return this.pool('AveragePooling2D', x, pool, a);
  }

  globalAvgPool(x: KTensor, name?: string, keepdims = false): KTensor {
    const out = keepdims ? [1, 1, x.shape[2]!] : [x.shape[2]!];
    return this.add('GlobalAveragePooling2D', 'global_average_pooling2d', name, { data_format: 'channels_last', keepdims }, [x], out, []);
  }

  globalMaxPool(x: KTensor, name?: string): KTensor {
    return this.add('GlobalMaxPooling2D', 'global_max_pooling2d', name, { data_format: 'channels_last', keepdims: false }, [x], [x.shape[2]!], []);
  }

  flatten(x: KTensor, name?: string): KTensor {
    return this.add('Flatten', 'flatten', name, { data_format: 'channels_last' }, [x], [x.shape.reduce((a, b) => a * b, 1)], []);
  }

  dense(x: KTensor, units: number, a: { activation?: string | null; name?: string; kernelInitializer?: Init } = {}): KTensor {
    const inF = x.shape[x.shape.length - 1]!;
    return this.add(
      'Dense',
      'dense',
      a.name,
      {
        units,
        activation: a.activation ?? 'linear',
        use_bias: true,
        kernel_initializer: a.kernelInitializer ?? GLOROT,
        bias_initializer: ZEROS,
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
      [x],
      [...x.shape.slice(0, -1), units],
      [
        { name: 'kernel', shape: [inF, units], dtype: 'float32' },
        { name: 'bias', shape: [units], dtype: 'float32' },
      ],
    );
  }

  reshape(x: KTensor, target: Shape, name?: string): KTensor {
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (target.reduce((a, b) => a * b, 1) !== n) throw new OmnihubError('usage', `Keras application graph: cannot reshape [${x.shape}] to [${target}].`);
    return this.add('Reshape', 'reshape', name, { target_shape: [...target] }, [x], [...target], []);
  }

  dropout(x: KTensor, rate: number, a: { noiseShape?: (number | null)[] | null; name?: string } = {}): KTensor {
    return this.add('Dropout', 'dropout', a.name, { rate, noise_shape: a.noiseShape ?? null, seed: null }, [x], [...x.shape], []);
  }

  concatenate(xs: KTensor[], name?: string): KTensor {
    const first = xs[0]!;
    const rank = first.shape.length;
    const out = [...first.shape];
    out[rank - 1] = xs.reduce((s, t) => s + t.shape[rank - 1]!, 0);
    // axis as the application passes it: channel_axis / bn_axis = 3 (−1 would be written −1).
    return this.add('Concatenate', 'concatenate', name, { axis: rank }, xs, out, [], true);
  }

  private merge(className: 'Add' | 'Multiply', snake: string, xs: KTensor[], name?: string): KTensor {
    const rank = xs[0]!.shape.length;
    const out: Shape = [];
    for (let i = 0; i < rank; i++) out.push(Math.max(...xs.map((t) => t.shape[i]!)));
    return this.add(className, snake, name, {}, xs, out, [], true);
  }

  addLayer(xs: KTensor[], name?: string): KTensor {
    return this.merge('Add', 'add', xs, name);
  }

  multiply(xs: KTensor[], name?: string): KTensor {
    return this.merge('Multiply', 'multiply', xs, name);
  }

  rescaling(x: KTensor, scale: number | number[], offset = 0.0, name?: string): KTensor {
    return this.add('Rescaling', 'rescaling', name, { scale, offset }, [x], [...x.shape], []);
  }

  normalization(x: KTensor, name?: string): KTensor {
    const c = x.shape[x.shape.length - 1]!;
    return this.add(
      'Normalization',
      'normalization',
      name,
      { axis: [x.shape.length], invert: false, mean: null, variance: null },
      [x],
      [...x.shape],
      [
        { name: 'mean', shape: [c], dtype: 'float32' },
        { name: 'variance', shape: [c], dtype: 'float32' },
        { name: 'count', shape: [], dtype: 'int64' },
      ],
    );
  }

  /** `model.layers` in Keras's order (functional._map_graph_network, see the module comment). */
  orderedLayers(output: KTensor): LayerRecord[] {
    const layerIndices = new Map<string, number>();
    const postOrder: string[] = [];
    const finished = new Set<string>();
    const inProgress = new Set<string>();
    const visit = (name: string): void => {
      if (finished.has(name)) return;
      if (inProgress.has(name)) throw new OmnihubError('usage', `Keras application graph: cycle at '${name}'.`);
      if (!layerIndices.has(name)) layerIndices.set(name, layerIndices.size);
      inProgress.add(name);
      const rec = this.records.get(name)!;
      for (const t of rec.inputs) visit(t.layer);
      finished.add(name);
      inProgress.delete(name);
      postOrder.push(name);
    };
    visit(output.layer);
    const nodeDepth = new Map<string, number>();
    const layerDepth = new Map<string, number>();
    for (let i = postOrder.length - 1; i >= 0; i--) {
      const name = postOrder[i]!;
      let depth = nodeDepth.get(name) ?? 0;
      nodeDepth.set(name, depth);
      depth = Math.max(depth, layerDepth.get(name) ?? 0);
      layerDepth.set(name, depth);
      nodeDepth.set(name, depth);
      for (const t of this.records.get(name)!.inputs) {
        nodeDepth.set(t.layer, Math.max(depth + 1, nodeDepth.get(t.layer) ?? 0));
      }
    }
    const names = [...layerDepth.keys()];
    names.sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || layerIndices.get(a)! - layerIndices.get(b)!);
    return names.map((n) => this.records.get(n)!);
  }

  /**
   * `model.get_config()` wrapped as `serialize_keras_object(model)` writes it (Keras 2.4+: class_name 'Functional').
   * `rename` maps every layer name (config, inbound nodes, inputs and outputs alike).
   */
  toConfig(output: KTensor, rename: (name: string) => string = (n) => n): KerasLayerConfig {
    const layers = this.orderedLayers(output).map((r) => {
      const name = rename(r.name);
      const inbound = r.inputs.length === 0 ? [] : [r.inputs.map((t) => [rename(t.layer), 0, 0, {}])];
      return { class_name: r.className, config: { ...r.config, name }, name, inbound_nodes: inbound };
    });
    return {
      class_name: 'Functional',
      config: {
        name: this.modelName,
        layers,
        input_layers: [[rename(this.inputLayer!), 0, 0]],
        output_layers: [[rename(output.layer), 0, 0]],
      },
    };
  }

  /** Layers with weights, in `save_weights` order, with their variables. */
  weights(output: KTensor, rename: (name: string) => string = (n) => n): Array<{ layer: string; className: string; weights: WeightSpec[] }> {
    return this.orderedLayers(output)
      .filter((r) => r.weights.length > 0)
      .map((r) => ({ layer: rename(r.name), className: r.className, weights: r.weights.map((w) => ({ ...w, shape: [...w.shape] })) }));
  }

  outputShape(output: KTensor): Shape {
    return [...output.shape];
  }
}
