/** Automatic layout (dagre, top to bottom) and the node card size the canvas uses for it. */
import dagre from '@dagrejs/dagre';
import type { LoomDocument, Position } from '../../shared/document';

export const NODE_W = 190;
export const NODE_H = 74;
export const GRID = 10;

const snap = (v: number) => Math.round(v / GRID) * GRID;

/** Positions for every node of the document, laid out as a layered graph (inputs at the top). */
export function layoutGraph(doc: Pick<LoomDocument, 'nodes' | 'edges'>): Record<string, Position> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 46, marginx: 0, marginy: 0 });
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
