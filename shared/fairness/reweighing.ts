/**
 * Reweighing (Kamiran & Calders, 2012): weight each training sample by
 *   w(g, y) = P(g) · P(y) / P(g, y) = n_g · n_y / (N · n_{g,y}),
 * the weight that makes group and label independent in the weighted training data (each weighted
 * (group, class) cell then holds N · P(g) · P(y)). Frequencies are counted on the training split.
 */
import type { Grouping } from './groups';
import type { ReweighingTable } from './schema';

export interface Reweighing {
  /** One weight per sample of the grouping (the training split's samples). */
  weights: Float64Array;
  table: ReweighingTable;
}

/** Weights for samples with groups `grouping.of` and class ids `labels` (classes `classes`). */
export function reweighing(grouping: Grouping, labels: ArrayLike<number>, classes: readonly string[]): Reweighing {
  const n = grouping.of.length;
  if (labels.length !== n) throw new Error(`Reweighing: ${n} samples in the groups but ${labels.length} labels`);
  if (n === 0) throw new Error('Reweighing needs training samples');
  const k = classes.length;
  const G = grouping.names.length;
  const cell = new Float64Array(G * k);
  const perGroup = new Float64Array(G);
  const perClass = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const g = grouping.of[i]!, y = labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < k)) throw new Error(`Reweighing: sample ${i} has class id ${y}, outside 0..${k - 1}`);
    cell[g * k + y]!++;
    perGroup[g]!++;
    perClass[y]!++;
  }
  const weightOf = (g: number, y: number) => (perGroup[g]! * perClass[y]!) / (n * cell[g * k + y]!);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = weightOf(grouping.of[i]!, labels[i]!);
  const cells: ReweighingTable['cells'] = [];
  for (let g = 0; g < G; g++) {
    for (let y = 0; y < k; y++) {
      if (cell[g * k + y]! > 0) cells.push({ group: grouping.names[g]!, className: classes[y]!, count: cell[g * k + y]!, weight: weightOf(g, y) });
    }
  }
  return { weights, table: { grouping: grouping.definition, cells } };
}
