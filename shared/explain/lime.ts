/**
 * LIME (Ribeiro et al., 2016): fit a weighted linear model to the model's outputs on perturbations
 * near x, in an interpretable binary space, and read its coefficients. As the `lime` package does:
 *
 * - tables: every feature is discretised into quartiles of the training data; a perturbation draws
 *   each feature independently from the training rows (its marginal distribution); its binary
 *   representation says which features fall in x's quartile. Distance = Euclidean in that space,
 *   kernel √exp(−d²/w²) with w = 0.75·√(features); ridge α = 1 with an unpenalised intercept.
 *   A coefficient is the estimated change of the output when the feature is in x's quartile
 *   rather than elsewhere.
 * - images (any FeatureMap): superpixels switched on or off with probability ½ (off = the baseline
 *   image's pixels), cosine distance to "all on", kernel width 0.25, ridge α = 1.
 *
 * The first perturbation is x itself. The fit's weighted R² is returned as a quality figure.
 */
import { forwardRows } from './batching';
import { composeMasked, type FeatureMap } from './features';
import { weightedRidge } from './linalg';
import { mulberry32 } from '../random';
import type { AttributionResult, ForwardFn, RunControl } from './types';

export interface LimeOptions extends RunControl {
  /** Perturbations (default 5000 for tables, 1000 for superpixels). */
  samples?: number;
  seed?: number;
  /** Ridge penalty (default 1). */
  alpha?: number;
  /** Kernel width (default 0.75·√features for tables, 0.25 for superpixels). */
  kernelWidth?: number;
}

export interface LimeResult extends AttributionResult {
  /** One coefficient per feature. */
  perFeature: Float64Array;
  /** The surrogate's weighted R² on the perturbations. */
  r2: number;
  /** The surrogate's value at x (intercept + Σ coefficients). */
  localPrediction: number;
}

export interface TabularLimeResult extends LimeResult {
  /** Per feature: the training quartiles [q25, q50, q75] and the quartile x falls in (0..3). */
  quartiles: number[][];
  bins: number[];
}

/** Quartiles of column j of a rows×d table (numpy's linear interpolation). */
export function quartiles(table: Float32Array, rows: number, d: number, j: number): number[] {
  const col = Float64Array.from({ length: rows }, (_, r) => table[r * d + j]!).sort();
  return [0.25, 0.5, 0.75].map((q) => {
    const pos = q * (rows - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(rows - 1, lo + 1);
    return col[lo]! + (col[hi]! - col[lo]!) * (pos - lo);
  });
}

/** The quartile bin of v: the number of quartile edges below it (numpy searchsorted, side left). */
export function binOf(edges: number[], v: number): number {
  let b = 0;
  while (b < edges.length && edges[b]! < v) b++;
  return b;
}

/** LIME on one row x of a table; `training` holds `rows` rows of the raw training data. */
export async function limeTabular(f: ForwardFn, x: Float32Array, training: Float32Array, rows: number, opts: LimeOptions = {}): Promise<TabularLimeResult> {
  const d = x.length;
  if (training.length !== rows * d || rows < 2) throw new Error(`LIME needs at least 2 training rows of ${d} features`);
  const n = Math.max(2, opts.samples ?? 5000);
  const edges = Array.from({ length: d }, (_, j) => quartiles(training, rows, d, j));
  const bins = Array.from(x, (v, j) => binOf(edges[j]!, v));
  const rnd = mulberry32(opts.seed ?? 0);
  const perturbed = new Float32Array(n * d);
  perturbed.set(x);
  for (let i = 1; i < n; i++) for (let j = 0; j < d; j++) perturbed[i * d + j] = training[Math.floor(rnd() * rows) * d + j]!;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = binOf(edges[j]!, perturbed[i * d + j]!) === bins[j] ? 1 : 0;
  const y = await forwardRows(f, d, n, (i, out, o) => out.set(perturbed.subarray(i * d, (i + 1) * d), o), opts);
  const width = opts.kernelWidth ?? 0.75 * Math.sqrt(d);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < d; j++) off += 1 - z[i * d + j]!;
    w[i] = Math.sqrt(Math.exp(-off / (width * width)));
  }
  return { ...fit(z, y, w, n, d, opts.alpha ?? 1), quartiles: edges, bins };
}

/** LIME over features switched on/off (superpixels): off features take the baseline's values. */
export async function limeFeatures(f: ForwardFn, x: Float32Array, baseline: Float32Array, features: FeatureMap, opts: LimeOptions = {}): Promise<LimeResult> {
  const d = x.length;
  const m = features.count;
  if (baseline.length !== d) throw new Error(`The baseline has ${baseline.length} numbers, the input ${d}`);
  const n = Math.max(2, opts.samples ?? 1000);
  const rnd = mulberry32(opts.seed ?? 0);
  const z = new Float64Array(n * m);
  z.fill(1, 0, m);
  for (let i = m; i < n * m; i++) z[i] = rnd() < 0.5 ? 1 : 0;
  const y = await forwardRows(f, d, n, (i, out, o) => composeMasked(x, baseline, features, z.subarray(i * m, (i + 1) * m), out, o), opts);
  const width = opts.kernelWidth ?? 0.25;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let on = 0;
    for (let j = 0; j < m; j++) on += z[i * m + j]!;
    const cosine = on > 0 ? 1 - on / (Math.sqrt(on) * Math.sqrt(m)) : 1;
    w[i] = Math.sqrt(Math.exp(-(cosine * cosine) / (width * width)));
  }
  return fit(z, y, w, n, m, opts.alpha ?? 1);
}

function fit(z: Float64Array, y: Float64Array, w: Float64Array, n: number, m: number, alpha: number): LimeResult {
  const r = weightedRidge(z, y, w, n, m, alpha);
  let local = r.intercept;
  for (let j = 0; j < m; j++) local += r.coef[j]!;
  return {
    perFeature: r.coef, attributions: r.coef, output: y[0]!, baseValue: r.intercept,
    forwardPasses: n, r2: r.r2, localPrediction: local,
  };
}
