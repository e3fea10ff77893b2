/** Mounts the Export, Import or Load Weights dialog when one is open (renderer/export/state.ts). */
import { useEffect } from 'react';
import { getApi } from '../platform/api';
import { loadWeightsCommand } from './commands';
import { ExportDialog } from './ExportDialog';
import { ImportDialog, WeightsDialog } from './ImportDialog';
import { useExportUi } from './state';

export function ExportDialogs() {
  const open = useExportUi((s) => s.open);
  // The menu's File › Load Weights… (the editor's menu handler leaves it to this feature).
  useEffect(() => getApi().onMenuCommand((e) => {
    if (e.command === 'loadWeights') loadWeightsCommand();
  }), []);
  if (open === 'export') return <ExportDialog />;
  if (open === 'import') return <ImportDialog />;
  if (open === 'weights') return <WeightsDialog />;
  return null;
}
