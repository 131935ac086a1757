/**
 * Keras's built-in activations (the `activation=` argument and the Activation layer) as ONNX ops, element-wise on
 * whatever layout the value is held in (softmax and glu on the physical axis of Keras's last axis).
 *
 * Keras 2 and 3 differ on `hard_sigmoid`: Keras 2 is 0.2·x + 0.5 clipped (HardSigmoid α=0.2), Keras 3 is
 * relu6(x + 3)/6 (α=1/6, keras/src/activations/activations.py). `gelu` is the exact (erf) form in both when named by
 * string (tf.keras.activations.gelu and keras.activations.gelu default to approximate=False).
 */
import { OmnihubError } from '../../errors.js';
import { DataType } from '../../onnx/tensor.js';
import { physicalAxis } from './layout.js';
import { where, type Ctx, type KTensor, type LayerInfo } from './context.js';

export const KERAS_ACTIVATIONS: readonly string[] = [
  'linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'elu', 'selu', 'softplus', 'softsign',
  'swish', 'silu', 'gelu', 'hard_sigmoid', 'hard_silu', 'hard_swish', 'exponential', 'mish', 'leaky_relu',
  'log_sigmoid', 'hard_tanh', 'celu', 'tanh_shrink', 'soft_shrink', 'hard_shrink', 'squareplus', 'sparse_plus', 'glu',
];

const ALIASES: Record<string, string> = { swish: 'silu', hard_swish: 'hard_silu', none: 'linear', identity: 'linear' };

/** The activation's name from a config value: 'relu', or Keras 3's `{"class_name": "function", "config": "relu"}`. */
export function activationName(spec: unknown, L: LayerInfo): string {
  let name: string | undefined;
  if (spec === null || spec === undefined) name = 'linear';
  else if (typeof spec === 'string') name = spec;
  else if (typeof spec === 'object') {
    const o = spec as { class_name?: unknown; config?: unknown };
    if (typeof o.config === 'string') name = o.config;
    else if (typeof o.class_name === 'string' && o.class_name !== 'function') name = o.class_name;
  }
  if (name === undefined) throw new OmnihubError('unsupported', `${where(L)} has an activation Omnihub cannot read: ${JSON.stringify(spec)}.`);
  const short = name.replace(/^.*[.>]/, '').toLowerCase();
  const n = ALIASES[short] ?? short;
  if (!KERAS_ACTIVATIONS.includes(n) && !KERAS_ACTIVATIONS.includes(short)) {
    throw new OmnihubError('unsupported', `${where(L)} uses the activation '${name}', which is not one of Keras's built-in activations Omnihub converts (${KERAS_ACTIVATIONS.join(', ')}).`);
  }
  return n;
}

/** Keras 3's hard_sigmoid slope (1/6) or Keras 2's (0.2). */
export const hardSigmoidAlpha = (cx: Ctx): number => (cx.keras3 ? 1 / 6 : 0.2);

