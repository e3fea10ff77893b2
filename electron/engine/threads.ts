/**
 * How many threads a training run computes on (`training.threads`), and the data-parallel training
 * step that uses them (parallel/: worker-thread replicas on shared memory).
 *
 * The wasm backend is single-threaded in Node (tfjs-backend-wasm loads its pthread workers from
 * Blob URLs, which Node cannot), so more cores are used by splitting each batch between the main
 * thread and replicas. `auto` uses every core the machine offers, bounded by the batch (at least
 * MIN_SHARE samples per thread), by the compute per share (AUTO_MIN_SHARE_FLOPS: below it, a
 * step's synchronisation costs more than the share's pass) and by memory (each replica holds its own
 * backend and model copy: replicaBytes).
 */
import os from 'node:os';
import type { BackendInfo } from '../../shared/engine/events';
import type { TrainingConfig } from '../../shared/document';
import { formatMemory } from '../../shared/analysis';
import { ReplicaPool } from './parallel/replicas';
import { computeShare, reduceChunk, storeWeights, type ShareModel } from './parallel/share';
import { abortAll, C, ParallelAbort, S, SharedMemory } from './parallel/shared';
import { withBatchNormSync } from './parallel/sync-bn';
import { tf } from './tfjs';
import type { Batch } from './data/types';

/** The most threads a run uses (the document schema's bound). */
export const MAX_THREADS = 16;
/** Every share of a batch has at least this many samples. */
export const MIN_SHARE = 8;
/** `auto` gives each thread at least this many forward FLOPs per step (analysis.flops × share). */
export const AUTO_MIN_SHARE_FLOPS = 4e6;
/** What a replica costs besides the model's own memory: its tfjs, wasm runtime and V8 isolate (measured ~90-110 MB). */
export const REPLICA_BASE_BYTES = 128 * 2 ** 20;

export interface ThreadChoice {
  threads: number;
  /** Why not more (shown in the run's backend line), when it matters. */
  why?: string;
}

export interface ThreadContext {
  backend: BackendInfo['name'];
  cores?: number;
  batchSize: number;
  /** Forward FLOPs per sample (analysis.flops). */
  flopsPerSample: number;
  /** Non-trainable weights other than BatchNormalization statistics (which are synchronised). */
  unsyncedState: number;
  /** A replica's memory at a given share size (bytes), and what all replicas together may use. */
  replicaBytes?: (share: number) => number;
  memoryBudget?: number;
  /** Per-sample loss weights (reweighing), which the replicas' steps do not take. */
  sampleWeights?: boolean;
}

export const machineCores = () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

/** The number of threads for a run: the setting, what the backend, model, batch and memory allow, and the machine. */
export function resolveThreads(want: TrainingConfig['threads'], ctx: ThreadContext): ThreadChoice {
  const cores = ctx.cores ?? machineCores();
  const auto = want === undefined || want === 'auto';
  const asked = auto ? Math.min(MAX_THREADS, cores) : want;
  if (asked <= 1) return { threads: 1 };
  const no = (why: string): ThreadChoice => ({ threads: 1, ...(auto ? {} : { why: `${asked} threads requested, training on 1: ${why}` }) });
  if (ctx.backend !== 'wasm') return no(`threads apply to the WebAssembly backend (${ctx.backend} manages its own)`);
  if (ctx.sampleWeights) return no('reweighing weights the loss per sample, which is computed on one thread');
  if (ctx.unsyncedState > 0) return no('the model has non-trainable state other than BatchNormalization statistics, which data-parallel training would change');
  const byBatch = Math.floor(ctx.batchSize / MIN_SHARE);
  if (byBatch < 2) return no(`the batch size (${ctx.batchSize}) is below ${2 * MIN_SHARE}`);
  let threads = Math.min(asked, byBatch);
  if (auto) threads = Math.min(threads, Math.max(1, Math.floor((ctx.batchSize * ctx.flopsPerSample) / AUTO_MIN_SHARE_FLOPS)));
  if (ctx.replicaBytes && ctx.memoryBudget !== undefined) {
    const fits = (t: number) => (t - 1) * ctx.replicaBytes!(Math.ceil(ctx.batchSize / t)) <= ctx.memoryBudget!;
    const before = threads;
    while (threads > 1 && !fits(threads)) threads--;
    if (threads < before && (!auto || threads === 1)) {
      const why = `each thread needs about ${formatMemory(ctx.replicaBytes(Math.ceil(ctx.batchSize / before)))} (its own backend and model copy), more than the ${formatMemory(ctx.memoryBudget)} available`;
      return threads === 1 ? no(why) : { threads, why: `${asked} threads requested, training on ${threads}: ${why}` };
    }
  }
  return { threads };
}

