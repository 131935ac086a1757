/**
 * Playwright fixture for tests that talk to a Hub: `hub` is a real loopback HTTP server speaking the Hub API
 * (test/support/hub-server.ts), started in the test runner's Node process for each test and closed after it.
 *
 * The app is pointed at it in one of two ways:
 *   - through the UI: `setHubUrlInSettings(page, hub.url)` fills the Settings page's hub URL and saves it;
 *   - before the app loads: `useHub(page, hub)` writes localStorage[SETTINGS_KEY] = {"hubUrl": hub.url} from an
 *     init script (it runs again on every reload, so reload tests keep the setting).
 * The server answers with `Access-Control-Allow-Origin: *`, so the app's CORS-mode fetches from
 * http://localhost:4173 (cross-origin isolated, COEP require-corp) to http://127.0.0.1:<port> are allowed.
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHubServer, type HubServer, type RecordedRequest } from '../support/hub-server.js';

export { expect };

/** The localStorage key the app reads its Hub settings from (src/app/state/settings.svelte.ts). */
export const SETTINGS_KEY = 'omnihub.hub-settings';

export const APP_ORIGIN = 'http://localhost:4173';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(HERE, '../../../shared/fixtures');

export const test = base.extend<{ hub: HubServer }>({
  // eslint-disable-next-line no-empty-pattern
  hub: async ({}, use) => {
    const hub = await startHubServer();
    await use(hub);
    await hub.close();
  },
});

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `n` random bytes (incompressible, so no transfer encoding can shrink them). */
export function randomFile(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

export async function useHub(page: Page, hub: HubServer): Promise<void> {
  await page.addInitScript(
    ([key, value]) => localStorage.setItem(key, value),
    [SETTINGS_KEY, JSON.stringify({ hubUrl: hub.url })] as const,
  );
}

export async function setHubUrlInSettings(page: Page, url: string): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-hub-url').fill(url);
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toHaveText('Saved.');
}

/** The library key of a Hub file: `huggingface/<owner>--<name>/<path>`. */
export function hubKey(repo: string, file: string): string {
  return `huggingface/${repo.replace('/', '--')}/${file}`;
}

export function downloadRow(page: Page, key: string): Locator {
  return page.locator(`[data-testid="download-file"][data-key="${key}"]`);
}

/** Opens a repository's details on the Browse page and clicks Download on one of its files. */
export async function downloadHubFile(page: Page, repo: string, file: string): Promise<Locator> {
  if (!page.url().endsWith(`#/browse/hf/${repo}`)) await page.goto(`/#/browse/hf/${repo}`);
  const row = page.locator(`[data-testid="repo-file"][data-path="${file}"]`);
  await row.getByTestId('download-hub-file').click();
  return downloadRow(page, hubKey(repo, file));
}

/** GETs of a Hub file's content (preflights and API calls left out). */
export function contentGets(hub: HubServer, repo: string, file: string): RecordedRequest[] {
  return hub.requestsTo(`/${repo}/resolve/`).filter((r) => r.method === 'GET' && r.url.endsWith(`/${file}`));
}

/** The start offset of a `Range: bytes=N-` request header, or null when there is none. */
export function rangeStart(r: RecordedRequest): number | null {
  const m = /^bytes=(\d+)-$/.exec(String(r.headers.range ?? ''));
  return m ? Number(m[1]) : null;
}

/** Waits until the service worker controls the page (it then serves the app offline). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(
    async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
    },
    undefined,
    { timeout: 30_000 },
  );
}
