/**
 * The selection/UI slice: what is selected, the internal clipboard and the drag gesture. None of it
 * is recorded by undo; actions that edit the document go through the document slice so that each
 * gesture stays one undo step.
 */
import type { LoomDocument } from '../../shared/document';
import { clipOf, edgeKey, type Clip } from './document';
import { bridgeOver } from './graph-edits';
import type { Slice } from './types';

export interface History {
  clear(): void;
  pause(): void;
  resume(): void;
}

export interface SelectionSlice {
  selectedNodes: string[];
  selectedEdges: string[];
  clipboard: Clip | null;
  /** Set while nodes are being dragged: the document before the drag started. */
  dragOrigin: LoomDocument | null;

  select(nodeIds: readonly string[], edgeKeys?: readonly string[]): void;
  selectAll(): void;
  clearSelection(): void;
  copySelection(): Clip | null;
  paste(clip?: Clip | null): string[];
  duplicateSelection(): string[];
  deleteSelection(): void;
  /** A node drag: call begin, then moveNodes as often as needed, then end: one undo step. */
  beginDrag(): void;
  endDrag(): void;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export const createSelectionSlice =
  (history: History): Slice<SelectionSlice> =>
  (set, get) => ({
    selectedNodes: [],
    selectedEdges: [],
    clipboard: null,
    dragOrigin: null,

    select(nodeIds, edgeKeys = []) {
      const s = get();
      if (sameList(s.selectedNodes, nodeIds) && sameList(s.selectedEdges, edgeKeys)) return;
      set({ selectedNodes: [...nodeIds], selectedEdges: [...edgeKeys] });
    },
    selectAll() {
      const { doc } = get();
      set({ selectedNodes: doc.nodes.map((n) => n.id), selectedEdges: doc.edges.map(edgeKey) });
    },
    clearSelection() {
      get().select([], []);
    },
    copySelection() {
      const { doc, selectedNodes } = get();
      if (!selectedNodes.length) return null;
      const clip = clipOf(doc, selectedNodes);
      set({ clipboard: clip });
      return clip;
    },
    paste(clip) {
      const c = clip ?? get().clipboard;
      if (!c) return [];
      const ids = get().pasteClip(c);
      // Pasting again lands further down-right instead of on top of the previous paste.
      const shifted: Clip = { ...c, layout: Object.fromEntries(Object.entries(c.layout).map(([k, p]) => [k, { x: p.x + 40, y: p.y + 40 }])) };
      if (!clip) set({ clipboard: shifted });
      return ids;
    },
    duplicateSelection() {
      const { doc, selectedNodes } = get();
      if (!selectedNodes.length) return [];
      return get().pasteClip(clipOf(doc, selectedNodes));
    },
    deleteSelection() {
      const { selectedNodes, selectedEdges, doc } = get();
      if (!selectedNodes.length && !selectedEdges.length) return;
      // A layer taken out of the middle of a chain: offer to join its neighbours (not done unasked).
      const bridge = selectedEdges.length ? null : bridgeOver(doc, selectedNodes);
      get().removeElements(selectedNodes, selectedEdges);
      get().setReconnectOffer(bridge);
    },
    beginDrag() {
      if (get().dragOrigin) return;
      set({ dragOrigin: get().doc });
      history.pause();
    },
    endDrag() {
      const origin = get().dragOrigin;
      if (!origin) return;
      const final = get().doc;
      // Rewind to the pre-drag document untracked, then apply the result tracked: one undo step.
      set({ doc: origin, dragOrigin: null });
      history.resume();
      if (final !== origin) set({ doc: final });
    },
  });
