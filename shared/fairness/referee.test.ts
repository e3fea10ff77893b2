/**
 * scikit-learn referee: per-group confusion matrices, every per-group metric and every gap between
 * groups equal scikit-learn's on the same predictions (sklearn_referee.py under /usr/bin/python3,
 * Debian's python3-sklearn). Undefined rates must be null on both sides; a NaN, a missing value or
 * an extra one fails.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import type { Grouping } from './groups';
import { auditGroups, type Predictions } from './report';
import type { FairnessReport } from './schema';

const PY = '/usr/bin/python3';
const NO_BOOTSTRAP = { samples: 0, seed: 0, stratified: false };

interface Case {
  pred: Predictions;
  grouping: Grouping;
  positive: number;
}

/** Group g gets sizes[g] samples; `make(g, rng)` draws (true, predicted) for one of them. */
function classificationCase(k: number, sizes: number[], make: (g: number, r: () => number) => [number, number], positive = 1): Case {
  const rng = mulberry32(k * 1000 + sizes.length);
  const yTrue: number[] = [], yPred: number[] = [], of: number[] = [];
  sizes.forEach((n, g) => {
    for (let i = 0; i < n; i++) {
      const [t, p] = make(g, rng);
      yTrue.push(t);
      yPred.push(p);
      of.push(g);
    }
  });
  // Interleave the groups so that nothing depends on samples being grouped.
  const order = of.map((_, i) => i).sort((a, b) => ((a * 7919) % of.length) - ((b * 7919) % of.length));
  const classes = Array.from({ length: k }, (_, c) => `c${c}`);
  return {
    pred: { task: 'classification', classes, yTrue: order.map((i) => yTrue[i]!), yPred: order.map((i) => yPred[i]!) },
    grouping: { attribute: 'g', definition: [{ kind: 'categorical', column: 'g' }], names: sizes.map((_, g) => `g${g}`), of: Int32Array.from(order, (i) => of[i]!) },
    positive,
  };
}

const noisy = (t: number, k: number, r: () => number, err: number) => (r() < err ? Math.floor(r() * k) : t);

const CASES: Case[] = [
  // Binary: different base rates and error rates; g2 has no positives (TPR undefined); g3 never
  // predicts positive (precision undefined, selection rate 0); g4 is one sample.
  classificationCase(2, [300, 120, 6, 40, 1], (g, r) => {
    const t = r() < [0.5, 0.3, 0, 0.4, 1][g]! ? 1 : 0;
    return [t, g === 3 ? 0 : noisy(t, 2, r, [0.2, 0.4, 0.5, 0, 0][g]!)];
  }),
  // Binary with the first class as the positive one.
  classificationCase(2, [200, 90], (g, r) => {
    const t = r() < 0.6 - 0.2 * g ? 1 : 0;
    return [t, noisy(t, 2, r, 0.3)];
  }, 0),
  // Multiclass: g1 has no true class 2; g2 never predicts class 1; g3 is tiny.
  classificationCase(3, [250, 80, 60, 4], (g, r) => {
    let t = Math.floor(r() * 3);
    if (g === 1 && t === 2) t = 0;
    let p = noisy(t, 3, r, [0.3, 0.5, 0.4, 0.5][g]!);
    if (g === 2 && p === 1) p = 2;
    return [t, p];
  }),
];

function regressionCase(): Case {
  const rng = mulberry32(77);
  const n = 300;
  const of = Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 2 : i % 3 === 0 ? 1 : 0));
  const yTrue = Array.from({ length: n }, () => rng() * 10);
  const yPred = yTrue.map((t, i) => t + (rng() - 0.5) * (1 + of[i]!));
  return {
    pred: { task: 'regression', yTrue, yPred, width: 1 },
    grouping: { attribute: 'g', definition: [{ kind: 'categorical', column: 'g' }], names: ['g0', 'g1', 'g2'], of },
    positive: 1,
  };
}

type Value = number | null | undefined | number[][];
type Expected = { groups: Record<string, Value>[]; perClass?: (Record<string, number | null>[] | null)[]; summary: Record<string, number | null>; summaryPerClass?: Record<string, number | null>[] };

