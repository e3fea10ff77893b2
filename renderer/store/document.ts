/**
 * The document slice: the open `.loom` document exactly as it is saved (saving is
 * `serializeDocument(doc)`), plus the file it came from. It is the ONLY slice undo/redo records
 * (see index.ts). Every action replaces `doc` with a new object in one `set`, so each user gesture
 * (a multi-node edit, a paste, a delete with its edges) is one undo step.
 */
import { applyFix, freshId } from '../../shared/analysis';
import { getLayerDef, isLayerType, type QuickFix } from '../../shared/catalog';
import { NodeIdSchema, type LoomDocument, type LoomEdge, type LoomNode, type Position } from '../../shared/document';
import { GRID, layoutGraph, NODE_H, positionsOf } from './layout';
import type { History } from './selection';
import type { Slice } from './types';

export const emptyDocument = (name = 'untitled'): LoomDocument => ({
  format: 'layerloom.model', version: 1, name, nodes: [], edges: [], layout: {},
});

/** A stable key for an edge (React Flow edge id, selection key). */
export const edgeKey = (e: Pick<LoomEdge, 'from' | 'to'>) => `${e.from}->${e.to}`;

/** What copy puts on the clipboard: nodes, the edges among them, their positions. */
export interface Clip {
  nodes: LoomNode[];
  edges: LoomEdge[];
  layout: Record<string, Position>;
}

export interface DocumentSlice {
  doc: LoomDocument;
  /** The document as last saved/opened: `doc !== savedDoc` means unsaved changes. */
  savedDoc: LoomDocument;
  /** Path (or web-storage name) of the open file; null for a new document. */
  filePath: string | null;

  /** Open a document: replaces everything, not undoable (clears the history). */
  loadDocument(doc: LoomDocument, filePath?: string | null): void;
  /** Record that `doc` was written to `filePath`. */
  markSaved(filePath: string | null): void;
  /** Replace the document with `fn(doc)` as one undo step. */
  updateDocument(fn: (doc: LoomDocument) => LoomDocument): void;

  /** Add a layer in the middle of an edge (a → new → b, b keeps its input slot). Returns its id, or null. */
  insertOnEdge(key: string, type: string, position: Position): string | null;
  /** Add a layer; `after` connects it behind that node (taking over its outgoing edges). Returns its id. */
  addNode(type: string, opts?: { position?: Position; after?: string | null; params?: Record<string, unknown> }): string;
  /** Connect `from` → `to` (appended: a merge layer takes its inputs in edge order). False if refused. */
  connect(from: string, to: string): boolean;
  /** Move an existing edge to new ends (keeping its input slot), as one step. False if refused. */
  reconnect(oldKey: string, from: string, to: string): boolean;
  /** Delete nodes (and every edge touching them) and edges, as one step. */
  removeElements(nodeIds: readonly string[], edgeKeys?: readonly string[]): void;
  /**
   * Set (or with `undefined`, reset to default) one param on several nodes: one step. Successive
   * calls with the same `coalesce` key (one typing session in a field) stay one undo step.
   */
  setParam(nodeIds: readonly string[], name: string, value: unknown, coalesce?: string): void;
  /** Rename a node (edges and layout follow). Returns an error message, or null on success. */
  renameNode(oldId: string, newId: string): string | null;
  /** Move nodes (positions are top-left corners, in the document's `layout`). */
  moveNodes(positions: Record<string, Position>): void;
  /** Move input `index` of a merge node one slot earlier (-1) or later (+1). */
  moveInput(nodeId: string, index: number, delta: -1 | 1): void;
  applyQuickFix(nodeId: string, fix: QuickFix): void;
  /** Lay the whole graph out with dagre (one step). */
  autoLayout(): void;
  /** Insert a copy of `clip` with fresh ids, shifted by `offset`; returns the new ids. */
  pasteClip(clip: Clip, offset?: Position): string[];
}

const snap = (v: number) => Math.round(v / GRID) * GRID;

