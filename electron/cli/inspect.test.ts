import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from './io';
import { runCli } from './main';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}
const template = (name: string) => join(__dirname, '../../assets/templates', name);

describe('layerloom inspect', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-inspect-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints a Keras-style summary and exits 0 for a valid model', async () => {
    const f = fakeIO();
    expect(await runCli(['inspect', template('keras-mnist-cnn.loom')], f.io)).toBe(0);
    expect(f.out()).toMatch(/conv3 \(Conv2D\)\s+\(None, 3, 3, 64\)\s+36,928/);
    expect(f.out()).toMatch(/Total params: 93,322/);
    expect(f.err()).toBe('');
  });

  it('--json prints the documented object', async () => {
    const f = fakeIO();
    expect(await runCli(['inspect', template('mnist-cnn.loom'), '--json'], f.io)).toBe(0);
    const r = JSON.parse(f.out());
    expect(r.totalParams).toBe(421642);
    expect(r.outputShapes).toEqual({ digit: [null, 10] });
    expect(r.nodes[1]).toEqual({ id: 'conv1', type: 'Conv2D', outputShape: [null, 28, 28, 32], params: 320 });
    expect(r.errors).toEqual([]);
  });

  it('exits 1 for a model with errors, naming the node on stderr and in the JSON', async () => {
    const f = fakeIO();
    expect(await runCli(['inspect', template('cifar-shape-mistake.loom'), '--json'], f.io)).toBe(1);
    expect(JSON.parse(f.out()).errors).toEqual([{
      nodeId: 'reshape', severity: 'error', field: 'targetShape',
      message: 'Reshape to [2304] cannot hold 4096 values (input [8, 8, 64])', fix: 'Set Reshape target to [4096]',
    }]);
    expect(f.err()).toMatch(/reshape: Reshape to \[2304\] cannot hold 4096 values/);
  });

  it('exits 1 for an invalid or missing file, naming the field', async () => {
    const bad = join(tmp, 'bad.loom');
    writeFileSync(bad, JSON.stringify({ format: 'layerloom.model', version: 1, nodes: [{ id: 'x', type: 'Input', params: 3 }] }));
    const f = fakeIO();
    expect(await runCli(['inspect', bad], f.io)).toBe(1);
    expect(f.err()).toMatch(/nodes\[0\] \("x"\)\.params: expected record/);
    const g = fakeIO();
    expect(await runCli(['inspect', join(tmp, 'missing.loom')], g.io)).toBe(1);
    expect(g.err()).toMatch(/missing\.loom: no such file/);
  });

  it('exits 2 for usage errors', async () => {
    for (const args of [['inspect'], ['inspect', 'a.loom', 'b.loom'], ['inspect', 'a.loom', '--frob'], ['frobnicate'], []]) {
      const f = fakeIO();
      expect(await runCli(args, f.io), args.join(' ')).toBe(2);
      expect(f.err()).toMatch(/usage|unknown command/);
    }
  });

  it('runs as a real process through the package bin and npm script', () => {
    const bin = join(__dirname, '../../bin/layerloom.mjs');
    const ok = spawnSync(process.execPath, [bin, 'inspect', template('linear-regression.loom'), '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).totalParams).toBe(2);
    const bad = spawnSync(process.execPath, [bin, 'inspect', template('cifar-shape-mistake.loom')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/reshape/);
    expect(spawnSync(process.execPath, [bin], { encoding: 'utf8' }).status).toBe(2);
    const viaNpx = execFileSync('npx', ['--no-install', 'layerloom', 'inspect', template('linear-regression.loom')], { encoding: 'utf8', cwd: join(__dirname, '../..') });
    expect(viaNpx).toMatch(/Total params: 2/);
  }, 240_000); // spawning node + tsx (and npx) is slow on a loaded 2-core machine
});
