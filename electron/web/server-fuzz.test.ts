/**
 * Web mode under hostile input: malformed frames and messages, unknown names, wrong types,
 * oversized and deeply nested payloads. Every case is refused by name (a close reason or an error
 * envelope), the server keeps answering, and nothing outside the project folder is touched.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkEngine } from '../host/engine-fork';
import { MAX_MESSAGE_BYTES } from '../../shared/ipc/contract';
import { frame, rawConnect, type RawClient } from './fixtures/raw-ws';
import { startWebServer, type WebServer } from './server';

const fakeEngine = fileURLToPath(new URL('../host/fixtures/fake-engine.ts', import.meta.url));

let dir: string;
let srv: WebServer;
const serverLog: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-fuzz-'));
  mkdirSync(join(dir, 'static'));
  mkdirSync(join(dir, 'project'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Layerloom</title><div id="root"></div>');
  srv = await startWebServer({
    serve: 'static', staticDir: join(dir, 'static'), projectDir: join(dir, 'project'), log: (m) => void serverLog.push(m),
    spawnEngine: forkEngine({ engineModule: fakeEngine, echoStderr: false }),
  });
});
afterAll(async () => {
  await srv?.close();
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
