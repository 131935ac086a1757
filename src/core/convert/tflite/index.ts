/**
 * TensorFlow Lite → ONNX. The first subgraph (or the one `subgraph` names) becomes an ONNX graph, opset 13:
 *
 * - Layout: the model keeps TFLite's NHWC interface (or NCHW for rank-4 inputs and outputs with `nchw: true`);
 *   inside, convolutions and pools run in NCHW and tensors stay NCHW between them, so a chain of convolutions has
 *   one Transpose at each end, not one per layer.
 * - Quantized models: by default a QDQ graph — the int8/uint8 interface of the TFLite model, DequantizeLinear after
 *   every quantized constant (per-channel along the quantized dimension, int32 biases), QuantizeLinear +
 *   DequantizeLinear after every quantized activation; onnxruntime fuses these into integer kernels. With
 *   `dequantize: true`, a float graph: constants dequantized to float32, float inputs and outputs in real units.
 * - Padding SAME becomes explicit pads computed as TensorFlow does (odd pixel at the end).
 * - An operator this converter does not know fails the whole conversion ('unsupported', listing every such operator
 *   with its count): never a partial graph.
 *
 * Interface names are the TFLite tensors' names ('input' / 'output' when unnamed).
 */
import { GraphBuilder } from '../onnx-builder.js';
import type { ModelProto } from '../../onnx/codec.js';
import { DataType } from '../../onnx/tensor.js';
import { OmnihubError } from '../../errors.js';
import { readTflite, type TfliteModel } from '../../formats/tflite/read.js';
import { ConvertContext, onnxElemType, type Layout } from './context.js';
import { OP_CONVERTERS } from './ops.js';

export interface TfliteConvertOptions {
  /** Int8 weights and activations → a float graph with dequantized constants (default: a QDQ graph). */
  dequantize?: boolean;
  /** NCHW for rank-4 graph inputs and outputs (default: NHWC, as TFLite). */
  nchw?: boolean;
  /** Which subgraph to convert (default 0, the main one). */
  subgraph?: number;
}

export interface TfliteConvertReport {
  /** TFLite operators converted, by builtin name. */
  operators: Record<string, number>;
  notes: string[];
}

export interface TfliteConvertResult {
  model: ModelProto;
  report: TfliteConvertReport;
}

/** TFLite builtin operators this converter handles. */
export const SUPPORTED_TFLITE_OPS: readonly string[] = Object.keys(OP_CONVERTERS).sort();

export const TFLITE_OPSET = 13;

/** Converts a .tflite file. Throws OmnihubError ('wrong-format', 'truncated', 'malformed', 'unsupported' …). */
export function convertTflite(bytes: Uint8Array, options: TfliteConvertOptions = {}): TfliteConvertResult {
  return convertTfliteModel(readTflite(bytes), options);
}

function opLabel(op: { opName: string; customCode?: string }): string {
  return op.opName === 'CUSTOM' ? `CUSTOM(${op.customCode ?? '?'})` : op.opName;
}

