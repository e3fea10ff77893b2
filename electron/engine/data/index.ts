/**
 * Datasets for the training engine: built-ins shipped in assets/datasets (or generated,
 * seeded, at load time), user imports (CSV, image folders, .npy), seeded splits, batches in reusable
 * buffers, normalisation computed on the training split, on-the-fly image augmentation, the
 * sample-shape check against the Input node, and plain-data summaries for the data panel.
 *
 * Plain Node, no TensorFlow.js. Typical use by the training loop:
 *
 *   const { dataset, split, normalization, augmentation } = await prepareData(doc.dataset, training, { baseDir, inputShape });
 *   const problem = checkSampleShape(dataset, inputShape, inputNodeId);   // null = fits
 *   for (let epoch = 0; epoch < epochs; epoch++)
 *     for (const b of iterateBatches(dataset, split.train, { batchSize, seed, epoch, normalization, augmentation }))
 *       // tf.tensor(b.x, [b.size, ...inputShape], dataset.dtype); labels b.y (class ids or targets)
 *   const val = gather(dataset, split.validation, normalization);        // no augmentation
 *
 * Datasets returned by loadDataset may be cached and shared (built-ins always; user imports while
 * their files are unchanged): treat `x` and `y` as read-only.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadBuiltin } from './builtins';
import { loadCsv } from './csv';
import { loadImageFolder } from './images';
import { loadNpyDataset } from './npy';
import { loadTextDataset } from './text/dataset';
import { computeNormalization } from './normalize';
import { splitDataset } from './split';
import type { Dataset, DatasetConfig, LoadOptions, PreparedData, Split } from './types';

export * from './types';
export { listBuiltins, BUILTIN_NAMES } from './builtins';
export { splitDataset, splitSizes } from './split';
export { iterateBatches, batchCount, gather, gatherInto } from './batch';
export { computeNormalization, applyNormalization, normalizeInput, IDENTITY as NO_NORMALIZATION } from './normalize';
export { augmentBatch } from './augment';
export { checkSampleShape } from './shape';
export { previewSamples, previewAugmented, classBalance, duplicateCount, dataWarnings, summarizeData } from './inspect';
export type { SamplePreview, DataSummary, DataWarning } from './inspect';
export { parseNpy } from './npy';
export { describeCsv, parseCsv, csvToDataset } from './csv';
export { decodeImage, imageToSample } from './images';
export { readIdx, fashionMnistDir } from './builtins';
export type { CsvColumnInfo } from './csv';
export { setDatasetsDir, datasetsDir } from './assets';

/** Resolve a config path against the document's folder. */
export function resolvePath(p: string, baseDir?: string): string {
  return isAbsolute(p) ? p : resolve(baseDir ?? process.cwd(), p);
}

// User imports are cached (two entries) keyed by their options and the files' mtimes/sizes, so the
// data panel's previews and the training run that follows decode an image folder once.
const importCache: { key: string; ds: Dataset }[] = [];
const IMPORT_CACHE_SIZE = 2;

