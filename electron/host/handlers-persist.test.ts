/**
 * The runs of a document trained before its first save are kept when it is saved (`runs.persist`),
 * through the app's handlers with the real engine in-process (instead of the engine process): the
 * run is listed beside the saved file with its curves, exports its trained weights, and goes along
 * with a Save As copy, with its test evaluation. A run the engine no longer holds fails alone, leaving no folder behind.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../engine/backend';
import { disposeRun } from '../engine/index';
import { ProjectFiles } from './files';
import { engineWithEnds } from './fixtures/in-process-engine';
import { createHandlers } from './handlers';

describe('runs of an unsaved document survive its first save (handlers)', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'layerloom-persist-h-')));
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const { engine, ends } = engineWithEnds();
  const files = new ProjectFiles(root);
  const h = createHandlers({ mode: 'web', version: '0', templatesDir: join(root, 'none'), projectDir: root, files, settings: { addRecent: async () => undefined } as never, engine }) as any;

  const doc = {
    format: 'layerloom.model' as const, version: 1 as const, name: 'untitled',
    nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } }],
    edges: [{ from: 'x', to: 'out' }],
    training: { epochs: 2, batchSize: 32, learningRate: 0.05, seed: 1 },
    dataset: { source: 'builtin' as const, name: 'iris' },
  };

  it('writes the session run beside the saved file: listed with its history, exports the trained weights', async () => {
    const { runId } = await h['engine.train']({ runId: 'run-unsaved-1', doc });
    const end = await ends.get(runId)!;
    expect(end.type).toBe('end');
    // Trained without a path: nothing in the project yet.
    expect(existsSync(join(root, 'iris.runs'))).toBe(false);

    // Evaluated before the save (the engine holds the run): the evaluation goes into run.json.
    const evaluation = await h['engine.evaluate']({ runId, doc });
    expect(evaluation.samples).toBeGreaterThan(0);

    await h['file.saveAs']({ text: JSON.stringify(doc), suggestedName: 'iris.loom', path: 'iris.loom' });
    const r = await h['runs.persist']({ runIds: [runId, 'run-gone'], docPath: 'iris.loom', evaluations: { [runId]: evaluation } });
    expect(r.saved).toEqual([runId]);
    // A run the engine does not hold fails alone, with no half folder left.
    expect(r.failed.map((f: { runId: string }) => f.runId)).toEqual(['run-gone']);
    expect(existsSync(join(root, 'iris.runs', 'run-gone'))).toBe(false);

    const list = await h['runs.list']({ docPath: 'iris.loom' });
    expect(list.runs.map((x: { runId: string }) => x.runId)).toEqual([runId]);
    const rec = list.runs[0];
    expect(rec.history).toHaveLength(2);
    expect(rec.history[1].loss).toBeGreaterThan(0);
    expect(rec.training.epochs).toBe(2);
    expect(rec.doc.nodes.map((n: { id: string }) => n.id)).toEqual(['x', 'out']);
    expect(rec.evaluation).toEqual(JSON.parse(JSON.stringify(evaluation)));

    // Export with the run: the trained weights (those of its folder), not the initial ones.
    const trained = await h['export.run']({ format: 'tfjs', doc, docPath: 'iris.loom', runId, outDir: join(root, 'ex-trained') });
    expect(trained.weights).toBe('trained');
    const runWeights = readFileSync(join(root, 'iris.runs', runId, 'weights.bin'));
    expect(readFileSync(join(trained.outDir, 'weights.bin')).equals(runWeights)).toBe(true);
    const initial = await h['export.run']({ format: 'tfjs', doc, docPath: 'iris.loom', outDir: join(root, 'ex-initial') });
    expect(initial.weights).toBe('initial');
    expect(readFileSync(join(initial.outDir, 'weights.bin')).equals(runWeights)).toBe(false);

    // Persisting again keeps the folder (idempotent); a Save As copy takes the runs along.
    expect((await h['runs.persist']({ runIds: [runId], docPath: 'iris.loom' })).saved).toEqual([runId]);
    await h['file.saveAs']({ text: JSON.stringify(doc), suggestedName: 'copy.loom', path: 'copy.loom' });
    expect((await h['runs.persist']({ runIds: [runId], docPath: 'copy.loom', fromPath: 'iris.loom' })).saved).toEqual([runId]);
    expect(readFileSync(join(root, 'copy.runs', runId, 'weights.bin')).equals(runWeights)).toBe(true);
    // The engine reads the copy's run folder once it no longer holds the run (as after a restart).
    disposeRun(runId);
    const before = JSON.parse(readFileSync(join(root, 'copy.runs', runId, 'run.json'), 'utf8'));
    delete before.evaluation;
    const ev = await h['engine.evaluate']({ runId, doc, docPath: 'copy.loom' });
    expect(ev.logs).toEqual(evaluation.logs);
    // An evaluation of a saved run is kept in its run.json (the rest of the record unchanged).
    const after = JSON.parse(readFileSync(join(root, 'copy.runs', runId, 'run.json'), 'utf8'));
    expect(after.evaluation).toEqual(JSON.parse(JSON.stringify(ev)));
    delete after.evaluation;
    expect(after).toEqual(before);
  }, 60_000);
});
