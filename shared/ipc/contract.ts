/**
 * The one IPC contract between the renderer and the app (Electron main, or the web-mode server).
 * Every request (`namespace.method` → request schema, response schema) and every event
 * (`name` → payload schema) is declared here once; types, the preload, the web client, main's
 * handlers and the web server's dispatcher are all derived from these tables.
 *
 * Requests carry plain JSON data only (no functions, class instances, tensors or binary).
 * Documents travel as text (`text`, the file's content) when they are files, and as `LoomDocument`
 * objects when the engine needs them.
 */
import { z } from 'zod';
import { DatasetSchema, DocumentSchema } from '../document/schema';
import { MAX_FILE_BYTES, fitsInModelFile, formatMiB } from '../document/load';
import {
  AugmentPreviewSchema, CellSamplesSchema, CsvInfoSchema, DataPreviewSchema, ImportedRunSchema, ImportProblemSchema,
  PredictionSchema, PreviewTrainingSchema, SaliencySchema, TrainingOverridesSchema, WeightProblemSchema, AttentionMapsSchema, GenerateRequestSchema, GenerationSchema, TranslationSchema,
} from '../engine/api';
import { BackendInfoSchema, EvaluationSchema, RunBackendSchema, TrainEventSchema } from '../engine/events';
import { JobIdSchema, JobProgressSchema } from '../engine/job';
import { RunIdSchema } from '../engine/run-id';
import { RuntimeCheckSchema, RuntimeSettingsSchema } from '../runtime/options';
import {
  ExplainParamsSchema, ExplanationSchema, GlobalExplanationSchema, GlobalParamsSchema, SanityParamsSchema, SanityResultSchema,
} from '../explain/schema';
import { CompressParamsSchema, CompressRunResultSchema } from '../compress/schema';
import { FairnessParamsSchema, FairnessReportSchema, ThresholdParamsSchema, ThresholdRuleSchema } from '../fairness/schema';

// The engine answers several requests with the same shapes (shared/engine/api.ts).
export {
  AugmentPreviewSchema, CellSamplesSchema, CsvInfoSchema, DataPreviewSchema, ImportedRunSchema, PredictionSchema, SaliencySchema, TrainingOverridesSchema,
};

/** The model document's file extension (file dialogs, OS file association in electron-builder.yml). */
export const DOCUMENT_EXTENSION = 'loom';

const empty = z.strictObject({});
const ok = z.object({ ok: z.boolean() });
const filePath = z.string().min(1).max(4096);
const runId = RunIdSchema;
/** The document's file as text (a `.loom` file is at most 64 MiB of UTF-8, as on disk). */
const fileText = z.string().refine(fitsInModelFile, `a model file is at most ${formatMiB(MAX_FILE_BYTES)} (UTF-8)`);
/**
 * The largest message web mode's WebSocket carries: a document at its limit with every character
 * escaped once in JSON (`\"`, `\n`: a `.loom` file is JSON, so it holds no other raw control
 * characters), plus the rest of the request. The client refuses larger requests before sending.
 */
export const MAX_MESSAGE_BYTES = 2 * MAX_FILE_BYTES + 1024 * 1024;

/** A file that was read or written. `path` is absolute in the desktop app, project-relative in web mode. */
export const FileRefSchema = z.object({
  /** null when the file did not come from a path (a browser file picker). */
  path: filePath.nullable(),
  /** The file name shown to people (`mnist.loom`). */
  name: z.string(),
});
export type FileRef = z.infer<typeof FileRefSchema>;

export const OpenedFileSchema = FileRefSchema.extend({ text: fileText });
export type OpenedFile = z.infer<typeof OpenedFileSchema>;

