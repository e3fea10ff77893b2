import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { segmentFeatures } from './features';
import { binOf, limeFeatures, limeTabular, quartiles } from './lime';
import type { ForwardFn } from './types';

const linear = (w: number[], b = 0): ForwardFn => async (batch, n) =>
  Float32Array.from({ length: n }, (_, i) => w.reduce((a, wj, j) => a + wj * batch[i * w.length + j]!, b));

describe('LIME', () => {
  it('quartiles follow numpy (linear interpolation) and bins are searchsorted-left', () => {
    const t = Float32Array.from([4, 1, 3, 2, 5]);
    expect(quartiles(t, 5, 1, 0)).toEqual([2, 3, 4]);
    expect([0.5, 2, 2.5, 4, 9].map((v) => binOf([2, 3, 4], v))).toEqual([0, 0, 1, 2, 3]);
  });

  it('tabular: on a linear model the coefficients carry the weights\' signs and ranking', async () => {
    const w = [3, -2, 1, -0.5, 0];
    const d = w.length;
    const rnd = mulberry32(2);
    const rows = 400;
    const training = Float32Array.from({ length: rows * d }, () => rnd());
    // x in the top quartile of every feature: being in x's quartile moves the output by sign(w)·|w|·spread.
    const x = Float32Array.from({ length: d }, () => 0.9);
    const r = await limeTabular(linear(w, 0.1), x, training, rows, { seed: 1 });
    expect(r.bins).toEqual([3, 3, 3, 3, 3]);
    expect(r.forwardPasses).toBe(5000);
    for (let j = 0; j < 4; j++) expect(Math.sign(r.perFeature[j]!)).toBe(Math.sign(w[j]!));
    expect(Math.abs(r.perFeature[4]!)).toBeLessThan(0.02);
    const byCoef = [0, 1, 2, 3, 4].sort((a, b) => Math.abs(r.perFeature[b]!) - Math.abs(r.perFeature[a]!));
    expect(byCoef).toEqual([0, 1, 2, 3, 4]);
    expect(r.output).toBeCloseTo(0.1 + 0.9 * (3 - 2 + 1 - 0.5), 5);
  });

  it('superpixels: an additive model over segments is fitted exactly', async () => {
    // 4 pixels, 1 channel, each its own segment; the baseline is 0, so switching segment j adds w_j·x_j.
    const w = [2, -1, 0.5, 0];
    const x = Float32Array.from([1, 1, 2, 5]);
    const r = await limeFeatures(linear(w), x, new Float32Array(4), segmentFeatures(Int32Array.from([0, 1, 2, 3]), 4, 1), { alpha: 1e-9, samples: 200 });
    expect(Array.from(r.perFeature).map((v) => +v.toFixed(4) + 0)).toEqual([2, -1, 1, 0]);
    expect(r.r2).toBeCloseTo(1, 6);
    expect(r.localPrediction).toBeCloseTo(r.output, 5);
  });
});
