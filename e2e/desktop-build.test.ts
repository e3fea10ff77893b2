/**
 * The desktop window's page without Electron: the built renderer (dist/renderer, as `npm run build`
 * packs it) loaded from file:// in Debian's Chromium under the desktop window's Content-Security-
 * Policy (electron/desktop/csp.ts), with a test preload standing in for Electron's: a `window.api` of
 * the same shape (every request of the contract, every `on…` subscription) answered by the real
 * request handlers. A blank window from a CSP, base-path or asset problem fails here.
 *
 * Two differences from Electron, both on the loading side: Chromium needs
 * --allow-file-access-from-files for module scripts on file:// (Electron's file: scheme allows them),
 * and the policy is given as a <meta> element (Electron adds it as a response header, which file://
 * pages do not have in Chromium) without frame-ancestors, which a <meta> cannot carry and which only
 * concerns being framed.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { EVENT_METHODS } from '../shared/ipc/client';
import { REQUEST_NAMES, type EventName } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/rpc';
import { rendererCsp } from '../electron/desktop/csp';
import { EngineSupervisor } from '../electron/host/engine-supervisor';
import { forkEngine } from '../electron/host/engine-fork';
import { ProjectFiles } from '../electron/host/files';
import { createHandlers } from '../electron/host/handlers';
import { SettingsStore } from '../electron/host/settings';
import { CHROMIUM, CHROMIUM_ARGS, OUTPUT_DIR, PRODUCTION_BUILD, REPO } from './harness';

const fakeEngine = fileURLToPath(new URL('../electron/host/fixtures/fake-engine.ts', import.meta.url));

/** Runs in the page before its scripts, as Electron's preload does: `window.api` over two bindings. */
function testPreload({ names, events }: { names: readonly string[]; events: Record<string, string> }) {
  type Envelope = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
  const w = window as unknown as {
    __layerloomInvoke(name: string, payload: unknown): Promise<Envelope>;
    __layerloomEmit?: (event: string, payload: unknown) => void;
    __cspViolations: string[];
    api?: unknown;
  };
  const api: Record<string, unknown> = {};
  for (const full of names) {
    const dot = full.indexOf('.');
    const ns = (api[full.slice(0, dot)] ??= {}) as Record<string, unknown>;
    ns[full.slice(dot + 1)] = async (req?: unknown) => {
      const env = await w.__layerloomInvoke(full, req ?? {});
      if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
      return env.value;
    };
  }
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  for (const [method, event] of Object.entries(events)) {
    api[method] = (l: (p: unknown) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(l);
      return () => listeners.get(event)!.delete(l);
    };
  }
  for (const v of Object.values(api)) Object.freeze(v);
  w.api = Object.freeze(api);
  w.__layerloomEmit = (event, payload) => listeners.get(event)?.forEach((l) => l(payload));
  w.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/** A copy of the build with the desktop window's policy in force; `edit` may break it on purpose. */
function buildCopy(dir: string, edit: (html: string) => string = (h) => h): string {
  const out = join(dir, 'renderer');
  cpSync(PRODUCTION_BUILD, out, { recursive: true });
  const policy = rendererCsp().split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');
  const html = readFileSync(join(out, 'index.html'), 'utf8').replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
  expect(html).toContain(policy);
  writeFileSync(join(out, 'index.html'), edit(html));
  return pathToFileURL(join(out, 'index.html')).href;
}

describe('the built desktop renderer from file://', () => {
  let dir: string;
  let context: BrowserContext;
  let engine: EngineSupervisor;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'll-desktop-build-'));
    const project = join(dir, 'project');
    cpSync(join(REPO, 'assets', 'templates', 'linear-regression.loom'), join(project, 'line.loom'));
    let emit: (name: EventName, payload: unknown) => void = () => undefined;
    engine = new EngineSupervisor({ spawn: forkEngine({ engineModule: fakeEngine, echoStderr: false }), onTrainEvent: (e) => emit('train.event', e), onStatus: (s) => emit('engine.status', s) });
    const handlers = createHandlers({
      mode: 'electron', version: '0.0.0-test', files: new ProjectFiles(project), settings: new SettingsStore(join(dir, 'settings.json')), engine,
      templatesDir: join(REPO, 'assets', 'templates'), projectDir: project,
    });
    context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--allow-file-access-from-files'], headless: true, viewport: { width: 1280, height: 800 },
    });
    await context.exposeBinding('__layerloomInvoke', (_source, name: unknown, payload: unknown) => dispatch(handlers, name, payload, undefined));
    await context.addInitScript(testPreload, { names: REQUEST_NAMES, events: EVENT_METHODS });
    page = context.pages()[0] ?? (await context.newPage());
    emit = (name, payload) => void page.evaluate(([n, p]) => (window as unknown as { __layerloomEmit?: (e: string, p: unknown) => void }).__layerloomEmit?.(n as string, p), [name, payload] as const).catch(() => undefined);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  });
  afterAll(async () => {
    await context?.close();
    engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the app under the desktop CSP, with its styles, and opens a template through window.api', async () => {
    await page.goto(buildCopy(join(dir, 'ok')));
    await page.getByTestId('palette-Input').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => [...document.styleSheets].some((s) => /\/assets\/index-[\w-]+\.css$/.test(s.href ?? '') && s.cssRules.length > 0))).toBe(true);
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByTestId('template-mnist-cnn').click();
    await page.getByTestId('node-digit').waitFor();
    await page.screenshot({ path: join(OUTPUT_DIR, 'desktop-build-file-url.png') });
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('catches a broken build: with an absolute asset path the window stays blank', async () => {
    errors.length = 0;
    await page.goto(buildCopy(join(dir, 'broken'), (html) => html.replace(/src="\.\/assets\//, 'src="/assets/')));
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.getElementById('root')?.childElementCount ?? 0)).toBe(0);
    expect(errors.join('\n')).toMatch(/ERR_FILE_NOT_FOUND|Failed to load/);
  });
});
