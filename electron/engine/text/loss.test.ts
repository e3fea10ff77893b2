import { tf } from '../tfjs';
import { addSums, sequenceCrossEntropy, sequenceMetrics, sequenceSums } from './loss';

// One sequence, vocabulary 3, <pad> = 0. Position 1: uniform logits, target 1 → -ln(1/3) = ln 3, and the
// argmax (ties → the first id, 0) is wrong. Position 2: logits [0, ln 2, 0], target 1 → p = 2/4 → ln 2,
// argmax right. Position 3: target <pad>, not counted. Mean = (ln 3 + ln 2) / 2 = ln 6 / 2.
const LOGITS = [[[0, 0, 0], [0, Math.log(2), 0], [5, -3, 1]]];
const TARGETS = [[1, 1, 0]];

describe('sequence loss and metrics', () => {
  it('equals the hand-computed cross-entropy with padding masked', () => {
    const loss = sequenceCrossEntropy(tf.tensor2d(TARGETS, undefined, 'int32'), tf.tensor3d(LOGITS));
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(6) / 2, 6);
  });

  it('gives the same value from probabilities, and counts every position with padId null', () => {
    const probs = tf.softmax(tf.tensor3d(LOGITS));
    expect(sequenceCrossEntropy(tf.tensor2d(TARGETS), probs, { fromLogits: false }).dataSync()[0]).toBeCloseTo(Math.log(6) / 2, 5);
    // With every position counted, position 3 adds -ln softmax([5, -3, 1])[0] = ln(1 + e^-8 + e^-4).
    const third = Math.log(1 + Math.exp(-8) + Math.exp(-4));
    expect(sequenceCrossEntropy(tf.tensor2d(TARGETS), tf.tensor3d(LOGITS), { padId: null }).dataSync()[0]).toBeCloseTo((Math.log(6) + third) / 3, 6);
  });

  it('token accuracy and perplexity', () => {
    const s = sequenceSums(tf.tensor2d(TARGETS), tf.tensor3d(LOGITS));
    expect(s.tokens).toBe(2);
    expect(s.correct).toBe(1);
    const m = sequenceMetrics(s);
    expect(m.tokenAccuracy).toBe(0.5);
    expect(m.perplexity).toBeCloseTo(Math.sqrt(6), 5);
    // Summed over batches: a second batch with one certain, right token (loss ≈ 0).
    const sure = sequenceSums(tf.tensor2d([[2]]), tf.tensor3d([[[-20, -20, 20]]]));
    const all = sequenceMetrics(addSums(s, sure));
    expect(all.tokenAccuracy).toBeCloseTo(2 / 3, 10);
    expect(all.loss).toBeCloseTo(Math.log(6) / 3, 5);
  });

  it('padding positions get no gradient, and an all-padding batch has loss 0', () => {
    const logits = tf.tensor3d(LOGITS);
    const g = tf.grad((x: tf.Tensor) => sequenceCrossEntropy(tf.tensor2d(TARGETS), x))(logits);
    const grad = g.arraySync() as number[][][];
    expect(grad[0]![2]!.map(Math.abs)).toEqual([0, 0, 0]);
    // d loss / d logits at position 1 = (softmax - onehot) / 2 = [1/6, -1/3, 1/6].
    expect(grad[0]![0]![0]).toBeCloseTo(1 / 6, 6);
    expect(grad[0]![0]![1]).toBeCloseTo(-1 / 3, 6);
    expect(sequenceCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor3d([[[1, 2, 3], [3, 2, 1]]])).dataSync()[0]).toBe(0);
  });
});
