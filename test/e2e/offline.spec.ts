/**
 * Offline: after one visit the service worker has cached the app shell and the model worker, so with the network
 * off the page still loads, keeps cross-origin isolation (COOP/COEP come back from the cache) and opens a model.
 */
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MNIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/onnx/burn_mnist.onnx');

test('after one visit the app works with the network off', async ({ page, context }) => {
  await page.goto('/');
  // The service worker takes control of the page once it has precached the app (clientsClaim).
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
  }, undefined, { timeout: 30_000 });
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    let urls = 0;
    for (const name of names) urls += (await (await caches.open(name)).keys()).length;
    return { names, urls };
  });
  expect(cached.names.some((n) => n.startsWith('workbox-precache'))).toBe(true);
  expect(cached.urls).toBeGreaterThanOrEqual(5);

  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Omnihub' })).toBeVisible();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The model worker's script comes from the cache too: opening a model works end to end.
    await page.getByTestId('file-input').setInputFiles(MNIST);
    await expect(page.getByTestId('nodes')).toHaveText('13');
    await expect(page.getByTestId('initializers')).toHaveText('18');
    // And a fetch the app never cached fails, so the test really ran offline.
    const online = await page.evaluate(() => fetch('/not-cached-' + Date.now()).then(() => true, () => false));
    expect(online).toBe(false);
  } finally {
    await context.setOffline(false);
  }
});
