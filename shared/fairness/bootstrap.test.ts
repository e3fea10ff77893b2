/**
 * The bootstrap intervals cover the known rates of the synthetic data in at least 90 % of repeated
 * draws (a statistical test with fixed seeds: the outcome is the same on every run).
 */
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32 } from '../random';
import { groupBy } from './groups';
import { auditGroups } from './report';
import type { FairnessReport } from './schema';
import { BIASED_FACTS, biasedHiring } from './synthetic';

/** Predictions that are the label, flipped with probability 0.1, independently of everything. */
const FLIP = 0.1;
const { pHiredGivenA: pA, pHiredGivenB: pB } = BIASED_FACTS;
/** The population values these predictions have (closed form). */
const KNOWN = {
  A: { accuracy: 1 - FLIP, tpr: 1 - FLIP, fpr: FLIP, selectionRate: (1 - FLIP) * pA + FLIP * (1 - pA) },
  B: { accuracy: 1 - FLIP, tpr: 1 - FLIP, fpr: FLIP, selectionRate: (1 - FLIP) * pB + FLIP * (1 - pB) },
};
const KNOWN_DP = KNOWN.A.selectionRate - KNOWN.B.selectionRate;

function draw(d: number, stratified: boolean, samples = 300): FairnessReport {
  const rows = biasedHiring(500, mixSeed(d, 11));
  const rng = mulberry32(mixSeed(d, 12));
  const yTrue = rows.map((r) => r.hired);
  const yPred = yTrue.map((t) => (rng() < FLIP ? 1 - t : t));
  const grouping = groupBy({ kind: 'categorical', column: 'group' }, rows.map((r) => r.group));
  return auditGroups({ task: 'classification', classes: ['0', '1'], yTrue, yPred }, grouping, { bootstrap: { samples, seed: d, stratified }, minSupport: 30, split: 'test' });
}

function coverage(stratified: boolean, draws: number): Record<string, number> {
  const hits: Record<string, number> = {};
  const hit = (key: string, iv: [number, number] | null | undefined, truth: number) => {
    hits[key] = (hits[key] ?? 0) + (iv && iv[0] <= truth && truth <= iv[1] ? 1 : 0);
  };
  for (let d = 0; d < draws; d++) {
    const r = draw(d, stratified);
    for (const g of r.groups) {
      const known = KNOWN[g.name as 'A' | 'B'];
      for (const m of ['accuracy', 'tpr', 'fpr', 'selectionRate'] as const) hit(`${g.name}.${m}`, g.ci[m], known[m]);
    }
    hit('demographicParityDifference', r.summary.ci.demographicParityDifference, KNOWN_DP);
  }
  return Object.fromEntries(Object.entries(hits).map(([k, v]) => [k, v / draws]));
}

describe('bootstrap intervals', () => {
  it('cover the known rates in ≥ 90 % of 120 draws', () => {
    const cov = coverage(false, 120);
    expect(Object.keys(cov)).toHaveLength(9);
    for (const [k, v] of Object.entries(cov)) expect({ k, v, ok: v >= 0.9 }).toEqual({ k, v, ok: true });
  });

  it('stratified by class, they cover the class-conditional rates (TPR, FPR) but are too narrow for the selection rate', () => {
    // Stratifying holds each group's class counts fixed, so the intervals leave out the variation
    // of the class mix: right for TPR and FPR (rates within a class), wrong for the selection rate.
    const cov = coverage(true, 120);
    for (const k of ['A.tpr', 'A.fpr', 'B.tpr', 'B.fpr']) expect({ k, v: cov[k], ok: cov[k]! >= 0.9 }).toEqual({ k, v: cov[k], ok: true });
    expect(cov['A.selectionRate']).toBeLessThan(0.9);
  });

  it('are reproducible by seed, differ across seeds, and are absent with 0 resamples', () => {
    expect(draw(3, false).groups).toEqual(draw(3, false).groups);
    const a = draw(3, false, 200).groups[0]!.ci.accuracy!;
    const rows = biasedHiring(500, mixSeed(3, 11));
    const grouping = groupBy({ kind: 'categorical', column: 'group' }, rows.map((r) => r.group));
    const y = rows.map((r) => r.hired);
    const other = auditGroups({ task: 'classification', classes: ['0', '1'], yTrue: y, yPred: y.map((t, i) => (i % 10 === 0 ? 1 - t : t)) }, grouping, { bootstrap: { samples: 200, seed: 99, stratified: false }, minSupport: 30, split: 'test' });
    expect(other.groups[0]!.ci.accuracy).not.toEqual(a);
    const none = draw(3, false, 0);
    expect(none.groups[0]!.ci.accuracy).toBeNull();
    expect(none.summary.ci.demographicParityDifference).toBeNull();
  });

  it('a stratified resample keeps each class count, so a group with positives always has a TPR interval', () => {
    // 2 positives among 40: unstratified resamples often draw none (TPR undefined in them).
    const yTrue = Array.from({ length: 40 }, (_, i) => (i < 2 ? 1 : 0));
    const yPred = yTrue.map((t, i) => (i === 0 ? 1 : i < 2 ? 0 : 0));
    const grouping = groupBy({ kind: 'categorical', column: 'g' }, yTrue.map(() => 'only'));
    const run = (stratified: boolean) => auditGroups({ task: 'classification', classes: ['0', '1'], yTrue, yPred }, grouping, { bootstrap: { samples: 500, seed: 1, stratified }, minSupport: 30, split: 'test' });
    const s = run(true).groups[0]!.ci.tpr!;
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(1);
    expect(run(true).groups[0]!.ci.accuracy![1]).toBe(1);
  });
});