function stamp(p: string): string {
  try {
    const st = statSync(p);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

function cacheKey(cfg: DatasetConfig, opts: LoadOptions): string | null {
  switch (cfg.source) {
    case 'builtin':
      return null;
    case 'text':
    case 'pairs': {
      if (cfg.path === undefined) return JSON.stringify([cfg, opts.inputShapes ?? opts.inputShape]);
      const p = resolvePath(cfg.path, opts.baseDir);
      return JSON.stringify([cfg, p, stamp(p), opts.inputShapes ?? opts.inputShape]);
    }
    case 'csv': {
      const p = resolvePath(cfg.path, opts.baseDir);
      return JSON.stringify(['csv', p, stamp(p), cfg.features, cfg.target, cfg.categorical, cfg.task]);
    }
    case 'npy': {
      const x = resolvePath(cfg.x, opts.baseDir);
      const y = resolvePath(cfg.y, opts.baseDir);
      return JSON.stringify(['npy', x, stamp(x), y, stamp(y)]);
    }
    case 'images': {
      const root = resolvePath(cfg.path, opts.baseDir);
      let dirs: string[] = [];
      try {
        dirs = readdirSync(root).sort().map((d) => `${d}@${stamp(join(root, d))}`);
      } catch {
        return null;
      }
      return JSON.stringify(['images', root, stamp(root), dirs, cfg.color, opts.inputShape]);
    }
  }
}

/** Load the data a DatasetConfig names. Throws DataError (file/line/column) on bad data. */
export async function loadDataset(cfg: DatasetConfig, opts: LoadOptions = {}): Promise<Dataset> {
  const key = cacheKey(cfg, opts);
  if (key) {
    const hit = importCache.find((e) => e.key === key);
    if (hit) return hit.ds;
  }
  const ds = await loadUncached(cfg, opts);
  if (key) {
    importCache.unshift({ key, ds });
    importCache.length = Math.min(importCache.length, IMPORT_CACHE_SIZE);
  }
  return ds;
}

async function loadUncached(cfg: DatasetConfig, opts: LoadOptions): Promise<Dataset> {
  switch (cfg.source) {
    case 'builtin':
      return loadBuiltin(cfg.name);
    case 'csv':
      return loadCsv(resolvePath(cfg.path, opts.baseDir), {
        features: cfg.features,
        target: cfg.target,
        categorical: cfg.categorical,
        task: cfg.task,
      });
    case 'images':
      return loadImageFolder(resolvePath(cfg.path, opts.baseDir), { color: cfg.color, inputShape: opts.inputShape });
    case 'npy':
      return loadNpyDataset(resolvePath(cfg.x, opts.baseDir), resolvePath(cfg.y, opts.baseDir));
    case 'text':
    case 'pairs':
      return loadTextDataset(cfg, opts);
  }
}

/**
 * The split a run uses: the config's testSplit and limit, the training settings' validationSplit,
 * seed and shuffle. The data panel's preview calls it too, so the sizes and class balance it shows
 * are the run's (for a seeded run; without a seed only the sizes are).
 */
export function splitFor(dataset: Dataset, cfg: DatasetConfig, training: { validationSplit?: number; seed?: number; shuffle?: boolean } = {}): Split {
  if (dataset.fixedSplit) return fixedSplitFor(dataset.fixedSplit, cfg.limit, training.validationSplit);
  return splitDataset(dataset, {
    testSplit: cfg.testSplit,
    validationSplit: training.validationSplit,
    seed: training.seed,
    shuffle: training.shuffle,
    limit: cfg.limit,
  });
}

/** Held-out windows/pairs evaluated per split at most: enough tokens for a steady loss, a bounded cost per epoch. */
export const MAX_HELD_OUT = 512;

/** At most `n` of `idx`, evenly spaced (deterministic). */
function spread(idx: Int32Array, n: number): Int32Array {
  if (idx.length <= n) return idx;
  return Int32Array.from({ length: n }, (_, i) => idx[Math.floor((i * idx.length) / n)]!);
}

/**
 * The data's own split (text: by block or sentence), with the config's limit on training samples,
 * no validation when the training settings ask for none, and at most MAX_HELD_OUT validation and test samples.
 */
function fixedSplitFor(split: Split, limit: number | undefined, validationSplit: number | undefined): Split {
  return {
    train: limit !== undefined ? split.train.subarray(0, limit) : split.train,
    validation: validationSplit === 0 ? new Int32Array(0) : spread(split.validation, MAX_HELD_OUT),
    test: spread(split.test, MAX_HELD_OUT),
  };
}

/**
 * Load + split + normalisation (computed on the training split) in one call.
 * `training` gives validationSplit / seed / shuffle (TrainingConfig fields); the config's testSplit,
 * normalize, limit and augmentation are applied.
 */
export async function prepareData(
  cfg: DatasetConfig,
  training: { validationSplit?: number; seed?: number; shuffle?: boolean } = {},
  opts: LoadOptions = {},
): Promise<PreparedData> {
  const dataset = await loadDataset(cfg, opts);
  const split = splitFor(dataset, cfg, training);
  const normalization = computeNormalization(dataset, split.train, cfg.normalize ?? dataset.defaultNormalize);
  return { dataset, split, normalization, augmentation: dataset.kind === 'image' ? cfg.augmentation : undefined };
}