/** Compares one value; returns a problem or null. */
function differs(label: string, ours: unknown, theirs: Value): string | null {
  if (theirs === null) return ours === null ? null : `${label}: expected null (undefined rate), got ${JSON.stringify(ours)}`;
  if (Array.isArray(theirs)) return JSON.stringify(ours) === JSON.stringify(theirs) ? null : `${label}: ${JSON.stringify(ours)} ≠ ${JSON.stringify(theirs)}`;
  if (typeof ours !== 'number' || !Number.isFinite(ours)) return `${label}: expected ${theirs}, got ${String(ours)}`;
  return Math.abs(ours - theirs!) <= 1e-12 ? null : `${label}: ${ours} ≠ ${theirs}`;
}

function compare(report: FairnessReport, exp: Expected): string[] {
  const out: string[] = [];
  const same = (label: string, ours: object, theirs: Record<string, Value>, skip: string[] = []) => {
    const keys = Object.keys(theirs).filter((k) => !skip.includes(k));
    const extra = Object.keys(ours).filter((k) => !keys.includes(k) && !skip.includes(k) && k !== 'worstGroup' && k !== 'ci' && k !== 'perClass');
    if (extra.length) out.push(`${label}: values the referee does not have: ${extra.join(', ')}`);
    for (const k of keys) {
      if (!(k in ours)) out.push(`${label}.${k}: missing`);
      else {
        const d = differs(`${label}.${k}`, (ours as Record<string, unknown>)[k], theirs[k]);
        if (d) out.push(d);
      }
    }
  };
  expect(report.groups).toHaveLength(exp.groups.length);
  exp.groups.forEach((g, i) => {
    const ours = report.groups[i]!;
    same(`${ours.name}`, ours.metrics, g, ['confusion']);
    if (g.confusion) {
      const d = differs(`${ours.name}.confusion`, ours.confusion, g.confusion);
      if (d) out.push(d);
    }
    exp.perClass?.[i]?.forEach((pc, c) => same(`${ours.name}.class${c}`, ours.perClass![c]!.metrics, pc));
  });
  same('summary', report.summary, exp.summary);
  exp.summaryPerClass?.forEach((pc, c) => same(`summary.class${c}`, report.summary.perClass![c]!.values, pc));
  return out;
}

describe('per-group metrics against scikit-learn', () => {
  it('confusion matrices, rates and gaps equal scikit-learn on binary, multiclass and regression predictions', () => {
    const cases = [...CASES, regressionCase()];
    const reports = cases.map((c) => auditGroups(c.pred, c.grouping, { bootstrap: NO_BOOTSTRAP, minSupport: 30, split: 'test', positive: c.positive }));
    const input = cases.map((c) => ({
      task: c.pred.task, yTrue: Array.from(c.pred.yTrue), yPred: Array.from(c.pred.yPred), groupOf: Array.from(c.grouping.of),
      groups: c.grouping.names.length, k: c.pred.task === 'classification' ? c.pred.classes.length : 0, positive: c.positive,
    }));
    const out = execFileSync(PY, [join(import.meta.dirname, 'sklearn_referee.py')], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 24 });
    const expected = JSON.parse(out) as Expected[];
    expect(expected).toHaveLength(cases.length);
    const problems = reports.flatMap((r, i) => compare(r, expected[i]!).map((p) => `case ${i}: ${p}`));
    expect(problems).toEqual([]);
    // The cases reach what they are built for: undefined rates, and both kinds of summaries.
    expect(reports[0]!.groups[2]!.metrics.tpr).toBeNull();
    expect(reports[0]!.groups[3]!.metrics.precision).toBeNull();
    expect(reports[2]!.groups[1]!.perClass![2]!.metrics.tpr).toBeNull();
    expect(reports[2]!.summary.perClass).toHaveLength(3);
    expect(reports[3]!.summary.maeDifference).toBeGreaterThan(0);
  });

  it('the referee itself fails on a wrong value, NaN and a missing metric', () => {
    const exp: Expected = { groups: [{ accuracy: 0.5, tpr: null }], summary: {} };
    const report = (metrics: Record<string, number | null>) => ({ groups: [{ name: 'g', metrics }], summary: {} }) as unknown as FairnessReport;
    expect(compare(report({ accuracy: 0.5, tpr: null }), exp)).toEqual([]);
    expect(compare(report({ accuracy: 0.6, tpr: null }), exp)).toHaveLength(1);
    expect(compare(report({ accuracy: NaN, tpr: null }), exp)).toHaveLength(1);
    expect(compare(report({ accuracy: 0.5 }), exp)).toHaveLength(1);
    expect(compare(report({ accuracy: 0.5, tpr: 0 }), exp)).toHaveLength(1);
    expect(compare(report({ accuracy: 0.5, tpr: null, f1: 1 }), exp)).toHaveLength(1);
  });
});
