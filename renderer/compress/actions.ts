/**
 * The Compress tab's state and actions: one compression at a time (a job: `compress.run` with a
 * jobId, its `job.progress` events, `engine.cancel`), its result kept while the person looks at
 * other tabs, and what can be done with the new run (open it in Evaluate / Explain / Export; for
 * channel pruning, put the smaller model on the canvas as one undoable edit).
 */
import { create } from 'zustand';
import type { CompressParams, CompressRunResult } from '../../shared/compress';
import { architectureDifference } from '../../shared/compress';
import type { JobProgress } from '../../shared/engine/job';
import { newJobId } from '../../shared/engine/job';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import type { RunView } from '../store/runs';

export interface CompressState {
  /** The compression running: its job id and latest progress. */
  job: { jobId: string; runId: string; progress?: JobProgress; canceling?: boolean } | null;
  result: CompressRunResult | null;
  error: string | null;
}

export const useCompress = create<CompressState>(() => ({ job: null, result: null, error: null }));

const message = (e: unknown) => (e as Error)?.message ?? String(e);

/** Compress `run` with `params`; the new run joins the document's runs. Resolves when it ends (done, failed or canceled). */
export async function startCompression(run: RunView, params: CompressParams): Promise<void> {
  if (useCompress.getState().job) return;
  const jobId = newJobId();
  const api = getApi();
  useCompress.setState({ job: { jobId, runId: run.runId }, error: null });
  const off = api.onJobProgress((p) => {
    const job = useCompress.getState().job;
    if (p.jobId === jobId && job) useCompress.setState({ job: { ...job, progress: p } });
  });
  const docPath = useEditor.getState().filePath;
  try {
    const result = await api.compress.run({ runId: run.runId, doc: run.doc, ...(docPath ? { docPath } : {}), jobId, ...params });
    const r = result.report;
    const logs = { loss: r.after.loss, ...(r.after.accuracy !== undefined ? { accuracy: r.after.accuracy } : {}) };
    useEditor.getState().addCompressedRun({
      runId: result.run.runId, createdAt: result.run.createdAt, doc: r.document ?? run.doc, training: run.training,
      method: r.method, fromRunId: run.runId, logs,
    });
    useCompress.setState({ result, job: null });
  } catch (e) {
    const canceled = (e as { code?: string })?.code === 'canceled';
    useCompress.setState({ job: null, error: canceled ? 'Compression canceled: nothing was written.' : `Compression failed: ${message(e)}` });
  } finally {
    off();
  }
}

export function cancelCompression(): void {
  const job = useCompress.getState().job;
  if (!job || job.canceling) return;
  useCompress.setState({ job: { ...job, canceling: true } });
  getApi().engine.cancel({ jobId: job.jobId }).catch(() => undefined);
}

/** Show the new run in another tab (Evaluate, Explain) as the current run. */
export function openRunIn(runId: string, tab: string): void {
  const s = useEditor.getState();
  s.setCurrentRun(runId);
  s.setBottomTab(tab);
}

/** File › Export with the new run's weights (the dialog offers the newest run of the canvas's architecture). */
export function exportRun(runId: string): void {
  const s = useEditor.getState();
  s.setCurrentRun(runId);
  s.openDialog('export');
}

/**
 * Why the smaller model cannot replace the canvas's, or null: the canvas must still be the
 * architecture the source run was trained as (else the edit would undo the person's changes).
 */
export function smallerModelBlocker(result: CompressRunResult, sourceDoc: RunView['doc'] | undefined): string | null {
  if (!result.report.document) return 'Only channel pruning makes a smaller model';
  const doc = useEditor.getState().doc;
  if (architectureDifference(doc, result.report.document) === null) return 'The canvas already shows the smaller model';
  if (!sourceDoc) return 'The source run is no longer listed';
  const diff = architectureDifference(doc, sourceDoc);
  return diff ? `The canvas changed since the source run was trained (${diff})` : null;
}

/**
 * Put the channel-pruned widths on the canvas: one undoable edit of the document (nodes keep their
 * ids, positions and the document its data and training settings; only the pruned layers' widths
 * change, so shapes and parameter counts follow from analysis).
 */
export function applySmallerModel(result: CompressRunResult): void {
  const smaller = result.report.document;
  if (!smaller) return;
  const byId = new Map(smaller.nodes.map((n) => [n.id, n]));
  useEditor.getState().updateDocument((d) => ({
    ...d,
    nodes: d.nodes.map((n) => {
      const m = byId.get(n.id);
      return m ? { ...n, params: m.params } : n;
    }),
  }));
}
