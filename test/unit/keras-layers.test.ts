// Keras → ONNX, one layer at a time: each built-in layer in a one-layer Sequential model (a KerasModelFile built
// here, seeded random weights and inputs), converted, run in onnxruntime, and compared with a plain TypeScript
// reference of Keras's math (test/support/keras-reference.ts, float64): relL2 ≤ 1e-5 each, printed at the end.
import { afterAll, describe, expect, it } from 'vitest';
import { convertKerasModel, KERAS_ACTIVATIONS, SUPPORTED_KERAS_LAYERS } from '../../src/core/convert/keras/index.js';
import { OmnihubError } from '../../src/core/errors.js';
import * as R from '../support/keras-reference.js';
import { A, chain, check, countOps, kfile, layer, rows, seq, w, type W } from '../support/keras-test-utils.js';

afterAll(() => {
  if (rows.length) console.log(['', 'Keras layers vs the TypeScript reference (onnxruntime, float32):', ...rows].join('\n'));
});

let seed = 100;

interface Opts { version?: string; lo?: number; hi?: number; batch?: number; x?: Float32Array; nchw?: boolean; feedShape?: number[] }

/** One layer named 'layer' on input x [B, ...inShape]. */
async function single(label: string, lay: ReturnType<typeof layer>, inShape: number[], ws: W[], ref: (x: R.Arr, w: R.Arr[]) => R.Arr | R.Arr[], o: Opts = {}) {
  const B = o.batch ?? 2;
  const xs = o.feedShape ?? [B, ...inShape];
  const x = o.x ?? R.randomF32(seed++, R.size(xs), o.lo ?? -1, o.hi ?? 1);
  const name = String(lay.config.name);
  const r = ref(R.toArr(xs, x), ws.map(A));
  const refs = Array.isArray(r) ? r : [r];
  // One output: a Sequential model; several (return_state, merge_mode None): a Functional one.
  const config = refs.length === 1 ? seq([lay], inShape) : chain([lay], inShape, refs.length);
  const file = kfile(config, ws.length ? { [name]: ws } : {}, o.version);
  return check(label, file, { x: { data: x, dims: xs } }, refs, { nchw: o.nchw });
}

