import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { elementFeatures, segmentFeatures } from './features';
import { kernelShap, shapForwardPasses } from './shap';
import type { ForwardFn } from './types';

/** A closed-form model over rows of d numbers, batched. */
const model = (d: number, g: (r: Float32Array) => number): ForwardFn => async (batch, n) =>
  Float32Array.from({ length: n }, (_, i) => g(batch.subarray(i * d, (i + 1) * d)));

/** Shapley values by the permutation definition (every ordering), an independent referee. */
function shapleyByPermutations(v: (on: number[]) => number, m: number): number[] {
  const phi = new Array<number>(m).fill(0);
  let count = 0;
  const perm = (rest: number[], prefix: number[]) => {
    if (!rest.length) {
      count++;
      const on = new Array<number>(m).fill(0);
      let prev = v(on);
      for (const j of prefix) {
        on[j] = 1;
        const next = v(on);
        phi[j]! += next - prev;
        prev = next;
      }
      return;
    }
    rest.forEach((j, i) => perm([...rest.slice(0, i), ...rest.slice(i + 1)], [...prefix, j]));
  };
  perm(Array.from({ length: m }, (_, i) => i), []);
  return phi.map((p) => p / count);
}

describe('Kernel SHAP', () => {
  const g = (r: Float32Array) => Math.tanh(r[0]! * r[1]!) + 0.5 * r[2]! ** 2 - r[3]! + Math.max(0, r[0]! + r[4]!);
  const d = 5;
  const x = Float32Array.from([0.8, -1.2, 0.5, 0.3, -0.4]);
  const rnd = mulberry32(4);
  const rows = 7;
  const background = Float32Array.from({ length: rows * d }, () => rnd() * 2 - 1);

  it('exact enumeration equals the permutation definition and is efficient', async () => {
    const r = await kernelShap(model(d, g), x, background, rows, elementFeatures(d));
    expect(r.exact).toBe(true);
    expect(r.coalitions).toBe(32);
    expect(r.forwardPasses).toBe(32 * rows);
    const v = (on: number[]) => {
      let s = 0;
      for (let k = 0; k < rows; k++) s += g(Float32Array.from({ length: d }, (_, e) => (on[e] ? x[e]! : background[k * d + e]!)));
      return s / rows;
    };
    const want = shapleyByPermutations(v, d);
    want.forEach((w, j) => expect(r.perFeature[j]).toBeCloseTo(w, 6));
    expect(Math.abs(r.baseValue! + r.perFeature.reduce((a, b) => a + b, 0) - r.output)).toBeLessThan(1e-6);
  });

  it('sampled: efficiency holds exactly, and a linear model is recovered exactly', async () => {
    const m = 20;
    const w = Float64Array.from({ length: m }, (_, j) => (j % 3) - 1 + j / 10);
    const lin = (r: Float32Array) => r.reduce((a, v, j) => a + w[j]! * v, 0.25);
    const xx = Float32Array.from({ length: m }, (_, j) => Math.sin(j));
    const bg = Float32Array.from({ length: 3 * m }, (_, i) => Math.cos(i));
    const r = await kernelShap(model(m, lin), xx, bg, 3, elementFeatures(m), { coalitions: 200, seed: 3 });
    expect(r.exact).toBe(false);
    expect(r.coalitions).toBe(202);
    for (let j = 0; j < m; j++) {
      const mean = (bg[j]! + bg[m + j]! + bg[2 * m + j]!) / 3;
      expect(r.perFeature[j]).toBeCloseTo(w[j]! * (xx[j]! - mean), 4);
    }
    expect(Math.abs(r.baseValue! + r.perFeature.reduce((a, b) => a + b, 0) - r.output)).toBeLessThan(1e-9);
  });

  it('features group elements (superpixels): channels of a pixel switch together', async () => {
    // 2×2 image, 2 channels, 2 segments (left column, right column); f = sum of the image.
    const labels = Int32Array.from([0, 1, 0, 1]);
    const img = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = await kernelShap(model(8, (v) => v.reduce((a, b) => a + b, 0)), img, new Float32Array(8), 1, segmentFeatures(labels, 2, 2));
    expect(Array.from(r.perFeature)).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
    expect(r.baseValue).toBe(0);
  });

  it('sampled: a budget covering every coalition gives the exact values; the cost estimate is the count run', async () => {
    const m = 9;
    const h = (r: Float32Array) => Math.sin(r[0]! * r[1]!) + r[2]! * r[3]! * r[4]! - r[5]! ** 2 + r[6]! * r[8]!;
    const xx = Float32Array.from({ length: m }, (_, j) => 0.2 + 0.1 * j);
    const bg = Float32Array.from({ length: m }, (_, j) => -Math.cos(j));
    const exact = await kernelShap(model(m, h), xx, bg, 1, elementFeatures(m));
    const full = await kernelShap(model(m, h), xx, bg, 1, elementFeatures(m), { exactMaxFeatures: 0, coalitions: 2 ** m - 2 });
    full.perFeature.forEach((p, j) => expect(p).toBeCloseTo(exact.perFeature[j]!, 9));
    for (const coalitions of [40, 101, 300]) {
      const r = await kernelShap(model(m, h), xx, bg, 1, elementFeatures(m), { exactMaxFeatures: 0, coalitions });
      expect(r.coalitions).toBe(shapForwardPasses(m, 1, { exactMaxFeatures: 0, coalitions }));
      expect(r.coalitions - 2).toBeGreaterThanOrEqual(coalitions);
      expect(r.coalitions - 2).toBeLessThanOrEqual(coalitions + 1);
    }
  });
});
