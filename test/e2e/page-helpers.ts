/** Locators and waits the end-to-end specs share. */
import { expect, type Page } from '@playwright/test';

/** A library entry's row on the Library page. */
export function entry(page: Page, id: string) {
  return page.locator(`[data-testid="entry"][data-id="${id}"]`);
}

/** Clicks Run on the Transform page and waits for the run to end; a failed run fails the test with the page's sentence. */
export async function runToTheEnd(page: Page, timeout = 240_000) {
  await page.getByTestId('run').click();
  const done = page.getByTestId('transform-done');
  const error = page.getByTestId('transform-error');
  await expect(done.or(error)).toBeVisible({ timeout });
  if (await error.isVisible()) throw new Error(`the run failed (${await error.getAttribute('data-code')}): ${await error.textContent()}`);
}
