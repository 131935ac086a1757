/**
 * End-to-end: the Library and Browse pages and the downloads panel, in the built app (Chromium, `vite preview` with
 * COOP/COEP), against a real loopback Hub server started by each test (hub-fixture.ts) with injected faults.
 * Everything is checked from outside the app as well: bytes saved through the UI's export are compared with the
 * served file in Node, and the server's recorded requests show what was fetched (Range requests, bytes sent).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { saveModel } from '../../src/core/onnx/model-file.js';
import {
  APP_ORIGIN,
  FIXTURES,
  contentGets,
  downloadHubFile,
  downloadRow,
  expect,
  hubKey,
  randomFile,
  rangeStart,
  setHubUrlInSettings,
  sha256,
  test,
  useHub,
  waitForServiceWorker,
} from './hub-fixture.js';
import { entry } from './page-helpers.js';

const MNIST = new Uint8Array(readFileSync(path.join(FIXTURES, 'onnx/burn_mnist.onnx')));
const MiB = 1024 * 1024;

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

async function openLibrary(page: Page) {
  await page.getByTestId('nav-library').click();
  await expect(page.getByRole('heading', { name: 'Library', level: 2 })).toBeVisible();
}

/** Saves a stored file through the Library page's "Save copy" button and returns the downloaded bytes. */
async function exportThroughUi(page: Page, id: string, file: string): Promise<Buffer> {
  const downloading = page.waitForEvent('download');
  await entry(page, id).locator(`[data-testid="entry-file"][data-path="${file}"]`).getByTestId('export').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(file.split('/').pop());
  return readFileSync(await download.path());
}

test('search finds a repository, lists its files, and a download that drops twice resumes and ends byte-identical', async ({ page, hub }) => {
  const big = randomFile(5 * MiB + 321);
  const repo = hub.addRepo({
    id: 'acme/big-model',
    files: { 'README.md': '# A big model\n', 'model.bin': big },
    downloads: 1234,
    likes: 56,
    pipeline_tag: 'image-classification',
  });
  hub.addRepo({ id: 'someone/unrelated', files: { 'x.onnx': MNIST } });
  const served = repo.file('model.bin');
  served.faults.push({ cutAt: 1_500_000 }, { cutAt: 3_500_000 });
  // A cut resets the connection, and what the browser has not read from its socket by then is lost (even the response
  // head, when the server wrote 1.5 MB in one burst). At 8 MB/s (written in 400 KB pieces every 50 ms) the page keeps
  // up, so each cut leaves the bytes before it stored and the next request resumes from there.
  served.bytesPerSecond = 8_000_000;

  await page.goto('/');
  // The hub URL goes through the Settings page here (the other tests set it before load).
  await setHubUrlInSettings(page, hub.url);

  await page.getByTestId('nav-hf').click();
  await expect(page.getByTestId('hub-url')).toHaveText(hub.url);
  await page.getByTestId('hub-search-input').fill('big');
  await page.getByTestId('hub-search-input').press('Enter');
  const results = page.getByTestId('hub-result');
  await expect(results).toHaveCount(1);
  const result = results.first();
  await expect(result).toHaveAttribute('data-id', 'acme/big-model');
  await expect(result).toContainText('image-classification');
  await expect(result).toContainText('1,234');
  await expect(result).toContainText('56');

  await result.getByTestId('hub-result-link').click();
  await expect(page).toHaveURL(/#\/browse\/hf\/acme\/big-model$/);
  const files = page.getByTestId('repo-file');
  await expect(files).toHaveCount(2);
  expect(await files.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.path).sort())).toEqual(['README.md', 'model.bin']);
  const modelRow = page.locator('[data-testid="repo-file"][data-path="model.bin"]');
  await expect(modelRow.getByTestId('repo-file-size')).toHaveAttribute('data-value', String(big.length));
  await expect(modelRow.getByTestId('repo-file-sha')).toHaveText(sha256(big).slice(0, 12));
  await expect(modelRow.getByTestId('repo-file-sha')).toHaveAttribute('title', sha256(big));
  await expect(page.getByTestId('repo-revision')).toHaveAttribute('title', repo.sha);

  await modelRow.getByTestId('download-hub-file').click();
  const row = downloadRow(page, hubKey('acme/big-model', 'model.bin'));
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(row).toHaveAttribute('data-loaded', String(big.length));
  await expect(row).toContainText('sha256 verified');

  // Three GETs: the first from byte 0, then one Range request after each cut, each starting where the bytes that
  // arrived ended. The server's destroy() may reset the connection before the browser has read everything that was
  // written to the socket, so a resume starts at or a little before the cut, never after it, and never from 0.
  const gets = contentGets(hub, 'acme/big-model', 'model.bin');
  const starts = gets.map(rangeStart);
  expect(starts).toHaveLength(3);
  expect(starts[0]).toBeNull();
  expect(starts[1]).toBeGreaterThan(0);
  expect(starts[1]).toBeLessThanOrEqual(1_500_000);
  expect(starts[2]).toBeGreaterThan(starts[1]!);
  expect(starts[2]).toBeLessThanOrEqual(3_500_000);
  expect(gets.map((r) => r.status)).toEqual([200, 206, 206]);
  // The resumes ask for the same version of the file (If-Range with its ETag).
  expect(gets.map((r) => r.headers['if-range'])).toEqual([undefined, served.etag, served.etag]);
  // The last request sent the rest of the file; nothing was fetched from byte 0 twice.
  expect(gets[2].bodyBytes).toBe(big.length - starts[2]!);
  expect(gets.reduce((n, r) => n + r.bodyBytes, 0)).toBeLessThan(2 * big.length);

  await openLibrary(page);
  const id = 'huggingface/acme--big-model';
  await expect(entry(page, id)).toBeVisible();
  await expect(entry(page, id).getByTestId('entry-size')).toHaveAttribute('data-value', String(big.length));
  await expect(entry(page, id).getByTestId('entry-source')).toContainText('acme/big-model');
  const exported = await exportThroughUi(page, id, 'model.bin');
  expect(exported.length).toBe(big.length);
  expect(sha256(exported)).toBe(sha256(big));
  expect(exported.equals(Buffer.from(big))).toBe(true);
});

