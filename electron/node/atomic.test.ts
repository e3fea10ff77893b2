import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'll-atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a crash between write and rename leaves the previous file intact', () => {
    const file = join(dir, 'model.loom');
    writeFileSync(file, 'OLD CONTENT');
    const script = fileURLToPath(new URL('./fixtures/crash-during-save.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, file, 'NEW CONTENT'], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(file, 'utf8')).toBe('OLD CONTENT');
    // Only the orphaned temp file is left beside it (hidden, never the document itself).
    const left = readdirSync(dir).filter((f) => f !== 'model.loom');
    expect(left).toHaveLength(1);
    expect(readFileSync(join(dir, left[0]!), 'utf8')).toBe('NEW CONTENT');
  });

  it('replaces the file, keeps its permissions, and cleans up when the rename fails', async () => {
    const file = join(dir, 'a.loom');
    writeFileSync(file, 'one');
    chmodSync(file, 0o600);
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(writeFileAtomic(file, 'three', { beforeRename: () => Promise.reject(new Error('boom')) })).rejects.toThrow('boom');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['a.loom']);
    await expect(writeFileAtomic(join(dir, 'missing', 'b.loom'), 'x')).rejects.toThrow(/ENOENT/);
  });
});
