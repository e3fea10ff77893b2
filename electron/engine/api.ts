/**
 * The engine's implementation of its API (shared/engine/api.ts): one object, one member per
 * operation, each taking the operation's validated request. Callers never call it directly: they go
 * through a session (./session.ts), in the engine process (./worker.ts) or in-process (the CLI,
 * tests), which validates requests and answers and keeps the handles of live runs.
 */
import { checkPytorchRuntime } from './runtimes/pytorch/check';
import { startPytorchTraining } from './runtimes/pytorch/launch';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { DatasetSchema, type DatasetConfig, type LoomDocument } from '../../shared/document';
import type { EngineApi, EngineParsedRequest } from '../../shared/engine/api';
import type { ExplainInput } from '../../shared/explain';
import { hasRunWeights, readRunRecord } from '../node/run-folder';
import { initBackend } from './backend';
import { COMPRESS_THUMBNAILS, type CompressReport, type CompressRunResult } from '../../shared/compress';
import type { JobContext } from '../../shared/engine/api';
import { compress } from './compress/index';
import { confusionSamples, dataOf, evaluateRun, predictRun, saliency } from './evaluate';
import { explain, ExplainError, explainGlobal, sanityCheck } from './explain/index';
import { exportModel } from './formats';
import { attachDataset, importModelWithRun, loadWeightsRun } from './formats/imported-run';
import { fairnessReport, fitRunThresholds } from './fairness/index';
import { loadRun, saveRun } from './persist';
import { disposeRun, getRun, hasRun } from './runs';
import { startTraining } from './train';

type RunRef = Pick<EngineParsedRequest<'engine.evaluate'>, 'runId' | 'runDir'>;

/** Everything but training (which picks its own backend) runs on the initialised backend. */
const ready = () => initBackend();

/** The run, held by this engine or loaded from its folder (after an engine restart). */
async function ensureRun(ref: RunRef): Promise<void> {
  if (hasRun(ref.runId)) return;
  if (!ref.runDir) throw new Error(`No trained run "${ref.runId}" in this engine and no run folder to load it from`);
  await loadRun(ref.runDir, ref.runId);
}

/**
 * A run held without its data (loaded for Try it or export) takes the dataset snapshot of the run
 * folder it is asked about: a Save As copy in another folder has its relative paths rewritten there
 * (electron/host/relocate.ts), while the record in memory is the original folder's.
 */
async function dataSnapshotFrom(ref: RunRef): Promise<void> {
  const run = getRun(ref.runId);
  if (run.dataset || !ref.runDir) return;
  const rec = await readRunRecord(ref.runDir).catch(() => null);
  const ds = DatasetSchema.safeParse(rec && typeof rec === 'object' && 'dataset' in rec ? rec.dataset : undefined);
  if (ds.success) run.record = { ...run.record, dataset: ds.data };
}

type WithDoc = RunRef & { baseDir?: string; doc?: LoomDocument };

/**
 * Imported weights without a dataset of their own take the one the person chose since (the open
 * document's). `required`: refuse without one (evaluation); otherwise the operation says so if it
 * needs data (an explanation of raw values does not).
 */
async function attachImportedData(req: WithDoc, required = true): Promise<void> {
  const run = getRun(req.runId);
  if (!run.record.imported || run.record.dataset) return;
  const dataset: DatasetConfig | undefined = req.doc?.dataset;
  if (!dataset && !required) return;
  if (!dataset) throw new Error(`The weights imported from ${run.record.imported.source} have no dataset to evaluate on: choose one in the Data tab (Try it works without one)`);
  await attachDataset(run, dataset, req.baseDir, req.runDir);
}

/** A run asked about with the document's view: held or loaded, its data snapshot, imported weights' data. */
async function openRun(req: WithDoc): Promise<void> {
  await ready();
  await ensureRun(req);
  await dataSnapshotFrom(req);
  await attachImportedData(req, false);
}

/** A row given with its column names (a CSV row with a header), in the run's feature order. */
async function inRunOrder(input: ExplainInput, req: WithDoc): Promise<ExplainInput> {
  if (input.kind !== 'values' || !input.featureNames) return input;
  const given = input.featureNames;
  if (given.length !== input.values.length) throw new ExplainError('input-shape', `The input has ${input.values.length} values but ${given.length} column names`);
  const names = (await dataOf(getRun(req.runId), req.baseDir).catch(() => null))?.ds.featureNames;
  if (!names) return { kind: 'values', values: input.values };
  const values = names.map((name) => {
    const j = given.indexOf(name);
    if (j < 0) throw new ExplainError('input-shape', `The input has no column "${name}" (the run's features: ${names.join(', ')})`);
    return input.values[j]!;
  });
  return { kind: 'values', values };
}

