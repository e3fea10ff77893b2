/**
 * `layerloom train --runtime pytorch ...`: the runtime flags → PyTorch runtime settings (validated by
 * their schema), and the backend line of the human output.
 */
import type { PytorchBackend } from '../../shared/runtime/events';
import { PytorchRuntimeSchema, type PytorchRuntimeInput } from '../../shared/runtime/options';

export const RUNTIME_FLAGS = ['--runtime', '--python', '--device', '--nproc', '--host', '--remote-dir', '--ssh-key'] as const;
type Flags = Partial<Record<(typeof RUNTIME_FLAGS)[number], string>>;

export const RUNTIME_HELP = `  --runtime R         app (default: this app's engine) or pytorch (runner.py with your Python + PyTorch)
  --python PATH       the Python interpreter (pytorch; default: /usr/bin/python3, python3, python — remote: python3)
  --device D          auto (cuda, mps, cpu), cpu, cuda, cuda:N or mps (pytorch)
  --nproc N           processes on the machine: N > 1 runs under torchrun (DistributedDataParallel)
  --host USER@HOST[:PORT]  train on that machine over SSH (key login, known host keys only)
  --remote-dir DIR    the working folder there (default .layerloom/runs, under the remote home)
  --ssh-key FILE      the private key for --host (default: ssh's own choice, ~/.ssh/config)
`;

/** null for the app's engine; the settings for PyTorch; a usage message when the flags do not fit. */
export function runtimeFromFlags(f: Flags): { runtime: PytorchRuntimeInput | null } | { usage: string } {
  const r = f['--runtime'] ?? 'app';
  if (r !== 'app' && r !== 'pytorch') return { usage: '--runtime must be app or pytorch' };
  const extra = RUNTIME_FLAGS.filter((k) => k !== '--runtime' && f[k] !== undefined);
  if (r === 'app') return extra.length ? { usage: `${extra.join(', ')} need --runtime pytorch` } : { runtime: null };
  if ((f['--remote-dir'] || f['--ssh-key']) && !f['--host']) return { usage: '--remote-dir and --ssh-key need --host' };
  const nproc = f['--nproc'] === undefined ? undefined : Number(f['--nproc']);
  const input: PytorchRuntimeInput = {
    ...(f['--python'] ? { python: f['--python'] } : {}),
    ...(f['--device'] ? { device: f['--device'] } : {}),
    ...(nproc !== undefined ? { processes: nproc } : {}),
    ...(f['--host'] ? { remote: { host: f['--host'], ...(f['--remote-dir'] ? { dir: f['--remote-dir'] } : {}), ...(f['--ssh-key'] ? { identityFile: f['--ssh-key'] } : {}) } } : {}),
  };
  const parsed = PytorchRuntimeSchema.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const flag = { python: '--python', device: '--device', processes: '--nproc', remote: i.path[1] === 'dir' ? '--remote-dir' : '--host' }[String(i.path[0])] ?? '';
    return { usage: `${flag} ${f[flag as keyof Flags] ?? ''}: ${i.message}`.trim() };
  }
  return { runtime: input };
}

/** "PyTorch 1.13.0 on cpu (1 thread), 2 processes, at user@host — reason". */
export function describePytorchBackend(b: PytorchBackend): string {
  const threads = b.threads ? ` (${b.threads} thread${b.threads === 1 ? '' : 's'})` : '';
  const procs = b.processes > 1 ? `, ${b.processes} processes` : '';
  return `PyTorch ${b.torch} on ${b.device}${threads}${procs}${b.host ? ` at ${b.host}` : ''}${b.reason ? ` — ${b.reason}` : ''}`;
}
