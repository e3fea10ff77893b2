/**
 * The training engine's API, declared once: every operation's request and response as zod schemas
 * (they cross a process boundary: host → engine process), and the types derived from them.
 *
 * An operation that serves an IPC request has that request's name (`data.preview` is answered by
 * the engine's `data.preview`, `export.run` by `export.run`); `runs.save` and `runs.dispose` are
 * the engine's own (the host saves a run held in memory while it persists a document's runs).
 * Requests name places on disk, never the renderer's paths: `baseDir` (the document's folder, for
 * relative dataset paths) and `runDir` (a run folder, electron/node/run-folder.ts).
 *
 *   engineOperations       op → { request, response } (zod); `job(…)` marks a long operation
 *   EngineApi              what the engine implements (electron/engine/api.ts; fakes in tests)
 *   EngineClient           what callers use: `await engine.call('data.preview', { dataset })`
 *
 * Events (`TrainEvent`, ./events.ts) flow from `engine.train` to whoever started the run. A long
 * operation (a job, ./job.ts) takes an optional `jobId`, reports `JobProgress` to its caller and
 * is aborted by `engine.cancel { jobId }` (it then fails with the code `canceled`).
 */
import { z } from 'zod';
import { CompressParamsSchema, CompressRunResultSchema } from '../compress/schema';
import { DatasetSchema, DocumentSchema, TrainingSchema } from '../document/schema';
import {
  ExplainRequestSchema, ExplanationSchema, GlobalExplanationSchema, GlobalRequestSchema, SanityRequestSchema, SanityResultSchema,
} from '../explain/schema';
import { EXPORT_FORMAT_IDS } from '../formats/registry';
import { FairnessReportSchema, FairnessRequestSchema, ThresholdRequestSchema, ThresholdRuleSchema } from '../fairness/schema';
import { BackendInfoSchema, EvaluationSchema, type TrainEvent } from './events';
import { JobIdSchema, type JobControl, type JobProgress } from './job';
import { RunIdSchema, RunRefSchema } from './run-id';
import { PytorchRuntimeSchema, RuntimeCheckSchema } from '../runtime/options';

const runId = RunIdSchema;
const dir = z.string().min(1).max(4096);
const ok = z.object({ ok: z.boolean() });
const runOnly = z.strictObject({ runId });

/** A run held by the engine by id, or loaded from its folder when the engine no longer holds it (a restart). */
const runRef = RunRefSchema.shape;
/** Imported weights without a dataset of their own use the open document's (`engine.evaluate`, explanations, audits). */
const openDoc = { doc: DocumentSchema.optional() };

/**
 * Hyper-parameters that override the document's: only the fields given. (`TrainingSchema.partial()`
 * would fill every left-out field with its default and so override the document's values too.)
 */
export const TrainingOverridesSchema = z.strictObject(
  Object.fromEntries(Object.entries(TrainingSchema.shape).map(([k, s]) => [k, (s instanceof z.ZodDefault ? s.unwrap() : s).optional()])),
) as unknown as z.ZodType<Partial<z.output<typeof TrainingSchema>>>;

export const EngineTrainRequestSchema = z.strictObject({
  /** Names the run in every event; also its folder's name. */
  runId,
  doc: DocumentSchema,
  baseDir: dir.optional(),
  /** Save the trained run (weights + run.json) into this run folder when it ends. */
  runDir: dir.optional(),
  /** Hyper-parameters over the document's `training` (the training panel, CLI flags). */
  overrides: TrainingOverridesSchema.optional(),
  /** Overrides the document's `dataset` (CLI `--data`). */
  dataset: DatasetSchema.optional(),
  /** Force a backend (CLI `--backend`, tests); default: the fastest available. */
  backend: BackendInfoSchema.shape.name.optional(),
  /** Train in PyTorch instead (here, under torchrun, or over SSH: docs/runtimes.md); machine settings, never in the document. */
  runtime: PytorchRuntimeSchema.optional(),
});

const EvaluateSplitSchema = z.enum(['test', 'validation', 'train']);

/** Model outputs, one flat number array per sample; classification adds class names. */
export const PredictionSchema = z.object({
  outputs: z.array(z.array(z.number())),
  /** Classification: the predicted class name (or index as text) per sample, and class names. */
  labels: z.array(z.string()).optional(),
  classes: z.array(z.string()).optional(),
});

