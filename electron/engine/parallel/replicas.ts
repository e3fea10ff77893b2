/**
 * Data-parallel training over worker threads. The wasm backend computes on one thread, so every
 * extra core gets a replica: a worker thread with its own wasm backend and its own copy of the model
 * (replica-worker.ts). The main thread and the replicas share one SharedArrayBuffer (shared.ts): per
 * step the main thread puts the batch there and bumps the step counter; every participant computes
 * the gradient of its contiguous share into its slot, the participants meet at a barrier, each sums
 * one chunk of the parameters over all slots, they meet again, and the main thread applies the
 * optimizer once to the summed gradient and publishes the new weights (threads.ts, parallelStep).
 *
 *   const pool = await ReplicaPool.start(spec, layout, 3);   // 3 replicas + the main thread
 *   ... pool.memory (shared views), pool.sync (the main thread's barriers) ...
 *   await pool.dispose();
 *
 * A replica that crashes, exits or fails sets the abort flag, which releases every waiting
 * participant; the main thread's step then rejects with a message naming the thread (`failure`).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { LoomDocument } from '../../../shared/document';
import type { LossSpec } from '../losses';
import { abortAll, C, S, SharedMemory, StepSync, type SharedLayout } from './shared';

/** Per-step costs of the last data-parallel run, summed over its steps (bench/, docs/performance.md). */
export interface ParallelStats {
  participants: number;
  steps: number;
  /** Per participant (rank 0 = the main thread), milliseconds in all: the share's forward and backward pass, copying and summing gradients, waiting at barriers. */
  compute: number[];
  average: number[];
  idle: number[];
  /** Main thread only: the optimizer update and publishing the weights. */
  serial: number;
  replicas: ReplicaMemory[];
}

let last: ParallelStats | null = null;

/** The last disposed pool's statistics (null before the first data-parallel run). */
export function lastParallelStats(): ParallelStats | null {
  return last;
}

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

/** A replica's JavaScript heap limit: it holds the model's graph and per-step tensor objects, not data. */
export const REPLICA_JS_HEAP_MB = 512;

/**
 * How a worker thread starts. From TypeScript sources (tsx: tests, CLI, web mode) worker threads do
 * not inherit the loader, so the worker registers tsx's ESM hooks, then imports replica-worker.ts.
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

/** Memory a replica holds, measured after its first step. */
export interface ReplicaMemory { wasmHeapMB: number; jsHeapMB: number }

export class ReplicaPool {
  private failure: Error | null = null;
  private disposed = false;
  /** The main thread's (rank 0) barriers and all-reduces. */
  readonly sync: StepSync;

  private constructor(private readonly workers: Worker[], readonly memory: SharedMemory) {
    this.sync = new StepSync(memory, 0);
    workers.forEach((w, i) => {
      const fail = (why: string) => {
        if (this.disposed) return;
        this.failure ??= new Error(`training thread ${i + 1} ${why}`);
        abortAll(memory, i + 1);
      };
      w.on('message', (m: { error?: string }) => { if (m.error) fail(`failed: ${m.error}`); });
      w.on('error', (e) => fail(`crashed: ${e.message}`));
      w.on('exit', (code) => fail(`exited unexpectedly (code ${code})`));
    });
  }

  /** Number of replicas (worker threads). */
  get size(): number {
    return this.workers.length;
  }

  /** Why the pool stopped (a replica failed or exited), once known. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Each replica's memory after its first step (zeros before). */
  replicaMemory(): ReplicaMemory[] {
    return this.workers.map((_, i) => ({
      wasmHeapMB: this.memory.stat(i + 1, S.WASM_BYTES) / 2 ** 20,
      jsHeapMB: this.memory.stat(i + 1, S.JS_HEAP_BYTES) / 2 ** 20,
    }));
  }

  /** Start `n` replicas on fresh shared memory and wait until each has built its model on its own wasm backend. */
  static async start(spec: ReplicaSpec, layout: Omit<SharedLayout, 'participants'>, n: number): Promise<ReplicaPool> {
    const memory = SharedMemory.create({ ...layout, participants: n + 1 });
    const { src, evalCode } = workerEntry();
    const workers: Worker[] = [];
    try {
      await Promise.all(Array.from({ length: n }, (_, i) => new Promise<void>((resolve, reject) => {
        const w = new Worker(src, {
          eval: evalCode,
          workerData: { layerloomReplica: true, rank: i + 1, buffer: memory.buffer, layout: memory.layout, spec: { ...spec, dropoutSeed: spec.dropoutSeed + i } },
          resourceLimits: { maxOldGenerationSizeMb: REPLICA_JS_HEAP_MB },
        });
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
      Atomics.store(memory.ctrl, C.QUIT, 1);
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new ReplicaPool(workers, memory);
  }

  /** Per-step costs so far (see ParallelStats). */
  stats(): ParallelStats {
    const P = this.size + 1;
    const per = (k: number) => Array.from({ length: P }, (_, r) => this.memory.stat(r, k));
    return {
      participants: P, steps: this.memory.stat(0, S.STEPS), compute: per(S.COMPUTE), average: per(S.AVERAGE), idle: per(S.IDLE),
      serial: this.memory.stat(0, S.SERIAL), replicas: this.replicaMemory(),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    last = this.stats();
    const { ctrl } = this.memory;
    Atomics.store(ctrl, C.QUIT, 1);
    Atomics.notify(ctrl, C.STEP);
    Atomics.notify(ctrl, C.BARRIER);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
