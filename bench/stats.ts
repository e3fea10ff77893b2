/**
 * Summary statistics for benchmark runs. Timings on a shared machine are noisy: report the median
 * and the spread of an equal number of interleaved runs per mode, never a best-of chosen per column.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Runs that produced a finite value (the others failed and are reported separately). */
  n: number;
}

export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  const v = values.filter(Number.isFinite);
  if (!v.length) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** `1,234 (1,100–1,300)`: the median with the range of the runs. */
export function formatSpread(s: Spread, fmt: (v: number) => string): string {
  if (!s.n) return 'n/a';
  return s.n === 1 ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';
}

/**
 * Run every mode `repeat` times, interleaved (A B C, A B C, ...), so that slow phases of a shared
 * machine hit every mode alike. Returns each mode's results in run order.
 */
export function interleave<M, R>(modes: readonly M[], repeat: number, run: (mode: M, round: number) => R): R[][] {
  const out: R[][] = modes.map(() => []);
  for (let r = 0; r < repeat; r++) modes.forEach((m, i) => out[i]!.push(run(m, r)));
  return out;
}
