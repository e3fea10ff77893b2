/**
 * Data-parallel training over worker threads (issue 9 "use both cores"). The wasm backend computes
 * on one thread, so every extra core gets a replica: a worker thread with its own wasm backend and
 * its own copy of the model (parallel-worker.ts). Per step the batch is split in contiguous shares;
 * the main thread computes the gradient of the mean loss on the first share while each replica
 * computes it on its own (with the current weights, sent along), then the main thread averages them
 * weighted by share size (averageShares), which IS the full batch's gradient up to float rounding,
 * and applies the optimizer once. Losses and metrics are combined the same way.
 *
 * The engine's training loop uses this behind `training.threads` (train.ts decides when); the
 * replicas train only models without non-trainable state (no BatchNormalization: per-share batch
 * statistics would change what the model computes).
 *
 *   const pool = await ReplicaPool.start(spec, 1);
 *   const pending = pool.compute(xShare, yShare, size, weights);   // posts at once
 *   ... compute the main thread's share ...
 *   const { grads, values } = averageShares(local, await pending);
 *   await pool.dispose();
 *
 * A replica that crashes, exits or fails a step rejects the step with a message naming it; the pool
 * is then unusable (the run ends with that error).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { LoomDocument } from '../../../shared/document';
import type { LossSpec } from '../losses';
import { tf } from '../tfjs';

/** What a replica needs to build the model and the loss exactly as the main thread does. */
export interface ReplicaSpec {
  doc: Pick<LoomDocument, 'nodes' | 'edges'> & { name?: string };
  seed: number;
  spec: LossSpec;
  wantAcc: boolean;
  wantMae: boolean;
  inputShape: number[];
  inputDtype: 'float32' | 'int32';
  outShape: number[];
  /** Seeds this replica's dropout stream (the main thread's share uses the run's own stream). */
  dropoutSeed: number;
}

/** One replica's answer: the gradient of the mean loss on its share, and [loss, acc, mae] means. */
export interface ShareResult {
  grads: Float32Array[];
  values: number[];
  size: number;
}

interface Reply { id: number; grads?: Float32Array[]; values?: number[]; error?: string }

/**
 * How a worker thread starts. From TypeScript sources (tsx: tests, CLI, web mode) worker threads do
 * not inherit the loader, so the worker registers tsx's ESM hooks, then imports parallel-worker.ts.
 * From the desktop app's bundle (engine-worker.mjs, where this module is inlined) the worker runs the
 * bundle itself, whose entry (worker.ts) starts the replica when `workerData.layerloomReplica` is set.
 */
function workerEntry(): { src: string | URL; evalCode: boolean } {
  const here = import.meta.url;
  if (!/\.[cm]?ts$/.test(new URL(here).pathname)) return { src: new URL(here), evalCode: false };
  const tsxDir = path.dirname(createRequire(here).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./replica-worker.ts', here).href;
  return { src: `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, evalCode: true };
}

export class ReplicaPool {
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private disposed = false;

  private constructor(private readonly workers: Worker[]) {
    workers.forEach((w, i) => {
      w.on('message', (r: Reply) => {
        const p = this.waiting.get(r.id);
        this.waiting.delete(r.id);
        if (r.error) p?.reject(new Error(`training thread ${i + 1}: ${r.error}`));
        else p?.resolve(r);
      });
      const fail = (why: string) => {
        if (this.disposed) return;
        this.failure ??= new Error(`training thread ${i + 1} ${why}`);
        for (const p of this.waiting.values()) p.reject(this.failure);
        this.waiting.clear();
      };
      w.on('error', (e) => fail(`crashed: ${e.message}`));
      w.on('exit', (code) => fail(`exited unexpectedly (code ${code})`));
    });
  }

  /** Number of replicas (worker threads). */
  get size(): number {
    return this.workers.length;
  }

  /** Start `n` replicas and wait until each has built its model on its own wasm backend. */
  static async start(spec: ReplicaSpec, n: number): Promise<ReplicaPool> {
    const { src, evalCode } = workerEntry();
    const workers: Worker[] = [];
    try {
      await Promise.all(Array.from({ length: n }, (_, i) => new Promise<void>((resolve, reject) => {
        const w = new Worker(src, { eval: evalCode, workerData: { layerloomReplica: true, spec: { ...spec, dropoutSeed: spec.dropoutSeed + i } } });
        workers.push(w);
        const onExit = (code: number) => reject(new Error(`training thread ${i + 1} exited while starting (code ${code})`));
        w.once('error', reject);
        w.once('exit', onExit);
        w.once('message', (m: { ready?: boolean; backend?: string; error?: string }) => {
          w.off('error', reject);
          w.off('exit', onExit);
          if (!m.ready) reject(new Error(`training thread ${i + 1} could not start: ${m.error ?? 'no answer'}`));
          else if (m.backend !== 'wasm') reject(new Error(`training thread ${i + 1} runs the ${m.backend} backend, not wasm`));
          else resolve();
        });
      })));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new ReplicaPool(workers);
  }

  /**
   * Post one share per replica (`shares[i]` to replica i) with the current trainable weights; the
   * arrays are transferred (do not use them afterwards). Resolves when every replica has answered.
   */
  compute(shares: { x: Float32Array | Int32Array; y: Float32Array | Int32Array; size: number }[], weights: Float32Array[]): Promise<ShareResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (shares.length > this.workers.length) throw new Error(`${shares.length} shares for ${this.workers.length} training threads`);
    return Promise.all(shares.map((s, i) => new Promise<ShareResult>((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve: (r) => resolve({ grads: r.grads!, values: r.values!, size: s.size }), reject });
      // Every replica but the last gets copies of the weights; the last one takes the originals.
      const ws = i === shares.length - 1 ? weights : weights.map((w) => w.slice());
      this.workers[i]!.postMessage({ id, weights: ws, x: s.x, y: s.y, size: s.size }, [s.x.buffer, s.y.buffer, ...ws.map((w) => w.buffer)] as ArrayBuffer[]);
    })));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of this.waiting.values()) p.reject(new Error('training threads stopped'));
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The full batch's mean gradient and [loss, acc?, mae?] means from the main thread's share (its
 * gradient tensors, `localSize` samples) and the replicas' results, weighted by share size. The
 * gradients are combined as tensors (SIMD element-wise kernels on the backend's heap, no copy of
 * the main thread's share); the caller disposes the returned tensors.
 */
export function averageShares(local: { grads: tf.Tensor[]; values: number[]; size: number }, others: ShareResult[]): { grads: tf.Tensor[]; values: number[] } {
  const n = local.size + others.reduce((a, o) => a + o.size, 0);
  const grads = local.grads.map((g, k) => tf.tidy(() => others.reduce(
    (acc, o) => tf.add(acc, tf.mul(tf.tensor(o.grads[k]!, g.shape), o.size / n)),
    others.length ? tf.mul(g, local.size / n) : tf.clone(g),
  )));
  const values = local.values.map((v, i) => v * (local.size / n) + others.reduce((a, o) => a + o.values[i]! * (o.size / n), 0));
  return { grads, values };
}
