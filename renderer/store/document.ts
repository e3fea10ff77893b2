/**
 * The document slice: the open `.loom` document exactly as it is saved (saving is
 * `serializeDocument(doc)`), plus the file it came from. It is the ONLY slice undo/redo records
 * (see index.ts). Every action replaces `doc` with a new object in one `set`, so each user gesture
 * (a multi-node edit, a paste, a delete with its edges) is one undo step.
 */
import type { QuickFix } from '../../shared/catalog';
import type { LoomDocument, LoomEdge, LoomNode, Position } from '../../shared/document';
import { sampleFor } from './checks';
import * as graph from './graph-edits';
import { flowDirectionOf, layoutGraph, positionsOf, type FlowDirection } from './layout';
import * as node from './node-edits';
import type { History } from './selection';
import type { EditorState, Slice } from './types';

export { edgeKey } from './graph-edits';

export const emptyDocument = (name = 'untitled'): LoomDocument => ({
  format: 'layerloom.model', version: 1, name, nodes: [], edges: [], layout: {},
});

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
  /** Which document is open: a new number at each load (New, Open, template, Import, restore), kept by a save. Runs carry it. */
  docSession: number;

  /** Open a document: replaces everything, not undoable (clears the history); the previous document's runs leave the view. */
  loadDocument(doc: LoomDocument, filePath?: string | null): void;
  /** Record that `doc` was written to `filePath`. */
  markSaved(filePath: string | null): void;
  /** Replace the document with `fn(doc)` as one undo step. */
  updateDocument(fn: (doc: LoomDocument) => LoomDocument): void;

  /** Add a layer in the middle of an edge (a → new → b, b keeps its input slot). Returns its id, or null. */
  insertOnEdge(key: string, type: string, position: Position): string | null;
  /** Add a layer; `after` connects it behind that node (taking over its outgoing edges). Returns its id. */
  addNode(type: string, opts?: graph.AddNodeOptions): string;
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
  /** Lay the whole graph out with dagre (one step), in `direction` (default: the way it runs now). */
  autoLayout(direction?: FlowDirection): void;
  /** Insert a copy of `clip` with fresh ids, shifted by `offset`; returns the new ids. */
  pasteClip(clip: Clip, offset?: Position): string[];
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

type FileActions = Pick<DocumentSlice, 'doc' | 'savedDoc' | 'filePath' | 'docSession' | 'loadDocument' | 'markSaved' | 'updateDocument'>;
type EditActions = Omit<DocumentSlice, keyof FileActions>;

/** Opening, saving, and replacing the document as a whole. */
const fileActions = (history: History): Slice<FileActions> => (set, get) => {
  const doc0 = emptyDocument();
  return {
    doc: doc0,
    savedDoc: doc0,
    filePath: null,
    docSession: 0,
    loadDocument(doc, filePath = null) {
      // The current run and the ticked runs were the previous document's.
      set({ doc, savedDoc: doc, filePath, docSession: get().docSession + 1, selectedNodes: [], selectedEdges: [], currentRunId: null, selectedRuns: [], reconnectOffer: null });
      history.clear();
    },
    markSaved: (filePath) => set({ savedDoc: get().doc, filePath }),
    updateDocument(fn) {
      const doc = get().doc;
      const next = fn(doc);
      if (next !== doc) set({ doc: next });
    },
  };
};

/** The gestures that edit the graph: each is one `set`, so one undo step. */
const editActions = (history: History): Slice<EditActions> => (set, get) => {
  /** The last coalescing edit: its key and the document it produced. */
  let lastEdit: { key: string; doc: LoomDocument } | null = null;
  const update = (fn: (doc: LoomDocument) => LoomDocument | null, extra: Partial<Pick<EditorState, 'selectedNodes' | 'selectedEdges'>> = {}) => {
    const doc = get().doc;
    const next = fn(doc);
    if (next === null || next === doc) return false;
    set({ doc: next, ...extra });
    return true;
  };
  const added = (r: { doc: LoomDocument; id: string } | null) => {
    if (r) set({ doc: r.doc, selectedNodes: [r.id], selectedEdges: [] });
    return r?.id ?? null;
  };
  return {
    addNode(type, opts = {}) {
      // With data chosen, a new Input takes the data's sample shape.
      const data = type === 'Input' && opts.params?.shape === undefined ? sampleFor(get().doc, get().dataSample) : null;
      const withShape = data ? { ...opts, params: { ...opts.params, shape: [...data] } } : opts;
      return added(graph.addNode(get().doc, type, withShape))!;
    },
    insertOnEdge: (key, type, position) => added(graph.insertOnEdge(get().doc, key, type, position)),
    connect: (from, to) => update((d) => graph.connect(d, from, to)),
    reconnect: (oldKey, from, to) => update((d) => graph.reconnect(d, oldKey, from, to), { selectedEdges: [] }),
    removeElements(nodeIds, edgeKeys = []) {
      const ids = new Set(nodeIds);
      update((d) => graph.removeElements(d, nodeIds, edgeKeys), { selectedNodes: get().selectedNodes.filter((id) => !ids.has(id)), selectedEdges: [] });
    },
    setParam(nodeIds, name, value, coalesce) {
      // Same typing session, and nothing else changed the document since: no new undo step.
      const merge = !!coalesce && lastEdit?.key === coalesce && lastEdit.doc === get().doc;
      if (merge) history.pause();
      try {
        update((d) => node.setParam(d, nodeIds, name, value));
      } finally {
        if (merge) history.resume();
      }
      lastEdit = coalesce ? { key: coalesce, doc: get().doc } : null;
    },
    renameNode(oldId, newId) {
      const r = node.renameNode(get().doc, oldId, newId);
      if (typeof r === 'string') return r;
      update(() => r, { selectedNodes: get().selectedNodes.map((id) => (id === oldId ? newId : id)) });
      return null;
    },
    moveNodes: (positions) => void update((d) => node.moveNodes(d, positions)),
    moveInput: (nodeId, index, delta) => void update((d) => node.moveInput(d, nodeId, index, delta)),
    applyQuickFix: (nodeId, fix) => void update((d) => node.applyQuickFix(d, nodeId, fix)),
    autoLayout: (direction) => void update((d) => ({ ...d, layout: layoutGraph(d, direction ?? flowDirectionOf(d)) })),
    pasteClip(clip, offset = { x: 40, y: 40 }) {
      const r = graph.paste(get().doc, clip, offset);
      if (r.ids.length) set({ doc: r.doc, selectedNodes: r.ids, selectedEdges: [] });
      return r.ids;
    },
  };
};

export const createDocumentSlice =
  (history: History): Slice<DocumentSlice> =>
  (set, get) => ({ ...fileActions(history)(set, get), ...editActions(history)(set, get) });
