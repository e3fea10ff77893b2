/**
 * `layerloom train --runtime pytorch`: the same event stream and run folder as the engine's `train`
 * (real PyTorch), and usage errors for runtime flags that do not fit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needs } from '../../scripts/needs';
import { EvaluationSchema } from '../../shared/engine/events';
import { RuntimeTrainEventSchema } from '../../shared/runtime/events';
import { loadRun } from '../engine/persist';
import { disposeRun } from '../engine/runs';
import { PY } from '../engine/runtimes/pytorch/test-support';
import type { CliIO } from './io';
import { runCli } from './main';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out, err };
}
const LOGISTIC = join(__dirname, '../../assets/templates/logistic-regression.loom');

describe('layerloom train --runtime pytorch', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-cli-pt-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runtime flags that do not fit are usage errors (exit 2)', async () => {
    for (const [args, why] of [
      [['--runtime', 'jax'], /--runtime must be app or pytorch/],
      [['--python', PY], /--python need --runtime pytorch/],
      [['--runtime', 'pytorch', '--device', 'gpu'], /--device gpu: device must be auto, cpu, mps, cuda or cuda:N/],
      [['--runtime', 'pytorch', '--nproc', '0'], /--nproc 0:/],
      [['--runtime', 'pytorch', '--remote-dir', 'runs'], /--remote-dir and --ssh-key need --host/],
      [['--runtime', 'pytorch', '--host', 'me@host; rm -rf /'], /--host .*: host must look like user@host/],
    ] as const) {
      const f = fakeIO();
      expect(await runCli(['train', LOGISTIC, ...args], f.io)).toBe(2);
      expect(f.err.join('\n')).toMatch(why);
    }
  });

  needs('torch.distributed.run').it('--json prints the runtime events; --out writes the run folder, with its evaluation', async () => {
    const f = fakeIO();
    const out = join(tmp, 'run');
    const code = await runCli(['train', LOGISTIC, '--runtime', 'pytorch', '--python', PY, '--device', 'cpu', '--epochs', '2', '--json', '--out', out], f.io);
    expect(f.err.join('\n')).toBe('');
    expect(code).toBe(0);
    const events = f.out.map((l) => RuntimeTrainEventSchema.parse(JSON.parse(l)));
    expect(events[0]).toMatchObject({ type: 'start', backend: { name: 'pytorch', device: 'cpu', processes: 1 } });
    expect(events.at(-1)).toMatchObject({ type: 'end', reason: 'completed', epochsCompleted: 2, weightsPath: out });
    for (const file of ['model.json', 'weights.bin', 'run.json', 'evaluation.json']) expect(existsSync(join(out, file))).toBe(true);
    const ev = EvaluationSchema.parse(JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')));
    expect(ev.logs.accuracy).toBeGreaterThan(0.5);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ backend: { name: 'pytorch' }, runtime: { name: 'pytorch', python: PY, device: 'cpu', processes: 1 }, epochsCompleted: 2 });
    expect(record.history).toHaveLength(2);
    // The folder is an ordinary run folder: the engine loads it.
    await loadRun(out, 'cli-pt-loaded');
    disposeRun('cli-pt-loaded');
  }, 300_000);
});
