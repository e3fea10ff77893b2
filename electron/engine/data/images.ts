/**
 * Image-folder import: one subfolder per class, PNG and JPEG files decoded in pure JS (pngjs,
 * jpeg-js), resized to the Input node's [height, width] and converted to grayscale or RGB.
 * Pixels are stored as 8-bit values (0..255); the default normalisation scales them to [0, 1].
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { checkJpeg, checkPng } from './image-headers';
import { type Dataset, DataError } from './types';
import { confineToProcessFolder } from '../../node/confine';

export interface ImageFolderOptions {
  color?: 'grayscale' | 'rgb';
  /**
   * The Input node's shape: [height, width, channels] (or [height, width] = grayscale); a flat
   * [n] Input gets square images of n pixels (grayscale) or n/3 pixels (RGB). Without it, the
   * first image's size is used.
   */
  inputShape?: number[];
}

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  data: Uint8Array;
}

const PNG_EXT = new Set(['.png']);
const JPEG_EXT = new Set(['.jpg', '.jpeg']);

/**
 * Decode PNG or JPEG bytes (format detected from the bytes, not the name). The declared size and a
 * PNG's structure are checked first (image-headers.ts): a decompression bomb, an empty or cut-off
 * file is a DataError naming the file, never a huge allocation or a black sample.
 */
export function decodeImage(bytes: Uint8Array, file = 'image'): RgbaImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) {
    checkPng(buf, file);
    const png = decodeOrRefuse('PNG', file, () => PNG.sync.read(buf));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  }
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    checkJpeg(buf, file);
    const img = decodeOrRefuse('JPEG', file, () => jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 }));
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new DataError(`${file} is neither a PNG nor a JPEG image.`, file);
}

/** The decoders' own errors ("unknown JPEG marker 0") say nothing to a person: name the file instead. */
function decodeOrRefuse<T>(format: 'PNG' | 'JPEG', file: string, decode: () => T): T {
  try {
    return decode();
  } catch {
    throw new DataError(`corrupt or truncated ${format}: ${file} (its data is damaged or cut off)`, file);
  }
}

/**
 * Resize an RGBA image to h×w with c channels (1 = luminance, 3 = RGB), writing 0..255 values into
 * `out` at `offset`. Downscaling averages the covered source area; upscaling is bilinear.
 * Transparent pixels are composited over white.
 */
