/**
 * Edits of the graph as pure functions of the document: each returns the new document (the same
 * object when nothing changed, so no undo step is recorded) and, where the gesture selects
 * something, the new selection. The document slice (document.ts) applies them in one `set`.
 */
import { freshId } from '../../shared/analysis';
import { getLayerDef, isLayerType } from '../../shared/catalog';
import type { LoomDocument, LoomEdge, LoomNode, Position } from '../../shared/document';
import { flowDirectionOf, GRID, positionsOf, stepAfter, type FlowDirection } from './layout';

/** A stable key for an edge (React Flow edge id, selection key). */
export const edgeKey = (e: Pick<LoomEdge, 'from' | 'to'>) => `${e.from}->${e.to}`;

const snap = (v: number) => Math.round(v / GRID) * GRID;

/** Layout with every node positioned (auto-laid-out ones become explicit once anything moves). */
export const fullLayout = (doc: LoomDocument): Record<string, Position> => ({ ...positionsOf(doc) });

const hasNode = (doc: LoomDocument, id: string) => doc.nodes.some((n) => n.id === id);
const defOf = (type: string) => (isLayerType(type) ? getLayerDef(type) : null);

/** Nodes downstream of `id` (not including it). */
export function descendants(doc: LoomDocument, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const e of doc.edges) {
      if (e.from === cur && !out.has(e.to) && e.to !== id) {
        out.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return out;
}

export interface AddNodeOptions {
  position?: Position;
  after?: string | null;
  params?: Record<string, unknown>;
}

/** Move `ids` one step further along the flow (below, or to the right in a left-to-right layout). */
export function shiftAlong(layout: Record<string, Position>, ids: Iterable<string>, direction: FlowDirection): void {
  const step = stepAfter(direction);
  for (const id of ids) {
    const p = layout[id];
    if (p) layout[id] = { x: p.x + step.x, y: p.y + step.y };
  }
}

/** Where a new unconnected layer goes: one step past the furthest layer along the flow. */
function nextFree(layout: Record<string, Position>, direction: FlowDirection): Position {
  const ps = Object.values(layout);
  if (!ps.length) return { x: 0, y: 0 };
  const step = stepAfter(direction);
  return direction === 'TB' ? { x: 0, y: Math.max(...ps.map((p) => p.y)) + step.y } : { x: Math.max(...ps.map((p) => p.x)) + step.x, y: 0 };
}

/** Add a layer; `after` connects it behind that node, taking over its outgoing edges (what followed moves one step on). */
export function addNode(doc: LoomDocument, type: string, opts: AddNodeOptions = {}): { doc: LoomDocument; id: string } {
  const def = defOf(type);
  const id = freshId(doc, type);
  const node: LoomNode = { id, type, params: { ...(opts.params ?? {}) } };
  const layout = fullLayout(doc);
  const direction = flowDirectionOf(doc);
  const after = opts.after && hasNode(doc, opts.after) && def && def.inputs.max > 0 ? opts.after : null;
  let edges = doc.edges;
  if (after) {
    shiftAlong(layout, descendants(doc, after), direction);
    edges = [...doc.edges.map((e) => (e.from === after ? { ...e, from: id } : e)), { from: after, to: id }];
  }
  const step = stepAfter(direction);
  const position = opts.position
    ?? (after ? { x: layout[after]!.x + step.x, y: layout[after]!.y + step.y } : nextFree(layout, direction));
  layout[id] = { x: snap(position.x), y: snap(position.y) };
  return { doc: { ...doc, nodes: [...doc.nodes, node], edges, layout }, id };
}

/** Add a layer in the middle of an edge (a → new → b, b keeps its input slot); null when the layer cannot go there. */
export function insertOnEdge(doc: LoomDocument, key: string, type: string, position: Position): { doc: LoomDocument; id: string } | null {
  const at = doc.edges.findIndex((e) => edgeKey(e) === key);
  const def = defOf(type);
  if (at < 0 || !def || def.inputs.min > 1 || def.inputs.max === 0) return null;
  const old = doc.edges[at]!;
  const id = freshId(doc, type);
  const edges = [...doc.edges];
  edges.splice(at, 1, { from: id, to: old.to, ...(old.toPort !== undefined ? { toPort: old.toPort } : {}) });
  edges.push({ from: old.from, to: id });
  const layout = { ...fullLayout(doc), [id]: { x: snap(position.x), y: snap(position.y) } };
  return { doc: { ...doc, nodes: [...doc.nodes, { id, type, params: {} }], edges, layout }, id };
}

/** Connect `from` → `to` (appended: a merge layer takes its inputs in edge order); null if refused. */
export function connect(doc: LoomDocument, from: string, to: string): LoomDocument | null {
  if (from === to || !hasNode(doc, from) || !hasNode(doc, to)) return null;
  if (doc.edges.some((e) => e.from === from && e.to === to)) return null;
  const def = defOf(doc.nodes.find((n) => n.id === to)!.type);
  if (def?.inputs.max === 0) return null;
  // A single-input layer gets its input replaced rather than a second one it cannot take.
  if (def?.inputs.max === 1 && doc.edges.some((e) => e.to === to)) return { ...doc, edges: [...doc.edges.filter((e) => e.to !== to), { from, to }] };
  return { ...doc, edges: [...doc.edges, { from, to }] };
}

/** Move an existing edge to new ends, keeping its input slot; null if refused. */
export function reconnect(doc: LoomDocument, oldKey: string, from: string, to: string): LoomDocument | null {
  const at = doc.edges.findIndex((e) => edgeKey(e) === oldKey);
  if (at < 0 || from === to || !hasNode(doc, from) || !hasNode(doc, to)) return null;
  if (doc.edges.some((e, i) => i !== at && e.from === from && e.to === to)) return null;
  const def = defOf(doc.nodes.find((n) => n.id === to)!.type);
  if (def?.inputs.max === 0) return null;
  const old = doc.edges[at]!;
  if (old.from === from && old.to === to) return null;
  // A single-input target loses its other input; the moved edge keeps its place (its slot).
  const edges = doc.edges.flatMap((e, i) => {
    if (i === at) return [{ ...(old.to === to && old.toPort !== undefined ? { toPort: old.toPort } : {}), from, to }];
    if (def?.inputs.max === 1 && e.to === to) return [];
    return [e];
  });
  return { ...doc, edges };
}

/** Delete nodes (and every edge touching them) and edges. */
export function removeElements(doc: LoomDocument, nodeIds: readonly string[], edgeKeys: readonly string[] = []): LoomDocument {
  const ids = new Set(nodeIds);
  const keys = new Set(edgeKeys);
  if (!doc.nodes.some((n) => ids.has(n.id)) && !doc.edges.some((e) => keys.has(edgeKey(e)))) return doc;
  const layout = doc.layout ? Object.fromEntries(Object.entries(doc.layout).filter(([id]) => !ids.has(id))) : undefined;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !ids.has(n.id)),
    edges: doc.edges.filter((e) => !ids.has(e.from) && !ids.has(e.to) && !keys.has(edgeKey(e))),
    ...(layout ? { layout } : {}),
  };
}

