/**
 * Per-group metrics from confusion counts (classification) or error sums (regression). Every rate
 * is null where its denominator is 0 in the group, never a made-up 0: a group without positives has
 * no true-positive rate. Multiclass averages are macro averages over the classes where the per-class
 * value is defined (docs/fairness.md).
 */
import type { ClassMetrics, Metrics } from './schema';

/** confusion[true][predicted] over the samples of `members` (all samples when omitted). */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number, members?: ArrayLike<number>): number[][] {
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const n = members ? members.length : yTrue.length;
  for (let j = 0; j < n; j++) {
    const i = members ? members[j]! : j;
    const t = yTrue[i]!, p = yPred[i]!;
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new Error(`Sample ${i}: class ids must be in 0..${k - 1}, got true ${t}, predicted ${p}`);
    cm[t]![p]!++;
  }
  return cm;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** One-vs-rest counts of class c from a flat k×k confusion (row-major, [true * k + predicted]). */
export function oneVsRest(cm: ArrayLike<number>, k: number, c: number): { tp: number; fp: number; fn: number; tn: number } {
  let row = 0, col = 0, n = 0;
  for (let i = 0; i < k; i++) {
    row += cm[c * k + i]!;
    col += cm[i * k + c]!;
    for (let j = 0; j < k; j++) n += cm[i * k + j]!;
  }
  const tp = cm[c * k + c]!;
  return { tp, fp: col - tp, fn: row - tp, tn: n - row - col + tp };
}

/** Selection rate, TPR (recall), FPR, precision and F1 of class c against the rest. */
export function classMetrics(cm: ArrayLike<number>, k: number, c: number): Required<ClassMetrics> {
  const { tp, fp, fn, tn } = oneVsRest(cm, k, c);
  return {
    selectionRate: ratio(tp + fp, tp + fp + fn + tn),
    tpr: ratio(tp, tp + fn),
    fpr: ratio(fp, fp + tn),
    precision: ratio(tp, tp + fp),
    // 2TP / (2TP + FP + FN) equals 2PR / (P + R) where both are defined, and is 0 (not undefined)
    // when precision alone is undefined but there are positives (scikit-learn's value).
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

function macro(values: (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
}

/**
 * A group's classification metrics from its flat confusion. Binary (k = 2): the positive class's
 * rates; multiclass: macro averages (selection rate is then per class only: it always averages 1/k).
 */
export function classificationMetrics(cm: ArrayLike<number>, k: number, positive: number): { metrics: Metrics; perClass?: Required<ClassMetrics>[] } {
  let n = 0, correct = 0;
  for (let i = 0; i < k; i++) {
    correct += cm[i * k + i]!;
    for (let j = 0; j < k; j++) n += cm[i * k + j]!;
  }
  const accuracy = ratio(correct, n);
  if (k === 2) return { metrics: { accuracy, ...classMetrics(cm, k, positive) } };
  const perClass = Array.from({ length: k }, (_, c) => classMetrics(cm, k, c));
  return {
    metrics: {
      accuracy,
      tpr: macro(perClass.map((m) => m.tpr)),
      fpr: macro(perClass.map((m) => m.fpr)),
      precision: macro(perClass.map((m) => m.precision)),
      f1: macro(perClass.map((m) => m.f1)),
    },
    perClass,
  };
}

/** MAE and RMSE over every output value of a group, from its error sums and value count. */
export function regressionMetrics(absSum: number, sqSum: number, count: number): Metrics {
  return { mae: ratio(absSum, count), rmse: count > 0 ? Math.sqrt(sqSum / count) : null };
}