export function resizeInto(img: RgbaImage, h: number, w: number, c: 1 | 3, out: Uint8Array, offset: number): void {
  const { width: W, height: H, data } = img;
  // Channel k of source pixel p composited over white, rounded to float32 as a Float32Array copy
  // would (computed on the fly: a copy took 12 bytes per source pixel, 3x the decoded image).
  const rgbAt = (p: number, k: number) => {
    const a = data[p + 3]! / 255;
    return Math.fround(data[p + k]! * a + 255 * (1 - a));
  };
  const sx = W / w;
  const sy = H / h;
  const px = new Float32Array(3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      px.fill(0);
      if (sx > 1 || sy > 1) {
        // area average over [x*sx, (x+1)*sx) × [y*sy, (y+1)*sy)
        const x0 = x * sx;
        const x1 = (x + 1) * sx;
        const y0 = y * sy;
        const y1 = (y + 1) * sy;
        let wsum = 0;
        for (let yy = Math.floor(y0); yy < Math.min(H, Math.ceil(y1)); yy++) {
          const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
          for (let xx = Math.floor(x0); xx < Math.min(W, Math.ceil(x1)); xx++) {
            const wx = Math.min(xx + 1, x1) - Math.max(xx, x0);
            const wgt = wx * wy;
            if (wgt <= 0) continue;
            const p = (yy * W + xx) * 4;
            px[0]! += rgbAt(p, 0) * wgt;
            px[1]! += rgbAt(p, 1) * wgt;
            px[2]! += rgbAt(p, 2) * wgt;
            wsum += wgt;
          }
        }
        if (wsum > 0) for (let k = 0; k < 3; k++) px[k]! /= wsum;
      } else {
        const fx = Math.min(W - 1, Math.max(0, (x + 0.5) * sx - 0.5));
        const fy = Math.min(H - 1, Math.max(0, (y + 0.5) * sy - 0.5));
        const xa = Math.floor(fx);
        const ya = Math.floor(fy);
        const xb = Math.min(W - 1, xa + 1);
        const yb = Math.min(H - 1, ya + 1);
        const tx = fx - xa;
        const ty = fy - ya;
        for (let k = 0; k < 3; k++) {
          const top = rgbAt((ya * W + xa) * 4, k) * (1 - tx) + rgbAt((ya * W + xb) * 4, k) * tx;
          const bot = rgbAt((yb * W + xa) * 4, k) * (1 - tx) + rgbAt((yb * W + xb) * 4, k) * tx;
          px[k] = top * (1 - ty) + bot * ty;
        }
      }
      const o = offset + (y * w + x) * c;
      if (c === 1) out[o] = Math.round(0.299 * px[0]! + 0.587 * px[1]! + 0.114 * px[2]!);
      else for (let k = 0; k < 3; k++) out[o + k] = Math.round(px[k]!);
    }
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `p`, unless this process is confined to a folder (web mode) and the file is a link out of it. */
function confined(p: string): string {
  try {
    return confineToProcessFolder(p);
  } catch (e) {
    throw new DataError(`Cannot read ${p}: ${(e as Error).message}`, p);
  }
}

export function loadImageFolder(root: string, opts: ImageFolderOptions = {}): Dataset {
  if (!isDir(root)) throw new DataError(`The image folder ${root} does not exist (or is not a folder).`, root);
  const classes = readdirSync(root).filter((d) => !d.startsWith('.') && isDir(join(root, d))).sort();
  if (classes.length < 2) {
    throw new DataError(`The image folder ${root} needs one subfolder per class (e.g. ${join(root, 'cats')}, ${join(root, 'dogs')}) with PNG or JPEG images inside; it has ${classes.length === 0 ? 'none' : `only "${classes[0]}"`}.`, root);
  }
  const files: { path: string; cls: number }[] = [];
  classes.forEach((cls, ci) => {
    const dir = join(root, cls);
    const imgs = readdirSync(dir)
      .filter((f) => !f.startsWith('.') && (PNG_EXT.has(extname(f).toLowerCase()) || JPEG_EXT.has(extname(f).toLowerCase())))
      .sort();
    if (imgs.length === 0) throw new DataError(`The class folder ${dir} has no PNG or JPEG images.`, dir);
    for (const f of imgs) files.push({ path: confined(join(dir, f)), cls: ci });
  });
  const decode = (p: string): RgbaImage => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(p);
    } catch (e) {
      throw new DataError(`Cannot read ${p}: ${(e as Error).message}`, p);
    }
    return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), p);
  };
  const first = decode(files[0]!.path);
  const shape = opts.inputShape;
  let h = shape && shape.length >= 2 && shape[0]! > 0 ? shape[0]! : first.height;
  let w = shape && shape.length >= 2 && shape[1]! > 0 ? shape[1]! : first.width;
  let inputC = shape && shape.length === 3 ? shape[2] : shape && shape.length === 2 ? 1 : undefined;
  if (shape && shape.length === 1 && shape[0]! > 0) {
    // A flat Input (an MLP on pixels): pick square images whose size matches, gray before RGB.
    const n = shape[0]!;
    const gray = Math.round(Math.sqrt(n));
    const rgb = Math.round(Math.sqrt(n / 3));
    if (gray * gray === n && opts.color !== 'rgb') [h, w, inputC] = [gray, gray, 1];
    else if (3 * rgb * rgb === n) [h, w, inputC] = [rgb, rgb, 3];
  }
  const c: 1 | 3 = opts.color ? (opts.color === 'grayscale' ? 1 : 3) : inputC === 1 ? 1 : 3;
  const size = h * w * c;
  const x = new Uint8Array(files.length * size);
  const y = new Int32Array(files.length);
  files.forEach((f, i) => {
    const img = i === 0 ? first : decode(f.path);
    resizeInto(img, h, w, c, x, i * size);
    y[i] = f.cls;
  });
  return {
    name: basename(root),
    description: `${files.length} images in ${classes.length} classes from the folder ${basename(root)}, resized to ${h}×${w} ${c === 1 ? 'grayscale' : 'RGB'}.`,
    task: 'classification',
    kind: 'image',
    count: files.length,
    x,
    dtype: 'float32',
    sampleShape: [h, w, c],
    sampleSize: size,
    y,
    targetShape: [1],
    targetSize: 1,
    classes,
    defaultNormalize: 'scale',
    defaultTestSplit: 0.2,
  };
}

/**
 * One PNG/JPEG (e.g. dropped on "Try it") as a sample for an Input of shape [h, w, c] (or [h, w],
 * grayscale): 0..255 values, row-major. Normalise it with the run's Normalization before predicting.
 */
export function imageToSample(bytes: Uint8Array, inputShape: readonly number[], file = 'image'): Float32Array {
  const [h, w] = inputShape;
  const c = inputShape.length === 3 ? inputShape[2] : 1;
  if (!h || !w || (c !== 1 && c !== 3)) throw new DataError(`An image cannot feed an Input of shape [${inputShape.join(', ')}]: it needs [height, width, 1 or 3].`, file);
  const out = new Uint8Array(h * w * c);
  resizeInto(decodeImage(bytes, file), h, w, c, out, 0);
  return Float32Array.from(out);
}
