import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplanationSchema, GlobalExplanationSchema } from '../../shared/explain';
import type { CliIO } from './io';
import { runCli } from './main';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out, err };
}

async function cli(args: string[]) {
  const f = fakeIO();
  const code = await runCli(['explain', ...args], f.io);
  return { code, out: f.out.join('\n'), err: f.err.join('\n') };
}

const doc = (name: string, input: number[], layers: [string, Record<string, unknown>][], dataset: Record<string, unknown>, training: Record<string, unknown>) => {
  const nodes = [{ id: 'in', type: 'Input', params: { shape: input } }, ...layers.map(([type, params], i) => ({ id: `l${i}`, type, params }))];
  return JSON.stringify({
    format: 'layerloom.model', version: 1, name, nodes, dataset,
    edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id })),
    training: { optimizer: 'adam', learningRate: 0.02, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], batchSize: 16, seed: 1, ...training },
  });
};

describe('layerloom explain', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-cli-explain-'));
  const iris = join(tmp, 'iris.loom');
  const irisRun = join(tmp, 'iris-run');
  const cnn = join(tmp, 'cnn.loom');
  const cnnRun = join(tmp, 'cnn-run');
  let testIndex = -1;
  beforeAll(async () => {
    writeFileSync(iris, doc('iris', [4], [['Dense', { units: 8, activation: 'relu' }], ['Dense', { units: 3, activation: 'softmax' }]], { source: 'builtin', name: 'iris' }, { epochs: 20 }));
    writeFileSync(cnn, doc('cnn', [28, 28, 1], [['Conv2D', { filters: 4, kernelSize: 3, activation: 'relu' }], ['MaxPooling2D', { poolSize: 2 }], ['Flatten', {}], ['Dense', { units: 10, activation: 'softmax' }]],
      { source: 'builtin', name: 'digits', limit: 160, testSplit: 0.02 }, { epochs: 1, validationSplit: 0.02 }));
    for (const [model, out] of [[iris, irisRun], [cnn, cnnRun]] as const) {
      const f = fakeIO();
      expect(await runCli(['train', model, '--out', out, '--backend', 'wasm', '--json'], f.io), f.err.join('\n')).toBe(0);
    }
    // A sample of the test split, as Evaluate numbers it (the dataset index): read from the
    // suggestions of the error for a sample that is not there.
    const r = await cli([iris, '--run', irisRun, '--sample', '100000', '--method', 'gradient']);
    testIndex = Number(/e\.g\. #(\d+)/.exec(r.err)![1]);
  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('usage errors exit 2', async () => {
    const cases = [
      [], [iris], [iris, '--method', 'shap', '--sample', '0'], [iris, '--run', irisRun, '--sample', '0'],
      [iris, '--run', irisRun, '--sample', '0', '--method', 'magic'], [iris, '--run', irisRun, '--method', 'shap'],
      [iris, '--run', irisRun, '--method', 'shap', '--sample', '0', '--input', 'x.csv'], [iris, '--run', irisRun, '--method', 'shap', '--sample', '-1'],
      [iris, '--run', irisRun, '--global', '--method', 'ig'], [iris, '--run', irisRun, '--global', '--method', 'shap', '--sample', '1'],
      [iris, '--run', irisRun, '--sample', '1', '--method', 'shap', '--frobnicate'],
    ];
    for (const args of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage: layerloom explain/);
    }
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/--global/);
    const f = fakeIO();
    expect(await runCli(['help'], f.io)).toBe(0);
    expect(f.out.join('\n')).toMatch(/layerloom explain model.loom --run DIR/);
  });

  it('--json prints one Explanation; SHAP is efficient; a one-row CSV (columns by name) gives the same answer', async () => {
    const r = await cli([iris, '--run', irisRun, '--sample', String(testIndex), '--method', 'shap', '--json']);
    expect(r.code, r.err).toBe(0);
    const e = ExplanationSchema.parse(JSON.parse(r.out));
    expect(e.featureNames).toHaveLength(4);
    expect(['setosa', 'versicolor', 'virginica']).toContain(e.target.label);
    expect(Math.abs(e.baseValue! + e.attributions.reduce((a, b) => a + b, 0) - e.output)).toBeLessThan(1e-4);
    // The same row from a CSV whose columns are in reverse order, by name.
    const names = [...e.featureNames!].reverse();
    const csv = join(tmp, 'row.csv');
    writeFileSync(csv, `${names.join(',')}\n${names.map((n) => e.featureValues![e.featureNames!.indexOf(n)]).join(',')}\n`);
    const c = await cli([iris, '--run', irisRun, '--input', csv, '--method', 'shap', '--json']);
    expect(c.code, c.err).toBe(0);
    const ce = ExplanationSchema.parse(JSON.parse(c.out));
    ce.attributions.forEach((a, j) => expect(a).toBeCloseTo(e.attributions[j]!, 6));
    const human = await cli([iris, '--run', irisRun, '--sample', String(testIndex), '--method', 'ig', '--target', '0']);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^ig for "setosa" \(output 0\)/);
    expect(human.out).toMatch(/completeness gap/);
    expect(human.out).toMatch(/51 forward passes/);
  });

  it('named errors exit 1: Grad-CAM without a convolution, a wrong input shape, a sample outside the test split, a bad target, a missing run', async () => {
    const g = await cli([iris, '--run', irisRun, '--sample', String(testIndex), '--method', 'gradcam']);
    expect(g.code).toBe(1);
    expect(g.err).toMatch(/Grad-CAM needs a convolution layer/);
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, '1,2,3\n');
    const b = await cli([iris, '--run', irisRun, '--input', bad, '--method', 'shap']);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/bad\.csv holds 3 values but the model's Input takes shape \[4\]/);
    const s = await cli([iris, '--run', irisRun, '--sample', '100000', '--method', 'shap']);
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/Sample #100000 is not in the test split/);
    const t = await cli([iris, '--run', irisRun, '--sample', String(testIndex), '--method', 'shap', '--target', '3']);
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/Target 3 is out of range: the output "l1" has 3 units/);
    const m = await cli([iris, '--run', join(tmp, 'nothing'), '--sample', '0', '--method', 'shap']);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/not a run folder/);
    const img = await cli([cnn, '--run', cnnRun, '--input', bad, '--method', 'gradient']);
    expect(img.code).toBe(1);
    expect(img.err).toMatch(/shape \[28, 28, 1\]/);
  });

  it('--global: permutation importance and mean |SHAP| for a tabular run; refused for an image model', async () => {
    const p = await cli([iris, '--run', irisRun, '--global', '--method', 'permutation', '--json']);
    expect(p.code, p.err).toBe(0);
    const g = GlobalExplanationSchema.parse(JSON.parse(p.out));
    expect(g.featureNames).toHaveLength(4);
    expect(g.score?.name).toBe('accuracy');
    const s = await cli([iris, '--run', irisRun, '--global', '--method', 'shap']);
    expect(s.code, s.err).toBe(0);
    expect(s.out).toMatch(/^mean \|SHAP\| over \d+ test rows/);
    const i = await cli([cnn, '--run', cnnRun, '--global', '--method', 'permutation']);
    expect(i.code).toBe(1);
    expect(i.err).toMatch(/Permutation importance is for tabular models/);
  });

  it('human mode shows progress on stderr; Ctrl-C cancels cleanly (exit 130) and the next command works', async () => {
    const err: string[] = [];
    let interrupt: (() => void) | undefined;
    const io: CliIO = {
      out: () => undefined,
      // Ctrl-C as soon as the first progress line shows (global SHAP explains the test rows, one report each).
      err: (l) => (err.push(l), /^explain: \d+\/\d+/.test(l) && interrupt?.()),
      isTTY: false,
      onInterrupt: (l) => {
        interrupt = l;
        return () => (interrupt = undefined);
      },
    };
    expect(await runCli(['explain', iris, '--run', irisRun, '--global', '--method', 'shap'], io)).toBe(130);
    expect(err[0]).toMatch(/^explain: 1\/(\d+) \(\d %\)$/); // the first of the test split's rows
    expect(err.at(-1)).toBe('layerloom explain: canceled');
    expect(interrupt).toBeUndefined(); // Ctrl-C is the shell's again
    const next = await cli([iris, '--run', irisRun, '--global', '--method', 'shap', '--json']);
    expect(next.code, next.err).toBe(0);
    expect(next.err).toBe(''); // no progress with --json
  });

  it('an image: --input PNG with Grad-CAM and a wrongly shaped .npy', async () => {
    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) {
      const v = (p % 28 > 10 && p % 28 < 16) ? 255 : 0; // a vertical bar, like a 1
      png.data.set([v, v, v, 255], p * 4);
    }
    const file = join(tmp, 'one.png');
    writeFileSync(file, PNG.sync.write(png));
    const r = await cli([cnn, '--run', cnnRun, '--input', file, '--method', 'gradcam', '--json']);
    expect(r.code, r.err).toBe(0);
    const e = ExplanationSchema.parse(JSON.parse(r.out));
    expect(e.shape).toEqual([28, 28]);
    expect(e.details?.layer).toBe('l0');
    // .npy of shape [2, 3] (float32, little-endian)
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const pad = 64 - ((10 + header.length + 1) % 64);
    const npy = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), Buffer.from(Uint16Array.of(header.length + pad + 1).buffer), Buffer.from(header + ' '.repeat(pad) + '\n'), Buffer.from(new Float32Array(6).buffer)]);
    const npyFile = join(tmp, 'x.npy');
    writeFileSync(npyFile, npy);
    const n = await cli([cnn, '--run', cnnRun, '--input', npyFile, '--method', 'gradient']);
    expect(n.code).toBe(1);
    expect(n.err).toMatch(/x\.npy holds an array of shape \[2, 3\] but the model's Input takes shape \[28, 28, 1\]/);
  });
});
