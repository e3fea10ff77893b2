/**
 * What web mode puts in front of people: the production build by default, Vite's dev middleware only
 * when asked for (`npm run dev`), and then with its open-in-editor endpoint refused and its
 * hot-reload socket behind the same token/Host/Origin checks as the app's. Sockets whose peer stops
 * answering pings are cut off; a live page's are not.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { forkEngine } from '../host/engine-fork';
import { ensureRendererBuild, rendererIsFresh } from '../../scripts/build.mjs';
import { rawConnect } from './fixtures/raw-ws';
import { startWebServer, type WebServer } from './server';

const fakeEngine = fileURLToPath(new URL('../host/fixtures/fake-engine.ts', import.meta.url));
const spawnEngine = forkEngine({ engineModule: fakeEngine, echoStderr: false });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-devmode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the production build by default', () => {
  it('never falls back to the dev server: without a build, the server refuses to start and says what to do', async () => {
    await expect(startWebServer({ staticDir: join(dir, 'no-build'), projectDir: dir, log: () => undefined, spawnEngine })).rejects.toThrow(/npm run build/);
  });

  it('builds the renderer when missing, with progress, serves it, and does not rebuild a fresh build', async () => {
    const out = join(dir, 'renderer-build');
    const lines: string[] = [];
    expect(rendererIsFresh(out)).toBe(false);
    expect(await ensureRendererBuild({ outDir: out, log: (m) => lines.push(m) })).toBe(true);
    expect(lines[0]).toMatch(/^Building Layerloom for the browser \(first start: no build yet\)/);
    expect(rendererIsFresh(out)).toBe(true);
    expect(await ensureRendererBuild({ outDir: out, log: (m) => lines.push(m) })).toBe(false);
    expect(lines).toHaveLength(1);
    const srv = await startWebServer({ staticDir: out, projectDir: dir, log: () => undefined, spawnEngine });
    try {
      const page = await (await fetch(srv.url)).text();
      expect(page).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js">/);
      expect(page).not.toContain('@vite/client');
    } finally {
      await srv.close();
    }
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('Content-Security-Policy');
  });
});

describe('Vite dev middleware (npm run dev)', () => {
  let srv: WebServer;
  const cookie = () => `layerloom_token_${srv.port}=${encodeURIComponent(srv.token)}`;
  beforeAll(async () => {
    srv = await startWebServer({ serve: 'vite', projectDir: dir, log: () => undefined, spawnEngine, idleMs: 300 });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('refuses open-in-editor: a page cannot make the server start a program', async () => {
    const r = await fetch(`${srv.origin}/__open-in-editor?file=/etc/passwd`, { headers: { cookie: cookie() } });
    expect(r.status).toBe(404);
  });

  it('puts the hot-reload socket behind the token, Host and Origin checks', async () => {
    const hmr = { 'sec-websocket-protocol': 'vite-hmr' };
    expect((await rawConnect(srv.port, hmr, '/')).status).toBe(403); // no Origin, no token
    expect((await rawConnect(srv.port, { ...hmr, origin: srv.origin }, '/')).status).toBe(403); // no token
    expect((await rawConnect(srv.port, { ...hmr, origin: 'http://evil.example', cookie: cookie() }, '/')).status).toBe(403);
    expect((await rawConnect(srv.port, { ...hmr, origin: `http://evil.example:${srv.port}`, host: `evil.example:${srv.port}`, cookie: cookie() }, '/')).status).toBe(421);
    expect((await rawConnect(srv.port, { 'sec-websocket-protocol': 'vite-ping' }, '/')).status).toBe(403);
    // The page's own hot-reload socket (cookie, Origin, Vite's token from its client script) connects.
    const client = await (await fetch(`${srv.origin}/@vite/client`, { headers: { cookie: cookie() } })).text();
    const viteToken = /const wsToken = "([^"]+)"/.exec(client)?.[1];
    expect(viteToken).toBeTruthy();
    const ok = await rawConnect(srv.port, { ...hmr, origin: srv.origin, cookie: cookie() }, `/?token=${viteToken}`);
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  });

  it('cuts off sockets that stop answering pings (app and hot reload); a live page stays connected', async () => {
    const live = new WebSocket(`ws://127.0.0.1:${srv.port}/ws`, { headers: { origin: srv.origin, cookie: cookie() } });
    await new Promise((r) => live.once('open', r));
    const client = await (await fetch(`${srv.origin}/@vite/client`, { headers: { cookie: cookie() } })).text();
    const viteToken = /const wsToken = "([^"]+)"/.exec(client)![1]!;
    // Raw clients never answer pings.
    const silentApp = await rawConnect(srv.port, { origin: srv.origin, cookie: cookie() });
    const silentHmr = await rawConnect(srv.port, { 'sec-websocket-protocol': 'vite-hmr', origin: srv.origin, cookie: cookie() }, `/?token=${viteToken}`);
    expect([silentApp.status, silentHmr.status]).toEqual([101, 101]);
    await silentApp.closed;
    await silentHmr.closed;
    expect(silentApp.frames.some((f) => f.opcode === 9)).toBe(true); // it was pinged first
    expect(live.readyState).toBe(WebSocket.OPEN);
    let pings = 0;
    live.on('ping', () => pings++);
    while (pings < 3) await new Promise((r) => setTimeout(r, 50));
    expect(live.readyState).toBe(WebSocket.OPEN);
    live.close();
  });
});
