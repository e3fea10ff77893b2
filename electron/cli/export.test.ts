import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './main';
import type { CliIO } from './io';
import { compileModel } from '../engine/compile';
import { writeTfjs } from '../engine/formats/tfjs/writer';
import { randomizeWeights } from '../engine/formats/weights';
import { loadDocumentOrThrow } from '../../shared/document';

const T = join(import.meta.dirname, '../../assets/templates');
function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out, err };
}

describe('layerloom export', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-cli-export-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes every format for a template (exit 0) and lists the files', async () => {
    for (const format of ['onnx', 'pytorch', 'keras', 'tfjs']) {
      const { io, out } = fakeIO();
      const dir = join(root, format);
      const code = await runCli(['export', join(T, 'logistic-regression.loom'), '--format', format, '--out', dir], io);
      expect(code, format).toBe(0);
      expect(out.join('\n')).toMatch(/initial weights/);
      expect(existsSync(join(dir, 'README.md'))).toBe(true);
    }
    expect(existsSync(join(root, 'onnx', 'model.onnx'))).toBe(true);
    expect(existsSync(join(root, 'pytorch', 'weights.pt'))).toBe(true);
    expect(existsSync(join(root, 'pytorch', 'data.npz'))).toBe(true);
    expect(existsSync(join(root, 'keras', 'model.weights.h5'))).toBe(true);
    expect(existsSync(join(root, 'tfjs', 'predict.js'))).toBe(true);
  });

  it('exports the trained weights of a run folder (--weights)', async () => {
    const doc = loadDocumentOrThrow(readFileSync(join(T, 'linear-regression.loom'), 'utf8'));
    const c = compileModel(doc, { seed: 1 });
    randomizeWeights(c.model, 5);
    const run = join(root, 'run');
    await writeTfjs(c, run);
    c.model.dispose();
    const { io } = fakeIO();
    const dir = join(root, 'again');
    expect(await runCli(['export', join(T, 'linear-regression.loom'), '--format', 'tfjs', '--out', dir, '--weights', run, '--json'], io)).toBe(0);
    expect(readFileSync(join(dir, 'weights.bin')).equals(readFileSync(join(run, 'weights.bin')))).toBe(true);
  });

  it('usage errors exit 2, invalid models and missing weights exit 1', async () => {
    const model = join(T, 'mnist-cnn.loom');
    expect(await runCli(['export', model, '--out', root], fakeIO().io)).toBe(2);
    expect(await runCli(['export', model, '--format', 'caffe', '--out', root], fakeIO().io)).toBe(2);
    expect(await runCli(['export', model, '--format', 'onnx', '--out'], fakeIO().io)).toBe(2);
    expect(await runCli(['export', model, '--format', 'pytorch', '--out', root, '--quantize', 'float16'], fakeIO().io)).toBe(1);
    const broken = fakeIO();
    expect(await runCli(['export', join(T, 'cifar-shape-mistake.loom'), '--format', 'onnx', '--out', root], broken.io)).toBe(1);
    expect(broken.err.join('\n')).toMatch(/reshape/i);
    const missing = fakeIO();
    expect(await runCli(['export', model, '--format', 'onnx', '--out', root, '--weights', join(root, 'nope')], missing.io)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/weights/);
  });
});
