/**
 * What an image file declares, checked before it is decoded: a PNG's or JPEG's width and height
 * (a 389 KB PNG can declare 20000×20000 pixels, 1.6 GB of RGBA), and a PNG's structure — every
 * chunk inside the file, a header, pixel data that inflates to exactly the declared size. The
 * decoders (pngjs, jpeg-js) accept a PNG without pixel data or of width 0 (all-black or empty
 * samples), and name a cut-off file with their own internals ("There are some read requests waitng
 * on finished stream"); these checks refuse such files naming the file.
 */
import { inflateSync } from 'node:zlib';
import { DataError } from './types';

/** The largest image read (width × height): 64 megapixels, 256 MiB as RGBA while decoding. */
export const MAX_IMAGE_PIXELS = 64 * 2 ** 20;

export interface ImageSize { width: number; height: number }

const corrupt = (format: 'PNG' | 'JPEG', file: string, why: string) => new DataError(`corrupt or truncated ${format}: ${file} (${why})`, file);

/** Refuse a declared size of 0 or above MAX_IMAGE_PIXELS. */
function checkSize(format: 'PNG' | 'JPEG', size: ImageSize, file: string): ImageSize {
  const { width, height } = size;
  if (width === 0 || height === 0) throw corrupt(format, file, `it declares ${width}×${height} pixels`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new DataError(`${file} declares ${width}×${height} pixels (${+(width * height / 1e6).toPrecision(3)} megapixels); images up to ${MAX_IMAGE_PIXELS / 2 ** 20} megapixels (e.g. 8192×8192) are read: make it smaller first`, file);
  }
  return size;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Channels per PNG colour type (gray, RGB, palette, gray + alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Bytes of filtered scanlines a PNG of this header inflates to. */
function pngDataBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!interlaced) return rows(width, height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
}

/** Check a PNG's chunks, header and pixel data before decoding; returns its size. */
export function checkPng(buf: Buffer, file: string): ImageSize {
  if (buf.length < 8 || PNG_SIGNATURE.some((b, i) => buf[i] !== b)) throw corrupt('PNG', file, 'no PNG signature');
  let at = 8;
  let size: ImageSize | null = null;
  let bitsPerPixel = 0;
  let interlaced = false;
  const idat: Buffer[] = [];
  let ended = false;
  while (!ended) {
    if (at + 12 > buf.length) throw corrupt('PNG', file, `it ends inside a chunk header at byte ${at} of ${buf.length}`);
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = at + 8;
    if (data + length + 4 > buf.length) throw corrupt('PNG', file, `its ${type} chunk needs ${length} bytes, the file ends after ${buf.length - data}`);
    if (!size && type !== 'IHDR') throw corrupt('PNG', file, 'no IHDR header first');
    if (type === 'IHDR') {
      if (length !== 13) throw corrupt('PNG', file, 'a malformed IHDR header');
      size = checkSize('PNG', { width: buf.readUInt32BE(data), height: buf.readUInt32BE(data + 4) }, file);
      const channels = PNG_CHANNELS[buf[data + 9]!];
      if (!channels) throw corrupt('PNG', file, `colour type ${buf[data + 9]}`);
      bitsPerPixel = channels * buf[data + 8]!;
      interlaced = buf[data + 12] === 1;
    } else if (type === 'IDAT') {
      idat.push(buf.subarray(data, data + length));
    } else if (type === 'IEND') {
      ended = true;
    }
    at = data + length + 4;
  }
  if (!size) throw corrupt('PNG', file, 'no IHDR header');
  if (idat.length === 0) throw corrupt('PNG', file, 'no pixel data');
  const expected = pngDataBytes(size.width, size.height, bitsPerPixel, interlaced);
  let got: number;
  try {
    got = inflateSync(Buffer.concat(idat), { maxOutputLength: expected }).length;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw corrupt('PNG', file, code === 'ERR_BUFFER_TOO_LARGE' ? 'more pixel data than its size declares' : 'its pixel data is cut off or damaged');
  }
  if (got < expected) throw corrupt('PNG', file, `pixel data for ${Math.floor((got / expected) * 100)} % of the image`);
  return size;
}

/** Start-of-frame markers (baseline, extended, progressive, lossless; not DHT C4, JPG C8, DAC CC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** A JPEG's size from its start-of-frame segment, checked before decoding. */
export function checkJpeg(buf: Buffer, file: string): ImageSize {
  let at = 2;
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) throw corrupt('JPEG', file, `no marker at byte ${at}`);
    const marker = buf[at + 1]!;
    if (marker === 0xff) { at++; continue; } // fill byte
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { at += 2; continue; } // no length
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any frame
    const length = buf.readUInt16BE(at + 2);
    if (isSof(marker)) {
      if (at + 9 > buf.length) break;
      return checkSize('JPEG', { height: buf.readUInt16BE(at + 5), width: buf.readUInt16BE(at + 7) }, file);
    }
    at += 2 + length;
  }
  throw corrupt('JPEG', file, 'no frame header');
}
