/**
 * File › Import model: a TF.js model.json, a Keras model.to_json() .json or a Keras 3 .keras file
 * becomes a new untitled document (unsaved, laid out), its weights an "Imported weights" run.
 * Desktop: the system's file dialog. Web mode: the browser's file picker (uploaded into the project's
 * imports/ folder) or a path inside the project folder (models exported in this session are offered).
 * Layers that cannot be imported are listed (placeholders to replace, or why nothing opened); so are
 * settings the import had to drop.
 * File › Load Weights (WeightsDialog): a weights file into the open model, matched layer by layer.
 */
import { useEffect, useState } from 'react';
import { getApi, isDesktop } from '../platform/api';
import { useEditor } from '../store';
import { IMPORTABLE, importModel, type ImportOutcome } from './actions';
import { loadWeights, WEIGHTS_FILE, type LoadWeightsOutcome } from './imported';
import { Modal } from './Modal';
import { PickFilesButton, uploadForImport, useUploadProgress } from './pick';
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

  const [progress, setProgress] = useUploadProgress();

  const run = async (p?: string) => {
    setBusy(true);
    setOutcome(null);
    const r = await importModel(p);
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
    await run(path);
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
        <button type="button" className="link" data-testid="open-load-weights" onClick={() => useExportUi.getState().show('weights')}>Load weights into the current model…</button>
      </p>
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
  const placeholderNote = outcome.placeholders.length ? outcome.warnings[0] : undefined;
  const warnings = outcome.warnings.filter((w) => w !== placeholderNote);
  return (
    <div className="export-result" data-testid="import-result">
      <div><strong>Opened {outcome.name.replace(/\.loom$/i, '')}</strong>: {outcome.layers} layers, not saved yet.</div>
      {outcome.run && (
        <div data-testid="import-weights-run">
          Weights imported as run <strong>{outcome.run.label}</strong> (from {outcome.run.source}): use it in Evaluate, Try it and Export; it is kept beside the model when you save it.
        </div>
      )}
      {outcome.weightsFound && !outcome.run && <div data-testid="import-weights-note">{outcome.weightsNote ?? 'The file came with weights, but they were not imported: the model starts from fresh weights.'}</div>}
      {!outcome.weightsFound && <div className="muted">The file has no weights: the model starts from fresh weights.</div>}
      {outcome.placeholders.length > 0 && (
        <>
          <div>Could not be imported — placeholders to replace (shown in red):</div>
          <ul className="export-notes" data-testid="import-placeholders">{outcome.placeholders.map((p) => <li key={p.layer}><code>{p.layer}</code> ({p.className}): {p.reason}</li>)}</ul>
        </>
      )}
      {warnings.length > 0 && (
        <>
          <div>Changed while importing:</div>
          <ul className="export-notes" data-testid="import-warnings">{warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
        </>
      )}
      <div className="modal-actions"><button type="button" className="primary" onClick={onClose}>OK</button></div>
    </div>
  );
}

/** File › Load Weights: a weights file into the open model as an "Imported weights" run. */
export function WeightsDialog() {
  const desktop = isDesktop();
  const close = () => useExportUi.getState().show(null);
  const docName = useEditor((s) => s.doc.name);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<LoadWeightsOutcome | null>(null);
  const [progress, setProgress] = useUploadProgress();

  const run = async (p?: string) => {
    setBusy(true);
    setOutcome(null);
    const r = await loadWeights(p);
    setBusy(false);
    if (r.kind !== 'canceled') setOutcome(r);
  };
  const upload = async (files: File[]) => {
    setBusy(true);
    setOutcome(null);
    try {
      const p = await uploadForImport(files, setProgress);
      setProgress(null);
      await run(p);
    } catch (e) {
      setProgress(null);
      setBusy(false);
      setOutcome({ kind: 'error', message: (e as Error).message, issues: [] });
    }
  };
  const trimmed = path.trim();
  const pathProblem = !trimmed ? 'Enter the path of a weights file.' : WEIGHTS_FILE.test(trimmed) ? null : 'Weights are read from a Keras .weights.h5 file or a TF.js model.json.';

  return (
    <Modal title="Load weights" onClose={close} testId="weights-dialog">
      <p className="muted">
        Load a Keras <code>.weights.h5</code> / <code>.h5</code> or a TF.js <code>model.json</code> (with its <code>.bin</code> files) into <strong>{docName}</strong>.
        Layers are matched by name (TF.js, Keras 2) or by Keras 3's layer order, and by shape; layers without a match keep their initial weights and are listed.
        The weights become a run, “Imported weights”, used by Evaluate, Try it and Export.
      </p>
      {desktop ? (
        <div className="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="button" className="primary" disabled={busy} onClick={() => void run()}>{busy ? 'Loading…' : 'Choose file…'}</button>
        </div>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (!pathProblem) void run(trimmed); }}>
          <div className="import-row">
            <PickFilesButton testId="weights-pick" accept=".h5,.hdf5,.json,.bin" disabled={busy} label={busy ? 'Loading…' : 'Choose files…'} onFiles={(f) => void upload(f)} />
            <span className="muted">A <code>.weights.h5</code>, or a <code>model.json</code> with its <code>.bin</code> files.</span>
          </div>
          {progress && <div className="muted">{progress}</div>}
          <label className="field-label" htmlFor="weights-path">Or a file in the project folder</label>
          <div className="import-row">
            <input id="weights-path" type="text" value={path} spellCheck={false} placeholder="export/my-model-keras/model.weights.h5" onChange={(e) => setPath(e.target.value)} />
          </div>
          {trimmed && pathProblem && <div className="field-error">{pathProblem}</div>}
          <div className="modal-actions">
            <button type="button" onClick={close}>Cancel</button>
            <button type="submit" className="primary" disabled={busy || !!pathProblem} data-testid="weights-run">{busy ? 'Loading…' : 'Load'}</button>
          </div>
        </form>
      )}
      {outcome?.kind === 'error' && (
        <div className="export-problem" role="alert" data-testid="weights-error">
          <strong>Not loaded:</strong> <span className="export-pre">{outcome.message}</span>
          {outcome.issues.length > 0 && <ul data-testid="weights-problems">{outcome.issues.map((x, i) => <li key={i}>{x}</li>)}</ul>}
        </div>
      )}
      {outcome?.kind === 'loaded' && (
        <div className="export-result" data-testid="weights-result">
          <div>Weights from {outcome.source} loaded as run <strong>{outcome.label}</strong>: {outcome.matched.length} layer{outcome.matched.length === 1 ? '' : 's'} matched ({outcome.matched.join(', ')}).</div>
          {outcome.problems.length > 0 && (
            <>
              <div>Kept their initial weights (no match):</div>
              <ul className="export-notes" data-testid="weights-problems">{outcome.problems.map((p) => <li key={p.layer}><code>{p.layer}</code>: {p.reason}</li>)}</ul>
            </>
          )}
          {outcome.unused.length > 0 && <div className="muted">Not used from the file: {outcome.unused.slice(0, 20).join(', ')}{outcome.unused.length > 20 ? ' …' : ''}</div>}
          {outcome.warnings.map((w, i) => <div key={i} className="muted">{w}</div>)}
          <div className="modal-actions"><button type="button" className="primary" onClick={close}>OK</button></div>
        </div>
      )}
    </Modal>
  );
}
