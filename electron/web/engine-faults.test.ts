/**
 * The real engine process killed in the middle of each kind of long operation (training, evaluation,
 * export, explanation, compression), as a crash or the out-of-memory killer would: the page gets a named failure, the server
 * keeps serving, and the next request starts a fresh engine and works.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { REPO_ROOT, startWebServer, type WebServer } from './server';

let project: string;
let staticDir: string;
let srv: WebServer;
let ws: WebSocket;
const events: { event: string; payload: any }[] = [];
const answers = new Map<number, (env: any) => void>();
let nextId = 1;

const call = (name: string, payload: unknown): Promise<any> => new Promise((resolve) => {
  const id = nextId++;
  answers.set(id, resolve);
  ws.send(JSON.stringify({ id, name, payload }));
});
async function until(pred: () => boolean, what: string) {
  while (!pred()) {
    if (ws.readyState !== WebSocket.OPEN) throw new Error(`the socket closed while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** Kill the engine as soon as a fresh one is starting for the request just sent (so the request is certainly in flight). */
async function killWhenStarting(seenBefore: number) {
  await until(() => events.slice(seenBefore).some((e) => e.event === 'engine.status' && e.payload.state === 'starting'), 'the engine to start');
  srv.engine.restart();
}

/** Each test starts the real engine twice (loading TensorFlow.js): slow on a loaded machine. */
const ENGINE_STARTS_TIMEOUT = 240_000;
const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'assets', 'templates', 'linear-regression.loom'), 'utf8'));
const trainEvents = (runId: string) => events.filter((e) => e.event === 'train.event' && e.payload.runId === runId).map((e) => e.payload);

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'll-faults-'));
  cpSync(join(REPO_ROOT, 'assets', 'templates', 'linear-regression.loom'), join(project, 'line.loom'));
  staticDir = mkdtempSync(join(tmpdir(), 'll-faults-static-'));
  cpSync(join(REPO_ROOT, 'electron', 'web', 'fixtures', 'index.html'), join(staticDir, 'index.html'));
  srv = await startWebServer({ serve: 'static', staticDir, projectDir: project, log: () => undefined });
  ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`, { headers: { origin: srv.origin } });
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    if (typeof m.id === 'number') answers.get(m.id)?.(m.envelope);
    else events.push(m);
  });
  await new Promise((r) => ws.once('open', r));
});
afterAll(async () => {
  ws?.close();
  await srv?.close();
  rmSync(project, { recursive: true, force: true });
  rmSync(staticDir, { recursive: true, force: true });
});

describe('the engine killed mid-operation', () => {
  it('during training: the run fails with the reason; the next run trains to the end and is kept', async () => {
    expect(await call('engine.train', { runId: 'killed', doc, docPath: 'line.loom' })).toMatchObject({ ok: true });
    await until(() => trainEvents('killed').some((e) => e.type === 'batch'), 'a batch');
    srv.engine.restart();
    await until(() => trainEvents('killed').some((e) => e.type === 'error'), 'the failure');
    expect(trainEvents('killed').at(-1)).toMatchObject({ type: 'error', code: 'crash', message: expect.stringMatching(/engine stopped unexpectedly.*Your model is safe/) });
    expect(await call('engine.train', { runId: 'after', doc, docPath: 'line.loom', overrides: { epochs: 2 } })).toMatchObject({ ok: true });
    await until(() => trainEvents('after').some((e) => e.type === 'end' || e.type === 'error'), 'the next run');
    expect(trainEvents('after').at(-1)).toMatchObject({ type: 'end', reason: 'completed' });
    expect(existsSync(join(project, 'line.runs', 'after', 'run.json'))).toBe(true);
  }, ENGINE_STARTS_TIMEOUT);

  it('during an evaluation: a named failure; the next evaluation works', async () => {
    srv.engine.restart(); // the next request starts a fresh engine: kill it while that request is in flight
    await until(() => srv.engine.getStatus().state === 'crashed', 'the engine to stop');
    const seen = events.length;
    const pending = call('engine.evaluate', { runId: 'after', doc, docPath: 'line.loom' });
    await killWhenStarting(seen);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringMatching(/engine stopped unexpectedly/) } });
    expect(await call('engine.evaluate', { runId: 'after', doc, docPath: 'line.loom' })).toMatchObject({ ok: true, value: { runId: 'after', logs: { loss: expect.any(Number) } } });
  }, ENGINE_STARTS_TIMEOUT);

  it('during an export: a named failure; the next export works', async () => {
    srv.engine.restart();
    await until(() => srv.engine.getStatus().state === 'crashed', 'the engine to stop');
    const seen = events.length;
    const pending = call('export.run', { format: 'tfjs', doc, docPath: 'line.loom', runId: 'after' });
    await killWhenStarting(seen);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringMatching(/engine stopped unexpectedly/) } });
    const r = await call('export.run', { format: 'tfjs', doc, docPath: 'line.loom', runId: 'after' });
    expect(r).toMatchObject({ ok: true, value: { canceled: false, weights: 'trained', files: expect.arrayContaining([expect.stringMatching(/model\.json$/)]) } });
    expect(existsSync(join(r.value.outDir, 'model.json'))).toBe(true);
  }, ENGINE_STARTS_TIMEOUT);

  it('during an explanation: a named failure; the next explanation works', async () => {
    srv.engine.restart();
    await until(() => srv.engine.getStatus().state === 'crashed', 'the engine to stop');
    const seen = events.length;
    const req = { runId: 'after', doc, docPath: 'line.loom', jobId: 'why', input: { kind: 'values', values: [0.5] }, spec: { method: 'ig', steps: 8 } };
    const pending = call('explain.run', req);
    await killWhenStarting(seen);
    expect(await pending).toMatchObject({ ok: false, error: { message: expect.stringMatching(/engine stopped unexpectedly/) } });
    const r = await call('explain.run', { ...req, jobId: 'why-again' });
    expect(r, JSON.stringify(r.error)).toMatchObject({ ok: true, value: { method: 'ig', attributions: expect.any(Array) } });
    expect(r.value.attributions.every(Number.isFinite)).toBe(true);
  }, ENGINE_STARTS_TIMEOUT);

  it('during a compression: a named failure, no half-written run; the next compression works', async () => {
    srv.engine.restart();
    await until(() => srv.engine.getStatus().state === 'crashed', 'the engine to stop');
    const seen = events.length;
    const req = { runId: 'after', doc, docPath: 'line.loom', jobId: 'small', method: 'dynamic', latencyRuns: 0 };
    const pending = call('compress.run', req);
    await killWhenStarting(seen);
    expect(await pending).toMatchObject({ ok: false, error: { message: expect.stringMatching(/engine stopped unexpectedly/) } });
    expect(readdirSync(join(project, 'line.runs')).filter((n) => n.startsWith('compressed-'))).toEqual([]);
    const r = await call('compress.run', { ...req, jobId: 'small-again' });
    expect(r, JSON.stringify(r.error)).toMatchObject({ ok: true, value: { run: { runId: expect.stringMatching(/^compressed-/) } } });
    expect(existsSync(join(project, 'line.runs', r.value.run.runId, 'run.json'))).toBe(true);
  }, ENGINE_STARTS_TIMEOUT);
});
