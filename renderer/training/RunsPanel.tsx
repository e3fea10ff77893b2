/**
 * The Runs tab: the open document's runs (trained for it this session, imported into it, and the
 * ones kept beside its file, `<model>.runs/<runId>/run.json`, read with `runs.list`; another
 * model's runs are never listed); tick runs to overlay their per-epoch
 * curves; with two ticked, what differs between them (hyper-parameters and the graph). Imported
 * weights (File › Import model / Load Weights) are runs without curves, named after their file.
 */
import { useEffect, useMemo } from 'react';
import type { LoomDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { runsOfDocument, type RunRecordLike, type RunView } from '../store/runs';
import { Chart, type ChartSeries } from './Chart';
import { formatMetric } from './format';

const PALETTE = ['#4c7dd8', '#e07b24', '#2e9b4a', '#c0392b', '#8e44ad', '#16a085', '#d35400', '#7f8c8d'];

export interface DiffLine {
  kind: 'added' | 'removed' | 'changed';
  what: string;
  a?: string;
  b?: string;
}

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

/** Hyper-parameter differences between two runs. */
export function diffTraining(a: RunView, b: RunView): DiffLine[] {
  const keys = [...new Set([...Object.keys(a.training), ...Object.keys(b.training)])].sort();
  const out: DiffLine[] = [];
  for (const k of keys) {
    const va = (a.training as Record<string, unknown>)[k], vb = (b.training as Record<string, unknown>)[k];
    if (show(va) !== show(vb)) out.push({ kind: 'changed', what: k, a: show(va), b: show(vb) });
  }
  const da = show(a.doc.dataset), db = show(b.doc.dataset);
  if (da !== db) out.push({ kind: 'changed', what: 'dataset', a: da, b: db });
  return out;
}

/** Graph differences: nodes added/removed, type or params changed, connections added/removed. */
export function diffGraph(a: LoomDocument, b: LoomDocument): DiffLine[] {
  const out: DiffLine[] = [];
  const na = new Map(a.nodes.map((n) => [n.id, n])), nb = new Map(b.nodes.map((n) => [n.id, n]));
  for (const [id, n] of na) if (!nb.has(id)) out.push({ kind: 'removed', what: `layer ${id} (${n.type})` });
  for (const [id, n] of nb) if (!na.has(id)) out.push({ kind: 'added', what: `layer ${id} (${n.type})` });
  for (const [id, n] of na) {
    const m = nb.get(id);
    if (!m) continue;
    if (m.type !== n.type) out.push({ kind: 'changed', what: `layer ${id} type`, a: n.type, b: m.type });
    const keys = [...new Set([...Object.keys(n.params ?? {}), ...Object.keys(m.params ?? {})])].sort();
    for (const k of keys) {
      const pa = show((n.params as Record<string, unknown> | undefined)?.[k]), pb = show((m.params as Record<string, unknown> | undefined)?.[k]);
      if (pa !== pb) out.push({ kind: 'changed', what: `${id}.${k}`, a: pa, b: pb });
    }
  }
  const ek = (e: { from: string; to: string }) => `${e.from} → ${e.to}`;
  const ea = new Set(a.edges.map(ek)), eb = new Set(b.edges.map(ek));
  for (const e of ea) if (!eb.has(e)) out.push({ kind: 'removed', what: `connection ${e}` });
  for (const e of eb) if (!ea.has(e)) out.push({ kind: 'added', what: `connection ${e}` });
  return out;
}

function Diff({ a, b }: { a: RunView; b: RunView }) {
  const hp = diffTraining(a, b);
  const graph = diffGraph(a.doc, b.doc);
  const line = (d: DiffLine, i: number) => (
    <li key={i} className={d.kind}>
      {d.kind === 'changed' ? <>{d.what}: {d.a} → {d.b}</> : <>{d.kind === 'added' ? '+ ' : '− '}{d.what}</>}
    </li>
  );
  return (
    <div className="ll-diff" data-testid="run-diff">
      <strong>{a.label} → {b.label}</strong>
      <div>Hyper-parameters and data: {hp.length === 0 ? <span className="muted">the same</span> : <ul>{hp.map(line)}</ul>}</div>
      <div>Graph: {graph.length === 0 ? <span className="muted">the same</span> : <ul>{graph.map(line)}</ul>}</div>
    </div>
  );
}

/** Per-epoch curves of several runs on one chart per metric. */
function Overlay({ runs }: { runs: RunView[] }) {
  const maxEpochs = Math.max(1, ...runs.map((r) => r.epochs.length));
  const x = Array.from({ length: maxEpochs }, (_, i) => i + 1);
  const build = (metric: string) => {
    const series: ChartSeries[] = [];
    const data: (number | null)[][] = [x];
    runs.forEach((r, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      for (const [key, dash] of [[metric, undefined], [`val_${metric}`, [6, 3]]] as const) {
        if (!r.epochs.some((l) => l?.[key] !== undefined)) continue;
        series.push({ label: `${r.label} ${key}`, color, points: true, width: 2, ...(dash ? { dash: [...dash] } : {}) });
        data.push(x.map((_, e) => r.epochs[e]?.[key] ?? null));
      }
    });
    return { series, data };
  };
  const loss = build('loss');
  const acc = build('accuracy');
  return (
    <div className="ll-charts" data-testid="runs-overlay">
      <Chart title="Loss per epoch" series={loss.series} data={loss.data} height={170} />
      {acc.series.length > 0 && <Chart title="Accuracy per epoch" series={acc.series} data={acc.data} height={170} />}
    </div>
  );
}

export function RunsPanel() {
  const runs = useEditor(runsOfDocument);
  const selected = useEditor((s) => s.selectedRuns);
  const current = useEditor((s) => s.currentRunId);
  const docPath = useEditor((s) => s.filePath);
  useEffect(() => {
    if (!docPath) return;
    getApi().runs.list({ docPath })
      .then((r) => useEditor.getState().mergeDiskRuns(r.runs as RunRecordLike[], docPath))
      .catch(() => undefined);
  }, [docPath]);
  const chosen = useMemo(() => runs.filter((r) => selected.includes(r.runId)), [runs, selected]);
  const s = useEditor.getState;
  if (runs.length === 0) {
    return <p className="muted">No runs yet. Every run you train is listed here{docPath ? ' and kept beside the model file' : ' (saving the model keeps them beside its file)'}.</p>;
  }
  return (
    <div className="ll-runs" data-testid="runs-panel">
      <div className="ll-runs-list">
        <table>
          <thead><tr><th /><th>run</th><th>status</th><th>epochs</th><th>loss</th><th>val acc.</th><th>optimizer</th><th>lr</th><th>batch</th></tr></thead>
          <tbody>
            {[...runs].reverse().map((r) => {
              const last = r.end?.logs ?? r.epochs[r.epochs.length - 1] ?? {};
              return (
                <tr key={r.runId} className={r.runId === current ? 'current' : undefined} data-testid="run-row">
                  <td><input type="checkbox" aria-label={`compare ${r.label}`} checked={selected.includes(r.runId)} onChange={() => s().toggleRunSelected(r.runId)} /></td>
                  <td>
                    <button type="button" className="link" title={`${r.runId}\n${r.createdAt}`} onClick={() => s().setCurrentRun(r.runId)}>{r.label}</button>
                    {r.imported && <span className="muted" data-testid="run-imported"> from {r.imported.source}</span>}
                    {r.fromDisk && <span className="muted"> (saved)</span>}
                  </td>
                  <td>{r.status}</td>
                  <td>{r.epochs.length}</td>
                  <td>{formatMetric('loss', last.loss)}</td>
                  <td>{formatMetric('val_accuracy', last.val_accuracy)}</td>
                  <td>{r.training.optimizer}</td>
                  <td>{r.training.learningRate}</td>
                  <td>{r.training.batchSize}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="muted">Tick runs to overlay their curves; tick two to see what differs. Click a run to show it in Training, Evaluate and Try it.</p>
        {/* Under the table, not below the charts, where it was out of sight in a short panel. */}
        {chosen.length === 2 && <Diff a={chosen[0]!} b={chosen[1]!} />}
        {/* Where these runs live until the first save (shell/keep-runs.ts writes them beside the new file). */}
        {!docPath && runs.some((r) => !r.imported) && (
          <p className="ll-warning" data-testid="runs-session-only">
            The model is not saved yet: its runs are kept in this session and written beside the file when you save it (a run still training, once it ends).
          </p>
        )}
      </div>
      <div style={{ flex: 1, minWidth: 0 }}>
        {chosen.length > 0 && <Overlay runs={chosen} />}
      </div>
    </div>
  );
}
