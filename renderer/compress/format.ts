/** Figures of the Compress tab: bytes, ratios, changes. */

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${(b / 1024 / 1024).toFixed(2)} MB`;
}

/** "3.98x smaller" / "1.00x" / "2.0x larger": how many times less of something. */
export function ratioLabel(before: number, after: number, less = 'smaller', more = 'larger'): string {
  if (before === after) return 'same';
  if (after === 0) return before === 0 ? 'same' : `all ${less === 'smaller' ? 'removed' : less}`;
  return after < before ? `${(before / after).toFixed(2)}x ${less}` : `${(after / before).toFixed(2)}x ${more}`;
}

/** An accuracy change in points, signed: "−0.40 pt", "+1.20 pt", "±0". */
export function pointsChange(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined) return '—';
  const d = 100 * (after - before);
  if (Math.abs(d) < 0.005) return '±0';
  return `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(2)} pt`;
}

export const percent = (v: number | undefined, digits = 2) => (v === undefined ? '—' : `${(100 * v).toFixed(digits)} %`);
