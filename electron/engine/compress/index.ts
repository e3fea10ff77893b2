/**
 * `compress(request)`: compress a saved run by one method, measure it before and after on the test
 * split, compare the predictions, and write the result as a new run folder (persist.ts' format:
 * model.json + weights.bin + run.json, with `compression` in run.json saying what it came from and
 * how). See docs/compress.md for the methods, the quantization points and what is measured.
 */
import { basename, resolve } from 'node:path';
import {
  architectureDifference, comparePredictions, CompressRequestSchema,
  type CompressionRecord, type CompressMethod, type CompressOptions, type CompressReport, type CompressRequest, type EncodedWeight,
  type KeptFloat, type ModelFigures, type NodeWeights,
} from '../../../shared/compress';
import type { LoomDocument } from '../../../shared/document';
import { trainingDefaults } from '../../../shared/document';
import { compileModel, type CompiledModel } from '../compile';
import { iterateBatches } from '../data/batch';
import { dataOf } from '../evaluate';
import { loadRun, saveRun } from '../persist';
import { hasRunRecord } from '../../node/run-folder';
import { disposeRun, getRun, type TrainedRun } from '../runs';
import { tf } from '../tfjs';
import type { RunRecord } from '../types';
import { readNodeWeights, writeNodeWeights } from './layers';
import { fit, type LoopData } from './loop';
import { evaluateWith, latencyMs, sizeOf, type EvalTarget, type Evaluated, type Forward } from './measure';
import { pruneChannels, pruneWhileFineTuning } from './prune';
import { calibrate, float32Weights, planQuantization, quantizeWeights, simulateInt8 } from './quantize';

export { CancelledError } from './loop';

/** A request that cannot be carried out as asked; `code` says why (the CLI exits 1). */
export class CompressError extends Error {
  constructor(readonly code: 'mismatch' | 'run' | 'data' | 'model', message: string) {
    super(message);
    this.name = 'CompressError';
  }
}

export interface CompressControl {
  /** Stage name and progress in [0, 1] within it. */
  onProgress?: (stage: string, fraction: number) => void;
  signal?: AbortSignal;
  /** The document the caller has open: refused when it no longer matches the run's weights. */
  doc?: Pick<LoomDocument, 'nodes' | 'edges'>;
  /**
   * The source folder the record and report name (default: `runDir`); null names none (a run held
   * in memory, read from a temporary copy that will be gone).
   */
  sourceRunDir?: string | null;
}

const DEFAULT_SPARSITY = 0.5;
const DEFAULT_FINETUNE: Partial<Record<CompressMethod, number>> = { prune: 1, 'prune-channels': 2 };

/** What a method produced: the model to save and how to run it. */
interface Compressed {
  compiled: CompiledModel;
  doc: LoomDocument;
  forward: Forward;
  encoded: EncodedWeight[];
  /** The values the model computes with (non-zero counts). */
  values: NodeWeights;
  record: Omit<CompressionRecord, 'method' | 'from' | 'options' | 'weightsNote'>;
  keptFloat: KeptFloat[];
  history: { loss: number }[];
  /** Latency of the saved model means nothing for simulated precisions. */
  timeable: boolean;
  epochs: number;
}

interface Context {
  run: TrainedRun;
  opts: CompressOptions;
  data: LoopData;
  control: CompressControl;
}

/** Load the source run under a private id; `runId` is the run's own. */
async function loadSource(opts: CompressOptions, control: CompressControl): Promise<{ run: TrainedRun; runId: string }> {
  const privateId = `compress-source-${process.pid}-${Date.now().toString(36)}`;
  let runId: string;
  try {
    runId = (await loadRun(opts.runDir, privateId)).runId;
  } catch (e) {
    throw new CompressError('run', `Cannot load the run in ${opts.runDir}: ${(e as Error).message}`);
  }
  const run = getRun(privateId);
  const diff = control.doc ? architectureDifference(control.doc, run.record.doc) : null;
  if (diff) {
    disposeRun(privateId);
    throw new CompressError('mismatch', `The run in ${opts.runDir} no longer matches the document: ${diff}. Compress a run of this architecture, or retrain`);
  }
  return { run, runId };
}

function sameCompilation(run: TrainedRun, weights: NodeWeights): CompiledModel {
  const c = compileModel(run.record.doc, { seed: run.record.seed });
  writeNodeWeights(c, weights);
  return c;
}

function calibrationBatches(ctx: Context): () => Iterable<{ x: Float32Array | Int32Array; size: number }> {
  const { ds, train, normalization } = ctx.data;
  const idx = train.subarray(0, Math.min(ctx.opts.calibration.samples, train.length));
  if (idx.length === 0) throw new CompressError('data', `The ${ds.name} data has no training samples to calibrate on`);
  return () => iterateCalibration(ds, idx, normalization);
}

