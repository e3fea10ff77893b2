/**
 * Gaps between groups (Fairlearn's definitions): each difference is the largest minus the smallest
 * value over the groups where the value is defined (null with fewer than two such groups); the
 * ratio is the smallest over the largest. Multiclass: per class one-vs-rest, and overall the worst
 * class (largest difference, smallest ratio).
 */
import type { ClassMetrics, ClassSummaryName, Metrics, SummaryName } from './schema';

export type SummaryValues = Partial<Record<SummaryName, number | null>>;
export type ClassSummaryValues = Record<ClassSummaryName, number | null>;

function defined(values: (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => v !== null && v !== undefined);
}

/** max − min over defined values (null with fewer than two). */
export function spread(values: (number | null | undefined)[]): number | null {
  const d = defined(values);
  return d.length >= 2 ? Math.max(...d) - Math.min(...d) : null;
}

/** min / max over defined values (null with fewer than two, or a largest value of 0). */
export function minOverMax(values: (number | null | undefined)[]): number | null {
  const d = defined(values);
  if (d.length < 2) return null;
  const hi = Math.max(...d);
  return hi > 0 ? Math.min(...d) / hi : null;
}

const maxOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(a, b));

/** The four gaps of one class (binary: the positive class) across groups. */
export function classGaps(groups: ClassMetrics[]): ClassSummaryValues {
  const tprGap = spread(groups.map((g) => g.tpr));
  const fprGap = spread(groups.map((g) => g.fpr));
  return {
    demographicParityDifference: spread(groups.map((g) => g.selectionRate)),
    demographicParityRatio: minOverMax(groups.map((g) => g.selectionRate)),
    equalizedOddsDifference: maxOrNull(tprGap, fprGap),
    equalOpportunityDifference: tprGap,
  };
}

function worstOf(classes: ClassSummaryValues[]): ClassSummaryValues {
  const pick = (key: ClassSummaryName, better: (a: number, b: number) => number) => {
    const d = defined(classes.map((c) => c[key]));
    return d.length ? d.reduce((a, b) => better(a, b)) : null;
  };
  return {
    demographicParityDifference: pick('demographicParityDifference', Math.max),
    demographicParityRatio: pick('demographicParityRatio', Math.min),
    equalizedOddsDifference: pick('equalizedOddsDifference', Math.max),
    equalOpportunityDifference: pick('equalOpportunityDifference', Math.max),
  };
}

/** Index of the group with the extreme defined value (lowest when `lowest`), or -1. */
export function extremeGroup(values: (number | null | undefined)[], lowest: boolean): number {
  let best = -1;
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (best < 0 || (lowest ? v < values[best]! : v > values[best]!)) best = i;
  });
  return best;
}

/** Classification summary: gaps of the positive class (binary) or the worst class, worst-group accuracy. */
export function classificationSummary(groups: Metrics[], perClass?: ClassMetrics[][]): { values: SummaryValues; perClass?: ClassSummaryValues[]; worst: number } {
  const worst = extremeGroup(groups.map((g) => g.accuracy), true);
  const worstGroupAccuracy = worst >= 0 ? groups[worst]!.accuracy! : null;
  if (!perClass) return { values: { ...classGaps(groups), worstGroupAccuracy }, worst };
  const k = perClass[0]?.length ?? 0;
  const byClass = Array.from({ length: k }, (_, c) => classGaps(perClass.map((g) => g[c]!)));
  return { values: { ...worstOf(byClass), worstGroupAccuracy }, perClass: byClass, worst };
}

/** Regression summary: the MAE gap and the worst (highest) group MAE. */
export function regressionSummary(groups: Metrics[]): { values: SummaryValues; worst: number } {
  const worst = extremeGroup(groups.map((g) => g.mae), false);
  return { values: { maeDifference: spread(groups.map((g) => g.mae)), worstGroupMae: worst >= 0 ? groups[worst]!.mae! : null }, worst };
}
