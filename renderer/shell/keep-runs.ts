/**
 * Runs go with the file when it is saved under a new name (`runs.persist`):
 * - First save of a document that had no file: the runs trained for it this session (held by the
 *   engine, `unsavedOf`) are written beside the new file (`<model>.runs/<runId>/`). Its imported
 *   runs are kept by import/imported.ts the same way.
 * - Save As of a saved document (decision: a copy carries its content, and the runs are part of the
 *   project): the previous file's run folders are copied beside the new one.
 * A run still training is written when it ends; a run's test evaluation goes into its run.json. If keeping a run fails, it stays in memory for the
 * session (Export, Evaluate, Try it still use it) and the person is told; nothing is deleted.
 */
import type { LoomDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { isActive, type RunView } from '../store/runs';

const message = (e: unknown) => (e as Error)?.message ?? String(e);

async function persist(runIds: string[], docPath: string, fromPath?: string): Promise<void> {
  const s = useEditor.getState();
  let failed: { runId: string; message: string }[];
  const evaluations = Object.fromEntries(s.runs.filter((r) => r.evaluation && runIds.includes(r.runId)).map((r) => [r.runId, r.evaluation!]));
  try {
    const r = await getApi().runs.persist({ runIds, docPath, ...(fromPath ? { fromPath } : {}), ...(Object.keys(evaluations).length ? { evaluations } : {}) });
    for (const id of r.saved) s.patchRun(id, { unsavedOf: undefined, docPath });
    failed = r.failed;
  } catch (e) {
    failed = runIds.length ? runIds.map((runId) => ({ runId, message: message(e) })) : [{ runId: '', message: message(e) }];
  }
  for (const f of failed) {
    const label = s.runs.find((r) => r.runId === f.runId)?.label ?? 'The runs';
    s.notify(`${label} could not be kept beside ${docPath.replace(/^.*[\\/]/, '')} (it stays in this session): ${f.message}`, 'error');
  }
}

/** Persist `runId` once it has finished (a failed run has nothing to keep). */
function whenEnded(runId: string, done: () => void): void {
  const off = useEditor.subscribe((state) => {
    const r = state.runs.find((x) => x.runId === runId);
    if (r && isActive(r.status)) return;
    off();
    if (r && r.status !== 'error') done();
  });
}

/**
 * After the document was written to `newPath` (Save / Save As). `prev` is the document's file and
 * `savedDoc` before that save. Resolves once the finished runs are kept (or reported).
 */
export async function keepRunsOnSave(prev: { filePath: string | null; savedDoc: LoomDocument }, newPath: string): Promise<void> {
  if (prev.filePath === newPath) return;
  const runs = useEditor.getState().runs;
  const mine: RunView[] = prev.filePath
    ? runs.filter((r) => r.docPath === prev.filePath)
    : runs.filter((r) => !r.imported && r.unsavedOf === prev.savedDoc);
  const fromPath = prev.filePath ?? undefined;
  for (const r of mine.filter((x) => isActive(x.status))) whenEnded(r.runId, () => void persist([r.runId], newPath, fromPath));
  const finished = mine.filter((r) => !isActive(r.status) && r.status !== 'error').map((r) => r.runId);
  // A copy also carries the previous file's run folders (fromPath), even with no session run.
  if (finished.length || fromPath) await persist(finished, newPath, fromPath);
}
