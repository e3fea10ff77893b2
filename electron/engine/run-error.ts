/** How a training run fails: the error it throws and the `error` event a person reads. */
import type { ErrorEvent } from '../../shared/engine/events';
import { ModelBuildError } from './compile';
import { DataError } from './data/types';
import { asFatal, EngineOutOfMemoryError } from './failures';

/** A problem that ends a run with an `error` event. */
export class RunError extends Error {
  constructor(
    readonly code: ErrorEvent['code'],
    message: string,
    readonly extra: { nodeId?: string; epoch?: number; batch?: number } = {},
  ) {
    super(message);
    this.name = 'RunError';
  }
}

export type RunFailure = Omit<ErrorEvent, 'type' | 'runId'>;

/** The `error` event's fields for anything a run threw. */
export function describeError(e: unknown): RunFailure {
  if (e instanceof RunError) return { code: e.code, message: e.message, ...e.extra };
  if (e instanceof ModelBuildError) return { code: 'model', message: e.message, nodeId: e.nodeId };
  if (e instanceof DataError) {
    const where = [e.file, e.line !== undefined ? `line ${e.line}` : '', e.column !== undefined ? `column ${e.column}` : ''].filter(Boolean).join(', ');
    return { code: 'data', message: where && !e.message.includes(e.file ?? '\u0000') ? `${e.message} (${where})` : e.message };
  }
  const fatal = asFatal(e);
  if (fatal) return { code: fatal.reportAs, message: fatal.message };
  const msg = (e as Error)?.message ?? String(e);
  if (e instanceof EngineOutOfMemoryError) return { code: 'oom', message: `${msg}. ${OOM_ADVICE}` };
  if (isJsAllocationFailure(e)) return { code: 'oom', message: `Out of memory: ${msg}. ${OOM_ADVICE}` };
  return { code: 'internal', message: `Training failed: ${msg}` };
}

const OOM_ADVICE = 'Use a smaller batch size, fewer samples (dataset limit) or a smaller model';

/**
 * JavaScript could not allocate: V8's messages for an ArrayBuffer or array it cannot create. Other
 * RangeErrors (a stack overflow, a bad argument) are bugs, not memory.
 */
export function isJsAllocationFailure(e: unknown): boolean {
  const msg = (e as Error)?.message ?? String(e);
  if (e instanceof RangeError && /Array buffer allocation failed|Invalid (typed )?array( buffer)? length|Invalid string length/i.test(msg)) return true;
  return /out of memory|Cannot allocate/i.test(msg);
}