describe('Keras core layers', () => {
  it('Dense on [B, F] and on [B, T, F] (MatMul over the last axis), with and without bias', async () => {
    await single('Dense 7→5 + bias, relu', layer('Dense', { name: 'layer', units: 5, activation: 'relu' }), [7], [w(1, [7, 5]), w(2, [5])],
      (x, [k, b]) => R.activation(R.dense(x, k, b), 'relu', false));
    await single('Dense [B,4,6]→[B,4,3], no bias', layer('Dense', { name: 'layer', units: 3, use_bias: false }), [4, 6], [w(3, [6, 3])],
      (x, [k]) => R.dense(x, k));
  });

  it('every built-in activation (Activation layer), hard_sigmoid as Keras 2 (0.2x+0.5) and Keras 3 (relu6(x+3)/6)', async () => {
    for (const name of KERAS_ACTIVATIONS) {
      for (const version of name === 'hard_sigmoid' ? ['2.4.0', '3.3.3'] : ['2.4.0']) {
        await single(`Activation ${name} (Keras ${version[0]})`, layer('Activation', { name: 'layer', activation: name }), [3, 8], [],
          (x) => R.activation(x, name, version.startsWith('3')), { version, lo: -4, hi: 4 });
      }
    }
    // Keras 2 and 3 hard_sigmoid really differ at x = 1: 0.7 vs 4/6.
    const x = new Float32Array([1, 1]);
    const k2 = await single('hard_sigmoid(1), Keras 2', layer('Activation', { name: 'layer', activation: 'hard_sigmoid' }), [1], [], (a) => R.activation(a, 'hard_sigmoid', false), { x, version: '2.13.1' });
    const k3 = await single('hard_sigmoid(1), Keras 3', layer('Activation', { name: 'layer', activation: 'hard_sigmoid' }), [1], [], (a) => R.activation(a, 'hard_sigmoid', true), { x, version: '3.0.0' });
    expect(k2.errors[0]).toBeLessThan(1e-7); // 0.7
    expect(k3.errors[0]).toBeLessThan(1e-7); // 0.6667
    // Keras 3's serialized form of a function activation.
    await single('Dense with Keras 3 {"class_name":"function","config":"gelu"}', layer('Dense', { name: 'layer', units: 4, activation: { module: 'keras.activations', class_name: 'function', config: 'gelu', registered_name: 'function' } }),
      [3], [w(4, [3, 4]), w(5, [4])], (xx, [k, b]) => R.activation(R.dense(xx, k, b), 'gelu', true), { version: '3.3.3', lo: -3, hi: 3 });
  });

  it('activation layers: ReLU (max_value, negative_slope, threshold), LeakyReLU, PReLU (shared axes), ELU, Softmax(axis), ThresholdedReLU', async () => {
    const relu = (mx: number | null, slope: number, thr: number) => (v: number) => {
      let y = v >= thr ? v : slope * (v - thr);
      if (mx !== null) y = Math.min(y, mx);
      return y;
    };
    const mapA = (x: R.Arr, f: (v: number) => number): R.Arr => ({ shape: x.shape, data: x.data.map(f) });
    await single('ReLU(max_value=1.5)', layer('ReLU', { name: 'layer', max_value: 1.5, negative_slope: 0, threshold: 0 }), [10], [], (x) => mapA(x, relu(1.5, 0, 0)), { lo: -3, hi: 3 });
    await single('ReLU(negative_slope=0.1, threshold=0.5, max 2)', layer('ReLU', { name: 'layer', max_value: 2, negative_slope: 0.1, threshold: 0.5 }), [10], [], (x) => mapA(x, relu(2, 0.1, 0.5)), { lo: -3, hi: 3 });
    await single('LeakyReLU Keras 2 alpha=0.3', layer('LeakyReLU', { name: 'layer', alpha: 0.3 }), [10], [], (x) => mapA(x, (v) => (v >= 0 ? v : 0.3 * v)));
    await single('LeakyReLU Keras 3 negative_slope=0.05', layer('LeakyReLU', { name: 'layer', negative_slope: 0.05 }), [10], [], (x) => mapA(x, (v) => (v >= 0 ? v : 0.05 * v)), { version: '3.1.0' });
    await single('ELU alpha=0.7', layer('ELU', { name: 'layer', alpha: 0.7 }), [10], [], (x) => mapA(x, (v) => (v > 0 ? v : 0.7 * (Math.exp(v) - 1))));
    await single('ThresholdedReLU theta=0.3', layer('ThresholdedReLU', { name: 'layer', theta: 0.3 }), [10], [], (x) => mapA(x, (v) => (v > 0.3 ? v : 0)));
    await single('Softmax axis=1 on [B,5,3]', layer('Softmax', { name: 'layer', axis: 1 }), [5, 3], [], (x) => R.softmax(x, 1));
    // PReLU on [B, 4, 5, 3] with shared_axes [1, 2]: alpha [1, 1, 3].
    await single('PReLU shared_axes [1,2] (alpha [1,1,3])', layer('PReLU', { name: 'layer', shared_axes: [1, 2] }), [4, 5, 3], [w(6, [1, 1, 3], 0, 0.5)],
      (x, [a]) => ({ shape: x.shape, data: x.data.map((v, i) => (v >= 0 ? v : a.data[i % 3] * v)) }));
    await single('PReLU unshared (alpha [6])', layer('PReLU', { name: 'layer' }), [6], [w(7, [6], 0, 0.5)],
      (x, [a]) => ({ shape: x.shape, data: x.data.map((v, i) => (v >= 0 ? v : a.data[i % 6] * v)) }));
  });

  it('Dropout family → nothing; Flatten, Reshape, Permute (no op), RepeatVector, Rescaling, Normalization', async () => {
    for (const cls of ['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']) {
      const r = await single(`${cls} (inference: identity)`, layer(cls, { name: 'layer', rate: 0.5, stddev: 1 }), [4, 3], [], (x) => x);
      expect(r.model.graph!.node!.map((n) => n.op_type)).toEqual(['Identity']);
    }
    await single('Flatten [B,3,4,2]', layer('Flatten', { name: 'layer' }), [3, 4, 2], [], (x) => R.flatten(x));
    await single('Reshape [B,12] → (3,-1)', layer('Reshape', { name: 'layer', target_shape: [3, -1] }), [12], [], (x) => ({ shape: [2, 3, 4], data: x.data }));
    const p = await single('Permute (2,1) on [B,3,5]', layer('Permute', { name: 'layer', dims: [2, 1] }), [3, 5], [], (x) => R.transpose(x, [0, 2, 1]));
    expect(countOps(p.model, 'Transpose')).toBe(1); // only the output's (Permute itself relabels the layout)
    await single('RepeatVector n=3', layer('RepeatVector', { name: 'layer', n: 3 }), [4], [], (x) => {
      const out = R.arr([2, 3, 4]);
      for (let b = 0; b < 2; b++) for (let t = 0; t < 3; t++) for (let f = 0; f < 4; f++) out.data[(b * 3 + t) * 4 + f] = x.data[b * 4 + f];
      return out;
    });
    await single('Rescaling scale 1/255 offset -0.5', layer('Rescaling', { name: 'layer', scale: 1 / 255, offset: -0.5 }), [4, 4, 3], [], (x) => ({ shape: x.shape, data: x.data.map((v) => v / 255 - 0.5) }), { lo: 0, hi: 255 });
    const mean = w(8, [3], -1, 1);
    const variance = w(9, [3], 0.5, 2);
    const count: W = { shape: [], f: new Float32Array([10]) };
    await single('Normalization (adapted: mean, variance, count)', layer('Normalization', { name: 'layer', axis: -1 }), [5, 3], [mean, variance, count],
      (x, [m, v]) => ({ shape: x.shape, data: x.data.map((val, i) => (val - m.data[i % 3]) / Math.max(Math.sqrt(v.data[i % 3]), 1e-7)) }));
    await single('Normalization (mean/variance in the config, invert)', layer('Normalization', { name: 'layer', axis: -1, mean: [1, 2], variance: [4, 0.25], invert: true }), [2], [],
      (x) => ({ shape: x.shape, data: x.data.map((val, i) => (i % 2 === 0 ? 1 + val * 2 : 2 + val * 0.5)) }), { version: '3.3.3' });
  });

  it('Embedding (int32 and float32 indices, Keras casts), and mask_zero', async () => {
    const table = w(10, [11, 4]);
    const ids = new Int32Array([0, 3, 10, 7, 1, 2, 0, 5]);
    const file = kfile(seq([layer('Embedding', { name: 'layer', input_dim: 11, output_dim: 4 })], [4], 'int32'), { layer: [table] });
    await check('Embedding int32 ids [2,4] → [2,4,4]', file, { x: { data: ids, dims: [2, 4] } }, [R.embedding(R.arr([2, 4], ids), A(table))]);
    const fids = new Float32Array([0, 3.7, 10, 7.2, 1, 2, 0, 5]);
    const file2 = kfile(seq([layer('Embedding', { name: 'layer', input_dim: 11, output_dim: 4 })], [4]), { layer: [table] });
    await check('Embedding float ids (truncated as tf.cast)', file2, { x: { data: fids, dims: [2, 4] } }, [R.embedding(R.arr([2, 4], fids), A(table))]);
  });
});

