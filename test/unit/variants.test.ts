// rankVariants: the best-trade-off rule on synthetic numbers, one test per branch of the rule and per flag.
import { describe, expect, it } from 'vitest';
import type { CompareResult } from '../../src/core/validate/compare.js';
import { describeRule, rankVariants, type VariantMeasurement } from '../../src/core/validate/variants.js';

const ORIGINAL = { bytes: 1000 };

/** A comparison whose outputs have these rel L2s and whose latencies are a (original) and b (variant). */
function comparison(relL2s: number[], a: number, b: number): CompareResult {
  return {
    outputs: relL2s.map((r, i) => ({ name: `out${i}`, type: { a: 'float32', b: 'float32' }, dims: [1, 10], maxAbs: r, relL2: r, sqnrDb: -20 * Math.log10(r), top1Agree: 1 })),
    unmatched: { a: [], b: [] },
    inputs: {},
    latencyMs: { a, b },
    bytes: { a: 1000, b: 0 },
    warmup: 2,
    runs: 10,
  };
}

function variant(name: string, bytes: number, relL2: number | number[], latencyB: number, extra: Partial<VariantMeasurement> = {}): VariantMeasurement {
  return { name, bytes, comparison: comparison(Array.isArray(relL2) ? relL2 : [relL2], 10, latencyB), ...extra };
}

describe('rankVariants', () => {
  it('picks the smallest accurate variant within 1.5× the original latency, not a smaller one that is slow', () => {
    const r = rankVariants(ORIGINAL, [
      variant('int8 dynamic', 260, 0.02, 80, { ops: ['ConvInteger', 'DynamicQuantizeLinear'] }),
      variant('int8 static', 270, 0.03, 11),
      variant('float16', 500, 0.001, 9),
    ]);
    expect(r.best).toBe(1);
    expect(r.variants.map((v) => v.best)).toEqual([false, true, false]);
    expect(r.reason).toMatch(/^int8 static: the smallest file/);
    expect(r.variants[0].flags).toEqual(['slower']);
    expect(r.variants[0].latencyRatio).toBe(8);
    expect(r.variants[0].notes[0]).toMatch(/8\.0× the original's latency — dynamic int8 ConvInteger is slow on CPU/);
    expect(r.variants[0].accurate).toBe(true);
    expect(r.variants[1].flags).toEqual([]);
    expect(r.variants[1].sizeRatio).toBeCloseTo(0.27);
    expect(r.originalLatencyMs).toBe(10);
  });

  it('a slowdown without integer kernels is flagged without the dynamic-int8 explanation; exactly 1.5× is not slower', () => {
    const r = rankVariants(ORIGINAL, [variant('int4', 200, 0.01, 20, { ops: ['MatMulNBits'] }), variant('float16', 500, 0.01, 15)]);
    expect(r.variants[0].flags).toEqual(['slower']);
    expect(r.variants[0].notes[0]).toBe("Slower: 2.0× the original's latency.");
    expect(r.variants[1].flags).toEqual([]);
    expect(r.best).toBe(1);
  });

  it('when no accurate variant is fast enough, the fastest accurate one wins', () => {
    const r = rankVariants(ORIGINAL, [
      variant('int8 dynamic', 260, 0.02, 80, { ops: ['MatMulInteger'] }),
      variant('int4', 150, 0.2, 5), // fast and small, but inaccurate
      variant('other', 300, 0.04, 30),
    ]);
    expect(r.best).toBe(2);
    expect(r.reason).toMatch(/^other: no variant within tolerance runs within 1\.5× .* fastest of them \(3\.0×\)/);
    expect(r.variants[0].notes[0]).toMatch(/MatMulInteger is slow on CPU/);
    expect(r.variants[1].flags).toEqual(['inaccurate']);
    expect(r.variants[1].notes[0]).toMatch(/rel L2 0\.20 is over the tolerance 0\.05/);
  });

  it('none wins when every variant is over tolerance (the worst output counts), failed or not compared', () => {
    const r = rankVariants(ORIGINAL, [
      variant('a', 100, [0.01, 0.06], 10),
      variant('b', 100, NaN, 10),
      { name: 'c', bytes: 0, comparison: null, failed: 'float16 refused: still broken' },
      { name: 'd', bytes: 400, comparison: null },
    ]);
    expect(r.best).toBeNull();
    expect(r.reason).toMatch(/^None: no variant is within tolerance/);
    expect(r.variants[0].worstRelL2).toBe(0.06);
    expect(r.variants.map((v) => v.flags)).toEqual([['inaccurate'], ['inaccurate'], ['failed'], ['not-compared']]);
    expect(r.variants[2].notes[0]).toBe('Could not be made: float16 refused: still broken');
    expect(r.variants.every((v) => !v.best)).toBe(true);
    expect(rankVariants(ORIGINAL, []).reason).toMatch(/no variant was measured/);
  });

  it('an accuracy drop over 1 point makes a variant inaccurate even within the rel L2 tolerance', () => {
    const r = rankVariants(ORIGINAL, [
      variant('int8 static', 250, 0.03, 10, { accuracy: { before: 0.98, after: 0.95 } }),
      variant('float16', 500, 0.001, 10, { accuracy: { before: 0.98, after: 0.98 } }),
    ]);
    expect(r.variants[0].flags).toEqual(['inaccurate']);
    expect(r.variants[0].accuracyDrop).toBeCloseTo(0.03);
    expect(r.variants[0].notes[0]).toMatch(/drops by 3% \(more than 1%\)/);
    expect(r.variants[1].accuracy).toBe(0.98);
    expect(r.best).toBe(1);
  });

  it('size ties go to the faster; thresholds are options and the rule says them', () => {
    const r = rankVariants(ORIGINAL, [variant('x', 300, 0.01, 12), variant('y', 300, 0.01, 9)]);
    expect(r.best).toBe(1);
    const strict = rankVariants(ORIGINAL, [variant('x', 300, 0.01, 12), variant('y', 300, 0.01, 9)], { tolerance: 0.005 });
    expect(strict.best).toBeNull();
    const loose = rankVariants(ORIGINAL, [variant('slow', 100, 0.01, 25), variant('big', 600, 0.01, 10)], { maxSlowdown: 3 });
    expect(loose.best).toBe(0);
    expect(loose.rule).toBe(describeRule({ maxSlowdown: 3 }));
    expect(describeRule()).toMatch(/rel L2 is ≤ 0\.05 .* drops by ≤ 1%.* no slower than 1\.5× the original/);
  });
});
