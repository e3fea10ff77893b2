/**
 * Serving the engine API to one caller: each request is validated, routed and its answer validated.
 * Kept here, for every operation alike:
 * - the handles of live runs, so that `engine.stop|pause|resume` reach them;
 * - the running jobs (long operations, shared/engine/job.ts) by id: their progress goes to the
 *   caller, `engine.cancel` aborts their signal and they fail with `canceled`;
 * - one operation at a time per run: an operation naming a run waits for the one before it on that
 *   run (the sanity check swaps the run's weights and Grad-CAM patches a layer while they run; a
 *   predict meanwhile would see them).
 * The engine process (./worker.ts) serves its message port with one session; the CLI and tests use
 * one in-process (`inProcessEngine`, ./index.ts) through the same typed `call`.
 */
import {
  EngineError, isJobOp, parseEngineRequest, parseEngineResponse,
  type EngineApi, type EngineClient, type EngineDataOp, type EngineFunctions, type EngineOp, type EngineParsedRequest,
  type EngineRequest, type EngineResponse, type JobContext, type JobOptionsOf, type RunControlOp, type TrainHandle,
} from '../../shared/engine/api';
import type { ErrorEvent, TrainEvent } from '../../shared/engine/events';
import { newJobId, progressReporter, type JobProgress } from '../../shared/engine/job';
import type { EngineErrorInfo } from '../../shared/engine/protocol';
import { asFatal } from './failures';

export interface EngineSession extends EngineClient {
  /**
   * Serve a request that arrived as data (a message): validated here; the answer is validated by
   * the caller. `onProgress` receives the progress of a job (a request with a `jobId`).
   */
  serve(op: EngineOp, request: unknown, onProgress?: (p: JobProgress) => void): Promise<unknown>;
}

const RUN_ACTIONS = { 'engine.stop': 'stop', 'engine.pause': 'pause', 'engine.resume': 'resume' } as const satisfies Record<RunControlOp, keyof TrainHandle>;
type RunAction = (typeof RUN_ACTIONS)[RunControlOp];

const isRunControl = (op: EngineOp): op is RunControlOp => Object.hasOwn(RUN_ACTIONS, op);

/**
 * Live runs by id. A run asked for while the engine module still loads is `starting`: controls that
 * arrive meanwhile are answered at once and applied when it starts (a Stop pressed during "Loading
 * data and compiling…" must not be dropped).
 */
class LiveRuns {
  private readonly live = new Map<string, TrainHandle>();
  private readonly starting = new Map<string, RunAction[]>();

  constructor(private readonly engine: () => Promise<EngineApi>, private readonly emit: (e: TrainEvent) => void) {}

  async start(req: EngineParsedRequest<'engine.train'>): Promise<{ runId: string }> {
    const { runId } = req;
    this.starting.set(runId, []);
    let api: EngineApi;
    try {
      api = await this.engine();
    } catch (e) {
      this.starting.delete(runId);
      throw e;
    }
    const queued = this.starting.get(runId) ?? [];
    this.starting.delete(runId);
    const emit = this.emitterFor(runId);
    const fail = (e: unknown) => emit({ type: 'error', runId, code: trainErrorCode(e), message: messageOf(e) });
    try {
      const handle = api['engine.train'](req, emit);
      this.live.set(runId, handle);
      for (const action of queued) handle[action]();
      handle.done.then((last) => last && emit(last), fail);
    } catch (e) {
      fail(e);
    }
    return { runId };
  }

  /** Every run ends exactly once: the engine's own end event, or the one `done` resolves with. */
  private emitterFor(runId: string): (e: TrainEvent) => void {
    let finished = false;
    return (event) => {
      if (event.type === 'end' || event.type === 'error') {
        if (finished) return;
        finished = true;
        this.live.delete(runId);
      }
      this.emit(event);
    };
  }

  control(op: RunControlOp, runId: string): { ok: boolean } {
    const action = RUN_ACTIONS[op];
    const run = this.live.get(runId);
    if (run) {
      run[action]();
      return { ok: true };
    }
    const queue = this.starting.get(runId);
    queue?.push(action);
    return { ok: !!queue };
  }
}

/** The `field` of a validated request, when it is a string (`runId`, `jobId`). */
function stringField(req: unknown, field: 'runId' | 'jobId'): string | undefined {
  const v: unknown = req && typeof req === 'object' ? Reflect.get(req, field) : undefined;
  return typeof v === 'string' ? v : undefined;
}

const canceled = (op: EngineOp) => new EngineError('canceled', `${op} was canceled`);

/** Remembers the last `size` ids (bounded: ids come from callers). */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly size: number) {}
  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  delete(id: string): boolean {
    return this.ids.delete(id);
  }
}

/**
 * Running jobs by id. A cancel may overtake its job (the host still locating the run's folder when
 * the renderer cancels): a job that starts after its cancel starts canceled.
 */
class Jobs {
  private readonly running = new Map<string, AbortController>();
  private readonly ended = new RecentIds(256);
  private readonly early = new RecentIds(256);

