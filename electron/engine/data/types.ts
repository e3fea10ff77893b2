/**
 * The Dataset contract between the data layer (electron/engine/data) and the training loop.
 * Plain Node, no TensorFlow.js: the trainer turns the typed arrays it gets here into tensors.
 *
 * Memory model: a Dataset holds every sample ONCE in one flat, row-major typed array. Splits are
 * index views (Int32Array of sample indices) into it; batches are filled into reusable buffers.
 */
import type { Augmentation, DatasetConfig } from '../../../shared/document/schema';
import type { TokenizerJson } from '../../../shared/text/tokenizer';

export type { Augmentation, DatasetConfig };

/** `language`: token-id targets at every position (language models, translators; the sequence loss). */
export type Task = 'classification' | 'regression' | 'language';

/** A model input besides `x` (a translator's decoder input), in the model's input order. */
export interface ExtraInput {
  /** What it is (`decoderInput`), for messages. */
  name: string;
  x: Int32Array;
  sampleShape: number[];
  sampleSize: number;
}
export type NormalizeMode = 'none' | 'scale' | 'standardize';

export interface Dataset {
  /** Short name (`digits`, a CSV's file name, ...). */
  name: string;
  /** One sentence for people: what the data is, where it comes from, its licence. */
  description: string;
  task: Task;
  /** Number of samples. */
  count: number;
  /**
   * All samples, flat and row-major: sample i is `x.subarray(i * sampleSize, (i + 1) * sampleSize)`.
   * Float32Array for numbers, Int32Array for token ids, Uint8Array for 8-bit images (raw 0..255 until
   * normalised; 4x less memory). Feed the model from iterateBatches/gather, which always give
   * Float32Array (dtype float32) or Int32Array (dtype int32).
   */
  x: Float32Array | Int32Array | Uint8Array;
  /** dtype of `x` as the Input node sees it. */
  dtype: 'float32' | 'int32';
  /** Shape of one sample, without the batch dimension (channels-last), e.g. [28, 28, 1]. */
  sampleShape: number[];
  /** Product of sampleShape. */
  sampleSize: number;
  /**
   * Labels / targets, flat: sample i's target is `y.subarray(i * targetSize, (i + 1) * targetSize)`.
   * classification: Int32Array of class ids (targetShape [1]); regression: Float32Array.
   */
  y: Int32Array | Float32Array;
  /** [1] for classification (one class id); [k] for k regression targets. */
  targetShape: number[];
  targetSize: number;
  /** Class names, index = class id (classification only). Binary tasks have 2 classes. */
  classes?: string[];
  /**
   * What the data is, for default choices: `image` (H×W×C, 0..255), `tabular` (feature vector),
   * `sequence` (time steps × features), `tokens` (int32 token ids).
   */
  kind: 'image' | 'tabular' | 'sequence' | 'tokens';
  /** Normalisation used when the config does not name one (`scale` for images, ...). */
  defaultNormalize: NormalizeMode;
  /** Default test fraction when the config has no testSplit. */
  defaultTestSplit: number;
  /** Names of the feature columns (tabular/CSV data), for tables and "try it" forms. */
  featureNames?: string[];
  /** Names of the target columns (regression). */
  targetNames?: string[];
  /** For one-hot/label-encoded CSV columns: column name → category values in encoding order. */
  categories?: Record<string, string[]>;
  /** Largest token id + 1 (tokens kind). */
  vocabSize?: number;
  /** Licence / source of the data, shown in the data panel. */
  license?: string;
  /** Mirroring changes what a sample means (digits, letters: a flipped 9 is no 9); the data panel warns on flips. */
  orientationSensitive?: boolean;
  /** Inputs after `x` (int32), for models with several Inputs (a translator: source, decoder input). */
  extraInputs?: ExtraInput[];
  /**
   * The split the data itself decides (text: by blocks of the corpus or by source sentence, so that
   * nothing held out overlaps training); used instead of a drawn one.
   */
  fixedSplit?: Split;
  /** Text data: the tokenizer learned from the training text (JSON of shared/text/tokenizer.ts); the target side's for pairs. */
  tokenizer?: TokenizerJson;
  /** Sentence pairs: the source side's tokenizer. */
  sourceTokenizer?: TokenizerJson;
  /** Notices about the data a person should read (unknown characters, cut sequences). */
  notices?: string[];
}

