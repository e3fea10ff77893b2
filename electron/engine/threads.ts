/**
 * How many threads a training run computes on (`training.threads`), and the data-parallel training
 * step that uses them (kernels/parallel.ts: worker-thread replicas with gradient averaging).
 *
 * The wasm backend is single-threaded in Node (tfjs-backend-wasm loads its pthread workers from
 * Blob URLs, which Node cannot), so a second core is used by splitting each batch between the main
 * thread and replicas. `auto` does so only where it measured faster (bench/, README "Performance"):
 * enough compute per sample that one step's messaging and weight copies are small beside it.
 */
import os from 'node:os';
import type { BackendInfo } from '../../shared/engine/events';
import type { TrainingConfig } from '../../shared/document';
import { averageShares, ReplicaPool } from './parallel/replicas';
import { correctPerSample, maePerSample, type LossSpec } from './losses';
import { meanLoss } from './optim/loss';
import { withRandom } from './random';
import { tf } from './tfjs';
import type { Batch } from './data/types';

/** `auto` uses a second thread only from this many forward FLOPs per sample (analysis.flops). */
export const AUTO_MIN_FLOPS = 2e6;
/** ... and only when every share of a batch has at least this many samples. */
export const MIN_SHARE = 8;

export interface ThreadChoice {
  threads: number;
  /** Why not more (shown in the run's backend line), when it matters. */
  why?: string;
}

/** The number of threads for a run: the setting, what the backend and model allow, and the machine. */
export function resolveThreads(want: TrainingConfig['threads'], ctx: {
  backend: BackendInfo['name']; cores?: number; batchSize: number; flopsPerSample: number; nonTrainableWeights: number;
  /** Per-sample loss weights (reweighing), which the replicas' steps do not take. */
  sampleWeights?: boolean;
}): ThreadChoice {
  const cores = ctx.cores ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  const auto = want === undefined || want === 'auto';
  const asked = auto ? Math.min(2, cores) : want;
  if (asked <= 1) return { threads: 1 };
  const no = (why: string): ThreadChoice => ({ threads: 1, ...(auto ? {} : { why: `${asked} threads requested, training on 1: ${why}` }) });
  if (ctx.backend !== 'wasm') return no(`threads apply to the WebAssembly backend (${ctx.backend} manages its own)`);
  if (ctx.sampleWeights) return no('reweighing weights the loss per sample, which is computed on one thread');
  if (ctx.nonTrainableWeights > 0) return no('the model has non-trainable state (e.g. BatchNormalization statistics), which data-parallel training would change');
  const byBatch = Math.floor(ctx.batchSize / MIN_SHARE);
  if (byBatch < 2) return no(`the batch size (${ctx.batchSize}) is below ${2 * MIN_SHARE}`);
  if (auto && ctx.flopsPerSample < AUTO_MIN_FLOPS) return { threads: 1 };
  return { threads: Math.min(asked, byBatch) };
}

/**
 * A training step over the main thread and `pool`'s replicas: the same loss, metrics and dropout
 * stream as the single-threaded step on the main thread's share, the gradients averaged and applied
 * once by `optimizer`. Resolves with the batch's [loss, accuracy?, mae?] means.
 */
export function parallelStep(ctx: {
  pool: ReplicaPool; optimizer: tf.Optimizer; vars: tf.Variable[]; model: { apply(x: tf.Tensor, a: { training: boolean }): unknown };
  spec: LossSpec; wantAcc: boolean; wantMae: boolean; sampleSize: number; targetSize: number; dropoutRng: () => number;
  xTensor: (x: Float32Array | Int32Array, n: number) => tf.Tensor;
  yTensor: (y: Float32Array | Int32Array, n: number) => tf.Tensor;
}): (b: Batch) => Promise<number[]> {
  const { pool, optimizer, vars, model, spec, wantAcc, wantMae, sampleSize: xs, targetSize: ts } = ctx;
  return async (b) => {
    const n = b.size;
    const per = Math.ceil(n / Math.min(pool.size + 1, n));
    const shares: { x: Float32Array | Int32Array; y: Float32Array | Int32Array; size: number }[] = [];
    for (let a = per; a < n; a += per) {
      const e = Math.min(n, a + per);
      shares.push({ x: b.x.slice(a * xs, e * xs), y: b.y.slice(a * ts, e * ts), size: e - a });
    }
    // Post first, so the replicas compute while this thread does its own share.
    const pending = shares.length ? pool.compute(shares, vars.map((v) => v.dataSync() as Float32Array)) : Promise.resolve([]);
    pending.catch(() => undefined); // reported by the await below
    const m = Math.min(n, per);
    const x = ctx.xTensor(b.x.subarray(0, m * xs), m);
    const y = ctx.yTensor(b.y, m);
    const extras: tf.Tensor[] = [];
    let out: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
    let avg: tf.Tensor[] = [];
    try {
      out = withRandom(ctx.dropoutRng, () => tf.variableGrads(() => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        if (wantAcc) extras.push(tf.keep(tf.mean(correctPerSample(spec, y, pred))));
        if (wantMae) extras.push(tf.keep(tf.mean(maePerSample(spec, y, pred))));
        return meanLoss(spec, y, pred);
      }, vars));
      const local = { grads: vars.map((v) => out!.grads[v.name]!), values: [out.value, ...extras].map((t) => t.dataSync()[0]!), size: m };
      const { grads, values } = averageShares(local, await pending);
      avg = grads;
      optimizer.applyGradients(vars.map((v, k) => ({ name: v.name, tensor: grads[k]! })));
      return values;
    } finally {
      tf.dispose([x, y, ...extras, ...avg, ...(out ? [out.value, ...Object.values(out.grads)] : [])]);
    }
  };
}

export { ReplicaPool };
