/**
 * Kernel SHAP (Lundberg & Lee, 2017) over features (columns or superpixels) with a background
 * sample: a coalition S keeps x's values on S and takes a background row's elsewhere, and
 * v(S) = mean over the background rows of f(x_S, b_S̄) (interventional SHAP).
 *
 * - Up to `exactMaxFeatures` features (default 12: 4,096 coalitions) the Shapley values are
 *   enumerated exactly: φⱼ = Σ_{S ∌ j} |S|!(M−|S|−1)!/M! · (v(S ∪ j) − v(S)).
 * - Beyond, coalitions are drawn from the Shapley kernel (size s with probability ∝ (M−1)/(s(M−s)),
 *   then a uniform subset of that size) in complementary pairs (paired sampling halves the
 *   variance), and φ is the least-squares fit of v(z) ≈ φ₀ + z·φ under the constraint
 *   Σφ = v(all) − v(∅), solved by eliminating the last feature: efficiency holds exactly.
 */
import { forwardRows } from './batching';
import { composeMasked, type FeatureMap } from './features';
import { solveSpd } from './linalg';
import { mulberry32 } from '../random';
import type { AttributionResult, ForwardFn, RunControl } from './types';

export interface ShapOptions extends RunControl {
  /** Enumerate every coalition up to this many features (default 12). */
  exactMaxFeatures?: number;
  /** Coalitions drawn when sampling (default 2048; rounded up to an even number). */
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
  const coalitions = exact ? 2 ** features : 2 + evenCoalitions(opts.coalitions);
  return coalitions * backgroundRows;
}

const evenCoalitions = (n = 2048) => 2 * Math.ceil(Math.max(2, n) / 2);

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
  const masks = exact ? allCoalitions(m) : sampledCoalitions(m, evenCoalitions(opts.coalitions), opts.seed ?? 0);
  const count = masks.length / m;
  const v = await coalitionValues(f, x, background, rows, features, masks, opts);
  const vEmpty = v[0]!;
  const vFull = exact ? v[count - 1]! : v[1]!;
  const perFeature = exact ? exactShapley(v, m) : constrainedFit(masks, v, m, vEmpty, vFull);
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

/** Rows: the empty coalition, the full one, then `n` kernel-distributed coalitions in complementary pairs. */
function sampledCoalitions(m: number, n: number, seed: number): Uint8Array {
  const rnd = mulberry32(seed);
  const masks = new Uint8Array((n + 2) * m);
  masks.fill(1, m, 2 * m);
  const sizeCdf = new Float64Array(m - 1);
  let acc = 0;
  for (let s = 1; s < m; s++) sizeCdf[s - 1] = acc += (m - 1) / (s * (m - s));
  const order = Int32Array.from({ length: m }, (_, i) => i);
  for (let p = 0; p < n / 2; p++) {
    const u = rnd() * acc;
    let s = 1;
    while (s < m - 1 && sizeCdf[s - 1]! < u) s++;
    for (let i = 0; i < s; i++) {
      const j = i + Math.floor(rnd() * (m - i));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const a = (2 + 2 * p) * m;
    const b = a + m;
    masks.fill(1, b, b + m);
    for (let i = 0; i < s; i++) {
      masks[a + order[i]!] = 1;
      masks[b + order[i]!] = 0;
    }
  }
  return masks;
}

/**
 * Least squares over the sampled coalitions (rows 2.. of masks; equal weights, as they were drawn
 * from the kernel) of v(z) − v∅ ≈ z·φ with Σφ = v_full − v∅, eliminating φ_{m−1}.
 */
function constrainedFit(masks: Uint8Array, v: Float64Array, m: number, vEmpty: number, vFull: number): Float64Array {
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
    for (let i = 0; i < k; i++) {
      if (row[i] === 0) continue;
      b[i]! += row[i]! * target;
      for (let j = 0; j <= i; j++) a[i * k + j]! += row[i]! * row[j]!;
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
