/**
 * Data-parallel training runs (training.threads): a 2-thread run matches the 1-thread run on the
 * same seed, reports its threads, stops mid-run, and a replica that dies fails the run with a clear
 * message; resolveThreads' rules.
 */
import type { TrainingConfig } from '../../shared/document';
import { TrainEventSchema, type EndEvent, type ErrorEvent, type StartEvent, type TrainEvent } from '../../shared/engine/events';
import { initBackend } from './backend';
import { computeNormalization } from './data/normalize';
import type { Dataset, PreparedData } from './data/types';
import { mulberry32 } from './random';
import { disposeRun, getRun } from './runs';
import { tf } from './tfjs';
import { AUTO_MIN_FLOPS, resolveThreads } from './threads';
import { startTraining } from './train';
import { tinyCnnDoc } from './kernels/test-backends';
import { evaluateRun } from './evaluate';
import { loadRun } from './persist';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOC = tinyCnnDoc(1);

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

async function run(runId: string, threads: TrainingConfig['threads'], extra: Partial<TrainingConfig> = {}, onEvent?: (e: TrainEvent, h: ReturnType<typeof startTraining>) => void, runDir?: string) {
  const events: TrainEvent[] = [];
  const h = startTraining({ runId, doc: DOC, data: data(), backend: 'wasm', overrides: { ...TRAINING, ...extra, threads }, ...(runDir ? { runDir } : {}) }, (e) => {
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

it('resolveThreads: auto only on wasm, multi-core, no non-trainable state, enough compute and batch', () => {
  const base = { backend: 'wasm' as const, cores: 2, batchSize: 64, flopsPerSample: AUTO_MIN_FLOPS, nonTrainableWeights: 0 };
  expect(resolveThreads(undefined, base)).toEqual({ threads: 2 });
  expect(resolveThreads('auto', base)).toEqual({ threads: 2 });
  expect(resolveThreads('auto', { ...base, cores: 1 })).toEqual({ threads: 1 });
  expect(resolveThreads('auto', { ...base, flopsPerSample: AUTO_MIN_FLOPS / 2 })).toEqual({ threads: 1 });
  expect(resolveThreads('auto', { ...base, backend: 'tensorflow' })).toEqual({ threads: 1 });
  expect(resolveThreads(1, base)).toEqual({ threads: 1 });
  // Explicit requests say why they were not honoured.
  expect(resolveThreads(2, { ...base, flopsPerSample: 10 })).toEqual({ threads: 2 });
  expect(resolveThreads(2, { ...base, nonTrainableWeights: 2 }).why).toMatch(/non-trainable state/);
  expect(resolveThreads(2, { ...base, backend: 'cpu' }).why).toMatch(/WebAssembly backend/);
  expect(resolveThreads(4, { ...base, batchSize: 20 })).toEqual({ threads: 2 });
  expect(resolveThreads(2, { ...base, batchSize: 10 }).why).toMatch(/batch size \(10\)/);
});
