/**
 * Where and how a PyTorch run trains. Machine settings (the settings file, the Training panel, CLI
 * flags), recorded in the run's record, never written into the .loom document.
 */
import { z } from 'zod';

/** `auto` → cuda, then mps, then cpu; or one of those explicitly (`cuda:1` picks a GPU). */
export const DeviceSchema = z.string().regex(/^(auto|cpu|mps|cuda(:\d{1,2})?)$/, 'device must be auto, cpu, mps, cuda or cuda:N');
export type Device = z.infer<typeof DeviceSchema>;

/** `user@host` or `host`, with an optional `:port`; names as ssh accepts them (also ~/.ssh/config aliases), never an option (-x). */
export const SshHostSchema = z.string().regex(/^([A-Za-z0-9._][A-Za-z0-9._-]*@)?[A-Za-z0-9._][A-Za-z0-9._-]*(:\d{1,5})?$/, 'host must look like user@host or user@host:port');

/** A folder on the remote machine: relative to the remote home (also as ~/...), or absolute; no shell characters. */
export const RemoteDirSchema = z.string().regex(/^(~\/)?[A-Za-z0-9._/-]+$/, 'remote folder: letters, digits, . _ - / only (~/ at the start)').max(512)
  .transform((d) => d.replace(/^~\//, '')); // ssh and scp start in the home folder: ~/x is x


export const RemoteSchema = z.object({
  host: SshHostSchema,
  /** Working folder on the remote machine; each run gets `<dir>/<runId>/`. */
  dir: RemoteDirSchema.default('.layerloom/runs'),
  /** Private key for ssh -i (default: ssh's own choice, ~/.ssh/config included). */
  identityFile: z.string().max(4096).optional(),
  /** known_hosts file to check the host key against (default: ssh's, ~/.ssh/known_hosts). */
  knownHostsFile: z.string().max(4096).optional(),
  /** Keep the remote run folder (code, data, weights) after the run; default: removed. */
  keep: z.boolean().default(false),
});
export type Remote = z.output<typeof RemoteSchema>;

export const PytorchRuntimeSchema = z.object({
  /** The interpreter: a path or a command name (remote: on the remote machine). Default: auto-detected (remote: python3). */
  python: z.string().min(1).max(4096).optional(),
  device: DeviceSchema.default('auto'),
  /** Processes per machine: more than 1 runs under torchrun (DistributedDataParallel). */
  processes: z.number().int().min(1).max(64).default(1),
  remote: RemoteSchema.optional(),
});
export type PytorchRuntime = z.output<typeof PytorchRuntimeSchema>;
export type PytorchRuntimeInput = z.input<typeof PytorchRuntimeSchema>;

/** `user@host:port` → ssh's host argument and port. */
export function splitHost(host: string): { host: string; port?: number } {
  const m = /^(.*):(\d+)$/.exec(host);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host };
}

/**
 * The runtime part of the app's settings file (electron/host/settings.ts): which runtime the Train
 * button uses and the PyTorch options. Machine settings: never in the .loom document.
 */
export const RuntimeSettingsSchema = z.object({
  /** `app`: this app's engine; `pytorch`: a Python process with PyTorch (here or over SSH). */
  choice: z.enum(['app', 'pytorch']).default('app'),
  /** The interpreter on this computer; empty: detected (docs/runtimes.md). */
  python: z.string().max(4096).default(''),
  device: DeviceSchema.default('auto'),
  processes: z.number().int().min(1).max(64).default(1),
  /** The saved remote machines. */
  hosts: z.array(RemoteSchema).max(50).default([]),
  /** Where runs train: null = this computer, else the `host` of one of `hosts`. */
  where: SshHostSchema.nullable().default(null),
});
export type RuntimeSettings = z.output<typeof RuntimeSettingsSchema>;

/** The runtime settings, defaults filled (a settings file without them: this app). */
export const runtimeSettingsOf = (s: z.input<typeof RuntimeSettingsSchema> | undefined): RuntimeSettings => RuntimeSettingsSchema.parse(s ?? {});

/** The PyTorch runtime the settings describe (remote: the saved host chosen in `where`; its Python is python3 there). */
export function pytorchRuntimeOf(s: RuntimeSettings): PytorchRuntime {
  const remote = s.where === null ? undefined : s.hosts.find((h) => h.host === s.where);
  if (s.where !== null && !remote) throw new Error(`The remote host ${s.where} is not among the saved hosts: choose it again in the Training panel`);
  return PytorchRuntimeSchema.parse({
    device: s.device, processes: s.processes,
    ...(remote ? { remote } : s.python.trim() ? { python: s.python.trim() } : {}),
  });
}

/** The answer of a runtime check: the interpreter found and its PyTorch, or what is missing and how to fix it. */
export const RuntimeCheckSchema = z.object({
  ok: z.boolean(),
  /** The interpreter used (a path here; the command name on a remote machine); empty when none was found. */
  python: z.string(),
  /** torch.__version__ when PyTorch loads. */
  torch: z.string().optional(),
  /** What the check found, in a sentence: the version and devices, or the failure with its fix. */
  message: z.string(),
  /** The command that installs what is missing (no interpreter, no PyTorch). */
  install: z.string().optional(),
});
export type RuntimeCheck = z.infer<typeof RuntimeCheckSchema>;
