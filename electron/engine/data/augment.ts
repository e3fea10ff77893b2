/**
 * On-the-fly image augmentation (Keras ImageDataGenerator semantics): random rotation, width/height
 * shift, shear, zoom and horizontal flip, drawn per sample from a seeded RNG, applied in place to a
 * batch buffer of channels-last images. Pixels are resampled bilinearly; outside the image the
 * nearest edge pixel is repeated (Keras' default fill_mode 'nearest').
 */
import type { Rng } from './rng';
import type { Augmentation } from './types';

export interface AffineDraw {
  /** Inverse map (output pixel → source pixel), 2×3 row-major, in pixel coordinates. */
  m: [number, number, number, number, number, number];
  flip: boolean;
}

/** Draw one sample's transform. */
export function drawTransform(aug: Augmentation, h: number, w: number, rng: Rng): AffineDraw {
  const u = (r: number) => (rng() * 2 - 1) * r;
  const theta = (u(aug.rotation) * Math.PI) / 180;
  const shear = (u(aug.shear) * Math.PI) / 180;
  const tx = u(aug.widthShift) * w;
  const ty = u(aug.heightShift) * h;
  const zx = aug.zoom > 0 ? 1 + u(aug.zoom) : 1;
  const zy = aug.zoom > 0 ? 1 + u(aug.zoom) : 1;
  const flip = aug.horizontalFlip ? rng() < 0.5 : false;
  // Source = R(theta) · Shear · Zoom · (p - c) + c - t   (Keras composes the same matrices).
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  // Shear matrix [[1, -sin(s)], [0, cos(s)]] in (x, y) order, as keras' transform_matrix.
  const sh00 = 1;
  const sh01 = -Math.sin(shear);
  const sh10 = 0;
  const sh11 = Math.cos(shear);
  // R · Sh
  const a00 = cos * sh00 - sin * sh10;
  const a01 = cos * sh01 - sin * sh11;
  const a10 = sin * sh00 + cos * sh10;
  const a11 = sin * sh01 + cos * sh11;
  // · Zoom
  const b00 = a00 * zx;
  const b01 = a01 * zy;
  const b10 = a10 * zx;
  const b11 = a11 * zy;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const ox = cx - (b00 * cx + b01 * cy) - tx;
  const oy = cy - (b10 * cx + b11 * cy) - ty;
  return { m: [b00, b01, ox, b10, b11, oy], flip };
}

/** Transform one image (h×w×c at `src`) into `dst`. */
export function transformImage(src: Float32Array, dst: Float32Array, h: number, w: number, c: number, t: AffineDraw): void {
  const [m00, m01, m02, m10, m11, m12] = t.m;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const xo = t.flip ? w - 1 - x : x;
      let sx = m00 * xo + m01 * y + m02;
      let sy = m10 * xo + m11 * y + m12;
      // nearest fill: clamp to the border
      sx = sx < 0 ? 0 : sx > w - 1 ? w - 1 : sx;
      sy = sy < 0 ? 0 : sy > h - 1 ? h - 1 : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = x0 + 1 < w ? x0 + 1 : x0;
      const y1 = y0 + 1 < h ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * w + x) * c;
      const p00 = (y0 * w + x0) * c;
      const p01 = (y0 * w + x1) * c;
      const p10 = (y1 * w + x0) * c;
      const p11 = (y1 * w + x1) * c;
      for (let k = 0; k < c; k++) {
        const top = src[p00 + k]! * (1 - fx) + src[p01 + k]! * fx;
        const bot = src[p10 + k]! * (1 - fx) + src[p11 + k]! * fx;
        dst[o + k] = top * (1 - fy) + bot * fy;
      }
    }
  }
}

/**
 * Augment `count` images of shape `sampleShape` ([h, w, c] or [h, w]) stored contiguously in `buf`,
 * in place. Pure apart from the RNG: the same RNG state gives the same result.
 */
export function augmentBatch(buf: Float32Array, count: number, sampleShape: number[], aug: Augmentation, rng: Rng): void {
  const h = sampleShape[0]!;
  const w = sampleShape[1] ?? 1;
  const c = sampleShape[2] ?? 1;
  const size = h * w * c;
  const scratch = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    const img = buf.subarray(i * size, (i + 1) * size);
    const t = drawTransform(aug, h, w, rng);
    transformImage(img, scratch, h, w, c, t);
    img.set(scratch);
  }
}