/** The data panel: a few samples of a dataset and its shape/split summary. Loose by design (it grows with the panel). */
export const DataPreviewSchema = z.looseObject({
  name: z.string(),
  inputShape: z.array(z.number().int()).optional(),
  classes: z.array(z.string()).optional(),
  count: z.number().int().optional(),
  samples: z.array(z.unknown()).optional(),
});

/** The document's training settings that shape the split, so the preview shows the run's split. */
export const PreviewTrainingSchema = z.strictObject({
  validationSplit: z.number().min(0).max(0.9).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  shuffle: z.boolean().optional(),
});

/** The samples behind one confusion-matrix cell (true class × predicted class). */
export const CellSamplesSchema = z.object({
  samples: z.array(z.object({ index: z.number().int(), values: z.array(z.number()), shape: z.array(z.number().int()), probabilities: z.array(z.number()) })),
});
/** |gradient| of the top class score w.r.t. one raw input, scaled to [0, 1]. */
export const SaliencySchema = z.object({ classIndex: z.number().int(), shape: z.array(z.number().int()), values: z.array(z.number()) });
/** Augmented versions of one sample (live preview of the augmentation options). */
export const AugmentPreviewSchema = z.object({ shape: z.array(z.number().int()), samples: z.array(z.array(z.number())) });
/** The columns of a CSV file (kind, distinct values, examples) and what to predict / ignore. */
export const CsvInfoSchema = z.looseObject({
  rows: z.number().int(),
  columns: z.array(z.looseObject({ name: z.string(), kind: z.enum(['numeric', 'categorical']), distinct: z.number().int(), empty: z.number().int(), examples: z.array(z.string()) })),
  suggestedTarget: z.string().optional(),
  /** Columns that look like a row number or id (numeric, integer, all different; or text unique per row): ignored by default. */
  suggestedIgnore: z.array(z.string()).optional(),
  /** Why each `suggestedIgnore` column was suggested (shown beside it). */
  suggestedIgnoreReasons: z.record(z.string(), z.string()).optional(),
});

/** An "Imported weights" run: weights from a file, usable like a finished training run (no curves). */
export const ImportedRunSchema = z.object({ runId, createdAt: z.string(), source: z.string() });
/** A layer of an imported file that could not be used: its name, Keras class, and why. */
export const ImportProblemSchema = z.object({ layer: z.string(), className: z.string(), reason: z.string() });
/** A layer whose weights did not load, and why (both shapes on a mismatch). */
export const WeightProblemSchema = z.object({ layer: z.string(), reason: z.string() });

const refused = <P extends z.ZodType>(problem: P) => z.object({ ok: z.literal(false), message: z.string(), problems: z.array(problem) });

/** A model file read as a document; its weights, when it has some, became an imported run in `runDir`. */
export const ImportModelResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    doc: DocumentSchema,
    warnings: z.array(z.string()),
    weightsFound: z.boolean(),
    run: ImportedRunSchema.optional(),
    /** Why weights that were found did not become a run. */
    weightsNote: z.string().optional(),
    placeholders: z.array(ImportProblemSchema).optional(),
  }),
  refused(ImportProblemSchema),
]);

/** A weights file matched to a document's layers, kept as an imported run in `runDir`. */
export const LoadWeightsResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    run: ImportedRunSchema,
    matched: z.array(z.string()),
    problems: z.array(WeightProblemSchema),
    unused: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
  refused(WeightProblemSchema),
]);

export const EngineExportResultSchema = z.object({
  format: z.enum(EXPORT_FORMAT_IDS),
  outDir: z.string(),
  /** Absolute paths of the files written. */
  files: z.array(z.string()),
  weights: z.enum(['trained', 'initial']),
  notes: z.array(z.string()),
});

/** Notices for people about a text input: unknown characters (became <unk>), a text cut to the model's length. */
const textNotices = { unknown: z.number().int().min(0), unknownChars: z.array(z.string()), notices: z.array(z.string()) };

