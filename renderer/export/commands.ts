/** Entry points for the menu, the toolbar and the keyboard (kept free of the dialogs' imports). */
import { useEditor } from '../store';
import { useExportUi } from './state';

/** Ctrl/Cmd+E, the toolbar's Export…, the menu's Export… */
export function exportCommand(): void {
  useEditor.getState().openDialog(null);
  useExportUi.getState().show('export');
}

/** Ctrl/Cmd+I, the toolbar's Import…, the menu's Import Model… */
export function importCommand(): void {
  useEditor.getState().openDialog(null);
  useExportUi.getState().show('import');
}

/** The menu's Load Weights…, and the Import dialog's "Load weights into the current model…". */
export function loadWeightsCommand(): void {
  useEditor.getState().openDialog(null);
  useExportUi.getState().show('weights');
}
