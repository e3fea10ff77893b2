/** The desktop bundles: built for real and the engine process run from its bundle. */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSupervisor } from '../electron/host/engine-supervisor';
import { forkEngine } from '../electron/host/engine-fork';
import { buildElectron } from './build.mjs';

const root = join(import.meta.dirname, '..');
// Inside the repository, so the bundles' external packages resolve from node_modules.
const out = join(root, 'dist', `.test-build-${process.pid}`);

describe('npm run build (Electron bundles)', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles main (CommonJS), a self-contained sandboxed preload, and an engine worker that runs', async () => {
    await buildElectron({ quiet: true, outDir: out });
    for (const f of ['main.cjs', 'preload.cjs', 'engine-worker.mjs']) expect(existsSync(join(out, f))).toBe(true);
    const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
    expect([...new Set(preload.match(/require\("[^"]+"\)/g))]).toEqual(['require("electron")']);

    const sup = new EngineSupervisor({ spawn: forkEngine({ workerPath: join(out, 'engine-worker.mjs'), echoStderr: false }), onTrainEvent: () => undefined });
    const exportDir = mkdtempSync(join(tmpdir(), 'll-build-export-'));
    try {
      await expect(sup.call('engine.backend', {})).resolves.toMatchObject({ name: expect.stringMatching(/tensorflow|wasm|cpu/) });
      const doc = JSON.parse(readFileSync(join(root, 'assets', 'templates', 'linear-regression.loom'), 'utf8'));
      const r = await sup.call('export.run', { format: 'tfjs', doc, outDir: exportDir });
      expect(r.files.some((f) => f.endsWith('model.json'))).toBe(true);
    } finally {
      sup.dispose();
      rmSync(exportDir, { recursive: true, force: true });
    }
  });
});
