/**
 * Imported weights as runs: a TF.js export imported with its weights predicts exactly like the
 * model it came from (also after the engine forgot it: reloaded from its run folder); a Keras
 * `.weights.h5` exported from a really trained run, loaded into the same document, predicts exactly
 * like that run; weights of a different model are matched layer by layer and the rest is reported
 * by layer name with both shapes; nothing matching is an error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDocumentOrThrow } from '../../../shared/document';
import type { LoomDocument } from '../../../shared/document';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import type { EngineRequest } from '../../../shared/engine/api';
import { disposeRun, getRun, inProcessEngine } from '../index';
import { startTraining } from '../train';
import { exportModel } from './index';
import { importModelWithRun, loadWeightsRun, readWeightsFor } from './imported-run';
import { writeKeras } from './keras/writer';
import { writeTfjs } from './tfjs/writer';
import { nodeWeights, randomizeWeights } from './weights';
import { prepare, templateCases } from './test-cases';

const engine = inProcessEngine();
const predict = (req: EngineRequest<'engine.predict'>) => engine.call('engine.predict', req);
const evaluate = (req: EngineRequest<'engine.evaluate'>) => engine.call('engine.evaluate', req);

const template = (name: string) => loadDocumentOrThrow(readFileSync(join(__dirname, '../../../assets/templates', `${name}.loom`), 'utf8'), name);

/** One flat sample per row of a [batch, ...] input. */
const samples = (x: { data: Float32Array; shape: number[] }) => {
  const per = x.data.length / x.shape[0]!;
  return Array.from({ length: x.shape[0]! }, (_, i) => Array.from(x.data.subarray(i * per, (i + 1) * per)));
};

