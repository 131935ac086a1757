/** Calibration samples like those onnxruntime's Python reference quantizations were made with. */
import { mulberry32 } from '../../src/core/validate/inputs.js';
import type { RuntimeTensor } from '../../src/core/onnx/runtime-tensor.js';

/** Standard normal values (Box–Muller on mulberry32), the distribution of the reference's random inputs. */
export function gaussian(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
}

/**
 * Eight seeded random calibration inputs like the reference's: its `NAME.inputs.npz` is the first draw of its
 * generator (np.random.default_rng(0).standard_normal — the same values for every model), so it is the first sample
 * here; the other seven are standard normals of our own. Token ids are random in [0, 10); other integer inputs (the
 * attention mask) keep the .npz values.
 */
export function referenceSamples(inputs: Record<string, RuntimeTensor>): Array<Record<string, RuntimeTensor>> {
  const samples = [inputs];
  for (let k = 1; k < 8; k++) {
    const sample: Record<string, RuntimeTensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t.type === 'float32') sample[name] = { type: 'float32', dims: t.dims, data: gaussian(t.data.length, 100 * k) };
      else if (name === 'input_ids') {
        const next = mulberry32(100 * k);
        sample[name] = { type: 'int64', dims: t.dims, data: BigInt64Array.from({ length: t.data.length }, () => BigInt(Math.floor(next() * 10))) };
      } else sample[name] = t;
    }
    samples.push(sample);
  }
  return samples;
}
