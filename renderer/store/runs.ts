/**
 * The runs slice: every training run of this session (and the ones saved beside the document, read
 * from its `<model>.runs/` folder), with the curves, progress, final logs and evaluation. Not part of
 * the document: undo/redo never records it (index.ts records `doc` only).
 */
import type { LoomDocument, TrainingConfig } from '../../shared/document';
import type { EndEvent, ErrorEvent, Evaluation, StartEvent, TrainEvent } from '../../shared/engine/events';
import type { Slice } from './types';

export type RunStatus = 'starting' | 'running' | 'paused' | 'stopping' | 'completed' | 'stopped' | 'earlyStopped' | 'error';

export interface RunProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  etaSec: number;
  elapsedSec: number;
}

export interface RunView {
  runId: string;
  /** "Run 3" (session order), shown in lists and legends. */
  label: string;
  createdAt: string;
  /** The document as it was trained (architecture snapshot). */
  doc: LoomDocument;
  /** The hyper-parameters the run used (the document's, defaults filled). */
  training: TrainingConfig;
  status: RunStatus;
  start?: StartEvent;
  progress?: RunProgress;
  /**
   * Where the ETA is measured from: the first batch event (its time includes loading and compiling,
   * which the engine's own estimate spread over the whole run: minutes shown for a 10 s run).
   */
  etaFrom?: { done: number; elapsedSec: number };
  /** Per-batch training metrics; `x` is the position in epochs (epoch - 1 + batch / batches). */
  batches: { x: number[]; loss: number[]; accuracy: number[]; mae?: number[] };
  /** Per-epoch logs (`loss`, `accuracy`, `val_loss`, `val_accuracy`...), index = epoch - 1. */
  epochs: Record<string, number>[];
  end?: EndEvent;
  error?: ErrorEvent;
  evaluation?: Evaluation;
  /** Read from the run folder beside the document (not trained in this session). */
  fromDisk?: boolean;
  /** Weights imported from a file (File › Import model / Load Weights), not trained: no curves. */
  imported?: { source: string };
  /** A compressed copy of another run (the Compress tab): the method and the source run's id. */
  compressed?: { method: string; fromRunId: string };
  /** The file the run was trained for (the engine writes it into `<model>.runs/`), or whose run folder it was read from. */
  docPath?: string;
  /**
   * The document session (`docSession`: one per New, Open, Import...) the run was trained or
   * imported in. With `docPath`, it says which document the run belongs to (runsOfDocument).
   */
  session?: number;
  /**
   * Trained before the document had a file: that document session's `savedDoc`. Its first save
   * writes the run beside the new file (shell/keep-runs.ts), which then clears this.
   */
  unsavedOf?: LoomDocument;
}

/** A saved run's `run.json` (the fields the UI reads). */
export interface RunRecordLike {
  runId: string;
  createdAt?: string;
  doc?: LoomDocument;
  training?: TrainingConfig;
  history?: Record<string, number>[];
  logs?: Record<string, number>;
  reason?: 'completed' | 'stopped' | 'earlyStopped';
  epochsCompleted?: number;
  elapsedSec?: number;
  imported?: { source: string };
  /** A compressed run's record says what it came from and how (docs/compress.md). */
  compression?: { method: string; from: { runId: string } };
  /** The test evaluation kept with the run (a session's evaluation, written at the first save). */
  evaluation?: Evaluation;
}

export interface RunsSlice {
  runs: RunView[];
  /** Runs ticked in the Runs panel (overlay, diff). */
  selectedRuns: string[];

  addRun(run: Omit<RunView, 'label' | 'batches' | 'epochs' | 'status'> & Partial<Pick<RunView, 'status'>>): void;
  /** Apply one engine event to its run (ignored when the run is unknown). */
  applyRunEvent(e: TrainEvent): void;
  patchRun(runId: string, patch: Partial<RunView>): void;
  toggleRunSelected(runId: string): void;
  /**
   * Merge runs read from the run folder of `docPath` (session runs with the same id win, and count
   * as that file's runs too: Save As copies the folders).
   */
  mergeDiskRuns(records: RunRecordLike[], docPath: string): void;
  /** Add a finished compressed run of the open document (made by the engine from `fromRunId`). */
  addCompressedRun(run: { runId: string; createdAt: string; doc: LoomDocument; training: TrainingConfig; method: string; fromRunId: string; logs: Record<string, number> }): void;
  /** Add a finished "Imported weights" run of `doc` (weights from `source`, kept by the app). */
  addImportedRun(run: { runId: string; createdAt: string; source: string; doc: LoomDocument; training: TrainingConfig }): void;
}

/** Which document is open: its session and its file. */
export type OpenDocument = { docSession: number; filePath: string | null };

/**
 * Runs belong to the document they were trained from: the ones made in this document session, and
 * the ones of its file (trained for it earlier in this app session, or read from its run folder).
 */
