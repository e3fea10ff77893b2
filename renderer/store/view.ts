/** The view slice: theme, panels, dialogs, transient notices. Never recorded by undo. */
import type { Slice } from './types';

export type Theme = 'light' | 'dark';
export type BottomTab = 'summary' | 'problems' | 'training' | (string & {});
/** The one modal dialog shown (shell/Dialogs.tsx mounts it): never two at once. */
export type Dialog = null | 'templates' | 'open' | 'saveAs' | 'export' | 'import' | 'weights' | 'shortcuts';

export interface ViewSlice {
  theme: Theme;
  /** Node positions snap to a 10 px grid while dragging. */
  snapToGrid: boolean;
  bottomTab: BottomTab;
  bottomOpen: boolean;
  /** The person's own panel height (dragged, kept in settings). Tall tabs never write it. */
  bottomHeight: number;
  /** The height the shown tab needs (Data, Training, Runs... charts and grids), 0 for none: a temporary minimum. */
  bottomTall: number;
  /** The person dragged the panel while a tall tab was shown: their height wins there too, for this session. */
  bottomTallOff: boolean;
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
  /** The person drags the panel's edge to height `h`. */
  dragBottomHeight(h: number): void;
  setBottomTall(min: number): void;
  openDialog(d: Dialog): void;
  notify(text: string, kind?: 'info' | 'error'): void;
  requestFit(): void;
  requestZoom(kind: 'in' | 'out' | 'reset'): void;
  focusNode(id: string): void;
}

const clampHeight = (h: number) => Math.max(90, Math.min(600, Math.round(h)));

/**
 * The bottom panel's height as shown: the person's, raised to what the shown tab needs unless the
 * person sized it themselves on such a tab. Leaving the tab returns to the person's height (a tall
 * tab used to write its height for good, and at 1280×720 the canvas stayed squeezed).
 */
export function bottomPanelHeight(s: Pick<ViewSlice, 'bottomHeight' | 'bottomTall' | 'bottomTallOff'>): number {
  return s.bottomTallOff ? s.bottomHeight : Math.max(s.bottomHeight, s.bottomTall);
}

export const createViewSlice: Slice<ViewSlice> = (set, get) => ({
  theme: 'light',
  snapToGrid: true,
  bottomTab: 'summary',
  bottomOpen: true,
  bottomHeight: 210,
  bottomTall: 0,
  bottomTallOff: false,
  dialog: null,
  notice: null,
  fitRequest: 0,
  focusRequest: null,
  zoomRequest: null,

  setTheme: (theme) => set({ theme }),
  setSnapToGrid: (snapToGrid) => set({ snapToGrid }),
  setBottomTab: (bottomTab) => set({ bottomTab, bottomOpen: true }),
  setBottomOpen: (bottomOpen) => set({ bottomOpen }),
  setBottomHeight: (h) => set({ bottomHeight: clampHeight(h) }),
  dragBottomHeight: (h) => set({ bottomHeight: clampHeight(h), ...(get().bottomTall > 0 ? { bottomTallOff: true } : {}) }),
  setBottomTall: (bottomTall) => set({ bottomTall }),
  openDialog: (dialog) => set({ dialog }),
  notify: (text, kind = 'info') => set({ notice: { text, kind } }),
  requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
  requestZoom: (kind) => set({ zoomRequest: { kind, n: (get().zoomRequest?.n ?? 0) + 1 } }),
  focusNode: (id) => set({ focusRequest: { id, n: (get().focusRequest?.n ?? 0) + 1 }, selectedNodes: [id], selectedEdges: [] }),
});
