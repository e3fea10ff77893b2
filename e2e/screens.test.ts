/**
 * The main screens at the smallest supported window (1280×720), in Debian's Chromium with the real
 * engine: the 8-layer MNIST CNN stays legible on Fit with the Training tab open (never below the
 * readable zoom; its Input in view, the rest a scroll away), top to bottom and left to right; then
 * a screenshot of every main screen is saved: e2e/output/screen-1280x720-*.png.
 */
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

/** The canvas's zoom, read off React Flow's viewport transform. */
const zoom = (page: Page) => page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);

/** Whether the card of `id` lies entirely inside the canvas. */
async function inView(page: Page, id: string): Promise<boolean> {
  const c = (await page.getByTestId('canvas').boundingBox())!;
  const n = await page.getByTestId(`node-${id}`).boundingBox();
  return !!n && n.x >= c.x && n.y >= c.y && n.x + n.width <= c.x + c.width && n.y + n.height <= c.y + c.height;
}

describe('main screens at 1280×720 (web mode, Chromium)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('keeps an 8-layer model legible with the Training tab open, and saves the main screens', async () => {
    app = await launchApp({ viewport: { width: 1280, height: 720 } });
    const { page } = app;
    const shot = (name: string) => app.screenshot(`screen-1280x720-${name}`);
    page.on('dialog', (d) => void d.accept());
    // Replacing an edited model asks first, in the app: these journeys answer Don't save.
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    // Others edit this working tree while the test runs: keep Vite's hot reload away from the page.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });
    await shot('1-empty');

    await page.getByTestId('empty-templates').click();
    await page.getByTestId('template-mnist-cnn').waitFor();
    await shot('2-templates');
    await page.getByTestId('template-mnist-cnn').click();
    await page.getByTestId('node-digit').waitFor();

    // ── Legible with the Training tab open: Fit never goes below the readable zoom. ──
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('training-panel').waitFor();
    expect(await page.locator('.layer-node').count()).toBe(8);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await expect.poll(() => zoom(page)).toBeGreaterThanOrEqual(0.7);
    await expect.poll(() => inView(page, 'image')).toBe(true); // the Input: where the model starts
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    expect(canvas.height).toBeGreaterThanOrEqual(300);
    const last = await page.locator('.layer-node').last().getAttribute('data-testid');
    await shot('3-canvas-training-tab');
    // The rest is a scroll away (the wheel pans the canvas).
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    for (let i = 0; i < 12 && !(await inView(page, last!.replace('node-', ''))); i++) await page.mouse.wheel(0, 150);
    expect(await inView(page, last!.replace('node-', ''))).toBe(true);
    expect(await zoom(page)).toBeGreaterThanOrEqual(0.7);

    // ── Left to right, then back. ──
    await page.getByTestId('layout-direction').click();
    await expect.poll(async () => {
      const a = (await page.getByTestId('node-image').boundingBox())!;
      const b = (await page.locator('.layer-node').nth(1).boundingBox())!;
      return b.x > a.x + a.width && Math.abs(b.y - a.y) < 5;
    }).toBe(true);
    await expect.poll(() => zoom(page)).toBeGreaterThanOrEqual(0.7);
    await expect.poll(() => inView(page, 'image')).toBe(true);
    await shot('4-left-to-right');
    await page.getByTestId('layout-direction').click();

    // ── A long layer name is shown whole on its card (it used to be cut off with "…"). ──
    await page.getByTestId('node-conv1').click();
    await page.locator('#node-name').fill('first_convolution_block_3x3_relu');
    await page.locator('#node-name').press('Enter');
    const id = page.getByTestId('node-first_convolution_block_3x3_relu').locator('.layer-node-id');
    await expect.poll(() => id.innerText()).toBe('first_convolution_block_3x3_relu');
    expect(await id.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && getComputedStyle(el).textOverflow !== 'ellipsis')).toBe(true);

    // ── The other screens. ──
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('data-panel').waitFor();
    await shot('5-data');
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByTestId('export-dialog').waitFor();
    await shot('6-export');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-dialog').waitFor();
    await shot('7-import');
    await page.keyboard.press('Escape');
    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-sheet').waitFor();
    await shot('8-shortcuts');
    await page.keyboard.press('Escape');

    // A model that trains in seconds for Training, Runs, Evaluate and Try it.
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-logistic-regression').click();
    await page.getByTestId('node-features').waitFor();
    await page.getByTestId('toolbar-train').click();
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 120_000 }).toBe('completed');
    await shot('9-training');
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.getByTestId('runs-panel').waitFor();
    await shot('10-runs');
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.getByTestId('confusion').waitFor({ timeout: 60_000 });
    await shot('11-evaluate');
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByTestId('tryit-panel').waitFor();
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.getByTestId('prediction').waitFor();
    await shot('12-try-it');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 300_000);
});
