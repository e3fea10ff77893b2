/**
 * Percentile bootstrap. Each resample redraws, with replacement, the same number of samples within
 * every group (or within every (group, true class) cell when stratified), so group sizes stay fixed
 * and groups vary independently, as they would in a new test set of the same make-up.
 */
import { mixSeed, mulberry32, type Rng } from '../random';
import { quantile } from './groups';
import type { Interval } from './schema';

/** Draws `count` members of `pool` with replacement into `out` (via `take`). */
export function resample(pool: ArrayLike<number>, rng: Rng, take: (member: number) => void): void {
  const n = pool.length;
  for (let j = 0; j < n; j++) take(pool[Math.floor(rng() * n)]!);
}

/** The resampling stream of a bootstrap run (one seeded generator for all replicates). */
export function bootstrapRng(seed: number): Rng {
  return mulberry32(mixSeed(seed, 0xb007));
}

/** Values of one statistic over the replicates (null where undefined in that replicate). */
export class Collector {
  private readonly values = new Map<string, (number | null)[]>();

  add(key: string, v: number | null | undefined): void {
    let arr = this.values.get(key);
    if (!arr) this.values.set(key, (arr = []));
    arr.push(v ?? null);
  }

  /**
   * The central `level` interval of a statistic: percentiles (linear interpolation) of the
   * replicates where it is defined; null when it is undefined in half of them or more.
   */
  interval(key: string, level: number): Interval {
    const arr = this.values.get(key);
    if (!arr || arr.length === 0) return null;
    const d = arr.filter((v): v is number => v !== null).sort((a, b) => a - b);
    if (d.length * 2 <= arr.length) return null;
    const a = (1 - level) / 2;
    return [quantile(d, a), quantile(d, 1 - a)];
  }
}
