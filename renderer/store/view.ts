/** The view slice: theme, panels, dialogs, transient notices. Never recorded by undo. */
import type { Slice } from './types';

export type Theme = 'light' | 'dark';
export type BottomTab = 'summary' | 'problems' | 'training' | (string & {});
export type Dialog = null | 'templates' | 'open' | 'saveAs';

export interface ViewSlice {
  theme: Theme;
  /** Node positions snap to a 10 px grid while dragging. */
  snapToGrid: boolean;
  bottomTab: BottomTab;
  bottomOpen: boolean;
  bottomHeight: number;
  dialog: Dialog;
  /** A short message shown in the status bar (saved, errors). */
  notice: { text: string; kind: 'info' | 'error' } | null;
  /** Increments to ask the canvas to fit the view (after open, layout, ...). */
  fitRequest: number;
  /** Ask the canvas to zoom (menu commands). */
  zoomRequest: { kind: 'in' | 'out' | 'reset'; n: number } | null;
  /** Ask the canvas to centre on a node. */
  focusRequest: { id: string; n: number } | null;

  setTheme(t: Theme): void;
  setSnapToGrid(on: boolean): void;
  setBottomTab(t: BottomTab): void;
  setBottomOpen(open: boolean): void;
  setBottomHeight(h: number): void;
  openDialog(d: Dialog): void;
  notify(text: string, kind?: 'info' | 'error'): void;
  requestFit(): void;
  requestZoom(kind: 'in' | 'out' | 'reset'): void;
  focusNode(id: string): void;
}

export const createViewSlice: Slice<ViewSlice> = (set, get) => ({
  theme: 'light',
  snapToGrid: true,
  bottomTab: 'summary',
  bottomOpen: true,
  bottomHeight: 210,
  dialog: null,
  notice: null,
  fitRequest: 0,
  focusRequest: null,
  zoomRequest: null,

  setTheme: (theme) => set({ theme }),
  setSnapToGrid: (snapToGrid) => set({ snapToGrid }),
  setBottomTab: (bottomTab) => set({ bottomTab, bottomOpen: true }),
  setBottomOpen: (bottomOpen) => set({ bottomOpen }),
  setBottomHeight: (h) => set({ bottomHeight: Math.max(90, Math.min(600, Math.round(h))) }),
  openDialog: (dialog) => set({ dialog }),
  notify: (text, kind = 'info') => set({ notice: { text, kind } }),
  requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
  requestZoom: (kind) => set({ zoomRequest: { kind, n: (get().zoomRequest?.n ?? 0) + 1 } }),
  focusNode: (id) => set({ focusRequest: { id, n: (get().focusRequest?.n ?? 0) + 1 }, selectedNodes: [id], selectedEdges: [] }),
});
