/**
 * The engine process's entry: a plain Node process (Electron `utilityProcess` in the desktop app,
 * `child_process.fork` in web mode and tests) that receives calls from the supervisor in main over
 * its message port, runs them with the engine API (./index), and sends back results and training
 * events. Long work never runs in main: this process can crash or run out of memory and main
 * survives (electron/host/engine-supervisor.ts).
 *
 * `LAYERLOOM_ENGINE_MODULE` (a path or file URL) replaces the engine module (tests use a fake engine).
 * Missing engine functions answer with an `unavailable` error instead of crashing the process.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isMainThread, workerData } from 'node:worker_threads';
import type { TrainEvent } from '../../shared/engine/events';
import { asFatal, exitAfterFatal } from './failures';

// ── The protocol between the supervisor (main) and this process ───────────────────────────────

export type WorkerMethod = 'initBackend' | 'train' | 'control' | 'evaluate' | 'predict' | 'preview' | 'export' | 'confusionSamples' | 'saliency' | 'augmentPreview' | 'importModel' | 'loadWeights' | 'describeCsv' | 'saveRun';

export interface WorkerCall { kind: 'call'; id: number; method: WorkerMethod; params: unknown }
export type WorkerResult =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: { code: string; message: string } };
export type WorkerMessage = WorkerResult | { kind: 'event'; event: TrainEvent } | { kind: 'ready' };

export interface TrainParams {
  runId: string;
  doc: unknown;
  baseDir?: string;
  outDir?: string;
  overrides?: Record<string, unknown>;
}
export interface ControlParams { runId: string; action: 'stop' | 'pause' | 'resume' }

/** What this process needs from the engine module; every member is optional so a partial engine still loads. */
export interface EngineModule {
  initBackend?: () => Promise<unknown>;
  startTraining?: (
    req: TrainParams,
    emit: (e: TrainEvent) => void,
  ) => { stop(): void; pause(): void; resume(): void; done: Promise<TrainEvent> };
  evaluate?: (req: unknown) => Promise<unknown>;
  predict?: (req: unknown) => Promise<unknown>;
  previewData?: (req: unknown) => Promise<unknown>;
  exportModel?: (req: unknown) => Promise<unknown>;
  /** Open a Keras/TF.js model file as a document: `{ ok: true, doc, warnings } | { ok: false, message, problems }`. */
  importModel?: (req: { path: string; runId?: string; runDir?: string; baseDir?: string }) => Promise<unknown>;
  /** Load a weights file into a document as an "Imported weights" run (see export/imported-run.ts). */
  loadWeights?: (req: { path: string; doc: unknown; runId: string; runDir: string; baseDir?: string }) => Promise<unknown>;
  confusionSamples?: (req: any) => Promise<unknown>;
  saliency?: (req: any) => Promise<unknown>;
  previewAugmentation?: (req: any) => Promise<unknown>;
  describeCsvFile?: (req: any) => Promise<unknown>;
  /** Write a run held in memory into a run folder (a first save keeps the session's runs). */
  saveRun?: (runId: string, dir: string) => Promise<string>;
}

export interface Port {
  send(msg: WorkerMessage): void;
  onMessage(listener: (msg: unknown) => void): void;
}

