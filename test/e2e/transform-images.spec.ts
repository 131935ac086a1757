/**
 * End-to-end: torchvision's SqueezeNet 1.1 quantized to int8 (static QDQ) calibrated on 4 PNG images given on the
 * Transform page, in the built app (Chromium, onnxruntime-web's wasm in the transform worker). The PNGs are written
 * here in Node (zlib-deflated scanlines, CRC-32 chunks); the worker decodes them (createImageBitmap, OffscreenCanvas)
 * and preprocesses them as the page states (resized to 224×224 bilinear, RGB, /255, ImageNet mean/std). A file that
 * is not an image fails the run with a sentence naming it; a model that takes no images has the choice disabled.
 */
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { FIXTURES } from './hub-fixture.js';
import { entry, runToTheEnd } from './page-helpers.js';

const SQUEEZENET = path.join(FIXTURES, 'onnx/tv_squeezenet1_1.onnx');
const SQUEEZENET_ID = 'onnx/tv_squeezenet1_1.onnx';
const TWO_LAYER = path.join(FIXTURES, 'onnx/fml__two_layer_keras.onnx');
const TWO_LAYER_ID = 'onnx/fml__two_layer_keras.onnx';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of `width` × `height` whose pixel (x, y) is `pixel(x, y)`. */
function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter method, no interlace
  const rows = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    const at = y * (1 + 3 * width); // filter byte 0: none
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), at + 1 + 3 * x);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array(0))]);
}

/** Four varied pictures (gradients, rings, checks, seeded noise), each of another size: all are resized to 224×224. */
function pictures(): Array<{ name: string; mimeType: string; buffer: Buffer }> {
  let state = 12345;
  const noise = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return [
    { name: 'gradient.png', mimeType: 'image/png', buffer: png(64, 48, (x, y) => [clamp((x * 255) / 63), clamp((y * 255) / 47), 128]) },
    { name: 'rings.png', mimeType: 'image/png', buffer: png(80, 80, (x, y) => { const r = Math.hypot(x - 40, y - 40); return [clamp(128 + 127 * Math.sin(r / 3)), clamp(128 + 127 * Math.cos(r / 5)), clamp(255 - 3 * r)]; }) },
    { name: 'checks.png', mimeType: 'image/png', buffer: png(32, 40, (x, y) => ((x >> 2) + (y >> 2)) % 2 ? [230, 200, 40] : [20, 60, 140]) },
    { name: 'noise.png', mimeType: 'image/png', buffer: png(50, 30, () => [noise(), noise(), noise()]) },
  ];
}

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

const STATED = 'resized to 224×224 bilinear, RGB, /255, normalised with ImageNet mean/std';

test('SqueezeNet int8 static calibrated on 4 dropped-in PNGs: the preprocessing is stated, the report and comparison show it', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/#/library');
  await page.getByTestId('library-dropzone-input').setInputFiles([SQUEEZENET, TWO_LAYER]);
  await expect(entry(page, SQUEEZENET_ID)).toBeVisible();
  await expect(entry(page, TWO_LAYER_ID)).toBeVisible();

  // A model that takes no images: the choice is disabled, with the reason.
  await entry(page, TWO_LAYER_ID).getByTestId('transform').click();
  await page.getByTestId('add-step-quantize-int8-static').click();
  await expect(page.getByTestId('calibrate-images-why')).toHaveText(
    "Images need a model with one float32 image input [N, C, H, W] or [N, H, W, C] with 1 or 3 channels; this model takes 'input_1_0' float32 [1, 10], which is not of rank 4 (it has rank 2).",
  );
  await expect(page.getByTestId('calibrate-on-images')).toBeDisabled();
  await expect(page.getByTestId('calibrate-images')).toBeDisabled();

  // SqueezeNet takes [batch, 3, 224, 224]: images are offered, with their preprocessing.
  await page.getByLabel('Model', { exact: true }).selectOption(`${SQUEEZENET_ID}|tv_squeezenet1_1.onnx`);
  await expect(page.getByTestId('calibrate-on-images')).toBeEnabled();
  await expect(page.getByTestId('calibrate-images-why')).toHaveCount(0);
  await expect(page.getByTestId('calibrate-images-preprocessing')).toContainText(STATED);
  await page.getByTestId('calibrate-on-images').check();
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.locator('#run-hint')).toHaveText('Choose or drop images to calibrate on, or calibrate on random samples.');

  await page.getByTestId('calibrate-images').setInputFiles(pictures());
  await expect(page.getByTestId('calibrate-images-count')).toHaveText('4 images chosen, one sample each');
  await expect(page.getByTestId('calibrate-on-images')).toBeChecked();
  await expect(page.getByTestId('run')).toBeEnabled();
  await runToTheEnd(page);

  const report = page.getByTestId('step-report').first();
  await expect(report).toHaveAttribute('data-step', 'quantize-int8-static');
  await expect(report).toContainText('calibrated on 4 samples given by the caller');
  await expect(report.getByTestId('report-added')).toContainText('QuantizeLinear');
  await expect(page.getByTestId('calibration-used')).toHaveAttribute('data-kind', 'images');
  await expect(page.getByTestId('calibration-used')).toContainText(`Calibration samples: 4 images, ${STATED}`);

  // Compared with the original (on seeded random inputs): close, and finite.
  const outputs = page.getByTestId('compare-output');
  await expect(outputs).toHaveCount(1);
  const relL2 = Number(await outputs.first().getByTestId('rel-l2').textContent());
  console.log(`SqueezeNet int8 static on 4 images: rel L2 ${relL2}`);
  expect(Number.isFinite(relL2)).toBe(true);
  expect(relL2).toBeGreaterThan(0);
  expect(relL2).toBeLessThan(0.2);
});

test('a file that is not an image among the calibration images fails the run with a sentence naming it', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/library');
  await page.getByTestId('library-dropzone-input').setInputFiles(SQUEEZENET);
  await entry(page, SQUEEZENET_ID).getByTestId('transform').click();
  await page.getByTestId('add-step-quantize-int8-static').click();
  await expect(page.getByTestId('calibrate-on-images')).toBeEnabled();

  // Images dropped on the control are taken there (the page-wide drop handler leaves them alone).
  const [first] = pictures();
  await page.getByTestId('calibrate-images-zone').evaluate((zone, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [...first.buffer]);
  await expect(page.getByTestId('calibrate-images-count')).toHaveText('1 image chosen, one sample each');
  await expect(page.getByTestId('calibrate-on-images')).toBeChecked();
  await expect(page).toHaveURL(/#\/transform/);

  const files = [...pictures().slice(0, 2), { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture\n') }];
  await page.getByTestId('calibrate-images').setInputFiles(files);
  await expect(page.getByTestId('calibrate-images-count')).toHaveText('3 images chosen, one sample each');
  await page.getByTestId('run').click();
  const error = page.getByTestId('transform-error');
  await expect(error).toBeVisible({ timeout: 60_000 });
  await expect(error).toHaveAttribute('data-code', 'wrong-format');
  await expect(error).toContainText('notes.txt is not an image this browser can decode');
  await expect(page.getByTestId('transform-done')).toHaveCount(0);
});
