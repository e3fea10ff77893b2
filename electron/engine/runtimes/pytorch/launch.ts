/**
 * The PyTorch runtime: a training run whose steps run in Python (this computer, several processes
 * under torchrun, or a remote machine over SSH), with the engine's callback shape:
 *
 *   const h = startPytorchTraining({ runId, doc, baseDir, runDir, runtime: { device: 'auto' } }, emit);
 *   h.pause(); h.resume(); h.stop();     // between batches, like the engine
 *   h.abort();                           // end it now (the app is closing): the process is killed
 *   const last = await h.done;           // the `end` or `error` event; never rejects
 *
 * The events are the engine's (shared/runtime/events.ts): runner.py prints one per line, this file
 * validates each, throttles batch events to one per BATCH_EVENT_INTERVAL_MS like the engine, and
 * watches every batch's loss with the engine's divergence monitor. Every failure is an `error`
 * event whose message names the cause and the fix.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BackendInfo, EndEvent } from '../../../../shared/engine/events';
import {
  RunnerLineSchema, type PytorchBackend, type RuntimeErrorEvent, type RuntimeTrainEvent,
} from '../../../../shared/runtime/events';
import { PytorchRuntimeSchema, type PytorchRuntime, type PytorchRuntimeInput } from '../../../../shared/runtime/options';
import { RUNNER_FILES } from '../../../../shared/runtime/pytorch-runner';
import { initBackend } from '../../backend';
import { DivergenceMonitor, divergenceMessage } from '../../divergence';
import { BATCH_EVENT_INTERVAL_MS, RunError } from '../../train';
import { ModelBuildError } from '../../compile';
import { DataError } from '../../data/types';
import type { TrainRequest } from '../../types';
import { prepareRun, type PreparedRun } from './prepare';
import { findPython, noPythonMessage, runnerArgs } from './python';
import { keepRun, loadTrainedWeights, runtimeRecord } from './result';
import { firstLine, remotePath, RuntimeFailure, scp, shq, sshArgs, sshRun, classifySsh } from './ssh';

export interface PytorchTrainRequest extends Omit<TrainRequest, 'runtime'> {
  runtime: PytorchRuntimeInput;
  /** Where the local working folder is made (default: the system's temporary folder). */
  workRoot?: string;
  /** Keep the local working folder after the run (debugging, benchmarks). */
  keepWorkDir?: boolean;
  /** Minimum time between two forwarded batch events (default: the engine's 100 ms; 0 = every batch). */
  batchEventIntervalMs?: number;
}

export interface RuntimeTrainHandle {
  runId: string;
  stop(): void;
  pause(): void;
  resume(): void;
  /** End the run now: the process is killed (on a remote machine too), the run fails with a message. */
  abort(): void;
  /**
   * Process ids once known: `local` = the process this computer started (python, torchrun or ssh),
   * `runner` = runner.py's process 0 as it reported itself (on the remote machine for SSH runs).
   */
  processes(): { local?: number; runner?: number };
  done: Promise<EndEvent | RuntimeErrorEvent>;
}

/** How long a process gets to end on its own after abort() before it is killed. */
const ABORT_GRACE_MS = 5000;

interface Session {
  req: PytorchTrainRequest;
  emit: (e: RuntimeTrainEvent) => void;
  commands: string[];
  child: ChildProcessWithoutNullStreams | null;
  /** The child leads its own process group (local runs on POSIX: torchrun and its workers end together). */
  group: boolean;
  aborted: boolean;
  /** Process 0's pid as runner.py reported it (ends a cancelled remote run). */
  remotePid?: number;
  /** Called with the process once it runs (control lines queued before are sent then). */
  attach(child: ChildProcessWithoutNullStreams): void;
}

