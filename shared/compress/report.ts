/**
 * What compression changed, prediction by prediction: agreement with the original model (share of
 * test predictions unchanged), per-class accuracy before and after, the samples whose prediction
 * changed, and a warning for a class that lost much more than the average (compressed networks
 * forget some classes and a long tail of examples first: Hooker et al. 2019).
 */

export interface ChangedSample {
  /** Index of the sample in the dataset. */
  index: number;
  /** True class name. */
  label: string;
  /** Predicted class names before and after. */
  before: string;
  after: string;
}

export interface ClassChange {
  label: string;
  /** Accuracy (recall) on this class before and after, in [0, 1]. */
  before: number;
  after: number;
  support: number;
}

export interface PredictionComparison {
  agreement: number;
  /** Every changed sample up to `changedLimit`, in split order. */
  changed: ChangedSample[];
  changedTotal: number;
  perClass: ClassChange[];
  warnings: string[];
}

/**
 * A class is flagged when its accuracy drop is at least 2 points above the average drop, at least
 * three times it, and at least two of its samples.
 */
export const CLASS_WARNING = { marginPoints: 2, ratio: 3, minSamples: 2 } as const;

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

export function comparePredictions(args: {
  before: ArrayLike<number>;
  after: ArrayLike<number>;
  truth: ArrayLike<number>;
  indices: ArrayLike<number>;
  classes: readonly string[];
  changedLimit?: number;
}): PredictionComparison {
  const { before, after, truth, indices, classes } = args;
  const n = truth.length;
  if (before.length !== n || after.length !== n || indices.length !== n) throw new Error('Predictions, labels and indices must have the same length');
  const limit = args.changedLimit ?? 100;
  const name = (c: number) => classes[c] ?? String(c);
  const k = classes.length;
  const hitB = new Array<number>(k).fill(0), hitA = new Array<number>(k).fill(0), support = new Array<number>(k).fill(0);
  const changed: ChangedSample[] = [];
  let same = 0, changedTotal = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    support[t]!++;
    if (before[i] === t) hitB[t]!++;
    if (after[i] === t) hitA[t]!++;
    if (before[i] === after[i]) same++;
    else if (changedTotal++ < limit) changed.push({ index: indices[i]!, label: name(t), before: name(before[i]!), after: name(after[i]!) });
  }
  const perClass = classes.map((label, c) => ({
    label, support: support[c]!,
    before: support[c] ? hitB[c]! / support[c]! : 0,
    after: support[c] ? hitA[c]! / support[c]! : 0,
  }));
  const accB = hitB.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const accA = hitA.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const meanDrop = accB - accA;
  const warnings: string[] = [];
  for (const c of perClass) {
    const drop = c.before - c.after;
    if (isClassFlagged(c, meanDrop)) {
      warnings.push(`Class "${c.label}" lost ${(100 * drop).toFixed(1)} points of accuracy (${pct(c.before)} → ${pct(c.after)}, ${c.support} samples) against ${(100 * meanDrop).toFixed(1)} on average: compression hurt it much more than the other classes`);
    }
  }
  return { agreement: n ? same / n : 1, changed, changedTotal, perClass, warnings };
}

/** The rule of CLASS_WARNING: this class lost much more than `meanDrop` (the overall accuracy drop). */
export function isClassFlagged(c: ClassChange, meanDrop: number): boolean {
  const drop = c.before - c.after;
  const lost = Math.round(drop * c.support);
  return drop - meanDrop >= CLASS_WARNING.marginPoints / 100 && drop >= CLASS_WARNING.ratio * Math.max(meanDrop, 0) && lost >= CLASS_WARNING.minSamples;
}

/** The overall accuracy drop, from the per-class figures (support-weighted). */
export function meanDropOf(perClass: readonly ClassChange[]): number {
  const n = perClass.reduce((a, c) => a + c.support, 0);
  return n ? perClass.reduce((a, c) => a + (c.before - c.after) * c.support, 0) / n : 0;
}
