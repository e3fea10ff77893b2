/**
 * Exports take raw rows as Try it does: a tiny MLP trained on a CSV with numeric columns on very
 * different scales and categorical (text) columns, exported to PyTorch, ONNX, TF.js and Keras with
 * its run's weights. Raw CSV rows (another file: columns reordered, no target, a quoted category with
 * a comma) go through each export's own entry point — PyTorch `python model.py rows.csv`, TF.js
 * `node predict.js rows.csv` in stock TF.js, ONNX in onnxruntime after one-hot encoding by the table
 * in preprocessing.json — and must give the engine's Try it prediction (predictRun on the rows as
 * the engine's CSV importer encodes them) for every row.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { LoomDocument } from '../../../shared/document';
import { PreprocessingSchema, type Preprocessing } from '../../../shared/formats/preprocessing/table';
import { initBackend } from '../backend';
import { csvToDataset, parseCsv, prepareData } from '../data';
import { loadBuiltin } from '../data/builtins';
import { predictRun } from '../evaluate';
import { disposeRun, getRun } from '../runs';
import { tf } from '../tfjs';
import { startTraining } from '../train';
import { exportModel } from './index';
import { PY } from './test-cases';
import { needs } from '../../../scripts/needs';

ort.env.wasm.numThreads = 1;

const COLOURS = ['red', 'green', 'navy, dark'];
const PLANS = ['basic', 'pro'];

/** 60 customers: age (20..70), income (20 000..90 000), colour, plan → bought (yes/no), deterministic. */
function customersCsv(): string {
  const lines = ['age,income,colour,plan,bought'];
  let s = 7;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < 60; i++) {
    const age = 20 + Math.floor(r() * 50);
    const income = 20000 + Math.round(r() * 70000);
    const colour = COLOURS[i % 3]!;
    const plan = PLANS[Math.floor(r() * 2)]!;
    const bought = income > 55000 || plan === 'pro' ? 'yes' : 'no';
    lines.push(`${age},${income},"${colour}",${plan},${bought}`);
  }
  return `${lines.join('\n')}\n`;
}

const maxAbs = (a: readonly number[], b: readonly number[]) => (a.length !== b.length ? Infinity : a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0));

interface RowPrediction {
  outputs: number[];
  label: string | null;
}

/** Every row's outputs within 1e-5 of Try it's and the same label; NaN, a missing row or output fails. */
function expectSame(got: RowPrediction[], want: RowPrediction[], what: string): void {
  expect(got, `${what}: one prediction per row`).toHaveLength(want.length);
  got.forEach((g, i) => {
    const d = maxAbs(g.outputs, want[i]!.outputs);
    expect(d, `${what} row ${i + 1}: outputs ${JSON.stringify(g.outputs)} vs Try it ${JSON.stringify(want[i]!.outputs)}`).toBeLessThan(1e-5);
    expect(g.label, `${what} row ${i + 1}`).toBe(want[i]!.label);
  });
}

/** The documented encoding, written here from preprocessing.json alone (the ONNX user's side of the contract). */
function encodeByTable(pre: Preprocessing, row: Record<string, string>): number[] {
  return pre.columns!.flatMap((c) => (c.kind === 'numeric' ? [Number(row[c.name]!.trim())] : c.categories.map((v) => (row[c.name]!.trim() === v ? 1 : 0))));
}

