/**
 * Gradient methods, given the gradient of the target with respect to the input:
 *
 * - gradient (saliency): ∂f/∂x at x (Simonyan et al., 2014).
 * - SmoothGrad (Smilkov et al., 2017): the mean gradient over x + N(0, σ²), σ = noise·(max x − min x).
 * - Integrated Gradients (Sundararajan et al., 2017): φ = (x − x′) ⊙ ∫₀¹ ∂f/∂x(x′ + α(x − x′)) dα,
 *   the integral by the trapezoid rule (α = k/m, k = 0..m, end points weighted ½; default) or the
 *   right Riemann sum (α = k/m, k = 1..m, the paper's formula). Completeness: Σφ = f(x) − f(x′)
 *   up to the quadrature error, which the completeness gap measures.
 */
import { gradientRows } from './batching';
import { gaussian, mulberry32 } from '../random';
import type { AttributionResult, GradientFn, RunControl } from './types';

export type IgRule = 'trapezoid' | 'riemann';

export interface IgOptions extends RunControl {
  /** Intervals m of the path (default 50: m + 1 gradient evaluations). */
  steps?: number;
  rule?: IgRule;
}

export interface IgResult extends AttributionResult {
  baseValue: number;
  /** |Σφ − (f(x) − f(x′))| / |f(x) − f(x′)| (the absolute gap when that difference is below 1e-6). */
  completenessGap: number;
}

/** The path points α and the quadrature weights (α = 0 is always evaluated, for f(x′)). */
export function igQuadrature(steps: number, rule: IgRule): { alphas: Float64Array; weights: Float64Array } {
  const m = Math.max(1, Math.floor(steps));
  const alphas = Float64Array.from({ length: m + 1 }, (_, k) => k / m);
  const weights = new Float64Array(m + 1).fill(1 / m);
  if (rule === 'trapezoid') {
    weights[0] = 1 / (2 * m);
    weights[m] = 1 / (2 * m);
  } else {
    weights[0] = 0;
  }
  return { alphas, weights };
}

/** The relative completeness gap of additive attributions (see IgResult). */
export function completenessGap(attributions: ArrayLike<number>, output: number, baseValue: number): number {
  let sum = 0;
  for (let i = 0; i < attributions.length; i++) sum += attributions[i]!;
  const delta = output - baseValue;
  const gap = Math.abs(sum - delta);
  return Math.abs(delta) < 1e-6 ? gap : gap / Math.abs(delta);
}

export async function integratedGradients(g: GradientFn, x: Float32Array, baseline: Float32Array, opts: IgOptions = {}): Promise<IgResult> {
  const d = x.length;
  if (baseline.length !== d) throw new Error(`The baseline has ${baseline.length} numbers, the input ${d}`);
  const { alphas, weights } = igQuadrature(opts.steps ?? 50, opts.rule ?? 'trapezoid');
  const avg = new Float64Array(d);
  let output = NaN, baseValue = NaN;
  await gradientRows(g, d, alphas.length, (k, out, o) => {
    const a = alphas[k]!;
    for (let e = 0; e < d; e++) out[o + e] = baseline[e]! + a * (x[e]! - baseline[e]!);
  }, (k, value, grad) => {
    if (k === 0) baseValue = value;
    if (k === alphas.length - 1) output = value;
    const wk = weights[k]!;
    if (wk) for (let e = 0; e < d; e++) avg[e]! += wk * grad[e]!;
  }, opts);
  const attributions = Float64Array.from(avg, (v, e) => v * (x[e]! - baseline[e]!));
  return { attributions, output, baseValue, forwardPasses: alphas.length, completenessGap: completenessGap(attributions, output, baseValue) };
}

export interface SmoothGradOptions extends RunControl {
  /** Noisy copies (default 25). */
  samples?: number;
  /** σ as a fraction of the input's range (default 0.15). */
  noise?: number;
  seed?: number;
}

export async function smoothGrad(g: GradientFn, x: Float32Array, opts: SmoothGradOptions = {}): Promise<AttributionResult> {
  const d = x.length;
  const n = Math.max(1, opts.samples ?? 25);
  let lo = Infinity, hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const sigma = (opts.noise ?? 0.15) * (hi - lo || 1);
  const rnd = mulberry32(opts.seed ?? 0);
  const sum = new Float64Array(d);
  let output = NaN;
  // Row 0 is x itself (for f(x)); rows 1..n are the noisy copies that are averaged.
  await gradientRows(g, d, n + 1, (k, out, o) => {
    for (let e = 0; e < d; e++) out[o + e] = k === 0 ? x[e]! : x[e]! + sigma * gaussian(rnd);
  }, (k, value, grad) => {
    if (k === 0) output = value;
    else for (let e = 0; e < d; e++) sum[e]! += grad[e]!;
  }, opts);
  return { attributions: sum.map((v) => v / n), output, baseValue: null, forwardPasses: n + 1 };
}

export async function gradientSaliency(g: GradientFn, x: Float32Array, opts: RunControl = {}): Promise<AttributionResult> {
  let output = NaN;
  const attributions = new Float64Array(x.length);
  await gradientRows(g, x.length, 1, (_, out, o) => out.set(x, o), (_, value, grad) => {
    output = value;
    attributions.set(grad);
  }, opts);
  return { attributions, output, baseValue: null, forwardPasses: 1 };
}
