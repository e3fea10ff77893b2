/**
 * A data-parallel replica (see replicas.ts): a worker thread with its own wasm backend and model
 * copy, working on the run's shared memory (shared.ts). Its loop: wait for the main thread to start
 * a step; if it takes part, load the shared weights, compute the gradient of its share into its slot
 * (share.ts, exactly as the main thread computes its own), meet the others at a barrier, sum its
 * chunk of the gradients, meet them again; repeat until told to quit. Nothing goes through messages
 * but the start-up handshake and a failure's message.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { tf } from '../tfjs';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { shareSavedTensorsOnWasm } from '../optim/overhead';
import { mulberry32 } from '../random';
import type { WasmBackend } from '../kernels/wasm-util';
import type { LoomDocument } from '../../../shared/document';
import type { ReplicaSpec } from './replicas';
import { computeShare, loadWeights, reduceChunk, type ShareModel } from './share';
import { abortAll, C, ParallelAbort, S, SharedMemory, StepSync } from './shared';
import { syncBatchNormalization, withBatchNormSync } from './sync-bn';

interface ReplicaData { spec: ReplicaSpec; rank: number; buffer: SharedArrayBuffer; layout: SharedMemory['layout'] }

async function main() {
  const { spec: s, rank, buffer, layout } = workerData as ReplicaData;
  const mem = new SharedMemory(buffer, layout);
  // Whatever ends this thread (an uncaught error, process.exit) releases the others' waits.
  process.on('exit', () => abortAll(mem, rank));
  const backend = await initBackend('wasm');
  shareSavedTensorsOnWasm();
  const model = compileModel(s.doc as LoomDocument, { seed: s.seed }).model;
  syncBatchNormalization(model);
  const share: ShareModel = {
    model, vars: model.trainableWeights.map((w) => w.read() as tf.Variable), spec: s.spec, wantAcc: s.wantAcc, wantMae: s.wantMae,
    inputShape: s.inputShape, inputDtype: s.inputDtype, outShape: s.outShape, rng: mulberry32(s.dropoutSeed),
  };
  const sync = new StepSync(mem, rank);
  parentPort!.postMessage({ ready: true, backend: backend.name });
  const crashAt = Number(process.env.LAYERLOOM_TEST_REPLICA_CRASH_AT ?? NaN); // tests: a replica dying mid-run
  let seen = 0;
  let steps = 0;
  for (;;) {
    // Wait for the next step (or quit / abort).
    while (Atomics.load(mem.ctrl, C.STEP) === seen) {
      if (Atomics.load(mem.ctrl, C.QUIT) || Atomics.load(mem.ctrl, C.ABORT)) return;
      Atomics.wait(mem.ctrl, C.STEP, seen, 1000);
    }
    seen = Atomics.load(mem.ctrl, C.STEP);
    sync.begin();
    const active = sync.participants;
    if (rank >= active) continue; // a batch too small to give this replica a share
    if (++steps === crashAt) process.exit(3);
    const t0 = performance.now();
    const n = Atomics.load(mem.ctrl, C.N);
    const [from, to] = SharedMemory.share(n, active, rank);
    const m = to - from;
    const xs = layout.sampleSize, ys = layout.targetSize;
    loadWeights(mem, share.vars);
    const values = withBatchNormSync(sync, () => computeShare(share, mem.x.subarray(from * xs, to * xs), mem.y.subarray(from * ys, to * ys), m, m / n, mem.grads[rank]!));
    mem.values.set([values[0]!, values[1] ?? 0, values[2] ?? 0, m], rank * 4);
    const t1 = performance.now();
    mem.addStat(rank, S.COMPUTE, t1 - t0);
    mem.addStat(rank, S.IDLE, sync.barrier());
    const t2 = performance.now();
    const [lo, hi] = mem.chunk(active, rank);
    reduceChunk(mem, active, lo, hi);
    const t3 = performance.now();
    mem.addStat(rank, S.AVERAGE, t3 - t2);
    mem.addStat(rank, S.IDLE, sync.barrier());
    mem.addStat(rank, S.STEPS, 1);
    if (steps === 1) {
      mem.stats[rank * S.SIZE + S.WASM_BYTES] = (backend.name === 'wasm' ? (tf.backend() as unknown as WasmBackend).wasm.HEAPU8.byteLength : 0);
      mem.stats[rank * S.SIZE + S.JS_HEAP_BYTES] = getHeapStatistics().used_heap_size;
    }
  }
}

main().catch((e) => {
  if (e instanceof ParallelAbort) return; // another participant failed or the run ended: it reports
  const { rank, buffer, layout } = workerData as ReplicaData;
  parentPort!.postMessage({ error: (e as Error).message });
  abortAll(new SharedMemory(buffer, layout), rank);
});
