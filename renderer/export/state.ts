/**
 * The Export and Import dialogs' own small store (not the document: undo never records it). Kept
 * apart from the view slice so the export feature needs no change to the editor's store.
 */
import { create } from 'zustand';

export type ExportDialogKind = null | 'export' | 'import' | 'weights';

export interface ExportUiState {
  open: ExportDialogKind;
  /** Files written by exports in this session (absolute paths): importable ones are offered in Import. */
  exported: string[];
  show(kind: ExportDialogKind): void;
  addExported(files: string[]): void;
}

export const useExportUi = create<ExportUiState>()((set, get) => ({
  open: null,
  exported: [],
  show: (open) => set({ open }),
  addExported: (files) => set({ exported: [...new Set([...files, ...get().exported])].slice(0, 50) }),
}));
