/**
 * One-click training, driven like a person in Debian's Chromium against web mode with the real
 * engine (wasm backend): open the MNIST CNN template, pick the built-in digits in the Data tab,
 * press Train, watch the curves and the progress move, Stop, Train again to the end (the template's
 * own settings: 3 epochs on all 8,550 training digits), check the validation accuracy (≥ 95 %), open
 * Evaluate and a confusion-matrix cell, draw a digit in Try it and get a prediction; then type a
 * learning rate of 100 in the Training tab: the run stops with the engine's divergence message
 * beside the chart. Screenshots of every step go to e2e/output/training-*.png (git-ignored).
 */
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

const attr = async (page: Page, testId: string, name: string) => (await page.getByTestId(testId).getAttribute(name)) ?? '';
const points = async (page: Page) => Number(await attr(page, 'chart-loss', 'data-points'));
const progress = (page: Page) => page.getByTestId('progress-text').innerText();
const status = (page: Page) => attr(page, 'run-status', 'data-status');

/** The batches done so far, from "Epoch e/E · batch b/B". */
async function batchesDone(page: Page): Promise<number> {
  const m = /Epoch (\d+)\/\d+ · batch (\d+)\/(\d+)/.exec(await progress(page));
  return m ? (Number(m[1]) - 1) * Number(m[3]) + Number(m[2]) : 0;
}

describe('training journey (web mode, Chromium, real engine)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('trains the MNIST CNN on the digits with live curves, stop, evaluate, try it; learning rate 100 stops with the divergence message', async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    const { page } = app;
    page.on('dialog', (d) => void d.accept());
    // Replacing an edited model asks first, in the app: these journeys answer Don't save.
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    // Seven people edit this working tree while the test runs: keep Vite's hot reload away from the
    // page (its socket is answered by a silent stub) so that nobody's edit reloads it mid-run.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    // ── The MNIST CNN template, the built-in digits. ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-mnist-cnn').click();
    await page.getByTestId('node-digit').waitFor();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('dataset-select').selectOption('digits');
    await expect.poll(() => page.getByTestId('data-summary').innerText(), { timeout: 120_000 }).toMatch(/10,000 samples/);
    expect(await page.getByTestId('data-preview').locator('canvas').count()).toBeGreaterThan(0);
    // The split the run will use: the template's 10 % validation of the 9,500 digits left after the test set.
    expect(await page.getByTestId('data-summary').innerText()).toMatch(/8,550 train \/ 950 validation \/ 500 test/);
    await app.screenshot('training-1-data');

    // ── Train: curves move, progress advances; Stop. ──
    await page.getByTestId('toolbar-train').click();
    await page.getByTestId('training-panel').waitFor();
    await expect.poll(() => points(page), { timeout: 180_000, interval: 500 }).toBeGreaterThan(2);
    const before = await batchesDone(page);
    const p0 = await points(page);
    await expect.poll(() => batchesDone(page), { timeout: 60_000, interval: 500 }).toBeGreaterThan(before);
    await expect.poll(() => points(page), { timeout: 60_000, interval: 500 }).toBeGreaterThan(p0);
    expect(await page.getByTestId('backend-badge').first().innerText()).toMatch(/wasm|cpu|tensorflow/);
    await app.screenshot('training-2-live');
    await page.getByTestId('stop-button').click();
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('stopped');

    // ── Train again (Ctrl+Enter this time), to the end. ──
    // The template's 3 epochs over all the digits take ~1 min on 2 free cores; this machine may be
    // shared and 5x slower, hence the long wait (the test only fails if the run does not finish).
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => status(page), { timeout: 30_000 }).toMatch(/starting|running/);
    const t0 = Date.now();
    await expect.poll(() => status(page), { timeout: 1_200_000, interval: 2000 }).toBe('completed');
    console.log(`e2e: 3 epochs of the MNIST CNN on 8,550 digits took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const valAcc = Number(await attr(page, 'final-metrics', 'data-val-accuracy'));
    expect(valAcc).toBeGreaterThanOrEqual(0.95);
    expect(await progress(page)).toMatch(/Epoch 3\/3/);
    await app.screenshot('training-3-finished');

    // ── Evaluate: test metrics, a confusion-matrix cell opens its samples. ──
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.getByTestId('test-metrics').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('test-metrics').innerText()).toMatch(/accuracy \d+\.\d%/);
    // An off-diagonal (misclassified) cell with samples, else the first diagonal cell.
    const cells = page.locator('[data-testid^="cell-"]:not([disabled])');
    const ids = await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!));
    const off = ids.find((id) => { const [, t, p] = id.split('-'); return t !== p; }) ?? ids[0]!;
    await page.getByTestId(off).click();
    await expect.poll(() => page.getByTestId('cell-sample').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await app.screenshot('training-4-evaluate');

    // ── Try it: draw a "1" and get a prediction with probabilities. ──
    await page.getByRole('tab', { name: 'Try it' }).click();
    const pad = (await page.getByTestId('draw-pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.18);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.82, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('prediction').innerText(), { timeout: 60_000 }).toMatch(/Prediction: \d/);
    expect(await page.getByTestId('probabilities').locator('li').count()).toBe(10);
    await page.getByTestId('saliency').waitFor({ timeout: 60_000 });
    await app.screenshot('training-5-tryit');

    // ── A learning rate of 100, typed in the Training tab: the run diverges and stops with the
    // engine's message beside the chart. (The clipped cross-entropy saturates near 14 without ever
    // becoming NaN; the engine's divergence rule catches it within a few batches.) ──
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('lr').fill('100');
    await page.getByTestId('lr').press('Enter');
    await page.getByTestId('train-button').click();
    await expect.poll(() => status(page), { timeout: 180_000, interval: 500 }).toBe('error');
    const message = await page.getByTestId('train-error').innerText();
    expect(message).toMatch(/Training diverged[\s\S]*The loss diverged at epoch 1, batch \d+ \(from 2\.\d+ before training to 1\d\.\d+ over the last \d+ batches\): lower the learning rate \(now 100, e\.g\. to 10\)/);
    await page.getByTestId('chart-loss').waitFor();
    await app.screenshot('training-6-diverged');

    // ── Runs: the session's runs, two ticked: overlaid curves and what differs. ──
    await page.getByRole('tab', { name: 'Runs' }).click();
    expect(await page.getByTestId('run-row').count()).toBe(3);
    await page.getByLabel('compare Run 2').check();
    await page.getByLabel('compare Run 3').check();
    await page.getByTestId('runs-overlay').waitFor();
    const diff = await page.getByTestId('run-diff').innerText();
    expect(diff).toMatch(/learningRate: 0\.001 → 100/);
    expect(diff).not.toMatch(/layer /);
    await app.screenshot('training-7-runs');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 1_800_000);
});
