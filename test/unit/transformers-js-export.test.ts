// The transformers.js export: file names as transformers.js resolves dtypes (onnx/model<suffix>.onnx), every variant
// decodes and runs in onnxruntime on bert-tiny's reference inputs within rel L2 0.05 of float32, and the zip holds
// exactly the same bytes.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { inputsFromNpz } from '../../src/core/validate/inputs.js';
import { relL2 } from '../../src/core/validate/metrics.js';
import { ortRuntime } from '../../src/core/validate/ort-runtime.js';
import { countOps, floatTensor, makeNode } from '../../src/core/rewrites/graph.js';
import { OmnihubError } from '../../src/core/errors.js';
import {
  buildTransformersJsLayout,
  isTransformersJsExtra,
  parseVariants,
  transformersJsEntryName,
  transformersJsLineage,
  transformersJsRecipe,
  zipLayout,
  type TransformersJsLayout,
} from '../../src/core/export/transformers-js.js';
import { fixture } from '../support/paths.js';

const model = new Uint8Array(readFileSync(fixture('hf/bert-tiny/model.onnx')));
const config = new Uint8Array(readFileSync(fixture('hf/bert-tiny/config.json')));
const runtime = ortRuntime();
let layout: TransformersJsLayout;
const streamed: string[] = [];

beforeAll(async () => {
  layout = await buildTransformersJsLayout(
    { model, extraFiles: [{ path: 'config.json', bytes: config }], variants: ['q4', 'fp32', 'q8', 'fp16'], runtime: ortRuntime({ graphOptimizationLevel: 'disabled' }) },
    (f) => void streamed.push(f.path),
  );
}, 300_000);