/** Nodes downstream of `id` (not including it). */
function descendants(doc: LoomDocument, id: string): Set<string> {
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

/** A copy of `nodes` (and the edges among them) out of a document. */
export function clipOf(doc: LoomDocument, nodeIds: readonly string[]): Clip {
  const ids = new Set(nodeIds);
  const pos = positionsOf(doc);
  return {
    nodes: doc.nodes.filter((n) => ids.has(n.id)).map((n) => structuredClone(n)),
    edges: doc.edges.filter((e) => ids.has(e.from) && ids.has(e.to)).map((e) => ({ ...e })),
    layout: Object.fromEntries([...ids].filter((id) => pos[id]).map((id) => [id, { ...pos[id]! }])),
  };
}

export const createDocumentSlice =
  (history: History): Slice<DocumentSlice> =>
  (set, get) => {
    const doc0 = emptyDocument();
    /** The last coalescing edit: its key and the document it produced. */
    let lastEdit: { key: string; doc: LoomDocument } | null = null;
    const update = (fn: (doc: LoomDocument) => LoomDocument, extra: Record<string, unknown> = {}) => {
      const doc = get().doc;
      const next = fn(doc);
      if (next !== doc) set({ doc: next, ...extra });
    };
    /** Layout with every node positioned (auto-laid-out ones become explicit once anything moves). */
    const fullLayout = (doc: LoomDocument) => ({ ...positionsOf(doc) });

    return {
      doc: doc0,
      savedDoc: doc0,
      filePath: null,

      loadDocument(doc, filePath = null) {
        set({ doc, savedDoc: doc, filePath, selectedNodes: [], selectedEdges: [] });
        history.clear();
      },
      markSaved(filePath) {
        set({ savedDoc: get().doc, filePath });
      },
      updateDocument(fn) {
        update(fn);
      },

      addNode(type, opts = {}) {
        const doc = get().doc;
        const def = isLayerType(type) ? getLayerDef(type) : null;
        const id = freshId(doc, type);
        const node: LoomNode = { id, type, params: { ...(opts.params ?? {}) } };
        const layout = fullLayout(doc);
        const after = opts.after && doc.nodes.some((n) => n.id === opts.after) && def && def.inputs.max > 0 ? opts.after : null;
        let edges = doc.edges;
        if (after) {
          // Insert after: the new node takes over `after`'s outgoing edges; what was below moves down.
          for (const d of descendants(doc, after)) layout[d] = { x: layout[d]!.x, y: layout[d]!.y + NODE_H + 30 };
          edges = [...doc.edges.map((e) => (e.from === after ? { ...e, from: id } : e)), { from: after, to: id }];
        }
        let position = opts.position;
        if (!position) {
          if (after) position = { x: layout[after]!.x, y: layout[after]!.y + NODE_H + 30 };
          else {
            const ys = Object.values(layout).map((p) => p.y);
            position = { x: 0, y: ys.length ? Math.max(...ys) + NODE_H + 30 : 0 };
          }
        }
        layout[id] = { x: snap(position.x), y: snap(position.y) };
        set({ doc: { ...doc, nodes: [...doc.nodes, node], edges, layout }, selectedNodes: [id], selectedEdges: [] });
        return id;
      },

      insertOnEdge(key, type, position) {
        const doc = get().doc;
        const at = doc.edges.findIndex((e) => edgeKey(e) === key);
        if (at < 0 || !isLayerType(type)) return null;
        const def = getLayerDef(type);
        if (def.inputs.min > 1 || def.inputs.max === 0) return null;
        const old = doc.edges[at]!;
        const id = freshId(doc, type);
        const edges = [...doc.edges];
        edges.splice(at, 1, { from: id, to: old.to, ...(old.toPort !== undefined ? { toPort: old.toPort } : {}) });
        edges.push({ from: old.from, to: id });
        const layout = { ...fullLayout(doc), [id]: { x: snap(position.x), y: snap(position.y) } };
        set({ doc: { ...doc, nodes: [...doc.nodes, { id, type, params: {} }], edges, layout }, selectedNodes: [id], selectedEdges: [] });
        return id;
      },

      connect(from, to) {
        const doc = get().doc;
        if (from === to) return false;
        if (!doc.nodes.some((n) => n.id === from) || !doc.nodes.some((n) => n.id === to)) return false;
        if (doc.edges.some((e) => e.from === from && e.to === to)) return false;
        const target = doc.nodes.find((n) => n.id === to)!;
        if (isLayerType(target.type)) {
          const def = getLayerDef(target.type);
          if (def.inputs.max === 0) return false;
          const existing = doc.edges.filter((e) => e.to === to);
          // A single-input layer gets its input replaced rather than a second one it cannot take.
          if (def.inputs.max === 1 && existing.length >= 1) {
            set({ doc: { ...doc, edges: [...doc.edges.filter((e) => e.to !== to), { from, to }] } });
            return true;
          }
        }
        set({ doc: { ...doc, edges: [...doc.edges, { from, to }] } });
        return true;
      },

      reconnect(oldKey, from, to) {
        const doc = get().doc;
        const at = doc.edges.findIndex((e) => edgeKey(e) === oldKey);
        if (at < 0 || from === to) return false;
        if (!doc.nodes.some((n) => n.id === from) || !doc.nodes.some((n) => n.id === to)) return false;
        if (doc.edges.some((e, i) => i !== at && e.from === from && e.to === to)) return false;
        const target = doc.nodes.find((n) => n.id === to)!;
        const def = isLayerType(target.type) ? getLayerDef(target.type) : null;
        if (def && def.inputs.max === 0) return false;
        const old = doc.edges[at]!;
        if (old.from === from && old.to === to) return false;
        // A single-input target loses its other input; the moved edge keeps its place (its slot).
        const edges = doc.edges.flatMap((e, i) => {
          if (i === at) return [{ ...(old.to === to && old.toPort !== undefined ? { toPort: old.toPort } : {}), from, to }];
          if (def && def.inputs.max === 1 && e.to === to) return [];
          return [e];
        });
        set({ doc: { ...doc, edges }, selectedEdges: [] });
        return true;
      },

      removeElements(nodeIds, edgeKeys = []) {
        const ids = new Set(nodeIds);
        const keys = new Set(edgeKeys);
        update((doc) => {
          if (!doc.nodes.some((n) => ids.has(n.id)) && !doc.edges.some((e) => keys.has(edgeKey(e)))) return doc;
          const layout = doc.layout ? Object.fromEntries(Object.entries(doc.layout).filter(([id]) => !ids.has(id))) : undefined;
          return {
            ...doc,
            nodes: doc.nodes.filter((n) => !ids.has(n.id)),
            edges: doc.edges.filter((e) => !ids.has(e.from) && !ids.has(e.to) && !keys.has(edgeKey(e))),
            ...(layout ? { layout } : {}),
          };
        }, { selectedNodes: get().selectedNodes.filter((id) => !ids.has(id)), selectedEdges: [] });
      },

      setParam(nodeIds, name, value, coalesce) {
        const ids = new Set(nodeIds);
        // Same typing session, and nothing else changed the document since: no new undo step.
        const merge = !!coalesce && lastEdit?.key === coalesce && lastEdit.doc === get().doc;
        if (merge) history.pause();
        try {
          update((doc) => {
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
          });
        } finally {
          if (merge) history.resume();
        }
        lastEdit = coalesce ? { key: coalesce, doc: get().doc } : null;
      },

      renameNode(oldId, newId) {
        const doc = get().doc;
        if (oldId === newId) return null;
        const ok = NodeIdSchema.safeParse(newId);
        if (!ok.success) return `A name ${ok.error.issues[0]?.message ?? 'is invalid'}`;
        if (doc.nodes.some((n) => n.id === newId)) return `"${newId}" is already used by another node`;
        const r = (id: string) => (id === oldId ? newId : id);
        const layout = doc.layout ? Object.fromEntries(Object.entries(doc.layout).map(([id, p]) => [r(id), p])) : undefined;
        set({
          doc: {
            ...doc,
            nodes: doc.nodes.map((n) => (n.id === oldId ? { ...n, id: newId } : n)),
            edges: doc.edges.map((e) => (e.from === oldId || e.to === oldId ? { ...e, from: r(e.from), to: r(e.to) } : e)),
            ...(layout ? { layout } : {}),
          },
          selectedNodes: get().selectedNodes.map(r),
        });
        return null;
      },

      moveNodes(positions) {
        update((doc) => {
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
        });
      },

      moveInput(nodeId, index, delta) {
        update((doc) => {
          const slots = doc.edges.map((e, i) => (e.to === nodeId ? i : -1)).filter((i) => i >= 0);
          const a = slots[index], b = slots[index + delta];
          if (a === undefined || b === undefined) return doc;
          // Input order is edge order (ports are dropped: the list order now says it all).
          const edges = doc.edges.map((e) => (e.to === nodeId ? { from: e.from, to: e.to } : e));
          [edges[a], edges[b]] = [edges[b]!, edges[a]!];
          return { ...doc, edges };
        });
      },

      applyQuickFix(nodeId, fix) {
        update((doc) => {
          const before = { ...doc, layout: fullLayout(doc) };
          const next = applyFix(before, nodeId, fix);
          if (fix.kind !== 'insertBefore') return next;
          // The inserted layer takes the fixed node's place; the node and what follows move down.
          const added = next.nodes.find((n) => !doc.nodes.some((m) => m.id === n.id));
          const at = before.layout[nodeId];
          if (!added || !at) return next;
          const layout = { ...next.layout! };
          const dy = NODE_H + 30;
          for (const id of [nodeId, ...descendants(doc, nodeId)]) {
            const p = layout[id];
            if (p) layout[id] = { x: p.x, y: p.y + dy };
          }
          layout[added.id] = { x: at.x, y: at.y };
          return { ...next, layout };
        });
      },

      autoLayout() {
        update((doc) => ({ ...doc, layout: layoutGraph(doc) }));
      },

      pasteClip(clip, offset = { x: 40, y: 40 }) {
        const doc = get().doc;
        const rename = new Map<string, string>();
        const nodes = [...doc.nodes];
        for (const n of clip.nodes) {
          const id = freshId({ nodes }, n.type);
          rename.set(n.id, id);
          nodes.push({ ...structuredClone(n), id });
        }
        if (!rename.size) return [];
        const edges = [...doc.edges, ...clip.edges.filter((e) => rename.has(e.from) && rename.has(e.to))
          .map((e) => ({ ...e, from: rename.get(e.from)!, to: rename.get(e.to)! }))];
        const layout = fullLayout(doc);
        for (const [old, id] of rename) {
          const p = clip.layout[old] ?? { x: 0, y: 0 };
          layout[id] = { x: snap(p.x + offset.x), y: snap(p.y + offset.y) };
        }
        const ids = [...rename.values()];
        set({ doc: { ...doc, nodes, edges, layout }, selectedNodes: ids, selectedEdges: [] });
        return ids;
      },
    };
  };
