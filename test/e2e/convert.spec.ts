/**
 * End-to-end: PyTorch weights → ONNX on the Convert page of the built app (Chromium; the convert worker reads the
 * pickle, builds the graph and runs it in onnxruntime-web's wasm). The reference .npz beside the fixture holds an
 * input and torchvision's own eval-mode output, so the relL2 the page shows is against PyTorch, not against us.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { test, expect } from '@playwright/test';
import { FIXTURES } from './hub-fixture.js';
import { entry } from './page-helpers.js';

const SQUEEZENET = path.join(FIXTURES, 'pytorch/torchvision/squeezenet1_1-random.pth');
const REFERENCE = path.join(FIXTURES, 'pytorch/torchvision/squeezenet1_1-random.reference.npz');

test('a dropped squeezenet1_1 .pth: the architecture is recognised and picked, converted, checked against torchvision\'s output, and saved with its lineage', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/convert');
  await page.getByTestId('convert-drop-input').setInputFiles(SQUEEZENET);
  const info = page.getByTestId('convert-info');
  await expect(info).toHaveAttribute('data-kind', 'state-dict', { timeout: 30_000 });
  await expect(info).toContainText('squeezenet1_1-random.pth');
  await expect(page.getByTestId('convert-guess')).toHaveText('squeezenet1_1');
  await expect(page.getByTestId('convert-arch')).toHaveValue('squeezenet1_1');
  // Picked explicitly, as a user confirming the guess would.
  await page.getByTestId('convert-arch').selectOption('squeezenet1_1');
  await page.getByTestId('convert-reference').setInputFiles(REFERENCE);
  await page.getByTestId('convert-run').click();

  const check = page.getByTestId('convert-check');
  await expect(check.or(page.getByTestId('convert-error'))).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('convert-error')).toHaveCount(0);
  await expect(check).toHaveAttribute('data-passed', 'true');
  const relL2 = Number(await page.getByTestId('check-rel-l2').getAttribute('data-value'));
  console.log(`squeezenet1_1 in Chromium vs torchvision: relL2 ${relL2.toExponential(2)}`);
  expect(relL2).toBeLessThanOrEqual(1e-5);
  await expect(page.getByTestId('convert-result-arch')).toHaveText('squeezenet1_1');
  // torchvision's squeezenet1_1 has 1,235,496 parameters.
  await expect(page.getByTestId('convert-params')).toHaveText('1,235,496');
  await expect(page.getByTestId('convert-io')).toContainText('input float32 [batch, 3, 224, 224]');

  await page.getByTestId('save').click();
  await expect(page.getByTestId('saved')).toHaveAttribute('data-id', 'onnx/squeezenet1_1-random');
  await page.goto('/#/library');
  const saved = entry(page, 'onnx/squeezenet1_1-random');
  await expect(saved).toBeVisible();
  await expect(saved.getByTestId('entry-lineage')).toHaveAttribute('data-from', 'file:squeezenet1_1-random.pth');
  await expect(saved.getByTestId('entry-lineage')).toContainText('convert-to-onnx');
});

test('a library .pth converts to safetensors; a pickle that calls os.system is refused by name, nothing run, nothing saved', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/library');
  await page.getByTestId('library-dropzone-input').setInputFiles(SQUEEZENET);
  const imported = entry(page, 'pytorch/squeezenet1_1-random.pth');
  await expect(imported).toBeVisible();
  await imported.getByTestId('convert').click();
  await expect(page).toHaveURL(/#\/convert\/pytorch\//);
  await expect(page.getByTestId('convert-info')).toHaveAttribute('data-kind', 'state-dict', { timeout: 30_000 });
  await page.getByTestId('target-safetensors').check();
  await page.getByTestId('convert-run').click();
  await expect(page.getByTestId('convert-lines')).toContainText('52 tensors', { timeout: 60_000 });
  const downloading = page.waitForEvent('download');
  await page.getByTestId('download-result').click();
  const bytes = readFileSync(await (await downloading).path());
  // safetensors: an 8-byte header length, then the JSON header naming the tensors.
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  expect(Object.keys(header).filter((k) => k !== '__metadata__')).toHaveLength(52);
  expect(header['features.0.weight']).toMatchObject({ dtype: 'F32', shape: [64, 3, 3, 3] });

  // PROTO 2, GLOBAL 'os system', the argument, TUPLE1, REDUCE, STOP: what a malicious checkpoint does.
  const evil = new Uint8Array([0x80, 0x02, ...Buffer.from('cos\nsystem\nX\x0a\x00\x00\x00touch /tmp\x85R.', 'latin1')]);
  const archive = zipSync({ 'evil/data.pkl': [evil, { level: 0 }], 'evil/version': [new TextEncoder().encode('3\n'), { level: 0 }] });
  await page.goto('/#/convert');
  await page.getByTestId('convert-drop-input').setInputFiles({ name: 'evil.pt', mimeType: 'application/octet-stream', buffer: Buffer.from(archive) });
  const error = page.getByTestId('convert-error');
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toHaveAttribute('data-code', 'unsafe-code');
  await expect(error).toContainText('os.system');
  await expect(page.getByTestId('convert-result')).toHaveCount(0);
});

test('a dropped Keras ResNet-8 .h5 converts, its summary shows, and it computes what its TFLite twin computes', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/convert');
  await page.getByTestId('convert-drop-input').setInputFiles(path.join(FIXTURES, 'keras/mlperftiny__pretrainedResnet.h5'));
  const info = page.getByTestId('convert-info');
  await expect(info).toHaveAttribute('data-kind', 'keras', { timeout: 30_000 });
  await expect(info).toContainText('a Keras model');
  // The twin, converted by the worker through the TFLite path, runs beside the result on the same inputs.
  await page.getByTestId('convert-compare').setInputFiles(path.join(FIXTURES, 'tflite/mlperftiny__pretrainedResnet.tflite'));
  await page.getByTestId('convert-run').click();
  const comparison = page.getByTestId('convert-comparison');
  await expect(comparison.or(page.getByTestId('convert-error'))).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('convert-error')).toHaveCount(0);
  await expect(page.getByTestId('convert-result-arch')).toHaveText("Functional 'model'");
  await expect(page.getByTestId('convert-params')).toHaveText('78,666');
  await expect(page.getByTestId('convert-io')).toContainText('input_1 float32 [batch, 32, 32, 3]');
  await expect(page.getByTestId('comparison-row')).toHaveCount(1);
  const relL2 = Number(await page.getByTestId('comparison-rel-l2').getAttribute('data-value'));
  console.log(`Keras ResNet-8 vs its TFLite twin in Chromium: relL2 ${relL2.toExponential(2)}`);
  expect(relL2).toBeLessThanOrEqual(1e-4);
  await expect(comparison).toContainText('100%');
});

/** An .npz of float32 arrays (NumPy's format 1.0 headers, stored in a zip), for a reference input/output pair. */
function npz(arrays: Record<string, { shape: number[]; data: number[] }>): Buffer {
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, { shape, data }] of Object.entries(arrays)) {
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
    header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0]), Buffer.alloc(2), Buffer.from(header, 'latin1')]);
    head.writeUInt16LE(header.length, 8);
    entries[`${name}.npy`] = [Buffer.concat([head, Buffer.from(Float32Array.from(data).buffer)]), { level: 0 }];
  }
  return Buffer.from(zipSync(entries));
}