  open(jobId: string | undefined): AbortController {
    const control = new AbortController();
    if (jobId === undefined) return control;
    if (this.running.has(jobId)) throw new EngineError('invalid-request', `a job "${jobId}" is already running: give each job its own id`);
    this.running.set(jobId, control);
    this.ended.delete(jobId);
    if (this.early.delete(jobId)) control.abort();
    return control;
  }

  close(jobId: string | undefined): void {
    if (jobId === undefined) return;
    this.running.delete(jobId);
    this.ended.add(jobId);
  }

  /** `ok: false`: the job had ended. */
  cancel(jobId: string): { ok: boolean } {
    const job = this.running.get(jobId);
    if (job) job.abort();
    else if (this.ended.has(jobId)) return { ok: false };
    else this.early.add(jobId);
    return { ok: true };
  }
}

/** Waits for `turn`, or rejects as soon as `signal` aborts (a canceled job leaves the queue at once). */
function waitTurn(turn: Promise<void>, signal: AbortSignal, fail: () => Error): Promise<void> {
  if (signal.aborted) return Promise.reject(fail());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(fail());
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** One operation at a time per run, in arrival order. */
export class RunLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async exclusive<T>(runId: string | undefined, signal: AbortSignal, fail: () => Error, work: () => Promise<T>): Promise<T> {
    if (runId === undefined) return work();
    const before = this.tails.get(runId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(runId, tail);
    try {
      await waitTurn(before, signal, fail);
      return await work();
    } finally {
      release();
      if (this.tails.get(runId) === tail) this.tails.delete(runId);
    }
  }
}

export function createEngineSession(load: () => Promise<EngineApi>, emit: (e: TrainEvent) => void): EngineSession {
  let loading: Promise<EngineApi> | null = null;
  const engine = () => (loading ??= load());
  const runs = new LiveRuns(engine, emit);
  const jobs = new Jobs();
  const locks = new RunLocks();

  // Everything before the first `await` runs when the message arrives: a job is registered before
  // a cancel that follows it can be read.
  const callData = async <Op extends EngineDataOp>(op: Op, request: unknown, onProgress?: (p: JobProgress) => void): Promise<EngineResponse<Op>> => {
    const req = parseEngineRequest(op, request);
    const jobId = stringField(req, 'jobId');
    const control = jobs.open(jobId);
    const job: JobContext = { signal: control.signal, onProgress: jobId && onProgress ? progressReporter(jobId, onProgress) : () => undefined };
    try {
      const api: EngineFunctions = await engine();
      if (control.signal.aborted) throw canceled(op); // canceled before it started
      const answer = await locks.exclusive(stringField(req, 'runId'), control.signal, () => canceled(op), () => api[op](req, job));
      if (control.signal.aborted) throw canceled(op);
      return answer;
    } catch (e) {
      throw control.signal.aborted ? canceled(op) : e;
    } finally {
      jobs.close(jobId);
    }
  };

  const serve = async (op: EngineOp, request: unknown, onProgress?: (p: JobProgress) => void): Promise<unknown> => {
    if (op === 'engine.train') return runs.start(parseEngineRequest(op, request));
    if (isRunControl(op)) return runs.control(op, parseEngineRequest(op, request).runId);
    if (op === 'engine.cancel') return jobs.cancel(parseEngineRequest(op, request).jobId);
    return callData(op, request, onProgress);
  };

  /** A job followed in this process: its progress to `onProgress`, its cancel from `signal`. */
  const follow = async (op: EngineOp, req: object, job: JobOptionsOf<EngineOp> | undefined): Promise<unknown> => {
    if (!job || !isJobOp(op)) return serve(op, req);
    const jobId = stringField(req, 'jobId') ?? newJobId();
    const answer = serve(op, { ...req, jobId }, job.onProgress);
    const cancel = () => void jobs.cancel(jobId);
    if (job.signal?.aborted) cancel();
    job.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await answer;
    } finally {
      job.signal?.removeEventListener('abort', cancel);
    }
  };

  return {
    serve,
    call: async <Op extends EngineOp>(op: Op, req: EngineRequest<Op>, job?: JobOptionsOf<Op>) => parseEngineResponse(op, await follow(op, req, job)),
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** How an engine failure crosses the process boundary. */
export function engineErrorInfo(e: unknown): EngineErrorInfo {
  return { code: engineErrorCode(e), message: messageOf(e) };
}

function engineErrorCode(e: unknown): EngineErrorInfo['code'] {
  if (e instanceof EngineError) return e.code;
  if (asFatal(e)) return 'fatal';
  const code = e && typeof e === 'object' && 'code' in e ? e.code : undefined;
  if (code === 'model' || code === 'data' || code === 'nan' || code === 'unavailable' || code === 'oom' || code === 'canceled') return code;
  const name = e instanceof Error ? e.name : '';
  if (/Model|Document|UnknownLayerType/.test(name)) return 'model';
  if (/Data/.test(name)) return 'data';
  return 'internal';
}

function trainErrorCode(e: unknown): ErrorEvent['code'] {
  const fatal = asFatal(e);
  if (fatal) return fatal.reportAs;
  const c = engineErrorCode(e);
  return c === 'model' || c === 'data' || c === 'nan' || c === 'oom' ? c : 'internal';
}
