/**
 * The editor, driven like a person in Debian's Chromium against web mode: build the MNIST CNN from
 * an empty canvas by dragging layers from the palette and connecting handles, set params in the
 * inspector, read the Keras parameter count in the summary; fix the tutorial's shape mistake with
 * the quick fix; undo/redo; save, reload, restore/open, find the same graph.
 * Screenshots of the main screens go to e2e/output/ (git-ignored).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadDocumentOrThrow } from '../shared/document';
import { launchApp, type App } from './harness';

const MNIST_PARAMS = '421,642';

/** Drag a palette entry onto the canvas so that the card's top centre lands at (x, y) in the canvas. */
async function dropLayer(page: Page, type: string, x: number, y: number) {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** Drag from the bottom handle of one node to the top handle of another. */
async function connect(page: Page, from: string, to: string) {
  const s = await page.getByTestId(`node-${from}`).locator('.react-flow__handle-bottom').boundingBox();
  const t = await page.getByTestId(`node-${to}`).locator('.react-flow__handle-top').boundingBox();
  if (!s || !t) throw new Error(`handles of ${from} → ${to} not visible`);
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move(t.x + t.width / 2, t.y + t.height / 2, { steps: 8 });
  await page.mouse.up();
}

const inspector = (page: Page) => page.locator('.inspector');
async function setText(page: Page, param: string, value: string) {
  const field = inspector(page).locator(`input[data-param="${param}"]`);
  await field.fill(value);
  await expectNoFieldError(page);
}
async function expectNoFieldError(page: Page) {
  expect(await inspector(page).locator('.field-error').count()).toBe(0);
}
async function choose(page: Page, param: string, value: string) {
  await inspector(page).getByLabel(param, { exact: true }).selectOption(value);
}
async function selectNode(page: Page, id: string) {
  await page.getByTestId(`node-${id}`).click();
  await expect.poll(() => inspector(page).locator('#node-name').inputValue()).toBe(id);
}
const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

describe('editor journey (web mode, Chromium)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('builds the MNIST CNN by hand, fixes a shape mistake, undoes/redoes, saves, reloads and reopens', async () => {
    app = await launchApp({ viewport: { width: 1280, height: 720 } });
    const { page } = app;
    page.on('dialog', (d) => void d.accept());
    // Replacing an edited model asks first, in the app: these journeys answer Don't save.
    await page.addLocatorHandler(page.getByTestId('unsaved-dialog'), () => page.getByTestId('unsaved-discard').click());
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });
    await app.screenshot('editor-1-empty');

    // ── Build from an empty canvas: two columns of cards, dragged from the palette. ──
    await page.getByRole('button', { name: 'Collapse panel' }).click();
    const layers: [string, string, number, number][] = [
      ['Input', 'input', 200, 30], ['Conv2D', 'conv2D', 200, 140], ['MaxPooling2D', 'maxPooling2D', 200, 250],
      ['Conv2D', 'conv2D_2', 200, 360], ['MaxPooling2D', 'maxPooling2D_2', 500, 30], ['Flatten', 'flatten', 500, 140],
      ['Dense', 'dense', 500, 250], ['Dense', 'dense_2', 500, 360],
    ];
    for (const [type, id, x, y] of layers) {
      await dropLayer(page, type, x, y);
      await page.getByTestId(`node-${id}`).waitFor();
    }
    expect(await page.locator('.react-flow__node').count()).toBe(8);
    for (let i = 0; i + 1 < layers.length; i++) {
      await connect(page, layers[i]![1], layers[i + 1]![1]);
      await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(i + 1);
    }

    // ── Params in the inspector. ──
    await selectNode(page, 'input');
    await setText(page, 'shape', '28, 28, 1');
    await selectNode(page, 'conv2D');
    await setText(page, 'filters', '32');
    await setText(page, 'kernelSize', '3');
    await choose(page, 'padding', 'same');
    await choose(page, 'activation', 'relu');
    await selectNode(page, 'conv2D_2');
    // Invalid text stays in the field with a message; the model keeps the last valid value.
    await inspector(page).locator('input[data-param="filters"]').fill('6four');
    await expect.poll(() => inspector(page).locator('.field-error').innerText()).toMatch(/not a number/);
    expect(await inspector(page).locator('input[data-param="filters"]').inputValue()).toBe('6four');
    await setText(page, 'filters', '64');
    await choose(page, 'padding', 'same');
    await choose(page, 'activation', 'relu');
    await selectNode(page, 'dense');
    await setText(page, 'units', '128');
    await choose(page, 'activation', 'relu');
    await selectNode(page, 'dense_2');
    await setText(page, 'units', '10');
    await choose(page, 'activation', 'softmax');
    expect(await page.getByTestId('node-flatten').getByTestId('node-shape').innerText()).toBe('[3136]');

    await page.getByRole('tab', { name: 'Summary' }).click();
    await expect.poll(() => text(page, 'total-params')).toBe(MNIST_PARAMS);
    expect(await text(page, 'model-output')).toBe('(None, 10)');
    expect(await page.getByTestId('problem-count').count()).toBe(0);
    expect(await page.getByTestId('dirty').count()).toBe(1);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await app.screenshot('editor-2-mnist-built');

    // ── Undo / redo: delete Flatten (its edges go with it), undo, redo, undo. ──
    await page.getByTestId('node-flatten').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    expect(await page.locator('.react-flow__edge').count()).toBe(5);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(7);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    await page.keyboard.press('Control+y');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(8);
    await expect.poll(() => text(page, 'total-params')).toBe(MNIST_PARAMS);

    // ── Save (Ctrl+S on a new document asks for a name). ──
    await page.keyboard.press('Control+s');
    await page.getByLabel('File name (in the project folder)').fill('mnist-built');
    await page.getByRole('button', { name: 'Save', exact: true }).last().click();
    await expect.poll(() => text(page, 'notice')).toMatch(/Saved mnist-built\.loom/);
    expect(await page.getByTestId('dirty').count()).toBe(0);
    const saved = loadDocumentOrThrow(readFileSync(join(app.projectDir, 'mnist-built.loom'), 'utf8'));
    expect(saved.nodes.map((n) => n.type)).toEqual(layers.map((l) => l[0]));
    expect(saved.edges).toHaveLength(7);

    // ── The tutorial's shape mistake: error on the Reshape, quick fix, cleared. ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-cifar-shape-mistake').click();
    await expect.poll(() => page.getByTestId('node-reshape').getAttribute('class')).toMatch(/has-error/);
    expect(await page.getByTestId('problem-count').innerText()).toBe('1');
    await page.getByRole('tab', { name: /Problems/ }).click();
    expect(await page.getByTestId('problems').innerText()).toMatch(/Reshape to \[2304\] cannot hold 4096 values/);
    await page.getByTestId('node-reshape').hover();
    await app.screenshot('editor-3-shape-mistake');
    // A drag is one undo step; duplicate (Ctrl+D) and undo it.
    const fc = page.locator('.react-flow__node[data-id="fc"]');
    // Fit stops at a readable zoom: a layer below the fold is brought into view by zooming out.
    const view = (await page.getByTestId('canvas').boundingBox())!;
    for (let i = 0; i < 6; i++) {
      const b = (await fc.boundingBox())!;
      if (b.y >= view.y && b.y + b.height <= view.y + view.height) break;
      await page.getByRole('button', { name: 'Zoom Out' }).click();
    }
    const before = await fc.getAttribute('style');
    const box = (await fc.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 8);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(box.x + box.width / 2 + i * 20, box.y + 8);
    await page.mouse.up();
    expect(await fc.getAttribute('style')).not.toBe(before);
    await page.keyboard.press('Control+d');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(9);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(8);
    await page.keyboard.press('Control+z');
    await expect.poll(() => fc.getAttribute('style')).toBe(before);
    // The context menu: right-click a node → Delete; undo.
    await page.getByTestId('node-pool1').click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Delete/ }).click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(8);
    await page.getByTestId('problems').getByText('reshape', { exact: true }).click(); // select the node from the list
    await expect.poll(() => inspector(page).locator('#node-name').inputValue()).toBe('reshape');
    await inspector(page).getByRole('button', { name: /Set Reshape target to \[4096\]/ }).click();
    await expect.poll(() => page.getByTestId('node-reshape').getAttribute('class')).not.toMatch(/has-error/);
    await page.getByTestId('problems-empty').waitFor();
    expect(await page.getByTestId('node-reshape').getByTestId('node-shape').innerText()).toBe('[4096]');
    await app.screenshot('editor-4-fixed');
    await page.getByTestId('node-fc').click();
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('node-reshape').getAttribute('class')).toMatch(/has-error/);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.getByTestId('node-reshape').getAttribute('class')).not.toMatch(/has-error/);

    // Dropping a layer on an edge inserts it in between (and undo takes it out again).
    const fcBox = (await page.getByTestId('node-fc').boundingBox())!;
    const labelBox = (await page.getByTestId('node-label').boundingBox())!;
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    const mid = { x: (fcBox.x + fcBox.width / 2 + labelBox.x + labelBox.width / 2) / 2, y: (fcBox.y + fcBox.height + labelBox.y) / 2 };
    await page.getByTestId('palette-Dropout').dragTo(page.getByTestId('canvas'), { targetPosition: { x: mid.x - canvasBox.x, y: mid.y - canvasBox.y } });
    await page.getByTestId('node-dropout').waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(8);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(8);
    expect(await page.locator('.react-flow__edge').count()).toBe(7);

    // ── Dark theme and the template gallery, for the record. ──
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-mnist-cnn').waitFor();
    await app.screenshot('editor-5-templates-dark');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Toggle theme' }).click();

    // ── Reload with unsaved changes: the recovery copy is offered; then open the saved file. ──
    await page.waitForTimeout(1200); // autosave debounce
    await page.reload();
    await page.getByTestId('recovery').waitFor({ timeout: 60_000 });
    await page.getByTestId('recovery').getByRole('button', { name: 'Restore' }).click();
    await page.getByTestId('node-reshape').waitFor();
    expect(await page.getByTestId('node-reshape').getAttribute('class')).not.toMatch(/has-error/);
    expect(await page.getByTestId('dirty').count()).toBe(1);

    await page.keyboard.press('Control+o');
    await page.getByRole('dialog', { name: 'Open model' }).getByRole('button', { name: /mnist-built\.loom/ }).first().click();
    await page.getByTestId('node-dense_2').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(8);
    expect(await page.locator('.react-flow__edge').count()).toBe(7);
    await page.getByRole('tab', { name: 'Summary' }).click();
    await expect.poll(() => text(page, 'total-params')).toBe(MNIST_PARAMS);
    expect(await text(page, 'doc-title')).toMatch(/mnist-built\.loom/);
    expect(await page.getByTestId('dirty').count()).toBe(0);
    await app.screenshot('editor-6-reopened');
    // A reload of the tab (web mode) opens the same file again, not an empty "untitled".
    await page.reload();
    await page.getByTestId('node-dense_2').waitFor({ timeout: 60_000 });
    expect(await text(page, 'doc-title')).toMatch(/mnist-built\.loom/);
    expect(await page.getByTestId('dirty').count()).toBe(0);
    expect(app.errors).toEqual([]);
  });
});
