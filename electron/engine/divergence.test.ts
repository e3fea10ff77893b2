import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type LoomDocument, type TrainingConfig } from '../../shared/document';
import { TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import { initBackend } from './backend';
import { computeNormalization } from './data/normalize';
import { splitDataset } from './data/split';
import type { Dataset, PreparedData } from './data/types';
import { DivergenceMonitor, divergenceMessage, FACTOR, WINDOW_BATCHES, type Divergence } from './divergence';
import { mulberry32 } from './random';
import { disposeRun } from './runs';
import { tf } from './tfjs';
import { startTraining } from './train';

/** Feed a loss series (one batch each) after a start loss; the first divergence and the batch (1-based) it fired at. */
function run(start: number, losses: number[], size = 64): { d: Divergence | null; at: number; peak: number } {
  const m = new DivergenceMonitor(start);
  for (let i = 0; i < losses.length; i++) {
    const d = m.add([losses[i]!], size);
    if (d) return { d, at: i + 1, peak: m.peakRatio };
  }
  return { d: null, at: 0, peak: m.peakRatio };
}

describe('DivergenceMonitor', () => {
  it('fires on a loss that saturates far above its start (the MNIST CNN at learning rate 100, measured)', () => {
    const { d, at } = run(2.3, [2.3, 14.1, 14.61, 15.36, 15.11, 14.36, 14.1, 13.85]);
    expect(at).toBe(WINDOW_BATCHES);
    expect(d).toMatchObject({ code: 'diverged', start: 2.3, recent: 14.61, window: WINDOW_BATCHES });
  });

  it('fires on an exploding series and on NaN/Inf (naming the metric)', () => {
    const e = run(1, Array.from({ length: 40 }, (_, i) => 1.3 ** i));
    expect(e.d?.code).toBe('diverged');
    expect(e.d!.recent! / e.d!.start!).toBeGreaterThan(FACTOR);
    expect(run(1, [1, 0.9, NaN]).d).toMatchObject({ code: 'nan', what: 'NaN', metric: 'loss' });
    expect(run(1, [1, Infinity]).d).toMatchObject({ code: 'nan', what: 'infinite' });
    const m = new DivergenceMonitor(1, ['loss', 'mae']);
    expect(m.add([1, 0.5], 8)).toBeNull();
    expect(m.add([1, NaN], 8)).toMatchObject({ code: 'nan', metric: 'mae' });
  });

  it('never fires on healthy series: decreasing, noisy, spiky, outliers, plateaued, zero, slowly rising', () => {
    const r = mulberry32(3);
    const series: [string, number, number[], number][] = [
      ['decreasing', 2.3, Array.from({ length: 500 }, (_, i) => 2.3 * Math.exp(-i / 60) + 0.05), 64],
      ['noisy', 2.3, Array.from({ length: 500 }, (_, i) => (2.3 * Math.exp(-i / 100) + 0.1) * (0.3 + 1.4 * r())), 32],
      // Single-sample batches of a squared error: per-sample losses vary a lot (chi-square-like).
      ['batch size 1', 1, Array.from({ length: 2000 }, () => (r() * 2 - 1) ** 2 * 3), 1],
      // Batches with a 20x spike now and then (Adam's jumps, a batch holding an outlier).
      ['spiky', 2.3, Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? 46 : 2.3 * Math.exp(-i / 80))), 64],
      ['plateau', 0.69, Array.from({ length: 300 }, () => 0.69 + (r() - 0.5) * 0.1), 16],
      ['zero', 0, Array.from({ length: 100 }, () => 0), 16],
      ['slow rise', 1, Array.from({ length: 300 }, (_, i) => 1 + i / 300), 64],
    ];
    for (const [name, start, losses, size] of series) {
      const { d, peak } = run(start, losses, size);
      expect(d, name).toBeNull();
      expect(peak, name).toBeLessThanOrEqual(FACTOR);
    }
  });

  it('waits for a window of batches and samples before judging', () => {
    // Four huge batches are not enough batches; five single-sample batches are not enough samples.
    expect(run(1, [50, 50, 50, 50], 64).d).toBeNull();
    expect(run(1, [50, 50, 50, 50, 50], 1).d).toBeNull();
    expect(run(1, Array.from({ length: 64 }, () => 50), 1).at).toBe(64);
  });
});

describe('divergenceMessage', () => {
  it('names the cause, where, and the fix with the run learning rate', () => {
    expect(divergenceMessage({ code: 'diverged', start: 2.302585, recent: 14.716, window: 5 }, { epoch: 1, batch: 6 }, 100))
      .toBe('The loss diverged at epoch 1, batch 6 (from 2.3 before training to 14.7 over the last 5 batches): lower the learning rate (now 100, e.g. to 10)');
    expect(divergenceMessage({ code: 'nan', what: 'NaN', metric: 'loss' }, { epoch: 2, batch: 3 }, 0.1))
      .toBe('The loss became NaN at epoch 2, batch 3: lower the learning rate (now 0.1, e.g. to 0.01), normalise the inputs, or check the data for invalid values');
    expect(divergenceMessage({ code: 'nan', what: 'infinite', metric: 'mae' }, { epoch: 1, batch: 1 }, 1)).toMatch(/^The mae became infinite at epoch 1, batch 1/);
    expect(divergenceMessage({ code: 'diverged', start: 0.5, recent: 3e12, window: 7 }, { epoch: 1, batch: 9 }, 0.5)).toMatch(/from 0\.5 before training to 3\.00e\+12 over the last 7 batches/);
  });
});

