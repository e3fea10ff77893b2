/**
 * End-to-end harness: starts Layerloom's web mode in-process (serving the production build that
 * people get, dist/renderer, made fresh by e2e/global-setup.ts; or with `build: 'dev'` the sources
 * through Vite's dev middleware, as `npm run dev` does), with a fresh token, a random port and a fresh
 * temporary project folder, and opens it in Debian's Chromium driven by playwright-core. Every
 * journey test starts with:
 *
 *   const app = await launchApp();            // page is loaded with the token
 *   try { await app.page.getByText('…') ... ; await app.screenshot('step-1'); }
 *   finally { await app.close(); }            // always: closes the browser, server and engine
 *
 * Screenshots go to e2e/output/ (git-ignored). `app.errors` collects page errors and console errors.
 */
import { mkdirSync, mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startWebServer, type WebServer, type WebServerOptions } from '../electron/web/server';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];
export const OUTPUT_DIR = fileURLToPath(new URL('./output/', import.meta.url));
export const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The renderer's production build (`npm run build`), which web mode serves to people. */
export const PRODUCTION_BUILD = join(REPO, 'dist', 'renderer');

export interface LaunchOptions {
  /** `production` (default): the built renderer, as people get it; `dev`: the sources through Vite (`npm run dev`). */
  build?: 'production' | 'dev';
  /** The project folder (default: a fresh temporary folder, removed on close). */
  projectDir?: string;
  /** Copy these files (paths relative to the repo, e.g. 'assets/templates/mnist-cnn.loom') into the project folder. */
  projectFiles?: string[];
  /** Open the page with the token (default true). */
  withToken?: boolean;
  /** Path and query to open (default '/'); the token is added. */
  path?: string;
  viewport?: { width: number; height: number };
  /** Anything else for the web server (e.g. spawnEngine for a fake engine). */
  server?: Partial<WebServerOptions>;
}

export interface App {
  page: Page;
  context: BrowserContext;
  /** The URL opened (with the token unless withToken: false). */
  url: string;
  server: WebServer;
  projectDir: string;
  /** Uncaught page errors and console.error messages seen so far. */
  errors: string[];
  /** Content-Security-Policy violations reported in the current page (`directive blocked-uri`). */
  cspViolations(): Promise<string[]>;
  /** Writes e2e/output/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchApp(opts: LaunchOptions = {}): Promise<App> {
  const ownProject = !opts.projectDir;
  const projectDir = opts.projectDir ?? mkdtempSync(join(tmpdir(), 'layerloom-e2e-project-'));
  for (const f of opts.projectFiles ?? []) cpSync(join(REPO, f), join(projectDir, f.split('/').pop()!));
  const userDataDir = mkdtempSync(join(tmpdir(), 'layerloom-e2e-chromium-'));
  const serve = opts.build === 'dev' ? { serve: 'vite' as const } : { serve: 'static' as const, staticDir: PRODUCTION_BUILD };
  const server = await startWebServer({ ...serve, projectDir, log: () => undefined, ...opts.server });
  let context: BrowserContext | null = null;
  const cleanup = async () => {
    await context?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
    if (ownProject) rmSync(projectDir, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
    });
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    const path = opts.path ?? '/';
    const url = opts.withToken === false
      ? `${server.origin}${path}`
      : `${server.origin}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(server.token)}`;
    await page.goto(url, { waitUntil: 'load' });
    return {
      page, context, url, server, projectDir, errors,
      cspViolations: () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []),
      async screenshot(name: string) {
        mkdirSync(OUTPUT_DIR, { recursive: true });
        const file = join(OUTPUT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
