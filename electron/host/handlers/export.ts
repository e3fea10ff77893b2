/** `export.run`: the engine writes a format's files; trained weights come from the run's folder or the engine's memory. */
import { getExportFormat } from '../../../shared/formats/registry';
import type { HandlersOf, HostContext } from './context';

export function exportHandlers(ctx: HostContext): HandlersOf<'export'> {
  const { files, engine } = ctx;
  return {
    'export.run': async (req) => {
      const format = getExportFormat(req.format).id;
      const outDir = req.outDir ? await files.checkOutDir(req.outDir) : await files.exportDir(req.format, req.docPath, req.doc.name);
      if (!outDir) return { canceled: true };
      const place = await ctx.locate(req.docPath, req.runId, req.doc.dataset);
      const r = await engine.call('export.run', {
        format,
        doc: req.doc,
        outDir,
        ...(req.docPath ? { docPath: await files.absolute(req.docPath) } : {}),
        ...(place.baseDir ? { baseDir: place.baseDir } : {}),
        // Trained weights: the run folder beside the document (model.json + weights.bin) when it
        // exists, else the run still held by the engine process.
        ...(req.runId ? { runId: req.runId, ...(place.runDir ? { runDir: place.runDir } : {}) } : {}),
        ...(req.quantize ? { quantize: req.quantize } : {}),
        ...(req.includeData !== undefined ? { includeData: req.includeData } : {}),
      });
      return { canceled: false, outDir, files: r.files, weights: r.weights, notes: r.notes };
    },
  };
}
