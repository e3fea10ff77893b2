import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EvaluationSchema, TrainEventSchema } from '../../shared/engine/events';
import type { CliIO } from './io';
import { runCli } from './main';
import { datasetFromFlag } from './train';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out, err };
}

const template = (name: string) => join(__dirname, '../../assets/templates', name);
const LINE = template('linear-regression.loom');

describe('layerloom train', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('usage errors exit 2', async () => {
    for (const args of [[], ['--epochs', 'x', LINE], [LINE, '--frobnicate'], [LINE, '--epochs'], [LINE, '--backend', 'gpu'], ['a.loom', 'b.loom']]) {
      const f = fakeIO();
      expect(await runCli(['train', ...args], f.io)).toBe(2);
      expect(f.err.join('\n')).toMatch(/usage: layerloom train/);
    }
    const f = fakeIO();
    expect(await runCli(['train', LINE, '--data', 'table.csv'], f.io)).toBe(2);
    expect(f.err.join('\n')).toMatch(/--target/);
  });

  it('a missing file or an invalid model exits 1 with the reason on stderr', async () => {
    const a = fakeIO();
    expect(await runCli(['train', join(tmp, 'nope.loom')], a.io)).toBe(1);
    expect(a.err.join('\n')).toMatch(/no such file/);
    const b = fakeIO();
    expect(await runCli(['train', template('cifar-shape-mistake.loom'), '--epochs', '1'], b.io)).toBe(1);
    expect(b.err.join('\n')).toMatch(/error/i);
  });

  it('--json prints one valid TrainEvent per line; --out saves the run and its evaluation', async () => {
    const f = fakeIO();
    const out = join(tmp, 'run');
    expect(await runCli(['train', LINE, '--epochs', '3', '--json', '--seed', '2', '--out', out, '--backend', 'wasm'], f.io)).toBe(0);
    const events = f.out.map((l) => TrainEventSchema.parse(JSON.parse(l)));
    expect(events[0]!.type).toBe('start');
    expect(events.at(-1)!.type).toBe('end');
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(3);
    for (const file of ['model.json', 'weights.bin', 'run.json']) expect(existsSync(join(out, file))).toBe(true);
    EvaluationSchema.parse(JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')));
  });

  it('human output names the backend and the test evaluation', async () => {
    const f = fakeIO();
    expect(await runCli(['train', template('logistic-regression.loom'), '--epochs', '2', '--backend', 'wasm'], f.io)).toBe(0);
    const text = f.out.join('\n');
    expect(text).toMatch(/Backend: WebAssembly/);
    expect(text).toMatch(/tfjs-node/);
    expect(text).toMatch(/Epoch 2\/2 .*accuracy/);
    expect(text).toMatch(/Test \(\d+ samples\): loss/);
  });

  it('a diverging run exits 1 with the divergence message', async () => {
    const f = fakeIO();
    expect(await runCli(['train', LINE, '--optimizer', 'sgd', '--lr', '1000', '--epochs', '5', '--backend', 'wasm'], f.io)).toBe(1);
    // The squared error explodes (to ~1e11 within 5 batches): the divergence rule stops it before NaN.
    expect(f.err.join('\n')).toMatch(/The loss diverged at epoch 1, batch \d+ \(from [\d.]+ before training to [\d.e+]+ over the last \d+ batches\): lower the learning rate \(now 1000, e\.g\. to 100\)/);
  });

  it('data that does not fit the Input exits 1 naming the node', async () => {
    const f = fakeIO();
    expect(await runCli(['train', LINE, '--data', 'iris', '--epochs', '1'], f.io)).toBe(1);
    expect(f.err.join('\n')).toMatch(/Input|node/);
  });

  it('--data names built-ins, CSV files, image folders and npy pairs', () => {
    expect(datasetFromFlag('digits', undefined)).toEqual({ source: 'builtin', name: 'digits' });
    expect(datasetFromFlag('t.csv', 'price')).toMatchObject({ source: 'csv', target: 'price' });
    expect(datasetFromFlag('x.npy,y.npy', undefined)).toMatchObject({ source: 'npy' });
    expect(datasetFromFlag(tmp, undefined)).toMatchObject({ source: 'images', path: tmp });
  });
});
