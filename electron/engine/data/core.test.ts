import { augmentBatch } from './augment';
import { batchCount, gather, iterateBatches } from './batch';
import { applyNormalization, computeNormalization } from './normalize';
import { mulberry32 } from './rng';
import { checkSampleShape } from './shape';
import { splitDataset } from './split';
import { listBuiltins } from './builtins';
import { classBalance, dataWarnings, duplicateCount, isOrientationSensitive, previewAugmented, previewSamples, summarizeData } from './inspect';
import type { Augmentation, Dataset } from './types';

/** A small classification set: sample i = [i, 2i], class i % k (optionally imbalanced). */
function toy(n = 103, k = 3, opts: { counts?: number[] } = {}): Dataset {
  const labels: number[] = [];
  if (opts.counts) opts.counts.forEach((c, cls) => { for (let j = 0; j < c; j++) labels.push(cls); });
  else for (let i = 0; i < n; i++) labels.push(i % k);
  const count = labels.length;
  const x = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) { x[2 * i] = i; x[2 * i + 1] = 2 * i; }
  return {
    name: 'toy', description: 'toy', task: 'classification', kind: 'tabular', count, x, dtype: 'float32',
    sampleShape: [2], sampleSize: 2, y: Int32Array.from(labels), targetShape: [1], targetSize: 1,
    classes: Array.from({ length: opts.counts?.length ?? k }, (_, i) => `c${i}`), defaultNormalize: 'standardize', defaultTestSplit: 0.1,
  };
}

function images(n: number, h: number, w: number, c: number): Dataset {
  const rng = mulberry32(1);
  const x = new Uint8Array(n * h * w * c);
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(rng() * 256);
  return {
    name: 'imgs', description: '', task: 'classification', kind: 'image', count: n, x, dtype: 'float32', sampleShape: [h, w, c],
    sampleSize: h * w * c, y: Int32Array.from({ length: n }, (_, i) => i % 2), targetShape: [1], targetSize: 1, classes: ['a', 'b'],
    defaultNormalize: 'scale', defaultTestSplit: 0.2,
  };
}

const sorted = (a: Int32Array) => [...a].sort((p, q) => p - q);

describe('splitDataset', () => {
  it('is disjoint, complete and deterministic per seed', () => {
    const ds = toy(1000);
    const a = splitDataset(ds, { testSplit: 0.1, validationSplit: 0.2, seed: 7 });
    const b = splitDataset(ds, { testSplit: 0.1, validationSplit: 0.2, seed: 7 });
    const c = splitDataset(ds, { testSplit: 0.1, validationSplit: 0.2, seed: 8 });
    expect(a.test.length).toBe(100);
    expect(a.validation.length).toBe(180);
    expect(a.train.length).toBe(720);
    const all = [...a.train, ...a.validation, ...a.test];
    expect(new Set(all).size).toBe(1000);
    expect(sorted(Int32Array.from(all))).toEqual([...Array(1000).keys()]);
    expect([...b.train]).toEqual([...a.train]);
    expect([...b.test]).toEqual([...a.test]);
    expect([...c.train]).not.toEqual([...a.train]);
  });

  it('stratifies classes and honours limit and shuffle: false', () => {
    const ds = toy(900, 3);
    const s = splitDataset(ds, { testSplit: 0.2, validationSplit: 0.25, seed: 1 });
    expect(classBalance(ds, s.test)!.counts).toEqual([60, 60, 60]);
    expect(classBalance(ds, s.validation)!.counts).toEqual([60, 60, 60]);
    const lim = splitDataset(ds, { testSplit: 0.2, seed: 1, limit: 50 });
    expect(lim.train.length).toBe(50);
    const ordered = splitDataset(ds, { testSplit: 0.1, validationSplit: 0.1, shuffle: false });
    expect(ordered.train[0]).toBe(0);
    expect(ordered.test[ordered.test.length - 1]).toBe(899);
    expect(ordered.validation[0]).toBe(ordered.train.length);
  });

  it('uses the dataset default test split when none is given', () => {
    const s = splitDataset(toy(1000), { validationSplit: 0 });
    expect(s.test.length).toBe(100);
    expect(s.validation.length).toBe(0);
  });
});

