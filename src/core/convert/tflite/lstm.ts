/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM. TFLite's tensors hold the gates in the order input, forget, cell, output, each as its
 * own [units, input] / [units, output] matrix:
 *
 *   0 input · 1–4 input-to-{i,f,c,o} weights · 5–8 recurrent-to-{i,f,c,o} · 9–11 peephole {i,f,o} ·
 *   12–15 gate biases {i,f,c,o} · 16 projection weights · 17 projection bias · 18 output state · 19 cell state ·
 *   20–23 layer-norm coefficients {i,f,c,o}
 *
 * When ONNX's LSTM expresses the options (no cell clip, projection, layer norm or coupled input gate; activation
 * tanh or relu) it becomes one LSTM node with W/R/B/P concatenated in ONNX's i,o,f,c order. Otherwise (the
 * TFLM mnist_lstm fixture clips its cell state at 10) the sequence is unrolled: one MatMul for the input
 * projection of all steps, then per step a MatMul with the recurrent weights and the gate arithmetic as TFLite's
 * lstm_eval does it.
 */
import { OmnihubError } from '../../errors.js';
import { onnx } from '../../onnx/generated/onnx.js';
import { ActivationFunctionType, type TfliteOperator } from '../../formats/tflite/read.js';
import { activate, input, unsupported, type ConvertContext } from './context.js';

/** Epsilon of TFLite's MeanStddevNormalization (layer-norm LSTM). */
const LAYER_NORM_EPSILON = 1e-8;

type Gate = 'i' | 'f' | 'c' | 'o';
const INPUT_WEIGHTS: Record<Gate, number> = { i: 1, f: 2, c: 3, o: 4 };
const RECURRENT_WEIGHTS: Record<Gate, number> = { i: 5, f: 6, c: 7, o: 8 };
const BIASES: Record<Gate, number> = { i: 12, f: 13, c: 14, o: 15 };
const PEEPHOLES: Partial<Record<Gate, number>> = { i: 9, f: 10, o: 11 };
const LAYER_NORMS: Record<Gate, number> = { i: 20, f: 21, c: 22, o: 23 };

