/**
 * Attributions as pictures: one signed value per pixel (channels summed), coloured red where the
 * input raised the target and blue where it lowered it, the strongest at full strength; drawn over
 * the input (grayscale) with the person's opacity.
 */
import type { Explanation } from '../../shared/explain/schema';

export interface PixelMap {
  height: number;
  width: number;
  /** Signed, one per pixel, row-major. */
  values: Float32Array;
}

/** The per-pixel map of an image explanation ([H, W, C] summed over C, or [H, W] as is); null for other shapes. */
export function pixelMap(e: Pick<Explanation, 'attributions' | 'shape'>): PixelMap | null {
  const [h, w, c = 1] = e.shape;
  if (e.shape.length < 2 || e.shape.length > 3 || !h || !w || h * w * c !== e.attributions.length) return null;
  const values = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += e.attributions[p * c + k]!;
    values[p] = s;
  }
  return { height: h, width: w, values };
}

/** The largest |value| (1 when all are 0, so an empty map stays empty instead of dividing by 0). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m > 0 ? m : 1;
}

const POSITIVE = [220, 38, 38] as const;
const NEGATIVE = [37, 99, 235] as const;

/**
 * RGBA of the map over `base` (grayscale 0..255 per pixel, or null: a white background), at
 * `opacity` (0..1) for the strongest value. Red: raised the target; blue: lowered it.
 */
export function heatRgba(map: PixelMap, base: ArrayLike<number> | null, opacity: number): Uint8ClampedArray<ArrayBuffer> {
  const n = map.height * map.width;
  const out = new Uint8ClampedArray(n * 4);
  const m = maxAbs(map.values);
  for (let p = 0; p < n; p++) {
    const g = base ? base[p]! : 255;
    const v = map.values[p]! / m;
    const a = Math.min(1, Math.abs(v)) * opacity;
    const col = v >= 0 ? POSITIVE : NEGATIVE;
    col.forEach((c, k) => (out[p * 4 + k] = g * (1 - a) + c * a));
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** The input as grayscale 0..255 per pixel (RGB averaged; 0..1 data scaled), or null when it is not that picture. */
export function grayscale(values: ArrayLike<number>, shape: readonly number[], map: PixelMap): Uint8ClampedArray | null {
  const c = shape.length === 3 ? shape[2]! : 1;
  if (shape[0] !== map.height || shape[1] !== map.width || values.length !== map.height * map.width * c) return null;
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const k = max <= 1.0001 ? 255 : 1;
  const out = new Uint8ClampedArray(map.height * map.width);
  for (let p = 0; p < out.length; p++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += values[p * c + j]!;
    out[p] = (s / c) * k;
  }
  return out;
}

/** The solid colour of a sign (bars). */
export const signColor = (v: number) => `rgb(${(v >= 0 ? POSITIVE : NEGATIVE).join(', ')})`;

/** A CSS colour for one signed value relative to the largest (tokens). */
export function signedColor(v: number, max: number, alpha = 1): string {
  const a = (Math.min(1, Math.abs(v) / (max || 1)) * alpha).toFixed(3);
  const [r, g, b] = v >= 0 ? POSITIVE : NEGATIVE;
  return `rgba(${r}, ${g}, ${b}, ${a})`;
}
