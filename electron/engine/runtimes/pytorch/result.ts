/**
 * A finished PyTorch run brought back into the engine: the trained state dict (safetensors, PyTorch
 * names and layouts) converted into the engine's TF.js weights by the exact inverse of the
 * exporter's conversion, set into the run's compiled model, registered (Evaluate, Try it, Export use
 * it like any run) and, with an output folder, saved as a run folder (model.json, weights.bin,
 * run.json) like the engine saves its runs.
 */
import { readFile } from 'node:fs/promises';
import type { RunRecord } from '../../types';
import type { BackendInfo } from '../../../../shared/engine/events';
import type { PytorchBackend } from '../../../../shared/runtime/events';
import type { PytorchRuntime } from '../../../../shared/runtime/options';
import { decodeSafetensors } from '../../../../shared/runtime/safetensors';
import { nodeWeightsFromState } from '../../../../shared/runtime/weight-map';
import { saveRun } from '../../persist';
import { writeRunFile } from '../../../node/run-folder';
import { registerRun, type TrainedRun } from '../../runs';
import { tf } from '../../tfjs';
import type { PreparedRun } from './prepare';

/** run.json of a PyTorch run: the engine's record, with the PyTorch backend and the runtime settings. */
export type RuntimeRunRecord = Omit<RunRecord, 'backend'> & {
  backend: PytorchBackend;
  runtime: { name: 'pytorch'; python: string; device: string; processes: number; host?: string };
};

/** Set the weights of a safetensors state dict into the run's compiled model. */
export async function loadTrainedWeights(run: PreparedRun, file: string): Promise<void> {
  const { tensors } = decodeSafetensors(new Uint8Array(await readFile(file)), file);
  const weights = nodeWeightsFromState(run.inverse, tensors, file);
  for (const [id, list] of Object.entries(weights)) {
    const layer = run.compiled.model.getLayer(run.compiled.layerNames[id]!);
    const values = list.map((t) => tf.tensor(t.data, t.shape));
    try {
      layer.setWeights(values);
    } finally {
      tf.dispose(values);
    }
  }
}

export interface Outcome {
  record: RuntimeRunRecord;
  /** The TF.js backend that computes the registered run's predictions here. */
  inference: BackendInfo;
}

/**
 * Register the run with the engine (its in-memory record names the TF.js backend that evaluates it
 * here, and says it was trained with PyTorch) and save it when `runDir` is given: run.json gets the
 * PyTorch record. Returns the folder when saved.
 */
export async function keepRun(run: PreparedRun, o: Outcome, runDir?: string): Promise<string | undefined> {
  const b = o.record.backend;
  const engineSide: BackendInfo = {
    ...o.inference,
    reason: [`trained with PyTorch ${b.torch} on ${b.device}${b.processes > 1 ? ` x${b.processes} processes` : ''}${b.host ? ` at ${b.host}` : ''}`, o.inference.reason].filter(Boolean).join('; '),
  };
  const trained: TrainedRun = {
    runId: run.config.runId, compiled: run.compiled, spec: run.spec, record: { ...o.record, backend: engineSide },
    normalization: run.prepared.normalization, dataset: run.prepared.dataset, split: run.prepared.split,
  };
  let saved: string | undefined;
  if (runDir) {
    saved = await saveRun(trained, runDir);
    await writeRunFile(runDir, 'record', o.record);
  }
  registerRun(trained);
  return saved;
}

export function runtimeRecord(run: PreparedRun, fields: {
  backend: PytorchBackend; settings: PytorchRuntime; python: string; history: Record<string, number>[];
  end: { reason: RunRecord['reason']; epochsCompleted: number; logs: Record<string, number>; elapsedSec: number };
  dataset: RunRecord['dataset'];
}): RuntimeRunRecord {
  const { dataset: ds } = run.prepared;
  const { backend, settings, end } = fields;
  return {
    format: 'layerloom.run', version: 1, runId: run.config.runId, createdAt: new Date().toISOString(), doc: run.plan.doc,
    training: run.cfg, seed: run.seed, dataset: fields.dataset, datasetName: ds.name, task: ds.task,
    ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
    normalization: run.prepared.normalization, lossSpec: { ...run.spec }, backend, history: fields.history,
    logs: end.logs, reason: end.reason, epochsCompleted: end.epochsCompleted, elapsedSec: end.elapsedSec,
    runtime: { name: 'pytorch', python: fields.python, device: settings.device, processes: settings.processes, ...(settings.remote ? { host: settings.remote.host } : {}) },
  };
}
