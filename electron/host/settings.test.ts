import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from './settings';

describe('SettingsStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'll-settings-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('concurrent first reads all see the file, not the defaults', async () => {
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ theme: 'dark', ui: { recovery: 'x' } }));
    const store = new SettingsStore(file);
    const [a, b, c] = await Promise.all([store.get(), store.get(), store.get()]);
    for (const s of [a, b, c]) expect(s).toMatchObject({ theme: 'dark', ui: { recovery: 'x' } });
  });

  it('merges ui patches, keeps recent files unique and at most 10, and writes JSON', async () => {
    const file = join(dir, 'sub', 'settings.json');
    const store = new SettingsStore(file);
    await store.set({ ui: { a: 1 } });
    await store.set({ ui: { b: true } });
    for (let i = 0; i < 12; i++) await store.addRecent(`/m/${i}.loom`);
    await store.addRecent('/m/5.loom');
    const s = await store.get();
    expect(s.ui).toEqual({ a: 1, b: true });
    expect(s.recentFiles[0]).toBe('/m/5.loom');
    expect(s.recentFiles).toHaveLength(10);
    expect(new Set(s.recentFiles).size).toBe(10);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(s);
  });
});
