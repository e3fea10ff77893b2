/**
 * File › Import model: a TF.js model.json, a Keras model.to_json() .json or a Keras 3 .keras file
 * becomes a new untitled document (unsaved, laid out). Desktop: the system's file dialog. Web mode:
 * a path inside the project folder (models exported in this session are offered). Layers that
 * cannot be imported are listed in the dialog; so are settings the import had to drop.
 */
import { useEffect, useState } from 'react';
import { getApi, isDesktop } from '../platform/api';
import { IMPORTABLE, importModel, type ImportOutcome } from './actions';
import { Modal } from './Modal';
import { useExportUi } from './state';
import './export.css';

/** A project-relative path for a file the server reported (absolute) in web mode. */
function relativeTo(projectDir: string | undefined, file: string): string {
  if (!projectDir) return file;
  const d = projectDir.replace(/[\\/]+$/, '');
  return file.startsWith(`${d}/`) ? file.slice(d.length + 1) : file;
}

export function ImportDialog() {
  const desktop = isDesktop();
  const close = () => useExportUi.getState().show(null);
  const exported = useExportUi((s) => s.exported);
  const [projectDir, setProjectDir] = useState<string | undefined>(undefined);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);

  useEffect(() => {
    if (desktop) return;
    let live = true;
    getApi().app.info().then((i) => live && setProjectDir(i.projectDir), () => undefined);
    return () => {
      live = false;
    };
  }, [desktop]);

  const suggestions = exported.filter((f) => IMPORTABLE.test(f) && /(model\.json|\.keras)$/i.test(f)).map((f) => relativeTo(projectDir, f));

  const run = async (p?: string) => {
    setBusy(true);
    setOutcome(null);
    const r = await importModel(p);
    setBusy(false);
    if (r.kind === 'opened' && !r.warnings.length && !r.weightsFound) return close();
    setOutcome(r);
  };

  const trimmed = path.trim();
  const pathProblem = !trimmed ? 'Enter the path of a model file.' : IMPORTABLE.test(trimmed) ? null : 'Import reads .json (TF.js model.json, Keras model.to_json()) and .keras files.';

  return (
    <Modal title="Import model" onClose={close} testId="import-dialog">
      <p className="muted">
        A TensorFlow.js <code>model.json</code>, a Keras <code>model.to_json()</code> file or a Keras 3 <code>.keras</code> archive opens as a new,
        unsaved model. Layers Layerloom cannot represent are listed, not guessed.
      </p>
      {desktop ? (
        <div className="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="button" className="primary" disabled={busy} onClick={() => void run()}>{busy ? 'Importing…' : 'Choose file…'}</button>
        </div>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (!pathProblem) void run(trimmed); }}>
          <label className="field-label" htmlFor="import-path">Model file (path in the project folder{projectDir ? `, ${projectDir}` : ''})</label>
          <div className="import-row">
            <input id="import-path" type="text" value={path} autoFocus spellCheck={false} placeholder="export/my-model-tfjs/model.json" onChange={(e) => setPath(e.target.value)} />
          </div>
          {trimmed && pathProblem && <div className="field-error">{pathProblem}</div>}
          {suggestions.length > 0 && (
            <section>
              <h3>Exported in this session</h3>
              <ul className="file-list">
                {suggestions.map((f) => (
                  <li key={f}><button type="button" onClick={() => setPath(f)}><span>{f}</span></button></li>
                ))}
              </ul>
            </section>
          )}
          <div className="modal-actions">
            <button type="button" onClick={close}>Cancel</button>
            <button type="submit" className="primary" disabled={busy || !!pathProblem} data-testid="import-run">{busy ? 'Importing…' : 'Import'}</button>
          </div>
        </form>
      )}
      <ImportResult outcome={outcome} onClose={close} />
    </Modal>
  );
}

function ImportResult({ outcome, onClose }: { outcome: ImportOutcome | null; onClose(): void }) {
  if (!outcome || outcome.kind === 'canceled') return null;
  if (outcome.kind === 'error') {
    return (
      <div className="export-problem" role="alert" data-testid="import-error">
        <strong>Import failed:</strong> <span className="export-pre">{outcome.message}</span>
        {outcome.issues.length > 0 && (
          <>
            <div>Not imported (nothing was opened):</div>
            <ul data-testid="import-unsupported">{outcome.issues.map((x, i) => <li key={i}>{x}</li>)}</ul>
          </>
        )}
      </div>
    );
  }
  return (
    <div className="export-result" data-testid="import-result">
      <div><strong>Opened {outcome.name.replace(/\.loom$/i, '')}</strong>: {outcome.layers} layers, not saved yet.</div>
      {outcome.warnings.length > 0 && (
        <>
          <div>Changed while importing:</div>
          <ul className="export-notes" data-testid="import-warnings">{outcome.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
        </>
      )}
      {outcome.weightsFound && <div>The file came with weights; they are not carried into the model yet: it starts from fresh weights.</div>}
      <div className="modal-actions"><button type="button" className="primary" onClick={onClose}>OK</button></div>
    </div>
  );
}