/** Applies a Keras activation; returns `t` itself for 'linear'. */
export function applyActivation(cx: Ctx, t: KTensor, spec: unknown, L: LayerInfo): KTensor {
  const name = activationName(spec, L);
  if (name === 'linear') return t;
  const x = cx.main(t);
  const last = physicalAxis(t.perm, -1);
  const s = (v: number) => cx.scalar(v);
  const op = (type: string, inputs: string[], attrs = {}) => cx.op(type, inputs, attrs, `${L.name}_${name}`);
  let y: string;
  let shape = t.shape;
  switch (name) {
    case 'relu': y = op('Relu', [x]); break;
    case 'relu6': y = op('Clip', [x, s(0), s(6)]); break;
    case 'sigmoid': y = op('Sigmoid', [x]); break;
    case 'tanh': y = op('Tanh', [x]); break;
    case 'softmax': y = op('Softmax', [x], { axis: last }); break;
    case 'log_softmax': y = op('LogSoftmax', [x], { axis: last }); break;
    case 'elu': y = op('Elu', [x], { alpha: { float: 1 } }); break;
    case 'selu': y = op('Selu', [x], { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } }); break;
    case 'softplus': y = op('Softplus', [x]); break;
    case 'softsign': y = op('Softsign', [x]); break;
    case 'silu': y = op('Mul', [x, op('Sigmoid', [x])]); break;
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2))
      const e = op('Erf', [op('Mul', [x, s(Math.SQRT1_2)])]);
      y = op('Mul', [op('Mul', [x, s(0.5)]), op('Add', [e, s(1)])]);
      break;
    }
    case 'hard_sigmoid': y = op('HardSigmoid', [x], { alpha: { float: hardSigmoidAlpha(cx) }, beta: { float: 0.5 } }); break;
    case 'hard_silu': y = op('HardSwish', [x]); break;
    case 'exponential': y = op('Exp', [x]); break;
    case 'mish': y = op('Mul', [x, op('Tanh', [op('Softplus', [x])])]); break;
    case 'leaky_relu': y = op('LeakyRelu', [x], { alpha: { float: 0.2 } }); break;
    case 'log_sigmoid': y = op('Neg', [op('Softplus', [op('Neg', [x])])]); break;
    case 'hard_tanh': y = op('Clip', [x, s(-1), s(1)]); break;
    case 'celu': y = op('Celu', [x], { alpha: { float: 1 } }); break;
    case 'tanh_shrink': y = op('Sub', [x, op('Tanh', [x])]); break;
    case 'soft_shrink': y = op('Shrink', [x], { lambd: { float: 0.5 }, bias: { float: 0.5 } }); break;
    case 'hard_shrink': y = op('Shrink', [x], { lambd: { float: 0.5 }, bias: { float: 0 } }); break;
    case 'squareplus': {
      // (x + √(x² + 4)) / 2
      const r = op('Sqrt', [op('Add', [op('Mul', [x, x]), s(4)])]);
      y = op('Mul', [op('Add', [x, r]), s(0.5)]);
      break;
    }
    case 'sparse_plus': {
      // 0 for x ≤ −1, x for x ≥ 1, (x + 1)²/4 between
      const c = op('Clip', [x, s(-1), s(1)]);
      const q = op('Add', [c, s(1)]);
      const mid = op('Mul', [op('Mul', [q, q]), s(0.25)]);
      y = op('Add', [mid, op('Relu', [op('Sub', [x, s(1)])])]);
      break;
    }
    case 'glu': {
      // a · sigmoid(b) with [a, b] = halves of the last axis
      const [a, b] = cx.b.node('Split', [x], { axis: last }, { outputs: 2, name: `${L.name}_glu_split` });
      y = op('Mul', [a, op('Sigmoid', [b])]);
      const n = t.shape[t.shape.length - 1];
      shape = [...t.shape.slice(0, -1), n === null ? null : n / 2];
      break;
    }
    default: throw new OmnihubError('unsupported', `${where(L)}: activation '${name}' is not implemented.`);
  }
  return cx.derive(t, y, shape, DataType.FLOAT);
}

/** The ONNX recurrent-op activation for a Keras activation (LSTM/GRU/RNN `activations` attribute). */
export function rnnActivation(cx: Ctx, spec: unknown, L: LayerInfo): { name: string; alpha?: number; beta?: number } {
  const name = activationName(spec, L);
  switch (name) {
    case 'sigmoid': return { name: 'Sigmoid' };
    case 'tanh': return { name: 'Tanh' };
    case 'relu': return { name: 'Relu' };
    case 'hard_sigmoid': return { name: 'HardSigmoid', alpha: hardSigmoidAlpha(cx), beta: 0.5 };
    case 'linear': return { name: 'Affine', alpha: 1, beta: 0 };
    case 'softsign': return { name: 'Softsign' };
    case 'softplus': return { name: 'Softplus' };
    case 'elu': return { name: 'Elu', alpha: 1 };
    default:
      throw new OmnihubError('unsupported', `${where(L)} uses the activation '${name}' inside a recurrent cell; ONNX's recurrent ops take sigmoid, tanh, relu, hard_sigmoid, linear, softsign, softplus and elu.`);
  }
}
