/**
 * The mean training loss of a batch, `tf.mean(lossPerSample(spec, y, pred))` (losses.ts), with
 * one shortcut (issue 9, per-step overhead): the cross-entropies on probabilities (a softmax
 * output, Keras' default) get a hand-written gradient. tfjs records that loss as ~10 ops and
 * differentiates it with ~30 more kernel calls (div, clip, log, mul, sum, neg, mean and their
 * gradients); here the forward pass is the same ops, recorded as one node, and the gradient is five
 * element-wise ops. Same value; gradients equal up to float rounding (loss.test.ts). About 15 % of
 * an MLP step on wasm; nothing measurable on the CNN.
 *
 * The math, per row (the last axis holds the k probabilities p, the targets y):
 *   s = Σp, q = p / s, c = clip(q, ε, 1 − ε), L = −Σ y·log c, loss = mean over the rows of L
 *   ∂loss/∂q = [ε ≤ q ≤ 1 − ε] · (−y / c) / rows     (clip passes the gradient only inside, as tfjs)
 *   ∂loss/∂p = (∂loss/∂q − Σ(∂loss/∂q · q)) / s
 */
import { tf } from '../tfjs';
import { lossPerSample, type LossSpec } from '../losses';

const EPS = 1e-7; // losses.ts' epsilon

const crossEntropyOnProbabilities = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [p, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const last = p.rank - 1;
  const s = tf.sum(p, last, true);
  const q = tf.div(p, s);
  const c = tf.clipByValue(q, EPS, 1 - EPS);
  const value = tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(c)), last))) as tf.Scalar;
  save([y, s, q, c]);
  return {
    value,
    gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
      const [ys, ss, qs, cs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const rows = qs.size / qs.shape[last]!;
      const inside = tf.logicalAnd(tf.greaterEqual(qs, EPS), tf.lessEqual(qs, 1 - EPS));
      const dq = tf.where(inside, tf.mul(tf.div(ys, cs), tf.mul(dy, -1 / rows)), tf.zerosLike(qs));
      return [tf.div(tf.sub(dq, tf.sum(tf.mul(dq, qs), last, true)), ss), tf.zerosLike(ys)];
    },
  };
}) as Parameters<typeof tf.customGrad<tf.Scalar>>[0]);

/** The batch's mean loss (a scalar), as `tf.mean(lossPerSample(spec, yTrue, yPred))`. */
export function meanLoss(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const ce = spec.loss === 'categoricalCrossentropy' || spec.loss === 'sparseCategoricalCrossentropy';
  if (ce && !spec.fromLogits && process.env.LAYERLOOM_FUSED_LOSS !== 'off') {
    return crossEntropyOnProbabilities(yPred, tf.cast(yTrue, yPred.dtype)) as tf.Scalar;
  }
  return tf.mean(lossPerSample(spec, yTrue, yPred)) as tf.Scalar;
}
