/**
 * Kinds of model files from the wild that the real-world folder (realworld.test.ts) may not hold,
 * each made here by stock tfjs-layers (the referee for predictions) or h5py, then imported:
 * - TF.js files converted from Keras 3 name weights `<model>/<layer>/<weight>`: matched;
 * - a file whose weights leave a layer without them: no run, the layer named;
 * - activations given as layer objects, ReLU(max_value=6);
 * - a model used as a layer (Teachable Machine: Sequential inside Sequential): flattened;
 * - a Keras JSON topology whose weights sit beside it in an .h5 of any name (Keras 2 save_weights).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../../../scripts/needs';
import { importTopology } from '../../../shared/formats/keras/read-topology';
import { initBackend } from '../backend';
import { inProcessEngine } from '../index';
import { tf, tfl } from '../tfjs';
import { importModelWithRun } from './imported-run';
import { PY } from './test-cases';

const engine = inProcessEngine();
const predict = (runId: string, inputs: number[][]) => engine.call('engine.predict', { runId, inputs });

interface Saved { modelTopology: { config: { name: string } }; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer }

/** A stock model's TF.js artifacts (what `model.save` writes). */
async function artifacts(model: tfl.LayersModel): Promise<Saved> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save({ save: async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) });
  const a = saved! as tf.io.ModelArtifacts;
  return { modelTopology: a.modelTopology as Saved['modelTopology'], weightSpecs: a.weightSpecs!, weightData: a.weightData as ArrayBuffer };
}

/** Write a model.json + weights.bin to `dir`; returns the model.json path. */
function writeModelJson(dir: string, a: Saved, specs = a.weightSpecs): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }));
  return join(dir, 'model.json');
}

const INPUTS = [[0.5, -1, 2], [1.5, 0.25, -0.75]];
function stockPredict(model: tfl.LayersModel): number[][] {
  const y = model.predict(tf.tensor(INPUTS)) as tf.Tensor;
  const out = (y.arraySync() as number[][]).map((r) => r.map((v) => Math.fround(v)));
  y.dispose();
  return out;
}
const close = (got: number[][], want: number[][]) => {
  expect(got.map((r) => r.length)).toEqual(want.map((r) => r.length));
  got.flat().forEach((v, i) => expect(Math.abs(v - want.flat()[i]!)).toBeLessThanOrEqual(1e-5));
};

/** A Teachable-Machine-like model: a Sequential "base" and a Sequential "head", each used as a layer. */
function nestedModel(): tfl.Sequential {
  const base = tfl.sequential({ name: 'base', layers: [tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [3], name: 'feat' })] });
  const head = tfl.sequential({ name: 'head', layers: [tfl.layers.dense({ units: 2, activation: 'softmax', inputShape: [4], name: 'cls' })] });
  return tfl.sequential({ name: 'outer', layers: [base, head] });
}

