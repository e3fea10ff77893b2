/**
 * The training engine's public module. Plain Node + TensorFlow.js (no Electron import). Its API is
 * declared in shared/engine/api.ts and implemented once in ./api.ts; everyone calls it through an
 * `EngineClient`: the host through the engine process (electron/host/engine-supervisor.ts), the CLI
 * and tests in-process:
 *
 *   const engine = inProcessEngine((event) => ...);          // TrainEvent stream of its runs
 *   await engine.call('engine.train', { runId, doc, baseDir, runDir });
 *   await engine.call('engine.evaluate', { runId });          // Evaluation (test split)
 *   await engine.call('export.run', { format: 'onnx', doc, outDir, runId });
 *   await engine.call('explain.run', { runId, runDir, input, spec }, { signal, onProgress }); // a job
 *
 * See docs/engine.md for the operations, the run-folder layout and the event stream.
 */
import type { EngineClient } from '../../shared/engine/api';
import type { TrainEvent } from '../../shared/engine/events';
import { engineApi } from './api';
import { createEngineSession } from './session';

export { engineApi } from './api';
export { createEngineSession, type EngineSession } from './session';
export { initBackend, backendInfo, describeBackend, type BackendName } from './backend';
export { compileModel, layerNameOf, ModelBuildError, BUILDERS, type CompiledModel, type CompileOptions } from './compile';
export { RunError } from './train';
export { disposeRun, getRun, hasRun, listRuns } from './runs';
export type { TrainRequest, Prediction, RunRecord } from './types';
export { MultiHeadAttention, TransformerEncoder, PositionalEmbedding } from './layers/attention';

/** The engine in this process, through the same typed client as the engine process. */
export function inProcessEngine(onEvent: (event: TrainEvent) => void = () => undefined): EngineClient {
  return createEngineSession(async () => engineApi, onEvent);
}
