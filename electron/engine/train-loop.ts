/**
 * The training loop of one run, in named steps: the batch step (one thread, or data-parallel over
 * replicas), the evaluation of a split, the metric logs, the run's clock and event throttle, early
 * stopping, one epoch, and the epochs. train.ts sets a run up and calls `runEpochs`.
 */
import type { TrainEvent, EndEvent } from '../../shared/engine/events';
import type { TrainingConfig } from '../../shared/document';
import { DivergenceMonitor, divergenceMessage, START_SAMPLES } from './divergence';
import { iterateBatches } from './data/batch';
import type { Batch, PreparedData } from './data/types';
import { correctPerSample, lossPerSample, maePerSample, type LossSpec } from './losses';
import { meanLoss } from './optim/loss';
import { fusedOpsActive } from './layers/fused-dense';
import { parallelStep, type ReplicaPool } from './threads';
import { syncBatchNormalization } from './parallel/sync-bn';
import { withRandom } from './random';
import { RunError } from './run-error';
import { argmaxAccuracy, targetTensor } from './targets';
import { tf } from './tfjs';
import type { CompiledModel } from './compile';

type Model = CompiledModel['model'];

/** Minimum time between two batch events. */
export const BATCH_EVENT_INTERVAL_MS = 100;

export const now = () => performance.now();
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** Pause and stop as the loop sees them (set by the run's handle). */
export interface Control {
  readonly stop: boolean;
  waitIfPaused(onPause: () => void, onResume: () => void): Promise<number>;
}

/**
 * Which metrics besides the loss a run reports, in the order of a step's values [loss, acc?, mae?];
 * `ppl` adds the perplexity exp(loss) to the logs (language models: the loss is nats per token).
 */
export interface MetricSet { acc: boolean; mae: boolean; ppl?: boolean }

/** Everything the loop needs from the run's setup (train.ts). */
export interface RunContext {
  runId: string;
  cfg: TrainingConfig;
  seed: number;
  model: Model;
  inputShape: number[];
  inputDtype: 'float32' | 'int32';
  outShape: number[];
  data: PreparedData;
  spec: LossSpec;
  metrics: MetricSet;
  batchSize: number;
  batches: number;
  emit: (e: TrainEvent) => void;
  control: Control;
  /**
   * Reweighing: a weight per dataset sample (read at the training split's indices); the batch loss is
   * then mean(w · loss), as Keras' sample_weight and the exported train.py. Null: unweighted.
   */
  sampleWeight: Float32Array | null;
}

/** A step's or an evaluation's values [loss, acc?, mae?] as named logs (`val_` prefix for validation). */
export function logsOf(m: MetricSet, v: number[], prefix = ''): Record<string, number> {
  const out: Record<string, number> = { [`${prefix}loss`]: v[0]! };
  let i = 1;
  if (m.acc) out[`${prefix}accuracy`] = v[i++]!;
  if (m.mae) out[`${prefix}mae`] = v[i++]!;
  if (m.ppl) out[`${prefix}perplexity`] = Math.exp(v[0]!);
  return out;
}

/** The model's input(s) for a batch: `x`, then the data's extra inputs (a translator's decoder input). */
function batchX(ctx: RunContext, x: Float32Array | Int32Array, n: number, extra?: Int32Array[]): tf.Tensor | tf.Tensor[] {
  const first = tf.tensor(x, [n, ...ctx.inputShape], ctx.inputDtype);
  if (!extra?.length) return first;
  const shapes = ctx.data.dataset.extraInputs!;
  return [first, ...extra.map((e, i) => tf.tensor(e, [n, ...shapes[i]!.sampleShape], 'int32'))];
}
const batchY = (ctx: RunContext, y: Float32Array | Int32Array, n: number) => targetTensor(ctx.spec.mode, y, n, ctx.outShape, ctx.spec.classes);
const batchWeights = (w: Float32Array, b: Batch) => tf.tensor1d(Float32Array.from(b.indices, (i) => w[i]!));

/** One optimizer step on this thread; returns the batch's [loss, acc?, mae?]. */
function singleThreadStep(ctx: RunContext, optimizer: tf.Optimizer, vars: tf.Variable[], dropoutRng: () => number): (b: Batch) => number[] {
  const { model, spec, metrics } = ctx;
  // Accuracy of one-hot classes read from the predictions in JS (argmax, as correctPerSample) with
  // the fused ops: 5 fewer kernel calls per step (their dispatch costs more than the arithmetic).
  const accInJs = metrics.acc && spec.mode === 'onehot' && ctx.outShape.length === 1 && ctx.outShape[0]! > 1;
  return (b) => {
    const x = batchX(ctx, b.x, b.size, b.extra);
    const y = batchY(ctx, b.y, b.size);
    const w = ctx.sampleWeight ? batchWeights(ctx.sampleWeight, b) : null;
    const extras: tf.Tensor[] = [];
    const fast = accInJs && fusedOpsActive();
    let kept: tf.Tensor | null = null;
    try {
      const loss = withRandom(dropoutRng, () => optimizer.minimize(() => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        if (fast) kept = tf.keep(pred);
        else if (metrics.acc) extras.push(tf.keep(tf.mean(correctPerSample(spec, y, pred))));
        if (metrics.mae) extras.push(tf.keep(tf.mean(maePerSample(spec, y, pred))));
        if (w) return tf.mean(tf.mul(lossPerSample(spec, y, pred), w)) as tf.Scalar;
        return meanLoss(spec, y, pred); // = tf.mean(lossPerSample(...)), fewer ops (optim/loss.ts)
      }, true, vars))!;
      const values = [loss, ...extras].map((t) => t.dataSync()[0]!);
      if (kept) values.splice(1, 0, argmaxAccuracy((kept as tf.Tensor).dataSync() as Float32Array, b.y, b.size));
      loss.dispose();
      return values;
    } finally {
      tf.dispose([...(Array.isArray(x) ? x : [x]), y, ...extras, ...(kept ? [kept] : []), ...(w ? [w] : [])]);
    }
  };
}

