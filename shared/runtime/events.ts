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
  BackendInfoSchema, BatchEventSchema, EndEventSchema, EpochEventSchema, ErrorEventSchema, PauseEventSchema, StartEventSchema,
} from '../engine/events';

/** PyTorch as the backend of a run: where it computed and on how many processes. */
export const PytorchBackendSchema = z.object({
  name: z.literal('pytorch'),
  native: z.literal(true),
  /** The torch device of process 0: `cpu`, `cuda:0`, `mps`. */
  device: z.string().min(1).max(64),
  /** Processes per machine (torchrun --nproc_per_node); 1 without torchrun. */
  processes: z.number().int().min(1),
  /** `user@host` for a run over SSH; absent on this computer. */
  host: z.string().max(256).optional(),
  /** torch.__version__ on the machine that trained. */
  torch: z.string().max(64),
  /** What differs from a one-process run, when something does (e.g. BatchNormalization per share). */
  reason: z.string().optional(),
  threads: z.number().int().optional(),
});
export type PytorchBackend = z.infer<typeof PytorchBackendSchema>;

export const RuntimeBackendSchema = z.union([BackendInfoSchema, PytorchBackendSchema]);
export type RuntimeBackend = z.infer<typeof RuntimeBackendSchema>;

export const RUNTIME_ERROR_CODES = [...ErrorEventSchema.shape.code.options, 'python', 'torch', 'device', 'remote', 'hostKey', 'disk'] as const;
/**
 * `python`: no usable interpreter; `torch`: PyTorch or NumPy missing or broken; `device`: the
 * requested device is absent; `remote`: host unreachable or key refused; `hostKey`: the host key is
 * unknown or changed; `disk`: no space left; `crash`: the process died (killed); `oom`: out of memory.
 */
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

export const RuntimeStartEventSchema = StartEventSchema.extend({ backend: RuntimeBackendSchema });
export const RuntimeErrorEventSchema = ErrorEventSchema.extend({ code: z.enum(RUNTIME_ERROR_CODES) });

export const RuntimeTrainEventSchema = z.discriminatedUnion('type', [
  RuntimeStartEventSchema, BatchEventSchema, EpochEventSchema, PauseEventSchema, EndEventSchema, RuntimeErrorEventSchema,
]);
export type RuntimeTrainEvent = z.infer<typeof RuntimeTrainEventSchema>;
export type RuntimeStartEvent = z.infer<typeof RuntimeStartEventSchema>;
export type RuntimeErrorEvent = z.infer<typeof RuntimeErrorEventSchema>;
export type RuntimeEndEvent = z.infer<typeof EndEventSchema>;

/** The untrained model's mean loss on the first training samples (the divergence check's start). */
export const BaselineLineSchema = z.object({ type: z.literal('baseline'), loss: z.number() });
/** The training process (process 0): lets the launcher end it on a remote machine. */
export const ProcessLineSchema = z.object({ type: z.literal('process'), pid: z.number().int(), host: z.string() });

/** One line of runner.py's stdout. Every batch gets a `batch` event (the launcher throttles them). */
export const RunnerLineSchema = z.discriminatedUnion('type', [
  RuntimeStartEventSchema, BatchEventSchema, EpochEventSchema, PauseEventSchema, EndEventSchema, RuntimeErrorEventSchema,
  BaselineLineSchema, ProcessLineSchema,
]);
export type RunnerLine = z.infer<typeof RunnerLineSchema>;
