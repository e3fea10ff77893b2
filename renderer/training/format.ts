/** Small formatting helpers for the training panels. */

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '—';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export function formatMetric(name: string, v: number | undefined): string {
  if (v === undefined || v === null) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (/accuracy/.test(name)) return `${(v * 100).toFixed(1)}%`;
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}

/**
 * A number as the person wrote it in their data: the shortest decimal that is the same float32
 * (the engine holds samples as float32, so 6.3 arrives as 6.300000190734863).
 */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === f) return String(Number(t));
  }
  return String(v);
}

export const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)}%`);

/** A grayscale or RGB image (values 0..255 or 0..1, row-major [H, W, C] or flat square) as a data URL-free ImageData source. */
export function toImageData(values: ArrayLike<number>, shape: number[]): { width: number; height: number; rgba: Uint8ClampedArray } | null {
  let h: number, w: number, c: number;
  if (shape.length >= 2) {
    h = shape[0]!; w = shape[1]!; c = shape[2] ?? 1;
  } else {
    const n = shape[0] ?? values.length;
    const side = Math.round(Math.sqrt(n));
    if (side * side !== n) return null;
    h = side; w = side; c = 1;
  }
  if (h * w * c !== values.length || (c !== 1 && c !== 3)) return null;
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const k = max <= 1.0001 ? 255 : 1;
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < 3; ch++) rgba[p * 4 + ch] = values[p * c + (c === 3 ? ch : 0)]! * k;
    rgba[p * 4 + 3] = 255;
  }
  return { width: w, height: h, rgba };
}

/** True when the sample shape looks like an image (H × W × 1|3, or a flat square of pixels). */
export function isImageShape(shape: number[] | undefined): boolean {
  if (!shape) return false;
  if (shape.length === 3) return shape[2] === 1 || shape[2] === 3;
  return shape.length === 2 && shape[0]! >= 8 && shape[1]! >= 8;
}
