import { describe, expect, it } from 'vitest';
import { enforceConnectivity, gridSegments, slic } from './segment';

function connected(labels: Int32Array, h: number, w: number, label: number): boolean {
  const cells = [...labels.keys()].filter((p) => labels[p] === label);
  const seen = new Set([cells[0]!]);
  const stack = [cells[0]!];
  while (stack.length) {
    const p = stack.pop()!;
    const y = Math.floor(p / w), x = p % w;
    for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
      if (q >= 0 && labels[q] === label && !seen.has(q)) {
        seen.add(q);
        stack.push(q);
      }
    }
  }
  return seen.size === cells.length;
}

describe('segmentation', () => {
  it('grid cells', () => {
    const g = gridSegments(4, 6, 2, 3);
    expect(g.count).toBe(6);
    expect(Array.from(g.labels.subarray(0, 6))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(g.labels[23]).toBe(5);
  });

  it('SLIC follows colour edges, gives about the requested number of connected segments', () => {
    // 24×24 RGB: a red disc on a blue background.
    const h = 24, w = 24;
    const img = new Float32Array(h * w * 3);
    const inDisc = (p: number) => (Math.floor(p / w) - 11.5) ** 2 + ((p % w) - 11.5) ** 2 < 49;
    for (let p = 0; p < h * w; p++) img.set(inDisc(p) ? [220, 30, 30] : [20, 40, 200], p * 3);
    const s = slic(img, [h, w, 3], { segments: 16 });
    expect(s.count).toBeGreaterThanOrEqual(8);
    expect(s.count).toBeLessThanOrEqual(32);
    for (let l = 0; l < s.count; l++) {
      const members = [...s.labels.keys()].filter((p) => s.labels[p] === l);
      expect(members.length).toBeGreaterThan(0);
      expect(new Set(members.map(inDisc)).size).toBe(1);
      expect(connected(s.labels, h, w, l)).toBe(true);
    }
    const gray = slic(Float32Array.from({ length: 100 }, (_, p) => (p % 10 < 5 ? 0 : 1)), [10, 10, 1], { segments: 4 });
    expect(gray.count).toBeGreaterThanOrEqual(2);
  });

  it('enforceConnectivity splits a label into its components and merges specks', () => {
    // A column of 1s splits the 0s into two components.
    const r = enforceConnectivity(Int32Array.from([0, 1, 0, 0, 1, 0, 0, 1, 0]), 3, 3, 1);
    expect(r.count).toBe(3);
    expect(Array.from(r.labels)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const merged = enforceConnectivity(Int32Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]), 3, 3, 2);
    expect(merged.count).toBe(1);
  });
});