describe('transformers.js layout', () => {
  it('names the files as transformers.js opens them, config.json at the root, fp32 byte for byte', () => {
    expect(layout.files.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx']);
    expect(streamed).toEqual(layout.files.map((f) => f.path));
    expect(Buffer.compare(layout.files[0].bytes, config)).toBe(0);
    expect(Buffer.compare(layout.files[1].bytes, model)).toBe(0);
    expect(layout.variants.map((v) => [v.variant, v.recipe?.steps[0].step ?? null])).toEqual([
      ['fp32', null], ['fp16', 'float16'], ['q8', 'quantize-int8-dynamic'], ['q4', 'quantize-int4'],
    ]);
  });

  it('makes each variant with the operators transformers.js expects, float32 inputs and outputs kept', () => {
    const byPath = new Map(layout.files.filter((f) => f.path.endsWith('.onnx')).map((f) => [f.path, decodeModel(f.bytes)]));
    const ops = (p: string) => countOps(byPath.get(p)!);
    expect(ops('onnx/model_quantized.onnx').MatMulInteger).toBeGreaterThan(0);
    expect(ops('onnx/model_quantized.onnx').DynamicQuantizeLinear).toBeGreaterThan(0);
    expect(ops('onnx/model_q4.onnx')['com.microsoft:MatMulNBits']).toBeGreaterThan(0);
    const fp16 = summarizeModel(byPath.get('onnx/model_fp16.onnx')!);
    expect(fp16.parametersByDtype.float16).toBeGreaterThan(0);
    const fp32 = summarizeModel(byPath.get('onnx/model.onnx')!);
    for (const p of layout.files.slice(2).map((f) => f.path)) {
      const s = summarizeModel(byPath.get(p)!);
      expect(s.inputs.map((i) => [i.name, i.dtype])).toEqual(fp32.inputs.map((i) => [i.name, i.dtype]));
      expect(s.outputs.map((o) => [o.name, o.dtype])).toEqual(fp32.outputs.map((o) => [o.name, o.dtype]));
    }
    // bert-tiny has no Conv: q8 weights are int8, as transformers.js's script picks QInt8 there.
    expect(transformersJsRecipe('q8', decodeModel(model))!.steps[0].options).toMatchObject({ weightType: 'int8', perChannel: false, reduceRange: false });
    expect(transformersJsRecipe('q4', decodeModel(model))!.steps[0].options).toEqual({ blockSize: 32, symmetric: true, format: 'matmulnbits' });
    expect(transformersJsRecipe('fp16', decodeModel(model))!.steps[0].options).toMatchObject({ keepIoTypes: true });
  });

  it('every variant runs in onnxruntime on the reference inputs within rel L2 0.05 of float32', async () => {
    const feeds = inputsFromNpz(summarizeModel(decodeModel(model)), readNpz(new Uint8Array(readFileSync(fixture('reference/ort-py/bert-tiny.inputs.npz')))));
    const run = async (bytes: Uint8Array) => {
      const session = await runtime.createSession(bytes);
      try {
        const inputs = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
        return await session.run(inputs);
      } finally {
        await session.release();
      }
    };
    const reference = await run(layout.files[1].bytes);
    const errors: Record<string, number> = {};
    for (const f of layout.files.slice(2)) {
      const out = await run(f.bytes);
      for (const [name, t] of Object.entries(reference)) {
        const e = relL2(t.data as Float32Array, out[name].data as Float32Array);
        errors[`${f.path}:${name}`] = e;
        expect(e, `${f.path} ${name}`).toBeLessThan(0.05);
      }
    }
    console.log('rel L2 vs fp32:', errors);
  });

  it('zips the same files byte for byte, ONNX files stored', async () => {
    const zip = await zipLayout(layout.files);
    const unzipped = unzipSync(zip);
    expect(Object.keys(unzipped)).toEqual(layout.files.map((f) => f.path));
    for (const f of layout.files) expect(Buffer.compare(unzipped[f.path], f.bytes), f.path).toBe(0);
    // Stored: the zip is barely larger than the ONNX files together.
    const onnxBytes = layout.files.filter((f) => f.path.endsWith('.onnx')).reduce((n, f) => n + f.bytes.length, 0);
    expect(zip.length).toBeGreaterThan(onnxBytes);
    expect(zip.length).toBeLessThan(onnxBytes + config.length + 2000);
    // The same files make the same zip.
    expect(Buffer.compare(await zipLayout(layout.files), zip)).toBe(0);
  });

  it('records its recipes as lineage and names the entry', () => {
    const lineage = transformersJsLineage('onnx/model.onnx', layout);
    expect(lineage.from).toBe('onnx/model.onnx');
    expect(lineage.steps).toEqual([{ step: 'transformers-js-export', options: { variants: expect.objectContaining({ 'onnx/model_q4.onnx': { variant: 'q4', recipe: layout.variants[3].recipe } }) } }]);
    expect(transformersJsEntryName('model.onnx')).toBe('model-transformers-js');
    expect(transformersJsEntryName('prajjwal1--bert-tiny')).toBe('prajjwal1--bert-tiny-transformers-js');
    expect(new TextEncoder().encode(transformersJsEntryName('é'.repeat(150))).length).toBeLessThanOrEqual(200);
  });
});

describe('transformers.js export refuses', () => {
  it('unknown or no variants, extras among the ONNX files, fp16 without onnxruntime', async () => {
    expect(() => parseVariants(['fp32', 'int3'])).toThrow(/unknown variant 'int3'/);
    expect(() => parseVariants([])).toThrow(/at least one/);
    expect(parseVariants(['q4', 'fp32', 'q4'])).toEqual(['fp32', 'q4']);
    expect(isTransformersJsExtra('tokenizer.json')).toBe(true);
    expect(isTransformersJsExtra('onnx/model_fp16.onnx')).toBe(false);
    expect(isTransformersJsExtra('model.onnx')).toBe(false);
    expect(isTransformersJsExtra('model.onnx_data')).toBe(false);
    const fails = async (p: Promise<unknown>, code: string, text: RegExp) => {
      const e = await p.then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(OmnihubError);
      expect((e as OmnihubError).code).toBe(code);
      expect((e as Error).message).toMatch(text);
    };
    await fails(buildTransformersJsLayout({ model, variants: ['fp32'], extraFiles: [{ path: 'onnx/x.json', bytes: config }] }), 'usage', /among the ONNX files/);
    await fails(buildTransformersJsLayout({ model, variants: ['fp32'], extraFiles: [{ path: '../x.json', bytes: config }] }), 'unsafe-path', /not a relative/);
    await fails(buildTransformersJsLayout({ model, variants: ['fp16'] }), 'usage', /needs onnxruntime/);
  });

  it('picks uint8 q8 weights for a model with a Conv, as transformers.js does for onnxruntime-web', () => {
    const m = decodeModel(model);
    m.graph!.node!.push(makeNode('Conv', ['x', 'w'], ['y'], 'conv'));
    m.graph!.initializer!.push(floatTensor('w', [1, 1, 1, 1], new Float32Array([1])));
    expect(transformersJsRecipe('q8', m)!.steps[0].options).toMatchObject({ weightType: 'uint8' });
  });
});
