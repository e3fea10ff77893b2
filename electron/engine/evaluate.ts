/**
 * After training: evaluation on the test split (loss, metrics, confusion matrix, per-class
 * precision/recall/F1, or predicted-vs-actual for regression) and prediction on given inputs.
 * Both take a run id (runs.ts) and return plain data.
 */
import type { Evaluation } from '../../shared/engine/events';
import { iterateBatches } from './data/batch';
import { normalizeInput } from './data/normalize';
import type { Dataset, Split } from './data/types';
import { correctPerSample, lossPerSample, maePerSample, toOutputs } from './losses';
import { getRun, inferenceOf, type TrainedRun } from './runs';
import { tf } from './tfjs';
import { targetTensor } from './train';
import type { Prediction } from './types';

/** At most this many points in a regression's predicted-vs-actual sample. */
export const REGRESSION_POINTS = 1000;

/** The run's dataset and split: kept from training, or reloaded from its record (and kept). */
export async function dataOf(run: TrainedRun, baseDir?: string): Promise<{ ds: Dataset; split: Split }> {
  if (run.dataset && run.split) return { ds: run.dataset, split: run.split };
  const cfg = run.record.dataset;
  if (!cfg) throw new Error(`Run "${run.runId}" has no dataset to evaluate on`);
  const { prepareData } = await import('./data');
  const p = await prepareData(cfg, { validationSplit: run.record.training.validationSplit, seed: run.record.seed, shuffle: run.record.training.shuffle }, {
    baseDir, inputShape: run.compiled.inputShapes[0],
  });
  run.dataset = p.dataset;
  run.split = p.split;
  return { ds: p.dataset, split: p.split };
}

export interface EvaluateOptions {
  /** Which split (default: test, or validation when the test split is empty). */
  split?: 'test' | 'validation' | 'train';
  /** The document's folder, to reload the data of a run loaded from disk. */
  baseDir?: string;
}

/** Evaluate a trained run on its test split. */
export async function evaluateRun(runId: string, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const run = getRun(runId);
  const { ds, split } = await dataOf(run, opts.baseDir);
  const which = opts.split ?? (split.test.length > 0 ? 'test' : 'validation');
  const indices = split[which];
  if (indices.length === 0) throw new Error(`The ${ds.name} data has no ${which} samples to evaluate on: set a test split in the dataset settings`);

  const { spec, compiled } = run;
  const infer = inferenceOf(run);
  const inputShape = compiled.inputShapes[0]!;
  const outShape = compiled.outputShapes[0]!;
  const classification = ds.task === 'classification' && !!ds.classes && spec.mode !== 'values';
  const metrics = run.record.training.metrics;
  const k = ds.classes?.length ?? 0;
  const confusion = classification ? Array.from({ length: k }, () => new Array<number>(k).fill(0)) : undefined;
  const predicted: number[] = [];
  const actual: number[] = [];
  let lossSum = 0, correctSum = 0, maeSum = 0, n = 0;

  for (const b of iterateBatches(ds, indices, { batchSize: 256, shuffle: false, normalization: run.normalization })) {
    const [loss, correct, mae, out] = tf.tidy(() => {
      const x = tf.tensor(b.x, [b.size, ...inputShape], compiled.inputDtypes[0]);
      const y = targetTensor(spec.mode, b.y, b.size, outShape, spec.classes);
      const pred = infer(x);
      return [
        tf.sum(lossPerSample(spec, y, pred)),
        classification ? tf.sum(correctPerSample(spec, y, pred)) : tf.scalar(0),
        tf.sum(maePerSample(spec, y, pred)),
        toOutputs(spec, pred),
      ];
    });
    lossSum += loss!.dataSync()[0]!;
    correctSum += correct!.dataSync()[0]!;
    maeSum += mae!.dataSync()[0]!;
    const values = out!.dataSync();
    const width = values.length / b.size;
    if (classification) {
      for (let i = 0; i < b.size; i++) {
        const truth = b.y[i]!;
        const guess = width === 1 ? (values[i]! > 0.5 ? 1 : 0) : argmax(values, i * width, width);
        confusion![truth]![guess]!++;
      }
    } else {
      for (let i = 0; i < b.size * width && predicted.length < REGRESSION_POINTS; i++) {
        predicted.push(values[i]!);
        actual.push(b.y[i]!);
      }
    }
    tf.dispose([loss!, correct!, mae!, out!]);
    n += b.size;
  }

  const logs: Record<string, number> = { loss: lossSum / n };
  if (classification && metrics.includes('accuracy')) logs.accuracy = correctSum / n;
  if (metrics.includes('mae')) logs.mae = maeSum / n;
  const ev: Evaluation = { runId, samples: n, logs };
  if (classification) {
    ev.classes = ds.classes;
    ev.confusion = confusion;
    ev.perClass = perClassScores(confusion!);
  } else {
    ev.regression = { predicted, actual };
  }
  return ev;
}

function argmax(v: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (v[offset + j]! > v[offset + best]!) best = j;
  return best;
}

