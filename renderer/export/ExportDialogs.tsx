/** Mounts the Export or Import dialog when one is open (renderer/export/state.ts). */
import { ExportDialog } from './ExportDialog';
import { ImportDialog } from './ImportDialog';
import { useExportUi } from './state';

export function ExportDialogs() {
  const open = useExportUi((s) => s.open);
  if (open === 'export') return <ExportDialog />;
  if (open === 'import') return <ImportDialog />;
  return null;
}