/** One sample given as nested arrays (the Input's shape) or already flat. */
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

/**
 * The run folder an exporter reads trained weights from: `runDir` when it holds them (or when no
 * run is named: the CLI's `--weights`), else the run held in memory, saved to a temporary folder.
 */
async function trainedWeights(runId?: string, runDir?: string): Promise<{ runDir?: string; release(): Promise<void> }> {
  const nothing = async () => undefined;
  if (runDir && (!runId || hasRunWeights(runDir))) return { runDir, release: nothing };
  if (!runId) return { release: nothing };
  if (!hasRun(runId)) throw new Error(`No trained run "${runId}" to export weights from: train the model again or export without weights`);
  const tmp = await mkdtemp(join(tmpdir(), 'layerloom-run-'));
  return { runDir: await saveRun(getRun(runId), tmp), release: () => rm(tmp, { recursive: true, force: true }) };
}

/** The source of a compression: its folder when it holds the run, else the run held in memory, saved to a temporary folder. */
async function compressSource(runId: string, runDir?: string): Promise<{ runDir: string; kept: boolean; release(): Promise<void> }> {
  if (runDir && hasRunWeights(runDir)) return { runDir, kept: true, release: async () => undefined };
  if (!hasRun(runId)) throw new Error(`No trained run "${runId}" to compress: train the model again`);
  const tmp = await mkdtemp(join(tmpdir(), 'layerloom-compress-'));
  return { runDir: await saveRun(getRun(runId), tmp), kept: false, release: () => rm(tmp, { recursive: true, force: true }) };
}

/** What people read while a compression runs, per stage of `compress()`. */
const COMPRESS_STAGES: Readonly<Record<string, string>> = {
  calibrate: 'Calibrating activation ranges',
  'fine-tune': 'Fine-tuning',
  measure: 'Measuring before and after',
};

/** The inputs of the first changed samples when the data are images (the tab shows them as thumbnails). */
async function changedImages(report: CompressReport, baseDir?: string): Promise<CompressRunResult['samples']> {
  if (report.changed.length === 0) return [];
  const { ds } = await dataOf(getRun(report.runId), baseDir);
  if (ds.kind !== 'image') return [];
  return report.changed.slice(0, COMPRESS_THUMBNAILS).map(({ index }) => ({
    index, shape: [...ds.sampleShape], values: Array.from(ds.x.subarray(index * ds.sampleSize, (index + 1) * ds.sampleSize)),
  }));
}

async function compressRun(req: EngineParsedRequest<'compress.run'>, job: JobContext): Promise<CompressRunResult> {
  const { runId, runDir, baseDir, outDir, jobId: _job, ...params } = req;
  await ready();
  const source = await compressSource(runId, runDir);
  let report: CompressReport;
  try {
    report = await compress({ ...params, runDir: source.runDir, outDir, ...(baseDir ? { baseDir } : {}) }, {
      signal: job.signal,
      sourceRunDir: source.kept ? source.runDir : null,
      onProgress: (stage, fraction) => job.onProgress(Math.round(fraction * 1000), 1000, COMPRESS_STAGES[stage] ?? stage),
    });
  } finally {
    await source.release();
  }
  // The new run is held like a trained one: Evaluate, Try it and Export ask for it by id.
  const record = await loadRun(report.outDir, report.runId);
  return { report, run: { runId: report.runId, createdAt: record.createdAt }, samples: await changedImages(report, baseDir) };
}

