import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../shared/analysis';
import { loadDocumentOrThrow } from '../../../shared/document';
import { BUILTIN_NAMES, checkSampleShape, listBuiltins, loadDataset, prepareData } from './index';
import { loadBuiltin } from './builtins';
import { needs } from '../../../scripts/needs';

const expected: Record<string, { shape: number[]; classes?: number; task: string; dtype: string; min?: number }> = {
  digits: { shape: [28, 28, 1], classes: 10, task: 'classification', dtype: 'float32', min: 10_000 },
  'fashion-mnist': { shape: [28, 28, 1], classes: 10, task: 'classification', dtype: 'float32', min: 4_000 },
  'fashion-mnist-full': { shape: [28, 28, 1], classes: 10, task: 'classification', dtype: 'float32', min: 70_000 },
  line: { shape: [1], task: 'regression', dtype: 'float32', min: 100 },
  blobs: { shape: [2], classes: 2, task: 'classification', dtype: 'float32', min: 200 },
  iris: { shape: [4], classes: 3, task: 'classification', dtype: 'float32', min: 150 },
  'auto-mpg': { shape: [9], task: 'regression', dtype: 'float32', min: 390 },
  arrests: { shape: [11], classes: 2, task: 'classification', dtype: 'float32', min: 5226 },
  'sine-wave': { shape: [30, 1], task: 'regression', dtype: 'float32', min: 1000 },
  'text-sentiment': { shape: [40], classes: 2, task: 'classification', dtype: 'int32', min: 1000 },
  shapes32: { shape: [32, 32, 3], classes: 10, task: 'classification', dtype: 'float32', min: 1000 },
};

