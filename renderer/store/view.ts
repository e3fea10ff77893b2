/** The view slice: theme, panels, dialogs, transient notices. Never recorded by undo. */
import type { Bridge } from './graph-edits';
import type { Slice } from './types';

export type Theme = 'light' | 'dark';
export type BottomTab = 'summary' | 'problems' | 'training' | (string & {});
/** The one modal dialog shown (shell/Dialogs.tsx mounts it): never two at once. */
export type Dialog = null | 'templates' | 'open' | 'saveAs' | 'export' | 'import' | 'weights' | 'shortcuts';
/** The unsaved-changes question (shell/unsaved.ts), shown over the open dialog. */
export interface UnsavedPrompt {
  name: string;
  answer(a: 'save' | 'discard' | 'cancel'): void;
}

export interface ViewSlice {
  theme: Theme;
  /** Node positions snap to a 10 px grid while dragging. */
  snapToGrid: boolean;
  bottomTab: BottomTab;
  bottomOpen: boolean;
  /**
   * The panel's height, the same for every tab (it used to grow for Data, Training... and jump back,
   * squeezing the canvas): the person drags or keys it, and it is kept in settings.
   */
  bottomHeight: number;
  dialog: Dialog;
  prompt: UnsavedPrompt | null;
  /** After a middle layer of a chain was deleted: its neighbours, offered to be joined (editor/Canvas.tsx). */
  reconnectOffer: Bridge | null;
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
  showPrompt(p: UnsavedPrompt | null): void;
  setReconnectOffer(o: ViewSlice['reconnectOffer']): void;
  notify(text: string, kind?: 'info' | 'error'): void;
  requestFit(): void;
  requestZoom(kind: 'in' | 'out' | 'reset'): void;
  focusNode(id: string): void;
}

export const BOTTOM_MIN = 90;
export const BOTTOM_MAX = 700;
const clampHeight = (h: number) => Math.max(BOTTOM_MIN, Math.min(BOTTOM_MAX, Math.round(h)));

export const createViewSlice: Slice<ViewSlice> = (set, get) => ({
  theme: 'light',
  snapToGrid: true,
  bottomTab: 'summary',
  bottomOpen: true,
  bottomHeight: 290,
  dialog: null,
  prompt: null,
  reconnectOffer: null,
  notice: null,
  fitRequest: 0,
  focusRequest: null,
  zoomRequest: null,

  setTheme: (theme) => set({ theme }),
  setSnapToGrid: (snapToGrid) => set({ snapToGrid }),
  setBottomTab: (bottomTab) => set({ bottomTab, bottomOpen: true }),
  setBottomOpen: (bottomOpen) => set({ bottomOpen }),
  setBottomHeight: (h) => set({ bottomHeight: clampHeight(h) }),
  openDialog: (dialog) => set({ dialog }),
  showPrompt: (prompt) => set({ prompt }),
  setReconnectOffer: (reconnectOffer) => set({ reconnectOffer }),
  notify: (text, kind = 'info') => set({ notice: { text, kind } }),
  requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
  requestZoom: (kind) => set({ zoomRequest: { kind, n: (get().zoomRequest?.n ?? 0) + 1 } }),
  focusNode: (id) => set({ focusRequest: { id, n: (get().focusRequest?.n ?? 0) + 1 }, selectedNodes: [id], selectedEdges: [] }),
});