/** The run's batch step: on this thread, or split over the replica pool (threads.ts). */
export function makeBatchStep(ctx: RunContext, optimizer: tf.Optimizer, pool: ReplicaPool | null, dropoutRng: () => number): (b: Batch) => Promise<number[]> {
  const vars = ctx.model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (!pool) {
    const step = singleThreadStep(ctx, optimizer, vars, dropoutRng);
    return async (b) => step(b);
  }
  if (ctx.sampleWeight) throw new RunError('internal', 'Reweighted training runs on one thread'); // resolveThreads sees to it
  syncBatchNormalization(ctx.model); // whole-batch statistics across the threads (parallel/sync-bn.ts)
  const step = parallelStep({
    pool, optimizer, sampleSize: ctx.data.dataset.sampleSize, targetSize: ctx.data.dataset.targetSize,
    share: {
      model: ctx.model, vars, spec: ctx.spec, wantAcc: ctx.metrics.acc, wantMae: ctx.metrics.mae,
      inputShape: ctx.inputShape, inputDtype: ctx.inputDtype, outShape: ctx.outShape, rng: dropoutRng,
    },
  });
  return async (b) => {
    try {
      return await step(b);
    } catch (e) {
      if (e instanceof Error && /^training thread/.test(e.message)) {
        throw new RunError('internal', `Training stopped: ${e.message}. Set threads to 1 in the training settings to train on one thread`);
      }
      throw e;
    }
  };
}

/** Mean [loss, acc?, mae?] of the model over some samples, in inference mode. */
export function evaluateSplit(ctx: RunContext, indices: Int32Array): number[] {
  const { model, spec, metrics } = ctx;
  const sums = [0, 0, 0];
  let n = 0;
  const opts = { batchSize: Math.max(ctx.batchSize, 128), shuffle: false, normalization: ctx.data.normalization };
  for (const b of iterateBatches(ctx.data.dataset, indices, opts)) {
    const r = tf.tidy(() => {
      const x = batchX(ctx, b.x, b.size, b.extra);
      const y = batchY(ctx, b.y, b.size);
      const pred = model.apply(x, { training: false }) as tf.Tensor;
      return [
        tf.sum(lossPerSample(spec, y, pred)),
        metrics.acc ? tf.sum(correctPerSample(spec, y, pred)) : tf.scalar(0),
        metrics.mae ? tf.sum(maePerSample(spec, y, pred)) : tf.scalar(0),
      ];
    });
    r.forEach((t, i) => { sums[i]! += t.dataSync()[0]!; });
    tf.dispose(r);
    n += b.size;
  }
  const mean = sums.map((s) => s / Math.max(1, n));
  return [mean[0]!, ...(metrics.acc ? [mean[1]!] : []), ...(metrics.mae ? [mean[2]!] : [])];
}

