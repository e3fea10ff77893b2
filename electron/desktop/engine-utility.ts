/**
 * The desktop app's engine process: an Electron utilityProcess running the bundled worker
 * (dist/electron/engine-worker.mjs). Same protocol as the forked child of web mode.
 */
import type { UtilityProcess } from 'electron';
import type { EngineProcess, ExitInfo, SpawnEngine } from '../host/engine-supervisor';

type Fork = (modulePath: string, args: string[], options: { serviceName: string; stdio: 'pipe'; env: NodeJS.ProcessEnv }) => UtilityProcess;

/** `gone` receives the app's 'child-process-gone' notifications (they carry the 'oom' reason). */
export function utilityEngine(fork: Fork, workerPath: string, env: NodeJS.ProcessEnv, gone: (listener: (pid: number | undefined, reason: string) => void) => () => void): SpawnEngine {
  return () => {
    const child = fork(workerPath, [], { serviceName: 'Layerloom engine', stdio: 'pipe', env: { ...process.env, ...env, LAYERLOOM_ENGINE_WORKER: '1' } });
    let tail = '';
    let oom = false;
    child.stderr?.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail = (tail + d.toString('utf8')).slice(-4000);
    });
    child.stdout?.on('data', (d: Buffer) => process.stdout.write(d));
    const stopListening = gone((pid, reason) => {
      if (pid !== undefined && pid === child.pid && reason === 'oom') oom = true;
    });
    const exitListeners: ((i: ExitInfo) => void)[] = [];
    child.on('exit', (code) => {
      // Let 'child-process-gone' (oom) and the last stderr arrive first.
      setTimeout(() => {
        stopListening();
        for (const l of exitListeners) l({ code, signal: null, oom, detail: tail.trim() });
      }, 50);
    });
    const proc: EngineProcess = {
      get pid() {
        return child.pid;
      },
      send: (msg) => child.postMessage(msg),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => exitListeners.push(l),
      kill: () => {
        child.kill();
      },
    };
    return proc;
  };
}
