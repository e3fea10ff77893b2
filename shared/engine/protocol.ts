/**
 * The messages between the host's engine supervisor and the engine process (a utilityProcess in the
 * desktop app, a forked child in web mode and tests). Each side validates what it receives: the
 * engine a call's request (by its operation, shared/engine/api.ts), the host a result's value and
 * every event.
 *
 *   host → engine   { kind: 'call', id, op, request }
 *   engine → host   { kind: 'ready' } | { kind: 'event', event } | { kind: 'progress', progress }
 *                   | { kind: 'result', id, ok, value | error }
 *
 * `progress` reports a job (a long operation called with a `jobId`, ./job.ts); the host routes it
 * by its `jobId` to whoever made the call.
 */
import { z } from 'zod';
import { ENGINE_ERROR_CODES, type EngineOp, type EngineRequest, type EngineResponse } from './api';
import type { TrainEvent } from './events';
import type { JobProgress } from './job';

/** A call as the host sends it. */
export interface EngineCall<Op extends EngineOp = EngineOp> {
  kind: 'call';
  id: number;
  op: Op;
  request: EngineRequest<Op>;
}

/** A call as the engine receives it: the request is validated against its operation next. */
export const EngineCallSchema = z.object({ kind: z.literal('call'), id: z.number().int(), op: z.string().max(100), request: z.unknown() });

export const EngineErrorInfoSchema = z.object({ code: z.enum(ENGINE_ERROR_CODES), message: z.string() });
export type EngineErrorInfo = z.infer<typeof EngineErrorInfoSchema>;

/** A message from the engine as the host receives it: a result's value and an event are validated next. */
export const EngineMessageSchema = z.union([
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('event'), event: z.unknown() }),
  z.object({ kind: z.literal('progress'), progress: z.unknown() }),
  z.object({ kind: z.literal('result'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: EngineErrorInfoSchema }),
]);

/** What the engine sends. */
export type EngineMessage =
  | { kind: 'ready' }
  | { kind: 'event'; event: TrainEvent }
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'result'; id: number; ok: true; value: EngineResponse<EngineOp> }
  | { kind: 'result'; id: number; ok: false; error: EngineErrorInfo };