describe('Keras convolutions', () => {
  const convCase = async (label: string, cls: string, d: number, inShape: number[], cin: number, cout: number, k: number[], cfg: Record<string, unknown>) => {
    const groups = Number(cfg.groups ?? 1);
    const kernel = w(seed++, [...k, cin / groups, cout], -0.5, 0.5);
    const bias = w(seed++, [cout], -0.2, 0.2);
    const lay = layer(cls, { name: 'layer', filters: cout, kernel_size: k, activation: 'linear', ...cfg });
    return single(label, lay, [...inShape, cin], [kernel, bias], (x, [kk, b]) => R.conv(x, kk, b, {
      strides: (cfg.strides as number[]) ?? new Array(d).fill(1), dilation: (cfg.dilation_rate as number[]) ?? new Array(d).fill(1), padding: (cfg.padding as 'same') ?? 'valid', groups,
    }));
  };
  it("Conv1D: 'same' stride 2 on odd and even lengths, dilation 2, 'causal'", async () => {
    await convCase("Conv1D k3 s2 'same' L=9 (odd)", 'Conv1D', 1, [9], 3, 4, [3], { strides: [2], padding: 'same' });
    await convCase("Conv1D k4 s2 'same' L=10 (even)", 'Conv1D', 1, [10], 3, 4, [4], { strides: [2], padding: 'same' });
    await convCase("Conv1D k3 dilation 2 'same' L=11", 'Conv1D', 1, [11], 2, 3, [3], { dilation_rate: [2], padding: 'same' });
    await convCase("Conv1D k3 dilation 2 'causal' L=8", 'Conv1D', 1, [8], 2, 3, [3], { dilation_rate: [2], padding: 'causal' });
    await convCase("Conv1D k5 'valid' stride 3 L=17", 'Conv1D', 1, [17], 2, 2, [5], { strides: [3], padding: 'valid' });
  });
  it("Conv2D: 'same' stride 2 odd/even sizes, dilation 2, groups; Conv3D", async () => {
    await convCase("Conv2D k3 s2 'same' 7×9 (odd)", 'Conv2D', 2, [7, 9], 3, 4, [3, 3], { strides: [2, 2], padding: 'same' });
    await convCase("Conv2D k4×2 s2 'same' 8×6 (even)", 'Conv2D', 2, [8, 6], 2, 3, [4, 2], { strides: [2, 2], padding: 'same' });
    await convCase("Conv2D k3 s(2,1) 'same' 6×7", 'Conv2D', 2, [6, 7], 2, 3, [3, 3], { strides: [2, 1], padding: 'same' });
    await convCase("Conv2D k3 dilation 2 'same' 9×8", 'Conv2D', 2, [9, 8], 3, 2, [3, 3], { dilation_rate: [2, 2], padding: 'same' });
    await convCase("Conv2D k3 dilation 2 'valid' 9×8", 'Conv2D', 2, [9, 8], 3, 2, [3, 3], { dilation_rate: [2, 2], padding: 'valid' });
    await convCase("Conv2D groups 2 k3 'same'", 'Conv2D', 2, [5, 5], 4, 6, [3, 3], { groups: 2, padding: 'same' });
    await convCase("Conv3D k3 s2 'same' 5×6×7", 'Conv3D', 3, [5, 6, 7], 2, 3, [3, 3, 3], { strides: [2, 2, 2], padding: 'same' });
    const nchw = await single("Conv2D k3 'same', NCHW interface", layer('Conv2D', { name: 'layer', filters: 2, kernel_size: [3, 3], padding: 'same' }), [5, 5, 3], [w(20, [3, 3, 3, 2]), w(21, [2])],
      (x, [kk, b]) => R.transpose(R.conv(R.transpose(x, [0, 2, 3, 1]), kk, b, { padding: 'same' }), [0, 3, 1, 2]), { feedShape: [2, 3, 5, 5], nchw: true });
    expect(countOps(nchw.model, 'Transpose')).toBe(0);
  });
  it('DepthwiseConv2D depth_multiplier 2, SeparableConv1D/2D', async () => {
    await single("DepthwiseConv2D k3 s2 'same' m=2 7×8", layer('DepthwiseConv2D', { name: 'layer', kernel_size: [3, 3], strides: [2, 2], padding: 'same', depth_multiplier: 2 }), [7, 8, 3],
      [w(30, [3, 3, 3, 2]), w(31, [6])], (x, [k, b]) => R.depthwiseConv(x, k, b, { strides: [2, 2], padding: 'same' }));
    await single("DepthwiseConv2D k3 dilation 2 'valid' m=1", layer('DepthwiseConv2D', { name: 'layer', kernel_size: [3, 3], dilation_rate: [2, 2], depth_multiplier: 1, use_bias: false }), [8, 8, 4],
      [w(32, [3, 3, 4, 1])], (x, [k]) => R.depthwiseConv(x, k, undefined, { dilation: [2, 2] }));
    await single("SeparableConv2D k3 'same' m=2 → 5", layer('SeparableConv2D', { name: 'layer', filters: 5, kernel_size: [3, 3], padding: 'same', depth_multiplier: 2 }), [6, 7, 3],
      [w(33, [3, 3, 3, 2]), w(34, [1, 1, 6, 5]), w(35, [5])], (x, [dk, pk, b]) => R.separableConv(x, dk, pk, b, { padding: 'same' }));
    await single("SeparableConv1D k3 s2 'valid' → 4", layer('SeparableConv1D', { name: 'layer', filters: 4, kernel_size: [3], strides: [2], depth_multiplier: 1 }), [11, 3],
      [w(36, [3, 3, 1]), w(37, [1, 3, 4]), w(38, [4])], (x, [dk, pk, b]) => R.separableConv(x, dk, pk, b, { strides: [2] }));
  });
  it('Conv2DTranspose / Conv1DTranspose: same/valid, strides, kernel smaller than stride, output_padding', async () => {
    const ct = async (label: string, inShape: number[], k: number[], cfg: Record<string, unknown>, cin = 3, cout = 2) => {
      const d = k.length;
      await single(label, layer(d === 2 ? 'Conv2DTranspose' : 'Conv1DTranspose', { name: 'layer', filters: cout, kernel_size: k, ...cfg }), [...inShape, cin],
        [w(seed++, [...k, cout, cin], -0.5, 0.5), w(seed++, [cout])],
        (x, [kk, b]) => R.convTranspose(x, kk, b, { strides: cfg.strides as number[], padding: cfg.padding as string, outputPadding: cfg.output_padding as number[] | undefined, dilation: cfg.dilation_rate as number[] | undefined }));
    };
    await ct("Conv2DTranspose k3 s2 'same' 4×5", [4, 5], [3, 3], { strides: [2, 2], padding: 'same' });
    await ct("Conv2DTranspose k4 s2 'same' 3×3", [3, 3], [4, 4], { strides: [2, 2], padding: 'same' });
    await ct("Conv2DTranspose k3 s2 'valid' 4×3", [4, 3], [3, 3], { strides: [2, 2], padding: 'valid' });
    await ct("Conv2DTranspose k2 s3 'valid' (k < s) 3×4", [3, 4], [2, 2], { strides: [3, 3], padding: 'valid' });
    await ct("Conv2DTranspose k3 s2 'same' output_padding 0", [4, 4], [3, 3], { strides: [2, 2], padding: 'same', output_padding: [0, 0] });
    await ct("Conv2DTranspose k3 s1 dilation 2 'same'", [5, 4], [3, 3], { strides: [1, 1], padding: 'same', dilation_rate: [2, 2] });
    await ct("Conv1DTranspose k5 s3 'same' L=6", [6], [5], { strides: [3], padding: 'same' });
  });
});

