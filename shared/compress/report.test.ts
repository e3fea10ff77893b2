import { describe, expect, it } from 'vitest';
import { comparePredictions, isClassFlagged, meanDropOf } from './report';

describe('prediction comparison', () => {
  const classes = ['a', 'b', 'c'];
  it('agreement, changed samples by dataset index, per-class accuracy before and after', () => {
    const truth = [0, 0, 1, 1, 2, 2];
    const before = [0, 1, 1, 1, 2, 2];
    const after = [0, 0, 1, 2, 2, 2];
    const r = comparePredictions({ before, after, truth, indices: [10, 11, 12, 13, 14, 15], classes });
    expect(r.agreement).toBeCloseTo(4 / 6, 12);
    expect(r.changedTotal).toBe(2);
    expect(r.changed).toEqual([
      { index: 11, label: 'a', before: 'b', after: 'a' },
      { index: 13, label: 'b', before: 'b', after: 'c' },
    ]);
    expect(r.perClass).toEqual([
      { label: 'a', before: 0.5, after: 1, support: 2 },
      { label: 'b', before: 1, after: 0.5, support: 2 },
      { label: 'c', before: 1, after: 1, support: 2 },
    ]);
    expect(comparePredictions({ before, after, truth, indices: [0, 1, 2, 3, 4, 5], classes, changedLimit: 1 }).changed).toHaveLength(1);
  });

  it('warns when one class loses much more than the average, not for spread-out losses', () => {
    const n = 300;
    const truth = Array.from({ length: n }, (_, i) => i % 3);
    const before = [...truth];
    const hurt = truth.map((t, i) => (t === 2 && i < 60 ? 0 : t)); // class c loses 20 of 100
    const r = comparePredictions({ before, after: hurt, truth, indices: truth.map((_, i) => i), classes });
    expect(r.warnings).toHaveLength(1);
    // The per-class figures alone give the same mean drop and the same flagged class (the tab's bars).
    expect(meanDropOf(r.perClass)).toBeCloseTo(20 / 300, 12);
    expect(r.perClass.filter((c) => isClassFlagged(c, meanDropOf(r.perClass))).map((c) => c.label)).toEqual(['c']);
    expect(r.warnings[0]).toMatch(/^Class "c" lost 20\.0 points of accuracy \(100\.0 % → 80\.0 %, 100 samples\) against 6\.7 on average/);
    const even = truth.map((t, i) => (i < 30 ? (t + 1) % 3 : t)); // 10 per class
    expect(comparePredictions({ before, after: even, truth, indices: truth.map((_, i) => i), classes }).warnings).toEqual([]);
    expect(() => comparePredictions({ before: [0], after: [], truth: [0], indices: [0], classes })).toThrow(/same length/);
  });
});
