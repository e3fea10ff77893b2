import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { forkEngine } from '../host/engine-fork';
import { parseArgs, startWebServer, type WebServer } from './server';

const fakeEngine = fileURLToPath(new URL('../host/fixtures/fake-engine.ts', import.meta.url));

let dir: string;
let srv: WebServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-web-'));
  mkdirSync(join(dir, 'static'));
  mkdirSync(join(dir, 'project', 'models'), { recursive: true });
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Layerloom</title><div id="root"></div>');
  writeFileSync(join(dir, 'project', 'models', 'a.loom'), '{"format":"layerloom.model"}');
  writeFileSync(join(dir, 'outside', 'secret.loom'), 'secret');
  symlinkSync(join(dir, 'outside'), join(dir, 'project', 'link'));
  srv = await startWebServer({
    serve: 'static', staticDir: join(dir, 'static'), projectDir: join(dir, 'project'), log: (m) => void serverLog.push(m),
    spawnEngine: forkEngine({ engineModule: fakeEngine, echoStderr: false }),
  });
});
const serverLog: string[] = [];
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Open a WebSocket; resolves with the socket, or the HTTP status it was refused with. */
function connect(opts: { token?: string | null; origin?: string | null; host?: string; cookie?: string; port?: number } = {}): Promise<WebSocket | number> {
  const token = opts.token === undefined ? srv.token : opts.token;
  const url = `ws://127.0.0.1:${opts.port ?? srv.port}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  const headers: Record<string, string> = {};
  const origin = opts.origin === undefined ? srv.origin : opts.origin;
  if (origin !== null) headers.origin = origin;
  if (opts.host) headers.host = opts.host;
  if (opts.cookie) headers.cookie = opts.cookie;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

function rpc(ws: WebSocket) {
  let id = 0;
  const events: { event: string; payload: any }[] = [];
  const waiting = new Map<number, (v: any) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    if (typeof m.id === 'number') waiting.get(m.id)?.(m.envelope);
    else events.push(m);
  });
  const call = (name: string, payload: unknown): Promise<any> =>
    new Promise((r) => {
      const i = ++id;
      waiting.set(i, r);
      ws.send(JSON.stringify({ id: i, name, payload }));
    });
  return { call, events };
}

describe('web mode security', () => {
  it('prints a loopback URL with the token', () => {
    expect(srv.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/\\?token=.{20,}`));
    expect(srv.host).toBe('127.0.0.1');
  });

  it('refuses the page without the token or with a wrong one; serves it with the token, strict headers and a cookie', async () => {
    expect((await fetch(`${srv.origin}/`)).status).toBe(403);
    expect((await fetch(`${srv.origin}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${srv.origin}/?token=${srv.token}x`)).status).toBe(403);
    const ok = await fetch(srv.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<div id="root">');
    const csp = ok.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^layerloom_token_${srv.port}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    // The page's own assets load with the cookie alone.
    expect((await fetch(`${srv.origin}/assets/x`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port: srv.port, path: `/?token=${srv.token}`, headers: { host: `evil.example:${srv.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end();
    });
    expect(status).toBe(421);
    expect(await connect({ host: `evil.example:${srv.port}`, origin: `http://evil.example:${srv.port}` })).toBe(421);
  });

  it('refuses WebSockets with no token, a wrong token, a foreign or missing Origin', async () => {
    expect(await connect({ token: null })).toBe(403);
    expect(await connect({ token: 'nope' })).toBe(403);
    expect(await connect({ origin: 'http://evil.example' })).toBe(403);
    expect(await connect({ origin: `http://192.168.1.10:${srv.port}` })).toBe(403);
    expect(await connect({ origin: null })).toBe(403);
    // The page's cookie alone authorises its socket (the page hides the token from the address bar)...
    const cookie = `layerloom_token_${srv.port}=${encodeURIComponent(srv.token)}`;
    const viaCookie = await connect({ token: null, cookie });
    expect(viaCookie).toBeInstanceOf(WebSocket);
    (viaCookie as WebSocket).close();
    // ...but not a wrong cookie, nor the right cookie from a foreign page.
    expect(await connect({ token: null, cookie: `layerloom_token_${srv.port}=nope` })).toBe(403);
    expect(await connect({ token: null, cookie, origin: 'http://evil.example' })).toBe(403);
    const ws = await connect();
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();
  });

  it('carries the contract: validated requests, clear errors, files confined to the project folder', async () => {
    const ws = (await connect()) as WebSocket;
    const { call } = rpc(ws);
    try {
      expect(await call('app.info', {})).toMatchObject({ ok: true, value: { mode: 'web', projectDir: join(dir, 'project') } });
      expect(await call('file.save', { path: 'models/a.loom' })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/text/) } });
      expect(await call('no.such', {})).toMatchObject({ ok: false, error: { code: 'unknown-request' } });
      expect(await call('file.open', { path: 'models/a.loom' })).toMatchObject({ ok: true, value: { path: 'models/a.loom', text: '{"format":"layerloom.model"}' } });
      for (const bad of ['../outside/secret.loom', join(dir, 'outside', 'secret.loom'), 'link/secret.loom', 'models/../../outside/secret.loom']) {
        expect(await call('file.open', { path: bad })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect(await call('file.save', { path: 'link/secret.loom', text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(readFileSync(join(dir, 'outside', 'secret.loom'), 'utf8')).toBe('secret');
      expect(await call('file.save', { path: '../evil.loom', text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await call('file.save', { path: 'notes.txt', text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /only \.loom/ } });
      expect(await call('file.saveAs', { text: 'new', path: 'models/b.loom' })).toMatchObject({ ok: true, value: { path: 'models/b.loom', name: 'b.loom' } });
      expect(readFileSync(join(dir, 'project', 'models', 'b.loom'), 'utf8')).toBe('new');
      expect((await call('file.list', {})).value.files.map((f: { path: string }) => f.path)).toEqual(['models/a.loom', 'models/b.loom']);
      expect((await call('file.recent', {})).value.files[0]).toEqual({ path: 'models/b.loom', name: 'b.loom' });
      const templates = (await call('file.listTemplates', {})).value.templates;
      expect(templates.length).toBeGreaterThan(3);
      expect(templates.find((t: { id: string }) => t.id === 'mnist-cnn')).toMatchObject({ name: 'mnist-cnn', description: expect.stringMatching(/MNIST/) });
      expect(await call('file.new', { template: 'mnist-cnn' })).toMatchObject({ ok: true, value: { name: 'mnist-cnn.loom' } });
      expect(await call('file.new', { template: '../../package' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(await call('settings.set', { theme: 'dark' })).toMatchObject({ ok: true, value: { theme: 'dark' } });
      // Data files the engine would read are confined too.
      const doc = { format: 'layerloom.model', version: 1, name: 't', nodes: [{ id: 'input', type: 'Input', params: { shape: [1] } }], edges: [] };
      for (const path of ['../../outside/secret.csv', join(dir, 'outside', 'secret.csv'), '../link/secret.csv']) {
        const dataset = { source: 'csv', path, target: 'y' };
        expect(await call('engine.train', { doc: { ...doc, dataset }, docPath: 'models/a.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /outside the project folder/ } });
        expect(await call('data.preview', { dataset, docPath: 'models/a.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect(await call('data.preview', { dataset: { source: 'npy', x: 'x.npy', y: '/etc/y.npy' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      ws.close();
    }
  });

  it('streams training events from the engine process to the page', async () => {
    const ws = (await connect()) as WebSocket;
    const { call, events } = rpc(ws);
    try {
      const doc = { format: 'layerloom.model', version: 1, name: 't', nodes: [{ id: 'input', type: 'Input', params: { shape: [1] } }], edges: [] };
      expect(await call('engine.train', { runId: 'w1', doc, docPath: 'models/a.loom', overrides: { epochs: 1 } })).toEqual({ ok: true, value: { runId: 'w1' } });
      const t0 = Date.now();
      while (!events.some((e) => e.event === 'train.event' && e.payload.type === 'end') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      const types = events.filter((e) => e.event === 'train.event').map((e) => e.payload.type);
      expect(types[0]).toBe('start');
      expect(types.at(-1)).toBe('end');
      expect(events[0]).toMatchObject({ event: 'engine.status', payload: { state: expect.any(String) } }); // sent on connect
      expect(events.some((e) => e.event === 'engine.status' && e.payload.state === 'busy' && e.payload.runId === 'w1')).toBe(true);
    } finally {
      ws.close();
    }
  });
});

describe('invalid engine events', () => {
  it('are dropped and logged; the server keeps serving and the run still ends', async () => {
    const ws = (await connect()) as WebSocket;
    const { call, events } = rpc(ws);
    try {
      const doc = { format: 'layerloom.model', version: 1, name: 't', nodes: [{ id: 'input', type: 'Input', params: { shape: [1] } }], edges: [] };
      expect(await call('engine.train', { runId: 'invalid-1', doc, overrides: { epochs: 1 } })).toEqual({ ok: true, value: { runId: 'invalid-1' } });
      const t0 = Date.now();
      while (!events.some((e) => e.event === 'train.event' && e.payload.type === 'end') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      const types = events.filter((e) => e.event === 'train.event').map((e) => e.payload.type);
      expect(types).toContain('end');
      expect(types).not.toContain('epoch');
      expect(serverLog.some((l) => /dropped an invalid train\.event event/.test(l))).toBe(true);
      expect(await call('settings.get', {})).toMatchObject({ ok: true });
    } finally {
      ws.close();
    }
  });
});

describe('File › Import model in web mode', () => {
  it('imports a Keras topology from the project folder as a new document; refuses paths outside', async () => {
    const topo = {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          { class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', name: 'input_layer' } },
          { class_name: 'Dense', config: { name: 'dense', units: 3, activation: 'softmax', use_bias: true } },
        ],
      },
    };
    writeFileSync(join(dir, 'project', 'models', 'keras.json'), JSON.stringify(topo));
    const ws = (await connect()) as WebSocket;
    const { call } = rpc(ws);
    try {
      const r = await call('file.importModel', { path: 'models/keras.json' });
      expect(r).toMatchObject({ ok: true, value: { canceled: false, name: 'keras.loom', warnings: expect.any(Array) } });
      const doc = JSON.parse(r.value.text);
      expect(doc.nodes.map((n: { type: string }) => n.type)).toEqual(['Input', 'Dense']);
      expect(await call('file.importModel', { path: '../outside/secret.json' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await call('file.importModel', { path: 'models/a.txt' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await call('file.importModel', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    } finally {
      ws.close();
    }
  });
});

describe('staging folder of a web server', () => {
  it('removes a dead server\'s staging folder at start and its own (with runs never saved) on close', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'll-web-staging-'));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    mkdirSync(join(parent, 'layerloom-imported-crashed', 'imported-1'), { recursive: true });
    writeFileSync(join(parent, 'layerloom-imported-crashed', '.owner'), String(deadPid));
    const s2 = await startWebServer({
      serve: 'static', staticDir: join(dir, 'static'), projectDir: join(dir, 'project'), log: () => undefined, stagingParent: parent,
      spawnEngine: forkEngine({ engineModule: fakeEngine, echoStderr: false }),
    });
    try {
      expect(readdirSync(parent)).toEqual([]);
      writeFileSync(join(dir, 'project', 'models', 'k.json'), JSON.stringify({
        class_name: 'Sequential',
        config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 2], name: 'in' } }, { class_name: 'Dense', config: { name: 'd', units: 1 } }] },
      }));
      const ws = (await connect({ token: s2.token, origin: s2.origin, host: `127.0.0.1:${s2.port}`, port: s2.port })) as WebSocket;
      const r = await rpc(ws).call('file.importModel', { path: 'models/k.json' });
      ws.close();
      expect(r).toMatchObject({ ok: true });
      expect(readdirSync(parent)).toEqual([expect.stringMatching(/^layerloom-imported-/)]); // an import stages its run here
    } finally {
      await s2.close();
      rmSync(join(dir, 'project', 'models', 'k.json'), { force: true });
    }
    expect(readdirSync(parent)).toEqual([]);
    rmSync(parent, { recursive: true, force: true });
  });
});

describe('engine crash seen by a web client', () => {
  it('a killed engine fails the run for the page with the reason; the next run works', async () => {
    const ws = (await connect()) as WebSocket;
    const { call, events } = rpc(ws);
    const doc = { format: 'layerloom.model', version: 1, name: 't', nodes: [{ id: 'input', type: 'Input', params: { shape: [1] } }], edges: [] };
    const until = async (pred: () => boolean) => {
      const t0 = Date.now();
      while (!pred() && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    };
    const train = (runId: string) => events.filter((e) => e.event === 'train.event' && e.payload.runId === runId).map((e) => e.payload);
    try {
      expect(await call('engine.train', { runId: 'c1', doc })).toMatchObject({ ok: true });
      await until(() => train('c1').some((e) => e.type === 'batch'));
      srv.engine.restart(); // kills the engine process, as a crash would
      await until(() => train('c1').some((e) => e.type === 'error'));
      expect(train('c1').at(-1)).toMatchObject({ type: 'error', code: 'crash', message: expect.stringMatching(/stopped unexpectedly/) });
      expect(events.some((e) => e.event === 'engine.status' && e.payload.state === 'crashed')).toBe(true);
      expect(await call('engine.train', { runId: 'c2', doc, overrides: { epochs: 1 } })).toMatchObject({ ok: true });
      await until(() => train('c2').some((e) => e.type === 'end'));
      expect(train('c2').at(-1)).toMatchObject({ type: 'end', reason: 'completed' });
    } finally {
      ws.close();
    }
  });
});

describe('npm run web arguments', () => {
  it('parses options and rejects unknown ones', () => {
    expect(parseArgs(['--port', '8080', '--project', '/p', '--static'])).toEqual({ port: 8080, projectDir: '/p', serve: 'static' });
    expect(parseArgs(['--host', '0.0.0.0'])).toEqual({ host: '0.0.0.0' });
    expect(() => parseArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option --bogus/);
    expect(parseArgs(['models/a.loom', '--port', '0'])).toEqual({ openFiles: ['models/a.loom'], port: 0 });
  });
});

describe('opening a model given on the command line', () => {
  it('hands it to the first page that is ready, as a project path', async () => {
    const s2 = await startWebServer({
      serve: 'static', staticDir: join(dir, 'static'), projectDir: join(dir, 'project'), log: () => undefined,
      openFiles: [join(dir, 'project', 'models', 'a.loom')], spawnEngine: forkEngine({ engineModule: fakeEngine, echoStderr: false }),
    });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s2.port}/ws?token=${s2.token}`, { headers: { origin: s2.origin } });
      await new Promise((r) => ws.once('open', r));
      const { call } = rpc(ws);
      expect(await call('app.ready', {})).toEqual({ ok: true, value: { openFiles: ['models/a.loom'] } });
      expect(await call('app.ready', {})).toEqual({ ok: true, value: { openFiles: [] } });
      ws.close();
    } finally {
      await s2.close();
    }
  });
});

describe('static mode', () => {
  it('refuses to start without a build, saying what to do', async () => {
    await expect(startWebServer({ serve: 'static', staticDir: join(tmpdir(), 'no-such-build'), log: () => undefined })).rejects.toThrow(/npm run build/);
    await expect(startWebServer({ serve: 'static', projectDir: join(tmpdir(), 'no-such-project'), log: () => undefined })).rejects.toThrow(/project folder .* does not exist/);
  });
});

describe('project paths to be created', () => {
  it('accepts new nested folders inside the project and refuses them through a symlink out', async () => {
    const { ProjectFiles } = await import('../host/files');
    const pf = new ProjectFiles(join(dir, 'project'));
    await expect(pf.checkOutDir('export/deep/new')).resolves.toBe(join(dir, 'project', 'export', 'deep', 'new'));
    await expect(pf.checkOutDir('link/new/folder')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(pf.checkOutDir('../escape/new')).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('saves interrupted by a kill', () => {
  it('leave temporary files that the next server start removes; the documents are intact, a live process\'s temporary file is kept', async () => {
    const project = mkdtempSync(join(tmpdir(), 'll-web-sweep-'));
    mkdirSync(join(project, 'm.runs', 'r1'), { recursive: true });
    mkdirSync(join(project, '.layerloom'));
    writeFileSync(join(project, 'm.loom'), 'OLD');
    const crash = fileURLToPath(new URL('../node/fixtures/crash-during-save.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', crash, join(project, 'm.loom'), 'NEW'], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    const deadPid = r.pid!;
    writeFileSync(join(project, 'm.runs', 'r1', `weights.bin.${deadPid}.lq3x9.tmp`), 'half'); // the engine's run files
    writeFileSync(join(project, '.layerloom', `.settings.json.${deadPid}.0badc0de.tmp`), '{');
    const live = join(project, `.other.loom.${process.pid}.12345678.tmp`); // a save in progress by a live process
    writeFileSync(live, 'in progress');
    const leftover = () => readdirSync(project, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp')).sort();
    expect(leftover()).toHaveLength(4);
    const log: string[] = [];
    const s2 = await startWebServer({
      serve: 'static', staticDir: join(dir, 'static'), projectDir: project, log: (m) => void log.push(m),
      spawnEngine: forkEngine({ engineModule: fakeEngine, echoStderr: false }),
    });
    await s2.close();
    expect(leftover()).toEqual([`.other.loom.${process.pid}.12345678.tmp`]);
    expect(readFileSync(join(project, 'm.loom'), 'utf8')).toBe('OLD');
    expect(log.filter((l) => /temporary file of an interrupted save/.test(l))).toHaveLength(3);
    rmSync(project, { recursive: true, force: true });
  });
});
