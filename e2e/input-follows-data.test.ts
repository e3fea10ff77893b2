/**
 * The Input follows the data, driven like a person in Debian's Chromium with the real engine: a new
 * model, a CSV with 7 features chosen in the Data tab, an Input dragged from the palette takes the
 * shape [7]; then the logistic-regression template (Input [2]) on the same CSV shows the mismatch on
 * its Input before Train, and its quick fix sets the shape. Screenshot: e2e/output/input-follows-data.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

/** 40 rows: 7 numeric features and a two-class label. */
function writeCsv(file: string) {
  const rows = ['a,b,c,d,e,f,g,label'];
  for (let i = 0; i < 40; i++) rows.push(`${[1, 2, 3, 4, 5, 6, 7].map((k) => ((i * k) % 13) / 4).join(',')},${i % 2 ? 'yes' : 'no'}`);
  writeFileSync(file, rows.join('\n') + '\n');
}

async function chooseCsv(page: Page) {
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByLabel('source', { exact: true }).selectOption('csv');
  await page.getByLabel('CSV file', { exact: true }).fill('customers.csv');
  // Once the file is read, the target is a choice among its columns.
  await page.locator('select#ds-target').waitFor({ timeout: 60_000 });
  await page.locator('select#ds-target').selectOption('label');
  await page.getByRole('button', { name: 'Use this data' }).click();
  await expect.poll(() => page.getByTestId('data-summary').innerText(), { timeout: 60_000 }).toMatch(/sample shape \[7\]/);
}

describe('the Input follows the data (web mode, Chromium, real engine)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('a new Input takes a chosen CSV\'s shape; a mismatched Input shows the fix before Train', async () => {
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    const { page } = app;
    page.on('dialog', (d) => void d.accept());
    // Replacing an edited model asks first, in the app: these journeys answer Don't save.
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    writeCsv(join(app.projectDir, 'customers.csv'));
    // Others edit this working tree while the test runs: keep Vite's hot reload away from the page.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    // ── An empty model, the CSV, then an Input from the palette. ──
    await chooseCsv(page);
    // The editor reads the applied data's sample shape on its own, 400 ms after the dataset changes
    // (renderer/training/useDataSample.ts), with nothing on screen to wait for: give that read time.
    await page.waitForTimeout(2_500);
    await page.getByTestId('palette-Input').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 300, y: 120 } });
    await expect.poll(() => page.locator('.layer-node[data-type="Input"] [data-testid="node-shape"]').innerText()).toBe('[7]');
    expect(await page.locator('.layer-node[data-type="Input"]').innerText()).not.toMatch(/samples have shape/);

    // ── A model whose Input expects [2] on the same data: the warning on the Input, and its fix. ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-logistic-regression').click();
    await page.getByTestId('node-features').waitFor();
    await chooseCsv(page);
    await expect.poll(() => page.getByTestId('node-features').getAttribute('class'), { timeout: 30_000 }).toMatch(/has-warning/);
    await page.getByRole('tab', { name: 'Problems' }).click();
    await page.getByTestId('problems').getByRole('button', { name: /Set Input shape to \[7\]/ }).click();
    await expect.poll(() => page.getByTestId('node-features').getByTestId('node-shape').innerText()).toBe('[7]');
    await expect.poll(() => page.getByTestId('node-features').getAttribute('class')).not.toMatch(/has-warning|has-error/);
    await app.screenshot('input-follows-data');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 240_000);
});
