/**
 * End-to-end: "Export for transformers.js" on the Library page, in the built app (Chromium). bert-tiny's model.onnx
 * and config.json are imported as one entry; fp32, fp16 and q8 are made in the export worker; the downloaded zip is
 * unzipped in Node (paths as transformers.js opens them, fp32 and config.json byte for byte, model_quantized.onnx
 * with MatMulInteger nodes); "Save to library" makes the huggingface entry with its 4 files and lineage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { FIXTURES, expect, test } from './hub-fixture.js';

const MODEL = path.join(FIXTURES, 'hf/bert-tiny/model.onnx');
const CONFIG = path.join(FIXTURES, 'hf/bert-tiny/config.json');

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

test('exports a library entry in the transformers.js layout as a zip and into the library', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/#/library');
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await page.getByTestId('library-dropzone-input').setInputFiles([MODEL, CONFIG]);
  const source = page.locator('[data-testid="entry"][data-id="onnx/model.onnx"]');
  await expect(source.getByTestId('entry-file')).toHaveCount(2);

  await source.getByTestId('export-tjs').click();
  const panel = source.getByTestId('tjs-panel');
  await expect(panel).toBeVisible();
  await panel.locator('[data-testid="tjs-variant"][data-variant="q4"]').uncheck();
  await panel.getByTestId('tjs-build').click();
  const made = panel.getByTestId('tjs-file');
  await expect(made).toHaveCount(4, { timeout: 120_000 });
  expect(await made.evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual([
    'config.json',
    'onnx/model.onnx',
    'onnx/model_fp16.onnx',
    'onnx/model_quantized.onnx',
  ]);

  const downloading = page.waitForEvent('download');
  await panel.getByTestId('tjs-download').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-transformers-js.zip');
  const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
  expect(Object.keys(files)).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_quantized.onnx']);
  expect(Buffer.from(files['config.json']).equals(readFileSync(CONFIG))).toBe(true);
  expect(Buffer.from(files['onnx/model.onnx']).equals(readFileSync(MODEL))).toBe(true);
  const q8 = summarizeModel(decodeModel(files['onnx/model_quantized.onnx']));
  expect(q8.nodesByOp.MatMulInteger).toBeGreaterThan(0);
  const fp16 = summarizeModel(decodeModel(files['onnx/model_fp16.onnx']));
  expect(fp16.parametersByDtype.float16).toBeGreaterThan(0);
  expect(fp16.inputs.map((i) => i.dtype)).toEqual(summarizeModel(decodeModel(files['onnx/model.onnx'])).inputs.map((i) => i.dtype));

  await panel.getByTestId('tjs-save').click();
  await expect(panel.getByTestId('tjs-saved')).toHaveAttribute('data-id', 'huggingface/model-transformers-js');
  const saved = page.locator('[data-testid="entry"][data-id="huggingface/model-transformers-js"]');
  await expect(saved).toBeVisible();
  await expect(saved.getByTestId('entry-file')).toHaveCount(4);
  expect(await saved.getByTestId('entry-file').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')).sort())).toEqual([
    'config.json',
    'onnx/model.onnx',
    'onnx/model_fp16.onnx',
    'onnx/model_quantized.onnx',
  ]);
  await expect(saved.getByTestId('entry-lineage')).toHaveAttribute('data-from', 'onnx/model.onnx');
  await expect(saved.getByTestId('entry-lineage')).toContainText('transformers-js-export');
  await expect(page.locator('[data-testid="framework"][data-framework="huggingface"]')).toBeVisible();

  // Saving again is refused by the library (the id is taken), with the core's message.
  await source.getByTestId('export-tjs').click();
  await source.getByTestId('export-tjs').click();
  await panel.locator('[data-testid="tjs-variant"][data-variant="fp16"]').uncheck();
  await panel.locator('[data-testid="tjs-variant"][data-variant="q8"]').uncheck();
  await panel.locator('[data-testid="tjs-variant"][data-variant="q4"]').uncheck();
  await panel.getByTestId('tjs-build').click();
  await expect(panel.getByTestId('tjs-file')).toHaveCount(2);
  await panel.getByTestId('tjs-save').click();
  await expect(panel.getByTestId('tjs-error')).toHaveAttribute('data-code', 'exists');
});