export function unidirectionalSequenceLstm(ctx: ConvertContext, op: TfliteOperator): void {
  const at = (k: number) => input(op, k);
  const need = (k: number) => {
    const i = at(k);
    if (i === undefined) throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}) lacks its input ${k}.`);
    return i;
  };
  const x = need(0);
  const xt = ctx.tensor(x);
  if (xt.shape.length !== 3) throw unsupported(op, `input of shape [${xt.shape}]`);
  if (ctx.options.qdq && ctx.isQuantized(xt)) throw unsupported(op, 'a fully integer-quantized LSTM (convert with dequantize: true)');
  const o = op.options;
  if (o.diagonal_recurrent_tensors === true) throw unsupported(op, 'diagonal recurrent weights');
  const timeMajor = o.time_major === true;
  const steps = timeMajor ? xt.shape[0] : xt.shape[1];
  const units = ctx.tensor(need(2)).shape[0];
  const outputUnits = ctx.tensor(need(6)).shape[1];
  const cifg = at(1) === undefined;
  const peephole = at(9) !== undefined || at(10) !== undefined || at(11) !== undefined;
  const projection = at(16) !== undefined;
  const layerNorm = at(21) !== undefined;
  const act = typeof o.fused_activation_function === 'number' ? o.fused_activation_function : ActivationFunctionType.TANH;
  const cellClip = typeof o.cell_clip === 'number' ? o.cell_clip : 0;
  const projClip = typeof o.proj_clip === 'number' ? o.proj_clip : 0;

  // Initial states: variable tensors without data start at zero (a fresh interpreter); constants and graph inputs
  // are used as they are.
  const state = (k: number): string | undefined => {
    const i = at(k);
    if (i === undefined) return undefined;
    const t = ctx.tensor(i);
    if (ctx.has(i) && !(t.isVariable && !t.data)) return ctx.value(i);
    return undefined;
  };
  const h0 = state(18);
  const c0 = state(19);
  const onnxAct = act === ActivationFunctionType.TANH ? 'Tanh' : act === ActivationFunctionType.RELU ? 'Relu' : undefined;
  const out = op.outputs[0];
  if (out === undefined || out < 0) throw new OmnihubError('malformed', `TFLite ${op.opName} (operator ${op.index}) has no output.`);

  if (!cifg && !projection && !layerNorm && cellClip === 0 && onnxAct) {
    ctx.notes.push(`${op.opName} ${op.index}: one ONNX LSTM node (${steps} steps, ${units} units).`);
    const zeros = (n: number) => ctx.b.floats(`${ctx.prefix}_zeros`, [n], new Float32Array(n));
    const orZeros = (i: number | undefined, n: number) => (i === undefined ? zeros(n) : ctx.value(i));
    const stack = (values: string[]) => ctx.op('Concat', values, { axis: 0 });
    const unsq = (v: string) => ctx.op('Unsqueeze', [v, ctx.int64s([0])]);
    // ONNX gate order: input, output, forget, cell.
    const order: Gate[] = ['i', 'o', 'f', 'c'];
    const W = unsq(stack(order.map((g) => ctx.value(need(INPUT_WEIGHTS[g])))));
    const R = unsq(stack(order.map((g) => ctx.value(need(RECURRENT_WEIGHTS[g])))));
    // B = [input biases (i,o,f,c), recurrent biases] and TFLite has only the first half.
    const B = unsq(stack([...order.map((g) => orZeros(at(BIASES[g]), units)), zeros(4 * units)]));
    const inputs = [timeMajor ? ctx.value(x) : ctx.op('Transpose', [ctx.value(x)], { perm: [1, 0, 2] }), W, R, B, '',
      h0 ? unsq(h0) : '', c0 ? unsq(c0) : ''];
    // P = peepholes in ONNX's order i, o, f.
    if (peephole) inputs.push(unsq(stack([orZeros(at(9), units), orZeros(at(11), units), orZeros(at(10), units)])));
    while (inputs[inputs.length - 1] === '') inputs.pop();
    const [y] = ctx.b.node('LSTM', inputs, { hidden_size: units }, { name: ctx.prefix, outputs: 1 });
    if (onnxAct !== 'Tanh') {
      ctx.b.nodes[ctx.b.nodes.length - 1].attribute.push(new onnx.AttributeProto({
        name: 'activations', type: onnx.AttributeProto.AttributeType.STRINGS,
        strings: ['Sigmoid', onnxAct, onnxAct].map((s) => new TextEncoder().encode(s)),
      }));
    }
    // Y: [steps, 1, batch, units] → [steps, batch, units] (→ [batch, steps, units]).
    const seq = ctx.op('Squeeze', [y, ctx.int64s([1])]);
    ctx.emit(out, timeMajor ? seq : ctx.op('Transpose', [seq], { perm: [1, 0, 2] }), 'nhwc');
    return;
  }

  const sig = xt.shapeSignature;
  if (sig && sig[timeMajor ? 0 : 1] < 0) throw unsupported(op, 'a dynamic sequence length with options ONNX LSTM cannot express');
  const features = [
    cellClip ? `cell clip ${cellClip}` : '', projection ? 'projection' : '', layerNorm ? 'layer norm' : '', cifg ? 'coupled input gate' : '',
    onnxAct ? '' : `activation ${ActivationFunctionType[act]}`,
  ].filter(Boolean);
  ctx.notes.push(`${op.opName} ${op.index}: unrolled over ${steps} steps (${features.join(', ')} not expressible by ONNX LSTM).`);

  const gates: Gate[] = cifg ? ['f', 'c', 'o'] : ['i', 'f', 'c', 'o'];
  const concat = (ids: number[]) => ctx.op('Concat', ids.map((i) => ctx.value(i)), { axis: 0 });
  // [G·units, input] → [input, G·units]; one MatMul projects every step's input.
  const wT = ctx.op('Transpose', [concat(gates.map((g) => need(INPUT_WEIGHTS[g])))], { perm: [1, 0] });
  const rT = ctx.op('Transpose', [concat(gates.map((g) => need(RECURRENT_WEIGHTS[g])))], { perm: [1, 0] });
  let projected = ctx.op('MatMul', [ctx.value(x), wT]);
  const biasIds = gates.map((g) => at(BIASES[g]));
  if (!layerNorm && biasIds.every((i) => i !== undefined)) projected = ctx.op('Add', [projected, concat(biasIds as number[])]);
  else if (!layerNorm && biasIds.some((i) => i !== undefined)) throw unsupported(op, 'some gate biases missing');
  const split = ctx.int64s(gates.map(() => units));
  const timeAxis = timeMajor ? 0 : 1;
  const clip = (v: string, c: number) => ctx.op('Clip', [v, ctx.scalar(-c), ctx.scalar(c)]);
  const normalize = (v: string, g: Gate): string => {
    const mean = ctx.op('ReduceMean', [v], { axes: [-1], keepdims: 1 });
    const centered = ctx.op('Sub', [v, mean]);
    const variance = ctx.op('ReduceMean', [ctx.op('Mul', [centered, centered])], { axes: [-1], keepdims: 1 });
    const std = ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.scalar(LAYER_NORM_EPSILON)])]);
    const scaled = ctx.op('Mul', [ctx.op('Div', [centered, std]), ctx.value(need(LAYER_NORMS[g]))]);
    const b = at(BIASES[g]);
    return b === undefined ? scaled : ctx.op('Add', [scaled, ctx.value(b)]);
  };
  const peep = (v: string, g: Gate, cell: string): string => {
    const p = PEEPHOLES[g] !== undefined ? at(PEEPHOLES[g]!) : undefined;
    return p === undefined ? v : ctx.op('Add', [v, ctx.op('Mul', [cell, ctx.value(p)])]);
  };
  const projT = projection ? ctx.op('Transpose', [ctx.value(need(16))], { perm: [1, 0] }) : undefined;
  let h = h0 ?? ctx.b.floats(`${ctx.prefix}_h0`, [1, outputUnits], new Float32Array(outputUnits));
  let c = c0 ?? ctx.b.floats(`${ctx.prefix}_c0`, [1, units], new Float32Array(units));
  const outputs: string[] = [];
  for (let t = 0; t < steps; t++) {
    const xt_ = ctx.op('Gather', [projected, ctx.b.ints(`${ctx.prefix}_step${t}`, [t], [])], { axis: timeAxis });
    const pre = ctx.op('Add', [xt_, ctx.op('MatMul', [h, rT])]);
    const parts = ctx.b.node('Split', [pre, split], { axis: 1 }, { name: ctx.prefix, outputs: gates.length });
    const z = Object.fromEntries(gates.map((g, k) => [g, parts[k]])) as Record<Gate, string>;
    const gate = (g: Gate, cell: string) => {
      const v = peep(z[g], g, cell);
      return layerNorm ? normalize(v, g) : v;
    };
    const f = ctx.op('Sigmoid', [gate('f', c)]);
    const i = cifg ? ctx.op('Sub', [ctx.scalar(1), f]) : ctx.op('Sigmoid', [gate('i', c)]);
    const g = activate(ctx, gate('c', c), act, op);
    let cNew = ctx.op('Add', [ctx.op('Mul', [f, c]), ctx.op('Mul', [i, g])]);
    if (cellClip > 0) cNew = clip(cNew, cellClip);
    // The output gate's peephole reads the new cell state.
    const og = ctx.op('Sigmoid', [gate('o', cNew)]);
    let hNew = ctx.op('Mul', [og, activate(ctx, cNew, act, op)]);
    if (projT) {
      hNew = ctx.op('MatMul', [hNew, projT]);
      const pb = at(17);
      if (pb !== undefined) hNew = ctx.op('Add', [hNew, ctx.value(pb)]);
      if (projClip > 0) hNew = clip(hNew, projClip);
    }
    h = hNew;
    c = cNew;
    outputs.push(ctx.op('Unsqueeze', [h, ctx.int64s([timeAxis])]));
  }
  ctx.emit(out, outputs.length === 1 ? outputs[0] : ctx.op('Concat', outputs, { axis: timeAxis }), 'nhwc');
}