const canceled = z.object({ canceled: z.literal(true) });
export const OpenResultSchema = z.discriminatedUnion('canceled', [canceled, OpenedFileSchema.extend({ canceled: z.literal(false) })]);
/** A dataset path Save As rewrote so that the copy in another folder still finds the file. */
export const PathChangeSchema = z.object({ field: z.enum(['path', 'x', 'y']), from: z.string(), to: z.string() });
export type PathChange = z.infer<typeof PathChangeSchema>;
export const SaveResultSchema = z.discriminatedUnion('canceled', [
  canceled,
  FileRefSchema.extend({ canceled: z.literal(false), rewritten: z.array(PathChangeSchema).optional() }),
]);
export type OpenResult = z.infer<typeof OpenResultSchema>;
export type SaveResult = z.infer<typeof SaveResultSchema>;

export const TemplateSchema = z.object({
  /** The file's base name (`mnist-cnn`): pass it to `file.new({ template })`. */
  id: z.string(),
  name: z.string(),
  description: z.string(),
  text: fileText,
});
export type Template = z.infer<typeof TemplateSchema>;

const uiValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
/** Per-user settings (a JSON file in the user's data folder; the project folder's `.layerloom/` in web mode). */
export const SettingsSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  /** Most recent first, at most 10. */
  recentFiles: z.array(filePath).max(10).default([]),
  snapToGrid: z.boolean().default(false),
  /** Free-form UI preferences owned by the renderer (panel sizes, last tab...). */
  ui: z.record(z.string().max(100), uiValue).default({}),
  /** Which runtime trains (this app or PyTorch) and where: machine settings, never in the .loom document. Absent: the defaults. */
  runtime: RuntimeSettingsSchema.optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = z.strictObject({
  theme: SettingsSchema.shape.theme.unwrap().optional(),
  recentFiles: z.array(filePath).max(10).optional(),
  snapToGrid: z.boolean().optional(),
  ui: z.record(z.string().max(100), uiValue).optional(),
  /** Replaces the runtime settings as a whole. */
  runtime: RuntimeSettingsSchema.optional(),
});

