/**
 * Data-parallel training over worker threads (issue 9 "use both cores"): the wasm backend runs on
 * one thread, so each extra core gets its own worker with its own wasm backend and a copy of the
 * model. Per step the batch is split; every replica computes the gradient of the mean loss on its
 * share, the main thread averages them (weighted by share size, so the result IS the full batch's
 * gradient up to float rounding), applies the optimizer, and sends the new weights with the next
 * step. Experimental: used by the benchmark; the engine's training loop does not use it yet.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { tf, tfl } from '../tfjs';
import { compileModel } from '../compile';
import type { LoomDocument } from '../../../shared/document';

export type ParallelLoss = 'categoricalCrossentropy' | 'meanSquaredError';

export interface ParallelOptions {
  doc: Pick<LoomDocument, 'nodes' | 'edges'> & { name?: string };
  seed: number;
  loss: ParallelLoss;
  /** Extra worker threads (the main thread computes a share too). Default 1. */
  workers?: number;
  optimizer: tf.Optimizer;
}

/** Mean loss of a batch; y is one-hot for categoricalCrossentropy. */
export function batchLoss(loss: ParallelLoss, y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (loss === 'meanSquaredError') return tf.mean(tf.square(tf.sub(y, p))) as tf.Scalar;
    const clipped = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(clipped)), -1))) as tf.Scalar;
  });
}

/**
 * Worker threads do not inherit the TypeScript loader: the worker registers tsx's ESM hooks itself,
 * then imports the replica module (a bundled build would point at its compiled file instead).
 */
function workerBootstrap(): string {
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./parallel-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

interface Reply { id: number; grads?: Float32Array[]; error?: string }

export class DataParallelTrainer {
  readonly model: tfl.LayersModel;
  private readonly vars: tf.Variable[];
  private readonly workers: Worker[] = [];
  /** The backend each worker runs (wasm unless its initialisation failed). */
  readonly workerBackends: string[] = [];
  private ready: Promise<void>;
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  constructor(private readonly opts: ParallelOptions) {
    this.model = compileModel(opts.doc, { seed: opts.seed }).model;
    this.vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const n = opts.workers ?? 1;
    const starts: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(workerBootstrap(), { eval: true, workerData: { doc: opts.doc, seed: opts.seed, loss: opts.loss } });
      starts.push(new Promise<void>((resolve, reject) => {
        w.once('message', (m: { ready?: boolean; backend?: string; error?: string }) => {
          if (!m.ready) return reject(new Error(m.error));
          this.workerBackends.push(m.backend ?? 'unknown');
          resolve();
        });
        w.once('error', reject);
      }).then(() => {
        w.on('message', (r: Reply) => {
          const cb = this.waiting.get(r.id);
          this.waiting.delete(r.id);
          cb?.(r);
        });
      }));
      this.workers.push(w);
    }
    this.ready = Promise.all(starts).then(() => undefined);
  }

  /** Gradients of the mean loss over the whole batch, computed in parallel (plain arrays, var order). */
  /** Resolves when every worker is ready. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  async gradients(x: Float32Array | Int32Array, xShape: number[], y: Float32Array, yShape: number[], xDtype: 'float32' | 'int32' = 'float32'): Promise<Float32Array[]> {
    await this.ready;
    const n = xShape[0]!;
    const parts = this.workers.length + 1;
    const per = Math.ceil(n / parts);
    const xs = xShape.slice(1).reduce((a, b) => a * b, 1);
    const ys = yShape.slice(1).reduce((a, b) => a * b, 1);
    const weights = this.vars.map((v) => v.dataSync() as Float32Array);
    const pending: Promise<{ grads: Float32Array[]; size: number }>[] = [];
    for (let i = 1; i < parts; i++) {
      const a = Math.min(n, i * per);
      const b = Math.min(n, a + per);
      if (b <= a) continue;
      const id = this.nextId++;
      const wx = x.slice(a * xs, b * xs);
      const wy = y.slice(a * ys, b * ys);
      const ws = weights.map((w) => w.slice());
      pending.push(new Promise((resolve, reject) => {
        this.waiting.set(id, (r) => (r.error ? reject(new Error(r.error)) : resolve({ grads: r.grads!, size: b - a })));
        this.workers[i - 1]!.postMessage({ id, weights: ws, x: wx, xShape: [b - a, ...xShape.slice(1)], xDtype, y: wy, yShape: [b - a, ...yShape.slice(1)] },
          [wx.buffer, wy.buffer, ...ws.map((w) => w.buffer)]);
      }));
    }
    const m = Math.min(n, per);
    // (tidy must return tensors: it walks plain arrays element by element, which is very slow)
    const localT = tf.tidy(() => {
      const xt = tf.tensor(x.subarray(0, m * xs), [m, ...xShape.slice(1)], xDtype);
      const yt = tf.tensor(y.subarray(0, m * ys), [m, ...yShape.slice(1)]);
      const { grads } = tf.variableGrads(() => batchLoss(this.opts.loss, yt, this.model.apply(xt, { training: true }) as tf.Tensor), this.vars);
      return this.vars.map((v) => grads[v.name]!);
    });
    const local = localT.map((t) => t.dataSync() as Float32Array);
    tf.dispose(localT);
    const others = await Promise.all(pending);
    // Weighted mean: Σ size_i · g_i / n, in place in the local gradient arrays.
    const wLocal = m / n;
    return local.map((g, k) => {
      for (let j = 0; j < g.length; j++) g[j] = g[j]! * wLocal;
      for (const o of others) {
        const h = o.grads[k]!;
        const w = o.size / n;
        for (let j = 0; j < g.length; j++) g[j] = g[j]! + h[j]! * w;
      }
      return g;
    });
  }

  /** One optimizer step on the whole batch. */
  async step(x: Float32Array | Int32Array, xShape: number[], y: Float32Array, yShape: number[], xDtype: 'float32' | 'int32' = 'float32'): Promise<void> {
    const g = await this.gradients(x, xShape, y, yShape, xDtype);
    const named: Record<string, tf.Tensor> = {};
    this.vars.forEach((v, k) => { named[v.name] = tf.tensor(g[k]!, v.shape); });
    this.opts.optimizer.applyGradients(named);
    tf.dispose(Object.values(named));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.model.dispose();
  }
}
