import { describe, expect, it } from 'vitest';
import { formatSpread, interleave, median, ratio, spread } from './stats';

describe('benchmark statistics', () => {
  it('takes the median of the finite runs (even and odd counts), with their range', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([5, NaN, 1, 9])).toEqual({ median: 5, min: 1, max: 9, n: 3 });
    expect(spread([NaN]).n).toBe(0);
  });

  it('formats a median with its range and refuses ratios of missing figures', () => {
    expect(formatSpread(spread([1, 2, 3]), String)).toBe('2 (1–3)');
    expect(formatSpread(spread([]), String)).toBe('n/a');
    expect(ratio(3, 2)).toBe('1.50x');
    expect(ratio(NaN, 2)).toBe('n/a');
    expect(ratio(1, 0)).toBe('n/a');
  });

  it('interleaves modes so every mode gets the same number of runs in alternating order', () => {
    const order: string[] = [];
    const out = interleave(['a', 'b'], 3, (m, r) => (order.push(m), `${m}${r}`));
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(out).toEqual([['a0', 'a1', 'a2'], ['b0', 'b1', 'b2']]);
  });
});
