/**
 * The memory check of a training run (estimate: shared/analysis/memory.ts): before compiling, with
 * one sample per batch (a model whose weights alone do not fit is refused before they are
 * allocated), and again once the data gives the batch size. Above the limit the run ends with an
 * `oom` error naming the estimate and what to change; above half of it the `start` event warns.
 */
import { totalmem } from 'node:os';
import { analyze, blockingErrors, checkMemory, estimateTrainingMemory, formatMemory, type Analysis, type MemoryLimit } from '../../shared/analysis';
import type { LoomDocument, TrainingConfig } from '../../shared/document';
import type { BackendInfo } from '../../shared/engine/events';
import { WASM_HEAP_MAX } from './failures';
import { RunError } from './run-error';

/** What a run may use: the machine's memory (or LAYERLOOM_MEMORY_LIMIT_MB), and on wasm at most the 4 GiB its heap can address. */
export function memoryLimit(backend: BackendInfo['name'], machineBytes = totalmem()): MemoryLimit {
  const configured = configuredMemory();
  const bytes = configured ?? machineBytes;
  if (backend === 'wasm' && WASM_HEAP_MAX < bytes) return { bytes: WASM_HEAP_MAX, what: 'the 4 GiB the WebAssembly backend can hold' };
  return { bytes, what: configured ? `the ${formatMemory(bytes)} set by LAYERLOOM_MEMORY_LIMIT_MB` : `this machine's memory (${formatMemory(bytes)})` };
}

/** `LAYERLOOM_MEMORY_LIMIT_MB`: the memory training may assume instead of the machine's (a cap on a shared machine; tests). */
function configuredMemory(): number | null {
  const mb = Number(process.env.LAYERLOOM_MEMORY_LIMIT_MB);
  return mb > 0 ? mb * 2 ** 20 : null;
}

/** Refuse (RunError `oom`) or return a warning for training `analysis` at `batchSize`; null when it fits well. */
export function checkTrainingMemory(analysis: Analysis, cfg: Pick<TrainingConfig, 'optimizer' | 'momentum'>, batchSize: number, limit: MemoryLimit): string | null {
  const verdict = checkMemory(estimateTrainingMemory(analysis, { batchSize, optimizer: cfg.optimizer, momentum: cfg.momentum }), limit);
  if (verdict.level === 'ok') return null;
  if (verdict.level === 'refuse') throw new RunError('oom', verdict.message, verdict.nodeId ? { nodeId: verdict.nodeId } : {});
  return verdict.message;
}

/** Before compiling: refuse a model whose parameters (and one sample) already exceed the limit. Invalid models are left to the compiler's message. */
export function checkModelMemory(doc: LoomDocument, cfg: Pick<TrainingConfig, 'optimizer' | 'momentum'>, limit: MemoryLimit): void {
  const analysis = analyze(doc);
  if (blockingErrors(analysis).length === 0) checkTrainingMemory(analysis, cfg, 1, limit);
}
