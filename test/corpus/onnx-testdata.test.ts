/**
 * All 1,072 models of Debian's libonnx-testdata (the ONNX 1.12 backend test suite): each decodes, re-encodes byte
 * for byte, decodes again to the same model, and — run in onnxruntime — the re-encoded model reproduces the
 * expected outputs (rtol 1e-3, atol 1e-7) wherever onnxruntime can run it. The few it cannot are listed with the
 * reason in onnx-testdata-skips.json.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { ONNX_TESTDATA } from '../support/paths.js';
import { firstDifference } from '../support/model-equal.js';
import { jsApiLimitation, runBackendCase } from '../support/onnx-testdata.js';
import skips from './onnx-testdata-skips.json';

const cases = existsSync(ONNX_TESTDATA)
  ? readdirSync(ONNX_TESTDATA).flatMap((group) =>
      readdirSync(join(ONNX_TESTDATA, group))
        .filter((name) => existsSync(join(ONNX_TESTDATA, group, name, 'model.onnx')))
        .map((name) => `${group}/${name}`))
    .sort()
  : [];
const skipReason = new Map(Object.entries(skips.skip).flatMap(([reason, names]) => names.map((n) => [n, reason] as const)));

describe("Debian's libonnx-testdata", () => {
  it('is installed with all 1,072 models (apt-get install libonnx-testdata)', () => {
    expect(cases.length).toBe(1072);
  });

  it('every model round-trips: identical bytes, and the same model field by field', () => {
    const failures: string[] = [];
    for (const name of cases) {
      const bytes = readFileSync(join(ONNX_TESTDATA, name, 'model.onnx'));
      const model = decodeModel(bytes);
      const encoded = encodeModel(model);
      if (Buffer.compare(Buffer.from(encoded), bytes) !== 0) failures.push(`${name}: bytes differ`);
      const diff = firstDifference(decodeModel(encoded), model);
      if (diff) failures.push(`${name}: ${diff}`);
    }
    expect(failures).toEqual([]);
  });

  it('the skip list names only existing cases and stays short', () => {
    expect([...skipReason.keys()].filter((n) => !cases.includes(n))).toEqual([]);
    expect(skipReason.size).toBeLessThan(cases.length * 0.1);
  });

  it('re-encoded models reproduce the expected outputs in onnxruntime', async () => {
    const failures: string[] = [];
    const nowPassing: string[] = [];
    let checkedOutputs = 0;
    let passed = 0;
    for (const name of cases) {
      const dir = join(ONNX_TESTDATA, name);
      const limitation = jsApiLimitation(decodeModel(readFileSync(join(dir, 'model.onnx'))));
      let failure: string | null = limitation;
      if (!limitation) {
        try {
          const result = await runBackendCase(dir);
          failure = result.failure;
          checkedOutputs += result.outputs;
        } catch (e) {
          failure = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        }
      }
      if (skipReason.has(name)) {
        if (!failure) nowPassing.push(name);
      } else if (failure) failures.push(`${name}: ${failure}`);
      else passed++;
    }
    console.log(`libonnx-testdata: ${passed} models checked (${checkedOutputs} outputs), ${skipReason.size} skipped`);
    expect(failures).toEqual([]);
    // A skipped case that now passes must leave the list, so the list keeps saying why each skip is needed.
    expect(nowPassing).toEqual([]);
    expect(passed).toBe(cases.length - skipReason.size);
  });
});
