/**
 * "Imported weights" runs in the renderer: adding one to the runs list (shown in Runs, Evaluate,
 * Try it and offered by Export), File › Load Weights, and keeping the runs of a document that was
 * not saved yet: the app stages them, and when that document is saved for the first time they are
 * copied beside it (`runs.persistImported`). If another document replaces it first, they stay
 * session-only, like the session's other runs of an unsaved model. A dataset chosen afterwards for
 * the same graph is given to its imported runs that have none (for Evaluate).
 */
import type { LoomDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { runsOfDocument } from '../store/runs';
import { effectiveTraining } from '../store/training';
import { errorOutcome, type ErrorOutcome } from '../platform/errors';

interface Pending {
  runId: string;
  /** The document session the run belongs to: its `savedDoc` object (replaced by a save or an open). */
  savedDoc: LoomDocument;
}

const pending = new Map<string, Pending>();
let unsubscribe: (() => void) | null = null;

function watch(): void {
  if (unsubscribe) return;
  unsubscribe = useEditor.subscribe((state, prev) => {
    if (state.savedDoc === prev.savedDoc) return;
    // A first save keeps the document (only savedDoc and filePath change); anything else that
    // replaces savedDoc (open, new, import) ends that document's session.
    const firstSave = !prev.filePath && !!state.filePath && state.doc === prev.doc;
    for (const p of [...pending.values()]) {
      if (p.savedDoc !== prev.savedDoc) continue;
      pending.delete(p.runId);
      if (firstSave) void persist(p.runId, state.filePath!);
    }
    if (pending.size === 0) {
      unsubscribe?.();
      unsubscribe = null;
    }
  });
}

async function persist(runId: string, docPath: string): Promise<void> {
  const s = useEditor.getState();
  try {
    await getApi().runs.persistImported({ runId, docPath });
    s.patchRun(runId, { fromDisk: true });
  } catch (e) {
    const run = s.runs.find((r) => r.runId === runId);
    s.notify(`${run?.label ?? 'The imported weights'} could not be kept beside the model: ${(e as Error).message}`, 'error');
  }
}

const architecture = (d: Pick<LoomDocument, 'nodes' | 'edges'>) => JSON.stringify([d.nodes, d.edges]);
let datasetWatch = false;

/**
 * Imported weights usually arrive without a dataset; when the person then chooses one for the same
 * graph (Data tab), the document's imported runs without one take it, so Evaluate can use it (the engine reads
 * it from the run's document snapshot and keeps it with the run).
 */
function watchDataset(): void {
  if (datasetWatch) return;
  datasetWatch = true;
  useEditor.subscribe((state, prev) => {
    const dataset = state.doc.dataset;
    if (!dataset || dataset === prev.doc.dataset) return;
    const arch = architecture(state.doc);
    for (const r of runsOfDocument(state)) {
      if (r.imported && !r.doc.dataset && architecture(r.doc) === arch) state.patchRun(r.runId, { doc: { ...r.doc, dataset } });
    }
  });
}

/**
 * Show an imported run (it becomes the current run, so Evaluate and Try it use it at once). For a
 * document without a path, it is persisted beside the file when the document is first saved.
 */
export function addImportedRun(run: { runId: string; createdAt: string; source: string }, doc: LoomDocument): string {
  watchDataset();
  const s = useEditor.getState();
  s.addImportedRun({ ...run, doc, training: effectiveTraining(doc) });
  s.setCurrentRun(run.runId);
  if (!s.filePath) {
    pending.set(run.runId, { runId: run.runId, savedDoc: s.savedDoc });
    watch();
  }
  return useEditor.getState().runs.find((r) => r.runId === run.runId)?.label ?? 'Imported weights';
}

export type LoadWeightsOutcome =
  | { kind: 'canceled' }
  | { kind: 'loaded'; label: string; source: string; matched: string[]; problems: { layer: string; reason: string }[]; unused: string[]; warnings: string[] }
  | ErrorOutcome;

/** Weights files Load Weights reads. */
export const WEIGHTS_FILE = /(\.h5|\.hdf5|\.json)$/i;

/** File › Load Weights: `path` (or, without one, the desktop's dialog) into the open document. */
export async function loadWeights(path?: string): Promise<LoadWeightsOutcome> {
  const { doc, filePath } = useEditor.getState();
  if (!doc.nodes.length) return { kind: 'error', message: 'The model is empty: open or build the model the weights belong to first.', issues: [] };
  try {
    const r = await getApi().file.loadWeights({ doc, ...(path ? { path } : {}), ...(filePath ? { docPath: filePath } : {}) });
    if (r.canceled) return { kind: 'canceled' };
    const label = addImportedRun(r.run, doc);
    useEditor.getState().notify(`Loaded weights from ${r.run.source} as ${label}`);
    return { kind: 'loaded', label, source: r.run.source, matched: r.matched, problems: r.problems, unused: r.unused, warnings: r.warnings };
  } catch (e) {
    return errorOutcome(e);
  }
}
