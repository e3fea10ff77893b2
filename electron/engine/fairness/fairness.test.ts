/**
 * Fairness audits of a real trained run: a logistic regression trained on the synthetic biased
 * hiring data (a CSV whose `group` column is kept aside, not a feature), audited in memory and from
 * its run folder; the mitigations' engine halves; the sensitive columns of built-ins and image folders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { biasedHiring, BUILTIN_TABLE_COLUMNS, confusionMatrix, FairnessReportSchema, reweighing, groupBy } from '../../../shared/fairness';
import { loadDataset } from '../data';
import { loadImageFolder } from '../data/images';
import { evaluateRun } from '../evaluate';
import { loadRun } from '../persist';
import { disposeRun, getRun } from '../runs';
import { HIRING_ROWS, HIRING_SEED, trainHiring } from './hiring-fixture';
import { fairnessReport, fitRunThresholds, imageFolderFiles, predictSplit, reweighingForTraining, sensitiveTable } from './index';

describe('fairness audits of a trained run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-fair-'));
  beforeAll(() => trainHiring(dir, 'hiring'), 120_000);
  afterAll(() => {
    disposeRun('hiring');
    disposeRun('hiring-from-disk');
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups the test split by a column the model never saw; groups add up to Evaluate', async () => {
    const report = FairnessReportSchema.parse(await fairnessReport({ runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column', column: 'group' }], bootstrap: { samples: 200 } }));
    expect(report.attribute).toBe('group');
    expect(report.positiveClass).toBe('1');
    expect(report.groups.map((g) => g.name)).toEqual(['A', 'B']);
    const ev = await evaluateRun('hiring', { baseDir: dir });
    expect(report.samples).toBe(ev.samples);
    const sum = report.groups.map((g) => g.confusion!).reduce((a, b) => a.map((row, t) => row.map((v, p) => v + b[t]![p]!)));
    expect(sum).toEqual(ev.confusion);
    // The groups are the CSV's: recount them from the file and the split's predictions.
    const p = await predictSplit(getRun('hiring'), 'test', dir);
    const rows = biasedHiring(HIRING_ROWS, HIRING_SEED);
    const inB = Array.from(p.indices, (i) => rows[i]!.group === 'B');
    const members = (b: boolean) => inB.flatMap((x, j) => (x === b ? [j] : []));
    expect(report.groups[1]!.confusion).toEqual(confusionMatrix(p.yTrue, p.yPred, 2, members(true)));
    expect(report.groups[0]!.support).toBe(members(false).length);
    // The model learnt the label bias through zip: group B is selected less.
    expect(report.groups[0]!.metrics.selectionRate!).toBeGreaterThan(report.groups[1]!.metrics.selectionRate!);
    const ci = report.groups[1]!.ci.selectionRate!;
    expect(ci[0]).toBeLessThanOrEqual(report.groups[1]!.metrics.selectionRate!);
    expect(ci[1]).toBeGreaterThanOrEqual(report.groups[1]!.metrics.selectionRate!);
  });

  it('crosses a column with the class and bins a numeric column by quartiles', async () => {
    const crossed = await fairnessReport({ runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column', column: 'group' }, { kind: 'class' }], bootstrap: { samples: 0 } });
    expect(crossed.attribute).toBe('group × class');
    expect(crossed.groups.map((g) => g.name)).toEqual(['A & 0', 'A & 1', 'B & 0', 'B & 1']);
    // Within a true class, TPR (class 1) or FPR (class 0) alone is defined.
    expect(crossed.groups[0]!.metrics.tpr).toBeNull();
    const binned = await fairnessReport({ runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column', column: 'score' }], bootstrap: { samples: 0 } });
    expect(binned.grouping[0]!.kind).toBe('bins');
    expect(binned.groups).toHaveLength(4);
    expect(binned.groups[0]!.name).toMatch(/^< -?\d/);
  });

  it('audits the same run loaded from its folder identically', async () => {
    await loadRun(join(dir, 'run'), 'hiring-from-disk');
    const req = { baseDir: dir, sensitive: [{ kind: 'column' as const, column: 'group' }], bootstrap: { samples: 100 } };
    expect(await fairnessReport({ runId: 'hiring-from-disk', ...req })).toEqual(await fairnessReport({ runId: 'hiring', ...req }));
  });

  it('names a column that does not exist, and a positive class that does not', async () => {
    await expect(fairnessReport({ runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column', column: 'race' }] })).rejects.toThrow('hiring.csv has no column "race". Its columns are: group, score, zip, hired.');
    await expect(fairnessReport({ runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column', column: 'group' }], positiveClass: 'yes' })).rejects.toThrow(/no class "yes": the classes are 0, 1/);
  });

  it('fits per-group thresholds on the validation split and measures the run with them', async () => {
    const rule = await fitRunThresholds({ runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column', column: 'group' }], objective: 'demographicParity', tolerance: 0.05 });
    expect(rule.positiveClass).toBe('1');
    expect(rule.validation.after.difference!).toBeLessThanOrEqual(0.05);
    expect(rule.validation.before.difference!).toBeGreaterThan(rule.validation.after.difference!);
    const base = { runId: 'hiring', baseDir: dir, sensitive: [{ kind: 'column' as const, column: 'group' }], bootstrap: { samples: 0 } };
    const after = await fairnessReport({ ...base, thresholds: rule });
    const before = await fairnessReport(base);
    expect(after.thresholds).toEqual(rule);
    expect(after.summary.demographicParityDifference!).toBeLessThan(before.summary.demographicParityDifference!);
  });

  it('gives reweighing weights for the training split from the kept-aside column', async () => {
    const run = getRun('hiring');
    const ds = run.dataset!;
    const w = reweighingForTraining({ sensitive: [{ kind: 'column', column: 'group' }] }, run.record.dataset!, ds, run.split!.train, dir);
    const rows = biasedHiring(HIRING_ROWS, HIRING_SEED);
    const train = Array.from(run.split!.train);
    const expected = reweighing(groupBy({ kind: 'categorical', column: 'group' }, train.map((i) => rows[i]!.group)), train.map((i) => rows[i]!.hired), ['0', '1']);
    expect(Array.from(w.weights)).toEqual(Array.from(expected.weights));
    expect(w.table.cells).toHaveLength(4);
  });
});

describe('sensitive columns of other data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-fair-img-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the arrests built-in offers its colour column (5,226 rows: 1,288 Black, 3,938 White) and the documented release rates', async () => {
    const ds = await loadDataset({ source: 'builtin', name: 'arrests' });
    const colour = sensitiveTable({ source: 'builtin', name: 'arrests' }, ds.count).column('colour');
    expect(colour).toHaveLength(5226);
    expect(colour.filter((c) => c === 'Black')).toHaveLength(1288);
    expect(colour.filter((c) => c === 'White')).toHaveLength(3938);
    // Released with a summons (docs/fairness.md): 955 of 1,288 Black arrestees, 3,379 of 3,938 White.
    const released = sensitiveTable({ source: 'builtin', name: 'arrests' }, ds.count).column('released');
    const yes = (c: string) => colour.filter((v, i) => v === c && released[i] === 'Yes').length;
    expect([yes('Black'), yes('White')]).toEqual([955, 3379]);
  });

  it('the renderer\'s list of built-in columns is the shipped CSVs\' headers without the target', async () => {
    for (const [name, columns] of Object.entries(BUILTIN_TABLE_COLUMNS)) {
      const ds = await loadDataset({ source: 'builtin', name });
      const header = sensitiveTable({ source: 'builtin', name }, ds.count).columns;
      expect(header.filter((c) => columns.includes(c))).toEqual(columns);
      expect(header.length).toBe(columns.length + 1); // + the target
    }
  });

  it('a built-in without columns, or images without metadata, get a named error', () => {
    expect(() => sensitiveTable({ source: 'builtin', name: 'digits' }, 10)).toThrow(/"digits" has no named columns/);
    expect(() => sensitiveTable({ source: 'images', path: dir }, 10)).toThrow(/metadata CSV \(file,attribute/);
    expect(() => sensitiveTable(undefined, 10)).toThrow(/no dataset recorded/);
  });

  it('image folders: metadata rows follow the loader\'s sample order, matched by path or unique file name', () => {
    // Each image is one gray level, so the loaded sample says which file it was.
    const levels: Record<string, number> = { 'cat/b.png': 10, 'cat/a.png': 20, 'dog/c.png': 30, 'dog/a.png': 40 };
    for (const [f, v] of Object.entries(levels)) {
      mkdirSync(join(dir, f.split('/')[0]!), { recursive: true });
      const png = new PNG({ width: 2, height: 2 });
      png.data.fill(v);
      for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
      writeFileSync(join(dir, f), PNG.sync.write(png));
    }
    const ds = loadImageFolder(dir, { inputShape: [2, 2, 1] });
    const files = imageFolderFiles(dir);
    expect(files.map((f) => ds.x[files.indexOf(f) * 4])).toEqual(files.map((f) => levels[f]));
    const meta = join(dir, '..', `meta-${process.pid}.csv`);
    writeFileSync(meta, 'file,owner\ncat/a.png,x\ndog/a.png,y\nb.png,z\nc.png,w\n');
    expect(sensitiveTable({ source: 'images', path: dir }, 4, { metadataCsv: meta }).column('owner')).toEqual(['x', 'z', 'y', 'w']);
    writeFileSync(meta, 'file,owner\ncat/a.png,x\ndog/a.png,y\nb.png,z\n');
    expect(() => sensitiveTable({ source: 'images', path: dir }, 4, { metadataCsv: meta })).toThrow(/no row for the image dog\/c.png/);
    expect(() => sensitiveTable({ source: 'images', path: dir }, 5, { metadataCsv: meta })).toThrow(/holds 4 images, but the run was trained on 5/);
    rmSync(meta);
  });
});
