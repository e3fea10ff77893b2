/**
 * Document commands (New, New from Template, Open, Save, Save As, undo/redo, ...), shared by the
 * toolbar, keyboard shortcuts and the native menu. Files go through the platform service.
 */
import { formatLoadError, parseDocument, serializeDocument, type LoomDocument } from '../../shared/document';
import { mapDatasetPaths } from '../../shared/document/dataset-paths';
import { platform, type FileRef, type TemplateInfo } from '../services/platform';
import { clearRecovery } from '../services/recovery';
import { emptyDocument, redo, undo, useEditor } from '../store';
import { trainCommand } from '../training/TrainingPanel';
import { keepRunsOnSave } from './keep-runs';
import { askUnsaved } from './unsaved';

export const isDirty = () => {
  const s = useEditor.getState();
  return s.doc !== s.savedDoc;
};

export const fileName = (path: string | null) => (path ? path.replace(/^.*[\\/]/, '') : null);

/**
 * Ask before throwing away unsaved changes: Save (true once saved; a model without a file is named
 * in Save As first, and the action is then done again), Don't save (true), Cancel (false).
 */
export async function confirmDiscard(): Promise<boolean> {
  if (!isDirty()) return true;
  const answer = await askUnsaved(fileName(useEditor.getState().filePath) ?? useEditor.getState().doc.name);
  if (answer === 'save') return save();
  return answer === 'discard';
}

/** Open `text` as the document; a file that is not a valid model is refused with the reason (also given to `onError`). */
function loadText(text: string, filePath: string | null, what: string, onError?: (message: string) => void): boolean {
  const r = parseDocument(text);
  const s = useEditor.getState();
  if (!r.ok) {
    const message = `Cannot open ${what}: ${r.errors.slice(0, 3).map(formatLoadError).join('; ')}`;
    s.notify(message, 'error');
    onError?.(message);
    return false;
  }
  s.loadDocument(r.doc, filePath);
  s.openDialog(null);
  s.requestFit();
  clearRecovery();
  if (r.warnings.length) s.notify(`${what}: ${r.warnings.join('; ')}`);
  else s.notify(`Opened ${what}`);
  return true;
}

export async function newDocument(): Promise<void> {
  if (!(await confirmDiscard())) return;
  useEditor.getState().loadDocument(emptyDocument());
  clearRecovery();
  useEditor.getState().notify('New model');
}

export async function newFromTemplate(t: TemplateInfo): Promise<boolean> {
  if (!(await confirmDiscard())) return false;
  return loadText(t.text, null, `template “${t.name}”`);
}

/**
 * Open `path`, or ask (native dialog on the desktop, the browser's picker in web mode). Why a file
 * cannot be opened goes to the status bar and to `onError` (the Open dialog shows it where the
 * person clicked).
 */
export async function openFile(path?: string, onError?: (message: string) => void): Promise<boolean> {
  if (!(await confirmDiscard())) return false;
  try {
    const f = await platform().open(path);
    if (!f) return false;
    return loadText(f.text, f.path, f.name, onError);
  } catch (e) {
    const message = `Cannot open ${path ?? 'the file'}: ${(e as Error).message}`;
    useEditor.getState().notify(message, 'error');
    onError?.(message);
    return false;
  }
}

/** Open restored text (crash recovery): it stays marked as unsaved. */
export function restoreText(text: string, filePath: string | null): void {
  const r = parseDocument(text);
  if (!r.ok) return;
  const s = useEditor.getState();
  s.loadDocument(r.doc, filePath);
  useEditor.setState({ savedDoc: emptyDocument() });
  s.requestFit();
  s.notify('Restored the unsaved model from the last session');
}

const text = (doc: LoomDocument) => serializeDocument(doc);

/**
 * Save As rewrote dataset paths for the new folder (`ref.rewritten`): the editor's document, the
 * saved copy and the undo history take the same rewrite (an undo must not bring back a path that
 * no longer finds the file). Not an undo step itself. Returns the saved document as written.
 */
function applyRewrites(ref: FileRef, doc: LoomDocument): LoomDocument {
  const changes = ref.rewritten ?? [];
  if (!changes.length) return doc;
  const rewrite = (d: LoomDocument): LoomDocument => {
    if (!d.dataset) return d;
    const ds = mapDatasetPaths(d.dataset, (v, field) => changes.find((c) => c.field === field && c.from === v)?.to ?? v);
    return ds === d.dataset ? d : { ...d, dataset: ds };
  };
  const written = rewrite(doc);
  const current = useEditor.getState().doc;
  const history = useEditor.temporal.getState();
  const states = (list: typeof history.pastStates) => list.map((st) => (st.doc ? { ...st, doc: rewrite(st.doc) } : st));
  history.pause();
  useEditor.setState({ doc: current === doc ? written : rewrite(current) });
  history.resume();
  useEditor.temporal.setState({ pastStates: states(history.pastStates), futureStates: states(history.futureStates) });
  return written;
}

