/**
 * Runs belong to the model they were trained from, driven like a person in Debian's Chromium with
 * the real engine: open the logistic-regression model (2 features, a class) and train it; open the
 * linear-regression model (1 feature, a number): Runs, Training and Try it show nothing of the
 * first model; train it; then reopen the first: only its own run again, and Try it asks for its two
 * features. Screenshots: e2e/output/runs-follow-*.png.
 */
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

const status = (page: Page) => page.getByTestId('run-status').getAttribute('data-status');

async function openModel(page: Page, file: string, node: string) {
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('dialog', { name: 'Open model' }).getByRole('button', { name: new RegExp(file.replace('.', '\\.')) }).first().click();
  await page.getByTestId(`node-${node}`).waitFor();
}

async function trainToTheEnd(page: Page) {
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByTestId('train-button').click();
  await expect.poll(() => status(page), { timeout: 180_000, interval: 500 }).toBe('completed');
}

describe('runs follow the model (web mode, Chromium, real engine)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('switching between two models shows only the open model\'s runs in Runs, Training and Try it', async () => {
    app = await launchApp({
      viewport: { width: 1400, height: 900 },
      projectFiles: ['assets/templates/logistic-regression.loom', 'assets/templates/linear-regression.loom'],
    });
    const { page } = app;
    // Others edit this working tree while the test runs: keep Vite's hot reload away from the page.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    // ── Model A: logistic regression, trained. ──
    await openModel(page, 'logistic-regression.loom', 'features');
    await trainToTheEnd(page);
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);

    // ── Model B: nothing of A's run anywhere. ──
    await openModel(page, 'linear-regression.loom', 'x');
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(0);
    expect(await page.getByTestId('runs-panel').count()).toBe(0);
    await page.getByRole('tab', { name: 'Training' }).click();
    expect(await page.getByTestId('run-status').count()).toBe(0);
    expect(await page.getByTestId('stale').count()).toBe(0);
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByText('Train a model first').waitFor();
    await app.screenshot('runs-follow-1-other-model');

    // ── B trained: its run, one feature, a number. ──
    await trainToTheEnd(page);
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);
    expect(await page.getByTestId('run-row').innerText()).toMatch(/Run 1/);
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByTestId('feature-0').waitFor();
    expect(await page.getByTestId('feature-1').count()).toBe(0);
    await page.getByTestId('feature-0').fill('3');
    await page.getByRole('button', { name: 'Predict' }).click();
    await expect.poll(() => page.getByTestId('prediction').innerText()).toMatch(/Prediction: [-\d.]+/);

    // ── Back to A: only its run, and Try it asks for its two features. ──
    await openModel(page, 'logistic-regression.loom', 'features');
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);
    await page.getByTestId('run-row').getByRole('button', { name: 'Run 1' }).click();
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByTestId('feature-1').waitFor();
    expect(await page.getByTestId('feature-2').count()).toBe(0);
    await page.getByRole('tab', { name: 'Training' }).click();
    expect(await page.getByTestId('stale').count()).toBe(0);
    await app.screenshot('runs-follow-2-back');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 300_000);
});