test('bytes whose sha256 does not match are rejected, and the library stays empty', async ({ page, hub }) => {
  const bytes = randomFile(2 * MiB);
  const repo = hub.addRepo({ id: 'acme/corrupt', files: { 'weights.bin': bytes } });
  repo.file('weights.bin').corrupt = true;
  await useHub(page, hub);
  await page.goto('/');

  const row = await downloadHubFile(page, 'acme/corrupt', 'weights.bin');
  await expect(row).toHaveAttribute('data-status', 'error', { timeout: 20_000 });
  const error = row.getByTestId('download-error');
  await expect(error).toHaveAttribute('data-code', 'integrity');
  await expect(error).toContainText('sha256 mismatch');
  await expect(error).toContainText(sha256(bytes));
  await expect(page.locator('[data-testid="download"][data-entry="huggingface/acme--corrupt"]').getByTestId('download-resume')).toHaveText('Retry');

  await openLibrary(page);
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await expect(page.getByTestId('library-count')).toHaveAttribute('data-value', '0');
  // The discarded partial's bytes are gone too.
  await expect(page.getByTestId('storage-used')).toHaveAttribute('data-value', '0');
});

test('Abort mid-download leaves nothing in the library, and Resume completes it', async ({ page, hub }) => {
  const bytes = randomFile(4 * MiB);
  const repo = hub.addRepo({ id: 'acme/slow', files: { 'model.onnx': bytes } });
  const served = repo.file('model.onnx');
  served.bytesPerSecond = 1_000_000;
  await useHub(page, hub);
  await page.goto('/');

  const row = await downloadHubFile(page, 'acme/slow', 'model.onnx');
  await expect.poll(async () => Number(await row.getAttribute('data-loaded')), { timeout: 15_000 }).toBeGreaterThan(1_200_000);
  const group = page.locator('[data-testid="download"][data-entry="huggingface/acme--slow"]');
  await group.getByTestId('download-abort').click();
  await expect(row).toHaveAttribute('data-status', 'aborted');
  const kept = Number(await row.getAttribute('data-loaded'));
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(bytes.length);

  await openLibrary(page);
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await expect(entry(page, 'huggingface/acme--slow')).toHaveCount(0);

  served.bytesPerSecond = undefined;
  await expect(group.getByTestId('download-resume')).toHaveText('Resume');
  await group.getByTestId('download-resume').click();
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  const gets = contentGets(hub, 'acme/slow', 'model.onnx');
  expect(rangeStart(gets.at(-1)!)).toBe(kept);
  expect(gets.at(-1)!.bodyBytes).toBe(bytes.length - kept);
  await expect(entry(page, 'huggingface/acme--slow')).toBeVisible();
  expect((await exportThroughUi(page, 'huggingface/acme--slow', 'model.onnx')).equals(Buffer.from(bytes))).toBe(true);
});

