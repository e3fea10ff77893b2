/**
 * The training event stream of a run on another runtime (PyTorch, here or over SSH): the engine's
 * own schema (shared/engine/events.ts) with two extensions, proposed for that file:
 * - `start.backend` may be `{ name: "pytorch", device, processes, host?, torch }`;
 * - `error.code` adds the failures only another runtime has (`python`, `torch`, `device`,
 *   `remote`, `hostKey`, `disk`).
 * Everything else (batch, epoch, paused/resumed, end) is the engine's schema unchanged.
 *
 * Also the runner protocol: what runner.py prints on stdout, one JSON object per line — these
 * events plus the few lines only the launcher reads (`RunnerLine`).
 */
import { z } from 'zod';
import {
  BatchEventSchema, EndEventSchema, EpochEventSchema, ErrorEventSchema, PauseEventSchema, StartEventSchema, type RunBackend,
} from '../engine/events';

// The run's events are the engine's own (shared/engine/events.ts: the PyTorch backend and the
// runtime's error codes are part of that one schema); these names keep the runtime's code readable.
export { PytorchBackendSchema, RunBackendSchema as RuntimeBackendSchema, TrainEventSchema as RuntimeTrainEventSchema } from '../engine/events';
export type { PytorchBackend, RunBackend as RuntimeBackend, TrainEvent as RuntimeTrainEvent, StartEvent as RuntimeStartEvent, ErrorEvent as RuntimeErrorEvent, EndEvent as RuntimeEndEvent } from '../engine/events';
export const RUNTIME_ERROR_CODES = ErrorEventSchema.shape.code.options;
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

/** The untrained model's mean loss on the first training samples (the divergence check's start). */
export const BaselineLineSchema = z.object({ type: z.literal('baseline'), loss: z.number() });
/** The training process (process 0): lets the launcher end it on a remote machine. */
export const ProcessLineSchema = z.object({ type: z.literal('process'), pid: z.number().int(), host: z.string() });

/** One line of runner.py's stdout. Every batch gets a `batch` event (the launcher throttles them). */
export const RunnerLineSchema = z.discriminatedUnion('type', [
  StartEventSchema, BatchEventSchema, EpochEventSchema, PauseEventSchema, EndEventSchema, ErrorEventSchema,
  BaselineLineSchema, ProcessLineSchema,
]);
export type RunnerLine = z.infer<typeof RunnerLineSchema>;

/** A run's backend in a few words: "wasm ×2 threads", "pytorch (cpu) ×2 at me@gpu". */
export function backendLabel(b: RunBackend): string {
  if (b.name === 'pytorch') return `pytorch (${b.device})${b.processes > 1 ? ` ×${b.processes}` : ''}${b.host ? ` at ${b.host}` : ''}`;
  return `${b.name}${(b.threads ?? 1) > 1 ? ` ×${b.threads} threads` : ''}`;
}