describe('built-in datasets', () => {
  it('lists exactly the documented set', () => {
    expect([...BUILTIN_NAMES].sort()).toEqual(Object.keys(expected).sort());
    for (const info of listBuiltins()) {
      expect(info.license.length).toBeGreaterThan(5);
      expect(info.sampleShape).toEqual(expected[info.name]!.shape);
    }
  });

  // The full Fashion-MNIST comes from a Debian package; every other built-in ships with Layerloom.
  for (const [name, e] of Object.entries(expected)) {
    (name === 'fashion-mnist-full' ? needs('fashion-mnist') : { it }).it(`${name} loads with its documented shape and classes`, async () => {
      const ds = await loadDataset({ source: 'builtin', name });
      expect(ds.name).toBe(name);
      expect(ds.defaultNormalize).toBe(listBuiltins().find((b) => b.name === name)!.defaultNormalize);
      expect(ds.sampleShape).toEqual(e.shape);
      expect(ds.sampleSize).toBe(e.shape.reduce((a, b) => a * b, 1));
      expect(ds.task).toBe(e.task);
      expect(ds.dtype).toBe(e.dtype);
      expect(ds.count).toBeGreaterThanOrEqual(e.min ?? 1);
      expect(ds.x.length).toBe(ds.count * ds.sampleSize);
      expect(ds.y.length).toBe(ds.count * ds.targetSize);
      expect(ds.targetShape).toEqual([1]);
      if (e.classes) {
        expect(ds.classes).toHaveLength(e.classes);
        expect(ds.y).toBeInstanceOf(Int32Array);
        const seen = new Set(ds.y);
        expect(seen.size).toBe(e.classes);
        expect(Math.max(...seen)).toBe(e.classes - 1);
        expect(Math.min(...seen)).toBe(0);
      } else {
        expect(ds.classes).toBeUndefined();
        expect(ds.y).toBeInstanceOf(Float32Array);
      }
      let finite = true;
      for (let i = 0; i < ds.x.length; i++) if (!Number.isFinite(ds.x[i]!)) finite = false;
      expect(finite).toBe(true);
      if (ds.kind === 'image') {
        expect(ds.x).toBeInstanceOf(Uint8Array);
        expect(ds.defaultNormalize).toBe('scale');
        // every image shows something (no blank samples)
        let blank = 0;
        for (let i = 0; i < ds.count; i++) {
          let lo = 255;
          let hi = 0;
          for (let e = i * ds.sampleSize; e < (i + 1) * ds.sampleSize; e++) {
            const v = ds.x[e]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          if (hi - lo < 100) blank++;
        }
        expect(blank).toBe(0);
      }
      if (ds.dtype === 'int32') {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of ds.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        expect(hi).toBeLessThan(200);
        expect(lo).toBeGreaterThanOrEqual(0);
      }
    });
  }

  it('line follows y = 2x', async () => {
    const ds = await loadDataset({ source: 'builtin', name: 'line' });
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < ds.count; i++) {
      sxy += ds.x[i]! * ds.y[i]!;
      sxx += ds.x[i]! * ds.x[i]!;
    }
    expect(sxy / sxx).toBeCloseTo(2, 1);
  });

  it('text-sentiment labels follow the sentiment words', async () => {
    const ds = await loadDataset({ source: 'builtin', name: 'text-sentiment' });
    for (let i = 0; i < ds.count; i++) {
      let score = 0;
      for (let t = 0; t < 40; t++) {
        const v = ds.x[i * 40 + t]!;
        if (v >= 10 && v < 40) score++;
        else if (v >= 40 && v < 70) score--;
      }
      expect(Math.abs(score)).toBeGreaterThanOrEqual(2);
      expect(score > 0 ? 1 : 0).toBe(ds.y[i]);
    }
  });

  it('synthetic sets are deterministic', () => {
    for (const name of ['line', 'blobs', 'sine-wave', 'text-sentiment', 'shapes32']) {
      const a = loadBuiltin(name, { cache: false });
      const b = loadBuiltin(name, { cache: false });
      expect(a === b).toBe(false);
      expect(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer)), name).toBe(true);
      expect(Buffer.from(a.y.buffer).equals(Buffer.from(b.y.buffer)), name).toBe(true);
    }
  });

  it('prepareData splits with the training seed and normalises from the training split only', async () => {
    const a = await prepareData({ source: 'builtin', name: 'iris', testSplit: 0.2, limit: 50 }, { validationSplit: 0.25, seed: 3 });
    const b = await prepareData({ source: 'builtin', name: 'iris', testSplit: 0.2, limit: 50 }, { validationSplit: 0.25, seed: 3 });
    expect([...a.split.train]).toEqual([...b.split.train]);
    expect(a.split.train.length).toBe(50);
    expect(a.split.test.length).toBe(30);
    expect(a.split.validation.length).toBe(30);
    expect(a.normalization.mode).toBe('standardize');
    let mean0 = 0;
    for (const i of a.split.train) mean0 += a.dataset.x[i * 4]! / a.split.train.length;
    expect(a.normalization.offset[0]).toBeCloseTo(mean0, 5);
    const img = await prepareData({ source: 'builtin', name: 'digits', augmentation: { rotation: 5, widthShift: 0, heightShift: 0, shear: 0, zoom: 0, horizontalFlip: false } });
    expect(img.normalization).toEqual({ mode: 'scale', offset: [0], scale: [1 / 255], groups: 1 });
    expect(img.augmentation?.rotation).toBe(5);
    const none = await prepareData({ source: 'builtin', name: 'digits', normalize: 'none' });
    expect(none.normalization.mode).toBe('none');
  });

  it('names an unknown built-in and lists the real ones', async () => {
    await expect(loadDataset({ source: 'builtin', name: 'cifar100' })).rejects.toThrow(/no built-in dataset "cifar100".*digits/);
  });

  it('fashion-mnist-full says which Debian package to install when it is absent', async () => {
    const old = process.env.LAYERLOOM_FASHION_MNIST_DIR;
    process.env.LAYERLOOM_FASHION_MNIST_DIR = mkdtempSync(join(tmpdir(), 'll-fm-'));
    try {
      const info = listBuiltins().find((b) => b.name === 'fashion-mnist-full')!;
      expect(info.available).toBe(false);
      expect(info.unavailableReason).toMatch(/dataset-fashion-mnist/);
      await expect(loadDataset({ source: 'builtin', name: 'fashion-mnist-full' })).rejects.toThrow(/apt-get install dataset-fashion-mnist/);
    } finally {
      if (old === undefined) delete process.env.LAYERLOOM_FASHION_MNIST_DIR;
      else process.env.LAYERLOOM_FASHION_MNIST_DIR = old;
    }
  });

  it('every template names a built-in whose samples fit its Input node', async () => {
    const dir = join(__dirname, '../../../assets/templates');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.loom'))) {
      const doc = loadDocumentOrThrow(readFileSync(join(dir, f), 'utf8'), f);
      const cfg = doc.dataset;
      if (!cfg || cfg.source !== 'builtin') continue;
      const a = analyze(doc);
      const input = doc.nodes.find((n) => n.id === a.inputs[0])!;
      const shape = (input.params as { shape: number[] }).shape;
      const { dataset } = await prepareData(cfg, doc.training ?? {});
      expect(checkSampleShape(dataset, shape, input.id), f).toBeNull();
    }
  });
});