class WorkerError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Serve calls from `port` with `engine`. Exported for tests; the process entry is at the bottom. */
export function serve(port: Port, loadEngine: () => Promise<EngineModule>): void {
  let enginePromise: Promise<EngineModule> | null = null;
  const engine = () => (enginePromise ??= loadEngine());
  const runs = new Map<string, { stop(): void; pause(): void; resume(): void }>();
  // Runs asked for but not started yet (the engine module still loading): controls that arrive
  // meanwhile are kept and applied at start. A Stop pressed during "Loading data and compiling…"
  // used to be dropped: the run trained to the end while the window said "Stopping…".
  const starting = new Map<string, ControlParams['action'][]>();

  const fn = async <K extends keyof EngineModule>(name: K): Promise<NonNullable<EngineModule[K]>> => {
    const mod = await engine();
    const f = mod[name];
    if (typeof f !== 'function') throw new WorkerError('unavailable', `the training engine does not provide ${name}() yet`);
    // Everything but training itself needs TF.js's backend ready first (training initialises it).
    if (name !== 'initBackend' && name !== 'startTraining') await backendReady(mod);
    return f as NonNullable<EngineModule[K]>;
  };
  let backend: Promise<unknown> | null = null;
  const backendReady = (mod: EngineModule) => {
    if (!mod.initBackend) return Promise.resolve();
    backend ??= mod.initBackend().catch((e) => {
      backend = null; // try again next time
      throw e;
    });
    return backend;
  };

  const train = async (p: TrainParams) => {
    starting.set(p.runId, []);
    let start: NonNullable<EngineModule['startTraining']>;
    try {
      start = await fn('startTraining');
    } catch (e) {
      starting.delete(p.runId);
      throw e;
    }
    const queued = starting.get(p.runId) ?? [];
    starting.delete(p.runId);
    let finished = false;
    const emit = (event: TrainEvent) => {
      if (event.type === 'end' || event.type === 'error') {
        if (finished) return;
        finished = true;
        runs.delete(p.runId);
      }
      port.send({ kind: 'event', event });
    };
    const fail = (e: unknown) =>
      emit({ type: 'error', runId: p.runId, code: trainErrorCode(e), message: (e as Error)?.message ?? String(e) });
    try {
      const handle = start(p, emit);
      runs.set(p.runId, handle);
      for (const action of queued) handle[action]();
      handle.done.then((last) => last && emit(last), fail);
    } catch (e) {
      fail(e);
    }
    return { runId: p.runId };
  };

  const methods: Record<WorkerMethod, (params: any) => Promise<unknown>> = {
    initBackend: async () => (await fn('initBackend'))(),
    train,
    control: async ({ runId, action }: ControlParams) => {
      const run = runs.get(runId);
      if (!run) {
        const queue = starting.get(runId);
        if (!queue) return { ok: false };
        queue.push(action);
        return { ok: true };
      }
      run[action]();
      return { ok: true };
    },
    evaluate: async (p) => (await fn('evaluate'))(p),
    predict: async (p) => (await fn('predict'))(p),
    preview: async (p) => (await fn('previewData'))(p),
    export: async (p) => (await fn('exportModel'))(p),
    confusionSamples: async (p) => (await fn('confusionSamples'))(p),
    saliency: async (p) => (await fn('saliency'))(p),
    augmentPreview: async (p) => (await fn('previewAugmentation'))(p),
    describeCsv: async (p) => (await fn('describeCsvFile'))(p),
    saveRun: async (p: { runId: string; dir: string }) => ({ dir: await (await fn('saveRun'))(p.runId, p.dir) }),
    importModel: async (p: { path: string; runId?: string; runDir?: string; baseDir?: string }) => {
      const mod = await engine();
      if (typeof mod.importModel === 'function') return (await fn('importModel'))(p);
      await backendReady(mod);
      // The exporters' importer; the weights stay in this process (an "Imported weights" run saved
      // into runDir), only the document and the run's id are sent back.
      const { importModelWithRun } = await import('./export/imported-run');
      return importModelWithRun(p);
    },
    loadWeights: async (p: { path: string; doc: any; runId: string; runDir: string; baseDir?: string }) => {
      const mod = await engine();
      if (typeof mod.loadWeights === 'function') return (await fn('loadWeights'))(p);
      await backendReady(mod);
      const { loadWeightsRun } = await import('./export/imported-run');
      return loadWeightsRun(p);
    },
  };

  port.onMessage(async (raw) => {
    const msg = raw as WorkerCall;
    if (!msg || msg.kind !== 'call' || typeof msg.id !== 'number') return;
    const method = Object.hasOwn(methods, msg.method) ? methods[msg.method] : undefined;
    try {
      if (!method) throw new WorkerError('unavailable', `unknown engine call "${String(msg.method)}"`);
      const value = await method(msg.params);
      port.send({ kind: 'result', id: msg.id, ok: true, value: value === undefined ? null : value });
    } catch (e) {
      // A fatal error (the wasm heap can no longer be trusted) ends this process after this reply: exitAfterFatal below.
      const fatal = asFatal(e);
      const error = fatal ? { code: fatal.code, message: fatal.message } : { code: errorCode(e), message: (e as Error)?.message ?? String(e) };
      port.send({ kind: 'result', id: msg.id, ok: false, error });
    }
  });
  port.send({ kind: 'ready' });
}

