/**
 * "Check" in the runtime settings: does the PyTorch runtime find an interpreter that loads PyTorch
 * and NumPy, here or on the chosen remote machine? Answers with the version and devices, or with
 * the cause and the install line: the same words a failed run would give, before any run.
 */
import type { PytorchRuntime, RuntimeCheck } from '../../../../shared/runtime/options';
import { findPython, noPythonMessage } from './python';
import { firstLine, run, RuntimeFailure, shq, sshRun, type Finished } from './ssh';

/** Prints torch's version and the devices it can use; exits 3 naming the module that fails to load. */
const PROBE = [
  'import sys',
  'try:\n    import numpy\nexcept Exception as e:\n    print("numpy", type(e).__name__, e); sys.exit(3)',
  'try:\n    import torch\nexcept Exception as e:\n    print("torch", type(e).__name__, e); sys.exit(3)',
  'mps = getattr(torch.backends, "mps", None)',
  'print(torch.__version__, torch.cuda.device_count() if torch.cuda.is_available() else 0, int(bool(mps and mps.is_available())))',
].join('\n');

const TIMEOUT_MS = 90_000;

function installLine(python: string, remote: boolean): string {
  const pip = `"${python}" -m pip install torch numpy`;
  if (remote || process.platform === 'linux') return `${pip}   (Debian/Ubuntu: sudo apt install python3-torch python3-numpy)`;
  return process.platform === 'win32' ? 'py -m pip install torch numpy' : pip;
}

/** The probe's output as a check result. */
function verdict(python: string, f: Finished, where: string, remote: boolean): RuntimeCheck {
  const out = f.stdout.trim();
  if (f.status === 0) {
    const [torch = '?', cuda = '0', mps = '0'] = out.split(/\s+/);
    const devices = [Number(cuda) > 0 ? `${cuda} CUDA GPU${Number(cuda) > 1 ? 's' : ''}` : '', mps === '1' ? 'MPS' : '', 'CPU'].filter(Boolean).join(', ');
    return { ok: true, python, torch, message: `PyTorch ${torch} with ${python} on ${where} (devices: ${devices})` };
  }
  const m = /^(numpy|torch) (.*)$/m.exec(out);
  if (m) {
    return {
      ok: false, python, install: installLine(python, remote),
      message: `${m[1] === 'torch' ? 'PyTorch' : 'NumPy'} cannot be loaded by ${python} on ${where} (${m[2]}): install it, or choose another Python`,
    };
  }
  if (f.status === 127) return { ok: false, python: '', message: noPythonMessage(python, where), install: installLine('python3', remote) };
  return { ok: false, python, message: `${python} on ${where} failed (${firstLine(f.stderr) || `exit ${f.status ?? f.signal}`})` };
}

/** Run `program args` with a time limit: a hung interpreter or connection is a failed check, not a hung app. */
async function probe(program: string, args: string[]): Promise<Finished> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([run(program, args), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkPytorchRuntime(rt: PytorchRuntime): Promise<RuntimeCheck> {
  try {
    if (rt.remote) {
      const python = rt.python ?? 'python3';
      const f = await sshRun(rt.remote, `${shq(python)} -c ${shq(PROBE)}`);
      return verdict(python, f, rt.remote.host, true);
    }
    const python = findPython(rt.python);
    if (!python) return { ok: false, python: '', message: noPythonMessage(rt.python), install: installLine('python3', false) };
    return verdict(python, await probe(python, ['-c', PROBE]), 'this computer', false);
  } catch (e) {
    // ssh's own failures (host key, refused key, unreachable) carry their message and fix.
    const message = e instanceof RuntimeFailure ? e.message : `The check failed: ${(e as Error).message}`;
    return { ok: false, python: rt.python ?? '', message };
  }
}
