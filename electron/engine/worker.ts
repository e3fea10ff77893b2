/**
 * The engine process's entry: a plain Node process (Electron `utilityProcess` in the desktop app,
 * `child_process.fork` in web mode and tests) that serves the engine API (shared/engine/api.ts) on
 * its message port: each call's request is validated, run by the engine (./api.ts) through a
 * session (./session.ts), and its answer validated before it goes back; training events and the
 * progress of jobs are forwarded. Long work never runs in the host: this process can crash or run out of memory and the
 * host survives (electron/host/engine-supervisor.ts).
 *
 * `LAYERLOOM_ENGINE_MODULE` (a path or file URL of a module exporting `engineApi`) replaces the
 * engine (tests use a fake one, typed as `EngineApi`).
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { EngineError, ENGINE_OPS, isEngineOp, parseEngineResponse, type EngineApi, type SessionOp } from '../../shared/engine/api';
import { EngineCallSchema, type EngineMessage } from '../../shared/engine/protocol';
import { createEngineSession, engineErrorInfo } from './session';
import { exitAfterFatal } from './failures';

export interface Port {
  send(msg: EngineMessage): void;
  onMessage(listener: (msg: unknown) => void): void;
}

/** Serve calls from `port` with the engine `load` gives (loaded on the first call). Exported for tests; the process entry is at the bottom. */
export function serve(port: Port, load: () => Promise<EngineApi>): void {
  const session = createEngineSession(load, (event) => port.send({ kind: 'event', event }));
  port.onMessage(async (raw) => {
    const call = EngineCallSchema.safeParse(raw);
    if (!call.success) return;
    const { id, op, request } = call.data;
    try {
      if (!isEngineOp(op)) throw new EngineError('unavailable', `unknown engine operation "${op}"`);
      const value = parseEngineResponse(op, await session.serve(op, request, (progress) => port.send({ kind: 'progress', progress })));
      port.send({ kind: 'result', id, ok: true, value });
    } catch (e) {
      // A fatal error (the wasm heap can no longer be trusted) ends this process after this reply (exitAfterFatal).
      port.send({ kind: 'result', id, ok: false, error: engineErrorInfo(e) });
    }
  });
  port.send({ kind: 'ready' });
}

/** The message port of this process: Electron's utilityProcess `parentPort`, or Node's IPC channel. */
interface ParentPort {
  postMessage(m: unknown): void;
  on(ev: 'message', l: (e: { data: unknown }) => void): void;
}
const isParentPort = (p: unknown): p is ParentPort =>
  !!p && typeof p === 'object' && typeof Reflect.get(p, 'postMessage') === 'function' && typeof Reflect.get(p, 'on') === 'function';

function processPort(): Port | null {
  // Electron adds `parentPort` to a utilityProcess's `process` (not in Node's types: the engine imports no Electron).
  const parentPort: unknown = Reflect.get(process, 'parentPort');
  if (isParentPort(parentPort)) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (e) => l(e.data)) };
  }
  if (typeof process.send === 'function') {
    // The parent is gone (even killed without cleanup): do not linger as an orphan.
    process.on('disconnect', () => process.exit(0));
    return { send: (m) => process.send?.(m), onMessage: (l) => process.on('message', l) };
  }
  return null;
}

/** The members an engine module must provide (run controls and cancels are served by the session). */
const SESSION_OPS: readonly string[] = ['engine.stop', 'engine.pause', 'engine.resume', 'engine.cancel'] satisfies SessionOp[];
const API_MEMBERS = ENGINE_OPS.filter((op): op is Exclude<typeof op, SessionOp> => !SESSION_OPS.includes(op));

/** `mod.engineApi`, when it provides every operation (a module loaded by path is not type-checked here). */
export function engineApiOf(mod: unknown, from: string): EngineApi {
  const api: unknown = mod && typeof mod === 'object' && 'engineApi' in mod ? mod.engineApi : undefined;
  if (isEngineApi(api)) return api;
  const missing = api && typeof api === 'object' ? API_MEMBERS.filter((op) => typeof Reflect.get(api, op) !== 'function') : ['engineApi'];
  throw new EngineError('unavailable', `${from} does not provide ${missing.join(', ')}`);
}

function isEngineApi(api: unknown): api is EngineApi {
  return !!api && typeof api === 'object' && API_MEMBERS.every((op) => typeof Reflect.get(api, op) === 'function');
}

/** Loads the real engine (or `LAYERLOOM_ENGINE_MODULE`). An engine that fails to load makes every call `unavailable`. */
export async function loadEngineApi(spec = process.env.LAYERLOOM_ENGINE_MODULE): Promise<EngineApi> {
  try {
    if (spec) return engineApiOf(await import(/* @vite-ignore */ isAbsolute(spec) ? pathToFileURL(spec).href : spec), spec);
    return (await import('./api')).engineApi;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`layerloom engine: could not load the engine module: ${message}\n`);
    throw e instanceof EngineError ? e : new EngineError('unavailable', `the training engine could not be loaded: ${message}`);
  }
}

// The desktop app's bundle is also the entry of data-parallel training threads (kernels/parallel.ts).
const data: unknown = workerData;
if (!isMainThread && data && typeof data === 'object' && 'layerloomReplica' in data && data.layerloomReplica) void import('./parallel/replica-worker');

const port = isMainThread ? processPort() : null;
if (port && process.env.LAYERLOOM_ENGINE_WORKER === '1') {
  serve(exitAfterFatal(port), () => loadEngineApi());
  // Do not let an unexpected rejection in the engine take the process down silently.
  process.on('unhandledRejection', (e) => process.stderr.write(`layerloom engine: unhandled rejection: ${e instanceof Error ? e.stack : String(e)}\n`));
}
