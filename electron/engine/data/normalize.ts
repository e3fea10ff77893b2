/** Normalisation computed on the training split only, applied to batches (and to inputs at predict time). */
import type { Dataset, Normalization, NormalizeMode } from './types';

/** Feature groups: per channel for images and sequences (last axis), per feature for tabular data. */
export function featureGroups(ds: Pick<Dataset, 'sampleShape' | 'sampleSize'>): number {
  return ds.sampleShape.length === 0 ? 1 : ds.sampleShape[ds.sampleShape.length - 1]!;
}

export const IDENTITY: Normalization = { mode: 'none', offset: [0], scale: [1], groups: 1 };

/**
 * Compute normalisation parameters on the given sample indices (the training split):
 * - `scale`: 8-bit images (kind `image`, Uint8Array 0..255) → x / 255; other data → per-feature min–max to [0, 1].
 * - `standardize`: per-feature (per-channel for images/sequences) mean 0, standard deviation 1.
 * - `none`, or integer token data: identity.
 */
export function computeNormalization(ds: Dataset, indices: Int32Array, mode: NormalizeMode = ds.defaultNormalize): Normalization {
  if (mode === 'none' || ds.dtype === 'int32') return { ...IDENTITY, mode: 'none' };
  const groups = featureGroups(ds);
  const { x, sampleSize } = ds;
  if (mode === 'scale') {
    if (ds.kind === 'image' && ds.x instanceof Uint8Array) return { mode, offset: [0], scale: [1 / 255], groups: 1 };
    const min = new Float64Array(groups).fill(Infinity);
    const max = new Float64Array(groups).fill(-Infinity);
    for (const i of indices) {
      const base = i * sampleSize;
      for (let e = 0; e < sampleSize; e++) {
        const v = x[base + e]!;
        const g = e % groups;
        if (v < min[g]!) min[g] = v;
        if (v > max[g]!) max[g] = v;
      }
    }
    const offset: number[] = [];
    const scale: number[] = [];
    for (let g = 0; g < groups; g++) {
      const lo = Number.isFinite(min[g]!) ? min[g]! : 0;
      const range = (Number.isFinite(max[g]!) ? max[g]! : 1) - lo;
      offset.push(lo);
      scale.push(range > 0 ? 1 / range : 1);
    }
    return { mode, offset, scale, groups };
  }
  // standardize
  const sum = new Float64Array(groups);
  const sumSq = new Float64Array(groups);
  const n = new Float64Array(groups);
  for (const i of indices) {
    const base = i * sampleSize;
    for (let e = 0; e < sampleSize; e++) {
      const v = x[base + e]!;
      const g = e % groups;
      sum[g]! += v;
      sumSq[g]! += v * v;
      n[g]!++;
    }
  }
  const offset: number[] = [];
  const scale: number[] = [];
  for (let g = 0; g < groups; g++) {
    const cnt = n[g]! || 1;
    const mean = sum[g]! / cnt;
    const variance = Math.max(0, sumSq[g]! / cnt - mean * mean);
    const std = Math.sqrt(variance);
    offset.push(mean);
    scale.push(std > 1e-12 ? 1 / std : 1);
  }
  return { mode, offset, scale, groups };
}

/** Apply in place to `length` elements of `buf` holding whole samples (element e is in group e % groups). */
export function applyNormalization(norm: Normalization, buf: Float32Array, length = buf.length): void {
  if (norm.mode === 'none') return;
  const { offset, scale, groups } = norm;
  if (groups === 1) {
    const o = offset[0]!;
    const s = scale[0]!;
    for (let i = 0; i < length; i++) buf[i] = (buf[i]! - o) * s;
    return;
  }
  for (let i = 0; i < length; i++) {
    const g = i % groups;
    buf[i] = (buf[i]! - offset[g]!) * scale[g]!;
  }
}

/** Normalise plain input values (predict / try-it): returns a new Float32Array. */
export function normalizeInput(norm: Normalization, values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  applyNormalization(norm, out);
  return out;
}