describe('Keras normalization and pooling', () => {
  it('BatchNormalization: epsilon 1e-3 on the last axis (rank 2 and 4), a non-default axis, center/scale off', async () => {
    const bn = (C: number, extra: Record<string, unknown> = {}) => {
      const scale = extra.scale !== false;
      const center = extra.center !== false;
      return [...(scale ? [w(seed++, [C], 0.5, 1.5)] : []), ...(center ? [w(seed++, [C], -0.5, 0.5)] : []), w(seed++, [C], -0.5, 0.5), w(seed++, [C], 0.001, 0.01)];
    };
    const ref = (axis: number, eps: number, scale = true, center = true) => (x: R.Arr, ws: R.Arr[]) => {
      let k = 0;
      const g = scale ? ws[k++] : null;
      const b = center ? ws[k++] : null;
      return R.batchNorm(x, axis, g, b, ws[k], ws[k + 1], eps);
    };
    // Small variances make ε matter: ONNX's default 1e-5 instead of Keras's 1e-3 would be far off.
    await single('BatchNormalization [B,6] ε=1e-3 (ONNX BatchNormalization)', layer('BatchNormalization', { name: 'layer', axis: -1, epsilon: 1e-3 }), [6], bn(6), ref(-1, 1e-3));
    await single('BatchNormalization [B,4,5,3] axis -1 ε=1e-3 (Mul+Add)', layer('BatchNormalization', { name: 'layer', axis: [3], epsilon: 1e-3 }), [4, 5, 3], bn(3), ref(-1, 1e-3));
    await single('BatchNormalization [B,5,4] axis 1 (non-default)', layer('BatchNormalization', { name: 'layer', axis: 1, epsilon: 0.01 }), [5, 4], bn(5), ref(1, 0.01));
    await single('BatchNormalization center=false scale=false', layer('BatchNormalization', { name: 'layer', axis: -1, center: false, scale: false, epsilon: 1e-3 }), [3, 4], bn(4, { center: false, scale: false }), ref(-1, 1e-3, false, false));
  });
  it('LayerNormalization: last axis (ONNX LayerNormalization, epsilon written) and axes [1, 2]', async () => {
    const r1 = await single('LayerNormalization axis -1 ε=1e-3', layer('LayerNormalization', { name: 'layer', axis: -1, epsilon: 1e-3 }), [4, 6],
      [w(40, [6], 0.5, 1.5), w(41, [6])], (x, [g, b]) => R.layerNorm(x, [-1], g, b, 1e-3), { lo: -0.05, hi: 0.05 });
    const ln = r1.model.graph!.node!.find((n) => n.op_type === 'LayerNormalization')!;
    expect(ln.attribute!.find((a) => a.name === 'epsilon')!.f).toBeCloseTo(1e-3, 9);
    await single('LayerNormalization axes [1,2] on [B,3,4,5]', layer('LayerNormalization', { name: 'layer', axis: [1, 2], epsilon: 1e-3 }), [3, 4, 5],
      [w(42, [3, 4], 0.5, 1.5), w(43, [3, 4])], (x, [g, b]) => R.layerNorm(x, [1, 2], g, b, 1e-3));
    await single('LayerNormalization center=false', layer('LayerNormalization', { name: 'layer', axis: -1, epsilon: 1e-5, center: false }), [5],
      [w(44, [5], 0.5, 1.5)], (x, [g]) => R.layerNorm(x, [-1], g, null, 1e-5));
  });
  it('pooling: Max/Average 1D/2D valid and same with strides; Global pooling (keepdims)', async () => {
    const p = (label: string, cls: string, inShape: number[], cfg: Record<string, unknown>) => {
      const d = inShape.length - 1;
      const ps = cfg.pool_size as number[];
      return single(label, layer(cls, { name: 'layer', ...cfg }), inShape, [],
        (x) => R.pool(x, cls.startsWith('Max') ? 'max' : 'avg', ps, (cfg.strides as number[]) ?? ps, (cfg.padding as 'same') ?? 'valid'), { lo: -1, hi: 1 + d * 0 });
    };
    await p("MaxPooling2D 3×3 s2 'same' 7×8", 'MaxPooling2D', [7, 8, 3], { pool_size: [3, 3], strides: [2, 2], padding: 'same' });
    await p("AveragePooling2D 3×3 s2 'same' 7×8 (pads excluded)", 'AveragePooling2D', [7, 8, 3], { pool_size: [3, 3], strides: [2, 2], padding: 'same' });
    await p("MaxPooling2D 2×2 'valid' 5×5", 'MaxPooling2D', [5, 5, 2], { pool_size: [2, 2], strides: null, padding: 'valid' });
    await p("AveragePooling2D 3×2 s(1,2) 'valid'", 'AveragePooling2D', [6, 7, 2], { pool_size: [3, 2], strides: [1, 2], padding: 'valid' });
    await p("MaxPooling1D 2 s1 'same' L=7", 'MaxPooling1D', [7, 3], { pool_size: [2], strides: [1], padding: 'same' });
    await p("AveragePooling1D 3 s2 'same' L=8", 'AveragePooling1D', [8, 3], { pool_size: [3], strides: [2], padding: 'same' });
    await single('GlobalAveragePooling2D', layer('GlobalAveragePooling2D', { name: 'layer' }), [4, 5, 3], [], (x) => R.globalPool(x, 'avg'));
    await single('GlobalMaxPooling1D', layer('GlobalMaxPooling1D', { name: 'layer' }), [6, 3], [], (x) => R.globalPool(x, 'max'));
    await single('GlobalAveragePooling2D keepdims', layer('GlobalAveragePooling2D', { name: 'layer', keepdims: true }), [4, 5, 3], [], (x) => ({ shape: [2, 1, 1, 3], data: R.globalPool(x, 'avg').data }));
  });
});

