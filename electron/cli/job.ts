/**
 * Following a long engine operation (a job) from the command line: its progress on stderr in human
 * mode (a line that rewrites itself on a terminal; otherwise the first report and then one line
 * every 10 s), with the ETA the engine computes without warm-up; Ctrl-C cancels it (the call fails
 * with the engine error `canceled`, and the command exits 130).
 */
import { EngineError, type JobOptions } from '../../shared/engine/api';
import type { JobProgress } from '../../shared/engine/job';
import type { CliIO } from './io';

/** The exit code of a command canceled with Ctrl-C (128 + SIGINT, as shells report it). */
export const CANCELED_EXIT = 130;

const LINE_EVERY_MS = 10_000;

export const isCanceled = (e: unknown): boolean => e instanceof EngineError && e.code === 'canceled';

function fmtEta(sec: number): string {
  const s = Math.round(sec);
  const m = Math.floor(s / 60);
  return m ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export function progressLine(label: string, p: JobProgress): string {
  const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
  const eta = p.etaSec !== undefined && p.done < p.total ? `, ETA ${fmtEta(p.etaSec)}` : '';
  return `${label}: ${p.message ? `${p.message} ` : ''}${p.done}/${p.total} (${pct} %)${eta}`;
}

export interface FollowedJob {
  /** Pass to `engine.call(op, req, job.options)`. */
  readonly options: JobOptions;
  /** The job ended: stop listening for Ctrl-C, clear the progress line. */
  stop(): void;
}

export function followJob(io: CliIO, label: string, opts: { human: boolean }): FollowedJob {
  const abort = new AbortController();
  const off = io.onInterrupt?.(() => abort.abort()) ?? (() => undefined);
  const tty = opts.human && io.isTTY && Boolean(process.stderr.isTTY);
  let lastLine = -Infinity;
  let open = false;
  const onProgress = (p: JobProgress) => {
    if (!opts.human) return;
    if (tty) {
      process.stderr.write(`\r\x1b[2K${progressLine(label, p)}`);
      open = true;
      return;
    }
    const now = performance.now();
    if (now - lastLine < LINE_EVERY_MS) return;
    lastLine = now;
    io.err(progressLine(label, p));
  };
  return {
    options: { signal: abort.signal, onProgress },
    stop() {
      off();
      if (open) process.stderr.write('\r\x1b[2K');
    },
  };
}