test('a reload mid-download shows the unfinished download, and Resume fetches only the rest', async ({ page, hub }) => {
  const bytes = randomFile(5 * MiB);
  const repo = hub.addRepo({ id: 'acme/reload', files: { 'model.safetensors': bytes } });
  const served = repo.file('model.safetensors');
  served.bytesPerSecond = 1_500_000;
  await useHub(page, hub);
  await page.goto('/');

  const row = await downloadHubFile(page, 'acme/reload', 'model.safetensors');
  await expect.poll(async () => Number(await row.getAttribute('data-loaded')), { timeout: 15_000 }).toBeGreaterThan(2_500_000);
  await page.reload();

  const after = downloadRow(page, hubKey('acme/reload', 'model.safetensors'));
  await expect(after).toHaveAttribute('data-status', 'interrupted');
  const stored = Number(await after.getAttribute('data-loaded'));
  // Stored in chunks of 256 KiB for a file this size: at most one chunk is lost.
  expect(stored).toBeGreaterThan(2_000_000);
  await expect(after).toHaveAttribute('data-total', String(bytes.length));
  const group = page.locator('[data-testid="download"][data-entry="huggingface/acme--reload"]');
  await expect(group.getByTestId('download-resume')).toHaveText('Resume');

  served.bytesPerSecond = undefined;
  const before = contentGets(hub, 'acme/reload', 'model.safetensors').length;
  await group.getByTestId('download-resume').click();
  await expect(after).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  const resumed = contentGets(hub, 'acme/reload', 'model.safetensors').slice(before);
  expect(resumed).toHaveLength(1);
  expect(resumed[0].status).toBe(206);
  expect(rangeStart(resumed[0])).toBe(stored);
  expect(resumed[0].bodyBytes).toBe(bytes.length - stored);
  expect(resumed[0].bodyBytes).toBeLessThan(bytes.length);

  await openLibrary(page);
  const exported = await exportThroughUi(page, 'huggingface/acme--reload', 'model.safetensors');
  expect(sha256(exported)).toBe(sha256(bytes));
});

