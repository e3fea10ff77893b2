/**
 * The `*.loom` model document, format version 1 (see docs/DESIGN.md). The file is the single source
 * of truth; React Flow nodes are a view of it. Loading validates every field and never runs code.
 */
import { z } from 'zod';
import { ReweighingOptionSchema } from '../fairness/schema';
import { TokenizerSpecSchema } from '../text/tokenizer';

export const FORMAT = 'layerloom.model';
export const CURRENT_VERSION = 1;

// Node ids become names in exported code and keys in weight files: keep them identifier-like.
const NODE_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
// Keys that would reach Object.prototype when copied onto a plain object.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const safeKey = z.string().refine((k) => !FORBIDDEN_KEYS.has(k), { message: 'reserved name' });

export const NodeIdSchema = z.string().regex(NODE_ID, {
  message: 'must start with a letter or _ and contain only letters, digits, _ . - (at most 64 characters)',
});

export const NodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.string().min(1).max(64),
  /** TF.js layer config names; values are checked against the catalog by analysis. */
  params: z.record(safeKey, z.unknown()).default({}),
});

export const EdgeSchema = z.strictObject({
  from: NodeIdSchema,
  to: NodeIdSchema,
  /** Input slot on the target for multi-input layers; without it, the order of `edges` decides. */
  toPort: z.number().int().min(0).max(63).optional(),
});

const finite = z.number().finite().min(-1e7).max(1e7);
export const PositionSchema = z.strictObject({ x: finite, y: finite });

export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;
export const LOSSES = [
  'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy',
  'meanSquaredError', 'meanAbsoluteError', 'huber',
] as const;
export const METRICS = ['accuracy', 'mae'] as const;

export const EarlyStoppingSchema = z.strictObject({
  monitor: z.enum(['val_loss', 'loss', 'val_accuracy', 'accuracy']).default('val_loss'),
  patience: z.number().int().min(0).max(10_000).default(3),
  minDelta: z.number().min(0).default(0),
  restoreBestWeights: z.boolean().default(true),
});

/** Hyper-parameters; every field optional in the file, defaults documented here. */
export const TrainingSchema = z.strictObject({
  optimizer: z.enum(OPTIMIZERS).default('adam'),
  learningRate: z.number().positive().max(1e3).default(0.001),
  /** SGD / RMSprop momentum. */
  momentum: z.number().min(0).max(1).default(0),
  nesterov: z.boolean().default(false),
  loss: z.enum(LOSSES).default('categoricalCrossentropy'),
  metrics: z.array(z.enum(METRICS)).max(4).default(['accuracy']),
  batchSize: z.number().int().min(1).max(65_536).default(32),
  epochs: z.number().int().min(1).max(100_000).default(10),
  validationSplit: z.number().min(0).max(0.9).default(0.2),
  shuffle: z.boolean().default(true),
  /** Seeds weight init, shuffling and dropout; absent = a fresh random seed per run. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  earlyStopping: EarlyStoppingSchema.optional(),
  /**
   * Threads a run computes on (WebAssembly backend: data-parallel over worker threads). Absent =
   * `auto`: two threads on a multi-core machine for models with enough compute per sample.
   */
  threads: z.union([z.literal('auto'), z.number().int().min(1).max(16)]).optional(),
  /**
   * Reweighing (Kamiran & Calders): weight each training sample by its (group, class) cell so that
   * group and label are independent in the weighted training data (docs/fairness.md). Classification only.
   */
  reweighing: ReweighingOptionSchema.optional(),
});

export const AugmentationSchema = z.strictObject({
  rotation: z.number().min(0).max(180).default(0),
  widthShift: z.number().min(0).max(1).default(0),
  heightShift: z.number().min(0).max(1).default(0),
  shear: z.number().min(0).max(90).default(0),
  zoom: z.number().min(0).max(1).default(0),
  horizontalFlip: z.boolean().default(false),
});

const common = {
  /** Fraction held out as the test split (evaluation), before validationSplit is taken from the rest. */
  testSplit: z.number().min(0).max(0.9).optional(),
  normalize: z.enum(['none', 'scale', 'standardize']).optional(),
  /** Use at most this many training samples (quick experiments). */
  limit: z.number().int().min(1).optional(),
  augmentation: AugmentationSchema.optional(),
};
const path = z.string().min(1).max(4096);

/** Where training data comes from. Paths are relative to the document's folder, or absolute. */
export const DatasetSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('builtin'), name: z.string().min(1).max(64), ...common }),
  z.strictObject({
    source: z.literal('csv'), path,
    features: z.array(z.string()).optional(), target: z.string(),
    categorical: z.array(z.string()).optional(),
    task: z.enum(['classification', 'regression']).optional(), ...common,
  }),
  z.strictObject({ source: z.literal('images'), path, color: z.enum(['grayscale', 'rgb']).optional(), ...common }),
  z.strictObject({ source: z.literal('npy'), x: path, y: path, ...common }),
  /**
   * Language modelling: a built-in text (`name`) or a UTF-8 text file (`path`), cut into windows of
   * the Input's length; the tokenizer is learned from the training blocks and saved with the run.
   */
  z.strictObject({
    source: z.literal('text'), name: z.string().min(1).max(64).optional(), path: path.optional(),
    tokenizer: TokenizerSpecSchema, stride: z.number().int().min(1).optional(),
    ...common, // limit: training windows; normalize and augmentation do not apply to tokens
  }),
  /**
   * Sequence to sequence: a built-in pair set (`name`) or a parallel TSV (`path`, source<TAB>target
   * per line); inputs source ids and the decoder's <bos>-shifted target, targets the next tokens.
   */
  z.strictObject({
    source: z.literal('pairs'), name: z.string().min(1).max(64).optional(), path: path.optional(),
    sourceTokenizer: TokenizerSpecSchema, targetTokenizer: z.union([TokenizerSpecSchema, z.literal('same')]),
    ...common, // limit: training pairs; normalize and augmentation do not apply to tokens
  }),
]);

export const DocumentSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(CURRENT_VERSION),
  name: z.string().max(200).default('untitled'),
  /** Free text shown in the template gallery. */
  description: z.string().max(10_000).optional(),
  nodes: z.array(NodeSchema).max(100_000),
  edges: z.array(EdgeSchema).max(400_000).default([]),
  layout: z.record(NodeIdSchema, PositionSchema).optional(),
  training: TrainingSchema.optional(),
  dataset: DatasetSchema.optional(),
});

/** A validated model document (defaults applied where the schema gives them). */
export type LoomDocument = z.output<typeof DocumentSchema>;
export type LoomNode = LoomDocument['nodes'][number];
export type LoomEdge = LoomDocument['edges'][number];
export type TrainingConfig = z.output<typeof TrainingSchema>;
export type DatasetConfig = z.output<typeof DatasetSchema>;
export type Augmentation = z.output<typeof AugmentationSchema>;
export type Position = z.output<typeof PositionSchema>;

/** The training config with every default filled (for a document that has none). */
export function trainingDefaults(t?: Partial<TrainingConfig>): TrainingConfig {
  return TrainingSchema.parse(t ?? {});
}