/** Insert a copy of the nodes and edges of a clip with fresh ids, at its positions shifted by `offset`. */
export function paste(doc: LoomDocument, clip: { nodes: LoomNode[]; edges: LoomEdge[]; layout: Record<string, Position> }, offset: Position): { doc: LoomDocument; ids: string[] } {
  const rename = new Map<string, string>();
  const nodes = [...doc.nodes];
  for (const n of clip.nodes) {
    const id = freshId({ nodes }, n.type);
    rename.set(n.id, id);
    nodes.push({ ...structuredClone(n), id });
  }
  if (!rename.size) return { doc, ids: [] };
  const edges = [...doc.edges, ...clip.edges.filter((e) => rename.has(e.from) && rename.has(e.to))
    .map((e) => ({ ...e, from: rename.get(e.from)!, to: rename.get(e.to)! }))];
  const layout = fullLayout(doc);
  for (const [old, id] of rename) {
    const p = clip.layout[old] ?? { x: 0, y: 0 };
    layout[id] = { x: snap(p.x + offset.x), y: snap(p.y + offset.y) };
  }
  return { doc: { ...doc, nodes, edges, layout }, ids: [...rename.values()] };
}

export interface Bridge {
  from: string;
  to: string;
  removed: string;
  /** The input slot the removed layer held on `to` (merge layers take inputs in order). */
  slot: number;
  toPort?: number;
}

/** A deleted middle layer's neighbours: the one edge into it and the one out of it, to join up again. */
export function bridgeOver(doc: LoomDocument, nodeIds: readonly string[]): Bridge | null {
  if (nodeIds.length !== 1) return null;
  const id = nodeIds[0]!;
  const ins = doc.edges.filter((e) => e.to === id), outs = doc.edges.filter((e) => e.from === id);
  if (ins.length !== 1 || outs.length !== 1) return null;
  const out = outs[0]!;
  const slot = doc.edges.filter((e) => e.to === out.to).indexOf(out);
  return { from: ins[0]!.from, to: out.to, removed: id, slot, ...(out.toPort !== undefined ? { toPort: out.toPort } : {}) };
}

/** Join a bridge's ends, in the input slot the removed layer held; null if no longer possible. */
export function join(doc: LoomDocument, b: Bridge): LoomDocument | null {
  const has = (id: string) => doc.nodes.some((n) => n.id === id);
  if (!has(b.from) || !has(b.to) || has(b.removed) || doc.edges.some((e) => e.from === b.from && e.to === b.to)) return null;
  const edge = { from: b.from, to: b.to, ...(b.toPort !== undefined ? { toPort: b.toPort } : {}) };
  const into = doc.edges.filter((e) => e.to === b.to);
  const before = into[b.slot];
  const at = before ? doc.edges.indexOf(before) : doc.edges.length;
  return { ...doc, edges: [...doc.edges.slice(0, at), edge, ...doc.edges.slice(at)] };
}
