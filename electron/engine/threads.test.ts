/**
 * Data-parallel training runs (training.threads, shared-memory replicas): a 2-thread run and a
 * 4-thread run with BatchNormalization (synchronised statistics) match the 1-thread run on the same
 * seed, report their threads and replica memory, stop mid-run, and a replica that dies fails the run
 * with a clear message; resolveThreads' rules.
 */
import type { TrainingConfig } from '../../shared/document';
import { TrainEventSchema, type EndEvent, type ErrorEvent, type StartEvent, type TrainEvent } from '../../shared/engine/events';
import { initBackend } from './backend';
import { computeNormalization } from './data/normalize';
import type { Dataset, PreparedData } from './data/types';
import { mulberry32 } from './random';
import { disposeRun, getRun } from './runs';
import { tf } from './tfjs';
import { AUTO_MIN_SHARE_FLOPS, resolveThreads } from './threads';
import { lastParallelStats } from './parallel/replicas';
import type { LoomDocument } from '../../shared/document';
import { startTraining } from './train';
import { tinyCnnDoc } from './kernels/test-backends';
import { evaluateRun } from './evaluate';
import { loadRun } from './persist';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOC = tinyCnnDoc(1);
/**
 * 4 threads with BatchNormalization against 1 thread: logs, and every weight (moving statistics
 * included) after 6 Adam steps at lr 0.01. Measured: weights ≤ 6e-7 apart, logs ≤ 2e-7; with
 * per-share statistics instead (the control) weights 1.4e-2 apart.
 */
const BN_LOG_TOL = 1e-5;
const BN_WEIGHT_TOL = 1e-5;

/** Three classes of 8×8 images: a bright row, column or diagonal, plus noise. */
function data(n = 150): PreparedData {
  const r = mulberry32(4);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    const k = Math.floor(r() * 8);
    for (let p = 0; p < 64; p++) {
      const row = p >> 3, col = p & 7;
      const on = c === 0 ? row === k : c === 1 ? col === k : row === col;
      x[i * 64 + p] = (on ? 1 : 0) + 0.2 * r();
    }
  }
  const ds: Dataset = {
    name: 'lines', description: 'test data', task: 'classification', count: n, x, dtype: 'float32', sampleShape: [8, 8, 1], sampleSize: 64,
    y, targetShape: [1], targetSize: 1, classes: ['row', 'col', 'diag'], kind: 'image', defaultNormalize: 'none', defaultTestSplit: 0,
  };
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const split = { train: idx.subarray(0, 120), validation: idx.subarray(120), test: new Int32Array(0) };
  return { dataset: ds, split, normalization: computeNormalization(ds, split.train, 'none') };
}

const TRAINING: Partial<TrainingConfig> = { epochs: 2, batchSize: 20, optimizer: 'adam', learningRate: 0.01, seed: 11, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] };

async function run(runId: string, threads: TrainingConfig['threads'], extra: Partial<TrainingConfig> = {}, onEvent?: (e: TrainEvent, h: ReturnType<typeof startTraining>) => void, runDir?: string, doc: LoomDocument = DOC) {
  const events: TrainEvent[] = [];
  const h = startTraining({ runId, doc, data: data(), backend: 'wasm', overrides: { ...TRAINING, ...extra, threads }, ...(runDir ? { runDir } : {}) }, (e) => {
    events.push(e);
    onEvent?.(e, h);
  });
  const last = await h.done;
  for (const e of events) expect(() => TrainEventSchema.parse(e)).not.toThrow();
  return { last, events, start: events.find((e): e is StartEvent => e.type === 'start') };
}

beforeAll(async () => {
  await initBackend('wasm');
});

it('a 2-thread run matches the 1-thread run on the same seed and reports its threads', async () => {
  const before = tf.memory().numTensors;
  const one = await run('t1', 1);
  const two = await run('t2', 2);
  expect(one.last.type, JSON.stringify(one.last)).toBe('end');
  expect(two.last.type, JSON.stringify(two.last)).toBe('end');
  expect(one.start!.backend.threads).toBe(1);
  expect(two.start!.backend.threads).toBe(2);
  expect(getRun('t2')!.record.backend.threads).toBe(2);
  const a = (one.last as EndEvent).logs;
  const b = (two.last as EndEvent).logs;
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) expect(Math.abs(a[k]! - b[k]!), k).toBeLessThan(1e-3);
  // It learned something (a broken gradient average would not).
  expect(a.loss).toBeLessThan(1.0);
  const wa = getRun('t1')!.compiled.model.getWeights().map((w) => w.dataSync());
  const wb = getRun('t2')!.compiled.model.getWeights().map((w) => w.dataSync());
  wa.forEach((w, k) => {
    let worst = 0;
    for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(w[j]! - wb[k]![j]!));
    expect(worst, `weights ${k} after 12 Adam steps`).toBeLessThan(1e-3);
  });
  disposeRun('t1');
  disposeRun('t2');
  expect(tf.memory().numTensors).toBe(before);
}, 180_000);