/** Precision, recall, F1 and support per class from confusion[true][predicted]. */
export function perClassScores(confusion: number[][]): NonNullable<Evaluation['perClass']> {
  return confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedC = confusion.reduce((a, r) => a + r[c]!, 0);
    const precision = predictedC ? tp / predictedC : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/**
 * Predict on raw (un-normalised) inputs: one flat array of values per sample, in the Input's
 * shape order (channels-last). The run's data normalisation is applied first.
 */
export function predictRun(runId: string, inputs: number[][]): Prediction {
  const run = getRun(runId);
  const { compiled, spec } = run;
  const inputShape = compiled.inputShapes[0]!;
  const size = inputShape.reduce((a, b) => a * b, 1);
  inputs.forEach((s, i) => {
    if (s.length !== size) throw new Error(`Input ${i + 1} has ${s.length} values but the model's Input takes ${size} (shape [${inputShape.join(', ')}])`);
  });
  const int = compiled.inputDtypes[0] === 'int32';
  const flat = int ? Int32Array.from(inputs.flat()) : new Float32Array(inputs.length * size);
  if (!int) inputs.forEach((s, i) => flat.set(run.normalization ? normalizeInput(run.normalization, s) : s, i * size));
  const out = tf.tidy(() => toOutputs(spec, inferenceOf(run)(tf.tensor(flat, [inputs.length, ...inputShape], compiled.inputDtypes[0]))));
  const values = Array.from(out.dataSync());
  out.dispose();
  const outputShape = compiled.outputShapes[0]!;
  const width = outputShape.reduce((a, b) => a * b, 1);
  const outputs = inputs.map((_, i) => values.slice(i * width, (i + 1) * width));
  const p: Prediction = { outputs, outputShape };
  const classes = run.record.classes;
  if (classes && spec.mode !== 'values') {
    p.classes = classes;
    p.predicted = outputs.map((o) => (o.length === 1 ? (o[0]! > 0.5 ? 1 : 0) : argmax(o, 0, o.length)));
  }
  return p;
}

export interface CellSample {
  /** Index of the sample in the dataset. */
  index: number;
  /** Raw values (as loaded, before normalisation), row-major in `shape`. */
  values: number[];
  shape: number[];
  /** Class probabilities the model gave it. */
  probabilities: number[];
}

/**
 * The samples behind one confusion-matrix cell (true class `trueClass`, predicted `predictedClass`)
 * on the evaluated split, at most `limit`, in split order. For "open the misclassified samples".
 */
export async function confusionSamples(runId: string, cell: { trueClass: number; predictedClass: number; limit?: number; split?: EvaluateOptions['split']; baseDir?: string }): Promise<CellSample[]> {
  const run = getRun(runId);
  const { ds, split } = await dataOf(run, cell.baseDir);
  const which = cell.split ?? (split.test.length > 0 ? 'test' : 'validation');
  const limit = cell.limit ?? 24;
  const { compiled, spec } = run;
  const inputShape = compiled.inputShapes[0]!;
  const out: CellSample[] = [];
  for (const b of iterateBatches(ds, split[which], { batchSize: 256, shuffle: false, normalization: run.normalization })) {
    const probs = tf.tidy(() => toOutputs(spec, inferenceOf(run)(tf.tensor(b.x, [b.size, ...inputShape], compiled.inputDtypes[0]))));
    const v = probs.dataSync();
    probs.dispose();
    const width = v.length / b.size;
    for (let i = 0; i < b.size && out.length < limit; i++) {
      const guess = width === 1 ? (v[i]! > 0.5 ? 1 : 0) : argmax(v, i * width, width);
      if (b.y[i] !== cell.trueClass || guess !== cell.predictedClass) continue;
      const idx = b.indices[i]!;
      const p = Array.from(v.subarray(i * width, (i + 1) * width));
      out.push({
        index: idx,
        values: Array.from(ds.x.subarray(idx * ds.sampleSize, (idx + 1) * ds.sampleSize)),
        shape: [...ds.sampleShape],
        probabilities: width === 1 ? [1 - p[0]!, p[0]!] : p,
      });
    }
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Saliency map of one raw input: |d score(top class) / d input|, the maximum over channels for images
 * ([H, W, C] → [H, W]), scaled to [0, 1]. Token-id inputs have no gradient (an error says so).
 */
export function saliency(runId: string, input: number[]): { classIndex: number; shape: number[]; values: number[] } {
  const run = getRun(runId);
  const { compiled, spec } = run;
  if (compiled.inputDtypes[0] === 'int32') throw new Error('Saliency needs a numeric input; this model takes token ids');
  const inputShape = compiled.inputShapes[0]!;
  const x0 = run.normalization ? normalizeInput(run.normalization, input) : Float32Array.from(input);
  let classIndex = 0;
  const grad = tf.tidy(() => {
    const x = tf.tensor(x0, [1, ...inputShape]);
    const probs = toOutputs(spec, compiled.model.predict(x) as tf.Tensor);
    const flat = probs.dataSync();
    const top = flat.length === 1 ? 0 : argmax(flat, 0, flat.length);
    classIndex = top;
    const g = tf.grad((xi: tf.Tensor) => {
      const o = tf.reshape(compiled.model.apply(xi, { training: false }) as tf.Tensor, [-1]);
      return tf.sum(tf.slice(o, [top], [1]));
    })(x);
    let s = tf.abs(tf.reshape(g, inputShape));
    if (inputShape.length === 3) s = tf.max(s, 2);
    return tf.div(s, tf.maximum(tf.max(s), 1e-12));
  });
  const values = Array.from(grad.dataSync());
  const shape = [...grad.shape];
  grad.dispose();
  return { classIndex, shape, values };
}
