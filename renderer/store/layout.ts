/**
 * Automatic layout (dagre, top to bottom or left to right) and the node card size the canvas uses
 * for it. The direction is not stored anywhere: it is read off the layout itself (flowDirectionOf),
 * so a model laid out left to right opens that way for everyone, handles and all.
 */
import dagre from '@dagrejs/dagre';
import type { LoomDocument, Position } from '../../shared/document';

export const NODE_W = 190;
export const NODE_H = 74;
export const GRID = 10;

const snap = (v: number) => Math.round(v / GRID) * GRID;

/** Top to bottom (inputs at the top) or left to right (inputs at the left). */
export type FlowDirection = 'TB' | 'LR';

/** Positions for every node of the document, laid out as a layered graph in `direction`. */
export function layoutGraph(doc: Pick<LoomDocument, 'nodes' | 'edges'>, direction: FlowDirection = 'TB'): Record<string, Position> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: direction === 'TB' ? 40 : 24, ranksep: direction === 'TB' ? 46 : 90, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of doc.nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  const ids = new Set(doc.nodes.map((n) => n.id));
  for (const e of doc.edges) if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const out: Record<string, Position> = {};
  for (const n of doc.nodes) {
    const p = g.node(n.id) as { x: number; y: number } | undefined;
    // dagre gives centres; React Flow positions are top-left corners.
    out[n.id] = p ? { x: snap(p.x - NODE_W / 2), y: snap(p.y - NODE_H / 2) } : { x: 0, y: 0 };
  }
  return out;
}

const cache = new WeakMap<LoomDocument, Record<string, Position>>();

/**
 * Where each node is drawn: its `layout` entry, or (for nodes without one) a dagre position.
 * Memoised per document version.
 */
export function positionsOf(doc: LoomDocument): Record<string, Position> {
  let p = cache.get(doc);
  if (p) return p;
  const layout = doc.layout ?? {};
  const missing = doc.nodes.some((n) => !layout[n.id]);
  p = missing ? { ...layoutGraph(doc), ...layout } : layout;
  cache.set(doc, p);
  return p;
}

const directions = new WeakMap<LoomDocument, FlowDirection>();

/**
 * The direction the document's connections run in on the canvas: left to right when more of them
 * go rightwards than downwards (one layer dragged aside does not turn a whole model).
 */
export function flowDirectionOf(doc: LoomDocument): FlowDirection {
  let d = directions.get(doc);
  if (d) return d;
  const p = positionsOf(doc);
  let right = 0, down = 0;
  for (const e of doc.edges) {
    const a = p[e.from], b = p[e.to];
    if (!a || !b) continue;
    const dx = b.x - a.x, dy = b.y - a.y;
    if (dx > Math.abs(dy)) right++;
    else if (dy > Math.abs(dx)) down++;
  }
  d = right > down ? 'LR' : 'TB';
  directions.set(doc, d);
  return d;
}

/** Where the next layer after a node goes, in `direction`. */
export const stepAfter = (direction: FlowDirection) => (direction === 'TB' ? { x: 0, y: NODE_H + 30 } : { x: NODE_W + 90, y: 0 });
