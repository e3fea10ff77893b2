/**
 * Edits of nodes as pure functions of the document (params, names, positions, input order, quick
 * fixes); like graph-edits.ts, each returns the same document when nothing changed.
 */
import { applyFix } from '../../shared/analysis';
import type { QuickFix } from '../../shared/catalog';
import { NodeIdSchema, type LoomDocument, type Position } from '../../shared/document';
import { descendants, fullLayout, shiftAlong } from './graph-edits';
import { flowDirectionOf } from './layout';

/** Set (or with `undefined`, remove so the default applies) one param on several nodes. */
export function setParam(doc: LoomDocument, nodeIds: readonly string[], name: string, value: unknown): LoomDocument {
  const ids = new Set(nodeIds);
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (!ids.has(n.id)) return n;
    const params = { ...n.params };
    if (value === undefined) delete params[name];
    else params[name] = value;
    if (JSON.stringify(params) === JSON.stringify(n.params)) return n;
    changed = true;
    return { ...n, params };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Rename a node (edges and layout follow): the new document, or why the name is refused. */
export function renameNode(doc: LoomDocument, oldId: string, newId: string): LoomDocument | string {
  if (oldId === newId) return doc;
  const ok = NodeIdSchema.safeParse(newId);
  if (!ok.success) return `A name ${ok.error.issues[0]?.message ?? 'is invalid'}`;
  if (doc.nodes.some((n) => n.id === newId)) return `"${newId}" is already used by another node`;
  const r = (id: string) => (id === oldId ? newId : id);
  const layout = doc.layout ? Object.fromEntries(Object.entries(doc.layout).map(([id, p]) => [r(id), p])) : undefined;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === oldId ? { ...n, id: newId } : n)),
    edges: doc.edges.map((e) => (e.from === oldId || e.to === oldId ? { ...e, from: r(e.from), to: r(e.to) } : e)),
    ...(layout ? { layout } : {}),
  };
}

/** Move nodes (positions are top-left corners, in the document's `layout`). */
export function moveNodes(doc: LoomDocument, positions: Record<string, Position>): LoomDocument {
  const layout = fullLayout(doc);
  let changed = false;
  for (const [id, p] of Object.entries(positions)) {
    if (!doc.nodes.some((n) => n.id === id)) continue;
    const old = layout[id];
    if (old && old.x === p.x && old.y === p.y) continue;
    layout[id] = { x: p.x, y: p.y };
    changed = true;
  }
  return changed ? { ...doc, layout } : doc;
}

/** Move input `index` of a merge node one slot earlier (-1) or later (+1). */
export function moveInput(doc: LoomDocument, nodeId: string, index: number, delta: -1 | 1): LoomDocument {
  const slots = doc.edges.map((e, i) => (e.to === nodeId ? i : -1)).filter((i) => i >= 0);
  const a = slots[index], b = slots[index + delta];
  if (a === undefined || b === undefined) return doc;
  // Input order is edge order (ports are dropped: the list order now says it all).
  const edges = doc.edges.map((e) => (e.to === nodeId ? { from: e.from, to: e.to } : e));
  [edges[a], edges[b]] = [edges[b]!, edges[a]!];
  return { ...doc, edges };
}

/** Apply an analysis quick fix; an inserted layer takes the fixed node's place, which moves one step on with what follows. */
export function applyQuickFix(doc: LoomDocument, nodeId: string, fix: QuickFix): LoomDocument {
  const before = { ...doc, layout: fullLayout(doc) };
  const next = applyFix(before, nodeId, fix);
  if (fix.kind !== 'insertBefore') return next;
  const added = next.nodes.find((n) => !doc.nodes.some((m) => m.id === n.id));
  const at = before.layout[nodeId];
  if (!added || !at) return next;
  const layout = { ...next.layout! };
  shiftAlong(layout, [nodeId, ...descendants(doc, nodeId)], flowDirectionOf(doc));
  layout[added.id] = { x: at.x, y: at.y };
  return { ...next, layout };
}
