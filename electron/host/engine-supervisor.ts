/**
 * The host's side of the engine process, and the host's typed engine client: `call(op, request)`
 * for every operation of shared/engine/api.ts. It starts the process on first use, validates every
 * answer and event it receives, and survives the process. If the process dies (crash, kill, out of memory) every run in flight ends with a
 * `train.event` of type `error` (code `oom` or `crash`, with the reason), pending calls fail, the
 * status says `crashed`, and the next call starts a fresh process. A job (a long operation) called
 * with job options gets its progress reports (routed by `jobId`) and is canceled by its signal
 * (`engine.cancel`); it then fails with the IPC error `canceled`. No Electron import here: the
 * desktop app passes a utilityProcess spawner, web mode and tests a child_process.fork one.
 */
import {
  isJobOp, parseEngineResponse, type EngineClient, type EngineOp, type EngineRequest, type EngineResponse, type JobOptionsOf, type RunControlOp,
} from '../../shared/engine/api';
import { TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import { JobProgressSchema, newJobId, type JobProgress } from '../../shared/engine/job';
import { EngineMessageSchema, type EngineCall } from '../../shared/engine/protocol';
import type { EngineStatus } from '../../shared/ipc/contract';
import { IpcError } from '../../shared/ipc/rpc';
import { FATAL_EXIT_CODE } from '../engine/failures';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Known to be an out-of-memory death (utilityProcess reports it; Node prints it on stderr). */
  oom?: boolean;
  /** Last lines the process wrote on stderr, when captured. */
  detail?: string;
}

export interface EngineProcess {
  send(msg: EngineCall): void;
  /** Raw messages: the supervisor validates them. */
  onMessage(listener: (msg: unknown) => void): void;
  onExit(listener: (info: ExitInfo) => void): void;
  kill(): void;
  readonly pid?: number | undefined;
}

export type SpawnEngine = () => EngineProcess;

export interface SupervisorOptions {
  spawn: SpawnEngine;
  onTrainEvent: (e: TrainEvent) => void;
  onStatus?: (s: EngineStatus) => void;
  log?: (msg: string) => void;
}

const OOM_TEXT = /heap out of memory|Reached heap limit|Allocation failed|out of memory|std::bad_alloc/i;

/** A sentence a person can act on, describing how the engine process ended. */
export function describeExit(info: ExitInfo): { code: 'oom' | 'crash'; message: string } {
  const oom = info.oom || OOM_TEXT.test(info.detail ?? '');
  const how = info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
  if (info.code === FATAL_EXIT_CODE && !info.signal) {
    // The engine ended itself after a memory error it reported (electron/engine/failures.ts).
    return { code: 'crash', message: 'The training engine restarted after a memory error it reported; your model is safe and the next request starts a fresh engine.' };
  }
  if (oom) {
    return {
      code: 'oom',
      message: `The training engine ran out of memory (${how}). Try a smaller batch size or a smaller model; your model is safe and the next run starts a fresh engine.`,
    };
  }
  return {
    code: 'crash',
    message: `The training engine stopped unexpectedly (${how}). Your model is safe; the next run starts a fresh engine.`,
  };
}

const isRunControl = (op: EngineOp): op is RunControlOp => op === 'engine.stop' || op === 'engine.pause' || op === 'engine.resume';