describe('training stops on a diverging loss (wasm, a real tiny model)', () => {
  // Four overlapping Gaussian blobs in 4-D; a small ReLU MLP with softmax and clipped cross-entropy.
  function blobs4(): PreparedData {
    const r = mulberry32(21);
    const n = 400;
    const x = new Float32Array(n * 4);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 4;
      for (let j = 0; j < 4; j++) x[i * 4 + j] = (j === y[i] ? 1 : 0) + (r() - 0.5) * 2;
    }
    const ds: Dataset = {
      name: 'blobs4', description: 'test data', task: 'classification', classes: ['a', 'b', 'c', 'd'], kind: 'tabular',
      x, dtype: 'float32', sampleShape: [4], sampleSize: 4, y, targetShape: [1], targetSize: 1, count: n,
      defaultNormalize: 'none', defaultTestSplit: 0.1,
    };
    const split = splitDataset(ds, { testSplit: 0.1, validationSplit: 0.1, seed: 1 });
    return { dataset: ds, split, normalization: computeNormalization(ds, split.train, 'none') };
  }
  const doc = (learningRate: number): LoomDocument => ({
    format: 'layerloom.model', version: 1, name: 'mlp',
    nodes: [
      { id: 'in', type: 'Input', params: { shape: [4] } },
      { id: 'hidden', type: 'Dense', params: { units: 32, activation: 'relu' } },
      { id: 'out', type: 'Dense', params: { units: 4, activation: 'softmax' } },
    ],
    edges: [{ from: 'in', to: 'hidden' }, { from: 'hidden', to: 'out' }],
    training: { optimizer: 'adam', learningRate, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 16, epochs: 3, seed: 7 } as TrainingConfig,
  });

  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('learning rate 100: a divergence error naming the loss rise and the learning rate, no NaN ever, no leaked tensors', async () => {
    const before = tf.memory().numTensors;
    const events: TrainEvent[] = [];
    const last = await startTraining({ runId: 'div-100', doc: doc(100), data: blobs4(), backend: 'wasm' }, (e) => events.push(TrainEventSchema.parse(e))).done;
    expect(last).toMatchObject({ type: 'error', code: 'diverged', epoch: 1 });
    if (last.type === 'error') {
      expect(last.message).toMatch(/^The loss diverged at epoch 1, batch \d+ \(from [\d.]+ before training to [\d.]+ over the last \d+ batches\): lower the learning rate \(now 100, e\.g\. to 10\)$/);
      const m = /from ([\d.]+) before training to ([\d.]+)/.exec(last.message)!;
      expect(Number(m[2])).toBeGreaterThan(3 * Number(m[1]));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same model at learning rate 0.01 trains to the end', async () => {
    const last = await startTraining({ runId: 'div-ok', doc: doc(0.01), data: blobs4(), backend: 'wasm' }, () => undefined).done;
    expect(last.type === 'error' ? last.message : last.type).toBe('end');
    if (last.type === 'end') expect(last.logs.val_accuracy).toBeGreaterThan(0.5);
    disposeRun('div-ok');
  });
});

describe('no false alarm: every template trains its first batches with its own settings (wasm)', () => {
  const dir = join(__dirname, '../../assets/templates');
  const templates = readdirSync(dir).filter((f) => f.endsWith('.loom') && f !== 'cifar-shape-mistake.loom').sort();
  // The early batches are where a healthy loss is closest to its start; record how close each run came.
  const peaks = new Map<string, number>();
  let current = '';
  const add = DivergenceMonitor.prototype.add;
  beforeAll(async () => {
    await initBackend('wasm');
    DivergenceMonitor.prototype.add = function (this: DivergenceMonitor, values, size) {
      const d = add.call(this, values, size);
      peaks.set(current, Math.max(peaks.get(current) ?? 0, this.peakRatio));
      return d;
    };
  });
  afterAll(() => {
    DivergenceMonitor.prototype.add = add;
  });

  it.each(templates)('%s', async (file) => {
    const r = parseDocument(readFileSync(join(dir, file), 'utf8'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const batches = 3 * WINDOW_BATCHES;
    const doc = { ...r.doc, dataset: { ...r.doc.dataset!, limit: batches * r.doc.training!.batchSize } };
    current = file;
    const last = await startTraining({ runId: `peak-${file}`, doc, baseDir: dir, backend: 'wasm', overrides: { epochs: 1, validationSplit: 0 } }, () => undefined).done;
    expect(last.type === 'error' ? last.message : last.type).toBe('end');
    expect(peaks.get(file)).toBeGreaterThan(0);
    expect(peaks.get(file)).toBeLessThan(1.5);
    disposeRun(`peak-${file}`);
  });
});
