/**
 * Explain, driven like a person in Debian's Chromium against web mode with the real engine (wasm):
 * the MNIST CNN trained briefly (one epoch on 600 digits, so that it still makes mistakes), Evaluate,
 * a misclassified cell, Why? on one of its samples: Integrated Gradients and Grad-CAM heatmaps side
 * by side with IG's completeness figure, and the heatmap exported as a PNG download; then the
 * linear-regression template on the built-in auto-mpg table, trained, one row from Try it explained
 * with SHAP (a bar per feature, efficiency) and the global importance chart. Screenshots:
 * e2e/output/explain-*.png (git-ignored).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchApp, OUTPUT_DIR, type App } from './harness';

const status = async (page: Page) => (await page.getByTestId('run-status').getAttribute('data-status')) ?? '';

async function commit(page: Page, testId: string, value: string) {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
}

async function trainToEnd(page: Page) {
  await page.getByTestId('toolbar-train').click();
  await page.getByTestId('training-panel').waitFor();
  await expect.poll(() => status(page), { timeout: 600_000, interval: 1000 }).toBe('completed');
}

/** How many pixels of a canvas are tinted (red or blue clearly above the other channels). */
const tinted = (page: Page, testId: string) => page.getByTestId(testId).evaluate((c: HTMLCanvasElement) => {
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - d[i + 2]!) > 30) n++;
  return n;
});

describe('explain journey (web mode, Chromium, real engine)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('Why? on a misclassified digit: IG and Grad-CAM with completeness; a table row with SHAP bars and global importance', async () => {
    app = await launchApp({ viewport: { width: 1400, height: 1000 } });
    const { page } = app;
    page.on('dialog', (d) => void d.accept());
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    // Others edit this working tree while the test runs: keep Vite's hot reload away from the page.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    // ── The MNIST CNN, briefly: one epoch on 600 digits. ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-mnist-cnn').click();
    await page.getByTestId('node-digit').waitFor();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('dataset-select').selectOption('digits');
    await expect.poll(() => page.getByTestId('data-summary').innerText(), { timeout: 120_000 }).toMatch(/10,000 samples/);
    await commit(page, 'data-limit', '600');
    await page.getByRole('tab', { name: 'Training' }).click();
    await commit(page, 'epochs', '1');
    await trainToEnd(page);

    // ── Evaluate: a misclassified cell, Why? on its first sample. ──
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.getByTestId('test-metrics').waitFor({ timeout: 120_000 });
    const ids = await page.locator('[data-testid^="cell-"]:not([disabled])').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!));
    const off = ids.find((id) => { const [, t, p] = id.split('-'); return t !== p; });
    expect(off, 'a briefly trained CNN misclassifies some test digits').toBeDefined();
    await page.getByTestId(off!).click();
    await page.getByTestId('why-button').first().click();
    await page.getByTestId('explain-panel').waitFor();
    // A taller bottom panel (its edge, keyed like a person): the picker and the cards side by side.
    await page.getByRole('separator', { name: 'Resize the bottom panel' }).focus();
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageUp');
    expect(await page.getByTestId('explain-subject').innerText()).toMatch(/test sample #\d+ \(true “\d”, predicted “\d”\)/);
    expect(await page.getByTestId('pick-ig').isChecked()).toBe(true);
    expect(await page.getByTestId('pick-gradcam').isChecked()).toBe(true);
    expect(await page.getByTestId('explain-cost').innerText()).toMatch(/^52 forward passes · ≈ /);
    await page.getByTestId('explain-run').click();
    await page.getByTestId('heatmap-ig').waitFor({ timeout: 120_000 });
    await page.getByTestId('heatmap-gradcam').waitFor({ timeout: 120_000 });
    expect(await tinted(page, 'heatmap-ig')).toBeGreaterThan(10);
    expect(await page.getByTestId('completeness').innerText()).toMatch(/Completeness: Σ attributions .* gap \d+\.\d% at 50 steps/);
    await page.getByTestId('completeness').scrollIntoViewIfNeeded();
    await app.screenshot('explain-1-digit');

    // The opacity slider redraws; the PNG is a real PNG download.
    await page.getByTestId('explain-opacity').fill('0.9');
    await expect.poll(() => page.getByTestId('heatmap-ig').getAttribute('data-opacity')).toBe('0.9');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png-ig').click()]);
    expect(download.suggestedFilename()).toMatch(/^ig-test-sample-\d+-.*\.png$/);
    const file = join(OUTPUT_DIR, 'explain-ig-export.png');
    await download.saveAs(file);
    expect(readFileSync(file).subarray(1, 4).toString('latin1')).toBe('PNG');

    // ── A table: linear regression on auto-mpg (9 features). ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-linear-regression').click();
    await page.getByTestId('node-x').waitFor();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('dataset-select').selectOption('auto-mpg');
    await page.getByTestId('shape-mismatch').getByRole('button', { name: /Set Input shape to \[9\]/ }).click({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('node-x').getByTestId('node-shape').innerText()).toBe('[9]');
    await page.getByRole('tab', { name: 'Training' }).click();
    await commit(page, 'epochs', '20');
    await trainToEnd(page);

    // ── Try it: the first sample's row, predicted, then Explain… with SHAP. ──
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByRole('button', { name: 'Predict' }).click();
    await expect.poll(() => page.getByTestId('prediction').innerText(), { timeout: 60_000 }).toMatch(/Prediction: /);
    await page.getByTestId('tryit-explain').click();
    await page.getByTestId('explain-panel').waitFor();
    expect(await page.getByTestId('pick-shap').isChecked()).toBe(true);
    expect(await page.getByTestId('cost-shap').innerText()).toBe('51,200');
    await page.getByTestId('explain-run').click();
    await page.getByTestId('attribution-bars').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('attribution-bar').count()).toBe(9);
    expect(await page.getByTestId('efficiency').innerText()).toMatch(/Efficiency: base value .* model output .* exact/);
    await page.getByTestId('global-run-shap').click();
    await page.getByTestId('global-chart-shap').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('global-chart-shap').getByTestId('global-bar').count()).toBe(9);
    await page.getByTestId('global-chart-shap').scrollIntoViewIfNeeded();
    await app.screenshot('explain-2-table');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 1_200_000);
});
