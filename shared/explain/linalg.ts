/** The small dense linear algebra the surrogate models need (M ≤ a few hundred), in float64. */

/**
 * Solve A·x = b for a symmetric positive (semi-)definite A (n×n, row-major) by Cholesky; a
 * singular A gets a relative jitter on the diagonal (the minimum-norm-like answer of a ridge).
 */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  for (const jitter of [0, 1e-12, 1e-9, 1e-6]) {
    const l = cholesky(a, n, jitter * Math.max(trace / Math.max(n, 1), 1e-300));
    if (l) return cholSolve(l, b, n);
  }
  throw new Error('The least-squares system is singular: too few distinct samples for the number of features');
}

function cholesky(a: Float64Array, n: number, jitter: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]! + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

function cholSolve(l: Float64Array, b: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

export interface RidgeFit {
  coef: Float64Array;
  intercept: number;
  /** Weighted coefficient of determination of the fit (LIME's "score"). */
  r2: number;
}

/**
 * Weighted ridge regression with an unpenalised intercept (scikit-learn's Ridge with
 * sample_weight): minimise Σ wᵢ (yᵢ − b − xᵢ·β)² + α‖β‖². X is rows×m row-major.
 */
export function weightedRidge(x: Float64Array, y: Float64Array, w: Float64Array, rows: number, m: number, alpha: number): RidgeFit {
  let wSum = 0;
  const xMean = new Float64Array(m);
  let yMean = 0;
  for (let r = 0; r < rows; r++) {
    const wr = w[r]!;
    wSum += wr;
    yMean += wr * y[r]!;
    for (let j = 0; j < m; j++) xMean[j]! += wr * x[r * m + j]!;
  }
  if (!(wSum > 0)) throw new Error('Every sample has zero weight');
  yMean /= wSum;
  for (let j = 0; j < m; j++) xMean[j]! /= wSum;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  const xc = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    const wr = w[r]!;
    for (let j = 0; j < m; j++) xc[j] = x[r * m + j]! - xMean[j]!;
    const yc = y[r]! - yMean;
    for (let i = 0; i < m; i++) {
      const wi = wr * xc[i]!;
      b[i]! += wi * yc;
      for (let j = 0; j <= i; j++) a[i * m + j]! += wi * xc[j]!;
    }
  }
  for (let i = 0; i < m; i++) {
    a[i * m + i]! += alpha;
    for (let j = 0; j < i; j++) a[j * m + i] = a[i * m + j]!;
  }
  const coef = solveSpd(a, b, m);
  let intercept = yMean;
  for (let j = 0; j < m; j++) intercept -= coef[j]! * xMean[j]!;
  let ssRes = 0, ssTot = 0;
  for (let r = 0; r < rows; r++) {
    let p = intercept;
    for (let j = 0; j < m; j++) p += coef[j]! * x[r * m + j]!;
    ssRes += w[r]! * (y[r]! - p) ** 2;
    ssTot += w[r]! * (y[r]! - yMean) ** 2;
  }
  return { coef, intercept, r2: ssTot > 0 ? 1 - ssRes / ssTot : 1 };
}