/** The run (`runId`) or job (`jobId`) a request names, if any. */
function idOf(req: unknown, field: 'runId' | 'jobId'): string | undefined {
  const v: unknown = req && typeof req === 'object' ? Reflect.get(req, field) : undefined;
  return typeof v === 'string' ? v : undefined;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class EngineSupervisor implements EngineClient {
  private proc: EngineProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  /** Runs started on the current process that have not ended yet. */
  private readonly active = new Set<string>();
  /** Where the progress of each followed job goes, by job id. */
  private readonly following = new Map<string, (p: JobProgress) => void>();
  private disposed = false;
  private status: EngineStatus = { state: 'idle' };

  constructor(private readonly opts: SupervisorOptions) {}

  getStatus(): EngineStatus {
    return this.status;
  }

  activeRuns(): string[] {
    return [...this.active];
  }

  /** Call the engine process (started on demand). Live runs are tracked: a run of a dead process fails with the reason. */
  async call<Op extends EngineOp>(op: Op, req: EngineRequest<Op>, job?: JobOptionsOf<Op>): Promise<EngineResponse<Op>> {
    const runId = idOf(req, 'runId');
    if (op === 'engine.train' && runId) return parseEngineResponse(op, await this.train(runId, () => this.send(op, req)));
    // Controls for a run this process does not run (ended, or its process died) answer at once.
    if (isRunControl(op) && !(this.proc && runId && this.active.has(runId))) return parseEngineResponse(op, { ok: false });
    if (job && isJobOp(op)) return parseEngineResponse(op, await this.follow(op, req, job));
    return parseEngineResponse(op, await this.send(op, req));
  }

  /** A job: its progress to `onProgress` while it runs, and `engine.cancel` when `signal` aborts. */
  private async follow<Op extends EngineOp>(op: Op, req: EngineRequest<Op>, job: JobOptionsOf<EngineOp>): Promise<unknown> {
    const jobId = idOf(req, 'jobId') ?? newJobId();
    if (job.onProgress) this.following.set(jobId, job.onProgress);
    const cancel = () => void this.send('engine.cancel', { jobId }).catch(() => undefined);
    const answer = this.send(op, { ...req, jobId });
    if (job.signal?.aborted) cancel();
    job.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await answer;
    } finally {
      job.signal?.removeEventListener('abort', cancel);
      if (this.following.get(jobId) === job.onProgress) this.following.delete(jobId);
    }
  }

  private async train(runId: string, start: () => Promise<unknown>): Promise<{ runId: string }> {
    this.active.add(runId);
    try {
      await start();
    } catch (e) {
      // The process died before answering: onExit already reported the run as failed.
      if (!this.active.has(runId)) return { runId };
      this.active.delete(runId);
      throw e;
    }
    return { runId };
  }

  private send<Op extends EngineOp>(op: Op, request: EngineRequest<Op>): Promise<unknown> {
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        proc.send({ kind: 'call', id, op, request });
      } catch (e) {
        this.pending.delete(id);
        reject(new IpcError('failed', `could not reach the engine process: ${messageOf(e)}`));
      }
    });
  }

  private setStatus(s: EngineStatus) {
    this.status = s;
    this.opts.onStatus?.(s);
  }

  private ensure(): EngineProcess {
    if (this.disposed) throw new IpcError('unavailable', 'the engine is shut down');
    if (this.proc) return this.proc;
    this.setStatus({ state: 'starting' });
    const proc = this.opts.spawn();
    this.proc = proc;
    proc.onMessage((msg) => this.onMessage(proc, msg));
    proc.onExit((info) => this.onExit(proc, info));
    return proc;
  }

  private onMessage(proc: EngineProcess, raw: unknown) {
    const parsed = EngineMessageSchema.safeParse(raw);
    if (proc !== this.proc || !parsed.success) return;
    const msg = parsed.data;
    if (msg.kind === 'ready') {
      if (this.status.state === 'starting') this.setStatus({ state: this.active.size ? 'busy' : 'ready' });
    } else if (msg.kind === 'result') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new IpcError(msg.error.code === 'unavailable' || msg.error.code === 'canceled' ? msg.error.code : 'failed', msg.error.message));
    } else if (msg.kind === 'progress') {
      this.onProgress(msg.progress);
    } else {
      this.onEvent(msg.event);
    }
  }

  private onProgress(raw: unknown) {
    const parsed = JobProgressSchema.safeParse(raw);
    if (!parsed.success) return this.opts.log?.(`engine: dropped an invalid job.progress report: ${parsed.error.issues[0]?.message ?? ''}`);
    this.following.get(parsed.data.jobId)?.(parsed.data);
  }

  private onEvent(raw: unknown) {
    const parsed = TrainEventSchema.safeParse(raw);
    // An invalid event (an engine bug) must never take the host down: drop it and say so.
    if (!parsed.success) return this.opts.log?.(`engine: dropped an invalid train.event event: ${parsed.error.issues[0]?.message ?? ''}`);
    const e = parsed.data;
    if (e.type === 'start') this.setStatus({ state: 'busy', backend: e.backend, runId: e.runId });
    if (e.type === 'end' || e.type === 'error') {
      this.active.delete(e.runId);
      if (!this.active.size) this.setStatus({ state: 'ready', ...(this.status.backend ? { backend: this.status.backend } : {}) });
    }
    this.opts.onTrainEvent(e);
  }

  private onExit(proc: EngineProcess, info: ExitInfo) {
    if (proc !== this.proc) return;
    this.proc = null;
    const { code, message } = describeExit(info);
    this.opts.log?.(`engine process ${proc.pid ?? ''} exited (${info.signal ?? info.code})${info.detail ? `: ${info.detail.slice(-500)}` : ''}`);
    for (const runId of this.active) this.opts.onTrainEvent({ type: 'error', runId, code, message });
    this.active.clear();
    for (const p of this.pending.values()) p.reject(new IpcError('failed', message));
    this.pending.clear();
    this.following.clear();
    if (!this.disposed) this.setStatus({ state: 'crashed', message });
  }

  /** Kill the engine process (the next call starts a new one). */
  restart(): void {
    this.proc?.kill();
  }

  dispose(): void {
    this.disposed = true;
    const proc = this.proc;
    this.proc = null;
    for (const p of this.pending.values()) p.reject(new IpcError('unavailable', 'the engine is shut down'));
    this.pending.clear();
    proc?.kill();
  }
}
