/**
 * File › Load Weights: a weights file (Keras .weights.h5 / .h5, TF.js model.json) into the open
 * model, matched layer by layer, as an "Imported weights" run. Desktop: the system's file dialog;
 * web mode: the browser's picker (uploaded) or a path in the project folder.
 */
import { useState } from 'react';
import { isDesktop } from '../platform/api';
import { useEditor } from '../store';
import { Modal } from '../ui/Modal';
import { loadWeights, WEIGHTS_FILE, type LoadWeightsOutcome } from './imported';
import { missingWeightsMessage } from './missing-weights';
import { PickFilesButton, uploadForImport, useUploadProgress } from './pick';
import './import.css';

/** File › Load Weights: a weights file into the open model as an "Imported weights" run. */
export function WeightsDialog() {
  const desktop = isDesktop();
  const close = () => useEditor.getState().openDialog(null);
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
        <div className="dialog-problem" role="alert" data-testid="weights-error">
          <strong>Not loaded:</strong> <span className="dialog-pre">{missingWeightsMessage(outcome.message) ?? outcome.message}</span>
          {outcome.issues.length > 0 && <ul data-testid="weights-problems">{outcome.issues.map((x, i) => <li key={i}>{x}</li>)}</ul>}
        </div>
      )}
      {outcome?.kind === 'loaded' && (
        <div className="dialog-result" data-testid="weights-result">
          <div>Weights from {outcome.source} loaded as run <strong>{outcome.label}</strong>: {outcome.matched.length} layer{outcome.matched.length === 1 ? '' : 's'} matched ({outcome.matched.join(', ')}).</div>
          {outcome.problems.length > 0 && (
            <>
              <div>Kept their initial weights (no match):</div>
              <ul className="dialog-notes" data-testid="weights-problems">{outcome.problems.map((p) => <li key={p.layer}><code>{p.layer}</code>: {p.reason}</li>)}</ul>
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