export const belongsTo = (r: RunView, d: OpenDocument): boolean =>
  r.session === d.docSession || (!!d.filePath && r.docPath === d.filePath);

let lastRunsOf: { runs: readonly RunView[]; docSession: number; filePath: string | null; out: RunView[] } | null = null;

/** The open document's runs, in order (memoised: the same array while nothing changed, as selectors need). */
export function runsOfDocument(s: OpenDocument & { runs: readonly RunView[] }): RunView[] {
  const c = lastRunsOf;
  if (c && c.runs === s.runs && c.docSession === s.docSession && c.filePath === s.filePath) return c.out;
  const out = s.runs.filter((r) => belongsTo(r, s));
  lastRunsOf = { runs: s.runs, docSession: s.docSession, filePath: s.filePath, out };
  return out;
}

/** The finished-run end event of imported weights (no epochs, no logs). */
const importedEnd = (runId: string): EndEvent => ({ type: 'end', runId, reason: 'completed', epochsCompleted: 0, logs: {}, elapsedSec: 0 });

/** "Imported weights", numbered from the second one on (`runs`: the document's). */
function importedLabel(runs: readonly RunView[]): string {
  const n = runs.filter((r) => r.imported).length;
  return n === 0 ? 'Imported weights' : `Imported weights ${n + 1}`;
}

export const isActive = (s: RunStatus | undefined) => s === 'starting' || s === 'running' || s === 'paused' || s === 'stopping';

const finite = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/**
 * Seconds left, from the pace since the first batch event (warm-up excluded); 0 (not shown) until
 * there is a pace to go by.
 */
export function etaAfterWarmUp(from: { done: number; elapsedSec: number }, done: number, total: number, elapsedSec: number): number {
  const batches = done - from.done, secs = elapsedSec - from.elapsedSec;
  return batches > 0 && secs > 0 ? ((total - done) * secs) / batches : 0;
}

/** The run after one event (pure; exported for tests). */
export function reduceRun(run: RunView, e: TrainEvent): RunView {
  switch (e.type) {
    case 'start':
      return {
        ...run, status: run.status === 'stopping' ? 'stopping' : 'running', start: e,
        progress: { epoch: 1, epochs: e.epochs, batch: 0, batches: e.batchesPerEpoch, samplesPerSec: 0, etaSec: 0, elapsedSec: 0 },
      };
    case 'batch': {
      const x = e.epoch - 1 + e.batch / Math.max(1, e.batches);
      const epochs = run.progress?.epochs ?? run.start?.epochs ?? run.training.epochs;
      const done = (e.epoch - 1) * e.batches + e.batch;
      const etaFrom = run.etaFrom ?? { done, elapsedSec: e.elapsedSec };
      return {
        ...run,
        status: run.status === 'starting' ? 'running' : run.status,
        etaFrom,
        progress: { epoch: e.epoch, epochs, batch: e.batch, batches: e.batches, samplesPerSec: e.samplesPerSec, etaSec: etaAfterWarmUp(etaFrom, done, epochs * e.batches, e.elapsedSec), elapsedSec: e.elapsedSec },
        batches: {
          x: [...run.batches.x, x],
          loss: [...run.batches.loss, finite(e.logs.loss)],
          accuracy: [...run.batches.accuracy, finite(e.logs.accuracy)],
          mae: [...(run.batches.mae ?? []), finite(e.logs.mae)],
        },
      };
    }
    case 'epoch': {
      const epochs = run.epochs.slice();
      epochs[e.epoch - 1] = e.logs;
      const batches = run.progress?.batches ?? run.start?.batchesPerEpoch ?? 0;
      const etaSec = run.etaFrom ? etaAfterWarmUp(run.etaFrom, e.epoch * batches, e.epochs * batches, e.elapsedSec) : 0;
      return {
        ...run, epochs,
        progress: { epoch: e.epoch, epochs: e.epochs, batch: batches, batches, samplesPerSec: e.samplesPerSec, etaSec, elapsedSec: e.elapsedSec },
      };
    }
    case 'paused':
      return { ...run, status: 'paused' };
    case 'resumed':
      return { ...run, status: 'running' };
    case 'end':
      return { ...run, status: e.reason, end: e, progress: run.progress ? { ...run.progress, etaSec: 0, elapsedSec: e.elapsedSec } : run.progress };
    case 'error': {
      // Batch events are throttled: the progress shows the batch the run actually stopped at.
      const p = run.progress;
      const at = p && e.epoch !== undefined && e.batch !== undefined ? { ...p, epoch: e.epoch, batch: e.batch, etaSec: 0 } : p;
      return { ...run, status: 'error', error: e, ...(at ? { progress: at } : {}) };
    }
  }
}

