import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noEngine } from './fixtures/engine-stubs';
import { createHandlers } from './handlers';
import { RecoveryStore } from './recovery-store';

describe('recovery.read / recovery.write', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerloom-recovery-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const handlers = () =>
    createHandlers({
      mode: 'web', version: '0', templatesDir: join(dir, 'none'),
      files: {} as never, engine: noEngine, settings: { file: join(dir, '.layerloom', 'settings.json') } as never,
    }) as unknown as {
      'recovery.read': (r: object) => Promise<{ recovery: unknown }>;
      'recovery.write': (r: { recovery: unknown }) => Promise<{ ok: boolean }>;
    };

  it('keeps a copy of any size beside the settings, survives a new handler set (a server restart), and removes it', async () => {
    const h = handlers();
    expect((await h['recovery.read']({})).recovery).toBeNull();
    const copy = { text: JSON.stringify({ nodes: 'x'.repeat(300_000) }), filePath: 'm.loom', savedAt: 5 };
    expect(await h['recovery.write']({ recovery: copy })).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(join(dir, '.layerloom', 'recovery.json'), 'utf8'))).toEqual(copy);
    expect((await handlers()['recovery.read']({})).recovery).toEqual(copy);
    await h['recovery.write']({ recovery: null });
    expect(existsSync(join(dir, '.layerloom', 'recovery.json'))).toBe(false);
    expect((await h['recovery.read']({})).recovery).toBeNull();
  });

  it('reads a damaged file as no copy (and logs it), and applies quick successive writes in order', async () => {
    const logs: string[] = [];
    const file = join(dir, 'recovery.json');
    writeFileSync(file, '{"text": 12');
    const store = new RecoveryStore(file, (m) => logs.push(m));
    expect(await store.read()).toBeNull();
    expect(logs[0]).toMatch(/recovery\.json is not a recovery copy/);
    await Promise.all([1, 2, 3].map((i) => store.write({ text: `v${i}`, filePath: null, savedAt: i })));
    expect((await store.read())?.text).toBe('v3');
  });
});