describe('imported weights as runs', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-imported-run-'));
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a TF.js export (MNIST CNN, random weights) imports as a run that predicts exactly like the original, also reloaded from its folder', async () => {
    const c = templateCases().find((x) => x.name === 'template-mnist-cnn')!;
    const p = prepare(c, 3);
    const src = join(root, 'tfjs-src');
    await writeTfjs(p.compiled, src);
    p.compiled.model.dispose();
    const runDir = join(root, 'staged', 'imported-a');
    const r = (await importModelWithRun({ path: join(src, 'model.json'), runId: 'imported-a', runDir })) as { ok: true; run: { runId: string; source: string }; weightsFound: boolean };
    expect(r.ok).toBe(true);
    expect(r.weightsFound).toBe(true);
    expect(r.run).toMatchObject({ runId: 'imported-a', source: 'model.json' });
    const inputs = samples(p.inputs[0]!);
    const expected = samples({ data: p.outputs[0]!.data as Float32Array, shape: p.outputs[0]!.shape });
    const a = await predict({ runId: 'imported-a', inputs });
    expect(a.outputs).toEqual(expected);
    // The run folder is a run like any other: run.json says where the weights came from.
    const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ format: 'layerloom.run', runId: 'imported-a', history: [], epochsCompleted: 0, imported: { source: 'model.json', format: 'tfjs' } });
    // An engine restart forgets in-memory runs: the folder brings it back with the same predictions.
    disposeRun('imported-a');
    const b = await predict({ runId: 'imported-a', runDir, inputs });
    expect(b.outputs).toEqual(expected);

    // Evaluate: without a dataset it says so; with the one the person chose since, it evaluates,
    // and the run keeps that dataset (its folder too): classes and the dataset's normalisation.
    await expect(evaluate({ runId: 'imported-a', runDir })).rejects.toThrow(/imported from model\.json have no dataset to evaluate on/);
    const withData = { ...(r as unknown as { doc: LoomDocument }).doc, dataset: { source: 'builtin' as const, name: 'digits' } };
    const ev = await evaluate({ runId: 'imported-a', runDir, doc: withData } as Parameters<typeof evaluate>[0]);
    expect(ev.samples).toBeGreaterThan(0);
    expect(ev.classes).toHaveLength(10);
    const saved = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(saved.dataset).toEqual({ source: 'builtin', name: 'digits' });
    expect(saved.classes).toHaveLength(10);
    disposeRun('imported-a');
    expect((await predict({ runId: 'imported-a', runDir, inputs })).classes).toHaveLength(10);
  });

  it('a .weights.h5 exported from a trained run loads into the same document and predicts exactly like the run', async () => {
    const doc: LoomDocument = { ...template('logistic-regression'), training: { ...template('logistic-regression').training!, epochs: 3 } };
    const trainedDir = join(root, 'm.runs', 'trained');
    const h = startTraining({ runId: 'trained', doc, runDir: trainedDir, backend: 'wasm' }, () => undefined);
    expect((await h.done).type).toBe('end');
    const out = await exportModel({ doc, format: 'keras', outDir: join(root, 'keras-out'), weightsDir: trainedDir });
    expect(out.weights).toBe('trained');
    const r = (await loadWeightsRun({ path: join(root, 'keras-out', 'model.weights.h5'), doc, runId: 'imported-b', runDir: join(root, 'm.runs', 'imported-b') })) as
      { ok: true; matched: string[]; problems: unknown[]; unused: string[]; run: { source: string } };
    expect(r.ok).toBe(true);
    expect(r.matched).toEqual(['prob']);
    expect(r.problems).toEqual([]);
    expect(r.run.source).toBe('model.weights.h5');
    const inputs = [[0.5, -1.25], [3, 2], [-2, 0.1]];
    const trained = await predict({ runId: 'trained', inputs });
    const imported = await predict({ runId: 'imported-b', inputs });
    expect(imported.outputs).toEqual(trained.outputs);
    // Same dataset, same seed: the same normalisation and classes as the trained run.
    expect(imported.classes).toEqual(trained.classes);
    expect(getRun('imported-b').record.normalization).toEqual(getRun('trained').record.normalization);
    // The TF.js export of the same run loads by layer name, with the same result.
    await exportModel({ doc, format: 'tfjs', outDir: join(root, 'tfjs-out'), weightsDir: trainedDir });
    await loadWeightsRun({ path: join(root, 'tfjs-out', 'model.json'), doc, runId: 'imported-c', runDir: join(root, 'm.runs', 'imported-c') });
    expect((await predict({ runId: 'imported-c', inputs })).outputs).toEqual(trained.outputs);
  });

  it('Keras 2 HDF5 (written like Keras 2 with h5py): save_weights files load by layer name, model.save files import with their weights', async () => {
    const c = templateCases().find((x) => x.name === 'template-mnist-cnn')!;
    const p = prepare(c, 2);
    const dir = join(root, 'keras2');
    await writeTfjs(p.compiled, dir);
    p.compiled.model.dispose();
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    const floats = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    // Layer by layer, in the model's layer order, weights named as Keras 2 names them (`conv1/kernel:0`).
    const topology = modelJson.modelTopology.model_config ?? modelJson.modelTopology;
    const layers: { name: string; weights: { name: string; shape: number[]; data: number[] }[] }[] =
      topology.config.layers.map((l: { name?: string; config: { name: string } }) => ({ name: l.name ?? l.config.name, weights: [] }));
    let at = 0;
    for (const w of modelJson.weightsManifest[0].weights as { name: string; shape: number[] }[]) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      layers.find((l) => l.name === w.name.split('/')[0])!.weights.push({ name: `${w.name}:0`, shape: w.shape, data: Array.from(floats.subarray(at, at + n)) });
      at += n;
    }
    writeFileSync(join(dir, 'k2.json'), JSON.stringify({ layers, config: topology }));
    execFileSync('/usr/bin/python3', ['-c', `
import h5py, json, numpy as np, sys
spec = json.load(open(sys.argv[1] + '/k2.json'))
def save(g, layers):
    g.attrs['layer_names'] = np.asarray([l['name'].encode() for l in layers])
    g.attrs['backend'] = b'tensorflow'
    g.attrs['keras_version'] = b'2.13.1'
    for l in sorted(layers, key=lambda l: l['name']):
        lg = g.create_group(l['name'])
        lg.attrs['weight_names'] = np.asarray([w['name'].encode() for w in l['weights']], dtype='S' if l['weights'] else 'S1')
        for w in l['weights']:
            lg.create_dataset(w['name'], data=np.asarray(w['data'], dtype='float32').reshape(w['shape']))
with h5py.File(sys.argv[1] + '/w.h5', 'w') as f:
    save(f, spec['layers'])
with h5py.File(sys.argv[1] + '/m.h5', 'w') as f:
    f.attrs['model_config'] = json.dumps(spec['config']).encode()
    save(f.create_group('model_weights'), spec['layers'])
`, dir]);
    const inputs = samples(p.inputs[0]!);
    const expected = samples({ data: p.outputs[0]!.data as Float32Array, shape: p.outputs[0]!.shape });

    const m = await readWeightsFor(c.doc, join(dir, 'w.h5'));
    expect(m.matched.sort()).toEqual(['conv1', 'conv2', 'dense', 'digit']);
    expect(m.problems).toEqual([]);
    await loadWeightsRun({ path: join(dir, 'w.h5'), doc: { ...c.doc, dataset: undefined }, runId: 'k2-weights', runDir: join(root, 'k2-weights') });
    expect((await predict({ runId: 'k2-weights', inputs })).outputs).toEqual(expected);

    const r = (await importModelWithRun({ path: join(dir, 'm.h5'), runId: 'k2-model', runDir: join(root, 'k2-model') })) as { ok: boolean; run?: { runId: string }; doc: LoomDocument };
    expect(r.ok).toBe(true);
    expect(r.doc.nodes.map((n) => n.id)).toEqual(c.doc.nodes.map((n) => n.id));
    expect(r.run?.runId).toBe('k2-model');
    expect((await predict({ runId: 'k2-model', inputs })).outputs).toEqual(expected);
    // save_weights files have no layers: importing one says what to do instead.
    const w = (await importModelWithRun({ path: join(dir, 'w.h5') })) as { ok: false; message: string };
    expect(w.message).toMatch(/holds weights only .*Load Weights/);
  });

  it('weights of a different model: matching layers load, the others are listed by name with both shapes; nothing matching is refused', async () => {
    const doc = template('mnist-cnn');
    const variant: LoomDocument = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'dense' ? { ...n, params: { ...n.params, units: 64 } } : n)) };
    const compiled = compileModel(variant, { seed: 1 });
    randomizeWeights(compiled.model, 5);
    const dir = join(root, 'variant');
    await writeTfjs(compiled, dir);
    await writeKeras(variant, nodeWeights(compiled), dir);
    compiled.model.dispose();
    for (const file of ['model.weights.h5', 'model.json']) {
      const m = await readWeightsFor(doc, join(dir, file));
      expect(m.matched.sort(), file).toEqual(['conv1', 'conv2']);
      expect(m.problems.map((p) => p.layer).sort(), file).toEqual(['dense', 'digit']);
      const dense = m.problems.find((p) => p.layer === 'dense')!.reason;
      expect(dense, file).toMatch(/\[3136, 64\]/);
      expect(dense, file).toMatch(/\[3136, 128\]/);
      expect(m.problems.find((p) => p.layer === 'digit')!.reason, file).toMatch(/\[64, 10\].*\[128, 10\]/);
    }
    const logistic = join(root, 'keras-out', 'model.weights.h5');
    expect(existsSync(logistic)).toBe(true);
    await expect(readWeightsFor(doc, logistic)).rejects.toThrow(/No layer of the model matches the weights in model\.weights\.h5/);
    const refused = (await loadWeightsRun({ path: logistic, doc, runId: 'nope', runDir: join(root, 'nope') })) as { ok: false; problems: { layer: string }[] };
    expect(refused.ok).toBe(false);
    expect(refused.problems.map((p) => p.layer).sort()).toEqual(['conv1', 'conv2', 'dense', 'digit']);
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });
});
