/**
 * Zoom to fit, but never below a zoom where the cards' text is readable: a graph too big for the
 * canvas (8 layers above the Training tab at 1280×720 became unreadable) is shown from its start —
 * its inputs at the top, or at the left in a left-to-right layout — and the rest is a scroll away.
 */
/** The smallest zoom Fit uses: 13 px card text stays at least 9 px on screen. */
export const READABLE_ZOOM = 0.7;
const MAX_FIT_ZOOM = 1.2;
const PADDING = 0.15;
const MARGIN = 24;

export interface Rect { x: number; y: number; width: number; height: number }
export interface Viewport { x: number; y: number; zoom: number }

/** The viewport that shows `bounds` (flow coordinates) in a `width` × `height` canvas. */
export function readableFit(bounds: Rect, width: number, height: number): Viewport {
  const fit = Math.min(width / (bounds.width * (1 + 2 * PADDING)), height / (bounds.height * (1 + 2 * PADDING)), MAX_FIT_ZOOM);
  const zoom = Math.max(fit, READABLE_ZOOM);
  const w = bounds.width * zoom, h = bounds.height * zoom;
  // Centred along an axis where it fits; otherwise its start (top, left: where the flow begins) at the margin.
  const x = w <= width ? (width - w) / 2 : MARGIN;
  const y = h <= height ? (height - h) / 2 : MARGIN;
  return { x: x - bounds.x * zoom, y: y - bounds.y * zoom, zoom };
}
