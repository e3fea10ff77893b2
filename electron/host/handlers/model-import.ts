/**
 * File › Import model and File › Load Weights: the engine reads the file; its weights become an
 * "Imported weights" run of the document, staged outside the project until the document is saved
 * (runs.persistImported), or beside a saved document right away.
 */
import { basename } from 'node:path';
import { serializeDocument } from '../../../shared/document/save';
import { newRunId } from '../../../shared/engine/run-id';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/ipc/contract';
import { IpcError } from '../../../shared/ipc/rpc';
import type { HostContext } from './context';

type Problem = { layer: string; reason: string; className?: string };

/** The engine refused the file: one line per layer it could not use. */
function refuse(message: string, problems: Problem[]): never {
  const list = problems.map((p) => `${p.layer}${p.className ? ` (${p.className})` : ''}: ${p.reason}`);
  throw new IpcError('failed', [message, ...list].join('\n'), list.length ? list : undefined);
}

/** `<file>.loom`, or the model's own name for a generic `model.json`. */
function documentName(file: string, modelName: string): string {
  const base = basename(file).replace(/\.(json|keras|h5|hdf5)$/i, '');
  return `${base === 'model' ? modelName || 'imported' : base}.loom`;
}

export async function importModel(ctx: HostContext, { path }: ParsedRequestOf<'file.importModel'>): Promise<ResponseOf<'file.importModel'>> {
  const abs = await ctx.files.importPath(path);
  if (!abs) return { canceled: true };
  // The file's weights become an "Imported weights" run of the new (unsaved) document.
  const runId = newRunId('imported');
  const runDir = await ctx.staged.dirFor(runId);
  const baseDir = ctx.files.defaultBaseDir();
  const r = await ctx.engine.call('file.importModel', { path: abs, runId, runDir, ...(baseDir ? { baseDir } : {}) });
  if (!r.ok) return refuse(r.message, r.problems);
  if (r.run) await ctx.staged.add(r.run.runId, runDir);
  return {
    canceled: false,
    name: documentName(abs, r.doc.name),
    text: serializeDocument(r.doc),
    warnings: r.warnings,
    weightsFound: r.weightsFound,
    ...(r.run ? { run: r.run } : {}),
    ...(r.weightsNote ? { weightsNote: r.weightsNote } : {}),
    ...(r.placeholders?.length ? { placeholders: r.placeholders } : {}),
  };
}

export async function loadWeights(ctx: HostContext, { path, doc, docPath }: ParsedRequestOf<'file.loadWeights'>): Promise<ResponseOf<'file.loadWeights'>> {
  const abs = await ctx.files.importPath(path);
  if (!abs) return { canceled: true };
  const runId = newRunId('imported');
  const { baseDir } = await ctx.locate(docPath);
  const runDir = await ctx.importedRunDir(runId, docPath);
  const r = await ctx.engine.call('file.loadWeights', { path: abs, doc, runId, runDir, ...(baseDir ? { baseDir } : {}) });
  if (!r.ok) {
    ctx.staged.forget(runId);
    return refuse(r.message, r.problems);
  }
  return { canceled: false, run: r.run, matched: r.matched, problems: r.problems, unused: r.unused, warnings: r.warnings };
}