/** Active time (pauses excluded), samples done and the ETA; throttles batch events. */
export class RunClock {
  private pausedMs = 0;
  private samplesDone = 0;
  private lastEmit = -Infinity;
  constructor(private readonly t0: number, private readonly totalSamples: number) {}
  activeSec(at = now()): number { return (at - this.t0 - this.pausedMs) / 1000; }
  eta(): number {
    return this.samplesDone > 0 ? ((this.totalSamples - this.samplesDone) * this.activeSec()) / this.samplesDone : 0;
  }
  addSamples(n: number): void { this.samplesDone += n; }
  addPause(ms: number): void { this.pausedMs += ms; }
  /** True (and restarts the interval) when a batch event is due at `t`. */
  batchEventDue(t: number): boolean {
    if (t - this.lastEmit < BATCH_EVENT_INTERVAL_MS) return false;
    this.lastEmit = t;
    return true;
  }
}

/** Early stopping on a monitored log; keeps the best epoch's weights when asked to restore them. */
export class EarlyStopping {
  private readonly higher: boolean;
  private bestValue: number;
  private bestLogs: Record<string, number> | null = null;
  private bestEpoch = 0;
  private wait = 0;
  private best: tf.Tensor[] | null = null;

  constructor(private readonly es: NonNullable<TrainingConfig['earlyStopping']>) {
    this.higher = /accuracy/.test(es.monitor);
    this.bestValue = this.higher ? -Infinity : Infinity;
  }

  /** Record an epoch's logs; true when the run should stop (no improvement for longer than the patience). */
  observe(epoch: number, logs: Record<string, number>, model: Model): boolean {
    const { es } = this;
    const key = es.monitor in logs ? es.monitor : es.monitor.replace(/^val_/, '');
    const v = logs[key];
    if (v === undefined) return false;
    const improved = this.higher ? v > this.bestValue + es.minDelta : v < this.bestValue - es.minDelta;
    if (!improved) return ++this.wait > es.patience;
    this.bestValue = v;
    this.bestLogs = logs;
    this.bestEpoch = epoch;
    this.wait = 0;
    if (es.restoreBestWeights) {
      tf.dispose(this.best ?? []);
      this.best = model.getWeights().map((w) => tf.clone(w));
    }
    return false;
  }

  /** After an early stop: put the best epoch's weights back and return its logs (null: keep the last epoch's). */
  restore(model: Model, lastEpoch: number): Record<string, number> | null {
    if (!this.es.restoreBestWeights || !this.best || !this.bestLogs || this.bestEpoch === lastEpoch) return null;
    model.setWeights(this.best);
    return this.bestLogs;
  }

  dispose(): void {
    tf.dispose(this.best ?? []);
    this.best = null;
  }
}

/** What the epochs produced. */
export interface LoopOutcome {
  history: Record<string, number>[];
  lastLogs: Record<string, number>;
  reason: EndEvent['reason'];
  epochsCompleted: number;
}

interface EpochTotals { sums: number[]; seen: number; pausedMs: number; trainSec: number; stopped: boolean }

