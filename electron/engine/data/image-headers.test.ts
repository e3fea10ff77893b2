/**
 * Decompression bombs, empty and cut-off images: refused before decoding, naming the file; every
 * well-formed kind of PNG (palette, sub-byte, 16-bit, interlaced) and JPEG still reads.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, loadDataset } from './index';
import { MAX_IMAGE_PIXELS } from './image-headers';

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, tail]);
}
function ihdr(width: number, height: number, bitDepth = 8, colorType = 6, interlace = 0): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = bitDepth;
  b[9] = colorType;
  b[12] = interlace;
  return chunk('IHDR', b);
}
const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IEND = chunk('IEND', Buffer.alloc(0));
const png = (...chunks: Buffer[]) => Buffer.concat([SIG, ...chunks, IEND]);
const decode = (b: Buffer, file = 'x.png') => decodeImage(new Uint8Array(b), file);

function goodPng(w = 4, h = 3): Buffer {
  const p = new PNG({ width: w, height: h });
  p.data.fill(200);
  return PNG.sync.write(p);
}

const dir = mkdtempSync(join(tmpdir(), 'll-img-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('image files checked before decoding', () => {
  it('a PNG declaring 20000×20000 pixels is refused from its header, in an image folder too, without allocating it', async () => {
    // What the 389 KB bomb declares, with a little pixel data: the size alone refuses it.
    const bomb = png(ihdr(20000, 20000), chunk('IDAT', deflateSync(Buffer.alloc(1000))));
    expect(() => decode(bomb, 'bomb.png')).toThrow('bomb.png declares 20000×20000 pixels (400 megapixels); images up to 64 megapixels (e.g. 8192×8192) are read: make it smaller first');
    const root = join(dir, 'bombs');
    for (const c of ['a', 'b']) mkdirSync(join(root, c), { recursive: true });
    writeFileSync(join(root, 'a', 'ok.png'), goodPng());
    writeFileSync(join(root, 'b', 'bomb.png'), bomb);
    const rss = process.memoryUsage().rss;
    await expect(loadDataset({ source: 'images', path: root }, { inputShape: [4, 4, 3] })).rejects.toThrow(`${join(root, 'b', 'bomb.png')} declares 20000×20000 pixels`);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 2 ** 20);
    // At the limit it is not the size that refuses a file (here: its pixel data is missing).
    const side = Math.sqrt(MAX_IMAGE_PIXELS);
    expect(() => decode(png(ihdr(side, side), chunk('IDAT', deflateSync(Buffer.alloc(10)))))).toThrow(/^corrupt or truncated PNG: x\.png \(pixel data for 0 % of the image\)$/);
    expect(() => decode(png(ihdr(side, side + 1), chunk('IDAT', deflateSync(Buffer.alloc(10)))))).toThrow(/declares 8192×8193 pixels/);
  });

  it('empty, zero-sized, cut-off and short PNGs are refused naming the file', () => {
    const good = goodPng();
    const cases: [Buffer, string][] = [
      [png(ihdr(4, 3)), 'no pixel data'],
      [png(ihdr(0, 3), chunk('IDAT', deflateSync(Buffer.alloc(3)))), 'it declares 0×3 pixels'],
      [png(ihdr(4, 0), chunk('IDAT', deflateSync(Buffer.alloc(0)))), 'it declares 4×0 pixels'],
      [good.subarray(0, good.length - 20), 'its IDAT chunk needs'],
      [good.subarray(0, 8), 'it ends inside a chunk header at byte 8 of 8'],
      [Buffer.concat([SIG, ihdr(4, 3), chunk('IDAT', deflateSync(Buffer.alloc(3 * 17)))]), 'it ends inside a chunk header'], // no IEND
      [png(ihdr(4, 3), chunk('IDAT', deflateSync(Buffer.alloc(20)))), 'pixel data for 39 % of the image'],
      [png(ihdr(4, 3), chunk('IDAT', deflateSync(Buffer.alloc(3 * 17)).subarray(0, 8))), 'its pixel data is cut off or damaged'],
      [png(ihdr(4, 3), chunk('IDAT', deflateSync(Buffer.alloc(4 * 17)))), 'more pixel data than its size declares'],
      [png(chunk('IDAT', deflateSync(Buffer.alloc(3)))), 'no IHDR header first'],
      [png(ihdr(4, 3, 8, 5), chunk('IDAT', deflateSync(Buffer.alloc(3)))), 'colour type 5'],
    ];
    for (const [bytes, why] of cases) {
      let msg = '';
      try {
        decode(bytes, 'photos/cat.png');
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg, why).toMatch(/^corrupt or truncated PNG: photos\/cat\.png \(/);
      expect(msg, why).toContain(why);
    }
  });

  it('well-formed PNGs of every layout still decode: palette at 4 bits, 16-bit gray, RGB, interlaced (Adam7)', () => {
    // 5×3 palette image, 4 bits per pixel: rows of 1 filter byte + 3 bytes.
    const plte = chunk('PLTE', Buffer.from([255, 0, 0, 0, 0, 255]));
    const rows = Buffer.from([0, 0x01, 0x01, 0x00, 0, 0x10, 0x10, 0x10, 0, 0x00, 0x00, 0x00]);
    const pal = decode(png(ihdr(5, 3, 4, 3), plte, chunk('IDAT', deflateSync(rows))));
    expect([pal.width, pal.height]).toEqual([5, 3]);
    expect(Array.from(pal.data.subarray(0, 12))).toEqual([255, 0, 0, 255, 0, 0, 255, 255, 255, 0, 0, 255]);
    const g16 = new PNG({ width: 3, height: 2, colorType: 0, inputColorType: 6, bitDepth: 16 });
    g16.data.fill(255);
    expect(decode(PNG.sync.write(g16, { colorType: 0, inputColorType: 6, bitDepth: 16 })).width).toBe(3);
    const rgb = new PNG({ width: 7, height: 5 });
    rgb.data.fill(9);
    expect(decode(PNG.sync.write(rgb, { colorType: 2 })).height).toBe(5);
    // Interlaced 5×5 RGBA: the seven passes' scanlines, each a filter byte and 4 bytes per pixel.
    const passes = [[1, 1], [1, 1], [2, 1], [1, 2], [3, 1], [2, 3], [5, 2]];
    const data = Buffer.concat(passes.map(([w, h]) => Buffer.alloc(h! * (1 + 4 * w!), 0)));
    expect(decode(png(ihdr(5, 5, 8, 6, 1), chunk('IDAT', deflateSync(data)))).width).toBe(5);
  });

  it('JPEGs: the declared size is checked; cut-off files are refused naming the file, not the decoder\'s "unknown JPEG marker 0"', () => {
    const good = Buffer.from(jpeg.encode({ width: 16, height: 8, data: Buffer.alloc(16 * 8 * 4, 120) }, 90).data);
    expect(decode(good, 'a.jpg')).toMatchObject({ width: 16, height: 8 });
    const sof = good.findIndex((b, i) => b === 0xff && good[i + 1] === 0xc0);
    const big = Buffer.from(good);
    big.writeUInt16BE(20000, sof + 5);
    big.writeUInt16BE(20000, sof + 7);
    expect(() => decode(big, 'big.jpg')).toThrow('big.jpg declares 20000×20000 pixels (400 megapixels)');
    const zero = Buffer.from(good);
    zero.writeUInt16BE(0, sof + 7);
    expect(() => decode(zero, 'zero.jpg')).toThrow('corrupt or truncated JPEG: zero.jpg (it declares 0×8 pixels)');
    expect(() => decode(good.subarray(0, good.length >> 1), 'half.jpg')).toThrow('corrupt or truncated JPEG: half.jpg (its data is damaged or cut off)');
    expect(() => decode(good.subarray(0, 2), 'soi.jpg')).toThrow('corrupt or truncated JPEG: soi.jpg (no frame header)');
  });
});
