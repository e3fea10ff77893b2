import { describe, expect, it } from 'vitest';
import { distillationLoss, logitsFromProbabilities, logSoftmax, softKl } from './distill';

describe('distillation loss', () => {
  it('equals the hand-computed value', () => {
    // t = [2, 1, 0], s = [0.5, 0.2, -0.3], T = 2, α = 0.5, label 0.
    // p_t = softmax([1, 0.5, 0]) = [e, e^.5, 1] / (e + e^.5 + 1); p_s = softmax([0.25, 0.1, -0.15]).
    const e = Math.exp;
    const zt = e(1) + e(0.5) + 1, zs = e(0.25) + e(0.1) + e(-0.15);
    const pt = [e(1) / zt, e(0.5) / zt, 1 / zt];
    const ps = [e(0.25) / zs, e(0.1) / zs, e(-0.15) / zs];
    const kl = pt.reduce((a, p, i) => a + p * Math.log(p / ps[i]!), 0);
    const ce = -Math.log(e(0.5) / (e(0.5) + e(0.2) + e(-0.3)));
    const byHand = 0.5 * 4 * kl + 0.5 * ce;
    expect(kl).toBeCloseTo(0.02904308861823636, 14); // NumPy, float64
    expect(ce).toBeCloseTo(0.7839687492408237, 14);
    expect(distillationLoss([2, 1, 0], [0.5, 0.2, -0.3], 0, { temperature: 2, alpha: 0.5 })).toBeCloseTo(byHand, 14);
    expect(byHand).toBeCloseTo(0.4500705518568846, 14);
  });

  it('α = 0 is the task loss alone; α = 1 is T²·KL alone; identical logits have KL 0', () => {
    expect(distillationLoss([3, 0], [1, 2], 1, { temperature: 5, alpha: 0 })).toBeCloseTo(-logSoftmax([1, 2])[1]!, 14);
    expect(distillationLoss([3, 0], [1, 2], 1, { temperature: 5, alpha: 1 })).toBeCloseTo(25 * softKl([3, 0], [1, 2], 5), 14);
    expect(softKl([1, 2, 3], [1, 2, 3], 3)).toBeCloseTo(0, 14);
    expect(() => distillationLoss([1], [1], 0, { temperature: 0, alpha: 0.5 })).toThrow(/temperature must be positive/);
    expect(() => distillationLoss([1], [1], 0, { temperature: 1, alpha: 2 })).toThrow(/alpha must be in \[0, 1\]/);
  });

  it('a softmax teacher: log-probabilities give the same soft targets as its logits', () => {
    const t = [4, -1, 0.5, 2];
    const p = logSoftmax(t).map(Math.exp);
    for (const T of [1, 2, 8]) {
      const a = logSoftmax(t, T), b = logSoftmax(logitsFromProbabilities(p), T);
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 12));
    }
    expect(logitsFromProbabilities([0, 1])[0]).toBeCloseTo(Math.log(1e-30), 10);
  });
});