export const engineApi: EngineApi = {
  'engine.backend': ({ name }) => initBackend(name),

  // Another runtime (PyTorch) trains the same document with the same data and events (docs/runtimes.md).
  'engine.train': (req, emit) => (req.runtime ? startPytorchTraining({ ...req, runtime: req.runtime }, emit) : startTraining(req, emit)),

  'settings.checkRuntime': (req) => checkPytorchRuntime(req),

  'engine.evaluate': async (req) => {
    await ready();
    await ensureRun(req);
    await dataSnapshotFrom(req);
    await attachImportedData(req);
    return evaluateRun(req.runId, { baseDir: req.baseDir, split: req.split });
  },

  'engine.predict': async (req) => {
    await ready();
    await ensureRun(req);
    const p = predictRun(req.runId, req.inputs.map(flatSample));
    const classes = p.classes;
    if (!classes || !p.predicted) return { outputs: p.outputs };
    return { outputs: p.outputs, classes, labels: p.predicted.map((c) => classes[c] ?? String(c)) };
  },

  'engine.confusionSamples': async (req) => {
    await ready();
    await ensureRun(req);
    await dataSnapshotFrom(req);
    return { samples: await confusionSamples(req.runId, req) };
  },

  'engine.saliency': async (req) => {
    await ready();
    await ensureRun(req);
    return saliency(req.runId, flatSample(req.input, 0));
  },

  // Long operations (jobs): `job` carries the caller's cancel signal and progress; the session
  // keeps other operations off the run while one runs (the sanity check swaps its weights).
  'explain.run': async ({ doc, jobId: _job, input, ...req }, job) => {
    await openRun({ ...req, doc });
    return explain({ ...req, input: await inRunOrder(input, req) }, job);
  },

  'explain.global': async ({ doc, jobId: _job, ...req }, job) => {
    await openRun({ ...req, doc });
    return explainGlobal(req, job);
  },

  'explain.sanity': async ({ doc, jobId: _job, input, ...req }, job) => {
    await openRun({ ...req, doc });
    return sanityCheck({ ...req, input: await inRunOrder(input, req) }, job);
  },

  'fairness.audit': async ({ doc, jobId: _job, ...req }, job) => {
    await openRun({ ...req, doc });
    return fairnessReport(req, job);
  },

  'fairness.thresholds': async ({ doc, jobId: _job, ...req }, job) => {
    await openRun({ ...req, doc });
    return fitRunThresholds(req, job);
  },

  'compress.run': compressRun,

  'text.generate': async ({ jobId: _job, ...req }, job) => {
    await ready();
    await ensureRun(req);
    const { generateForRun } = await import('./text/run-text');
    return generateForRun(req, job);
  },

  'text.attentionMaps': async (req) => {
    await ready();
    await ensureRun(req);
    const { attentionMapsForRun } = await import('./text/run-text');
    return attentionMapsForRun(req);
  },

  'text.translate': async (req) => {
    await ready();
    await ensureRun(req);
    const { translateForRun } = await import('./text/run-text');
    return translateForRun(req);
  },

  'data.preview': async (req) => {
    await ready();
    const data = await import('./data');
    const ds = await data.loadDataset(req.dataset, { baseDir: req.baseDir, inputShape: req.inputShape });
    const split = data.splitFor(ds, req.dataset, req.training);
    const limit = req.limit ?? 16;
    const perClass = Math.max(1, Math.ceil(limit / (ds.classes?.length ?? 10)));
    const samples = data.previewSamples(ds, { perClass }).slice(0, limit);
    return { ...data.summarizeData(ds, split), inputShape: ds.sampleShape, samples };
  },

  'data.augmentPreview': async (req) => {
    await ready();
    const data = await import('./data');
    const ds = await data.loadDataset(req.dataset, { baseDir: req.baseDir });
    const index = Math.min(Math.max(0, req.index ?? 0), ds.count - 1);
    const aug = { rotation: 0, widthShift: 0, heightShift: 0, shear: 0, zoom: 0, horizontalFlip: false, ...req.dataset.augmentation };
    return { shape: [...ds.sampleShape], samples: data.previewAugmented(ds, index, aug, { count: req.count ?? 8, seed: req.seed ?? 0 }) };
  },

  'data.describeCsv': async (req) => {
    await ready();
    const data = await import('./data');
    const info = data.describeCsv(isAbsolute(req.path) || !req.baseDir ? req.path : join(req.baseDir, req.path));
    return { ...info, columns: info.columns.map((c) => ({ ...c })) };
  },

  // The weights stay in this process (an "Imported weights" run saved into runDir); only the
  // document and the run's id go back.
  'file.importModel': async (req) => {
    await ready();
    return importModelWithRun(req);
  },

  'file.loadWeights': async (req) => {
    await ready();
    return loadWeightsRun(req);
  },

  'runs.save': async ({ runId, runDir }) => {
    await ready();
    return { runDir: await saveRun(getRun(runId), runDir) };
  },

  'runs.dispose': async ({ runId }) => {
    const held = hasRun(runId);
    disposeRun(runId);
    return { ok: held };
  },

  'export.run': async ({ runId, runDir, ...req }) => {
    await ready();
    const weights = await trainedWeights(runId, runDir);
    try {
      return await exportModel({ ...req, ...(weights.runDir ? { weightsDir: weights.runDir } : {}) });
    } finally {
      await weights.release();
    }
  },
};
