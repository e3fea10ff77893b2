/** `runs.list` (added for the training UI's Runs tab): the run.json files beside a document, newest first. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
        files: { absolute: async (p: string) => join(dir, p) } as never, settings: {} as never, engine: {} as never,
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