/** One pass over the training split: a step per batch, divergence checks, throttled batch events, pause/stop. */
async function trainEpoch(ctx: RunContext, epoch: number, step: (b: Batch) => Promise<number[]>, divergence: DivergenceMonitor, clock: RunClock): Promise<EpochTotals> {
  const { runId, cfg, emit, control, data } = ctx;
  const epochStart = now();
  const totals: EpochTotals = { sums: [0, 0, 0], seen: 0, pausedMs: 0, trainSec: 0, stopped: false };
  const batches = iterateBatches(data.dataset, data.split.train, {
    batchSize: ctx.batchSize, shuffle: cfg.shuffle, seed: ctx.seed, epoch: epoch - 1, normalization: data.normalization, augmentation: data.augmentation,
  });
  for (const b of batches) {
    const values = await step(b);
    const batch = b.index + 1;
    const diverged = divergence.add(values, b.size);
    if (diverged) throw new RunError(diverged.code, divergenceMessage(diverged, { epoch, batch }, cfg.learningRate), { epoch, batch });
    values.forEach((v, i) => { totals.sums[i]! += v * b.size; });
    totals.seen += b.size;
    clock.addSamples(b.size);
    const t = now();
    if (clock.batchEventDue(t)) {
      const epochSec = (t - epochStart - totals.pausedMs) / 1000;
      emit({
        type: 'batch', runId, epoch, batch, batches: ctx.batches, logs: logsOf(ctx.metrics, values),
        samplesPerSec: epochSec > 0 ? totals.seen / epochSec : 0, etaSec: clock.eta(), elapsedSec: clock.activeSec(t),
      });
    }
    await nextTick();
    const p = await control.waitIfPaused(() => emit({ type: 'paused', runId }), () => emit({ type: 'resumed', runId }));
    clock.addPause(p);
    totals.pausedMs += p;
    if (control.stop) {
      totals.stopped = true;
      break;
    }
  }
  totals.trainSec = (now() - epochStart - totals.pausedMs) / 1000;
  return totals;
}

/**
 * Validation logs (`val_*`) of an epoch. A diverged model can still produce finite training
 * batches while validation blows up; non-finite numbers are not valid event payloads, so the run
 * stops here with the same advice as a NaN loss.
 */
function validationLogs(ctx: RunContext, epoch: number): Record<string, number> {
  const val = logsOf(ctx.metrics, evaluateSplit(ctx, ctx.data.split.validation), 'val_');
  const bad = Object.entries(val).find(([, v]) => !Number.isFinite(v));
  if (bad) {
    const lr = ctx.cfg.learningRate;
    throw new RunError('nan',
      `The validation ${bad[0].replace(/^val_/, '')} became ${Number.isNaN(bad[1]) ? 'NaN' : 'infinite'} at epoch ${epoch}: lower the learning rate (now ${lr}, e.g. to ${+(lr / 10).toPrecision(2)}), normalise the inputs, or check the data for invalid values`,
      { epoch });
  }
  return val;
}

/** The epochs: train, validate, emit `epoch`, early-stop; ends at the last epoch, on Stop or on an early stop. */
export async function runEpochs(ctx: RunContext, step: (b: Batch) => Promise<number[]>, clock: RunClock, early: EarlyStopping | null): Promise<LoopOutcome> {
  const { runId, cfg, emit, data: { split } } = ctx;
  const out: LoopOutcome = { history: [], lastLogs: {}, reason: 'completed', epochsCompleted: 0 };
  // NaN/Inf, or a loss far above the untrained model's (exploded or saturated): see divergence.ts.
  const divergence = new DivergenceMonitor(evaluateSplit(ctx, split.train.subarray(0, START_SAMPLES))[0]!, Object.keys(logsOf(ctx.metrics, [0, 0, 0])));
  // Stopped while the data was loading: end before the first batch.
  if (ctx.control.stop) out.reason = 'stopped';
  for (let epoch = 1; epoch <= cfg.epochs && out.reason !== 'stopped'; epoch++) {
    const totals = await trainEpoch(ctx, epoch, step, divergence, clock);
    if (totals.stopped) {
      out.reason = 'stopped';
      break;
    }
    const logs = logsOf(ctx.metrics, totals.sums.map((s) => s / Math.max(1, totals.seen)));
    if (split.validation.length > 0) Object.assign(logs, validationLogs(ctx, epoch));
    out.history.push(logs);
    out.lastLogs = logs;
    out.epochsCompleted = epoch;
    emit({
      type: 'epoch', runId, epoch, epochs: cfg.epochs, logs,
      samplesPerSec: totals.trainSec > 0 ? totals.seen / totals.trainSec : 0, etaSec: clock.eta(), elapsedSec: clock.activeSec(),
    });
    await nextTick();
    if (early?.observe(epoch, logs, ctx.model)) {
      out.reason = 'earlyStopped';
      break;
    }
  }
  return out;
}