describe('Keras reshaping and merging', () => {
  it('ZeroPadding, Cropping, UpSampling (nearest, bilinear)', async () => {
    await single('ZeroPadding2D ((1,2),(0,3))', layer('ZeroPadding2D', { name: 'layer', padding: [[1, 2], [0, 3]] }), [3, 4, 2], [], (x) => R.zeroPad(x, [[1, 2], [0, 3]]));
    await single('ZeroPadding1D (2,1)', layer('ZeroPadding1D', { name: 'layer', padding: [2, 1] }), [5, 3], [], (x) => R.zeroPad(x, [[2, 1]]));
    await single('Cropping2D ((1,0),(2,1))', layer('Cropping2D', { name: 'layer', cropping: [[1, 0], [2, 1]] }), [5, 6, 2], [], (x) => R.crop(x, [[1, 0], [2, 1]]));
    await single('Cropping1D (1,2)', layer('Cropping1D', { name: 'layer', cropping: [1, 2] }), [7, 2], [], (x) => R.crop(x, [[1, 2]]));
    await single('UpSampling2D (2,3) nearest', layer('UpSampling2D', { name: 'layer', size: [2, 3], interpolation: 'nearest' }), [3, 4, 2], [], (x) => R.upsampleNearest(x, [2, 3]));
    await single('UpSampling1D 3', layer('UpSampling1D', { name: 'layer', size: 3 }), [4, 2], [], (x) => R.upsampleNearest(x, [3]));
    await single('UpSampling3D (2,1,2)', layer('UpSampling3D', { name: 'layer', size: [2, 1, 2] }), [2, 3, 2, 2], [], (x) => R.upsampleNearest(x, [2, 1, 2]));
    await single('UpSampling2D (2,2) bilinear (tf.image.resize, half-pixel)', layer('UpSampling2D', { name: 'layer', size: [2, 2], interpolation: 'bilinear' }), [3, 4, 2], [], (x) => R.upsampleBilinear(x, [2, 2]));
  });
});

