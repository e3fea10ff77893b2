/**
 * Kernel SHAP (Lundberg & Lee, 2017) over features (columns or superpixels) with a background
 * sample: a coalition S keeps x's values on S and takes a background row's elsewhere, and
 * v(S) = mean over the background rows of f(x_S, b_S̄) (interventional SHAP).
 *
 * - Up to `exactMaxFeatures` features (default 12: 4,096 coalitions) the Shapley values are
 *   enumerated exactly: φⱼ = Σ_{S ∌ j} |S|!(M−|S|−1)!/M! · (v(S ∪ j) − v(S)).
 * - Beyond, the budget of coalitions first enumerates the smallest and largest subset sizes (which
 *   carry most of the Shapley kernel's weight (M−1)/(C(M,s)·s·(M−s))) as far as it reaches, then
 *   samples the other sizes in complementary pairs (paired sampling halves the variance), as the
 *   shap package does; φ is the kernel-weighted least-squares fit of v(z) ≈ φ₀ + z·φ under the
 *   constraint Σφ = v(all) − v(∅), solved by eliminating the last feature: efficiency holds exactly.
 */
import { forwardRows } from './batching';
import { composeMasked, type FeatureMap } from './features';
import { solveSpd } from './linalg';
import { mulberry32 } from '../random';
import type { AttributionResult, ForwardFn, RunControl } from './types';

export interface ShapOptions extends RunControl {
  /** Enumerate every coalition up to this many features (default 12). */
  exactMaxFeatures?: number;
  /** Coalition budget when sampling (default 2048; the empty and full coalitions come on top, and an odd remainder is rounded up to a pair). */
  coalitions?: number;
  seed?: number;
}

export interface ShapResult extends AttributionResult {
  /** One Shapley value per feature; baseValue + Σ = output. */
  perFeature: Float64Array;
  exact: boolean;
  /** Coalitions evaluated (each over every background row). */
  coalitions: number;
}

/** The expected number of model evaluations for a request (for cost estimates). */
export function shapForwardPasses(features: number, backgroundRows: number, opts: Pick<ShapOptions, 'exactMaxFeatures' | 'coalitions'> = {}): number {
  const exact = features <= Math.max(2, opts.exactMaxFeatures ?? 12);
  const coalitions = exact ? 2 ** features : sampledCount(features, budget(opts.coalitions));
  return coalitions * backgroundRows;
}

const budget = (n = 2048) => Math.max(2, Math.floor(n));

/**
 * Shapley values of f at x. `background` holds `rows` rows of d numbers (for images typically one
 * baseline image); every element of x belongs to one feature of `features`.
 */
export async function kernelShap(f: ForwardFn, x: Float32Array, background: Float32Array, rows: number, features: FeatureMap, opts: ShapOptions = {}): Promise<ShapResult> {
  const d = x.length;
  const m = features.count;
  if (background.length !== rows * d || rows < 1) throw new Error(`The background holds ${background.length} numbers, not ${rows} rows of ${d}`);
  if (features.of.length !== d) throw new Error(`The feature map covers ${features.of.length} input elements, the input has ${d}`);
  if (m < 1) throw new Error('Nothing to explain: no features');
  const exact = m <= Math.max(2, opts.exactMaxFeatures ?? 12);
  const sampled = exact ? null : sampledCoalitions(m, budget(opts.coalitions), opts.seed ?? 0);
  const masks = sampled ? sampled.masks : allCoalitions(m);
  const count = masks.length / m;
  const v = await coalitionValues(f, x, background, rows, features, masks, opts);
  const vEmpty = v[0]!;
  const vFull = exact ? v[count - 1]! : v[1]!;
  const perFeature = sampled ? constrainedFit(masks, sampled.weights, v, m, vEmpty, vFull) : exactShapley(v, m);
  return {
    perFeature, attributions: perFeature, output: vFull, baseValue: vEmpty,
    forwardPasses: count * rows, exact, coalitions: count,
  };
}

