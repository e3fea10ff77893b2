/**
 * Compression, driven like a person in Debian's Chromium against web mode with the real engine
 * (wasm): train the MNIST CNN template on the digits briefly (1 epoch), open the Compress tab,
 * quantize to int8 (the before/after table, ~4x smaller weights, the changed samples), prune
 * channels (the smaller graph on the canvas after "Use the smaller model", undoable), and export
 * the compressed run to ONNX. Screenshots go to e2e/output/compress-*.png (git-ignored).
 */
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

const status = async (page: Page) => (await page.getByTestId('run-status').getAttribute('data-status')) ?? '';

/** Wait for a compression's results (or fail with the tab's error). */
async function compressed(app: App): Promise<void> {
  const { page } = app;
  await page.locator('[data-testid="compress-results"], [data-testid="compress-error"]').first().waitFor({ timeout: 600_000 });
  const err = page.getByTestId('compress-error');
  if (await err.count()) throw new Error(`the compression failed in the tab: ${await err.innerText()}`);
}

describe('compress journey (web mode, Chromium, real engine)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('trains the digits CNN, quantizes it to int8, prunes channels onto the canvas, exports the compressed run to ONNX', async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    const { page } = app;
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    // Other people edit this working tree while the test runs: no hot reload mid-run.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    // ── The MNIST CNN on the digits, trained 1 epoch. ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-mnist-cnn').click();
    await page.getByTestId('node-digit').waitFor();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('dataset-select').selectOption('digits');
    await expect.poll(() => page.getByTestId('data-summary').innerText(), { timeout: 120_000 }).toMatch(/10,000 samples/);
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('epochs').press('Enter');
    await page.getByTestId('train-button').click();
    await expect.poll(() => status(page), { timeout: 1_200_000, interval: 2000 }).toBe('completed');

    // ── Compress › int8: estimate, progress, the before/after table, the changed samples. ──
    await page.getByRole('tab', { name: 'Compress' }).click();
    await page.getByTestId('compress-panel').waitFor();
    expect(await page.getByTestId('compress-estimate').innerText()).toMatch(/Weights 1\.61 MB → 414\.\d KB \(3\.98x smaller\)/);
    await page.getByLabel('Calibration samples').fill('200');
    await page.getByTestId('compress-run').click();
    await compressed(app);
    const bytes = await page.getByTestId('row-bytes').innerText();
    expect(bytes).toMatch(/1\.61 MB\s+414\.\d KB\s+3\.98x smaller/);
    expect(await page.getByTestId('row-accuracy').innerText()).toMatch(/Test accuracy\s+\d+\.\d\d %\s+\d+\.\d\d %/);
    await page.getByTestId('compress-chart').waitFor();
    const changed = page.getByTestId('changed-samples');
    const heading = await changed.locator('h4').innerText();
    expect(heading).toMatch(/^(No test prediction changed\.|\d+ of 500 test predictions changed)/);
    // Every changed digit is shown as a thumbnail.
    expect(await changed.locator('canvas').count()).toBe(await page.getByTestId('changed-sample').count());
    await app.screenshot('compress-1-int8');

    // The new run is a run of the model: Evaluate shows its test figures.
    await page.getByTestId('open-evaluate').click();
    await page.getByTestId('test-metrics').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('test-metrics').innerText()).toMatch(/500 samples/);
    await page.getByRole('tab', { name: 'Compress' }).click();

    // ── Prune channels (no fine-tuning: lean), then the smaller graph on the canvas. ──
    await page.getByLabel('Method').selectOption('prune-channels');
    expect(await page.getByTestId('estimate-channels').innerText()).toMatch(/conv1 32→16, conv2 64→32, dense 128→64/);
    await page.getByLabel('Fine-tuning epochs').fill('0');
    await page.getByTestId('compress-run').click();
    await page.getByTestId('use-smaller').waitFor({ timeout: 600_000 });
    await compressed(app);
    expect(await page.getByTestId('row-flops').innerText()).toMatch(/x fewer/);
    const before = await page.getByTestId('node-conv1').innerText();
    expect(before).toMatch(/\b32\b/);
    await page.getByTestId('use-smaller').click();
    await expect.poll(() => page.getByTestId('node-conv1').innerText()).toMatch(/\b16\b/);
    expect(await page.getByTestId('node-conv2').innerText()).toMatch(/\b32\b/);
    expect(await page.getByTestId('node-dense').innerText()).toMatch(/\b64\b/);
    await app.screenshot('compress-2-pruned-canvas');

    // ── Export the compressed run (the smaller model's weights) to ONNX. ──
    await page.getByTestId('open-export').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: 'ONNX' }).check();
    expect(await dialog.getByLabel('Weights').inputValue()).toMatch(/^compressed-/);
    await dialog.getByTestId('export-run').click();
    await dialog.locator('[data-testid="export-result"], [data-testid="export-error"]').first().waitFor({ timeout: 120_000 });
    expect(await dialog.getByTestId('export-error').count()).toBe(0);
    expect(await dialog.getByTestId('export-weights').innerText()).toMatch(/trained/);
    await app.screenshot('compress-3-export');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 2_400_000);
});
