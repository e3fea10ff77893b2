/** Requests added for the training UI: `runs.list` (Runs tab) and `data.files` (Data tab's file choice). */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectFiles } from './files';
import { noEngine, recordingEngine } from './fixtures/engine-stubs';
import { createHandlers } from './handlers';

describe('runs.list', () => {
  it('reads <model>.runs/*/run.json, newest first, skipping folders without a readable run.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerloom-runs-'));
    try {
      for (const [id, at] of [['r1', '2026-01-01T00:00:00Z'], ['r2', '2026-02-01T00:00:00Z']] as const) {
        mkdirSync(join(dir, 'm.runs', id), { recursive: true });
        writeFileSync(join(dir, 'm.runs', id, 'run.json'), JSON.stringify({ runId: id, createdAt: at, history: [{ loss: 1 }] }));
      }
      mkdirSync(join(dir, 'm.runs', 'half-written'));
      const h = createHandlers({
        mode: 'web', version: '0', templatesDir: join(dir, 'none'),
        files: new ProjectFiles(dir), settings: {} as never, engine: noEngine,
      });
      const list = h['runs.list'] as (r: { docPath?: string | null }) => Promise<{ runs: { runId: string }[] }>;
      expect((await list({ docPath: 'm.loom' })).runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
      expect((await list({ docPath: null })).runs).toEqual([]);
      expect((await list({ docPath: 'other.loom' })).runs).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data.files', () => {
  it('lists CSV/.npy files and folders beside the document (depth <= 3), not hidden folders or run folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerloom-datafiles-'));
    try {
      mkdirSync(join(dir, 'photos', 'cat'), { recursive: true });
      mkdirSync(join(dir, 'm.runs', 'r1'), { recursive: true });
      mkdirSync(join(dir, '.layerloom'));
      writeFileSync(join(dir, 'houses.csv'), 'a,b\n1,2\n');
      writeFileSync(join(dir, 'photos', 'x.npy'), '');
      writeFileSync(join(dir, 'notes.txt'), '');
      const h = createHandlers({
        mode: 'web', version: '0', templatesDir: join(dir, 'none'), projectDir: dir,
        files: { absolute: async (p: string) => join(dir, p), defaultBaseDir: () => dir } as never, settings: {} as never, engine: noEngine,
      });
      const list = h['data.files'] as (r: { docPath?: string | null }) => Promise<{ files: { path: string; kind: string }[] }>;
      const expected = [{ path: 'houses.csv', kind: 'csv' }, { path: 'photos', kind: 'folder' }, { path: 'photos/cat', kind: 'folder' }, { path: 'photos/x.npy', kind: 'npy' }];
      expect((await list({ docPath: 'm.loom' })).files).toEqual(expected);
      expect((await list({})).files).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data.describeCsv', () => {
  it('asks the engine for the columns of a CSV beside the document; web mode refuses paths outside the project', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerloom-csv-'));
    try {
      writeFileSync(join(dir, 'm.loom'), '{}');
      const { engine, calls } = recordingEngine({ rows: 1, columns: [] });
      const h = createHandlers({
        mode: 'web', version: '0', templatesDir: join(dir, 'none'), projectDir: dir,
        files: new ProjectFiles(dir), settings: {} as never, engine,
      });
      const describe = h['data.describeCsv'] as (r: { path: string; docPath?: string }) => Promise<unknown>;
      expect(await describe({ path: 'h.csv', docPath: 'm.loom' })).toEqual({ rows: 1, columns: [] });
      expect(calls).toEqual([['data.describeCsv', { path: 'h.csv', baseDir: realpathSync(dir) }]]);
      await expect(describe({ path: '../etc/passwd' })).rejects.toThrow(/outside the project folder/);
      await expect(describe({ path: '/etc/passwd' })).rejects.toThrow(/outside the project folder/);
      expect(calls).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
