import type { QuickFix } from '../catalog';
import type { LoomDocument, LoomNode } from '../document/schema';

/** A node id not yet used in the document, derived from a layer type ("flatten", "flatten_2", ...). */
export function freshId(doc: Pick<LoomDocument, 'nodes'>, type: string): string {
  const base = type.replace(/[^A-Za-z0-9]/g, '').replace(/^([A-Z])/, (c) => c.toLowerCase()) || 'node';
  const used = new Set(doc.nodes.map((n) => n.id));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/**
 * Apply a quick fix to the node it belongs to and return a new document (the input is not mutated).
 * `insertBefore` splices a new layer into every edge that enters the node.
 */
export function applyFix(doc: LoomDocument, nodeId: string, fix: QuickFix): LoomDocument {
  if (fix.kind === 'setParam') {
    return {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, params: { ...n.params, [fix.param]: fix.value } } : n)),
    };
  }
  const id = freshId(doc, fix.layerType);
  const newNode: LoomNode = { id, type: fix.layerType, params: { ...(fix.params ?? {}) } };
  const at = doc.nodes.findIndex((n) => n.id === nodeId);
  const nodes = [...doc.nodes];
  nodes.splice(at < 0 ? nodes.length : at, 0, newNode);
  const incoming = doc.edges.filter((e) => e.to === nodeId);
  const edges = doc.edges.flatMap((e) => {
    if (e.to !== nodeId) return [e];
    // Quick fixes target single-input layers: reroute the first incoming edge through the new node.
    return e === incoming[0] ? [{ from: e.from, to: id }, { ...e, from: id }] : [e];
  });
  let layout = doc.layout;
  const target = doc.layout?.[nodeId];
  const src = incoming[0] && doc.layout?.[incoming[0].from];
  if (layout && target) {
    const pos = src ? { x: (src.x + target.x) / 2, y: (src.y + target.y) / 2 } : { x: target.x, y: target.y - 80 };
    layout = { ...layout, [id]: pos };
  }
  return { ...doc, nodes, edges, ...(layout ? { layout } : {}) };
}