test('a download larger than the quota fails with a clear quota error, and the library keeps what it had', async ({ page, hub }) => {
  hub.addRepo({ id: 'acme/small', files: { 'model.onnx': MNIST } });
  const bytes = randomFile(6 * MiB);
  hub.addRepo({ id: 'acme/huge', files: { 'model.bin': bytes } });
  await useHub(page, hub);

  // The quota is set before the app writes anything: Chromium's IndexedDB caches an origin's remaining space once it
  // has written, and a later DevTools override is then not enforced. Chromium also keeps reporting its static
  // "usage + 10 GiB" from navigator.storage.estimate() (the StaticStorageQuota feature), so the downloader's
  // up-front check passes and the quota error comes from IndexedDB refusing a write (QuotaExceededError), which the
  // library turns into a 'quota' error. 4 MiB holds the app's offline copy (~0.6 MB) and the 1.5 MB model, not 6 MiB more.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: APP_ORIGIN, quotaSize: 4 * MiB });
  try {
    await page.goto('/');
    const small = await downloadHubFile(page, 'acme/small', 'model.onnx');
    await expect(small).toHaveAttribute('data-status', 'done', { timeout: 20_000 });

    const huge = await downloadHubFile(page, 'acme/huge', 'model.bin');
    await expect(huge).toHaveAttribute('data-status', 'error', { timeout: 20_000 });
    const error = huge.getByTestId('download-error');
    await expect(error).toHaveAttribute('data-code', 'quota');
    await expect(error).toContainText('refused to store more data');
    await expect(error).toContainText('storage quota');
    await expect(error).toContainText('resume');
    expect(Number(await huge.getAttribute('data-loaded'))).toBeLessThan(bytes.length);

    await openLibrary(page);
    await expect(page.getByTestId('entry')).toHaveCount(1);
    await expect(entry(page, 'huggingface/acme--small')).toBeVisible();
    expect((await exportThroughUi(page, 'huggingface/acme--small', 'model.onnx')).equals(Buffer.from(MNIST))).toBe(true);

    // Discarding the failed download frees what it had stored.
    await page.locator('[data-testid="download"][data-entry="huggingface/acme--huge"]').getByTestId('download-discard').click();
    await expect(huge).toHaveCount(0);
    await expect(page.getByTestId('storage-used')).toHaveAttribute('data-value', String(MNIST.length));
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: APP_ORIGIN });
  }
});

test('a second tab does not download a file that another tab is downloading', async ({ context, page, hub }) => {
  const bytes = randomFile(3 * MiB);
  const repo = hub.addRepo({ id: 'acme/tabs', files: { 'model.onnx': bytes } });
  const served = repo.file('model.onnx');
  served.bytesPerSecond = 300_000;
  await useHub(page, hub);
  await page.goto('/');
  const first = await downloadHubFile(page, 'acme/tabs', 'model.onnx');
  await expect.poll(async () => Number(await first.getAttribute('data-loaded')), { timeout: 10_000 }).toBeGreaterThan(0);

  const other = await context.newPage();
  await useHub(other, hub);
  await other.goto('/');
  const second = await downloadHubFile(other, 'acme/tabs', 'model.onnx');
  await expect(second).toHaveAttribute('data-status', 'error', { timeout: 15_000 });
  await expect(second.getByTestId('download-error')).toContainText('being downloaded in another tab');
  await other.close();

  served.bytesPerSecond = undefined;
  await expect(first).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  // One request only: the second tab never fetched (nor wrote) anything.
  expect(contentGets(hub, 'acme/tabs', 'model.onnx')).toHaveLength(1);
  await openLibrary(page);
  expect(sha256(await exportThroughUi(page, 'huggingface/acme--tabs', 'model.onnx'))).toBe(sha256(bytes));
});

