/**
 * The training engine's public API, in one place. Plain Node + TensorFlow.js (no electron import):
 * the CLI calls it in-process, the desktop app's engine process (./worker.ts) calls it with
 * JSON-serialisable requests and forwards the events.
 *
 *   await initBackend()                                → BackendInfo (which backend, and why not native)
 *   startTraining({ runId, doc, baseDir, outDir }, emit) → { stop, pause, resume, done }
 *   await evaluate({ runId, runDir? })                 → Evaluation (test split)
 *   await predict({ runId, inputs, runDir? })          → { outputs, labels?, classes? }
 *   await confusionSamples({ runId, trueClass, predictedClass }) → the samples of one confusion cell
 *   await saliency({ runId, input })                   → |∂ top-class score / ∂ input| map in [0, 1]
 *   await loadRun(runDir) / saveRun(runId, dir)        → run folders (docs/engine.md)
 *   await previewData({ dataset }) / previewAugmentation({ dataset, index }) → the data panel
 *   await listSavedRuns(runsDirFor(docPath))           → saved runs' records, newest first (run history)
 *   compileModel(doc)                                  → { model: tf.LayersModel, ... }
 *
 * See docs/engine.md for the run-folder layout, the custom layers' weights and the event stream.
 */
import { confusionSamples as cellSamples, evaluateRun, predictRun, saliency as saliencyOf, type EvaluateOptions } from './evaluate';
import { listSavedRuns, loadRun as loadRunFolder, saveRun as saveRunFolder, runsDirFor, RUN_FILES, type SavedRun } from './persist';
import { disposeRun, getRun, hasRun, listRuns } from './runs';
import type { Evaluation } from '../../shared/engine/events';
import { DatasetSchema, type DatasetConfig } from '../../shared/document';
import type { RunRecord } from './types';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { initBackend, backendInfo, describeBackend, type BackendName } from './backend';
export { compileModel, layerNameOf, ModelBuildError, BUILDERS, type CompiledModel, type CompileOptions } from './compile';
export { startTraining, RunError, type TrainHandle } from './train';
export { evaluateRun, predictRun, perClassScores, type CellSample } from './evaluate';
export { disposeRun, getRun, hasRun, listRuns, runsDirFor, listSavedRuns, RUN_FILES, type SavedRun };
export type { TrainRequest, Prediction, RunRecord } from './types';
export { MultiHeadAttention, TransformerEncoder, PositionalEmbedding } from './layers/attention';

/** Where a run lives: in memory by id, or on disk in `runDir` (loaded on demand, e.g. after an engine restart). */
export interface RunRef {
  runId: string;
  /** The run folder (`<model>.runs/<runId>/`), to reload a run this engine process does not hold. */
  runDir?: string;
  /** The document's folder (relative dataset paths). */
  baseDir?: string;
}

async function ensureRun(ref: RunRef): Promise<void> {
  if (hasRun(ref.runId)) return;
  if (!ref.runDir) throw new Error(`No trained run "${ref.runId}" in this engine and no run folder to load it from`);
  await loadRunFolder(ref.runDir, ref.runId);
}

/**
 * A run held without its data (loaded for Try it or export) takes the dataset snapshot of the run
 * folder it is asked about: a Save As copy in another folder has its relative paths rewritten there
 * (electron/host/relocate.ts), while the record in memory is the original folder's.
 */
async function dataSnapshotFrom(ref: RunRef): Promise<void> {
  const run = getRun(ref.runId);
  if (run.dataset || !ref.runDir) return;
  const rec = await readFile(join(ref.runDir, RUN_FILES.record), 'utf8').then((t) => JSON.parse(t) as { dataset?: unknown }, () => null);
  const ds = DatasetSchema.safeParse(rec?.dataset);
  if (ds.success) run.record = { ...run.record, dataset: ds.data };
}

/** Evaluate a run on its test split. */
export async function evaluate(req: RunRef & Pick<EvaluateOptions, 'split'>): Promise<Evaluation> {
  await ensureRun(req);
  await dataSnapshotFrom(req);
  const run = getRun(req.runId);
  const rec = run.record as RunRecord & { imported?: { source: string } };
  if (rec.imported && !rec.dataset) {
    // Imported weights take the dataset the person chose since (the request's document snapshot).
    const dataset = (req as { doc?: { dataset?: DatasetConfig } }).doc?.dataset;
    if (!dataset) throw new Error(`The weights imported from ${rec.imported.source} have no dataset to evaluate on: choose one in the Data tab (Try it works without one)`);
    const { attachDataset } = await import('./export/imported-run');
    await attachDataset(run, dataset, req.baseDir, req.runDir);
  }
  return evaluateRun(req.runId, { baseDir: req.baseDir, split: req.split });
}

/** Flatten one sample given as nested arrays (the Input's shape) or already flat. */
function flatSample(s: unknown, i: number): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    else throw new Error(`Input ${i + 1} holds ${JSON.stringify(v)?.slice(0, 40)}: only finite numbers are allowed`);
  };
  walk(s);
  return out;
}

