/**
 * Remote runs over a real OpenSSH server (127.0.0.1, free port, throwaway keys, host-key checking
 * on): a 1-epoch training streams its events back and brings its weights home (the engine's
 * evaluation of them reproduces the run's validation loss) and leaves no folder behind; a run the
 * app cancels leaves no process behind; an unknown or changed host key, a refused key, an
 * unreachable host and a missing remote Python are named failed runs.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../../../scripts/needs';
import type { TrainingConfig } from '../../../../shared/document';
import { RuntimeTrainEventSchema, type RuntimeTrainEvent } from '../../../../shared/runtime/events';
import { PytorchRuntimeSchema, type PytorchRuntimeInput } from '../../../../shared/runtime/options';
import { initBackend } from '../../backend';
import { evaluateRun } from '../../evaluate';
import { disposeRun } from '../../runs';
import { checkPytorchRuntime } from './check';
import { startPytorchTraining } from './launch';
import { startSshd, type TestSshd } from './sshd';
import { maxRelDiff, PY, TEMPLATES, template } from './test-support';

const doc = template('logistic-regression');

needs('sshd', 'ssh').describe('PyTorch runtime over SSH', () => {
  let sshd: TestSshd;
  let remoteDir: string;
  beforeAll(async () => {
    await initBackend('wasm');
    sshd = await startSshd();
    remoteDir = join(sshd.dir, 'remote-runs');
    mkdirSync(remoteDir);
  });
  afterAll(async () => {
    disposeRun('remote-1');
    await sshd?.stop();
  });

  const runtime = (over: Partial<NonNullable<PytorchRuntimeInput['remote']>> = {}, python = PY): PytorchRuntimeInput => ({
    python, remote: { host: sshd.host, dir: remoteDir, identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile, ...over },
  });
  const start = (runId: string, rt: PytorchRuntimeInput, overrides: Partial<TrainingConfig>, on?: (e: RuntimeTrainEvent, h: ReturnType<typeof startPytorchTraining>) => void) => {
    const events: RuntimeTrainEvent[] = [];
    const h: ReturnType<typeof startPytorchTraining> = startPytorchTraining({ runId, doc, baseDir: TEMPLATES, overrides, runtime: rt, batchEventIntervalMs: 0 }, (e) => {
      events.push(RuntimeTrainEventSchema.parse(e));
      on?.(e, h);
    });
    return { h, events, done: h.done };
  };

  needs('torch.distributed.run').describe('with PyTorch on the remote machine', () => {
  it.concurrent('one epoch over SSH: events stream back, the weights come home, nothing is left there', async () => {
    const run = start('remote-1', runtime(), { epochs: 1 });
    const last = await run.done;
    expect(last.type === 'error' ? last.message : last.type).toBe('end');
    const s = run.events.find((e) => e.type === 'start');
    expect(s?.type === 'start' && s.backend).toMatchObject({ name: 'pytorch', host: sshd.host, processes: 1 });
    expect(run.events.filter((e) => e.type === 'batch').length).toBe(s?.type === 'start' ? s.batchesPerEpoch : -1);
    const epoch = run.events.find((e) => e.type === 'epoch');
    const ev = await evaluateRun('remote-1', { split: 'validation' });
    expect(maxRelDiff([ev.logs.loss!], [epoch?.type === 'epoch' ? epoch.logs.val_loss! : NaN])).toBeLessThan(1e-4);
    expect(existsSync(join(remoteDir, 'remote-1'))).toBe(false);
  }, 300_000);

  it.concurrent('a run the app cancels ends on the remote machine too', async () => {
    const run = start('remote-cancel', runtime(), { epochs: 100_000 }, (e, h) => {
      if (e.type === 'batch' && e.epoch === 2 && e.batch === 1) h.abort();
    });
    const last = await run.done;
    expect(last).toMatchObject({ type: 'error', code: 'crash' });
    expect(last.type === 'error' && last.message).toMatch(/cancelled/);
    const pid = run.h.processes().runner;
    expect(pid).toBeGreaterThan(0);
    // The server is this machine: runner.py's process must be gone (no orphan), within the runner's 30 s.
    for (let i = 0; i < 600 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(readdirSync(remoteDir)).not.toContain('remote-cancel');
  }, 300_000);
  });

  it('an unknown host key is refused, never accepted', async () => {
    const last = await start('unknown-key', runtime({ knownHostsFile: join(sshd.dir, 'empty_known_hosts') }), { epochs: 1 }).done;
    expect(last).toMatchObject({ type: 'error', code: 'hostKey' });
    expect(last.type === 'error' && last.message).toMatch(/host key of .*127\.0\.0\.1.* is not known.*verify the machine's fingerprint/);
  });

  it('Check over SSH: PyTorch found there; an unknown host key refused, never accepted', async () => {
    const found = await checkPytorchRuntime(PytorchRuntimeSchema.parse(runtime()));
    expect(found).toMatchObject({ ok: true, python: PY });
    expect(found.message).toMatch(new RegExp(`PyTorch \\d\\S* with ${PY} on ${sshd.host}`));
    const refused = await checkPytorchRuntime(PytorchRuntimeSchema.parse(runtime({ knownHostsFile: join(sshd.dir, 'empty_known_hosts') })));
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/host key of .*127\.0\.0\.1.* is not known.*verify the machine's fingerprint/);
  });

  it('a changed host key is refused', async () => {
    const last = await start('wrong-key', runtime({ knownHostsFile: sshd.wrongKnownHostsFile }), { epochs: 1 }).done;
    expect(last).toMatchObject({ type: 'error', code: 'hostKey' });
    expect(last.type === 'error' && last.message).toMatch(/host key of .* has CHANGED.*fingerprint/);
  });

  it('a key the server does not accept', async () => {
    const last = await start('stranger', runtime({ identityFile: sshd.strangerKey }), { epochs: 1 }).done;
    expect(last).toMatchObject({ type: 'error', code: 'remote' });
    expect(last.type === 'error' && last.message).toMatch(/refused the key.*authorized_keys/);
  });

  it('an unreachable host', async () => {
    const closed = sshd.host.replace(/:\d+$/, ':1');
    const last = await start('unreachable', { ...runtime(), remote: { ...runtime().remote!, host: closed } }, { epochs: 1 }).done;
    expect(last).toMatchObject({ type: 'error', code: 'remote' });
    expect(last.type === 'error' && last.message).toMatch(/Cannot reach .*:1 .*Connection refused.*SSH server runs on port 1/);
  });

  it('no such Python on the remote machine', async () => {
    const last = await start('no-remote-python', runtime({}, '/opt/no-such/python3'), { epochs: 1 }).done;
    expect(last).toMatchObject({ type: 'error', code: 'python' });
    expect(last.type === 'error' && last.message).toMatch(/No Python interpreter "\/opt\/no-such\/python3" on .*127\.0\.0\.1/);
    expect(readdirSync(remoteDir)).not.toContain('no-remote-python');
  });
});
