/**
 * Calibration: the range of each quantized activation, observed on N training samples run through
 * the float model (as PyTorch's observers and onnxruntime's calibrators do: the ranges come from the
 * unquantized network).
 *
 * - `minmax`: the smallest and largest value seen.
 * - `percentile`: the p-th percentile of the values from above and the (100 − p)-th from below, so
 *   rare outliers do not stretch the scale. Computed exactly enough without keeping the values: a
 *   first pass finds min/max, a second fills a histogram of HISTOGRAM_BINS bins over [min, max]; the
 *   percentile is the upper edge of the bin where the cumulative count reaches it (at most one bin
 *   width, (max − min) / HISTOGRAM_BINS, above the exact order statistic).
 */
import type { Range } from './quantize';

export type CalibrationMethod = { kind: 'minmax' } | { kind: 'percentile'; percentile: number };

export const HISTOGRAM_BINS = 4096;

interface Tally {
  min: number;
  max: number;
  count: number;
  hist?: Float64Array;
}

/** Collects ranges per key (a tensor's name) over one or two passes. */
export class RangeCalibrator {
  private readonly tallies = new Map<string, Tally>();
  /** 1 for min/max; 2 for percentiles (min/max, then the histogram). */
  readonly passes: 1 | 2;

  constructor(readonly method: CalibrationMethod = { kind: 'minmax' }) {
    if (method.kind === 'percentile' && !(method.percentile > 50 && method.percentile <= 100)) {
      throw new Error(`The calibration percentile must be in (50, 100], got ${method.percentile}`);
    }
    this.passes = method.kind === 'percentile' ? 2 : 1;
  }

  /** Feed one batch of a tensor's values in pass 1 or 2. */
  observe(pass: 1 | 2, key: string, values: ArrayLike<number>): void {
    if (pass === 1) {
      const t = this.tallies.get(key) ?? { min: Infinity, max: -Infinity, count: 0 };
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < t.min) t.min = v;
        if (v > t.max) t.max = v;
      }
      t.count += values.length;
      this.tallies.set(key, t);
      return;
    }
    const t = this.tallies.get(key);
    if (!t) throw new Error(`Calibration pass 2 saw "${key}", which pass 1 never did`);
    t.hist ??= new Float64Array(HISTOGRAM_BINS);
    const width = (t.max - t.min) / HISTOGRAM_BINS;
    for (let i = 0; i < values.length; i++) {
      const b = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((values[i]! - t.min) / width)) : 0;
      t.hist[Math.max(0, b)]!++;
    }
  }

  keys(): string[] {
    return [...this.tallies.keys()];
  }

  /** The calibrated range of one key. */
  range(key: string): Range {
    const t = this.tallies.get(key);
    if (!t || t.count === 0) throw new Error(`No calibration data for "${key}"`);
    if (!Number.isFinite(t.min) || !Number.isFinite(t.max)) throw new Error(`The calibration data of "${key}" holds non-finite values (${t.min} … ${t.max})`);
    if (this.method.kind === 'minmax') return { min: t.min, max: t.max };
    if (!t.hist) throw new Error(`Percentile calibration of "${key}" needs the second pass`);
    return histogramRange(t.hist, t.min, t.max, this.method.percentile);
  }
}

/** The [100 − p, p] percentile range of a histogram over [min, max] (bin edges, widened outwards). */
export function histogramRange(hist: ArrayLike<number>, min: number, max: number, percentile: number): Range {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  const width = (max - min) / hist.length;
  if (width === 0 || total === 0) return { min, max };
  const tail = total * (1 - percentile / 100);
  let below = 0;
  let lo = 0;
  while (lo < hist.length - 1 && below + hist[lo]! <= tail) below += hist[lo++]!;
  let above = 0;
  let hi = hist.length - 1;
  while (hi > lo && above + hist[hi]! <= tail) above += hist[hi--]!;
  return { min: min + lo * width, max: Math.min(max, min + (hi + 1) * width) };
}

/** The exact p-th percentile range of some values (sorting; for tests and small tensors). */
export function exactPercentileRange(values: ArrayLike<number>, percentile: number): Range {
  const s = Float64Array.from(values).sort();
  const k = Math.floor(s.length * (1 - percentile / 100));
  return { min: s[k]!, max: s[s.length - 1 - k]! };
}
