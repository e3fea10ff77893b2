/**
 * Per-group decision thresholds for a binary classifier (post-processing, after Hardt et al. 2016,
 * without randomisation): predict positive when the positive-class probability is greater than the
 * group's threshold. Fitted on the validation split: the thresholds that give the highest accuracy
 * while every group's selection rate (demographic parity), or true- and false-positive rates
 * (equalised odds), lie within `tolerance` of each other. Rates are searched in bands on a 0.01 grid.
 */
import type { Grouping } from './groups';
import type { ThresholdObjective, ThresholdRule } from './schema';
import { classGaps } from './summary';

export const DEFAULT_TOLERANCE = 0.05;
export const DEFAULT_THRESHOLD = 0.5;
const GRID = 0.01;
const EPS = 1e-12;

interface Candidates {
  thresholds: number[];
  /** Per candidate: positives and negatives predicted positive. */
  tp: number[];
  fp: number[];
  positives: number;
  negatives: number;
}

/** Thresholds between consecutive distinct scores (plus 0 and 1) and their counts, selecting fewest first. */
function candidatesOf(scores: number[], positive: boolean[]): Candidates {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = positive.filter(Boolean).length;
  const c: Candidates = { thresholds: [1], tp: [0], fp: [0], positives, negatives: scores.length - positives };
  let tp = 0, fp = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    if (positive[i]) tp++;
    else fp++;
    const next = order[j + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    // A score of exactly 0 is never greater than a threshold in [0, 1]: "everyone" is out of reach.
    if (next === undefined && scores[i] === 0) break;
    c.thresholds.push(next === undefined ? 0 : (scores[i]! + scores[next]!) / 2);
    c.tp.push(tp);
    c.fp.push(fp);
  }
  return c;
}

interface Rates { sr: number; tpr: number | null; fpr: number | null; correct: number }

function ratesAt(c: Candidates, j: number): Rates {
  const n = c.positives + c.negatives;
  return {
    sr: (c.tp[j]! + c.fp[j]!) / n,
    tpr: c.positives ? c.tp[j]! / c.positives : null,
    fpr: c.negatives ? c.fp[j]! / c.negatives : null,
    correct: c.tp[j]! + c.negatives - c.fp[j]!,
  };
}

const inBand = (v: number | null, lo: number, tol: number) => v === null || (v >= lo - EPS && v <= lo + tol + EPS);

/** For each band, each group's most accurate threshold inside it; the best band's choice, or null. */
function bestInBands(groups: Rates[][], bands: ((r: Rates) => boolean)[]): number[] | null {
  let best: number[] | null = null, bestCorrect = -1;
  for (const fits of bands) {
    const pick: number[] = [];
    let total = 0;
    for (const rates of groups) {
      let j = -1;
      rates.forEach((r, i) => {
        if (fits(r) && (j < 0 || r.correct > rates[j]!.correct)) j = i;
      });
      if (j < 0) break;
      pick.push(j);
      total += rates[j]!.correct;
    }
    if (pick.length === groups.length && total > bestCorrect) {
      best = pick;
      bestCorrect = total;
    }
  }
  return best;
}

function bandsFor(objective: ThresholdObjective, tol: number): ((r: Rates) => boolean)[] {
  const lows = Array.from({ length: Math.floor((1 - tol) / GRID + EPS) + 1 }, (_, i) => i * GRID);
  if (objective === 'demographicParity') return lows.map((lo) => (r) => inBand(r.sr, lo, tol));
  return lows.flatMap((a) => lows.map((b) => (r: Rates) => inBand(r.tpr, a, tol) && inBand(r.fpr, b, tol)));
}

function figures(groups: Rates[], objective: ThresholdObjective, n: number): { accuracy: number; difference: number | null } {
  const gaps = classGaps(groups.map((r) => ({ selectionRate: r.sr, tpr: r.tpr, fpr: r.fpr })));
  return {
    accuracy: groups.reduce((a, r) => a + r.correct, 0) / n,
    difference: objective === 'demographicParity' ? gaps.demographicParityDifference : gaps.equalizedOddsDifference,
  };
}

export interface ThresholdFit {
  /** P(positive class) of each validation sample. */
  scores: ArrayLike<number>;
  /** Whether each sample's true class is the positive class. */
  isPositive: ArrayLike<boolean>;
  grouping: Grouping;
  positiveClass: string;
  objective: ThresholdObjective;
  tolerance?: number;
}

/** Fit per-group thresholds (see the file comment); the tolerance is at least the grid step, 0.01. */
export function fitGroupThresholds(fit: ThresholdFit): ThresholdRule {
  const n = fit.grouping.of.length;
  if (fit.scores.length !== n || fit.isPositive.length !== n) throw new Error(`Thresholds: ${n} samples in the groups but ${fit.scores.length} scores and ${fit.isPositive.length} labels`);
  if (n === 0) throw new Error('Thresholds need validation samples: set a validation split');
  if (fit.grouping.definition.some((d) => d.kind === 'class')) throw new Error('Thresholds cannot depend on the true class (it is unknown when predicting)');
  for (let i = 0; i < n; i++) {
    const s = fit.scores[i]!;
    if (!(s >= 0 && s <= 1)) throw new Error(`Thresholds: sample ${i} has the score ${s}, not a probability in [0, 1]`);
  }
  const members = fit.grouping.names.map(() => [] as number[]);
  for (let i = 0; i < n; i++) members[fit.grouping.of[i]!]!.push(i);
  const cands = members.map((m) => candidatesOf(m.map((i) => fit.scores[i]!), m.map((i) => fit.isPositive[i]!)));
  const rates = cands.map((c) => c.thresholds.map((_, j) => ratesAt(c, j)));
  const tolerance = Math.min(1, Math.max(GRID, fit.tolerance ?? DEFAULT_TOLERANCE));
  // Selecting nobody (threshold 1) in every group fits the band at 0, so there is always a choice.
  const pick = bestInBands(rates, bandsFor(fit.objective, tolerance))!;
  const before = members.map((m) => ratesAbove(m, fit, DEFAULT_THRESHOLD));
  return {
    grouping: fit.grouping.definition, positiveClass: fit.positiveClass, objective: fit.objective, tolerance,
    thresholds: pick.map((j, g) => ({ group: fit.grouping.names[g]!, threshold: cands[g]!.thresholds[j]! })),
    fallbackThreshold: DEFAULT_THRESHOLD,
    validation: { samples: n, before: figures(before, fit.objective, n), after: figures(pick.map((j, g) => rates[g]![j]!), fit.objective, n) },
  };
}

/** A group's rates with one threshold (the rule before fitting: 0.5 for all). */
function ratesAbove(members: number[], fit: ThresholdFit, t: number): Rates {
  const c: Candidates = { thresholds: [t], tp: [0], fp: [0], positives: 0, negatives: 0 };
  for (const i of members) {
    const pos = fit.isPositive[i]!;
    if (pos) c.positives++;
    else c.negatives++;
    if (fit.scores[i]! > t) {
      if (pos) c.tp[0]!++;
      else c.fp[0]!++;
    }
  }
  return ratesAt(c, 0);
}

/** The threshold of a group under a rule (the fallback for a group not seen when fitting). */
export function thresholdFor(rule: ThresholdRule, group: string): number {
  return rule.thresholds.find((t) => t.group === group)?.threshold ?? rule.fallbackThreshold;
}

/** Whether a sample of `group` with positive-class probability `score` is predicted positive. */
export function predictsPositive(rule: ThresholdRule, group: string, score: number): boolean {
  return score > thresholdFor(rule, group);
}
