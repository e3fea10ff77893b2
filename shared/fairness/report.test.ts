import { describe, expect, it } from 'vitest';
import { groupBy } from './groups';
import { auditGroups } from './report';

const opts = { bootstrap: { samples: 0, seed: 0, stratified: false }, minSupport: 30, split: 'test' as const };
const grouping = (labels: string[]) => groupBy({ kind: 'categorical', column: 'g' }, labels);

describe('auditGroups', () => {
  it('refuses NaN, out-of-range classes and mismatched lengths, naming the sample', () => {
    const g = grouping(['a', 'b']);
    expect(() => auditGroups({ task: 'regression', yTrue: [1, NaN], yPred: [1, 2], width: 1 }, g, opts)).toThrow('Sample 1: the target is not a finite number (NaN)');
    expect(() => auditGroups({ task: 'regression', yTrue: [1, 2], yPred: [1, Infinity], width: 1 }, g, opts)).toThrow('Sample 1: the prediction is not a finite number (Infinity)');
    expect(() => auditGroups({ task: 'classification', classes: ['x', 'y'], yTrue: [0, 2], yPred: [0, 1] }, g, opts)).toThrow(/Sample 1: class ids must be whole numbers in 0..1, got true 2/);
    expect(() => auditGroups({ task: 'classification', classes: ['x', 'y'], yTrue: [0, 0.5], yPred: [0, 1] }, g, opts)).toThrow(/Sample 1/);
    expect(() => auditGroups({ task: 'classification', classes: ['x', 'y'], yTrue: [0], yPred: [0] }, g, opts)).toThrow(/2 samples in the groups but 1 targets/);
  });

  it('flags small groups (not hiding them) and warns about large gaps', () => {
    const labels = [...Array(40).fill('big'), ...Array(5).fill('small')];
    const yTrue = labels.map((_, i) => i % 2);
    const yPred = labels.map((l, i) => (l === 'big' ? i % 2 : 1));
    const r = auditGroups({ task: 'classification', classes: ['no', 'yes'], yTrue, yPred }, grouping(labels), opts);
    expect(r.groups.map((g) => [g.name, g.support, g.smallGroup])).toEqual([['big', 40, false], ['small', 5, true]]);
    expect(r.warnings.join('\n')).toMatch(/1 group has fewer than 30 samples \(small: 5\)/);
    expect(r.warnings.join('\n')).toMatch(/The selection rate differs by 50\.0 percentage points between groups/);
    expect(r.summary.worstGroup).toBe('small');
    expect(r.summary.worstGroupAccuracy).toBeCloseTo(0.4, 12);
  });
});
