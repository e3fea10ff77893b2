import { describe, expect, it } from 'vitest';
import { gaussianBlur } from './baselines';
import { completenessGap, gradientSaliency, igQuadrature, integratedGradients, smoothGrad } from './gradients';
import type { GradientFn } from './types';

/** f(x) = Σ w·x³, ∂f/∂x = 3 w x². */
const cubic = (w: number[]): GradientFn => async (batch, n) => {
  const d = w.length;
  const values = new Float32Array(n);
  const grads = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = batch[i * d + j]!;
      values[i]! += w[j]! * v ** 3;
      grads[i * d + j] = 3 * w[j]! * v * v;
    }
  }
  return { values, grads };
};

describe('gradient methods', () => {
  const w = [1, -2, 0.5];
  const x = Float32Array.from([1, 0.5, -1]);

  it('IG: exact values (w·x³ from a zero baseline), a gap that shrinks like 1/m², both rules', async () => {
    const r = await integratedGradients(cubic(w), x, new Float32Array(3), { steps: 200 });
    w.forEach((wj, j) => expect(r.attributions[j]).toBeCloseTo(wj * x[j]! ** 3, 4));
    expect(r.forwardPasses).toBe(201);
    const coarse = await integratedGradients(cubic(w), x, new Float32Array(3), { steps: 10 });
    expect(coarse.completenessGap).toBeGreaterThan(1e-3);
    expect(r.completenessGap).toBeLessThan(coarse.completenessGap / 100);
    const riemann = await integratedGradients(cubic(w), x, new Float32Array(3), { steps: 200, rule: 'riemann' });
    expect(riemann.completenessGap).toBeLessThan(0.02);
    expect(riemann.baseValue).toBe(0);
  });

  it('quadrature weights sum to 1; the gap is relative', () => {
    for (const rule of ['trapezoid', 'riemann'] as const) expect(igQuadrature(7, rule).weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(completenessGap([1, 1], 4, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('gradient and SmoothGrad (noise 0 gives the gradient)', async () => {
    const g = await gradientSaliency(cubic(w), x);
    expect(Array.from(g.attributions)).toEqual([3, -1.5, 1.5]);
    const s = await smoothGrad(cubic(w), x, { noise: 0, samples: 4 });
    expect(Array.from(s.attributions)).toEqual([3, -1.5, 1.5]);
    expect(s.forwardPasses).toBe(5);
    const noisy = await smoothGrad(cubic(w), x, { samples: 50, seed: 2 });
    expect(noisy.attributions[0]).not.toBe(3);
  });

  it('blur keeps a constant image and the mean of an image', () => {
    const flat = gaussianBlur(new Float32Array(5 * 6 * 2).fill(7), [5, 6, 2], 1.5);
    flat.forEach((v) => expect(v).toBeCloseTo(7, 5));
    const dot = new Float32Array(9 * 9);
    dot[40] = 1;
    const b = gaussianBlur(dot, [9, 9], 1);
    expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    expect(b[40]).toBeLessThan(1);
  });
});
