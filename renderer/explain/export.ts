/**
 * An explanation as files: CSV (every attribution, with its feature or position) and PNG (the
 * heatmap over the input, or the bar chart of a table row). Both are handed to the browser as a
 * download: web mode saves them where the browser saves files; the desktop app sets no
 * `will-download` handler, so Electron's default routine decides (usually a Save dialog).
 */
import type { Explanation, GlobalExplanation } from '../../shared/explain/schema';
import { grayscale, heatRgba, maxAbs, pixelMap, signColor } from './heat';
import { METHOD_LABELS } from './model';

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLines = (rows: (string | number)[][]) => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

/**
 * One row per attribution, in input order. Tables: `feature,value,attribution`, then for additive
 * methods the rows `(base value)` and `(output)` so that base + Σ = output can be checked. Pictures
 * and sequences: the position along each axis of `shape`, then the attribution.
 */
export function explanationCsv(e: Explanation): string {
  if (e.featureNames && e.featureNames.length === e.attributions.length) {
    const rows: (string | number)[][] = [['feature', 'value', 'attribution']];
    e.attributions.forEach((a, i) => rows.push([e.featureNames![i]!, e.featureValues?.[i] ?? '', a]));
    if (e.baseValue !== null) rows.push(['(base value)', '', e.baseValue]);
    rows.push(['(output)', '', e.output]);
    return csvLines(rows);
  }
  const axes = e.shape.length === 3 ? ['y', 'x', 'channel'] : e.shape.length === 2 ? ['y', 'x'] : e.shape.map((_, i) => `axis${i}`);
  const rows: (string | number)[][] = [[...axes, 'attribution']];
  const strides = e.shape.map((_, i) => e.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  e.attributions.forEach((a, flat) => rows.push([...strides.map((s, i) => Math.floor(flat / s) % e.shape[i]!), a]));
  return csvLines(rows);
}

export function globalCsv(g: GlobalExplanation): string {
  return csvLines([['feature', 'importance', 'spread'], ...g.featureNames.map((f, i) => [f, g.importance[i]!, g.spread[i]!])]);
}

/** `ig-digit-5.csv`: method, then what was explained, safe as a file name. */
export function fileName(e: Pick<Explanation, 'method' | 'target'>, caption: string, ext: 'csv' | 'png'): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${[e.method, safe(caption), `target-${safe(e.target.label) || e.target.index}`].filter(Boolean).join('-')}.${ext}`;
}

/** Hand `blob` to the browser as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const downloadCsv = (text: string, name: string) => download(new Blob([text], { type: 'text/csv' }), name);

/** The explanation drawn on a canvas: title, then the heatmap over the input or the signed bars. */
export function explanationCanvas(e: Explanation, preview: { values: number[]; shape: number[] } | undefined, opacity: number): HTMLCanvasElement | null {
  const canvas = document.createElement('canvas');
  const title = `${METHOD_LABELS[e.method]} · target “${e.target.label}” · output ${e.output.toPrecision(4)}`;
  const map = e.featureNames ? null : pixelMap(e);
  if (map) {
    const scale = Math.max(1, Math.floor(336 / Math.max(map.height, map.width)));
    canvas.width = Math.max(map.width * scale, 420);
    canvas.height = map.height * scale + 28;
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#111';
    ctx.font = '13px sans-serif';
    ctx.fillText(title, 4, 18);
    const base = preview ? grayscale(preview.values, preview.shape, map) : null;
    const rgba = heatRgba(map, base, opacity);
    const small = document.createElement('canvas');
    small.width = map.width;
    small.height = map.height;
    small.getContext('2d')?.putImageData(new ImageData(rgba, map.width, map.height), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 28, map.width * scale, map.height * scale);
    return canvas;
  }
  const names = e.featureNames ?? e.attributions.map((_, i) => `#${i}`);
  const rowH = 20, labelW = 200, barW = 300;
  canvas.width = labelW + barW + 90;
  canvas.height = 28 + names.length * rowH + 8;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = '13px sans-serif';
  ctx.fillStyle = '#111';
  ctx.fillText(title, 4, 18);
  const m = maxAbs(e.attributions);
  const mid = labelW + barW / 2;
  e.attributions.forEach((a, i) => {
    const y = 28 + i * rowH;
    const value = e.featureValues?.[i];
    ctx.fillStyle = '#111';
    ctx.font = '12px sans-serif';
    ctx.fillText(`${names[i]}${value !== undefined ? ` = ${+value.toPrecision(4)}` : ''}`.slice(0, 32), 4, y + 14);
    const w = (Math.abs(a) / m) * (barW / 2);
    ctx.fillStyle = signColor(a);
    ctx.fillRect(a >= 0 ? mid : mid - w, y + 3, w, rowH - 6);
    ctx.fillStyle = '#111';
    ctx.fillText(a.toPrecision(3), labelW + barW + 6, y + 14);
  });
  ctx.strokeStyle = '#888';
  ctx.beginPath();
  ctx.moveTo(mid, 26);
  ctx.lineTo(mid, canvas.height - 4);
  ctx.stroke();
  return canvas;
}

export function downloadPng(canvas: HTMLCanvasElement, name: string): void {
  canvas.toBlob((blob) => {
    if (blob) download(blob, name);
  }, 'image/png');
}