export const AppInfoSchema = z.object({
  /** `electron`: the desktop app; `web`: a browser talking to `npm run web`. */
  mode: z.enum(['electron', 'web']),
  version: z.string(),
  platform: z.string(),
  /** Web mode: the folder files are opened from and saved to (shown to people). */
  projectDir: z.string().optional(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** Where a request about a document's runs finds them: the document's path (relative paths in the dataset resolve from its folder). */
const docLocation = { docPath: filePath.nullable().optional() };

export const TrainRequestSchema = z.strictObject({
  /** Chosen by the caller (so it can match events before the response arrives); generated when absent. */
  runId: runId.optional(),
  doc: DocumentSchema,
  ...docLocation,
  overrides: TrainingOverridesSchema.optional(),
  /** `pytorch`: train with the PyTorch runtime of the settings (`settings.runtime`); absent or `app`: this app's engine. */
  runtime: z.enum(['app', 'pytorch']).optional(),
});
export type TrainRequest = z.input<typeof TrainRequestSchema>;

const runRef = z.strictObject({ runId });

export const EvaluateRequestSchema = z.strictObject({ runId, doc: DocumentSchema, ...docLocation });
export const PredictRequestSchema = z.strictObject({
  runId,
  doc: DocumentSchema,
  ...docLocation,
  /** One sample per entry, each a nested number array of the model input's shape (no batch dimension). */
  inputs: z.array(z.unknown()).min(1).max(10_000),
});
/** The data panel: a few samples of a dataset and its shape/split summary. */
export const DataPreviewRequestSchema = z.strictObject({
  dataset: DatasetSchema, ...docLocation, limit: z.number().int().min(1).max(1000).optional(),
  /** The document's training settings that shape the split, so the preview shows the run's split. */
  training: PreviewTrainingSchema.optional(),
});
/** Evaluate panel: the samples behind one confusion-matrix cell (true class × predicted class). */
export const CellSamplesRequestSchema = z.strictObject({
  runId, doc: DocumentSchema, ...docLocation,
  trueClass: z.number().int().min(0), predictedClass: z.number().int().min(0),
  limit: z.number().int().min(1).max(200).optional(),
});
/** Try it: |gradient| of the top class score w.r.t. one raw input, scaled to [0, 1]. */
export const SaliencyRequestSchema = z.strictObject({ runId, doc: DocumentSchema, ...docLocation, input: z.unknown() });
/**
 * A long operation (a job): the renderer names it (`jobId`) to follow its `job.progress` events and
 * to cancel it with `engine.cancel`; a canceled job fails with the IPC error `canceled`.
 */
const jobRef = { jobId: JobIdSchema.optional() };
/** A trained run as the renderer sees it: its id and the open document (its dataset; its path locates the run's folder). */
const docRun = { runId, doc: DocumentSchema, ...docLocation };

/** Text: generate from a trained language model (its tokens arrive as `job.progress` messages); canceling the job is Stop. */
export const TextGenerateRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...GenerateRequestSchema.omit({ runId: true, runDir: true }).shape });
/** Text: the attention maps of a trained language model for a text, or a trained translator's translation of it. */
export const TextRequestSchema = z.strictObject({ ...docRun, text: z.string().min(1).max(100_000) });

/** Explain: one input (a sample of a split as Evaluate numbers it, or raw values) with one method. */
export const ExplainRunRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...ExplainParamsSchema.shape });
/** Explain: a tabular run's global feature importance. */
export const ExplainGlobalRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...GlobalParamsSchema.shape });
/** Explain: the model-randomisation sanity check of a method on one input. */
export const ExplainSanityRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...SanityParamsSchema.shape });
/** Evaluate › Fairness: the group audit (`metadataCsv` relative to the document's folder). */
export const FairnessAuditRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...FairnessParamsSchema.shape });
/** Evaluate › Fairness: per-group thresholds of a binary classifier. */
export const FairnessThresholdsRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...ThresholdParamsSchema.shape });
/**
 * Compress: a run compressed by one method into a new run of the document (beside it, or staged
 * until its first save); the answer is the report, the new run and the changed samples' images.
 */
export const CompressRunRequestSchema = z.strictObject({ ...docRun, ...jobRef, ...CompressParamsSchema.shape });

/** Data panel: augmented versions of one sample (live preview of the augmentation options). */
export const AugmentPreviewRequestSchema = z.strictObject({
  dataset: DatasetSchema, ...docLocation,
  index: z.number().int().min(0).optional(), count: z.number().int().min(1).max(32).optional(), seed: z.number().int().min(0).optional(),
});
/** Data panel: what can be imported from the document's folder (web mode: the project folder): CSV and .npy files, folders. */
export const DataFilesSchema = z.object({
  dir: z.string(),
  files: z.array(z.object({ path: z.string(), kind: z.enum(['csv', 'npy', 'folder']) })),
});
/** Data panel's CSV column chooser: the columns of a CSV file (path relative to the document's folder). */
/** Data panel "Choose…": what to pick (a CSV file, `.npy` arrays, an image folder). */
export const DataPickRequestSchema = z.strictObject({ kind: z.enum(['csv', 'npy', 'folder']), ...docLocation });
/**
 * The picked data, as the dataset config should store it: relative to the document's folder when
 * inside it, else absolute (desktop); relative to the document's folder (or the project folder) in
 * web mode, where the browser's picker uploads the files first. `paths`: every file chosen when
 * several were (`.npy`: x and y in one pick); `path` is the first.
 */
export const DataPickResultSchema = z.discriminatedUnion('canceled', [
  canceled,
  z.object({ canceled: z.literal(false), path: z.string().min(1), paths: z.array(z.string().min(1)).optional() }),
]);
export type DataPickResult = z.infer<typeof DataPickResultSchema>;