describe('Keras recurrent layers (gate order, reset_after, masks)', () => {
  const I = 3;
  const T = 5;
  const H = 4;
  const lstmW = () => [w(seed++, [I, 4 * H], -0.5, 0.5), w(seed++, [H, 4 * H], -0.5, 0.5), w(seed++, [4 * H], -0.5, 0.5)];
  it('LSTM (gates i,f,c,o → ONNX i,o,f,c): last state, sequences, states, go_backwards; hard_sigmoid recurrent activation', async () => {
    const cfg = { name: 'layer', units: H, activation: 'tanh', recurrent_activation: 'sigmoid' };
    const ws = lstmW();
    await single('LSTM return_sequences=false', layer('LSTM', cfg), [T, I], ws, (x, ww) => R.rnn(x, ww, { kind: 'LSTM', units: H })[0]);
    await single('LSTM return_sequences + return_state', layer('LSTM', { ...cfg, return_sequences: true, return_state: true }), [T, I], ws,
      (x, ww) => R.rnn(x, ww, { kind: 'LSTM', units: H, returnSequences: true }));
    await single('LSTM go_backwards return_sequences (reversed order)', layer('LSTM', { ...cfg, go_backwards: true, return_sequences: true }), [T, I], ws,
      (x, ww) => R.rnn(x, ww, { kind: 'LSTM', units: H, goBackwards: true, returnSequences: true })[0]);
    await single('LSTM hard_sigmoid (Keras 2) recurrent activation', layer('LSTM', { ...cfg, recurrent_activation: 'hard_sigmoid' }), [T, I], ws,
      (x, ww) => R.rnn(x, ww, { kind: 'LSTM', units: H, recurrentActivation: 'hard_sigmoid' })[0], { lo: -3, hi: 3 });
    await single('LSTM hard_sigmoid (Keras 3) recurrent activation', layer('LSTM', { ...cfg, recurrent_activation: 'hard_sigmoid' }), [T, I], ws,
      (x, ww) => R.rnn(x, ww, { kind: 'LSTM', units: H, recurrentActivation: 'hard_sigmoid', keras3: true })[0], { lo: -3, hi: 3, version: '3.3.3' });
    await single('LSTM use_bias=false', layer('LSTM', { ...cfg, use_bias: false }), [T, I], ws.slice(0, 2), (x, ww) => R.rnn(x, ww, { kind: 'LSTM', units: H })[0]);
  });
  it('GRU reset_after true (bias [2,3H]) and false (bias [3H]); SimpleRNN', async () => {
    const k = w(seed++, [I, 3 * H], -0.5, 0.5);
    const rk = w(seed++, [H, 3 * H], -0.5, 0.5);
    await single('GRU reset_after=true', layer('GRU', { name: 'layer', units: H, reset_after: true, recurrent_activation: 'sigmoid' }), [T, I], [k, rk, w(seed++, [2, 3 * H], -0.5, 0.5)],
      (x, ww) => R.rnn(x, ww, { kind: 'GRU', units: H, resetAfter: true })[0]);
    await single('GRU reset_after=false, return_sequences', layer('GRU', { name: 'layer', units: H, reset_after: false, recurrent_activation: 'sigmoid', return_sequences: true }), [T, I], [k, rk, w(seed++, [3 * H], -0.5, 0.5)],
      (x, ww) => R.rnn(x, ww, { kind: 'GRU', units: H, resetAfter: false, returnSequences: true })[0]);
    await single('SimpleRNN relu, return_sequences', layer('SimpleRNN', { name: 'layer', units: H, activation: 'relu', return_sequences: true }), [T, I],
      [w(seed++, [I, H], -0.5, 0.5), w(seed++, [H, H], -0.5, 0.5), w(seed++, [H], -0.5, 0.5)], (x, ww) => R.rnn(x, ww, { kind: 'SimpleRNN', units: H, activation: 'relu', returnSequences: true })[0]);
  });
  it('Bidirectional LSTM/GRU: concat (sequences), sum, ave, mul, None', async () => {
    const fw = lstmW();
    const bw = lstmW();
    const inner = (extra: Record<string, unknown> = {}) => ({ class_name: 'LSTM', config: { name: 'lstm', units: H, recurrent_activation: 'sigmoid', ...extra } });
    await single('Bidirectional(LSTM) concat, return_sequences', layer('Bidirectional', { name: 'layer', layer: inner({ return_sequences: true }), merge_mode: 'concat' }), [T, I], [...fw, ...bw],
      (x, ww) => R.bidirectional(x, ww.slice(0, 3), ww.slice(3), { kind: 'LSTM', units: H, returnSequences: true }, 'concat'));
    for (const mode of ['concat', 'sum', 'ave', 'mul', null]) {
      await single(`Bidirectional(LSTM) ${mode}, last state`, layer('Bidirectional', { name: 'layer', layer: inner(), merge_mode: mode }), [T, I], [...fw, ...bw],
        (x, ww) => R.bidirectional(x, ww.slice(0, 3), ww.slice(3), { kind: 'LSTM', units: H }, mode));
    }
    const gk = () => [w(seed++, [I, 3 * H], -0.5, 0.5), w(seed++, [H, 3 * H], -0.5, 0.5), w(seed++, [2, 3 * H], -0.5, 0.5)];
    const gf = gk();
    const gb = gk();
    await single('Bidirectional(GRU reset_after) sum, sequences', layer('Bidirectional', { name: 'layer', layer: { class_name: 'GRU', config: { name: 'gru', units: H, reset_after: true, recurrent_activation: 'sigmoid', return_sequences: true } }, merge_mode: 'sum' }),
      [T, I], [...gf, ...gb], (x, ww) => R.bidirectional(x, ww.slice(0, 3), ww.slice(3), { kind: 'GRU', units: H, resetAfter: true, returnSequences: true }, 'sum'));
  });
  it('Masking → recurrent layers skip masked steps (trailing, leading and inner padding; all-masked rows)', async () => {
    // Steps whose features are all 0 are masked: row 0 trailing padding, row 1 leading, row 2 gaps, row 3 all masked.
    const B = 4;
    const x = R.randomF32(seed++, B * T * I, -1, 1);
    const maskRows = [[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 0, 1], [0, 0, 0, 0, 0]];
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (!maskRows[b][t]) for (let i = 0; i < I; i++) x[(b * T + t) * I + i] = 0;
    const mask = maskRows.flat();
    const ws = lstmW();
    const masked = (rnnLayer: ReturnType<typeof layer>, ref: (xa: R.Arr, ww: R.Arr[]) => R.Arr[], ww: W[], label: string) => {
      const refs = ref(R.toArr([B, T, I], x), ww.map(A));
      return check(label, kfile(chain([layer('Masking', { name: 'masking', mask_value: 0 }), rnnLayer], [T, I], refs.length), { [String(rnnLayer.config.name)]: ww }),
        { x: { data: x, dims: [B, T, I] } }, refs);
    };
    const cfg = { name: 'lstm', units: H, recurrent_activation: 'sigmoid' };
    await masked(layer('LSTM', cfg), (xa, ww) => [R.rnn(xa, ww, { kind: 'LSTM', units: H }, mask)[0]], ws, 'Masking → LSTM last state');
    await masked(layer('LSTM', { ...cfg, return_sequences: true, return_state: true }), (xa, ww) => R.rnn(xa, ww, { kind: 'LSTM', units: H, returnSequences: true }, mask), ws, 'Masking → LSTM sequences (previous output kept) + states');
    await masked(layer('LSTM', { ...cfg, return_sequences: true, zero_output_for_mask: true }), (xa, ww) => [R.rnn(xa, ww, { kind: 'LSTM', units: H, returnSequences: true, zeroOutputForMask: true }, mask)[0]], ws, 'Masking → LSTM sequences, zero_output_for_mask');
    await masked(layer('LSTM', { ...cfg, go_backwards: true }), (xa, ww) => [R.rnn(xa, ww, { kind: 'LSTM', units: H, goBackwards: true }, mask)[0]], ws, 'Masking → LSTM go_backwards last state');
    await masked(layer('LSTM', { ...cfg, go_backwards: true, return_sequences: true }), (xa, ww) => [R.rnn(xa, ww, { kind: 'LSTM', units: H, goBackwards: true, returnSequences: true }, mask)[0]], ws, 'Masking → LSTM go_backwards sequences');
    const gw = [w(seed++, [I, 3 * H], -0.5, 0.5), w(seed++, [H, 3 * H], -0.5, 0.5), w(seed++, [2, 3 * H], -0.5, 0.5)];
    await masked(layer('GRU', { name: 'gru', units: H, reset_after: true, recurrent_activation: 'sigmoid', return_sequences: true }), (xa, ww) => [R.rnn(xa, ww, { kind: 'GRU', units: H, resetAfter: true, returnSequences: true }, mask)[0]], gw, 'Masking → GRU sequences');
    const bw = lstmW();
    await masked(layer('Bidirectional', { name: 'bi', layer: { class_name: 'LSTM', config: { ...cfg, return_sequences: true } }, merge_mode: 'concat' }),
      (xa, ww) => R.bidirectional(xa, ww.slice(0, 3), ww.slice(3), { kind: 'LSTM', units: H, returnSequences: true }, 'concat', mask), [...ws, ...bw], 'Masking → Bidirectional(LSTM) sequences');
    await masked(layer('Bidirectional', { name: 'bi', layer: { class_name: 'LSTM', config: cfg }, merge_mode: 'concat' }),
      (xa, ww) => R.bidirectional(xa, ww.slice(0, 3), ww.slice(3), { kind: 'LSTM', units: H }, 'concat', mask), [...ws, ...bw], 'Masking → Bidirectional(LSTM) last states');
  });
});

describe('Keras converter refusals', () => {
  it('lists its layers; refuses unknown activations and rms_scaling by name', () => {
    for (const cls of ['Dense', 'Conv2D', 'LSTM', 'GRU', 'Bidirectional', 'BatchNormalization', 'LayerNormalization', 'Embedding', 'Masking', 'TimeDistributed']) expect(SUPPORTED_KERAS_LAYERS).toContain(cls);
    const bad = kfile(seq([layer('Activation', { name: 'act', activation: 'quantized_relu(6)' })], [3]), {});
    expect(() => convertKerasModel(bad)).toThrow(OmnihubError);
    expect(() => convertKerasModel(bad)).toThrow(/layer 'act' \(Activation\) in model 'seq' uses the activation 'quantized_relu\(6\)'/);
    const rms = kfile(seq([layer('LayerNormalization', { name: 'ln', rms_scaling: true })], [3]), { ln: [w(1, [3])] });
    expect(() => convertKerasModel(rms)).toThrow(/rms_scaling/);
  });
});
