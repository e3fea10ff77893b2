/**
 * Bringing your own data in web mode, driven like a person in Debian's Chromium with the real engine:
 * open the logistic-regression template, choose CSV in the Data tab, click Choose…, pick a CSV from
 * a folder outside the project (the browser uploads it into <project>/data/), ignore its id column
 * and one-hot a numeric column in the columns table, watch the summary's feature count follow, set
 * the Input shape, train 2 epochs to the end; then choose an image folder (uploaded with its
 * one-subfolder-per-class layout) and see its classes; Save As the untitled model and find its run
 * beside the file and in the Runs tab after a reload. Screenshots: e2e/output/data-import-*.png.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { launchApp, type App } from './harness';

/** 60 rows: two numeric features, a text column, a numeric zone code, an id to ignore, a two-class label. */
function writeCsv(file: string) {
  const colors = ['red', 'green', 'blue'];
  const rows = ['id,x1,x2,color,zone,label'];
  for (let i = 0; i < 60; i++) {
    const a = i % 2 === 0;
    const x1 = ((a ? 1 : -1) + ((i * 37) % 11) / 20).toFixed(2);
    const x2 = ((a ? -0.5 : 0.5) + ((i * 53) % 7) / 15).toFixed(2);
    rows.push(`${1000 + i},${x1},${x2},${colors[i % 3]},${1 + (i % 3)},${a ? 'yes' : 'no'}`);
  }
  writeFileSync(file, rows.join('\n') + '\n');
}

/** An image folder: shapes/<class>/<n>.png, 8×8 grayscale, 3 images per class. */
function writeImages(dir: string) {
  for (const [cls, value] of [['dark', 30], ['light', 220]] as const) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let n = 0; n < 3; n++) {
      const png = new PNG({ width: 8, height: 8 });
      for (let p = 0; p < 64; p++) png.data.set([value + n, value + n, value + n, 255], p * 4);
      writeFileSync(join(dir, cls, `${n}.png`), PNG.sync.write(png));
    }
  }
  writeFileSync(join(dir, 'notes.txt'), 'not an image: not uploaded');
}

const summary = (page: Page) => page.getByTestId('data-summary').innerText();

describe('data import journey (web mode, Chromium, real engine)', () => {
  let app: App;
  let outside: string;
  afterAll(async () => {
    await app?.close();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  it('uploads a CSV, sets its columns (ignore, one-hot), trains on it; uploads an image folder', async () => {
    outside = mkdtempSync(join(tmpdir(), 'layerloom-e2e-data-'));
    writeCsv(join(outside, 'sales.csv'));
    writeImages(join(outside, 'shapes'));
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    const { page } = app;
    // Others edit this working tree while the test runs: keep Vite's hot reload away from the page.
    await page.routeWebSocket((url) => !url.pathname.startsWith('/ws'), () => undefined);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-logistic-regression').click();
    await page.getByTestId('node-features').waitFor();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('source', { exact: true }).selectOption('csv');

    // ── Choose… → the browser's file picker → upload. ──
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Choose CSV file…' }).click()]);
    expect(chooser.isMultiple()).toBe(false);
    await chooser.setFiles(join(outside, 'sales.csv'));
    await page.getByTestId('csv-columns').waitFor({ timeout: 60_000 });
    expect(readFileSync(join(app.projectDir, 'data', 'sales.csv'), 'utf8')).toBe(readFileSync(join(outside, 'sales.csv'), 'utf8'));
    expect(await page.getByLabel('CSV file', { exact: true }).inputValue()).toBe('data/sales.csv');
    expect(await page.getByLabel('role of label').inputValue()).toBe('target');
    // Defaults: the id is ignored (an id column, suggested by the engine); x1, x2, zone and color
    // (one-hot, 3 values) = 6 inputs.
    expect(await page.getByLabel('role of id').inputValue()).toBe('ignore');
    await expect.poll(() => summary(page), { timeout: 60_000 }).toMatch(/60 samples · sample shape \[6\] · 6 features · 2 classes/);
    await app.screenshot('data-import-1-columns');

    // ── The id stays out of the features; the zone code is a category. ──
    await page.getByLabel('role of id').selectOption('ignore');
    await expect.poll(() => summary(page), { timeout: 60_000 }).toMatch(/sample shape \[6\] · 6 features/);
    await page.getByLabel('one-hot zone').check();
    await expect.poll(() => summary(page), { timeout: 60_000 }).toMatch(/sample shape \[8\] · 8 features · 2 classes/);
    await page.getByRole('button', { name: 'Set Input shape to [8]' }).click();
    await expect.poll(() => page.getByTestId('shape-mismatch').count()).toBe(0);
    await app.screenshot('data-import-2-roles');

    // ── Train 2 epochs to the end. ──
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('epochs').fill('2');
    await page.getByTestId('epochs').press('Enter');
    const t0 = Date.now();
    await page.getByTestId('train-button').click();
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 180_000, interval: 500 }).toBe('completed');
    expect(await page.getByTestId('progress-text').innerText()).toMatch(/Epoch 2\/2/);
    console.log(`e2e: Train to the end of 2 epochs on the uploaded CSV took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await app.screenshot('data-import-3-trained');

    // ── An image folder: webkitdirectory picker, uploaded with its class subfolders (images only). ──
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('source', { exact: true }).selectOption('images');
    const [folder] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Choose image folder…' }).click()]);
    await folder.setFiles(join(outside, 'shapes'));
    await expect.poll(() => summary(page), { timeout: 60_000 }).toMatch(/6 samples · sample shape \[8, 8, [13]\] · 2 classes/);
    expect(await page.getByLabel('folder (one subfolder per class)', { exact: true }).inputValue()).toBe('data/shapes');
    expect(readFileSync(join(app.projectDir, 'data', 'shapes', 'light', '2.png')).equals(readFileSync(join(outside, 'shapes', 'light', '2.png')))).toBe(true);
    await app.screenshot('data-import-4-images');

    // ── Save As the untitled model: the run trained before the save is kept beside the new file,
    // and is listed in the Runs tab after a reload (which reopens the file). ──
    await page.getByRole('button', { name: 'Save As', exact: true }).first().click();
    await page.getByLabel('File name (in the project folder)').fill('sales-model');
    await page.getByRole('button', { name: 'Save', exact: true }).last().click();
    await expect.poll(() => page.getByTestId('notice').innerText()).toMatch(/Saved sales-model\.loom/);
    const runsDir = join(app.projectDir, 'sales-model.runs');
    await expect.poll(() => (existsSync(runsDir) ? readdirSync(runsDir).filter((d) => existsSync(join(runsDir, d, 'run.json'))).length : 0), { timeout: 30_000 }).toBe(1);
    const record = JSON.parse(readFileSync(join(runsDir, readdirSync(runsDir)[0]!, 'run.json'), 'utf8')) as { history: unknown[] };
    expect(record.history).toHaveLength(2);
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('node-features').waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('run-row').innerText()).toMatch(/\(saved\)/);
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 300_000);
});
