import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoomDocument, TrainingConfig } from '../../shared/document';
import { EvaluationSchema, TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import { initBackend } from './backend';
import { computeNormalization } from './data/normalize';
import { splitDataset } from './data/split';
import type { Dataset, PreparedData } from './data/types';
import { confusionSamples, evaluateRun, predictRun, saliency } from './evaluate';
import { mulberry32 } from './random';
import { loadRun } from './persist';
import { disposeRun, getRun } from './runs';
import { tf } from './tfjs';
import { argmaxAccuracy, startTraining } from './train';
import { correctPerSample } from './losses';

type Node = LoomDocument['nodes'][number];

/** A chain model: Input → layers... */
function chain(input: Record<string, unknown>, layers: [string, Record<string, unknown>][], training: Partial<TrainingConfig>): LoomDocument {
  const nodes: Node[] = [{ id: 'in', type: 'Input', params: input }, ...layers.map(([type, params], i) => ({ id: `l${i}`, type, params }))];
  return {
    format: 'layerloom.model', version: 1, name: 'test', nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id })),
    training: training as TrainingConfig,
  };
}

function prepared(ds: Omit<Dataset, 'count' | 'sampleSize' | 'targetSize' | 'description' | 'defaultNormalize' | 'defaultTestSplit'>, opts: { test?: number; val?: number } = {}): PreparedData {
  const sampleSize = ds.sampleShape.reduce((a, b) => a * b, 1);
  const full: Dataset = {
    ...ds, description: 'test data', defaultNormalize: 'none', defaultTestSplit: opts.test ?? 0.2,
    sampleSize, targetSize: ds.targetShape.reduce((a, b) => a * b, 1), count: ds.x.length / sampleSize,
  };
  const split = splitDataset(full, { testSplit: opts.test ?? 0.2, validationSplit: opts.val ?? 0.2, seed: 1 });
  return { dataset: full, split, normalization: computeNormalization(full, split.train, 'none') };
}

/** y = 2x on x in [-1, 1]. */
function lineData(n = 200): PreparedData {
  const r = mulberry32(5);
  const x = Float32Array.from({ length: n }, () => r() * 2 - 1);
  return prepared({ name: 'line', task: 'regression', x, dtype: 'float32', sampleShape: [1], y: x.map((v) => 2 * v), targetShape: [1], kind: 'tabular' });
}

/** Two Gaussian blobs in 2-D. */
function blobs(n = 200): PreparedData {
  const r = mulberry32(9);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    x[2 * i] = (c ? 1.5 : -1.5) + (r() - 0.5);
    x[2 * i + 1] = (c ? -1 : 1) + (r() - 0.5);
  }
  return prepared({ name: 'blobs', task: 'classification', classes: ['a', 'b'], x, dtype: 'float32', sampleShape: [2], y, targetShape: [1], kind: 'tabular' });
}

/** Sequences of 6 steps; the class is the sign of the FIRST step (the rest is noise): needs memory. */
function firstSign(n = 320, steps = 6): PreparedData {
  const r = mulberry32(13);
  const x = new Float32Array(n * steps);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    x[i * steps] = c ? 1 : -1;
    for (let t = 1; t < steps; t++) x[i * steps + t] = r() * 2 - 1;
  }
  return prepared({ name: 'first-sign', task: 'classification', classes: ['neg', 'pos'], x, dtype: 'float32', sampleShape: [steps, 1], y, targetShape: [1], kind: 'sequence' });
}

async function train(doc: LoomDocument, data: PreparedData, runId: string, extra: { runDir?: string; onEvent?: (e: TrainEvent, h: ReturnType<typeof startTraining>) => void } = {}) {
  const events: TrainEvent[] = [];
  const h: ReturnType<typeof startTraining> = startTraining({ runId, doc, data, backend: 'wasm', runDir: extra.runDir }, (e) => {
    events.push(TrainEventSchema.parse(e));
    extra.onEvent?.(e, h);
  });
  const last = await h.done;
  return { events, last, h };
}

