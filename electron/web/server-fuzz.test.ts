/**
 * Web mode under hostile input: malformed frames and messages, unknown names, wrong types,
 * oversized and deeply nested payloads. Every case is refused by name (a close reason or an error
 * envelope), the server keeps answering, and nothing outside the project folder is touched.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { forkEngine } from '../host/engine-fork';
import { MAX_MESSAGE_BYTES } from '../../shared/ipc/contract';
import { frame, rawConnect, type RawClient } from './fixtures/raw-ws';
import { startWebServer, type WebServer } from './server';

const fakeEngine = fileURLToPath(new URL('../host/fixtures/fake-engine.ts', import.meta.url));

let dir: string;
let srv: WebServer;
const serverLog: string[] = [];

/** Every file under `root` with its content and modification time: what "untouched" means. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = `${lstatSync(p).mtimeMs}:${readFileSync(p, 'base64')}`;
    }
  };
  walk(root);
  return out;
}
let outsideBefore: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-fuzz-'));
  mkdirSync(join(dir, 'static'));
  mkdirSync(join(dir, 'project'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Layerloom</title><div id="root"></div>');
  // Outside the project: files and a run folder that links inside the project point to.
  const outside = join(dir, 'outside');
  mkdirSync(join(outside, 'runs', 'run-outside'), { recursive: true });
  writeFileSync(join(outside, 'secret.loom'), '{"format":"layerloom.model","version":1,"name":"secret","nodes":[],"edges":[]}');
  writeFileSync(join(outside, 'secret.csv'), 'a,y\n1,2\n');
  writeFileSync(join(outside, 'runs', 'run-outside', 'run.json'), '{"runId":"run-outside","createdAt":"2020-01-01"}');
  const project = join(dir, 'project');
  writeFileSync(join(project, 'm.loom'), '{"format":"layerloom.model","version":1,"name":"m","nodes":[],"edges":[]}');
  symlinkSync(join(outside, 'runs'), join(project, 'm.runs')); // a runs folder that leads out
  mkdirSync(join(project, 'n.runs'));
  symlinkSync(join(outside, 'runs', 'run-outside'), join(project, 'n.runs', 'run-outside')); // one run folder that leads out
  writeFileSync(join(project, 'n.loom'), '{"format":"layerloom.model","version":1,"name":"n","nodes":[],"edges":[]}');
  symlinkSync(outside, join(project, 'out-link'));
  symlinkSync(join(outside, 'secret.loom'), join(project, 'secret-link.loom'));
  symlinkSync(outside, join(project, 'imports')); // uploads into imports/ would land outside
  mkdirSync(join(project, 'export', 'm-tfjs'), { recursive: true });
  symlinkSync(outside, join(project, 'export', 'm-tfjs', 'assets')); // an export folder holding a link out
  outsideBefore = snapshot(outside);
  srv = await startWebServer({
    serve: 'static', staticDir: join(dir, 'static'), projectDir: join(dir, 'project'), log: (m) => void serverLog.push(m),
    spawnEngine: forkEngine({ engineModule: fakeEngine, echoStderr: false }),
  });
});
afterAll(async () => {
  await srv?.close();
  // Nothing outside the project folder was read into an answer, written or removed by any case.
  expect(snapshot(join(dir, 'outside'))).toEqual(outsideBefore);
  rmSync(dir, { recursive: true, force: true });
});

const open = async (): Promise<RawClient> => {
  const c = await rawConnect(srv.port, { origin: srv.origin, cookie: `layerloom_token_${srv.port}=${encodeURIComponent(srv.token)}` });
  expect(c.status).toBe(101);
  return c;
};

/** The server still serves: a fresh socket gets an answer to app.info. */
async function stillServing() {
  const c = await open();
  c.sendText(JSON.stringify({ id: 1, name: 'app.info', payload: {} }));
  expect(await c.next((m) => m.id === 1)).toMatchObject({ envelope: { ok: true, value: { mode: 'web' } } });
  c.socket.destroy();
}

