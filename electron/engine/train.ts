/**
 * Training runs: a custom loop (not model.fit) over the data layer's batches, so that every run is
 * stoppable, pausable and resumable between batches, seedable, early-stoppable, stops on a NaN/Inf
 * or diverging loss naming the batch (divergence.ts), and streams plain-number events (batch events
 * at most every ~100 ms, every epoch always) that validate against shared/engine/events.ts.
 *
 *   const h = startTraining({ runId, doc, baseDir }, (e) => send(e));
 *   h.pause(); h.resume(); h.stop();
 *   const last = await h.done;            // the `end` or `error` event
 *
 * A finished run (not one that failed) stays in memory under its runId (runs.ts) for evaluate/predict.
 */
import type { EndEvent, ErrorEvent, TrainEvent } from '../../shared/engine/events';
import { trainingDefaults, type TrainingConfig } from '../../shared/document';
import { buildGraph } from '../../shared/analysis';
import { initBackend } from './backend';
import { compileModel, ModelBuildError, type CompiledModel } from './compile';
import { DivergenceMonitor, divergenceMessage, START_SAMPLES } from './divergence';
import { batchCount, iterateBatches } from './data/batch';
import { checkSampleShape } from './data/shape';
import { DataError, type Batch, type Dataset, type PreparedData } from './data/types';
import { correctPerSample, lossPerSample, maePerSample, type LossSpec, type TargetMode } from './losses';
import { makeRunOptimizer } from './optim/fused';
import { shareSavedTensorsOnWasm } from './optim/overhead';
import { meanLoss } from './optim/loss';
import { fusedOpsActive } from './layers/fused-dense';
import { parallelStep, ReplicaPool, resolveThreads } from './threads';
import { mulberry32, randomSeed, withRandom } from './random';
import { registerRun } from './runs';
import { tf } from './tfjs';
import type { LossName, RunRecord, TrainRequest } from './types';

export interface TrainHandle {
  runId: string;
  stop(): void;
  pause(): void;
  resume(): void;
  /** Resolves with the run's last event (`end` or `error`); never rejects. */
  done: Promise<EndEvent | ErrorEvent>;
}

/** A problem that ends a run with an `error` event. */
export class RunError extends Error {
  constructor(
    readonly code: ErrorEvent['code'],
    message: string,
    readonly extra: { nodeId?: string; epoch?: number; batch?: number } = {},
  ) {
    super(message);
    this.name = 'RunError';
  }
}

/** Minimum time between two batch events. */
export const BATCH_EVENT_INTERVAL_MS = 100;

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const now = () => performance.now();
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** The activation that produces a node's values, looking through shape-only layers. */
export function outputActivation(doc: TrainRequest['doc'], compiled: CompiledModel, nodeId: string): string {
  const g = buildGraph(doc);
  let id: string | undefined = nodeId;
  for (let guard = 0; id && guard < 1000; guard++) {
    const info = compiled.analysis.nodes[id]!;
    const act = info.resolved?.activation;
    if (typeof act === 'string') return act;
    if (!['Dropout', 'Flatten', 'Reshape'].includes(info.type)) return 'linear';
    id = g.inputsOf.get(id)![0];
  }
  return 'linear';
}

/**
 * The share of rows whose largest prediction is at the label: `mean(argMax(pred) == argMax(onehot))`
 * as correctPerSample computes it (first maximum wins, NaN never does; the mean in float32).
 */
export function argmaxAccuracy(pred: Float32Array, labels: ArrayLike<number>, n: number): number {
  const k = pred.length / n;
  let hits = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    let max = pred[r * k]!;
    for (let c = 1; c < k; c++) if (pred[r * k + c]! > max) { max = pred[r * k + c]!; best = c; }
    if (best === labels[r]) hits++;
  }
  return Math.fround(hits / n);
}

