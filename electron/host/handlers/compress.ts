/**
 * `compress.run`: a run compressed into a new run of the same document (docs/compress.md). The new
 * run's folder is where any run of the document goes: beside a saved document (`<model>.runs/`), or
 * staged until its first save (like imported weights); the engine then holds the new run, so
 * Evaluate, Try it and Export ask for it like any other. A request with a `jobId` reports
 * `job.progress` and can be canceled with `engine.cancel` (nothing is left behind: the engine
 * writes the new folder last).
 */
import { rm } from 'node:fs/promises';
import { newRunId } from '../../../shared/engine/run-id';
import type { HandlersOf, HostContext } from './context';

export function compressHandlers(ctx: HostContext): HandlersOf<'compress'> {
  return {
    'compress.run': async ({ doc, docPath, ...req }) => {
      const place = await ctx.locate(docPath, req.runId, doc.dataset);
      const newId = newRunId('compressed');
      const outDir = await ctx.importedRunDir(newId, docPath);
      try {
        return await ctx.engine.call('compress.run', { ...req, ...place, outDir }, ctx.follow(req.jobId));
      } catch (e) {
        if (!docPath) await ctx.staged.release(newId);
        else await rm(outDir, { recursive: true, force: true }).catch(() => undefined);
        throw e;
      }
    },
  };
}
