/**
 * A small fine-tuning loop for compression (masks held during pruning, the distillation loss): the
 * document's optimizer, learning rate and batch size, a seeded shuffle and seeded dropout, and two
 * hooks — `beforeStep` / `afterStep` around every optimizer step — plus a replaceable batch loss.
 * It is what electron/engine/train.ts would need to offer as hooks for these methods to run in the
 * training loop itself (docs/compress.md).
 */
import type { TrainingConfig } from '../../../shared/document';
import { iterateBatches, batchCount } from '../data/batch';
import type { Augmentation, Dataset, Normalization } from '../data/types';
import { lossPerSample, makeOptimizer, type LossSpec } from '../losses';
import { mulberry32, withRandom } from '../random';
import type { CompiledModel } from '../compile';
import { tf } from '../tfjs';
import { targetTensor } from '../train';

export interface LoopData {
  ds: Dataset;
  train: Int32Array;
  normalization?: Normalization;
  augmentation?: Augmentation;
}

export interface FitOptions {
  compiled: CompiledModel;
  spec: LossSpec;
  data: LoopData;
  training: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'momentum' | 'nesterov' | 'batchSize'>;
  epochs: number;
  seed: number;
  /** The batch loss from inputs, targets and predictions (default: the task's mean loss). Called inside the gradient. */
  loss?: (x: tf.Tensor, y: tf.Tensor, pred: tf.Tensor) => tf.Scalar;
  /** Before / after each optimizer step (0-based across epochs). */
  beforeStep?: (step: number) => void;
  afterStep?: (step: number) => void;
  /** Progress in [0, 1] after each batch. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** Steps the loop will take. */
export function totalSteps(o: Pick<FitOptions, 'data' | 'training' | 'epochs'>): number {
  return o.epochs * batchCount(o.data.train.length, Math.min(o.training.batchSize, o.data.train.length));
}

/** Train `epochs` epochs; returns the mean training loss of each epoch. */
export async function fit(o: FitOptions): Promise<{ loss: number }[]> {
  const { compiled, spec, data } = o;
  const inputShape = compiled.inputShapes[0]!;
  const outShape = compiled.outputShapes[0]!;
  const batchSize = Math.min(o.training.batchSize, data.train.length);
  const optimizer = makeOptimizer({ ...o.training });
  const vars = compiled.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropout = mulberry32(o.seed ^ 0x5eed);
  const lossOf = o.loss ?? ((_x, y, pred) => tf.mean(lossPerSample(spec, y, pred)) as tf.Scalar);
  const total = totalSteps(o);
  const history: { loss: number }[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      let sum = 0, n = 0;
      for (const b of iterateBatches(data.ds, data.train, { batchSize, shuffle: true, seed: o.seed, epoch, normalization: data.normalization, augmentation: data.augmentation })) {
        if (o.signal?.aborted) throw new CancelledError();
        o.beforeStep?.(step);
        const x = tf.tensor(b.x, [b.size, ...inputShape], compiled.inputDtypes[0]);
        const y = targetTensor(spec.mode, b.y, b.size, outShape, spec.classes);
        try {
          const cost = withRandom(dropout, () => optimizer.minimize(() => lossOf(x, y, compiled.model.apply(x, { training: true }) as tf.Tensor), true, vars))!;
          const v = cost.dataSync()[0]!;
          cost.dispose();
          if (!Number.isFinite(v)) throw new Error(`The fine-tuning loss became ${v} at epoch ${epoch + 1}: lower the learning rate`);
          sum += v * b.size;
          n += b.size;
        } finally {
          tf.dispose([x, y]);
        }
        o.afterStep?.(step);
        step++;
        o.onProgress?.(step / total);
        await new Promise<void>((r) => setImmediate(r));
      }
      history.push({ loss: sum / Math.max(1, n) });
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}