/** Token-by-token generation from a trained language model (`layerloom generate`, Try it). */
export const GenerateRequestSchema = z.strictObject({
  ...runRef,
  prompt: z.string().min(1).max(100_000),
  maxTokens: z.number().int().min(0).max(100_000).default(200),
  /** 0 = greedy. */
  temperature: z.number().min(0).max(100).default(1),
  topK: z.number().int().min(0).optional(),
  topP: z.number().gt(0).max(1).optional(),
  /** Same seed, same tokens; absent: a random one, returned. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});
export const GenerationSchema = z.object({
  /** The generated continuation (without the prompt). */
  text: z.string(),
  tokens: z.array(z.number().int()),
  /** Prompt tokens the model saw, and those cut from its start to fit the context. */
  promptTokens: z.number().int(),
  truncatedPromptTokens: z.number().int(),
  stopReason: z.enum(['length', 'eos', 'stopped']),
  seed: z.number().int(),
  elapsedSec: z.number(),
  ...textNotices,
});
/** Every decoder block's and head's attention weights for a text: [head][query][key], token labels. */
export const AttentionMapsSchema = z.object({
  tokens: z.array(z.number().int()),
  labels: z.array(z.string()),
  maps: z.array(z.object({ layer: z.string(), kind: z.literal('self'), heads: z.array(z.array(z.array(z.number()))) })),
  truncatedTokens: z.number().int(),
  unknown: z.number().int(),
});
export const TranslationSchema = z.object({
  text: z.string(),
  tokens: z.array(z.number().int()),
  truncatedSourceTokens: z.number().int(),
  ...textNotices,
});

const op = <Q extends z.ZodType, R extends z.ZodType>(request: Q, response: R) => ({ request, response });
/**
 * A long operation: its request takes an optional `jobId`; while it runs its caller gets
 * `JobProgress` for that id, and `engine.cancel { jobId }` aborts it (failure code `canceled`).
 */
const job = <S extends z.ZodRawShape, R extends z.ZodType>(request: { shape: S }, response: R) =>
  ({ request: z.strictObject({ ...request.shape, jobId: JobIdSchema.optional() }), response, job: true as const });

