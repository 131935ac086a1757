/**
 * Runs one ONNX backend test case (a folder with model.onnx and test_data_set_N/{input,output}_K.pb) through the
 * codec and onnxruntime: decode, re-encode, run the re-encoded model, compare with the expected outputs.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, decodeTensorProto, encodeModel, type ModelProto } from '../../src/core/onnx/codec.js';
import { tensorProtoToRuntime, runtimeTypeOf } from '../../src/core/onnx/runtime-tensor.js';
import { tensorValues } from '../../src/core/onnx/tensor.js';
import { maxExcess, runModel } from './ort.js';

// The ONNX backend tests' default tolerances (onnx/backend/test/runner: assert_allclose rtol=1e-3, atol=1e-7).
export const RTOL = 1e-3;
export const ATOL = 1e-7;

export interface CaseResult {
  /** null when every output matched. */
  failure: string | null;
  outputs: number;
  /** Largest |actual − expected| − rtol·|expected| seen (≤ ATOL passes). */
  worstExcess: number;
}

/** Graph inputs the caller feeds: initializers listed as inputs (IR < 4) are weights, not feeds. */
export function feedInputs(model: ModelProto) {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  return (model.graph?.input ?? []).filter((i) => !initializers.has(i.name));
}

/** Why onnxruntime's JS API cannot run this case at all, judged from the model alone; null if it can. */
export function jsApiLimitation(model: ModelProto): string | null {
  for (const v of [...feedInputs(model), ...(model.graph?.output ?? [])]) {
    const t = v.type;
    if (!t?.tensor_type) return `'${v.name}' is a ${t?.sequence_type ? 'sequence' : t?.optional_type ? 'optional' : t?.map_type ? 'map' : 'non-tensor'} value; onnxruntime's JS API passes tensors only`;
    if (!runtimeTypeOf(t.tensor_type.elem_type ?? 0)) return `'${v.name}' has element type ${t.tensor_type.elem_type}, which onnxruntime's JS Tensor cannot hold`;
  }
  return null;
}

function sortedPb(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

export async function runBackendCase(dir: string): Promise<CaseResult> {
  const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
  const reencoded = encodeModel(model);
  const inputs = feedInputs(model);
  const outputs = model.graph?.output ?? [];
  let worst = 0;
  let count = 0;
  const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_') && existsSync(join(dir, d))).sort();
  for (const set of sets) {
    const feeds: Record<string, ReturnType<typeof tensorProtoToRuntime>> = {};
    sortedPb(join(dir, set), 'input_').forEach((file, i) => {
      feeds[inputs[i].name ?? ''] = tensorProtoToRuntime(decodeTensorProto(readFileSync(file)));
    });
    const results = await runModel(reencoded, feeds);
    const expectedFiles = sortedPb(join(dir, set), 'output_');
    for (const [i, file] of expectedFiles.entries()) {
      const expected = decodeTensorProto(readFileSync(file));
      const name = outputs[i].name ?? '';
      const actual = results[name];
      const want = tensorValues(expected);
      const wantType = runtimeTypeOf(expected.data_type ?? 0);
      if (!actual) return { failure: `output '${name}' missing`, outputs: count, worstExcess: worst };
      if (actual.type !== wantType) return { failure: `output '${name}' is ${actual.type}, expected ${wantType}`, outputs: count, worstExcess: worst };
      const wantDims = (expected.dims ?? []).map(Number);
      if (actual.dims.join() !== wantDims.join()) return { failure: `output '${name}' has shape [${actual.dims}], expected [${wantDims}]`, outputs: count, worstExcess: worst };
      if (Array.isArray(want)) {
        if ((actual.data as string[]).join('\u0000') !== want.join('\u0000')) return { failure: `output '${name}' strings differ`, outputs: count, worstExcess: worst };
      } else {
        const excess = maxExcess(actual.data as ArrayLike<number | bigint>, want as ArrayLike<number | bigint>, RTOL);
        worst = Math.max(worst, excess);
        if (excess > ATOL) return { failure: `output '${name}' differs: |a−b| exceeds atol+rtol·|b| by ${excess.toExponential(2)}`, outputs: count, worstExcess: worst };
      }
      count++;
    }
  }
  return { failure: null, outputs: count, worstExcess: worst };
}
