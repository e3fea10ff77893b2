/**
 * Model files other people made with the real libraries (TF.js converter and `model.save`, ml5.js,
 * Keras 2 HDF5, Keras 3 `.keras`), read from the folder outside the project that
 * scripts/requirements.mjs names (`realworld-models`; never copied into the repository). Each
 * must import and match as that folder's README defines it: no placeholders, the weights became a
 * run, the parameter count equals the number of weight values stored in the file and every stored
 * tensor was taken, and the run's predictions on a fixed random input equal stock tfjs-layers (cpu
 * backend) loading the same file within 1e-4 x max(1, |reference|). Stock TF.js reads TF.js files
 * itself; a Keras 2 HDF5 file it reads the way the TF.js converter does (the `model_config`
 * deserialized by tfjs-layers, each layer's weights set from its HDF5 group in `weight_names`
 * order); Keras 3 files, which stock TF.js cannot read, must give finite predictions. The one file
 * that cannot be built (an LSTM fed an `initial_state`) must come back as a clear placeholder.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { needs } from '../../../scripts/needs';
import { realworldModelsDir } from '../../../scripts/requirements.mjs';
import { inProcessEngine } from '../index';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { tf, tfl } from '../tfjs';
import { importModelWithRun } from './imported-run';
import { readTfjsWeightFiles } from './tfjs/reader';
import { readZip } from './zip';

type Reference = 'tfjs' | 'keras2-h5' | 'finite';
interface Case {
  file: string;
  reference: Reference;
  /** A variable-length input is imported with this length (the import option a person confirms). */
  sequenceLength?: number;
}

/** Every model file of the folder, with how its predictions are checked. */
const MATCHING: Case[] = [
  { file: 'anomaly-conv1d-ae-keras3/autoencoder.keras', reference: 'finite' },
  { file: 'divorce-mlp/model.json', reference: 'tfjs' },
  { file: 'divorce-mlp/divorce_model.h5', reference: 'keras2-h5' },
  { file: 'fashion-cnn-keras3/model.keras', reference: 'finite' },
  { file: 'hiragana-cnn/model.json', reference: 'tfjs' },
  { file: 'imdb-embed-gap/model.json', reference: 'tfjs', sequenceLength: 20 },
  { file: 'imdb-embed-gap/imdb_stored_model.h5', reference: 'keras2-h5', sequenceLength: 20 },
  { file: 'imdb-sentiment-keras-hdf5/model.keras', reference: 'keras2-h5', sequenceLength: 20 },
  { file: 'mnist-cnn-h5/model.h5', reference: 'keras2-h5' },
  { file: 'pose-mlp-ml5/model.json', reference: 'tfjs' },
  { file: 'unet-functional/model.json', reference: 'tfjs' },
  { file: 'ux-click-rnn/model.json', reference: 'tfjs' },
  { file: 'ux-lstm-bn-tfjs/ux.json', reference: 'tfjs' },
];
/** The seq2seq decoder LSTM takes the encoder's state (`initial_state`): a placeholder that says so. */
const PLACEHOLDER = { file: 'katakana-seq2seq/model.h5', layer: 'lstm_2', reason: /initial_state/ };

const BATCH = 2;
const TOL = 1e-4;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tensorish { shape: number[]; data: Float32Array }
const key = (t: Tensorish) => `${t.shape.join('x')}:${Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')}`;

type H5File = InstanceType<typeof h5wasm.File>;
type H5Group = InstanceType<typeof h5wasm.Group>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

/** Every dataset under `path` of an HDF5 file, depth first (what the file stores, read without any Layerloom reader). */
function datasetsUnder(f: H5File, path: string): [string, Tensorish][] {
  const node = f.get(path) as H5Group | H5Dataset | null;
  if (!node) return [];
  if ('shape' in node) return [[path, { shape: [...(node.shape ?? [])], data: Float32Array.from(node.value as ArrayLike<number>) }]];
  return (node as H5Group).keys().flatMap((k) => datasetsUnder(f, `${path}/${k}`));
}

const attrList = (node: { attrs: Record<string, unknown>; get_attribute(n: string, json: true): unknown }, name: string) => {
  const v = Object.keys(node.attrs).includes(name) ? node.get_attribute(name, true) : [];
  return (Array.isArray(v) ? v : [v]).map(String);
};

/** The weights a file stores (layer weights only: no optimizer state), independently of the importer. */
async function storedWeights(path: string, tmp: string): Promise<Tensorish[]> {
  const head = readFileSync(path).subarray(0, 4);
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const h5 = join(tmp, 'stored.weights.h5');
    writeFileSync(h5, readZip(new Uint8Array(readFileSync(path))).get('model.weights.h5')!);
    return h5Weights(h5, 'layers');
  }
  if (head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x46) return h5Weights(path, 'model_weights');
  const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest: tf.io.WeightsManifestConfig };
  const dir = join(path, '..');
  const bytes = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, specs);
  return specs.map((s) => ({ shape: [...named[s.name]!.shape], data: Float32Array.from(named[s.name]!.dataSync()) }));
}

async function h5Weights(path: string, root: string): Promise<Tensorish[]> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    return datasetsUnder(f, root).map(([, t]) => t);
  } finally {
    f.close();
  }
}

