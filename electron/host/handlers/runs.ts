/**
 * `runs.*`: the runs kept beside a document (`<model>.runs/<runId>/`, electron/node/run-folder.ts):
 * listing them, and keeping a document's runs when it is saved for the first time or as a copy.
 */
import { cp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Evaluation } from '../../../shared/engine/events';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/ipc/contract';
import { IpcError } from '../../../shared/ipc/rpc';
import { hasRunRecord, listRunIds, listRunRecords, updateRunRecord } from '../../node/run-folder';
import { relocateRunRecord } from '../relocate';
import type { HandlersOf, HostContext } from './context';

/** Where `runs.persist` takes runs from and puts them. */
interface PersistPlan {
  /** `<model>.runs/` of the saved document. */
  toRuns: string;
  /** `<model>.runs/` of its previous file, when that is another one (Save As). */
  fromRuns: string | null;
  /** The folder the runs' relative dataset paths were written for. */
  fromDir: string | undefined;
  evaluations: Record<string, Evaluation>;
}

/** A run not beside the document yet comes from the imported-runs staging area, the previous file's runs, or the engine's memory. */
async function bringRun(ctx: HostContext, plan: PersistPlan, id: string, to: string): Promise<void> {
  if (await ctx.staged.copyTo(id, to)) return;
  const prev = plan.fromRuns ? join(plan.fromRuns, id) : null;
  if (prev && hasRunRecord(prev)) return cp(prev, to, { recursive: true });
  // A run of this session held by the engine (trained while the document had no path).
  await ctx.engine.call('runs.save', { runId: id, runDir: to });
}

/** Keep one run in `<toRuns>/<id>/` (a folder already there is kept), with the session's evaluation. */
async function keepRun(ctx: HostContext, plan: PersistPlan, id: string): Promise<void> {
  const to = await ctx.files.absolute(join(plan.toRuns, id));
  if (!hasRunRecord(to)) {
    await bringRun(ctx, plan, id, to);
    if (plan.fromDir) await relocateRunRecord(to, plan.fromDir, dirname(plan.toRuns), ctx.relocateOpts);
  }
  const evaluation = plan.evaluations[id];
  if (evaluation) await updateRunRecord(to, (rec) => ({ ...rec, evaluation }));
  // The staged copy stays until the copy is complete: a failure above loses nothing.
  await ctx.staged.release(id);
}

async function persist(ctx: HostContext, req: ParsedRequestOf<'runs.persist'>): Promise<ResponseOf<'runs.persist'>> {
  const toRuns = await ctx.runsFolder(req.docPath);
  const prevRuns = req.fromPath ? await ctx.runsFolder(req.fromPath) : null;
  const fromRuns = prevRuns !== toRuns ? prevRuns : null;
  // The runs' dataset snapshots name files relative to where the document was (its previous
  // file's folder, or the default base before a first save): relocated like the document's.
  const plan: PersistPlan = { toRuns, fromRuns, fromDir: await ctx.dataBaseOf(req.fromPath), evaluations: req.evaluations ?? {} };
  const ids = [...req.runIds];
  // A Save As copy carries every run folder of the previous file (not only the session's runs).
  if (fromRuns) for (const n of await listRunIds(fromRuns)) if (!ids.includes(n)) ids.push(n);
  const saved: string[] = [];
  const failed: { runId: string; message: string }[] = [];
  for (const id of ids) {
    try {
      await keepRun(ctx, plan, id);
      saved.push(id);
    } catch (e) {
      // No half-written folder left behind (run.json is written last; without it, remove).
      const to = join(toRuns, id);
      if (!hasRunRecord(to)) await rm(to, { recursive: true, force: true }).catch(() => undefined);
      failed.push({ runId: id, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { saved, failed };
}

export function runsHandlers(ctx: HostContext): HandlersOf<'runs'> {
  return {
    'runs.list': async ({ docPath }) => {
      if (!docPath) return { runs: [] };
      const runs = await listRunRecords(await ctx.runsFolder(docPath), (dir) => ctx.files.absolute(dir));
      return { runs: runs.map((r) => r.record) };
    },
    'runs.persistImported': async ({ runId, docPath }) => {
      const to = await ctx.runFolder(docPath, runId);
      if (!(await ctx.staged.copyTo(runId, to))) throw new IpcError('not-found', `no imported run "${runId}" waiting to be saved`);
      await ctx.staged.release(runId);
      return { ok: true };
    },
    'runs.persist': (req) => persist(ctx, req),
  };
}