describe('exports take raw CSV rows like Try it', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-prep-'));
  const csvPath = join(root, 'customers.csv');
  const runDir = join(root, 'run');
  const runId = 'prep-run';
  /** The rows to predict: a separate CSV, columns reordered, no target column. */
  const rowsPath = join(root, 'rows.csv');
  let tryIt: RowPrediction[] = [];
  let doc: LoomDocument;
  const out = (f: string) => join(root, `export-${f}`);

  beforeAll(async () => {
    await initBackend('wasm');
    const text = customersCsv();
    writeFileSync(csvPath, text);
    doc = {
      format: 'layerloom.model', version: 1, name: 'customers',
      nodes: [
        { id: 'features', type: 'Input', params: { shape: [7] } },
        { id: 'hidden', type: 'Dense', params: { units: 8, activation: 'relu' } },
        // No softmax: the model outputs logits and Try it shows softmax(logits).
        { id: 'logits', type: 'Dense', params: { units: 2 } },
      ],
      edges: [{ from: 'features', to: 'hidden' }, { from: 'hidden', to: 'logits' }],
      training: { optimizer: 'adam', learningRate: 0.05, momentum: 0, nesterov: false, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 16, epochs: 15, validationSplit: 0.2, shuffle: true, seed: 3 },
      dataset: { source: 'csv', path: csvPath, target: 'bought' },
    };
    const h = startTraining({ runId, doc, backend: 'wasm', runDir }, () => undefined);
    const end = await h.done;
    expect(end.type).toBe('end');

    // The rows as the engine's CSV importer encodes them (one-hot, raw numbers) → Try it.
    const ds = csvToDataset(text, csvPath, { target: 'bought' });
    const picked = [0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 59];
    const encoded = picked.map((i) => Array.from(ds.x.subarray(i * ds.sampleSize, (i + 1) * ds.sampleSize)));
    const p = predictRun(runId, encoded);
    tryIt = p.outputs.map((o, i) => ({ outputs: o, label: p.classes![p.predicted![i]!]! }));
    expect(new Set(tryIt.map((t) => t.label)).size, 'the rows cover both classes').toBe(2);
    // The model alone on unnormalised features is far from Try it: the fixture really needs the preprocessing.
    const rawModel = tf.tidy(() => tf.softmax(getRun(runId).compiled.model.predict(tf.tensor(encoded)) as tf.Tensor).arraySync() as number[][]);
    expect(Math.max(...rawModel.map((o, i) => maxAbs(o, tryIt[i]!.outputs)))).toBeGreaterThan(0.05);

    const { rows } = parseCsv(text);
    const header = rows[0]!;
    const order = ['plan', 'colour', 'income', 'age'];
    const quote = (v: string) => (v.includes(',') ? `"${v}"` : v);
    writeFileSync(rowsPath, `${order.join(',')}\n${picked.map((i) => order.map((c) => quote(rows[i + 1]![header.indexOf(c)]!)).join(',')).join('\n')}\n`);
    for (const format of ['pytorch', 'onnx', 'tfjs', 'keras'] as const) {
      await exportModel({ doc, format, outDir: out(format), weightsDir: runDir, includeData: false });
    }
  }, 120_000);

  afterAll(() => {
    disposeRun(runId);
    rmSync(root, { recursive: true, force: true });
  });

  it('every format carries the same preprocessing.json: columns, categories, the run\'s normalisation, the output', () => {
    const tables = ['pytorch', 'onnx', 'tfjs', 'keras'].map((f) => readFileSync(join(out(f), 'preprocessing.json'), 'utf8'));
    expect(new Set(tables).size).toBe(1);
    const pre = PreprocessingSchema.parse(JSON.parse(tables[0]!));
    expect(pre.columns).toEqual([
      { name: 'age', kind: 'numeric' },
      { name: 'income', kind: 'numeric' },
      { name: 'colour', kind: 'categorical', categories: ['green', 'navy, dark', 'red'] },
      { name: 'plan', kind: 'categorical', categories: ['basic', 'pro'] },
    ]);
    const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(pre.normalization).toEqual(record.normalization);
    expect(pre.output).toEqual({ name: 'logits', task: 'classification', activation: 'softmax', classes: ['no', 'yes'] });
    for (const f of ['pytorch', 'onnx', 'tfjs', 'keras']) {
      const readme = readFileSync(join(out(f), 'README.md'), 'utf8');
      expect(readme, f).toMatch(/## Input: what this model takes[\s\S]*`age` \(a number, as written\), `income` \(a number, as written\), `colour` \(one-hot: "green", "navy, dark", "red"\), `plan` \(one-hot: "basic", "pro"\) — 7 values/);
      expect(readme, f).toMatch(/`standardize`, \(x - offset\) \* scale for each feature[\s\S]*logits: softmax is applied[\s\S]*\*\*Raw rows/);
    }
  });

  needs('torch', 'numpy').it('PyTorch: python model.py rows.csv predicts every raw row as Try it', () => {
    const stdout = execFileSync(PY, ['model.py', rowsPath], { cwd: out('pytorch'), encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });
    expectSame(stdout.trim().split('\n').map((l) => JSON.parse(l) as RowPrediction), tryIt, 'PyTorch');
  }, 60_000);

  needs('torch', 'numpy').it('PyTorch: an unknown category, a text number or a missing column is refused naming the row and column', () => {
    const script = [
      'from model import load_model, predict_rows',
      'm = load_model()',
      "for row in ({'age': '30', 'income': '40000', 'colour': 'blue', 'plan': 'pro'}, {'age': 'thirty', 'income': '40000', 'colour': 'red', 'plan': 'pro'},",
      "            {'age': '30', 'income': '40000', 'colour': 'red'}):",
      '    try:',
      '        predict_rows(m, [row])',
      "        print('accepted')",
      '    except ValueError as e:',
      '        print(e)',
    ].join('\n');
    const stdout = execFileSync(PY, ['-c', script], { cwd: out('pytorch'), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(stdout.trim().split('\n')).toEqual([
      "row 1, column 'colour': 'blue' is not one of the categories the model was trained on ('green', 'navy, dark', 'red')",
      "row 1, column 'age': 'thirty' is not a number",
      "row 1: no column 'plan' (the model takes age, income, colour, plan)",
    ]);
  }, 60_000);

  it('ONNX: model.onnx on the rows one-hot encoded by preprocessing.json gives Try it\'s probabilities', async () => {
    const pre = PreprocessingSchema.parse(JSON.parse(readFileSync(join(out('onnx'), 'preprocessing.json'), 'utf8')));
    const { rows } = parseCsv(readFileSync(rowsPath, 'utf8'));
    const header = rows[0]!;
    const features = rows.slice(1).map((r) => encodeByTable(pre, Object.fromEntries(header.map((h, i) => [h, r[i]!]))));
    const session = await ort.InferenceSession.create(readFileSync(join(out('onnx'), 'model.onnx')));
    try {
      expect(session.inputNames).toEqual(['features']);
      const y = await session.run({ features: new ort.Tensor('float32', Float32Array.from(features.flat()), [features.length, 7]) });
      expect([...y.logits!.dims]).toEqual([features.length, 2]);
      const data = Array.from(y.logits!.data as Float32Array);
      const got = features.map((_, i) => {
        const o = data.slice(i * 2, i * 2 + 2);
        return { outputs: o, label: pre.output.classes![o[1]! > o[0]! ? 1 : 0]! };
      });
      expectSame(got, tryIt, 'ONNX');
    } finally {
      await session.release();
    }
  });

  it('TF.js: node predict.js rows.csv (stock @tensorflow/tfjs) predicts every raw row as Try it, and refuses an unknown category', () => {
    // Users install @tensorflow/tfjs; here a stand-in package re-exports the same tfjs-core/-layers/-backend-cpu.
    const shim = join(root, 'shim', 'node_modules', '@tensorflow', 'tfjs');
    mkdirSync(shim, { recursive: true });
    writeFileSync(join(shim, 'index.js'), "require('@tensorflow/tfjs-backend-cpu');\nmodule.exports = { ...require('@tensorflow/tfjs-core'), ...require('@tensorflow/tfjs-layers') };\n");
    const env = { ...process.env, NODE_PATH: [join(root, 'shim', 'node_modules'), join(import.meta.dirname, '../../../node_modules')].join(':') };
    const stdout = execFileSync(process.execPath, [join(out('tfjs'), 'predict.js'), rowsPath], { encoding: 'utf8', env });
    expectSame(stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as RowPrediction), tryIt, 'TF.js');
    writeFileSync(join(root, 'bad.json'), JSON.stringify([{ age: 30, income: 40000, colour: 'blue', plan: 'pro' }]));
    const bad = spawnSync(process.execPath, [join(out('tfjs'), 'predict.js'), join(root, 'bad.json')], { encoding: 'utf8', env });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/row 1, column "colour": "blue" is not one of the categories the model was trained on \("green", "navy, dark", "red"\)/);
  }, 60_000);

  needs('torch', 'numpy').it('Keras: model.py\'s predict_rows around a stand-in model (Keras is not installed) gives Try it\'s predictions', () => {
    // keras is stubbed just enough to import model.py; the stand-in answers model.predict like a Keras
    // functional model with an outputs list (a list of arrays), computing with the PyTorch export.
    const script = [
      'import importlib.util, json, sys, types',
      'import torch',
      "sys.modules['keras'] = types.SimpleNamespace(layers=None, ops=None)",
      'def load(name, path):',
      '    spec = importlib.util.spec_from_file_location(name, path)',
      '    mod = importlib.util.module_from_spec(spec)',
      '    spec.loader.exec_module(mod)',
      '    return mod',
      `km = load('keras_model', ${JSON.stringify(join(out('keras'), 'model.py'))})`,
      `torch_model = load('torch_model', ${JSON.stringify(join(out('pytorch'), 'model.py'))}).load_model()`,
      'class StandIn:',
      '    def predict(self, x, verbose=0):',
      '        with torch.no_grad():',
      '            return [torch_model(torch.from_numpy(x)).numpy()]',
      `for p in km.predict_rows(StandIn(), km.read_rows(${JSON.stringify(rowsPath)})):`,
      '    print(json.dumps(p))',
    ].join('\n');
    const stdout = execFileSync(PY, ['-c', script], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });
    expectSame(stdout.trim().split('\n').map((l) => JSON.parse(l) as RowPrediction), tryIt, 'Keras model.py');
  }, 60_000);

  it('Keras: model.py (same preprocessing functions, Keras model call) is valid Python', () => {
    const r = spawnSync(PY, ['-m', 'py_compile', join(out('keras'), 'model.py')], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(out('keras'), 'model.py'), 'utf8')).toContain('def predict_rows(model, rows, pre=None):');
  });
});

