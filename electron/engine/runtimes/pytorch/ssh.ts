/**
 * Remote runs through the system's OpenSSH client: `ssh` for commands (and the run itself, whose
 * stdout streams the events back), `scp` for files. Key-based only (BatchMode: never a password
 * prompt), host keys always checked (StrictHostKeyChecking=yes: an unknown or changed host key is a
 * failed run that says how to verify and add it, never silently accepted).
 */
import { spawn } from 'node:child_process';
import { splitHost, type Remote } from '../../../../shared/runtime/options';
import type { RuntimeErrorCode } from '../../../../shared/runtime/events';

/** A failure a person can act on: the error event's code and message. */
export class RuntimeFailure extends Error {
  constructor(readonly code: RuntimeErrorCode, message: string) {
    super(message);
    this.name = 'RuntimeFailure';
  }
}

/** Options shared by ssh and scp (`-p`/`-P` differ and are added by the callers). */
function commonOptions(r: Remote): string[] {
  return [
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=20',
    '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4', '-o', 'LogLevel=ERROR',
    ...(r.knownHostsFile ? ['-o', `UserKnownHostsFile=${r.knownHostsFile}`] : []),
    ...(r.identityFile ? ['-i', r.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
  ];
}

export function sshArgs(r: Remote, command: string): string[] {
  const { host, port } = splitHost(r.host);
  return [...commonOptions(r), ...(port ? ['-p', String(port)] : []), '--', host, command];
}

export function scpArgs(r: Remote, from: string[], to: string): string[] {
  const { port } = splitHost(r.host);
  return ['-q', ...commonOptions(r), ...(port ? ['-P', String(port)] : []), '--', ...from, to];
}

/** `host:path` for scp. */
export function remotePath(r: Remote, path: string): string {
  return `${splitHost(r.host).host}:${path}`;
}

/** A word quoted for the remote POSIX shell. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * What ssh's exit status 255 and its stderr mean, as a failed run's code and message; null when the
 * failure is not ssh's own (the remote command failed).
 */
export function classifySsh(r: Remote, status: number | null, stderr: string): RuntimeFailure | null {
  const { host, port } = splitHost(r.host);
  const where = `${r.host}`;
  const hostOnly = host.replace(/^.*@/, '');
  const keyscan = `ssh-keyscan ${port ? `-p ${port} ` : ''}${hostOnly} >> ${r.knownHostsFile ?? '~/.ssh/known_hosts'}`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) {
    return new RuntimeFailure('hostKey', `The host key of ${where} has CHANGED since it was recorded in ${r.knownHostsFile ?? '~/.ssh/known_hosts'}: this can be an attack, or a reinstalled machine. Ask its administrator for the new key's fingerprint before replacing the old entry (ssh-keygen -R ${hostOnly})`);
  }
  if (/Host key verification failed|No .* host key is known/i.test(stderr)) {
    return new RuntimeFailure('hostKey', `The host key of ${where} is not known (checked against ${r.knownHostsFile ?? '~/.ssh/known_hosts'}), so the connection was refused: verify the machine's fingerprint, then add it, e.g. with "ssh ${port ? `-p ${port} ` : ''}${host}" once in a terminal or "${keyscan}"`);
  }
  if (/Permission denied|Too many authentication failures|no mutual signature|Load key .*: /i.test(stderr)) {
    return new RuntimeFailure('remote', `${where} refused the key (${firstLine(stderr)}): add your public key to ~/.ssh/authorized_keys there (ssh-copy-id ${host}), or choose the right key file in the runtime settings`);
  }
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(stderr)) {
    return new RuntimeFailure('remote', `Cannot find the host ${where} (${firstLine(stderr)}): check the host name, or your network`);
  }
  if (/Connection refused|Connection timed out|No route to host|Network is unreachable|Connection closed by|Connection reset|timed out|kex_exchange_identification/i.test(stderr)) {
    return new RuntimeFailure('remote', `Cannot reach ${where} (${firstLine(stderr)}): check that the machine is on, that its SSH server runs${port ? ` on port ${port}` : ''}, and your network`);
  }
  if (status === 255) return new RuntimeFailure('remote', `SSH to ${where} failed: ${firstLine(stderr) || 'no message'}`);
  return null;
}

export function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).slice(-1)[0]?.slice(0, 300) ?? '';
}

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a program to its end, collecting its output (spawn errors such as ENOENT reject). */
export function run(program: string, args: string[], input?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

function missingClient(e: unknown, program: string): never {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new RuntimeFailure('remote', `The OpenSSH client (${program}) is not installed on this computer: install it (Debian/Ubuntu: sudo apt install openssh-client; Windows: Settings › Optional features › OpenSSH Client)`);
  }
  throw e;
}

/** Run a command on the remote machine; ssh's own failures become a RuntimeFailure. */
export async function sshRun(r: Remote, command: string): Promise<Finished> {
  const f = await run('ssh', sshArgs(r, command)).catch((e) => missingClient(e, 'ssh'));
  const failure = classifySsh(r, f.status, f.stderr);
  if (failure) throw failure;
  return f;
}

/** Copy with scp (local files to `host:dir/`, or `host:file` to a local path). */
export async function scp(r: Remote, from: string[], to: string): Promise<void> {
  const f = await run('scp', scpArgs(r, from, to)).catch((e) => missingClient(e, 'scp'));
  if (f.status === 0) return;
  const failure = classifySsh(r, f.status, f.stderr);
  if (failure) throw failure;
  if (/No space left/i.test(f.stderr)) throw new RuntimeFailure('disk', `No space left while copying to ${to}: free some space there`);
  throw new RuntimeFailure('remote', `Copying ${from.length === 1 ? from[0] : `${from.length} files`} to ${to} failed: ${firstLine(f.stderr) || `scp exited with ${f.status}`}`);
}
