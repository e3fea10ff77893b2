import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FairnessReportSchema } from '../../shared/fairness';
import { writeHiring } from '../engine/fairness/hiring-fixture';
import type { CliIO } from './io';
import { runCli } from './main';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out, err };
}

describe('layerloom fairness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-fair-'));
  const model = join(dir, 'hiring.loom');
  const run = join(dir, 'cli-run');
  const blobsRun = join(dir, 'blobs-run');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    // A tiny run trained by the CLI itself on a CSV whose `group` column is not a feature.
    writeHiring(dir);
    for (const [args, what] of [
      [['train', model, '--epochs', '4', '--out', run, '--backend', 'wasm', '--json'], 'hiring'],
      [['train', join(__dirname, '../../assets/templates/logistic-regression.loom'), '--epochs', '1', '--out', blobsRun, '--backend', 'wasm', '--json'], 'blobs'],
    ] as const) {
      const f = fakeIO();
      const code = await runCli([...args], f.io);
      if (code !== 0) throw new Error(`training ${what} failed: ${f.err.join('\n')}`);
    }
  }, 180_000);

  it('usage errors exit 2 with the usage', async () => {
    const cases = [
      [],
      [model, '--sensitive', 'group'],
      [model, '--run', run],
      [model, '--run', run, '--sensitive', 'a', '--sensitive', 'b', '--by-class'],
      [model, '--run', run, '--sensitive', 'group', '--bootstrap', 'many'],
      [model, '--run', run, '--sensitive', 'group', '--split', 'train'],
      [model, '--run', run, '--sensitive', 'group', '--frobnicate'],
      [model, '--run', run, '--sensitive', 'score', '--bins', 'score'],
      [model, '--run', run, '--sensitive', 'score', '--bins', 'score=2,1'],
      [model, '--run', run, '--sensitive', 'group', '--quantiles', 'score=4'],
      [model, '--run'],
    ];
    for (const args of cases) {
      const f = fakeIO();
      expect({ args, code: await runCli(['fairness', ...args], f.io) }).toEqual({ args, code: 2 });
      expect(f.err.join('\n')).toMatch(/usage: layerloom fairness/);
    }
  });

  it('--json prints the report: groups named by the column\'s values, with intervals and gaps', async () => {
    const f = fakeIO();
    expect(await runCli(['fairness', model, '--run', run, '--sensitive', 'group', '--json', '--bootstrap', '200'], f.io)).toBe(0);
    expect(f.out).toHaveLength(1);
    const r = FairnessReportSchema.parse(JSON.parse(f.out[0]!));
    expect(r.groups.map((g) => g.name)).toEqual(['A', 'B']);
    expect(r.groups.reduce((a, g) => a + g.support, 0)).toBe(r.samples);
    for (const g of r.groups) {
      for (const m of ['accuracy', 'selectionRate', 'tpr', 'fpr', 'precision', 'f1'] as const) {
        expect(Number.isFinite(g.metrics[m])).toBe(true);
        expect(g.ci[m]![0]).toBeLessThanOrEqual(g.ci[m]![1]);
      }
    }
    for (const k of ['demographicParityDifference', 'equalizedOddsDifference', 'equalOpportunityDifference', 'worstGroupAccuracy'] as const) {
      expect(Number.isFinite(r.summary[k])).toBe(true);
    }
  });

  it('human output: a line per group, the gaps; crossing with the class and binning work', async () => {
    const f = fakeIO();
    expect(await runCli(['fairness', model, '--run', run, '--sensitive', 'group', '--by-class', '--bootstrap', '50'], f.io)).toBe(0);
    const text = f.out.join('\n');
    expect(text).toMatch(/^Fairness by group × class on the test split \(\d+ samples, positive class "1"; 95 % bootstrap intervals, 50 resamples\):/);
    expect(text).toMatch(/\n {2}A & 1 \(n=\d+\): accuracy 0\.\d{3} \[0\.\d{3}, [01]\.\d{3}\]/);
    expect(text).toMatch(/\nGaps: demographic-parity difference \d\.\d{3}/);
    const g = fakeIO();
    expect(await runCli(['fairness', model, '--run', run, '--sensitive', 'zip', '--bins', 'zip=-1,0,1', '--bootstrap', '0', '--json'], g.io)).toBe(0);
    expect(JSON.parse(g.out[0]!).groups.map((x: { name: string }) => x.name)).toEqual(['< -1', '[-1, 0)', '[0, 1)', '≥ 1']);
  });

  it('a column that does not exist, a run without tabular data, or no run folder exit 1 with a named error', async () => {
    const a = fakeIO();
    expect(await runCli(['fairness', model, '--run', run, '--sensitive', 'race'], a.io)).toBe(1);
    expect(a.err.join('\n')).toMatch(/hiring\.csv has no column "race"\. Its columns are: group, score, zip, hired\./);
    const b = fakeIO();
    expect(await runCli(['fairness', model, '--run', blobsRun, '--sensitive', 'group'], b.io)).toBe(1);
    expect(b.err.join('\n')).toMatch(/The built-in dataset "blobs" has no named columns to take a sensitive attribute from/);
    const c = fakeIO();
    expect(await runCli(['fairness', model, '--run', join(dir, 'nowhere'), '--sensitive', 'group'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/is not a run folder \(no run\.json, model\.json or weights\.bin\)/);
    const d = fakeIO();
    expect(await runCli(['fairness', join(dir, 'missing.loom'), '--run', run, '--sensitive', 'group'], d.io)).toBe(1);
    expect(d.err.join('\n')).toMatch(/no such file/);
  });
});
