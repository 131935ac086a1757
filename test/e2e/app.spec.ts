/**
 * End-to-end: the built app in Debian's Chromium, served by `vite preview` with COOP/COEP. Files are given through
 * the hidden file input (as the picker would), the keyboard-reachable button, or a real drop event.
 * Expected numbers come from the fixture itself (burn_mnist.onnx, exported by PyTorch 1.13).
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModel, encodeModel, onnx } from '../../src/core/onnx/codec.js';
import { saveModel } from '../../src/core/onnx/model-file.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Real fixtures live in ../shared beside the repository (in CI too). */
const FIXTURES = path.resolve(HERE, '../../../shared/fixtures');
const MNIST = path.join(FIXTURES, 'onnx/burn_mnist.onnx');
const KERAS_H5 = path.join(FIXTURES, 'keras/fml__keras_3layer.h5');

const MNIST_OPS = { Relu: '4', Conv: '3', BatchNormalization: '2', Gemm: '2', Flatten: '1', LogSoftmax: '1' };

interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

function payload(name: string, bytes: Uint8Array): FilePayload {
  return { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function concat(chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

async function opCounts(page: Page): Promise<Record<string, string>> {
  return page.getByTestId('op-row').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [(r as HTMLElement).dataset.op, r.querySelector('[data-testid=op-count]')?.textContent?.trim()])),
  );
}

/** The summary burn_mnist.onnx must give, however it was opened. */
async function expectMnistSummary(page: Page, fileName: string, extra: { initializers?: number; parameters?: string } = {}) {
  await expect(page.getByTestId('summary')).toBeVisible();
  await expect(page.getByTestId('file-name')).toHaveText(fileName);
  await expect(page.getByTestId('ir-version')).toHaveText('7');
  await expect(page.getByTestId('opsets')).toHaveText('ai.onnx 13');
  await expect(page.getByTestId('producer')).toHaveText('pytorch 1.13.0');
  await expect(page.getByTestId('nodes')).toHaveText('13');
  await expect(page.getByTestId('nodes-total')).toHaveText('13');
  await expect(page.getByTestId('initializers')).toHaveText(String(extra.initializers ?? 18));
  await expect(page.getByTestId('parameters')).toHaveText(extra.parameters ?? '376,938');
  expect(await opCounts(page)).toEqual(MNIST_OPS);

  const input = page.locator('[data-testid=io-row][data-kind=input]');
  await expect(input).toHaveCount(1);
  await expect(input.getByTestId('io-name')).toHaveText('input');
  await expect(input.getByTestId('io-dtype')).toHaveText('float32');
  await expect(input.getByTestId('io-shape')).toHaveText('batch × 1 × 28 × 28');
  // The symbolic dimension is shown by its name, marked up as a variable.
  await expect(input.locator('var')).toHaveText('batch');
  const output = page.locator('[data-testid=io-row][data-kind=output]');
  await expect(output.getByTestId('io-name')).toHaveText('log_probs');
  await expect(output.getByTestId('io-shape')).toHaveText('batch × 10');
  await expect(page.getByTestId('error')).toHaveCount(0);
}

/** Dispatches a real drag-and-drop of `files` on the drop zone, with a DataTransfer built in the page. */
async function dropFiles(page: Page, files: FilePayload[]) {
  const dataTransfer = await page.evaluateHandle((specs) => {
    const dt = new DataTransfer();
    for (const { name, base64 } of specs) {
      const binary = atob(base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      dt.items.add(new File([bytes], name));
    }
    return dt;
  }, files.map((f) => ({ name: f.name, base64: f.buffer.toString('base64') })));
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await dataTransfer.dispose();
}

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('/');
  await expect(page.getByTestId('dropzone')).toBeVisible();
});

test('opens a model from the file input and shows its summary', async ({ page }) => {
  await page.getByTestId('file-input').setInputFiles(MNIST);
  await expectMnistSummary(page, 'burn_mnist.onnx');
  await expect(page.getByTestId('file-size')).toHaveAttribute('data-value', '1509899');
  await expect(page.getByTestId('parameters-by-dtype')).toHaveText('float32 376,938');
  await expect(page.getByTestId('weight-bytes')).toHaveAttribute('data-value', '1507752');
});