/** Stock tfjs-layers reading the file as TF.js does (TF.js files) or as its converter does (Keras 2 HDF5). */
async function stockModel(path: string, reference: Reference): Promise<tfl.LayersModel> {
  if (reference === 'tfjs') {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig };
    const dir = join(path, '..');
    const bytes = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
    return tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    }));
  }
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    const raw = f.get_attribute('model_config', true);
    const config = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const model = await tfl.models.modelFromJSON({ modelTopology: config } as unknown as tf.io.ModelJSON);
    const weightsRoot = f.get('model_weights') as unknown as { attrs: Record<string, unknown>; get_attribute(n: string, json: true): unknown };
    for (const layer of attrList(weightsRoot, 'layer_names')) {
      const g = f.get(`model_weights/${layer}`) as unknown as typeof weightsRoot;
      const names = attrList(g, 'weight_names');
      if (!names.length) continue;
      const ts = names.map((n) => {
        const ds = f.get(`model_weights/${layer}/${n}`) as H5Dataset;
        return tf.tensor(Float32Array.from(ds.value as ArrayLike<number>), ds.shape ?? []);
      });
      model.getLayer(layer).setWeights(ts);
      tf.dispose(ts);
    }
    return model;
  } finally {
    f.close();
  }
}

/** A fixed random batch for the imported model's input: token ids below the Embedding's vocabulary, else values in [-1, 1). */
function inputBatch(doc: { nodes: { type: string; params?: Record<string, unknown> }[] }, shape: number[], int: boolean, seed: number): number[][] {
  const next = rng(seed);
  const vocab = Number(doc.nodes.find((n) => n.type === 'Embedding')?.params?.inputDim ?? 2);
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: BATCH }, () => Array.from({ length: size }, () => (int ? Math.floor(next() * vocab) : next() * 2 - 1)));
}

const dir = realworldModelsDir();
const engine = inProcessEngine();

needs('realworld-models').describe('third-party model files (realworld-models)', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-realworld-'));
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the folder holds exactly the files this suite checks', () => {
    const models = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const named = [...new Set([...MATCHING, PLACEHOLDER].map((c) => c.file.split('/')[0]!))].sort();
    expect(models).toEqual(named);
  });

  it.each(MATCHING)('$file imports and matches', async (c) => {
    const path = join(dir, c.file);
    const runId = `imported-${c.file.replace(/[^A-Za-z0-9]/g, '-')}`;
    const runDir = join(root, runId);
    const r = await importModelWithRun({ path, runId, runDir, ...(c.sequenceLength ? { sequenceLength: c.sequenceLength } : {}) });
    if (!r.ok) throw new Error(`${c.file} was refused: ${r.message}`);
    expect(r.placeholders ?? [], 'placeholders').toEqual([]);
    expect(r.weightsNote, 'the weights became a run').toBeUndefined();
    expect(r.run?.runId).toBe(runId);

    // Every stored value was taken: the run holds exactly the file's tensors, and nothing else.
    const stored = (await storedWeights(path, root)).map(key).sort();
    const taken = (await readTfjsWeightFiles(join(runDir, 'model.json'))).map(([, t]) => key(t)).sort();
    expect(taken.length, 'number of weight tensors').toBe(stored.length);
    expect(taken.every((k, i) => k === stored[i]), 'the run holds the tensors stored in the file').toBe(true);
    const compiled = compileModel(r.doc);
    const params = compiled.model.countParams();
    const shape = compiled.inputShapes[0]!;
    const int = compiled.inputDtypes[0] === 'int32';
    compiled.model.dispose();
    expect(params, 'parameter count').toBe((await storedWeights(path, root)).reduce((n, t) => n + t.data.length, 0));

    const inputs = inputBatch(r.doc, shape, int, 7);
    const got = (await engine.call('engine.predict', { runId, inputs })).outputs;
    expect(got).toHaveLength(BATCH);
    for (const o of got) expect(o.every(Number.isFinite), 'finite predictions').toBe(true);
    if (c.reference === 'finite') return;

    const stock = await stockModel(path, c.reference);
    try {
      const x = tf.tensor(inputs.flat(), [BATCH, ...shape], int ? 'int32' : 'float32');
      const y = stock.predict(x) as tf.Tensor;
      const want = Array.from(y.dataSync());
      expect(y.shape.slice(1).reduce((a, b) => a * b!, 1), 'output size').toBe(got[0]!.length);
      tf.dispose([x, y]);
      const flat = got.flat();
      const worst = flat.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!) / Math.max(1, Math.abs(want[i]!))), 0);
      expect(worst, 'max relative difference to stock tfjs-layers').toBeLessThanOrEqual(TOL);
    } finally {
      stock.dispose();
    }
  }, 120_000);

  it(`${PLACEHOLDER.file} imports as a clear placeholder for the LSTM fed an initial_state, with no run`, async () => {
    const r = await importModelWithRun({ path: join(dir, PLACEHOLDER.file), runId: 'imported-seq2seq', runDir: join(root, 'imported-seq2seq') });
    if (!r.ok) throw new Error(r.message);
    expect(r.placeholders).toContainEqual(expect.objectContaining({ layer: PLACEHOLDER.layer, reason: expect.stringMatching(PLACEHOLDER.reason) }));
    expect(r.doc.nodes.find((n) => n.id === PLACEHOLDER.layer)?.type, 'a placeholder, not a node that cannot be built').toBe('UnsupportedLSTM');
    expect(r.run).toBeUndefined();
    expect(r.weightsNote).toMatch(/replace/);
  });
});
