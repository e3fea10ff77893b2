/**
 * Layout at the smallest supported window (1280×720), checked where a QA pass found things clipped
 * or out of sight: no empty minimap on an empty canvas and a dark one in the dark theme, the
 * palette's search box inside the palette, the toolbar's backend badge centred
 * beside Train, the confusion matrix's caption readable (not one word per line beside a 2-class
 * matrix), and the Runs tab's "what differs" list visible without scrolling. The logistic-regression
 * template trains in seconds, so two real runs are cheap.
 */
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return b;
}

async function trainToEnd(page: Page) {
  await page.getByTestId('toolbar-train').click();
  await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 120_000 }).toBe('completed');
}

describe('layout at 1280×720 (web mode, Chromium)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('keeps the palette search, backend badge, confusion caption and run diff readable and in view', async () => {
    app = await launchApp({ viewport: { width: 1280, height: 720 } });
    const { page } = app;
    await page.getByRole('button', { name: 'Templates' }).waitFor({ timeout: 60_000 });

    expect(await page.locator('.react-flow__minimap').count()).toBe(0); // no empty box on an empty canvas
    const palette = await box(page, '.palette');
    const search = await box(page, '.palette-search');
    expect(search.x + search.width).toBeLessThanOrEqual(palette.x + palette.width - 4);

    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-logistic-regression').click();
    await page.locator('.react-flow__minimap').waitFor();
    // The dark theme's minimap mask is dark, not React Flow's pale default.
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    expect(await page.locator('.react-flow__minimap-mask').evaluate((el) => getComputedStyle(el).fill)).toBe('rgba(12, 14, 18, 0.65)');
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await page.getByRole('tab', { name: 'Training' }).click();
    await trainToEnd(page);

    // The badge sits on the Train button's line, no taller than the button.
    const train = await box(page, '[data-testid="toolbar-train"]');
    const badge = await box(page, '.ll-toolbar-train [data-testid="backend-badge"]');
    expect(badge.height).toBeLessThanOrEqual(train.height);
    expect(Math.abs(badge.y + badge.height / 2 - (train.y + train.height / 2))).toBeLessThanOrEqual(2);

    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.getByTestId('confusion').waitFor({ timeout: 60_000 });
    const caption = await box(page, '.ll-confusion-figure figcaption');
    expect(caption.width).toBeGreaterThanOrEqual(200);
    expect(caption.height).toBeLessThan(50); // two or three lines, not seven

    // A second run with another learning rate; tick both: what differs is on screen.
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('training-panel').getByLabel('learning rate').fill('0.2');
    await trainToEnd(page);
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.getByLabel('compare Run 1').check();
    await page.getByLabel('compare Run 2').check();
    const diff = page.getByTestId('run-diff');
    await expect.poll(() => diff.innerText()).toMatch(/learningRate: 0\.05 → 0\.2/);
    const d = (await diff.boundingBox())!;
    expect(d.y + d.height).toBeLessThanOrEqual(720 - 20); // above the status bar
    await app.screenshot('layout-runs-diff');
    expect(app.errors).toEqual([]);
  });
});