/** tinyCnnDoc with BatchNormalization after the convolution (its statistics are synchronised across threads). */
const BN_DOC: LoomDocument = {
  ...DOC, name: 'tiny-bn',
  nodes: [...DOC.nodes.slice(0, 2), { id: 'bn', type: 'BatchNormalization', params: {} }, ...DOC.nodes.slice(2)],
  edges: [{ from: 'in', to: 'conv' }, { from: 'conv', to: 'bn' }, { from: 'bn', to: 'pool' }, ...DOC.edges.slice(2)],
};

/** Largest difference of each weight array (trainable and moving statistics) of two kept runs. */
function weightDiffs(a: string, b: string): number[] {
  const wa = getRun(a)!.compiled.model.getWeights().map((w) => w.dataSync());
  const wb = getRun(b)!.compiled.model.getWeights().map((w) => w.dataSync());
  return wa.map((w, k) => {
    let worst = 0;
    for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(w[j]! - wb[k]![j]!));
    return worst;
  });
}

it('with BatchNormalization, 4 threads (4 model replicas: the main thread and 3 workers) match 1 thread: synchronised batch statistics', async () => {
  // Batches of 40: four shares of 10. 2 epochs of 3 batches, Adam 0.01.
  const extra = { batchSize: 40 };
  const one = await run('bn1', 1, extra, undefined, undefined, BN_DOC);
  const four = await run('bn4', 4, extra, undefined, undefined, BN_DOC);
  expect(one.last.type, JSON.stringify(one.last)).toBe('end');
  expect(four.last.type, JSON.stringify(four.last)).toBe('end');
  expect(four.start!.backend.threads).toBe(4);
  expect(four.start!.backend.reason).toMatch(/data-parallel over 4 threads, about [\d.]+ MiB per replica thread/);
  const stats = lastParallelStats()!;
  expect(stats.participants).toBe(4);
  expect(stats.steps).toBe(6);
  for (const r of stats.replicas) expect(r.wasmHeapMB).toBeGreaterThan(1); // measured after the first step
  const a = (one.last as EndEvent).logs, b = (four.last as EndEvent).logs;
  for (const k of Object.keys(a)) expect(Math.abs(a[k]! - b[k]!), k).toBeLessThan(BN_LOG_TOL);
  // conv kernel, conv bias, gamma, beta, moving mean, moving variance, dense kernel, dense bias
  const diffs = weightDiffs('bn1', 'bn4');
  expect(diffs.length).toBe(8);
  diffs.forEach((d, k) => expect(d, `weights ${k}`).toBeLessThan(BN_WEIGHT_TOL));
  // Control: per-share statistics (LAYERLOOM_SYNC_BN=off) train a different model, by far more than the tolerance.
  process.env.LAYERLOOM_SYNC_BN = 'off';
  try {
    const unsynced = await run('bn4u', 4, extra, undefined, undefined, BN_DOC);
    expect(unsynced.last.type).toBe('end');
    expect(Math.max(...weightDiffs('bn1', 'bn4u'))).toBeGreaterThan(100 * BN_WEIGHT_TOL);
  } finally {
    delete process.env.LAYERLOOM_SYNC_BN;
  }
  for (const id of ['bn1', 'bn4', 'bn4u']) disposeRun(id);
}, 300_000);

it('stops mid-run with 2 threads and keeps the weights', async () => {
  let batches = 0;
  const r = await run('t-stop', 2, { epochs: 5 }, (e, h) => {
    if (e.type === 'batch' && ++batches === 1) h.stop();
  });
  expect(r.last.type).toBe('end');
  expect((r.last as EndEvent).reason).toBe('stopped');
  expect((r.last as EndEvent).epochsCompleted).toBeLessThan(5);
  expect(getRun('t-stop')).toBeTruthy();
  disposeRun('t-stop');
}, 180_000);

