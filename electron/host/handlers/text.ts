/**
 * `text.*`: a trained language model's generation and attention maps, a translator's translation.
 * Each forwards to the engine operation of the same name with the run's folder in place of the
 * document's path; `text.generate` with a `jobId` streams its tokens as `job.progress` and stops on
 * `engine.cancel`.
 */
import type { HandlersOf, HostContext } from './context';

export function textHandlers(ctx: HostContext): HandlersOf<'text'> {
  const { engine } = ctx;
  return {
    'text.generate': async ({ doc: _doc, docPath, ...req }) => {
      const { runDir } = await ctx.locate(docPath, req.runId);
      return engine.call('text.generate', { ...req, ...(runDir ? { runDir } : {}) }, ctx.follow(req.jobId));
    },
    'text.attentionMaps': async ({ doc: _doc, docPath, ...req }) => {
      const { runDir } = await ctx.locate(docPath, req.runId);
      return engine.call('text.attentionMaps', { ...req, ...(runDir ? { runDir } : {}) });
    },
    'text.translate': async ({ doc: _doc, docPath, ...req }) => {
      const { runDir } = await ctx.locate(docPath, req.runId);
      return engine.call('text.translate', { ...req, ...(runDir ? { runDir } : {}) });
    },
  };
}
