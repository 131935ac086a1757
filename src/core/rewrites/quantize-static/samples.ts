/**
 * Calibration samples: those the caller gives (context.samples: an .npz, MNIST digits, images) are checked against
 * the model's inputs before anything runs; without them, seeded random ones are made (validate/inputs.ts values:
 * floats uniform in [0, 1), integers in [0, 10), symbolic dimensions 1) and the report says so.
 */
import type { RuntimeTensor } from '../../onnx/runtime-tensor.js';
import type { ValueSummary } from '../../onnx/summary.js';
import { OmnihubError } from '../../errors.js';
import { mulberry32, randomInput } from '../../validate/inputs.js';

const shapeText = (shape: readonly (number | string | null)[]) => `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** Throws a 'usage' error naming the sample and the input when a sample does not fit the model's inputs. */
export function checkSamples(samples: ReadonlyArray<Record<string, RuntimeTensor>>, inputs: readonly ValueSummary[]): void {
  const names = inputs.map((i) => i.name);
  samples.forEach((sample, k) => {
    const where = `calibration sample ${k + 1} of ${samples.length}`;
    if (typeof sample !== 'object' || sample === null) throw new OmnihubError('usage', `${where} is not an object of input values by name`);
    const extra = Object.keys(sample).filter((n) => !names.includes(n));
    if (extra.length) {
      throw new OmnihubError('usage', `${where} has ${extra.map((n) => `'${n}'`).join(', ')}, which the model does not take (its inputs: ${names.map((n) => `'${n}'`).join(', ')})`);
    }
    for (const input of inputs) {
      const t = sample[input.name];
      if (!t) throw new OmnihubError('usage', `${where} has no value for input '${input.name}' (${input.dtype} ${input.shape ? shapeText(input.shape) : ''})`);
      if (t.type !== input.dtype) throw new OmnihubError('usage', `${where}: input '${input.name}' is ${t.type}, but the model takes ${input.dtype}`);
      const dims = [...t.dims];
      if (input.shape) {
        const fits = input.shape.length === dims.length && input.shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
        if (!fits) throw new OmnihubError('usage', `${where}: input '${input.name}' has shape ${shapeText(dims)}, but the model takes ${shapeText(input.shape)}`);
      }
      const count = dims.reduce((a, b) => a * b, 1);
      if (t.data.length !== count) throw new OmnihubError('usage', `${where}: input '${input.name}' holds ${t.data.length} values for shape ${shapeText(dims)} (${count})`);
    }
  });
}

/**
 * `count` seeded random samples (seed k for sample k). An integer or bool input whose name says it is a mask is all
 * ones: a random attention mask would put padding's −inf (or −FLT_MAX) into the calibrated ranges and wreck them.
 */
export function randomSamples(inputs: readonly ValueSummary[], count: number): Array<Record<string, RuntimeTensor>> {
  const samples: Array<Record<string, RuntimeTensor>> = [];
  for (let k = 0; k < count; k++) {
    const next = mulberry32(k);
    const sample: Record<string, RuntimeTensor> = {};
    for (const input of inputs) {
      const t = randomInput(input, next);
      if (/mask/i.test(input.name) && !/^float/.test(t.type)) {
        const data = t.data as Exclude<RuntimeTensor['data'], string[]>;
        if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(1n as never);
        else (data as Uint8Array).fill(1);
      }
      sample[input.name] = t;
    }
    samples.push(sample);
  }
  return samples;
}