describe('bad WebSocket frames', () => {
  const cases: { name: string; bytes: () => Buffer; code: number; reason: RegExp }[] = [
    { name: 'a frame declaring more than the message limit', bytes: () => frame({ opcode: 1, declaredLength: MAX_MESSAGE_BYTES + 1 }), code: 1009, reason: /message too big: at most 129 MiB/ },
    { name: 'a frame declaring 2^53 bytes', bytes: () => frame({ opcode: 2, declaredLength: 2 ** 53 - 1 }), code: 1009, reason: /too big/ },
    { name: 'invalid UTF-8 in a text frame', bytes: () => frame({ opcode: 1, payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }), code: 1007, reason: /invalid UTF-8/ },
    { name: 'RSV1 set without compression', bytes: () => frame({ opcode: 1, rsv1: true, payload: Buffer.from('{}') }), code: 1002, reason: /protocol error/ },
    { name: 'an unknown opcode', bytes: () => frame({ opcode: 3, payload: Buffer.from('x') }), code: 1002, reason: /protocol error/ },
    { name: 'a fragmented control frame', bytes: () => frame({ opcode: 9, fin: false, payload: Buffer.from('x') }), code: 1002, reason: /protocol error/ },
    { name: 'a continuation with nothing to continue', bytes: () => frame({ opcode: 0, payload: Buffer.from('x') }), code: 1002, reason: /protocol error/ },
    { name: 'an unmasked client frame', bytes: () => Buffer.from([0x81, 0x02, 0x7b, 0x7d]), code: 1002, reason: /protocol error/ },
  ];
  for (const c of cases) {
    it(`${c.name}: that socket closes with the reason; the server keeps serving`, async () => {
      const client = await open();
      client.socket.write(c.bytes());
      expect(await client.closed).toEqual({ code: c.code, reason: expect.stringMatching(c.reason) });
      await stillServing();
    });
  }

  it('a binary message gets an error answer and the socket stays open', async () => {
    const client = await open();
    client.socket.write(frame({ opcode: 2, payload: Buffer.from('{"id":1,"name":"app.info"}') }));
    expect(await client.next((m) => m.id === null)).toMatchObject({ envelope: { ok: false, error: { code: 'invalid-request', message: /not binary/ } } });
    client.sendText(JSON.stringify({ id: 2, name: 'app.info' }));
    expect(await client.next((m) => m.id === 2)).toMatchObject({ envelope: { ok: true } });
    client.socket.destroy();
  });
});

describe('size limits agree (bytes of UTF-8 everywhere)', () => {
  it('a document one byte over 64 MiB of UTF-8 (fewer than 64 Mi characters) is refused by name, not saved and not a dead socket', async () => {
    const { MAX_FILE_BYTES } = await import('../../shared/document/load');
    const { existsSync } = await import('node:fs');
    const c = await open();
    c.sendText(JSON.stringify({ id: 2, name: 'file.save', payload: { path: 'big.loom', text: `${'é'.repeat(MAX_FILE_BYTES / 2)}x` } }));
    expect(await c.next((m) => m.id === 2)).toMatchObject({ envelope: { ok: false, error: { code: 'invalid-request', message: /text: a model file is at most 64 MiB/ } } });
    expect(existsSync(join(dir, 'project', 'big.loom'))).toBe(false);
    c.sendText(JSON.stringify({ id: 3, name: 'app.info' }));
    expect(await c.next((m) => m.id === 3)).toMatchObject({ envelope: { ok: true } });
    c.socket.destroy();
  });
});

/** Send one request over a fresh socket and return its envelope. */
async function call(name: string, payload: unknown): Promise<any> {
  const c = await open();
  try {
    c.sendText(JSON.stringify({ id: 1, name, payload }));
    return (await c.next((m) => m.id === 1)).envelope;
  } finally {
    c.socket.destroy();
  }
}

const doc = { format: 'layerloom.model', version: 1, name: 'm', nodes: [{ id: 'input', type: 'Input', params: { shape: [1] } }], edges: [] };
const refused = { ok: false, error: { code: expect.stringMatching(/^(forbidden|not-found|invalid-request)$/), message: expect.any(String) } };

