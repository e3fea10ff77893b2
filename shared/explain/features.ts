/**
 * What SHAP and LIME switch on and off: "features", each a set of input elements. A table's features
 * are its columns; an image's are superpixels (every channel of a pixel belongs to the pixel's
 * segment); a sequence's are its time steps.
 */

export interface FeatureMap {
  /** Number of features M. */
  count: number;
  /** For each input element (d of them), the feature it belongs to: 0..M-1. */
  of: Int32Array;
}

/** One feature per input element (table columns). */
export function elementFeatures(d: number): FeatureMap {
  return { count: d, of: Int32Array.from({ length: d }, (_, i) => i) };
}

/**
 * Superpixels of an [H, W, C] (or [H, W]) input: `labels` has one segment id (0..count-1) per pixel;
 * the C channels of a pixel share it.
 */
export function segmentFeatures(labels: Int32Array, count: number, channels: number): FeatureMap {
  const of = new Int32Array(labels.length * channels);
  for (let p = 0; p < labels.length; p++) {
    const s = labels[p]!;
    if (s < 0 || s >= count) throw new Error(`Segment label ${s} at pixel ${p} is outside 0..${count - 1}`);
    of.fill(s, p * channels, (p + 1) * channels);
  }
  return { count, of };
}

/** One feature per leading index of a [T, ...rest] input (time steps, tokens). */
export function stepFeatures(steps: number, perStep: number): FeatureMap {
  return { count: steps, of: Int32Array.from({ length: steps * perStep }, (_, i) => Math.floor(i / perStep)) };
}

/** Spread per-feature values back over the input elements (for a heatmap in input order). */
export function spreadToElements(features: FeatureMap, perFeature: ArrayLike<number>): Float64Array {
  return Float64Array.from(features.of, (f) => perFeature[f]!);
}

/**
 * Fill one masked input: element e comes from x when its feature is on, else from `background`.
 * `on` has one 0/1 entry per feature.
 */
export function composeMasked(x: ArrayLike<number>, background: ArrayLike<number>, features: FeatureMap, on: ArrayLike<number>, out: Float32Array, offset: number): void {
  const of = features.of;
  for (let e = 0; e < of.length; e++) out[offset + e] = on[of[e]!] ? x[e]! : background[e]!;
}
