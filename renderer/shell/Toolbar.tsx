/** The top bar: document commands, undo/redo, layout, theme; the document name with its dirty marker. */
import { redo, undo, useEditor, useHistoryState } from '../store';
import { exportCommand, fileName, importCommand, newDocument, openCommand, save, saveAs, toggleTheme } from './commands';
import { TrainButton } from '../training/TrainButton';


export function Toolbar() {
  const name = useEditor((s) => s.doc.name);
  const filePath = useEditor((s) => s.filePath);
  const dirty = useEditor((s) => s.doc !== s.savedDoc);
  const theme = useEditor((s) => s.theme);
  const { canUndo, canRedo } = useHistoryState();
  const s = useEditor.getState;
  return (
    <header className="toolbar">
      <span className="brand">Layerloom</span>
      <div className="toolbar-group">
        <button type="button" onClick={() => void newDocument()} title="New (Ctrl+N)">New</button>
        <button type="button" onClick={() => s().openDialog('templates')} title="New from template">Templates</button>
        <button type="button" onClick={openCommand} title="Open (Ctrl+O)">Open</button>
        <button type="button" onClick={() => void save()} title="Save (Ctrl+S)">Save</button>
        <button type="button" onClick={() => void saveAs()} title="Save as (Ctrl+Shift+S)">Save As</button>
        <button type="button" onClick={importCommand} title="Import a TF.js / Keras model (Ctrl+I)">Import…</button>
        <button type="button" onClick={exportCommand} title="Export code and weights (Ctrl+E)">Export…</button>
      </div>
      <div className="toolbar-group">
        <button type="button" onClick={() => undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">↶</button>
        <button type="button" onClick={() => redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z / Ctrl+Y)" aria-label="Redo">↷</button>
        <button type="button" onClick={() => { s().autoLayout(); s().requestFit(); }} title="Automatic layout (L)">Layout</button>
        <button type="button" onClick={() => s().requestFit()} title="Zoom to fit (F)">Fit</button>
      </div>
      <div className="doc-title" data-testid="doc-title" title={filePath ?? 'not saved yet'}>
        {dirty && <span className="dirty" aria-label="unsaved changes" data-testid="dirty">●</span>}
        <span>{fileName(filePath) ?? name}</span>
      </div>
      <span className="spacer" />
      <TrainButton />
      <button type="button" onClick={toggleTheme} title="Toggle light/dark theme" aria-label="Toggle theme">{theme === 'dark' ? '☀' : '☾'}</button>
    </header>
  );
}