function* iterateCalibration(ds: LoopData['ds'], idx: Int32Array, normalization: LoopData['normalization']) {
  for (const b of iterateBatchesNoShuffle(ds, idx, normalization)) yield { x: b.x, size: b.size };
}

function iterateBatchesNoShuffle(ds: LoopData['ds'], idx: Int32Array, normalization: LoopData['normalization']) {
  return iterateBatches(ds, idx, { batchSize: 128, shuffle: false, normalization });
}

async function quantize(ctx: Context, method: 'int8' | 'dynamic' | 'float16'): Promise<Compressed> {
  const { run, opts } = ctx;
  const doc = run.record.doc;
  const plan = planQuantization(run.compiled, doc);
  ctx.control.onProgress?.('calibrate', 0);
  const points = method === 'int8' ? calibrate(run.compiled, doc, plan, calibrationBatches(ctx), opts.calibration) : [];
  ctx.control.onProgress?.('calibrate', 1);
  const q = quantizeWeights(run.compiled, plan, method, points);
  const compiled = sameCompilation(run, q.weights);
  const forward: Forward = method === 'int8'
    ? (x) => simulateInt8(compiled, doc, points, [x])[0]!
    : (x) => compiled.model.apply(x, { training: false }) as tf.Tensor;
  const keptFloat = method === 'float16' ? [] : plan.keptFloat;
  return {
    compiled, doc, forward, encoded: q.encoded, values: q.weights, keptFloat, history: [], timeable: false, epochs: 0,
    record: { ...(method === 'int8' ? { activations: points } : {}), weights: q.scales, keptFloat },
  };
}

async function pruneWeights(ctx: Context): Promise<Compressed> {
  const { run, opts } = ctx;
  const compiled = sameCompilation(run, readNodeWeights(run.compiled));
  const epochs = opts.finetuneEpochs ?? DEFAULT_FINETUNE.prune!;
  const result = await pruneWhileFineTuning(fitOptions(ctx, compiled, epochs), opts.sparsity ?? DEFAULT_SPARSITY, opts.scope);
  const values = readNodeWeights(compiled);
  return {
    compiled, doc: run.record.doc, forward: inference(compiled), encoded: float32Weights(compiled), values, keptFloat: [],
    history: result.history, timeable: true, epochs, record: { sparsity: result.sparsity },
  };
}

async function pruneChannelsOf(ctx: Context): Promise<Compressed> {
  const { run, opts } = ctx;
  const fraction = opts.sparsity ?? DEFAULT_SPARSITY;
  let pruned: ReturnType<typeof pruneChannels<LoomDocument>>;
  try {
    pruned = pruneChannels(run.compiled, run.record.doc, fraction, run.record.seed);
  } catch (e) {
    throw new CompressError('model', (e as Error).message);
  }
  const epochs = opts.finetuneEpochs ?? DEFAULT_FINETUNE['prune-channels']!;
  const history = await fit(fitOptions(ctx, pruned.compiled, epochs));
  const doc = { ...pruned.doc, name: `${run.record.doc.name} (pruned channels)` };
  return {
    compiled: pruned.compiled, doc, forward: inference(pruned.compiled), encoded: float32Weights(pruned.compiled),
    values: readNodeWeights(pruned.compiled), keptFloat: [], history, timeable: true, epochs,
    record: { channels: pruned.plan.cuts.map((c) => ({ nodeId: c.nodeId, param: c.param, before: c.before, after: c.keep.length })) },
  };
}

const inference = (c: CompiledModel): Forward => (x) => c.model.apply(x, { training: false }) as tf.Tensor;

function fitOptions(ctx: Context, compiled: CompiledModel, epochs: number) {
  const training = trainingDefaults(ctx.run.record.training);
  return {
    compiled, spec: ctx.run.spec, data: ctx.data, training, epochs, seed: ctx.run.record.seed, signal: ctx.control.signal,
    onProgress: (f: number) => ctx.control.onProgress?.('fine-tune', f),
  };
}

function figures(e: Evaluated, size: ReturnType<typeof sizeOf>, flops: number, latency: number | null): ModelFigures {
  return { ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}), loss: e.loss, ...size, flops, latencyMs: latency };
}

function timeOne(forward: Forward, target: EvalTarget, runs: number): number | null {
  const x = tf.tidy(() => {
    const first = [...iterateBatchesNoShuffle(target.ds, target.indices.subarray(0, 1), target.normalization)][0]!;
    return tf.tensor(first.x.slice(), [1, ...target.inputShape], target.inputDtype);
  });
  try {
    return latencyMs(forward, x, runs);
  } finally {
    x.dispose();
  }
}

