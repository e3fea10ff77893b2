/**
 * Test-only: a real OpenSSH server on 127.0.0.1 (a free port), with a throwaway host key, a user key
 * in its authorized_keys and a known_hosts file that holds the host key — all made in a temporary
 * folder and removed by stop(). Key login only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
export interface TestSshd {
  dir: string;
  port: number;
  /** user@127.0.0.1:port */
  host: string;
  identityFile: string;
  knownHostsFile: string;
  /** A known_hosts that records another key for this host (a changed host key). */
  wrongKnownHostsFile: string;
  /** A key the server does not accept. */
  strangerKey: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'layerloom-test', '-f', file]);

async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((r) => {
      const c = createConnection({ port, host: '127.0.0.1' }, () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'loom-sshd-'));
  const hostKey = join(dir, 'host_key');
  const otherHostKey = join(dir, 'other_host_key');
  const identityFile = join(dir, 'user_key');
  const strangerKey = join(dir, 'stranger_key');
  [hostKey, otherHostKey, identityFile, strangerKey].forEach(keygen);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`));
  const port = await freePort();
  const entry = (key: string) => `[127.0.0.1]:${port} ${readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
  writeFileSync(join(dir, 'known_hosts'), entry(hostKey));
  writeFileSync(join(dir, 'wrong_known_hosts'), entry(otherHostKey));
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no',
    'Subsystem sftp /usr/lib/openssh/sftp-server', `AllowUsers ${userInfo().username}`,
  ].join('\n') + '\n');
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true }); // privilege separation folder
  let log = '';
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  await listening(port, child, () => log);
  return {
    dir, port, host: `${userInfo().username}@127.0.0.1:${port}`, identityFile, strangerKey,
    knownHostsFile: join(dir, 'known_hosts'), wrongKnownHostsFile: join(dir, 'wrong_known_hosts'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
