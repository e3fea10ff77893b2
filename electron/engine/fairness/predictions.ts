/**
 * A trained run's predictions on one of its splits, sample by sample, the way Evaluate makes them
 * (same batches, normalisation and decision rule: probability > 0.5 for one sigmoid output, the
 * largest output otherwise).
 */
import { checkpoint, type JobControl } from '../../../shared/engine/job';
import { iterateBatches } from '../data/batch';
import type { Dataset } from '../data/types';
import { dataOf } from '../evaluate';
import { toOutputs } from '../losses';
import type { TrainedRun } from '../runs';
import { tf } from '../tfjs';

export interface SplitPredictions {
  ds: Dataset;
  /** Dataset sample indices, in split order. */
  indices: Int32Array;
  classification: boolean;
  /** Classification: true and predicted class ids. Regression: targets and outputs, `width` per sample. */
  yTrue: Float64Array;
  yPred: Float64Array;
  width: number;
  /** Classification: each sample's class probabilities (k per sample; [1 − p, p] for one sigmoid output). */
  probabilities?: Float64Array;
}

function argmax(v: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (v[offset + j]! > v[offset + best]!) best = j;
  return best;
}

/** Predict every sample of the run's `which` split (progress per batch; cancelable between batches). */
export async function predictSplit(run: TrainedRun, which: 'test' | 'validation' | 'train', baseDir?: string, control: JobControl = {}): Promise<SplitPredictions> {
  const { ds, split } = await dataOf(run, baseDir);
  const indices = split[which];
  if (indices.length === 0) throw new Error(`The ${ds.name} data has no ${which} samples: set a ${which === 'test' ? 'test split in the dataset settings' : 'validation split in the training settings'}`);
  const { compiled, spec } = run;
  const inputShape = compiled.inputShapes[0]!;
  const classification = ds.task === 'classification' && !!ds.classes && spec.mode !== 'values';
  const k = ds.classes?.length ?? 0;
  const width = classification ? 1 : ds.targetSize;
  const yTrue = new Float64Array(indices.length * width);
  const yPred = new Float64Array(indices.length * width);
  const probabilities = classification ? new Float64Array(indices.length * k) : undefined;
  let o = 0;
  for (const b of iterateBatches(ds, indices, { batchSize: 256, shuffle: false, normalization: run.normalization })) {
    await checkpoint(control);
    const out = tf.tidy(() => toOutputs(spec, compiled.model.apply(tf.tensor(b.x, [b.size, ...inputShape], compiled.inputDtypes[0]), { training: false }) as tf.Tensor));
    const v = out.dataSync();
    out.dispose();
    const w = v.length / b.size;
    if (!classification && w !== width) throw new Error(`The model gives ${w} values per sample but the ${ds.name} targets have ${width}`);
    for (let i = 0; i < b.size; i++, o++) {
      if (classification) {
        yTrue[o] = b.y[i]!;
        if (w === 1) {
          probabilities![o * k] = 1 - v[i]!;
          probabilities![o * k + 1] = v[i]!;
          yPred[o] = v[i]! > 0.5 ? 1 : 0;
        } else {
          for (let c = 0; c < k; c++) probabilities![o * k + c] = v[i * w + c]!;
          yPred[o] = argmax(v, i * w, w);
        }
      } else {
        for (let j = 0; j < width; j++) {
          yTrue[o * width + j] = b.y[i * width + j]!;
          yPred[o * width + j] = v[i * w + j]!;
        }
      }
    }
    control.onProgress?.(o, indices.length, `Predicting the ${which} split`);
  }
  return { ds, indices: Int32Array.from(indices), classification, yTrue, yPred, width, probabilities };
}