describe('training runs (wasm backend)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-train-'));
  beforeAll(async () => {
    const b = await initBackend('wasm');
    expect(b.name).toBe('wasm');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('linear regression recovers y = 2x (seed 2), events validate, no tensor leak', async () => {
    const doc = chain({ shape: [1] }, [['Dense', { units: 1 }]], {
      optimizer: 'sgd', learningRate: 0.1, loss: 'meanSquaredError', metrics: ['mae'], batchSize: 16, epochs: 25, seed: 2,
    } as TrainingConfig);
    const before = tf.memory().numTensors;
    const { events, last } = await train(doc, lineData(), 'line');
    expect(last.type).toBe('end');
    const start = events[0]!;
    expect(start.type).toBe('start');
    if (start.type === 'start') {
      expect(start.backend.name).toBe('wasm');
      expect(start.backend.reason).toMatch(/tfjs-node|requested/);
      expect(start.seed).toBe(2);
    }
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(25);
    const [kernel, bias] = getRun('line').compiled.model.getWeights().map((w) => w.dataSync()[0]!);
    expect(kernel).toBeCloseTo(2, 1);
    expect(Math.abs(bias!)).toBeLessThan(0.05);
    if (last.type === 'end') {
      expect(last.logs.loss).toBeLessThan(1e-3);
      expect(last.logs.val_mae).toBeLessThan(0.03);
      expect(last.logs.val_mae).toBeGreaterThan(0);
    }
    const ev = EvaluationSchema.parse(await evaluateRun('line'));
    expect(ev.regression!.predicted.length).toBe(ev.samples);
    expect(ev.logs.loss).toBeLessThan(1e-3);
    expect(predictRun('line', [[0.5]]).outputs[0]![0]).toBeCloseTo(1, 1);
    disposeRun('line');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed gives the same run; batch events are throttled', async () => {
    const doc = chain({ shape: [2] }, [['Dense', { units: 4, activation: 'relu' }], ['Dropout', { rate: 0.2 }], ['Dense', { units: 2, activation: 'softmax' }]], {
      optimizer: 'adam', learningRate: 0.01, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], batchSize: 8, epochs: 3, seed: 4,
    } as TrainingConfig);
    const a = await train(doc, blobs(), 'seed-a');
    const b = await train(doc, blobs(), 'seed-b');
    expect(a.last.type === 'end' && b.last.type === 'end').toBe(true);
    if (a.last.type === 'end' && b.last.type === 'end') expect(a.last.logs).toEqual(b.last.logs);
    const times = a.events.filter((e) => e.type === 'batch').map((e) => (e as { elapsedSec: number }).elapsedSec);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(0.095);
    disposeRun('seed-a');
    disposeRun('seed-b');
  });

  it('the fused Dense/loss/accuracy path (LAYERLOOM_FUSED_DENSE) gives the stock run within float rounding', async () => {
    const doc = chain({ shape: [2] }, [['Dense', { units: 5, activation: 'relu' }], ['Dense', { units: 3, activation: 'linear', useBias: false }], ['Dense', { units: 2, activation: 'softmax' }]], {
      optimizer: 'adam', learningRate: 0.02, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], batchSize: 7, epochs: 3, seed: 6,
    } as TrainingConfig);
    const run = async (v: string, id: string) => {
      process.env.LAYERLOOM_FUSED_DENSE = v;
      try {
        const r = await train(doc, blobs(), id);
        disposeRun(id);
        return r.events.filter((e) => e.type === 'epoch').map((e) => (e as { logs: Record<string, number> }).logs);
      } finally {
        delete process.env.LAYERLOOM_FUSED_DENSE;
      }
    };
    const stock = await run('0', 'fused-off');
    const fused = await run('1', 'fused-on');
    expect(fused).toHaveLength(3);
    fused.forEach((logs, e) => {
      expect(Object.keys(logs).sort()).toEqual(Object.keys(stock[e]!).sort());
      for (const [k, v] of Object.entries(logs)) expect(Math.abs(v - stock[e]![k]!), `epoch ${e + 1} ${k}`).toBeLessThan(1e-4);
    });
  });

  it('argmaxAccuracy equals the mean of correctPerSample (ties: first maximum; NaN rows)', () => {
    const n = 40, k = 4;
    const r = mulberry32(3);
    const pred = Float32Array.from({ length: n * k }, () => Math.round(r() * 4) / 4); // many ties
    pred[5] = NaN;
    const labels = Int32Array.from({ length: n }, () => Math.floor(r() * k));
    const spec = { loss: 'categoricalCrossentropy', mode: 'onehot', fromLogits: false, classes: k } as const;
    const ref = tf.tidy(() => tf.mean(correctPerSample(spec, tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), k), 'float32'), tf.tensor2d(pred, [n, k]))).dataSync()[0]!);
    expect(argmaxAccuracy(pred, labels, n)).toBe(ref);
    expect(ref).toBeGreaterThan(0);
  });

  it('classification: accuracy, evaluation with a confusion matrix, predict, save and load', async () => {
    const doc = chain({ shape: [2] }, [['Dense', { units: 2, activation: 'softmax' }]], {
      optimizer: 'adam', learningRate: 0.05, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 16, epochs: 15, seed: 1,
    } as TrainingConfig);
    const out = join(tmp, 'blobs.runs', 'r1');
    const { last } = await train(doc, blobs(), 'blobs', { runDir: out });
    expect(last.type).toBe('end');
    if (last.type === 'end') {
      expect(last.logs.val_accuracy).toBeGreaterThan(0.9);
      expect(last.weightsPath).toBe(out);
    }
    for (const f of ['model.json', 'weights.bin', 'run.json']) expect(existsSync(join(out, f))).toBe(true);
    const ev = EvaluationSchema.parse(await evaluateRun('blobs'));
    expect(ev.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(ev.samples);
    expect(ev.logs.accuracy).toBeGreaterThan(0.9);
    expect(ev.perClass).toHaveLength(2);
    expect(ev.perClass![0]!.f1).toBeGreaterThan(0.8);
    const p = predictRun('blobs', [[-1.5, 1], [1.5, -1]]);
    expect(p.predicted).toEqual([0, 1]);
    expect(p.outputs[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    // Confusion cells list their samples; the diagonal cell of class 0 holds every correct class-0 sample.
    const cell = await confusionSamples('blobs', { trueClass: 0, predictedClass: 0, limit: 1000 });
    expect(cell.length).toBe(ev.confusion![0]![0]);
    expect(cell[0]!.probabilities[0]).toBeGreaterThan(0.5);
    const sal = saliency('blobs', [-1.5, 1]);
    expect(sal.classIndex).toBe(0);
    expect(sal.shape).toEqual([2]);
    expect(Math.max(...sal.values)).toBeCloseTo(1, 5);

    const rec = await loadRun(out, 'blobs-loaded');
    expect(rec.classes).toEqual(['a', 'b']);
    const q = predictRun('blobs-loaded', [[-1.5, 1], [1.5, -1]]);
    expect(q.outputs).toEqual(p.outputs);
    disposeRun('blobs');
    disposeRun('blobs-loaded');
  });

  it.each(['LSTM', 'GRU'])('%s learns a toy sequence task', async (cell) => {
    const doc = chain({ shape: [6, 1] }, [[cell, { units: 8 }], ['Dense', { units: 2, activation: 'softmax' }]], {
      optimizer: 'adam', learningRate: 0.02, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], batchSize: 32, epochs: 12, seed: 3,
    } as TrainingConfig);
    const { last } = await train(doc, firstSign(), cell);
    expect(last.type).toBe('end');
    if (last.type === 'end') expect(last.logs.val_accuracy).toBeGreaterThan(0.9);
    disposeRun(cell);
  });

  it('a Transformer block trains without error', async () => {
    const doc = chain({ shape: [6, 1] }, [
      ['Dense', { units: 8 }], ['PositionalEmbedding', { sequenceLength: 6 }],
      ['TransformerEncoder', { numHeads: 2, intermediateDim: 16, dropout: 0.1 }],
      ['GlobalAveragePooling1D', {}], ['Dense', { units: 2, activation: 'softmax' }],
    ], { optimizer: 'adam', learningRate: 0.01, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], batchSize: 32, epochs: 4, seed: 5 } as TrainingConfig);
    const { events, last } = await train(doc, firstSign(), 'tf');
    expect(last.type).toBe('end');
    const epochs = events.filter((e) => e.type === 'epoch') as { logs: Record<string, number> }[];
    expect(epochs).toHaveLength(4);
    expect(epochs[3]!.logs.loss).toBeLessThan(epochs[0]!.logs.loss!);
    disposeRun('tf');
  });

  it('pause, resume and stop between batches', async () => {
    const doc = chain({ shape: [2] }, [['Dense', { units: 2, activation: 'softmax' }]], {
      loss: 'sparseCategoricalCrossentropy', batchSize: 4, epochs: 1000, seed: 1,
    } as TrainingConfig);
    let paused = false;
    const { events, last } = await train(doc, blobs(), 'ctl', {
      onEvent: (e, h) => {
        if (e.type === 'epoch' && e.epoch === 1 && !paused) {
          paused = true;
          h.pause();
          setTimeout(() => h.resume(), 150);
        }
        if (e.type === 'epoch' && e.epoch === 3) h.stop();
      },
    });
    const types = events.map((e) => e.type);
    expect(types).toContain('paused');
    expect(types.indexOf('resumed')).toBeGreaterThan(types.indexOf('paused'));
    expect(last.type).toBe('end');
    if (last.type === 'end') {
      expect(last.reason).toBe('stopped');
      expect(last.epochsCompleted).toBe(3);
    }
    disposeRun('ctl');
  });

  it('a run stopped before its first batch ends as stopped with no epochs', async () => {
    const doc = chain({ shape: [2] }, [['Dense', { units: 2, activation: 'softmax' }]], { loss: 'sparseCategoricalCrossentropy', epochs: 5 } as TrainingConfig);
    const events: TrainEvent[] = [];
    const h = startTraining({ runId: 'early-stop', doc, data: blobs(), backend: 'wasm' }, (e) => events.push(e));
    h.stop();
    const last = await h.done;
    expect(last).toMatchObject({ type: 'end', reason: 'stopped', epochsCompleted: 0 });
    expect(events.map((e) => e.type)).toEqual(['start', 'end']);
    disposeRun('early-stop');
  });

  it('early stopping restores the best epoch', async () => {
    const doc = chain({ shape: [2] }, [['Dense', { units: 2, activation: 'softmax' }]], {
      loss: 'sparseCategoricalCrossentropy', batchSize: 16, epochs: 20, seed: 1,
      earlyStopping: { monitor: 'val_loss', patience: 1, minDelta: 1e6, restoreBestWeights: true },
    } as TrainingConfig);
    const { events, last } = await train(doc, blobs(), 'es');
    expect(last.type).toBe('end');
    const epochs = events.filter((e) => e.type === 'epoch') as { logs: Record<string, number> }[];
    expect(epochs).toHaveLength(3);
    if (last.type === 'end') {
      expect(last.reason).toBe('earlyStopped');
      expect(last.logs).toEqual(epochs[0]!.logs);
    }
    disposeRun('es');
  });

  it('CNN (conv, batch norm, pooling, dropout) and embedding runs leak no tensors on wasm', async () => {
    const r = mulberry32(21);
    const n = 64;
    const img = Float32Array.from({ length: n * 64 }, () => r());
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const images = prepared({ name: 'noise', task: 'classification', classes: ['a', 'b'], x: img, dtype: 'float32', sampleShape: [8, 8, 1], y: labels, targetShape: [1], kind: 'image' });
    const tokens = Int32Array.from({ length: n * 5 }, () => Math.floor(r() * 11));
    const text = prepared({ name: 'tokens', task: 'classification', classes: ['a', 'b'], x: tokens, dtype: 'int32', sampleShape: [5], y: labels, targetShape: [1], kind: 'tokens' });
    const cnn = chain({ shape: [8, 8, 1] }, [
      ['Conv2D', { filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }], ['BatchNormalization', {}],
      ['MaxPooling2D', { poolSize: 2 }], ['Flatten', {}], ['Dropout', { rate: 0.3 }], ['Dense', { units: 2, activation: 'softmax' }],
    ], { loss: 'categoricalCrossentropy', batchSize: 16, epochs: 2, seed: 1 } as TrainingConfig);
    const emb = chain({ shape: [5], dtype: 'int32' }, [
      ['Embedding', { inputDim: 11, outputDim: 4 }], ['GlobalAveragePooling1D', {}], ['Dense', { units: 2, activation: 'softmax' }],
    ], { loss: 'sparseCategoricalCrossentropy', batchSize: 16, epochs: 2, seed: 1 } as TrainingConfig);
    await train(cnn, images, 'warm');
    disposeRun('warm');
    const before = tf.memory().numTensors;
    for (const [doc, data, id] of [[cnn, images, 'cnn'], [emb, text, 'emb']] as const) {
      const { last } = await train(doc, data, id);
      expect(last.type === 'error' ? last.message : last.type).toBe('end');
      await evaluateRun(id);
      disposeRun(id);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a diverging run stops with a NaN message naming the batch, without leaking tensors', async () => {
    const r = mulberry32(1);
    const x = Float32Array.from({ length: 64 }, () => r() * 1000);
    const data = prepared({ name: 'big', task: 'regression', x, dtype: 'float32', sampleShape: [1], y: x.map((v) => v * 3), targetShape: [1], kind: 'tabular' });
    const doc = chain({ shape: [1] }, [['Dense', { units: 1 }]], { optimizer: 'sgd', learningRate: 1000, loss: 'meanSquaredError', batchSize: 8, epochs: 5, seed: 1 } as TrainingConfig);
    const before = tf.memory().numTensors;
    const { last } = await train(doc, data, 'nan');
    expect(last.type).toBe('error');
    if (last.type === 'error') {
      expect(last.code).toBe('nan');
      expect(last.message).toMatch(/epoch 1, batch \d+: lower the learning rate/);
      expect(last.batch).toBeGreaterThanOrEqual(1);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a validation loss that overflows stops the run with a NaN message (non-finite numbers are never emitted)', async () => {
    // Training samples are ordinary; the validation samples are so large that MSE overflows float32.
    const x = Float32Array.from({ length: 64 }, (_, i) => (i < 48 ? i / 48 : 1e25));
    const data = prepared({ name: 'overflow', task: 'regression', x, dtype: 'float32', sampleShape: [1], y: x.map((v) => v * 2), targetShape: [1], kind: 'tabular' });
    data.split = { train: Int32Array.from({ length: 48 }, (_, i) => i), validation: Int32Array.from({ length: 16 }, (_, i) => 48 + i), test: new Int32Array(0) };
    const doc = chain({ shape: [1] }, [['Dense', { units: 1 }]], { optimizer: 'sgd', learningRate: 0.01, loss: 'meanSquaredError', batchSize: 16, epochs: 3, seed: 1 } as TrainingConfig);
    const { events, last } = await train(doc, data, 'val-overflow');
    for (const e of events) expect(TrainEventSchema.safeParse(e).success).toBe(true);
    expect(last).toMatchObject({ type: 'error', code: 'nan', epoch: 1 });
    if (last.type === 'error') expect(last.message).toMatch(/validation loss became (infinite|NaN) at epoch 1: lower the learning rate/);
  });

  it('data that does not fit the model is a data error naming the node', async () => {
    const doc = chain({ shape: [3] }, [['Dense', { units: 2, activation: 'softmax' }]], { loss: 'sparseCategoricalCrossentropy', epochs: 1 } as TrainingConfig);
    const { last } = await train(doc, blobs(), 'shape');
    expect(last).toMatchObject({ type: 'error', code: 'data', nodeId: 'in' });
    const doc2 = chain({ shape: [2] }, [['Dense', { units: 3, activation: 'softmax' }]], { loss: 'sparseCategoricalCrossentropy', epochs: 1 } as TrainingConfig);
    const r2 = await train(doc2, blobs(), 'units');
    expect(r2.last).toMatchObject({ type: 'error', code: 'data', nodeId: 'l0' });
    if (r2.last.type === 'error') expect(r2.last.message).toMatch(/2 classes/);
    const bad = chain({ shape: [2] }, [['Dense', { units: 0 }]], {} as TrainingConfig);
    const r3 = await train(bad, blobs(), 'model');
    expect(r3.last).toMatchObject({ type: 'error', code: 'model', nodeId: 'l0' });
    const nothing = chain({ shape: [2] }, [['Activation', { activation: 'softmax' }]], { loss: 'sparseCategoricalCrossentropy', epochs: 1 } as TrainingConfig);
    const r4 = await train(nothing, blobs(), 'nothing');
    expect(r4.last).toMatchObject({ type: 'error', code: 'model' });
    if (r4.last.type === 'error') expect(r4.last.message).toMatch(/no trainable parameters/);
  });

  it('binaryCrossentropy on numeric targets outside [0, 1] is a data error (it would train to a negative loss)', async () => {
    const doc = chain({ shape: [1] }, [['Dense', { units: 1, activation: 'sigmoid' }]], { loss: 'binaryCrossentropy', epochs: 1 } as TrainingConfig);
    const { last } = await train(doc, lineData(), 'bce-numeric');
    expect(last).toMatchObject({ type: 'error', code: 'data', nodeId: 'l0' });
    if (last.type === 'error') expect(last.message).toMatch(/binaryCrossentropy needs targets between 0 and 1, but the .* targets range from -?[\d.]+ to [\d.]+: use meanSquaredError/);
  });
});