export function convertTfliteModel(model: TfliteModel, options: TfliteConvertOptions = {}): TfliteConvertResult {
  const index = options.subgraph ?? 0;
  const sg = model.subgraphs[index];
  if (!sg) throw new OmnihubError(model.subgraphs.length ? 'usage' : 'malformed', `The TFLite model has no subgraph ${index} (it has ${model.subgraphs.length}).`);

  const operators: Record<string, number> = {};
  const missing: Record<string, number> = {};
  for (const op of sg.operators) {
    const label = opLabel(op);
    operators[label] = (operators[label] ?? 0) + 1;
    if (!OP_CONVERTERS[op.opName]) missing[label] = (missing[label] ?? 0) + 1;
  }
  if (Object.keys(missing).length) {
    const list = Object.entries(missing).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ×${n}`).join(', ');
    throw new OmnihubError('unsupported', `TFLite operators not supported: ${list}.`);
  }
  const sparse = sg.tensors.filter((t) => t.sparse);
  if (sparse.length) throw new OmnihubError('unsupported', `TFLite sparse tensors are not supported ('${sparse[0].name}' and ${sparse.length - 1} more).`);

  const qdq = !options.dequantize;
  const b = new GraphBuilder({ opset: TFLITE_OPSET, graphName: sg.name || 'tflite', producerName: 'omnihub tflite2onnx' });
  const ctx = new ConvertContext(b, model, sg, { qdq, nchw: !!options.nchw });
  const quantized = sg.tensors.some((t) => ctx.isQuantized(t));
  const interfaceNames = new Set<string>();
  const layoutFor = (i: number): Layout => (options.nchw && ctx.rank(i) === 4 ? 'nchw' : 'nhwc');

  for (const i of sg.inputs) {
    const t = ctx.tensor(i);
    if (t.data) continue;
    const layout = layoutFor(i);
    let name = t.name || 'input';
    for (let k = 1; interfaceNames.has(name); k++) name = `${t.name || 'input'}_${k}`;
    interfaceNames.add(name);
    const dims = ctx.dims(i, layout, name);
    ctx.setPrefix(`input_${i}`);
    if (ctx.isQuantized(t) && qdq) {
      b.input(name, onnxElemType(t), dims);
      const qp = ctx.qparams(t, layout);
      const dq = b.op('DequantizeLinear', [name, qp.scale, qp.zeroPoint], qp.axis !== undefined ? { axis: qp.axis } : {}, `${name}_dequantize`);
      ctx.define(i, dq, layout);
    } else if (ctx.isQuantized(t) || t.type === 'float32') {
      b.input(name, DataType.FLOAT, dims);
      ctx.define(i, name, layout);
    } else if (t.type === 'float16') {
      b.input(name, DataType.FLOAT16, dims);
      ctx.define(i, b.op('Cast', [name], { to: DataType.FLOAT }, `${name}_to_float`), layout);
    } else {
      b.input(name, onnxElemType(t), dims);
      ctx.define(i, name, layout);
    }
  }

  for (const op of sg.operators) {
    ctx.setPrefix(`${op.opName.toLowerCase()}_${op.index}`);
    OP_CONVERTERS[op.opName](ctx, op);
  }

  ctx.setPrefix('output');
  for (const i of sg.outputs) {
    const t = ctx.tensor(i);
    const layout = layoutFor(i);
    const base = t.name || 'output';
    let value: string;
    let elemType: number;
    if (ctx.isQuantized(t) && qdq && !t.data) {
      value = ctx.quantizedValue(i, layout);
      elemType = onnxElemType(t);
    } else {
      value = ctx.value(i, layout);
      elemType = ctx.isQuantized(t) || t.type.startsWith('float') ? DataType.FLOAT : onnxElemType(t);
    }
    let name = base;
    for (let k = 1; ; k++) {
      if (!interfaceNames.has(name)) {
        try {
          b.output(value, name, elemType, ctx.dims(i, layout, name));
          break;
        } catch (e) {
          if (!(e instanceof OmnihubError && e.code === 'malformed')) throw e;
        }
      }
      name = `${base}_${k}`;
    }
    interfaceNames.add(name);
  }

  const notes: string[] = [];
  notes.push(`TFLite schema v${model.version}${model.description ? `, '${model.description}'` : ''}${model.minRuntimeVersion ? `, min runtime ${model.minRuntimeVersion}` : ''}.`);
  if (model.subgraphs.length > 1) notes.push(`Converted subgraph ${index} of ${model.subgraphs.length}.`);
  const perChannel = sg.tensors.filter((t) => t.data && (t.quantization?.scales.length ?? 0) > 1).length;
  if (quantized) {
    notes.push(qdq
      ? `Quantized model → QDQ graph (QuantizeLinear/DequantizeLinear around float ops; ${perChannel} per-channel constant(s)); integer inputs/outputs as in TFLite.`
      : 'Quantized model → float graph (dequantize: true): constants dequantized to float32, float inputs/outputs in real units.');
  }
  const layoutTransposes = b.nodes.filter((n) => n.op_type === 'Transpose' && /^(to_nchw|to_nhwc|output_transpose)/.test(n.name)).length;
  notes.push(`Layout: ${options.nchw ? 'NCHW' : 'NHWC'} interface; convolutions and pools in NCHW; ${layoutTransposes} layout Transpose node(s).`);
  if (sg.inputs.some((i) => ctx.tensor(i).shapeSignature?.[0] === -1)) notes.push('Dynamic batch dimension (shape_signature −1) kept as \'batch\'.');
  if (model.signatureDefs.length) {
    notes.push(`Signatures: ${model.signatureDefs.map((s) => `${s.key}(${s.inputs.map((m) => m.name).join(', ')} → ${s.outputs.map((m) => m.name).join(', ')})`).join('; ')}.`);
  }
  notes.push(...ctx.notes);

  const metadata: Record<string, string> = {
    source_format: 'tflite',
    layout: options.nchw ? 'NCHW' : 'NHWC',
    quantization: quantized ? (qdq ? 'qdq' : 'dequantized') : 'none',
  };
  if (model.description) metadata.tflite_description = model.description;
  if (model.minRuntimeVersion) metadata.tflite_min_runtime_version = model.minRuntimeVersion;
  return { model: b.build(metadata), report: { operators, notes } };
}