test('three parallel downloads each show monotone progress up to 100%', async ({ page, hub }) => {
  const names = ['a.bin', 'b.bin', 'c.bin'];
  const contents = names.map(() => randomFile(3 * MiB));
  const repo = hub.addRepo({ id: 'acme/three', files: Object.fromEntries(names.map((n, i) => [n, contents[i]])) });
  for (const n of names) repo.file(n).bytesPerSecond = 2_000_000;
  await useHub(page, hub);
  await page.goto('/#/browse/hf/acme/three');
  await expect(page.getByTestId('repo-file')).toHaveCount(3);

  // Every change of a row's progress attributes is recorded in the page, with the statuses of all rows at that moment.
  await page.evaluate(() => {
    const w = window as unknown as { samples: Array<{ key: string; loaded: number; total: number; status: string; running: number }> };
    w.samples = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (el.dataset.testid !== 'download-file') continue;
        const bar = el.querySelector('progress')!;
        const running = document.querySelectorAll('[data-testid="download-file"][data-status="downloading"]').length;
        w.samples.push({ key: el.dataset.key!, loaded: Number(el.dataset.loaded), total: Number(bar.max), status: el.dataset.status!, running });
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-loaded', 'data-status'] });
  });

  for (const n of names) await page.locator(`[data-testid="repo-file"][data-path="${n}"]`).getByTestId('download-hub-file').click();
  for (const n of names) await expect(downloadRow(page, hubKey('acme/three', n))).toHaveAttribute('data-status', 'done', { timeout: 30_000 });

  const samples = await page.evaluate(() => (window as unknown as { samples: Array<{ key: string; loaded: number; total: number; status: string; running: number }> }).samples);
  for (const [i, n] of names.entries()) {
    const mine = samples.filter((s) => s.key === hubKey('acme/three', n));
    expect(mine.length).toBeGreaterThan(5);
    const loaded = mine.map((s) => s.loaded);
    for (let j = 1; j < loaded.length; j++) expect(loaded[j]).toBeGreaterThanOrEqual(loaded[j - 1]);
    expect(loaded.at(-1)).toBe(contents[i].length);
    expect(mine.at(-1)!.status).toBe('done');
    const bar = downloadRow(page, hubKey('acme/three', n)).getByTestId('download-progress');
    expect(await bar.evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([contents[i].length, contents[i].length]);
  }
  // They really ran at the same time.
  expect(Math.max(...samples.map((s) => s.running))).toBe(3);

  await openLibrary(page);
  const files = entry(page, 'huggingface/acme--three').getByTestId('entry-file');
  await expect(files).toHaveCount(3);
});

test('a downloaded ONNX model opens from the library and shows its summary', async ({ page, hub }) => {
  hub.addRepo({ id: 'acme/mnist', files: { 'config.json': '{"model_type":"cnn"}', 'onnx/model.onnx': MNIST } });
  await useHub(page, hub);
  await page.goto('/#/browse/hf/acme/mnist');
  await page.getByTestId('download-repo').click();
  for (const f of ['config.json', 'onnx/model.onnx']) {
    await expect(downloadRow(page, hubKey('acme/mnist', f))).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  }
  await openLibrary(page);
  const mnist = entry(page, 'huggingface/acme--mnist');
  await expect(mnist.getByTestId('entry-file')).toHaveCount(2);
  // Only the ONNX file can be opened.
  await expect(mnist.getByTestId('open')).toHaveCount(1);
  await mnist.getByTestId('open').click();
  await expect(page).toHaveURL(/#\/inspect$/);
  await expect(page.getByTestId('file-name')).toHaveText('model.onnx');
  await expect(page.getByTestId('nodes')).toHaveText('13');
  await expect(page.getByTestId('initializers')).toHaveText('18');
  await expect(page.getByTestId('file-size')).toHaveAttribute('data-value', String(MNIST.length));
});

test('a model with external data opens from the library, its side file read from the same entry', async ({ page, hub }) => {
  const saved = saveModel(decodeModel(MNIST), { externalDataThreshold: 1024, modelFileName: 'model.onnx' });
  const join = (chunks: Uint8Array[]) => new Uint8Array(Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
  expect(saved.externalData?.location).toBe('model.onnx.data');
  hub.addRepo({ id: 'acme/external', files: { 'onnx/model.onnx': join(saved.modelChunks), 'onnx/model.onnx.data': join(saved.externalData!.chunks), 'README.md': 'x' } });
  await useHub(page, hub);
  await page.goto('/#/browse/hf/acme/external');
  await page.getByTestId('download-repo').click();
  await expect(page.locator('[data-testid="download"][data-entry="huggingface/acme--external"]')).toHaveAttribute('data-done', 'true', { timeout: 20_000 });
  await openLibrary(page);
  await entry(page, 'huggingface/acme--external').getByTestId('open').click();
  await expect(page.getByTestId('nodes')).toHaveText('13');
  await expect(page.getByTestId('parameters')).toHaveText('376,938');
  await expect(page.getByTestId('side-files')).toContainText('model.onnx.data');
  await expect(page.getByTestId('side-files')).toContainText(`${saved.externalData!.tensors} tensors`);
});

test('offline after a visit: the app loads, the library lists the downloaded entry and its summary opens', async ({ page, context, hub }) => {
  hub.addRepo({ id: 'acme/offline', files: { 'model.onnx': MNIST } });
  await useHub(page, hub);
  await page.goto('/');
  await waitForServiceWorker(page);
  const row = await downloadHubFile(page, 'acme/offline', 'model.onnx');
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 20_000 });

  await context.setOffline(true);
  try {
    await page.goto('/#/library');
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Omnihub' })).toBeVisible();
    const offline = entry(page, 'huggingface/acme--offline');
    await expect(offline).toBeVisible();
    await offline.getByTestId('open').click();
    await expect(page.getByTestId('nodes')).toHaveText('13');
    // The network really was off.
    expect(await page.evaluate((url) => fetch(url).then(() => true, () => false), `${hub.url}/api/models`)).toBe(false);
  } finally {
    await context.setOffline(false);
  }
});

test('the library imports local files, saves them back, deletes with a confirmation, and the pages are keyboard-reachable', async ({ page }) => {
  await page.goto('/#/library');
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await page.getByTestId('library-dropzone-input').setInputFiles(path.join(FIXTURES, 'onnx/burn_mnist.onnx'));
  const imported = entry(page, 'onnx/burn_mnist.onnx');
  await expect(imported).toBeVisible();
  await expect(imported.getByTestId('entry-source')).toHaveText('local file');
  await expect(page.locator('[data-testid="framework"][data-framework="onnx"]')).toBeVisible();
  expect((await exportThroughUi(page, 'onnx/burn_mnist.onnx', 'burn_mnist.onnx')).equals(Buffer.from(MNIST))).toBe(true);

  // Delete asks first; Cancel keeps the entry, Delete removes it.
  await imported.getByTestId('delete').click();
  await page.keyboard.press('Tab'); // from "Delete" (focused) to "Cancel"
  await page.keyboard.press('Enter');
  await expect(imported).toBeVisible();
  await expect(imported.getByTestId('delete')).toBeFocused();
  await imported.getByTestId('delete').press('Enter');
  await expect(imported.getByTestId('confirm-delete')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('library-empty')).toBeVisible();

  // The page links are reachable by keyboard, and the current page is marked.
  const link = page.getByTestId('nav-onnx-zoo');
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/browse\/onnx-zoo$/);
  await expect(link).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { name: 'ONNX Model Zoo', level: 2 })).toBeFocused();
  await page.getByTestId('catalog-filter').fill('resnet50 int8');
  await expect(page.getByTestId('catalog-row')).toHaveCount(1);
  await expect(page.getByTestId('catalog-row').getByTestId('catalog-hash')).toContainText('sha256 c234f3097598');
});