/** Every engine operation: name → { request, response }. */
export const engineOperations = {
  /** Initialise the fastest backend (or `name`: the CLI's `--backend`); which one runs, and why not native. */
  'engine.backend': op(z.strictObject({ name: BackendInfoSchema.shape.name.optional() }), BackendInfoSchema),
  /** Start a run and answer at once; its events follow, the last one `end` or `error`. */
  'engine.train': op(EngineTrainRequestSchema, z.object({ runId })),
  /** Stop / pause / resume a live run (between batches). `ok: false`: no such run. */
  'engine.stop': op(runOnly, ok),
  'engine.pause': op(runOnly, ok),
  'engine.resume': op(runOnly, ok),
  /** Abort a long operation (a job) by its id; it fails with `canceled`. `ok: false`: no such job running (it had ended). */
  'engine.cancel': op(z.strictObject({ jobId: JobIdSchema }), ok),
  /** Loss and metrics on the test split (validation without one); classification adds the confusion matrix. */
  'engine.evaluate': op(
    z.strictObject({
      ...runRef,
      /** The open document: imported weights without a dataset of their own evaluate on its dataset. */
      doc: DocumentSchema.optional(),
      split: EvaluateSplitSchema.optional(),
    }),
    EvaluationSchema,
  ),
  /** Can the PyTorch runtime run with these settings: the interpreter, its PyTorch version, or what to install (here or over SSH). */
  'settings.checkRuntime': op(PytorchRuntimeSchema, RuntimeCheckSchema),
  /** Raw inputs (one sample per entry, nested in the Input's shape or flat; the run's normalisation is applied). */
  'engine.predict': op(z.strictObject({ ...runRef, inputs: z.array(z.unknown()).min(1).max(10_000) }), PredictionSchema),
  'engine.confusionSamples': op(
    z.strictObject({
      ...runRef,
      trueClass: z.number().int().min(0),
      predictedClass: z.number().int().min(0),
      limit: z.number().int().min(1).max(200).optional(),
      split: EvaluateSplitSchema.optional(),
    }),
    CellSamplesSchema,
  ),
  'engine.saliency': op(z.strictObject({ ...runRef, input: z.unknown() }), SaliencySchema),
  /** Attributions of one input (raw values, or a sample of a split as Evaluate numbers it) with one method (docs/explain.md). */
  'explain.run': job(ExplainRequestSchema.extend(openDoc), ExplanationSchema),
  /** A tabular run's feature importance: mean |SHAP| over test rows, or permutation importance. */
  'explain.global': job(GlobalRequestSchema.extend(openDoc), GlobalExplanationSchema),
  /** The model-randomisation sanity check of a method on one input (swaps the run's weights while it runs). */
  'explain.sanity': job(SanityRequestSchema.extend(openDoc), SanityResultSchema),
  /** Per-group metrics with bootstrap intervals and the gaps between groups (docs/fairness.md). */
  'fairness.audit': job(FairnessRequestSchema.extend(openDoc), FairnessReportSchema),
  /** Per-group decision thresholds of a binary classifier, fitted on its validation split. */
  'fairness.thresholds': job(ThresholdRequestSchema.extend(openDoc), ThresholdRuleSchema),
  /**
   * Compress a run (docs/compress.md) into a new run folder `outDir` (whose name is the new run's
   * id); the new run is then held like any other. The source: `runDir` when it holds the run, else
   * the run held in memory.
   */
  'compress.run': job(z.strictObject({ ...runRef, ...CompressParamsSchema.shape, outDir: dir }), CompressRunResultSchema),
  /** Summary, split sizes, class balance, warnings and a few samples; the split is the run's. */
  'data.preview': op(
    z.strictObject({
      dataset: DatasetSchema,
      baseDir: dir.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      inputShape: z.array(z.number().int().min(1)).optional(),
      training: PreviewTrainingSchema.optional(),
    }),
    DataPreviewSchema,
  ),
  /** `count` augmented copies of sample `index` (images only). */
  'data.augmentPreview': op(
    z.strictObject({
      dataset: DatasetSchema,
      baseDir: dir.optional(),
      index: z.number().int().min(0).optional(),
      count: z.number().int().min(1).max(32).optional(),
      seed: z.number().int().min(0).optional(),
    }),
    AugmentPreviewSchema,
  ),
  'data.describeCsv': op(z.strictObject({ path: dir, baseDir: dir.optional() }), CsvInfoSchema),
  /** A Keras/TF.js model file as a document; its weights become an imported run saved in `runDir`. */
  'file.importModel': op(z.strictObject({
    path: dir, runId: runId.optional(), runDir: dir.optional(), baseDir: dir.optional(),
    /** The length given to variable-length inputs (default 100, with a warning). */
    sequenceLength: z.number().int().min(1).max(1_000_000).optional(),
  }), ImportModelResultSchema),
  /** A weights file matched to `doc`, as an imported run saved in `runDir`. */
  'file.loadWeights': op(z.strictObject({ path: dir, doc: DocumentSchema, runId, runDir: dir, baseDir: dir.optional() }), LoadWeightsResultSchema),
  /** Write a run the engine holds into a run folder (a first save keeps the session's runs). */
  'runs.save': op(z.strictObject({ runId, runDir: dir }), z.object({ runDir: z.string() })),
  /** Forget a run held in memory (frees its weights). `ok: false`: it was not held. */
  'runs.dispose': op(runOnly, ok),
  /**
   * Generate from a trained language model (decoder-only: Embedding → PositionalEmbedding →
   * TransformerDecoder … → per-position head). Each token is reported as it is chosen, as job
   * progress (`done` tokens of `total`, `message` = the token's text); canceling the job is Stop.
   */
  'text.generate': job(GenerateRequestSchema, GenerationSchema),
  /** The attention maps of a trained language model for a text (its last context-length tokens). */
  'text.attentionMaps': op(z.strictObject({ ...runRef, text: z.string().min(1).max(100_000) }), AttentionMapsSchema),
  /** Greedy translation with a trained encoder–decoder (Inputs: source ids, decoder ids). */
  'text.translate': op(z.strictObject({ ...runRef, text: z.string().min(1).max(100_000) }), TranslationSchema),
  /**
   * Write a format's files into `outDir`. Trained weights: `runDir` when it holds them, else the run
   * `runId` held in memory; neither: the model's seeded initial weights.
   */
  'export.run': op(
    z.strictObject({
      format: z.enum(EXPORT_FORMAT_IDS),
      doc: DocumentSchema,
      outDir: dir.optional(),
      /** The document's file: the default `outDir` and `baseDir`. */
      docPath: dir.optional(),
      baseDir: dir.optional(),
      runId: runId.optional(),
      runDir: dir.optional(),
      quantize: z.enum(['none', 'float16', 'uint8']).optional(),
      includeData: z.boolean().optional(),
    }),
    EngineExportResultSchema,
  ),
} as const;

// ── Derived names and types ──────────────────────────────────────────────────────────────────

export type EngineOperations = typeof engineOperations;
export type EngineOp = keyof EngineOperations;
export const ENGINE_OPS = Object.keys(engineOperations) as readonly EngineOp[];

export const isEngineOp = (name: string): name is EngineOp => Object.hasOwn(engineOperations, name);

