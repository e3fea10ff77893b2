/**
 * Serving the engine API to one caller: each request is validated, routed and its answer validated;
 * the handles of live runs are kept here so that `engine.stop|pause|resume` reach them. The engine
 * process (./worker.ts) serves its message port with one session; the CLI and tests use one
 * in-process (`inProcessEngine`, ./index.ts) through the same typed `call`.
 */
import {
  EngineError, parseEngineRequest, parseEngineResponse,
  type EngineApi, type EngineClient, type EngineDataOp, type EngineFunctions, type EngineOp, type EngineParsedRequest,
  type EngineRequest, type EngineResponse, type RunControlOp, type TrainHandle,
} from '../../shared/engine/api';
import type { ErrorEvent, TrainEvent } from '../../shared/engine/events';
import type { EngineErrorInfo } from '../../shared/engine/protocol';
import { asFatal } from './failures';

export interface EngineSession extends EngineClient {
  /** Serve a request that arrived as data (a message): validated here; the answer is validated by the caller. */
  serve(op: EngineOp, request: unknown): Promise<unknown>;
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

export function createEngineSession(load: () => Promise<EngineApi>, emit: (e: TrainEvent) => void): EngineSession {
  let loading: Promise<EngineApi> | null = null;
  const engine = () => (loading ??= load());
  const runs = new LiveRuns(engine, emit);

  const callData = async <Op extends EngineDataOp>(op: Op, request: unknown): Promise<EngineResponse<Op>> => {
    const req = parseEngineRequest(op, request);
    const api: EngineFunctions = await engine();
    return api[op](req);
  };

  const serve = async (op: EngineOp, request: unknown): Promise<unknown> => {
    if (op === 'engine.train') return runs.start(parseEngineRequest(op, request));
    if (isRunControl(op)) return runs.control(op, parseEngineRequest(op, request).runId);
    return callData(op, request);
  };

  return {
    serve,
    call: async <Op extends EngineOp>(op: Op, req: EngineRequest<Op>) => parseEngineResponse(op, await serve(op, req)),
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
  if (code === 'model' || code === 'data' || code === 'nan' || code === 'unavailable' || code === 'oom') return code;
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
