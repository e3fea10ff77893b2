/**
 * Export and import, driven like a person in Debian's Chromium against web mode: open the MNIST CNN
 * template, open Export…, choose PyTorch, read the model.py preview, export, see the written files
 * (and find them on disk in the project folder); export TF.js too, then Import that model.json with
 * its weights.bin through the browser's file picker: the imported graph is on the canvas as a new,
 * unsaved model, its weights an "Imported weights" run listed in Runs that Try it predicts with;
 * then Load Weights… a .weights.h5 of a slightly different model: the mismatched layers are listed.
 * Screenshots go to e2e/output/ (git-ignored).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDocumentOrThrow } from '../shared/document';
import { compileModel } from '../electron/engine/compile';
import { writeKeras } from '../electron/engine/formats/keras/writer';
import { nodeWeights } from '../electron/engine/formats/weights';
import { launchApp, REPO, type App } from './harness';

const MNIST_DOC = loadDocumentOrThrow(readFileSync(join(REPO, 'assets/templates/mnist-cnn.loom'), 'utf8'), 'mnist-cnn.loom');
/** The template's node ids (the imported TF.js model keeps them: layer names are node ids). */
const MNIST_NODES: string[] = MNIST_DOC.nodes.map((n) => n.id);

/** Wait for an export's outcome in the dialog; a failure shown there fails the test with its text. */
async function exportOutcome(app: App) {
  const dialog = app.page.getByTestId('export-dialog');
  await dialog.locator('[data-testid="export-result"], [data-testid="export-error"]').first().waitFor({ timeout: 90_000 })
    .catch(async (e) => {
      await app.screenshot('export-timeout');
      throw e;
    });
  const err = dialog.getByTestId('export-error');
  if (await err.count()) throw new Error(`the export failed in the dialog: ${await err.innerText()}`);
  return dialog.getByTestId('export-result');
}

