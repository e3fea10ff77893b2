/**
 * The runtime choice crosses the IPC boundary as one word: the PyTorch options come from the settings
 * file (machine settings), never from the request or the document; a chosen host that is no longer
 * saved fails the request with a message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const irisMlpOnIris = { format: 'layerloom.model' as const, version: 1 as const, name: 't', nodes: [], edges: [] };
import { ProjectFiles } from './files';
import { recordingEngine } from './fixtures/engine-stubs';
import { createHandlers } from './handlers';
import { SettingsStore } from './settings';

describe('engine.train with a runtime, settings.checkRuntime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerloom-rt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function setup(answer: unknown) {
    const settings = new SettingsStore(join(dir, `settings-${Math.random()}.json`));
    const { engine, calls } = recordingEngine(answer);
    const h = createHandlers({ mode: 'web', version: '0', templatesDir: join(dir, 'none'), projectDir: dir, files: new ProjectFiles(dir), settings, engine });
    return { h, settings, calls };
  }

  it('trains with the PyTorch options of the settings file when the request says pytorch', async () => {
    const { h, settings, calls } = await setup({ runId: 'r1' });
    await settings.set({ runtime: { choice: 'pytorch', python: '', device: 'cpu', processes: 2, hosts: [{ host: 'me@gpu', dir: 'runs', keep: false }], where: 'me@gpu' } });
    const train = h['engine.train'] as (r: unknown) => Promise<unknown>;
    await train({ runId: 'r1', doc: irisMlpOnIris, runtime: 'pytorch' });
    await train({ runId: 'r2', doc: irisMlpOnIris });
    expect(calls[0]![1]).toMatchObject({ runId: 'r1', runtime: { device: 'cpu', processes: 2, remote: { host: 'me@gpu', dir: 'runs' } } });
    expect(calls[1]![1]).not.toHaveProperty('runtime');
    await settings.set({ runtime: { choice: 'pytorch', python: '', device: 'cpu', processes: 1, hosts: [], where: 'me@gone' } });
    await expect(train({ runId: 'r3', doc: irisMlpOnIris, runtime: 'pytorch' })).rejects.toThrow(/me@gone is not among the saved hosts/);
  });

  it('checks the runtime the form describes, unsaved', async () => {
    const { h, calls } = await setup({ ok: true, python: '/usr/bin/python3', torch: '1.13.1', message: 'PyTorch 1.13.1' });
    const check = h['settings.checkRuntime'] as (r: unknown) => Promise<{ ok: boolean }>;
    expect(await check({ choice: 'pytorch', python: '/usr/bin/python3', device: 'auto', processes: 1, hosts: [], where: null })).toMatchObject({ ok: true });
    expect(calls).toEqual([['settings.checkRuntime', { python: '/usr/bin/python3', device: 'auto', processes: 1 }]]);
  });
});