function errorCode(e: unknown): 'model' | 'data' | 'internal' | 'unavailable' | 'nan' {
  const code = (e as { code?: unknown })?.code;
  if (code === 'model' || code === 'data' || code === 'nan' || code === 'unavailable') return code;
  const name = (e as Error)?.name ?? '';
  if (/Model|Document|UnknownLayerType/.test(name)) return 'model';
  if (/Data/.test(name)) return 'data';
  return 'internal';
}

function trainErrorCode(e: unknown): 'model' | 'data' | 'internal' | 'nan' {
  const c = errorCode(e);
  return c === 'unavailable' ? 'internal' : c;
}

/** The message port of this process: Electron's utilityProcess `parentPort`, or Node's IPC channel. */
function processPort(): Port | null {
  const parentPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(ev: 'message', l: (e: { data: unknown }) => void): void } }).parentPort;
  if (parentPort) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (e) => l(e.data)) };
  }
  if (typeof process.send === 'function') {
    // The parent is gone (even killed without cleanup): do not linger as an orphan.
    process.on('disconnect', () => process.exit(0));
    return { send: (m) => process.send?.(m), onMessage: (l) => process.on('message', l) };
  }
  return null;
}

/** Loads the real engine (or `LAYERLOOM_ENGINE_MODULE`). A missing engine module makes every call `unavailable`. */
export async function loadEngineModule(spec = process.env.LAYERLOOM_ENGINE_MODULE): Promise<EngineModule> {
  if (spec) return (await import(isAbsolute(spec) ? pathToFileURL(spec).href : spec)) as EngineModule;
  try {
    const engine = await import('./index');
    // The engine loads its exporters through a computed path (which a bundle cannot follow): import
    // them statically here and do what its exportModel does around them (weights of a run).
    const exporters = await import('./export/index').catch(() => null);
    if (!exporters) return engine as EngineModule;
    const exportModel = async (raw: unknown) => {
      const req = raw as Record<string, unknown> & { runId?: string; runDir?: string; weightsDir?: string };
      const { runId, runDir, ...rest } = req;
      let weightsDir = req.weightsDir;
      let tmp: string | undefined;
      if (!weightsDir && runId) {
        if (runDir && existsSync(join(runDir, engine.RUN_FILES.weights))) weightsDir = runDir;
        else if (engine.hasRun(runId)) weightsDir = await engine.saveRun(runId, (tmp = await mkdtemp(join(tmpdir(), 'layerloom-run-'))));
        else throw new Error(`No trained run "${runId}" to export weights from: train the model again or export without weights`);
      }
      try {
        return await exporters.exportModel({ ...(rest as unknown as Parameters<typeof exporters.exportModel>[0]), ...(weightsDir ? { weightsDir } : {}) });
      } finally {
        if (tmp) await rm(tmp, { recursive: true, force: true });
      }
    };
    return { ...(engine as EngineModule), exportModel };
  } catch (e) {
    process.stderr.write(`layerloom engine: could not load the engine module: ${(e as Error).message}\n`);
    return {};
  }
}

// The desktop app's bundle is also the entry of data-parallel training threads (kernels/parallel.ts).
if (!isMainThread && (workerData as { layerloomReplica?: boolean } | null)?.layerloomReplica) void import('./parallel/replica-worker');

const port = isMainThread ? processPort() : null;
if (port && process.env.LAYERLOOM_ENGINE_WORKER === '1') {
  serve(exitAfterFatal(port), () => loadEngineModule());
  // Do not let an unexpected rejection in the engine take the process down silently.
  process.on('unhandledRejection', (e) => process.stderr.write(`layerloom engine: unhandled rejection: ${(e as Error)?.stack ?? e}\n`));
}