/** Compress a saved run; writes the new run folder and returns the report. */
export async function compress(request: CompressRequest, control: CompressControl = {}): Promise<CompressReport> {
  const parsed = CompressRequestSchema.safeParse(request);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new CompressError('model', `Invalid compression request: ${i.path.join('.') || 'request'}: ${i.message}`);
  }
  const opts = { ...parsed.data, runDir: resolve(parsed.data.runDir), outDir: resolve(parsed.data.outDir) };
  if (hasRunRecord(opts.outDir)) throw new CompressError('run', `${opts.outDir} already holds a run: choose a new folder for the compressed run`);
  const { run, runId: sourceId } = await loadSource(opts, control);
  let after: Compressed | null = null;
  try {
    const { ds, split } = await dataOf(run, opts.baseDir).catch((e: Error) => { throw new CompressError('data', e.message); });
    const testIdx = split.test.length > 0 ? split.test : split.validation;
    if (testIdx.length === 0) throw new CompressError('data', `The ${ds.name} data has no test or validation samples to measure on`);
    const data: LoopData = { ds, train: split.train, normalization: run.normalization, augmentation: ds.kind === 'image' ? run.record.dataset?.augmentation : undefined };
    const ctx: Context = { run, opts, data, control };
    const target: EvalTarget = {
      ds, indices: testIdx, normalization: run.normalization, spec: run.spec,
      inputShape: run.compiled.inputShapes[0]!, inputDtype: run.compiled.inputDtypes[0]!, outShape: run.compiled.outputShapes[0]!,
    };
    const t0 = performance.now();

    control.onProgress?.('measure', 0);
    const beforeEval = evaluateWith(inference(run.compiled), target);
    const before = figures(beforeEval, sizeOf(float32Weights(run.compiled), Object.values(readNodeWeights(run.compiled)).flatMap((w) => Object.values(w))),
      run.compiled.analysis.flops, timeOne(inference(run.compiled), target, opts.latencyRuns));

    const m = opts.method;
    after = m === 'prune' ? await pruneWeights(ctx) : m === 'prune-channels' ? await pruneChannelsOf(ctx) : await quantize(ctx, m);
    control.onProgress?.('measure', 0.5);
    const afterEval = evaluateWith(after.forward, target);
    const afterFig = figures(afterEval, sizeOf(after.encoded, Object.values(after.values).flatMap((w) => Object.values(w))),
      after.compiled.analysis.flops, after.timeable ? timeOne(after.forward, target, opts.latencyRuns) : null);
    const cmp = beforeEval.predicted && afterEval.predicted && ds.classes
      ? comparePredictions({ before: beforeEval.predicted, after: afterEval.predicted, truth: beforeEval.truth!, indices: testIdx, classes: ds.classes, changedLimit: opts.changedLimit })
      : null;

    const sourceDir = control.sourceRunDir === undefined ? opts.runDir : control.sourceRunDir;
    const from = { runId: sourceId, ...(sourceDir ? { runDir: sourceDir } : {}) };
    const compression: CompressionRecord = {
      method: m, from, options: optionsOf(opts, after.epochs), ...after.record,
      weightsNote: m === 'int8' || m === 'dynamic' || m === 'float16'
        ? 'weights.bin holds the dequantized weights as float32 (what the quantized model computes with); an int8/float16 export writes the encoded values'
        : 'weights.bin holds float32 weights',
    };
    const runId = basename(opts.outDir);
    const record: RunRecord & { compression: CompressionRecord } = {
      ...run.record, runId, createdAt: new Date().toISOString(), doc: after.doc,
      history: after.history.map((h) => ({ loss: h.loss })),
      logs: { loss: afterEval.loss, ...(afterEval.accuracy !== undefined ? { accuracy: afterEval.accuracy } : {}) },
      reason: 'completed', epochsCompleted: after.epochs, elapsedSec: (performance.now() - t0) / 1000, compression,
    };
    await saveRun({ runId, compiled: after.compiled, spec: run.spec, record, normalization: run.normalization }, opts.outDir);
    control.onProgress?.('measure', 1);
    return {
      method: m, runId, outDir: opts.outDir, from,
      before, after: afterFig, agreement: cmp ? cmp.agreement : null, changed: cmp?.changed ?? [], changedTotal: cmp?.changedTotal ?? 0,
      perClass: cmp?.perClass ?? [], warnings: cmp?.warnings ?? [], keptFloat: after.keptFloat, compression,
      ...(m === 'prune-channels' ? { document: after.doc } : {}), testSamples: testIdx.length,
    };
  } finally {
    disposeRun(run.runId);
    after?.compiled.model.dispose();
  }
}

function optionsOf(o: CompressOptions, epochs: number): CompressionRecord['options'] {
  const out: CompressionRecord['options'] = {};
  if (o.method === 'int8') Object.assign(out, { calibrationSamples: o.calibration.samples, calibration: o.calibration.method, activationDtype: o.calibration.activationDtype });
  if (o.method === 'int8' && o.calibration.method === 'percentile') out.percentile = o.calibration.percentile;
  if (o.method === 'prune' || o.method === 'prune-channels') Object.assign(out, { sparsity: o.sparsity ?? DEFAULT_SPARSITY, finetuneEpochs: epochs });
  if (o.method === 'prune') out.scope = o.scope;
  return out;
}
