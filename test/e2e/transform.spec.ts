/**
 * End-to-end: the Transform page in the built app (Chromium, real IndexedDB, onnxruntime-web's wasm in the
 * transform worker). A real model is imported into the library, a recipe is built with the keyboard-operable
 * builder, run with progress per step, compared with the original, saved back into the library with its lineage
 * and reopened. The bytes the page offers for download are checked in Node with the core's own decoder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { FIXTURES } from './hub-fixture.js';
import { entry, runToTheEnd } from './page-helpers.js';

const SQUEEZENET = path.join(FIXTURES, 'onnx/tv_squeezenet1_1.onnx');
const MNIST = path.join(FIXTURES, 'onnx/burn_mnist.onnx');
const MNIST_NPZ = path.join(FIXTURES, 'onnx/burn_mnist.io.npz');
const RNET_NPZ = path.join(FIXTURES, 'onnx/mtcnn_rnet.io.npz');
const SQUEEZENET_ID = 'onnx/tv_squeezenet1_1.onnx';
const SAVED_ID = 'onnx/tv_squeezenet1_1-freeze-simplify';

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

async function importIntoLibrary(page: Page, file: string, id: string) {
  await page.goto('/#/library');
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await page.getByTestId('library-dropzone-input').setInputFiles(file);
  await expect(entry(page, id)).toBeVisible();
}

function steps(page: Page) {
  return page.getByTestId('recipe-step');
}

function stage(page: Page, key: string) {
  return page.locator(`[data-testid="stage"][data-key="${key}"]`);
}

async function numberIn(locator: ReturnType<Page['getByTestId']>): Promise<number> {
  return Number(await locator.textContent());
}

test('a library model is transformed by freeze → simplify, compared, saved with its lineage, and reopened', async ({ page }) => {
  test.setTimeout(180_000);
  await importIntoLibrary(page, SQUEEZENET, SQUEEZENET_ID);

  // The Library page's Transform button opens the page with that model chosen.
  await entry(page, SQUEEZENET_ID).getByTestId('transform').click();
  await expect(page).toHaveURL(/#\/transform\/onnx\/tv_squeezenet1_1\.onnx\/tv_squeezenet1_1\.onnx$/);
  await expect(page.getByRole('heading', { name: 'Transform', level: 2 })).toBeFocused();
  await expect(page.getByTestId('nav-transform')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue(`${SQUEEZENET_ID}|tv_squeezenet1_1.onnx`);
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.getByTestId('recipe-empty')).toBeVisible();

  // Build simplify, freeze with the keyboard, then put freeze first with its Up button.
  await page.getByTestId('add-step-simplify').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('add-step-freeze').focus();
  await page.keyboard.press('Enter');
  await expect(steps(page)).toHaveCount(2);
  const freeze = steps(page).nth(1);
  await expect(freeze).toHaveAttribute('data-step', 'freeze');
  await freeze.getByTestId('step-up').focus();
  await page.keyboard.press('Enter');
  await expect(steps(page).nth(0)).toHaveAttribute('data-step', 'freeze');
  await expect(steps(page).nth(1)).toHaveAttribute('data-step', 'simplify');
  // Focus stayed with the step that moved (its Up button is disabled at the top, so on its Down button).
  await expect(steps(page).nth(0).getByTestId('step-down')).toBeFocused();
  await expect(page.getByTestId('recipe-ok')).toHaveText('The recipe is valid: freeze → simplify.');
  await page.getByTestId('recipe-json-panel').locator('summary').click();
  expect(JSON.parse(await page.getByTestId('recipe-json').inputValue())).toEqual({ steps: [{ step: 'freeze' }, { step: 'simplify' }] });

  // Cancel stops a run at once: nothing is shown as a result, and the page can run again.
  await page.getByTestId('run').click();
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('transform-error')).toHaveAttribute('data-code', 'aborted');
  await expect(page.getByTestId('transform-error')).toContainText('Stopped');
  await expect(page.locator('[data-testid="stage"][data-state="stopped"]')).toHaveCount(1);
  await expect(page.getByTestId('transform-results')).toHaveCount(0);

  await runToTheEnd(page, 120_000);
  for (const key of ['read', 'step-0', 'step-1', 'compare']) await expect(stage(page, key)).toHaveAttribute('data-state', 'done');

  // Per-step reports: freeze keeps 83 nodes or fewer, simplify ends at 65 or fewer.
  const reports = page.getByTestId('step-report');
  await expect(reports).toHaveCount(2);
  await expect(reports.nth(0)).toHaveAttribute('data-step', 'freeze');
  await expect(reports.nth(0).getByTestId('report-nodes')).toHaveAttribute('data-before', '83');
  const simplified = Number(await reports.nth(1).getByTestId('report-nodes').getAttribute('data-after'));
  expect(simplified).toBeLessThanOrEqual(65);

  // The comparison table: nodes 83 → ≤ 65, the output within 1e-5 (relative L2), the same top-1 class.
  const nodes = page.getByTestId('compare-nodes');
  await expect(nodes.getByTestId('before')).toHaveText('83');
  const nodesAfter = await numberIn(nodes.getByTestId('after'));
  expect(nodesAfter).toBeLessThanOrEqual(65);
  expect(nodesAfter).toBe(simplified);
  const outputs = page.getByTestId('compare-output');
  await expect(outputs).toHaveCount(1);
  const relL2 = await numberIn(outputs.first().getByTestId('rel-l2'));
  expect(relL2).toBeGreaterThanOrEqual(0);
  expect(relL2).toBeLessThanOrEqual(1e-5);
  expect(await numberIn(outputs.first().getByTestId('max-abs'))).toBeLessThan(1e-3);
  await expect(outputs.first().getByTestId('top1')).toHaveText('100%');
  for (const row of ['compare-bytes', 'compare-latency']) {
    for (const cell of ['before', 'after']) expect(Number(await page.getByTestId(row).getByTestId(cell).getAttribute('data-value'))).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('compare-chart')).toBeVisible();
  await expect(page.getByTestId('compare-chart').locator('[data-testid="chart-bar"]')).toHaveCount(6);

  // Download gives the result as an .onnx file the core reads back with the same node count.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('download-result').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('tv_squeezenet1_1-freeze-simplify.onnx');
  const downloaded = new Uint8Array(readFileSync(await download.path()));
  expect(summarizeModel(decodeModel(downloaded)).nodes).toBe(nodesAfter);
  expect(downloaded.length).toBe(Number(await page.getByTestId('compare-bytes').getByTestId('after').getAttribute('data-value')));

  // Save under the name offered; the library lists it with its lineage.
  await expect(page.getByTestId('save-name')).toHaveValue('tv_squeezenet1_1-freeze-simplify');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('saved')).toHaveAttribute('data-id', SAVED_ID);
  await expect(page.getByTestId('nav-library').locator('.badge')).toHaveText('2');

  // A second run offers the same name, which is now taken: the page says so and will not save.
  await runToTheEnd(page, 120_000);
  await expect(page.getByTestId('save-name-problem')).toHaveText(`The library already has ${SAVED_ID}; choose another name.`);
  await expect(page.getByTestId('save')).toBeDisabled();
  // The library's own name rules apply too.
  await page.getByTestId('save-name').fill('bad/name');
  await expect(page.getByTestId('save-name-problem')).toContainText('path separator');
  await expect(page.getByTestId('save')).toBeDisabled();

  await page.getByTestId('nav-library').click();
  const saved = entry(page, SAVED_ID);
  await expect(saved).toBeVisible();
  await expect(page.getByTestId('library-count')).toHaveAttribute('data-value', '2');
  await expect(saved.getByTestId('entry-lineage')).toHaveAttribute('data-from', SQUEEZENET_ID);
  await expect(saved.getByTestId('entry-lineage')).toHaveText(`made from ${SQUEEZENET_ID} by freeze → simplify`);
  await expect(saved.getByTestId('entry-file')).toHaveCount(1);
  await expect(saved.getByTestId('entry-file')).toHaveAttribute('data-path', 'model.onnx');
  await expect(saved.getByTestId('entry-size')).toHaveAttribute('data-value', String(downloaded.length));
  await expect(saved.getByTestId('entry-source')).toHaveText('local file');

  // Reopened from the library, its summary shows the simplified graph.
  await saved.getByTestId('open').click();
  await expect(page).toHaveURL(/#\/inspect$/);
  await expect(page.getByTestId('nodes')).toHaveAttribute('data-value', String(nodesAfter));
  expect(Number(await page.getByTestId('nodes').getAttribute('data-value'))).toBeLessThanOrEqual(65);
});

test('a step that fails says why in a sentence, and nothing is added to the library', async ({ page }) => {
  test.setTimeout(120_000);
  await importIntoLibrary(page, MNIST, 'onnx/burn_mnist.onnx');

  // From the nav bar: no model chosen yet.
  await page.getByTestId('nav-transform').click();
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.locator('#run-hint')).toHaveText('Choose a model first.');
  await page.getByLabel('Model', { exact: true }).selectOption('onnx/burn_mnist.onnx|burn_mnist.onnx');

  // A pasted recipe that names no real step is refused by the core, next to the JSON, and changes nothing.
  await page.getByTestId('recipe-json-panel').locator('summary').click();
  await page.getByTestId('recipe-json').fill('{ "steps": [ { "step": "shrink" } ] }');
  await page.getByTestId('recipe-json-apply').click();
  await expect(page.getByTestId('recipe-json-problem')).toHaveAttribute('data-code', 'bad-recipe');
  await expect(page.getByTestId('recipe-json-problem')).toContainText("unknown step the string \"shrink\"");
  await expect(steps(page)).toHaveCount(0);

  // customize cutting the graph at a tensor the model does not have: the run fails with the core's sentence.
  await page.getByTestId('recipe-json-revert').click();
  await page.getByTestId('add-step-customize').click();
  // Its required options are missing: the core's check says so next to the form, and Run waits.
  await expect(page.getByTestId('recipe-problem')).toHaveAttribute('data-code', 'bad-recipe');
  await expect(page.getByTestId('recipe-problem')).toContainText("needs option 'cut'");
  await expect(page.getByTestId('run')).toBeDisabled();
  const option = (name: string) => steps(page).first().locator(`[data-testid="option"][data-option="${name}"] input`);
  await option('cut').fill('no_such_tensor');
  await option('classes').fill('ten');
  await expect(steps(page).first().getByTestId('option-error')).toHaveText('“ten” is not a number');
  await option('classes').fill('10');
  await expect(steps(page).first().getByTestId('option-error')).toHaveCount(0);
  await expect(page.getByTestId('recipe-ok')).toBeVisible();
  await page.getByTestId('run').click();
  const error = page.getByTestId('transform-error');
  await expect(error).toHaveAttribute('data-code', 'bad-recipe', { timeout: 60_000 });
  await expect(error).toContainText('no_such_tensor');
  // A sentence for people, not a stack trace.
  expect(await error.textContent()).not.toMatch(/\bat \S+:\d+|Error:/);
  await expect(stage(page, 'step-0')).toHaveAttribute('data-state', 'failed');
  await expect(stage(page, 'compare')).toHaveAttribute('data-state', 'waiting');
  await expect(page.getByTestId('save-result')).toHaveCount(0);

  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('entry')).toHaveCount(1);
});

test('a result that onnxruntime cannot compare with the original (a new training head) says why, and can still be saved', async ({ page }) => {
  test.setTimeout(120_000);
  await importIntoLibrary(page, MNIST, 'onnx/burn_mnist.onnx');
  await entry(page, 'onnx/burn_mnist.onnx').getByTestId('transform').click();
  await page.getByTestId('add-step-customize').click();
  const option = (name: string) => steps(page).first().locator(`[data-testid="option"][data-option="${name}"] input`);
  await option('cut').fill('/norm2/BatchNormalization_output_0');
  await option('classes').fill('3');
  // A boolean option is unset (the step's default) until touched; then it is written into the recipe.
  await expect(steps(page).first().locator('[data-option="loss"]')).toContainText('default');
  await option('loss').check();
  await page.getByTestId('recipe-json-panel').locator('summary').click();
  await expect.poll(async () => JSON.parse(await page.getByTestId('recipe-json').inputValue())).toEqual({
    steps: [{ step: 'customize', options: { cut: '/norm2/BatchNormalization_output_0', classes: 3, loss: true } }],
  });
  await expect(page.getByTestId('recipe-ok')).toBeVisible();

  await runToTheEnd(page, 120_000);
  await expect(page.getByTestId('transform-done')).toContainText('not compared');
  await expect(stage(page, 'step-0')).toHaveAttribute('data-state', 'done');
  await expect(stage(page, 'compare')).toHaveAttribute('data-state', 'failed');
  const compareError = page.getByTestId('compare-error');
  await expect(compareError).toHaveAttribute('data-code', 'usage');
  await expect(compareError).toContainText("model b needs input 'labels', which model a does not have");
  await expect(page.getByTestId('compare-chart')).toHaveCount(0);

  await expect(page.getByTestId('save-name')).toHaveValue('burn_mnist-customize');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('saved')).toHaveAttribute('data-id', 'onnx/burn_mnist-customize');
  await page.getByTestId('open-saved').click();
  await expect(page).toHaveURL(/#\/inspect$/);
  await expect(page.locator('[data-testid="io-row"][data-kind="input"][data-name="labels"]')).toBeVisible();
  await expect(page.locator('[data-testid="io-row"][data-kind="output"][data-name="loss"]')).toBeVisible();
});

test('the comparison runs on the arrays of a chosen .npz, and a .npz that does not fit says why in the core\'s sentence', async ({ page }) => {
  test.setTimeout(120_000);
  await importIntoLibrary(page, MNIST, 'onnx/burn_mnist.onnx');
  await entry(page, 'onnx/burn_mnist.onnx').getByTestId('transform').click();
  await page.getByTestId('add-step-simplify').click();
  await expect(page.getByTestId('recipe-ok')).toBeVisible();

  // Random inputs with seed 0 by default; a seed that is not a whole number holds the run back.
  await expect(page.getByTestId('compare-on-random')).toBeChecked();
  await expect(page.getByTestId('compare-seed')).toHaveValue('0');
  await page.getByTestId('compare-seed').fill('x');
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.locator('#run-hint')).toContainText('seed must be a whole number');
  await page.getByTestId('compare-seed').fill('7');
  await runToTheEnd(page, 120_000);
  await expect(page.getByTestId('compare-inputs')).toHaveAttribute('data-kind', 'random');
  await expect(page.getByTestId('compare-inputs')).toHaveText('Inputs: random, seed 7: input float32 [1,1,28,28].');

  // The .npz option without a file holds the run back too; picking one (keyboard-reachable file input) selects it.
  await page.getByTestId('compare-on-npz').check();
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.locator('#run-hint')).toContainText('Choose an .npz file');
  await page.getByTestId('compare-on-random').check();
  await page.getByTestId('compare-npz').setInputFiles(MNIST_NPZ);
  await expect(page.getByTestId('compare-on-npz')).toBeChecked();
  await expect(page.getByTestId('compare-npz-name')).toContainText('burn_mnist.io.npz');

  // Its 'input' array feeds the model's input; the stored 'log_probs' is ignored.
  await runToTheEnd(page, 120_000);
  await expect(stage(page, 'compare')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('compare-inputs')).toHaveAttribute('data-kind', 'npz');
  await expect(page.getByTestId('compare-inputs')).toHaveText('Inputs: burn_mnist.io.npz: input float32 [1,1,28,28].');
  const outputs = page.getByTestId('compare-output');
  await expect(outputs).toHaveCount(1);
  const relL2 = await numberIn(outputs.first().getByTestId('rel-l2'));
  expect(relL2).toBeGreaterThanOrEqual(0);
  expect(relL2).toBeLessThanOrEqual(1e-5);
  await expect(page.getByTestId('compare-error')).toHaveCount(0);

  // An .npz whose 'input' has another model's shape: the rewrite's result stands, the comparison says why.
  await page.getByTestId('compare-npz').setInputFiles(RNET_NPZ);
  await expect(page.getByTestId('compare-npz-name')).toContainText('mtcnn_rnet.io.npz');
  await runToTheEnd(page, 120_000);
  await expect(page.getByTestId('transform-done')).toContainText('not compared');
  await expect(stage(page, 'step-0')).toHaveAttribute('data-state', 'done');
  await expect(stage(page, 'compare')).toHaveAttribute('data-state', 'failed');
  const compareError = page.getByTestId('compare-error');
  await expect(compareError).toHaveAttribute('data-code', 'usage');
  await expect(compareError).toContainText(".npz array 'input' has shape [1, 3, 24, 24], but the model's input is [batch, 1, 28, 28]");
  expect(await compareError.textContent()).not.toMatch(/\bat \S+:\d+|Error:/);
  await expect(page.getByTestId('compare-inputs')).toHaveText('Inputs: mtcnn_rnet.io.npz.');
  await expect(page.getByTestId('compare-nodes')).toBeVisible();
  await expect(page.getByTestId('save-name')).toHaveValue('burn_mnist-simplify');

  // A file that is not an .npz at all: the core's sentence, not a stack trace.
  await page.getByTestId('compare-npz').setInputFiles({ name: 'broken.npz', mimeType: 'application/octet-stream', buffer: Buffer.from('not a zip archive') });
  await runToTheEnd(page, 120_000);
  await expect(compareError).toHaveAttribute('data-code', 'malformed');
  await expect(compareError).toContainText('Not a valid .npz archive');
  expect(await compareError.textContent()).not.toMatch(/\bat \S+:\d+/);
  await expect(page.getByTestId('compare-inputs')).toHaveText('Inputs: broken.npz.');

  // An .npz dropped on the control is taken for the next comparison; the page stays (it is not opened on Inspect).
  const bytes = [...readFileSync(MNIST_NPZ)];
  const dropped = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped.npz'));
    return dt;
  }, bytes);
  await page.getByTestId('compare-on').dispatchEvent('dragover', { dataTransfer: dropped });
  await page.getByTestId('compare-on').dispatchEvent('drop', { dataTransfer: dropped });
  await expect(page.getByTestId('compare-npz-name')).toContainText('dropped.npz');
  await expect(page).toHaveURL(/#\/transform\//);
  await runToTheEnd(page, 120_000);
  await expect(page.getByTestId('compare-inputs')).toHaveText('Inputs: dropped.npz: input float32 [1,1,28,28].');
});