const CE: LossName[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

/** How the data's targets feed this loss and output; throws RunError('data') when they cannot. */
export function resolveLossSpec(loss: LossName, ds: Pick<Dataset, 'task' | 'classes' | 'targetSize' | 'name'>, outShape: number[], outId: string, activation: string): LossSpec {
  const units = outShape[outShape.length - 1]!;
  const size = product(outShape);
  const fix = (msg: string) => new RunError('data', msg, { nodeId: outId });
  if (ds.task === 'classification') {
    const k = ds.classes?.length ?? 0;
    if (CE.includes(loss)) {
      if (outShape.length !== 1 || units !== k) {
        throw fix(`The output "${outId}" gives ${JSON.stringify(outShape)} per sample but the ${ds.name} data has ${k} classes: make it a Dense layer with ${k} units and softmax`);
      }
      return { loss, mode: 'onehot', fromLogits: activation !== 'softmax', classes: k };
    }
    if (loss === 'binaryCrossentropy') {
      if (size === 1 && k === 2) return { loss, mode: 'binary', fromLogits: activation !== 'sigmoid', classes: k };
      if (outShape.length === 1 && units === k) return { loss, mode: 'onehot', fromLogits: !['sigmoid', 'softmax'].includes(activation), classes: k };
      throw fix(`binaryCrossentropy needs the output "${outId}" to have 1 unit (sigmoid) for 2 classes, or ${k} units, but it gives ${JSON.stringify(outShape)}`);
    }
    if (outShape.length === 1 && units === k) return { loss, mode: 'onehot', fromLogits: false, classes: k };
    if (size === 1) return { loss, mode: 'values', fromLogits: false, classes: k };
    throw fix(`The output "${outId}" gives ${JSON.stringify(outShape)} per sample but the ${ds.name} data has ${k} classes: give it ${k} units`);
  }
  if (CE.includes(loss)) {
    throw new RunError('data', `The ${ds.name} data is a regression task (numeric targets): use the meanSquaredError, meanAbsoluteError or huber loss instead of ${loss}`);
  }
  if (size !== ds.targetSize) {
    throw fix(`The output "${outId}" gives ${size} value${size === 1 ? '' : 's'} per sample but the ${ds.name} data has ${ds.targetSize} target${ds.targetSize === 1 ? '' : 's'}: set its units to ${ds.targetSize}`);
  }
  return { loss, mode: 'values', fromLogits: loss === 'binaryCrossentropy' && activation !== 'sigmoid' };
}

/**
 * A cross-entropy on numeric targets only makes sense for targets in [0, 1] (probabilities): on
 * others it trains to a negative, meaningless loss. Null when the targets fit the loss.
 */
export function checkTargetsForLoss(spec: LossSpec, ds: Pick<Dataset, 'y' | 'name'>): string | null {
  if (spec.mode !== 'values' || spec.loss !== 'binaryCrossentropy') return null;
  let lo = Infinity, hi = -Infinity;
  for (const v of ds.y) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return null;
  const f = (v: number) => Number(v.toPrecision(4));
  return `binaryCrossentropy needs targets between 0 and 1, but the ${ds.name} data's targets range from ${f(lo)} to ${f(hi)}: use meanSquaredError, meanAbsoluteError or huber for numeric targets`;
}

/** Targets of a batch as the loss wants them. */
export function targetTensor(mode: TargetMode, y: Int32Array | Float32Array, n: number, outShape: number[], classes?: number): tf.Tensor {
  if (mode === 'onehot') {
    const k = classes!;
    const buf = new Float32Array(n * k);
    for (let i = 0; i < n; i++) buf[i * k + y[i]!] = 1;
    return tf.tensor2d(buf, [n, k]);
  }
  return tf.tensor(Float32Array.from(y.subarray(0, n * product(outShape))), [n, ...outShape], 'float32');
}

function describeError(e: unknown): { code: ErrorEvent['code']; message: string; nodeId?: string; epoch?: number; batch?: number } {
  if (e instanceof RunError) return { code: e.code, message: e.message, ...e.extra };
  if (e instanceof ModelBuildError) return { code: 'model', message: e.message, nodeId: e.nodeId };
  if (e instanceof DataError) {
    const where = [e.file, e.line !== undefined ? `line ${e.line}` : '', e.column !== undefined ? `column ${e.column}` : ''].filter(Boolean).join(', ');
    return { code: 'data', message: where && !e.message.includes(e.file ?? '\u0000') ? `${e.message} (${where})` : e.message };
  }
  const msg = (e as Error)?.message ?? String(e);
  if (e instanceof RangeError || /out of memory|Array buffer allocation failed|Cannot allocate/i.test(msg)) {
    return { code: 'oom', message: `Out of memory: ${msg}. Use a smaller batch size, fewer samples (dataset limit) or a smaller model` };
  }
  return { code: 'internal', message: `Training failed: ${msg}` };
}

/** Start a run; events go to `emit` in order. */
export function startTraining(req: TrainRequest, emit: (e: TrainEvent) => void): TrainHandle {
  let stopRequested = false;
  let paused = false;
  let wake: (() => void) | null = null;
  const control = {
    get stop() { return stopRequested; },
    async waitIfPaused(onPause: () => void, onResume: () => void): Promise<number> {
      if (!paused || stopRequested) return 0;
      const t = now();
      onPause();
      while (paused && !stopRequested) await new Promise<void>((r) => { wake = r; });
      if (!stopRequested) onResume();
      return now() - t;
    },
  };
  const done = runTraining(req, emit, control).catch((e) => {
    const d = describeError(e);
    const ev: ErrorEvent = { type: 'error', runId: req.runId, ...d };
    emit(ev);
    return ev;
  });
  const poke = () => { const w = wake; wake = null; w?.(); };
  return {
    runId: req.runId,
    stop: () => { stopRequested = true; poke(); },
    pause: () => { paused = true; },
    resume: () => { paused = false; poke(); },
    done,
  };
}

interface Control {
  readonly stop: boolean;
  waitIfPaused(onPause: () => void, onResume: () => void): Promise<number>;
}

async function loadData(req: TrainRequest, cfg: TrainingConfig, seed: number, inputShape: number[]): Promise<PreparedData> {
  if (req.data) return req.data;
  const dsCfg = req.dataset ?? req.doc.dataset;
  if (!dsCfg) {
    throw new RunError('data', 'The model has no dataset: choose one (a built-in, a CSV, an image folder or .npy arrays) in the Data panel, or pass --data');
  }
  const data = await import('./data');
  return data.prepareData(dsCfg, { validationSplit: cfg.validationSplit, seed, shuffle: cfg.shuffle }, { baseDir: req.baseDir, inputShape });
}

async function runTraining(req: TrainRequest, emit: (e: TrainEvent) => void, control: Control): Promise<EndEvent> {
  const { runId } = req;
  const t0 = now();
  const backend = await initBackend(req.backend);
  if (backend.name === 'wasm') shareSavedTensorsOnWasm(); // no copies of saved tensors (optim/overhead.ts)
  const cfg = trainingDefaults({ ...(req.doc.training ?? {}), ...(req.overrides ?? {}) });
  const seed = cfg.seed ?? randomSeed();
  // Dropout masks draw from Math.random: a per-run stream, swapped in only around each (synchronous) step.
  const dropoutRng = mulberry32(seed ^ 0x5eed);
  let compiled: CompiledModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  let best: tf.Tensor[] | null = null;
  let pool: ReplicaPool | null = null;
  let keep = false;
  try {
    compiled = compileModel(req.doc, { seed });
    const model = compiled.model;
    if (compiled.inputIds.length !== 1 || compiled.outputIds.length !== 1) {
      throw new RunError('model', `Training needs a model with exactly one connected Input and one output; this one has ${compiled.inputIds.length} input(s) (${compiled.inputIds.join(', ')}) and ${compiled.outputIds.length} output(s) (${compiled.outputIds.join(', ')})`,
        { nodeId: compiled.outputIds[1] ?? compiled.inputIds[1] });
    }
    if (model.trainableWeights.length === 0) {
      throw new RunError('model', 'The model has nothing to learn (no trainable parameters): add a layer with weights, such as Dense, before the output');
    }
    const inputId = compiled.inputIds[0]!;
    const outId = compiled.outputIds[0]!;
    const inputShape = compiled.inputShapes[0]!;
    const outShape = compiled.outputShapes[0]!;

    const prepared = await loadData(req, cfg, seed, inputShape);
    const { dataset: ds, split, normalization } = prepared;
    const shapeProblem = checkSampleShape(ds, inputShape, inputId);
    if (shapeProblem) throw new RunError('data', shapeProblem, { nodeId: inputId });
    if (split.train.length === 0) throw new RunError('data', `The ${ds.name} data has no training samples`);
    const spec = resolveLossSpec(cfg.loss, ds, outShape, outId, outputActivation(req.doc, compiled, outId));
    const targetProblem = checkTargetsForLoss(spec, ds);
    if (targetProblem) throw new RunError('data', targetProblem, { nodeId: outId });
    const isClassification = ds.task === 'classification' && spec.mode !== 'values';
    const wantAcc = cfg.metrics.includes('accuracy') && isClassification;
    const wantMae = cfg.metrics.includes('mae');
    if (compiled.inputDtypes[0] === 'int32' && ds.dtype !== 'int32') {
      throw new RunError('data', `The Input "${inputId}" takes int32 token ids but the ${ds.name} data holds floating-point values: set the Input's dtype to float32`, { nodeId: inputId });
    }

    const batchSize = Math.min(cfg.batchSize, split.train.length);
    const batches = batchCount(split.train.length, batchSize);
    // Data-parallel over worker threads when the setting and the model call for it (threads.ts).
    const choice = resolveThreads(cfg.threads, {
      backend: backend.name, batchSize, flopsPerSample: compiled.analysis.flops, nonTrainableWeights: model.nonTrainableWeights.length,
    });
    let threadNote = choice.why;
    if (choice.threads > 1) {
      try {
        pool = await ReplicaPool.start({
          doc: { nodes: req.doc.nodes, edges: req.doc.edges }, seed, spec, wantAcc, wantMae, inputShape,
          inputDtype: compiled.inputDtypes[0] === 'int32' ? 'int32' : 'float32', outShape, dropoutSeed: seed ^ 0x7ead,
        }, choice.threads - 1);
      } catch (e) {
        threadNote = `${choice.threads} threads chosen, training on 1: ${(e as Error).message}`;
      }
    }
    const runBackend = pool
      ? { ...backend, threads: pool.size + 1 }
      : threadNote ? { ...backend, reason: [backend.reason, threadNote].filter(Boolean).join('; ') } : backend;
    emit({
      type: 'start', runId, backend: runBackend, totalParams: compiled.totalParams, epochs: cfg.epochs, batchSize,
      batchesPerEpoch: batches, seed,
      data: {
        name: ds.name, train: split.train.length, validation: split.validation.length, test: split.test.length,
        inputShape: ds.sampleShape, ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
      },
    });

    optimizer = makeRunOptimizer(cfg); // fused on wasm (optim/fused.ts), stock elsewhere
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const xTensor = (b: Batch) => tf.tensor(b.x, [b.size, ...inputShape], compiled!.inputDtypes[0]);

    // Accuracy of one-hot classes read from the predictions in JS (argmax, as correctPerSample) with
    // the fused ops: 5 fewer kernel calls per step (their dispatch costs more than the arithmetic).
    const accInJs = wantAcc && spec.mode === 'onehot' && outShape.length === 1 && outShape[0]! > 1;
    const trainStep = (b: Batch): number[] => {
      const x = xTensor(b);
      const y = targetTensor(spec.mode, b.y, b.size, outShape, spec.classes);
      const extras: tf.Tensor[] = [];
      const fast = accInJs && fusedOpsActive();
      let kept: tf.Tensor | null = null;
      try {
        const loss = withRandom(dropoutRng, () => optimizer!.minimize(() => {
          const pred = model.apply(x, { training: true }) as tf.Tensor;
          if (fast) kept = tf.keep(pred);
          else if (wantAcc) extras.push(tf.keep(tf.mean(correctPerSample(spec, y, pred))));
          if (wantMae) extras.push(tf.keep(tf.mean(maePerSample(spec, y, pred))));
          return meanLoss(spec, y, pred); // = tf.mean(lossPerSample(...)), fewer ops (optim/loss.ts)
        }, true, vars))!;
        const values = [loss, ...extras].map((t) => t.dataSync()[0]!);
        if (kept) values.splice(1, 0, argmaxAccuracy((kept as tf.Tensor).dataSync() as Float32Array, b.y, b.size));
        loss.dispose();
        return values;
      } finally {
        tf.dispose([x, y, ...extras, ...(kept ? [kept] : [])]);
      }
    };

    const step = pool
      ? parallelStep({
        pool, optimizer, vars, model, spec, wantAcc, wantMae, sampleSize: ds.sampleSize, targetSize: ds.targetSize, dropoutRng,
        xTensor: (x, n) => tf.tensor(x, [n, ...inputShape], compiled!.inputDtypes[0]),
        yTensor: (y, n) => targetTensor(spec.mode, y, n, outShape, spec.classes),
      })
      : null;
    const runStep = async (b: Batch): Promise<number[]> => {
      if (!step) return trainStep(b);
      try {
        return await step(b);
      } catch (e) {
        if (e instanceof Error && /^training thread/.test(e.message)) {
          throw new RunError('internal', `Training stopped: ${e.message}. Set threads to 1 in the training settings to train on one thread`);
        }
        throw e;
      }
    };

    const evaluateSplit = (indices: Int32Array): number[] => {
      const sums = [0, 0, 0];
      let n = 0;
      for (const b of iterateBatches(ds, indices, { batchSize: Math.max(batchSize, 128), shuffle: false, normalization })) {
        const r = tf.tidy(() => {
          const x = xTensor(b);
          const y = targetTensor(spec.mode, b.y, b.size, outShape, spec.classes);
          const pred = model.apply(x, { training: false }) as tf.Tensor;
          return [tf.sum(lossPerSample(spec, y, pred)), wantAcc ? tf.sum(correctPerSample(spec, y, pred)) : tf.scalar(0), wantMae ? tf.sum(maePerSample(spec, y, pred)) : tf.scalar(0)];
        });
        r.forEach((t, i) => { sums[i]! += t.dataSync()[0]!; });
        tf.dispose(r);
        n += b.size;
      }
      const mean = sums.map((s) => s / Math.max(1, n));
      return [mean[0]!, ...(wantAcc ? [mean[1]!] : []), ...(wantMae ? [mean[2]!] : [])];
    };

    const logsOf = (v: number[], prefix = ''): Record<string, number> => {
      const out: Record<string, number> = { [`${prefix}loss`]: v[0]! };
      let i = 1;
      if (wantAcc) out[`${prefix}accuracy`] = v[i++]!;
      if (wantMae) out[`${prefix}mae`] = v[i++]!;
      return out;
    };

    const es = cfg.earlyStopping;
    const monitorHigher = es ? /accuracy/.test(es.monitor) : false;
    let bestValue = monitorHigher ? -Infinity : Infinity;
    let bestLogs: Record<string, number> | null = null;
    let bestEpoch = 0;
    let wait = 0;

    const history: Record<string, number>[] = [];
    let pausedMs = 0;
    let samplesDone = 0;
    const totalSamples = cfg.epochs * split.train.length;
    let lastEmit = -Infinity;
    let reason: EndEvent['reason'] = 'completed';
    let epochsCompleted = 0;
    let lastLogs: Record<string, number> = {};
    const activeSec = (at = now()) => (at - t0 - pausedMs) / 1000;
    const eta = () => (samplesDone > 0 ? ((totalSamples - samplesDone) * activeSec()) / samplesDone : 0);
    const hasVal = split.validation.length > 0;

    // NaN/Inf, or a loss far above the untrained model's (exploded or saturated): see divergence.ts.
    const divergence = new DivergenceMonitor(evaluateSplit(split.train.subarray(0, START_SAMPLES))[0]!, Object.keys(logsOf([0, 0, 0])));
    // Stopped while the data was loading: end before the first batch.
    if (control.stop) reason = 'stopped';
    outer: for (let epoch = 1; epoch <= cfg.epochs && reason !== 'stopped'; epoch++) {
      const epochStart = now();
      let epochPaused = 0;
      const sums = [0, 0, 0];
      let seen = 0;
      for (const b of iterateBatches(ds, split.train, {
        batchSize, shuffle: cfg.shuffle, seed, epoch: epoch - 1, normalization, augmentation: prepared.augmentation,
      })) {
        const values = await runStep(b);
        const batch = b.index + 1;
        const diverged = divergence.add(values, b.size);
        if (diverged) throw new RunError(diverged.code, divergenceMessage(diverged, { epoch, batch }, cfg.learningRate), { epoch, batch });
        values.forEach((v, i) => { sums[i]! += v * b.size; });
        seen += b.size;
        samplesDone += b.size;
        const t = now();
        if (t - lastEmit >= BATCH_EVENT_INTERVAL_MS) {
          lastEmit = t;
          const epochSec = (t - epochStart - epochPaused) / 1000;
          emit({
            type: 'batch', runId, epoch, batch, batches, logs: logsOf(values),
            samplesPerSec: epochSec > 0 ? seen / epochSec : 0, etaSec: eta(), elapsedSec: activeSec(t),
          });
        }
        await nextTick();
        const p = await control.waitIfPaused(() => emit({ type: 'paused', runId }), () => emit({ type: 'resumed', runId }));
        pausedMs += p;
        epochPaused += p;
        if (control.stop) {
          reason = 'stopped';
          break outer;
        }
      }
      const trainSec = (now() - epochStart - epochPaused) / 1000;
      const logs = logsOf(sums.map((s) => s / Math.max(1, seen)));
      if (hasVal) {
        const val = logsOf(evaluateSplit(split.validation), 'val_');
        // A diverged model can still produce finite training batches while validation blows up;
        // non-finite numbers are not valid event payloads, so stop here with the same advice.
        const bad = Object.entries(val).find(([, v]) => !Number.isFinite(v));
        if (bad) {
          throw new RunError('nan',
            `The validation ${bad[0].replace(/^val_/, '')} became ${Number.isNaN(bad[1]) ? 'NaN' : 'infinite'} at epoch ${epoch}: lower the learning rate (now ${cfg.learningRate}, e.g. to ${+(cfg.learningRate / 10).toPrecision(2)}), normalise the inputs, or check the data for invalid values`,
            { epoch });
        }
        Object.assign(logs, val);
      }
      history.push(logs);
      lastLogs = logs;
      epochsCompleted = epoch;
      emit({
        type: 'epoch', runId, epoch, epochs: cfg.epochs, logs,
        samplesPerSec: trainSec > 0 ? seen / trainSec : 0, etaSec: eta(), elapsedSec: activeSec(),
      });
      await nextTick();

      if (es) {
        const key = es.monitor in logs ? es.monitor : es.monitor.replace(/^val_/, '');
        const v = logs[key];
        if (v !== undefined) {
          const improved = monitorHigher ? v > bestValue + es.minDelta : v < bestValue - es.minDelta;
          if (improved) {
            bestValue = v;
            bestLogs = logs;
            bestEpoch = epoch;
            wait = 0;
            if (es.restoreBestWeights) {
              tf.dispose(best ?? []);
              best = model.getWeights().map((w) => tf.clone(w));
            }
          } else if (++wait > es.patience) {
            reason = 'earlyStopped';
            break;
          }
        }
      }
    }

    let finalLogs = lastLogs;
    if (reason === 'earlyStopped' && es?.restoreBestWeights && best && bestLogs && bestEpoch !== epochsCompleted) {
      model.setWeights(best);
      finalLogs = bestLogs;
    }
    const elapsedSec = activeSec();
    const record: RunRecord = {
      format: 'layerloom.run', version: 1, runId, createdAt: new Date().toISOString(), doc: req.doc,
      training: cfg, seed, dataset: req.dataset ?? req.doc.dataset, datasetName: ds.name, task: ds.task,
      ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
      normalization, lossSpec: { ...spec }, backend: runBackend, history, logs: finalLogs, reason, epochsCompleted, elapsedSec,
    };
    const run = { runId, compiled, spec, record, normalization, dataset: ds, split };
    let weightsPath: string | undefined;
    if (req.outDir) {
      const { saveRun } = await import('./persist');
      weightsPath = await saveRun(run, req.outDir);
    }
    registerRun(run);
    keep = true;
    const end: EndEvent = {
      type: 'end', runId, reason, epochsCompleted, logs: finalLogs, elapsedSec,
      ...(weightsPath ? { weightsPath } : {}),
    };
    emit(end);
    return end;
  } finally {
    await pool?.dispose();
    optimizer?.dispose();
    tf.dispose(best ?? []);
    if (!keep) compiled?.model.dispose();
  }
}
