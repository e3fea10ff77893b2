/**
 * Long engine operations ("jobs"), designed once for all of them (explanations, fairness audits,
 * and whatever comes next): a request names its job with an optional `jobId`; while it runs the
 * engine reports `job.progress` events for that id; `engine.cancel { jobId }` aborts it and the
 * operation fails with the error code `canceled`.
 *
 * The computations themselves see only a `JobControl` (a signal to check and a progress callback)
 * and call `checkpoint()` between steps: it lets a cancel message in (the engine's event loop runs)
 * and throws when the job was canceled. Pure TypeScript: the methods in shared/ use it too.
 */
import { z } from 'zod';

/** Chosen by the caller (so it can match progress and cancel before the answer arrives). */
export const JobIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'a job id is letters, digits, ".", "_" or "-"');

export const JobProgressSchema = z.object({
  jobId: JobIdSchema,
  /** Work done and planned, in the operation's own unit (forward passes, rows, resamples). */
  done: z.number().min(0),
  total: z.number().min(0),
  /**
   * Seconds left, from the pace since the first report of the current phase: the first step's
   * warm-up (loading the run and its data, compiling kernels) is not extrapolated. Absent until
   * a pace is known.
   */
  etaSec: z.number().min(0).optional(),
  /** The current phase, for people ("Predicting the test split", "Bootstrap resamples"). */
  message: z.string().max(200).optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** `job-lx2k3m-a1b2c3`: for a caller that follows a job without naming it. */
export function newJobId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(3));
  return `job-${Date.now().toString(36)}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** What a long computation is given: checked and called between its steps. */
export interface JobControl {
  signal?: { readonly aborted: boolean };
  /** After each step: work done and planned so far; `message` names a new phase. */
  onProgress?: (done: number, total: number, message?: string) => void;
}

/** A job's failure when it was canceled (the engine reports it with the code `canceled`). */
export class JobCanceledError extends Error {
  constructor(message = 'The operation was canceled') {
    super(message);
    this.name = 'JobCanceledError';
  }
}

/** How long a computation may hold the event loop between two checkpoints before it yields. */
const YIELD_EVERY_MS = 25;
let lastYield = 0;
const now = () => globalThis.performance.now();

/**
 * Between two steps of a job: every ~25 ms of work, give the event loop a turn (so a cancel message
 * can arrive while the computation runs), then throw JobCanceledError when the job was canceled.
 * Without a signal there is nothing to wait for and it only returns.
 */
export async function checkpoint(control: JobControl, canceled: () => Error = () => new JobCanceledError()): Promise<void> {
  if (!control.signal) return;
  if (now() - lastYield >= YIELD_EVERY_MS) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    lastYield = now();
  }
  if (control.signal.aborted) throw canceled();
}

/**
 * The progress reports of one job, with an ETA that leaves out warm-up: the pace is measured from
 * the first report of a phase (a phase ends when `total` or `message` changes, or `done` goes
 * back), so the time spent before the first step finished is never extrapolated. Reports are
 * throttled to one per `minIntervalMs`, except a phase's first and last.
 */
export function progressReporter(
  jobId: string, send: (p: JobProgress) => void,
  opts: { now?: () => number; minIntervalMs?: number } = {},
): (done: number, total: number, message?: string) => void {
  const clock = opts.now ?? now;
  const every = opts.minIntervalMs ?? 100;
  let phase: { total: number; message?: string; t0: number; d0: number; lastDone: number } | null = null;
  let lastSent = -Infinity;
  return (done, total, message) => {
    const t = clock();
    if (!phase || total !== phase.total || message !== phase.message || done < phase.lastDone) {
      phase = { total, message, t0: t, d0: done, lastDone: done };
      lastSent = -Infinity;
    }
    phase.lastDone = done;
    const last = done >= total;
    if (!last && t - lastSent < every) return;
    lastSent = t;
    const p: JobProgress = { jobId, done, total };
    if (done > phase.d0 && !last) p.etaSec = ((t - phase.t0) / 1000 / (done - phase.d0)) * (total - done);
    if (last) p.etaSec = 0;
    if (message !== undefined) p.message = message;
    send(p);
  };
}
