/**
 * The Python side of a run on this computer: which interpreter, and the command line that runs
 * runner.py on one process or under torchrun.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { RUNNER_FILES } from '../../../../shared/runtime/pytorch-runner';

/** Tried in order when no interpreter is configured. */
export const PYTHON_CANDIDATES = process.platform === 'win32' ? ['python', 'py', 'python3'] : ['/usr/bin/python3', 'python3', 'python'];

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A command name or path → the executable it runs, or null. */
export function resolveExecutable(command: string, pathEnv = process.env.PATH ?? ''): string | null {
  if (isAbsolute(command) || command.includes('/') || command.includes('\\')) return executable(command) ? command : null;
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    for (const ext of exts) if (executable(join(dir, command + ext))) return join(dir, command + ext);
  }
  return null;
}

/** The configured interpreter, or the first candidate found; null when there is none. */
export function findPython(configured?: string): string | null {
  if (configured) return resolveExecutable(configured);
  for (const c of PYTHON_CANDIDATES) {
    const found = resolveExecutable(c);
    if (found) return found;
  }
  return null;
}

export interface RunnerArgs {
  device: string;
  processes: number;
  /** Shown as the run's host (remote runs). */
  hostLabel?: string;
}

/**
 * torchrun on one machine. Not `--standalone`: torch 1.13 gives every standalone run the fixed
 * rendezvous port 29400, so a second run on the same machine joins the first one's store and hangs
 * when that run ends. Port 0 lets each run's store take a free port of its own.
 */
const ONE_MACHINE_RENDEZVOUS = ['--rdzv_backend=c10d', '--rdzv_endpoint=localhost:0', '--rdzv_id=layerloom'];

/**
 * The arguments after the interpreter: `-u runner.py ...`, or torchrun (`-m torch.distributed.run`)
 * with N processes on this machine. `--redirects 2 --tee 2`: torch 1.13's launcher cannot parse its
 * own default ("0") on Python >= 3.11 (Debian's python3-torch); "2" keeps the workers' stdout (the
 * events) on the console and sends their stderr to both.
 */
export function runnerArgs(a: RunnerArgs): string[] {
  const runner = ['-u', RUNNER_FILES.runner, '--device', a.device, '--control', 'stdin', ...(a.hostLabel ? ['--host-label', a.hostLabel] : [])];
  if (a.processes <= 1) return runner;
  return ['-u', '-m', 'torch.distributed.run', ...ONE_MACHINE_RENDEZVOUS, `--nproc_per_node=${a.processes}`, '--redirects', '2', '--tee', '2', ...runner.slice(1)];
}

/** How to make a missing interpreter available, for the failed run's message. */
export function noPythonMessage(configured: string | undefined, where = 'this computer'): string {
  const install = process.platform === 'darwin' ? 'brew install python, then python3 -m pip install torch numpy'
    : process.platform === 'win32' ? 'install Python 3 from python.org, then py -m pip install torch numpy'
      : 'sudo apt install python3 python3-torch (or python3 -m pip install torch numpy)';
  return configured
    ? `No Python interpreter at "${configured}" on ${where}: check the Python path in the runtime settings (--python PATH), or leave it empty to detect one`
    : `No Python interpreter found on ${where} (tried ${PYTHON_CANDIDATES.join(', ')}): ${install}, or set the Python path in the runtime settings (--python PATH)`;
}
