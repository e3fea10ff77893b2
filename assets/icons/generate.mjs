#!/usr/bin/env node
// Draws Layerloom's icon (three layers of nodes woven together on a rounded square) in pure JS and
// writes the installer icons: icon-512.png, icon-256.png, icon-64.png, icon.ico (PNG-in-ICO,
// 16–256 px) and icon.icns (PNG-in-ICNS, 16–512 px). Run: node assets/icons/generate.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Geometry in a 0..1 square.
const layers = [[0.3, 0.5, 0.7], [0.38, 0.62], [0.5]].map((ys, i) => ys.map((y) => [0.24 + i * 0.26, y]));
const edges = [];
for (let i = 0; i + 1 < layers.length; i++) for (const a of layers[i]) for (const b of layers[i + 1]) edges.push([a, b]);
const NODE_R = 0.055;
const LINE_W = 0.018;

function segDist(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function insideRoundedRect(x, y, m, r) {
  const cx = Math.min(Math.max(x, m + r), 1 - m - r), cy = Math.min(Math.max(y, m + r), 1 - m - r);
  return Math.hypot(x - cx, y - cy) <= r;
}

/** Colour (premultiplied-free RGBA 0..255) of one sample point. */
function sample(x, y) {
  if (!insideRoundedRect(x, y, 0.04, 0.2)) return [0, 0, 0, 0];
  const t = (x + y) / 2; // diagonal gradient indigo → teal
  let c = [Math.round(67 + (20 - 67) * t), Math.round(56 + (184 - 56) * t), Math.round(202 + (166 - 202) * t), 255];
  for (const e of edges) if (segDist(x, y, e[0], e[1]) < LINE_W / 2) c = [226, 232, 255, 255];
  for (const layer of layers) for (const [nx, ny] of layer) {
    const d = Math.hypot(x - nx, y - ny);
    if (d < NODE_R) c = d < NODE_R * 0.55 ? [255, 196, 61, 255] : [255, 255, 255, 255];
  }
  return c;
}

function render(size) {
  const ss = 4; // 4×4 supersampling
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let v = 0; v < ss; v++) for (let u = 0; u < ss; u++) {
      const c = sample((i + (u + 0.5) / ss) / size, (j + (v + 0.5) / ss) / size);
      r += c[0] * c[3]; g += c[1] * c[3]; b += c[2] * c[3]; a += c[3];
    }
    const o = (j * size + i) * 4;
    px[o] = a ? Math.round(r / a) : 0; px[o + 1] = a ? Math.round(g / a) : 0; px[o + 2] = a ? Math.round(b / a) : 0; px[o + 3] = Math.round(a / (ss * ss));
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function png(size) {
  const px = render(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function ico(images) {
  const head = Buffer.alloc(6); head.writeUInt16LE(0, 0); head.writeUInt16LE(1, 2); head.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const dir = images.map(([size, data]) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size; e[1] = size >= 256 ? 0 : size; e.writeUInt16LE(1, 4); e.writeUInt16LE(32, 6);
    e.writeUInt32LE(data.length, 8); e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([head, ...dir, ...images.map(([, d]) => d)]);
}

function icns(images) {
  const types = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09' };
  const entries = images.map(([size, data]) => {
    const h = Buffer.alloc(8); h.write(types[size], 0, 'ascii'); h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const body = Buffer.concat(entries);
  const h = Buffer.alloc(8); h.write('icns', 0, 'ascii'); h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = [16, 32, 64, 128, 256, 512];
  const pngs = new Map(sizes.map((s) => [s, png(s)]));
  for (const s of [512, 256, 64]) writeFileSync(join(here, `icon-${s}.png`), pngs.get(s));
  writeFileSync(join(here, 'icon.ico'), ico([16, 32, 64, 128, 256].map((s) => [s, pngs.get(s)])));
  writeFileSync(join(here, 'icon.icns'), icns(sizes.map((s) => [s, pngs.get(s)])));
  console.log('wrote assets/icons/icon-512.png, icon-256.png, icon-64.png, icon.ico, icon.icns');
}
