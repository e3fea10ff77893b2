/** Plain-data summaries for the data panel: previews, class balance, split sizes, warnings. */
import { augmentBatch } from './augment';
import { mixSeed, mulberry32 } from './rng';
import type { Augmentation, Dataset, Split } from './types';

export interface SamplePreview {
  /** Index of the sample in the dataset. */
  index: number;
  /** Raw values (0..255 for 8-bit images), row-major in `shape`. */
  values: number[];
  shape: number[];
  /** Class id (classification) or target values (regression). */
  label: number | number[];
  className?: string;
}

/**
 * The first `perClass` samples of each class (classification) or the first `perClass * 10`
 * samples (regression), optionally only among `indices` (e.g. a split).
 */
export function previewSamples(ds: Dataset, opts: { perClass?: number; indices?: ArrayLike<number> } = {}): SamplePreview[] {
  const perClass = opts.perClass ?? 8;
  const order = opts.indices ?? { length: ds.count };
  const at = (k: number) => (opts.indices ? opts.indices[k]! : k);
  const out: SamplePreview[] = [];
  const make = (i: number): SamplePreview => {
    const label = ds.task === 'classification' ? ds.y[i]! : Array.from(ds.y.subarray(i * ds.targetSize, (i + 1) * ds.targetSize));
    return {
      index: i,
      values: Array.from(ds.x.subarray(i * ds.sampleSize, (i + 1) * ds.sampleSize)),
      shape: [...ds.sampleShape],
      label,
      ...(ds.classes && typeof label === 'number' ? { className: ds.classes[label] } : {}),
    };
  };
  if (ds.task === 'classification' && ds.classes) {
    const taken = new Array<number>(ds.classes.length).fill(0);
    let done = 0;
    for (let k = 0; k < order.length && done < ds.classes.length; k++) {
      const i = at(k);
      const c = ds.y[i]!;
      if (taken[c]! < perClass) {
        out.push(make(i));
        if (++taken[c]! === perClass) done++;
      }
    }
    out.sort((a, b) => (a.label as number) - (b.label as number) || a.index - b.index);
    return out;
  }
  for (let k = 0; k < Math.min(order.length, perClass * 10); k++) out.push(make(at(k)));
  return out;
}

/** Samples per class (in class id order), over `indices` or the whole dataset. */
export function classBalance(ds: Dataset, indices?: ArrayLike<number>): { classes: string[]; counts: number[] } | undefined {
  if (ds.task !== 'classification' || !ds.classes) return undefined;
  const counts = new Array<number>(ds.classes.length).fill(0);
  const n = indices ? indices.length : ds.count;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    counts[ds.y[i * ds.targetSize]!]!++;
  }
  return { classes: [...ds.classes], counts };
}

function hashSample(x: Dataset['x'], start: number, len: number): number {
  let h = 0x811c9dc5;
  if (x instanceof Uint8Array) {
    for (let e = start; e < start + len; e++) h = Math.imul(h ^ x[e]!, 0x01000193);
  } else {
    const bits = x instanceof Float32Array ? new Int32Array(x.buffer, x.byteOffset, x.length) : x;
    for (let e = start; e < start + len; e++) {
      h = Math.imul(h ^ bits[e]!, 0x01000193);
      h ^= h >>> 15;
    }
  }
  return h >>> 0;
}

function sameSample(x: Dataset['x'], a: number, b: number, len: number): boolean {
  for (let e = 0; e < len; e++) if (x[a + e] !== x[b + e]) return false;
  return true;
}

/** How many samples of `b` have an exact duplicate (same values) among the samples of `a`. */
export function duplicateCount(ds: Dataset, a: ArrayLike<number>, b: ArrayLike<number>): number {
  const s = ds.sampleSize;
  const table = new Map<number, number[]>();
  for (let k = 0; k < a.length; k++) {
    const i = a[k]!;
    const h = hashSample(ds.x, i * s, s);
    const list = table.get(h);
    if (list) list.push(i);
    else table.set(h, [i]);
  }
  let dup = 0;
  for (let k = 0; k < b.length; k++) {
    const j = b[k]!;
    const list = table.get(hashSample(ds.x, j * s, s));
    if (list && list.some((i) => sameSample(ds.x, i * s, j * s, s))) dup++;
  }
  return dup;
}

export interface DataWarning {
  code: 'imbalance' | 'duplicates' | 'tiny' | 'missing-class';
  message: string;
}

