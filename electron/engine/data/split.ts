/** Seeded train / validation / test splits as index views. */
import { mixSeed, mulberry32, shuffleInPlace } from './rng';
import type { Dataset, Split, SplitOptions } from './types';

function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/**
 * Split a dataset into disjoint train / validation / test index sets. Deterministic per seed.
 * The test fraction is taken from all samples, then validationSplit from the rest (as Keras does
 * after a test hold-out). Classification data is stratified (class proportions kept in each split).
 */
export function splitDataset(ds: Dataset, opts: SplitOptions = {}): Split {
  const testFrac = clampFrac(opts.testSplit ?? ds.defaultTestSplit);
  const valFrac = clampFrac(opts.validationSplit ?? 0.2);
  const seed = opts.seed ?? 0;
  const shuffle = opts.shuffle ?? true;
  const stratify = (opts.stratify ?? true) && shuffle && ds.task === 'classification' && !!ds.classes;
  const rng = mulberry32(mixSeed(seed, 0x5917));

  // Groups of indices (one per class when stratifying), each in the order samples are dealt.
  let groups: Int32Array[];
  if (stratify) {
    const k = ds.classes!.length;
    const counts = new Int32Array(k);
    for (let i = 0; i < ds.count; i++) counts[ds.y[i * ds.targetSize]!]!++;
    groups = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(k);
    for (let i = 0; i < ds.count; i++) {
      const c = ds.y[i * ds.targetSize]!;
      groups[c]![fill[c]!++] = i;
    }
    for (const g of groups) shuffleInPlace(g, rng);
  } else {
    const all = range(ds.count);
    if (shuffle) shuffleInPlace(all, rng);
    groups = [all];
  }

  const test: number[] = [];
  const val: number[] = [];
  const train: number[] = [];
  if (groups.length === 1) {
    // Unstratified: file order is train, validation, test (so shuffle:false keeps a time order).
    const g = groups[0]!;
    const nTest = Math.round(g.length * testFrac);
    const rest = g.length - nTest;
    const nVal = Math.round(rest * valFrac);
    const nTrain = rest - nVal;
    for (let i = 0; i < nTrain; i++) train.push(g[i]!);
    for (let i = nTrain; i < rest; i++) val.push(g[i]!);
    for (let i = rest; i < g.length; i++) test.push(g[i]!);
  } else {
    // Stratified: a global target count, dealt per class by largest remainder so totals match the
    // unstratified sizes exactly.
    const n = ds.count;
    const nTest = Math.round(n * testFrac);
    const nVal = Math.round((n - nTest) * valFrac);
    const testPer = apportion(groups.map((g) => g.length), nTest);
    const valPer = apportion(groups.map((g, i) => g.length - testPer[i]!), nVal);
    groups.forEach((g, ci) => {
      const t = testPer[ci]!;
      const v = valPer[ci]!;
      for (let i = 0; i < g.length; i++) {
        if (i < t) test.push(g[i]!);
        else if (i < t + v) val.push(g[i]!);
        else train.push(g[i]!);
      }
    });
  }
  let trainArr = Int32Array.from(train);
  let valArr = Int32Array.from(val);
  let testArr = Int32Array.from(test);
  if (shuffle) {
    // Interleave classes (stratified groups were concatenated).
    shuffleInPlace(trainArr, rng);
    shuffleInPlace(valArr, rng);
    shuffleInPlace(testArr, rng);
  }
  if (opts.limit !== undefined && opts.limit < trainArr.length) trainArr = trainArr.slice(0, Math.max(1, opts.limit));
  // Keep at least one training sample when the data is tiny.
  if (trainArr.length === 0 && valArr.length > 0) {
    trainArr = valArr.slice(0, 1);
    valArr = valArr.slice(1);
  } else if (trainArr.length === 0 && testArr.length > 1) {
    trainArr = testArr.slice(0, 1);
    testArr = testArr.slice(1);
  }
  return { train: trainArr, validation: valArr, test: testArr };
}

function clampFrac(f: number): number {
  if (!Number.isFinite(f) || f < 0) return 0;
  return Math.min(f, 0.95);
}

/** Split `total` into integer parts proportional to `sizes` (largest remainder), never above a size. */
function apportion(sizes: number[], total: number): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * total) / sum);
  const out = exact.map((e) => Math.floor(e));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    if (out[i]! < sizes[i]!) {
      out[i]!++;
      left--;
    }
  }
  return out;
}

/** Sizes of a split (plain data for the UI / start event). */
export function splitSizes(split: Split): { train: number; validation: number; test: number } {
  return { train: split.train.length, validation: split.validation.length, test: split.test.length };
}
