/**
 * The compression contract, proposed for the engine API (one request, one report, one record in the
 * compressed run's run.json). Types are inferred from these schemas; `layerloom compress --json`
 * prints a CompressReport. docs/compress.md describes each field.
 */
import { z } from 'zod';
import { DocumentSchema } from '../document';

export const COMPRESS_METHODS = ['int8', 'dynamic', 'float16', 'prune', 'prune-channels'] as const;
export type CompressMethod = (typeof COMPRESS_METHODS)[number];

export const CalibrationSchema = z.strictObject({
  /** Training samples run through the float model to calibrate activation ranges. */
  samples: z.number().int().min(1).max(100_000).default(500),
  method: z.enum(['minmax', 'percentile']).default('minmax'),
  /** percentile: the range kept is [100 − p, p] percent of the values. */
  percentile: z.number().gt(50).max(100).default(99.99),
  /** Activation integer type (onnxruntime's default: uint8). */
  activationDtype: z.enum(['uint8', 'int8']).default('uint8'),
});
export type Calibration = z.output<typeof CalibrationSchema>;

const sparsity = z.number().gt(0, 'the sparsity must be above 0').lt(1, 'the sparsity must be below 1');

export const CompressRequestSchema = z.strictObject({
  /** The trained run folder (model.json, weights.bin, run.json). */
  runDir: z.string().min(1),
  /** The new run folder to write. */
  outDir: z.string().min(1),
  method: z.enum(COMPRESS_METHODS),
  /** prune: share of kernel weights zeroed; prune-channels: share of channels removed per layer. Default 0.5. */
  sparsity: sparsity.optional(),
  /** prune: one threshold per layer (TFMOT's default) or one over every kernel. */
  scope: z.enum(['layer', 'global']).default('layer'),
  /** prune / prune-channels: epochs of fine-tuning (the document's optimizer and batch size). Default 1 / 2. */
  finetuneEpochs: z.number().int().min(0).max(1000).optional(),
  calibration: CalibrationSchema.prefault({}),
  /** At most this many changed samples listed (all are counted). */
  changedLimit: z.number().int().min(0).max(100_000).default(100),
  /** Batch-1 predictions timed for the latency figure (0: not measured). */
  latencyRuns: z.number().int().min(0).max(10_000).default(30),
  /** The document's folder (relative dataset paths). */
  baseDir: z.string().optional(),
});
export type CompressRequest = z.input<typeof CompressRequestSchema>;
export type CompressOptions = z.output<typeof CompressRequestSchema>;

/** Figures of one model on the test split. */
export const ModelFiguresSchema = z.strictObject({
  /** Classification only. */
  accuracy: z.number().min(0).max(1).optional(),
  loss: z.number(),
  /** Bytes of the exported weights at this model's precision, and gzipped. */
  bytes: z.number().int().min(0),
  gzipBytes: z.number().int().min(0),
  params: z.number().int().min(0),
  nonZero: z.number().int().min(0),
  /** Forward FLOPs per sample (shape inference's count; sparse weights do not lower it). */
  flops: z.number().min(0),
  /** Median milliseconds per sample at batch 1 on the engine's backend; null when not measured. */
  latencyMs: z.number().min(0).nullable(),
});
export type ModelFigures = z.infer<typeof ModelFiguresSchema>;

export const ChangedSampleSchema = z.strictObject({ index: z.number().int().min(0), label: z.string(), before: z.string(), after: z.string() });
export const ClassChangeSchema = z.strictObject({ label: z.string(), before: z.number(), after: z.number(), support: z.number().int() });

export const KeptFloatSchema = z.strictObject({ nodeId: z.string(), type: z.string(), reason: z.string() });
export type KeptFloat = z.infer<typeof KeptFloatSchema>;

export const QuantPointSchema = z.strictObject({
  /** The node whose output tensor is quantized (for every consumer). */
  nodeId: z.string(),
  scale: z.number().positive(),
  zeroPoint: z.number().int(),
  dtype: z.enum(['uint8', 'int8']),
  /** The calibrated range the parameters come from. */
  min: z.number(),
  max: z.number(),
});
export type QuantPoint = z.infer<typeof QuantPointSchema>;