/** Warnings a person should see before training (plain data): class imbalance (over all samples, largest/smallest ≥ 3), classes missing from the training split, exact duplicates between train and test/validation, tiny training sets. */
export function dataWarnings(ds: Dataset, split: Split): DataWarning[] {
  const out: DataWarning[] = [];
  const all = classBalance(ds);
  const train = classBalance(ds, split.train);
  if (all && train) {
    const nonEmpty = all.counts.filter((c) => c > 0);
    const max = Math.max(...all.counts);
    const min = nonEmpty.length ? Math.min(...nonEmpty) : 0;
    if (min > 0 && max / min >= 3) {
      const big = all.classes[all.counts.indexOf(max)];
      const small = all.classes[all.counts.indexOf(min)];
      out.push({
        code: 'imbalance',
        message: `The classes are imbalanced: "${big}" has ${max} samples but "${small}" only ${min} (${(max / min).toFixed(1)}×). Accuracy can look good while the small class is ignored; check per-class recall, or collect/augment more of it.`,
      });
    }
    train.counts.forEach((c, i) => {
      if (c === 0) out.push({ code: 'missing-class', message: `The training split has no samples of class "${train.classes[i]}": the model cannot learn it.` });
    });
  }
  const dupTest = split.test.length ? duplicateCount(ds, split.train, split.test) : 0;
  if (dupTest > 0) {
    out.push({ code: 'duplicates', message: `${dupTest} of ${split.test.length} test samples also appear (exactly) in the training split: test scores will be optimistic. Remove duplicates from the data.` });
  }
  const dupVal = split.validation.length ? duplicateCount(ds, split.train, split.validation) : 0;
  if (dupVal > 0) {
    out.push({ code: 'duplicates', message: `${dupVal} of ${split.validation.length} validation samples also appear (exactly) in the training split: validation scores will be optimistic.` });
  }
  if (split.train.length < 20) out.push({ code: 'tiny', message: `Only ${split.train.length} training samples: results will be noisy.` });
  return out;
}

export interface DataSummary {
  name: string;
  description: string;
  task: Dataset['task'];
  kind: Dataset['kind'];
  count: number;
  sampleShape: number[];
  targetShape: number[];
  dtype: Dataset['dtype'];
  defaultNormalize: Dataset['defaultNormalize'];
  classes?: string[];
  featureNames?: string[];
  license?: string;
  split: { train: number; validation: number; test: number };
  /** Class counts over all samples and in each split (classification). */
  balance?: { classes: string[]; all: number[]; train: number[]; validation: number[]; test: number[] };
  warnings: DataWarning[];
  /** Flipping changes what a sample means: set by a built-in (digits), or images whose classes are all single digits/letters. */
  orientationSensitive?: boolean;
}

/** Whether mirroring changes a sample's meaning, as far as the engine can honestly tell. */
export function isOrientationSensitive(ds: Pick<Dataset, 'kind' | 'classes' | 'orientationSensitive'>): boolean {
  if (ds.orientationSensitive !== undefined) return ds.orientationSensitive;
  // An image folder named 0..9 or a..z is almost surely characters (the class names are all it tells).
  return ds.kind === 'image' && !!ds.classes?.length && ds.classes.every((c) => /^[0-9A-Za-z]$/.test(c));
}

/** Everything the data panel shows about a dataset and its split, as plain data. */
export function summarizeData(ds: Dataset, split: Split): DataSummary {
  const all = classBalance(ds);
  return {
    name: ds.name,
    description: ds.description,
    task: ds.task,
    kind: ds.kind,
    count: ds.count,
    sampleShape: [...ds.sampleShape],
    targetShape: [...ds.targetShape],
    dtype: ds.dtype,
    defaultNormalize: ds.defaultNormalize,
    ...(ds.classes ? { classes: [...ds.classes] } : {}),
    ...(ds.featureNames ? { featureNames: [...ds.featureNames] } : {}),
    ...(ds.license ? { license: ds.license } : {}),
    split: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    ...(all
      ? {
          balance: {
            classes: all.classes,
            all: all.counts,
            train: classBalance(ds, split.train)!.counts,
            validation: classBalance(ds, split.validation)!.counts,
            test: classBalance(ds, split.test)!.counts,
          },
        }
      : {}),
    warnings: dataWarnings(ds, split),
    ...(isOrientationSensitive(ds) ? { orientationSensitive: true } : {}),
  };
}

/**
 * The data panel's live augmentation preview: `count` augmented versions of sample `index`, as
 * plain 0..255 (or raw) values in the sample's shape. Deterministic per seed.
 */
export function previewAugmented(ds: Dataset, index: number, aug: Augmentation, opts: { count?: number; seed?: number } = {}): number[][] {
  const count = opts.count ?? 8;
  if (ds.kind !== 'image' || ds.sampleShape.length < 2) throw new Error(`Augmentation applies to images; the ${ds.name} data has samples of shape [${ds.sampleShape.join(', ')}].`);
  const s = ds.sampleSize;
  const buf = new Float32Array(count * s);
  const src = ds.x.subarray(index * s, (index + 1) * s);
  for (let k = 0; k < count; k++) buf.set(src, k * s);
  augmentBatch(buf, count, ds.sampleShape, aug, mulberry32(mixSeed(opts.seed ?? 0, index)));
  return Array.from({ length: count }, (_, k) => Array.from(buf.subarray(k * s, (k + 1) * s), (v) => Math.round(v * 1000) / 1000));
}
