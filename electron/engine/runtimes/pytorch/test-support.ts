/**
 * Test-only helpers for the PyTorch runtime suites: template documents made deterministic (no
 * dropout, plain SGD), the engine's per-step losses, and a run through the runtime that records
 * every event.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import { loadDocumentOrThrow, type LoomDocument, type TrainingConfig } from '../../../../shared/document';
import { TrainEventSchema, type TrainEvent } from '../../../../shared/engine/events';
import { RuntimeTrainEventSchema, type RuntimeTrainEvent } from '../../../../shared/runtime/events';
import { startTraining } from '../../train';
import { startPytorchTraining, type PytorchTrainRequest } from './launch';

export const PY = '/usr/bin/python3';
export const TEMPLATES = join(import.meta.dirname, '../../../../assets/templates');

export function template(name: string): LoomDocument {
  return loadDocumentOrThrow(readFileSync(join(TEMPLATES, `${name}.loom`), 'utf8'), `${name}.loom`);
}

/** Every dropout rate set to 0 (the two runtimes draw different masks). */
export function withoutDropout(doc: LoomDocument): LoomDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p: Record<string, unknown> = { ...n.params };
      if (n.type === 'Dropout') p.rate = 0;
      if (n.type === 'TransformerEncoder' || n.type === 'MultiHeadAttention') p.dropout = 0; // default 0.1 / 0
      for (const k of ['dropout', 'recurrentDropout']) if (k in p) p[k] = 0;
      return { ...n, params: p };
    }),
  };
}

/** Plain SGD: the comparison's optimizer (its update is the same arithmetic in both runtimes). */
export const SGD: Partial<TrainingConfig> = { optimizer: 'sgd', momentum: 0, nesterov: false };

/**
 * The engine's loss after every training step. The engine sends a batch event at most every
 * 100 ms; a clock that jumps 1 s per reading makes it send every one.
 */
export async function engineLosses(req: Parameters<typeof startTraining>[0]): Promise<{ losses: number[]; events: TrainEvent[] }> {
  let t = 0;
  const clock = vi.spyOn(performance, 'now').mockImplementation(() => (t += 1000));
  const events: TrainEvent[] = [];
  try {
    const last = await startTraining(req, (e) => events.push(TrainEventSchema.parse(e))).done;
    if (last.type === 'error') throw new Error(`engine run failed: ${last.message}`);
  } finally {
    clock.mockRestore();
  }
  return { losses: events.flatMap((e) => (e.type === 'batch' ? [e.logs.loss!] : [])), events };
}

/** A run through the PyTorch runtime, every event validated and recorded (every batch forwarded). */
export async function runtimeRun(req: PytorchTrainRequest) {
  const events: RuntimeTrainEvent[] = [];
  const h = startPytorchTraining({ batchEventIntervalMs: 0, ...req }, (e) => events.push(RuntimeTrainEventSchema.parse(e)));
  const last = await h.done;
  return { last, events, losses: events.flatMap((e) => (e.type === 'batch' ? [e.logs.loss!] : [])) };
}

/** Largest |a - b| / max(|a|, |b|) over two equally long series (Infinity on a length mismatch or NaN). */
export function maxRelDiff(a: number[], b: number[]): number {
  if (a.length !== b.length || !a.length) return Infinity;
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    const d = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-12);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  });
  return worst;
}
