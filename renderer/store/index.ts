/**
 * The editor store: one zustand store built from slices (document, selection/UI, view), with
 * undo/redo (zundo `temporal`) recording ONLY the document. React Flow nodes and edges are derived
 * from `doc` + the selection (editor/derive.ts); transient UI state never enters the document.
 */
import { create } from 'zustand';
import { temporal } from 'zundo';
import { useStore } from 'zustand';
import type { LoomDocument } from '../../shared/document';
import { createDocumentSlice } from './document';
import { createSelectionSlice, type History } from './selection';
import type { EditorState } from './types';
import { createViewSlice } from './view';
import { createRunsSlice } from './runs';
import { createTrainingSlice } from './training';

export type { EditorState } from './types';
export { edgeKey, emptyDocument, type Clip } from './document';
export { analysisOf } from './analysis';

export function createEditorStore() {
  // Filled once the temporal store exists (slices are created before it is reachable).
  const history: History = { clear() {}, pause() {}, resume() {} };
  const store = create<EditorState>()(
    temporal(
      (set, get) => ({
        ...createDocumentSlice(history)(set, get),
        ...createSelectionSlice(history)(set, get),
        ...createViewSlice(set, get),
        ...createTrainingSlice(set, get),
        ...createRunsSlice(set, get),
      }),
      {
        partialize: (s): { doc: LoomDocument } => ({ doc: s.doc }),
        // Only a new document object is a new history entry (selection/view changes are not).
        equality: (a, b) => a.doc === b.doc,
        limit: 300,
      },
    ),
  );
  const t = () => store.temporal.getState();
  history.clear = () => t().clear();
  history.pause = () => t().pause();
  history.resume = () => t().resume();
  return store;
}

export type EditorStore = ReturnType<typeof createEditorStore>;

/** The application's store. Components use fine-grained selectors: `useEditor((s) => s.doc.name)`. */
export const useEditor = createEditorStore();

export const undo = (store: EditorStore = useEditor) => store.temporal.getState().undo();
export const redo = (store: EditorStore = useEditor) => store.temporal.getState().redo();

/** Whether undo / redo are possible (re-renders only when that changes). */
export function useHistoryState(store: EditorStore = useEditor) {
  const canUndo = useStore(store.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (s) => s.futureStates.length > 0);
  return { canUndo, canRedo };
}
