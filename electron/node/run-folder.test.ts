import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRunRecord, listRunIds, listRunRecords, runDirOf, runsDirOf, updateRunRecord, writeRunFile } from './run-folder';

describe('run folders', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'll-runfolder-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('live beside the document: <dir>/<name>.runs/<runId>/', () => {
    expect(runsDirOf('/p/models/mnist.loom')).toBe('/p/models/mnist.runs');
    expect(runsDirOf('/p/Mnist.LOOM')).toBe('/p/Mnist.runs');
    expect(runDirOf('/p/a.b.loom', 'run-1')).toBe('/p/a.b.runs/run-1');
  });

  it('lists complete runs newest first, skipping folders without a readable record', async () => {
    const runs = join(dir, 'm.runs');
    for (const [id, at] of [['old', '2026-01-01T00:00:00Z'], ['new', '2026-02-01T00:00:00Z']]) {
      mkdirSync(join(runs, id!), { recursive: true });
      await writeRunFile(join(runs, id!), 'record', { runId: id, createdAt: at, history: [] });
    }
    mkdirSync(join(runs, 'half'));
    mkdirSync(join(runs, 'broken'));
    writeFileSync(join(runs, 'broken', 'run.json'), '{"runId":');
    expect((await listRunRecords(runs)).map((r) => r.record.runId)).toEqual(['new', 'old']);
    expect((await listRunIds(runs)).sort()).toEqual(['broken', 'new', 'old']);
    expect(await listRunRecords(join(dir, 'none.runs'))).toEqual([]);
    expect(hasRunRecord(join(runs, 'half'))).toBe(false);
  });

  it('updates a record atomically, keeping the rest, and leaves it untouched when nothing changes', async () => {
    const run = join(dir, 'r');
    mkdirSync(run);
    await writeRunFile(run, 'record', { runId: 'r', history: [1, 2] });
    const before = statSync(join(run, 'run.json')).mtimeMs;
    expect(await updateRunRecord(run, (rec) => rec)).toBe(false);
    expect(statSync(join(run, 'run.json')).mtimeMs).toBe(before);
    expect(await updateRunRecord(run, (rec) => ({ ...rec, evaluation: { samples: 3 } }))).toBe(true);
    expect(JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'))).toEqual({ runId: 'r', history: [1, 2], evaluation: { samples: 3 } });
    expect(readdirSync(run)).toEqual(['run.json']); // no temporary file left
    await expect(updateRunRecord(join(dir, 'missing'), (rec) => rec)).rejects.toThrow();
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
