/**
 * Trained runs kept in memory by the engine process, by run id, so that evaluate/predict/save can be
 * asked for later with plain data (a run id). Each holds its model's weights: dispose runs that are
 * no longer shown (disposeRun) — the engine keeps at most MAX_RUNS and drops the oldest.
 */
import type { CompiledModel } from './compile';
import type { Dataset, Normalization, Split } from './data/types';
import type { LossSpec } from './losses';
import type { RunRecord } from './types';
import { disposeModel, type tf } from './tfjs';

export interface TrainedRun {
  runId: string;
  compiled: CompiledModel;
  spec: LossSpec;
  record: RunRecord;
  normalization?: Normalization;
  /** The data it trained on (for evaluation on its test split), when still loaded. */
  dataset?: Dataset;
  split?: Split;
  /**
   * How the run computes its outputs when that is not its model's inference pass: an int8 run
   * simulates its quantized arithmetic (compress/quantize.ts), so Evaluate and Try it give the
   * compression report's figures.
   */
  forward?: (x: tf.Tensor) => tf.Tensor;
}

/** The run's inference: its own `forward`, else its model in inference mode. */
export function inferenceOf(run: TrainedRun): (x: tf.Tensor) => tf.Tensor {
  return run.forward ?? ((x) => run.compiled.model.apply(x, { training: false }) as tf.Tensor);
}

const MAX_RUNS = 8;
const runs = new Map<string, TrainedRun>();

export function registerRun(run: TrainedRun): void {
  disposeRun(run.runId);
  runs.set(run.runId, run);
  while (runs.size > MAX_RUNS) disposeRun(runs.keys().next().value!);
}

export function getRun(runId: string): TrainedRun {
  const r = runs.get(runId);
  if (!r) throw new Error(`No trained run "${runId}" in this engine: train it again or load it from its folder`);
  return r;
}

export function hasRun(runId: string): boolean {
  return runs.has(runId);
}

/** Free a run's model weights. Safe to call for an unknown id. */
export function disposeRun(runId: string): void {
  const r = runs.get(runId);
  if (!r) return;
  runs.delete(runId);
  disposeModel(r.compiled.model);
}

export function listRuns(): string[] {
  return [...runs.keys()];
}
