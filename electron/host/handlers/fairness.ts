/**
 * `fairness.*`: the group audit of a trained run and per-group thresholds (docs/fairness.md). Each
 * forwards to the engine operation of the same name with the run's places in place of the
 * document's path, and a metadata CSV (image folders) made absolute from the document's folder and
 * checked like any path the renderer names. A request with a `jobId` reports `job.progress` and
 * can be canceled with `engine.cancel`.
 */
import type { HandlersOf, HostContext } from './context';

export function fairnessHandlers(ctx: HostContext): HandlersOf<'fairness'> {
  const { engine } = ctx;
  const metadata = async (path: string | undefined, docPath: string | null | undefined) =>
    (path ? { metadataCsv: await ctx.dataFile(path, docPath) } : {});
  return {
    'fairness.audit': async ({ doc, docPath, metadataCsv, ...req }) => {
      const place = await ctx.locate(docPath, req.runId, doc.dataset);
      return engine.call('fairness.audit', { ...req, doc, ...place, ...(await metadata(metadataCsv, docPath)) }, ctx.follow(req.jobId));
    },
    'fairness.thresholds': async ({ doc, docPath, metadataCsv, ...req }) => {
      const place = await ctx.locate(docPath, req.runId, doc.dataset);
      return engine.call('fairness.thresholds', { ...req, doc, ...place, ...(await metadata(metadataCsv, docPath)) }, ctx.follow(req.jobId));
    },
  };
}