export function runFromRecord(r: RunRecordLike, label: string): RunView | null {
  if (!r.doc || !r.training) return null;
  if (r.imported) {
    return {
      runId: r.runId, label: `Imported weights (${r.imported.source})`, createdAt: r.createdAt ?? '', doc: r.doc, training: r.training,
      status: 'completed', batches: { x: [], loss: [], accuracy: [], mae: [] }, epochs: [], end: importedEnd(r.runId),
      imported: { source: r.imported.source }, fromDisk: true,
    };
  }
  return {
    runId: r.runId, label: r.compression ? `${label} (${r.compression.method})` : label, createdAt: r.createdAt ?? '', doc: r.doc, training: r.training,
    ...(r.compression ? { compressed: { method: r.compression.method, fromRunId: r.compression.from.runId } } : {}),
    status: r.reason ?? 'completed', batches: { x: [], loss: [], accuracy: [], mae: [] }, epochs: r.history ?? [],
    ...(r.logs ? { end: { type: 'end', runId: r.runId, reason: r.reason ?? 'completed', epochsCompleted: r.epochsCompleted ?? r.history?.length ?? 0, logs: r.logs, elapsedSec: r.elapsedSec ?? 0 } } : {}),
    ...(r.evaluation ? { evaluation: r.evaluation } : {}),
    fromDisk: true,
  };
}

export const createRunsSlice: Slice<RunsSlice> = (set, get) => ({
  runs: [],
  selectedRuns: [],

  addRun(run) {
    // Numbered per document: the first run of a newly opened model is Run 1.
    const label = `Run ${runsOfDocument(get()).filter((r) => !r.imported).length + 1}`;
    set({ runs: [...get().runs, { status: 'starting', ...run, label, batches: { x: [], loss: [], accuracy: [], mae: [] }, epochs: [] }] });
  },
  applyRunEvent(e) {
    const runs = get().runs;
    const i = runs.findIndex((r) => r.runId === e.runId);
    if (i < 0) return;
    const next = runs.slice();
    next[i] = reduceRun(runs[i]!, e);
    set({ runs: next });
  },
  patchRun(runId, patch) {
    set({ runs: get().runs.map((r) => (r.runId === runId ? { ...r, ...patch } : r)) });
  },
  toggleRunSelected(runId) {
    const sel = get().selectedRuns;
    set({ selectedRuns: sel.includes(runId) ? sel.filter((x) => x !== runId) : [...sel, runId] });
  },
  mergeDiskRuns(records, docPath) {
    const listed = new Set(records.map((r) => r.runId));
    const have = new Set(get().runs.map((r) => r.runId));
    const added: RunView[] = [];
    // Oldest first, so labels follow creation order.
    for (const rec of [...records].sort((a, b) => String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')))) {
      if (have.has(rec.runId)) continue;
      const v = runFromRecord(rec, `Saved ${rec.createdAt ? rec.createdAt.slice(0, 16).replace('T', ' ') : rec.runId}`);
      if (v) added.push({ ...v, docPath });
    }
    const runs = get().runs;
    const adopt = runs.some((r) => listed.has(r.runId) && r.docPath !== docPath && !isActive(r.status));
    if (!added.length && !adopt) return;
    set({ runs: [...added, ...(adopt ? runs.map((r) => (listed.has(r.runId) && !isActive(r.status) ? { ...r, docPath } : r)) : runs)] });
  },
  addCompressedRun({ runId, createdAt, doc, training, method, fromRunId, logs }) {
    const runs = get().runs.filter((r) => r.runId !== runId);
    const { docSession: session, filePath, savedDoc } = get();
    const from = runs.find((r) => r.runId === fromRunId)?.label ?? fromRunId;
    set({
      runs: [...runs, {
        runId, label: `${from} · ${method}`, createdAt, doc, training, status: 'completed',
        batches: { x: [], loss: [], accuracy: [], mae: [] }, epochs: [],
        end: { type: 'end', runId, reason: 'completed', epochsCompleted: 0, logs, elapsedSec: 0 },
        compressed: { method, fromRunId }, session,
        // Unsaved document: its first save keeps the run beside the file, like a trained one (shell/keep-runs.ts).
        ...(filePath ? { docPath: filePath } : { unsavedOf: savedDoc }),
      }],
    });
  },
  addImportedRun({ runId, createdAt, source, doc, training }) {
    const runs = get().runs.filter((r) => r.runId !== runId);
    const { docSession: session, filePath } = get();
    set({
      runs: [...runs, {
        runId, label: importedLabel(runsOfDocument({ runs, docSession: session, filePath })), createdAt, doc, training, status: 'completed',
        batches: { x: [], loss: [], accuracy: [], mae: [] }, epochs: [], end: importedEnd(runId), imported: { source },
        session, ...(filePath ? { docPath: filePath } : {}),
      }],
    });
  },
});
