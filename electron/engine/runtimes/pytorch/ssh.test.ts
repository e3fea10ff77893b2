/** What ssh's own failures mean (the real-sshd cases are in remote.test.ts). */
import { describe, expect, it } from 'vitest';
import { RemoteSchema } from '../../../../shared/runtime/options';
import { classifySsh, shq, sshArgs } from './ssh';

const remote = RemoteSchema.parse({ host: 'me@gpu:2222', knownHostsFile: '/k/known_hosts' });

describe('ssh', () => {
  it('always checks host keys and never prompts', () => {
    const args = sshArgs(remote, 'true');
    expect(args.join(' ')).toMatch(/-o BatchMode=yes -o StrictHostKeyChecking=yes/);
    expect(args.slice(-4)).toEqual(['2222', '--', 'me@gpu', 'true']);
    expect(args).toContain('UserKnownHostsFile=/k/known_hosts');
  });

  it('quotes for the remote shell', () => {
    expect(shq("it's")).toBe(`'it'\\''s'`);
  });

  it('names each failure', () => {
    const c = (stderr: string, status = 255) => classifySsh(remote, status, stderr);
    expect(c('ssh: Could not resolve hostname gpu: Name or service not known')).toMatchObject({ code: 'remote', message: expect.stringMatching(/Cannot find the host me@gpu:2222/) });
    expect(c('ssh: connect to host gpu port 2222: Connection timed out')).toMatchObject({ code: 'remote', message: expect.stringMatching(/Cannot reach .*port 2222/) });
    expect(c('No ED25519 host key is known for [gpu]:2222 and you have requested strict checking.\nHost key verification failed.'))
      .toMatchObject({ code: 'hostKey', message: expect.stringMatching(/not known .*ssh-keyscan -p 2222 gpu >> \/k\/known_hosts/) });
    expect(c('me@gpu: Permission denied (publickey).')).toMatchObject({ code: 'remote', message: expect.stringMatching(/refused the key .*ssh-copy-id me@gpu/) });
    expect(c('python3: not found', 127)).toBeNull(); // the remote command's own failure
  });
});
