import { describe, expect, it } from 'vitest';
import { permutationImportance } from './global';
import { ranks, sanityVerdict, spearman } from './sanity';

describe('sanity check statistics', () => {
  it('Spearman: monotone maps correlate 1, reversed −1, ties take mean ranks', () => {
    expect(Array.from(ranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // scipy.stats.spearmanr([1,2,3,4,5],[2,1,4,3,5]).correlation = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });

  it('flags a map that survives randomisation, on absolute values', () => {
    const map = [0.1, -3, 2, 0.5, -1];
    expect(sanityVerdict(map, [{ layer: 'top', map: map.map((v) => -2 * v) }]).flagged).toBe(true);
    expect(sanityVerdict(map, [{ layer: 'top', map: [5, 0.1, 0.2, 4, 3] }]).flagged).toBe(false);
  });
});

describe('permutation importance', () => {
  it('a feature the model ignores scores exactly 0; the used one drops the score', async () => {
    const rows = 50, d = 3;
    const x = Float32Array.from({ length: rows * d }, (_, i) => Math.sin(i * 1.7));
    const y = Array.from({ length: rows }, (_, i) => 2 * x[i * d]!);
    const score = async (b: Float32Array, n: number) => {
      let se = 0;
      for (let i = 0; i < n; i++) se += (2 * b[i * d]! - y[i]!) ** 2;
      return -se / n;
    };
    const r = await permutationImportance(x, rows, d, score, { repeats: 3, seed: 1 });
    expect(Math.abs(r.baseline)).toBe(0);
    expect(r.importance[0]).toBeGreaterThan(0.5);
    expect(Math.abs(r.importance[1]!)).toBe(0);
    expect(Math.abs(r.importance[2]!)).toBe(0);
  });
});
