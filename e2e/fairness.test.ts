/**
 * The fairness journey, driven like a person in Debian's Chromium against web mode with the real
 * engine: open a logistic regression, choose the real built-in `arrests` data in the Data tab (its
 * GPL licence shown), train briefly, open Evaluate › Fairness, audit by `colour` (table and chart
 * with intervals), fit group thresholds and see them applied in Try it, train with reweighing by
 * colour (a new run), audit it and compare the two runs.
 * Screenshots: e2e/output/fairness-*.png.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

/** A logistic regression on the 11 features of arrests (no dataset chosen yet). */
const MODEL = {
  format: 'layerloom.model', version: 1, name: 'arrests-logistic',
  nodes: [{ id: 'person', type: 'Input', params: { shape: [11] } }, { id: 'released', type: 'Dense', params: { units: 1, activation: 'sigmoid' } }],
  edges: [{ from: 'person', to: 'released' }],
  layout: { person: { x: 0, y: 0 }, released: { x: 0, y: 110 } },
  training: { optimizer: 'adam', learningRate: 0.05, loss: 'binaryCrossentropy', metrics: ['accuracy'], batchSize: 64, epochs: 3, validationSplit: 0.2, seed: 1 },
};

const rowNames = (page: Page, testId: string) => page.getByTestId(testId).locator('th').allInnerTexts();

describe('fairness journey (web mode, Chromium, real engine)', () => {
  let app: App;
  const projectDir = mkdtempSync(join(tmpdir(), 'layerloom-e2e-fairness-'));
  afterAll(async () => {
    await app?.close();
    rmSync(projectDir, { recursive: true, force: true });
  });

  it('arrests: audit by colour, train with reweighing, compare the two runs', async () => {
    writeFileSync(join(projectDir, 'arrests-logistic.loom'), JSON.stringify(MODEL));
    app = await launchApp({ projectDir, viewport: { width: 1400, height: 1000 } });
    const { page } = app;
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    // Others edit this working tree while the test runs: keep Vite's hot reload away from the page.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('dialog', { name: 'Open model' }).getByRole('button', { name: /arrests-logistic\.loom/ }).first().click();
    await page.getByTestId('node-person').waitFor();

    // ── The real dataset, from the Data tab's built-ins, with its licence. ──
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('dataset-select').selectOption('arrests');
    await expect.poll(() => page.getByTestId('data-summary').innerText(), { timeout: 120_000 }).toMatch(/arrests: 5,226 samples/);
    expect(await page.getByTestId('data-summary').innerText()).toMatch(/licence: .*GNU GPL version 2 or later/);
    await app.screenshot('fairness-1-data');

    // ── Train briefly (3 epochs). ──
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('train-button').click();
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 180_000, interval: 500 }).toBe('completed');

    // ── Evaluate › Fairness: audit by colour. ──
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    // A taller bottom panel for the screenshots (the separator takes PageUp like a person's keyboard).
    for (let i = 0; i < 4; i++) await page.getByRole('separator', { name: 'Resize the bottom panel' }).press('PageUp');
    const section = page.getByTestId('fairness-section');
    await section.waitFor({ timeout: 60_000 });
    await section.scrollIntoViewIfNeeded();
    await page.getByTestId('fairness-attribute').selectOption('colour');
    await page.getByTestId('fairness-audit').click();
    await page.getByTestId('fairness-table').waitFor({ timeout: 120_000 });
    expect((await rowNames(page, 'fairness-table')).slice(-2)).toEqual(['Black', 'White']);
    expect(await page.getByTestId('fairness-bar').count()).toBe(2);
    expect(await page.getByTestId('fairness-whisker').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('summary-demographicParityDifference').innerText()).toMatch(/demographic-parity difference: \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    await page.getByTestId('fairness-chart').scrollIntoViewIfNeeded();
    await app.screenshot('fairness-2-audit');

    // ── Group thresholds (post-processing): fitted on the validation split, applied in Try it to the group chosen there. ──
    await page.getByTestId('fairness-thresholds').click();
    await page.getByTestId('fairness-rule').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('fairness-rule').innerText()).toMatch(/Black > 0\.\d\d, White > 0\.\d\d/);
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.getByTestId('tryit-thresholds').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('tryit-threshold-decision').innerText()).toMatch(/^(Yes|No)$/);
    await app.screenshot('fairness-3-tryit-thresholds');
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.getByTestId('fairness-table').waitFor();

    // ── Reweighing: a new run trained with weights by colour. ──
    await page.getByTestId('fairness-reweigh').click();
    await page.getByTestId('fairness-reweighed').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('fairness-reweighed').innerText()).toBe('This run trained with reweighing by colour.');

    // ── Audit the reweighted run: compared with the first on accuracy against disparity. ──
    await page.getByTestId('fairness-audit').click();
    await expect.poll(() => page.getByTestId('fairness-compare-row').count(), { timeout: 120_000 }).toBe(2);
    expect(await page.getByTestId('fairness-compare-row').locator('th').allInnerTexts()).toEqual(['● Run 1', '● Run 2 (reweighed by colour)']);
    expect(await page.getByTestId('fairness-compare-point').count()).toBe(2);
    console.log(`e2e fairness: ${(await page.getByTestId('fairness-compare').locator('tbody').innerText()).replace(/\s+/g, ' ')}`);
    await page.getByTestId('fairness-compare-chart').scrollIntoViewIfNeeded();
    await app.screenshot('fairness-4-compare');
    expect(app.errors).toEqual([]);
  }, 900_000);
});