export function startPytorchTraining(req: PytorchTrainRequest, emit: (e: RuntimeTrainEvent) => void): RuntimeTrainHandle {
  const s: Session = {
    req, emit, commands: [], child: null, group: false, aborted: false,
    attach(child) {
      this.child = child;
      for (const c of this.commands) child.stdin.write(`${c}\n`);
    },
  };
  const send = (c: string) => {
    s.commands.push(c);
    if (s.child && s.child.stdin.writable) s.child.stdin.write(`${c}\n`);
  };
  const done = runSession(s).catch((e): RuntimeErrorEvent => {
    const ev: RuntimeErrorEvent = { type: 'error', runId: req.runId, ...describe(e) };
    emit(ev);
    return ev;
  });
  return {
    runId: req.runId,
    stop: () => send('stop'),
    pause: () => send('pause'),
    resume: () => send('resume'),
    abort: () => {
      s.aborted = true;
      send('stop');
      if (s.child) endProcess(s.child, s.group);
    },
    processes: () => ({ local: s.child?.pid, runner: s.remotePid }),
    done,
  };
}

function describe(e: unknown): Omit<RuntimeErrorEvent, 'type' | 'runId'> {
  if (e instanceof RuntimeFailure) return { code: e.code, message: e.message };
  if (e instanceof RunError) return { code: e.code, message: e.message, ...e.extra };
  if (e instanceof ModelBuildError) return { code: 'model', message: e.message, nodeId: e.nodeId };
  if (e instanceof DataError) return { code: 'data', message: e.message };
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return { code: 'disk', message: `No space left on the disk while preparing the run (${err.path ?? err.message}): free some space` };
  return { code: 'internal', message: `The PyTorch run failed: ${err?.message ?? String(e)}` };
}

/** Close stdin (the runner stops at the next batch), then terminate, then kill. */
function endProcess(child: ChildProcessWithoutNullStreams, group: boolean): void {
  child.stdin.end();
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (group && child.pid) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      child.kill(sig);
    }
  };
  setTimeout(() => signal('SIGTERM'), ABORT_GRACE_MS).unref();
  setTimeout(() => signal('SIGKILL'), 2 * ABORT_GRACE_MS).unref();
}