test('a TensorFlow SavedModel folder: frozen to a GraphDef, converted, and checked against the upstream input/output pair', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/convert');
  // TF Serving's half_plus_two (TF 1.14; its variables.index uses Snappy-compressed blocks).
  await page.getByTestId('convert-folder-input').setInputFiles(path.join(FIXTURES, 'tensorflow/savedmodel/tfserving_saved_model_half_plus_two_cpu'));
  const info = page.getByTestId('convert-info');
  await expect(info).toHaveAttribute('data-kind', 'tensorflow', { timeout: 30_000 });
  await expect(info).toContainText('a TensorFlow SavedModel with 5 signatures');
  await expect(page.getByTestId('convert-signature')).toHaveValue('serving_default');

  await page.getByTestId('target-graphdef').check();
  await page.getByTestId('convert-run').click();
  await expect(page.getByTestId('convert-lines')).toContainText("signature 'serving_default' frozen", { timeout: 60_000 });
  await expect(page.getByTestId('convert-lines')).toContainText('variables as constants');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('saved')).toHaveAttribute('data-id', 'tensorflow/tfserving_saved_model_half_plus_two_cpu-frozen');

  // The TF Serving README's example: y = 0.5·x + 2 on [1, 2, 5].
  await page.getByTestId('target-onnx').check();
  await page.getByTestId('convert-reference').setInputFiles({
    name: 'half_plus_two.npz', mimeType: 'application/octet-stream',
    buffer: npz({ x: { shape: [3, 1], data: [1, 2, 5] }, y: { shape: [3, 1], data: [2.5, 3, 4.5] } }),
  });
  await page.getByTestId('convert-run').click();
  const check = page.getByTestId('convert-check');
  await expect(check.or(page.getByTestId('convert-error'))).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('convert-error')).toHaveCount(0);
  await expect(check).toHaveAttribute('data-passed', 'true');
  expect(Number(await page.getByTestId('check-rel-l2').getAttribute('data-value'))).toBe(0);
});