it('with 2 threads: early stopping, saving, evaluation and the divergence stop still work', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-threads-'));
  try {
    const r = await run('t-es', 2, { epochs: 30, earlyStopping: { monitor: 'val_loss', patience: 0, minDelta: 0.5, restoreBestWeights: true } }, undefined, dir);
    expect(r.last.type, JSON.stringify(r.last)).toBe('end');
    // minDelta 0.5 from a start near ln 3 ≈ 1.1: at most two more improvements, then it must stop.
    expect((r.last as EndEvent).reason).toBe('earlyStopped');
    expect(r.events.filter((e) => e.type === 'epoch').length).toBeLessThanOrEqual(4);
    const ev = await evaluateRun('t-es', { split: 'validation' });
    expect(ev.confusion).toBeDefined();
    disposeRun('t-es');
    const record = await loadRun(dir, 't-es-loaded'); // the saved weights load back
    expect(record.backend.threads).toBe(2);
    disposeRun('t-es-loaded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bad = await run('t-div', 2, { learningRate: 100 });
  expect(bad.last.type).toBe('error');
  expect(['diverged', 'nan']).toContain((bad.last as ErrorEvent).code);
}, 180_000);

it('a training thread that dies fails the run with a clear message', async () => {
  process.env.LAYERLOOM_TEST_REPLICA_CRASH_AT = '3';
  try {
    const r = await run('t-crash', 2);
    expect(r.last.type).toBe('error');
    const err = r.last as ErrorEvent;
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/training thread 1 exited unexpectedly.*threads to 1/);
  } finally {
    delete process.env.LAYERLOOM_TEST_REPLICA_CRASH_AT;
  }
}, 180_000);

it('resolveThreads: auto uses every core the batch, the compute per share and memory allow, on wasm', () => {
  const base = { backend: 'wasm' as const, cores: 2, batchSize: 64, flopsPerSample: AUTO_MIN_SHARE_FLOPS / 8, unsyncedState: 0 };
  expect(resolveThreads(undefined, base)).toEqual({ threads: 2 });
  expect(resolveThreads('auto', base)).toEqual({ threads: 2 });
  expect(resolveThreads('auto', { ...base, cores: 1 })).toEqual({ threads: 1 });
  // 16 cores: at most 64 / 8 = 8 shares; and each share needs AUTO_MIN_SHARE_FLOPS of work.
  expect(resolveThreads('auto', { ...base, cores: 16 })).toEqual({ threads: 8 });
  expect(resolveThreads('auto', { ...base, cores: 16, flopsPerSample: AUTO_MIN_SHARE_FLOPS / 16 })).toEqual({ threads: 4 });
  expect(resolveThreads('auto', { ...base, cores: 16, batchSize: 512 })).toEqual({ threads: 16 });
  expect(resolveThreads('auto', { ...base, flopsPerSample: AUTO_MIN_SHARE_FLOPS / 128 })).toEqual({ threads: 1 });
  expect(resolveThreads('auto', { ...base, backend: 'tensorflow' })).toEqual({ threads: 1 });
  expect(resolveThreads(1, base)).toEqual({ threads: 1 });
  // Memory: 3 replicas of 100 bytes fit in 300, 7 do not.
  const mem = { replicaBytes: () => 100, memoryBudget: 300 };
  expect(resolveThreads('auto', { ...base, cores: 8, ...mem })).toEqual({ threads: 4 });
  expect(resolveThreads(8, { ...base, cores: 8, ...mem })).toEqual({ threads: 4, why: expect.stringMatching(/^8 threads requested, training on 4: each thread needs about/) });
  expect(resolveThreads(2, { ...base, replicaBytes: () => 100, memoryBudget: 50 }).why).toMatch(/training on 1: each thread needs about 100 B/);
  // Explicit requests say why they were not honoured; BatchNormalization is allowed (synchronised).
  expect(resolveThreads(2, { ...base, flopsPerSample: 10 })).toEqual({ threads: 2 });
  expect(resolveThreads(2, { ...base, unsyncedState: 2 }).why).toMatch(/non-trainable state other than BatchNormalization/);
  expect(resolveThreads(2, { ...base, backend: 'cpu' }).why).toMatch(/WebAssembly backend/);
  expect(resolveThreads(4, { ...base, batchSize: 20 })).toEqual({ threads: 2 });
  expect(resolveThreads(2, { ...base, batchSize: 10 }).why).toMatch(/batch size \(10\)/);
});