/** What a caller passes (defaults may be omitted). */
export type EngineRequest<Op extends EngineOp> = z.input<EngineOperations[Op]['request']>;
/** What the engine receives (validated). */
export type EngineParsedRequest<Op extends EngineOp> = z.output<EngineOperations[Op]['request']>;
export type EngineResponse<Op extends EngineOp> = z.output<EngineOperations[Op]['response']>;

/** The long operations (declared with `job(…)`): they take a `jobId`, report progress and can be canceled. */
export type EngineJobOp = { [Op in EngineOp]: EngineOperations[Op] extends { job: true } ? Op : never }[EngineOp];
export const isJobOp = (op: EngineOp): op is EngineJobOp => 'job' in engineOperations[op];

/** The operations on a live run: served by whoever holds its handle (./session in the engine). */
export type RunControlOp = 'engine.stop' | 'engine.pause' | 'engine.resume';
/** The operations a session answers itself (live runs, jobs), without the engine module. */
export type SessionOp = RunControlOp | 'engine.cancel';
/** The operations the engine answers with plain data. */
export type EngineDataOp = Exclude<EngineOp, 'engine.train' | SessionOp>;

/** A live run: controls act between batches; `done` resolves with its last event (`end` or `error`). */
export interface TrainHandle {
  stop(): void;
  pause(): void;
  resume(): void;
  readonly done: Promise<TrainEvent>;
}

/**
 * What the session gives every data operation (./job.ts): `signal` aborts when the caller cancels
 * the job, `onProgress` reports to the caller (for a job with an id; otherwise it goes nowhere).
 * It is a `JobControl`: pass it on to the computation.
 */
export interface JobContext extends JobControl {
  readonly signal: AbortSignal;
  onProgress(done: number, total: number, message?: string): void;
}

export type EngineFunctions = { readonly [Op in EngineDataOp]: (req: EngineParsedRequest<Op>, job: JobContext) => Promise<EngineResponse<Op>> };

/** What an engine implements: every data operation, and training as a handle plus an event stream. */
export type EngineApi = EngineFunctions & {
  readonly 'engine.train': (req: EngineParsedRequest<'engine.train'>, emit: (event: TrainEvent) => void) => TrainHandle;
};

/**
 * How a caller follows a job: progress reports, and a signal that cancels it (a job id is made up
 * when the request has none).
 */
export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}
/** Only long operations take job options. */
export type JobOptionsOf<Op extends EngineOp> = Op extends EngineJobOp ? JobOptions : never;

/** How the host, web mode, the CLI and tests call the engine (in its process or in-process). */
export interface EngineClient {
  call<Op extends EngineOp>(op: Op, req: EngineRequest<Op>, job?: JobOptionsOf<Op>): Promise<EngineResponse<Op>>;
}

/**
 * Why an operation failed, as it crosses the process boundary. `canceled`: its job was canceled;
 * `oom`: an allocation was refused before anything was written (the engine stays usable); `fatal`:
 * the engine's heap can no longer be trusted and its process exits after replying (a fresh one
 * serves the next request).
 */
export const ENGINE_ERROR_CODES = ['model', 'data', 'nan', 'internal', 'unavailable', 'invalid-request', 'invalid-response', 'canceled', 'oom', 'fatal'] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The tables seen per operation, so that `schemas[op]` keeps its operation's types (a generic `op` indexes one entry, not the union). */
type Schemas = { readonly [Op in EngineOp]: { request: z.ZodType<EngineParsedRequest<Op>, EngineRequest<Op>>; response: z.ZodType<EngineResponse<Op>> } };
const schemas: Schemas = engineOperations;

const issuesOf = (e: z.ZodError) => e.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(request)'}: ${i.message}`).join('; ');

/** Validate an operation's request (throws EngineError `invalid-request` naming each bad field). */
export function parseEngineRequest<Op extends EngineOp>(op: Op, raw: unknown): EngineParsedRequest<Op> {
  const r = schemas[op].request.safeParse(raw);
  if (!r.success) throw new EngineError('invalid-request', `${op}: invalid request: ${issuesOf(r.error)}`);
  return r.data;
}

/** Validate an operation's response (throws EngineError `invalid-response`: an engine bug). */
export function parseEngineResponse<Op extends EngineOp>(op: Op, raw: unknown): EngineResponse<Op> {
  const r = schemas[op].response.safeParse(raw);
  if (!r.success) throw new EngineError('invalid-response', `${op}: invalid response: ${issuesOf(r.error)}`);
  return r.data;
}