function saved(ref: FileRef, sent: LoomDocument): void {
  const doc = applyRewrites(ref, sent);
  const s = useEditor.getState();
  const prev = { filePath: s.filePath, savedDoc: s.savedDoc };
  // Only mark saved what was written (the document may have changed meanwhile).
  useEditor.setState({ savedDoc: doc, filePath: ref.path ?? s.filePath });
  clearRecovery();
  const moved = (ref.rewritten ?? []).map((c) => `${c.from} → ${c.to}`);
  s.notify(moved.length ? `Saved ${ref.name}; data paths rewritten for its folder: ${moved.join(', ')}` : `Saved ${ref.name}`);
  // A new file (first save, Save As) takes the document's runs along.
  if (ref.path && ref.path !== prev.filePath) void keepRunsOnSave(prev, ref.path);
}

/** Save to the current file, or Save As when there is none. Resolves true once written. */
export async function save(): Promise<boolean> {
  const { doc, filePath } = useEditor.getState();
  if (!filePath) return saveAs();
  try {
    const ref = await platform().save(filePath, text(doc));
    if (!ref) return false;
    saved(ref, doc);
    return true;
  } catch (e) {
    useEditor.getState().notify(`Could not save ${filePath}: ${(e as Error).message}`, 'error');
    return false;
  }
}

/**
 * Save under a new name. Desktop: the native dialog. Web mode without `path`: the in-app
 * Save As dialog asks for a name in the project folder and calls this again with it.
 */
export async function saveAs(path?: string): Promise<boolean> {
  let { doc } = useEditor.getState();
  const { filePath } = useEditor.getState();
  const p = platform();
  if (!path && !p.desktop) {
    useEditor.getState().openDialog('saveAs');
    return false;
  }
  const base = path ? fileName(path)!.replace(/\.loom$/i, '') : '';
  if (base && (doc.name === 'untitled' || !doc.name)) {
    // A new model takes its file's name (the name exported code and summaries use).
    useEditor.getState().updateDocument((d) => ({ ...d, name: base.slice(0, 200) }));
    doc = useEditor.getState().doc;
  }
  try {
    const ref = await p.saveAs(text(doc), `${doc.name || 'untitled'}.loom`, path, filePath);
    if (!ref) return false;
    saved(ref, doc);
    useEditor.getState().openDialog(null);
    return true;
  } catch (e) {
    useEditor.getState().notify(`Could not save: ${(e as Error).message}`, 'error');
    return false;
  }
}

/** Ctrl+O: the desktop asks natively; web mode shows the in-app dialog (project files, recent, browse). */
export function openCommand(): void {
  if (platform().desktop) void openFile();
  else useEditor.getState().openDialog('open');
}

/** Ctrl/Cmd+E, the toolbar's Export…, the menu's Export… */
export const exportCommand = () => useEditor.getState().openDialog('export');
/** Ctrl/Cmd+I, the toolbar's Import…, the menu's Import Model… */
export const importCommand = () => useEditor.getState().openDialog('import');
/** The menu's Load Weights…, and the Import dialog's "Load weights into the current model…". */
export const loadWeightsCommand = () => useEditor.getState().openDialog('weights');

export function toggleTheme(): void {
  const s = useEditor.getState();
  const next = s.theme === 'dark' ? 'light' : 'dark';
  s.setTheme(next);
  void platform().setTheme(next);
}

/** The native menu's commands (shared/ipc MENU_COMMANDS) that belong to the editor. */
export function runMenuCommand(command: string, arg?: string): void {
  const s = useEditor.getState();
  switch (command) {
    case 'new': void newDocument(); return;
    case 'newFromTemplate':
      if (!arg) return s.openDialog('templates');
      void platform().templates().then((ts) => {
        const t = ts.find((x) => x.id === arg);
        if (t) void newFromTemplate(t);
        else s.notify(`No template “${arg}”`, 'error');
      });
      return;
    case 'open': return openCommand();
    case 'openFile': void openFile(arg); return;
    case 'save': void save(); return;
    case 'saveAs': void saveAs(); return;
    case 'export': return exportCommand();
    case 'importModel': return importCommand();
    case 'loadWeights': return loadWeightsCommand();
    case 'undo': return undo();
    case 'redo': return redo();
    case 'delete': return s.deleteSelection();
    case 'fit': return s.requestFit();
    case 'zoomIn': return s.requestZoom('in');
    case 'zoomOut': return s.requestZoom('out');
    case 'zoomReset': return s.requestZoom('reset');
    case 'toggleTheme': return toggleTheme();
    case 'train': return trainCommand();
    case 'stop': return s.stopTraining();
    case 'evaluate': s.setBottomTab('evaluate'); void s.evaluateRun(); return;
    case 'explain': return s.setBottomTab('explain');
    default: return; // training/export commands belong to other panels
  }
}
