/**
 * Checks a converted model against a reference input/output pair (an .npz made by the source framework, such as the
 * fixtures' `reference.npz`: `input` → `output`, or `input_ids` → `output`). Inputs are fed by name; the text-model
 * inputs a reference often leaves out get their neutral values (attention_mask of ones, token_type_ids of zeros,
 * position_ids 0..n−1, shaped like input_ids). Expected outputs are matched by name, or, for a one-output model,
 * the array called `output` (or the one array that is not an input).
 */
import type { NpyArray } from '../formats/numpy/npy.js';
import { npyToRuntime, type RuntimeTensor } from '../onnx/runtime-tensor.js';
import { OmnihubError } from '../errors.js';
import type { CompareRuntime, RuntimeTensorLike } from './compare.js';
import { maxAbs, relL2 } from './metrics.js';

export interface ReferenceOutputCheck {
  /** The model's output. */
  name: string;
  /** The .npz array it was compared with. */
  expected: string;
  dims: number[];
  relL2: number;
  maxAbs: number;
  passed: boolean;
}

export interface ReferenceCheck {
  outputs: ReferenceOutputCheck[];
  /** Inputs fed from the .npz, and inputs given their neutral values. */
  inputsFromNpz: string[];
  defaultedInputs: string[];
  /** Model outputs that had no array to compare with. */
  unchecked: string[];
  tolerance: number;
  /** Every compared output within the tolerance (relL2), and at least one compared. */
  passed: boolean;
}

const NEUTRAL_TEXT_INPUTS: Record<string, (n: number, k: number) => bigint> = {
  attention_mask: () => 1n,
  token_type_ids: () => 0n,
  position_ids: (_n, k) => BigInt(k),
};

function neutralInput(name: string, like: NpyArray | undefined): RuntimeTensor | undefined {
  const value = NEUTRAL_TEXT_INPUTS[name];
  if (!value || !like) return undefined;
  const [rows, cols] = like.shape.length === 2 ? like.shape : [1, like.shape[0] ?? 0];
  const data = new BigInt64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) data[r * cols + k] = value(r, k);
  return { type: 'int64', data, dims: [...like.shape] };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export async function checkAgainstReference(
  model: Uint8Array,
  arrays: Map<string, NpyArray>,
  runtime: CompareRuntime,
  options: { tolerance?: number } = {},
): Promise<ReferenceCheck> {
  const tolerance = options.tolerance ?? 1e-4;
  const session = await runtime.createSession(model);
  try {
    const feeds: Record<string, RuntimeTensor> = {};
    const inputsFromNpz: string[] = [];
    const defaultedInputs: string[] = [];
    for (const name of session.inputNames) {
      const array = arrays.get(name);
      if (array) {
        feeds[name] = npyToRuntime(array);
        inputsFromNpz.push(name);
        continue;
      }
      const neutral = neutralInput(name, arrays.get('input_ids'));
      if (!neutral) {
        throw new OmnihubError('usage', `the reference .npz has no array for input '${name}' (it has ${[...arrays.keys()].map((k) => `'${k}'`).join(', ') || 'none'})`);
      }
      feeds[name] = neutral;
      defaultedInputs.push(name);
    }
    const produced = await session.run(feeds);

    const notInputs = [...arrays.keys()].filter((k) => !inputsFromNpz.includes(k));
    const expectedFor = (output: string): string | undefined => {
      if (arrays.has(output) && !inputsFromNpz.includes(output)) return output;
      if (session.outputNames.length !== 1) return undefined;
      if (arrays.has('output')) return 'output';
      return notInputs.length === 1 ? notInputs[0] : undefined;
    };
    const outputs: ReferenceOutputCheck[] = [];
    const unchecked: string[] = [];
    for (const name of session.outputNames) {
      const expectedName = expectedFor(name);
      if (!expectedName) {
        unchecked.push(name);
        continue;
      }
      const expected = arrays.get(expectedName)!;
      const actual = produced[name] as RuntimeTensorLike;
      if (!sameShape(actual.dims, expected.shape)) {
        throw new OmnihubError('usage', `output '${name}' has shape [${actual.dims.join(', ')}], the reference '${expectedName}' [${expected.shape.join(', ')}]`);
      }
      const a = actual.data as ArrayLike<number>;
      const b = expected.data as ArrayLike<number>;
      const r = relL2(a, b);
      outputs.push({ name, expected: expectedName, dims: [...actual.dims], relL2: r, maxAbs: maxAbs(a, b), passed: r <= tolerance });
    }
    return { outputs, inputsFromNpz, defaultedInputs, unchecked, tolerance, passed: outputs.length > 0 && outputs.every((o) => o.passed) };
  } finally {
    await session.release();
  }
}
