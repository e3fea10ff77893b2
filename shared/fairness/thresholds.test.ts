import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../random';
import { groupBy, type Grouping } from './groups';
import { classGaps } from './summary';
import { fitGroupThresholds, predictsPositive } from './thresholds';
import { biasedHiring } from './synthetic';

/** Scores of a model that learnt the label bias: group B's scores are pushed down. */
function biasedScores(n: number, seed: number): { scores: number[]; isPositive: boolean[]; grouping: Grouping } {
  const rows = biasedHiring(n, seed);
  const rng = mulberry32(seed + 1);
  const scores = rows.map((r) => 1 / (1 + Math.exp(-(2 * r.score - (r.group === 'B' ? 0.8 : 0) + 0.3 * gaussian(rng)))));
  return { scores, isPositive: rows.map((r) => r.hired === 1), grouping: groupBy({ kind: 'categorical', column: 'group' }, rows.map((r) => r.group)) };
}

/** Accuracy and per-group rates of fixed per-group thresholds (positive when score > t). */
function measure(d: ReturnType<typeof biasedScores>, thresholds: number[]) {
  const G = d.grouping.names.length;
  const c = Array.from({ length: G }, () => ({ tp: 0, fp: 0, pos: 0, neg: 0 }));
  let correct = 0;
  d.scores.forEach((s, i) => {
    const g = c[d.grouping.of[i]!]!;
    const sel = s > thresholds[d.grouping.of[i]!]!;
    if (d.isPositive[i]) g.pos++;
    else g.neg++;
    if (sel && d.isPositive[i]) g.tp++;
    if (sel && !d.isPositive[i]) g.fp++;
    if (sel === d.isPositive[i]) correct++;
  });
  const gaps = classGaps(c.map((g) => ({ selectionRate: (g.tp + g.fp) / (g.pos + g.neg), tpr: g.tp / g.pos, fpr: g.fp / g.neg })));
  return { accuracy: correct / d.scores.length, dp: gaps.demographicParityDifference!, eo: gaps.equalizedOddsDifference! };
}

describe('per-group thresholds', () => {
  const data = biasedScores(1200, 5);

  it('for demographic parity: selection rates within the tolerance, as accurate as an exhaustive search allows', () => {
    const rule = fitGroupThresholds({ ...data, positiveClass: '1', objective: 'demographicParity', tolerance: 0.05 });
    expect(rule.tolerance).toBe(0.05);
    const t = data.grouping.names.map((g) => rule.thresholds.find((x) => x.group === g)!.threshold);
    const m = measure(data, t);
    expect(m.dp).toBeLessThanOrEqual(0.05 + 1e-12);
    expect(rule.validation.after.accuracy).toBeCloseTo(m.accuracy, 12);
    expect(rule.validation.after.difference).toBeCloseTo(m.dp, 12);
    const before = measure(data, [0.5, 0.5]);
    expect(rule.validation.before).toEqual({ accuracy: expect.closeTo(before.accuracy, 12), difference: expect.closeTo(before.dp, 12) });
    expect(before.dp).toBeGreaterThan(0.1);
    // Exhaustive search over every pair of distinct thresholds: the 0.01 band grid loses at most
    // what a tolerance 0.01 tighter would.
    const perGroup = [0, 1].map((g) => {
      const members = data.scores.map((_, i) => i).filter((i) => data.grouping.of[i] === g);
      const pos = members.filter((i) => data.isPositive[i]).length;
      return [1, 0, ...new Set(members.map((i) => data.scores[i]!))].map((t) => {
        const sel = members.filter((i) => data.scores[i]! > t);
        const tp = sel.filter((i) => data.isPositive[i]).length;
        return { sr: sel.length / members.length, correct: tp + (members.length - pos) - (sel.length - tp) };
      });
    });
    let bestLoose = 0, bestTight = 0;
    for (const a of perGroup[0]!) {
      for (const b of perGroup[1]!) {
        const dp = Math.abs(a.sr - b.sr), acc = (a.correct + b.correct) / data.scores.length;
        if (dp <= 0.05) bestLoose = Math.max(bestLoose, acc);
        if (dp <= 0.04) bestTight = Math.max(bestTight, acc);
      }
    }
    expect(m.accuracy).toBeLessThanOrEqual(bestLoose + 1e-12);
    expect(m.accuracy).toBeGreaterThanOrEqual(bestTight - 1e-12);
  });

  it('for equalised odds: TPR and FPR gaps within the tolerance; applied by predictsPositive', () => {
    const rule = fitGroupThresholds({ ...data, positiveClass: '1', objective: 'equalizedOdds', tolerance: 0.05 });
    const t = data.grouping.names.map((g) => rule.thresholds.find((x) => x.group === g)!.threshold);
    const m = measure(data, t);
    expect(m.eo).toBeLessThanOrEqual(rule.tolerance + 1e-12);
    expect(rule.validation.after.difference).toBeCloseTo(m.eo, 12);
    expect(rule.validation.before.difference!).toBeGreaterThan(m.eo);
    data.scores.forEach((s, i) => {
      const g = data.grouping.names[data.grouping.of[i]!]!;
      if (predictsPositive(rule, g, s) !== s > t[data.grouping.of[i]!]!) throw new Error(`sample ${i}`);
    });
    expect(predictsPositive(rule, 'unseen group', 0.51)).toBe(true);
  });

  it('meets the tolerance on tiny groups too (by selecting alike), and refuses what it cannot do', () => {
    const tiny = { scores: [0.9, 0.1, 0.8], isPositive: [true, false, true], grouping: groupBy({ kind: 'categorical', column: 'g' }, ['a', 'a', 'b']) };
    const rule = fitGroupThresholds({ ...tiny, positiveClass: 'yes', objective: 'demographicParity', tolerance: 0.01 });
    expect(rule.validation.after.difference).toBe(0);
    expect(rule.validation.after.accuracy).toBeCloseTo(2 / 3, 12);
    expect(() => fitGroupThresholds({ ...tiny, scores: [0.5, 1.5, 0.2], positiveClass: 'yes', objective: 'demographicParity' })).toThrow(/1.5, not a probability/);
    expect(() => fitGroupThresholds({ ...tiny, grouping: { ...tiny.grouping, definition: [{ kind: 'class' }] }, positiveClass: 'yes', objective: 'equalizedOdds' })).toThrow(/true class/);
  });
});