test('opens a model dropped on the page', async ({ page }) => {
  await dropFiles(page, [payload('burn_mnist.onnx', readFileSync(MNIST))]);
  await expectMnistSummary(page, 'burn_mnist.onnx');
});

test('the drop zone is a keyboard-operable button that opens the file picker', async ({ page }) => {
  const zone = page.getByTestId('dropzone');
  await expect(zone).toHaveRole('button');
  await page.keyboard.press('Tab');
  await expect(zone).toBeFocused();
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  const fileChooser = await chooser;
  expect(fileChooser.isMultiple()).toBe(true);
  await fileChooser.setFiles(MNIST);
  await expectMnistSummary(page, 'burn_mnist.onnx');
});

test('Save downloads the re-encoded model, byte-identical to the input', async ({ page }) => {
  const original = readFileSync(MNIST);
  await page.getByTestId('file-input').setInputFiles(MNIST);
  await expectMnistSummary(page, 'burn_mnist.onnx');

  const downloading = page.waitForEvent('download');
  await page.getByTestId('save').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('burn_mnist.onnx');
  const saved = readFileSync(await download.path());

  const decoded = decodeModel(new Uint8Array(saved));
  expect(summarizeModel(decoded)).toEqual(summarizeModel(decodeModel(new Uint8Array(original))));
  expect(Buffer.from(encodeModel(decoded)).equals(saved)).toBe(true);
  expect(saved.length).toBe(original.length);
  expect(saved.equals(original)).toBe(true);
});

test('bad input shows a clear error, and the page keeps working', async ({ page }) => {
  const input = page.getByTestId('file-input');
  const error = page.getByTestId('error');

  await input.setInputFiles(payload('empty.onnx', new Uint8Array(0)));
  await expect(error).toBeVisible();
  await expect(error).toHaveRole('alert');
  await expect(error).toContainText('empty');
  // The core's error code survives the trip through the worker.
  await expect(error).toHaveAttribute('data-code', 'empty-file');
  await expect(page.getByTestId('summary')).toHaveCount(0);

  await input.setInputFiles(payload('model.onnx', readFileSync(KERAS_H5)));
  await expect(error).toContainText('HDF5');
  await expect(error).toContainText('not an ONNX model');
  await expect(error).toHaveAttribute('data-code', 'wrong-format');
  await expect(page.getByTestId('summary')).toHaveCount(0);

  await input.setInputFiles(MNIST);
  await expectMnistSummary(page, 'burn_mnist.onnx');
  await expect(error).toHaveCount(0);
});

test('opens a model with external data dropped together with its side file', async ({ page }) => {
  const saved = saveModel(decodeModel(new Uint8Array(readFileSync(MNIST))), { externalDataThreshold: 1024, modelFileName: 'mnist.onnx' });
  expect(saved.externalData?.location).toBe('mnist.onnx.data');
  const model = concat(saved.modelChunks);
  const side = concat(saved.externalData!.chunks);
  expect(side.length).toBe(saved.externalData!.byteLength);

  // Without the side file the error names the file it needs.
  await page.getByTestId('file-input').setInputFiles(payload('mnist.onnx', model));
  await expect(page.getByTestId('error')).toContainText("'mnist.onnx.data'");
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'external-data');

  // Side file first: the worker must pick the model by name, not by position.
  await dropFiles(page, [payload('mnist.onnx.data', side), payload('mnist.onnx', model)]);
  await expectMnistSummary(page, 'mnist.onnx');
  await expect(page.getByTestId('side-files')).toContainText('mnist.onnx.data');
  await expect(page.getByTestId('side-files')).toContainText(`${saved.externalData!.tensors} tensors`);

  // Both at once through the file input too.
  await page.getByTestId('file-input').setInputFiles([payload('mnist.onnx', model), payload('mnist.onnx.data', side)]);
  await expectMnistSummary(page, 'mnist.onnx');
});