/** Index views into a Dataset (sample indices). Disjoint; together at most `count` samples. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  /** Fraction of all samples held out for the test split (default: the dataset's defaultTestSplit). */
  testSplit?: number;
  /** Fraction of the remaining (non-test) samples used for validation. Default 0.2. */
  validationSplit?: number;
  /** Seed for the split permutation. Default 0. Same seed → same split. */
  seed?: number;
  /** Shuffle before splitting (default true). false → samples in file order: train, validation, test. */
  shuffle?: boolean;
  /** Keep at most this many training samples (config `limit`). */
  limit?: number;
  /** Classification: keep class proportions equal across splits (default true). */
  stratify?: boolean;
}

/**
 * Normalisation parameters, plain data (JSON-serialisable): store them with a trained run so that
 * `predict` normalises new inputs exactly like the training data. Applied as
 * `x' = (x - offset[f]) * scale[f]` where f = element index % sampleSize for `standardize`
 * (per feature, i.e. per channel for images/sequences: see `perChannel`), or a single scalar.
 */
export interface Normalization {
  mode: NormalizeMode;
  /** One value per feature group (length 1 = same for every element). */
  offset: number[];
  scale: number[];
  /** Number of feature groups: element e belongs to group `e % groups` (channels-last). */
  groups: number;
}

/** One batch. The arrays are REUSED by the next batch of the same iterator: copy (e.g. into a tensor) before advancing. */
export interface Batch {
  /** batchSize samples (fewer in the last batch), flat; length = size * sampleSize. */
  x: Float32Array | Int32Array;
  /** length = size * targetSize. */
  y: Int32Array | Float32Array;
  /** Number of samples in this batch. */
  size: number;
  /** Dataset sample indices in this batch (view; reused). */
  indices: Int32Array;
  /** 0-based batch number within the epoch. */
  index: number;
  /** The extra inputs' samples (Dataset.extraInputs), flat, in order; reused like `x`. */
  extra?: Int32Array[];
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle order each epoch (seeded by seed + epoch). Default true. */
  shuffle?: boolean;
  seed?: number;
  /** 0-based epoch number (changes the shuffle order and the augmentation draws). */
  epoch?: number;
  /** Applied to every batch (computed on the training split with computeNormalization). */
  normalization?: Normalization;
  /** Image augmentation drawn per sample (training only). Ignored for non-image data. */
  augmentation?: Augmentation;
  /** Drop the last incomplete batch (default false). */
  dropRemainder?: boolean;
}

export interface LoadOptions {
  /** The document's folder: relative paths in the config are resolved against it. */
  baseDir?: string;
  /** The Input node's shape: image folders are resized to it (grayscale/RGB from its channels). */
  inputShape?: number[];
  /** Every Input's shape, in the model's input order: text windows and padded sentence pairs take their lengths from them. */
  inputShapes?: number[][];
}

/** Everything a training run needs, from one call (see prepareData). */
export interface PreparedData {
  dataset: Dataset;
  split: Split;
  normalization: Normalization;
  augmentation?: Augmentation;
}

/** Metadata of a built-in dataset (for the data panel's list), without loading it. */
export interface BuiltinInfo {
  name: string;
  description: string;
  task: Task;
  kind: Dataset['kind'];
  sampleShape: number[];
  targetShape: number[];
  classes?: string[];
  /** Approximate number of samples. */
  count: number;
  /** Normalisation used when the config names none. */
  defaultNormalize: NormalizeMode;
  license: string;
  /** Mirroring changes what a sample means (digits). */
  orientationSensitive?: boolean;
  /** Whether it can be loaded on this machine (fashion-mnist-full needs a Debian package). */
  available: boolean;
  /** Why it is not available, when it is not. */
  unavailableReason?: string;
}

/** A data problem a person can act on: names the file and, where known, line and column. */
export class DataError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: string | number,
  ) {
    super(message);
    this.name = 'DataError';
  }
}