async function runSession(s: Session): Promise<EndEvent | RuntimeErrorEvent> {
  const parsed = PytorchRuntimeSchema.safeParse(s.req.runtime);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const code = issue.path[0] === 'remote' ? 'remote' : issue.path[0] === 'python' ? 'python' : 'device';
    throw new RuntimeFailure(code, `Invalid PyTorch runtime settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const settings = parsed.data;
  if (s.req.overrides?.reweighing ?? s.req.doc.training?.reweighing) {
    throw new RunError('data', 'Reweighing is not applied by the PyTorch runtime yet: train this run with the built-in engine, or export the model to PyTorch (its train.py applies the weights)');
  }
  const inference = await initBackend(s.req.backend);
  const python = settings.remote ? settings.python ?? 'python3' : findPython(settings.python);
  if (!python) throw new RuntimeFailure('python', noPythonMessage(settings.python));
  const run = await prepareRun(s.req, s.req.workRoot);
  let kept = false;
  try {
    const result = await execute(s, { run, settings, python, inference });
    kept = result.type === 'end';
    return result;
  } finally {
    if (!kept) run.compiled.model.dispose();
    if (!s.req.keepWorkDir) await rm(run.dir, { recursive: true, force: true });
  }
}

interface Context {
  run: PreparedRun;
  settings: PytorchRuntime;
  python: string;
  inference: BackendInfo;
}

/** Copy (remote), run, bring the weights back and keep the run. */
async function execute(s: Session, c: Context): Promise<EndEvent | RuntimeErrorEvent> {
  const { run, settings, python } = c;
  const remote = settings.remote;
  const remoteDir = remote ? `${remote.dir.replace(/\/+$/, '')}/${s.req.runId}` : null;
  let outcome: Finished | RuntimeErrorEvent | null = null;
  try {
    if (remote && remoteDir) {
      await sshRun(remote, `mkdir -p ${shq(remoteDir)}`);
      const files = Object.values(RUNNER_FILES).filter((f) => f !== RUNNER_FILES.weights).map((f) => join(run.dir, f));
      await scp(remote, files, remotePath(remote, `${remoteDir}/`));
    }
    if (s.aborted) throw new RuntimeFailure('crash', 'The run was cancelled before it started (the app asked it to end)');
    const args = runnerArgs({ device: settings.device, processes: settings.processes, hostLabel: remote?.host });
    s.group = !remote && process.platform !== 'win32';
    const child = remote && remoteDir
      ? spawn('ssh', sshArgs(remote, `cd ${shq(remoteDir)} && exec ${shq(python)} ${args.map(shq).join(' ')}`), { stdio: 'pipe' })
      : spawn(python, args, { cwd: run.dir, stdio: 'pipe', detached: s.group, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    outcome = await follow(s, child, c);
    if (outcome.type === 'error') {
      s.emit(outcome);
      return outcome;
    }
    const local = join(run.dir, RUNNER_FILES.weights);
    if (remote) await scp(remote, [remotePath(remote, outcome.weightsPath)], local);
    await loadTrainedWeights(run, remote ? local : outcome.weightsPath);
    const record = runtimeRecord(run, {
      backend: outcome.backend, settings, python, history: outcome.history, end: outcome.end, dataset: s.req.dataset ?? s.req.doc.dataset,
    });
    const saved = await keepRun(run, { record, inference: c.inference }, s.req.runDir);
    const end: EndEvent = { ...outcome.end, type: 'end', runId: s.req.runId, ...(saved ? { weightsPath: saved } : {}) };
    s.emit(end);
    return end;
  } finally {
    if (remote && remoteDir) {
      // A cancelled remote run: end its process (it also stops by itself when the connection closes).
      if (s.aborted && s.remotePid) await sshRun(remote, `kill -TERM ${s.remotePid}`).catch(() => undefined);
      if (!remote.keep) await sshRun(remote, `rm -rf -- ${shq(remoteDir)}`).catch(() => undefined);
    }
  }
}

interface Finished {
  type: 'end';
  end: Omit<EndEvent, 'type' | 'runId' | 'weightsPath'>;
  weightsPath: string;
  backend: PytorchBackend;
  history: Record<string, number>[];
}

/**
 * Read the runner's lines until the process ends: forward events (batch events throttled), watch
 * the loss, and turn an ending without an `end` or `error` line into a named failure.
 */
function follow(s: Session, child: ChildProcessWithoutNullStreams, c: Context): Promise<Finished | RuntimeErrorEvent> {
  const { runId } = s.req;
  const { run } = c;
  const interval = s.req.batchEventIntervalMs ?? BATCH_EVENT_INTERVAL_MS;
  const remote = c.settings.remote;
  s.attach(child);
  let stderr = '';
  let spawnError: NodeJS.ErrnoException | null = null;
  let backend: PytorchBackend | null = null;
  let last: Finished | RuntimeErrorEvent | null = null;
  let diverged: RuntimeErrorEvent | null = null;
  let monitor: DivergenceMonitor | null = null;
  let lastEmit = -Infinity;
  const history: Record<string, number>[] = [];
  const batchSize = run.config.start.data.train > 0 ? Math.min(run.config.training.batchSize, run.config.start.data.train) : 1;
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-16_000); });
  child.on('error', (e) => { spawnError = e; });
  child.stdin.on('error', () => undefined); // the process may be gone before a control line arrives

  const onLine = (text: string) => {
    if (!text.trim() || diverged || last) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      stderr = (stderr + `\n${text}`).slice(-16_000); // a stray print (e.g. from model code): not an event
      return;
    }
    const line = RunnerLineSchema.safeParse(json);
    if (!line.success) {
      last = { type: 'error', runId, code: 'internal', message: `runner.py sent an invalid event (${line.error.issues[0]?.message}): ${text.slice(0, 200)}` };
      return;
    }
    const e = line.data;
    switch (e.type) {
      case 'process':
        s.remotePid = e.pid;
        return;
      case 'baseline':
        monitor = new DivergenceMonitor(e.loss, ['loss', ...(run.config.metrics.accuracy ? ['accuracy'] : []), ...(run.config.metrics.mae ? ['mae'] : [])]);
        return;
      case 'start':
        if (e.backend.name === 'pytorch') backend = e.backend;
        s.emit(e);
        return;
      case 'batch': {
        const size = e.batch === e.batches ? run.config.start.data.train - (e.batches - 1) * batchSize : batchSize;
        const d = monitor?.add(Object.values(e.logs), size);
        if (d) {
          diverged = { type: 'error', runId, code: d.code, message: divergenceMessage(d, e, run.cfg.learningRate), epoch: e.epoch, batch: e.batch };
          child.stdin.write('stop\n');
          return;
        }
        const t = performance.now();
        if (interval <= 0 || t - lastEmit >= interval || t < lastEmit) {
          lastEmit = t;
          s.emit(e);
        }
        return;
      }
      case 'epoch':
        history.push(e.logs);
        s.emit(e);
        return;
      case 'end':
        if (!backend) {
          last = { type: 'error', runId, code: 'internal', message: 'runner.py ended without a start event' };
          return;
        }
        last = { type: 'end', end: { reason: e.reason, epochsCompleted: e.epochsCompleted, logs: e.logs, elapsedSec: e.elapsedSec }, weightsPath: e.weightsPath ?? '', backend, history };
        return;
      case 'error':
        last = e;
        return;
      default:
        s.emit(e); // paused / resumed
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);

  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      if (diverged) return resolve(diverged);
      if (s.aborted) return resolve({ type: 'error', runId, code: 'crash', message: 'The run was cancelled before it finished (the app asked it to end)' });
      if (last) return resolve(last);
      const failure = whyItEnded({ status, signal, stderr, spawnError, remote, python: c.python });
      resolve({ type: 'error', runId, code: failure.code, message: failure.message });
    });
  });
}

/** A process that ended without an `end` or `error` line: why, in words a person can act on. */
export function whyItEnded(o: {
  status: number | null; signal: NodeJS.Signals | null; stderr: string; spawnError: NodeJS.ErrnoException | null;
  remote?: PytorchRuntime['remote']; python: string;
}): RuntimeFailure {
  const where = o.remote ? o.remote.host : 'this computer';
  if (o.spawnError?.code === 'ENOENT') {
    return o.remote
      ? new RuntimeFailure('remote', 'The OpenSSH client (ssh) is not installed on this computer: install it (Debian/Ubuntu: sudo apt install openssh-client)')
      : new RuntimeFailure('python', noPythonMessage(o.python));
  }
  if (o.spawnError) return new RuntimeFailure('python', `Cannot start ${o.python}: ${o.spawnError.message}`);
  if (o.remote) {
    const ssh = classifySsh(o.remote, o.status, o.stderr);
    if (ssh) return ssh;
    if (o.status === 127) return new RuntimeFailure('python', `No Python interpreter "${o.python}" on ${where} (${firstLine(o.stderr)}): set the remote Python path in the runtime settings (--python PATH)`);
  }
  if (/No space left on device/i.test(o.stderr)) return new RuntimeFailure('disk', `No space left on the disk of ${where}: free some space (${firstLine(o.stderr)})`);
  if (/MemoryError|out of memory|Cannot allocate memory/i.test(o.stderr)) return new RuntimeFailure('oom', `PyTorch ran out of memory on ${where}: use a smaller batch size or a smaller model (${firstLine(o.stderr)})`);
  if (o.signal === 'SIGKILL' || o.status === 137 || /exitcode\s*:\s*-9|Signals\.SIGKILL/.test(o.stderr)) {
    return new RuntimeFailure('crash', `The PyTorch process on ${where} was killed (SIGKILL), most often by the system when memory runs out: use a smaller batch size or a smaller model, or close other programs`);
  }
  if (o.signal) return new RuntimeFailure('crash', `The PyTorch process on ${where} was ended by ${o.signal} before the run finished`);
  return new RuntimeFailure('crash', `The PyTorch process on ${where} exited (code ${o.status}) without finishing the run: ${firstLine(o.stderr) || 'no message'}`);
}
