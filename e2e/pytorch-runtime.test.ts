/**
 * Training in PyTorch from the Training panel, in Debian's Chromium against web mode with the real
 * engine and Debian's PyTorch: open the logistic-regression template, pick the PyTorch runtime on
 * this computer (device cpu), Check finds the interpreter and its PyTorch, train one epoch: the
 * run's line says "pytorch (cpu)", the loss chart fills, and Evaluate computes the test metrics of
 * the weights PyTorch trained. The runtime lives in the settings file, not in the document.
 * Screenshots go to e2e/output/pytorch-*.png (git-ignored).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { needs } from '../scripts/needs';
import { launchApp, type App } from './harness';

const attr = async (page: Page, testId: string, name: string) => (await page.getByTestId(testId).getAttribute(name)) ?? '';

needs('torch').describe('PyTorch runtime journey (web mode, Chromium, real engine, real PyTorch)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('picks PyTorch in the Training panel, checks it, trains one epoch with a live chart, then evaluates the run', async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    const { page } = app;
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    // Others edit this working tree meanwhile: keep Vite's hot reload from reloading the page mid-run.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-logistic-regression').click();
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('training-panel').waitFor();
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('epochs').press('Enter');

    // ── The runtime: PyTorch on this computer's CPU; Check finds Python and its PyTorch. ──
    await page.getByTestId('runtime-pytorch').check();
    await page.getByTestId('runtime-device').selectOption('cpu');
    await page.getByTestId('runtime-check-button').click();
    await expect.poll(() => page.getByTestId('runtime-check').innerText(), { timeout: 120_000 }).toMatch(/PyTorch \d+\.\d+\S* with \S*python3? on this computer/);
    await app.screenshot('pytorch-1-runtime');
    const settings = JSON.parse(readFileSync(join(app.projectDir, '.layerloom', 'settings.json'), 'utf8'));
    expect(settings.runtime).toMatchObject({ choice: 'pytorch', device: 'cpu', where: null });

    // ── Train one epoch: the run trains in PyTorch and its curves arrive. ──
    await page.getByTestId('train-button').click();
    await expect.poll(() => attr(page, 'run-status', 'data-status'), { timeout: 300_000, interval: 500 }).toBe('completed');
    expect(await page.getByTestId('run-backend').innerText()).toMatch(/pytorch \(cpu\)/);
    expect(Number(await attr(page, 'chart-loss', 'data-points'))).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('progress-text').innerText()).toMatch(/Epoch 1\/1/);
    expect(Number(await attr(page, 'final-metrics', 'data-accuracy'))).toBeGreaterThan(0);
    await app.screenshot('pytorch-2-trained');

    // ── Evaluate the PyTorch run: its weights came back into the app. ──
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.getByTestId('test-metrics').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('test-metrics').innerText()).toMatch(/accuracy \d+\.\d%/);
    await app.screenshot('pytorch-3-evaluate');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 900_000);
});
