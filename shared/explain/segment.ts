/**
 * Superpixels for SHAP and LIME on images: SLIC (Achanta et al., 2012) or a plain grid.
 *
 * SLIC clusters pixels by colour and position: k centres start on a regular grid of spacing
 * S = √(pixels/k); each iteration assigns every pixel within 2S×2S of a centre to the nearest one by
 * D² = d_colour² + (d_xy/S)²·m² (m = compactness) and moves the centres to their pixels' means.
 * Colour is CIELAB for RGB (sRGB, 0..255 or 0..1), lightness for grayscale. Afterwards every
 * segment is made connected (4-neighbourhood): fragments smaller than half the average segment
 * join the segment they touch, as scikit-image's enforce_connectivity does.
 */

export interface Segmentation {
  /** One segment id per pixel (row-major), 0..count-1. */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
}

/** Rectangular cells: `rows` × `cols` (clamped to the image), labelled row by row. */
export function gridSegments(height: number, width: number, rows: number, cols: number): Segmentation {
  const r = Math.max(1, Math.min(height, Math.floor(rows)));
  const c = Math.max(1, Math.min(width, Math.floor(cols)));
  const labels = new Int32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) labels[y * width + x] = Math.floor((y * r) / height) * c + Math.floor((x * c) / width);
  }
  return { labels, count: r * c, height, width };
}

export interface SlicOptions {
  /** Approximate number of segments (default 50). */
  segments?: number;
  /** Colour against space: higher gives squarer segments (default 10, on a 0..100 lightness scale). */
  compactness?: number;
  /** Default 10. */
  iterations?: number;
}

/** Colour features per pixel: Lab for 3 channels, lightness 0..100 otherwise (channel-wise). */
function colourFeatures(image: ArrayLike<number>, pixels: number, channels: number): { f: Float64Array; dims: number } {
  let max = 0;
  for (let i = 0; i < pixels * channels; i++) max = Math.max(max, image[i]!);
  const range = max > 1.5 ? 255 : 1;
  if (channels !== 3) {
    const f = new Float64Array(pixels * channels);
    for (let i = 0; i < f.length; i++) f[i] = (100 * image[i]!) / range;
    return { f, dims: channels };
  }
  const f = new Float64Array(pixels * 3);
  const lin = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const g = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  for (let p = 0; p < pixels; p++) {
    const r = lin(image[p * 3]! / range), gr = lin(image[p * 3 + 1]! / range), b = lin(image[p * 3 + 2]! / range);
    const x = g((0.4124564 * r + 0.3575761 * gr + 0.1804375 * b) / 0.95047);
    const y = g(0.2126729 * r + 0.7151522 * gr + 0.072175 * b);
    const z = g((0.0193339 * r + 0.119192 * gr + 0.9503041 * b) / 1.08883);
    f[p * 3] = 116 * y - 16;
    f[p * 3 + 1] = 500 * (x - y);
    f[p * 3 + 2] = 200 * (y - z);
  }
  return { f, dims: 3 };
}

/** SLIC superpixels of an [H, W, C] (or [H, W]) image. */
export function slic(image: ArrayLike<number>, shape: readonly number[], opts: SlicOptions = {}): Segmentation {
  const [h, w] = shape;
  const channels = shape[2] ?? 1;
  if (!h || !w || shape.length < 2 || shape.length > 3 || image.length !== h * w * channels) throw new Error(`SLIC needs an image [height, width, channels], got [${shape.join(', ')}] with ${image.length} values`);
  const pixels = h * w;
  const k = Math.max(1, Math.min(pixels, Math.round(opts.segments ?? 50)));
  const { f, dims } = colourFeatures(image, pixels, channels);
  const step = Math.sqrt(pixels / k);
  const m = opts.compactness ?? 10;
  const spatial = (m / step) ** 2;
  // Centres: [y, x, colour...] on a grid of spacing `step`.
  const gy = Math.max(1, Math.round(h / step)), gx = Math.max(1, Math.round(w / step));
  const width = 2 + dims;
  let centres = new Float64Array(gy * gx * width);
  for (let i = 0; i < gy; i++) {
    for (let j = 0; j < gx; j++) {
      const y = Math.min(h - 1, Math.floor(((i + 0.5) * h) / gy)), x = Math.min(w - 1, Math.floor(((j + 0.5) * w) / gx));
      const c = (i * gx + j) * width;
      centres[c] = y;
      centres[c + 1] = x;
      for (let q = 0; q < dims; q++) centres[c + 2 + q] = f[(y * w + x) * dims + q]!;
    }
  }
  const count = gy * gx;
  const labels = new Int32Array(pixels).fill(-1);
  const dist = new Float64Array(pixels);
  const reach = Math.ceil(step);
  for (let it = 0; it < (opts.iterations ?? 10); it++) {
    dist.fill(Infinity);
    for (let c = 0; c < count; c++) {
      const cy = centres[c * width]!, cx = centres[c * width + 1]!;
      const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(h - 1, Math.ceil(cy + reach));
      const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(w - 1, Math.ceil(cx + reach));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const p = y * w + x;
          let dc = 0;
          for (let q = 0; q < dims; q++) dc += (f[p * dims + q]! - centres[c * width + 2 + q]!) ** 2;
          const dd = dc + ((y - cy) ** 2 + (x - cx) ** 2) * spatial;
          if (dd < dist[p]!) {
            dist[p] = dd;
            labels[p] = c;
          }
        }
      }
    }
    const next = new Float64Array(count * width);
    const n = new Float64Array(count);
    for (let p = 0; p < pixels; p++) {
      const c = labels[p]!;
      if (c < 0) continue;
      n[c]!++;
      next[c * width]! += Math.floor(p / w);
      next[c * width + 1]! += p % w;
      for (let q = 0; q < dims; q++) next[c * width + 2 + q]! += f[p * dims + q]!;
    }
    for (let c = 0; c < count; c++) {
      if (n[c]) for (let q = 0; q < width; q++) next[c * width + q]! /= n[c]!;
      else next.set(centres.subarray(c * width, (c + 1) * width), c * width);
    }
    centres = next;
  }
  return enforceConnectivity(labels, h, w, Math.max(1, Math.floor((0.5 * pixels) / count)));
}

/** Relabel 4-connected components 0..n-1; components below minSize join the neighbour found before them. */
export function enforceConnectivity(labels: Int32Array, h: number, w: number, minSize: number): Segmentation {
  const pixels = h * w;
  const out = new Int32Array(pixels).fill(-1);
  const queue = new Int32Array(pixels);
  let next = 0;
  const neighbours = (p: number, visit: (q: number) => void) => {
    const y = Math.floor(p / w), x = p % w;
    if (x > 0) visit(p - 1);
    if (x < w - 1) visit(p + 1);
    if (y > 0) visit(p - w);
    if (y < h - 1) visit(p + w);
  };
  for (let start = 0; start < pixels; start++) {
    if (out[start] !== -1) continue;
    let adjacent = -1;
    neighbours(start, (q) => {
      if (out[q]! >= 0) adjacent = out[q]!;
    });
    const own = labels[start]!;
    let head = 0, tail = 0;
    queue[tail++] = start;
    out[start] = next;
    while (head < tail) {
      const p = queue[head++]!;
      neighbours(p, (q) => {
        if (out[q] === -1 && labels[q] === own) {
          out[q] = next;
          queue[tail++] = q;
        }
      });
    }
    if (tail < minSize && adjacent >= 0) {
      for (let i = 0; i < tail; i++) out[queue[i]!] = adjacent;
    } else {
      next++;
    }
  }
  return { labels: out, count: next, height: h, width: w };
}