export const QuantWeightSchema = z.strictObject({
  nodeId: z.string(),
  weight: z.string(),
  encoding: z.enum(['int8', 'int32', 'float16']),
  /** Per output channel (int8 kernels; int32 biases: s_in · s_w[c]). */
  scales: z.array(z.number()).optional(),
});

/** What run.json records about how a compressed run was made (field `compression`). */
export const CompressionRecordSchema = z.strictObject({
  method: z.enum([...COMPRESS_METHODS, 'distil']),
  from: z.strictObject({ runId: z.string(), runDir: z.string().optional() }),
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  /** int8: the activation quantization points (docs/compress.md), in topological order. */
  activations: z.array(QuantPointSchema).optional(),
  weights: z.array(QuantWeightSchema).optional(),
  keptFloat: z.array(KeptFloatSchema).optional(),
  /** prune: achieved sparsity of each pruned kernel. */
  sparsity: z.array(z.strictObject({ nodeId: z.string(), weight: z.string(), sparsity: z.number() })).optional(),
  /** prune-channels: widths before and after. */
  channels: z.array(z.strictObject({ nodeId: z.string(), param: z.string(), before: z.number().int(), after: z.number().int() })).optional(),
  /** What the weights in weights.bin are (always float32, readable by every Layerloom tool). */
  weightsNote: z.string(),
});
export type CompressionRecord = z.infer<typeof CompressionRecordSchema>;

export const CompressReportSchema = z.strictObject({
  method: z.enum(COMPRESS_METHODS),
  /** The new run. */
  runId: z.string(),
  outDir: z.string(),
  /** The source run (its folder, unless it was only held in memory). */
  from: z.strictObject({ runId: z.string(), runDir: z.string().optional() }),
  before: ModelFiguresSchema,
  after: ModelFiguresSchema,
  /** Share of test predictions unchanged (classification); null for regression. */
  agreement: z.number().min(0).max(1).nullable(),
  changed: z.array(ChangedSampleSchema),
  changedTotal: z.number().int().min(0),
  perClass: z.array(ClassChangeSchema),
  warnings: z.array(z.string()),
  keptFloat: z.array(KeptFloatSchema),
  compression: CompressionRecordSchema,
  /** prune-channels: the smaller document (the CLI writes it beside the run). */
  document: DocumentSchema.optional(),
  testSamples: z.number().int(),
});
export type CompressReport = z.infer<typeof CompressReportSchema>;

/** Distillation (the training loop's hook next round; a custom loop in this round). */
export const DistilRequestSchema = z.strictObject({
  teacherRunDir: z.string().min(1),
  student: DocumentSchema,
  temperature: z.number().positive().max(100).default(4),
  alpha: z.number().min(0).max(1).default(0.7),
  epochs: z.number().int().min(1).max(10_000).optional(),
  seed: z.number().int().min(0).optional(),
  outDir: z.string().min(1).optional(),
});
export type DistilRequest = z.input<typeof DistilRequestSchema>;

/**
 * What a person chooses (the Compress tab, the CLI's flags): the method and its options, without
 * the places on disk (the app decides where the source and the new run are).
 */
export const CompressParamsSchema = CompressRequestSchema.omit({ runDir: true, outDir: true, baseDir: true });
export type CompressParams = z.input<typeof CompressParamsSchema>;

/** A changed test sample's raw input values (images: its thumbnail). */
export const SampleValuesSchema = z.strictObject({
  index: z.number().int().min(0),
  shape: z.array(z.number().int().min(1)),
  values: z.array(z.number()),
});

/** A compression done in the app: the report, the new run (held by the engine, in its folder), changed samples' images. */
export const CompressRunResultSchema = z.strictObject({
  report: CompressReportSchema,
  run: z.strictObject({ runId: z.string(), createdAt: z.string() }),
  /** Image data only: the inputs of the first changed samples (at most COMPRESS_THUMBNAILS), in `changed` order. */
  samples: z.array(SampleValuesSchema),
});
export type CompressRunResult = z.infer<typeof CompressRunResultSchema>;

/** How many changed samples come back with their images. */
export const COMPRESS_THUMBNAILS = 48;