describe('iterateBatches', () => {
  it('covers every training sample exactly once per epoch, in a seeded order', () => {
    const ds = toy(103);
    const idx = Int32Array.from({ length: 103 }, (_, i) => i);
    const seen: number[] = [];
    let batches = 0;
    let firstX: Float32Array | Int32Array | undefined;
    for (const b of iterateBatches(ds, idx, { batchSize: 10, seed: 3, epoch: 0 })) {
      batches++;
      firstX ??= b.x;
      expect(b.x.buffer).toBe(firstX.buffer); // reused buffer
      for (let k = 0; k < b.size; k++) {
        const i = b.indices[k]!;
        seen.push(i);
        expect(b.x[2 * k]).toBe(i);
        expect(b.y[k]).toBe(i % 3);
      }
      expect(b.x.length).toBe(b.size * 2);
    }
    expect(batches).toBe(batchCount(103, 10));
    expect(batches).toBe(11);
    expect(seen.sort((a, b) => a - b)).toEqual([...idx]);
    const order = (epoch: number, seed = 3) => [...iterateBatches(ds, idx, { batchSize: 200, seed, epoch })][0]!.indices.slice();
    expect([...order(0)]).toEqual([...order(0)]);
    expect([...order(0)]).not.toEqual([...order(1)]);
    const plain = [...iterateBatches(ds, idx, { batchSize: 200, shuffle: false })][0]!;
    expect([...plain.indices]).toEqual([...idx]);
    expect([...iterateBatches(ds, idx, { batchSize: 10, dropRemainder: true })]).toHaveLength(10);
  });

  it('feeds 8-bit images as float32 and int tokens as int32', () => {
    const ds = images(5, 4, 4, 1);
    const b = [...iterateBatches(ds, Int32Array.from([0, 1, 2]), { batchSize: 8, shuffle: false })][0]!;
    expect(b.x).toBeInstanceOf(Float32Array);
    expect(b.x[0]).toBe(ds.x[0]);
  });
});

describe('normalisation', () => {
  it('standardize uses the training split only', () => {
    const ds = toy(100);
    const train = Int32Array.from([0, 1, 2, 3, 4]);
    const n = computeNormalization(ds, train, 'standardize');
    expect(n.groups).toBe(2);
    expect(n.offset).toEqual([2, 4]);
    const { x } = gather(ds, train, n);
    let m0 = 0;
    let v0 = 0;
    for (let i = 0; i < 5; i++) m0 += x[2 * i]! / 5;
    for (let i = 0; i < 5; i++) v0 += (x[2 * i]! - m0) ** 2 / 5;
    expect(m0).toBeCloseTo(0, 6);
    expect(v0).toBeCloseTo(1, 5);
  });

  it('scale maps 8-bit images to [0, 1] and other data min–max', () => {
    const ds = images(3, 2, 2, 3);
    const n = computeNormalization(ds, Int32Array.from([0, 1, 2]), 'scale');
    const buf = Float32Array.from([0, 255, 51]);
    applyNormalization(n, buf);
    expect([...buf]).toEqual([0, 1, 0.2].map(Math.fround));
    const t = computeNormalization(toy(10), Int32Array.from([0, 9]), 'scale');
    expect(t.offset).toEqual([0, 0]);
    expect(t.scale[0]).toBeCloseTo(1 / 9);
    expect(computeNormalization(toy(10), Int32Array.from([0]), 'none').mode).toBe('none');
  });
});

describe('augmentation', () => {
  const aug: Augmentation = { rotation: 20, widthShift: 0.1, heightShift: 0.1, shear: 10, zoom: 0.1, horizontalFlip: true };

  it('keeps the shape, changes pixels and is deterministic per seed', () => {
    const ds = images(4, 8, 6, 3);
    const base = Float32Array.from(ds.x);
    const a = base.slice();
    const b = base.slice();
    const c = base.slice();
    augmentBatch(a, 4, [8, 6, 3], aug, mulberry32(5));
    augmentBatch(b, 4, [8, 6, 3], aug, mulberry32(5));
    augmentBatch(c, 4, [8, 6, 3], aug, mulberry32(6));
    expect(a.length).toBe(base.length);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
    expect([...a]).not.toEqual([...base]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(255);
  });

  it('is the identity with nothing enabled, and a flip mirrors columns', () => {
    const none: Augmentation = { rotation: 0, widthShift: 0, heightShift: 0, shear: 0, zoom: 0, horizontalFlip: false };
    const img = Float32Array.from({ length: 12 }, (_, i) => i); // 3x4x1
    const same = img.slice();
    augmentBatch(same, 1, [3, 4, 1], none, mulberry32(1));
    expect([...same]).toEqual([...img]);
    // with p = 0.5 per sample, some of 16 copies are flipped, others untouched
    const many = new Float32Array(16 * 12);
    for (let i = 0; i < 16; i++) many.set(img, i * 12);
    augmentBatch(many, 16, [3, 4, 1], { ...none, horizontalFlip: true }, mulberry32(2));
    const flipped = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8];
    let nf = 0;
    for (let i = 0; i < 16; i++) {
      const s = [...many.subarray(i * 12, (i + 1) * 12)];
      if (s.join() === flipped.join()) nf++;
      else expect(s).toEqual([...img]);
    }
    expect(nf).toBeGreaterThan(0);
    expect(nf).toBeLessThan(16);
  });

  it('previews augmented copies of one sample as plain arrays', () => {
    const ds = images(3, 8, 8, 1);
    const p = previewAugmented(ds, 1, aug, { count: 4, seed: 9 });
    expect(p).toHaveLength(4);
    expect(p[0]).toHaveLength(64);
    expect(previewAugmented(ds, 1, aug, { count: 4, seed: 9 })).toEqual(p);
    expect(() => previewAugmented(toy(3), 0, aug)).toThrow(/applies to images/);
  });

  it('is applied to training batches of images only, deterministically per seed and epoch', () => {
    const ds = images(6, 8, 8, 1);
    const idx = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const run = (epoch: number) => [...[...iterateBatches(ds, idx, { batchSize: 6, seed: 1, epoch, augmentation: aug })][0]!.x];
    expect(run(0)).toEqual(run(0));
    expect(run(0)).not.toEqual(run(1));
    const tab = toy(6);
    const t = [...iterateBatches(tab, idx, { batchSize: 6, shuffle: false, augmentation: aug })][0]!;
    expect(t.x[2]).toBe(1);
  });
});

