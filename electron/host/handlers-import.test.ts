/**
 * Import with weights through the app's handlers (web mode's ProjectFiles, the real engine functions
 * in-process instead of the engine process): the weights become an "Imported weights" run of the
 * unsaved document, staged outside the project; predictions survive the engine forgetting the run;
 * once the document is saved, runs.persistImported keeps the run beside it (`<model>.runs/<runId>/`).
 * File › Load Weights refuses a file that matches nothing, naming every layer.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from '../../shared/document';
import { IpcError } from '../../shared/ipc/rpc';
import { initBackend } from '../engine/backend';
import { compileModel } from '../engine/compile';
import { disposeRun, inProcessEngine } from '../engine/index';
import { writeKeras } from '../engine/formats/keras/writer';
import { writeTfjs } from '../engine/formats/tfjs/writer';
import { nodeWeights, randomizeWeights } from '../engine/formats/weights';
import { tf } from '../engine/tfjs';
import { ProjectFiles } from './files';
import { createHandlers } from './handlers';

const docOf = (nodes: [string, string, Record<string, unknown>][]) => ({
  format: 'layerloom.model' as const, version: 1 as const, name: 'tiny',
  nodes: nodes.map(([id, type, params]) => ({ id, type, params })),
  edges: nodes.slice(1).map(([id], i) => ({ from: nodes[i]![0], to: id })),
});

describe('import with weights (handlers)', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'layerloom-import-h-')));
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const engine = inProcessEngine();
  const h = createHandlers({ mode: 'web', version: '0', templatesDir: join(root, 'none'), projectDir: root, files: new ProjectFiles(root), settings: {} as never, engine }) as any;

  it('keeps the weights as a run of the unsaved document, then beside it once saved', async () => {
    const doc = docOf([['x', 'Input', { shape: [5] }], ['hidden', 'Dense', { units: 7, activation: 'relu' }], ['out', 'Dense', { units: 3, activation: 'softmax' }]]);
    const compiled = compileModel(doc, { seed: 3 });
    randomizeWeights(compiled.model, 9);
    mkdirSync(join(root, 'export', 'tiny'), { recursive: true });
    await writeTfjs(compiled, join(root, 'export', 'tiny'));
    const inputs = [[1, 2, 3, 4, 5], [-1, 0.5, 0, 2, -3]];
    const expected = tf.tidy(() => (compiled.model.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync() as number[][]);
    compiled.model.dispose();

    const r = await h['file.importModel']({ path: 'export/tiny/model.json' });
    expect(r.weightsFound).toBe(true);
    const runId = r.run.runId as string;
    expect(runId).toMatch(/^imported-/);
    const parsed = parseDocument(r.text);
    if (!parsed.ok) throw new Error('not a document');
    const imported = parsed.doc;
    // Nothing is written into the project for an unsaved document.
    expect(existsSync(join(root, 'tiny.runs'))).toBe(false);

    const p1 = await h['engine.predict']({ runId, doc: imported, inputs });
    expect(p1.outputs).toEqual(expected);
    disposeRun(runId); // as after an engine restart: read back from the staging folder
    expect((await h['engine.predict']({ runId, doc: imported, inputs })).outputs).toEqual(expected);
    // Export with the imported weights before the document is saved: the same weights come out.
    const ex = await h['export.run']({ format: 'tfjs', doc: imported, runId });
    expect(ex.weights).toBe('trained');
    expect(readFileSync(join(ex.outDir, 'weights.bin')).equals(readFileSync(join(root, 'export', 'tiny', 'weights.bin')))).toBe(true);

    writeFileSync(join(root, 'tiny.loom'), r.text);
    expect(await h['runs.persistImported']({ runId, docPath: 'tiny.loom' })).toEqual({ ok: true });
    expect(existsSync(join(root, 'tiny.runs', runId, 'weights.bin'))).toBe(true);
    disposeRun(runId);
    expect((await h['engine.predict']({ runId, doc: imported, inputs, docPath: 'tiny.loom' })).outputs).toEqual(expected);
    const list = await h['runs.list']({ docPath: 'tiny.loom' });
    expect(list.runs.map((x: { runId: string }) => x.runId)).toEqual([runId]);
    await expect(h['runs.persistImported']({ runId, docPath: 'tiny.loom' })).rejects.toThrow(/no imported run/);

    // File › Load Weights on the saved document: the run goes straight beside it.
    const w = await h['file.loadWeights']({ path: 'export/tiny/model.json', doc: imported, docPath: 'tiny.loom' });
    expect(w.matched).toEqual(['hidden', 'out']);
    expect(existsSync(join(root, 'tiny.runs', w.run.runId, 'run.json'))).toBe(true);
  });

  it('Load Weights: a .weights.h5 that matches no layer is refused with every layer named', async () => {
    const other = docOf([['x', 'Input', { shape: [4] }], ['a', 'Dense', { units: 2 }]]);
    const c = compileModel(other, { seed: 1 });
    mkdirSync(join(root, 'w'), { recursive: true });
    await writeKeras(other, nodeWeights(c), join(root, 'w'));
    c.model.dispose();
    const doc = docOf([['x', 'Input', { shape: [5] }], ['hidden', 'Dense', { units: 7 }], ['out', 'Dense', { units: 3 }]]);
    const err = await h['file.loadWeights']({ path: 'w/model.weights.h5', doc }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect((err as IpcError).message).toMatch(/No layer of the model matches the weights in model\.weights\.h5/);
    expect((err as IpcError).issues).toEqual([
      expect.stringMatching(/^hidden: shape mismatch: layers\/dense\/vars\/0 is \[4, 2\], the model expects \[5, 7\]/),
      expect.stringMatching(/^out: no weights at layers\/dense_1/),
    ]);
    await expect(h['file.loadWeights']({ path: 'w/notes.txt', doc })).rejects.toThrow(/import reads/);
  });
});
