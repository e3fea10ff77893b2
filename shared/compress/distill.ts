/**
 * Knowledge distillation (Hinton, Vinyals & Dean 2015), per sample:
 *
 *   L = α · T² · KL(softmax(t / T) ‖ softmax(s / T)) + (1 − α) · CE(y, softmax(s))
 *
 * t the teacher's logits, s the student's, T the temperature (softening both distributions; T² keeps
 * the soft term's gradients on the scale of the hard one), α the weight of the soft term, CE the
 * task's cross-entropy at T = 1. A teacher that ends in softmax gives probabilities p; log p are its
 * logits up to a constant per sample (log p_i = t_i − logsumexp(t)), and softmax is blind to that
 * constant, so log(max(p, TINY)) serves as t. This file is the plain-number reference the engine's
 * TF.js loss is tested against.
 */

/** Floor for teacher probabilities before the log (float32 softmax can underflow to 0). */
export const TINY_PROBABILITY = 1e-30;

export interface DistillationOptions {
  temperature: number;
  alpha: number;
}

export function checkDistillationOptions(o: DistillationOptions): void {
  if (!(Number.isFinite(o.temperature) && o.temperature > 0)) throw new RangeError(`The temperature must be positive, got ${o.temperature}`);
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${o.alpha}`);
}

export function logSoftmax(z: readonly number[], temperature = 1): number[] {
  const s = z.map((v) => v / temperature);
  const m = Math.max(...s);
  const lse = m + Math.log(s.reduce((a, v) => a + Math.exp(v - m), 0));
  return s.map((v) => v - lse);
}

/** Teacher logits from its probabilities (up to a constant, which softmax ignores). */
export function logitsFromProbabilities(p: readonly number[]): number[] {
  return p.map((v) => Math.log(Math.max(v, TINY_PROBABILITY)));
}

/** KL(softmax(t/T) ‖ softmax(s/T)). */
export function softKl(teacher: readonly number[], student: readonly number[], temperature: number): number {
  const lt = logSoftmax(teacher, temperature);
  const ls = logSoftmax(student, temperature);
  return lt.reduce((a, v, i) => a + Math.exp(v) * (v - ls[i]!), 0);
}

/** The distillation loss of one sample with class `label`. */
export function distillationLoss(teacher: readonly number[], student: readonly number[], label: number, o: DistillationOptions): number {
  checkDistillationOptions(o);
  const ce = -logSoftmax(student)[label]!;
  return o.alpha * o.temperature ** 2 * softKl(teacher, student, o.temperature) + (1 - o.alpha) * ce;
}
