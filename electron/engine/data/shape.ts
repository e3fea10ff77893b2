/** Does the data fit the Input node? */
import type { Dataset } from './types';

const fmt = (s: readonly (number | null)[]) => `[${s.map((d) => (d === null ? 'None' : d)).join(', ')}]`;

/**
 * null when samples of `ds` can feed an Input of shape `inputShape` (without batch dimension),
 * otherwise a message a person can act on. Accepted besides an exact match: a flat rank-1 Input of
 * the same size ([784] for [28, 28, 1]) and a trailing 1 added or dropped ([28, 28] for [28, 28, 1]),
 * since the trainer builds tensors as [n, ...inputShape] from the same flat buffer.
 */
export function checkSampleShape(ds: Pick<Dataset, 'name' | 'sampleShape' | 'sampleSize'>, inputShape: readonly (number | null)[], inputName = 'input'): string | null {
  const s = ds.sampleShape;
  const ok = inputShape.length === s.length && inputShape.every((d, i) => d === null || d === s[i]);
  if (ok) return null;
  const concrete = inputShape.every((d) => d !== null && d > 0);
  if (concrete) {
    const size = (inputShape as number[]).reduce((a, b) => a * b, 1);
    if (size === ds.sampleSize) {
      const strip = (a: readonly number[]) => (a.length > 1 && a[a.length - 1] === 1 ? a.slice(0, -1) : a);
      if (inputShape.length === 1) return null;
      const a = strip(inputShape as number[]);
      const b = strip(s);
      if (a.length === b.length && a.every((d, i) => d === b[i])) return null;
    }
  }
  return `The ${ds.name} data has samples of shape ${fmt(s)} but the Input node "${inputName}" expects ${fmt(inputShape)}: set the Input shape to ${fmt(s)}`;
}
