import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { exactPercentileRange, HISTOGRAM_BINS, RangeCalibrator } from './calibrate';

describe('calibration', () => {
  it('min/max over several batches and keys, in one pass', () => {
    const c = new RangeCalibrator();
    expect(c.passes).toBe(1);
    c.observe(1, 'a', [0, 3, -1]);
    c.observe(1, 'a', [7, 2]);
    c.observe(1, 'b', [0.5]);
    expect(c.range('a')).toEqual({ min: -1, max: 7 });
    expect(c.range('b')).toEqual({ min: 0.5, max: 0.5 });
    expect(() => c.range('c')).toThrow(/No calibration data for "c"/);
  });

  it('percentile: within one histogram bin of the exact order statistic, never inside it; outliers are cut', () => {
    const r = mulberry32(11);
    const batches = Array.from({ length: 5 }, () => Float32Array.from({ length: 4000 }, () => (r() + r() + r() - 1.5) * 2));
    batches[2]![17] = 400; // one outlier
    const all = Float32Array.from(batches.flatMap((b) => Array.from(b)));
    const c = new RangeCalibrator({ kind: 'percentile', percentile: 99.9 });
    expect(c.passes).toBe(2);
    for (const b of batches) c.observe(1, 'x', b);
    for (const b of batches) c.observe(2, 'x', b);
    const got = c.range('x');
    const exact = exactPercentileRange(all, 99.9);
    const width = (400 - Math.min(...all)) / HISTOGRAM_BINS;
    expect(got.min).toBeLessThanOrEqual(exact.min);
    expect(exact.min - got.min).toBeLessThanOrEqual(width);
    expect(got.max).toBeGreaterThanOrEqual(exact.max);
    expect(got.max - exact.max).toBeLessThanOrEqual(width);
    expect(got.max).toBeLessThan(10); // the outlier is gone
  });

  it('refuses a percentile outside (50, 100] and a second pass without a first', () => {
    expect(() => new RangeCalibrator({ kind: 'percentile', percentile: 40 })).toThrow(/\(50, 100\]/);
    const c = new RangeCalibrator({ kind: 'percentile', percentile: 99 });
    expect(() => c.observe(2, 'y', [1])).toThrow(/pass 1 never did/);
    c.observe(1, 'z', [1, 2]);
    expect(() => c.range('z')).toThrow(/needs the second pass/);
  });
});