describe('import: kinds of files from the wild', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-import-classes-'));
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a model used as a layer is flattened into its layers, and its weights match by inner layer name', async () => {
    const model = nestedModel();
    const want = stockPredict(model);
    const path = writeModelJson(join(root, 'nested'), await artifacts(model));
    const r = await importModelWithRun({ path, runId: 'nested', runDir: join(root, 'runs', 'nested') });
    if (!r.ok) throw new Error(r.message);
    expect(r.doc.nodes.map((n) => `${n.id}:${n.type}`)).toEqual(['input:Input', 'feat:Dense', 'cls:Dense']);
    expect(r.doc.edges).toEqual([{ from: 'input', to: 'feat' }, { from: 'feat', to: 'cls' }]);
    expect(r.run?.runId).toBe('nested');
    close((await predict('nested', INPUTS)).outputs, want);
    model.dispose();
  });

  it('TF.js weights named <model>/<layer>/<weight> (converted from Keras 3) match their layers', async () => {
    const model = tfl.sequential({ name: 'seq', layers: [tfl.layers.dense({ units: 3, activation: 'tanh', inputShape: [3], name: 'd1' }), tfl.layers.dense({ units: 2, name: 'd2' })] });
    const want = stockPredict(model);
    const a = await artifacts(model);
    const path = writeModelJson(join(root, 'keras3-names'), a, a.weightSpecs.map((s) => ({ ...s, name: `sequential/${s.name}` })));
    const r = await importModelWithRun({ path, runId: 'k3names', runDir: join(root, 'runs', 'k3names') });
    if (!r.ok) throw new Error(r.message);
    expect(r.warnings.join('\n')).not.toMatch(/belongs to no layer/);
    expect(r.run?.runId).toBe('k3names');
    close((await predict('k3names', INPUTS)).outputs, want);
    model.dispose();
  });

  it('weights that leave a layer without its own make no run, naming the layer', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [3], name: 'd1' }), tfl.layers.dense({ units: 2, name: 'd2' })] });
    const a = await artifacts(model);
    const path = writeModelJson(join(root, 'partial'), a, a.weightSpecs.filter((s) => !s.name.startsWith('d2/')));
    const r = await importModelWithRun({ path, runId: 'partial', runDir: join(root, 'runs', 'partial') });
    if (!r.ok) throw new Error(r.message);
    expect(r.run).toBeUndefined();
    expect(r.weightsNote).toMatch(/The weights were not imported: 1 layer did not get its from model\.json: d2 \(no weights in the file; expects \[3, 2\] \+ \[2\]\)/);
    model.dispose();
  });

  it('activations given as layer objects, and ReLU(max_value=6), are named activations; other ReLU settings are placeholders that say why', () => {
    const layer = (name: string, className: string, config: object) => ({ class_name: className, config: { name, ...config } });
    const topo = {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          layer('d1', 'Dense', { units: 4, activation: { class_name: 'ReLU', config: { name: 're_lu', max_value: null, negative_slope: 0, threshold: 0 } }, batch_input_shape: [null, 3] }),
          layer('d2', 'Dense', { units: 4, activation: { module: 'keras.layers', class_name: 'ReLU', config: { max_value: 6 } } }),
          layer('r6', 'ReLU', { max_value: 6 }),
          layer('d3', 'Dense', { units: 4, activation: { class_name: 'function', config: 'sigmoid' } }),
          layer('r3', 'ReLU', { max_value: 3 }),
        ],
      },
    };
    const r = importTopology(topo);
    if (!r.ok) throw new Error(r.message);
    const params = Object.fromEntries(r.doc.nodes.map((n) => [n.id, n.params]));
    expect(params.d1).toMatchObject({ activation: 'relu' });
    expect(params.d2).toMatchObject({ activation: 'relu6' });
    expect(params.r6).toEqual({ activation: 'relu6' });
    expect(params.d3).toMatchObject({ activation: 'sigmoid' });
    expect(r.placeholders).toEqual([{ layer: 'r3', className: 'ReLU', reason: expect.stringMatching(/ReLU\(max_value=3\) is not supported/) }]);
  });

  needs('h5py').it('a Keras JSON topology takes its weights from the .h5 beside it, whatever its name (Keras 2 save_weights, by layer name)', async () => {
    const model = tfl.sequential({ name: 'seq', layers: [tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [3], name: 'hidden' }), tfl.layers.dense({ units: 2, name: 'out' })] });
    const want = stockPredict(model);
    const a = await artifacts(model);
    const dir = join(root, 'json-h5');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'topology.json'), JSON.stringify(a.modelTopology));
    const floats = new Float32Array(a.weightData);
    let at = 0;
    const layers = ['hidden', 'out'].map((name) => ({ name, weights: a.weightSpecs.filter((s) => s.name.startsWith(`${name}/`)).map((s) => {
      const n = s.shape.reduce((x, y) => x * y, 1);
      at += n;
      return { name: `${s.name}:0`, shape: s.shape, data: Array.from(floats.subarray(at - n, at)) };
    }) }));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(layers));
    execFileSync(PY, ['-c', `
import h5py, json, numpy as np, sys
layers = json.load(open(sys.argv[1] + '/spec.json'))
with h5py.File(sys.argv[1] + '/weights.h5', 'w') as f:
    f.attrs['layer_names'] = np.asarray([l['name'].encode() for l in layers])
    for l in layers:
        g = f.create_group(l['name'])
        g.attrs['weight_names'] = np.asarray([w['name'].encode() for w in l['weights']])
        for w in l['weights']:
            g.create_dataset(w['name'], data=np.asarray(w['data'], dtype='float32').reshape(w['shape']))
`, dir]);
    rmSync(join(dir, 'spec.json'));
    const r = await importModelWithRun({ path: join(dir, 'topology.json'), runId: 'json-h5', runDir: join(root, 'runs', 'json-h5') });
    if (!r.ok) throw new Error(r.message);
    expect(r.weightsNote).toBeUndefined();
    expect(r.warnings.join('\n')).toMatch(/weights read from weights\.h5 \(Keras 2 HDF5, by layer name\)/);
    close((await predict('json-h5', INPUTS)).outputs, want);
    model.dispose();
  });
});