test('reading and saving a 100 MB model keep its bytes off the main thread', async ({ page }) => {
  test.setTimeout(120_000);
  const BIG = 100 * 1024 * 1024;
  // burn_mnist plus one 100 MiB float initializer (zeros: cheap to make, and the decoder does not care).
  const model = decodeModel(new Uint8Array(readFileSync(MNIST)));
  model.graph!.initializer!.push(
    new onnx.TensorProto({ name: 'big', data_type: onnx.TensorProto.DataType.FLOAT, dims: [BIG / 4], raw_data: new Uint8Array(BIG) }),
  );
  // Playwright refuses in-memory buffers over 50 MB for setInputFiles, so the model goes through a file.
  const bigPath = test.info().outputPath('big.onnx');
  const bigBytes = Buffer.from(encodeModel(model));
  writeFileSync(bigPath, bigBytes);

  // Counts, on the main thread, every byte it reads from a Blob or File and every array byte a worker or port sends
  // it. Blobs cross by reference and are not counted: that is the point: the bytes of a model stay in the workers.
  // (A count of bytes, not a long-task timing: timings on a loaded CI machine make flaky tests.)
  await page.addInitScript(() => {
    const w = window as unknown as { mainThreadBytes: { read: number; received: number } };
    w.mainThreadBytes = { read: 0, received: 0 };
    const arrayBytes = (value: unknown, seen = new Set<unknown>()): number => {
      if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
      seen.add(value);
      if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return value.byteLength;
      if (ArrayBuffer.isView(value)) return value.byteLength;
      if (value instanceof Blob) return 0;
      let total = 0;
      for (const v of Object.values(value)) total += arrayBytes(v, seen);
      return total;
    };
    const countReads = <T extends object>(proto: T, method: keyof T, size: (self: never, args: unknown[]) => number) => {
      const original = proto[method] as (...args: unknown[]) => unknown;
      (proto as Record<keyof T, unknown>)[method] = function (this: never, ...args: unknown[]) {
        w.mainThreadBytes.read += size(this, args);
        return original.apply(this, args);
      };
    };
    for (const method of ['arrayBuffer', 'bytes', 'text', 'stream'] as const) {
      if (method in Blob.prototype) countReads(Blob.prototype, method, (self: Blob) => self.size);
    }
    for (const method of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsDataURL', 'readAsText'] as const) {
      countReads(FileReader.prototype, method, (_self, args) => (args[0] as Blob).size);
    }
    const onMessage = (e: Event) => (w.mainThreadBytes.received += arrayBytes((e as MessageEvent).data));
    const OriginalWorker = window.Worker;
    window.Worker = class extends OriginalWorker {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        this.addEventListener('message', onMessage);
      }
    };
    const addListener = MessagePort.prototype.addEventListener;
    MessagePort.prototype.addEventListener = function (this: MessagePort, ...args: Parameters<MessagePort['addEventListener']>) {
      if (args[0] === 'message') addListener.call(this, 'message', onMessage);
      return addListener.apply(this, args);
    } as MessagePort['addEventListener'];
  });
  await page.reload();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  const bytesOnMainThread = () => page.evaluate(() => (window as unknown as { mainThreadBytes: { read: number; received: number } }).mainThreadBytes);

  await page.getByTestId('file-input').setInputFiles(bigPath);
  await expectMnistSummary(page, 'big.onnx', { initializers: 19, parameters: (376_938 + BIG / 4).toLocaleString('en-US') });
  const afterReading = await bytesOnMainThread();
  console.log('bytes on the main thread after reading:', afterReading);
  // A summary and some progress events: kilobytes, where the model is 100 MiB.
  expect(afterReading.read).toBe(0);
  expect(afterReading.received).toBeLessThan(1024 * 1024);

  const downloading = page.waitForEvent('download');
  await page.getByTestId('save').click();
  const saved = readFileSync(await (await downloading).path());
  expect(saved.length).toBe(bigBytes.length);
  expect(saved.equals(bigBytes)).toBe(true);
  const afterSaving = await bytesOnMainThread();
  console.log('bytes on the main thread after saving:', afterSaving);
  expect(afterSaving.read).toBe(0);
  expect(afterSaving.received).toBeLessThan(1024 * 1024);
});

test('the page is cross-origin isolated', async ({ page }) => {
  const response = await page.goto('/');
  const headers = response!.headers();
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
});
