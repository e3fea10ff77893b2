/** The document dialogs: the template gallery, Open (web mode: project files, recent, browse) and Save As. */
import { layerCount } from '../ui/format';
import { useEffect, useMemo, useState } from 'react';
import { parseDocument, type LoomDocument } from '../../shared/document';
import { platform, type FileRef, type TemplateInfo } from '../services/platform';
import { useEditor } from '../store';
import { Modal } from '../ui/Modal';
import { newFromTemplate, openFile, saveAs } from './commands';
import { GraphPicture } from './GraphPicture';

const close = () => useEditor.getState().openDialog(null);

export function TemplateGallery() {
  const [templates, setTemplates] = useState<TemplateInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    void platform().templates().then((t) => live && setTemplates(t));
    return () => {
      live = false;
    };
  }, []);
  const docs = useMemo(() => new Map((templates ?? []).map((t) => {
    const r = parseDocument(t.text);
    return [t.id, r.ok ? r.doc : null] as [string, LoomDocument | null];
  })), [templates]);
  return (
    <Modal title="New from template" wide onClose={close}>
      {!templates && <p className="muted">Loading templates…</p>}
      <ul className="template-grid">
        {(templates ?? []).map((t) => {
          const doc = docs.get(t.id);
          return (
            <li key={t.id}>
              <button type="button" className="template-card" data-testid={`template-${t.id}`} onClick={() => void newFromTemplate(t)}
                title={t.description}>
                {doc ? <GraphPicture doc={doc} /> : <div className="graph-picture" />}
                <span className="template-name">{t.name}</span>
                <span className="template-desc">{t.description}</span>
                <span className="template-meta">{doc ? layerCount(doc.nodes.length) : 'unreadable'}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </Modal>
  );
}

function FileList({ files, label, open }: { files: FileRef[]; label: string; open(path: string): void }) {
  if (!files.length) return null;
  return (
    <section>
      <h3>{label}</h3>
      <ul className="file-list">
        {files.map((f) => (
          <li key={`${label}:${f.path ?? f.name}`}>
            <button type="button" onClick={() => f.path && open(f.path)} disabled={!f.path} title={f.path ?? undefined}>
              <span>{f.name}</span> <span className="muted small">{f.path}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function OpenDialog() {
  const [recent, setRecent] = useState<FileRef[]>([]);
  const [files, setFiles] = useState<FileRef[] | null>(null);
  // Why the file clicked could not be opened: here, where the person is looking (not only in the status bar).
  const [error, setError] = useState<string | null>(null);
  const open = (path?: string) => {
    setError(null);
    void openFile(path, setError);
  };
  useEffect(() => {
    let live = true;
    void platform().recent().then((r) => live && setRecent(r));
    void platform().list().then((r) => live && setFiles(r));
    return () => {
      live = false;
    };
  }, []);
  return (
    <Modal title="Open model" onClose={close}>
      <FileList files={recent} label="Recent" open={open} />
      {files === null ? <p className="muted">Loading…</p> : <FileList files={files} label="Project files" open={open} />}
      {files !== null && !files.length && !recent.length && <p className="muted">No saved models yet.</p>}
      {error && <div className="dialog-problem dialog-pre" role="alert" data-testid="open-error">{error}</div>}
      <div className="modal-actions">
        <button type="button" onClick={() => open()}>Browse…</button>
      </div>
    </Modal>
  );
}

export function SaveAsDialog() {
  const docName = useEditor((s) => s.doc.name);
  const filePath = useEditor((s) => s.filePath);
  const [name, setName] = useState((filePath ?? docName ?? 'untitled').replace(/^.*[\\/]/, '').replace(/\.loom$/i, ''));
  const [busy, setBusy] = useState(false);
  const valid = /^[^\\/:*?"<>|]+$/.test(name.trim()) && name.trim() !== '';
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    const n = name.trim();
    await saveAs(/\.loom$/i.test(n) ? n : `${n}.loom`);
    setBusy(false);
  };
  return (
    <Modal title="Save as" onClose={close}>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label className="field-label" htmlFor="save-name">File name (in the project folder)</label>
        <div className="save-row">
          <input id="save-name" type="text" value={name} autoFocus onChange={(e) => setName(e.target.value)} spellCheck={false} />
          <span className="muted">.loom</span>
        </div>
        {!valid && <div className="field-error">Use a plain file name (no / \ : * ? " &lt; &gt; |).</div>}
        <div className="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="submit" className="primary" disabled={!valid || busy}>Save</button>
        </div>
      </form>
    </Modal>
  );
}