/** Mean over the background of f(x on S, background elsewhere) for each coalition row of `masks`. */
async function coalitionValues(f: ForwardFn, x: Float32Array, background: Float32Array, rows: number, features: FeatureMap, masks: Uint8Array, control: RunControl): Promise<Float64Array> {
  const d = x.length;
  const m = features.count;
  const count = masks.length / m;
  const y = await forwardRows(f, d, count * rows, (i, out, offset) => {
    const c = Math.floor(i / rows);
    const k = i % rows;
    composeMasked(x, background.subarray(k * d, (k + 1) * d), features, masks.subarray(c * m, (c + 1) * m), out, offset);
  }, control);
  const v = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    let s = 0;
    for (let k = 0; k < rows; k++) s += y[c * rows + k]!;
    v[c] = s / rows;
  }
  return v;
}

/** Row c = the bits of c (feature j on when bit j is set): 0 = nobody, 2^m − 1 = everybody. */
function allCoalitions(m: number): Uint8Array {
  const count = 2 ** m;
  const masks = new Uint8Array(count * m);
  for (let c = 0; c < count; c++) for (let j = 0; j < m; j++) masks[c * m + j] = (c >> j) & 1;
  return masks;
}

function exactShapley(v: Float64Array, m: number): Float64Array {
  // weight(s) = s!(m−s−1)!/m! = 1 / (m · C(m−1, s))
  const weight = new Float64Array(m);
  let binom = 1;
  for (let s = 0; s < m; s++) {
    weight[s] = 1 / (m * binom);
    binom = (binom * (m - 1 - s)) / (s + 1);
  }
  const phi = new Float64Array(m);
  for (let c = 0; c < v.length; c++) {
    const size = popcount(c);
    for (let j = 0; j < m; j++) {
      if ((c >> j) & 1) continue;
      phi[j]! += weight[size]! * (v[c | (1 << j)]! - v[c]!);
    }
  }
  return phi;
}

function popcount(c: number): number {
  let n = 0;
  for (; c; c &= c - 1) n++;
  return n;
}

/**
 * Coalitions for the sampled estimator, as the shap package draws them: rows 0 and 1 are the empty
 * and the full coalition; then, from the smallest subset size (paired with its complement's size)
 * up, every subset of that size while the budget covers the size's share of the kernel weight; the
 * remaining budget samples the other sizes in complementary pairs. Weights: an enumerated subset
 * gets its kernel weight, a sampled one an equal share of the weight left; they sum to 1.
 */
interface CoalitionPlan {
  /** Subset sizes 1..enumerated (and their complements) are enumerated. */
  enumerated: number;
  /** Coalitions enumerated. */
  enumeratedCount: number;
  /** Kernel weight left to each size class after enumeration (0 for enumerated ones). */
  remaining: number[];
  /** Complementary pairs sampled from the remaining sizes. */
  pairs: number;
}

function planCoalitions(m: number, n: number): CoalitionPlan {
  const sizes = Math.ceil((m - 1) / 2);
  const paired = Math.floor((m - 1) / 2);
  const share = Array.from({ length: sizes }, (_, i) => ((m - 1) / ((i + 1) * (m - i - 1))) * (i + 1 <= paired ? 2 : 1));
  const total = share.reduce((a, b) => a + b, 0);
  const remaining = share.map((w) => w / total);
  let left = n;
  let enumerated = 0;
  let enumeratedCount = 0;
  for (let i = 0; i < sizes; i++) {
    const subsets = binomial(m, i + 1) * (i + 1 <= paired ? 2 : 1);
    const rest = remaining.slice(i).reduce((a, b) => a + b, 0);
    if ((left * remaining[i]!) / rest < subsets - 1e-8) break;
    left -= subsets;
    enumeratedCount += subsets;
    enumerated = i + 1;
  }
  const restWeight = remaining.slice(enumerated).reduce((a, b) => a + b, 0);
  return { enumerated, enumeratedCount, remaining, pairs: restWeight > 0 ? Math.ceil(Math.max(0, left) / 2) : 0 };
}