describe('checkSampleShape', () => {
  const ds = { name: 'digits', sampleShape: [28, 28, 1], sampleSize: 784 };
  it('accepts a match, a flat input of the same size and a dropped trailing 1', () => {
    expect(checkSampleShape(ds, [28, 28, 1])).toBeNull();
    expect(checkSampleShape(ds, [784])).toBeNull();
    expect(checkSampleShape(ds, [28, 28])).toBeNull();
    expect(checkSampleShape(ds, [null, 28, 1])).toBeNull();
  });
  it('says what to set the Input shape to', () => {
    expect(checkSampleShape(ds, [32, 32, 3], 'image')).toBe(
      'The digits data has samples of shape [28, 28, 1] but the Input node "image" expects [32, 32, 3]: set the Input shape to [28, 28, 1]',
    );
    expect(checkSampleShape(ds, [28, 28, 3], 'image')).toMatch(/set the Input shape to \[28, 28, 1\]/);
  });
});

describe('data panel helpers', () => {
  it('previews the first samples of each class as plain arrays', () => {
    const ds = toy(30, 3);
    const p = previewSamples(ds, { perClass: 2 });
    expect(p.map((s) => s.index)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(p[1]).toEqual({ index: 3, values: [3, 6], shape: [2], label: 0, className: 'c0' });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('counts classes, finds exact train/test duplicates and warns about imbalance', () => {
    const ds = toy(0, 2, { counts: [90, 10] });
    expect(classBalance(ds)!.counts).toEqual([90, 10]);
    // make sample 99 a copy of sample 0
    ds.x[198] = 0;
    ds.x[199] = 0;
    const split = { train: Int32Array.from({ length: 90 }, (_, i) => i), validation: new Int32Array(0), test: Int32Array.from({ length: 10 }, (_, i) => 90 + i) };
    expect(duplicateCount(ds, split.train, split.test)).toBe(1);
    const w = dataWarnings(ds, split);
    expect(w.map((x) => x.code).sort()).toEqual(['duplicates', 'imbalance', 'missing-class']);
    expect(w.find((x) => x.code === 'duplicates')!.message).toMatch(/^1 of 10 test samples/);
    const s = summarizeData(ds, split);
    expect(s.split).toEqual({ train: 90, validation: 0, test: 10 });
    expect(s.balance!.test).toEqual([0, 10]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const balanced = toy(90, 3);
    expect(dataWarnings(balanced, splitDataset(balanced, { seed: 1 }))).toEqual([]);
  });
});

describe('orientation-sensitive data (the data panel warns when flips are on)', () => {
  it('is the built-in digits, or images whose classes are all single digits/letters', () => {
    const info = listBuiltins();
    expect(info.filter((b) => b.orientationSensitive).map((b) => b.name)).toEqual(['digits']);
    const img = (classes: string[], extra: Partial<Dataset> = {}) => ({ kind: 'image' as const, classes, ...extra });
    expect(isOrientationSensitive(img(['0', '1', '9']))).toBe(true);
    expect(isOrientationSensitive(img(['a', 'b', 'Z']))).toBe(true);
    expect(isOrientationSensitive(img(['cat', 'dog']))).toBe(false);
    expect(isOrientationSensitive(img(['0', '1'], { orientationSensitive: false }))).toBe(false);
    expect(isOrientationSensitive({ kind: 'tabular', classes: ['0', '1'] })).toBe(false);
    const ds = toy(30, 3);
    expect(summarizeData(ds, splitDataset(ds, { seed: 1 })).orientationSensitive).toBeUndefined();
    const digitsLike = { ...ds, orientationSensitive: true };
    expect(summarizeData(digitsLike, splitDataset(digitsLike, { seed: 1 })).orientationSensitive).toBe(true);
  });
});
