/**
 * The sequence loss and metrics of language models and translators: sparse cross-entropy at every
 * position, positions whose target is padding left out (Keras' `ignore_class`), token accuracy and
 * perplexity. Targets are token ids [B, T]; outputs are logits (default) or probabilities [B, T, V].
 *
 * Over several batches, add the sums (`sequenceSums`) and divide at the end: perplexity is
 * exp(total loss / total counted tokens), not a mean of per-batch perplexities.
 */
import { PAD_ID } from '../../../shared/text/tokenizer';
import { tf } from '../tfjs';

export interface SequenceLossOptions {
  /** Targets equal to this id are not counted (default <pad> = 0); null counts every position. */
  padId?: number | null;
  /** The outputs are logits (default) rather than probabilities. */
  fromLogits?: boolean;
}

const EPS = 1e-7;

/** Negative log-likelihood of each target [B, T] and the 0/1 mask of counted positions [B, T]. */
function nllAndMask(targets: tf.Tensor, outputs: tf.Tensor, opts: SequenceLossOptions): { nll: tf.Tensor; mask: tf.Tensor } {
  const v = outputs.shape[outputs.rank - 1]!;
  const ids = tf.cast(targets, 'int32');
  const logp = opts.fromLogits === false ? tf.log(tf.clipByValue(outputs, EPS, 1)) : tf.logSoftmax(outputs);
  const picked = tf.sum(tf.mul(tf.oneHot(tf.reshape(ids, [-1]), v), tf.reshape(logp, [-1, v])), 1);
  const nll = tf.reshape(tf.neg(picked), ids.shape);
  const padId = opts.padId === undefined ? PAD_ID : opts.padId;
  const mask = padId === null ? tf.onesLike(nll) : tf.cast(tf.notEqual(ids, padId), 'float32');
  return { nll, mask };
}

/** Mean cross-entropy over the counted positions (0 when none is counted). Differentiable. */
export function sequenceCrossEntropy(targets: tf.Tensor, outputs: tf.Tensor, opts: SequenceLossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const { nll, mask } = nllAndMask(targets, outputs, opts);
    return tf.div(tf.sum(tf.mul(nll, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * The training loop's per-sequence values [B]: each sequence's mean cross-entropy over its counted
 * positions (0 for a sequence with none). Language-model windows have no padding, so the mean over
 * sequences is the mean over tokens and exp of it the perplexity.
 */
export function sequenceLossPerSample(targets: tf.Tensor, outputs: tf.Tensor, opts: SequenceLossOptions = {}): tf.Tensor {
  const { nll, mask } = nllAndMask(targets, outputs, opts);
  return tf.div(tf.sum(tf.mul(nll, mask), 1), tf.maximum(tf.sum(mask, 1), 1));
}

/** Per-sequence token accuracy [B]: the share of counted positions whose argmax is the target. */
export function tokenAccuracyPerSample(targets: tf.Tensor, outputs: tf.Tensor, padId: number | null = PAD_ID): tf.Tensor {
  const ids = tf.cast(targets, 'int32');
  const hit = tf.cast(tf.equal(tf.argMax(outputs, -1), ids), 'float32');
  const mask = padId === null ? tf.onesLike(hit) : tf.cast(tf.notEqual(ids, padId), 'float32');
  return tf.div(tf.sum(tf.mul(hit, mask), 1), tf.maximum(tf.sum(mask, 1), 1));
}

/** Totals over counted positions: summed loss, how many, how many the argmax got right. */
export interface SequenceSums { loss: number; tokens: number; correct: number }

export function sequenceSums(targets: tf.Tensor, outputs: tf.Tensor, opts: SequenceLossOptions = {}): SequenceSums {
  const [loss, tokens, correct] = tf.tidy(() => {
    const { nll, mask } = nllAndMask(targets, outputs, opts);
    const hit = tf.cast(tf.equal(tf.argMax(outputs, -1), tf.cast(targets, 'int32')), 'float32');
    return [tf.sum(tf.mul(nll, mask)), tf.sum(mask), tf.sum(tf.mul(hit, mask))];
  });
  const out = { loss: loss!.dataSync()[0]!, tokens: tokens!.dataSync()[0]!, correct: correct!.dataSync()[0]! };
  tf.dispose([loss!, tokens!, correct!]);
  return out;
}

export function addSums(a: SequenceSums, b: SequenceSums): SequenceSums {
  return { loss: a.loss + b.loss, tokens: a.tokens + b.tokens, correct: a.correct + b.correct };
}

export interface SequenceMetrics {
  /** Mean cross-entropy per counted token (nats). */
  loss: number;
  /** Fraction of counted tokens whose most likely prediction is the target. */
  tokenAccuracy: number;
  /** exp(loss): the model is as unsure as a uniform choice among this many tokens. */
  perplexity: number;
}

export function sequenceMetrics(s: SequenceSums): SequenceMetrics {
  const loss = s.tokens > 0 ? s.loss / s.tokens : 0;
  return { loss, tokenAccuracy: s.tokens > 0 ? s.correct / s.tokens : 0, perplexity: Math.exp(loss) };
}