/** Coalitions the sampled estimator evaluates for a budget of n (with the empty and the full one). */
function sampledCount(m: number, n: number): number {
  const p = planCoalitions(m, n);
  return 2 + p.enumeratedCount + 2 * p.pairs;
}

function sampledCoalitions(m: number, n: number, seed: number): { masks: Uint8Array; weights: Float64Array } {
  const rows: Uint8Array[] = [new Uint8Array(m), new Uint8Array(m).fill(1)];
  const weights: number[] = [0, 0];
  const plan = planCoalitions(m, n);
  const paired = Math.floor((m - 1) / 2);
  const remaining = [...plan.remaining];
  for (let i = 0; i < plan.enumerated; i++) {
    const s = i + 1;
    const both = s <= paired;
    const w = remaining[i]! / (binomial(m, s) * (both ? 2 : 1));
    forEachSubset(m, s, (on) => {
      rows.push(on);
      weights.push(w);
      if (both) {
        rows.push(on.map((v) => 1 - v));
        weights.push(w);
      }
    });
    remaining[i] = 0;
  }
  const firstSampled = plan.enumerated;
  const sizes = remaining.length;
  const pairs = plan.pairs;
  const restWeight = remaining.reduce((a, b) => a + b, 0);
  if (pairs > 0) {
    const rnd = mulberry32(seed);
    const order = Int32Array.from({ length: m }, (_, i) => i);
    const w = restWeight / (2 * pairs);
    for (let p = 0; p < pairs; p++) {
      let u = rnd() * restWeight;
      let i = firstSampled;
      while (i < sizes - 1 && u >= remaining[i]!) u -= remaining[i++]!;
      const s = i + 1;
      for (let k = 0; k < s; k++) {
        const j = k + Math.floor(rnd() * (m - k));
        const t = order[k]!;
        order[k] = order[j]!;
        order[j] = t;
      }
      const on = new Uint8Array(m);
      for (let k = 0; k < s; k++) on[order[k]!] = 1;
      rows.push(on, on.map((v) => 1 - v));
      weights.push(w, w);
    }
  }
  const masks = new Uint8Array(rows.length * m);
  rows.forEach((r, i) => masks.set(r, i * m));
  return { masks, weights: Float64Array.from(weights) };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Every subset of {0..m-1} with s members, as 0/1 rows (lexicographic). */
function forEachSubset(m: number, s: number, visit: (on: Uint8Array) => void): void {
  const idx = Array.from({ length: s }, (_, i) => i);
  for (;;) {
    const on = new Uint8Array(m);
    for (const j of idx) on[j] = 1;
    visit(on);
    let k = s - 1;
    while (k >= 0 && idx[k] === m - s + k) k--;
    if (k < 0) return;
    idx[k]!++;
    for (let j = k + 1; j < s; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * Weighted least squares over the coalitions (rows 2.. of masks) of v(z) − v∅ ≈ z·φ under
 * Σφ = v_full − v∅, eliminating φ_{m−1}.
 */
function constrainedFit(masks: Uint8Array, weights: Float64Array, v: Float64Array, m: number, vEmpty: number, vFull: number): Float64Array {
  const total = vFull - vEmpty;
  const k = m - 1;
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  const row = new Float64Array(k);
  for (let c = 2; c < v.length; c++) {
    const z = masks.subarray(c * m, (c + 1) * m);
    const zLast = z[k]!;
    for (let j = 0; j < k; j++) row[j] = z[j]! - zLast;
    const target = v[c]! - vEmpty - zLast * total;
    const w = weights[c]!;
    for (let i = 0; i < k; i++) {
      if (row[i] === 0) continue;
      b[i]! += w * row[i]! * target;
      for (let j = 0; j <= i; j++) a[i * k + j]! += w * row[i]! * row[j]!;
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) a[j * k + i] = a[i * k + j]!;
  const phi = new Float64Array(m);
  if (k > 0) phi.set(solveSpd(a, b, k));
  let rest = 0;
  for (let j = 0; j < k; j++) rest += phi[j]!;
  phi[k] = total - rest;
  return phi;
}
