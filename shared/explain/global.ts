/**
 * Global importance of a tabular model's features:
 * - mean |SHAP|: the mean absolute Shapley value of each feature over N explained rows;
 * - permutation importance (Breiman, 2001; scikit-learn's permutation_importance): the drop of a
 *   score (higher is better: accuracy, −MSE) on the test split when one column is shuffled,
 *   averaged over repeats. It measures what the model relies on, including correlated stand-ins.
 */
import { betweenSteps } from './batching';
import { mulberry32, shuffleInPlace } from '../random';
import type { RunControl } from './types';

export interface GlobalImportance {
  importance: Float64Array;
  /** Standard deviation over rows (mean |SHAP|) or over repeats (permutation). */
  spread: Float64Array;
}

/** Mean |φ| per feature over the rows; `explain(i)` gives row i's Shapley values. */
export async function meanAbsShap(rows: number, features: number, explain: (i: number) => Promise<ArrayLike<number>>, control: RunControl = {}): Promise<GlobalImportance> {
  const sum = new Float64Array(features);
  const sumSq = new Float64Array(features);
  for (let i = 0; i < rows; i++) {
    await betweenSteps(control);
    const phi = await explain(i);
    for (let j = 0; j < features; j++) {
      const a = Math.abs(phi[j]!);
      sum[j]! += a;
      sumSq[j]! += a * a;
    }
    control.onProgress?.(i + 1, rows);
  }
  const importance = sum.map((s) => s / Math.max(1, rows));
  return { importance, spread: sumSq.map((s, j) => Math.sqrt(Math.max(0, s / Math.max(1, rows) - importance[j]! ** 2))) };
}

export interface PermutationOptions extends RunControl {
  /** Shuffles per feature (default 5). */
  repeats?: number;
  seed?: number;
}

/**
 * Permutation importance of each of the d columns of `x` (rows×d): `score(batch, n)` evaluates the
 * model on n rows against their true targets (which it holds, in row order) and returns a number
 * where higher is better.
 */
export async function permutationImportance(x: Float32Array, rows: number, d: number, score: (batch: Float32Array, n: number) => Promise<number>, opts: PermutationOptions = {}): Promise<GlobalImportance & { baseline: number }> {
  const repeats = Math.max(1, opts.repeats ?? 5);
  const baseline = await score(x, rows);
  const rnd = mulberry32(opts.seed ?? 0);
  const importance = new Float64Array(d);
  const spread = new Float64Array(d);
  const copy = new Float32Array(x.length);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  for (let j = 0; j < d; j++) {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      await betweenSteps(opts);
      shuffleInPlace(order, rnd);
      copy.set(x);
      for (let i = 0; i < rows; i++) copy[i * d + j] = x[order[i]! * d + j]!;
      drops.push(baseline - await score(copy, rows));
      opts.onProgress?.(j * repeats + r + 1, d * repeats);
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    importance[j] = mean;
    spread[j] = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats);
  }
  return { importance, spread, baseline };
}
