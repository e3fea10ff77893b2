/**
 * File › Import model: a TF.js model.json, a Keras model.to_json() .json or a Keras 3 .keras file
 * becomes a new untitled document (unsaved, laid out), its weights an "Imported weights" run.
 * Desktop: the system's file dialog. Web mode: the browser's file picker (uploaded into the project's
 * imports/ folder) or a path inside the project folder (models exported in this session are offered).
 * Layers that cannot be imported are listed (placeholders to replace, or why nothing opened); so are
 * settings the import had to drop.
 */
import { layerCount } from '../ui/format';
import { useEffect, useState } from 'react';
import { getApi, isDesktop } from '../platform/api';
import { useExported } from '../export/exported';
import { useEditor } from '../store';
import { Modal } from '../ui/Modal';
import { IMPORTABLE, importModel, type ImportOutcome } from './actions';
import { missingWeightsMessage } from './missing-weights';
import { modelNameOf, PickFilesButton, uploadForImport, useUploadProgress } from './pick';
import './import.css';

/** A project-relative path for a file the server reported (absolute) in web mode. */
function relativeTo(projectDir: string | undefined, file: string): string {
  if (!projectDir) return file;
  const d = projectDir.replace(/[\\/]+$/, '');
  return file.startsWith(`${d}/`) ? file.slice(d.length + 1) : file;
}

export function ImportDialog() {
  const desktop = isDesktop();
  const close = () => useEditor.getState().openDialog(null);
  const exported = useExported((s) => s.files);
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

  const [progress, setProgress] = useUploadProgress();

  const run = async (p?: string, name?: string) => {
    setBusy(true);
    setOutcome(null);
    const r = await importModel(p, name);
    setBusy(false);
    if (r.kind === 'opened' && !r.warnings.length && !r.weightsFound && !r.placeholders.length) return close();
    setOutcome(r);
  };
  const upload = async (files: File[]) => {
    setBusy(true);
    setOutcome(null);
    let path: string;
    try {
      path = await uploadForImport(files, setProgress);
    } catch (e) {
      setBusy(false);
      setOutcome({ kind: 'error', message: (e as Error).message, issues: [] });
      return;
    } finally {
      setProgress(null);
    }
    await run(path, modelNameOf(files));
  };

  const trimmed = path.trim();
  const pathProblem = !trimmed ? 'Enter the path of a model file.' : IMPORTABLE.test(trimmed) ? null : 'Import reads .json (TF.js model.json, Keras model.to_json()), .keras and Keras 2 .h5 files.';

  return (
    <Modal title="Import model" onClose={close} testId="import-dialog">
      <p className="muted">
        A TensorFlow.js <code>model.json</code>, a Keras <code>model.to_json()</code> file, a Keras 3 <code>.keras</code> archive or a Keras 2 <code>.h5</code> model
        opens as a new, unsaved model, with its weights as a run. Layers Layerloom cannot represent are listed, not guessed.
      </p>
      {desktop ? (
        <div className="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="button" className="primary" disabled={busy} onClick={() => void run()}>{busy ? 'Importing…' : 'Choose file…'}</button>
        </div>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (!pathProblem) void run(trimmed); }}>
          <div className="import-row">
            <PickFilesButton testId="import-pick" accept=".json,.bin,.keras,.h5" disabled={busy} label={busy ? 'Importing…' : 'Choose files…'} onFiles={(f) => void upload(f)} />
            <span className="muted">From this computer: a <code>.keras</code> or Keras 2 <code>.h5</code> file, a TF.js <code>model.json</code> with its <code>.bin</code> files, or a Keras <code>.json</code> with its <code>.weights.h5</code> (select them together).</span>
          </div>
          {progress && <div className="muted" data-testid="import-progress">{progress}</div>}
          <label className="field-label" htmlFor="import-path">Or a model file already in the project folder{projectDir ? ` (${projectDir})` : ''}</label>
          <div className="import-row">
            <input id="import-path" type="text" value={path} spellCheck={false} placeholder="export/my-model-tfjs/model.json" onChange={(e) => setPath(e.target.value)} />
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
      <p className="muted">
        Weights without layers (<code>.weights.h5</code>)?{' '}
        <button type="button" className="link" data-testid="open-load-weights" onClick={() => useEditor.getState().openDialog('weights')}>Load weights into the current model…</button>
      </p>
    </Modal>
  );
}

function ImportResult({ outcome, onClose }: { outcome: ImportOutcome | null; onClose(): void }) {
  if (!outcome || outcome.kind === 'canceled') return null;
  if (outcome.kind === 'error') {
    return (
      <div className="dialog-problem" role="alert" data-testid="import-error">
        <strong>Import failed:</strong> <span className="dialog-pre">{outcome.message}</span>
        {outcome.issues.length > 0 && (
          <>
            <div>Not imported (nothing was opened):</div>
            <ul data-testid="import-unsupported">{outcome.issues.map((x, i) => <li key={i}>{x}</li>)}</ul>
          </>
        )}
      </div>
    );
  }
  const placeholderNote = outcome.placeholders.length ? outcome.warnings[0] : undefined;
  const missing = outcome.warnings.map(missingWeightsMessage).find(Boolean);
  const warnings = outcome.warnings.filter((w) => w !== placeholderNote && !missingWeightsMessage(w));
  return (
    <div className="dialog-result" data-testid="import-result">
      <div><strong>Opened {outcome.name.replace(/\.loom$/i, '')}</strong>: {layerCount(outcome.layers)}, not saved yet.</div>
      {outcome.run && (
        <div data-testid="import-weights-run">
          Weights imported as run <strong>{outcome.run.label}</strong> (from {outcome.run.source}): use it in Evaluate, Try it and Export; it is kept beside the model when you save it.
        </div>
      )}
      {missing && !outcome.run && <div data-testid="import-weights-note">{missing} The model starts from fresh weights.</div>}
      {!missing && outcome.weightsFound && !outcome.run && <div data-testid="import-weights-note">{outcome.weightsNote ?? 'The file came with weights, but they were not imported: the model starts from fresh weights.'}</div>}
      {!missing && !outcome.weightsFound && <div className="muted">The file has no weights: the model starts from fresh weights.</div>}
      {outcome.placeholders.length > 0 && (
        <>
          <div>Could not be imported — placeholders to replace (shown in red):</div>
          <ul className="dialog-notes" data-testid="import-placeholders">{outcome.placeholders.map((p) => <li key={p.layer}><code>{p.layer}</code> ({p.className}): {p.reason}</li>)}</ul>
        </>
      )}
      {warnings.length > 0 && (
        <>
          <div>Changed while importing:</div>
          <ul className="dialog-notes" data-testid="import-warnings">{warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
        </>
      )}
      <div className="modal-actions"><button type="button" className="primary" onClick={onClose}>OK</button></div>
    </div>
  );
}