/** Bytes per `file.upload` call (the browser sends big files in chunks of this size). */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;
/** The largest file web mode accepts by upload. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
/**
 * Web mode: one chunk of a file the browser uploads into `<project>/<dir>/<name>`. Chunks arrive in
 * order (`offset` = bytes sent before this one); the file is written to a hidden temporary file and
 * renamed into place with the chunk marked `done`, so a half-uploaded file is never read.
 */
export const UploadChunkSchema = z.strictObject({
  /** `data`: datasets (Data panel); `imports`: model files (File › Import model). */
  dir: z.enum(['data', 'imports']),
  /** A relative file name; `/` separates subfolders (a folder upload keeps its layout). No `..`, no hidden names. */
  name: z.string().min(1).max(1024),
  offset: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
  /** This chunk's bytes, base64 (at most 2 × UPLOAD_CHUNK_BYTES per call). */
  base64: z.string().max(Math.ceil((2 * UPLOAD_CHUNK_BYTES) / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 text'),
  done: z.boolean(),
});
export type UploadChunk = z.infer<typeof UploadChunkSchema>;
/** `path`: relative to the project folder (`data/iris.csv`); `bytes`: the file's size so far. */
export const UploadResultSchema = z.object({ path: z.string(), bytes: z.number().int().min(0) });

/** Runs panel: the runs kept beside a document (`<model>.runs/<runId>/run.json`), newest first. Loose: a RunRecord. */
export const RunListSchema = z.object({
  runs: z.array(z.looseObject({ runId: z.string(), createdAt: z.string().optional(), history: z.array(z.record(z.string(), z.number())).optional() })),
});

/** Exporters (formats are registered in shared/formats/registry.ts): kept generic here. */
export const ExportRequestSchema = z.strictObject({
  format: z.string().min(1).max(64),
  doc: DocumentSchema,
  ...docLocation,
  /** Where to write; absent: the app asks (desktop) or uses `<project>/export/<format>` (web). */
  outDir: filePath.optional(),
  /** Trained weights to include, from this run (its folder beside the document); else the initial weights. */
  runId: runId.optional(),
  /** TensorFlow.js only. */
  quantize: z.enum(['none', 'float16', 'uint8']).optional(),
  /** Keras/PyTorch: also write the dataset for the exported train script. */
  includeData: z.boolean().optional(),
});
export const ExportResultSchema = z.discriminatedUnion('canceled', [
  canceled,
  z.object({
    canceled: z.literal(false),
    outDir: z.string(),
    /** Absolute paths of the files written. */
    files: z.array(z.string()),
    weights: z.enum(['trained', 'initial']).optional(),
    notes: z.array(z.string()).optional(),
  }),
]);

/** File › Import model: a Keras (`.keras`, `model.to_json()` .json) or TF.js (`model.json`) model as a new document. */
export const ImportModelResultSchema = z.discriminatedUnion('canceled', [
  canceled,
  z.object({
    canceled: z.literal(false),
    /** Suggested document name (`<model>.loom`). */
    name: z.string(),
    /** The new document's text (not yet saved anywhere). */
    text: fileText,
    warnings: z.array(z.string()),
    /** The file came with weights. */
    weightsFound: z.boolean().optional(),
    /** The weights became this "Imported weights" run of the new document (kept until it is saved, then beside it). */
    run: ImportedRunSchema.optional(),
    /** Why weights that were found did not become a run. */
    weightsNote: z.string().optional(),
    /** Layers imported as placeholders (red nodes to replace): name, Keras class, reason. */
    placeholders: z.array(ImportProblemSchema).optional(),
  }),
]);

/** File › Load Weights: a weights file matched to the open document's layers by name (TF.js) or Keras 3 layout, and shape. */
export const LoadWeightsRequestSchema = z.strictObject({
  /** A Keras `.weights.h5` or a TF.js `model.json` (its .bin files beside it); absent: ask (desktop dialog). */
  path: filePath.optional(),
  doc: DocumentSchema,
  ...docLocation,
});
export const LoadWeightsResultSchema = z.discriminatedUnion('canceled', [
  canceled,
  z.object({
    canceled: z.literal(false),
    run: ImportedRunSchema,
    /** Layers (node ids) that took the file's weights. */
    matched: z.array(z.string()),
    /** Layers that kept their initial weights, each with the reason (both shapes on a mismatch). */
    problems: z.array(WeightProblemSchema),
    /** Weights in the file no layer took. */
    unused: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
]);

/**
 * Crash recovery: the last unsaved document, kept by the app in a file beside its settings so it
 * survives a restart of the app or of the web server (browser storage belongs to one origin, and web
 * mode's port changes per launch).
 */
export const RecoverySchema = z.object({ text: fileText, filePath: z.string().max(4096).nullable(), savedAt: z.number() });
export type RecoveryCopy = z.infer<typeof RecoverySchema>;

const request = <Q extends z.ZodType, R extends z.ZodType>(req: Q, res: R) => ({ request: req, response: res });

/** Every request: `namespace.method` → { request, response }. */
export const requests = {
  app: {
    info: request(empty, AppInfoSchema),
    /**
     * The renderer calls this once, after subscribing to events: the answer lists files to open now
     * (passed on the command line, or by the OS before the window existed). Later opens arrive as
     * `menu.command` `openFile`.
     */
    ready: request(empty, z.object({ openFiles: z.array(filePath) })),
    /** The renderer reports unsaved changes so closing the window can ask first. */
    setDirty: request(z.strictObject({ dirty: z.boolean(), name: z.string().max(200).optional() }), ok),
    /** Reply to `app.beforeClose`: `close: true` once the document is saved (or discarded). */
    closeReady: request(z.strictObject({ requestId: z.string().max(64), close: z.boolean() }), ok),
  },
  file: {
    /** A new document's text: a template (`template` = its id) or an empty model. */
    new: request(z.strictObject({ template: z.string().max(200).optional() }), OpenedFileSchema),
    /** Open `path`, or (no path) ask: a native dialog (desktop) / a browser file picker (web). */
    open: request(z.strictObject({ path: filePath.optional() }), OpenResultSchema),
    /** Write to the file's existing path (atomic: temp file + fsync + rename). */
    save: request(z.strictObject({ path: filePath, text: fileText }), SaveResultSchema),
    /**
     * Ask for a path (or use `path` when given), then write. `fromPath`: the document's current file
     * (none: never saved). Relative dataset paths are rewritten to name the same files from the new
     * folder (`rewritten` lists them; the editor applies the same changes to its document).
     */
    saveAs: request(z.strictObject({ text: fileText, suggestedName: z.string().max(200).optional(), path: filePath.optional(), fromPath: filePath.optional() }), SaveResultSchema),
    recent: request(empty, z.object({ files: z.array(FileRefSchema) })),
    /** Web mode: the `.loom` files in the project folder. Desktop: the folder of `dir` (absolute). */
    list: request(z.strictObject({ dir: filePath.optional() }), z.object({ dir: z.string(), files: z.array(FileRefSchema) })),
    listTemplates: request(empty, z.object({ templates: z.array(TemplateSchema) })),
    /** Import a Keras/TF.js model file (`path`, or ask: a dialog on the desktop; web mode needs a project path). */
    importModel: request(z.strictObject({ path: filePath.optional() }), ImportModelResultSchema),
    /** Load a weights file (`.weights.h5`, TF.js `model.json`) into `doc` as an "Imported weights" run. */
    loadWeights: request(LoadWeightsRequestSchema, LoadWeightsResultSchema),
    /** Web mode only: write one chunk of a browser upload into the project folder (desktop: `unavailable`). */
    upload: request(UploadChunkSchema, UploadResultSchema),
  },
  recovery: {
    /** The copy left by a session that ended with unsaved changes, if any. */
    read: request(empty, z.object({ recovery: RecoverySchema.nullable() })),
    /** Replace the copy (`null`: the work was saved or discarded). */
    write: request(z.strictObject({ recovery: RecoverySchema.nullable() }), ok),
  },
  settings: {
    get: request(empty, SettingsSchema),
    set: request(SettingsPatchSchema, SettingsSchema),
    /** Try the PyTorch runtime these settings describe (not saved): the interpreter and its PyTorch, or what to install. */
    checkRuntime: request(RuntimeSettingsSchema, RuntimeCheckSchema),
  },
  engine: {
    backend: request(empty, BackendInfoSchema),
    /** Starts a run and returns at once; progress arrives as `train.event`. */
    train: request(TrainRequestSchema, z.object({ runId })),
    stop: request(runRef, ok),
    pause: request(runRef, ok),
    resume: request(runRef, ok),
    evaluate: request(EvaluateRequestSchema, EvaluationSchema),
    predict: request(PredictRequestSchema, PredictionSchema),
    confusionSamples: request(CellSamplesRequestSchema, CellSamplesSchema),
    saliency: request(SaliencyRequestSchema, SaliencySchema),
    /** Cancel a long operation by the `jobId` its request gave. `ok: false`: it had already ended. */
    cancel: request(z.strictObject({ jobId: JobIdSchema }), ok),
  },
  /** Long operations: progress arrives as `job.progress` for the request's `jobId`; `engine.cancel` stops them. */
  explain: {
    run: request(ExplainRunRequestSchema, ExplanationSchema),
    global: request(ExplainGlobalRequestSchema, GlobalExplanationSchema),
    sanity: request(ExplainSanityRequestSchema, SanityResultSchema),
  },
  /** Trained language models and translators; `generate` is a long operation (tokens as `job.progress`). */
  text: {
    generate: request(TextGenerateRequestSchema, GenerationSchema),
    attentionMaps: request(TextRequestSchema, AttentionMapsSchema),
    translate: request(TextRequestSchema, TranslationSchema),
  },
  fairness: {
    audit: request(FairnessAuditRequestSchema, FairnessReportSchema),
    thresholds: request(FairnessThresholdsRequestSchema, ThresholdRuleSchema),
  },
  compress: {
    run: request(CompressRunRequestSchema, CompressRunResultSchema),
  },
  data: {
    preview: request(DataPreviewRequestSchema, DataPreviewSchema),
    augmentPreview: request(AugmentPreviewRequestSchema, AugmentPreviewSchema),
    /** Paths (relative to the document's folder) a person can pick as data. */
    files: request(z.strictObject({ ...docLocation }), DataFilesSchema),
    describeCsv: request(z.strictObject({ path: filePath, ...docLocation }), CsvInfoSchema),
    /** Desktop: a native open dialog. Web mode answers it in the page (file picker + `file.upload`). */
    pick: request(DataPickRequestSchema, DataPickResultSchema),
  },
  runs: {
    /** The runs saved beside the document (empty for a document that has no path yet). */
    list: request(z.strictObject({ docPath: filePath.nullable().optional() }), RunListSchema),
    /** Keep an imported run of a document saved for the first time beside it (`<model>.runs/<runId>/`). */
    persistImported: request(z.strictObject({ runId, docPath: filePath }), z.object({ ok: z.boolean() })),
    /**
     * Keep runs beside `docPath` (`<model>.runs/<runId>/`) when the document is saved for the first
     * time or saved as a copy (`fromPath`: its previous file, whose run folders are copied). Each run
     * comes from, in order: a folder already there (kept), the imported-runs staging area, the
     * previous file's runs, the engine's memory. Runs that could not be kept are listed in `failed`
     * (they stay in memory for the session). `evaluations`: the session's test evaluations of those
     * runs, kept in their run.json (`evaluation`) so a reopened model shows them.
     */
    persist: request(
      z.strictObject({ runIds: z.array(runId).max(1000), docPath: filePath, fromPath: filePath.optional(), evaluations: z.record(runId, EvaluationSchema).optional() }),
      z.object({ saved: z.array(z.string()), failed: z.array(z.object({ runId: z.string(), message: z.string() })) }),
    ),
  },
  export: {
    run: request(ExportRequestSchema, ExportResultSchema),
  },
} as const;

/** Commands the native menu (or a shortcut handled by main) sends to the renderer. */
export const MENU_COMMANDS = [
  'new', 'newFromTemplate', 'open', 'openFile', 'save', 'saveAs', 'importModel', 'loadWeights', 'export', 'close',
  'undo', 'redo', 'delete', 'zoomIn', 'zoomOut', 'zoomReset', 'fit', 'toggleTheme',
  'train', 'stop', 'evaluate', 'explain', 'help', 'about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export const EngineStatusSchema = z.object({
  /** `starting`: the engine process is loading; `crashed`: it died (the next request starts a fresh one). */
  state: z.enum(['idle', 'starting', 'ready', 'busy', 'crashed']),
  backend: RunBackendSchema.optional(),
  message: z.string().optional(),
  runId: z.string().optional(),
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

/** Every event main (or the web server) pushes to the renderer: name → payload. */
export const events = {
  'train.event': TrainEventSchema,
  'engine.status': EngineStatusSchema,
  /** Progress of a long operation the renderer started with a `jobId` (explain, fairness, compress): done/total, ETA without warm-up, the phase. */
  'job.progress': JobProgressSchema,
  /** A menu item was chosen. `arg`: the template id (newFromTemplate), or the path (openFile). */
  'menu.command': z.object({ command: z.enum(MENU_COMMANDS), arg: z.string().optional() }),
  /** The window is closing with unsaved changes and the person chose "Save": save, then reply with `app.closeReady`. */
  'app.beforeClose': z.object({ requestId: z.string() }),
} as const;

// ── Derived names and types ──────────────────────────────────────────────────────────────────

export type Requests = typeof requests;
export type Namespace = keyof Requests;
export type RequestName = { [N in Namespace]: `${N & string}.${keyof Requests[N] & string}` }[Namespace];
export type EventName = keyof typeof events;

type Spec<N extends RequestName> = N extends `${infer NS}.${infer M}`
  ? NS extends Namespace ? M extends keyof Requests[NS] ? Requests[NS][M] : never : never
  : never;
type ReqOf<S> = S extends { request: infer Q extends z.ZodType } ? Q : never;
type ResOf<S> = S extends { response: infer R extends z.ZodType } ? R : never;

/** What a caller passes (defaults may be omitted). */
export type RequestOf<N extends RequestName> = z.input<ReqOf<Spec<N>>>;
/** What a handler receives (validated, defaults applied). */
export type ParsedRequestOf<N extends RequestName> = z.output<ReqOf<Spec<N>>>;
export type ResponseOf<N extends RequestName> = z.output<ResOf<Spec<N>>>;
export type EventOf<E extends EventName> = z.output<(typeof events)[E]>;

export const REQUEST_NAMES: readonly RequestName[] = Object.entries(requests).flatMap(([ns, methods]) =>
  Object.keys(methods).map((m) => `${ns}.${m}` as RequestName),
);
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function requestSpec(name: string): { request: z.ZodType; response: z.ZodType } | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  // Own keys only: `__proto__.toString` must not find Object.prototype's members.
  const table = requests as Record<string, Record<string, { request: z.ZodType; response: z.ZodType }>>;
  const ns = Object.hasOwn(table, name.slice(0, dot)) ? table[name.slice(0, dot)] : undefined;
  const spec = ns && Object.hasOwn(ns, name.slice(dot + 1)) ? ns[name.slice(dot + 1)] : undefined;
  return spec;
}

export function eventSchema(name: string): z.ZodType | undefined {
  return Object.hasOwn(events, name) ? (events as Record<string, z.ZodType>)[name] : undefined;
}
