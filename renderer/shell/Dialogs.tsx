/**
 * Mounts the one open dialog (the view slice's `dialog`): document dialogs, Export, Import, Load
 * Weights, shortcuts; and over it, the unsaved-changes question when it is asked.
 */
import { ExportDialog } from '../export/ExportDialog';
import { ImportDialog } from '../import/ImportDialog';
import { WeightsDialog } from '../import/WeightsDialog';
import { useEditor } from '../store';
import { OpenDialog, SaveAsDialog, TemplateGallery } from './DocumentDialogs';
import { ShortcutSheet } from './ShortcutSheet';
import { UnsavedDialog } from './UnsavedDialog';

export function Dialogs() {
  return (
    <>
      <CurrentDialog />
      <UnsavedDialog />
    </>
  );
}

function CurrentDialog() {
  const dialog = useEditor((s) => s.dialog);
  switch (dialog) {
    case 'templates': return <TemplateGallery />;
    case 'open': return <OpenDialog />;
    case 'saveAs': return <SaveAsDialog />;
    case 'export': return <ExportDialog />;
    case 'import': return <ImportDialog />;
    case 'weights': return <WeightsDialog />;
    case 'shortcuts': return <ShortcutSheet />;
    case null: return null;
  }
}
