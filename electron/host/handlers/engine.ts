/**
 * `engine.*`: training runs and what a trained run answers (evaluate, predict, confusion samples,
 * saliency), and `engine.cancel` for the long operations (jobs). Each forwards to the engine operation of the same name, with the places the engine
 * needs (the document's folder, the run's folder) in place of the document's path.
 */
import { newRunId } from '../../../shared/engine/run-id';
import type { Evaluation } from '../../../shared/engine/events';
import { hasRunRecord, updateRunRecord } from '../../node/run-folder';
import { pytorchRuntimeOf, runtimeSettingsOf } from '../../../shared/runtime/options';
import type { HandlersOf, HostContext } from './context';

/**
 * A run kept on disk keeps its latest evaluation too (a reopened model shows it again). Best effort:
 * a disk that refuses the write must not hide the evaluation just computed.
 */
async function keepEvaluation(runDir: string | undefined, evaluation: Evaluation): Promise<void> {
  if (runDir && hasRunRecord(runDir)) await updateRunRecord(runDir, (rec) => ({ ...rec, evaluation })).catch(() => undefined);
}

export function engineHandlers(ctx: HostContext): HandlersOf<'engine'> {
  const { engine } = ctx;
  return {
    'engine.backend': () => engine.call('engine.backend', {}),
    'engine.train': async ({ runId = newRunId(), doc, docPath, overrides, runtime }) => {
      const place = await ctx.locate(docPath, runId, doc.dataset);
      // The PyTorch options are machine settings: read from the settings file here, never sent with the document.
      const pytorch = runtime === 'pytorch' ? pytorchRuntimeOf(runtimeSettingsOf((await ctx.deps.settings.get()).runtime)) : undefined;
      return engine.call('engine.train', { runId, doc, ...place, ...(overrides ? { overrides } : {}), ...(pytorch ? { runtime: pytorch } : {}) });
    },
    'engine.stop': (req) => engine.call('engine.stop', req),
    'engine.pause': (req) => engine.call('engine.pause', req),
    'engine.resume': (req) => engine.call('engine.resume', req),
    'engine.evaluate': async ({ runId, doc, docPath }) => {
      const place = await ctx.locate(docPath, runId, doc.dataset);
      const evaluation = await engine.call('engine.evaluate', { runId, doc, ...place });
      await keepEvaluation(place.runDir, evaluation);
      return evaluation;
    },
    'engine.predict': async ({ runId, doc, docPath, inputs }) => {
      const place = await ctx.locate(docPath, runId, doc.dataset);
      return engine.call('engine.predict', { runId, inputs, ...place });
    },
    'engine.confusionSamples': async ({ runId, doc, docPath, trueClass, predictedClass, limit }) => {
      const place = await ctx.locate(docPath, runId, doc.dataset);
      return engine.call('engine.confusionSamples', { runId, trueClass, predictedClass, limit: limit ?? 24, ...place });
    },
    'engine.saliency': async ({ runId, docPath, input }) => {
      const place = await ctx.locate(docPath, runId);
      return engine.call('engine.saliency', { runId, input, ...place });
    },
    'engine.cancel': (req) => engine.call('engine.cancel', req),
  };
}
