import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchApp, REPO, type App } from './harness';

const rendered = (page: Page) => page.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0, null, { timeout: 60_000 });

/** The page's own client at work: the template list and a template's document come over its WebSocket. */
async function openTemplate(app: App) {
  await app.page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });
  await app.page.getByRole('button', { name: 'Templates' }).click();
  await app.page.getByTestId('template-mnist-cnn').click();
  await app.page.getByTestId('node-digit').waitFor();
}

/** Dev build only: the api module is importable by its source path. */
async function apiChecks(app: App) {
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
}

for (const build of ['production', 'dev'] as const) {
  describe(`smoke: web mode in Chromium (${build} build)`, () => {
    it('loads the app with the token, talks to the server over the WebSocket; reloads and new tabs are authorised by the cookie', async () => {
      const app = await launchApp({ build, projectFiles: ['assets/templates/linear-regression.loom'] });
      try {
        await expect(app.page.title()).resolves.toMatch(/Layerloom/);
        await rendered(app.page);
        const scripts = await app.page.evaluate(() => [...document.scripts].map((s) => s.src));
        if (build === 'production') {
          // The hashed bundle of `npm run build`, nothing from Vite's dev server.
          expect(scripts).toEqual([expect.stringMatching(/\/assets\/index-[\w-]+\.js$/)]);
          // The built page's stylesheet applies (a broken asset path would leave the defaults).
          expect(await app.page.evaluate(() => [...document.styleSheets].some((s) => /\/assets\/index-[\w-]+\.css$/.test(s.href ?? '')))).toBe(true);
        } else {
          expect(scripts.some((s) => s.includes('/@vite/client'))).toBe(true);
          await apiChecks(app);
        }
        await openTemplate(app);
        expect(await app.cspViolations()).toEqual([]);
        await app.screenshot(`smoke-${build}-loaded`);
        // The token leaves the address bar once read; a reload, and a new tab on the bare address, are
        // authorised by the server's HttpOnly cookie (and this tab's sessionStorage copy).
        expect(app.page.url()).not.toContain('token=');
        await app.page.reload();
        await rendered(app.page);
        await openTemplate(app);
        const tab = await app.page.context().newPage();
        await tab.goto(new URL(app.url).origin + '/');
        await rendered(tab);
        await tab.getByTestId('palette-Input').waitFor({ timeout: 60_000 });
        await tab.close();
        expect(app.errors).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });
}

describe('smoke: without the token', () => {
  it('is refused', async () => {
    const app = await launchApp({ withToken: false });
    try {
      await expect(app.page.locator('body').innerText()).resolves.toMatch(/needs the token/);
      expect(await app.page.locator('#root').count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});