describe('path handling: traversal and symlinks in and out', () => {
  const escapes = [
    '../outside/secret.loom', '../../etc/passwd.loom', `${'../'.repeat(40)}etc/x.loom`, '/etc/x.loom', 'out-link/secret.loom', 'secret-link.loom',
    'models/../../outside/secret.loom', 'out-link/../out-link/secret.loom', './out-link/secret.loom', 'a\u0000b.loom', 'out-link/runs/../secret.loom',
  ];

  it('refuses every escape by name for opening, saving, listing and importing', async () => {
    for (const path of escapes) {
      const p = JSON.stringify(path);
      expect(await call('file.open', { path }), `open ${p}`).toMatchObject(refused);
      expect(await call('file.save', { path, text: 'x' }), `save ${p}`).toMatchObject(refused);
      expect(await call('file.importModel', { path: path.replace(/\.loom$/, '.json') }), `import ${p}`).toMatchObject(refused);
      expect(await call('file.list', { dir: path.replace(/[^/]*\.loom$/, '') || '..' }), `list ${p}`).toMatchObject(refused);
    }
    expect(await call('file.list', {})).toMatchObject({ ok: true, value: { files: expect.not.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/secret/) })]) } });
  });

  it('refuses data files outside, named in a dataset or uploaded', async () => {
    for (const path of ['../outside/secret.csv', 'out-link/secret.csv', join(dir, 'outside', 'secret.csv')]) {
      const dataset = { source: 'csv', path, target: 'y' };
      expect(await call('data.preview', { dataset, docPath: 'm.loom' }), path).toMatchObject({ ok: false, error: { code: 'forbidden', message: /outside the project folder/ } });
      expect(await call('data.describeCsv', { path, docPath: 'm.loom' }), path).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await call('engine.train', { doc: { ...doc, dataset }, docPath: 'm.loom' }), path).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await call('file.upload', { dir: 'imports', name: 'model.json', offset: 0, base64: 'e30=', done: true })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /leads outside the project folder/ } });
    for (const name of ['../x.csv', '/etc/x.csv', '.hidden.csv', 'a/../../x.csv', 'a\\b.csv']) {
      expect(await call('file.upload', { dir: 'data', name, offset: 0, base64: '', done: true }), name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  it('keeps run folders inside: a <model>.runs link out is neither written, rewritten nor listed', async () => {
    expect(await call('engine.train', { doc, docPath: 'm.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /m\.runs.* leads outside the project folder/ } });
    expect(await call('engine.evaluate', { runId: 'run-outside', doc, docPath: 'm.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('runs.list', { docPath: 'm.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('runs.persist', { runIds: ['r1'], docPath: 'm.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // One run folder that links out, in a runs folder that is inside.
    expect(await call('runs.list', { docPath: 'n.loom' })).toEqual({ ok: true, value: { runs: [] } });
    expect(await call('engine.evaluate', { runId: 'run-outside', doc, docPath: 'n.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('export.run', { format: 'tfjs', doc, docPath: 'n.loom', runId: 'run-outside' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('keeps exports inside: no export folder outside, none holding a link out', async () => {
    expect(await call('export.run', { format: 'tfjs', doc, outDir: 'out-link/export' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('export.run', { format: 'tfjs', doc, outDir: '../outside/export' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('export.run', { format: 'tfjs', doc, docPath: 'm.loom' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /holds a link that leads outside the project folder: assets/ } });
  });

  it('still answers after all of it', stillServing);
});

describe('files the real engine lists inside a folder of the project', () => {
  let real: WebServer;
  let project: string;
  const png = (value: number) => {
    const img = new PNG({ width: 4, height: 4 });
    img.data.fill(value);
    return PNG.sync.write(img);
  };
  beforeAll(async () => {
    project = join(dir, 'real-project');
    for (const cls of ['a', 'b']) {
      mkdirSync(join(project, 'data', 'imgs', cls), { recursive: true });
      for (let i = 0; i < 3; i++) writeFileSync(join(project, 'data', 'imgs', cls, `${i}.png`), png(40 * i));
    }
    writeFileSync(join(dir, 'outside', 'pixels.png'), png(255));
    writeFileSync(join(dir, 'outside', 'w.bin'), Buffer.alloc(16));
    outsideBefore = snapshot(join(dir, 'outside'));
    // Default engine: a real engine process, confined to the project folder by the server.
    real = await startWebServer({ serve: 'static', staticDir: join(dir, 'static'), projectDir: project, log: () => undefined });
  });
  afterAll(async () => {
    await real?.close();
  });
  const realCall = async (name: string, payload: unknown) => {
    const c = await rawConnect(real.port, { origin: real.origin, cookie: `layerloom_token_${real.port}=${encodeURIComponent(real.token)}` });
    try {
      c.sendText(JSON.stringify({ id: 1, name, payload }));
      return (await c.next((m) => m.id === 1)).envelope;
    } finally {
      c.socket.destroy();
    }
  };

  it('an image that links out of the project is refused by name in previews; without it the folder previews', async () => {
    const dataset = { source: 'images', path: 'data/imgs' };
    expect(await realCall('data.preview', { dataset })).toMatchObject({ ok: true, value: { count: 6 } });
    symlinkSync(join(dir, 'outside', 'pixels.png'), join(project, 'data', 'imgs', 'b', 'z-link.png'));
    try {
      for (const name of ['data.preview', 'data.augmentPreview']) {
        expect(await realCall(name, { dataset }), name).toMatchObject({ ok: false, error: { message: /z-link\.png.*leads outside the project folder/ } });
      }
    } finally {
      rmSync(join(project, 'data', 'imgs', 'b', 'z-link.png'));
    }
  });

  it('a TF.js model.json whose weights manifest points out of the project is refused, not read', async () => {
    mkdirSync(join(project, 'imports'), { recursive: true });
    writeFileSync(join(project, 'imports', 'model.json'), JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 2], name: 'in' } }, { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false } }] } },
      weightsManifest: [{ paths: ['../../outside/w.bin'], weights: [{ name: 'd/kernel', shape: [2, 2], dtype: 'float32' }] }],
    }));
    expect(await realCall('file.importModel', { path: 'imports/model.json' })).toMatchObject({ ok: false, error: { message: /w\.bin" leads outside the project folder|outside the project folder/ } });
  });
});

describe('malformed and hostile messages', () => {
  /** `[message text, the error code of the answer]`: every one answered by name on the same socket. */
  const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
  const cases: [string, string, string | RegExp][] = [
    ['not json', 'invalid-request', /not valid JSON/],
    ['', 'invalid-request', /not valid JSON/],
    ['{"id":1,"name":"app.info"', 'invalid-request', /not valid JSON/],
    ['"just a string"', 'invalid-request', /JSON object/],
    ['[{"id":1}]', 'invalid-request', /JSON object/],
    ['{"name":"app.info"}', 'invalid-request', /"id"/],
    ['{"id":"1","name":"app.info"}', 'invalid-request', /"id"/],
    ['{"id":1e999,"name":"app.info"}', 'invalid-request', /"id"/],
    ['{"id":1}', 'unknown-request', /name must be a string/],
    ['{"id":1,"name":42}', 'unknown-request', /name must be a string/],
    ['{"id":1,"name":"no.such"}', 'unknown-request', /unknown request "no\.such"/],
    ['{"id":1,"name":"__proto__.toString"}', 'unknown-request', /unknown request/],
    ['{"id":1,"name":"constructor.prototype"}', 'unknown-request', /unknown request/],
    ['{"id":1,"name":"file.hasOwnProperty"}', 'unknown-request', /unknown request/],
    [`{"id":1,"name":"${'x'.repeat(1_000_000)}"}`, 'unknown-request', /^unknown request "x{80}"$/],
    ['{"id":1,"name":"file.save","payload":{"path":7,"text":[]}}', 'invalid-request', /path.*text|text.*path/],
    ['{"id":1,"name":"file.save","payload":"x"}', 'invalid-request', /invalid request/],
    ['{"id":1,"name":"settings.set","payload":{"theme":"dark","__proto__":{"polluted":1}}}', 'invalid-request', /invalid request/],
    ['{"id":1,"name":"engine.train","payload":{"doc":{"format":"layerloom.model","version":1,"name":"x","nodes":[],"edges":[]},"runId":"../../x"}}', 'invalid-request', /runId/],
    [`{"id":1,"name":"engine.predict","payload":{"runId":"r","doc":{},"inputs":[${deep(20_000)}]}}`, 'invalid-request', /nests deeper than 64 levels/],
    [`{"id":1,"name":"settings.set","payload":{"ui":{"k":"${'v'.repeat(3_000_000)}"}}}`, 'invalid-request', /invalid request/],
    [`{"id":1,"name":"file.open","payload":{"path":"${'p'.repeat(5000)}.loom"}}`, 'invalid-request', /path/],
  ];

  it('each gets an error answer naming the problem, cut to a readable size; the socket and the server keep serving', async () => {
    const c = await open();
    for (const [text, code, message] of cases) {
      const seen = c.frames.length;
      c.sendText(text);
      const answer = await c.next(() => c.frames.length > seen);
      expect(answer.envelope, text.slice(0, 80)).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
      expect(JSON.stringify(answer).length, text.slice(0, 80)).toBeLessThan(12_000);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    c.sendText(JSON.stringify({ id: 99, name: 'app.info' }));
    expect(await c.next((m) => m.id === 99)).toMatchObject({ envelope: { ok: true } });
    c.socket.destroy();
    await stillServing();
  });
});