describe('export and import journey (web mode, Chromium)', () => {
  let app: App;
  afterAll(async () => {
    await app?.close();
  });

  it('exports the MNIST CNN to PyTorch and TF.js from the dialog, then imports the TF.js model back', async () => {
    app = await launchApp({ viewport: { width: 1280, height: 800 } });
    const { page } = app;
    page.on('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Templates' }).waitFor({ timeout: 60_000 });

    // ── The MNIST CNN template. ──
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-mnist-cnn').click();
    expect(MNIST_NODES.length).toBeGreaterThan(5);
    for (const id of MNIST_NODES) await page.getByTestId(`node-${id}`).waitFor();

    // ── Export…: PyTorch, its model.py preview. ──
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: 'PyTorch' }).check();
    await dialog.getByRole('tab', { name: 'model.py' }).click();
    const preview = dialog.getByTestId('export-preview');
    await expect.poll(() => preview.innerText()).toContain('nn.Module');
    expect(await preview.innerText()).toContain('conv1');
    expect(await dialog.getByTestId('export-no-runs').innerText()).toMatch(/initial \(untrained\) weights/);
    // Keep the journey lean: no data.npz.
    await dialog.getByLabel(/Include the training data/).uncheck();
    await app.screenshot('export-1-pytorch-preview');

    await dialog.getByTestId('export-run').click();
    const result = await exportOutcome(app);
    const outDir = (await dialog.getByTestId('export-outdir').innerText()).trim();
    expect(outDir.startsWith(app.projectDir) || outDir.includes('layerloom-e2e-project-')).toBe(true);
    const listed = await result.locator('.export-written li').allInnerTexts();
    expect(listed).toEqual(expect.arrayContaining(['model.py', 'weights.pt', 'train.py', 'README.md']));
    expect(listed).not.toContain('data.npz');
    expect(await dialog.getByTestId('export-weights').innerText()).toMatch(/initial, untrained/);
    expect(existsSync(join(outDir, 'model.py'))).toBe(true);
    expect(readFileSync(join(outDir, 'model.py'), 'utf8')).toContain('class ');
    expect(existsSync(join(outDir, 'weights.pt'))).toBe(true);
    await app.screenshot('export-2-pytorch-done');

    // ── TF.js, then close the dialog. ──
    await dialog.getByRole('radio', { name: 'TensorFlow.js' }).check();
    await dialog.getByTestId('export-run').click();
    await exportOutcome(app);
    await expect.poll(() => dialog.getByTestId('export-outdir').innerText()).toMatch(/tfjs$/);
    const tfjsDir = (await dialog.getByTestId('export-outdir').innerText()).trim();
    expect(existsSync(join(tfjsDir, 'model.json'))).toBe(true);
    expect(existsSync(join(tfjsDir, 'weights.bin'))).toBe(true);
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('dirty').count()).toBe(0);

    // ── Import… the TF.js model just exported, through the browser's file picker (model.json and
    //    its weights.bin chosen together: they are uploaded into one imports/ folder). ──
    await page.getByRole('button', { name: 'Import…' }).click();
    const imp = page.getByTestId('import-dialog');
    await imp.waitFor();
    // The session's export is offered as a project path too.
    await imp.getByRole('button', { name: /model\.json$/ }).click();
    expect(await imp.getByLabel(/model file/i).inputValue()).toMatch(/^export\/.*tfjs\/model\.json$/);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), imp.getByTestId('import-pick').click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles([join(tfjsDir, 'model.json'), join(tfjsDir, 'weights.bin')]);
    const done = imp.getByTestId('import-result');
    await done.waitFor({ timeout: 120_000 });
    expect(await done.innerText()).toContain(`${MNIST_NODES.length} layers`);
    expect(await imp.getByTestId('import-weights-run').innerText()).toMatch(/Weights imported as run Imported weights \(from model\.json\)/);
    await app.screenshot('export-3-imported');
    await done.getByRole('button', { name: 'OK' }).click();
    await imp.waitFor({ state: 'detached' });

    // The imported graph is on the canvas: a new, unsaved model with the same layers.
    for (const id of MNIST_NODES) await page.getByTestId(`node-${id}`).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(MNIST_NODES.length);
    await page.getByTestId('dirty').waitFor();
    expect(await page.getByTestId('notice').innerText()).toMatch(/Imported|Loaded/);
    // The upload landed in the project's imports/ folder.
    const imports = readdirSync(join(app.projectDir, 'imports'));
    expect(imports).toHaveLength(1);
    expect(readdirSync(join(app.projectDir, 'imports', imports[0]!)).sort()).toEqual(['model.json', 'weights.bin']);

    // ── The weights are a run: listed in Runs, and Try it predicts with them without training. ──
    await page.getByRole('tab', { name: 'Runs' }).click();
    const row = page.getByTestId('run-row').filter({ hasText: 'Imported weights' });
    await row.waitFor();
    expect(await row.getByTestId('run-imported').innerText()).toContain('model.json');
    await page.getByRole('tab', { name: 'Try it' }).click();
    const pad = (await page.getByTestId('draw-pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.8, { steps: 8 });
    await page.mouse.up();
    // No dataset yet, so no class names: the 10 raw outputs of the softmax (they sum to 1).
    await expect.poll(() => page.getByTestId('prediction').innerText(), { timeout: 60_000 }).toMatch(/Prediction: /);
    const values = (await page.getByTestId('prediction').innerText()).replace(/^Prediction:\s*/, '').split(',').map(Number);
    expect(values).toHaveLength(10);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(await page.getByTestId('tryit-panel').innerText()).toContain('Imported weights');

    // ── Load Weights… from a .weights.h5 of a slightly different model (Dense 64 instead of 128):
    //    the convolutions load, the two dense layers are listed with both shapes. ──
    const variant = { ...MNIST_DOC, nodes: MNIST_DOC.nodes.map((n) => (n.id === 'dense' ? { ...n, params: { ...n.params, units: 64 } } : n)) };
    const vc = compileModel(variant, { seed: 1 });
    const h5Dir = mkdtempSync(join(tmpdir(), 'layerloom-e2e-h5-'));
    await writeKeras(variant, nodeWeights(vc), h5Dir);
    vc.model.dispose();
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('open-load-weights').click();
    const wd = page.getByTestId('weights-dialog');
    const [h5Chooser] = await Promise.all([page.waitForEvent('filechooser'), wd.getByTestId('weights-pick').click()]);
    await h5Chooser.setFiles([join(h5Dir, 'model.weights.h5')]);
    await wd.getByTestId('weights-result').waitFor({ timeout: 60_000 });
    expect(await wd.getByTestId('weights-result').innerText()).toMatch(/loaded as run Imported weights 2: 2 layers matched \(conv1, conv2\)/);
    const problems = await wd.getByTestId('weights-problems').locator('li').allInnerTexts();
    expect(problems).toEqual([expect.stringMatching(/^dense: shape mismatch: .*\[3136, 64\].*\[3136, 128\]/), expect.stringMatching(/^digit: shape mismatch: .*\[64, 10\].*\[128, 10\]/)]);
    await app.screenshot('export-3b-load-weights');
    await wd.getByRole('button', { name: 'OK' }).click();
    rmSync(h5Dir, { recursive: true, force: true });
    await app.screenshot('export-4-imported-canvas');
    expect(app.errors).toEqual([]);
  });

  it('exports the trained weights of the latest run by default (y = 2x learned: kernel ≈ 2 in weights.bin)', async () => {
    await app?.close();
    app = await launchApp({ projectFiles: ['assets/templates/linear-regression.loom'] });
    const { page } = app;
    await page.getByRole('button', { name: 'Open' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('dialog', { name: 'Open model' }).getByRole('button', { name: /linear-regression\.loom/ }).first().click();
    await page.getByTestId('node-y').waitFor();

    await page.getByTestId('toolbar-train').click();
    const status = () => page.getByTestId('run-status').getAttribute('data-status');
    await expect.poll(status, { timeout: 120_000, interval: 500 }).toBe('completed');

    await page.keyboard.press('Control+e');
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: 'TensorFlow.js' }).check();
    const weights = dialog.getByLabel('Weights');
    expect(await weights.inputValue()).not.toBe('');
    expect(await weights.locator('option:checked').innerText()).toMatch(/^Trained: /);
    await dialog.getByTestId('export-run').click();
    await exportOutcome(app);
    expect(await dialog.getByTestId('export-weights').innerText()).toMatch(/Weights: trained/);
    const outDir = (await dialog.getByTestId('export-outdir').innerText()).trim();
    await app.screenshot('export-5-trained');

    // The exported weights are the run's: y = 2x was learned.
    const manifest = JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')).weightsManifest[0].weights as { name: string; shape: number[] }[];
    const bin = readFileSync(join(outDir, 'weights.bin'));
    const floats = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    let at = 0;
    const values = new Map<string, number[]>();
    for (const w of manifest) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      values.set(w.name, [...floats.slice(at, at + n)]);
      at += n;
    }
    const kernel = [...values.entries()].find(([k]) => /kernel/.test(k))![1];
    expect(kernel[0]).toBeGreaterThan(1.8);
    expect(kernel[0]).toBeLessThan(2.2);
    expect(app.errors).toEqual([]);
  });
});