/**
 * The run's step over the main thread and `pool`'s replicas: the batch goes into shared memory,
 * every participant computes the gradient of its share (the main thread too, with the run's own
 * dropout stream), the gradients are summed chunk by chunk in parallel, and the main thread applies
 * `optimizer` once and publishes the new weights. Resolves with the batch's [loss, acc?, mae?].
 */
export function parallelStep(ctx: { pool: ReplicaPool; optimizer: tf.Optimizer; share: ShareModel; sampleSize: number; targetSize: number }): (b: Batch) => Promise<number[]> {
  const { pool, optimizer, share, sampleSize: xs, targetSize: ys } = ctx;
  const mem = pool.memory;
  const { ctrl } = mem;
  const vars = share.vars;
  const count = 1 + (share.wantAcc ? 1 : 0) + (share.wantMae ? 1 : 0);
  storeWeights(mem, vars);
  const fail = async (e: unknown): Promise<never> => {
    abortAll(mem, 0);
    if (e instanceof ParallelAbort) {
      // A replica stopped: its message or exit event names it (it may arrive just after the flag).
      for (let i = 0; i < 40 && !pool.failed; i++) await new Promise((r) => setTimeout(r, 25));
      throw pool.failed ?? new Error(`training thread ${e.rank} stopped`);
    }
    throw e;
  };
  return async (b) => {
    if (pool.failed) throw pool.failed;
    const n = b.size;
    const active = Math.min(pool.size + 1, n);
    mem.x.set(b.x.subarray(0, n * xs));
    mem.y.set(b.y.subarray(0, n * ys));
    Atomics.store(ctrl, C.N, n);
    Atomics.store(ctrl, C.ACTIVE, active);
    Atomics.store(ctrl, C.BASE, Atomics.load(ctrl, C.BARRIER));
    Atomics.add(ctrl, C.STEP, 1);
    Atomics.notify(ctrl, C.STEP);
    pool.sync.begin();
    try {
      const t0 = performance.now();
      const [, m] = SharedMemory.share(n, active, 0);
      const values = withBatchNormSync(pool.sync, () => computeShare(share, mem.x.subarray(0, m * xs), mem.y.subarray(0, m * ys), m, m / n, mem.grads[0]!));
      mem.values.set([values[0]!, values[1] ?? 0, values[2] ?? 0, m], 0);
      const t1 = performance.now();
      mem.addStat(0, S.COMPUTE, t1 - t0);
      mem.addStat(0, S.IDLE, await pool.sync.barrierAsync());
      const t2 = performance.now();
      const [lo, hi] = mem.chunk(active, 0);
      reduceChunk(mem, active, lo, hi);
      mem.addStat(0, S.AVERAGE, performance.now() - t2);
      mem.addStat(0, S.IDLE, await pool.sync.barrierAsync());
      const t3 = performance.now();
      const out = [0, 0, 0];
      for (let r = 0; r < active; r++) for (let j = 0; j < 3; j++) out[j]! += mem.values[r * 4 + j]!;
      const grads = vars.map((v, k) => tf.tensor(mem.sum.subarray(mem.offsets[k]!, mem.offsets[k]! + v.size), v.shape, 'float32'));
      try {
        optimizer.applyGradients(vars.map((v, k) => ({ name: v.name, tensor: grads[k]! })));
      } finally {
        tf.dispose(grads);
      }
      storeWeights(mem, vars);
      mem.addStat(0, S.SERIAL, performance.now() - t3);
      mem.addStat(0, S.STEPS, 1);
      return out.slice(0, count);
    } catch (e) {
      return fail(e);
    }
  };
}

/** Bytes of memory the replicas may use together: half of what training may assume, less the main thread's run. */
export function replicaBudget(limitBytes: number, mainRunBytes: number): number {
  return Math.max(0, Math.min(limitBytes, os.totalmem()) / 2 - mainRunBytes);
}

export { ReplicaPool };