/**
 * Image models: the exports take pixels 0..255 (channels-last, as the data and Try it's drawing pad
 * give them): the digits data's 1/255 scaling is inside model.onnx and applied by predict_rows /
 * predictRows, and matches Try it on raw samples.
 */
describe('image exports take raw 0..255 pixels like Try it', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-prep-img-'));
  const runDir = join(root, 'run');
  const runId = 'prep-img-run';
  const samplesPath = join(root, 'samples.json');
  const out = (f: string) => join(root, `export-${f}`);
  let samples: number[][] = [];
  let tryIt: RowPrediction[] = [];

  beforeAll(async () => {
    await initBackend('wasm');
    const doc: LoomDocument = {
      format: 'layerloom.model', version: 1, name: 'digits',
      nodes: [
        { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
        { id: 'conv', type: 'Conv2D', params: { filters: 2, kernelSize: 5, strides: 4, activation: 'relu' } },
        { id: 'flat', type: 'Flatten', params: {} },
        { id: 'probs', type: 'Dense', params: { units: 10, activation: 'softmax' } },
      ],
      edges: [{ from: 'image', to: 'conv' }, { from: 'conv', to: 'flat' }, { from: 'flat', to: 'probs' }],
      training: { optimizer: 'adam', learningRate: 0.01, momentum: 0, nesterov: false, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 32, epochs: 1, validationSplit: 0.2, shuffle: true, seed: 5 },
      dataset: { source: 'builtin', name: 'digits', limit: 64 },
    };
    const end = await startTraining({ runId, doc, backend: 'wasm', runDir }, () => undefined).done;
    expect(end.type).toBe('end');
    const ds = loadBuiltin('digits');
    samples = [0, 1, 2, 3, 4].map((i) => Array.from(ds.x.subarray(i * ds.sampleSize, (i + 1) * ds.sampleSize)));
    expect(Math.max(...samples.flat()), 'raw pixels').toBeGreaterThan(200);
    const p = predictRun(runId, samples);
    tryIt = p.outputs.map((o, i) => ({ outputs: o, label: p.classes![p.predicted![i]!]! }));
    writeFileSync(samplesPath, JSON.stringify(samples));
    for (const format of ['pytorch', 'onnx'] as const) await exportModel({ doc, format, outDir: out(format), weightsDir: runDir, includeData: false });
  }, 120_000);

  afterAll(() => {
    disposeRun(runId);
    rmSync(root, { recursive: true, force: true });
  });

  it('preprocessing.json says pixels, no columns, scale 1/255; model.onnx on raw pixels gives Try it\'s probabilities', async () => {
    const pre = PreprocessingSchema.parse(JSON.parse(readFileSync(join(out('onnx'), 'preprocessing.json'), 'utf8')));
    expect(pre).toMatchObject({ kind: 'image', columns: null, input: { name: 'image', shape: [28, 28, 1] }, normalization: { mode: 'scale', offset: [0], scale: [1 / 255] } });
    const session = await ort.InferenceSession.create(readFileSync(join(out('onnx'), 'model.onnx')));
    try {
      const y = await session.run({ image: new ort.Tensor('float32', Float32Array.from(samples.flat()), [samples.length, 28, 28, 1]) });
      const data = Array.from(y.probs!.data as Float32Array);
      const got = samples.map((_, i) => {
        const o = data.slice(i * 10, i * 10 + 10);
        return { outputs: o, label: pre.output.classes![o.indexOf(Math.max(...o))]! };
      });
      expectSame(got, tryIt, 'ONNX');
    } finally {
      await session.release();
    }
  });

  needs('torch', 'numpy').it('PyTorch: python model.py samples.json (flat raw pixels) predicts as Try it', () => {
    const stdout = execFileSync(PY, ['model.py', samplesPath], { cwd: out('pytorch'), encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });
    expectSame(stdout.trim().split('\n').map((l) => JSON.parse(l) as RowPrediction), tryIt, 'PyTorch');
  }, 60_000);
});

