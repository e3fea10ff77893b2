/**
 * File › Export…: pick a format from the registry (shared/formats/registry.ts), see what it writes and what is
 * verified, the layers it cannot express (Export stays disabled, saying why), a read-only preview of
 * the generated code, the options (TF.js quantization, train.py data, which run's weights); then
 * export and see the files written, the folder, whether the weights are trained or initial, and the
 * notes. Errors stay in the dialog.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { EXPORT_FORMATS, type ExportFormatId, type Quantization } from '../../shared/formats/registry';
import { getApi, isDesktop } from '../platform/api';
import { useEditor } from '../store';
import type { RunRecordLike } from '../store/runs';
import { formatById, planProblem, previewOf, runExport, shortPath, unsupportedOf, weightRuns, type ExportOutcome } from './actions';
import { Modal } from './Modal';
import { useExportUi } from './state';
import './export.css';

const QUANT_LABEL: Record<Quantization, string> = {
  none: 'None (float32, exact)',
  float16: 'float16 (half the size)',
  uint8: 'uint8 (a quarter of the size)',
};

export function ExportDialog() {
  const doc = useEditor((s) => s.doc);
  const filePath = useEditor((s) => s.filePath);
  const runs = useEditor((s) => s.runs);
  const close = () => useExportUi.getState().show(null);

  const [formatId, setFormatId] = useState<ExportFormatId>('pytorch');
  const format = formatById(formatId);
  const blocker = useMemo(() => planProblem(doc), [doc]);
  const unsupported = useMemo(
    () => new Map(EXPORT_FORMATS.map((f) => [f.id, blocker ? [] : unsupportedOf(f, doc)])),
    [doc, blocker],
  );
  const problems = unsupported.get(formatId) ?? [];
  const preview = useMemo(() => (blocker ? { files: [] } : previewOf(format, doc)), [format, doc, blocker]);
  const [previewTab, setPreviewTab] = useState(0);
  const shown = preview.files[Math.min(previewTab, preview.files.length - 1)];

  // Runs saved beside the document in earlier sessions count too (the Runs panel may not have read them yet).
  useEffect(() => {
    if (!filePath) return;
    let live = true;
    getApi().runs.list({ docPath: filePath })
      .then((r) => { if (live) useEditor.getState().mergeDiskRuns(r.runs as RunRecordLike[]); })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [filePath]);
  const candidates = useMemo(() => weightRuns(runs, doc), [runs, doc]);
  // Default: the latest finished run of this model; '' = the initial (untrained) weights.
  const [runChoice, setRunChoice] = useState<string | null>(null);
  const runId = runChoice ?? candidates[0]?.runId ?? '';
  const [quantize, setQuantize] = useState<Quantization>('none');
  const hasDataOption = format.files.some((f) => f.name === 'data.npz');
  const [includeData, setIncludeData] = useState(true);

  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ExportOutcome | null>(null);
  /** What the shown outcome was for: the format and the run whose weights were asked for. */
  const [outcomeFor, setOutcomeFor] = useState({ label: '', run: '' });
  const endRef = useRef<HTMLDivElement>(null);
  // The result (or the error) below the preview is scrolled into view when it arrives.
  useEffect(() => {
    if (outcome) endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [outcome]);

  const disabledReason = blocker
    ?? (problems.length ? `${format.label} cannot express ${problems.length === 1 ? 'one layer' : `${problems.length} layers`} of this model (listed above).` : null)
    ?? (busy ? 'Exporting…' : null);

  const run = async () => {
    setBusy(true);
    setOutcome(null);
    const r = await runExport(doc, filePath, {
      format: formatId,
      ...(runId ? { runId } : {}),
      ...(format.quantization.length > 1 ? { quantize } : {}),
      ...(hasDataOption ? { includeData: includeData && !!doc.dataset } : {}),
    });
    setBusy(false);
    setOutcome(r);
    setOutcomeFor({ label: format.label, run: candidates.find((c) => c.runId === runId)?.label ?? runId });
  };

  const where = isDesktop() ? 'You choose the folder when you export.' : 'Written to the export/ folder of the project folder.';

  return (
    <Modal title="Export model" wide onClose={close} testId="export-dialog">
      <div className="export-layout">
        <fieldset className="export-formats" aria-label="Format">
          <legend>Format</legend>
          {EXPORT_FORMATS.map((f) => {
            const n = unsupported.get(f.id)?.length ?? 0;
            return (
              <label key={f.id} className={`export-format${f.id === formatId ? ' selected' : ''}`} data-testid={`export-format-${f.id}`}>
                <input type="radio" name="export-format" value={f.id} aria-label={f.label} checked={f.id === formatId}
                  onChange={() => { setFormatId(f.id); setPreviewTab(0); setOutcome(null); }} />
                <span className="export-format-label">{f.label}</span>
                {n > 0 && <span className="export-badge" title={`${n} layer${n > 1 ? 's' : ''} not supported`}>{n} unsupported</span>}
              </label>
            );
          })}
        </fieldset>

        <div className="export-main">
          <p className="export-desc">{format.description}</p>
          <ul className="export-files" aria-label="Files written">
            {format.files.map((f) => (
              <li key={f.name}><code>{f.name}</code> <span className="muted">{f.what}</span></li>
            ))}
          </ul>
          <p className="export-verified"><strong>Verified:</strong> {format.verified}</p>

          {blocker && <div className="export-problem" role="alert" data-testid="export-blocker">{blocker}</div>}
          {problems.length > 0 && (
            <div className="export-problem" role="alert" data-testid="export-unsupported">
              <strong>{format.label} cannot export these layers:</strong>
              <ul>
                {problems.map((p, i) => (
                  <li key={`${p.nodeId}:${i}`}>
                    {p.nodeId ? <><button type="button" className="link" onClick={() => { close(); useEditor.getState().focusNode(p.nodeId); }}>{p.nodeId}</button>{p.type ? ` (${p.type})` : ''}: </> : null}
                    {p.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}

          <div className="export-options">
            <label className="export-option">
              <span>Weights</span>
              <select aria-label="Weights" value={runId} onChange={(e) => setRunChoice(e.target.value)}>
                {candidates.map((r) => (
                  <option key={r.runId} value={r.runId}>Trained: {r.label}{r.createdAt ? ` (${r.createdAt.slice(0, 16).replace('T', ' ')})` : ''}</option>
                ))}
                <option value="">Initial (untrained) weights</option>
              </select>
            </label>
            {!candidates.length && (
              <p className="muted small" data-testid="export-no-runs">
                No finished training run of this exact model: the initial (untrained) weights are exported. Train it first for trained weights.
                {!filePath && ' (Save the model to keep its runs beside it.)'}
              </p>
            )}
            {format.quantization.length > 1 && (
              <label className="export-option">
                <span>Quantization</span>
                <select aria-label="Quantization" value={quantize} onChange={(e) => setQuantize(e.target.value as Quantization)}>
                  {format.quantization.map((q) => <option key={q} value={q}>{QUANT_LABEL[q]}</option>)}
                </select>
              </label>
            )}
            {hasDataOption && (
              <label className="export-option export-check">
                <input type="checkbox" checked={includeData && !!doc.dataset} disabled={!doc.dataset} onChange={(e) => setIncludeData(e.target.checked)} />
                <span>Include the training data (data.npz) for train.py{doc.dataset ? '' : ' — the model has no dataset'}</span>
              </label>
            )}
          </div>

          {preview.files.length > 0 && (
            <section className="export-preview">
              <div className="export-tabs" role="tablist" aria-label="Preview">
                {preview.files.map((f, i) => (
                  <button key={f.name} type="button" role="tab" aria-selected={f === shown} className={f === shown ? 'selected' : undefined} onClick={() => setPreviewTab(i)}>{f.name}</button>
                ))}
              </div>
              <pre className="export-code" data-testid="export-preview" aria-label={`${shown?.name} preview`} tabIndex={0}>{shown?.text}</pre>
            </section>
          )}
          {preview.error && <div className="export-problem">{preview.error}</div>}
          {!blocker && !preview.error && preview.files.length === 0 && <p className="muted small">{format.label} writes binary files only: no code to preview.</p>}

          <Outcome outcome={outcome} label={outcomeFor.label} run={outcomeFor.run} />
          <div ref={endRef} />

          <div className="modal-actions">
            <span className="muted small export-where">{where}</span>
            {disabledReason && !busy && <span className="field-error" data-testid="export-disabled-reason">{disabledReason}</span>}
            <button type="button" onClick={close}>Close</button>
            <button type="button" className="primary" disabled={!!disabledReason} title={disabledReason ?? undefined} onClick={() => void run()} data-testid="export-run">
              {busy ? 'Exporting…' : `Export ${format.label}`}
            </button>
          </div>
        </div>
      </div>
    </Modal>
  );
}

function Outcome({ outcome, label, run }: { outcome: ExportOutcome | null; label: string; run: string }) {
  if (!outcome) return null;
  if (outcome.kind === 'canceled') return <p className="muted" data-testid="export-result">Export canceled: nothing was written.</p>;
  if (outcome.kind === 'error') {
    return (
      <div className="export-problem" role="alert" data-testid="export-error">
        <strong>{label} export failed:</strong> <span className="export-pre">{outcome.message}</span>
        {outcome.issues.length > 0 && <ul>{outcome.issues.map((x, i) => <li key={i}>{x}</li>)}</ul>}
      </div>
    );
  }
  return (
    <div className="export-result" data-testid="export-result">
      <div><strong>Exported {outcome.files.length} file{outcome.files.length === 1 ? '' : 's'}</strong> ({label}) to <code data-testid="export-outdir">{outcome.outDir}</code></div>
      <ul className="export-written">
        {outcome.files.map((f) => <li key={f}><code title={f}>{shortPath(f, outcome.outDir)}</code></li>)}
      </ul>
      <div data-testid="export-weights">
        {outcome.weights === 'trained'
          ? `Weights: trained (${run || 'the chosen run'}).`
          : 'Weights: the initial, untrained weights. Train the model and export again for trained weights.'}
      </div>
      {outcome.notes.length > 0 && <ul className="export-notes">{outcome.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
    </div>
  );
}
