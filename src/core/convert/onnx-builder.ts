/**
 * A small builder for the ONNX graphs the converters write (PyTorch, Hugging Face, Keras, TFLite, TensorFlow): names
 * are made unique, weights become initializers without copying their bytes, and `build()` returns a ModelProto that
 * the rest of the core (validate, simplify, quantize, save) takes like any other model.
 */
import { onnx } from '../onnx/generated/onnx.js';
import type { ModelProto } from '../onnx/codec.js';
import { DataType } from '../onnx/tensor.js';
import { makeNode, makeTensor, type AttributeValue } from '../rewrites/graph.js';
import { onnxDataType, toFloat32, type WeightTensor } from '../weights/types.js';
import { OmnihubError } from '../errors.js';

/** A dimension: a size, or the name of a dynamic one ('batch', 'sequence'). */
export type Dim = number | string;

export interface BuilderOptions {
  /** Default-domain opset the graph is written for. */
  opset: number;
  graphName: string;
  producerName?: string;
  producerVersion?: string;
}

export class GraphBuilder {
  readonly nodes: onnx.NodeProto[] = [];
  readonly initializers: onnx.TensorProto[] = [];
  readonly inputs: onnx.ValueInfoProto[] = [];
  readonly outputs: onnx.ValueInfoProto[] = [];
  readonly options: BuilderOptions;
  readonly #used = new Set<string>();

  constructor(options: BuilderOptions) {
    this.options = options;
  }

  get opset(): number {
    return this.options.opset;
  }

  /** `base` if nothing has that name yet, else `base_1`, `base_2` … */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.#used.has(name); k++) name = `${base}_${k}`;
    this.#used.add(name);
    return name;
  }

  /** Declares a graph input; returns its name (exactly `name`: the model's interface keeps it). */
  input(name: string, elemType: number, dims: Dim[]): string {
    this.#claim(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /**
   * Declares `value` as a graph output called `name` (an Identity is added when the value already has another name).
   * Pass `dims` where the shape is known; leave it out to let the runtime say.
   */
  output(value: string, name: string, elemType: number, dims?: Dim[]): string {
    if (value !== name) {
      this.#claim(name);
      this.nodes.push(makeNode('Identity', [value], [name], this.fresh(`${name}_identity`)));
    }
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /**
   * A weight as an initializer, stored in its own dtype (bytes shared, not copied), or as float32 when `asFloat32`
   * (float16/bfloat16/float64 weights in a float32 graph).
   */
  weight(name: string, tensor: WeightTensor, options: { asFloat32?: boolean; shape?: number[] } = {}): string {
    const unique = this.fresh(name);
    const dims = options.shape ?? tensor.shape;
    const t = options.asFloat32 && tensor.dtype !== 'float32'
      ? makeTensor(unique, DataType.FLOAT, dims, toFloat32(tensor))
      : Object.assign(new onnx.TensorProto({ name: unique, data_type: onnxDataType(tensor.dtype), dims }), { raw_data: tensor.bytes });
    this.initializers.push(t);
    return unique;
  }

  /** A float32 constant (an initializer) of the given shape. */
  floats(name: string, dims: number[], values: Float32Array | number[]): string {
    const unique = this.fresh(name);
    this.initializers.push(makeTensor(unique, DataType.FLOAT, dims, values instanceof Float32Array ? values : Float32Array.from(values)));
    return unique;
  }

  /** An int64 constant; a 1-D tensor unless `dims` says otherwise ([] for a scalar). */
  ints(name: string, values: number[], dims: number[] = [values.length]): string {
    const unique = this.fresh(name);
    this.initializers.push(makeTensor(unique, DataType.INT64, dims, BigInt64Array.from(values.map(BigInt))));
    return unique;
  }

  /** Adds a node; returns its outputs' names (made from `name`, or from the op type). */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, options: { outputs?: number; name?: string; domain?: string } = {}): string[] {
    const base = options.name ?? opType.toLowerCase();
    const nodeName = this.fresh(base);
    const count = options.outputs ?? 1;
    const outputs = Array.from({ length: count }, (_, i) => this.fresh(count === 1 ? `${nodeName}_out` : `${nodeName}_out${i}`));
    this.nodes.push(makeNode(opType, inputs, outputs, nodeName, attributes, options.domain));
    return outputs;
  }

  /** Adds a one-output node and returns that output. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, name?: string): string {
    return this.node(opType, inputs, attributes, { name })[0];
  }

  /** The model: IR version 8 (ORT ≥ 1.14 reads it), the default-domain opset, metadata (e.g. preprocessing notes). */
  build(metadata: Record<string, string> = {}, docString?: string): ModelProto {
    const graph = new onnx.GraphProto({
      name: this.options.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = new onnx.ModelProto({
      ir_version: 8,
      opset_import: [new onnx.OperatorSetIdProto({ domain: '', version: this.options.opset })],
      producer_name: this.options.producerName ?? 'omnihub',
      producer_version: this.options.producerVersion ?? '',
      graph,
      metadata_props: Object.entries(metadata).map(([key, value]) => new onnx.StringStringEntryProto({ key, value })),
    });
    if (docString) model.doc_string = docString;
    return model;
  }

  #claim(name: string): void {
    if (this.#used.has(name)) throw new OmnihubError('malformed', `The graph already has a value named '${name}'.`);
    this.#used.add(name);
  }
}

export function valueInfo(name: string, elemType: number, dims?: Dim[]): onnx.ValueInfoProto {
  const tensorType = new onnx.TypeProto.Tensor({ elem_type: elemType });
  if (dims) {
    tensorType.shape = new onnx.TensorShapeProto({
      dim: dims.map((d) => new onnx.TensorShapeProto.Dimension(typeof d === 'number' ? { dim_value: d } : { dim_param: d })),
    });
  }
  return new onnx.ValueInfoProto({ name, type: new onnx.TypeProto({ tensor_type: tensorType }) });
}
