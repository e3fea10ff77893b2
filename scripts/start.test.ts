import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- plain ESM script without type declarations
import { electronStatus } from './start.mjs';

describe('npm start', () => {
  it('explains why Electron cannot run here', () => {
    const s = electronStatus({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, 'linux');
    if (s.ok) {
      // A machine with Electron: without a display it still falls back.
      expect(electronStatus({}, 'linux')).toMatchObject({ ok: false, reason: /no display/ });
    } else {
      expect(s.reason).toMatch(/binary|not installed/);
    }
  });

  it('without the Electron binary, says so and serves the production build in web mode (built first if needed), printing the URL', async () => {
    const project = mkdtempSync(join(tmpdir(), 'll-start-'));
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--project', project], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const t0 = Date.now();
      while (!/Open: (http:\S+)/.test(out) && Date.now() - t0 < 120_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Electron is not available on this machine \(.+\); starting Layerloom in web mode instead\./);
      const url = /Open: (http:\S+)/.exec(out)![1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/<div id="root">/);
      // The production build (hashed bundles), never Vite's dev server.
      expect(html).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
      expect(html).not.toContain('@vite/client');
      expect((await fetch(new URL(url).origin + '/')).status).toBe(403);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(project, { recursive: true, force: true });
    }
  });
});