/** Where the table comes from when no run recorded it: the data, read as a run of the document reads it. */
describe('preprocessing.json without a recorded run', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-prep-data-'));
  beforeAll(() => initBackend('wasm'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const docFor = (path: string): LoomDocument => ({
    format: 'layerloom.model', version: 1, name: 'customers',
    nodes: [{ id: 'features', type: 'Input', params: { shape: [7] } }, { id: 'p', type: 'Dense', params: { units: 2, activation: 'softmax' } }],
    edges: [{ from: 'features', to: 'p' }],
    training: { optimizer: 'adam', learningRate: 0.01, momentum: 0, nesterov: false, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 16, epochs: 1, validationSplit: 0.2, shuffle: true, seed: 4 },
    dataset: { source: 'csv', path, target: 'bought' },
  });

  it('initial weights: columns from the CSV, normalisation from the document\'s seeded training split', async () => {
    const csv = join(root, 'customers.csv');
    writeFileSync(csv, customersCsv());
    const doc = docFor(csv);
    const r = await exportModel({ doc, format: 'onnx', outDir: join(root, 'initial') });
    expect(r.files).toContain(join(root, 'initial', 'preprocessing.json'));
    const pre = PreprocessingSchema.parse(JSON.parse(readFileSync(join(root, 'initial', 'preprocessing.json'), 'utf8')));
    const { normalization } = await prepareData(doc.dataset!, doc.training!, {});
    expect(pre.normalization).toEqual(normalization);
    expect(pre.columns!.map((c) => c.name)).toEqual(['age', 'income', 'colour', 'plan']);
    expect(pre.output.activation).toBe('none');
  });

  it('data that cannot be read: no preprocessing.json, and the notes and README say so', async () => {
    const r = await exportModel({ doc: docFor(join(root, 'gone.csv')), format: 'pytorch', outDir: join(root, 'gone'), includeData: false });
    expect(r.files.some((f) => f.endsWith('preprocessing.json'))).toBe(false);
    expect(r.notes.join('\n')).toMatch(/No preprocessing\.json: Layerloom could not read the data this model was trained on \(.*gone\.csv/);
    expect(readFileSync(join(root, 'gone', 'README.md'), 'utf8')).toMatch(/\*\*No preprocessing\.json\*\*[\s\S]*normalised/);
  });
});