/** Predict on raw inputs (one sample per entry, nested in the Input's shape or flat). */
export async function predict(req: RunRef & { inputs: unknown[] }): Promise<{ outputs: number[][]; labels?: string[]; classes?: string[] }> {
  await ensureRun(req);
  const p = predictRun(req.runId, req.inputs.map(flatSample));
  return {
    outputs: p.outputs,
    ...(p.classes && p.predicted ? { classes: p.classes, labels: p.predicted.map((c) => p.classes![c] ?? String(c)) } : {}),
  };
}

/** The samples behind one confusion-matrix cell (Evaluate panel: click a cell, see its samples). */
export async function confusionSamples(req: RunRef & { trueClass: number; predictedClass: number; limit?: number }) {
  await ensureRun(req);
  await dataSnapshotFrom(req);
  return cellSamples(req.runId, req);
}

/** Saliency map (|gradient| of the top class score w.r.t. one raw input), for Try it. */
export async function saliency(req: RunRef & { input: unknown }) {
  await ensureRun(req);
  return saliencyOf(req.runId, flatSample(req.input, 0));
}

/** Load a run folder into this engine (for evaluate/predict/export). */
export async function loadRun(runDir: string, runId?: string): Promise<RunRecord> {
  return loadRunFolder(runDir, runId);
}

/** Save an in-memory run into a folder. */
export async function saveRun(runId: string, dir: string): Promise<string> {
  return saveRunFolder(getRun(runId), dir);
}

/**
 * The data panel's preview: summary, split sizes, class balance, warnings and a few samples. The split
 * is the run's (`training`: the document's validationSplit, seed and shuffle).
 */
export async function previewData(req: { dataset: DatasetConfig; baseDir?: string; limit?: number; inputShape?: number[]; training?: { validationSplit?: number; seed?: number; shuffle?: boolean } }) {
  const data = await import('./data');
  const ds = await data.loadDataset(req.dataset, { baseDir: req.baseDir, inputShape: req.inputShape });
  const split = data.splitFor(ds, req.dataset, req.training);
  const summary = data.summarizeData(ds, split);
  const limit = req.limit ?? 16;
  const perClass = ds.classes ? Math.max(1, Math.ceil(limit / ds.classes.length)) : Math.max(1, Math.ceil(limit / 10));
  const samples = data.previewSamples(ds, { perClass }).slice(0, limit);
  return { ...summary, inputShape: ds.sampleShape, samples };
}

/** The data panel's live augmentation preview: `count` augmented copies of sample `index` (images only). */
export async function previewAugmentation(req: { dataset: DatasetConfig; baseDir?: string; index?: number; count?: number; seed?: number }) {
  const data = await import('./data');
  const ds = await data.loadDataset(req.dataset, { baseDir: req.baseDir });
  const index = Math.min(Math.max(0, req.index ?? 0), ds.count - 1);
  const aug = { rotation: 0, widthShift: 0, heightShift: 0, shear: 0, zoom: 0, horizontalFlip: false, ...req.dataset.augmentation };
  return { shape: [...ds.sampleShape], samples: data.previewAugmented(ds, index, aug, { count: req.count ?? 8, seed: req.seed ?? 0 }) };
}

/** The data panel's CSV column chooser: columns (kind, distinct values, examples) of a CSV file. */
export async function describeCsvFile(req: { path: string; baseDir?: string }) {
  const data = await import('./data');
  const { isAbsolute, join } = await import('node:path');
  return data.describeCsv(isAbsolute(req.path) || !req.baseDir ? req.path : join(req.baseDir, req.path));
}

/**
 * Export (the exporters live in ./export). The app names trained weights by run (`runId` + `runDir`);
 * the exporters read a run folder (`weightsDir`): a saved run folder is passed as is, a run only in
 * memory is saved to a temporary folder first.
 */
export async function exportModel(req: Record<string, unknown> & { runId?: string; runDir?: string; weightsDir?: string }): Promise<unknown> {
  const path = './export/index';
  let mod: { exportModel?: (r: unknown) => Promise<unknown> };
  try {
    mod = await import(/* @vite-ignore */ path);
  } catch {
    mod = {};
  }
  if (typeof mod.exportModel !== 'function') throw Object.assign(new Error('export is not available in this engine yet'), { code: 'unavailable' });
  const { runId, runDir, ...rest } = req;
  let weightsDir = req.weightsDir;
  let tmp: string | undefined;
  if (!weightsDir && runId) {
    if (runDir && existsSync(join(runDir, RUN_FILES.weights))) weightsDir = runDir;
    else if (hasRun(runId)) {
      tmp = await mkdtemp(join(tmpdir(), 'layerloom-run-'));
      weightsDir = await saveRunFolder(getRun(runId), tmp);
    } else {
      throw new Error(`No trained run "${runId}" to export weights from: train the model again or export without weights`);
    }
  }
  try {
    return await mod.exportModel({ ...rest, ...(weightsDir ? { weightsDir } : {}) });
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