test('a SavedModel folder dragged from the desktop onto the Convert page is walked, its layout kept', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto('/#/convert');
  await expect(page.getByTestId('convert-drop')).toBeVisible();
  // A real OS drag of a folder, through Chromium's input pipeline (the page sees DataTransfer items with a
  // directory entry, as when a user drags a folder from a file manager).
  const cdp = await page.context().newCDPSession(page);
  const folder = path.join(FIXTURES, 'tensorflow/savedmodel/tfjs_node_times_three_float');
  const box = (await page.getByTestId('convert-drop').boundingBox())!;
  const at = { x: box.x + 20, y: box.y + 20 };
  const data = { items: [], files: [folder], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  const info = page.getByTestId('convert-info');
  await expect(info).toHaveAttribute('data-kind', 'tensorflow', { timeout: 30_000 });
  await expect(info).toContainText('tfjs_node_times_three_float/saved_model.pb: a TensorFlow SavedModel with 1 signature');
  await page.getByTestId('convert-run').click();
  await expect(page.getByTestId('convert-report')).toContainText("SavedModel signature 'serving_default'", { timeout: 60_000 });
});

test('a TF Hub .tar.gz is unpacked in the browser, frozen (empty tag set, signature default) and converted: 0.5·x + 2', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto('/#/convert');
  await page.getByTestId('convert-drop-input').setInputFiles(path.join(FIXTURES, 'tensorflow/savedmodel/tfhub_half_plus_two_v1_archive/half_plus_two_v1.tar.gz'));
  await expect(page.getByTestId('convert-info')).toContainText('a TF Hub archive with 1 signature', { timeout: 30_000 });
  await expect(page.getByTestId('convert-signature')).toHaveValue('default');
  // The frozen graph's input is the signature's 'default'; its output, named 'default' too, becomes 'default_output'.
  await page.getByTestId('convert-reference').setInputFiles({
    name: 'hub.npz', mimeType: 'application/octet-stream',
    buffer: npz({ default: { shape: [3], data: [1, 2, 5] }, output: { shape: [3], data: [2.5, 3, 4.5] } }),
  });
  await page.getByTestId('convert-run').click();
  const check = page.getByTestId('convert-check');
  await expect(check.or(page.getByTestId('convert-error'))).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('convert-error')).toHaveCount(0);
  await expect(check).toHaveAttribute('data-passed', 'true');
});
