/**
 * Losses, metrics and optimizers of a training run, as Keras defines them, plus how the data's
 * targets are fed to them (the "target mode").
 *
 * Probabilities or logits: Keras' cross-entropies expect probabilities (a softmax/sigmoid output).
 * When the model's output layer has no softmax/sigmoid, Layerloom treats its output as logits
 * (Keras' `from_logits=True`) instead of letting the loss diverge; predict/evaluate then apply the
 * softmax/sigmoid so that callers always get probabilities.
 */
import type { LossName, OptimizerName, TrainingConfig } from './types';
import { tf } from './tfjs';
import { sequenceLossPerSample, tokenAccuracyPerSample } from './text/loss';

const EPS = 1e-7;

/**
 * How targets reach the loss:
 * - `onehot`: class ids → one-hot [n, k] (categorical/sparse cross-entropy, or a regression loss on k outputs)
 * - `binary`: class ids 0/1 → [n, 1] floats (binary cross-entropy on one sigmoid unit)
 * - `values`: float targets as given (regression), reshaped to the output's shape
 * - `tokens`: token ids [n, T] against per-position outputs [n, T, V] (language models, translators):
 *   the sequence loss, padding (id 0) left out
 */
export type TargetMode = 'onehot' | 'binary' | 'values' | 'tokens';

export interface LossSpec {
  loss: LossName;
  mode: TargetMode;
  /** The output is logits (no softmax/sigmoid on the output layer). */
  fromLogits: boolean;
  /** Number of classes (classification). */
  classes?: number;
}

/** Per-sample loss values [n] (mean over the non-batch axes). */
export function lossPerSample(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  if (spec.mode === 'tokens') return sequenceLossPerSample(yTrue, yPred, { fromLogits: spec.fromLogits });
  const lastAxis = yPred.rank - 1;
  const meanRest = (t: tf.Tensor) => (t.rank > 1 ? tf.mean(tf.reshape(t, [t.shape[0]!, -1]), 1) : t);
  switch (spec.loss) {
    case 'categoricalCrossentropy':
    case 'sparseCategoricalCrossentropy': {
      if (spec.fromLogits) return meanRest(tf.neg(tf.sum(tf.mul(yTrue, tf.logSoftmax(yPred, lastAxis)), lastAxis)));
      const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, lastAxis, true)), EPS, 1 - EPS);
      return meanRest(tf.neg(tf.sum(tf.mul(yTrue, tf.log(p)), lastAxis)));
    }
    case 'binaryCrossentropy': {
      if (spec.fromLogits) {
        // max(x, 0) - x*z + log(1 + exp(-|x|)): stable for any logit.
        const x = yPred;
        const t = tf.add(tf.sub(tf.relu(x), tf.mul(x, yTrue)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
        return meanRest(t);
      }
      const p = tf.clipByValue(yPred, EPS, 1 - EPS);
      const t = tf.neg(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)))));
      return meanRest(t);
    }
    case 'meanSquaredError':
      return meanRest(tf.square(tf.sub(yPred, yTrue)));
    case 'meanAbsoluteError':
      return meanRest(tf.abs(tf.sub(yPred, yTrue)));
    case 'huber': {
      // delta = 1 (Keras default): 0.5 e² for |e| ≤ 1, |e| - 0.5 beyond.
      const e = tf.abs(tf.sub(yPred, yTrue));
      const q = tf.minimum(e, 1);
      return meanRest(tf.add(tf.mul(0.5, tf.square(q)), tf.sub(e, q)));
    }
  }
}

/** The probabilities (or regression values) a caller should see for a raw model output. */
export function toOutputs(spec: LossSpec, yPred: tf.Tensor): tf.Tensor {
  if (!spec.fromLogits) return yPred;
  if (spec.mode === 'binary' || spec.loss === 'binaryCrossentropy') return tf.sigmoid(yPred);
  return tf.softmax(yPred);
}

/** Per-sample correctness [n] (1/0) for the accuracy metric (classification only). */
export function correctPerSample(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  if (spec.mode === 'tokens') return tokenAccuracyPerSample(yTrue, yPred);
  if (spec.mode === 'binary' || (spec.loss === 'binaryCrossentropy' && yPred.shape[yPred.rank - 1] === 1)) {
    const threshold = spec.fromLogits ? 0 : 0.5;
    const hit = tf.equal(tf.cast(tf.greater(yPred, threshold), 'float32'), tf.round(yTrue));
    const flat = tf.reshape(tf.cast(hit, 'float32'), [yPred.shape[0]!, -1]);
    return tf.mean(flat, 1);
  }
  const axis = yPred.rank - 1;
  const hit = tf.cast(tf.equal(tf.argMax(yPred, axis), tf.argMax(yTrue, axis)), 'float32');
  return hit.rank > 1 ? tf.mean(tf.reshape(hit, [hit.shape[0]!, -1]), 1) : hit;
}

/** Per-sample mean absolute error [n] (on probabilities for classification, as Keras). */
export function maePerSample(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const out = toOutputs(spec, yPred);
  const e = tf.abs(tf.sub(out, yTrue));
  return e.rank > 1 ? tf.mean(tf.reshape(e, [e.shape[0]!, -1]), 1) : e;
}

/** A TF.js optimizer for the config, with Keras' defaults for everything the document leaves out. */
export function makeOptimizer(cfg: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'momentum' | 'nesterov'>): tf.Optimizer {
  const lr = cfg.learningRate;
  const name: OptimizerName = cfg.optimizer;
  switch (name) {
    case 'sgd':
      return cfg.momentum > 0 || cfg.nesterov ? tf.train.momentum(lr, cfg.momentum, cfg.nesterov) : tf.train.sgd(lr);
    case 'adam':
      return tf.train.adam(lr, 0.9, 0.999, 1e-7);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9, cfg.momentum, 1e-7);
    case 'adagrad':
      return tf.train.adagrad(lr, 0.1);
  }
}
