/**
 * Files written by exports in this session (absolute paths): the Import dialog offers the importable
 * ones. Not the document: undo never records it.
 */
import { create } from 'zustand';

export interface ExportedFiles {
  files: string[];
  add(files: string[]): void;
}

export const useExported = create<ExportedFiles>()((set, get) => ({
  files: [],
  add: (files) => set({ files: [...new Set([...files, ...get().files])].slice(0, 50) }),
}));
