/**
 * `explain.*`: attributions of a trained run's predictions (docs/explain.md). Each forwards to the
 * engine operation of the same name with the run's places (the document's folder, the run's folder)
 * in place of the document's path; a request with a `jobId` reports `job.progress` and can be
 * canceled with `engine.cancel`.
 */
import type { HandlersOf, HostContext } from './context';

export function explainHandlers(ctx: HostContext): HandlersOf<'explain'> {
  const { engine } = ctx;
  return {
    'explain.run': async ({ doc, docPath, ...req }) => {
      const place = await ctx.locate(docPath, req.runId, doc.dataset);
      return engine.call('explain.run', { ...req, doc, ...place }, ctx.follow(req.jobId));
    },
    'explain.global': async ({ doc, docPath, ...req }) => {
      const place = await ctx.locate(docPath, req.runId, doc.dataset);
      return engine.call('explain.global', { ...req, doc, ...place }, ctx.follow(req.jobId));
    },
    'explain.sanity': async ({ doc, docPath, ...req }) => {
      const place = await ctx.locate(docPath, req.runId, doc.dataset);
      return engine.call('explain.sanity', { ...req, doc, ...place }, ctx.follow(req.jobId));
    },
  };
}