test('the library search filters entries as one types, and an entry renamed in place keeps its files, with core errors shown under it', async ({ page }) => {
  const mnistId = 'onnx/burn_mnist.onnx';
  const addnetId = 'onnx/kotlindl__addnet.onnx';
  await page.goto('/#/library');
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await page.getByTestId('library-dropzone-input').setInputFiles([path.join(FIXTURES, 'onnx/burn_mnist.onnx'), path.join(FIXTURES, 'onnx/kotlindl__addnet.onnx')]);
  const entries = page.getByTestId('entry');
  await expect(entries).toHaveCount(2);
  const mnist = entry(page, mnistId);
  const addnet = entry(page, addnetId);

  // `/` (focus not in a text field) jumps to the search box without typing the slash.
  const search = page.getByLabel('Search the library');
  await expect(search).toHaveAttribute('data-testid', 'library-search');
  await expect(search).toHaveAttribute('type', 'search');
  await expect(search).toHaveAttribute('aria-keyshortcuts', '/');
  await page.getByTestId('library-dropzone').focus();
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('');

  const count = page.getByTestId('library-search-count');
  await page.keyboard.type('addnet');
  await expect(entries).toHaveCount(1);
  await expect(addnet).toBeVisible();
  await expect(count).toHaveText('1 of 2 models');
  // Every word must match: the framework and a part of the name.
  await search.fill('ONNX burn');
  await expect(entries).toHaveCount(1);
  await expect(mnist).toBeVisible();
  await search.fill('zzz');
  await expect(page.getByTestId('library-no-match')).toBeVisible();
  await expect(page.getByTestId('library-no-match')).toContainText('zzz');
  await expect(entries).toHaveCount(0);
  await expect(count).toHaveText('0 of 2 models');
  await search.fill('');
  await expect(entries).toHaveCount(2);
  await expect(page.getByTestId('library-no-match')).toHaveCount(0);
  await expect(count).toHaveText('');

  // Rename: the name becomes a field, filled in and selected. Escape cancels and gives focus back to the button.
  await mnist.getByTestId('rename').click();
  const field = mnist.getByTestId('rename-input');
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('burn_mnist.onnx');
  expect(await field.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([0, 'burn_mnist.onnx'.length]);
  await page.keyboard.type('escaped');
  await page.keyboard.press('Escape');
  await expect(field).toHaveCount(0);
  await expect(mnist.getByTestId('rename')).toBeFocused();
  await expect(mnist.getByTestId('entry-name')).toHaveText('burn_mnist.onnx');
  // Leaving the field cancels too.
  await mnist.getByTestId('rename').press('Enter');
  await expect(field).toBeFocused();
  await page.keyboard.type('blurred');
  await field.blur();
  await expect(field).toHaveCount(0);
  await expect(mnist.getByTestId('entry-name')).toHaveText('burn_mnist.onnx');

  // Enter saves: the entry has its new name and id, focus is on its Rename button, and search finds it by the new name.
  await mnist.getByTestId('rename').click();
  await page.keyboard.type('mnist-renamed');
  await page.keyboard.press('Enter');
  const renamed = entry(page, 'onnx/mnist-renamed');
  await expect(renamed.getByTestId('entry-name')).toHaveText('mnist-renamed');
  await expect(mnist).toHaveCount(0);
  await expect(entries).toHaveCount(2);
  await expect(renamed.getByTestId('rename')).toBeFocused();
  await expect(page.getByTestId('renamed')).toContainText('Renamed burn_mnist.onnx to mnist-renamed');
  await search.fill('renamed');
  await expect(entries).toHaveCount(1);
  await expect(renamed).toBeVisible();
  await search.fill('');
  await expect(entries).toHaveCount(2);

  // It is stored: a reload lists it under its new name only.
  await page.reload();
  await expect(renamed.getByTestId('entry-name')).toHaveText('mnist-renamed');
  await expect(entries).toHaveCount(2);
  await expect(mnist).toHaveCount(0);

  // A name another entry has: the core's 'exists' error under the entry, the old name kept, focus back on Rename.
  await addnet.getByTestId('rename').click();
  await page.keyboard.type('mnist-renamed');
  await page.keyboard.press('Enter');
  const error = addnet.getByTestId('rename-error');
  await expect(error).toHaveAttribute('data-code', 'exists');
  await expect(error).toContainText('already has onnx/mnist-renamed');
  await expect(addnet.getByTestId('rename')).toBeFocused();
  await expect(addnet.getByTestId('entry-name')).toHaveText('kotlindl__addnet.onnx');
  await expect(renamed.getByTestId('entry-name')).toHaveText('mnist-renamed');

  // Names that are not one safe file name are refused by the core ('unsafe-path'); typing `/` in the field stays there.
  for (const bad of ['a/b', '..']) {
    await addnet.getByTestId('rename').click();
    await page.keyboard.type(bad);
    await expect(addnet.getByTestId('rename-input')).toHaveValue(bad);
    await page.keyboard.press('Enter');
    await expect(error).toHaveAttribute('data-code', 'unsafe-path');
    await expect(error).toContainText(JSON.stringify(bad));
    await expect(addnet.getByTestId('rename')).toBeFocused();
    await expect(addnet.getByTestId('entry-name')).toHaveText('kotlindl__addnet.onnx');
    await expect(entries).toHaveCount(2);
  }
  expect(await entries.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.id).sort())).toEqual([addnetId, 'onnx/mnist-renamed']);

  // The renamed entry's ONNX file still opens.
  await renamed.getByTestId('open').click();
  await expect(page).toHaveURL(/#\/inspect$/);
  await expect(page.getByTestId('file-name')).toHaveText('burn_mnist.onnx');
  await expect(page.getByTestId('nodes')).toHaveText('13');
});
