import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchApp, REPO } from './harness';

describe('smoke: web mode in Chromium', () => {
  it('loads the app with the token, and talks to the server over the WebSocket', async () => {
    const app = await launchApp({ projectFiles: ['assets/templates/linear-regression.loom'] });
    try {
      await expect(app.page.title()).resolves.toMatch(/Layerloom/);
      await app.page.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0, null, { timeout: 60_000 });
      // The page's own WebSocket client (the same contract as Electron's preload) works with the token.
      // (A string, so Vitest does not rewrite the dynamic import inside the page function.)
      const info = await app.page.evaluate(`(async () => {
        const { getApi } = await import('/platform/api.ts');
        const api = getApi();
        return { info: await api.app.info(), list: await api.file.list() };
      })()`) as { info: unknown; list: { files: unknown[] } };
      expect(info.info).toMatchObject({ mode: 'web', projectDir: app.projectDir });
      expect(info.list.files).toEqual([{ path: 'linear-regression.loom', name: 'linear-regression.loom' }]);
      // Web-mode file pickers: open shows the browser's file chooser; Save As asks for a project file name.
      const chooser = app.page.waitForEvent('filechooser');
      const opened = app.page.evaluate(`(async () => (await import('/platform/api.ts')).getApi().file.open({}))()`);
      await (await chooser).setFiles(join(REPO, 'assets/templates/mnist-cnn.loom'));
      expect(await opened).toMatchObject({ canceled: false, path: null, name: 'mnist-cnn.loom', text: expect.stringContaining('"layerloom.model"') });
      app.page.once('dialog', (d) => void d.accept('saved/../copy'));
      const saved = await app.page.evaluate(`(async () => (await import('/platform/api.ts')).getApi().file.saveAs({ text: 'hello', suggestedName: 'x' }))()`);
      expect(saved).toEqual({ canceled: false, path: 'copy.loom', name: 'copy.loom' });
      expect(readFileSync(join(app.projectDir, 'copy.loom'), 'utf8')).toBe('hello');
      await app.screenshot('smoke-loaded');
      // The token leaves the address bar once read; a reload, and a new tab on the bare address, are
      // authorised by the server's HttpOnly cookie (and this tab's sessionStorage copy).
      expect(app.page.url()).not.toContain('token=');
      const appInfo = `(async () => (await import('/platform/api.ts')).getApi().app.info())()`;
      await app.page.reload();
      await app.page.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0, null, { timeout: 60_000 });
      expect(await app.page.evaluate(appInfo)).toMatchObject({ mode: 'web' });
      const tab = await app.page.context().newPage();
      await tab.goto(new URL(app.url).origin + '/');
      await tab.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0, null, { timeout: 60_000 });
      expect(await tab.evaluate(appInfo)).toMatchObject({ mode: 'web' });
      await tab.close();
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('is refused without the token', async () => {
    const app = await launchApp({ withToken: false });
    try {
      await expect(app.page.locator('body').innerText()).resolves.toMatch(/needs the token/);
      expect(await app.page.locator('#root').count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});
