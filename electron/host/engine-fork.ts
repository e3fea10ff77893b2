/**
 * Spawning the engine as a plain Node child process (web mode and tests). The desktop app uses
 * Electron's utilityProcess instead (electron/desktop/engine-utility.ts); both speak the same protocol.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineProcess, ExitInfo, SpawnEngine } from './engine-supervisor';

const here = dirname(fileURLToPath(import.meta.url));

export interface ForkOptions {
  /** The worker script; default: electron/engine/worker.ts run through tsx. */
  workerPath?: string;
  /** Replace the engine module (tests: a fake engine). */
  engineModule?: string;
  /** Extra Node flags (e.g. `--max-old-space-size=64`). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Copy the process's stderr to ours (default true). */
  echoStderr?: boolean;
}

export function defaultWorkerPath(): string {
  // Bundled build: dist/electron/engine-worker.mjs beside main; sources: electron/engine/worker.ts.
  const bundled = join(here, 'engine-worker.mjs');
  return existsSync(bundled) ? bundled : resolve(here, '../engine/worker.ts');
}

export function forkEngine(opts: ForkOptions = {}): SpawnEngine {
  return () => {
    const workerPath = opts.workerPath ?? defaultWorkerPath();
    const needsTsx = workerPath.endsWith('.ts');
    const child = fork(workerPath, [], {
      execArgv: [...(needsTsx ? ['--import', 'tsx'] : []), ...(opts.execArgv ?? [])],
      env: {
        ...process.env,
        ...opts.env,
        LAYERLOOM_ENGINE_WORKER: '1',
        ...(opts.engineModule ? { LAYERLOOM_ENGINE_MODULE: opts.engineModule } : {}),
      },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (opts.echoStderr !== false) process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    const exitListeners: ((i: ExitInfo) => void)[] = [];
    let exited = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      const info: ExitInfo = { code, signal, detail: stderrTail.trim() };
      for (const l of exitListeners) l(info);
    };
    // 'close' waits for stderr to drain, so the out-of-memory message is in the tail.
    child.on('close', onExit);
    child.on('error', (e) => {
      stderrTail += `\n${e.message}`;
      if (child.exitCode !== null || child.pid === undefined) onExit(child.exitCode ?? 1, null);
    });
    const proc: EngineProcess = {
      pid: child.pid,
      send: (msg) => {
        if (!child.connected) throw new Error('the engine process is not running');
        child.send(msg);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => exitListeners.push(l),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
    return proc;
  };
}
